#!/bin/sh
# lxc_states.sh - a running uksmtop -b follows real LXC containers as they freeze, thaw, stop,
# start again, and appear or vanish from lxcpath, although it no longer asks each container's
# monitor its state every sample (the freezer, the init's liveness and inotify tell it instead),
# nor reads the freezer file or looks for child cgroups without an inotify event.
. "$top_srcdir/tests/integration/common.sh"

LXCPATH=$(lxc-config lxc.lxcpath)
FAKE=uksmtest-defined
fake_dir=$LXCPATH/$FAKE
trap 'rm -rf "$fake_dir"; it_cleanup' EXIT

setup 0 2
rm -rf "$fake_dir"

out=$it_tmp/run.json
"$UKSMTOP" -b -o json -d 0.2 --no-libvirt >"$out" 2>"$out.err" &
it_bg=$!

# row NAME FIELD: the field in the newest complete sample ("absent" when not listed).
row() { inst "$out" "$1" "$2"; }

is_field() { [ "$(row "$1" "$2")" = "$3" ]; }

# expect SECONDS NAME FIELD VALUE: poll the run's output until the row says so.
expect() {
	if wait_for "$1" is_field "$2" "$3" "$4"; then
		ok "$2 $3 = $4"
	else
		not_ok "$2 $3 = $4 within $1 s (got $(row "$2" "$3"))"
	fi
}

# Start-up: generous, the first sample may wait for the machine.
expect 30 uksmtest-c1 state running
expect 5 uksmtest-c2 state running
expect 5 uksmtest-c1 pid "$(container_pid uksmtest-c1)"

# The freezer changes the state while init lives.
lxc-freeze -n uksmtest-c1
check "lxc-freeze says FROZEN" [ "$(lxc-info -sH -n uksmtest-c1)" = FROZEN ]
expect 3 uksmtest-c1 state frozen
check "the other container stays running" is_field uksmtest-c2 state running
lxc-unfreeze -n uksmtest-c1
expect 3 uksmtest-c1 state running

# A child cgroup made inside the container (an inotify event says so): a process moved
# there still counts, and again once moved back and the child removed.
init1=$(container_pid uksmtest-c1)
cg2=$(container_cgroup2 uksmtest-c1)
n0=$(row uksmtest-c1 nproc)
victim=$(grep -vx "$init1" "$cg2/cgroup.procs" | tail -n 1)
mkdir "$cg2/uksmtest-sub" && echo "$victim" >"$cg2/uksmtest-sub/cgroup.procs"
check "process $victim moved into a child cgroup of $cg2" grep -qx "$victim" "$cg2/uksmtest-sub/cgroup.procs"
sleep 1
expect 3 uksmtest-c1 nproc "$n0"
echo "$victim" >"$cg2/cgroup.procs"
rmdir "$cg2/uksmtest-sub"
check "child cgroup removed" [ ! -d "$cg2/uksmtest-sub" ]
sleep 1
expect 3 uksmtest-c1 nproc "$n0"

# A stop ends init; the next start has a new one, and its processes are found again.
lxc-stop -k -n uksmtest-c2
expect 5 uksmtest-c2 state stopped
expect 3 uksmtest-c2 pid null
lxc-start -d -n uksmtest-c2
wait_for 30 sh -c '[ "$(lxc-info -sH -n uksmtest-c2)" = RUNNING ]'
expect 5 uksmtest-c2 state running
expect 5 uksmtest-c2 pid "$(container_pid uksmtest-c2)"
nproc=$(wait_for 5 is_field uksmtest-c2 state running && row uksmtest-c2 nproc)
check "uksmtest-c2 has processes again (nproc $nproc)" [ "${nproc:-0}" -ge 1 ] 2>/dev/null

# The defined list follows lxcpath: a directory is a container once it holds a config.
mkdir "$fake_dir"
sleep 1
check "a directory without config is not listed" is_field "$FAKE" state absent
sed "s/uksmtest-c1/$FAKE/g" "$LXCPATH/uksmtest-c1/config" >"$fake_dir/config.tmp"
mv "$fake_dir/config.tmp" "$fake_dir/config"
expect 3 "$FAKE" state stopped
rm -rf "$fake_dir"
expect 3 "$FAKE" state absent

stop_batch "$out"
done_testing

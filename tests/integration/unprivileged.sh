#!/bin/sh
# unprivileged.sh - the same listing run as nobody: every instance it can see, null where a
# figure is unreadable, one line saying why, exit 0.
. "$top_srcdir/tests/integration/common.sh"

command -v setpriv >/dev/null || skip "setpriv not found (package util-linux)"
GUESTS="uksmtest-g1"
CONTAINERS="uksmtest-c1 uksmtest-c2"

setup 1 2

as_nobody() {
	setpriv --reuid=nobody --regid=nogroup --clear-groups \
		env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/nonexistent "$@"
}

# nobody must be able to reach the binary; a build under /root may not be.
bin=$UKSMTOP
if ! as_nobody test -x "$bin"; then
	cp "$UKSMTOP" "$it_tmp/uksmtop"
	bin=$it_tmp/uksmtop
fi

# An unprivileged user's LXC default is their own lxcpath; the containers are root's.
lxcpath=$(lxc-config lxc.lxcpath)
# Whether nobody may use libvirt's read-only socket is the host's policy (polkit
# on Debian): ask virsh, and expect exactly what it can see.
if as_nobody virsh -r -c qemu:///system list --name >/dev/null 2>&1; then
	libvirt_ok=1
	echo "# nobody may use qemu:///system read-only here: the guests must be listed"
else
	libvirt_ok=0
	echo "# nobody may not use qemu:///system here: no guests, and one line saying why"
fi

out=$it_tmp/nobody.json
as_nobody "$bin" -b -o json -n 3 -d 0.5 --pss-interval 0 -P "$lxcpath" >"$out" 2>"$out.err"
rc=$?
check "uksmtop as nobody exits 0 (got $rc)" [ "$rc" = 0 ]
check "it writes 3 samples" [ "$(wc -l <"$out")" = 3 ]
[ -s "$out.err" ] && sed 's/^/# stderr: /' "$out.err"

truth=$it_tmp/truth
for c in $CONTAINERS; do echo "$c lxc $(container_pid "$c")"; done >"$truth"
for g in $GUESTS; do echo "$g kvm $(guest_pid "$g")"; done >>"$truth"

python3 - "$out" "$truth" "$libvirt_ok" <<'EOF' >"$it_tmp/verdicts"
import json, sys
path, truth_path, libvirt_ok = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
lines = [json.loads(l) for l in open(path) if l.strip()]
if not lines:
    print("not_ok a sample to check"); sys.exit(0)
last = lines[-1]
rows = {i["name"]: i for i in last["instances"]}

def say(good, desc):
    print(("ok " if good else "not_ok ") + desc)

for line in open(truth_path):
    name, kind, pid = (line.split() + ["0"])[:3]
    pid = int(pid or 0)
    r = rows.get(name)
    if kind == "kvm" and not libvirt_ok:
        say(r is None, "%s not listed: nobody cannot ask libvirt" % name)
        continue
    if r is None:
        say(False, "%s listed" % name)
        continue
    say(r.get("type") == kind and r.get("state") == "running",
        "%s listed as %s, running (got %s, %s)" % (name, kind, r.get("type"), r.get("state")))
    say(pid > 0 and r.get("pid") == pid, "%s pid %d (got %s)" % (name, pid, r.get("pid")))
    # statm is world-readable; smaps_rollup and ksm_stat of root's processes are not.
    say(isinstance(r.get("rss_kb"), int) and r["rss_kb"] > 0, "%s rss_kb known (got %s)" % (name, r.get("rss_kb")))
    say(r.get("pss_kb") is None and r.get("shared_kb") is None,
        "%s pss_kb and shared_kb null (got %s, %s)" % (name, r.get("pss_kb"), r.get("shared_kb")))
    say(r.get("ksm_kb") is None, "%s ksm_kb null (got %s)" % (name, r.get("ksm_kb")))

note = last.get("note")
say(isinstance(note, str) and note != "", "one line says why figures are missing (note: %s)" % note)
events = [e for d in lines for e in d.get("events", [])]
for e in events:
    print("# event: %s | %s" % (e.get("what"), e.get("detail")))
if not libvirt_ok:
    lv = [e for e in events if e.get("detail", "").startswith("libvirt:")]
    say(len(lv) == 1, "one event says why libvirt is unreachable (got %d)" % len(lv))
EOF
verdicts "$it_tmp/verdicts"
done_testing

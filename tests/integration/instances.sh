#!/bin/sh
# instances.sh - 3 TCG guests and 3 LXC containers: uksmtop -b -o json lists each with the right
# type, state, pid and RSS, and with KSM on the guests' ksm_kb adds up to what KSM reports.
. "$top_srcdir/tests/integration/common.sh"

GUESTS="uksmtest-g1 uksmtest-g2 uksmtest-g3"
CONTAINERS="uksmtest-c1 uksmtest-c2 uksmtest-c3"

setup 3 3

# The listing and the /proc sums, taken right after the sample so they describe the same moment.
python3 - "$UKSMTOP" "$it_tmp" $GUESTS -- $CONTAINERS <<'EOF' >"$it_tmp/listing.tap"
import json, os, subprocess, sys

uksmtop, tmp = sys.argv[1], sys.argv[2]
rest = sys.argv[3:]
sep = rest.index("--")
guests, containers = rest[:sep], rest[sep + 1:]

def say(good, desc):
    print(("ok " if good else "not_ok ") + desc)

def vmrss_kb(pid):
    try:
        for line in open("/proc/%d/status" % pid):
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0

def cgroup_dir(pid, name):
    """The container's cgroup on the hierarchy uksmtop prefers: v1 memory, else unified."""
    mem = uni = None
    for line in open("/proc/%d/cgroup" % pid):
        hid, ctrl, path = line.rstrip("\n").split(":", 2)
        if "memory" in ctrl.split(","):
            mem = path
        elif hid == "0" and ctrl == "":
            uni = path
    mounts = {}
    for line in open("/proc/self/mountinfo"):
        f = line.split()
        i = f.index("-")
        fstype, opts = f[i + 1], f[i + 3].split(",")
        if fstype == "cgroup2":
            mounts.setdefault("uni", f[4])
        elif fstype == "cgroup" and "memory" in opts:
            mounts.setdefault("mem", f[4])
    base, path = (mounts["mem"], mem) if mem and "mem" in mounts else (mounts["uni"], uni)
    parts = path.split("/")
    anchor = "lxc.payload." + name
    if anchor in parts:
        parts = parts[:parts.index(anchor) + 1]
    return base + "/".join(parts)

def cgroup_pids(d):
    pids = set()
    for root, _dirs, files in os.walk(d):
        if "cgroup.procs" in files:
            with open(os.path.join(root, "cgroup.procs")) as f:
                pids.update(int(x) for x in f.read().split())
    return pids

def within(a, b, frac):
    return a is not None and b > 0 and abs(a - b) <= frac * b

out = os.path.join(tmp, "listing.json")
with open(out, "w") as f:
    rc = subprocess.call([uksmtop, "-b", "-o", "json", "-n", "1", "-d", "1"], stdout=f)
# Read /proc now, before anything moves.
truth = {}
for g in guests:
    try:
        pid = int(open("/run/libvirt/qemu/%s.pid" % g).read())
    except (OSError, ValueError):
        pid = 0
    truth[g] = (pid, {pid}, vmrss_kb(pid) if pid else 0)
for c in containers:
    pid = int(subprocess.run(["lxc-info", "-pH", "-n", c], capture_output=True, text=True).stdout.strip() or 0)
    pids = cgroup_pids(cgroup_dir(pid, c)) if pid else set()
    truth[c] = (pid, pids, sum(vmrss_kb(p) for p in pids))

say(rc == 0, "uksmtop -b -o json -n 1 exits 0 (got %d)" % rc)
lines = [l for l in open(out) if l.strip()]
say(len(lines) == 1, "one JSON line")
rows = {i["name"]: i for i in json.loads(lines[-1])["instances"]} if lines else {}

for name in guests + containers:
    r = rows.get(name)
    kind = "kvm" if name in guests else "lxc"
    if r is None:
        say(False, "%s listed" % name)
        continue
    pid, pids, rss = truth[name]
    say(r.get("type") == kind, "%s type %s (got %s)" % (name, kind, r.get("type")))
    say(r.get("state") == "running", "%s state running (got %s)" % (name, r.get("state")))
    say(pid > 0 and r.get("pid") == pid, "%s pid %d (got %s)" % (name, pid, r.get("pid")))
    say(within(r.get("rss_kb"), rss, 0.05),
        "%s rss_kb %s within 5%% of VmRSS sum %d over %d process(es)" % (name, r.get("rss_kb"), rss, len(pids)))
    if kind == "kvm":
        say(r.get("domain_type") == "qemu", "%s domain_type qemu (got %s)" % (name, r.get("domain_type")))
        say(r.get("vcpus") == 1, "%s vcpus 1 (got %s)" % (name, r.get("vcpus")))
        say(r.get("mem_cfg_kb") == 131072, "%s mem_cfg_kb 131072 (got %s)" % (name, r.get("mem_cfg_kb")))
    else:
        say(r.get("nproc") == len(pids), "%s nproc %d = its cgroup's processes (got %s)" % (name, len(pids), r.get("nproc")))
        cg = r.get("cgroup_mem_kb")
        say(isinstance(cg, int) and cg > 0, "%s cgroup_mem_kb known (got %s)" % (name, cg))
EOF
verdicts "$it_tmp/listing.tap"

# KSM: merge fast, wait for the guests' ksm_kb, then compare the sum with KSM's own count.
if [ ! -w "$KSM/run" ]; then
	not_ok "KSM is writable at $KSM/run"
	done_testing
fi
ksm_save
echo 5000 >"$KSM/pages_to_scan"
echo 10 >"$KSM/sleep_millisecs"
echo 1 >"$KSM/run"

python3 - "$UKSMTOP" "$it_tmp" "$(getconf PAGESIZE)" $GUESTS <<'EOF' >"$it_tmp/ksm.tap"
import json, os, subprocess, sys, time

uksmtop, tmp, page = sys.argv[1], sys.argv[2], int(sys.argv[3])
guests = sys.argv[4:]

def say(good, desc):
    print(("ok " if good else "not_ok ") + desc)

def sample():
    out = os.path.join(tmp, "ksm.json")
    with open(out, "w") as f:
        subprocess.call([uksmtop, "-b", "-o", "json", "-n", "1", "-d", "1"], stdout=f)
    lines = [l for l in open(out) if l.strip()]
    return json.loads(lines[-1]) if lines else None

def guest_ksm(d):
    rows = {i["name"]: i for i in d["instances"]}
    return [rows.get(g, {}).get("ksm_kb") for g in guests]

t0 = time.time()
d, merged = None, False
while time.time() - t0 < 120:
    d = sample()
    if d and all(isinstance(k, int) and k > 0 for k in guest_ksm(d)):
        merged = True
        break
    time.sleep(1)
say(merged, "every guest's ksm_kb > 0 within 120 s (after %.1f s: %s)"
    % (time.time() - t0, guest_ksm(d) if d else "no sample"))

# Let KSM finish two more passes so the count is settled, then compare one sample.
start = d["dedup"]["full_scans"] if d else 0
t1 = time.time()
while d and time.time() - t1 < 60 and d["dedup"]["full_scans"] < start + 2:
    time.sleep(0.5)
    d = sample()
if d:
    inst_kb = sum(i["ksm_kb"] for i in d["instances"] if isinstance(i.get("ksm_kb"), int))
    ded = d["dedup"]
    ksm_kb = (ded["pages_shared"] + ded["pages_sharing"]) * page // 1024
    # Anything else merged on the host would break the premise; say so.
    mine = {i["pid"] for i in d["instances"] if i.get("pid")}
    other = 0
    for p in os.listdir("/proc"):
        if p.isdigit() and int(p) not in mine:
            try:
                for line in open("/proc/%s/ksm_stat" % p):
                    if line.startswith("ksm_merging_pages"):
                        other += int(line.split()[1])
            except (OSError, ValueError):
                pass
    if other:
        print("# other processes hold %d merged pages" % other)
    say(ksm_kb > 0 and abs(inst_kb - ksm_kb) <= 0.10 * ksm_kb,
        "sum of ksm_kb %d within 10%% of (pages_shared + pages_sharing) x page = %d kB (full_scans %d)"
        % (inst_kb, ksm_kb, ded["full_scans"]))
else:
    say(False, "a sample to compare")
EOF
verdicts "$it_tmp/ksm.tap"
done_testing

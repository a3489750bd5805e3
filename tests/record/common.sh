# common.sh - what the recording tests share (sourced): a temporary directory, and Python checks of recordings and plots.
. "$top_srcdir/tests/lib.sh"

[ -x "$UKSMTOP" ] || skip "no uksmtop binary at $UKSMTOP"
command -v python3 >/dev/null 2>&1 || skip "python3 not found (package: python3)"

rt_tmp=$(mktemp -d "${TMPDIR:-/tmp}/uksmtop-record.XXXXXX")
chmod 755 "$rt_tmp"
# Baselines, results and any default config stay in here.
export HOME="$rt_tmp" XDG_STATE_HOME="$rt_tmp/state" XDG_CONFIG_HOME="$rt_tmp/config"

# sample_lines FILE: the sample lines of a recording or of -o json output, without "rec".
sample_lines() {
	python3 - "$1" <<'EOF'
import gzip, json, sys
path = sys.argv[1]
op = gzip.open if open(path, "rb").read(2) == b"\x1f\x8b" else open
for line in op(path, "rt"):
    if line.startswith('{"time"'):
        d = json.loads(line)
        d.pop("rec", None)
        print(json.dumps(d, sort_keys=True))
EOF
}

# rec_kinds FILE: how many lines of each kind (header, sample, boot, phase, summary, other), one "kind n" a line.
rec_kinds() {
	python3 - "$1" <<'EOF'
import gzip, json, sys
path = sys.argv[1]
op = gzip.open if open(path, "rb").read(2) == b"\x1f\x8b" else open
n = {}
for line in op(path, "rt"):
    d = json.loads(line)
    k = next(iter(d))
    k = {"uksmtop_recording": "header", "time": "sample"}.get(k, k)
    n[k] = n.get(k, 0) + 1
for k in sorted(n):
    print(k, n[k])
EOF
}

# kind_count FILE KIND: lines of that kind.
kind_count() { rec_kinds "$1" | sed -n "s/^$2 //p" | grep . || echo 0; }

# svg_series FILE: the series gnuplot drew (a plot group with a path or text in it), one title a line.
svg_series() {
	python3 - "$1" <<'EOF'
import re, sys
import xml.etree.ElementTree as ET
ns = "{http://www.w3.org/2000/svg}"
root = ET.parse(sys.argv[1]).getroot()
seen = {}
for g in root.iter(ns + "g"):
    gid = g.get("id", "")
    if not re.fullmatch(r"gnuplot_plot_\d+[a-z]?", gid):
        continue
    drawn = any(e.tag in (ns + "path", ns + "text") for e in g.iter())
    texts = [t.text for t in g.iter(ns + "text") if t.text and t.text.strip()]
    if drawn:
        seen.setdefault(gid, set()).update(texts)
for gid in sorted(seen):
    print(gid, "|".join(sorted(seen[gid])))
EOF
}

# png_ok FILE: the PNG magic bytes.
png_ok() { [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]; }

rt_cleanup() { rm -rf "$rt_tmp"; }
trap rt_cleanup EXIT
trap 'exit 1' INT TERM HUP

#!/bin/sh
# cli.sh - -w, -r, --plot and --experiment without root: the options' refusals, a recording of a uKSM fixture replayed in every format, damage, plots.
. "$top_srcdir/tests/record/common.sh"

FIX="--sysfs-root $top_srcdir/tests/fixtures/sysfs-uksm --no-libvirt --no-lxc"
T=$rt_tmp

# ---- refusals -------------------------------------------------------------------------------

# status EXPECTED DESCRIPTION ARGS...: uksmtop ARGS exits EXPECTED; its stderr is in $T/err.
status() {
	want=$1 desc=$2
	shift 2
	"$UKSMTOP" "$@" >"$T/out" 2>"$T/err"
	got=$?
	[ "$got" = "$want" ] || sed "s/^/# exit $got, stderr: /" "$T/err"
	check "$desc (exit $want)" test "$got" = "$want"
}

status 2 "--plot without -r or --experiment is refused" --plot "$T/p.svg"
check "... saying what it goes with" grep -q -- "--plot goes with -r FILE or --experiment FILE" "$T/err"
status 2 "--plot FILE.pdf is refused" -r "$T/x" --plot "$T/p.pdf"
check "... naming the option and the formats" grep -q -- "invalid value '$T/p.pdf' for --plot (expected a file name ending in .svg or .png)" "$T/err"
status 2 "-r with --boot-storm is refused" -r "$T/x" --boot-storm 2 --template demo-lxc
check "... saying why" grep -q -- "-r (a replay) excludes --boot-storm" "$T/err"
status 2 "-r with --dedup is refused" -r "$T/x" --dedup on
status 2 "--experiment with --cleanup is refused" --experiment "$T/x.ini" --cleanup
status 2 "-w with an empty file name is refused" -b -n 1 -w ""
status 1 "-w FILE in a missing directory: exit 1" $FIX -b -n 1 -w "$T/no/such/dir/r.jsonl"
check "... with a message naming the file and why" \
	grep -q -- "--write: $T/no/such/dir/r.jsonl: cannot open for writing: No such file or directory" "$T/err"
check "... before any sample is written" test ! -s "$T/out"
status 1 "-r of a missing file: exit 1" -r "$T/absent.jsonl" -b
check "... naming it" grep -q -- "--read: $T/absent.jsonl: cannot open: No such file or directory" "$T/err"
echo '{"time":"2026-01-01T00:00:00.000Z"}' >"$T/plain.json"
status 1 "-r of a JSON file that is no recording: exit 1" -r "$T/plain.json" -b
check "... saying so" grep -q "not a uksmtop recording" "$T/err"

# A bad experiment file: the message names file, section and key; nothing runs.
cat >"$T/bad.ini" <<EOF
[experiment]
template = demo-lxc
n = 2
[phase off]
dedup = off
duration = soon
EOF
status 2 "a bad experiment file is refused" --experiment "$T/bad.ini"
check "... naming file, section, key and value" \
	grep -q -- "--experiment: $T/bad.ini: \[phase off\] duration = 'soon': expected seconds, 0 to 86400" "$T/err"

# ---- a recording of the uKSM fixture, replayed ----------------------------------------------

for rec in r.jsonl r.jsonl.gz; do
	"$UKSMTOP" $FIX -b -n 4 -d 0.1 -o json -w "$T/$rec" >"$T/$rec.live" 2>"$T/err"
	check "$rec: recording 4 samples exits 0" test $? = 0
	check "$rec: the first line is the header" \
		sh -c "python3 -c 'import gzip,json,sys; p=sys.argv[1]; o=gzip.open if p.endswith(\".gz\") else open; h=json.loads(o(p,\"rt\").readline()); sys.exit(0 if h[\"uksmtop_recording\"]==1 and h[\"backend\"]==\"uksm\" and h[\"delay_s\"]==0.1 else 1)' '$T/$rec'"
	check "$rec: 4 samples recorded" test "$(kind_count "$T/$rec" sample)" = 4
	"$UKSMTOP" -r "$T/$rec" -b -o json >"$T/$rec.replay" 2>"$T/err"
	check "$rec: -r -b -o json exits 0" test $? = 0
	check "$rec: -r -b -o json prints what -o json printed live, byte for byte" cmp -s "$T/$rec.live" "$T/$rec.replay"
	a=$(sample_lines "$T/$rec" | md5sum) b=$(sample_lines "$T/$rec.live" | md5sum)
	check "$rec: the recorded samples are the -o json samples plus \"rec\"" test "$a" = "$b"
done
check "r.jsonl.gz is gzip on disk" test "$(head -c 2 "$T/r.jsonl.gz" | od -An -tx1 | tr -d ' \n')" = 1f8b

# The other formats: a replay converts to what the live run printed (the clock aside).
"$UKSMTOP" $FIX -b -n 3 -d 0.1 -o csv -w "$T/c.jsonl" >"$T/live.csv" 2>/dev/null
"$UKSMTOP" -r "$T/c.jsonl" -b -o csv >"$T/replay.csv"
check "-r -b -o csv prints what -o csv printed live" cmp -s "$T/live.csv" "$T/replay.csv"
"$UKSMTOP" $FIX -b -n 3 -d 0.1 -o text -w "$T/t.jsonl" >"$T/live.txt" 2>/dev/null
"$UKSMTOP" -r "$T/t.jsonl" -b -o text >"$T/replay.txt"
check "-r -b -o text prints what -o text printed live" cmp -s "$T/live.txt" "$T/replay.txt"
"$UKSMTOP" -r "$T/t.jsonl" -b -o csv -n 2 >"$T/two.csv"
check "-r -n 2 converts two samples" test "$(grep -c '^host,' "$T/two.csv")" = 2
# -r FILE -w COPY.gz: a compressed copy that replays the same.
"$UKSMTOP" -r "$T/r.jsonl" -b -o json -w "$T/copy.jsonl.gz" >/dev/null
"$UKSMTOP" -r "$T/copy.jsonl.gz" -b -o json >"$T/copy.json"
check "-r -w COPY.gz: the copy replays the same" cmp -s "$T/r.jsonl.replay" "$T/copy.json"
cp "$T/r.jsonl" "$T/self.jsonl"
status 1 "-r FILE -w FILE (the same file) is refused" -r "$T/self.jsonl" -b -w "$T/self.jsonl"
check "... and FILE is left whole" cmp -s "$T/r.jsonl" "$T/self.jsonl"

# ---- damage ----------------------------------------------------------------------------------

# Cut the plain recording inside its 4th line (the 3rd sample): 2 samples replay, then where it stopped.
off=$(head -n 3 "$T/r.jsonl" | wc -c)
head -c $((off + 50)) "$T/r.jsonl" >"$T/cut.jsonl"
"$UKSMTOP" -r "$T/cut.jsonl" -b -o json >"$T/cut.json" 2>"$T/err"
rc=$?
sed 's/^/# /' "$T/err"
check "a cut recording: exit 1" test "$rc" = 1
head -n 2 "$T/r.jsonl.live" >"$T/two.json"
check "... the samples before the cut replay" cmp -s "$T/cut.json" "$T/two.json"
check "... and stderr says where it stopped: line 4, byte $off" \
	grep -q -- "--read: $T/cut.jsonl: line 4 (byte $off): cut short, 50 bytes without an end of line; replayed 2 samples up to there" "$T/err"
# A damaged line in the middle.
sed '3s/^{"time"/{#time"/' "$T/r.jsonl" >"$T/bad.jsonl"
"$UKSMTOP" -r "$T/bad.jsonl" -b -o json >"$T/bad.json" 2>"$T/err"
rc=$?
check "a damaged line: exit 1, one sample before it" sh -c "test $rc = 1 && test \$(wc -l <'$T/bad.json') = 1"
check "... stderr names line 3 and its byte" grep -q "line 3 (byte $(head -n 2 "$T/r.jsonl" | wc -c)): damaged" "$T/err"
# A cut gzip recording: every line flushed before the cut replays, then where it stopped.
size=$(wc -c <"$T/r.jsonl.gz")
head -c $((size - 30)) "$T/r.jsonl.gz" >"$T/cut.jsonl.gz"
"$UKSMTOP" -r "$T/cut.jsonl.gz" -b -o json >"$T/cutgz.json" 2>"$T/err"
rc=$?
sed 's/^/# /' "$T/err"
n=$(wc -l <"$T/cutgz.json")
head -n "$n" "$T/r.jsonl.gz.live" >"$T/first.json"
check "a gzip recording without its last 30 bytes: exit 1, $n of 4 samples replay, the first ones" \
	sh -c "test $rc = 1 && test $n -ge 1 && test $n -lt 4 && cmp -s '$T/cutgz.json' '$T/first.json'"
check "... and stderr says where it stopped" grep -Eq "line [0-9]+ \(byte [0-9]+.*; replayed $n samples up to there" "$T/err"

# ---- plots -----------------------------------------------------------------------------------

if ! command -v gnuplot >/dev/null 2>&1; then
	skip "gnuplot not found (package: gnuplot-nox): the plot checks need it"
fi
"$UKSMTOP" -r "$T/r.jsonl" --plot "$T/fix.svg" >"$T/out" 2>"$T/err"
check "--plot FILE.svg exits 0" test $? = 0
check "... the SVG, its script and its data exist" test -s "$T/fix.svg" -a -s "$T/fix.gp" -a -s "$T/fix-samples.dat"
check "... the SVG is valid XML" python3 -c "import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])" "$T/fix.svg"
svg_series "$T/fix.svg" >"$T/series"
sed 's/^/# series: /' "$T/series"
# The fixture has no daemon thread, so no daemon CPU: that series is left out. Drawn are the
# overhead (the baseline is automatic: no instance runs), pages shared and sharing, the scan rate.
check "... four series drawn" test "$(wc -l <"$T/series")" = 4
for title in overhead "pages shared" "pages sharing (saved)" "scan rate"; do
	check "... '$title' is one" grep -q " $title\$" "$T/series"
done
check "... no boot panel: the recording has no boot storm" sh -c "! grep -q 'Boot storm' '$T/fix.svg'"
"$UKSMTOP" -r "$T/r.jsonl" --plot "$T/fix.png" >/dev/null 2>&1
check "--plot FILE.png writes a PNG" png_ok "$T/fix.png"
# The script runs again by hand, and never through a shell by uksmtop.
check "the script says how to draw it again" grep -q "gnuplot $T/fix.gp" "$T/fix.gp"
# A gzip recording cut anywhere, even where a per-line flush ends, is damage: never a clean end.
"$UKSMTOP" -b -n 12 -d 0.05 --no-libvirt --no-lxc -w "$T/every.jsonl.gz" >/dev/null 2>&1
full=$(wc -c <"$T/every.jsonl.gz")
cuts=0 said=0
for frac in 5 15 25 35 45 55 65 75 85 95; do
	head -c $((full * frac / 100)) "$T/every.jsonl.gz" >"$T/every-cut.gz"
	"$UKSMTOP" -r "$T/every-cut.gz" -b -o json >/dev/null 2>"$T/every.err"
	[ $? = 1 ] && cuts=$((cuts + 1))
	grep -q "cut short" "$T/every.err" && said=$((said + 1))
done
check "a gzip recording cut at 10 places: exit 1 every time ($cuts of 10)" test "$cuts" = 10
check "a gzip recording cut at 10 places: says it was cut short every time ($said of 10)" test "$said" = 10

done_testing

#!/bin/sh
# fuzz.sh - builds every libFuzzer target with clang and runs each on a copy of its seed corpus.
# FUZZ_SECONDS (default 60) is shared among the targets, each at least 5 s;
# FUZZ_TARGETS="fuzz_sysfs fuzz_cli" runs only those.
. "$top_srcdir/tests/lib.sh"

fz=$top_srcdir/tests/fuzz
seconds=${FUZZ_SECONDS:-60}

# target:sources it needs (only those, so no target pulls in libvirt or liblxc).
targets="
fuzz_sysfs:backends/sysfs.c
fuzz_dedup:backends/dedup.c,backends/sysfs.c,backends/uksm.c,backends/ksm.c
fuzz_procfs:backends/procfs.c
fuzz_util:core/util.c,core/baseline.c
fuzz_config:core/config.c,core/template.c,core/util.c,core/sample.c
fuzz_cli:core/cli.c,core/config.c,core/template.c,core/util.c,core/sample.c,backends/dedup.c,backends/sysfs.c,backends/uksm.c,backends/ksm.c
fuzz_cgroup:backends/inst.c
fuzz_theme:tui/theme.c,core/util.c
fuzz_replay:core/replay.c,core/record.c,core/json.c,core/output.c,core/sample.c,core/util.c,@libuksmtop.a
"

if [ -n "${FUZZ_TARGETS:-}" ]; then
	chosen=
	for line in $targets; do
		case " $FUZZ_TARGETS " in *" ${line%%:*} "*) chosen="$chosen $line" ;; esac
	done
	targets=$chosen
fi

cc=${FUZZ_CC:-}
if [ -z "$cc" ]; then
	for c in clang clang-14; do
		command -v "$c" >/dev/null 2>&1 && { cc=$c; break; }
	done
fi
[ -n "$cc" ] || skip "clang is not installed (Debian: clang libclang-rt-14-dev)"

work=$(mktemp -d "${TMPDIR:-/tmp}/uksmtop-fuzz.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
trap 'exit 1' INT TERM
# The targets make their scratch files under TMPDIR: ours, removed at the end.
TMPDIR=$work
# A UBSan report names the whole call chain, not just the line.
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
export TMPDIR UBSAN_OPTIONS

fuzz_flags="-std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -Wall -Wextra"
# The harness is held to the project's warnings; the parsers' own files are
# built by gcc with -Werror elsewhere, and a clang-only warning shows in the log.
harness_flags="-Werror -Wshadow -Wformat=2 -Wno-missing-field-initializers"
fuzz_cppflags="-include $top_builddir/autoconf.h -I$top_srcdir -I$top_srcdir/core -I$top_srcdir/backends -I/usr/include/iniparser"
proc2_cflags=$(pkg-config --cflags libproc2 2>/dev/null)
proc2_libs=$(pkg-config --libs libproc2 2>/dev/null) || proc2_libs=-lproc2
# What the project's library needs when a target links it (only fuzz_replay does).
extra_libs=$(pkg-config --libs libvirt lxc 2>/dev/null) || extra_libs=
extra_libs="$extra_libs -lpthread"

# Without the compiler-rt fuzzer runtime clang cannot link any target.
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' >"$work/probe.c"
"$cc" -fsanitize=fuzzer,address,undefined -o "$work/probe" "$work/probe.c" >"$work/probe.log" 2>&1 ||
	skip "$cc cannot link -fsanitize=fuzzer (Debian: libclang-rt-14-dev): $(head -1 "$work/probe.log")"

# build NAME SOURCES: compile the target, then link it with the project sources it needs.
build() {
	srcs=
	# "@FILE" is a file of the build tree: the project's library, whose members
	# resolve what the instrumented sources leave undefined (boot results for replay).
	for s in $(echo "$2" | tr , ' '); do
		case $s in
		@*) srcs="$srcs $top_builddir/${s#@}" ;;
		*) srcs="$srcs $top_srcdir/$s" ;;
		esac
	done
	# shellcheck disable=SC2086 # the flag lists are meant to split
	"$cc" $fuzz_flags $harness_flags $fuzz_cppflags -c -o "$work/$1.o" "$fz/$1.c" \
		>"$work/$1.build.log" 2>&1 &&
	"$cc" $fuzz_flags $fuzz_cppflags $proc2_cflags -o "$work/$1" "$work/$1.o" $srcs \
		-liniparser $proc2_libs $extra_libs -lz -lm >>"$work/$1.build.log" 2>&1
}

# run NAME PER-SECONDS: fuzz a copy of the seed corpus; crashes land in the build dir.
run() {
	corpus=$work/corpus-$1
	mkdir -p "$corpus" "$top_builddir/tests/fuzz"
	[ -d "$fz/corpus/$1" ] && cp -R "$fz/corpus/$1/." "$corpus/"
	chmod -R u+w "$corpus" # distcheck's source tree is read-only
	extra=
	# cli_parse prints every refusal on stderr; libFuzzer keeps its own output.
	[ "$1" = fuzz_cli ] && extra=-close_fd_mask=3
	# shellcheck disable=SC2086
	"$work/$1" -max_total_time="$2" -max_len=4096 -timeout=5 -print_final_stats=1 \
		-artifact_prefix="$top_builddir/tests/fuzz/$1-" $extra "$corpus" >"$work/$1.log" 2>&1
}

ntargets=0
for line in $targets; do ntargets=$((ntargets + 1)); done
[ "$ntargets" -gt 0 ] || skip "no fuzz target named in FUZZ_TARGETS='${FUZZ_TARGETS:-}'"
per=$(( (seconds + ntargets - 1) / ntargets ))
[ "$per" -lt 5 ] && per=5
echo "fuzzing $ntargets targets with $cc, $per s each"

total_runs=0 total_secs=0
for line in $targets; do
	name=${line%%:*}
	if ! build "$name" "${line#*:}"; then
		not_ok "$name: build failed"
		sed 's/^/# /' "$work/$name.build.log" | head -40 >&2
		continue
	fi
	[ -s "$work/$name.build.log" ] && sed 's/^/# /' "$work/$name.build.log" | head -20
	run "$name" "$per"
	rc=$?
	runs=$(sed -n 's/^Done \([0-9][0-9]*\) runs in \([0-9][0-9]*\) second.*/\1/p' "$work/$name.log" | tail -1)
	secs=$(sed -n 's/^Done \([0-9][0-9]*\) runs in \([0-9][0-9]*\) second.*/\2/p' "$work/$name.log" | tail -1)
	# A run that stopped early has no "Done" line, only the final stats.
	[ -n "$runs" ] || runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$name.log" | tail -1)
	total_runs=$((total_runs + ${runs:-0}))
	total_secs=$((total_secs + ${secs:-0}))
	if [ "$rc" = 0 ] && [ -n "$secs" ]; then
		ok "$name: $runs runs in $secs s"
	else
		not_ok "$name: exit $rc after ${runs:-?} runs (input saved as $top_builddir/tests/fuzz/$name-*)"
		grep -av '^#[0-9]' "$work/$name.log" | tail -60 | sed 's/^/# /' >&2
	fi
done

(done_testing)
rc=$?
echo "fuzz total: $total_runs executions in $total_secs s"
exit $rc

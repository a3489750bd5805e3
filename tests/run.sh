#!/bin/sh
# run.sh - the whole test suite: a sanitizer build running the unit tests, the normal
# build running everything (unit, integration, view), and make distcheck.
# Run from a fresh checkout as root; prints "N passed, N failed, N skipped" last.
set -u
cd "$(dirname "$0")/.." || exit 1
src=$(pwd)
jobs=$(nproc 2>/dev/null || echo 2)
log=$src/_build/logs
[ -x configure ] || ./autogen.sh >/dev/null || { echo "autogen.sh failed"; exit 1; }
# Out-of-tree builds need a source tree that was not configured in place.
[ -f config.status ] && make distclean >/dev/null 2>&1
rm -rf _build
mkdir -p "$log" _build/asan _build/main

passed=0 failed=0 skipped=0
tally() { # tally BUILD-DIR: add the automake test-suite counts
	for f in $(find "$1" -name test-suite.log); do
		p=$(sed -n 's/^# PASS: *//p' "$f"); x=$(sed -n 's/^# FAIL: *//p' "$f")
		e=$(sed -n 's/^# ERROR: *//p' "$f"); s=$(sed -n 's/^# SKIP: *//p' "$f")
		passed=$((passed + ${p:-0})); failed=$((failed + ${x:-0} + ${e:-0})); skipped=$((skipped + ${s:-0}))
	done
}
step() { # step NAME COMMAND...: a build step; its failure counts as one failed test
	echo "== $1"
	name=$1; shift
	if ! "$@" >"$log/$name.log" 2>&1; then
		echo "FAIL: $name (see $log/$name.log)"; tail -40 "$log/$name.log"
		failed=$((failed + 1))
		return 1
	fi
}

# 1. AddressSanitizer + UndefinedBehaviorSanitizer build, unit tests.
if step asan-build sh -c "cd _build/asan && ../../configure --enable-werror --enable-sanitizers && make -j$jobs"; then
	step asan-check sh -c "cd _build/asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 make -j$jobs check-unit"
	tally _build/asan
fi

# 2. The normal build with warnings as errors: every test.
if step build sh -c "cd _build/main && ../../configure --enable-werror && make -j$jobs"; then
	step check sh -c "cd _build/main && make check"
	grep -h '^\(PASS\|FAIL\|SKIP\|ERROR\):' $(find _build/main -name '*.log' ! -name test-suite.log) 2>/dev/null | sort
	tally _build/main
	# 3. The tarball builds and passes its unit tests on its own.
	step distcheck sh -c "cd _build/main && make distcheck DISTCHECK_CONFIGURE_FLAGS=--enable-werror TESTS='\$(UNIT_TESTS)'" &&
		passed=$((passed + 1))
fi

for f in $(find _build -name test-suite.log); do
	grep -q '^# \(FAIL\|ERROR\): *[1-9]' "$f" && { echo "== failures in $f"; sed -n '/^FAIL\|^ERROR/,/^\(PASS\|FAIL\|SKIP\|ERROR\) /p' "$f" | tail -80; }
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]

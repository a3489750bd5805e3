# lib.sh - shared helpers for the shell tests (sourced). Exit 0 pass, 1 fail, 77 skip.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${UKSMTOP:=$top_builddir/uksmtop}"

t_failed=0
t_count=0

# skip REASON: a skip on a developer's machine, a failure under CI=true.
skip() {
	if [ "${CI:-}" = "true" ]; then
		echo "FAIL (skip not allowed under CI): $*" >&2
		exit 1
	fi
	echo "SKIP: $*" >&2
	exit 77
}

need_root() { [ "$(id -u)" = 0 ] || skip "needs root"; }

ok() { t_count=$((t_count + 1)); echo "ok - $*"; }
not_ok() { t_count=$((t_count + 1)); t_failed=$((t_failed + 1)); echo "not ok - $*" >&2; }

# check DESCRIPTION COMMAND...: run the command; ok when it exits 0.
check() {
	desc=$1; shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

# verdicts FILE: lines "ok DESC" / "not_ok DESC" (from a Python check) become
# checks; other lines are printed as they are.
verdicts() {
	while IFS= read -r line; do
		case $line in
		"ok "*) ok "${line#ok }" ;;
		"not_ok "*) not_ok "${line#not_ok }" ;;
		*) echo "$line" ;;
		esac
	done <"$1"
}

done_testing() {
	echo "$t_count checks, $t_failed failed"
	[ "$t_failed" = 0 ]
	exit $?
}

# wait_for SECONDS COMMAND...: poll every 0.2 s until the command succeeds.
wait_for() {
	limit=$1; shift
	end=$(( $(date +%s) + limit ))
	while [ "$(date +%s)" -lt "$end" ]; do
		"$@" && return 0
		sleep 0.2
	done
	"$@"
}

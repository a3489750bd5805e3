# docs.sh - README.md, the man page and --help must tell the same story as the code,
# and README's install line must be the one CI runs.
. "$top_srcdir/tests/lib.sh"

readme="$top_srcdir/README.md" man="$top_srcdir/uksmtop.1" ci="$top_srcdir/.ci/run"
help=$("$UKSMTOP" --help)

for opt in $(printf '%s\n' "$help" | grep -o -e '--[a-z][a-z-]*' | sort -u); do
	check "README.md documents $opt" grep -q -e "$opt" "$readme"
	check "uksmtop.1 documents $opt" grep -q -e "$(printf '%s' "$opt" | sed 's/-/\\\\-/g')" "$man"
done
for opt in $(sed 's/\\f[BIRP]//g' "$man" | grep -o -e '\\-\\-[a-z][a-z\\-]*' | sed 's/\\//g' | sort -u); do
	check "--help knows $opt, which uksmtop.1 names" sh -c "printf '%s\n' \"\$1\" | grep -q -e \"\$2\"" _ "$help" "$opt"
done

# Every config key the sample config sets is in README.md and the man page.
for key in $(sed -n 's/^;* *\([a-z_]*\) = .*/\1/p' "$top_srcdir/uksmtop.ini.sample" | sort -u); do
	check "README.md documents config key $key" grep -q -e "\`$key\`" "$readme"
	check "uksmtop.1 documents config key $key" grep -q -e "fB$key\\\\fR" "$man"
done

# The install line of the quick start is the one .ci/run runs.
pkgs() { grep -o 'apt-get install [^&|>]*' "$1" | head -1 | tr ' ' '\n' | grep -v '^-' | grep -v '^$' | sort | tr '\n' ' '; }
check "README.md and .ci/run install the same packages" test "$(pkgs "$readme")" = "$(pkgs "$ci")"
check ".ci/run runs README's test command" sh -c "grep -q 'tests/run.sh' '$readme' && grep -q 'tests/run.sh' '$ci'"

done_testing

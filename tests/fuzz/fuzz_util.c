/* fuzz_util.c - libFuzzer target for the strict number and bool parsers (core/util.c) and baseline_parse. */
#include <math.h>

#include "core/baseline.h"
#include "core/util.h"
#include "core/value.h"
#include "tests/fuzz/fuzz.h"

static int fuzz_double(const char *s, double *v)
{
	double untouched = -12345.678;
	*v = untouched;
	int rc = util_parse_double(s, v);
	FUZZ_CHECK(rc == 0 || rc == -1);
	if (rc < 0)
		FUZZ_CHECK(*v == untouched);
	else
		FUZZ_CHECK(isfinite(*v));
	return rc;
}

static int fuzz_long(const char *s, long *v)
{
	long untouched = 0x5a5a5a5aL;
	*v = untouched;
	int rc = util_parse_long(s, v);
	FUZZ_CHECK(rc == 0 || rc == -1);
	if (rc < 0)
		FUZZ_CHECK(*v == untouched);
	return rc;
}

/* A whole number that parses as a long reads the same as a double. */
static void fuzz_numbers(const char *s)
{
	double d;
	long l;
	int rd = fuzz_double(s, &d);
	int rl = fuzz_long(s, &l);
	if (rl == 0 && l >= -(1L << 53) && l <= (1L << 53))
		FUZZ_CHECK(rd == 0 && d == (double)l);
}

static void fuzz_bool(const char *s)
{
	int v = 0x5a5a;
	int rc = util_parse_bool(s, &v);
	FUZZ_CHECK(rc == 0 || rc == -1);
	FUZZ_CHECK(rc < 0 ? v == 0x5a5a : (v == 0 || v == 1));
}

/* What baseline_store writes, baseline_parse reads back. */
static void fuzz_baseline(const char *s)
{
	int64_t kb = 0x5a5a5a5a, again = -1;
	int rc = baseline_parse(s, &kb);
	FUZZ_CHECK(rc == 0 || rc == -1);
	if (rc < 0) {
		FUZZ_CHECK(kb == 0x5a5a5a5a);
		return;
	}
	FUZZ_CHECK(kb >= 0 && kb != VAL_NULL);
	char text[128];
	snprintf(text, sizeof(text), "# taken by uksmtop\nbaseline_kb = %lld\n", (long long)kb);
	FUZZ_CHECK(baseline_parse(text, &again) == 0 && again == kb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	fuzz_numbers(s);
	fuzz_bool(s);
	fuzz_baseline(s);
	free(s);
	return 0;
}

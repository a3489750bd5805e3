/* fuzz_sysfs.c - libFuzzer target for the sysfs value parsers of both merging daemons (backends/sysfs.c). */
#include <ctype.h>

#include "backends/dedup.h"
#include "tests/fuzz/fuzz.h"

#define FUZZ_UNTOUCHED ((int64_t)0x5a5a5a5a5a5a5a5aLL)

/* sysfs_parse_i64: out untouched on failure, never the null marker on success. */
static int fuzz_i64(const char *s, int64_t *v)
{
	*v = FUZZ_UNTOUCHED;
	int rc = sysfs_parse_i64(s, v);
	FUZZ_CHECK(rc == 0 || rc == -1);
	if (rc < 0)
		FUZZ_CHECK(*v == FUZZ_UNTOUCHED);
	else
		FUZZ_CHECK(*v != VAL_NULL);
	return rc;
}

/* uksm_parse_pages_scanned: a count, so never negative. */
static int fuzz_scanned(const char *s, int64_t *v)
{
	*v = FUZZ_UNTOUCHED;
	int rc = uksm_parse_pages_scanned(s, v);
	FUZZ_CHECK(rc == 0 || rc == -1);
	if (rc < 0)
		FUZZ_CHECK(*v == FUZZ_UNTOUCHED);
	else
		FUZZ_CHECK(*v >= 0);
	return rc;
}

/* A plain unsigned number must read the same through both parsers. */
static void fuzz_agree(const char *s)
{
	int64_t a, b;
	int ra = fuzz_i64(s, &a);
	int rb = fuzz_scanned(s, &b);
	if (ra == 0 && !strchr(s, '-'))
		FUZZ_CHECK(rb == 0 && a == b);
	if (rb == 0 && !strchr(s, '*'))
		FUZZ_CHECK(ra == 0 && a == b);
}

/* One governor parse into a buffer of exactly outlen bytes (ASan guards its end). */
static int fuzz_governor(const char *s, size_t outlen, char *copy, size_t copylen)
{
	unsigned char *out = malloc(outlen);
	if (!out)
		abort();
	memset(out, 0xa5, outlen);
	int rc = uksm_parse_governor(s, (char *)out, outlen);
	FUZZ_CHECK(rc == 0 || rc == -1);
	if (rc < 0) {
		for (size_t i = 0; i < outlen; i++)
			FUZZ_CHECK(out[i] == 0xa5);
		free(out);
		return rc;
	}
	FUZZ_CHECK(fuzz_terminated((char *)out, outlen));
	size_t len = strlen((char *)out);
	FUZZ_CHECK(len > 0);
	for (size_t i = 0; i < len; i++)
		FUZZ_CHECK(isgraph(out[i]) && out[i] != '[' && out[i] != ']');
	/* The name is the bracketed word of the input. */
	char needle[300];
	snprintf(needle, sizeof(needle), "[%s]", (char *)out);
	FUZZ_CHECK(strstr(s, needle) != NULL);
	snprintf(copy, copylen, "%s", (char *)out);
	free(out);
	return 0;
}

/* Success in a small buffer implies the same name in a larger one. */
static void fuzz_governors(const char *s)
{
	static const size_t lens[] = { 1, 2, 8, 32, 256 };
	char prev[256] = "", cur[256];
	int prev_ok = 0;
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		int ok = fuzz_governor(s, lens[i], cur, sizeof(cur)) == 0;
		if (prev_ok)
			FUZZ_CHECK(ok && strcmp(prev, cur) == 0);
		if (ok)
			memcpy(prev, cur, sizeof(prev));
		prev_ok = ok;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	fuzz_agree(s);
	fuzz_governors(s);
	free(s);
	return 0;
}

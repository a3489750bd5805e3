/* fuzz_procfs.c - libFuzzer target for the smaps_rollup, ksm_stat and stat parsers (backends/procfs.c). */
#include "backends/procfs.h"
#include "tests/fuzz/fuzz.h"

#define FUZZ_UNTOUCHED ((int64_t)0x5a5a5a5a5a5a5a5aLL)

/* Kernel figures in kB: never negative, never the null marker on success. */
static void fuzz_rollup(const char *s)
{
	struct proc_rollup r = { FUZZ_UNTOUCHED, FUZZ_UNTOUCHED };
	int rc = procfs_parse_rollup(s, &r);
	FUZZ_CHECK(rc == 0 || rc == -1);
	if (rc < 0) {
		FUZZ_CHECK(r.pss_kb == FUZZ_UNTOUCHED && r.shared_kb == FUZZ_UNTOUCHED);
		return;
	}
	FUZZ_CHECK(r.pss_kb >= 0 && r.shared_kb >= 0);
	/* The parse found a whole "Pss" key: the text has one. */
	FUZZ_CHECK(strstr(s, "Pss") != NULL);
}

static void fuzz_ksm_stat(const char *s)
{
	int64_t pages = FUZZ_UNTOUCHED;
	int any = 0x5a5a;
	int rc = procfs_parse_ksm_stat(s, &pages, &any);
	FUZZ_CHECK(rc == 0 || rc == -1);
	if (rc < 0) {
		FUZZ_CHECK(pages == FUZZ_UNTOUCHED && any == 0x5a5a);
		return;
	}
	FUZZ_CHECK(pages == VAL_NULL || pages >= 0);
	FUZZ_CHECK(any == -1 || any == 0 || any == 1);
	/* Success means at least one of the two was found. */
	FUZZ_CHECK(val_known(pages) || any >= 0);
}

/* utime + stime: never negative; untouched on failure; a ')' is needed to succeed. */
static void fuzz_stat_ticks(const char *s)
{
	int64_t t = FUZZ_UNTOUCHED;
	int rc = procfs_parse_stat_ticks(s, &t);
	FUZZ_CHECK(rc == 0 || rc == -1);
	if (rc < 0) {
		FUZZ_CHECK(t == FUZZ_UNTOUCHED);
		return;
	}
	FUZZ_CHECK(t >= 0);
	FUZZ_CHECK(strchr(s, ')') != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	fuzz_rollup(s);
	fuzz_ksm_stat(s);
	fuzz_stat_ticks(s);
	free(s);
	return 0;
}

/* fuzz_dedup.c - libFuzzer target for dedup_open/dedup_read over a sysfs tree whose files the input writes. */
#include <stddef.h>

#include "backends/dedup.h"
#include "tests/fuzz/fuzz.h"

/* The input is lines "uksm/NAME=VALUE" or "ksm/NAME=VALUE"; each names an
 * attribute file that then holds VALUE and a newline, as sysfs prints it.
 * Files no line names are absent. */

enum fuzz_kind { FK_I64, FK_SCANNED, FK_GOVERNOR };

struct fuzz_attr {
	const char *dir;  /* "uksm" or "ksm" */
	const char *name;
	size_t off;       /* in struct dedup_figs */
	enum fuzz_kind kind;
};

#define FA(d, n, k) { #d, #n, offsetof(struct dedup_figs, n), k }

/* What each backend reads (backends/uksm.c, backends/ksm.c). */
static const struct fuzz_attr fuzz_attrs[] = {
	FA(uksm, run, FK_I64), FA(uksm, pages_shared, FK_I64), FA(uksm, pages_sharing, FK_I64),
	FA(uksm, pages_unshared, FK_I64), FA(uksm, full_scans, FK_I64),
	FA(uksm, sleep_millisecs, FK_I64), FA(uksm, max_cpu_percentage, FK_I64),
	FA(uksm, pages_scanned, FK_SCANNED), FA(uksm, cpu_governor, FK_GOVERNOR),
	FA(ksm, run, FK_I64), FA(ksm, pages_shared, FK_I64), FA(ksm, pages_sharing, FK_I64),
	FA(ksm, pages_unshared, FK_I64), FA(ksm, pages_volatile, FK_I64),
	FA(ksm, pages_scanned, FK_I64), FA(ksm, full_scans, FK_I64),
	FA(ksm, ksm_zero_pages, FK_I64), FA(ksm, general_profit, FK_I64),
	FA(ksm, pages_to_scan, FK_I64), FA(ksm, sleep_millisecs, FK_I64),
};
#define FUZZ_NATTRS (sizeof(fuzz_attrs) / sizeof(fuzz_attrs[0]))

/* Every int64 field of struct dedup_figs a backend may fill. */
static const size_t fuzz_i64_fields[] = {
	offsetof(struct dedup_figs, run), offsetof(struct dedup_figs, pages_shared),
	offsetof(struct dedup_figs, pages_sharing), offsetof(struct dedup_figs, pages_unshared),
	offsetof(struct dedup_figs, pages_volatile), offsetof(struct dedup_figs, pages_scanned),
	offsetof(struct dedup_figs, full_scans), offsetof(struct dedup_figs, ksm_zero_pages),
	offsetof(struct dedup_figs, general_profit), offsetof(struct dedup_figs, pages_to_scan),
	offsetof(struct dedup_figs, sleep_millisecs), offsetof(struct dedup_figs, max_cpu_percentage),
};

/* Values this short are read whole by every backend buffer. */
#define FUZZ_SHORT 63

struct fuzz_file {
	int present;
	char text[FUZZ_SHORT + 1]; /* value and newline, as a C string; valid when short */
	int is_short;
};

static char fuzz_root[4096];

static void fuzz_path(char *out, size_t len, const char *dir, const char *name)
{
	snprintf(out, len, "%s/kernel/mm/%s%s%s", fuzz_root, dir, name ? "/" : "", name ? name : "");
}

static void fuzz_make_tree(void)
{
	char p[4096];
	snprintf(fuzz_root, sizeof(fuzz_root), "%s/sys", fuzz_tmpdir());
	const char *parts[] = { "", "/kernel", "/kernel/mm" };
	for (size_t i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s%s", fuzz_root, parts[i]);
		if (mkdir(p, 0700) < 0 && errno != EEXIST)
			abort();
	}
	fuzz_path(p, sizeof(p), "uksm", NULL);
	if (mkdir(p, 0700) < 0 && errno != EEXIST)
		abort();
	fuzz_path(p, sizeof(p), "ksm", NULL);
	if (mkdir(p, 0700) < 0 && errno != EEXIST)
		abort();
}

static void fuzz_clear_tree(void)
{
	char p[4096];
	for (size_t i = 0; i < FUZZ_NATTRS; i++) {
		fuzz_path(p, sizeof(p), fuzz_attrs[i].dir, fuzz_attrs[i].name);
		if (unlink(p) < 0 && errno != ENOENT)
			abort();
	}
}

/* The attribute a "dir/name" key names, or -1. */
static int fuzz_find_attr(const char *key, size_t len)
{
	char want[128];
	for (size_t i = 0; i < FUZZ_NATTRS; i++) {
		int n = snprintf(want, sizeof(want), "%s/%s", fuzz_attrs[i].dir, fuzz_attrs[i].name);
		if ((size_t)n == len && memcmp(want, key, len) == 0)
			return (int)i;
	}
	return -1;
}

/* One "key=value" line: write the file and remember what it holds. */
static void fuzz_line(const uint8_t *line, size_t len, struct fuzz_file *files)
{
	const uint8_t *eq = memchr(line, '=', len);
	if (!eq)
		return;
	int a = fuzz_find_attr((const char *)line, (size_t)(eq - line));
	if (a < 0)
		return;
	size_t vlen = len - (size_t)(eq + 1 - line);
	char *text = malloc(vlen + 1);
	if (!text)
		abort();
	memcpy(text, eq + 1, vlen);
	text[vlen] = '\n';
	char p[4096];
	fuzz_path(p, sizeof(p), fuzz_attrs[a].dir, fuzz_attrs[a].name);
	fuzz_write_file(p, text, vlen + 1);
	struct fuzz_file *f = &files[a];
	f->present = 1;
	f->is_short = vlen + 1 <= FUZZ_SHORT;
	if (f->is_short) {
		memcpy(f->text, text, vlen + 1);
		f->text[vlen + 1] = '\0';
	}
	free(text);
}

static void fuzz_write_tree(const uint8_t *data, size_t size, struct fuzz_file *files)
{
	while (size > 0) {
		const uint8_t *nl = memchr(data, '\n', size);
		size_t len = nl ? (size_t)(nl - data) : size;
		fuzz_line(data, len, files);
		size_t step = nl ? len + 1 : len;
		data += step;
		size -= step;
	}
}

static int64_t *fuzz_field(struct dedup_figs *f, size_t off)
{
	return (int64_t *)((char *)f + off);
}

/* The figure a short file must give: its parse, or null when malformed. */
static void fuzz_check_attr(const struct fuzz_attr *a, const struct fuzz_file *file,
			    struct dedup_figs *figs)
{
	if (file->present && !file->is_short)
		return;
	if (a->kind == FK_GOVERNOR) {
		char want[sizeof(figs->cpu_governor)] = "";
		if (file->present && uksm_parse_governor(file->text, want, sizeof(want)) < 0)
			want[0] = '\0';
		FUZZ_CHECK(fuzz_terminated(figs->cpu_governor, sizeof(figs->cpu_governor)));
		FUZZ_CHECK(strcmp(figs->cpu_governor, want) == 0);
		return;
	}
	int64_t want = VAL_NULL;
	if (file->present) {
		int rc = a->kind == FK_SCANNED ? uksm_parse_pages_scanned(file->text, &want)
					       : sysfs_parse_i64(file->text, &want);
		if (rc < 0)
			want = VAL_NULL;
	}
	FUZZ_CHECK(*fuzz_field(figs, a->off) == want);
}

/* Figures of the backend that was not chosen, and of no backend, stay null. */
static void fuzz_check_figs(const char *dir, const struct fuzz_file *files, struct dedup_figs *figs)
{
	int64_t before[sizeof(fuzz_i64_fields) / sizeof(fuzz_i64_fields[0])];
	for (size_t i = 0; i < sizeof(fuzz_i64_fields) / sizeof(fuzz_i64_fields[0]); i++)
		before[i] = *fuzz_field(figs, fuzz_i64_fields[i]);
	int gov_read = 0;
	for (size_t i = 0; i < FUZZ_NATTRS; i++) {
		if (!dir || strcmp(fuzz_attrs[i].dir, dir) != 0)
			continue;
		fuzz_check_attr(&fuzz_attrs[i], &files[i], figs);
		gov_read |= fuzz_attrs[i].kind == FK_GOVERNOR;
		for (size_t j = 0; j < sizeof(fuzz_i64_fields) / sizeof(fuzz_i64_fields[0]); j++)
			if (fuzz_i64_fields[j] == fuzz_attrs[i].off)
				before[j] = VAL_NULL;
	}
	for (size_t j = 0; j < sizeof(fuzz_i64_fields) / sizeof(fuzz_i64_fields[0]); j++)
		FUZZ_CHECK(before[j] == VAL_NULL);
	if (!gov_read)
		FUZZ_CHECK(figs->cpu_governor[0] == '\0');
	if (!val_known(figs->pages_sharing) || figs->pages_sharing < 0)
		FUZZ_CHECK(figs->saved_kb == VAL_NULL);
	FUZZ_CHECK(figs->saved_kb == VAL_NULL || figs->saved_kb >= 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_file files[FUZZ_NATTRS];
	memset(files, 0, sizeof(files));
	if (!fuzz_root[0])
		fuzz_make_tree();
	fuzz_clear_tree();
	fuzz_write_tree(data, size, files);

	/* Detection: uKSM wins when its run file is there, then KSM. */
	int uksm_run = fuzz_find_attr("uksm/run", 8), ksm_run = fuzz_find_attr("ksm/run", 7);
	enum dedup_kind want = files[uksm_run].present ? DEDUP_UKSM
			     : files[ksm_run].present ? DEDUP_KSM : DEDUP_NONE;
	struct dedup_backend b;
	struct dedup_figs figs;
	dedup_open(&b, fuzz_root);
	FUZZ_CHECK(b.ops ? b.ops->kind == want : want == DEDUP_NONE);
	FUZZ_CHECK(dedup_read(&b, &figs) == 0);
	FUZZ_CHECK(figs.backend == want);
	fuzz_check_figs(want == DEDUP_UKSM ? "uksm" : want == DEDUP_KSM ? "ksm" : NULL, files, &figs);
	dedup_close(&b);
	return 0;
}

/* fuzz_cgroup.c - libFuzzer target for the cgroup readers: /proc/PID/cgroup with mountinfo, cgroup.procs, memory files (backends/inst.c). */
#include <limits.h>

#include "backends/cgroup.h"
#include "tests/fuzz/fuzz.h"

/* The input is up to five NUL-separated parts: /proc/PID/cgroup text,
 * /proc/self/mountinfo text, a cgroup.procs file, a memory.current file,
 * and one more anchor for the container's cgroup name. */
enum { FP_CGROUP, FP_MOUNTINFO, FP_PROCS, FP_MEM, FP_ANCHOR, FP_N };

static char fuzz_cg_dir[4096];

static void fuzz_parts(const char *buf, size_t size, const char **part)
{
	size_t i = 0;
	for (int p = 0; p < FP_N; p++) {
		part[p] = i <= size ? buf + i : "";
		if (i <= size)
			i += strlen(buf + i) + 1;
	}
}

static int fuzz_ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);
	return n >= t && strcmp(s + n - t, tail) == 0;
}

static void fuzz_locate(const char *cg, const char *mi, const char *anchor)
{
	const char *anchors[] = { anchor, "lxc.payload.c1", "lxc/c1", NULL };
	struct cgroup_loc loc;
	int rc = cgroup_locate_text(cg, mi, *anchor ? anchors : anchors + 1, &loc);
	FUZZ_CHECK(rc == 0 || rc == -ENOENT || rc == -ENAMETOOLONG);
	if (rc < 0)
		return;
	FUZZ_CHECK(fuzz_terminated(loc.dir, sizeof(loc.dir)));
	FUZZ_CHECK(fuzz_terminated(loc.mem_file, sizeof(loc.mem_file)));
	FUZZ_CHECK(loc.v2 == 0 || loc.v2 == 1);
	FUZZ_CHECK(fuzz_terminated(loc.procs_dir, sizeof(loc.procs_dir)));
	FUZZ_CHECK(fuzz_terminated(loc.freezer_file, sizeof(loc.freezer_file)));
	FUZZ_CHECK(loc.procs_v2 == 0 || loc.procs_v2 == 1);
	FUZZ_CHECK(!loc.v2 || loc.procs_v2);
	FUZZ_CHECK(!loc.freezer_file[0] || fuzz_ends_with(loc.freezer_file, "/freezer.state") ||
		   fuzz_ends_with(loc.freezer_file, "/cgroup.events"));
	if (!loc.mem_file[0])
		return;
	/* The memory file sits in the cgroup's own directory. */
	FUZZ_CHECK(strncmp(loc.mem_file, loc.dir, strlen(loc.dir)) == 0);
	FUZZ_CHECK(fuzz_ends_with(loc.mem_file, loc.v2 ? "/memory.current" : "/memory.usage_in_bytes"));
}

/* A pid set is sorted, without duplicates, of real pids. */
static void fuzz_pids(const char *procs)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/cgroup.procs", fuzz_cg_dir);
	fuzz_write_file(path, procs, strlen(procs));
	pid_t *pids = (pid_t *)1;
	size_t n = 12345;
	int rc = cgroup_read_pids(fuzz_cg_dir, &pids, &n);
	FUZZ_CHECK(rc == 0 || rc == -ENOMEM);
	FUZZ_CHECK((pids == NULL) == (n == 0));
	for (size_t i = 0; i < n; i++)
		FUZZ_CHECK(pids[i] > 0 && (i == 0 || pids[i] > pids[i - 1]));
	free(pids);
}

static void fuzz_mem(const char *text)
{
	struct cgroup_loc loc;
	memset(&loc, 0, sizeof(loc));
	snprintf(loc.dir, sizeof(loc.dir), "%s", fuzz_cg_dir);
	snprintf(loc.mem_file, sizeof(loc.mem_file), "%s/memory.current", fuzz_cg_dir);
	fuzz_write_file(loc.mem_file, text, strlen(text));
	int64_t kb = cgroup_mem_kb(&loc);
	FUZZ_CHECK(kb == VAL_NULL || kb >= 0);
	/* The same text as a freezer's: one of the three words, or unknown. */
	const char *st = cgroup_parse_freezer(text);
	FUZZ_CHECK(!st || strcmp(st, "RUNNING") == 0 || strcmp(st, "FREEZING") == 0 ||
		   strcmp(st, "FROZEN") == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!fuzz_cg_dir[0]) {
		snprintf(fuzz_cg_dir, sizeof(fuzz_cg_dir), "%s/cg", fuzz_tmpdir());
		if (mkdir(fuzz_cg_dir, 0700) < 0 && errno != EEXIST)
			abort();
	}
	char *buf = fuzz_cstr(data, size);
	const char *part[FP_N];
	fuzz_parts(buf, size, part);
	fuzz_locate(part[FP_CGROUP], part[FP_MOUNTINFO], part[FP_ANCHOR]);
	fuzz_pids(part[FP_PROCS]);
	fuzz_mem(part[FP_MEM]);
	free(buf);
	return 0;
}

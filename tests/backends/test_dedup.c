/* test_dedup.c - merging-daemon detection, sampling and switching against fixture sysfs trees. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backends/dedup.h"
#include "tests/check.h"

static int64_t page_kb;

static void fixture(char *out, size_t outlen, const char *name)
{
	const char *top = getenv("top_srcdir");
	snprintf(out, outlen, "%s/tests/fixtures/%s", top && *top ? top : ".", name);
}

/* dedup_open on tests/fixtures/NAME. */
static void open_fixture(struct dedup_backend *b, const char *name)
{
	char root[PATH_MAX];
	fixture(root, sizeof(root), name);
	dedup_open(b, root);
}

static int ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), m = strlen(tail);
	return n >= m && strcmp(s + n - m, tail) == 0;
}

static void test_detect(void)
{
	struct dedup_backend b;

	open_fixture(&b, "sysfs-uksm");
	CHECK(b.ops == &dedup_uksm_ops);
	CHECK(b.dirfd >= 0);
	CHECK(ends_with(b.path, "/sysfs-uksm/kernel/mm/uksm"));
	dedup_close(&b);
	CHECK(b.ops == NULL);
	CHECK_I64(b.dirfd, -1);

	open_fixture(&b, "sysfs-ksm");
	CHECK(b.ops == &dedup_ksm_ops);
	CHECK(ends_with(b.path, "/sysfs-ksm/kernel/mm/ksm"));
	dedup_close(&b);

	/* uKSM is looked for first */
	open_fixture(&b, "sysfs-both");
	CHECK(b.ops == &dedup_uksm_ops);
	CHECK(ends_with(b.path, "/kernel/mm/uksm"));
	dedup_close(&b);

	open_fixture(&b, "sysfs-none");
	CHECK(b.ops == NULL);
	CHECK_I64(b.dirfd, -1);
	CHECK_STR(b.path, "");
	dedup_close(&b);

	open_fixture(&b, "no-such-fixture");
	CHECK(b.ops == NULL);
	dedup_close(&b);

	/* NULL means the real /sys: this kernel's own daemon, if any */
	dedup_open(&b, NULL);
	if (access("/sys/kernel/mm/uksm/run", F_OK) == 0)
		CHECK(b.ops == &dedup_uksm_ops);
	else if (access("/sys/kernel/mm/ksm/run", F_OK) == 0)
		CHECK(b.ops == &dedup_ksm_ops);
	else
		CHECK(b.ops == NULL);
	dedup_close(&b);

	CHECK_STR(dedup_ksm_ops.name, "ksm");
	CHECK_STR(dedup_ksm_ops.thread_name, "ksmd");
	CHECK_STR(dedup_uksm_ops.name, "uksm");
	CHECK_STR(dedup_uksm_ops.thread_name, "uksmd");
	CHECK_I64(dedup_uksm_ops.kind, DEDUP_UKSM);
	CHECK_I64(dedup_ksm_ops.kind, DEDUP_KSM);
}

/* Read a fixture; the daemon-thread and rate fields are always the sampler's. */
static int read_fixture(const char *name, struct dedup_figs *f)
{
	struct dedup_backend b;
	memset(f, 0x55, sizeof(*f));
	open_fixture(&b, name);
	int rc = dedup_read(&b, f);
	dedup_close(&b);
	CHECK_I64(f->thread_pid, 0);
	CHECK_I64(f->thread_ticks, VAL_NULL);
	CHECK(isnan(f->scan_rate_pps));
	CHECK(isnan(f->cpu_pct));
	return rc;
}

static void check_ksm_only_null(const struct dedup_figs *f)
{
	CHECK_I64(f->pages_volatile, VAL_NULL);
	CHECK_I64(f->ksm_zero_pages, VAL_NULL);
	CHECK_I64(f->general_profit, VAL_NULL);
	CHECK_I64(f->pages_to_scan, VAL_NULL);
}

static void test_read_uksm(void)
{
	struct dedup_figs f;
	CHECK_I64(read_fixture("sysfs-uksm", &f), 0);
	CHECK_I64(f.backend, DEDUP_UKSM);
	CHECK_I64(f.run, 1);
	CHECK_I64(f.pages_shared, 20486);
	CHECK_I64(f.pages_sharing, 187342);
	CHECK_I64(f.pages_unshared, 512906);
	CHECK_I64(f.pages_scanned, 91827364);
	CHECK_I64(f.full_scans, 37);
	CHECK_I64(f.sleep_millisecs, 100);
	CHECK_I64(f.max_cpu_percentage, 50);
	CHECK_STR(f.cpu_governor, "medium");
	CHECK_I64(f.saved_kb, 187342 * page_kb);
	check_ksm_only_null(&f);

	CHECK_I64(read_fixture("sysfs-uksm-shifted", &f), 0);
	CHECK_I64(f.pages_scanned, 1717986918LL << 4);
	CHECK_STR(f.cpu_governor, "full");
	CHECK_I64(f.saved_kb, 401408 * page_kb);

	/* an older uKSM: what is missing is null, the rest still read */
	CHECK_I64(read_fixture("sysfs-uksm-old", &f), 0);
	CHECK_I64(f.backend, DEDUP_UKSM);
	CHECK_I64(f.run, 1);
	CHECK_I64(f.pages_sharing, 24576);
	CHECK_I64(f.max_cpu_percentage, 20);
	CHECK_I64(f.pages_scanned, VAL_NULL);
	CHECK_STR(f.cpu_governor, "");
	CHECK_I64(f.saved_kb, 24576 * page_kb);
	check_ksm_only_null(&f);
}

static void test_read_governors(void)
{
	static const struct { const char *fixture, *governor; int64_t max_cpu; } t[] = {
		{ "sysfs-uksm-gov-full", "full", 95 },
		{ "sysfs-uksm-gov-medium", "medium", 50 },
		{ "sysfs-uksm-gov-low", "low", 20 },
		{ "sysfs-uksm-gov-quiet", "quiet", 1 },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct dedup_figs f;
		CHECK_I64(read_fixture(t[i].fixture, &f), 0);
		CHECK_STR(f.cpu_governor, t[i].governor);
		CHECK_I64(f.max_cpu_percentage, t[i].max_cpu);
		/* these variants hold no page counters */
		CHECK_I64(f.pages_sharing, VAL_NULL);
		CHECK_I64(f.saved_kb, VAL_NULL);
	}
}

static void test_read_ksm(void)
{
	struct dedup_figs f;
	CHECK_I64(read_fixture("sysfs-ksm", &f), 0);
	CHECK_I64(f.backend, DEDUP_KSM);
	CHECK_I64(f.run, 1);
	CHECK_I64(f.pages_shared, 1200);
	CHECK_I64(f.pages_sharing, 9600);
	CHECK_I64(f.pages_unshared, 30000);
	CHECK_I64(f.pages_volatile, 500);
	CHECK_I64(f.pages_scanned, 1835008);
	CHECK_I64(f.full_scans, 14);
	CHECK_I64(f.ksm_zero_pages, 256);
	CHECK_I64(f.general_profit, 37726976);
	CHECK_I64(f.pages_to_scan, 100);
	CHECK_I64(f.sleep_millisecs, 20);
	CHECK_I64(f.max_cpu_percentage, VAL_NULL);
	CHECK_STR(f.cpu_governor, "");
	/* KSM frees the zero-filled pages too */
	CHECK_I64(f.saved_kb, (9600 + 256) * page_kb);

	/* a 5.x kernel: no pages_scanned, ksm_zero_pages, general_profit */
	CHECK_I64(read_fixture("sysfs-ksm-old", &f), 0);
	CHECK_I64(f.backend, DEDUP_KSM);
	CHECK_I64(f.pages_sharing, 4096);
	CHECK_I64(f.pages_scanned, VAL_NULL);
	CHECK_I64(f.ksm_zero_pages, VAL_NULL);
	CHECK_I64(f.general_profit, VAL_NULL);
	CHECK_I64(f.saved_kb, 4096 * page_kb);
}

static void test_read_none(void)
{
	struct dedup_figs f;
	CHECK_I64(read_fixture("sysfs-none", &f), 0);
	CHECK_I64(f.backend, DEDUP_NONE);
	CHECK_I64(f.run, VAL_NULL);
	CHECK_I64(f.pages_shared, VAL_NULL);
	CHECK_I64(f.pages_sharing, VAL_NULL);
	CHECK_I64(f.pages_unshared, VAL_NULL);
	CHECK_I64(f.pages_scanned, VAL_NULL);
	CHECK_I64(f.full_scans, VAL_NULL);
	CHECK_I64(f.sleep_millisecs, VAL_NULL);
	CHECK_I64(f.max_cpu_percentage, VAL_NULL);
	CHECK_I64(f.saved_kb, VAL_NULL);
	CHECK_STR(f.cpu_governor, "");
	check_ksm_only_null(&f);
}

static void test_modes(void)
{
	CHECK_I64(dedup_parse_mode("on"), DEDUP_RUN_ON);
	CHECK_I64(dedup_parse_mode("ON"), DEDUP_RUN_ON);
	CHECK_I64(dedup_parse_mode("1"), DEDUP_RUN_ON);
	CHECK_I64(dedup_parse_mode("off"), DEDUP_RUN_OFF);
	CHECK_I64(dedup_parse_mode("0"), DEDUP_RUN_OFF);
	CHECK_I64(dedup_parse_mode("unmerge"), DEDUP_RUN_UNMERGE);
	CHECK_I64(dedup_parse_mode("2"), DEDUP_RUN_UNMERGE);
	CHECK_I64(dedup_parse_mode(""), -1);
	CHECK_I64(dedup_parse_mode("3"), -1);
	CHECK_I64(dedup_parse_mode("onn"), -1);
	CHECK_I64(dedup_parse_mode(" on"), -1);
	CHECK_I64(dedup_parse_mode(NULL), -1);
	CHECK_STR(dedup_mode_name(DEDUP_RUN_OFF), "off");
	CHECK_STR(dedup_mode_name(DEDUP_RUN_ON), "on");
	CHECK_STR(dedup_mode_name(DEDUP_RUN_UNMERGE), "unmerge");
	CHECK_STR(dedup_mode_name((enum dedup_run_mode)7), "?");
}

/* A writable copy of one fixture's daemon directory, below a mkdtemp root. */
struct tree {
	char root[64];
	char dir[PATH_MAX];
};

static int copy_file(const char *from, const char *to)
{
	char buf[4096];
	int in = open(from, O_RDONLY | O_CLOEXEC);
	int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ssize_t n = -1;
	if (in >= 0 && out >= 0) {
		n = read(in, buf, sizeof(buf));
		if (n >= 0 && write(out, buf, (size_t)n) != n)
			n = -1;
	}
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return n < 0 ? -1 : 0;
}

static int tree_copy(struct tree *t, const char *name, const char *subdir)
{
	char src[PATH_MAX], from[PATH_MAX + 256], to[PATH_MAX + 256];
	strcpy(t->root, "/tmp/uksmtop-dedup-XXXXXX");
	if (!mkdtemp(t->root))
		return -1;
	snprintf(t->dir, sizeof(t->dir), "%s/kernel", t->root);
	mkdir(t->dir, 0755);
	snprintf(t->dir, sizeof(t->dir), "%s/kernel/mm", t->root);
	mkdir(t->dir, 0755);
	snprintf(t->dir, sizeof(t->dir), "%s/%s", t->root, subdir);
	if (mkdir(t->dir, 0755) < 0)
		return -1;
	fixture(src, sizeof(src), name);
	strncat(src, "/", sizeof(src) - strlen(src) - 1);
	strncat(src, subdir, sizeof(src) - strlen(src) - 1);
	DIR *d = opendir(src);
	if (!d)
		return -1;
	int rc = 0;
	for (struct dirent *e; (e = readdir(d));) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(from, sizeof(from), "%s/%s", src, e->d_name);
		snprintf(to, sizeof(to), "%s/%s", t->dir, e->d_name);
		if (copy_file(from, to) < 0)
			rc = -1;
	}
	closedir(d);
	return rc;
}

static void tree_remove(struct tree *t)
{
	char path[PATH_MAX + 256];
	DIR *d = opendir(t->dir);
	if (d) {
		for (struct dirent *e; (e = readdir(d));) {
			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", t->dir, e->d_name);
			unlink(path);
		}
		closedir(d);
	}
	rmdir(t->dir);
	snprintf(path, sizeof(path), "%s/kernel/mm", t->root);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/kernel", t->root);
	rmdir(path);
	rmdir(t->root);
}

static const char *tree_file(struct tree *t, const char *name)
{
	static char buf[64];
	int fd = open(t->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	buf[0] = '\0';
	if (fd >= 0) {
		sysfs_read_at(fd, name, buf, sizeof(buf));
		close(fd);
	}
	return buf;
}

static void test_set_run_ksm(void)
{
	struct tree t;
	struct dedup_backend b;
	char err[256];
	CHECK(tree_copy(&t, "sysfs-ksm", "kernel/mm/ksm") == 0);
	dedup_open(&b, t.root);
	CHECK(b.ops == &dedup_ksm_ops);
	CHECK_I64(dedup_set_run(&b, DEDUP_RUN_OFF, err, sizeof(err)), 0);
	CHECK_STR(tree_file(&t, "run"), "0");
	CHECK_STR(err, "");
	CHECK_I64(dedup_set_run(&b, DEDUP_RUN_ON, err, sizeof(err)), 0);
	CHECK_STR(tree_file(&t, "run"), "1");
	CHECK_I64(dedup_set_run(&b, DEDUP_RUN_UNMERGE, err, sizeof(err)), 0);
	CHECK_STR(tree_file(&t, "run"), "2");
	CHECK_I64(dedup_set_run(&b, (enum dedup_run_mode)5, err, sizeof(err)), -EINVAL);
	CHECK(err[0] != '\0');
	CHECK_STR(tree_file(&t, "run"), "2");
	/* and the new state is what the next sample reads */
	struct dedup_figs f;
	CHECK_I64(dedup_set_run(&b, DEDUP_RUN_ON, NULL, 0), 0);
	CHECK_I64(dedup_read(&b, &f), 0);
	CHECK_I64(f.run, 1);
	dedup_close(&b);
	tree_remove(&t);
}

static void test_set_run_uksm(void)
{
	struct tree t;
	struct dedup_backend b;
	char err[256];
	CHECK(tree_copy(&t, "sysfs-uksm", "kernel/mm/uksm") == 0);
	dedup_open(&b, t.root);
	CHECK(b.ops == &dedup_uksm_ops);
	CHECK_I64(dedup_set_run(&b, DEDUP_RUN_OFF, err, sizeof(err)), 0);
	CHECK_STR(tree_file(&t, "run"), "0");
	CHECK_I64(dedup_set_run(&b, DEDUP_RUN_ON, err, sizeof(err)), 0);
	CHECK_STR(tree_file(&t, "run"), "1");
	/* uKSM's run has no unmerge value: refused, nothing written */
	CHECK_I64(dedup_set_run(&b, DEDUP_RUN_UNMERGE, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "unmerge") != NULL);
	CHECK_STR(tree_file(&t, "run"), "1");
	dedup_close(&b);
	tree_remove(&t);

	dedup_open(&b, "/nonexistent");
	CHECK_I64(dedup_set_run(&b, DEDUP_RUN_ON, err, sizeof(err)), -ENODEV);
	CHECK(err[0] != '\0');
	dedup_close(&b);
}

/* Try to switch run on a read-only copy. Root writes through file modes, so
 * a root test drops to nobody in a child first. Returns 0 when the failure
 * was -EACCES/-EPERM with a message that names root. */
static int set_run_readonly(struct dedup_backend *b)
{
	char err[256];
	int rc = dedup_set_run(b, DEDUP_RUN_ON, err, sizeof(err));
	if (rc != -EACCES && rc != -EPERM) {
		fprintf(stderr, "read-only set_run returned %d\n", rc);
		return 1;
	}
	if (!strstr(err, "root") || !strstr(err, "/run")) {
		fprintf(stderr, "read-only set_run message: %s\n", err);
		return 1;
	}
	return 0;
}

static void test_set_run_readonly(void)
{
	struct tree t;
	struct dedup_backend b;
	char run[PATH_MAX + 8];
	CHECK(tree_copy(&t, "sysfs-ksm", "kernel/mm/ksm") == 0);
	snprintf(run, sizeof(run), "%s/run", t.dir);
	CHECK(chmod(run, 0444) == 0);
	dedup_open(&b, t.root);
	CHECK(b.ops == &dedup_ksm_ops);
	if (geteuid() != 0) {
		CHECK_I64(set_run_readonly(&b), 0);
	} else {
		pid_t pid = fork();
		if (pid == 0) {
			if (setgid(65534) < 0 || setuid(65534) < 0)
				_exit(2);
			_exit(set_run_readonly(&b));
		}
		int status = -1;
		CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
		CHECK(WIFEXITED(status));
		CHECK_I64(WEXITSTATUS(status), 0);
	}
	CHECK_STR(tree_file(&t, "run"), "1\n");
	dedup_close(&b);
	tree_remove(&t);
}

/* Bad values and vanished files become nulls, never errors or made-up zeros. */
static void test_damaged(void)
{
	struct tree t;
	struct dedup_backend b;
	struct dedup_figs f;
	CHECK(tree_copy(&t, "sysfs-ksm", "kernel/mm/ksm") == 0);
	dedup_open(&b, t.root);
	int fd = open(t.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(sysfs_write_at(fd, "pages_sharing", "garbage\n") == 0);
	CHECK(sysfs_write_at(fd, "pages_scanned", "") == 0);
	CHECK(unlinkat(fd, "ksm_zero_pages", 0) == 0);
	close(fd);
	CHECK_I64(dedup_read(&b, &f), 0);
	CHECK_I64(f.pages_sharing, VAL_NULL);
	CHECK_I64(f.pages_scanned, VAL_NULL);
	CHECK_I64(f.ksm_zero_pages, VAL_NULL);
	CHECK_I64(f.saved_kb, VAL_NULL);
	CHECK_I64(f.pages_shared, 1200);

	/* the directory itself gone: an error, and every figure null */
	tree_remove(&t);
	CHECK(dedup_read(&b, &f) < 0);
	CHECK_I64(f.backend, DEDUP_KSM);
	CHECK_I64(f.run, VAL_NULL);
	CHECK_I64(f.pages_shared, VAL_NULL);
	dedup_close(&b);
}

int main(void)
{
	page_kb = sysconf(_SC_PAGESIZE) / 1024;
	test_detect();
	test_read_uksm();
	test_read_governors();
	test_read_ksm();
	test_read_none();
	test_modes();
	test_set_run_ksm();
	test_set_run_uksm();
	test_set_run_readonly();
	test_damaged();
	return check_done();
}

/* test_sysfs.c - the sysfs readers and the uKSM/KSM text parsers, on strings and fixture trees. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backends/dedup.h"
#include "tests/check.h"

static const char *fixture_root(void)
{
	const char *s = getenv("top_srcdir");
	return s && *s ? s : ".";
}

static int open_fixture(const char *fixture, const char *subdir)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/tests/fixtures/%s/%s", fixture_root(), fixture, subdir);
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		fprintf(stderr, "cannot open fixture %s\n", path);
	return fd;
}

/* Parse and return the value, or 4242 when the parser refused (out untouched). */
static int64_t i64(const char *s)
{
	int64_t v = 4242;
	if (sysfs_parse_i64(s, &v) < 0)
		CHECK_I64(v, 4242);
	return v;
}

static int64_t scanned(const char *s)
{
	int64_t v = 4242;
	if (uksm_parse_pages_scanned(s, &v) < 0)
		CHECK_I64(v, 4242);
	return v;
}

static void test_parse_i64(void)
{
	int64_t v;
	CHECK_I64(i64("123\n"), 123);
	CHECK_I64(i64("0"), 0);
	CHECK_I64(i64("  42 \t\n"), 42);
	CHECK_I64(i64("-37726976\n"), -37726976); /* general_profit can go negative */
	CHECK_I64(i64("9223372036854775807\n"), INT64_MAX);
	CHECK_I64(i64("-9223372036854775807"), -INT64_MAX);
	CHECK(sysfs_parse_i64("9223372036854775808\n", &v) < 0);
	CHECK(sysfs_parse_i64("99999999999999999999999999999", &v) < 0);
	CHECK(sysfs_parse_i64("", &v) < 0);
	CHECK(sysfs_parse_i64("\n", &v) < 0);
	CHECK(sysfs_parse_i64("-", &v) < 0);
	CHECK(sysfs_parse_i64("abc\n", &v) < 0);
	CHECK(sysfs_parse_i64("12abc\n", &v) < 0);
	CHECK(sysfs_parse_i64("1 2\n", &v) < 0);
	CHECK(sysfs_parse_i64("[none] scan-time\n", &v) < 0);
	CHECK(sysfs_parse_i64(NULL, &v) < 0);
	CHECK_I64(i64("garbage"), 4242);
}

static void test_parse_pages_scanned(void)
{
	int64_t v;
	CHECK_I64(scanned("91827364\n"), 91827364);
	CHECK_I64(scanned("0"), 0);
	CHECK_I64(scanned("123 * 2^10"), 125952);
	CHECK_I64(scanned("123 * 2^10\n"), 125952);
	CHECK_I64(scanned("123*2^10  \n"), 125952);
	CHECK_I64(scanned("1717986918 * 2^4\n"), 27487790688LL);
	CHECK_I64(scanned("5 * 2^0\n"), 5);
	CHECK_I64(scanned("0 * 2^200\n"), 0);
	CHECK_I64(scanned("1 * 2^62\n"), 4611686018427387904LL);
	CHECK_I64(scanned("4611686018427387903 * 2^1\n"), 9223372036854775806LL);
	/* beyond int64: refused, never wrapped */
	CHECK(uksm_parse_pages_scanned("1 * 2^63\n", &v) < 0);
	CHECK(uksm_parse_pages_scanned("2 * 2^62\n", &v) < 0);
	CHECK(uksm_parse_pages_scanned("4611686018427387904 * 2^1\n", &v) < 0);
	CHECK(uksm_parse_pages_scanned("18446744073709551615 * 2^1\n", &v) < 0);
	CHECK(uksm_parse_pages_scanned("123 * 2^99999999999999999999999\n", &v) < 0);
	CHECK(uksm_parse_pages_scanned("99999999999999999999\n", &v) < 0);
	/* garbage */
	CHECK(uksm_parse_pages_scanned("", &v) < 0);
	CHECK(uksm_parse_pages_scanned(" \n", &v) < 0);
	CHECK(uksm_parse_pages_scanned("abc", &v) < 0);
	CHECK(uksm_parse_pages_scanned("-5", &v) < 0);
	CHECK(uksm_parse_pages_scanned("123 *", &v) < 0);
	CHECK(uksm_parse_pages_scanned("123 * 2^", &v) < 0);
	CHECK(uksm_parse_pages_scanned("123 * 3^10", &v) < 0);
	CHECK(uksm_parse_pages_scanned("123 * 2^10 and more", &v) < 0);
	CHECK(uksm_parse_pages_scanned("123 2^10", &v) < 0);
	CHECK(uksm_parse_pages_scanned(NULL, &v) < 0);
	CHECK_I64(scanned("12 * 2^x"), 4242);
}

static const char *governor(const char *s, size_t outlen)
{
	static char out[32];
	strcpy(out, "untouched");
	if (outlen > sizeof(out))
		outlen = sizeof(out);
	if (uksm_parse_governor(s, out, outlen) < 0)
		CHECK_STR(out, "untouched");
	return out;
}

static void test_parse_governor(void)
{
	char out[32];
	CHECK_STR(governor("[full] medium low quiet \n", 32), "full");
	CHECK_STR(governor("full [medium] low quiet \n", 32), "medium");
	CHECK_STR(governor("full medium [low] quiet \n", 32), "low");
	CHECK_STR(governor("full medium low [quiet] \n", 32), "quiet");
	CHECK_STR(governor("full medium low [quiet]", 32), "quiet");
	CHECK_STR(governor("full [medium] low quiet    \n\n", 32), "medium");
	CHECK_STR(governor("[medium]", 7), "medium");   /* exactly fits with its NUL */
	CHECK_STR(governor("[medium]", 6), "untouched"); /* would truncate */
	CHECK_STR(governor("full medium low quiet \n", 32), "untouched");
	CHECK_STR(governor("", 32), "untouched");
	CHECK_STR(governor("\n", 32), "untouched");
	CHECK_STR(governor("full [] low\n", 32), "untouched");
	CHECK_STR(governor("full [medium low\n", 32), "untouched");
	CHECK_STR(governor("full ]medium[ low\n", 32), "untouched");
	CHECK_STR(governor("[full medium]\n", 32), "untouched");
	CHECK_STR(governor("[[full]\n", 32), "untouched");
	CHECK(uksm_parse_governor(NULL, out, sizeof(out)) < 0);
	CHECK(uksm_parse_governor("[full]", out, 0) < 0);
}

static void test_read_at(void)
{
	char buf[64];
	int fd = open_fixture("sysfs-uksm", "kernel/mm/uksm");
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	CHECK_I64(sysfs_read_at(fd, "run", buf, sizeof(buf)), 2);
	CHECK_STR(buf, "1\n");
	CHECK_I64(sysfs_read_at(fd, "cpu_governor", buf, sizeof(buf)), 25);
	CHECK_STR(buf, "full [medium] low quiet \n");
	CHECK_I64(sysfs_read_at(fd, "cpu_ratios", buf, sizeof(buf)), 16);
	CHECK_STR(buf, "10 20 40 MAX/2 \n");
	/* a short buffer still ends in NUL */
	CHECK_I64(sysfs_read_at(fd, "cpu_governor", buf, 5), 4);
	CHECK_STR(buf, "full");
	CHECK_I64(sysfs_read_at(fd, "no_such_attribute", buf, sizeof(buf)), -ENOENT);
	CHECK_STR(buf, "");
	CHECK_I64(sysfs_read_at(fd, "run", buf, 0), -EINVAL);
	CHECK_I64(sysfs_read_at(-1, "run", buf, sizeof(buf)), -EBADF);
	close(fd);
}

static void test_read_table(void)
{
	static const struct sysfs_i64_attr attrs[] = {
		{ "run", offsetof(struct dedup_figs, run) },
		{ "pages_sharing", offsetof(struct dedup_figs, pages_sharing) },
		{ "pages_scanned", offsetof(struct dedup_figs, pages_scanned) },
		{ "cpu_ratios", offsetof(struct dedup_figs, full_scans) }, /* not one integer */
	};
	struct dedup_figs f;
	memset(&f, 0x55, sizeof(f));
	int fd = open_fixture("sysfs-uksm-old", "kernel/mm/uksm");
	CHECK(fd >= 0);
	if (fd >= 0) {
		/* run and pages_sharing read; pages_scanned and cpu_ratios absent */
		struct sysfs_dir d;
		sysfs_dir_init(&d, fd);
		CHECK_I64(d.keep, 0); /* a fixture tree: read by path every time */
		CHECK_I64(sysfs_read_i64_table(&d, attrs, 4, &f), 2);
		CHECK_I64(f.run, 1);
		CHECK_I64(f.pages_sharing, 24576);
		CHECK_I64(f.pages_scanned, VAL_NULL);
		CHECK_I64(f.full_scans, VAL_NULL);
		close(fd);
	}
	fd = open_fixture("sysfs-uksm", "kernel/mm/uksm");
	CHECK(fd >= 0);
	if (fd >= 0) {
		/* cpu_ratios is present but malformed as an integer: read, null */
		struct sysfs_dir d;
		sysfs_dir_init(&d, fd);
		CHECK_I64(sysfs_read_i64_table(&d, attrs, 4, &f), 4);
		CHECK_I64(f.pages_scanned, 91827364);
		CHECK_I64(f.full_scans, VAL_NULL);
		close(fd);
	}
	fd = open_fixture("sysfs-none", "kernel/mm/transparent_hugepage");
	CHECK(fd >= 0);
	if (fd >= 0) {
		struct sysfs_dir d;
		sysfs_dir_init(&d, fd);
		CHECK_I64(sysfs_read_i64_table(&d, attrs, 4, &f), -ENOENT);
		CHECK_I64(f.run, VAL_NULL);
		close(fd);
	}
}

/* The real KSM directory: kept descriptors give what a fresh open gives, also
 * after a value changed (a pread from 0 makes sysfs show the attribute again). */
static void test_kept_real(void)
{
	int fd = open("/sys/kernel/mm/ksm", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		CHECK_SKIP("no /sys/kernel/mm/ksm here: kept sysfs reads not checked");
		return;
	}
	struct sysfs_dir d;
	sysfs_dir_init(&d, fd);
	CHECK_I64(d.keep, 1);
	char a[64], b[64];
	for (int round = 0; round < 2; round++) {
		CHECK(sysfs_dir_read(&d, "pages_to_scan", a, sizeof(a)) > 0);
		CHECK(sysfs_read_at(fd, "pages_to_scan", b, sizeof(b)) > 0);
		CHECK_STR(a, b);
	}
	CHECK_I64(d.n, 1);
	CHECK_I64(sysfs_dir_read(&d, "no_such_attribute", a, sizeof(a)), -ENOENT);
	CHECK_I64(sysfs_dir_read(&d, "no_such_attribute", a, sizeof(a)), -ENOENT);
	CHECK_I64(d.n, 2); /* the absence is remembered, not looked up again */
	if (geteuid() != 0) {
		CHECK_SKIP("not root: a changed KSM value read through a kept descriptor not checked");
	} else {
		long was = strtol(b, NULL, 10);
		char want[32];
		snprintf(want, sizeof(want), "%ld", was + 1);
		CHECK_I64(sysfs_write_at(fd, "pages_to_scan", want), 0);
		CHECK(sysfs_dir_read(&d, "pages_to_scan", a, sizeof(a)) > 0);
		CHECK_I64(strtol(a, NULL, 10), was + 1);
		snprintf(want, sizeof(want), "%ld", was);
		CHECK_I64(sysfs_write_at(fd, "pages_to_scan", want), 0);
		CHECK(sysfs_dir_read(&d, "pages_to_scan", a, sizeof(a)) > 0);
		CHECK_I64(strtol(a, NULL, 10), was);
	}
	sysfs_dir_close(&d);
	CHECK_I64(d.n, 0);
	close(fd);
}

static void test_write_at(void)
{
	char dir[] = "/tmp/uksmtop-sysfs-XXXXXX";
	char buf[16];
	CHECK(mkdtemp(dir) != NULL);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	/* never creates an attribute the kernel does not have */
	CHECK_I64(sysfs_write_at(fd, "run", "1"), -ENOENT);
	close(openat(fd, "run", O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
	CHECK_I64(sysfs_write_at(fd, "run", "1"), 0);
	CHECK_I64(sysfs_read_at(fd, "run", buf, sizeof(buf)), 1);
	CHECK_STR(buf, "1");
	/* a shorter value replaces the old one whole */
	CHECK_I64(sysfs_write_at(fd, "run", "20"), 0);
	CHECK_I64(sysfs_write_at(fd, "run", "0"), 0);
	CHECK_I64(sysfs_read_at(fd, "run", buf, sizeof(buf)), 1);
	CHECK_STR(buf, "0");
	CHECK_I64(sysfs_write_at(fd, "no/such/dir", "1"), -ENOENT);
	unlinkat(fd, "run", 0);
	close(fd);
	rmdir(dir);
}

int main(void)
{
	test_parse_i64();
	test_parse_pages_scanned();
	test_parse_governor();
	test_read_at();
	test_read_table();
	test_kept_real();
	test_write_at();
	return check_done();
}

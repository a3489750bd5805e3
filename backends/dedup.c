/* dedup.c - detecting the merging daemon (uKSM, then KSM), sampling it and switching it. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "dedup.h"

/* Detection order: uKSM first, as a uKSM kernel may also keep KSM's files. */
static const struct dedup_ops *const dedup_all[] = { &dedup_uksm_ops, &dedup_ksm_ops };

static void dedup_set_none(struct dedup_backend *b)
{
	b->ops = NULL;
	b->dirfd = -1;
	sysfs_dir_init(&b->dir, -1);
	b->path[0] = '\0';
}

/* Open root/subdir as a directory that holds a "run" attribute; -1 otherwise. */
static int dedup_open_dir(const char *root, const char *subdir, char *path, size_t pathlen)
{
	int n = snprintf(path, pathlen, "%s/%s", root, subdir);
	if (n < 0 || (size_t)n >= pathlen)
		return -1;
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (faccessat(fd, "run", F_OK, 0) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

void dedup_open(struct dedup_backend *b, const char *sysfs_root)
{
	const char *root = sysfs_root && *sysfs_root ? sysfs_root : "/sys";
	dedup_set_none(b);
	for (size_t i = 0; i < sizeof(dedup_all) / sizeof(dedup_all[0]); i++) {
		int fd = dedup_open_dir(root, dedup_all[i]->subdir, b->path, sizeof(b->path));
		if (fd >= 0) {
			b->ops = dedup_all[i];
			b->dirfd = fd;
			sysfs_dir_init(&b->dir, fd);
			return;
		}
	}
	b->path[0] = '\0';
}

void dedup_close(struct dedup_backend *b)
{
	sysfs_dir_close(&b->dir);
	if (b->dirfd >= 0)
		close(b->dirfd);
	dedup_set_none(b);
}

static void dedup_figs_null(struct dedup_figs *out, enum dedup_kind kind)
{
	out->backend = kind;
	out->run = VAL_NULL;
	out->pages_shared = VAL_NULL;
	out->pages_sharing = VAL_NULL;
	out->pages_unshared = VAL_NULL;
	out->pages_volatile = VAL_NULL;
	out->pages_scanned = VAL_NULL;
	out->full_scans = VAL_NULL;
	out->ksm_zero_pages = VAL_NULL;
	out->general_profit = VAL_NULL;
	out->pages_to_scan = VAL_NULL;
	out->sleep_millisecs = VAL_NULL;
	out->max_cpu_percentage = VAL_NULL;
	out->cpu_governor[0] = '\0';
	out->saved_kb = VAL_NULL;
	out->scan_rate_pps = NAN;
	out->thread_pid = 0;
	out->thread_ticks = VAL_NULL;
	out->cpu_pct = NAN;
}

/* pages * page size in kB, null when unknown or when it would overflow. */
static int64_t dedup_pages_kb(int64_t pages)
{
	long page_kb = sysconf(_SC_PAGESIZE) / 1024;
	int64_t kb;
	if (!val_known(pages) || pages < 0 || page_kb <= 0)
		return VAL_NULL;
	if (__builtin_mul_overflow(pages, (int64_t)page_kb, &kb))
		return VAL_NULL;
	return kb;
}

/* saved = pages_sharing pages; KSM also frees every page it maps to the zero
 * page (ksm_zero_pages, null on uKSM and on kernels before 6.10). */
static int64_t dedup_saved_kb(const struct dedup_figs *f)
{
	int64_t saved = dedup_pages_kb(f->pages_sharing);
	if (!val_known(saved) || !val_known(f->ksm_zero_pages))
		return saved;
	int64_t zero = dedup_pages_kb(f->ksm_zero_pages);
	if (!val_known(zero) || __builtin_add_overflow(saved, zero, &saved))
		return VAL_NULL;
	return saved;
}

int dedup_read(struct dedup_backend *b, struct dedup_figs *out)
{
	if (!b->ops) {
		dedup_figs_null(out, DEDUP_NONE);
		return 0;
	}
	dedup_figs_null(out, b->ops->kind);
	int rc = b->ops->read(&b->dir, out);
	out->saved_kb = dedup_saved_kb(out);
	return rc;
}

int dedup_parse_mode(const char *s)
{
	if (!s)
		return -1;
	if (!strcasecmp(s, "off") || !strcmp(s, "0"))
		return DEDUP_RUN_OFF;
	if (!strcasecmp(s, "on") || !strcmp(s, "1"))
		return DEDUP_RUN_ON;
	if (!strcasecmp(s, "unmerge") || !strcmp(s, "2"))
		return DEDUP_RUN_UNMERGE;
	return -1;
}

const char *dedup_mode_name(enum dedup_run_mode m)
{
	switch (m) {
	case DEDUP_RUN_OFF:
		return "off";
	case DEDUP_RUN_ON:
		return "on";
	case DEDUP_RUN_UNMERGE:
		return "unmerge";
	}
	return "?";
}

int dedup_set_run(struct dedup_backend *b, enum dedup_run_mode mode, char *err, size_t errlen)
{
	char dummy[1];
	if (!err || errlen == 0) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	err[0] = '\0';
	if (!b->ops) {
		snprintf(err, errlen, "no merging daemon: neither uKSM nor KSM is in this kernel");
		return -ENODEV;
	}
	if (mode != DEDUP_RUN_OFF && mode != DEDUP_RUN_ON && mode != DEDUP_RUN_UNMERGE) {
		snprintf(err, errlen, "%s: unknown run mode %d", b->ops->name, (int)mode);
		return -EINVAL;
	}
	int rc = b->ops->set_run(b->dirfd, mode);
	if (rc == 0)
		return 0;
	if (rc == -EINVAL)
		snprintf(err, errlen, "%s: run does not accept %s (%s/run)",
			b->ops->name, dedup_mode_name(mode), b->path);
	else if (rc == -EACCES || rc == -EPERM)
		snprintf(err, errlen, "cannot write %s/run: %s (switching %s needs root)",
			b->path, strerror(-rc), b->ops->name);
	else
		snprintf(err, errlen, "cannot write %s/run: %s", b->path, strerror(-rc));
	return rc;
}

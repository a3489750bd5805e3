/* uksm.c - the uKSM merging daemon (out-of-tree patch) read from /sys/kernel/mm/uksm. */
#include <errno.h>
#include <stddef.h>

#include "dedup.h"

#define UKSM_FIELD(name) { #name, offsetof(struct dedup_figs, name) }

/* Only what a sample shows: each file costs ~8 us (DESIGN.md §5). */
static const struct sysfs_i64_attr uksm_attrs[] = {
	UKSM_FIELD(run),
	UKSM_FIELD(pages_shared),
	UKSM_FIELD(pages_sharing),
	UKSM_FIELD(pages_unshared),
	UKSM_FIELD(full_scans),
	UKSM_FIELD(sleep_millisecs),
	UKSM_FIELD(max_cpu_percentage),
};

static int uksm_read(struct sysfs_dir *d, struct dedup_figs *out)
{
	int nread = sysfs_read_i64_table(d, uksm_attrs,
		sizeof(uksm_attrs) / sizeof(uksm_attrs[0]), out);
	char buf[128];

	out->pages_scanned = VAL_NULL;
	int rc = sysfs_dir_read(d, "pages_scanned", buf, sizeof(buf));
	if (rc >= 0) {
		nread = nread < 0 ? 1 : nread + 1;
		if (uksm_parse_pages_scanned(buf, &out->pages_scanned) < 0)
			out->pages_scanned = VAL_NULL;
	}

	out->cpu_governor[0] = '\0';
	rc = sysfs_dir_read(d, "cpu_governor", buf, sizeof(buf));
	if (rc >= 0) {
		nread = nread < 0 ? 1 : nread + 1;
		if (uksm_parse_governor(buf, out->cpu_governor, sizeof(out->cpu_governor)) < 0)
			out->cpu_governor[0] = '\0';
	}
	return nread < 0 ? nread : 0;
}

static int uksm_set_run(int dirfd, enum dedup_run_mode mode)
{
	/* uKSM's run takes only 0 or 1; it has no "unmerge everything" value. */
	switch (mode) {
	case DEDUP_RUN_OFF:
		return sysfs_write_at(dirfd, "run", "0");
	case DEDUP_RUN_ON:
		return sysfs_write_at(dirfd, "run", "1");
	default:
		return -EINVAL;
	}
}

const struct dedup_ops dedup_uksm_ops = {
	.name = "uksm",
	.kind = DEDUP_UKSM,
	.subdir = "kernel/mm/uksm",
	.thread_name = "uksmd",
	.read = uksm_read,
	.set_run = uksm_set_run,
};

/* ksm.c - the kernel's own KSM merging daemon read from /sys/kernel/mm/ksm. */
#include <errno.h>
#include <stddef.h>

#include "dedup.h"

#define KSM_FIELD(name) { #name, offsetof(struct dedup_figs, name) }

/* Only what a sample shows: each file costs ~8 us to open and read (DESIGN.md §5),
 * a fraction of that through a kept descriptor. Files an
 * older kernel lacks (ksm_zero_pages, general_profit) just stay null. */
static const struct sysfs_i64_attr ksm_attrs[] = {
	KSM_FIELD(run),
	KSM_FIELD(pages_shared),
	KSM_FIELD(pages_sharing),
	KSM_FIELD(pages_unshared),
	KSM_FIELD(pages_volatile),
	KSM_FIELD(pages_scanned),
	KSM_FIELD(full_scans),
	KSM_FIELD(ksm_zero_pages),
	KSM_FIELD(general_profit),
	KSM_FIELD(pages_to_scan),
	KSM_FIELD(sleep_millisecs),
};

static int ksm_read(struct sysfs_dir *d, struct dedup_figs *out)
{
	int nread = sysfs_read_i64_table(d, ksm_attrs,
		sizeof(ksm_attrs) / sizeof(ksm_attrs[0]), out);
	out->max_cpu_percentage = VAL_NULL;
	out->cpu_governor[0] = '\0';
	return nread < 0 ? nread : 0;
}

static int ksm_set_run(int dirfd, enum dedup_run_mode mode)
{
	switch (mode) {
	case DEDUP_RUN_OFF:
		return sysfs_write_at(dirfd, "run", "0");
	case DEDUP_RUN_ON:
		return sysfs_write_at(dirfd, "run", "1");
	case DEDUP_RUN_UNMERGE:
		/* 2 stops ksmd and breaks every merged page apart again. */
		return sysfs_write_at(dirfd, "run", "2");
	default:
		return -EINVAL;
	}
}

const struct dedup_ops dedup_ksm_ops = {
	.name = "ksm",
	.kind = DEDUP_KSM,
	.subdir = "kernel/mm/ksm",
	.thread_name = "ksmd",
	.read = ksm_read,
	.set_run = ksm_set_run,
};

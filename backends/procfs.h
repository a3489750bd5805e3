/* procfs.h - host figures and per-process memory from /proc (libproc2 where it has them). */
#ifndef UKSMTOP_PROCFS_H
#define UKSMTOP_PROCFS_H

#include <stdint.h>
#include <sys/types.h>

#include "../core/sample.h"

struct procfs;

struct procfs *procfs_open(char *err, size_t errlen);
void procfs_close(struct procfs *p);
/* mem_total_kb, mem_avail_kb, mem_used_kb, cpu ticks, uptime. */
int procfs_host(struct procfs *p, struct host_figs *out);
/* pid of the kernel thread whose comm is name, 0 if none. */
pid_t procfs_find_thread(struct procfs *p, const char *name);
/* utime + stime of pid in clock ticks, or VAL_NULL when gone. */
int64_t procfs_task_ticks(struct procfs *p, pid_t pid);
long procfs_hz(void);
/* utime + stime from a /proc/PID/stat text (exposed for tests). 0 or -1. */
int procfs_parse_stat_ticks(const char *buf, int64_t *ticks);

/* Cheap per-process figures (statm, ksm_stat). */
struct proc_cheap {
	int64_t rss_kb;
	int64_t ksm_kb;     /* VAL_NULL when the kernel or permissions do not give it */
	int merge_any;      /* KSM may merge its memory (merge_any or mergeable areas): 1, 0, -1 unknown */
	int ksm_denied;     /* ksm_stat exists but this user may not read it */
};
/* Returns 0, -ESRCH when the process vanished, -EACCES when unreadable. */
int procfs_proc_cheap(pid_t pid, struct proc_cheap *out);
/* The same figures, read through descriptors p keeps open from one call for a pid to
 * the next (within the soft limit on open files; beyond it, by path as above).
 * merge_any comes from ksm_stat, read when the process is first seen, when its
 * merged pages change while it is not known to be mergeable, and otherwise once
 * per slow interval. */
int procfs_proc_cheap_kept(struct procfs *p, pid_t pid, struct proc_cheap *out);
/* How often (seconds) each process's ksm_stat is read again; 0 = every read. */
void procfs_set_slow_interval(struct procfs *p, double secs);
/* Before each sample's processes: still = the merging daemon has neither
 * scanned nor let go of merged pages since the previous call (KSM's
 * pages_scanned, pages_shared and pages_sharing unchanged). While it stays so,
 * a process's ksm_merging_pages is not read again unless its statm changed
 * (exec) or its slow interval came due. Until the first call, always read. */
void procfs_set_ksm_still(struct procfs *p, int still);
/* Close the descriptors of every pid not asked for since the last sweep: once per sample. */
void procfs_kept_sweep(struct procfs *p);

/* Expensive: smaps_rollup walks page tables (about 7 us per resident MB). */
struct proc_rollup {
	int64_t pss_kb;
	int64_t shared_kb;  /* Shared_Clean + Shared_Dirty */
};
int procfs_proc_rollup(pid_t pid, struct proc_rollup *out);
/* Parse smaps_rollup text (exposed for tests and fuzzers). 0 or -1. */
int procfs_parse_rollup(const char *buf, struct proc_rollup *out);
/* Parse ksm_stat text: ksm_merging_pages and ksm_merge_any. 0 or -1. */
int procfs_parse_ksm_stat(const char *buf, int64_t *merging_pages, int *merge_any);

#endif

/* procfs.c - host memory and CPU (libproc2), the daemon thread's ticks, and per-process memory from /proc. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <libproc2/meminfo.h>
#include <libproc2/pids.h>
#include <libproc2/stat.h>

#include "procfs.h"

/* The kernel's PF_KTHREAD task flag: tells ksmd from a user process named "ksmd". */
#define PROCFS_PF_KTHREAD 0x00200000UL

/* Items of the pids context; the enum order is the PIDS_VAL index. */
enum procfs_pid_rel { PROCFS_REL_PID, PROCFS_REL_CMD, PROCFS_REL_FLAGS };
static enum pids_item procfs_pid_items[] = { PIDS_ID_PID, PIDS_CMD, PIDS_FLAGS };
#define PROCFS_N_PID_ITEMS ((int)(sizeof(procfs_pid_items) / sizeof(procfs_pid_items[0])))

enum procfs_mem_rel { PROCFS_REL_MEM_TOTAL, PROCFS_REL_MEM_AVAIL };
static enum meminfo_item procfs_mem_items[] = { MEMINFO_MEM_TOTAL, MEMINFO_MEM_AVAILABLE };

enum procfs_stat_rel { PROCFS_REL_BUSY, PROCFS_REL_TOTAL };
static enum stat_item procfs_stat_items[] = { STAT_TIC_SUM_BUSY, STAT_TIC_SUM_TOTAL };

/* Descriptors left for everything else when statm and ksm_stat are kept open. */
#define PROCFS_KEPT_FD_RESERVE 256
#define PROCFS_KEPT_MAX 32768
#define PROCFS_SLOW_DEFAULT_S 5.0
#define PROCFS_FD_TABLE 4096    /* descriptor table slots made at the start */

/* One process's statm and ksm_merging_pages, kept open between samples: a pread of
 * an open /proc file costs a fifth of open, read and close (the path lookup is most
 * of it). The descriptors stay bound to the process they were opened for, so once
 * it is gone they fail with ESRCH even if its pid was given to a new one.
 * ksm_stat, which alone says whether the process is mergeable, costs twice
 * ksm_merging_pages (it walks every mapping under the process's mmap lock): it is
 * read when the process is first seen, when its merged pages change while it is
 * not known to be mergeable, and otherwise at the slow cadence
 * (procfs_set_slow_interval). */
struct procfs_kept {
	pid_t pid;          /* 0: a free slot */
	int statm, ksm;     /* statm, ksm_merging_pages; -1: not open */
	int ksm_err;        /* why ksm is not open (errno), 0 when it is or was not tried */
	int merge_any;      /* what ksm_stat said last: 1, 0, -1 unknown */
	int64_t stat_pages; /* merging pages when ksm_stat was read last; VAL_NULL never */
	double stat_at;     /* monotonic time ksm_stat was read last; 0 never */
	int64_t pages;      /* ksm_merging_pages read last; VAL_NULL never */
	unsigned epoch;     /* p->ksm_epoch when it was read */
	uint64_t statm_sum; /* a hash of the statm text it was read with */
	unsigned gen;       /* the sample that last asked for it */
};

/* The libproc2 contexts live as long as the program, so a sample re-reads
 * /proc without allocating anew. */
struct procfs {
	struct meminfo_info *mem;
	struct stat_info *stat;
	struct pids_info *pids;
	struct procfs_kept *kept;  /* open-addressing table by pid; kept_cap a power of 2 */
	size_t kept_cap, kept_n, kept_max;
	unsigned kept_gen;
	double slow_s;             /* ksm_stat's cadence per process */
	int ksm_still;             /* the merging daemon changed nothing since ksm_epoch began */
	unsigned ksm_epoch;
	pid_t task_pid;            /* procfs_task_ticks's process and its stat, kept open */
	int task_fd;
};

static void procfs_kept_drop_all(struct procfs *p);
static int procfs_open_pid_file(pid_t pid, const char *name);
static int procfs_kept_pread(int fd, char *buf, size_t len);

static void procfs_close_task(struct procfs *p)
{
	if (p->task_fd >= 0)
		close(p->task_fd);
	p->task_fd = -1;
	p->task_pid = 0;
}

/* How many processes may hold two descriptors each, within the soft RLIMIT_NOFILE. */
static size_t procfs_kept_budget(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return 0;
	rlim_t soft = rl.rlim_cur;
	if (soft == RLIM_INFINITY || soft > 2 * PROCFS_KEPT_MAX + PROCFS_KEPT_FD_RESERVE)
		return PROCFS_KEPT_MAX;
	return soft > PROCFS_KEPT_FD_RESERVE ? (size_t)(soft - PROCFS_KEPT_FD_RESERVE) / 2 : 0;
}

/* The kernel grows a process's descriptor table by powers of two, and while
 * threads share it each growth waits for an RCU grace period: 10-30 ms here,
 * five times over on the way to the ~1200 descriptors 100 containers keep,
 * all of it in the first sample. Growing it once, before the first thread
 * starts, costs nothing of the sort (and ~32 KiB of kernel memory for 4096). */
static void procfs_reserve_fds(size_t kept_max)
{
	struct rlimit rl;
	size_t want = PROCFS_FD_TABLE;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want)
		want = (size_t)rl.rlim_cur;
	if (2 * kept_max + PROCFS_KEPT_FD_RESERVE < want)
		want = 2 * kept_max + PROCFS_KEPT_FD_RESERVE;
	for (int src = 0; src < 3 && want > 64; src++) {
		int fd = fcntl(src, F_DUPFD_CLOEXEC, (int)want - 1);
		if (fd >= 0) {
			close(fd);
			return;
		}
	}
}

struct procfs *procfs_open(char *err, size_t errlen)
{
	struct procfs *p = calloc(1, sizeof(*p));
	const char *what = "out of memory";
	int rc = 0;
	if (!p)
		goto fail;
	what = "meminfo";
	if ((rc = procps_meminfo_new(&p->mem)) < 0)
		goto fail;
	what = "stat";
	if ((rc = procps_stat_new(&p->stat)) < 0)
		goto fail;
	what = "pids";
	if ((rc = procps_pids_new(&p->pids, procfs_pid_items, PROCFS_N_PID_ITEMS)) < 0)
		goto fail;
	p->kept_max = procfs_kept_budget();
	procfs_reserve_fds(p->kept_max);
	p->kept_gen = 1;
	p->slow_s = PROCFS_SLOW_DEFAULT_S;
	p->task_fd = -1;
	return p;
fail:
	if (err && errlen)
		snprintf(err, errlen, "libproc2 %s: %s", what, rc ? strerror(-rc) : "failed");
	procfs_close(p);
	return NULL;
}

void procfs_close(struct procfs *p)
{
	if (!p)
		return;
	if (p->pids)
		procps_pids_unref(&p->pids);
	if (p->stat)
		procps_stat_unref(&p->stat);
	if (p->mem)
		procps_meminfo_unref(&p->mem);
	procfs_kept_drop_all(p);
	procfs_close_task(p);
	free(p);
}

/* Read a /proc file with plain open/read: one read for the cheap counters,
 * until EOF or a full buffer when loop is set. Returns the length or -errno. */
static int procfs_read_path(const char *path, char *buf, size_t buflen, bool loop)
{
	if (buflen == 0)
		return -EINVAL;
	buf[0] = '\0';
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	size_t len = 0;
	int err = 0;
	while (len < buflen - 1) {
		ssize_t n = read(fd, buf + len, buflen - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			break;
		}
		len += (size_t)n;
		if (n == 0 || !loop)
			break;
	}
	close(fd);
	if (err)
		return err;
	buf[len] = '\0';
	return (int)len;
}

static int procfs_read_pid_file(pid_t pid, const char *name, char *buf, size_t buflen, bool loop)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	return procfs_read_path(path, buf, buflen, loop);
}

/* Decimal digits at *pp into a non-negative int64, refusing overflow. */
static int procfs_parse_digits(const char **pp, int64_t *out)
{
	const char *p = *pp;
	int64_t v = 0;
	if (!isdigit((unsigned char)*p))
		return -1;
	for (; isdigit((unsigned char)*p); p++) {
		int d = *p - '0';
		if (v > (INT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*pp = p;
	*out = v;
	return 0;
}

static const char *procfs_skip_blank(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

static const char *procfs_next_line(const char *p)
{
	const char *nl = strchr(p, '\n');
	return nl ? nl + 1 : p + strlen(p);
}

static int64_t procfs_pages_kb(int64_t pages)
{
	long page_kb = sysconf(_SC_PAGESIZE) / 1024;
	int64_t kb;
	if (page_kb <= 0 || __builtin_mul_overflow(pages, (int64_t)page_kb, &kb))
		return VAL_NULL;
	return kb;
}

/* The first figure of /proc/uptime, which the kernel takes from the boot-time
 * clock: asking the clock (vDSO) costs no open of /proc each sample. */
static double procfs_uptime(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_BOOTTIME, &ts) < 0)
		return NAN;
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int procfs_host(struct procfs *p, struct host_figs *out)
{
	int rc = 0;
	out->mem_total_kb = VAL_NULL;
	out->mem_avail_kb = VAL_NULL;
	out->mem_used_kb = VAL_NULL;
	out->cpu_busy_ticks = 0;
	out->cpu_total_ticks = 0;
	out->uptime_s = procfs_uptime();

	/* select re-reads /proc/meminfo every call (get would cache for a second). */
	struct meminfo_stack *ms = procps_meminfo_select(p->mem, procfs_mem_items,
		(int)(sizeof(procfs_mem_items) / sizeof(procfs_mem_items[0])));
	if (ms) {
		unsigned long total = MEMINFO_VAL(PROCFS_REL_MEM_TOTAL, ul_int, ms, p->mem);
		unsigned long avail = MEMINFO_VAL(PROCFS_REL_MEM_AVAIL, ul_int, ms, p->mem);
		out->mem_total_kb = (int64_t)total;
		out->mem_avail_kb = (int64_t)avail;
		/* procps-ng 4 free: used = MemTotal - MemAvailable. */
		out->mem_used_kb = total >= avail ? (int64_t)(total - avail) : VAL_NULL;
	} else {
		rc = errno ? -errno : -EIO;
	}

	struct stat_stack *ss = procps_stat_select(p->stat, procfs_stat_items,
		(int)(sizeof(procfs_stat_items) / sizeof(procfs_stat_items[0])));
	if (ss) {
		out->cpu_busy_ticks = STAT_VAL(PROCFS_REL_BUSY, ull_int, ss, p->stat);
		out->cpu_total_ticks = STAT_VAL(PROCFS_REL_TOTAL, ull_int, ss, p->stat);
	} else if (!rc) {
		rc = errno ? -errno : -EIO;
	}
	return rc;
}

/* Without kthreadd's children list it walks every process: callers look the thread up once. */
/* Is pid a kernel thread called name? From /proc/PID/stat: "(comm)" and the flags field. */
static int procfs_is_kthread(pid_t pid, const char *name)
{
	char buf[512];
	if (procfs_read_pid_file(pid, "stat", buf, sizeof(buf), false) <= 0)
		return 0;
	char *open = strchr(buf, '('), *close = strrchr(buf, ')');
	unsigned long flags;
	if (!open || !close || close < open || (size_t)(close - open - 1) != strlen(name) ||
	    strncmp(open + 1, name, strlen(name)) != 0)
		return 0;
	if (sscanf(close + 1, " %*c %*d %*d %*d %*d %*d %lu", &flags) != 1)
		return 0;
	return (flags & PROCFS_PF_KTHREAD) != 0;
}

/* Every kernel thread but the first few is a child of kthreadd (pid 2), so the
 * daemon is found among its few dozen children instead of among every process.
 * Returns the pid, 0 when none is the one, -1 when the children cannot be listed. */
static pid_t procfs_find_kthread(const char *name)
{
	char buf[16384];
	int n = procfs_read_path("/proc/2/task/2/children", buf, sizeof(buf), true);
	if (n <= 0 || (size_t)n + 1 >= sizeof(buf))
		return -1;
	for (char *q = buf, *end; *q; q = end) {
		long pid = strtol(q, &end, 10);
		if (end == q)
			break;
		if (pid > 0 && procfs_is_kthread((pid_t)pid, name))
			return (pid_t)pid;
	}
	return 0;
}

pid_t procfs_find_thread(struct procfs *p, const char *name)
{
	if (!name || !*name)
		return 0;
	pid_t k = procfs_find_kthread(name);
	if (k >= 0)
		return k;
	struct pids_fetch *f = procps_pids_reap(p->pids, PIDS_FETCH_TASKS_ONLY);
	if (!f)
		return 0;
	for (int i = 0; i < f->counts->total; i++) {
		struct pids_stack *s = f->stacks[i];
		const char *cmd = PIDS_VAL(PROCFS_REL_CMD, str, s, p->pids);
		unsigned long flags = PIDS_VAL(PROCFS_REL_FLAGS, ul_int, s, p->pids);
		if (cmd && strcmp(cmd, name) == 0 && (flags & PROCFS_PF_KTHREAD))
			return PIDS_VAL(PROCFS_REL_PID, s_int, s, p->pids);
	}
	return 0;
}

int procfs_parse_stat_ticks(const char *buf, int64_t *ticks)
{
	/* "pid (comm) state ppid ...": comm may hold anything, so count from its last ')'.
	 * utime and stime are fields 14 and 15, the 12th and 13th after the ')'. */
	const char *p = buf ? strrchr(buf, ')') : NULL;
	if (!p)
		return -1;
	p++;
	int64_t ut = 0, st = 0;
	for (int field = 3; field <= 15; field++) {
		p = procfs_skip_blank(p);
		if (field < 14) {
			while (*p && *p != ' ')
				p++;
			continue;
		}
		if (procfs_parse_digits(&p, field == 14 ? &ut : &st) < 0)
			return -1;
	}
	if (ut > INT64_MAX - st)
		return -1;
	*ticks = ut + st;
	return 0;
}

/* The merging daemon's thread is asked every sample: its stat stays open. */
int64_t procfs_task_ticks(struct procfs *p, pid_t pid)
{
	if (pid <= 0)
		return VAL_NULL;
	if (p->task_fd >= 0 && p->task_pid != pid)
		procfs_close_task(p);
	if (p->task_fd < 0) {
		p->task_fd = procfs_open_pid_file(pid, "stat");
		p->task_pid = pid;
	}
	char buf[1024];
	int64_t ticks;
	if (p->task_fd < 0 || procfs_kept_pread(p->task_fd, buf, sizeof(buf)) <= 0 ||
	    procfs_parse_stat_ticks(buf, &ticks) < 0) {
		procfs_close_task(p);
		return VAL_NULL;
	}
	return ticks;
}

long procfs_hz(void)
{
	long hz = sysconf(_SC_CLK_TCK);
	return hz > 0 ? hz : 100;
}

/* A missing /proc/PID means the process is gone; permission errors are EACCES. */
static int procfs_pid_errno(int rc)
{
	if (rc == -ENOENT || rc == -ESRCH)
		return -ESRCH;
	if (rc == -EACCES || rc == -EPERM)
		return -EACCES;
	return rc;
}

/* statm: "size resident shared text lib data dt" in pages. */
static int procfs_parse_statm_rss(const char *buf, int64_t *pages)
{
	const char *p = procfs_skip_blank(buf);
	int64_t size, rss;
	if (procfs_parse_digits(&p, &size) < 0 || (*p != ' ' && *p != '\t'))
		return -1;
	p = procfs_skip_blank(p);
	if (procfs_parse_digits(&p, &rss) < 0)
		return -1;
	*pages = rss;
	return 0;
}

/* Key of a "key value" or "key: value" line; returns the value's start or NULL. */
static const char *procfs_match_key(const char *line, const char *key)
{
	size_t n = strlen(key);
	if (strncmp(line, key, n) != 0)
		return NULL;
	const char *p = line + n;
	if (*p == ':')
		p++;
	else if (*p != ' ' && *p != '\t')
		return NULL;
	return procfs_skip_blank(p);
}

int procfs_parse_ksm_stat(const char *buf, int64_t *merging_pages, int *merge_any)
{
	if (!buf)
		return -1;
	int64_t pages = VAL_NULL;
	int any = -1, vmas = -1;
	for (const char *line = buf; *line; line = procfs_next_line(line)) {
		const char *v;
		int64_t n;
		if ((v = procfs_match_key(line, "ksm_merging_pages")) &&
		    procfs_parse_digits(&v, &n) == 0)
			pages = n;
		else if ((v = procfs_match_key(line, "ksm_merge_any"))) {
			if (strncmp(v, "yes", 3) == 0)
				any = 1;
			else if (strncmp(v, "no", 2) == 0)
				any = 0;
		} else if ((v = procfs_match_key(line, "ksm_mergeable"))) {
			if (strncmp(v, "yes", 3) == 0)
				vmas = 1;
			else if (strncmp(v, "no", 2) == 0)
				vmas = 0;
		}
	}
	/* Mergeable either way: the whole process (prctl, inherited by a
	 * container's processes) or some of its areas (QEMU's madvise on guest RAM). */
	if (vmas == 1)
		any = 1;
	/* Kernels 6.1-6.3 list neither (only ksm_rmap_items): nothing to give. */
	if (!val_known(pages) && any < 0)
		return -1;
	if (merging_pages)
		*merging_pages = pages;
	if (merge_any)
		*merge_any = any;
	return 0;
}

/* ksm_stat first (6.4+), else the older ksm_merging_pages file (6.1+). */
static int procfs_read_ksm(pid_t pid, int64_t *pages, int *merge_any)
{
	char buf[512];
	*pages = VAL_NULL;
	*merge_any = -1;
	int rc = procfs_read_pid_file(pid, "ksm_stat", buf, sizeof(buf), false);
	if (rc == -ESRCH)
		return -ESRCH;
	int denied = rc == -EACCES || rc == -EPERM;
	if (rc >= 0)
		procfs_parse_ksm_stat(buf, pages, merge_any);
	if (val_known(*pages))
		return 0;
	rc = procfs_read_pid_file(pid, "ksm_merging_pages", buf, sizeof(buf), false);
	if (rc == -ESRCH)
		return -ESRCH;
	if (rc < 0)
		return denied ? -EACCES : 0;
	const char *p = procfs_skip_blank(buf);
	int64_t n;
	if (procfs_parse_digits(&p, &n) == 0)
		*pages = n;
	return 0;
}

static void procfs_cheap_init(struct proc_cheap *out)
{
	out->rss_kb = VAL_NULL;
	out->ksm_kb = VAL_NULL;
	out->merge_any = -1;
	out->ksm_denied = 0;
}

static int procfs_cheap_statm(const char *buf, struct proc_cheap *out)
{
	int64_t rss;
	if (procfs_parse_statm_rss(buf, &rss) < 0)
		return -EIO;
	out->rss_kb = procfs_pages_kb(rss);
	return 0;
}

/* ksm_stat is owner-only (0400): without the right it stays null. */
static int procfs_cheap_ksm(pid_t pid, struct proc_cheap *out)
{
	int64_t pages;
	int rc = procfs_read_ksm(pid, &pages, &out->merge_any);
	if (rc == -ESRCH)
		return -ESRCH;
	out->ksm_denied = rc == -EACCES;
	if (val_known(pages))
		out->ksm_kb = procfs_pages_kb(pages);
	return 0;
}

int procfs_proc_cheap(pid_t pid, struct proc_cheap *out)
{
	char buf[256];
	procfs_cheap_init(out);
	if (pid <= 0)
		return -EINVAL;
	int rc = procfs_read_pid_file(pid, "statm", buf, sizeof(buf), false);
	if (rc < 0)
		return procfs_pid_errno(rc);
	if (procfs_cheap_statm(buf, out) < 0)
		return -EIO;
	return procfs_cheap_ksm(pid, out);
}

/* --- kept descriptors ---------------------------------------------------------- */

static int procfs_open_pid_file(pid_t pid, const char *name)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	return open(path, O_RDONLY | O_CLOEXEC);
}

static void procfs_kept_close(struct procfs_kept *k)
{
	if (k->statm >= 0)
		close(k->statm);
	if (k->ksm >= 0)
		close(k->ksm);
	k->statm = k->ksm = -1;
	k->ksm_err = 0;
}

static void procfs_kept_drop_all(struct procfs *p)
{
	for (size_t i = 0; i < p->kept_cap; i++)
		if (p->kept[i].pid)
			procfs_kept_close(&p->kept[i]);
	free(p->kept);
	p->kept = NULL;
	p->kept_cap = p->kept_n = 0;
}

static struct procfs_kept *procfs_kept_slot(struct procfs_kept *t, size_t cap, pid_t pid)
{
	size_t i = ((size_t)pid * 2654435761u) & (cap - 1);
	while (t[i].pid && t[i].pid != pid)
		i = (i + 1) & (cap - 1);
	return &t[i];
}

/* Move every used slot into a new table of cap slots. */
static int procfs_kept_rehash(struct procfs *p, size_t cap)
{
	struct procfs_kept *t = calloc(cap, sizeof(*t));
	if (!t)
		return -ENOMEM;
	for (size_t i = 0; i < p->kept_cap; i++)
		if (p->kept[i].pid)
			*procfs_kept_slot(t, cap, p->kept[i].pid) = p->kept[i];
	free(p->kept);
	p->kept = t;
	p->kept_cap = cap;
	return 0;
}

/* The slot of pid with statm open, or NULL: no room, or statm cannot be opened
 * (the caller then reads by path, which says why). */
static struct procfs_kept *procfs_kept_get(struct procfs *p, pid_t pid)
{
	struct procfs_kept *k = p->kept_cap ? procfs_kept_slot(p->kept, p->kept_cap, pid) : NULL;
	if (!k || !k->pid) {
		if (p->kept_n >= p->kept_max)
			return NULL;
		if ((p->kept_n + 1) * 2 > p->kept_cap) {
			if (procfs_kept_rehash(p, p->kept_cap ? p->kept_cap * 2 : 64) < 0)
				return NULL;
			k = procfs_kept_slot(p->kept, p->kept_cap, pid);
		}
		k->pid = pid;
		k->statm = k->ksm = -1;
		k->ksm_err = 0;
		k->merge_any = -1;
		k->stat_pages = VAL_NULL;
		k->stat_at = 0;
		k->pages = VAL_NULL;
		p->kept_n++;
	}
	k->gen = p->kept_gen;
	if (k->statm < 0) {
		k->statm = procfs_open_pid_file(pid, "statm");
		if (k->statm >= 0) {
			k->ksm = procfs_open_pid_file(pid, "ksm_merging_pages");
			k->ksm_err = k->ksm < 0 ? errno : 0;
		}
	}
	return k->statm >= 0 ? k : NULL;
}

static int procfs_kept_pread(int fd, char *buf, size_t len)
{
	ssize_t n;
	do
		n = pread(fd, buf, len - 1, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return (int)n;
}

static double procfs_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Is k's ksm_stat due? After the slow interval, stretched by 0.5 to 1.5 by the
 * pid so that processes first seen together do not all come due in one sample. */
static int procfs_kept_stat_due(const struct procfs *p, const struct procfs_kept *k, double now)
{
	double every = p->slow_s * (0.5 + (double)((unsigned)k->pid % 64u) / 64.0);
	return k->stat_at == 0 || now - k->stat_at >= every;
}

/* Read ksm_stat for the mergeable mark. */
static void procfs_kept_stat(struct procfs_kept *k, int64_t pages, double now)
{
	char buf[512];
	int any = -1;
	if (procfs_read_pid_file(k->pid, "ksm_stat", buf, sizeof(buf), false) >= 0)
		procfs_parse_ksm_stat(buf, NULL, &any);
	k->merge_any = any;
	k->stat_pages = pages;
	k->stat_at = now;
}

/* FNV-1a over a statm text: the same text gives the same sum. */
static uint64_t procfs_sum(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* Can ksm_merging_pages read last still be given without reading it again? A
 * process's merged pages change only when ksmd scans or pages leave the stable
 * tree (the sampler tells, procfs_set_ksm_still), and when exec gives the
 * process a new mm, which shows in its statm. The slow cadence reads it anyway. */
static int procfs_kept_pages_still(const struct procfs *p, const struct procfs_kept *k,
				   uint64_t statm_sum, double now)
{
	return p->ksm_still && k->epoch == p->ksm_epoch && val_known(k->pages) &&
	       k->statm_sum == statm_sum && !procfs_kept_stat_due(p, k, now);
}

/* As procfs_proc_cheap, through k's descriptors. Without ksm_merging_pages open
 * (kernels before 6.1, or another user's process) the reason is known from the
 * open, so no path is tried again each sample. */
static int procfs_kept_read(const struct procfs *p, struct procfs_kept *k, struct proc_cheap *out)
{
	char buf[256];
	procfs_cheap_init(out);
	int rc = procfs_kept_pread(k->statm, buf, sizeof(buf));
	if (rc < 0)
		return procfs_pid_errno(rc);
	if (procfs_cheap_statm(buf, out) < 0)
		return -EIO;
	if (k->ksm < 0) {
		if (k->ksm_err == EACCES || k->ksm_err == EPERM)
			out->ksm_denied = 1;
		else if (k->ksm_err != ENOENT)
			return procfs_cheap_ksm(k->pid, out);
		return 0;
	}
	uint64_t sum = procfs_sum(buf);
	double now = procfs_now();
	int64_t pages = k->pages;
	if (!procfs_kept_pages_still(p, k, sum, now)) {
		rc = procfs_kept_pread(k->ksm, buf, sizeof(buf));
		if (rc < 0)
			return procfs_pid_errno(rc);
		const char *v = procfs_skip_blank(buf);
		k->pages = VAL_NULL;
		if (procfs_parse_digits(&v, &pages) < 0)
			return 0;
		k->pages = pages;
		k->epoch = p->ksm_epoch;
		k->statm_sum = sum;
	}
	out->ksm_kb = procfs_pages_kb(pages);
	/* Merged pages prove the process mergeable; only a process not known to be
	 * is asked again when they change (a merging guest's change every sample). */
	if ((pages != k->stat_pages && k->merge_any != 1) || procfs_kept_stat_due(p, k, now))
		procfs_kept_stat(k, pages, now);
	out->merge_any = k->merge_any;
	return 0;
}

void procfs_set_ksm_still(struct procfs *p, int still)
{
	if (!p)
		return;
	if (!still)
		p->ksm_epoch++;
	p->ksm_still = still;
}

void procfs_set_slow_interval(struct procfs *p, double secs)
{
	if (p)
		p->slow_s = secs > 0 ? secs : 0;
}

int procfs_proc_cheap_kept(struct procfs *p, pid_t pid, struct proc_cheap *out)
{
	struct procfs_kept *k = p && pid > 0 ? procfs_kept_get(p, pid) : NULL;
	if (!k)
		return procfs_proc_cheap(pid, out);
	int rc = procfs_kept_read(p, k, out);
	if (rc != -ESRCH)
		return rc;
	/* The process they were opened for is gone; the pid may be another's by now. */
	procfs_kept_close(k);
	return procfs_proc_cheap(pid, out);
}

void procfs_kept_sweep(struct procfs *p)
{
	if (!p)
		return;
	size_t gone = 0;
	for (size_t i = 0; i < p->kept_cap; i++) {
		struct procfs_kept *k = &p->kept[i];
		if (!k->pid || k->gen == p->kept_gen)
			continue;
		procfs_kept_close(k);
		k->pid = 0;
		gone++;
	}
	p->kept_n -= gone;
	p->kept_gen++;
	/* Open addressing: a freed slot may break a probe chain, so the rest move anew. */
	if (gone && procfs_kept_rehash(p, p->kept_cap) < 0)
		procfs_kept_drop_all(p);
}

int procfs_parse_rollup(const char *buf, struct proc_rollup *out)
{
	if (!buf)
		return -1;
	int64_t pss = VAL_NULL, clean = VAL_NULL, dirty = VAL_NULL;
	for (const char *line = buf; *line; line = procfs_next_line(line)) {
		const char *v;
		int64_t *field;
		/* Whole keys: "Pss" must not match Pss_Anon, Pss_Dirty or SwapPss. */
		if ((v = procfs_match_key(line, "Pss")))
			field = &pss;
		else if ((v = procfs_match_key(line, "Shared_Clean")))
			field = &clean;
		else if ((v = procfs_match_key(line, "Shared_Dirty")))
			field = &dirty;
		else
			continue;
		int64_t n;
		if (procfs_parse_digits(&v, &n) < 0)
			return -1;
		*field = n;
	}
	int64_t shared;
	if (!val_known(pss) || !val_known(clean) || !val_known(dirty) ||
	    __builtin_add_overflow(clean, dirty, &shared))
		return -1;
	out->pss_kb = pss;
	out->shared_kb = shared;
	return 0;
}

int procfs_proc_rollup(pid_t pid, struct proc_rollup *out)
{
	char buf[4096];
	out->pss_kb = VAL_NULL;
	out->shared_kb = VAL_NULL;
	if (pid <= 0)
		return -EINVAL;
	/* The costly one (~7 us per resident MB, under the mm lock): read it all once. */
	int rc = procfs_read_pid_file(pid, "smaps_rollup", buf, sizeof(buf), true);
	if (rc < 0)
		return procfs_pid_errno(rc);
	if (procfs_parse_rollup(buf, out) < 0)
		return -EIO;
	return 0;
}

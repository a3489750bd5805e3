/* test_procfs.c - host figures, the daemon thread, per-process memory and the /proc text parsers. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backends/procfs.h"
#include "tests/check.h"

#ifndef PR_SET_MEMORY_MERGE
#define PR_SET_MEMORY_MERGE 67
#endif

/* Linux 6.18's /proc/PID/smaps_rollup, as read on the build machine. */
static const char rollup_text[] =
	"558f8becb000-7ffe28ade000 ---p 00000000 00:00 0                          [rollup]\n"
	"Rss:                1616 kB\n"
	"Pss:                 592 kB\n"
	"Pss_Dirty:           116 kB\n"
	"Pss_Anon:            116 kB\n"
	"Pss_File:            476 kB\n"
	"Pss_Shmem:             0 kB\n"
	"Shared_Clean:       1396 kB\n"
	"Shared_Dirty:         12 kB\n"
	"Private_Clean:       104 kB\n"
	"Private_Dirty:       116 kB\n"
	"Referenced:         1616 kB\n"
	"Anonymous:           116 kB\n"
	"KSM:                   0 kB\n"
	"LazyFree:              0 kB\n"
	"AnonHugePages:         0 kB\n"
	"ShmemPmdMapped:        0 kB\n"
	"FilePmdMapped:         0 kB\n"
	"Shared_Hugetlb:        0 kB\n"
	"Private_Hugetlb:       0 kB\n"
	"Swap:                  0 kB\n"
	"SwapPss:              33 kB\n"
	"Locked:                0 kB\n";

static int rollup(const char *text, int64_t *pss, int64_t *shared)
{
	struct proc_rollup r = { 4242, 4242 };
	int rc = procfs_parse_rollup(text, &r);
	if (rc < 0) {
		CHECK_I64(r.pss_kb, 4242);
		CHECK_I64(r.shared_kb, 4242);
	}
	*pss = r.pss_kb;
	*shared = r.shared_kb;
	return rc;
}

static void test_parse_rollup(void)
{
	int64_t pss, shared;
	CHECK_I64(rollup(rollup_text, &pss, &shared), 0);
	CHECK_I64(pss, 592);
	CHECK_I64(shared, 1396 + 12);

	/* the Pss_* and SwapPss lines must not stand in for Pss */
	CHECK_I64(rollup("Pss_Anon: 5 kB\nSwapPss: 7 kB\nShared_Clean: 1 kB\nShared_Dirty: 2 kB\n",
		&pss, &shared), -1);
	CHECK_I64(rollup("Shared_Dirty: 2 kB\nPss: 10 kB\nShared_Clean: 1 kB", &pss, &shared), 0);
	CHECK_I64(pss, 10);
	CHECK_I64(shared, 3);
	CHECK_I64(rollup("Pss: 10 kB\nShared_Clean: 1 kB\n", &pss, &shared), -1);
	CHECK_I64(rollup("Pss: x kB\nShared_Clean: 1 kB\nShared_Dirty: 2 kB\n", &pss, &shared), -1);
	CHECK_I64(rollup("Pss: 99999999999999999999 kB\nShared_Clean: 1 kB\nShared_Dirty: 2 kB\n",
		&pss, &shared), -1);
	CHECK_I64(rollup("Pss: 1 kB\nShared_Clean: 9223372036854775807 kB\nShared_Dirty: 2 kB\n",
		&pss, &shared), -1);
	CHECK_I64(rollup("", &pss, &shared), -1);
	CHECK_I64(rollup("\n\n\n", &pss, &shared), -1);
	CHECK_I64(rollup("Pss:", &pss, &shared), -1);
	CHECK_I64(rollup(NULL, &pss, &shared), -1);
}

static void test_parse_ksm_stat(void)
{
	int64_t pages = 4242;
	int any = 42;
	/* 6.18 */
	CHECK_I64(procfs_parse_ksm_stat("ksm_rmap_items 0\nksm_zero_pages 0\nksm_merging_pages 0\n"
		"ksm_process_profit 0\nksm_merge_any: no\nksm_mergeable: no\n", &pages, &any), 0);
	CHECK_I64(pages, 0);
	CHECK_I64(any, 0);
	CHECK_I64(procfs_parse_ksm_stat("ksm_rmap_items 8192\nksm_zero_pages 0\nksm_merging_pages 8191\n"
		"ksm_process_profit 33030144\nksm_merge_any: yes\nksm_mergeable: yes\n", &pages, &any), 0);
	CHECK_I64(pages, 8191);
	CHECK_I64(any, 1);
	/* QEMU: guest RAM marked by madvise, the process not as a whole: mergeable. */
	CHECK_I64(procfs_parse_ksm_stat("ksm_rmap_items 0\nksm_zero_pages 0\nksm_merging_pages 0\n"
		"ksm_process_profit 0\nksm_merge_any: no\nksm_mergeable: yes\n", &pages, &any), 0);
	CHECK_I64(any, 1);
	/* 6.4: counters, no merge_any line */
	CHECK_I64(procfs_parse_ksm_stat("ksm_rmap_items 12\nksm_merging_pages 3\nksm_process_profit 0\n",
		&pages, &any), 0);
	CHECK_I64(pages, 3);
	CHECK_I64(any, -1);
	/* 6.1: only rmap items; the caller falls back to ksm_merging_pages */
	pages = 4242;
	any = 42;
	CHECK_I64(procfs_parse_ksm_stat("ksm_rmap_items 12\n", &pages, &any), -1);
	CHECK_I64(pages, 4242);
	CHECK_I64(any, 42);
	CHECK_I64(procfs_parse_ksm_stat("", &pages, &any), -1);
	CHECK_I64(procfs_parse_ksm_stat("ksm_merging_pages\n", &pages, &any), -1);
	CHECK_I64(procfs_parse_ksm_stat("ksm_merging_pages x\nksm_merge_any: maybe\n", &pages, &any), -1);
	CHECK_I64(procfs_parse_ksm_stat("ksm_merging_pages_more 5\n", &pages, &any), -1);
	CHECK_I64(procfs_parse_ksm_stat("ksm_merging_pages 99999999999999999999\n", &pages, &any), -1);
	CHECK_I64(procfs_parse_ksm_stat(NULL, &pages, &any), -1);
	CHECK_I64(pages, 4242);
}

/* A pid that certainly belonged to a process and no longer does. */
static pid_t dead_pid(void)
{
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	return pid;
}

static void test_parse_stat_ticks(void)
{
	int64_t t = -1;
	/* A comm with spaces and parentheses: fields count from the last ')'. */
	const char *st = "42 (a (b) c) S 2 0 0 0 -1 2129984 0 0 0 0 17 25 0 0 20 0 1 0 31 0 0\n";
	CHECK_I64(procfs_parse_stat_ticks(st, &t), 0);
	CHECK_I64(t, 42);
	CHECK_I64(procfs_parse_stat_ticks("42 (ksmd) S 2 0 0 0 -1 0 0 0 0 0 x 1\n", &t), -1);
	CHECK_I64(procfs_parse_stat_ticks("42 (ksmd) S 2 0\n", &t), -1);
	CHECK_I64(procfs_parse_stat_ticks("no paren", &t), -1);
	CHECK_I64(procfs_parse_stat_ticks("1 (x) S 0 0 0 0 0 0 0 0 0 0 9223372036854775807 1 0\n", &t), -1);
	/* This process: what /proc/self/stat says, and never less than before. */
	char buf[1024];
	FILE *f = fopen("/proc/self/stat", "r");
	CHECK(f != NULL);
	if (!f)
		return;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	CHECK_I64(procfs_parse_stat_ticks(buf, &t), 0);
	CHECK(t >= 0);
}

/* A child that marks itself whole for merging (PR_SET_MEMORY_MERGE, Linux 6.4+)
 * when told to, then waits to be killed. Marking happens in a child: unmarking
 * again would walk every mapping, which takes minutes under AddressSanitizer's
 * huge shadow maps. */
struct merger {
	pid_t pid;
	int go, answer;  /* pipe ends: ours to write, ours to read */
};

static int merger_start(struct merger *m)
{
	int ans[2], go[2];
	m->pid = -1;
	if (access("/proc/self/ksm_stat", R_OK) != 0 || pipe(ans) < 0)
		return -1;
	if (pipe(go) < 0) {
		close(ans[0]);
		close(ans[1]);
		return -1;
	}
	m->pid = fork();
	if (m->pid == 0) {
		char c;
		close(ans[0]);
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		c = prctl(PR_SET_MEMORY_MERGE, 1, 0, 0, 0) == 0 ? 'y' : 'n';
		if (write(ans[1], &c, 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(ans[1]);
	close(go[0]);
	m->go = go[1];
	m->answer = ans[0];
	CHECK(m->pid > 0);
	return m->pid > 0 ? 0 : -1;
}

/* 1 once the child has marked itself, 0 when the kernel refused. */
static int merger_mark(struct merger *m)
{
	char c = 0;
	return write(m->go, "x", 1) == 1 && read(m->answer, &c, 1) == 1 && c == 'y';
}

static void merger_stop(struct merger *m)
{
	close(m->go);
	close(m->answer);
	if (m->pid > 0) {
		kill(m->pid, SIGKILL);
		waitpid(m->pid, NULL, 0);
	}
}

/* Kept descriptors: the figures procfs_proc_cheap gives; the mergeable mark is read
 * at first sight and then at the slow cadence, or at once when it is 0. */
static void test_kept(struct procfs *p)
{
	struct proc_cheap c, k;
	procfs_set_slow_interval(p, 3600);
	CHECK_I64(procfs_proc_cheap_kept(p, getpid(), &k), 0);
	CHECK_I64(procfs_proc_cheap(getpid(), &c), 0);
	CHECK(k.rss_kb > 0 && llabs(k.rss_kb - c.rss_kb) < 4096);
	CHECK_I64(k.ksm_kb, c.ksm_kb);
	CHECK_I64(k.merge_any, c.merge_any);
	procfs_kept_sweep(p);

	struct merger m;
	if (merger_start(&m) < 0) {
		CHECK_SKIP("no readable /proc/self/ksm_stat (Linux < 6.1?): the mergeable cadence not checked");
		return;
	}
	CHECK_I64(procfs_proc_cheap_kept(p, m.pid, &k), 0);
	CHECK_I64(k.merge_any, 0);
	if (merger_mark(&m)) {
		/* Not due yet: the mark is the one read at first sight. */
		CHECK_I64(procfs_proc_cheap_kept(p, m.pid, &k), 0);
		CHECK_I64(k.merge_any, 0);
		procfs_set_slow_interval(p, 0);
		CHECK_I64(procfs_proc_cheap_kept(p, m.pid, &k), 0);
		CHECK_I64(k.merge_any, 1);
		CHECK(k.ksm_kb >= 0);
	} else {
		CHECK_SKIP("PR_SET_MEMORY_MERGE refused (Linux < 6.4?): the mergeable cadence not checked");
	}
	merger_stop(&m);
	/* Gone: the kept descriptors say so, whatever the pid becomes. */
	CHECK_I64(procfs_proc_cheap_kept(p, m.pid, &k), -ESRCH);
	procfs_set_slow_interval(p, 5);
}

/* The merging daemon's thread (or, without one, this process): ticks never go back. */
static void test_task_ticks(struct procfs *p)
{
	pid_t t = procfs_find_thread(p, "ksmd");
	if (t <= 0)
		t = getpid();
	int64_t a = procfs_task_ticks(p, t);
	CHECK(a >= 0);
	for (volatile long i = 0; i < 20000000; i++)
		;
	int64_t b = procfs_task_ticks(p, getpid());
	int64_t c = procfs_task_ticks(p, getpid());
	CHECK(b >= 0 && c >= b);
	CHECK_I64(procfs_task_ticks(p, dead_pid()), VAL_NULL);
	CHECK_I64(procfs_task_ticks(p, 0), VAL_NULL);
}

static void test_proc_self(void)
{
	struct proc_cheap c;
	struct proc_rollup r;
	CHECK_I64(procfs_proc_cheap(getpid(), &c), 0);
	CHECK(c.rss_kb > 0);
	/* ksm_stat is owner-only: ours to read on any 6.1+ kernel */
	if (access("/proc/self/ksm_stat", R_OK) == 0 || access("/proc/self/ksm_merging_pages", R_OK) == 0)
		CHECK(c.ksm_kb >= 0);
	else
		CHECK_I64(c.ksm_kb, VAL_NULL);
	if (access("/proc/self/ksm_stat", R_OK) == 0 && c.merge_any >= 0)
		CHECK_I64(c.merge_any, 0);

	CHECK_I64(procfs_proc_rollup(getpid(), &r), 0);
	CHECK(r.pss_kb > 0);
	CHECK(r.shared_kb >= 0);
	CHECK(r.pss_kb <= c.rss_kb + 1024);

	pid_t dead = dead_pid();
	CHECK(dead > 0);
	CHECK_I64(procfs_proc_cheap(dead, &c), -ESRCH);
	CHECK_I64(c.rss_kb, VAL_NULL);
	CHECK_I64(procfs_proc_rollup(dead, &r), -ESRCH);
	CHECK_I64(r.pss_kb, VAL_NULL);
	CHECK_I64(procfs_proc_cheap(0, &c), -EINVAL);
	CHECK_I64(procfs_proc_rollup(-1, &r), -EINVAL);
}

/* Since 6.4 a process can mark itself whole for merging; ksm_stat says so. */
static void test_merge_any(void)
{
	struct proc_cheap c;
	struct merger m;
	if (merger_start(&m) < 0)
		CHECK_SKIP("no readable /proc/self/ksm_stat (Linux < 6.1?): merge_any not checked");
	else {
		if (merger_mark(&m)) {
			CHECK_I64(procfs_proc_cheap(m.pid, &c), 0);
			CHECK_I64(c.merge_any, 1);
			CHECK(c.ksm_kb >= 0);
		} else {
			CHECK_SKIP("PR_SET_MEMORY_MERGE refused (Linux < 6.4?): merge_any not checked");
		}
		merger_stop(&m);
	}
	CHECK_I64(procfs_proc_cheap(getpid(), &c), 0);
	CHECK_I64(c.merge_any, 0);
}

/* smaps_rollup of another user's process needs ptrace rights: -EACCES;
 * statm stays readable; ksm_stat (0400) turns null rather than an error. */
static int proc_unreadable(pid_t other)
{
	struct proc_cheap c;
	struct proc_rollup r;
	int bad = 0;
	if (procfs_proc_rollup(other, &r) != -EACCES)
		bad |= 1;
	if (procfs_proc_cheap(other, &c) != 0 || c.rss_kb < 0)
		bad |= 2;
	if (c.ksm_kb != VAL_NULL || c.merge_any != -1)
		bad |= 4;
	if (bad)
		fprintf(stderr, "unreadable pid %d: failures %#x\n", (int)other, bad);
	return bad;
}

static void test_proc_unreadable(void)
{
	if (geteuid() != 0) {
		/* pid 1 belongs to root */
		if (getuid() != 0)
			CHECK_I64(proc_unreadable(1), 0);
		return;
	}
	/* as root: a child drops to nobody and looks at this (root) process */
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid == 0) {
		if (setgid(65534) < 0 || setuid(65534) < 0)
			_exit(2);
		_exit(proc_unreadable(parent));
	}
	int status = -1;
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status));
	CHECK_I64(WEXITSTATUS(status), 0);
}

static void test_host(struct procfs *p)
{
	struct host_figs h;
	memset(&h, 0, sizeof(h));
	CHECK_I64(procfs_host(p, &h), 0);
	CHECK(h.mem_total_kb > 0);
	CHECK(h.mem_avail_kb > 0);
	CHECK(h.mem_used_kb > 0);
	CHECK(h.mem_total_kb > h.mem_used_kb);
	CHECK_I64(h.mem_used_kb, h.mem_total_kb - h.mem_avail_kb);
	CHECK(h.cpu_total_ticks > 0);
	CHECK(h.cpu_busy_ticks <= h.cpu_total_ticks);
	CHECK(h.uptime_s > 0);

	/* the same contexts serve the next sample; counters never go back */
	struct host_figs h2;
	memset(&h2, 0, sizeof(h2));
	usleep(20000);
	CHECK_I64(procfs_host(p, &h2), 0);
	CHECK(h2.mem_total_kb == h.mem_total_kb);
	CHECK(h2.cpu_total_ticks >= h.cpu_total_ticks);
	CHECK(h2.cpu_busy_ticks >= h.cpu_busy_ticks);
	CHECK(h2.uptime_s >= h.uptime_s);
}

static void test_threads(struct procfs *p)
{
	char comm[32] = "";
	int fd = open("/proc/self/comm", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t n = read(fd, comm, sizeof(comm) - 1);
		comm[n > 0 ? n - 1 : 0] = '\0';
		close(fd);
	}
	CHECK(procfs_hz() > 0);
	CHECK_I64(procfs_find_thread(p, "no-such-thread"), 0);
	CHECK_I64(procfs_find_thread(p, ""), 0);
	/* only kernel threads: this test has a name but is no kthread */
	CHECK(comm[0] != '\0');
	CHECK_I64(procfs_find_thread(p, comm), 0);

	if (access("/sys/kernel/mm/ksm/run", F_OK) == 0) {
		pid_t ksmd = procfs_find_thread(p, "ksmd");
		CHECK(ksmd > 0);
		CHECK(procfs_task_ticks(p, ksmd) >= 0);
	}
	/* burn CPU until a tick shows, for at most ~2 s */
	int64_t t1 = procfs_task_ticks(p, getpid()), t2 = t1;
	CHECK(t1 >= 0);
	for (int round = 0; round < 200 && t2 == t1; round++) {
		for (volatile long i = 0; i < 1000000; i++)
			;
		t2 = procfs_task_ticks(p, getpid());
	}
	CHECK(t2 > t1);
	CHECK_I64(procfs_task_ticks(p, dead_pid()), VAL_NULL);
	CHECK_I64(procfs_task_ticks(p, 0), VAL_NULL);
}

int main(void)
{
	char err[256] = "";
	test_parse_rollup();
	test_parse_ksm_stat();
	test_proc_self();
	test_merge_any();
	test_proc_unreadable();

	struct procfs *p = procfs_open(err, sizeof(err));
	CHECK(p != NULL);
	if (!p) {
		fprintf(stderr, "procfs_open: %s\n", err);
		return check_done();
	}
	test_host(p);
	test_threads(p);
	test_parse_stat_ticks();
	test_kept(p);
	test_task_ticks(p);
	procfs_close(p);
	return check_done();
}

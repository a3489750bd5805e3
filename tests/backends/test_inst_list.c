/* test_inst_list.c - the instance backends' shared helpers (cgroup location, pid sets, rows); with --list, prints the real backends' rows. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../check.h"
#include "cgroup.h"
#include "inst.h"

/* This machine's shape: cgroup v1 controllers plus the unified hierarchy beside them. */
static const char *MI_HYBRID =
	"25 1 0:22 / /sys/fs/cgroup ro,nosuid - tmpfs tmpfs ro,mode=755\n"
	"26 25 0:23 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n"
	"27 25 0:24 / /sys/fs/cgroup/cpu,cpuacct rw,relatime shared:9 - cgroup cgroup rw,cpu,cpuacct\n"
	"28 25 0:25 / /sys/fs/cgroup/memory rw,relatime shared:10 - cgroup cgroup rw,memory\n";

static const char *MI_V2 =
	"30 1 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate\n";

static void test_locate_hybrid(void)
{
	struct cgroup_loc loc;
	const char *anchors[] = { "lxc.payload.c1", "lxc/c1", NULL };
	const char *cg = "4:memory:/lxc.payload.c1\n2:cpu,cpuacct:/lxc.payload.c1\n0::/lxc.payload.c1\n";
	CHECK_I64(cgroup_locate_text(cg, MI_HYBRID, anchors, &loc), 0);
	CHECK_STR(loc.dir, "/sys/fs/cgroup/memory/lxc.payload.c1");
	CHECK_STR(loc.mem_file, "/sys/fs/cgroup/memory/lxc.payload.c1/memory.usage_in_bytes");
	CHECK_I64(loc.v2, 0);
	/* Processes from the unified hierarchy (re-readable through one descriptor);
	 * no v1 freezer is mounted here, so the unified cgroup.events tells. */
	CHECK_STR(loc.procs_dir, "/sys/fs/cgroup/unified/lxc.payload.c1");
	CHECK_I64(loc.procs_v2, 1);
	CHECK_STR(loc.freezer_file, "/sys/fs/cgroup/unified/lxc.payload.c1/cgroup.events");
}

/* With a v1 freezer mounted it is the freezer LXC uses; a unified path outside the
 * container (LXC that does not place it there) must not name the process set. */
static void test_locate_freezer_and_foreign_unified(void)
{
	char mi[1024];
	snprintf(mi, sizeof(mi), "%s%s", MI_HYBRID,
		 "29 25 0:26 / /sys/fs/cgroup/freezer rw,relatime shared:11 - cgroup cgroup rw,freezer\n");
	struct cgroup_loc loc;
	const char *anchors[] = { "lxc.payload.c1", NULL };
	const char *cg = "6:freezer:/lxc.payload.c1\n4:memory:/lxc.payload.c1\n0::/lxc.payload.c1\n";
	CHECK_I64(cgroup_locate_text(cg, mi, anchors, &loc), 0);
	CHECK_STR(loc.freezer_file, "/sys/fs/cgroup/freezer/lxc.payload.c1/freezer.state");
	CHECK_STR(loc.procs_dir, "/sys/fs/cgroup/unified/lxc.payload.c1");
	const char *foreign = "6:freezer:/lxc.payload.c1\n4:memory:/lxc.payload.c1\n0::/\n";
	CHECK_I64(cgroup_locate_text(foreign, mi, anchors, &loc), 0);
	CHECK_STR(loc.procs_dir, "/sys/fs/cgroup/memory/lxc.payload.c1");
	CHECK_I64(loc.procs_v2, 0);
	const char *elsewhere = "4:memory:/lxc.payload.c1\n0::/user.slice/session-1.scope\n";
	CHECK_I64(cgroup_locate_text(elsewhere, MI_HYBRID, anchors, &loc), 0);
	CHECK_STR(loc.procs_dir, "/sys/fs/cgroup/memory/lxc.payload.c1");
	CHECK_I64(loc.procs_v2, 0);
}

static void test_parse_freezer(void)
{
	CHECK_STR(cgroup_parse_freezer("THAWED\n"), "RUNNING");
	CHECK_STR(cgroup_parse_freezer("FREEZING\n"), "FREEZING");
	CHECK_STR(cgroup_parse_freezer("FROZEN\n"), "FROZEN");
	CHECK_STR(cgroup_parse_freezer("populated 1\nfrozen 1\n"), "FROZEN");
	CHECK_STR(cgroup_parse_freezer("populated 1\nfrozen 0\n"), "RUNNING");
	CHECK(cgroup_parse_freezer("populated 1\n") == NULL);
	CHECK(cgroup_parse_freezer("populated 0\nfrozen x\n") == NULL);
	CHECK(cgroup_parse_freezer("") == NULL);
}

/* systemd inside a container moves init to init.scope: the anchor still names the container. */
static void test_locate_nested(void)
{
	struct cgroup_loc loc;
	const char *anchors[] = { "lxc.payload.c1", NULL };
	const char *cg = "4:memory:/lxc.payload.c1/init.scope\n0::/lxc.payload.c1/init.scope\n";
	CHECK_I64(cgroup_locate_text(cg, MI_HYBRID, anchors, &loc), 0);
	CHECK_STR(loc.dir, "/sys/fs/cgroup/memory/lxc.payload.c1");
	/* Without an anchor the process's own cgroup is taken. */
	CHECK_I64(cgroup_locate_text(cg, MI_HYBRID, NULL, &loc), 0);
	CHECK_STR(loc.dir, "/sys/fs/cgroup/memory/lxc.payload.c1/init.scope");
}

static void test_locate_v2(void)
{
	struct cgroup_loc loc;
	const char *anchors[] = { "lxc.payload.web", NULL };
	const char *cg = "0::/lxc.payload.web/system.slice/cron.service\n";
	CHECK_I64(cgroup_locate_text(cg, MI_V2, anchors, &loc), 0);
	CHECK_STR(loc.dir, "/sys/fs/cgroup/lxc.payload.web");
	CHECK_STR(loc.mem_file, "/sys/fs/cgroup/lxc.payload.web/memory.current");
	CHECK_I64(loc.v2, 1);
	CHECK_STR(loc.procs_dir, "/sys/fs/cgroup/lxc.payload.web");
	CHECK_I64(loc.procs_v2, 1);
	CHECK_STR(loc.freezer_file, "/sys/fs/cgroup/lxc.payload.web/cgroup.events");
	/* The root cgroup is the mount itself. */
	CHECK_I64(cgroup_locate_text("0::/\n", MI_V2, NULL, &loc), 0);
	CHECK_STR(loc.dir, "/sys/fs/cgroup");
	CHECK_STR(loc.freezer_file, ""); /* the root cgroup has no cgroup.events */
}

static void test_locate_legacy_and_prefix(void)
{
	struct cgroup_loc loc;
	const char *anchors[] = { "lxc.payload.c1", "lxc/c1", NULL };
	CHECK_I64(cgroup_locate_text("3:memory:/lxc/c1/sub\n", MI_HYBRID, anchors, &loc), 0);
	CHECK_STR(loc.dir, "/sys/fs/cgroup/memory/lxc/c1");
	/* c1 must not match c10. */
	CHECK_I64(cgroup_locate_text("3:memory:/lxc.payload.c10/x\n", MI_HYBRID, anchors, &loc), 0);
	CHECK_STR(loc.dir, "/sys/fs/cgroup/memory/lxc.payload.c10/x");
}

static void test_locate_mount_root_and_escape(void)
{
	struct cgroup_loc loc;
	const char *mi = "40 1 0:30 /outer /sys/fs/cgroup/my\\040mem rw - cgroup cgroup rw,memory\n";
	CHECK_I64(cgroup_locate_text("7:memory:/outer/inner\n", mi, NULL, &loc), 0);
	CHECK_STR(loc.dir, "/sys/fs/cgroup/my mem/inner");
}

static void test_locate_missing(void)
{
	struct cgroup_loc loc;
	/* A v1 memory path with no v1 memory mount falls back to the unified one. */
	CHECK_I64(cgroup_locate_text("4:memory:/a\n0::/b\n", MI_V2, NULL, &loc), 0);
	CHECK_STR(loc.dir, "/sys/fs/cgroup/b");
	CHECK_I64(cgroup_locate_text("4:memory:/a\n", MI_V2, NULL, &loc), -ENOENT);
	CHECK_I64(cgroup_locate_text("", MI_HYBRID, NULL, &loc), -ENOENT);
}

static void put(const char *dir, const char *sub, const char *text)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	FILE *f = fopen(path, "w");
	CHECK(f != NULL);
	if (!f)
		return;
	fputs(text, f);
	fclose(f);
}

static void sub_mkdir(const char *dir, const char *sub)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	CHECK(mkdir(path, 0755) == 0);
}

static void test_read_pids(void)
{
	char tmpl[] = "/tmp/test_inst_list.XXXXXX";
	char *dir = mkdtemp(tmpl);
	CHECK(dir != NULL);
	if (!dir)
		return;
	/* v1 may repeat a tgid; nested cgroups hold the rest of the container. */
	put(dir, "cgroup.procs", "5\n3\n5\n");
	put(dir, "memory.usage_in_bytes", "1048576\n");
	sub_mkdir(dir, "a");
	put(dir, "a/cgroup.procs", "7\n");
	sub_mkdir(dir, "a/b");
	put(dir, "a/b/cgroup.procs", "");
	sub_mkdir(dir, "c");
	put(dir, "c/cgroup.procs", "1\n");
	sub_mkdir(dir, "d"); /* a child that vanished: no cgroup.procs */

	pid_t *pids = NULL;
	size_t n = 0;
	CHECK_I64(cgroup_read_pids(dir, &pids, &n), 0);
	CHECK_I64(n, 4);
	if (n == 4) {
		CHECK_I64(pids[0], 1);
		CHECK_I64(pids[1], 3);
		CHECK_I64(pids[2], 5);
		CHECK_I64(pids[3], 7);
	}
	free(pids);

	char sub[PATH_MAX];
	snprintf(sub, sizeof(sub), "%s/a/b", dir);
	CHECK_I64(cgroup_read_pids(sub, &pids, &n), 0);
	CHECK_I64(n, 0);
	CHECK(pids == NULL);
	snprintf(sub, sizeof(sub), "%s/nonexistent", dir);
	CHECK(cgroup_read_pids(sub, &pids, &n) < 0);

	struct cgroup_loc loc = { 0 };
	snprintf(loc.mem_file, sizeof(loc.mem_file), "%s/memory.usage_in_bytes", dir);
	CHECK_I64(cgroup_mem_kb(&loc), 1024);
	snprintf(loc.mem_file, sizeof(loc.mem_file), "%s/memory.current", dir);
	CHECK_I64(cgroup_mem_kb(&loc), VAL_NULL);
	loc.mem_file[0] = '\0';
	CHECK_I64(cgroup_mem_kb(&loc), VAL_NULL);

	/* Kept descriptors: the same answers, and a changed file is read afresh. */
	char cmd[3 * PATH_MAX + 32];
	struct cgroup_kept k;
	cgroup_kept_init(&k, NULL);
	k.procs_dir = strdup(dir);
	k.procs_v2 = 1;
	snprintf(sub, sizeof(sub), "%s/memory.usage_in_bytes", dir);
	k.mem_file = strdup(sub);
	snprintf(sub, sizeof(sub), "%s/freezer.state", dir);
	k.freezer_file = strdup(sub);
	put(dir, "freezer.state", "THAWED\n");
	CHECK_I64(cgroup_kept_pids(&k, &pids, &n), 0);
	CHECK_I64(n, 4);
	free(pids);
	CHECK_I64(cgroup_kept_mem_kb(&k), 1024);
	CHECK_STR(cgroup_kept_freezer(&k), "RUNNING");
	CHECK(k.procs_fd >= 0 && k.mem_fd >= 0 && k.frz_fd >= 0);
	put(dir, "cgroup.procs", "9\n5\n");      /* rewritten in place: the kept descriptor sees it */
	put(dir, "memory.usage_in_bytes", "2097152\n");
	put(dir, "freezer.state", "FROZEN\n");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s/a' '%s/c' '%s/d'", dir, dir, dir);
	CHECK(system(cmd) == 0);
	CHECK_I64(cgroup_kept_pids(&k, &pids, &n), 0);
	CHECK_I64(n, 2);
	if (n == 2) {
		CHECK_I64(pids[0], 5);
		CHECK_I64(pids[1], 9);
	}
	free(pids);
	CHECK_I64(cgroup_kept_mem_kb(&k), 2048);
	CHECK_STR(cgroup_kept_freezer(&k), "FROZEN");
	put(dir, "freezer.state", "nonsense\n");
	CHECK(cgroup_kept_freezer(&k) == NULL);
	CHECK_I64(k.frz_fd, -1);
	cgroup_kept_close(&k);
	CHECK(k.procs_dir == NULL && k.procs_fd == -1 && k.mem_fd == -1);
	CHECK(cgroup_kept_pids(&k, &pids, &n) < 0);
	CHECK_I64(cgroup_kept_mem_kb(&k), VAL_NULL);
	CHECK(cgroup_kept_freezer(&k) == NULL);

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	CHECK(system(cmd) == 0);
}

/* Overwrite a file's first bytes through a shared mapping: the contents change
 * without the write(2) inotify reports, so what a watched reader gives after
 * it shows whether it read the file again. */
static void put_unseen(const char *dir, const char *sub, const char *text)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	int fd = open(path, O_RDWR);
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	size_t len = strlen(text);
	char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED);
	if (m != MAP_FAILED) {
		memcpy(m, text, len);
		munmap(m, len);
	}
	close(fd);
}

/* With a watch, the freezer state and the children check are read again only
 * after an event: a write to the freezer file (v1: or an ancestor's), a child
 * cgroup made or removed; FREEZING is read until it settles. */
static void test_kept_watch(void)
{
	char dir[] = "/tmp/uksmtop-watch.XXXXXX", sub[PATH_MAX], cmd[PATH_MAX + 16];
	CHECK(mkdtemp(dir) != NULL);
	sub_mkdir(dir, "cg");
	snprintf(sub, sizeof(sub), "%s/cg", dir);
	put(sub, "cgroup.procs", "7\n");
	put(sub, "freezer.state", "THAWED\n");
	put(dir, "freezer.state", "THAWED\n");     /* an ancestor that can be frozen (v1) */
	struct inst_watch w;
	inst_watch_open(&w);
	CHECK(w.fd >= 0);
	struct cgroup_kept k;
	cgroup_kept_init(&k, &w);
	k.procs_dir = strdup(sub);
	k.procs_v2 = 1;
	snprintf(cmd, sizeof(cmd), "%s/freezer.state", sub);
	k.freezer_file = strdup(cmd);
	pid_t *pids = NULL;
	size_t n = 0;

	inst_watch_poll(&w);
	CHECK_STR(cgroup_kept_freezer(&k), "RUNNING");
	CHECK(k.frz_wd >= 0 && k.frz_watched);
	put_unseen(sub, "freezer.state", "FROZEN\n");
	inst_watch_poll(&w);
	CHECK_STR(cgroup_kept_freezer(&k), "RUNNING");   /* no event: not read again */
	put(sub, "freezer.state", "FROZEN\n");
	inst_watch_poll(&w);
	CHECK_STR(cgroup_kept_freezer(&k), "FROZEN");    /* the write is seen */
	put_unseen(sub, "freezer.state", "THAWED\n");
	put(dir, "freezer.state", "FROZEN\n");           /* an ancestor's write counts too */
	inst_watch_poll(&w);
	CHECK_STR(cgroup_kept_freezer(&k), "RUNNING");
	put(sub, "freezer.state", "FREEZING\n");
	inst_watch_poll(&w);
	CHECK_STR(cgroup_kept_freezer(&k), "FREEZING");
	put_unseen(sub, "freezer.state", "FROZEN\n\n");
	inst_watch_poll(&w);
	CHECK_STR(cgroup_kept_freezer(&k), "FROZEN");    /* FREEZING is read until it settles */

	CHECK_I64(cgroup_kept_pids(&k, &pids, &n), 0);
	CHECK_I64(n, 1);
	free(pids);
	CHECK(k.dir_wd >= 0 && k.dir_kept && k.childless);
	sub_mkdir(sub, "child");                         /* a child cgroup: an event */
	put(sub, "child/cgroup.procs", "8\n");
	inst_watch_poll(&w);
	CHECK_I64(cgroup_kept_pids(&k, &pids, &n), 0);
	CHECK_I64(n, 2);
	free(pids);

	cgroup_kept_close(&k);
	CHECK(k.w == &w && k.frz_wd == -1 && k.dir_wd == -1);
	inst_watch_close(&w);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	CHECK(system(cmd) == 0);
}

/* This process's own cgroup, on whatever this machine has. */
static void test_locate_self(void)
{
	struct cgroup_loc loc;
	int rc = cgroup_locate(getpid(), NULL, &loc);
	if (rc == -ENOENT) {
		CHECK_SKIP("no cgroup mount here: self lookup not checked");
		return;
	}
	CHECK_I64(rc, 0);
	pid_t *pids = NULL;
	size_t n = 0;
	CHECK_I64(cgroup_read_pids(loc.dir, &pids, &n), 0);
	int found = 0;
	for (size_t i = 0; i < n; i++)
		found |= pids[i] == getpid();
	CHECK(found);
	free(pids);
	CHECK_I64(cgroup_locate(-1, NULL, &loc), -ESRCH);
	/* The same through kept descriptors, twice (the second read reuses them). */
	struct cgroup_kept k;
	cgroup_kept_init(&k, NULL);
	CHECK_I64(cgroup_kept_locate(&k, getpid(), NULL), 0);
	for (int round = 0; round < 2; round++) {
		found = 0;
		CHECK_I64(cgroup_kept_pids(&k, &pids, &n), 0);
		for (size_t i = 0; i < n; i++)
			found |= pids[i] == getpid();
		CHECK(found);
		free(pids);
	}
	cgroup_kept_close(&k);
	CHECK_I64(cgroup_kept_locate(&k, -1, NULL), -ESRCH);
	cgroup_kept_close(&k);
}

static void test_rows(void)
{
	struct inst_raw *a = calloc(2, sizeof(*a));
	CHECK(a != NULL);
	if (!a)
		return;
	inst_raw_init(&a[0], INST_LXC, "web");
	CHECK_STR(a[0].inst.name, "web");
	CHECK_STR(a[0].inst.state, "unknown");
	CHECK_I64(a[0].inst.rss_kb, VAL_NULL);
	CHECK_I64(a[0].inst.cgroup_mem_kb, VAL_NULL);
	CHECK_I64(a[0].inst.vcpus, -1);
	CHECK_I64(a[0].inst.mergeable, -1);
	CHECK(isnan(a[0].inst.pss_age_s));
	inst_set_state(&a[0], "RUNNING");
	CHECK_STR(a[0].inst.state, "running");
	inst_set_state(&a[0], "A VERY LONG STATE NAME INDEED");
	CHECK_I64(strlen(a[0].inst.state), sizeof(a[0].inst.state) - 1);
	a[0].pids = malloc(3 * sizeof(pid_t));
	a[0].n_pids = 3;
	inst_raw_init(&a[1], INST_KVM, "g");
	inst_raw_free_array(a, 2);
	inst_raw_free_array(NULL, 0);
}

/* --list BACKEND [N [DELAY]]: print what a real backend lists (a hand driver, not run by make check). */
static double list_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void list_print(const struct inst_raw *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct instance *in = &r[i].inst;
		printf("  %-20s %-10s pid=%-7d vcpus=%-2d mem_cfg_kb=%lld type=%s cgroup_mem_kb=%lld pids:",
		       in->name, in->state, (int)in->pid, in->vcpus,
		       (long long)(val_known(in->mem_cfg_kb) ? in->mem_cfg_kb : -1),
		       in->domain_type[0] ? in->domain_type : "-",
		       (long long)(val_known(in->cgroup_mem_kb) ? in->cgroup_mem_kb : -1));
		for (size_t j = 0; j < r[i].n_pids; j++)
			printf(" %d", (int)r[i].pids[j]);
		printf("\n");
	}
}

static int list_main(int argc, char **argv)
{
	const struct inst_backend_ops *ops = NULL;
#ifdef HAVE_LIBVIRT
	if (strcmp(argv[2], "libvirt") == 0)
		ops = &inst_libvirt_ops;
#endif
#ifdef HAVE_LXC
	if (strcmp(argv[2], "lxc") == 0)
		ops = &inst_lxc_ops;
#endif
	if (!ops) {
		fprintf(stderr, "unknown or unbuilt backend %s\n", argv[2]);
		return 2;
	}
	int loops = argc > 3 ? atoi(argv[3]) : 1;
	double delay = argc > 4 ? atof(argv[4]) : 1.0;
	struct inst_opts o = { getenv("UKSMTOP_CONNECT"), getenv("UKSMTOP_LXCPATH") };
	char err[256] = "";
	void *h = ops->open(&o, err, sizeof(err));
	if (!h) {
		printf("%s: open failed: %s\n", ops->name, err);
		return 1;
	}
	for (int l = 0; l < loops; l++) {
		struct inst_raw *r = NULL;
		size_t n = 0;
		double t0 = list_now();
		int rc = ops->list(h, &r, &n, err, sizeof(err));
		double ms = (list_now() - t0) * 1e3;
		if (rc < 0)
			printf("%s: list failed after %.3f ms: %s\n", ops->name, ms, err);
		else
			printf("%s: %zu rows in %.3f ms\n", ops->name, n, ms);
		list_print(r, n);
		inst_raw_free_array(r, n);
		if (l + 1 < loops)
			usleep((useconds_t)(delay * 1e6));
	}
	ops->close(h);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 2 && strcmp(argv[1], "--list") == 0)
		return list_main(argc, argv);
	test_locate_hybrid();
	test_locate_freezer_and_foreign_unified();
	test_parse_freezer();
	test_locate_nested();
	test_locate_v2();
	test_locate_legacy_and_prefix();
	test_locate_mount_root_and_escape();
	test_locate_missing();
	test_read_pids();
	test_kept_watch();
	test_locate_self();
	test_rows();
	return check_done();
}

/* lxc.c - LXC containers through liblxc: name, state, init pid, and the process set of each container's cgroup. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <lxc/lxccontainer.h>

#include "cgroup.h"
#include "inst.h"

#define LXCB_DEFAULT_PATH "/var/lib/lxc"
#define LXCB_NEW_RETRY_S 10.0   /* a container liblxc could not open is tried again after this */
#define LXCB_SCAN_RETRY_S 1.0   /* /proc is searched for a container's init at most this often */

/* What is kept about one container between samples. The lxc_container object
 * costs a config parse to make, so it lives as long as the container is
 * listed; the cgroup location is looked up again only when init changes. */
struct lxcb_entry {
	char name[INST_NAME_MAX];
	struct lxc_container *c;  /* NULL when liblxc could not make it (no lock dir, say) */
	double new_tried;         /* monotonic time of the last failed lxc_container_new */
	pid_t loc_pid;            /* init pid the location belongs to; 0 none */
	struct cgroup_loc loc;
	int loc_ok;
	int mem_fd;               /* loc.mem_file kept open; -1 none */
	pid_t init;               /* the init liblxc named last, and a pidfd on it; -1 none */
	int init_fd;
	/* Found through /proc when liblxc will not tell (an unprivileged caller). */
	pid_t mon_pid, proc_init;
	double scan_at;
	int active;               /* its monitor's command socket exists */
	int seen;
};

struct lxcb {
	char lxcpath[PATH_MAX];
	int may_control;          /* liblxc can talk to these containers' monitors */
	int root;
	struct lxcb_entry *e;
	size_t n, cap;
	size_t hint;              /* where the next name is likely listed (names come sorted) */
};

static double lxcb_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* liblxc logs its errors to stderr, which would tear through the screen; the
 * rows say what is unknown instead. The log is process-wide and we are its only user. */
static void lxcb_quiet(void)
{
	static int done;
	if (done)
		return;
	struct lxc_log log = { .name = NULL, .lxcpath = NULL, .file = "none",
			       .level = "FATAL", .prefix = "uksmtop", .quiet = true };
	lxc_log_init(&log);
	done = 1;
}

static void *lxcb_open(const struct inst_opts *o, char *err, size_t errlen)
{
	struct lxcb *b = calloc(1, sizeof(*b));
	if (!b) {
		snprintf(err, errlen, "lxc: out of memory");
		return NULL;
	}
	const char *path = o && o->lxcpath && o->lxcpath[0] ? o->lxcpath : NULL;
	/* liblxc owns the string it returns for the global default. */
	if (!path)
		path = lxc_get_global_config_item("lxc.lxcpath");
	snprintf(b->lxcpath, sizeof(b->lxcpath), "%s", path && path[0] ? path : LXCB_DEFAULT_PATH);
	lxcb_quiet();
	/* liblxc's monitors answer root and the owner only, and lxc_container_new
	 * prints to stderr when it cannot make its lock: without write access to
	 * lxcpath, containers are found through /proc instead. */
	b->root = geteuid() == 0;
	b->may_control = b->root || access(b->lxcpath, W_OK) == 0;
	return b;
}

static void lxcb_close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void lxcb_entry_drop(struct lxcb_entry *e)
{
	if (e->c)
		lxc_container_put(e->c);
	e->c = NULL;
	lxcb_close_fd(&e->mem_fd);
	lxcb_close_fd(&e->init_fd);
}

static void lxcb_close(void *h)
{
	struct lxcb *b = h;
	if (!b)
		return;
	for (size_t i = 0; i < b->n; i++)
		lxcb_entry_drop(&b->e[i]);
	free(b->e);
	free(b);
}

static struct lxcb_entry *lxcb_find(struct lxcb *b, const char *name)
{
	for (size_t j = 0; j < b->n; j++) {
		size_t i = (b->hint + j) % b->n;
		if (strcmp(b->e[i].name, name) == 0) {
			b->hint = i + 1;
			return &b->e[i];
		}
	}
	return NULL;
}

static struct lxcb_entry *lxcb_add(struct lxcb *b, const char *name)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 8;
		struct lxcb_entry *e = realloc(b->e, cap * sizeof(*e));
		if (!e)
			return NULL;
		b->e = e;
		b->cap = cap;
	}
	struct lxcb_entry *e = &b->e[b->n++];
	memset(e, 0, sizeof(*e));
	snprintf(e->name, sizeof(e->name), "%s", name);
	e->mem_fd = e->init_fd = -1;
	e->init = -1;
	return e;
}

static void lxcb_container(struct lxcb *b, struct lxcb_entry *e)
{
	if (e->c || !b->may_control)
		return;
	double now = lxcb_now();
	if (e->new_tried && now - e->new_tried < LXCB_NEW_RETRY_S)
		return;
	e->c = lxc_container_new(e->name, b->lxcpath);
	e->new_tried = e->c ? 0 : now;
	/* Only state and init_pid are asked of it, and they need its name and path, not its
	 * parsed config: freeing that keeps ~1 KiB per container instead of ~22 KiB. */
	if (e->c)
		e->c->clear_config(e->c);
}

/* Forget containers no longer listed. */
static void lxcb_prune(struct lxcb *b)
{
	size_t k = 0;
	for (size_t i = 0; i < b->n; i++) {
		if (b->e[i].seen) {
			b->e[k++] = b->e[i];
			continue;
		}
		lxcb_entry_drop(&b->e[i]);
	}
	b->n = k;
}

/* LXC 4+ names the payload cgroup lxc.payload.NAME; older ones lxc/NAME. */
static void lxcb_locate(struct lxcb_entry *e, pid_t init)
{
	char payload[INST_NAME_MAX + 16], legacy[INST_NAME_MAX + 8];
	snprintf(payload, sizeof(payload), "lxc.payload.%s", e->name);
	snprintf(legacy, sizeof(legacy), "lxc/%s", e->name);
	const char *anchors[] = { payload, legacy, NULL };
	lxcb_close_fd(&e->mem_fd);
	e->loc_ok = cgroup_locate(init, anchors, &e->loc) == 0;
	e->loc_pid = init;
}

/* The cgroup's memory through a descriptor kept open: a pread costs a tenth of
 * open, read and close. One that stopped reading is closed and the path read. */
static int64_t lxcb_mem_kb(struct lxcb_entry *e)
{
	if (e->mem_fd < 0 && e->loc.mem_file[0])
		e->mem_fd = open(e->loc.mem_file, O_RDONLY | O_CLOEXEC);
	if (e->mem_fd >= 0) {
		int64_t kb = cgroup_mem_kb_fd(e->mem_fd);
		if (val_known(kb))
			return kb;
		lxcb_close_fd(&e->mem_fd);
	}
	return cgroup_mem_kb(&e->loc);
}

/* The process set: the cgroup's, or just init when the cgroup cannot be read. */
static void lxcb_fill_pids(struct lxcb_entry *e, struct inst_raw *r, pid_t init)
{
	if (e->loc_pid != init || !e->loc_ok)
		lxcb_locate(e, init);
	if (e->loc_ok && cgroup_read_pids(e->loc.dir, &r->pids, &r->n_pids) == 0 && r->n_pids > 0) {
		r->inst.cgroup_mem_kb = lxcb_mem_kb(e);
		return;
	}
	free(r->pids);
	r->pids = malloc(sizeof(*r->pids));
	if (!r->pids) {
		r->n_pids = 0;
		return;
	}
	r->pids[0] = init;
	r->n_pids = 1;
}

static int lxcb_alive(pid_t pid)
{
	return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
}

/* The pid of "[lxc monitor] LXCPATH NAME", or 0. */
static pid_t lxcb_find_monitor(const char *lxcpath, const char *name)
{
	char want[PATH_MAX + INST_NAME_MAX + 32], path[64], buf[PATH_MAX + INST_NAME_MAX + 32];
	snprintf(want, sizeof(want), "[lxc monitor] %s %s", lxcpath, name);
	DIR *d = opendir("/proc");
	if (!d)
		return 0;
	struct dirent *de;
	pid_t found = 0;
	while (!found && (de = readdir(d)) != NULL) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid_t pid = (pid_t)strtol(de->d_name, NULL, 10);
		snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
		if (inst_read_file(path, buf, sizeof(buf)) > 0 && strcmp(buf, want) == 0)
			found = pid;
	}
	closedir(d);
	return found;
}

/* The container's init is the monitor's only child. */
static pid_t lxcb_first_child(pid_t pid)
{
	char path[96], buf[64];
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid, (int)pid);
	if (inst_read_file(path, buf, sizeof(buf)) <= 0)
		return 0;
	long c = strtol(buf, NULL, 10);
	return c > 0 ? (pid_t)c : 0;
}

/* liblxc's monitor answers only root (and the container's owner), so an
 * unprivileged caller finds a running container's init through /proc: the
 * process tree and the cgroup files are readable by everyone. */
static pid_t lxcb_proc_init(struct lxcb *b, struct lxcb_entry *e)
{
	if (lxcb_alive(e->proc_init) && lxcb_alive(e->mon_pid))
		return e->proc_init;
	double now = lxcb_now();
	if (e->scan_at && now - e->scan_at < LXCB_SCAN_RETRY_S)
		return 0;
	e->scan_at = now;
	e->mon_pid = lxcb_find_monitor(b->lxcpath, e->name);
	e->proc_init = e->mon_pid ? lxcb_first_child(e->mon_pid) : 0;
	return e->proc_init;
}

static void lxcb_fill_running(struct lxcb_entry *e, struct inst_raw *r, pid_t init)
{
	r->inst.pid = init;
	lxcb_fill_pids(e, r, init);
	r->inst.nproc = (int)r->n_pids;
}

/* Is the process a pidfd refers to still there (whatever became of its pid)? */
static int lxcb_pidfd_alive(int fd)
{
	return syscall(SYS_pidfd_send_signal, fd, 0, NULL, 0) == 0 || errno == EPERM;
}

/* init_pid, like state, is a round trip to the container's monitor. The container
 * ends when its init does, so while the init named last lives (a pidfd tells, and
 * it cannot be fooled by a reused pid) it is still the container's init. Without
 * pidfds (Linux < 5.3) the monitor is asked every time. */
static pid_t lxcb_init_pid(struct lxcb_entry *e)
{
	if (e->init_fd >= 0 && lxcb_pidfd_alive(e->init_fd))
		return e->init;
	lxcb_close_fd(&e->init_fd);
	e->init = e->c->init_pid(e->c);
	if (e->init > 0)
		e->init_fd = (int)syscall(SYS_pidfd_open, e->init, 0);
	if (e->init_fd < 0)
		e->init_fd = -1;
	return e->init;
}

static void lxcb_fill(struct lxcb *b, struct lxcb_entry *e, struct inst_raw *r)
{
	inst_raw_init(r, INST_LXC, e->name);
	lxcb_container(b, e);
	const char *state = e->c ? e->c->state(e->c) : NULL;
	/* For anyone but root, STOPPED with a live command socket may mean the
	 * monitor would not talk to us (it answers root and the owner). */
	int trusted = state && (strcmp(state, "STOPPED") != 0 || !e->active || b->root);
	if (trusted) {
		inst_set_state(r, state);
		pid_t init = strcmp(state, "STOPPED") ? lxcb_init_pid(e) : -1;
		if (init > 0)
			lxcb_fill_running(e, r, init);
		return;
	}
	if (!e->active) {
		inst_set_state(r, "stopped");
		return;
	}
	pid_t init = lxcb_proc_init(b, e);
	inst_set_state(r, init > 0 ? "running" : "unknown");
	if (init > 0)
		lxcb_fill_running(e, r, init);
}

static void lxcb_free_names(char **names, int n)
{
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static int lxcb_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int lxcb_has(char **names, int n, const char *name)
{
	return n > 0 && bsearch(&name, names, (size_t)n, sizeof(*names), lxcb_name_cmp) != NULL;
}

/* One row per name in defined or active (both sorted, as liblxc returns them). */
static int lxcb_rows(struct lxcb *b, char **def, int nd, char **act, int na, struct inst_raw *rows)
{
	for (size_t i = 0; i < b->n; i++)
		b->e[i].seen = 0;
	int k = 0;
	for (int pass = 0; pass < 2; pass++) {
		char **names = pass ? act : def;
		int cnt = pass ? na : nd;
		for (int i = 0; i < cnt; i++) {
			if (pass && lxcb_has(def, nd, names[i]))
				continue; /* already listed as defined */
			struct lxcb_entry *e = lxcb_find(b, names[i]);
			if (!e)
				e = lxcb_add(b, names[i]);
			if (!e)
				continue;
			e->seen = 1;
			e->active = lxcb_has(act, na, names[i]);
			lxcb_fill(b, e, &rows[k++]);
		}
	}
	lxcb_prune(b);
	return k;
}

static int lxcb_list(void *h, struct inst_raw **out, size_t *n, char *err, size_t errlen)
{
	struct lxcb *b = h;
	char **def = NULL, **act = NULL;
	*out = NULL;
	*n = 0;
	/* Names only: asking liblxc for container objects would re-parse every config per sample.
	 * The defined list needs to read lxcpath; the active one (from /proc/net/unix) does not,
	 * so an unprivileged caller still sees what runs. */
	int nd = list_defined_containers(b->lxcpath, &def, NULL);
	int na = list_active_containers(b->lxcpath, &act, NULL);
	if (nd < 0 && na < 0) {
		snprintf(err, errlen, "lxc: cannot list containers in %s", b->lxcpath);
		return -1;
	}
	nd = nd < 0 ? 0 : nd;
	na = na < 0 ? 0 : na;
	if (nd > 1)
		qsort(def, (size_t)nd, sizeof(*def), lxcb_name_cmp);
	if (na > 1)
		qsort(act, (size_t)na, sizeof(*act), lxcb_name_cmp);
	struct inst_raw *rows = nd + na ? calloc((size_t)(nd + na), sizeof(*rows)) : NULL;
	int k = 0;
	if (rows)
		k = lxcb_rows(b, def, nd, act, na, rows);
	lxcb_free_names(def, nd);
	lxcb_free_names(act, na);
	if (nd + na && !rows) {
		snprintf(err, errlen, "lxc: out of memory");
		return -1;
	}
	*out = rows;
	*n = (size_t)k;
	return 0;
}

const struct inst_backend_ops inst_lxc_ops = {
	.name = "lxc",
	.type = INST_LXC,
	.open = lxcb_open,
	.list = lxcb_list,
	.close = lxcb_close,
};

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
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
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
	struct cgroup_kept cg;
	int loc_ok;
	pid_t init;               /* the init liblxc named last, and a pidfd on it; -1 none */
	int init_fd;
	int init_polled;          /* init_fd is in the backend's epoll set (closed when init exits) */
	int settled;              /* the monitor said RUNNING, FREEZING or FROZEN with init alive */
	/* Found through /proc when liblxc will not tell (an unprivileged caller). */
	pid_t mon_pid, proc_init;
	double scan_at;
	int active;               /* its monitor's command socket exists */
	int seen;
};

/* The defined containers (directories of lxcpath holding a config file) change
 * only when lxcpath's entries or a container's config do; the backend's watch
 * says when, so the directory is read again only then instead of every sample. */
struct lxcb_defined {
	struct inst_watch *w;     /* the backend's; without a descriptor, read lxcpath every sample */
	unsigned gen;             /* w->gen when lxcpath was read last */
	int stale;                /* read lxcpath again at the next sample (a watch was refused) */
	char **names;             /* sorted */
	int n;                    /* -1: lxcpath could not be read */
};

struct lxcb {
	char lxcpath[PATH_MAX];
	int may_control;          /* liblxc can talk to these containers' monitors */
	int root;
	struct lxcb_defined def;
	int epfd;                 /* epoll over the inits' pidfds: one call finds which exited */
	struct inst_watch watch;  /* lxcpath, and every container's freezer and child cgroups */
	char **act;               /* the running names found last (sorted), and how many */
	int na;
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
	inst_watch_open(&b->watch);
	b->def.w = &b->watch;
	b->def.stale = 1;
	b->epfd = epoll_create1(EPOLL_CLOEXEC);
	b->na = -1;
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
	cgroup_kept_close(&e->cg);
	lxcb_close_fd(&e->init_fd);
	e->init_polled = 0;
}

static void lxcb_free_names(char **names, int n)
{
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static void lxcb_close(void *h)
{
	struct lxcb *b = h;
	if (!b)
		return;
	for (size_t i = 0; i < b->n; i++)
		lxcb_entry_drop(&b->e[i]);
	free(b->e);
	lxcb_free_names(b->def.names, b->def.n);
	lxcb_free_names(b->act, b->na);
	lxcb_close_fd(&b->epfd);
	inst_watch_close(&b->watch);
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
	cgroup_kept_init(&e->cg, &b->watch);
	e->init_fd = -1;
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
	e->loc_ok = cgroup_kept_locate(&e->cg, init, anchors) == 0;
	e->loc_pid = init;
}

/* The process set: the cgroup's, or just init when the cgroup cannot be read. */
static void lxcb_fill_pids(struct lxcb_entry *e, struct inst_raw *r, pid_t init)
{
	if (e->loc_pid != init || !e->loc_ok)
		lxcb_locate(e, init);
	if (e->loc_ok && cgroup_kept_pids(&e->cg, &r->pids, &r->n_pids) == 0 && r->n_pids > 0) {
		r->inst.cgroup_mem_kb = cgroup_kept_mem_kb(&e->cg);
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

/* Does the init named last live? An init in the epoll set is known to until
 * lxcb_reap says otherwise (it closes the pidfd); any other is asked. */
static int lxcb_init_alive(const struct lxcb_entry *e)
{
	return e->init_fd >= 0 && (e->init_polled || lxcb_pidfd_alive(e->init_fd));
}

/* A pidfd turns readable when its process exits: close the pidfds of the inits
 * that did (which also takes them out of the set). One epoll_wait per sample
 * instead of a signal probe per container. */
static void lxcb_reap(struct lxcb *b)
{
	struct epoll_event ev[64];
	int n;
	if (b->epfd < 0)
		return;
	do {
		n = epoll_wait(b->epfd, ev, 64, 0);
		for (int i = 0; i < n; i++) {
			size_t j = 0;
			while (j < b->n && b->e[j].init_fd != ev[i].data.fd)
				j++;
			if (j < b->n) {
				lxcb_close_fd(&b->e[j].init_fd);
				b->e[j].init_polled = 0;
			} else {
				/* No entry's (cannot happen while the set holds only our
				 * open pidfds): drop it rather than hear of it again. */
				epoll_ctl(b->epfd, EPOLL_CTL_DEL, ev[i].data.fd, NULL);
			}
		}
	} while (n == 64);
}

/* init_pid, like state, is a round trip to the container's monitor. The container
 * ends when its init does, so while the init named last lives (a pidfd tells, and
 * it cannot be fooled by a reused pid) it is still the container's init. Without
 * pidfds (Linux < 5.3) the monitor is asked every time. */
static pid_t lxcb_init_pid(struct lxcb *b, struct lxcb_entry *e)
{
	if (lxcb_init_alive(e))
		return e->init;
	lxcb_close_fd(&e->init_fd);
	e->init_polled = 0;
	e->init = e->c->init_pid(e->c);
	if (e->init > 0)
		e->init_fd = (int)syscall(SYS_pidfd_open, e->init, 0);
	if (e->init_fd < 0) {
		e->init_fd = -1;
		return e->init;
	}
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = e->init_fd };
	e->init_polled = b->epfd >= 0 && epoll_ctl(b->epfd, EPOLL_CTL_ADD, e->init_fd, &ev) == 0;
	return e->init;
}

/* state(), like init_pid, is a round trip to the container's monitor: with 100
 * containers a third of a sample's CPU. Once the monitor said the container
 * runs, it keeps running while the init it named lives and the monitor is up;
 * only the freezer can change its state meanwhile, and the cgroup's freezer
 * file (kept open) tells that. Returns the state, or NULL when the monitor
 * must be asked. */
static const char *lxcb_known_state(struct lxcb_entry *e)
{
	if (!e->settled || !e->active || !e->loc_ok || e->loc_pid != e->init || !lxcb_init_alive(e))
		return NULL;
	return cgroup_kept_freezer(&e->cg);
}

static int lxcb_settled(const char *state)
{
	return strcmp(state, "RUNNING") == 0 || strcmp(state, "FREEZING") == 0 ||
	       strcmp(state, "FROZEN") == 0;
}

static void lxcb_fill(struct lxcb *b, struct lxcb_entry *e, struct inst_raw *r)
{
	inst_raw_init(r, INST_LXC, e->name);
	const char *known = lxcb_known_state(e);
	if (known) {
		inst_set_state(r, known);
		lxcb_fill_running(e, r, e->init);
		return;
	}
	e->settled = 0;
	/* Without its command socket there is no monitor: the container is stopped
	 * (state() would find the same socket missing). */
	if (!e->active) {
		inst_set_state(r, "stopped");
		return;
	}
	lxcb_container(b, e);
	const char *state = e->c ? e->c->state(e->c) : NULL;
	/* For anyone but root, STOPPED with a live command socket may mean the
	 * monitor would not talk to us (it answers root and the owner). */
	int trusted = state && (strcmp(state, "STOPPED") != 0 || b->root);
	if (trusted) {
		inst_set_state(r, state);
		pid_t init = strcmp(state, "STOPPED") ? lxcb_init_pid(b, e) : -1;
		if (init > 0) {
			lxcb_fill_running(e, r, init);
			e->settled = lxcb_settled(state) && e->loc_ok && e->loc_pid == init;
		}
		return;
	}
	pid_t init = lxcb_proc_init(b, e);
	inst_set_state(r, init > 0 ? "running" : "unknown");
	if (init > 0)
		lxcb_fill_running(e, r, init);
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

/* Sort names unless they already are (liblxc returns them sorted). */
static void lxcb_sort(char **names, int n)
{
	for (int i = 1; i < n; i++) {
		if (strcmp(names[i - 1], names[i]) > 0) {
			qsort(names, (size_t)n, sizeof(*names), lxcb_name_cmp);
			return;
		}
	}
}

#define LXCB_DIR_EVENTS (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_ONLYDIR)

/* Is lxcpath/NAME a container: a directory with a config file? Its directory
 * is watched first, so a config written after the look is still noticed. */
static int lxcb_def_entry(struct lxcb_defined *d, int dfd, const char *dir, const char *name)
{
	char path[PATH_MAX + INST_NAME_MAX + 16];
	int w = snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (w < 0 || (size_t)w >= sizeof(path))
		return 0;
	if (d->w->fd >= 0 && inst_watch_add(d->w, path, LXCB_DIR_EVENTS) < 0 && errno != ENOTDIR &&
	    errno != ENOENT)
		d->stale = 1; /* out of watches: read lxcpath every sample */
	snprintf(path, sizeof(path), "%s/config", name);
	struct stat st;
	return fstatat(dfd, path, &st, 0) == 0;
}

/* Read lxcpath as liblxc's list_defined_containers does (entries not starting
 * with a dot that hold a config file), watching it and its directories. */
static int lxcb_def_read(struct lxcb_defined *d, const char *lxcpath, char ***out)
{
	*out = NULL;
	d->stale = 0;
	d->gen = d->w->gen;
	if (inst_watch_add(d->w, lxcpath, LXCB_DIR_EVENTS | IN_DELETE_SELF | IN_MOVE_SELF) < 0)
		d->stale = 1;
	DIR *dir = opendir(lxcpath);
	if (!dir) {
		d->stale = 1;
		return -1;
	}
	char **names = NULL;
	int n = 0, cap = 0;
	struct dirent *de;
	while ((de = readdir(dir)) != NULL) {
		if (de->d_name[0] == '.' || !lxcb_def_entry(d, dirfd(dir), lxcpath, de->d_name))
			continue;
		if (n == cap) {
			int ncap = cap ? cap * 2 : 16;
			char **bigger = realloc(names, (size_t)ncap * sizeof(*names));
			if (!bigger)
				break;
			names = bigger;
			cap = ncap;
		}
		if (!(names[n] = strdup(de->d_name)))
			break;
		n++;
	}
	closedir(dir);
	if (de) { /* out of memory on the way: try again next time */
		lxcb_free_names(names, n);
		d->stale = 1;
		return -1;
	}
	if (n > 1)
		qsort(names, (size_t)n, sizeof(*names), lxcb_name_cmp);
	*out = names;
	return n;
}

/* The name in one /proc/net/unix line when its socket is the command socket
 * of a container of lxcpath ("@LXCPATH/NAME/command"); NULL otherwise. A
 * hashed name ("@lxc/HASH/command", for paths too long for a socket address)
 * sets *hashed: only liblxc can tell whose it is. */
static const char *lxcb_unix_name(char *line, const char *lxcpath, size_t plen, int *hashed)
{
	char *at = strchr(line, '@');
	if (!at)
		return NULL;
	char *end = at + strcspn(at, "\n");
	*end = '\0';
	size_t len = (size_t)(end - at);
	if (len < 9 || strcmp(end - 8, "/command") != 0)
		return NULL;
	end[-8] = '\0';
	if (strncmp(at + 1, "lxc/", 4) == 0)
		*hashed = 1;
	/* Whoever started the container may have spelt lxcpath with more slashes. */
	if (strncmp(at + 1, lxcpath, plen) != 0 || at[1 + plen] != '/')
		return NULL;
	const char *name = at + 1 + plen;
	while (*name == '/')
		name++;
	return name[0] && !strchr(name, '/') ? name : NULL;
}

/* The running containers of lxcpath: those whose monitor's command socket is
 * listed in /proc/net/unix, as liblxc's list_active_containers finds them, in
 * one read of the file instead of a line at a time through stdio. A hashed
 * socket name hands the search over to liblxc. */
static int lxcb_active_names(struct lxcb *b, char ***out)
{
	*out = NULL;
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);
	int fd = buf ? open("/proc/net/unix", O_RDONLY | O_CLOEXEC) : -1;
	for (ssize_t r = 1; fd >= 0 && r > 0;) {
		if (len + 1 == cap) {
			char *bigger = realloc(buf, cap * 2);
			if (!bigger)
				break;
			buf = bigger;
			cap *= 2;
		}
		r = read(fd, buf + len, cap - 1 - len);
		if (r < 0 && errno == EINTR)
			r = 1;
		else if (r > 0)
			len += (size_t)r;
	}
	if (fd < 0) {
		free(buf);
		return list_active_containers(b->lxcpath, out, NULL);
	}
	close(fd);
	buf[len] = '\0';
	size_t plen = strlen(b->lxcpath);
	while (plen > 1 && b->lxcpath[plen - 1] == '/')
		plen--;
	char **names = NULL;
	int n = 0, cap_n = 0, hashed = 0;
	for (char *line = buf; line && *line && !hashed;) {
		char *next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		const char *name = lxcb_unix_name(line, b->lxcpath, plen, &hashed);
		line = next;
		if (!name)
			continue;
		if (n == cap_n) {
			cap_n = cap_n ? cap_n * 2 : 16;
			char **bigger = realloc(names, (size_t)cap_n * sizeof(*names));
			if (!bigger)
				break;
			names = bigger;
		}
		if (!(names[n] = strdup(name)))
			break;
		n++;
	}
	free(buf);
	if (hashed) {
		lxcb_free_names(names, n);
		return list_active_containers(b->lxcpath, out, NULL);
	}
	/* A listening socket and the ones it accepted share its name. */
	if (n > 1)
		qsort(names, (size_t)n, sizeof(*names), lxcb_name_cmp);
	int u = n ? 1 : 0;
	for (int i = 1; i < n; i++) {
		if (strcmp(names[i], names[u - 1]) == 0)
			free(names[i]);
		else
			names[u++] = names[i];
	}
	*out = names;
	return u;
}

/* The defined names, read again only when they may have changed (*fresh then):
 * an event in the watch (an entry of lxcpath came or went, a container's config
 * did, a watch went away with its directory, the queue overflowed; or one of the
 * containers' cgroups changed, rare enough to read lxcpath again for). */
static int lxcb_defined_names(struct lxcb *b, char ***names, int *fresh)
{
	struct lxcb_defined *d = &b->def;
	*fresh = d->w->fd < 0 || d->stale || d->gen != d->w->gen;
	if (*fresh) {
		lxcb_free_names(d->names, d->n);
		d->n = lxcb_def_read(d, b->lxcpath, &d->names);
	}
	*names = d->names;
	return d->n;
}

/* Can the running names found last stand without reading /proc/net/unix? Yes
 * while the defined list is unchanged and every container listed last runs
 * settled with its init alive: a command socket lives as long as its
 * monitor, which outlives the init it waits for. A container that was not
 * running, or whose init exited, needs the socket list to tell what it is now. */
static int lxcb_active_still(const struct lxcb *b, int def_fresh)
{
	if (def_fresh || b->epfd < 0 || b->na < 0 || b->n == 0)
		return 0;
	for (size_t i = 0; i < b->n; i++) {
		const struct lxcb_entry *e = &b->e[i];
		if (!e->settled || !e->active || !e->init_polled)
			return 0;
	}
	return 1;
}

/* The running names: those found last when they still stand, else found again. */
static int lxcb_running_names(struct lxcb *b, int def_fresh, char ***names)
{
	if (!lxcb_active_still(b, def_fresh)) {
		lxcb_free_names(b->act, b->na);
		b->na = lxcb_active_names(b, &b->act);
		if (b->na > 0)
			lxcb_sort(b->act, b->na);
	}
	*names = b->act;
	return b->na;
}

static int lxcb_list(void *h, struct inst_raw **out, size_t *n, char *err, size_t errlen)
{
	struct lxcb *b = h;
	char **def = NULL, **act = NULL;
	int def_fresh;
	*out = NULL;
	*n = 0;
	/* Names only: asking liblxc for container objects would re-parse every config per sample.
	 * The defined list needs to read lxcpath; the active one (from /proc/net/unix) does not,
	 * so an unprivileged caller still sees what runs. */
	inst_watch_poll(&b->watch);
	int nd = lxcb_defined_names(b, &def, &def_fresh);
	lxcb_reap(b);
	int na = lxcb_running_names(b, def_fresh, &act);
	if (nd < 0 && na < 0) {
		snprintf(err, errlen, "lxc: cannot list containers in %s", b->lxcpath);
		return -1;
	}
	nd = nd < 0 ? 0 : nd;
	na = na < 0 ? 0 : na;
	struct inst_raw *rows = nd + na ? calloc((size_t)(nd + na), sizeof(*rows)) : NULL;
	int k = 0;
	if (rows)
		k = lxcb_rows(b, def, nd, act, na, rows);
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

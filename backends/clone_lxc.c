/* clone_lxc.c - LXC clones through liblxc: snapshot (else copy) of a stopped container, own MAC and address, a mark file, started from a process that may set PR_SET_MEMORY_MERGE. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <lxc/lxccontainer.h>

#include "../core/util.h"
#include "clone.h"
#include "procfs.h"

#ifndef PR_SET_MEMORY_MERGE
#define PR_SET_MEMORY_MERGE 67 /* Linux 6.4; older headers lack it */
#endif

#define CLXC_DEFAULT_PATH "/var/lib/lxc"
#define CLXC_MAX_NETS 16

struct clxc {
	char lxcpath[PATH_MAX];
};

/* liblxc logs to stderr unless told otherwise; our messages say what failed.
 * The log is process-wide; a second init (the monitoring backend's) is harmless. */
static void clxc_quiet(void)
{
	static int done;
	if (done)
		return;
	struct lxc_log log = { .name = NULL, .lxcpath = NULL, .file = "none",
			       .level = "FATAL", .prefix = "uksmtop", .quiet = true };
	lxc_log_init(&log);
	done = 1;
}

static void *clxc_open(const struct clone_opts *o, char *err, size_t errlen)
{
	struct clxc *b = calloc(1, sizeof *b);
	if (!b) {
		snprintf(err, errlen, "lxc: out of memory");
		return NULL;
	}
	/* The caller resolved LXC's default (clone_lxcpath) on its own thread. */
	const char *path = o && o->lxcpath && o->lxcpath[0] ? o->lxcpath : CLXC_DEFAULT_PATH;
	snprintf(b->lxcpath, sizeof b->lxcpath, "%s", path);
	clxc_quiet();
	return b;
}

static void clxc_close(void *h)
{
	free(h);
}

/* A config item as a string ("" when unset). */
static void clxc_item(struct lxc_container *c, const char *key, char *buf, size_t len)
{
	buf[0] = '\0';
	if (c->get_config_item(c, key, buf, (int)len) < 0)
		buf[0] = '\0';
	buf[strcspn(buf, "\n")] = '\0'; /* list items: the first */
}

static void clxc_mark_path(const struct clxc *b, const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s/%s", b->lxcpath, name, CLONE_MARK_FILE);
}

static int clxc_is_marked(const struct clxc *b, const char *name)
{
	char p[PATH_MAX + 2 * INST_NAME_MAX];
	clxc_mark_path(b, name, p, sizeof p);
	return access(p, F_OK) == 0;
}

/* "256M", "1G", "1048576" -> KiB; -1 when unset or "max". */
static int64_t clxc_parse_bytes_kb(const char *s)
{
	char *end;
	if (!*s)
		return -1;
	double v = strtod(s, &end);
	if (end == s || v <= 0)
		return -1;
	switch (*end) {
	case 'k': case 'K': v *= 1024; break;
	case 'm': case 'M': v *= 1024.0 * 1024; break;
	case 'g': case 'G': v *= 1024.0 * 1024 * 1024; break;
	case '\0': break;
	default: return -1;
	}
	return (int64_t)(v / 1024.0);
}

/* The clone's memory: the source's configured limit, else a stated estimate
 * (a stopped source uses none, and clones are made only from stopped ones). */
static void clxc_memory(struct lxc_container *c, struct clone_facts *f)
{
	static const char *const keys[] = { "lxc.cgroup2.memory.max", "lxc.cgroup.memory.limit_in_bytes" };
	char v[128];
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		clxc_item(c, keys[i], v, sizeof v);
		int64_t kb = clxc_parse_bytes_kb(v);
		if (kb > 0) {
			f->mem_kb = kb;
			snprintf(f->mem_basis, sizeof f->mem_basis, "%s", keys[i]);
			return;
		}
	}
	f->mem_kb = CLONE_LXC_ESTIMATE_KB;
	f->mem_estimated = 1;
	snprintf(f->mem_basis, sizeof f->mem_basis, "an estimate for a small container");
}

/* The first static IPv4 address among the source's networks. */
static void clxc_static_address(struct lxc_container *c, struct clone_facts *f)
{
	char key[64], v[128];
	for (int i = 0; i < CLXC_MAX_NETS; i++) {
		snprintf(key, sizeof key, "lxc.net.%d.type", i);
		clxc_item(c, key, v, sizeof v);
		if (!v[0])
			return;
		snprintf(key, sizeof key, "lxc.net.%d.ipv4.address", i);
		clxc_item(c, key, v, sizeof v);
		if (!v[0])
			continue;
		char *slash = strchr(v, '/');
		f->src_prefix_len = 24;
		if (slash) {
			*slash = '\0';
			f->src_prefix_len = atoi(slash + 1);
		}
		snprintf(f->src_address, sizeof f->src_address, "%s", v);
		return;
	}
}

static int clxc_check(void *h, const struct template *t, struct clone_facts *f, char *err, size_t errlen)
{
	struct clxc *b = h;
	memset(f, 0, sizeof *f);
	struct lxc_container *c = lxc_container_new(t->source, b->lxcpath);
	if (!c || !c->is_defined(c)) {
		snprintf(err, errlen, "[template %s] source = '%s': no such LXC container (in %s)", t->name,
			 t->source, b->lxcpath);
		if (c)
			lxc_container_put(c);
		return -1;
	}
	int rc = -1;
	char logfile[PATH_MAX];
	clxc_item(c, "lxc.console.logfile", logfile, sizeof logfile);
	if (clxc_is_marked(b, t->source))
		snprintf(err, errlen, "[template %s] source = '%s': that container is itself a clone made by "
			 "uksmtop (--cleanup would remove it); use the container it was made from", t->name, t->source);
	else if (c->is_running(c))
		snprintf(err, errlen, "[template %s] source = '%s': the container is running; uksmtop clones "
			 "a stopped container (stop it first)", t->name, t->source);
	else if (t->ready == READY_CONSOLE && !logfile[0])
		snprintf(err, errlen, "[template %s] ready = console:%s: the source container has no "
			 "lxc.console.logfile to read", t->name, t->ready_text);
	else
		rc = 0;
	if (rc == 0) {
		clxc_memory(c, f);
		clxc_static_address(c, f);
		if (f->src_address[0] && !t->address[0]) {
			snprintf(err, errlen, "[template %s] address: missing; the source container has the "
				 "static address %s, and each clone needs its own (address = the first clone's)",
				 t->name, f->src_address);
			rc = -1;
		}
	}
	lxc_container_put(c);
	return rc;
}

static int clxc_exists(void *h, const char *name)
{
	struct clxc *b = h;
	char p[PATH_MAX + INST_NAME_MAX];
	/* A directory of that name is taken even when it holds no valid container. */
	snprintf(p, sizeof p, "%s/%s", b->lxcpath, name);
	return access(p, F_OK) == 0;
}

static int clxc_write_mark(const struct clxc *b, const struct template *t, const struct clone_spec *spec,
			   const char *console, char *err, size_t errlen)
{
	char path[PATH_MAX + 2 * INST_NAME_MAX], when[40], text[8192];
	clxc_mark_path(b, spec->name, path, sizeof path);
	util_iso8601(util_now_wall(), when, sizeof when);
	int n = snprintf(text, sizeof text, "# made by uksmtop; uksmtop --cleanup removes this container\n"
			 "template=%s\nsource=%s\nprefix=%s\nindex=%d\ncreated=%s\nconsole=%s\n",
			 t->name, t->source, t->prefix, spec->index, when, console);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, text, (size_t)n) != n) {
		snprintf(err, errlen, "lxc: cannot write %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static int clxc_set(struct lxc_container *c, const char *key, const char *val, char *err, size_t errlen)
{
	/* List items (addresses) append on set: clear first. */
	c->clear_config_item(c, key);
	if (c->set_config_item(c, key, val))
		return 0;
	snprintf(err, errlen, "lxc: cannot set %s = %s", key, val);
	return -1;
}

/* Own MAC on every network. The template's address goes where the source had
 * its static one, else on the first network that can carry one (as a /24). */
static int clxc_network(struct lxc_container *c, const struct clone_facts *f, const struct clone_spec *spec,
			char *err, size_t errlen)
{
	char key[64], v[128];
	int addr_done = !spec->address_static;
	int plen = f->src_address[0] ? f->src_prefix_len : 24;
	for (int i = 0; i < CLXC_MAX_NETS; i++) {
		snprintf(key, sizeof key, "lxc.net.%d.type", i);
		clxc_item(c, key, v, sizeof v);
		if (!v[0])
			break;
		int has_link = strcmp(v, "veth") == 0 || strcmp(v, "macvlan") == 0 || strcmp(v, "ipvlan") == 0;
		if (has_link) {
			char mac[24];
			clone_random_mac("00:16:3e", mac, sizeof mac);
			snprintf(key, sizeof key, "lxc.net.%d.hwaddr", i);
			if (clxc_set(c, key, mac, err, errlen) < 0)
				return -1;
		}
		snprintf(key, sizeof key, "lxc.net.%d.ipv4.address", i);
		clxc_item(c, key, v, sizeof v);
		if (addr_done || (f->src_address[0] ? !v[0] : !has_link))
			continue;
		snprintf(v, sizeof v, "%s/%d", spec->address, plen);
		if (clxc_set(c, key, v, err, errlen) < 0)
			return -1;
		addr_done = 1;
	}
	return 0;
}

/* The clone's console log: its own file beside the source's. */
static void clxc_console_path(struct lxc_container *src, const struct clone_spec *spec, char *out, size_t len)
{
	char v[PATH_MAX];
	out[0] = '\0';
	clxc_item(src, "lxc.console.logfile", v, sizeof v);
	if (!v[0])
		return;
	char *slash = strrchr(v, '/');
	if (slash)
		*slash = '\0';
	snprintf(out, len, "%s/%s.console.log", slash ? v : ".", spec->name);
}

static int clxc_prepare(void *h, const struct template *t, const struct clone_facts *f, struct clone_spec *spec,
			char *err, size_t errlen)
{
	struct clxc *b = h;
	struct lxc_container *src = lxc_container_new(t->source, b->lxcpath);
	if (!src) {
		snprintf(err, errlen, "lxc: cannot open container %s", t->source);
		return -1;
	}
	/* A snapshot (overlay for a directory) where the backing store allows, else a copy. */
	struct lxc_container *c = src->clone(src, spec->name, b->lxcpath, LXC_CLONE_SNAPSHOT, NULL, NULL, 0, NULL);
	if (!c)
		c = src->clone(src, spec->name, b->lxcpath, 0, NULL, NULL, 0, NULL);
	char console[PATH_MAX];
	clxc_console_path(src, spec, console, sizeof console);
	lxc_container_put(src);
	if (!c) {
		snprintf(err, errlen, "lxc: cannot clone %s to %s (neither snapshot nor copy)", t->source, spec->name);
		return -1;
	}
	/* Marked first: whatever fails next, --cleanup can remove it. */
	int rc = clxc_write_mark(b, t, spec, console, err, errlen);
	if (rc == 0)
		rc = clxc_network(c, f, spec, err, errlen);
	if (rc == 0 && console[0]) {
		unlink(console);
		rc = clxc_set(c, "lxc.console.logfile", console, err, errlen);
		snprintf(spec->console_log, sizeof spec->console_log, "%s", console);
	}
	if (rc == 0 && !c->save_config(c, NULL)) {
		snprintf(err, errlen, "lxc: cannot save the config of %s", spec->name);
		rc = -1;
	}
	lxc_container_put(c);
	return rc;
}

/* In the forked child: say why on the pipe, and end. */
static void clxc_child_fail(int wfd, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4), noreturn));
static void clxc_child_fail(int wfd, int code, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (n > 0 && write(wfd, msg, (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1) < 0)
		_exit(code);
	_exit(code);
}

/* In the forked child: never returns. The merge mark set here is inherited
 * by everything liblxc starts from this process, the container's init included. */
static void clxc_child(const struct clxc *b, const struct clone_spec *spec, int wfd) __attribute__((noreturn));
static void clxc_child(const struct clxc *b, const struct clone_spec *spec, int wfd)
{
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL); /* the boot threads block SIGINT/SIGTERM */
	/* merge_any 2 (merge = auto): a kernel without it (before 6.4) starts the container as it is. */
	if (spec->merge_any && prctl(PR_SET_MEMORY_MERGE, 1, 0, 0, 0) < 0 && spec->merge_any == 1)
		clxc_child_fail(wfd, 3, "prctl(PR_SET_MEMORY_MERGE): %s (needs Linux 6.4)", strerror(errno));
	struct lxc_container *c = lxc_container_new(spec->name, b->lxcpath);
	if (!c)
		clxc_child_fail(wfd, 1, "liblxc cannot open %s", spec->name);
	c->want_daemonize(c, true);
	c->want_close_all_fds(c, true);
	if (!c->start(c, 0, NULL))
		clxc_child_fail(wfd, 1, "liblxc could not start %s (state %s)", spec->name, c->state(c));
	_exit(0);
}

static void clxc_verify_merge(const struct clxc *b, struct clone_spec *spec)
{
	spec->merge_verified = -1;
	struct lxc_container *c = lxc_container_new(spec->name, b->lxcpath);
	if (!c)
		return;
	pid_t pid = c->init_pid(c);
	lxc_container_put(c);
	struct proc_cheap pc;
	if (pid > 0 && procfs_proc_cheap(pid, &pc) == 0 && pc.merge_any >= 0)
		spec->merge_verified = pc.merge_any;
}

static int clxc_start(void *h, struct clone_spec *spec, char *err, size_t errlen)
{
	struct clxc *b = h;
	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "lxc: pipe: %s", strerror(errno));
		return -1;
	}
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "lxc: fork: %s", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (pid == 0) {
		close(pfd[0]);
		clxc_child(b, spec, pfd[1]);
	}
	close(pfd[1]);
	char msg[256];
	ssize_t n = read(pfd[0], msg, sizeof msg - 1);
	close(pfd[0]);
	msg[n > 0 ? n : 0] = '\0';
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		snprintf(err, errlen, "lxc: %s", msg[0] ? msg : "the start helper failed");
		return -1;
	}
	if (spec->merge_any)
		clxc_verify_merge(b, spec);
	return 0;
}

static int clxc_running(void *h, const struct clone_spec *spec)
{
	struct clxc *b = h;
	struct lxc_container *c = lxc_container_new(spec->name, b->lxcpath);
	if (!c)
		return -1;
	int r = c->is_running(c) ? 1 : 0;
	lxc_container_put(c);
	return r;
}

static int clxc_discover(void *h, struct clone_spec *spec)
{
	struct clxc *b = h;
	struct lxc_container *c = lxc_container_new(spec->name, b->lxcpath);
	if (!c)
		return -1;
	char **ips = c->is_running(c) ? c->get_ips(c, NULL, "inet", 0) : NULL;
	int rc = -1;
	for (size_t i = 0; ips && ips[i]; i++) {
		if (rc < 0 && strncmp(ips[i], "127.", 4) != 0) {
			snprintf(spec->address, sizeof spec->address, "%s", ips[i]);
			rc = 0;
		}
		free(ips[i]);
	}
	free(ips);
	lxc_container_put(c);
	return rc;
}

static void clxc_release(void *h, struct clone_spec *spec)
{
	(void)h;
	spec->priv = NULL;
}

static int clxc_read_mark(const struct clxc *b, const char *name, struct clone_mark *m)
{
	char path[PATH_MAX + 2 * INST_NAME_MAX], text[8192];
	clxc_mark_path(b, name, path, sizeof path);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, text, sizeof text - 1);
	close(fd);
	if (n <= 0)
		return -1;
	text[n] = '\0';
	if (clone_mark_parse(text, m) < 0)
		return -1;
	snprintf(m->name, sizeof m->name, "%s", name);
	return clone_name_has_prefix(name, m->prefix) ? 0 : -1;
}

static int clxc_list_ours(void *h, struct clone_mark **out, size_t *n, char *err, size_t errlen)
{
	struct clxc *b = h;
	char **names = NULL;
	*out = NULL;
	*n = 0;
	int k = list_defined_containers(b->lxcpath, &names, NULL);
	if (k < 0) {
		snprintf(err, errlen, "lxc: cannot list the containers in %s", b->lxcpath);
		return -1;
	}
	struct clone_mark *a = calloc(k > 0 ? (size_t)k : 1, sizeof *a);
	for (int i = 0; i < k; i++) {
		if (a && clxc_read_mark(b, names[i], &a[*n]) == 0)
			(*n)++;
		free(names[i]);
	}
	free(names);
	if (!a) {
		snprintf(err, errlen, "lxc: out of memory");
		return -1;
	}
	*out = a;
	return 0;
}

static int clxc_remove(void *h, const struct clone_mark *m, char *err, size_t errlen)
{
	struct clxc *b = h;
	struct clone_mark again;
	/* Checked again at the last moment: only what still carries our mark goes. */
	if (clxc_read_mark(b, m->name, &again) < 0) {
		snprintf(err, errlen, "lxc: %s: no longer marked as uksmtop's; left alone", m->name);
		return -1;
	}
	struct lxc_container *c = lxc_container_new(m->name, b->lxcpath);
	if (!c) {
		snprintf(err, errlen, "lxc: cannot open %s", m->name);
		return -1;
	}
	if (c->is_running(c) && !c->stop(c)) {
		snprintf(err, errlen, "lxc: cannot stop %s", m->name);
		lxc_container_put(c);
		return -1;
	}
	int ok = c->destroy(c);
	lxc_container_put(c);
	if (!ok) {
		snprintf(err, errlen, "lxc: cannot destroy %s", m->name);
		return -1;
	}
	if (again.console_log[0])
		clone_unlink_log(again.console_log, m->name);
	return 0;
}

const struct clone_ops clone_lxc_ops = {
	.name = "lxc",
	.type = INST_LXC,
	.open = clxc_open,
	.close = clxc_close,
	.check = clxc_check,
	.exists = clxc_exists,
	.prepare = clxc_prepare,
	.start = clxc_start,
	.running = clxc_running,
	.discover = clxc_discover,
	.release = clxc_release,
	.list_ours = clxc_list_ours,
	.remove = clxc_remove,
};

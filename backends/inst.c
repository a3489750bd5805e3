/* inst.c - what the instance backends share: row init and free, cgroup location, cgroup pid sets. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "inst.h"

/* Nesting deeper than this under a container's cgroup is not followed. */
#define CGROUP_MAX_DEPTH 16

void inst_raw_free_array(struct inst_raw *a, size_t n)
{
	if (!a)
		return;
	for (size_t i = 0; i < n; i++)
		free(a[i].pids);
	free(a);
}

void inst_raw_init(struct inst_raw *r, enum inst_type type, const char *name)
{
	memset(r, 0, sizeof(*r));
	struct instance *in = &r->inst;
	snprintf(in->name, sizeof(in->name), "%s", name ? name : "");
	in->type = type;
	snprintf(in->state, sizeof(in->state), "unknown");
	in->vcpus = -1;
	in->mem_cfg_kb = VAL_NULL;
	in->rss_kb = VAL_NULL;
	in->pss_kb = VAL_NULL;
	in->shared_kb = VAL_NULL;
	in->ksm_kb = VAL_NULL;
	in->cgroup_mem_kb = VAL_NULL;
	in->pss_age_s = NAN;
	in->mergeable = -1;
}

void inst_set_state(struct inst_raw *r, const char *state)
{
	size_t i = 0;
	for (; state && state[i] && i + 1 < sizeof(r->inst.state); i++)
		r->inst.state[i] = (char)tolower((unsigned char)state[i]);
	r->inst.state[i] = '\0';
}

ssize_t inst_read_file(const char *path, char *buf, size_t len)
{
	if (len == 0)
		return -EINVAL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	size_t got = 0;
	while (got + 1 < len) {
		ssize_t r = read(fd, buf + got, len - 1 - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			close(fd);
			return -e;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	buf[got] = '\0';
	return (ssize_t)got;
}

/* --- locating a cgroup ------------------------------------------------------ */

/* A cgroup hierarchy's mount: where it is, and which subtree of it is mounted there. */
struct cgroup_mount {
	char point[PATH_MAX];
	char root[PATH_MAX];
	int found;
};

/* Is tok one of the comma-separated items of list (list is len bytes long)? */
static int cgroup_list_has(const char *list, size_t len, const char *tok)
{
	size_t tl = strlen(tok);
	const char *p = list, *end = list + len;
	while (p < end) {
		const char *c = memchr(p, ',', (size_t)(end - p));
		size_t il = c ? (size_t)(c - p) : (size_t)(end - p);
		if (il == tl && memcmp(p, tok, tl) == 0)
			return 1;
		p += il + 1;
	}
	return 0;
}

/* Copy a mountinfo field, undoing its octal escapes (\040 for a space). */
static void cgroup_unescape(char *dst, size_t dlen, const char *src, size_t slen)
{
	size_t o = 0;
	for (size_t i = 0; i < slen && o + 1 < dlen; i++) {
		if (src[i] == '\\' && i + 3 < slen &&
		    isdigit((unsigned char)src[i + 1]) && isdigit((unsigned char)src[i + 2]) &&
		    isdigit((unsigned char)src[i + 3])) {
			dst[o++] = (char)(((src[i + 1] - '0') << 6) | ((src[i + 2] - '0') << 3) |
					  (src[i + 3] - '0'));
			i += 3;
			continue;
		}
		dst[o++] = src[i];
	}
	dst[o] = '\0';
}

/* Split one line into space-separated fields; returns how many (at most max). */
static int cgroup_fields(const char *line, size_t len, const char **f, size_t *fl, int max)
{
	int n = 0;
	size_t i = 0;
	while (i < len && n < max) {
		while (i < len && line[i] == ' ')
			i++;
		if (i >= len)
			break;
		size_t s = i;
		while (i < len && line[i] != ' ')
			i++;
		f[n] = line + s;
		fl[n] = i - s;
		n++;
	}
	return n;
}

/* One mountinfo line: "id parent maj:min root point opts [tags...] - fstype source superopts". */
static void cgroup_mount_line(const char *line, size_t len, struct cgroup_mount *mem,
			      struct cgroup_mount *frz, struct cgroup_mount *uni)
{
	const char *f[32];
	size_t fl[32];
	int n = cgroup_fields(line, len, f, fl, 32);
	int dash = -1;
	for (int i = 6; i < n; i++) {
		if (fl[i] == 1 && f[i][0] == '-') {
			dash = i;
			break;
		}
	}
	if (dash < 0 || n < dash + 4)
		return;
	const char *type = f[dash + 1];
	size_t tlen = fl[dash + 1];
	struct cgroup_mount *m = NULL;
	if (tlen == 7 && memcmp(type, "cgroup2", 7) == 0 && !uni->found)
		m = uni;
	else if (tlen == 6 && memcmp(type, "cgroup", 6) == 0 && !mem->found &&
		 cgroup_list_has(f[dash + 3], fl[dash + 3], "memory"))
		m = mem;
	else if (tlen == 6 && memcmp(type, "cgroup", 6) == 0 && !frz->found &&
		 cgroup_list_has(f[dash + 3], fl[dash + 3], "freezer"))
		m = frz;
	if (!m)
		return;
	cgroup_unescape(m->root, sizeof(m->root), f[3], fl[3]);
	cgroup_unescape(m->point, sizeof(m->point), f[4], fl[4]);
	m->found = 1;
}

static void cgroup_parse_mounts(const char *txt, struct cgroup_mount *mem, struct cgroup_mount *frz,
				struct cgroup_mount *uni)
{
	memset(mem, 0, sizeof(*mem));
	memset(frz, 0, sizeof(*frz));
	memset(uni, 0, sizeof(*uni));
	for (const char *p = txt; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		cgroup_mount_line(p, len, mem, frz, uni);
		p = nl ? nl + 1 : NULL;
	}
}

/* One process's cgroup paths, as /proc/PID/cgroup gives them. */
struct cgroup_self {
	char mem[PATH_MAX];  /* v1 memory hierarchy */
	char frz[PATH_MAX];  /* v1 freezer hierarchy */
	char uni[PATH_MAX];  /* unified ("0::") hierarchy */
};

/* From /proc/PID/cgroup: the v1 memory and freezer paths and the unified one. */
static void cgroup_parse_self(const char *txt, struct cgroup_self *self)
{
	self->mem[0] = self->frz[0] = self->uni[0] = '\0';
	for (const char *p = txt; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		const char *c1 = memchr(p, ':', len);
		const char *c2 = c1 ? memchr(c1 + 1, ':', len - (size_t)(c1 + 1 - p)) : NULL;
		if (c2) {
			size_t plen = len - (size_t)(c2 + 1 - p);
			size_t clen = (size_t)(c2 - c1 - 1);
			if (clen == 0 && c1 - p == 1 && p[0] == '0')
				snprintf(self->uni, sizeof(self->uni), "%.*s", (int)plen, c2 + 1);
			else if (cgroup_list_has(c1 + 1, clen, "memory"))
				snprintf(self->mem, sizeof(self->mem), "%.*s", (int)plen, c2 + 1);
			if (cgroup_list_has(c1 + 1, clen, "freezer"))
				snprintf(self->frz, sizeof(self->frz), "%.*s", (int)plen, c2 + 1);
		}
		p = nl ? nl + 1 : NULL;
	}
}

/* Cut path after the first "/anchor" that ends a component (anchor may span
 * components, like "lxc/NAME"). Returns 1 when an anchor was found. */
static int cgroup_cut_at_anchor(char *path, const char *const *anchors)
{
	for (; anchors && *anchors; anchors++) {
		size_t al = strlen(*anchors);
		if (al == 0)
			continue;
		for (char *p = strchr(path, '/'); p; p = strchr(p + 1, '/')) {
			if (strncmp(p + 1, *anchors, al) == 0 && (p[1 + al] == '/' || p[1 + al] == '\0')) {
				p[1 + al] = '\0';
				return 1;
			}
		}
	}
	return 0;
}

/* Join a mount and a cgroup path; the part of the path above the mount's root is dropped. */
static int cgroup_join(char *out, size_t olen, const struct cgroup_mount *m, const char *path)
{
	const char *rel = path;
	size_t rl = strlen(m->root);
	if (rl > 1 && strncmp(path, m->root, rl) == 0 && (path[rl] == '/' || path[rl] == '\0'))
		rel = path + rl;
	if (strcmp(rel, "/") == 0)
		rel = "";
	int w = snprintf(out, olen, "%s%s", m->point, rel);
	return (w < 0 || (size_t)w >= olen) ? -ENAMETOOLONG : 0;
}

/* dir/file into out, or "" when it does not fit. */
static void cgroup_file(char *out, size_t olen, const char *dir, const char *file)
{
	int w = snprintf(out, olen, "%s/%s", dir, file);
	if (w < 0 || (size_t)w >= olen)
		out[0] = '\0';
}

/* Where the process set is read and the freezer asked: the unified hierarchy
 * when the process sits in its own (anchored) cgroup there, since its
 * cgroup.procs can be re-read through one descriptor (v1 rebuilds the list
 * on every open, and a descriptor kept open may serve a list up to a second
 * old); the v1 freezer when one is mounted, else the unified cgroup.events. */
static void cgroup_locate_extra(struct cgroup_self *self, const struct cgroup_mount *frz,
				const struct cgroup_mount *uni, const char *const *anchors,
				struct cgroup_loc *out)
{
	char uni_dir[PATH_MAX] = "";
	int uni_own = 0;
	if (self->uni[0] == '/' && uni->found) {
		uni_own = cgroup_cut_at_anchor(self->uni, anchors) || !anchors;
		if (cgroup_join(uni_dir, sizeof(uni_dir), uni, self->uni) < 0)
			uni_own = 0;
	}
	if (out->v2 || (uni_own && strcmp(self->uni, "/") != 0)) {
		snprintf(out->procs_dir, sizeof(out->procs_dir), "%s", out->v2 ? out->dir : uni_dir);
		out->procs_v2 = 1;
	} else {
		snprintf(out->procs_dir, sizeof(out->procs_dir), "%s", out->dir);
	}
	char frz_dir[PATH_MAX];
	if (self->frz[0] == '/' && frz->found) {
		cgroup_cut_at_anchor(self->frz, anchors);
		if (cgroup_join(frz_dir, sizeof(frz_dir), frz, self->frz) == 0)
			cgroup_file(out->freezer_file, sizeof(out->freezer_file), frz_dir, "freezer.state");
	} else if (out->procs_v2 && strcmp(out->procs_dir, uni->point) != 0) {
		/* The root cgroup has no cgroup.events. */
		cgroup_file(out->freezer_file, sizeof(out->freezer_file), out->procs_dir, "cgroup.events");
	}
}

int cgroup_locate_text(const char *cgroup_txt, const char *mountinfo_txt,
		       const char *const *anchors, struct cgroup_loc *out)
{
	struct cgroup_self self;
	struct cgroup_mount mem, frz, uni;
	memset(out, 0, sizeof(*out));
	cgroup_parse_self(cgroup_txt, &self);
	cgroup_parse_mounts(mountinfo_txt, &mem, &frz, &uni);
	const char *file = NULL;
	char path[PATH_MAX];
	const struct cgroup_mount *m = NULL;
	if (self.mem[0] == '/' && mem.found) {
		m = &mem;
		snprintf(path, sizeof(path), "%s", self.mem);
		file = "memory.usage_in_bytes";
	} else if (self.uni[0] == '/' && uni.found) {
		m = &uni;
		snprintf(path, sizeof(path), "%s", self.uni);
		file = "memory.current";
		out->v2 = 1;
	} else {
		return -ENOENT;
	}
	cgroup_cut_at_anchor(path, anchors);
	int rc = cgroup_join(out->dir, sizeof(out->dir), m, path);
	if (rc < 0)
		return rc;
	cgroup_file(out->mem_file, sizeof(out->mem_file), out->dir, file);
	cgroup_locate_extra(&self, &frz, &uni, anchors, out);
	return 0;
}

int cgroup_locate(pid_t pid, const char *const *anchors, struct cgroup_loc *out)
{
	char path[64], cg[8192];
	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	ssize_t r = inst_read_file(path, cg, sizeof(cg));
	if (r < 0)
		return r == -ENOENT ? -ESRCH : (int)r;
	if (r == 0)
		return -ESRCH; /* a zombie has no cgroup text */
	/* mountinfo can be long on busy hosts; it is read only when a container (re)starts. */
	size_t cap = 1 << 16;
	char *mi = malloc(cap);
	if (!mi)
		return -ENOMEM;
	r = inst_read_file("/proc/self/mountinfo", mi, cap);
	while (r >= 0 && (size_t)r + 1 >= cap && cap < (1u << 24)) {
		cap *= 4;
		char *bigger = realloc(mi, cap);
		if (!bigger) {
			free(mi);
			return -ENOMEM;
		}
		mi = bigger;
		r = inst_read_file("/proc/self/mountinfo", mi, cap);
	}
	int rc = r < 0 ? (int)r : cgroup_locate_text(cg, mi, anchors, out);
	free(mi);
	return rc;
}

/* --- pid sets ----------------------------------------------------------------- */

struct cgroup_pidvec {
	pid_t *v;
	size_t n, cap;
};

static int cgroup_pidvec_push(struct cgroup_pidvec *pv, pid_t pid)
{
	if (pv->n == pv->cap) {
		size_t cap = pv->cap ? pv->cap * 2 : 16;
		pid_t *v = realloc(pv->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		pv->v = v;
		pv->cap = cap;
	}
	pv->v[pv->n++] = pid;
	return 0;
}

/* The pids of an open cgroup.procs, read from its start as fscanf("%ld") would:
 * numbers up to the first thing that is not one. pread from offset 0 restarts
 * the listing, so a descriptor kept open is read afresh each time (v2). */
static int cgroup_read_procs_fd(int fd, struct cgroup_pidvec *pv)
{
	char small[4096];
	char *buf = small;
	size_t cap = sizeof(small), len = 0;
	int rc = 0;
	for (;;) {
		if (len + 1 == cap) {
			char *bigger = buf == small ? malloc(cap * 2) : realloc(buf, cap * 2);
			if (!bigger) {
				rc = -ENOMEM;
				break;
			}
			if (buf == small)
				memcpy(bigger, small, len);
			buf = bigger;
			cap *= 2;
		}
		ssize_t r = pread(fd, buf + len, cap - 1 - len, (off_t)len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && len == 0)
			rc = -errno; /* the cgroup is gone (ENODEV), not merely empty */
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	buf[len] = '\0';
	for (const char *p = buf; rc == 0;) {
		char *end;
		errno = 0;
		long pid = strtol(p, &end, 10);
		if (end == p)
			break;
		p = end;
		/* A pid_t holds at most INT_MAX; anything above is not a pid. */
		if (pid > 0 && pid <= INT_MAX && errno == 0)
			rc = cgroup_pidvec_push(pv, (pid_t)pid);
	}
	if (buf != small)
		free(buf);
	return rc;
}

/* The pids of dir/cgroup.procs. Plain read(2) into a buffer costs a fifth less than stdio. */
static int cgroup_read_procs(const char *dir, struct cgroup_pidvec *pv)
{
	char path[PATH_MAX];
	int w = snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	if (w < 0 || (size_t)w >= sizeof(path))
		return -ENAMETOOLONG;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int rc = cgroup_read_procs_fd(fd, pv);
	close(fd);
	return rc;
}

static int cgroup_is_dir(int dfd, const struct dirent *de)
{
	if (de->d_type == DT_DIR)
		return 1;
	if (de->d_type != DT_UNKNOWN)
		return 0;
	struct stat st;
	return fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
}

static int cgroup_walk(const char *dir, struct cgroup_pidvec *pv, int depth);

/* A directory links to itself and its parent, and each subdirectory adds one;
 * cgroupfs (v1 and v2, both kernfs) keeps that count. At 2 there is no child
 * cgroup to look for, and a stat costs a fraction of reading the directory. */
static int cgroup_childless(const struct stat *st)
{
	return S_ISDIR(st->st_mode) && st->st_nlink == 2;
}

/* Add the processes of dir's descendants. A child cgroup that vanished on the
 * way is simply skipped. */
static int cgroup_walk_children(const char *dir, struct cgroup_pidvec *pv, int depth)
{
	if (depth >= CGROUP_MAX_DEPTH)
		return 0;
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	struct dirent *de;
	char child[PATH_MAX];
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || !cgroup_is_dir(dirfd(d), de))
			continue;
		int w = snprintf(child, sizeof(child), "%s/%s", dir, de->d_name);
		if (w < 0 || (size_t)w >= sizeof(child))
			continue;
		if (cgroup_walk(child, pv, depth + 1) == -ENOMEM) {
			closedir(d);
			return -ENOMEM;
		}
	}
	closedir(d);
	return 0;
}

/* Add dir's processes and its descendants'; only dir's own cgroup.procs must be readable. */
static int cgroup_walk(const char *dir, struct cgroup_pidvec *pv, int depth)
{
	int rc = cgroup_read_procs(dir, pv);
	if (rc < 0 || depth >= CGROUP_MAX_DEPTH)
		return rc;
	struct stat st;
	if (stat(dir, &st) == 0 && cgroup_childless(&st))
		return 0;
	return cgroup_walk_children(dir, pv, depth);
}

static int cgroup_pid_cmp(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
	return (x > y) - (x < y);
}

/* Sort, drop repeats (v1 may list a tgid twice) and hand the array over. */
static int cgroup_pids_done(struct cgroup_pidvec *pv, int rc, pid_t **pids, size_t *n)
{
	if (rc < 0 || pv->n == 0) {
		free(pv->v);
		return rc < 0 ? rc : 0;
	}
	qsort(pv->v, pv->n, sizeof(*pv->v), cgroup_pid_cmp);
	size_t u = 1;
	for (size_t i = 1; i < pv->n; i++)
		if (pv->v[i] != pv->v[u - 1])
			pv->v[u++] = pv->v[i];
	*pids = pv->v;
	*n = u;
	return 0;
}

int cgroup_read_pids(const char *dir, pid_t **pids, size_t *n)
{
	struct cgroup_pidvec pv = { 0 };
	*pids = NULL;
	*n = 0;
	int rc = cgroup_walk(dir, &pv, 0);
	return cgroup_pids_done(&pv, rc, pids, n);
}

static int64_t cgroup_parse_mem(const char *buf)
{
	char *end;
	errno = 0;
	long long bytes = strtoll(buf, &end, 10);
	if (errno || end == buf || bytes < 0)
		return VAL_NULL;
	return (int64_t)(bytes / 1024);
}

int64_t cgroup_mem_kb(const struct cgroup_loc *loc)
{
	char buf[64];
	if (!loc->mem_file[0] || inst_read_file(loc->mem_file, buf, sizeof(buf)) <= 0)
		return VAL_NULL;
	return cgroup_parse_mem(buf);
}

/* A small file read again from its start. Returns the length or -errno. */
static ssize_t cgroup_pread(int fd, char *buf, size_t len)
{
	ssize_t n;
	do
		n = pread(fd, buf, len - 1, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return n;
}

int64_t cgroup_mem_kb_fd(int fd)
{
	char buf[64];
	if (cgroup_pread(fd, buf, sizeof(buf)) <= 0)
		return VAL_NULL;
	return cgroup_parse_mem(buf);
}

const char *cgroup_parse_freezer(const char *buf)
{
	/* v1 freezer.state: one word. */
	if (strncmp(buf, "THAWED", 6) == 0)
		return "RUNNING";
	if (strncmp(buf, "FREEZING", 8) == 0)
		return "FREEZING";
	if (strncmp(buf, "FROZEN", 6) == 0)
		return "FROZEN";
	/* v2 cgroup.events: "populated N\nfrozen N\n". */
	for (const char *p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (strncmp(p, "frozen ", 7) == 0)
			return p[7] == '1' ? "FROZEN" : p[7] == '0' ? "RUNNING" : NULL;
	}
	return NULL;
}

/* --- a located cgroup kept between samples ------------------------------------ */

static void cgroup_close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

void inst_watch_open(struct inst_watch *w)
{
	w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	w->gen = 1;
}

void inst_watch_close(struct inst_watch *w)
{
	cgroup_close_fd(&w->fd);
}

void inst_watch_poll(struct inst_watch *w)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	if (w->fd < 0)
		return;
	for (;;) {
		ssize_t len = read(w->fd, buf, sizeof(buf));
		if (len < 0 && errno == EINTR)
			continue;
		if (len < 0 && errno != EAGAIN)
			w->gen++; /* cannot tell: as if everything changed */
		if (len <= 0)
			return;
		w->gen++;
	}
}

int inst_watch_add(struct inst_watch *w, const char *path, uint32_t mask)
{
	return w && w->fd >= 0 ? inotify_add_watch(w->fd, path, mask) : -1;
}

static void inst_watch_rm(struct inst_watch *w, int *wd)
{
	if (*wd >= 0 && w && w->fd >= 0)
		inotify_rm_watch(w->fd, *wd);
	*wd = -1;
}

void cgroup_kept_init(struct cgroup_kept *k, struct inst_watch *w)
{
	memset(k, 0, sizeof(*k));
	k->procs_fd = k->dir_fd = k->mem_fd = k->frz_fd = -1;
	k->frz_wd = k->dir_wd = -1;
	k->w = w;
}

void cgroup_kept_close(struct cgroup_kept *k)
{
	cgroup_close_fd(&k->procs_fd);
	cgroup_close_fd(&k->dir_fd);
	cgroup_close_fd(&k->mem_fd);
	cgroup_close_fd(&k->frz_fd);
	inst_watch_rm(k->w, &k->frz_wd);
	inst_watch_rm(k->w, &k->dir_wd);
	free(k->procs_dir);
	free(k->mem_file);
	free(k->freezer_file);
	cgroup_kept_init(k, k->w);
}

static char *cgroup_dup(const char *s)
{
	return s && s[0] ? strdup(s) : NULL;
}

int cgroup_kept_locate(struct cgroup_kept *k, pid_t pid, const char *const *anchors)
{
	cgroup_kept_close(k);
	struct cgroup_loc *loc = malloc(sizeof(*loc));
	if (!loc)
		return -ENOMEM;
	int rc = cgroup_locate(pid, anchors, loc);
	if (rc == 0) {
		k->procs_dir = cgroup_dup(loc->procs_dir);
		k->mem_file = cgroup_dup(loc->mem_file);
		k->freezer_file = cgroup_dup(loc->freezer_file);
		k->procs_v2 = loc->procs_v2;
		if (!k->procs_dir || (loc->mem_file[0] && !k->mem_file) ||
		    (loc->freezer_file[0] && !k->freezer_file)) {
			cgroup_kept_close(k);
			rc = -ENOMEM;
		}
	}
	free(loc);
	return rc;
}

/* The cgroup's own cgroup.procs: through the kept descriptor on v2, by path on v1. */
static int cgroup_kept_own(struct cgroup_kept *k, struct cgroup_pidvec *pv)
{
	if (!k->procs_v2)
		return cgroup_read_procs(k->procs_dir, pv);
	if (k->procs_fd < 0) {
		char path[PATH_MAX];
		int w = snprintf(path, sizeof(path), "%s/cgroup.procs", k->procs_dir);
		if (w < 0 || (size_t)w >= sizeof(path))
			return -ENAMETOOLONG;
		k->procs_fd = open(path, O_RDONLY | O_CLOEXEC);
		if (k->procs_fd < 0)
			return -errno;
	}
	int rc = cgroup_read_procs_fd(k->procs_fd, pv);
	if (rc < 0 && rc != -ENOMEM)
		cgroup_close_fd(&k->procs_fd);
	return rc;
}

/* Has the cgroup no child cgroup? Its link count says, and a watch on the
 * directory (made before the look) says when to look again. */
static int cgroup_kept_childless(struct cgroup_kept *k)
{
	if (k->dir_kept && k->dir_gen == k->w->gen)
		return k->childless;
	if (k->dir_wd < 0)
		k->dir_wd = inst_watch_add(k->w, k->procs_dir, IN_CREATE | IN_DELETE | IN_MOVED_FROM |
					     IN_MOVED_TO | IN_DELETE_SELF | IN_ONLYDIR);
	unsigned gen = k->w ? k->w->gen : 0;
	if (k->dir_fd < 0)
		k->dir_fd = open(k->procs_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct stat st;
	int ok = k->dir_fd >= 0 && fstat(k->dir_fd, &st) == 0;
	k->childless = ok && cgroup_childless(&st);
	k->dir_kept = ok && k->dir_wd >= 0;
	k->dir_gen = gen;
	return k->childless;
}

int cgroup_kept_pids(struct cgroup_kept *k, pid_t **pids, size_t *n)
{
	struct cgroup_pidvec pv = { 0 };
	*pids = NULL;
	*n = 0;
	if (!k->procs_dir)
		return -ENOENT;
	int rc = cgroup_kept_own(k, &pv);
	if (rc == 0 && !cgroup_kept_childless(k))
		rc = cgroup_walk_children(k->procs_dir, &pv, 0);
	return cgroup_pids_done(&pv, rc, pids, n);
}

int64_t cgroup_kept_mem_kb(struct cgroup_kept *k)
{
	if (!k->mem_file)
		return VAL_NULL;
	if (k->mem_fd < 0)
		k->mem_fd = open(k->mem_file, O_RDONLY | O_CLOEXEC);
	if (k->mem_fd >= 0) {
		int64_t kb = cgroup_mem_kb_fd(k->mem_fd);
		if (val_known(kb))
			return kb;
		cgroup_close_fd(&k->mem_fd);
	}
	return VAL_NULL;
}

/* Watch the freezer file and, on v1 (where freezing a cgroup freezes its
 * descendants without a write to their files), every ancestor's. 0, or -1
 * when one of them cannot be watched. */
static int cgroup_kept_watch_freezer(struct cgroup_kept *k)
{
	k->frz_wd = inst_watch_add(k->w, k->freezer_file, IN_MODIFY | IN_DELETE_SELF);
	if (k->frz_wd < 0)
		return -1;
	static const char leaf[] = "/freezer.state";
	size_t len = strlen(k->freezer_file);
	if (len < sizeof(leaf) || strcmp(k->freezer_file + len - (sizeof(leaf) - 1), leaf) != 0)
		return 0; /* v2 cgroup.events: an ancestor's freeze shows in it */
	char dir[PATH_MAX], path[PATH_MAX];
	snprintf(dir, sizeof(dir), "%.*s", (int)(len - (sizeof(leaf) - 1)), k->freezer_file);
	for (char *slash; (slash = strrchr(dir, '/')) != NULL && slash != dir;) {
		*slash = '\0'; /* up to the parent */
		if ((size_t)snprintf(path, sizeof(path), "%s%s", dir, leaf) >= sizeof(path))
			return -1;
		if (access(path, F_OK) != 0)
			return 0; /* the hierarchy's root has none: it cannot be frozen */
		if (inst_watch_add(k->w, path, IN_MODIFY | IN_DELETE_SELF) < 0)
			return -1;
	}
	return 0;
}

const char *cgroup_kept_freezer(struct cgroup_kept *k)
{
	char buf[128];
	if (!k->freezer_file)
		return NULL;
	if (k->frz_kept && k->frz_gen == k->w->gen)
		return k->frz_last;
	if (!k->frz_watched)
		k->frz_watched = cgroup_kept_watch_freezer(k) == 0;
	unsigned gen = k->w ? k->w->gen : 0;
	k->frz_kept = 0;
	if (k->frz_fd < 0)
		k->frz_fd = open(k->freezer_file, O_RDONLY | O_CLOEXEC);
	if (k->frz_fd < 0)
		return NULL;
	const char *st = cgroup_pread(k->frz_fd, buf, sizeof(buf)) > 0 ? cgroup_parse_freezer(buf) : NULL;
	if (!st)
		cgroup_close_fd(&k->frz_fd);
	/* FREEZING turns FROZEN without a write: read it until then. */
	k->frz_kept = st && k->frz_watched && strcmp(st, "FREEZING") != 0;
	k->frz_last = st;
	k->frz_gen = gen;
	return st;
}

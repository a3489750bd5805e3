/* inst.c - what the instance backends share: row init and free, cgroup location, cgroup pid sets. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
			      struct cgroup_mount *uni)
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
	if (!m)
		return;
	cgroup_unescape(m->root, sizeof(m->root), f[3], fl[3]);
	cgroup_unescape(m->point, sizeof(m->point), f[4], fl[4]);
	m->found = 1;
}

static void cgroup_parse_mounts(const char *txt, struct cgroup_mount *mem, struct cgroup_mount *uni)
{
	memset(mem, 0, sizeof(*mem));
	memset(uni, 0, sizeof(*uni));
	for (const char *p = txt; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		cgroup_mount_line(p, len, mem, uni);
		p = nl ? nl + 1 : NULL;
	}
}

/* From /proc/PID/cgroup: the v1 memory path and the unified ("0::") path. */
static void cgroup_parse_self(const char *txt, char *mem_path, size_t mlen, char *uni_path,
			      size_t ulen)
{
	mem_path[0] = uni_path[0] = '\0';
	for (const char *p = txt; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		const char *c1 = memchr(p, ':', len);
		const char *c2 = c1 ? memchr(c1 + 1, ':', len - (size_t)(c1 + 1 - p)) : NULL;
		if (c2) {
			size_t plen = len - (size_t)(c2 + 1 - p);
			size_t clen = (size_t)(c2 - c1 - 1);
			if (clen == 0 && c1 - p == 1 && p[0] == '0')
				snprintf(uni_path, ulen, "%.*s", (int)plen, c2 + 1);
			else if (cgroup_list_has(c1 + 1, clen, "memory"))
				snprintf(mem_path, mlen, "%.*s", (int)plen, c2 + 1);
		}
		p = nl ? nl + 1 : NULL;
	}
}

/* Cut path after the first "/anchor" that ends a component (anchor may span
 * components, like "lxc/NAME"). */
static void cgroup_cut_at_anchor(char *path, const char *const *anchors)
{
	for (; anchors && *anchors; anchors++) {
		size_t al = strlen(*anchors);
		if (al == 0)
			continue;
		for (char *p = strchr(path, '/'); p; p = strchr(p + 1, '/')) {
			if (strncmp(p + 1, *anchors, al) == 0 && (p[1 + al] == '/' || p[1 + al] == '\0')) {
				p[1 + al] = '\0';
				return;
			}
		}
	}
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

int cgroup_locate_text(const char *cgroup_txt, const char *mountinfo_txt,
		       const char *const *anchors, struct cgroup_loc *out)
{
	char mem_path[PATH_MAX], uni_path[PATH_MAX];
	struct cgroup_mount mem, uni;
	memset(out, 0, sizeof(*out));
	cgroup_parse_self(cgroup_txt, mem_path, sizeof(mem_path), uni_path, sizeof(uni_path));
	cgroup_parse_mounts(mountinfo_txt, &mem, &uni);
	const char *file = NULL;
	char *path = NULL;
	const struct cgroup_mount *m = NULL;
	if (mem_path[0] == '/' && mem.found) {
		m = &mem;
		path = mem_path;
		file = "memory.usage_in_bytes";
	} else if (uni_path[0] == '/' && uni.found) {
		m = &uni;
		path = uni_path;
		file = "memory.current";
		out->v2 = 1;
	} else {
		return -ENOENT;
	}
	cgroup_cut_at_anchor(path, anchors);
	int rc = cgroup_join(out->dir, sizeof(out->dir), m, path);
	if (rc < 0)
		return rc;
	int w = snprintf(out->mem_file, sizeof(out->mem_file), "%s/%s", out->dir, file);
	if (w < 0 || (size_t)w >= sizeof(out->mem_file))
		out->mem_file[0] = '\0';
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

/* The pids of dir/cgroup.procs, read as fscanf("%ld") would: numbers up to the first
 * thing that is not one. Plain read(2) into a buffer costs a fifth less than stdio. */
static int cgroup_read_procs(const char *dir, struct cgroup_pidvec *pv)
{
	char path[PATH_MAX], small[4096];
	int w = snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	if (w < 0 || (size_t)w >= sizeof(path))
		return -ENAMETOOLONG;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
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
		ssize_t r = read(fd, buf + len, cap - 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break; /* a read error ends the list, as it ended fscanf */
		len += (size_t)r;
	}
	close(fd);
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

static int cgroup_is_dir(int dfd, const struct dirent *de)
{
	if (de->d_type == DT_DIR)
		return 1;
	if (de->d_type != DT_UNKNOWN)
		return 0;
	struct stat st;
	return fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
}

/* Add dir's processes and its descendants'. A child cgroup that vanished on
 * the way is simply skipped; only dir's own cgroup.procs must be readable. */
static int cgroup_walk(const char *dir, struct cgroup_pidvec *pv, int depth)
{
	int rc = cgroup_read_procs(dir, pv);
	if (rc < 0 || depth >= CGROUP_MAX_DEPTH)
		return rc;
	/* A directory links to itself and its parent, and each subdirectory adds one; cgroupfs
	 * (v1 and v2, both kernfs) keeps that count. At 2 there is no child cgroup to look for,
	 * and a stat costs a fraction of reading the directory. */
	struct stat st;
	if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode) && st.st_nlink == 2)
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

static int cgroup_pid_cmp(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
	return (x > y) - (x < y);
}

int cgroup_read_pids(const char *dir, pid_t **pids, size_t *n)
{
	struct cgroup_pidvec pv = { 0 };
	*pids = NULL;
	*n = 0;
	int rc = cgroup_walk(dir, &pv, 0);
	if (rc < 0) {
		free(pv.v);
		return rc;
	}
	if (pv.n == 0) {
		free(pv.v);
		return 0;
	}
	qsort(pv.v, pv.n, sizeof(*pv.v), cgroup_pid_cmp);
	size_t u = 1;
	for (size_t i = 1; i < pv.n; i++)
		if (pv.v[i] != pv.v[u - 1])
			pv.v[u++] = pv.v[i];
	*pids = pv.v;
	*n = u;
	return 0;
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

int64_t cgroup_mem_kb_fd(int fd)
{
	char buf[64];
	ssize_t n;
	do
		n = pread(fd, buf, sizeof(buf) - 1, 0);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return VAL_NULL;
	buf[n] = '\0';
	return cgroup_parse_mem(buf);
}

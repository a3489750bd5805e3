/* sysfs.c - reading small sysfs attributes and parsing the uKSM/KSM text formats. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <linux/magic.h>

#include "dedup.h"

int sysfs_read_at(int dirfd, const char *name, char *buf, size_t buflen)
{
	if (!buf || buflen == 0)
		return -EINVAL;
	buf[0] = '\0';
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* sysfs hands over the whole attribute (at most a page) in one read. */
	ssize_t n;
	do
		n = read(fd, buf, buflen - 1);
	while (n < 0 && errno == EINTR);
	int err = n < 0 ? -errno : 0;
	close(fd);
	if (err)
		return err;
	buf[n] = '\0';
	return (int)n;
}

void sysfs_dir_init(struct sysfs_dir *d, int dirfd)
{
	struct statfs fs;
	d->fd = dirfd;
	d->n = 0;
	d->keep = dirfd >= 0 && fstatfs(dirfd, &fs) == 0 && fs.f_type == SYSFS_MAGIC;
}

void sysfs_dir_close(struct sysfs_dir *d)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->att[i].fd >= 0)
			close(d->att[i].fd);
	d->n = 0;
}

/* The slot of name (opened at first use), or NULL when there is no room. */
static int *sysfs_dir_slot(struct sysfs_dir *d, const char *name)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->att[i].name == name || strcmp(d->att[i].name, name) == 0)
			return &d->att[i].fd;
	if (d->n == SYSFS_DIR_MAX)
		return NULL;
	int fd = openat(d->fd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno != ENOENT)
		return NULL; /* not remembered: the path is tried again next time */
	d->att[d->n].name = name;
	d->att[d->n].fd = fd;
	return &d->att[d->n++].fd;
}

int sysfs_dir_read(struct sysfs_dir *d, const char *name, char *buf, size_t buflen)
{
	if (!d->keep)
		return sysfs_read_at(d->fd, name, buf, buflen);
	if (!buf || buflen == 0)
		return -EINVAL;
	buf[0] = '\0';
	int *fd = sysfs_dir_slot(d, name);
	if (!fd)
		return sysfs_read_at(d->fd, name, buf, buflen);
	if (*fd < 0)
		return -ENOENT; /* sysfs attributes do not come and go */
	ssize_t n;
	do
		n = pread(*fd, buf, buflen - 1, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return (int)n;
}

static const char *sysfs_skip_space(const char *p)
{
	while (*p && isspace((unsigned char)*p))
		p++;
	return p;
}

/* Read decimal digits at *pp into a non-negative int64. Refuses overflow and
 * an empty digit run; on success *pp points past the digits. */
static int sysfs_parse_digits(const char **pp, int64_t *out)
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

int sysfs_parse_i64(const char *buf, int64_t *out)
{
	if (!buf || !out)
		return -1;
	const char *p = sysfs_skip_space(buf);
	/* KSM's general_profit goes negative when rmap items cost more than merging saves. */
	int neg = 0;
	if (*p == '-') {
		neg = 1;
		p++;
	}
	int64_t v;
	if (sysfs_parse_digits(&p, &v) < 0)
		return -1;
	if (*sysfs_skip_space(p) != '\0')
		return -1;
	*out = neg ? -v : v;
	return 0;
}

/* uKSM prints pages_scanned as "N" or, once the count outgrew a long, as
 * "N * 2^B" (N shifted left by B). Both are expanded to one count. */
int uksm_parse_pages_scanned(const char *buf, int64_t *out)
{
	if (!buf || !out)
		return -1;
	const char *p = sysfs_skip_space(buf);
	int64_t n, b;
	if (sysfs_parse_digits(&p, &n) < 0)
		return -1;
	p = sysfs_skip_space(p);
	if (*p == '\0') {
		*out = n;
		return 0;
	}
	if (*p != '*')
		return -1;
	p = sysfs_skip_space(p + 1);
	if (p[0] != '2' || p[1] != '^')
		return -1;
	p += 2;
	if (sysfs_parse_digits(&p, &b) < 0)
		return -1;
	if (*sysfs_skip_space(p) != '\0')
		return -1;
	if (n == 0) {
		*out = 0;
		return 0;
	}
	/* Check before shifting: the result must stay within int64. */
	if (b > 62 || n > (INT64_MAX >> b))
		return -1;
	*out = n << b;
	return 0;
}

/* uKSM lists every governor and brackets the active one: "full [medium] low quiet ". */
int uksm_parse_governor(const char *buf, char *out, size_t outlen)
{
	if (!buf || !out || outlen == 0)
		return -1;
	const char *open = strchr(buf, '[');
	if (!open)
		return -1;
	const char *name = open + 1;
	const char *close = strchr(name, ']');
	if (!close || close == name)
		return -1;
	size_t len = (size_t)(close - name);
	if (len >= outlen)
		return -1;
	for (const char *q = name; q < close; q++)
		if (!isgraph((unsigned char)*q) || *q == '[')
			return -1;
	memcpy(out, name, len);
	out[len] = '\0';
	return 0;
}

int sysfs_read_i64_table(struct sysfs_dir *d, const struct sysfs_i64_attr *attrs, size_t n, void *base)
{
	char buf[64];
	int nread = 0, first_err = 0;
	for (size_t i = 0; i < n; i++) {
		int64_t *field = (int64_t *)((char *)base + attrs[i].offset);
		*field = VAL_NULL;
		int rc = sysfs_dir_read(d, attrs[i].name, buf, sizeof(buf));
		if (rc < 0) {
			if (!first_err)
				first_err = rc;
			continue;
		}
		nread++;
		/* A malformed value is not known; the other figures still are. */
		if (sysfs_parse_i64(buf, field) < 0)
			*field = VAL_NULL;
	}
	if (nread == 0 && first_err)
		return first_err;
	return nread;
}

int sysfs_write_at(int dirfd, const char *name, const char *text)
{
	/* O_TRUNC matters for fixture copies (regular files); sysfs ignores it. */
	int fd = openat(dirfd, name, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	size_t len = strlen(text);
	ssize_t n;
	do
		n = write(fd, text, len);
	while (n < 0 && errno == EINTR);
	int err = n < 0 ? -errno : (size_t)n != len ? -EIO : 0;
	/* close reports deferred write errors on regular files. */
	if (close(fd) < 0 && !err && errno != EINTR)
		err = -errno;
	return err;
}

/* util.c - clocks, strict number parsing, atomic writes and XDG paths. */
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

double util_now_wall(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

double util_now_mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int util_rest_blank(const char *end)
{
	while (*end && isspace((unsigned char)*end))
		end++;
	return *end == '\0';
}

int util_parse_double(const char *s, double *out)
{
	if (!s)
		return -1;
	while (isspace((unsigned char)*s))
		s++;
	if (!*s)
		return -1;
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	/* A number too small for a normal double reads as the nearest one (0 or
	 * subnormal), not as an error: %g prints some just above DBL_MIN below it. */
	if (end == s || (errno == ERANGE && fabs(v) >= 1) || !util_rest_blank(end) || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

int util_parse_long(const char *s, long *out)
{
	if (!s)
		return -1;
	while (isspace((unsigned char)*s))
		s++;
	if (!*s)
		return -1;
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (end == s || errno == ERANGE || !util_rest_blank(end))
		return -1;
	*out = v;
	return 0;
}

int util_parse_bool(const char *s, int *out)
{
	static const char *yes[] = { "yes", "true", "on", "1" };
	static const char *no[] = { "no", "false", "off", "0" };
	if (!s)
		return -1;
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

void util_iso8601(double t, char *buf, size_t buflen)
{
	long long ms_total = llround(t * 1000.0);
	time_t sec = (time_t)(ms_total / 1000);
	int ms = (int)(ms_total % 1000);
	struct tm tm;
	gmtime_r(&sec, &tm);
	char date[32];
	strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, buflen, "%s.%03dZ", date, ms);
}

size_t util_strlcpy(char *dst, const char *src, size_t dstlen)
{
	size_t n = strlen(src);
	if (dstlen == 0)
		return n;
	size_t c = n < dstlen - 1 ? n : dstlen - 1;
	memcpy(dst, src, c);
	dst[c] = '\0';
	return n;
}

int util_mkdir_p(const char *path, mode_t mode)
{
	char buf[4096];
	if (util_strlcpy(buf, path, sizeof buf) >= sizeof buf)
		return -ENAMETOOLONG;
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static int util_write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, data, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		data += w;
		len -= (size_t)w;
	}
	return 0;
}

int util_write_atomic(const char *path, const char *data, size_t len, char *err, size_t errlen)
{
	char tmp[4200];
	snprintf(tmp, sizeof tmp, "%s.tmp.XXXXXX", path);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		int e = errno;
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(e));
		return -e;
	}
	int rc = util_write_all(fd, data, len);
	if (rc == 0 && fsync(fd) < 0)
		rc = -errno;
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, path) < 0)
		rc = -errno;
	if (rc < 0) {
		unlink(tmp);
		snprintf(err, errlen, "cannot write %s: %s (the old file is unchanged)", path,
			 strerror(-rc));
		return rc;
	}
	/* mkstemp makes 0600; a config or state file is meant to be readable. */
	chmod(path, 0644);
	return 0;
}

static int util_xdg_dir(const char *var, const char *fallback, char *out, size_t outlen)
{
	const char *base = getenv(var);
	if (base && base[0] == '/') {
		snprintf(out, outlen, "%s/uksmtop", base);
		return 0;
	}
	const char *home = getenv("HOME");
	if (!home || !*home)
		return -1;
	snprintf(out, outlen, "%s/%s/uksmtop", home, fallback);
	return 0;
}

int util_state_dir(char *out, size_t outlen)
{
	return util_xdg_dir("XDG_STATE_HOME", ".local/state", out, outlen);
}

int util_config_dir(char *out, size_t outlen)
{
	return util_xdg_dir("XDG_CONFIG_HOME", ".config", out, outlen);
}

int util_check_trusted(const char *path, char *err, size_t errlen)
{
	if (geteuid() != 0)
		return 0;
	struct stat st;
	if (stat(path, &st) < 0)
		return 0; /* opening it will say what is wrong */
	if (st.st_uid != 0) {
		snprintf(err, errlen, "%s: refused: running as root, and the file is owned by uid %u, "
			 "who could make uksmtop do anything root can", path, (unsigned)st.st_uid);
		return -1;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(err, errlen, "%s: refused: running as root, and the file is %s-writable "
			 "(chmod go-w %s)", path, (st.st_mode & S_IWOTH) ? "world" : "group", path);
		return -1;
	}
	return 0;
}

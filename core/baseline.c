/* baseline.c - keeps the manual baseline in a small state file so later runs reuse it. */
#include "baseline.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util.h"
#include "value.h"

int baseline_state_path(char *out, size_t outlen)
{
	char dir[4096];
	if (util_state_dir(dir, sizeof dir) < 0)
		return -1;
	snprintf(out, outlen, "%s/baseline", dir);
	return 0;
}

int baseline_parse(const char *text, int64_t *kb)
{
	const char *p = strstr(text, "baseline_kb");
	if (!p)
		return -1;
	p += strlen("baseline_kb");
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != '=')
		return -1;
	p++;
	char num[32];
	size_t i = 0;
	while (*p && *p != '\n' && i < sizeof num - 1)
		num[i++] = *p++;
	num[i] = '\0';
	long v;
	if (util_parse_long(num, &v) < 0 || v < 0)
		return -1;
	*kb = v;
	return 0;
}

int64_t baseline_load(void)
{
	char path[4200];
	if (baseline_state_path(path, sizeof path) < 0)
		return VAL_NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return VAL_NULL;
	char buf[512];
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return VAL_NULL;
	buf[n] = '\0';
	int64_t kb;
	return baseline_parse(buf, &kb) == 0 ? kb : VAL_NULL;
}

int baseline_store(int64_t kb, char *err, size_t errlen)
{
	char path[4200], dir[4096];
	if (util_state_dir(dir, sizeof dir) < 0) {
		snprintf(err, errlen, "cannot store the baseline: neither XDG_STATE_HOME nor HOME is set");
		return -ENOENT;
	}
	int rc = util_mkdir_p(dir, 0755);
	if (rc < 0) {
		snprintf(err, errlen, "cannot create %s: %s", dir, strerror(-rc));
		return rc;
	}
	snprintf(path, sizeof path, "%s/baseline", dir);
	char text[128], when[40];
	util_iso8601(util_now_wall(), when, sizeof when);
	int len = snprintf(text, sizeof text, "# taken by uksmtop --baseline-now at %s\nbaseline_kb = %lld\n",
			   when, (long long)kb);
	return util_write_atomic(path, text, (size_t)len, err, errlen);
}

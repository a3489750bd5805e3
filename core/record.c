/* record.c - writes recordings line by line, plain (write(2) per line) or gzip (gzwrite and a sync flush per line). */
#include "record.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "output.h"
#include "util.h"
#include "value.h"

struct record {
	char path[CFG_STR_MAX];
	int fd;          /* plain */
	gzFile gz;       /* gzip */
	int failed;
	unsigned long lines;
};

int record_is_gz(const char *path)
{
	size_t n = strlen(path);
	return n > 3 && strcmp(path + n - 3, ".gz") == 0;
}

const char *record_path(const struct record *r)
{
	return r->path;
}

unsigned long record_lines(const struct record *r)
{
	return r->lines;
}

/* ---- writing ---- */

static int record_fail(struct record *r, int e, char *err, size_t errlen)
{
	r->failed = 1;
	snprintf(err, errlen, "%s: cannot write the recording: %s", r->path, strerror(e ? e : EIO));
	return -1;
}

static int record_write_plain(struct record *r, const char *p, size_t len, char *err, size_t errlen)
{
	off_t at = lseek(r->fd, 0, SEEK_CUR);
	size_t left = len;
	while (left > 0) {
		ssize_t w = write(r->fd, p, left);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int e = w < 0 ? errno : ENOSPC;
			/* Cut a half-written line away: the file stays whole lines. */
			if (at >= 0 && ftruncate(r->fd, at) == 0)
				lseek(r->fd, at, SEEK_SET);
			return record_fail(r, e, err, errlen);
		}
		p += w;
		left -= (size_t)w;
	}
	return 0;
}

static int record_write_gz(struct record *r, const char *p, size_t len, char *err, size_t errlen)
{
	int zerr = Z_OK;
	if (len > 0 && gzwrite(r->gz, p, (unsigned)len) != (int)len)
		gzerror(r->gz, &zerr);
	else if (gzflush(r->gz, Z_SYNC_FLUSH) != Z_OK)
		gzerror(r->gz, &zerr);
	if (zerr == Z_OK)
		return 0;
	return record_fail(r, zerr == Z_ERRNO ? errno : EIO, err, errlen);
}

int record_line(struct record *r, const char *line, size_t len, char *err, size_t errlen)
{
	if (r->failed) {
		snprintf(err, errlen, "%s: the recording stopped after an earlier error", r->path);
		return -1;
	}
	int rc = r->gz ? record_write_gz(r, line, len, err, errlen) : record_write_plain(r, line, len, err, errlen);
	if (rc == 0)
		r->lines++;
	return rc;
}

/* The figures the view shows that the -o json line lacks. */
static void record_render_rec(struct outbuf *b, const struct sample *s)
{
	const struct dedup_figs *d = &s->dedup;
	outbuf_printf(b, ",\"rec\":{");
	outbuf_json_f(b, "mono", s->mono, 3);
	outbuf_printf(b, ",");
	outbuf_json_i64(b, "mem_avail_kb", s->host.mem_avail_kb);
	outbuf_printf(b, ",");
	outbuf_json_f(b, "uptime_s", s->host.uptime_s, 2);
	outbuf_printf(b, ",\"cpu_governor\":");
	outbuf_json_str(b, d->cpu_governor);
	outbuf_printf(b, ",");
	outbuf_json_i64(b, "max_cpu_percentage", d->max_cpu_percentage);
	outbuf_printf(b, ",");
	outbuf_json_i64(b, "sleep_millisecs", d->sleep_millisecs);
	outbuf_printf(b, ",");
	outbuf_json_i64(b, "pages_to_scan", d->pages_to_scan);
	outbuf_printf(b, ",");
	outbuf_json_i64(b, "ksm_zero_pages", d->ksm_zero_pages);
	outbuf_printf(b, ",");
	outbuf_json_i64(b, "general_profit", d->general_profit);
	outbuf_printf(b, ",");
	outbuf_json_i64(b, "thread_pid", d->thread_pid > 0 ? d->thread_pid : VAL_NULL);
	outbuf_printf(b, "}}\n");
}

int record_sample(struct record *r, const struct sample *s, char *err, size_t errlen)
{
	struct outbuf b = { 0 };
	output_render(&b, OUT_JSON, s, 0);
	/* The -o json object ends in "}\n": open it again for "rec". */
	if (!b.failed && b.len >= 2 && b.p[b.len - 2] == '}' && b.p[b.len - 1] == '\n') {
		b.len -= 2;
		record_render_rec(&b, s);
	}
	int rc;
	if (b.failed) {
		snprintf(err, errlen, "%s: out of memory", r->path);
		rc = -1;
	} else {
		rc = record_line(r, b.p, b.len, err, errlen);
	}
	outbuf_free(&b);
	return rc;
}

static void record_render_header(struct outbuf *b, const struct record_meta *m)
{
	char when[40], host[256] = "";
	util_iso8601(m->started, when, sizeof when);
	if (gethostname(host, sizeof host - 1) < 0)
		host[0] = '\0';
	outbuf_printf(b, "{\"uksmtop_recording\":%d,\"program\":\"uksmtop %s\",\"host\":", RECORD_VERSION,
		      PACKAGE_VERSION);
	outbuf_json_str(b, host);
	outbuf_printf(b, ",\"started\":\"%s\",", when);
	outbuf_json_f(b, "delay_s", m->delay_s, 3);
	outbuf_printf(b, ",\"page_size\":%ld,\"backend\":\"%s\",\"command\":[", sysconf(_SC_PAGESIZE),
		      dedup_kind_name(m->backend));
	for (int i = 0; m->argv && i < m->argc; i++) {
		if (i)
			outbuf_printf(b, ",");
		outbuf_json_str(b, m->argv[i]);
	}
	outbuf_printf(b, "],\"experiment\":%s}\n", m->experiment ? m->experiment : "null");
}

static int record_open_file(struct record *r, char *err, size_t errlen)
{
	r->fd = open(r->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (r->fd < 0) {
		snprintf(err, errlen, "%s: cannot open for writing: %s", r->path, strerror(errno));
		return -1;
	}
	if (!record_is_gz(r->path))
		return 0;
	r->gz = gzdopen(r->fd, "wb6");
	if (!r->gz) {
		snprintf(err, errlen, "%s: cannot start gzip compression", r->path);
		close(r->fd);
		r->fd = -1;
		return -1;
	}
	return 0;
}

struct record *record_open(const char *path, const struct record_meta *meta, char *err, size_t errlen)
{
	struct record *r = calloc(1, sizeof *r);
	if (!r) {
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	r->fd = -1;
	if (strlen(path) >= sizeof r->path) {
		snprintf(err, errlen, "%.64s...: the file name is too long", path);
		free(r);
		return NULL;
	}
	util_strlcpy(r->path, path, sizeof r->path);
	if (record_open_file(r, err, errlen) < 0) {
		free(r);
		return NULL;
	}
	struct outbuf b = { 0 };
	record_render_header(&b, meta);
	int rc = b.failed ? record_fail(r, ENOMEM, err, errlen) : record_line(r, b.p, b.len, err, errlen);
	outbuf_free(&b);
	if (rc < 0) {
		char ignore[64];
		record_close(r, ignore, sizeof ignore);
		return NULL;
	}
	return r;
}

int record_close(struct record *r, char *err, size_t errlen)
{
	if (!r)
		return 0;
	int rc = 0;
	if (r->gz) {
		int z = gzclose(r->gz); /* closes the descriptor too */
		if (z != Z_OK) {
			snprintf(err, errlen, "%s: cannot finish the gzip stream (zlib error %d)", r->path, z);
			rc = -1;
		}
	} else if (r->fd >= 0 && close(r->fd) < 0) {
		snprintf(err, errlen, "%s: %s", r->path, strerror(errno));
		rc = -1;
	}
	free(r);
	return rc;
}

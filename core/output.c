/* output.c - renders samples for batch mode; one record is built whole, then written once,
 * so a reader never sees half a line from us. */
#include "output.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"
#include "value.h"

void outbuf_free(struct outbuf *b)
{
	free(b->p);
	memset(b, 0, sizeof *b);
}

static int outbuf_reserve(struct outbuf *b, size_t more)
{
	if (b->failed)
		return -1;
	if (b->len + more + 1 <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 1024;
	while (cap < b->len + more + 1)
		cap *= 2;
	char *p = realloc(b->p, cap);
	if (!p) {
		b->failed = 1;
		return -1;
	}
	b->p = p;
	b->cap = cap;
	return 0;
}

static void outbuf_put(struct outbuf *b, const char *p, size_t n)
{
	if (outbuf_reserve(b, n) < 0)
		return;
	memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void outbuf_printf(struct outbuf *b, const char *fmt, ...)
{
	/* Most calls put punctuation or a key: no conversion, no vsnprintf. */
	if (!strchr(fmt, '%')) {
		outbuf_put(b, fmt, strlen(fmt));
		return;
	}
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || outbuf_reserve(b, (size_t)n) < 0)
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void output_totals(const struct sample *s, int64_t *rss_kb, int64_t *ksm_kb)
{
	int64_t rss = 0, ksm = 0;
	int nr = 0, nk = 0;
	for (size_t i = 0; i < s->n_inst; i++) {
		if (val_known(s->inst[i].rss_kb)) {
			rss += s->inst[i].rss_kb;
			nr++;
		}
		if (val_known(s->inst[i].ksm_kb)) {
			ksm += s->inst[i].ksm_kb;
			nk++;
		}
	}
	*rss_kb = nr ? rss : VAL_NULL;
	*ksm_kb = nk ? ksm : VAL_NULL;
}

/* ---- JSON ---- */

void outbuf_json_str(struct outbuf *b, const char *s)
{
	outbuf_put(b, "\"", 1);
	const unsigned char *run = (const unsigned char *)s, *p = run;
	for (; *p; p++) {
		if (*p != '"' && *p != '\\' && *p >= 0x20)
			continue;
		outbuf_put(b, (const char *)run, (size_t)(p - run));
		if (*p == '"' || *p == '\\')
			outbuf_printf(b, "\\%c", *p);
		else
			outbuf_printf(b, "\\u%04x", *p);
		run = p + 1;
	}
	outbuf_put(b, (const char *)run, (size_t)(p - run));
	outbuf_put(b, "\"", 1);
}

/* "key": */
static void json_key(struct outbuf *b, const char *key)
{
	outbuf_put(b, "\"", 1);
	outbuf_put(b, key, strlen(key));
	outbuf_put(b, "\":", 2);
}

/* A decimal integer without printf: a sample holds some twenty per instance. */
static void outbuf_i64(struct outbuf *b, int64_t v)
{
	char d[24];
	size_t i = sizeof d;
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	do
		d[--i] = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		d[--i] = '-';
	outbuf_put(b, d + i, sizeof d - i);
}

void outbuf_json_i64(struct outbuf *b, const char *key, int64_t v)
{
	json_key(b, key);
	if (val_known(v))
		outbuf_i64(b, v);
	else
		outbuf_put(b, "null", 4);
}

void outbuf_json_f(struct outbuf *b, const char *key, double v, int prec)
{
	if (valf_known(v))
		outbuf_printf(b, "\"%s\":%.*f", key, prec, v);
	else
		outbuf_printf(b, "\"%s\":null", key);
}

static void json_kstr(struct outbuf *b, const char *key, const char *v)
{
	json_key(b, key);
	if (v)
		outbuf_json_str(b, v);
	else
		outbuf_printf(b, "null");
}

static void json_instance(struct outbuf *b, const struct instance *in)
{
	outbuf_printf(b, "{");
	json_kstr(b, "name", in->name);
	outbuf_printf(b, ",");
	json_kstr(b, "type", inst_type_name(in->type));
	outbuf_printf(b, ",");
	json_kstr(b, "state", in->state);
	outbuf_printf(b, ",");
	outbuf_json_i64(b, "pid", in->pid > 0 ? in->pid : VAL_NULL);
	outbuf_printf(b, ",");
	outbuf_json_i64(b, "rss_kb", in->rss_kb);
	outbuf_printf(b, ",");
	outbuf_json_i64(b, "pss_kb", in->pss_kb);
	outbuf_printf(b, ",");
	outbuf_json_i64(b, "shared_kb", in->shared_kb);
	outbuf_printf(b, ",");
	outbuf_json_i64(b, "ksm_kb", in->ksm_kb);
	outbuf_printf(b, ",");
	outbuf_json_f(b, "pss_age_s", in->pss_age_s, 3);
	outbuf_printf(b, ",");
	outbuf_json_i64(b, "cgroup_mem_kb", in->cgroup_mem_kb);
	outbuf_printf(b, ",");
	outbuf_json_i64(b, "nproc", in->nproc);
	outbuf_printf(b, ",");
	outbuf_json_i64(b, "vcpus", in->vcpus >= 0 ? in->vcpus : VAL_NULL);
	outbuf_printf(b, ",");
	outbuf_json_i64(b, "mem_cfg_kb", in->mem_cfg_kb);
	outbuf_printf(b, ",");
	json_kstr(b, "domain_type", in->domain_type[0] ? in->domain_type : NULL);
	outbuf_printf(b, ",\"mergeable\":%s}",
		      in->mergeable < 0 ? "null" : in->mergeable ? "true" : "false");
}

static void output_json(struct outbuf *b, const struct sample *s)
{
	char when[40];
	const struct host_figs *h = &s->host;
	const struct dedup_figs *d = &s->dedup;
	util_iso8601(s->time, when, sizeof when);
	outbuf_printf(b, "{\"time\":\"%s\",", when);
	outbuf_json_f(b, "interval_s", s->interval_s, 3);
	outbuf_printf(b, ",\"host\":{");
	outbuf_json_i64(b, "mem_total_kb", h->mem_total_kb);
	outbuf_printf(b, ",");
	outbuf_json_i64(b, "mem_used_kb", h->mem_used_kb);
	outbuf_printf(b, ",");
	outbuf_json_i64(b, "baseline_kb", h->baseline_kb);
	outbuf_printf(b, ",\"baseline_source\":\"%s\",", baseline_source_name(h->baseline_source));
	outbuf_json_i64(b, "overhead_kb", h->overhead_kb);
	outbuf_printf(b, ",");
	outbuf_json_f(b, "cpu_pct", h->cpu_pct, 2);
	outbuf_printf(b, "},\"dedup\":{\"backend\":\"%s\",", dedup_kind_name(d->backend));
	outbuf_json_i64(b, "run", d->run);
	outbuf_printf(b, ",");
	outbuf_json_i64(b, "pages_shared", d->pages_shared);
	outbuf_printf(b, ",");
	outbuf_json_i64(b, "pages_sharing", d->pages_sharing);
	outbuf_printf(b, ",");
	outbuf_json_i64(b, "pages_unshared", d->pages_unshared);
	outbuf_printf(b, ",");
	outbuf_json_i64(b, "pages_volatile", d->pages_volatile);
	outbuf_printf(b, ",");
	outbuf_json_i64(b, "pages_scanned", d->pages_scanned);
	outbuf_printf(b, ",");
	outbuf_json_i64(b, "full_scans", d->full_scans);
	outbuf_printf(b, ",");
	outbuf_json_f(b, "scan_rate_pps", d->scan_rate_pps, 1);
	outbuf_printf(b, ",");
	outbuf_json_f(b, "cpu_pct", d->cpu_pct, 2);
	outbuf_printf(b, ",");
	outbuf_json_i64(b, "saved_kb", d->saved_kb);
	outbuf_printf(b, "},\"instances\":[");
	for (size_t i = 0; i < s->n_inst; i++) {
		if (i)
			outbuf_printf(b, ",");
		json_instance(b, &s->inst[i]);
	}
	int64_t trss, tksm;
	output_totals(s, &trss, &tksm);
	outbuf_printf(b, "],\"totals\":{");
	outbuf_json_i64(b, "rss_kb", trss);
	outbuf_printf(b, ",");
	outbuf_json_i64(b, "ksm_kb", tksm);
	outbuf_printf(b, ",");
	outbuf_json_i64(b, "overhead_kb", h->overhead_kb);
	outbuf_printf(b, "},");
	json_kstr(b, "note", s->inst_note[0] ? s->inst_note : NULL);
	outbuf_printf(b, ",\"events\":[");
	for (size_t i = 0; i < s->n_events; i++) {
		char et[40];
		util_iso8601(s->events[i].time, et, sizeof et);
		outbuf_printf(b, "%s{\"time\":\"%s\",", i ? "," : "", et);
		json_kstr(b, "what", s->events[i].what);
		outbuf_printf(b, ",");
		json_kstr(b, "detail", s->events[i].detail);
		outbuf_printf(b, "}");
	}
	outbuf_printf(b, "]}\n");
}

/* ---- CSV ---- */

static const char csv_header[] =
	"kind,time,interval_s,"
	"host.mem_total_kb,host.mem_used_kb,host.baseline_kb,host.baseline_source,host.overhead_kb,host.cpu_pct,"
	"dedup.backend,dedup.run,dedup.pages_shared,dedup.pages_sharing,dedup.pages_unshared,"
	"dedup.pages_volatile,dedup.pages_scanned,dedup.full_scans,dedup.scan_rate_pps,dedup.cpu_pct,"
	"dedup.saved_kb,"
	"instance.name,instance.type,instance.state,instance.pid,instance.rss_kb,instance.pss_kb,"
	"instance.shared_kb,instance.ksm_kb,instance.pss_age_s,instance.cgroup_mem_kb,instance.nproc,"
	"instance.vcpus,instance.mem_cfg_kb,instance.domain_type,instance.mergeable,"
	"event.time,event.what,event.detail\n";

#define CSV_HOST_COLS 6
#define CSV_DEDUP_COLS 11
#define CSV_INST_COLS 15
#define CSV_EVENT_COLS 3

static void csv_i64(struct outbuf *b, int64_t v)
{
	if (val_known(v))
		outbuf_printf(b, ",%lld", (long long)v);
	else
		outbuf_printf(b, ",");
}

static void csv_f(struct outbuf *b, double v, int prec)
{
	if (valf_known(v))
		outbuf_printf(b, ",%.*f", prec, v);
	else
		outbuf_printf(b, ",");
}

/* RFC 4180: quote when needed, double the quotes. */
static void csv_str(struct outbuf *b, const char *s)
{
	outbuf_printf(b, ",");
	if (!s)
		return;
	if (!strpbrk(s, ",\"\r\n")) {
		outbuf_printf(b, "%s", s);
		return;
	}
	outbuf_printf(b, "\"");
	for (const char *p = s; *p; p++)
		outbuf_printf(b, *p == '"' ? "\"\"" : "%c", *p);
	outbuf_printf(b, "\"");
}

static void csv_empty(struct outbuf *b, int n)
{
	for (int i = 0; i < n; i++)
		outbuf_printf(b, ",");
}

static void csv_lead(struct outbuf *b, const char *kind, const struct sample *s)
{
	char when[40];
	util_iso8601(s->time, when, sizeof when);
	outbuf_printf(b, "%s,%s", kind, when);
	csv_f(b, s->interval_s, 3);
}

static void output_csv(struct outbuf *b, const struct sample *s, int first)
{
	const struct host_figs *h = &s->host;
	const struct dedup_figs *d = &s->dedup;
	if (first)
		outbuf_printf(b, "%s", csv_header);
	csv_lead(b, "host", s);
	csv_i64(b, h->mem_total_kb);
	csv_i64(b, h->mem_used_kb);
	csv_i64(b, h->baseline_kb);
	csv_str(b, baseline_source_name(h->baseline_source));
	csv_i64(b, h->overhead_kb);
	csv_f(b, h->cpu_pct, 2);
	csv_str(b, dedup_kind_name(d->backend));
	csv_i64(b, d->run);
	csv_i64(b, d->pages_shared);
	csv_i64(b, d->pages_sharing);
	csv_i64(b, d->pages_unshared);
	csv_i64(b, d->pages_volatile);
	csv_i64(b, d->pages_scanned);
	csv_i64(b, d->full_scans);
	csv_f(b, d->scan_rate_pps, 1);
	csv_f(b, d->cpu_pct, 2);
	csv_i64(b, d->saved_kb);
	csv_empty(b, CSV_INST_COLS + CSV_EVENT_COLS);
	outbuf_printf(b, "\n");
	for (size_t i = 0; i < s->n_inst; i++) {
		const struct instance *in = &s->inst[i];
		csv_lead(b, "instance", s);
		csv_empty(b, CSV_HOST_COLS + CSV_DEDUP_COLS);
		csv_str(b, in->name);
		csv_str(b, inst_type_name(in->type));
		csv_str(b, in->state);
		csv_i64(b, in->pid > 0 ? in->pid : VAL_NULL);
		csv_i64(b, in->rss_kb);
		csv_i64(b, in->pss_kb);
		csv_i64(b, in->shared_kb);
		csv_i64(b, in->ksm_kb);
		csv_f(b, in->pss_age_s, 3);
		csv_i64(b, in->cgroup_mem_kb);
		csv_i64(b, in->nproc);
		csv_i64(b, in->vcpus >= 0 ? in->vcpus : VAL_NULL);
		csv_i64(b, in->mem_cfg_kb);
		csv_str(b, in->domain_type[0] ? in->domain_type : NULL);
		csv_str(b, in->mergeable < 0 ? NULL : in->mergeable ? "true" : "false");
		csv_empty(b, CSV_EVENT_COLS);
		outbuf_printf(b, "\n");
	}
	for (size_t i = 0; i < s->n_events; i++) {
		char et[40];
		util_iso8601(s->events[i].time, et, sizeof et);
		csv_lead(b, "event", s);
		csv_empty(b, CSV_HOST_COLS + CSV_DEDUP_COLS + CSV_INST_COLS);
		csv_str(b, et);
		csv_str(b, s->events[i].what);
		csv_str(b, s->events[i].detail);
		outbuf_printf(b, "\n");
	}
}

/* ---- text, in the manner of top -b ---- */

static const char *txt_i64(char *buf, size_t n, int64_t v)
{
	if (!val_known(v))
		return "n/a";
	snprintf(buf, n, "%lld", (long long)v);
	return buf;
}

static const char *txt_f(char *buf, size_t n, double v, int prec)
{
	if (!valf_known(v))
		return "n/a";
	snprintf(buf, n, "%.*f", prec, v);
	return buf;
}

static const char *txt_mib(char *buf, size_t n, int64_t kb, int sign)
{
	if (!val_known(kb))
		return "n/a";
	snprintf(buf, n, sign ? "%+.1f" : "%.1f", (double)kb / 1024.0);
	return buf;
}

static void output_text_instances(struct outbuf *b, const struct sample *s)
{
	char a[32], c[32], e[32], f[32], g[32], k[32], age[32];
	if (s->n_inst == 0) {
		outbuf_printf(b, "Instances: none\n");
		return;
	}
	outbuf_printf(b, "%-24s %-4s %-9s %8s %10s %10s %10s %10s %5s %6s\n", "NAME", "TYPE", "STATE",
		      "PID", "RSS_KB", "PSS_KB", "SHR_KB", "KSM_KB", "KSM%", "PSSAGE");
	for (size_t i = 0; i < s->n_inst; i++) {
		const struct instance *in = &s->inst[i];
		double pct = NAN;
		if (val_known(in->ksm_kb) && val_known(in->rss_kb) && in->rss_kb > 0)
			pct = 100.0 * (double)in->ksm_kb / (double)in->rss_kb;
		outbuf_printf(b, "%-24.24s %-4s %-9.9s %8s %10s %10s %10s %10s %5s %6s\n", in->name,
			      inst_type_name(in->type), in->state,
			      in->pid > 0 ? txt_i64(a, sizeof a, in->pid) : "-",
			      txt_i64(c, sizeof c, in->rss_kb), txt_i64(e, sizeof e, in->pss_kb),
			      txt_i64(f, sizeof f, in->shared_kb), txt_i64(g, sizeof g, in->ksm_kb),
			      txt_f(k, sizeof k, pct, 1), txt_f(age, sizeof age, in->pss_age_s, 1));
	}
	int64_t trss, tksm;
	output_totals(s, &trss, &tksm);
	outbuf_printf(b, "%-24s %-4s %-9s %8s %10s %10s %10s %10s   overhead %s MiB\n", "TOTAL", "", "",
		      "", txt_i64(a, sizeof a, trss), "", "", txt_i64(c, sizeof c, tksm),
		      txt_mib(e, sizeof e, s->host.overhead_kb, 1));
}

static void output_text(struct outbuf *b, const struct sample *s, int first)
{
	char when[40], a[32], c[32], e[32], f[32], g[32], k[32];
	const struct host_figs *h = &s->host;
	const struct dedup_figs *d = &s->dedup;
	util_iso8601(s->time, when, sizeof when);
	if (!first)
		outbuf_printf(b, "\n");
	outbuf_printf(b, "uksmtop - %s  interval %s s\n", when, txt_f(a, sizeof a, s->interval_s, 2));
	outbuf_printf(b, "Host:  used %s / %s MiB, baseline %s MiB (%s), overhead %s MiB, cpu %s %%\n",
		      txt_mib(a, sizeof a, h->mem_used_kb, 0), txt_mib(c, sizeof c, h->mem_total_kb, 0),
		      txt_mib(e, sizeof e, h->baseline_kb, 0), baseline_source_name(h->baseline_source),
		      txt_mib(f, sizeof f, h->overhead_kb, 1), txt_f(g, sizeof g, h->cpu_pct, 1));
	outbuf_printf(b, "Dedup: %s, run %s, shared %s, sharing %s, unshared %s, volatile %s\n",
		      dedup_kind_name(d->backend), txt_i64(a, sizeof a, d->run),
		      txt_i64(c, sizeof c, d->pages_shared), txt_i64(e, sizeof e, d->pages_sharing),
		      txt_i64(f, sizeof f, d->pages_unshared), txt_i64(g, sizeof g, d->pages_volatile));
	outbuf_printf(b, "       scanned %s, full scans %s, scan rate %s pages/s, cpu %s %%, saved %s MiB\n",
		      txt_i64(a, sizeof a, d->pages_scanned), txt_i64(c, sizeof c, d->full_scans),
		      txt_f(e, sizeof e, d->scan_rate_pps, 0), txt_f(f, sizeof f, d->cpu_pct, 1),
		      txt_mib(k, sizeof k, d->saved_kb, 0));
	for (size_t i = 0; i < s->n_events; i++)
		outbuf_printf(b, "Event: %s: %s\n", s->events[i].what, s->events[i].detail);
	if (s->inst_note[0])
		outbuf_printf(b, "Note:  %s\n", s->inst_note);
	output_text_instances(b, s);
}

void output_render(struct outbuf *b, enum out_format fmt, const struct sample *s, int first)
{
	switch (fmt) {
	case OUT_JSON:
		output_json(b, s);
		break;
	case OUT_CSV:
		output_csv(b, s, first);
		break;
	default:
		output_text(b, s, first);
		break;
	}
}

/* Write all of buf to fd; 0 or -errno. */
static int output_write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, p, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

int output_write(int fd, enum out_format fmt, const struct sample *s, int first)
{
	struct outbuf b = { 0 };
	output_render(&b, fmt, s, first);
	if (b.failed) {
		outbuf_free(&b);
		return -ENOMEM;
	}
	/* A regular file that fills up mid-record is cut back to the last whole
	 * record, so a reader never finds half a line at the end. */
	struct stat st;
	int regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
	int rc = output_write_all(fd, b.p, b.len);
	if (rc < 0 && regular && ftruncate(fd, st.st_size) == 0)
		lseek(fd, st.st_size, SEEK_SET);
	outbuf_free(&b);
	return rc;
}

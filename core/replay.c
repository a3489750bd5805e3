/* replay.c - reads recordings through zlib (which reads plain files as they are), one line at a time, and stops at the first damage. */
#include "replay.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "record.h"
#include "util.h"
#include "value.h"

#define REPLAY_CHUNK 65536
#define REPLAY_LINE_MAX (64u << 20)   /* a line longer than this is damage, not a sample */

struct replay {
	char path[CFG_STR_MAX];
	gzFile gz;
	char *buf;                /* read but not yet consumed: buf[pos..len) */
	size_t pos, len, cap;
	int eof;                  /* gzread said there is no more */
	int zerr;                 /* a zlib error met while reading */
	char zmsg[128];
	unsigned long line_no;    /* of the last line returned */
	unsigned long long offset;/* of the next line, in the (uncompressed) text */
	struct json *cur;         /* the last line, parsed */
	struct replay_header hdr;
};

/* ---- lines ---- */

static int replay_fill(struct replay *r)
{
	if (r->pos > 0 && r->len > r->pos) {
		memmove(r->buf, r->buf + r->pos, r->len - r->pos);
		r->len -= r->pos;
		r->pos = 0;
	} else if (r->pos > 0) {
		r->len = r->pos = 0;
	}
	if (r->cap - r->len < REPLAY_CHUNK) {
		size_t ncap = r->cap ? r->cap * 2 : 4 * REPLAY_CHUNK;
		char *nb = realloc(r->buf, ncap);
		if (!nb)
			return -1;
		r->buf = nb;
		r->cap = ncap;
	}
	int n = gzread(r->gz, r->buf + r->len, REPLAY_CHUNK);
	if (n > 0) {
		r->len += (size_t)n;
		return 0;
	}
	r->eof = 1;
	/* A gzip stream cut short ends with 0 and Z_BUF_ERROR ("unexpected end of
	 * file"), not with -1: ask zlib either way. */
	const char *m = gzerror(r->gz, &r->zerr);
	if (r->zerr != Z_OK)
		snprintf(r->zmsg, sizeof r->zmsg, "%s", m && *m ? m : "read error");
	return 0;
}

/* The next whole line: 1 (*line, *len with its "\n"), 0 at a clean end,
 * -1 with err when the text ends mid-line or the stream is damaged. */
static int replay_line(struct replay *r, const char **line, size_t *len, char *err, size_t errlen)
{
	for (;;) {
		char *nl = r->len > r->pos ? memchr(r->buf + r->pos, '\n', r->len - r->pos) : NULL;
		if (nl) {
			*line = r->buf + r->pos;
			*len = (size_t)(nl - *line) + 1;
			r->pos += *len;
			r->line_no++;
			return 1;
		}
		if (r->len - r->pos > REPLAY_LINE_MAX) {
			snprintf(err, errlen, "line %lu (byte %llu): longer than %u MiB: not a recording line",
				 r->line_no + 1, r->offset, REPLAY_LINE_MAX >> 20);
			return -1;
		}
		if (r->eof)
			break;
		if (replay_fill(r) < 0) {
			snprintf(err, errlen, "line %lu (byte %llu): out of memory", r->line_no + 1, r->offset);
			return -1;
		}
	}
	size_t rest = r->len - r->pos;
	if (r->zerr != 0 && r->zerr != Z_OK)
		snprintf(err, errlen, "line %lu (byte %llu of the uncompressed text): the compressed stream is damaged "
			 "or cut short (zlib: %s)", r->line_no + 1, r->offset + rest, r->zmsg);
	else if (rest > 0)
		snprintf(err, errlen, "line %lu (byte %llu): cut short, %zu bytes without an end of line",
			 r->line_no + 1, r->offset, rest);
	else
		return 0;
	return -1;
}

/* ---- times and names ---- */

int replay_parse_time(const char *s, double *out)
{
	struct tm tm;
	int ms = 0, used = 0;
	memset(&tm, 0, sizeof tm);
	if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
			 &tm.tm_min, &tm.tm_sec, &used) != 6)
		return -1;
	const char *p = s + used;
	if (*p == '.') {
		int digits = 0;
		for (p++; *p >= '0' && *p <= '9'; p++, digits++)
			if (digits < 3)
				ms = ms * 10 + (*p - '0');
		if (digits == 0)
			return -1;
		for (; digits < 3; digits++)
			ms *= 10;
	}
	if (strcmp(p, "Z") != 0 || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
	    tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	time_t t = timegm(&tm);
	if (t == (time_t)-1)
		return -1;
	*out = (double)t + ms / 1000.0;
	return 0;
}

static enum dedup_kind replay_backend(const char *s)
{
	if (s && strcmp(s, "uksm") == 0)
		return DEDUP_UKSM;
	if (s && strcmp(s, "ksm") == 0)
		return DEDUP_KSM;
	return DEDUP_NONE;
}

static enum baseline_source replay_baseline_source(const char *s)
{
	static const char *const names[] = { "none", "config", "manual", "auto" };
	for (int i = 0; s && i < 4; i++)
		if (strcmp(s, names[i]) == 0)
			return (enum baseline_source)i;
	return BASELINE_NONE;
}

/* ---- samples ---- */

static void replay_host(const struct json *h, const struct json *rec, struct host_figs *out)
{
	out->mem_total_kb = json_i64(h, "mem_total_kb", VAL_NULL);
	out->mem_used_kb = json_i64(h, "mem_used_kb", VAL_NULL);
	out->baseline_kb = json_i64(h, "baseline_kb", VAL_NULL);
	out->baseline_source = replay_baseline_source(json_str(h, "baseline_source", NULL));
	out->overhead_kb = json_i64(h, "overhead_kb", VAL_NULL);
	out->cpu_pct = json_num(h, "cpu_pct", NAN);
	out->mem_avail_kb = json_i64(rec, "mem_avail_kb", VAL_NULL);
	if (!val_known(out->mem_avail_kb) && val_known(out->mem_total_kb) && val_known(out->mem_used_kb))
		out->mem_avail_kb = out->mem_total_kb - out->mem_used_kb;
	out->uptime_s = json_num(rec, "uptime_s", NAN);
}

static void replay_dedup(const struct json *d, const struct json *rec, struct dedup_figs *out)
{
	out->backend = replay_backend(json_str(d, "backend", NULL));
	out->run = json_i64(d, "run", VAL_NULL);
	out->pages_shared = json_i64(d, "pages_shared", VAL_NULL);
	out->pages_sharing = json_i64(d, "pages_sharing", VAL_NULL);
	out->pages_unshared = json_i64(d, "pages_unshared", VAL_NULL);
	out->pages_volatile = json_i64(d, "pages_volatile", VAL_NULL);
	out->pages_scanned = json_i64(d, "pages_scanned", VAL_NULL);
	out->full_scans = json_i64(d, "full_scans", VAL_NULL);
	out->scan_rate_pps = json_num(d, "scan_rate_pps", NAN);
	out->cpu_pct = json_num(d, "cpu_pct", NAN);
	out->saved_kb = json_i64(d, "saved_kb", VAL_NULL);
	util_strlcpy(out->cpu_governor, json_str(rec, "cpu_governor", ""), sizeof out->cpu_governor);
	out->max_cpu_percentage = json_i64(rec, "max_cpu_percentage", VAL_NULL);
	out->sleep_millisecs = json_i64(rec, "sleep_millisecs", VAL_NULL);
	out->pages_to_scan = json_i64(rec, "pages_to_scan", VAL_NULL);
	out->ksm_zero_pages = json_i64(rec, "ksm_zero_pages", VAL_NULL);
	out->general_profit = json_i64(rec, "general_profit", VAL_NULL);
	int64_t pid = json_i64(rec, "thread_pid", VAL_NULL);
	out->thread_pid = val_known(pid) ? (pid_t)pid : 0;
}

static void replay_instance(const struct json *j, struct instance *in)
{
	memset(in, 0, sizeof *in);
	util_strlcpy(in->name, json_str(j, "name", ""), sizeof in->name);
	const char *type = json_str(j, "type", "kvm");
	in->type = strcmp(type, "lxc") == 0 ? INST_LXC : INST_KVM;
	util_strlcpy(in->state, json_str(j, "state", ""), sizeof in->state);
	int64_t v = json_i64(j, "pid", VAL_NULL);
	in->pid = val_known(v) && v > 0 && v < 0x7fffffff ? (pid_t)v : 0;
	in->rss_kb = json_i64(j, "rss_kb", VAL_NULL);
	in->pss_kb = json_i64(j, "pss_kb", VAL_NULL);
	in->shared_kb = json_i64(j, "shared_kb", VAL_NULL);
	in->ksm_kb = json_i64(j, "ksm_kb", VAL_NULL);
	in->pss_age_s = json_num(j, "pss_age_s", NAN);
	in->cgroup_mem_kb = json_i64(j, "cgroup_mem_kb", VAL_NULL);
	v = json_i64(j, "nproc", VAL_NULL);
	in->nproc = val_known(v) && v >= 0 && v < 0x7fffffff ? (int)v : 0;
	v = json_i64(j, "vcpus", VAL_NULL);
	in->vcpus = val_known(v) && v >= 0 && v < 0x7fffffff ? (int)v : -1;
	in->mem_cfg_kb = json_i64(j, "mem_cfg_kb", VAL_NULL);
	util_strlcpy(in->domain_type, json_str(j, "domain_type", ""), sizeof in->domain_type);
	const struct json *m = json_get(j, "mergeable");
	in->mergeable = m && m->type == JSON_BOOL ? m->boolean : -1;
}

static int replay_instances(const struct json *arr, struct sample *out)
{
	if (arr->n == 0)
		return 0;
	out->inst = calloc(arr->n, sizeof *out->inst);
	if (!out->inst)
		return -1;
	for (size_t i = 0; i < arr->n; i++)
		replay_instance(&arr->items[i], &out->inst[out->n_inst++]);
	return 0;
}

static int replay_events(const struct json *arr, struct sample *out)
{
	for (size_t i = 0; arr && arr->type == JSON_ARR && i < arr->n; i++) {
		const struct json *e = &arr->items[i];
		double t = NAN;
		replay_parse_time(json_str(e, "time", NULL), &t);
		if (sample_add_event(out, t, json_str(e, "what", ""), "%s", json_str(e, "detail", "")) < 0)
			return -1;
	}
	return 0;
}

int replay_sample_from_json(const struct json *j, struct sample *out, char *err, size_t errlen)
{
	sample_init(out);
	const struct json *host = json_get(j, "host"), *dedup = json_get(j, "dedup");
	const struct json *inst = json_get(j, "instances"), *rec = json_get(j, "rec");
	const char *missing = !host || host->type != JSON_OBJ ? "host" : !dedup || dedup->type != JSON_OBJ ? "dedup"
		: !inst || inst->type != JSON_ARR ? "instances" : NULL;
	if (replay_parse_time(json_str(j, "time", NULL), &out->time) < 0)
		missing = "time";
	if (missing) {
		snprintf(err, errlen, "a sample without a valid \"%s\"", missing);
		return -1;
	}
	out->interval_s = json_num(j, "interval_s", NAN);
	out->mono = json_num(rec, "mono", NAN);
	replay_host(host, rec, &out->host);
	replay_dedup(dedup, rec, &out->dedup);
	util_strlcpy(out->inst_note, json_str(j, "note", ""), sizeof out->inst_note);
	if (replay_instances(inst, out) < 0 || replay_events(json_get(j, "events"), out) < 0) {
		sample_free(out);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

/* ---- boot results ---- */

static enum boot_clone_state replay_clone_state(const char *s)
{
	static const char *const names[] = { "waiting", "prepared", "starting", "probing", "ready", "failed" };
	for (int i = 0; s && i < 6; i++)
		if (strcmp(s, names[i]) == 0)
			return (enum boot_clone_state)i;
	return BOOT_CLONE_WAITING;
}

static void replay_clone(const struct json *j, struct boot_clone *c)
{
	memset(c, 0, sizeof *c);
	util_strlcpy(c->name, json_str(j, "name", ""), sizeof c->name);
	util_strlcpy(c->address, json_str(j, "address", ""), sizeof c->address);
	c->state = replay_clone_state(json_str(j, "state", NULL));
	c->start_s = json_num(j, "start_s", NAN);
	c->ready_s = json_num(j, "ready_s", NAN);
	const char *m = json_str(j, "merge_any", NULL);
	c->merge_any = !m ? -1 : strcmp(m, "yes") == 0 ? 1 : 0;
	util_strlcpy(c->error, json_str(j, "error", ""), sizeof c->error);
}

static void replay_boot_result(const struct json *b, struct boot_result *res)
{
	res->total_s = json_num(b, "total_s", NAN);
	res->min_s = json_num(b, "min_s", NAN);
	res->median_s = json_num(b, "median_s", NAN);
	res->max_s = json_num(b, "max_s", NAN);
	res->cpu_mean_pct = json_num(b, "cpu_mean_pct", NAN);
	res->cpu_peak_pct = json_num(b, "cpu_peak_pct", NAN);
	res->failed = (int)json_i64(b, "failed", 0);
	util_strlcpy(res->results_path, json_str(b, "results_file", ""), sizeof res->results_path);
	util_strlcpy(res->results_error, json_str(b, "results_error", ""), sizeof res->results_error);
}

static void replay_boot_count(struct boot_snapshot *out)
{
	for (size_t i = 0; i < out->n; i++) {
		enum boot_clone_state st = out->clones[i].state;
		out->n_prepared += st != BOOT_CLONE_WAITING;
		out->n_started += st >= BOOT_CLONE_STARTING;
		out->n_ready += st == BOOT_CLONE_READY;
		out->n_failed += st == BOOT_CLONE_FAILED;
	}
}

int replay_boot_from_json(const struct json *j, struct boot_snapshot *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	const struct json *b = json_get(j, "boot");
	const struct json *clones = json_get(b, "clones");
	if (!b || b->type != JSON_OBJ || !clones || clones->type != JSON_ARR) {
		snprintf(err, errlen, "a boot result without its clones");
		return -1;
	}
	out->phase = BOOT_DONE;
	const char *mode = json_str(b, "mode", "boot");
	out->mode = strcmp(mode, "storm") == 0 ? BOOT_STORM : BOOT_ONE_BY_ONE;
	util_strlcpy(out->template_name, json_str(b, "template", ""), sizeof out->template_name);
	out->type = strcmp(json_str(b, "type", "kvm"), "lxc") == 0 ? INST_LXC : INST_KVM;
	util_strlcpy(out->ready, json_str(b, "ready", ""), sizeof out->ready);
	out->timeout_s = json_num(b, "timeout_s", NAN);
	out->wall_start = NAN;
	replay_parse_time(json_str(b, "time", NULL), &out->wall_start);
	out->status = (int)json_i64(b, "status", 0);
	util_strlcpy(out->message, json_str(b, "message", ""), sizeof out->message);
	replay_boot_result(b, &out->result);
	out->elapsed_s = out->result.total_s;
	out->cpu_now_pct = NAN;
	out->cpu_mean_pct = out->result.cpu_mean_pct;
	out->cpu_peak_pct = out->result.cpu_peak_pct;
	if (clones->n > 0 && !(out->clones = calloc(clones->n, sizeof *out->clones))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < clones->n; i++)
		replay_clone(&clones->items[i], &out->clones[out->n++]);
	replay_boot_count(out);
	return 0;
}

/* ---- the reader ---- */

static int replay_read_header(struct replay *r, char *err, size_t errlen)
{
	const char *line;
	size_t len;
	char why[256];
	int rc = replay_line(r, &line, &len, why, sizeof why);
	if (rc <= 0) {
		snprintf(err, errlen, "%s: %s", r->path, rc == 0 ? "empty: no uksmtop recording" : why);
		return -1;
	}
	r->offset += len;
	struct json *h = NULL;
	const struct json *v = NULL;
	if (json_parse(line, len, &h, why, sizeof why) < 0 || !(v = json_get(h, "uksmtop_recording")) ||
	    v->type != JSON_NUM || !v->is_int) {
		json_free(h);
		snprintf(err, errlen, "%s: not a uksmtop recording (its first line is no {\"uksmtop_recording\":N,...} "
			 "header)", r->path);
		return -1;
	}
	if (v->i64 < 1 || v->i64 > RECORD_VERSION) {
		snprintf(err, errlen, "%s: a recording of format version %lld; this uksmtop reads version %d",
			 r->path, (long long)v->i64, RECORD_VERSION);
		json_free(h);
		return -1;
	}
	r->hdr.version = (int)v->i64;
	r->hdr.json = h;
	util_strlcpy(r->hdr.program, json_str(h, "program", ""), sizeof r->hdr.program);
	util_strlcpy(r->hdr.host, json_str(h, "host", ""), sizeof r->hdr.host);
	r->hdr.started = NAN;
	replay_parse_time(json_str(h, "started", NULL), &r->hdr.started);
	r->hdr.delay_s = json_num(h, "delay_s", NAN);
	r->hdr.backend = replay_backend(json_str(h, "backend", NULL));
	return 0;
}

struct replay *replay_open(const char *path, char *err, size_t errlen)
{
	struct replay *r = calloc(1, sizeof *r);
	if (!r) {
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	util_strlcpy(r->path, path, sizeof r->path);
	errno = 0;
	r->gz = gzopen(path, "rb");
	if (!r->gz) {
		snprintf(err, errlen, "%s: cannot open: %s", path, errno ? strerror(errno) : "out of memory");
		free(r);
		return NULL;
	}
	if (replay_read_header(r, err, errlen) < 0) {
		replay_close(r);
		return NULL;
	}
	return r;
}

const struct replay_header *replay_header(const struct replay *r)
{
	return &r->hdr;
}

void replay_item_free(struct replay_item *it)
{
	if (it->kind == REPLAY_SAMPLE)
		sample_free(&it->sample);
	else if (it->kind == REPLAY_BOOT)
		boot_snapshot_free(&it->boot);
	memset(it, 0, sizeof *it);
}

/* Fill it from the parsed line r->cur: 1, 0 to skip, -1 with why. */
static int replay_classify(struct replay *r, struct replay_item *it, char *why, size_t whylen)
{
	const struct json *j = r->cur;
	if (j->type != JSON_OBJ) {
		snprintf(why, whylen, "not a JSON object");
		return -1;
	}
	if (json_get(j, "time")) {
		it->kind = REPLAY_SAMPLE;
		return replay_sample_from_json(j, &it->sample, why, whylen) < 0 ? -1 : 1;
	}
	if (json_get(j, "boot")) {
		it->kind = REPLAY_BOOT;
		return replay_boot_from_json(j, &it->boot, why, whylen) < 0 ? -1 : 1;
	}
	const struct json *v;
	if ((v = json_get(j, "phase")) && v->type == JSON_OBJ) {
		it->kind = REPLAY_PHASE;
		it->json = v;
		return 1;
	}
	if ((v = json_get(j, "summary")) && v->type == JSON_OBJ) {
		it->kind = REPLAY_SUMMARY;
		it->json = v;
		return 1;
	}
	return 0;
}

int replay_next(struct replay *r, struct replay_item *it, char *err, size_t errlen)
{
	memset(it, 0, sizeof *it);
	for (;;) {
		const char *line;
		size_t len;
		char why[256];
		int rc = replay_line(r, &line, &len, why, sizeof why);
		if (rc <= 0) {
			if (rc < 0)
				snprintf(err, errlen, "%s: %s", r->path, why);
			return rc;
		}
		json_free(r->cur);
		r->cur = NULL;
		unsigned long long at = r->offset;
		r->offset += len;
		if (json_parse(line, len, &r->cur, why, sizeof why) == 0) {
			it->line_no = r->line_no;
			it->line = line;
			it->len = len;
			rc = replay_classify(r, it, why, sizeof why);
			if (rc > 0)
				return 1;
			if (rc == 0)
				continue;
			it->kind = 0;
		}
		snprintf(err, errlen, "%s: line %lu (byte %llu): damaged: %s", r->path, r->line_no, at, why);
		return -1;
	}
}

void replay_close(struct replay *r)
{
	if (!r)
		return;
	if (r->gz)
		gzclose(r->gz);
	json_free(r->cur);
	json_free(r->hdr.json);
	free(r->buf);
	free(r);
}

/* ---- whole recordings ---- */

static int replay_log_add(struct replay_log *l, struct replay_item *it)
{
	void *p;
	switch (it->kind) {
	case REPLAY_SAMPLE:
		if (!(p = realloc(l->samples, (l->n_samples + 1) * sizeof *l->samples)))
			return -1;
		l->samples = p;
		l->samples[l->n_samples++] = it->sample;
		break;
	case REPLAY_BOOT:
		if (!(p = realloc(l->boots, (l->n_boots + 1) * sizeof *l->boots)))
			return -1;
		l->boots = p;
		l->boots[l->n_boots++] = it->boot;
		break;
	default:
		return 0;
	}
	it->kind = 0; /* moved into the log */
	return 0;
}

/* Keep a copy of a phase or summary line: re-parse it, the reader reuses its tree. */
static int replay_log_keep(struct replay_log *l, const struct replay_item *it)
{
	char why[128];
	struct json *whole = NULL;
	if (json_parse(it->line, it->len, &whole, why, sizeof why) < 0)
		return -1;
	if (it->kind == REPLAY_SUMMARY) {
		json_free(l->summary);
		l->summary = whole;
		return 0;
	}
	struct json **p = realloc(l->phases, (l->n_phases + 1) * sizeof *p);
	if (!p) {
		json_free(whole);
		return -1;
	}
	l->phases = p;
	l->phases[l->n_phases++] = whole;
	return 0;
}

struct replay_log *replay_load(const char *path, char *err, size_t errlen)
{
	struct replay *r = replay_open(path, err, errlen);
	if (!r)
		return NULL;
	struct replay_log *l = calloc(1, sizeof *l);
	if (!l) {
		snprintf(err, errlen, "%s: out of memory", path);
		replay_close(r);
		return NULL;
	}
	struct replay_item it;
	int rc;
	while ((rc = replay_next(r, &it, l->damage, sizeof l->damage)) > 0) {
		unsigned long line_no = it.line_no;
		int kept = (it.kind == REPLAY_PHASE || it.kind == REPLAY_SUMMARY) ? replay_log_keep(l, &it)
			: replay_log_add(l, &it);
		replay_item_free(&it);
		if (kept < 0) {
			snprintf(l->damage, sizeof l->damage, "%s: out of memory after line %lu", path, line_no);
			break;
		}
	}
	l->header = r->hdr;
	r->hdr.json = NULL; /* moved */
	replay_close(r);
	return l;
}

void replay_log_free(struct replay_log *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n_samples; i++)
		sample_free(&l->samples[i]);
	for (size_t i = 0; i < l->n_boots; i++)
		boot_snapshot_free(&l->boots[i]);
	for (size_t i = 0; i < l->n_phases; i++)
		json_free(l->phases[i]);
	free(l->samples);
	free(l->boots);
	free(l->phases);
	json_free(l->summary);
	json_free(l->header.json);
	free(l);
}

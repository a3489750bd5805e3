/* test_record.c - unit tests: the JSON reader, recording round trips (plain, gzip), damaged files, plot series, experiment files. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "../check.h"
#include "boot.h"
#include "experiment.h"
#include "json.h"
#include "output.h"
#include "plot.h"
#include "record.h"
#include "replay.h"
#include "value.h"

static char tmpdir[] = "/tmp/uksmtop-test-record-XXXXXX";

static void tmp_path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", tmpdir, name);
}

/* ---- the JSON reader ---- */

static void test_json_values(void)
{
	struct json *j = NULL;
	char err[256];
	const char *t = " {\"a\": [1, -2.5e1, true, false, null], \"s\": \"x\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\","
			"\"big\": 9007199254740993, \"e\": {}, \"z\": []} ";
	CHECK(json_parse(t, strlen(t), &j, err, sizeof err) == 0);
	if (!j)
		return;
	const struct json *a = json_get(j, "a");
	CHECK(a && a->type == JSON_ARR && a->n == 5);
	if (a && a->n == 5) {
		CHECK(a->items[0].is_int && a->items[0].i64 == 1);
		CHECK(!a->items[1].is_int && a->items[1].num == -25.0);
		CHECK(a->items[2].type == JSON_BOOL && a->items[2].boolean == 1);
		CHECK(a->items[3].type == JSON_BOOL && a->items[3].boolean == 0);
		CHECK(a->items[4].type == JSON_NULL);
	}
	CHECK_STR(json_str(j, "s", NULL), "x\"\\/\b\f\n\r\t\xc3\xa9\xf0\x9f\x98\x80");
	CHECK_I64(json_i64(j, "big", 0), 9007199254740993LL);
	CHECK(json_get(j, "e")->type == JSON_OBJ && json_get(j, "z")->type == JSON_ARR);
	CHECK(json_get(j, "nope") == NULL);
	CHECK(json_i64(j, "s", 7) == 7); /* a string is no number */
	CHECK(isnan(json_num(j, "nope", NAN)));
	json_free(j);
}

static void test_json_errors(void)
{
	static const struct { const char *text, *want; } bad[] = {
		{ "{\"a\":1,}", "at byte 7: expected a member name" },
		{ "{\"a\" 1}", "at byte 5: expected ':'" },
		{ "[1 2]", "at byte 3: expected ',' or ']'" },
		{ "{\"a\":\"x", "the text ends inside a string" },
		{ "{\"a\":tru}", "expected a value" },
		{ "\"\\q\"", "an unknown escape" },
		{ "\"\\ud800x\"", "a high surrogate without its low half" },
		{ "\"\\u0000\"", "\\u0000" },
		{ "01", "unexpected text after the value" },
		{ "-", "expected a digit" },
		{ "1.", "expected a digit" },
		{ "\"a\tb\"", "a control character inside a string" },
		{ "{} {}", "unexpected text after the value" },
		{ "", "the text ends where a value should be" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct json *j = (struct json *)1;
		char err[256] = "";
		CHECK(json_parse(bad[i].text, strlen(bad[i].text), &j, err, sizeof err) < 0);
		CHECK(j == NULL);
		if (!strstr(err, bad[i].want))
			fprintf(stderr, "  '%s': got '%s', expected '%s'\n", bad[i].text, err, bad[i].want);
		CHECK(strstr(err, bad[i].want) != NULL);
	}
	/* Nesting is bounded, so a hostile line cannot exhaust the stack. */
	char deep[200];
	memset(deep, '[', sizeof deep);
	struct json *j = NULL;
	char err[256];
	CHECK(json_parse(deep, sizeof deep, &j, err, sizeof err) < 0 && strstr(err, "nested deeper"));
}

/* ---- samples for the round trip ---- */

static void make_sample(struct sample *s, double t, int run, int with_inst)
{
	sample_init(s);
	s->time = t;
	s->mono = 1000.0 + t - 1.7e9;
	s->interval_s = with_inst ? 1.002 : NAN;
	s->host.mem_total_kb = 24000000;
	s->host.mem_used_kb = 1200000 + (int64_t)t % 1000;
	s->host.mem_avail_kb = s->host.mem_total_kb - s->host.mem_used_kb;
	s->host.baseline_kb = 1100000;
	s->host.baseline_source = BASELINE_MANUAL;
	s->host.overhead_kb = s->host.mem_used_kb - s->host.baseline_kb;
	s->host.cpu_pct = 12.34;
	s->host.uptime_s = 1234.56;
	struct dedup_figs *d = &s->dedup;
	d->backend = DEDUP_KSM;
	d->run = run;
	d->pages_shared = 2073;
	d->pages_sharing = 6049;
	d->pages_unshared = 64;
	d->pages_volatile = 5;
	d->pages_scanned = 123456789012LL;
	d->full_scans = 30;
	d->scan_rate_pps = 3999.5;
	d->cpu_pct = 1.25;
	d->saved_kb = 24196;
	d->sleep_millisecs = 20;
	d->pages_to_scan = 100;
	d->ksm_zero_pages = 0;
	d->thread_pid = 42;
	if (!with_inst)
		return;
	s->inst = calloc(2, sizeof *s->inst);
	s->n_inst = 2;
	struct instance *a = &s->inst[0], *b = &s->inst[1];
	snprintf(a->name, sizeof a->name, "uksm-demo-kvm-1");
	a->type = INST_KVM;
	snprintf(a->state, sizeof a->state, "running");
	a->pid = 8610;
	a->vcpus = 1;
	a->mem_cfg_kb = 131072;
	snprintf(a->domain_type, sizeof a->domain_type, "qemu");
	a->nproc = 1;
	a->rss_kb = 184320;
	a->pss_kb = 163840;
	a->shared_kb = 28467;
	a->ksm_kb = 8284;
	a->cgroup_mem_kb = VAL_NULL;
	a->pss_age_s = 2.5;
	a->mergeable = 1;
	snprintf(b->name, sizeof b->name, "odd \"name\", with\ttab and \xc3\xa9");
	b->type = INST_LXC;
	snprintf(b->state, sizeof b->state, "stopped");
	b->vcpus = -1;
	b->mem_cfg_kb = VAL_NULL;
	b->rss_kb = b->pss_kb = b->shared_kb = b->ksm_kb = VAL_NULL;
	b->cgroup_mem_kb = 4812;
	b->pss_age_s = NAN;
	b->mergeable = -1;
	snprintf(s->inst_note, sizeof s->inst_note, "PSS needs root; a \"note\"");
	sample_add_event(s, t - 0.25, "dedup", "run 0 -> 1 (on)");
	sample_add_event(s, t - 0.125, "backend", "libvirt: gone,\nback");
}

static char *render(enum out_format fmt, const struct sample *s, int first)
{
	struct outbuf b = { 0 };
	output_render(&b, fmt, s, first);
	return b.p ? b.p : strdup("");
}

static void make_boot(struct boot_snapshot *b)
{
	memset(b, 0, sizeof *b);
	b->phase = BOOT_DONE;
	b->mode = BOOT_STORM;
	snprintf(b->template_name, sizeof b->template_name, "demo-lxc");
	b->type = INST_LXC;
	snprintf(b->ready, sizeof b->ready, "ping");
	b->timeout_s = 120;
	b->n = 2;
	b->wall_start = 1764112000.125;
	b->status = 0;
	b->result = (struct boot_result){ .total_s = 0.035, .min_s = 0.02, .median_s = 0.0275, .max_s = 0.035,
					  .cpu_mean_pct = 87.5, .cpu_peak_pct = 100.0, .failed = 0 };
	snprintf(b->result.results_path, sizeof b->result.results_path, "/tmp/bootstorm.csv");
	b->clones = calloc(2, sizeof *b->clones);
	for (int i = 0; i < 2; i++) {
		struct boot_clone *c = &b->clones[i];
		snprintf(c->name, sizeof c->name, "uksm-demo-lxc-%d", i + 1);
		snprintf(c->address, sizeof c->address, "10.213.77.%d", 11 + i);
		c->state = BOOT_CLONE_READY;
		c->start_s = 0.001 * i;
		c->ready_s = i ? 0.035 : 0.02;
		c->merge_any = 1;
	}
}

static char *render_boot(enum out_format fmt, const struct boot_snapshot *b)
{
	struct outbuf o = { 0 };
	boot_render(&o, fmt, b);
	return o.p ? o.p : strdup("");
}

/* Write three samples and a boot result to path; returns 0. */
static int write_recording(const char *path, struct sample *smp, int n, const struct boot_snapshot *boot)
{
	char err[512];
	char *argv[] = { (char *)"uksmtop", (char *)"-b", (char *)"-w", (char *)path };
	struct record_meta m = { .started = smp[0].time, .delay_s = 1, .backend = DEDUP_KSM, .argc = 4, .argv = argv };
	struct record *r = record_open(path, &m, err, sizeof err);
	CHECK(r != NULL);
	if (!r) {
		fprintf(stderr, "  %s\n", err);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		CHECK(record_sample(r, &smp[i], err, sizeof err) == 0);
		if (i == 0 && boot) {
			char *line = render_boot(OUT_JSON, boot);
			CHECK(record_line(r, line, strlen(line), err, sizeof err) == 0);
			free(line);
		}
	}
	const char *phase = "{\"phase\":{\"index\":1,\"of\":1,\"name\":\"on\",\"time\":\"2026-11-25T23:26:36.000Z\"}}\n";
	CHECK(record_line(r, phase, strlen(phase), err, sizeof err) == 0);
	CHECK(record_lines(r) == (unsigned long)n + 2 + (boot != NULL));
	CHECK(record_close(r, err, sizeof err) == 0);
	return 0;
}

/* Every format renders the replayed sample exactly as the recorded one. */
static void check_same(const struct sample *a, const struct sample *b, int first)
{
	for (int f = OUT_TEXT; f <= OUT_JSON; f++) {
		char *x = render((enum out_format)f, a, first), *y = render((enum out_format)f, b, first);
		if (strcmp(x, y) != 0)
			fprintf(stderr, "  format %d differs:\n  recorded: %s  replayed: %s", f, x, y);
		CHECK_STR(y, x);
		free(x);
		free(y);
	}
	CHECK(b->mono == a->mono || fabs(b->mono - a->mono) < 0.001);
	CHECK_I64(b->host.mem_avail_kb, a->host.mem_avail_kb);
	CHECK(fabs(b->host.uptime_s - a->host.uptime_s) < 0.01);
	CHECK_I64(b->dedup.sleep_millisecs, a->dedup.sleep_millisecs);
	CHECK_I64(b->dedup.pages_to_scan, a->dedup.pages_to_scan);
	CHECK_I64(b->dedup.thread_pid, a->dedup.thread_pid);
}

static void test_round_trip(const char *name)
{
	char path[512];
	tmp_path(path, sizeof path, name);
	struct sample smp[3];
	struct boot_snapshot boot;
	make_boot(&boot);
	for (int i = 0; i < 3; i++)
		make_sample(&smp[i], 1764112000.5 + i, i >= 1, i != 0);
	if (write_recording(path, smp, 3, &boot) < 0)
		return;
	char err[512];
	struct replay *r = replay_open(path, err, sizeof err);
	CHECK(r != NULL);
	if (!r) {
		fprintf(stderr, "  %s\n", err);
		return;
	}
	const struct replay_header *h = replay_header(r);
	CHECK(h->version == 1 && h->backend == DEDUP_KSM && h->delay_s == 1 && h->started == smp[0].time);
	struct replay_item it;
	int n = 0, boots = 0, phases = 0, rc;
	while ((rc = replay_next(r, &it, err, sizeof err)) > 0) {
		if (it.kind == REPLAY_SAMPLE && n < 3) {
			check_same(&smp[n], &it.sample, n == 0);
			n++;
		} else if (it.kind == REPLAY_BOOT) {
			boots++;
			for (int f = OUT_TEXT; f <= OUT_JSON; f++) {
				char *x = render_boot((enum out_format)f, &boot), *y = render_boot((enum out_format)f, &it.boot);
				CHECK_STR(y, x);
				free(x);
				free(y);
			}
			CHECK(it.boot.n_ready == 2);
		} else if (it.kind == REPLAY_PHASE) {
			phases++;
			CHECK_STR(json_str(it.json, "name", NULL), "on");
		}
		replay_item_free(&it);
	}
	CHECK(rc == 0);
	CHECK(n == 3 && boots == 1 && phases == 1);
	replay_close(r);

	struct replay_log *l = replay_load(path, err, sizeof err);
	CHECK(l && l->n_samples == 3 && l->n_boots == 1 && l->n_phases == 1 && !l->damage[0]);
	int per[4];
	if (l) {
		/* overhead; shared, sharing; daemon CPU, scan rate; LXC boot time and CPU */
		CHECK(plot_series(l, per) == 7);
		CHECK(per[0] == 1 && per[1] == 2 && per[2] == 2 && per[3] == 2);
	}
	replay_log_free(l);
	for (int i = 0; i < 3; i++)
		sample_free(&smp[i]);
	boot_snapshot_free(&boot);
}

/* A gzip recording is gzip on disk. */
static void test_gz_magic(void)
{
	char path[512];
	tmp_path(path, sizeof path, "rt.jsonl.gz");
	FILE *f = fopen(path, "rb");
	unsigned char m[2] = { 0, 0 };
	CHECK(f && fread(m, 1, 2, f) == 2 && m[0] == 0x1f && m[1] == 0x8b);
	if (f)
		fclose(f);
	CHECK(record_is_gz("a.gz") && !record_is_gz("a.jsonl") && !record_is_gz(".gz"));
}

/* ---- damage ---- */

static void write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	CHECK(f != NULL);
	if (!f)
		return;
	CHECK(fwrite(data, 1, len, f) == len);
	fclose(f);
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = malloc(1 << 20);
	*len = fread(buf, 1, 1 << 20, f);
	fclose(f);
	return buf;
}

/* Replay path; returns the samples read before the end; *rc the last replay_next status. */
static int replay_count(const char *path, int *rc, char *err, size_t errlen)
{
	struct replay *r = replay_open(path, err, errlen);
	*rc = -2;
	if (!r)
		return -1;
	struct replay_item it;
	int n = 0;
	while ((*rc = replay_next(r, &it, err, errlen)) > 0) {
		n += it.kind == REPLAY_SAMPLE;
		replay_item_free(&it);
	}
	replay_close(r);
	return n;
}

static void test_damage(void)
{
	char src[512], path[512], err[512];
	size_t len;
	tmp_path(src, sizeof src, "rt.jsonl");
	char *text = read_file(src, &len);
	CHECK(text != NULL);
	if (!text)
		return;
	/* Lines: header, sample, boot, sample, sample, phase. */
	size_t nl[8], k = 0;
	for (size_t i = 0; i < len && k < 8; i++)
		if (text[i] == '\n')
			nl[k++] = i;
	CHECK(k == 6);
	int rc, n;

	/* Cut in the middle of the 4th line (the second sample): two lines before are whole. */
	tmp_path(path, sizeof path, "cut.jsonl");
	write_file(path, text, nl[2] + 40);
	CHECK(replay_count(path, &rc, err, sizeof err) == 1 && rc == -1);
	char want[128];
	snprintf(want, sizeof want, "line 4 (byte %zu): cut short", nl[2] + 1);
	if (!strstr(err, want))
		fprintf(stderr, "  got '%s', expected '%s'\n", err, want);
	CHECK(strstr(err, want) != NULL);

	/* A damaged line in the middle: replay stops there, says which. */
	char *bad = malloc(len);
	memcpy(bad, text, len);
	bad[nl[3] + 2] = '#'; /* {"time" -> {#time": no JSON */
	tmp_path(path, sizeof path, "bad.jsonl");
	write_file(path, bad, len);
	n = replay_count(path, &rc, err, sizeof err);
	if (n != 2 || rc != -1)
		fprintf(stderr, "  n %d rc %d err %s\n", n, rc, err);
	CHECK(n == 2 && rc == -1);
	snprintf(want, sizeof want, "line 5 (byte %zu): damaged", nl[3] + 1);
	CHECK(strstr(err, want) != NULL);
	free(bad);

	/* Not a recording, a newer version, empty. */
	tmp_path(path, sizeof path, "other.jsonl");
	write_file(path, "{\"time\":1}\n", 11);
	CHECK(replay_open(path, err, sizeof err) == NULL && strstr(err, "not a uksmtop recording"));
	write_file(path, "{\"uksmtop_recording\":2}\n", 24);
	CHECK(replay_open(path, err, sizeof err) == NULL && strstr(err, "version 2"));
	write_file(path, "", 0);
	CHECK(replay_open(path, err, sizeof err) == NULL && strstr(err, "empty"));
	tmp_path(path, sizeof path, "absent.jsonl");
	CHECK(replay_open(path, err, sizeof err) == NULL && strstr(err, "No such file"));
	/* A line of an unknown kind is skipped, not damage. */
	tmp_path(path, sizeof path, "future.jsonl");
	char *fut = malloc(len + 64);
	size_t hl = nl[0] + 1;
	memcpy(fut, text, hl);
	memcpy(fut + hl, "{\"someday\":{}}\n", 15);
	memcpy(fut + hl + 15, text + hl, len - hl);
	write_file(path, fut, len + 15);
	CHECK(replay_count(path, &rc, err, sizeof err) == 3 && rc == 0);
	free(fut);
	free(text);
}

static void test_gz_damage(void)
{
	char src[512], path[512], err[512];
	size_t len;
	tmp_path(src, sizeof src, "rt.jsonl.gz");
	char *gz = read_file(src, &len);
	CHECK(gz != NULL && len > 200);
	if (!gz)
		return;
	/* A sync flush after every line: most of a cut file still reads. */
	int rc;
	tmp_path(path, sizeof path, "cut.jsonl.gz");
	write_file(path, gz, len - 30);
	int n = replay_count(path, &rc, err, sizeof err);
	CHECK(n >= 2 && rc == -1);
	CHECK(strstr(err, "of the uncompressed text") != NULL || strstr(err, "cut short") != NULL);
	free(gz);
}

/* A file that cannot be created. */
static void test_open_fails(void)
{
	char err[512];
	struct record_meta m = { .started = 1, .delay_s = 1 };
	CHECK(record_open("/nonexistent-dir/x.jsonl", &m, err, sizeof err) == NULL);
	CHECK(strstr(err, "/nonexistent-dir/x.jsonl: cannot open for writing: No such file or directory") != NULL);
}

/* A full disk: the file keeps whole lines only. */
static void test_full_disk(void)
{
	if (access("/dev/full", W_OK) != 0)
		return;
	char err[512];
	struct record_meta m = { .started = 1, .delay_s = 1 };
	CHECK(record_open("/dev/full", &m, err, sizeof err) == NULL);
	CHECK(strstr(err, "No space left on device") != NULL);
}

static void test_times(void)
{
	double t;
	CHECK(replay_parse_time("2026-11-25T23:26:35.667Z", &t) == 0 && fabs(t - 1795649195.667) < 1e-6);
	CHECK(replay_parse_time("1970-01-01T00:00:00Z", &t) == 0 && t == 0);
	CHECK(replay_parse_time("2026-11-25T23:26:35.6Z", &t) == 0 && fabs(t - 1795649195.6) < 1e-6);
	CHECK(replay_parse_time("2026-11-25 23:26:35Z", &t) < 0);
	CHECK(replay_parse_time("2026-13-25T23:26:35Z", &t) < 0);
	CHECK(replay_parse_time("2026-11-25T23:26:35.667", &t) < 0);
	CHECK(replay_parse_time(NULL, &t) < 0);
}

/* ---- experiment files ---- */

static int exp_try(const char *text, char *err, size_t errlen)
{
	char path[512];
	tmp_path(path, sizeof path, "exp.ini");
	write_file(path, text, strlen(text));
	struct config cfg;
	config_defaults(&cfg);
	struct experiment *e = NULL;
	int rc = experiment_load(path, &cfg, &e, err, errlen);
	experiment_free(e);
	return rc;
}

static void test_experiment_files(void)
{
	char err[1024];
	static const char tpl[] = "[template t1]\ntype = lxc\nsource = src\n";
	char buf[2048];
	snprintf(buf, sizeof buf, "[experiment]\ntemplate = T1\nn = 2\nrecord = r.jsonl\n%s"
		 "[phase boot]\ndedup = unmerge\nbaseline = now\nboot = storm\nduration = 1\n"
		 "[phase on]\ndedup = on\nduration = 2\nload = [\"/bin/true\", \"a b\"]\n", tpl);
	CHECK(exp_try(buf, err, sizeof err) == 0);
	static const struct { const char *body, *want; } bad[] = {
		{ "[experiment]\ntemplate = t1\nn = 2\ncolour = red\n[phase a]\nduration = 1\n",
		  "[experiment] colour: unknown key" },
		{ "[experiment]\ntemplate = t1\nn = 0\n[phase a]\nduration = 1\n", "[experiment] n = '0': expected a number" },
		{ "[experiment]\ntemplate = t1\nn = 2\n[phase a]\nduration = soon\n",
		  "[phase a] duration = 'soon': expected seconds" },
		{ "[experiment]\ntemplate = t1\nn = 2\n[phase a]\ndedup = maybe\n", "[phase a] dedup = 'maybe': expected on" },
		{ "[experiment]\ntemplate = t1\nn = 2\n[phase a]\nboot = all\n", "[phase a] boot = 'all': expected storm" },
		{ "[experiment]\ntemplate = t1\nn = 2\n[phase a]\n", "[phase a]: an empty phase" },
		{ "[experiment]\ntemplate = nope\nn = 2\n[phase a]\nboot = storm\n",
		  "template = 'nope': no such template" },
		{ "[experiment]\nn = 2\n[phase a]\nboot = storm\n", "[experiment] template: missing" },
		{ "[experiment]\ntemplate = t1\nn = 2\n", "[phase NAME]: missing" },
		{ "[phase a]\nduration = 1\n", "[experiment]: missing" },
		{ "[experiment]\ntemplate = t1\nn = 2\n[stage a]\nduration = 1\n", "[stage a]: unknown section" },
		{ "[experiment]\ntemplate = t1\nn = 2\n[phase a]\nload = /nonexistent/prog -x\n",
		  "load = '/nonexistent/prog -x': /nonexistent/prog: no such program" },
		{ "[experiment]\ntemplate = t1\nn = 2\n[phase a]\nload = [\"true\", 3]\n",
		  "load = '[\"true\", 3]': expected a program" },
		{ "[experiment]\ntemplate = t1\nn = 2\nplot = x.pdf\n[phase a]\nduration = 1\n",
		  "plot = 'x.pdf': expected a file name ending in .svg or .png" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(buf, sizeof buf, "%s%s", bad[i].body, tpl);
		err[0] = '\0';
		int rc = exp_try(buf, err, sizeof err);
		CHECK(rc == 2);
		if (!strstr(err, bad[i].want) || !strstr(err, "exp.ini: "))
			fprintf(stderr, "  case %zu: got '%s', expected '%s'\n", i, err, bad[i].want);
		CHECK(strstr(err, bad[i].want) != NULL && strstr(err, "exp.ini: ") != NULL);
	}
	snprintf(buf, sizeof buf, "[experiment]\ntemplate = t1\n[phase a]\nduration = 1\n[template t1]\ntype = lxc\n");
	CHECK(exp_try(buf, err, sizeof err) == 2 && strstr(err, "[template t1] source: missing"));
}

static void cleanup_tmp(void)
{
	static const char *const names[] = { "rt.jsonl", "rt.jsonl.gz", "cut.jsonl", "bad.jsonl", "other.jsonl",
					     "future.jsonl", "cut.jsonl.gz", "exp.ini" };
	char path[512];
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		tmp_path(path, sizeof path, names[i]);
		unlink(path);
	}
	rmdir(tmpdir);
}

int main(void)
{
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_json_values();
	test_json_errors();
	test_times();
	test_round_trip("rt.jsonl");
	test_round_trip("rt.jsonl.gz");
	test_gz_magic();
	test_damage();
	test_gz_damage();
	test_open_fails();
	test_full_disk();
	test_experiment_files();
	cleanup_tmp();
	return check_done();
}

/* test_core.c - unit tests for core arithmetic: history rings, strict parsing, baseline
 * file, config load/save and the batch renderers. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../check.h"
#include "baseline.h"
#include "config.h"
#include "history.h"
#include "output.h"
#include "sample.h"
#include "util.h"
#include "value.h"

static void test_history(void)
{
	struct history h;
	CHECK(history_init(&h, 4) == 0);
	CHECK(isnan(history_max(&h, 4)));
	for (int i = 1; i <= 6; i++)
		history_push(&h, i, i == 5);
	CHECK_I64(h.len, 4);
	CHECK_I64(history_get(&h, 0), 3);   /* 1 and 2 fell out */
	CHECK_I64(history_get(&h, 3), 6);
	CHECK_I64(history_mark(&h, 2), 1);  /* the mark stays with value 5 */
	CHECK_I64(history_mark(&h, 3), 0);
	CHECK_I64(history_max(&h, 2), 6);
	history_push(&h, NAN, 0);
	CHECK_I64(history_max(&h, 1) != history_max(&h, 1), 1); /* only a null: NAN */
	CHECK_I64(history_max(&h, 4), 6);
	double out[8];
	unsigned char marks[8];
	CHECK_I64(history_tail(&h, 8, out, marks), 4);
	CHECK_I64(out[0], 4);
	CHECK_I64(marks[1], 1);
	history_free(&h);
}

static void test_parse(void)
{
	double d;
	long l;
	int b;
	CHECK(util_parse_double(" 0.05 ", &d) == 0 && d == 0.05);
	CHECK(util_parse_double("1e3", &d) == 0 && d == 1000);
	CHECK(util_parse_double("1.5x", &d) < 0);
	CHECK(util_parse_double("", &d) < 0);
	CHECK(util_parse_double("nan", &d) < 0);
	CHECK(util_parse_double("inf", &d) < 0);
	CHECK(util_parse_long("42", &l) == 0 && l == 42);
	CHECK(util_parse_long("4 2", &l) < 0);
	CHECK(util_parse_long("99999999999999999999999", &l) < 0);
	CHECK(util_parse_bool("Yes", &b) == 0 && b == 1);
	CHECK(util_parse_bool("off", &b) == 0 && b == 0);
	CHECK(util_parse_bool("maybe", &b) < 0);
	char buf[40];
	util_iso8601(1764112774.123, buf, sizeof buf);
	CHECK_STR(buf, "2025-11-25T23:19:34.123Z");
}

static void test_baseline(void)
{
	int64_t kb = 0;
	CHECK(baseline_parse("# x\nbaseline_kb = 573440\n", &kb) == 0 && kb == 573440);
	CHECK(baseline_parse("baseline_kb=12", &kb) == 0 && kb == 12);
	CHECK(baseline_parse("baseline_kb = -5\n", &kb) < 0);
	CHECK(baseline_parse("nothing here", &kb) < 0);
	char dir[] = "/tmp/uksmtop-test-XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	setenv("XDG_STATE_HOME", dir, 1);
	CHECK_I64(baseline_load(), VAL_NULL);
	char err[256];
	CHECK(baseline_store(600 * 1024, err, sizeof err) == 0);
	CHECK_I64(baseline_load(), 600 * 1024);
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
}

static char warned[1024];
static void collect_warning(const char *msg)
{
	snprintf(warned, sizeof warned, "%s", msg);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	CHECK(f != NULL);
	if (!f)
		return;
	fputs(text, f);
	fclose(f);
}

static void test_config(void)
{
	char dir[] = "/tmp/uksmtop-test-XXXXXX", path[256], err[1024];
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof path, "%s/u.ini", dir);
	struct config c;

	config_defaults(&c);
	CHECK(c.delay_s == 1.0 && c.iterations == -1 && c.format == OUT_TEXT);
	CHECK_I64(c.baseline_kb, VAL_NULL);

	write_file(path, "[uksmtop]\ndelay = 0.5\noutput_format = json\nbaseline_mb = 560\n"
			 "[filter]\ntype = lxc\nname = web*\n[libvirt]\nuri = test:///default\n");
	CHECK(config_load(&c, path, collect_warning, err, sizeof err) == 0);
	CHECK(c.delay_s == 0.5);
	CHECK_I64(c.format, OUT_JSON);
	CHECK_I64(c.baseline_kb, 560 * 1024);
	CHECK(!c.baseline_from_cli);
	CHECK_I64(c.type_filter, INST_LXC);
	CHECK_STR(c.name_filter, "web*");
	CHECK_STR(c.connect_uri, "test:///default");
	CHECK_STR(c.config_path, path);

	/* A bad value names file, section, key and value. */
	config_defaults(&c);
	write_file(path, "[uksmtop]\ndelay = 0.01\n");
	CHECK(config_load(&c, path, collect_warning, err, sizeof err) == -1);
	CHECK(strstr(err, path) && strstr(err, "[uksmtop]") && strstr(err, "delay") && strstr(err, "0.01"));
	CHECK(c.delay_s == 1.0);

	/* An unknown key is a warning naming it; loading goes on. */
	warned[0] = '\0';
	write_file(path, "[uksmtop]\ncolour = red\ndelay = 2\n");
	CHECK(config_load(&c, path, collect_warning, err, sizeof err) == 0);
	CHECK(strstr(warned, "colour") != NULL);
	CHECK(c.delay_s == 2.0);

	/* A syntax error is reported with the file. */
	write_file(path, "[uksmtop\ndelay\n");
	CHECK(config_load(&c, path, collect_warning, err, sizeof err) == -1);
	CHECK(strstr(err, path) != NULL);

	/* A missing file. */
	snprintf(path, sizeof path, "%s/absent.ini", dir);
	CHECK(config_load(&c, path, collect_warning, err, sizeof err) == -2);

	/* Save, then load back: the same settings. */
	config_defaults(&c);
	c.delay_s = 0.25;
	c.type_filter = INST_KVM;
	snprintf(c.theme, sizeof c.theme, "light");
	snprintf(path, sizeof path, "%s/sub/saved.ini", dir);
	CHECK(config_save(&c, path, err, sizeof err) == 0);
	struct config back;
	config_defaults(&back);
	CHECK(config_load(&back, path, collect_warning, err, sizeof err) == 0);
	CHECK(back.delay_s == 0.25);
	CHECK_I64(back.type_filter, INST_KVM);
	CHECK_STR(back.theme, "light");
	CHECK_I64(back.baseline_kb, VAL_NULL);

	/* A value iniparser could not read back is refused, not written. */
	memset(c.lxcpath, 'x', 1500);
	c.lxcpath[0] = '/';
	c.lxcpath[1500] = '\0';
	CHECK(config_save(&c, path, err, sizeof err) == -EINVAL);
	CHECK(strstr(err, "[lxc] lxcpath") != NULL);
	c.lxcpath[0] = '\0';

	/* A directory that cannot be written to leaves the old file intact. */
	char sub[300];
	snprintf(sub, sizeof sub, "%s/sub", dir);
	if (geteuid() != 0) {
		chmod(sub, 0555);
		c.delay_s = 9;
		CHECK(config_save(&c, path, err, sizeof err) < 0);
		CHECK(strstr(err, path) != NULL);
		config_defaults(&back);
		CHECK(config_load(&back, path, collect_warning, err, sizeof err) == 0 && back.delay_s == 0.25);
		chmod(sub, 0755);
	}
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
}

static void test_templates(void)
{
	char dir[] = "/tmp/uksmtop-test-XXXXXX", path[256], err[1024];
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof path, "%s/t.ini", dir);
	struct config c;
	config_defaults(&c);
	write_file(path, "[template web]\ntype = lxc\nsource = base-c\nready = tcp:80\ntimeout = 30\n"
			 "merge = any\n[template vm]\ntype = kvm\nsource = base-vm\nready = console:login:\n"
			 "address = 10.77.0.10\nprefix = vm-\n");
	CHECK(config_load(&c, path, collect_warning, err, sizeof err) == 0);
	CHECK_I64(c.n_templates, 2);
	const struct template *w = config_template(&c, "web"), *v = config_template(&c, "vm");
	CHECK(w && v);
	if (w && v) {
		CHECK_I64(w->type, INST_LXC);
		CHECK_STR(w->source, "base-c");
		CHECK_I64(w->ready, READY_TCP);
		CHECK_I64(w->ready_port, 80);
		CHECK(w->timeout_s == 30);
		CHECK_I64(w->merge, MERGE_ANY);
		CHECK_STR(w->prefix, "uksm-web-");
		CHECK_I64(v->type, INST_KVM);
		CHECK_I64(v->ready, READY_CONSOLE);
		CHECK_STR(v->ready_text, "login:");
		CHECK_STR(v->address, "10.77.0.10");
		CHECK_I64(v->merge, MERGE_AUTO);
	}

	/* Saved and loaded back: the templates survive a config write. */
	snprintf(path, sizeof path, "%s/saved.ini", dir);
	CHECK(config_save(&c, path, err, sizeof err) == 0);
	struct config back;
	config_defaults(&back);
	CHECK(config_load(&back, path, collect_warning, err, sizeof err) == 0);
	CHECK_I64(back.n_templates, 2);
	CHECK(memcmp(back.templates, c.templates, 2 * sizeof c.templates[0]) == 0);

	/* Bad templates name section and key. */
	static const struct { const char *text, *want; } bad[] = {
		{ "[template a]\ntype = lxc\nsource = x\nready = icmp\n", "[template a] ready = 'icmp'" },
		{ "[template a]\ntype = lxc\nsource = x\nready = tcp:70000\n", "[template a] ready = 'tcp:70000'" },
		{ "[template a]\ntype = xen\nsource = x\n", "[template a] type = 'xen'" },
		{ "[template a]\ntype = lxc\nsource = a b\n", "[template a] source = 'a b'" },
		{ "[template a]\ntype = lxc\n", "[template a] source: missing" },
		{ "[template a]\nsource = x\n", "[template a] type: missing" },
		{ "[template a]\ntype = kvm\nsource = x\ntimeout = 0\n", "[template a] timeout = '0'" },
		{ "[template a]\ntype = kvm\nsource = x\naddress = 10.1\n", "[template a] address = '10.1'" },
	};
	snprintf(path, sizeof path, "%s/bad.ini", dir);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		config_defaults(&c);
		write_file(path, bad[i].text);
		err[0] = '\0';
		CHECK(config_load(&c, path, collect_warning, err, sizeof err) == -1);
		if (!strstr(err, bad[i].want) || !strstr(err, path))
			fprintf(stderr, "  got: %s\n  want: %s\n", err, bad[i].want);
		CHECK(strstr(err, bad[i].want) != NULL && strstr(err, path) != NULL);
	}
	warned[0] = '\0';
	config_defaults(&c);
	write_file(path, "[template a]\ntype = lxc\nsource = x\ncolor = red\n");
	CHECK(config_load(&c, path, collect_warning, err, sizeof err) == 0);
	CHECK(strstr(warned, "[template a]") && strstr(warned, "color"));
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
}

static void fill_sample(struct sample *s)
{
	sample_init(s);
	s->time = 1764112774.5;
	s->host.mem_total_kb = 24000000;
	s->host.mem_used_kb = 600000;
	s->host.baseline_kb = 500000;
	s->host.baseline_source = BASELINE_AUTO;
	s->host.overhead_kb = 100000;
	s->dedup.backend = DEDUP_UKSM;
	s->dedup.run = 1;
	s->dedup.pages_sharing = 10;
	s->dedup.saved_kb = 40;
	s->inst = calloc(1, sizeof *s->inst);
	s->n_inst = 1;
	struct instance *in = &s->inst[0];
	snprintf(in->name, sizeof in->name, "web,\"1\"");
	in->type = INST_LXC;
	snprintf(in->state, sizeof in->state, "running");
	in->pid = 123;
	in->rss_kb = 2048;
	in->ksm_kb = 1024;
	in->pss_kb = in->shared_kb = in->cgroup_mem_kb = in->mem_cfg_kb = VAL_NULL;
	in->pss_age_s = NAN;
	in->vcpus = -1;
	in->mergeable = -1;
	sample_add_event(s, s->time, "dedup", "run set to on");
}

static void test_output(void)
{
	struct sample s;
	fill_sample(&s);
	struct outbuf b = { 0 };
	output_render(&b, OUT_JSON, &s, 1);
	CHECK(b.p && strstr(b.p, "\"time\":\"2025-11-25T23:19:34.500Z\"") != NULL);
	CHECK(strstr(b.p, "\"interval_s\":null") != NULL);       /* first sample: null */
	CHECK(strstr(b.p, "\"scan_rate_pps\":null") != NULL);
	CHECK(strstr(b.p, "\"baseline_source\":\"auto\"") != NULL);
	CHECK(strstr(b.p, "\"name\":\"web,\\\"1\\\"\"") != NULL); /* escaped */
	CHECK(strstr(b.p, "\"pss_kb\":null") != NULL);
	CHECK(b.p[b.len - 1] == '\n' && strchr(b.p, '\n') == b.p + b.len - 1);
	outbuf_free(&b);

	output_render(&b, OUT_CSV, &s, 1);
	CHECK(b.p && strncmp(b.p, "kind,time,interval_s,host.mem_total_kb", 38) == 0);
	CHECK(strstr(b.p, "\ninstance,") != NULL && strstr(b.p, "\nevent,") != NULL);
	CHECK(strstr(b.p, ",\"web,\"\"1\"\"\",") != NULL);        /* RFC 4180 quoting */
	outbuf_free(&b);

	output_render(&b, OUT_TEXT, &s, 1);
	CHECK(b.p && strstr(b.p, "Dedup: uksm, run 1") != NULL);
	CHECK(strstr(b.p, "baseline 488.3 MiB (auto)") != NULL);
	CHECK(strstr(b.p, "TOTAL") != NULL);
	outbuf_free(&b);

	int64_t rss, ksm;
	output_totals(&s, &rss, &ksm);
	CHECK_I64(rss, 2048);
	CHECK_I64(ksm, 1024);
	sample_free(&s);
}

int main(void)
{
	test_history();
	test_parse();
	test_baseline();
	test_config();
	test_templates();
	test_output();
	return check_done();
}

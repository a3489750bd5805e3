/* test_bootpanel.c - the boot panel's text: template choice, live figures, a storm's result, cut to the room it gets. */
#include <math.h>
#include <string.h>

#include "../check.h"
#include "tui/bootpanel.h"

static struct bootpanel_line lines[BOOTPANEL_LINES];

/* Whether some line of the first n contains s. */
static int has(size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strstr(lines[i].text, s))
			return 1;
	return 0;
}

/* Lines from..n-1 fit the width (a long title or path is cut when drawn). */
static int fits_from(size_t from, size_t n, int width)
{
	size_t i;

	for (i = from; i < n; i++)
		if ((int)strlen(lines[i].text) > width)
			return 0;
	return 1;
}

static struct boot_clone clones[64];

static void fill_snapshot(struct boot_snapshot *s, size_t n)
{
	size_t i;

	memset(s, 0, sizeof(*s));
	s->mode = BOOT_STORM;
	snprintf(s->template_name, sizeof(s->template_name), "demo-lxc");
	s->type = INST_LXC;
	snprintf(s->ready, sizeof(s->ready), "ping");
	s->timeout_s = 30;
	s->n = n;
	s->clones = clones;
	for (i = 0; i < n; i++) {
		memset(&clones[i], 0, sizeof(clones[i]));
		snprintf(clones[i].name, sizeof(clones[i].name), "uksm-demo-lxc-%zu", i + 1);
		snprintf(clones[i].address, sizeof(clones[i].address), "10.213.77.%zu", 11 + i);
		clones[i].state = BOOT_CLONE_READY;
		clones[i].start_s = 0;
		clones[i].ready_s = 0.021 + 0.011 * (double)i;
	}
}

static void test_secs(void)
{
	char b[32];

	CHECK_STR(bootpanel_secs(b, sizeof(b), 0.0321), "0.032 s");
	CHECK_STR(bootpanel_secs(b, sizeof(b), 12.5), "12.500 s");
	CHECK_STR(bootpanel_secs(b, sizeof(b), 150.04), "150.0 s");
	CHECK_STR(bootpanel_secs(b, sizeof(b), NAN), "-");
}

static void test_result(void)
{
	struct bootpanel p;
	size_t n;

	memset(&p, 0, sizeof(p));
	p.stage = BOOTPANEL_RESULT;
	p.mode = BOOT_STORM;
	p.have_snap = true;
	fill_snapshot(&p.snap, 2);
	p.snap.phase = BOOT_DONE;
	p.snap.n_ready = p.snap.n_started = 2;
	p.snap.elapsed_s = 0.032;
	p.snap.result.total_s = 0.032;
	p.snap.result.min_s = 0.021;
	p.snap.result.median_s = 0.026;
	p.snap.result.max_s = 0.032;
	p.snap.result.cpu_mean_pct = 45;
	p.snap.result.cpu_peak_pct = 60;
	snprintf(p.snap.result.results_path, sizeof(p.snap.result.results_path), "/var/x/bootstorm.csv");

	n = bootpanel_lines(&p, 120, BOOTPANEL_LINES, lines);
	CHECK(n >= 6);
	CHECK(fits_from(0, n, 120));
	CHECK_I64(lines[0].el, TE_TITLE);
	CHECK(has(1, "Boot storm of demo-lxc (lxc, 2 clones): done"));
	CHECK(has(1, "any key closes"));
	CHECK_I64(strlen(lines[0].text), 120);
	CHECK(has(n, "total      0.032 s   2 of 2 ready, 0 failed"));
	CHECK(has(n, "min 0.021 s   median 0.026 s   max 0.032 s"));
	CHECK(has(n, "mean 45.0%   peak 60.0%"));
	CHECK(has(n, "a line was appended to /var/x/bootstorm.csv"));
	CHECK(has(n, "uksm-demo-lxc-1 10.213.77.11 ready 0.021 s"));
	CHECK(has(n, "uksm-demo-lxc-2 10.213.77.12 ready 0.032 s"));

	/* Not written: the reason, as an error. */
	snprintf(p.snap.result.results_error, sizeof(p.snap.result.results_error), "/ro/bootstorm.csv: Read-only file system");
	n = bootpanel_lines(&p, 120, BOOTPANEL_LINES, lines);
	CHECK(has(n, "not written: /ro/bootstorm.csv: Read-only file system"));

	/* Cancelled: said so, and that nothing was written. */
	p.cancelled = true;
	p.snap.n_ready = 1;
	n = bootpanel_lines(&p, 120, BOOTPANEL_LINES, lines);
	CHECK(has(1, "cancelled"));
	CHECK(has(n, "cancelled after 0.032 s: 1 of 2 ready"));
	CHECK(has(n, "nothing written"));
}

static void test_running(void)
{
	struct bootpanel p;
	size_t n;

	memset(&p, 0, sizeof(p));
	p.stage = BOOTPANEL_RUNNING;
	p.mode = BOOT_STORM;
	p.have_snap = true;
	fill_snapshot(&p.snap, 3);
	p.snap.phase = BOOT_PREPARING;
	p.snap.n_prepared = 1;
	n = bootpanel_lines(&p, 100, BOOTPANEL_LINES, lines);
	CHECK(has(1, "Esc cancels"));
	CHECK(has(n, "preparing: 1 of 3 clones made"));

	p.snap.phase = BOOT_BOOTING;
	p.snap.elapsed_s = 1.5;
	p.snap.n_started = 3;
	p.snap.n_ready = 1;
	p.snap.cpu_now_pct = 80;
	p.snap.cpu_mean_pct = 50;
	p.snap.cpu_peak_pct = 90;
	clones[1].state = BOOT_CLONE_PROBING;
	clones[1].ready_s = NAN;
	clones[2].state = BOOT_CLONE_STARTING;
	n = bootpanel_lines(&p, 100, BOOTPANEL_LINES, lines);
	CHECK(has(n, "elapsed 1.500 s   1 of 3 ready   3 started   0 failed"));
	CHECK(has(n, "now 80.0%   mean 50.0%   peak 90.0%"));
	CHECK(has(n, "uksm-demo-lxc-2 10.213.77.12 probing"));
	CHECK(has(n, "starting"));
	CHECK(fits_from(0, n, 100));

	/* One by one: no CPU line. */
	p.mode = BOOT_ONE_BY_ONE;
	n = bootpanel_lines(&p, 100, BOOTPANEL_LINES, lines);
	CHECK(has(1, "one by one"));
	CHECK(!has(n, "host CPU"));

	p.mode = BOOT_STORM;
	p.cancelled = true;
	n = bootpanel_lines(&p, 100, BOOTPANEL_LINES, lines);
	CHECK(has(1, "cancelling"));
	CHECK(has(n, "clones already started stay"));
}

/* Many clones in little room: columns, then a line saying how many are left out. */
static void test_cut(void)
{
	struct bootpanel p;
	size_t n;

	memset(&p, 0, sizeof(p));
	p.stage = BOOTPANEL_RUNNING;
	p.mode = BOOT_STORM;
	p.have_snap = true;
	fill_snapshot(&p.snap, 64);
	p.snap.phase = BOOT_BOOTING;
	n = bootpanel_lines(&p, 200, BOOTPANEL_LINES, lines);
	CHECK(n < 3 + 64);          /* more than one clone a line at 200 columns */
	CHECK(fits_from(0, n, 200));
	n = bootpanel_lines(&p, 60, 8, lines);
	CHECK_I64(n, 8);
	CHECK(has(8, "... and 60 more clones"));   /* 3 head lines, 4 clones, the note */
	CHECK(fits_from(3, n, 60));     /* the clones and the note */
	n = bootpanel_lines(&p, 60, 1, lines);
	CHECK_I64(n, 1);
	CHECK_I64(lines[0].el, TE_TITLE);
}

static void test_choose(void)
{
	struct template t[12];
	struct bootpanel p;
	size_t i, n;

	for (i = 0; i < 12; i++) {
		char name[32];

		snprintf(name, sizeof(name), "tpl%zu", i + 1);
		template_defaults(&t[i], name);
		snprintf(t[i].source, sizeof(t[i].source), "src%zu", i + 1);
	}
	memset(&p, 0, sizeof(p));
	p.stage = BOOTPANEL_CHOOSE;
	p.mode = BOOT_STORM;
	p.tpl = t;
	p.n_tpl = 12;
	p.sel = 1;
	n = bootpanel_lines(&p, 120, BOOTPANEL_LINES, lines);
	CHECK_I64(n, 13);
	CHECK(has(1, "which template"));
	CHECK_I64(lines[2].el, TE_SELECTED);
	CHECK(has(3, "> 2  tpl2"));
	CHECK(has(n, "source src2  ready state  timeout 120 s"));
	/* The selection stays in sight in a small panel. */
	p.sel = 10;
	n = bootpanel_lines(&p, 120, 4, lines);
	CHECK_I64(n, 4);
	CHECK_I64(lines[3].el, TE_SELECTED);
	CHECK(has(4, "tpl11"));

	p.stage = BOOTPANEL_COUNT;
	n = bootpanel_lines(&p, 120, BOOTPANEL_LINES, lines);
	CHECK_I64(n, 2);
	CHECK(has(1, "how many clones of tpl11"));

	p.stage = BOOTPANEL_NONE;
	CHECK_I64(bootpanel_lines(&p, 120, BOOTPANEL_LINES, lines), 0);
}

static void test_prefixed(void)
{
	struct template t[2];
	struct instance in[6];
	static const char *const names[] = { "uksm-demo-lxc-1", "web", "uksm-demo-kvm-2", "uksm-demo-lxc",
		"uksm-demo-lxc-7", "uksm-demo-lxc-9" };
	char list[256];
	size_t i;

	template_defaults(&t[0], "demo-lxc");
	snprintf(t[0].prefix, sizeof(t[0].prefix), "uksm-demo-lxc-");
	template_defaults(&t[1], "demo-kvm");
	snprintf(t[1].prefix, sizeof(t[1].prefix), "uksm-demo-kvm-");
	memset(in, 0, sizeof(in));
	for (i = 0; i < 6; i++)
		snprintf(in[i].name, sizeof(in[i].name), "%s", names[i]);
	CHECK_I64(bootpanel_count_prefixed(in, 6, t, 2, list, sizeof(list)), 4);
	CHECK_STR(list, "uksm-demo-lxc-1, uksm-demo-kvm-2, uksm-demo-lxc-7 and 1 more");
	CHECK_I64(bootpanel_count_prefixed(in, 2, t, 2, list, sizeof(list)), 1);
	CHECK_STR(list, "uksm-demo-lxc-1");
	CHECK_I64(bootpanel_count_prefixed(in, 6, t, 0, list, sizeof(list)), 0);
	CHECK_STR(list, "");
}

int main(void)
{
	test_secs();
	test_result();
	test_running();
	test_cut();
	test_choose();
	test_prefixed();
	return check_done();
}

/* test_rows.c - the table's rows: name filter, sorting with null figures, totals, KSM%, staleness, scrolling. */
#include <math.h>
#include <string.h>

#include "../check.h"
#include "tui/rows.h"

static struct instance inst[4];

static void mk(struct instance *in, const char *name, enum inst_type type, int64_t rss, int64_t ksm,
	       int64_t pss)
{
	memset(in, 0, sizeof(*in));
	snprintf(in->name, sizeof(in->name), "%s", name);
	in->type = type;
	snprintf(in->state, sizeof(in->state), "running");
	in->pid = 100 + (int)(in - inst);
	in->rss_kb = rss;
	in->ksm_kb = ksm;
	in->pss_kb = pss;
	in->shared_kb = VAL_NULL;
	in->pss_age_s = NAN;
}

static void setup(void)
{
	mk(&inst[0], "web-1", INST_KVM, 4000, 1000, 3000);
	mk(&inst[1], "Db-main", INST_LXC, 9000, VAL_NULL, 8000);
	mk(&inst[2], "web-2", INST_KVM, 2000, 1500, VAL_NULL);
	mk(&inst[3], "cache", INST_LXC, VAL_NULL, VAL_NULL, VAL_NULL);
	snprintf(inst[3].state, sizeof(inst[3].state), "stopped");
	inst[3].pid = 0;
}

static const char *order(const size_t *idx, size_t n)
{
	static char buf[128];
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		if (i)
			strcat(buf, ",");
		strcat(buf, inst[idx[i]].name);
	}
	return buf;
}

static void test_match(void)
{
	CHECK(rows_match("", "anything"));
	CHECK(rows_match("WEB", "web-1"));
	CHECK(rows_match("b-m", "Db-main"));
	CHECK(!rows_match("web-3", "web-1"));
	CHECK(rows_match("web-?", "web-2"));
	CHECK(rows_match("*MAIN", "Db-main"));
	CHECK(!rows_match("web*x", "web-1"));
}

static void test_sort(void)
{
	size_t idx[4];
	size_t n;

	n = rows_build(inst, 4, "", COL_NAME, false, idx);
	CHECK_I64(n, 4);
	CHECK_STR(order(idx, n), "Db-main,cache,web-1,web-2");  /* byte order */
	n = rows_build(inst, 4, "", COL_NAME, true, idx);
	CHECK_STR(order(idx, n), "web-2,web-1,cache,Db-main");
	/* Figures: largest first; the null RSS last either way. */
	n = rows_build(inst, 4, "", COL_RSS, false, idx);
	CHECK_STR(order(idx, n), "Db-main,web-1,web-2,cache");
	n = rows_build(inst, 4, "", COL_RSS, true, idx);
	CHECK_STR(order(idx, n), "web-2,web-1,Db-main,cache");
	/* KSM%: web-2 75%, web-1 25%, the rest null (ties by name). */
	n = rows_build(inst, 4, "", COL_KSMPCT, false, idx);
	CHECK_STR(order(idx, n), "web-2,web-1,Db-main,cache");
	n = rows_build(inst, 4, "", COL_PID, true, idx);
	CHECK_STR(order(idx, n), "web-1,Db-main,web-2,cache");
	n = rows_build(inst, 4, "", COL_TYPE, false, idx);
	CHECK_STR(order(idx, n), "web-1,web-2,Db-main,cache");
	n = rows_build(inst, 4, "", COL_STATE, false, idx);
	CHECK_STR(order(idx, n), "Db-main,web-1,web-2,cache");
	/* Filter, then sort. */
	n = rows_build(inst, 4, "web", COL_KSM, false, idx);
	CHECK_I64(n, 2);
	CHECK_STR(order(idx, n), "web-2,web-1");
	n = rows_build(inst, 4, "nomatch", COL_KSM, false, idx);
	CHECK_I64(n, 0);
	CHECK(rows_default_desc(COL_RSS) && !rows_default_desc(COL_NAME));
}

static void test_totals(void)
{
	struct rows_totals t;
	size_t idx[4] = { 0, 1, 2, 3 };

	rows_totals(inst, idx, 4, &t);
	CHECK_I64(t.n, 4);
	CHECK_I64(t.rss_kb, 15000);
	CHECK_I64(t.ksm_kb, 2500);
	CHECK_I64(t.pss_kb, 11000);
	CHECK_I64(t.shared_kb, VAL_NULL);       /* nobody knows it */
	CHECK(fabs(t.ksm_pct - 100.0 * 2500 / 15000) < 1e-9);
	rows_totals(inst, idx, 0, &t);
	CHECK_I64(t.rss_kb, VAL_NULL);
	CHECK(isnan(t.ksm_pct));
}

static void test_pct_stale(void)
{
	struct instance in = inst[0];

	CHECK(fabs(rows_ksm_pct(&inst[0]) - 25.0) < 1e-9);
	CHECK(isnan(rows_ksm_pct(&inst[1])));
	in.rss_kb = 0;
	CHECK(isnan(rows_ksm_pct(&in)));

	in.pss_age_s = NAN;
	CHECK(!rows_pss_stale(&in, 10, 1));
	in.pss_age_s = 15;
	CHECK(!rows_pss_stale(&in, 10, 1));
	in.pss_age_s = 21;
	CHECK(rows_pss_stale(&in, 10, 1));
	/* Gathered every sample: stale after two delays. */
	in.pss_age_s = 2.5;
	CHECK(rows_pss_stale(&in, 0, 1));
	CHECK(!rows_pss_stale(&in, 0, 2));
}

static void test_scroll(void)
{
	size_t sel, top;

	sel = 0, top = 0;
	rows_scroll(10, 4, &sel, &top);
	CHECK(sel == 0 && top == 0);
	sel = 5;
	rows_scroll(10, 4, &sel, &top);
	CHECK(sel == 5 && top == 2);            /* selection at the bottom edge */
	sel = 1;
	rows_scroll(10, 4, &sel, &top);
	CHECK(sel == 1 && top == 1);
	sel = 99;
	rows_scroll(10, 4, &sel, &top);
	CHECK(sel == 9 && top == 6);            /* End */
	/* Rows went away: no blank space under the last one. */
	sel = 2, top = 6;
	rows_scroll(5, 4, &sel, &top);
	CHECK(sel == 2 && top == 1);
	sel = 3, top = 0;
	rows_scroll(0, 4, &sel, &top);
	CHECK(sel == 0 && top == 0);
	sel = 3, top = 0;
	rows_scroll(10, 0, &sel, &top);
	CHECK(sel == 3);
}

static void test_find(void)
{
	size_t idx[4];
	size_t n = rows_build(inst, 4, "", COL_RSS, false, idx);

	CHECK_I64(rows_find(inst, idx, n, "web-2"), 2);
	CHECK_I64(rows_find(inst, idx, n, "gone"), -1);
	CHECK_I64(rows_find(inst, idx, n, ""), -1);
}

int main(void)
{
	setup();
	test_match();
	test_sort();
	test_totals();
	test_pct_stale();
	test_scroll();
	test_find();
	return check_done();
}

/* test_layout.c - column layout at 120, 80 and 40 columns, header flow, and screen regions. */
#include <string.h>

#include "../check.h"
#include "tui/layout.h"

/* The shown columns' titles joined by blanks, e.g. "NAME RSS KSM KSM%". */
static const char *cols_text(const struct layout_table *t)
{
	static char buf[128];
	int i;

	buf[0] = '\0';
	for (i = 0; i < t->n; i++) {
		if (i)
			strcat(buf, " ");
		strcat(buf, layout_cols[t->col[i]].title);
	}
	return buf;
}

/* Columns never overlap and never pass the width. */
static int fits(const struct layout_table *t, int width)
{
	int i;

	for (i = 0; i < t->n; i++) {
		if (t->x[i] + t->w[i] > width)
			return 0;
		if (i && t->x[i] != t->x[i - 1] + t->w[i - 1] + 1)
			return 0;
	}
	return t->width <= width;
}

static void test_table(void)
{
	struct layout_table t;
	int w;

	layout_table(120, false, &t);
	CHECK_STR(cols_text(&t), "NAME TYPE STATE PID RSS PSS SHR KSM KSM%");
	CHECK_I64(t.w[0], LAYOUT_NAME_MAX);        /* NAME grows, but not past its cap */
	CHECK(fits(&t, 120));

	layout_table(120, true, &t);
	CHECK_STR(cols_text(&t), "NAME TYPE STATE PID RSS PSS SHR AGE KSM KSM%");
	CHECK(fits(&t, 120));

	layout_table(80, false, &t);
	CHECK_STR(cols_text(&t), "NAME TYPE STATE PID RSS PSS SHR KSM KSM%");
	CHECK_I64(t.w[0], 15);
	CHECK(fits(&t, 80));

	/* The PSS age, when stale, pushes out the PID. */
	layout_table(80, true, &t);
	CHECK_STR(cols_text(&t), "NAME TYPE STATE RSS PSS SHR AGE KSM KSM%");
	CHECK(fits(&t, 80));

	layout_table(40, false, &t);
	CHECK_STR(cols_text(&t), "NAME RSS KSM KSM%");
	CHECK_I64(t.w[0], 15);
	CHECK(fits(&t, 40));
	CHECK_I64(layout_find(&t, COL_KSM), 2);
	CHECK_I64(layout_find(&t, COL_PID), -1);

	layout_table(40, true, &t);
	CHECK_STR(cols_text(&t), "NAME RSS KSM KSM%");

	/* Every width from the minimum up fits, and NAME is always there. */
	for (w = 20; w <= 200; w++) {
		layout_table(w, w % 2, &t);
		CHECK(t.n >= 1 && t.col[0] == COL_NAME);
		if (w >= LAYOUT_MIN_COLS)
			CHECK(fits(&t, w));
	}
}

static void test_flow(void)
{
	/* Two groups: a, b, c on the first line if they fit; d on its own. */
	struct layout_piece p[] = {
		{ 10, 0, 0 }, { 10, 0, 2 }, { 10, 0, 1 }, { 10, 1, 3 },
	};
	int line[4], x[4];

	CHECK_I64(layout_flow(p, 4, 40, 2, 4, line, x), 2);
	CHECK(line[0] == 0 && line[1] == 0 && line[2] == 0 && line[3] == 1);
	CHECK(x[0] == 0 && x[1] == 12 && x[2] == 24 && x[3] == 0);

	/* Narrower: c wraps to a second line of its group. */
	CHECK_I64(layout_flow(p, 4, 25, 2, 4, line, x), 3);
	CHECK(line[0] == 0 && line[1] == 0 && line[2] == 1 && line[3] == 2);

	/* Two lines at most: the least important pieces go first (d, then b). */
	CHECK_I64(layout_flow(p, 4, 25, 2, 2, line, x), 2);
	CHECK(line[3] == -1);
	CHECK(line[0] == 0 && line[1] == 0 && line[2] == 1);
	CHECK_I64(layout_flow(p, 4, 25, 2, 1, line, x), 1);
	CHECK(line[0] == 0 && line[1] == -1 && line[2] == 0 && line[3] == -1);
	CHECK_I64(x[2], 12);
}

static void test_screen(void)
{
	struct layout_screen s;

	layout_screen(120, 40, 3, &s);
	CHECK(!s.too_small && s.sparks);
	CHECK_I64(s.header_h, 3);
	CHECK_I64(s.spark_y, 3);
	CHECK_I64(s.table_y, 3 + LAYOUT_SPARK_ROWS);
	CHECK_I64(s.bar_y, 39);
	CHECK_I64(s.table_y + s.table_h, s.bar_y);
	CHECK_I64(s.rows_h, 40 - 1 - 3 - LAYOUT_SPARK_ROWS - 2);

	layout_screen(80, 24, 4, &s);
	CHECK(!s.too_small && s.sparks);
	CHECK_I64(s.rows_h, 24 - 1 - 4 - LAYOUT_SPARK_ROWS - 2);

	/* 40x12: no sparklines, header capped at three lines. */
	layout_screen(40, 12, 6, &s);
	CHECK(!s.too_small && !s.sparks);
	CHECK_I64(s.header_h, 3);
	CHECK_I64(s.table_y, 3);
	CHECK_I64(s.rows_h, 12 - 1 - 3 - 2);

	/* Wide but short, and tall but narrow: no sparklines either. */
	layout_screen(120, 18, 3, &s);
	CHECK(!s.too_small && !s.sparks);
	layout_screen(50, 40, 3, &s);
	CHECK(!s.too_small && !s.sparks);

	layout_screen(39, 24, 3, &s);
	CHECK(s.too_small);
	layout_screen(80, 11, 3, &s);
	CHECK(s.too_small);
}

/* A panel under the table takes what the table can spare. */
static void test_panel(void)
{
	struct layout_screen s;
	int y, h;

	layout_screen(120, 40, 3, &s);
	h = layout_panel(&s, 0, &y);
	CHECK_I64(h, 0);
	CHECK_I64(s.rows_h, 40 - 1 - 3 - LAYOUT_SPARK_ROWS - 2);
	h = layout_panel(&s, 8, &y);
	CHECK_I64(h, 8);
	CHECK_I64(y, s.table_y + s.table_h);
	CHECK_I64(y + h, s.bar_y);
	CHECK_I64(s.rows_h, 40 - 1 - 3 - LAYOUT_SPARK_ROWS - 2 - 8);

	/* A long panel: the table keeps a third of its rows. */
	layout_screen(120, 40, 3, &s);
	h = layout_panel(&s, 90, &y);
	CHECK_I64(s.rows_h, 30 / 3);
	CHECK_I64(y + h, s.bar_y);

	/* 40x12: two rows stay. */
	layout_screen(40, 12, 3, &s);
	h = layout_panel(&s, 10, &y);
	CHECK_I64(h, 4);
	CHECK_I64(s.rows_h, 2);
	CHECK_I64(y + h, s.bar_y);
}

int main(void)
{
	test_table();
	test_flow();
	test_screen();
	test_panel();
	return check_done();
}

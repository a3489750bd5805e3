/* layout.c - what fits where: screen regions, header lines and table columns for a size. */
#include <string.h>

#include "layout.h"

/* Figures are 8 wide: format_kb never writes more for a non-negative size. */
const struct layout_coldef layout_cols[COL_N] = {
	[COL_NAME]   = { "NAME", 12, 0, false },
	[COL_TYPE]   = { "TYPE",  4, 8, false },
	[COL_STATE]  = { "STATE", 8, 7, false },
	[COL_PID]    = { "PID",   7, 9, true },
	[COL_RSS]    = { "RSS",   8, 1, true },
	[COL_PSS]    = { "PSS",   8, 4, true },
	[COL_SHR]    = { "SHR",   8, 5, true },
	[COL_AGE]    = { "AGE",   5, 6, true },
	[COL_KSM]    = { "KSM",   8, 2, true },
	[COL_KSMPCT] = { "KSM%",  6, 3, true },
};

/* Width of the chosen set (a bit per column) at minimum NAME width. */
static int layout_need(unsigned set)
{
	int c, need = 0, n = 0;

	for (c = 0; c < COL_N; c++) {
		if (!(set & (1u << c)))
			continue;
		need += layout_cols[c].width;
		n++;
	}
	return n > 0 ? need + n - 1 : 0;
}

/* The shown column with the highest prio number (the next to drop), or -1. */
static int layout_least(unsigned set)
{
	int c, worst = -1;

	for (c = 0; c < COL_N; c++) {
		if (c == COL_NAME || !(set & (1u << c)))
			continue;
		if (worst < 0 || layout_cols[c].prio > layout_cols[worst].prio)
			worst = c;
	}
	return worst;
}

void layout_table(int width, bool with_age, struct layout_table *out)
{
	unsigned set = (1u << COL_N) - 1;
	int c, x = 0, extra;

	memset(out, 0, sizeof(*out));
	if (!with_age)
		set &= ~(1u << COL_AGE);
	while (layout_need(set) > width) {
		int drop = layout_least(set);

		if (drop < 0)
			break;
		set &= ~(1u << drop);
	}
	extra = width - layout_need(set);
	if (extra < 0)
		extra = 0;
	if (layout_cols[COL_NAME].width + extra > LAYOUT_NAME_MAX)
		extra = LAYOUT_NAME_MAX - layout_cols[COL_NAME].width;
	for (c = 0; c < COL_N; c++) {
		int w;

		if (!(set & (1u << c)))
			continue;
		w = layout_cols[c].width + (c == COL_NAME ? extra : 0);
		out->col[out->n] = (enum layout_col)c;
		out->x[out->n] = x;
		out->w[out->n] = w;
		out->n++;
		x += w + 1;
	}
	out->width = x > 0 ? x - 1 : 0;
}

int layout_find(const struct layout_table *t, enum layout_col c)
{
	int i;

	for (i = 0; i < t->n; i++)
		if (t->col[i] == c)
			return i;
	return -1;
}

/* Place the kept pieces; returns the lines used. */
static int layout_place(const struct layout_piece *p, size_t n, const bool *keep, int width,
			int gap, int *line, int *x)
{
	int cur = -1, cx = 0, group = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		line[i] = -1;
		x[i] = 0;
		if (!keep[i])
			continue;
		if (cur < 0 || p[i].group != group || (cx > 0 && cx + gap + p[i].width > width)) {
			cur++;
			cx = 0;
			group = p[i].group;
		} else if (cx > 0) {
			cx += gap;
		}
		line[i] = cur;
		x[i] = cx;
		cx += p[i].width;
	}
	return cur + 1;
}

int layout_flow(const struct layout_piece *p, size_t n, int width, int gap, int max_lines,
		int *line, int *x)
{
	bool keep[64];
	size_t i;
	int lines;

	if (n > sizeof(keep) / sizeof(keep[0]))
		n = sizeof(keep) / sizeof(keep[0]);
	for (i = 0; i < n; i++)
		keep[i] = true;
	for (;;) {
		size_t worst = n;

		lines = layout_place(p, n, keep, width, gap, line, x);
		if (lines <= max_lines)
			return lines;
		/* Drop the least important piece; among equals the last one. */
		for (i = 0; i < n; i++)
			if (keep[i] && (worst == n || p[i].prio >= p[worst].prio))
				worst = i;
		if (worst == n)
			return lines;
		keep[worst] = false;
	}
}

int layout_header_max(int rows)
{
	return rows >= LAYOUT_SPARK_MIN_ROWS ? 4 : 3;
}

void layout_screen(int cols, int rows, int header_h, struct layout_screen *out)
{
	int y;

	memset(out, 0, sizeof(*out));
	if (cols < LAYOUT_MIN_COLS || rows < LAYOUT_MIN_ROWS) {
		out->too_small = true;
		return;
	}
	if (header_h > layout_header_max(rows))
		header_h = layout_header_max(rows);
	out->header_y = 0;
	out->header_h = header_h;
	y = header_h;
	out->sparks = cols >= LAYOUT_SPARK_MIN_COLS && rows >= LAYOUT_SPARK_MIN_ROWS;
	if (out->sparks) {
		out->spark_y = y;
		out->spark_h = LAYOUT_SPARK_ROWS;
		y += LAYOUT_SPARK_ROWS;
	}
	out->bar_y = rows - 1;
	out->table_y = y;
	out->table_h = out->bar_y - y;
	out->rows_y = y + 1;
	out->rows_h = out->table_h - 2;
}

int layout_panel(struct layout_screen *ls, int want, int *y)
{
	int keep = ls->rows_h / 3, h;

	*y = ls->bar_y;
	if (want <= 0 || ls->too_small)
		return 0;
	if (keep < 2)
		keep = 2;
	h = ls->table_h - 2 - keep;
	if (h > want)
		h = want;
	if (h < 1)
		return 0;
	ls->table_h -= h;
	ls->rows_h -= h;
	*y = ls->table_y + ls->table_h;
	return h;
}

/* layout.h - what fits where: screen regions, header lines and table columns for a size. */
#ifndef UKSMTOP_TUI_LAYOUT_H
#define UKSMTOP_TUI_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>

/* Below this the view only says the terminal is too small. */
#define LAYOUT_MIN_COLS 40
#define LAYOUT_MIN_ROWS 12
/* Sparklines need this much room (three lines and their time axis). */
#define LAYOUT_SPARK_MIN_COLS 60
#define LAYOUT_SPARK_MIN_ROWS 20
#define LAYOUT_SPARK_ROWS 4

/* The table's columns, in screen order. */
enum layout_col {
	COL_NAME, COL_TYPE, COL_STATE, COL_PID, COL_RSS, COL_PSS, COL_SHR, COL_AGE,
	COL_KSM, COL_KSMPCT, COL_N
};

struct layout_coldef {
	const char *title;
	int width;      /* NAME: its minimum */
	int prio;       /* 0 is kept longest as the width shrinks */
	bool right;     /* right-aligned (figures) */
};

extern const struct layout_coldef layout_cols[COL_N];

/* NAME grows with the terminal up to this, so figures stay near the names. */
#define LAYOUT_NAME_MAX 32

struct layout_table {
	int n;                   /* columns shown */
	enum layout_col col[COL_N]; /* in screen order */
	int x[COL_N], w[COL_N];  /* indexed like col[] */
	int width;               /* columns used, gaps included */
};

/* Choose the columns for a terminal width: drop the least important until
 * the rest fit with one blank between columns; NAME takes what is left.
 * AGE (of PSS/SHR) is considered only when with_age is set. */
void layout_table(int width, bool with_age, struct layout_table *out);
/* Index of c in t->col, or -1 when not shown. */
int layout_find(const struct layout_table *t, enum layout_col c);

/* Header pieces flowed into lines: pieces of one group start a new line and
 * wrap within the width; when more than max_lines would be needed, pieces
 * are dropped, the highest prio number first. */
struct layout_piece {
	int width;
	int group;
	int prio;
};

/* Sets line[i] (or -1 when dropped) and x[i] for each piece; returns the
 * number of lines used. gap is the blank between pieces on a line. */
int layout_flow(const struct layout_piece *p, size_t n, int width, int gap, int max_lines,
		int *line, int *x);

/* The screen's regions, top to bottom: header, sparklines, table (its
 * title row, instance rows, totals row), bottom line. */
struct layout_screen {
	bool too_small;
	int header_y, header_h;
	bool sparks;
	int spark_y, spark_h;
	int table_y, table_h;  /* title + rows + totals */
	int rows_y, rows_h;    /* instance rows only */
	int bar_y;
};

/* A panel of want lines between the table and the bottom line: it takes
 * what the table can spare (the table keeps its title, its totals and a
 * third of its rows, at least two). Shrinks the table; returns the panel's
 * height (0 when want is 0) and sets *y to its first line. */
int layout_panel(struct layout_screen *ls, int want, int *y);

/* Most header lines the screen can afford. */
int layout_header_max(int rows);
void layout_screen(int cols, int rows, int header_h, struct layout_screen *out);

#endif

/* draw.c - one frame of the view from its state: header, sparklines, table, bottom line, help. */
#include <curses.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../backends/dedup.h"
#include "bootpanel.h"
#include "draw.h"
#include "format.h"
#include "keys.h"
#include "rows.h"
#include "spark.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "?"
#endif

/* Sparkline labels: name, current value, " max ", max, and a blank. */
#define DRAW_SPARK_NAME 9
#define DRAW_SPARK_FIG 9
#define DRAW_SPARK_LABEL (DRAW_SPARK_NAME + 1 + DRAW_SPARK_FIG + 5 + DRAW_SPARK_FIG + 1)

/* Bytes of s that fill at most w cells; every glyph we draw is one cell
 * wide (ASCII, block elements, and names made printable). */
static int draw_fit(const char *s, int w)
{
	int bytes = 0, cells = 0;

	while (s[bytes]) {
		if (((unsigned char)s[bytes] & 0xc0) != 0x80) {
			if (cells == w)
				break;
			cells++;
		}
		bytes++;
	}
	return bytes;
}

static int draw_cells(const char *s)
{
	int cells = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			cells++;
	return cells;
}

static void draw_fill(int y, int x, int w, enum theme_element e)
{
	if (w <= 0)
		return;
	attrset(palette_attr(e));
	mvhline(y, x, ' ', w);
}

/* Draw s at (y, x), at most w cells, in element e; returns the cells used. */
static int draw_str(int y, int x, int w, enum theme_element e, const char *s)
{
	int n;

	if (w <= 0)
		return 0;
	n = draw_fit(s, w);
	attrset(palette_attr(e));
	mvaddnstr(y, x, s, n);
	return draw_cells(s) < w ? draw_cells(s) : w;
}

static void draw_str_right(int y, int x, int w, enum theme_element e, const char *s)
{
	int c = draw_cells(s);

	if (c < w)
		x += w - c;
	draw_str(y, x, w, e, s);
}

/* Instance names come from outside: only printable ASCII reaches the screen. */
static void draw_clean(char *dst, size_t len, const char *src)
{
	size_t i;

	for (i = 0; src[i] && i + 1 < len; i++)
		dst[i] = (src[i] >= ' ' && src[i] <= '~') ? src[i] : '?';
	dst[i] = '\0';
}

/* ---- header --------------------------------------------------------------- */

struct draw_piece {
	const char *label;
	char value[128];
	enum theme_element value_el;
	int group, prio;
};

#define DRAW_PIECES 24

static struct draw_piece *draw_add(struct draw_piece *p, size_t *n, int group, int prio,
				   const char *label, enum theme_element el)
{
	struct draw_piece *d;

	if (*n >= DRAW_PIECES)
		return &p[DRAW_PIECES - 1];
	d = &p[(*n)++];
	d->label = label;
	d->value[0] = '\0';
	d->value_el = el;
	d->group = group;
	d->prio = prio;
	return d;
}

static const char *draw_run_text(const struct dedup_figs *d, enum theme_element *el)
{
	*el = TE_RUN_OFF;
	if (d->backend == DEDUP_NONE)
		return "none";
	if (!val_known(d->run))
		return "?";
	if (d->run == DEDUP_RUN_ON) {
		*el = TE_RUN_ON;
		return "ON";
	}
	return d->run == DEDUP_RUN_UNMERGE ? "UNMERGE" : "OFF";
}

static void draw_title_pieces(const struct view *v, struct draw_piece *p, size_t *n)
{
	const struct sample *s = &v->smp;
	struct draw_piece *d;
	enum theme_element el;
	const char *run;

	d = draw_add(p, n, 0, 0, "", TE_TITLE);
	snprintf(d->value, sizeof(d->value), "%s", v->host);
	if (!v->have_sample) {
		d = draw_add(p, n, 0, 0, "", TE_TITLE);
		snprintf(d->value, sizeof(d->value), "waiting for the first sample");
		return;
	}
	if (v->badge[0]) { /* a replay: where it stands, first */
		d = draw_add(p, n, 0, 0, "", TE_PROMPT);
		snprintf(d->value, sizeof(d->value), " %s ", v->badge);
	}
	d = draw_add(p, n, 0, 2, "", TE_TITLE);
	format_clock(d->value, sizeof(d->value), s->time, "-");
	d = draw_add(p, n, 0, 3, "up", TE_TITLE);
	format_uptime(d->value, sizeof(d->value), s->host.uptime_s, "-");
	d = draw_add(p, n, 0, 3, "every", TE_TITLE);
	format_delay(d->value, sizeof(d->value), v->delay_s);
	run = draw_run_text(&s->dedup, &el);
	d = draw_add(p, n, 0, 0, dedup_kind_name(s->dedup.backend), el);
	snprintf(d->value, sizeof(d->value), " %s ", run);
	if (s->dedup.cpu_governor[0]) {
		d = draw_add(p, n, 0, 5, "governor", TE_TITLE);
		snprintf(d->value, sizeof(d->value), "%s", s->dedup.cpu_governor);
	}
	if (view_filter(v)[0]) {
		d = draw_add(p, n, 0, 1, "filter", TE_TITLE);
		snprintf(d->value, sizeof(d->value), "%.64s", view_filter(v));
	}
}

static void draw_memory_pieces(const struct view *v, struct draw_piece *p, size_t *n)
{
	const struct host_figs *h = &v->smp.host;
	struct draw_piece *d;
	char a[32], b[32];

	d = draw_add(p, n, 1, 1, "used", TE_VALUE);
	snprintf(d->value, sizeof(d->value), "%s / %s", format_kb(a, sizeof(a), h->mem_used_kb, "-"),
		 format_kb(b, sizeof(b), h->mem_total_kb, "-"));
	d = draw_add(p, n, 1, 2, "baseline", TE_VALUE);
	if (h->baseline_source == BASELINE_NONE)
		snprintf(d->value, sizeof(d->value), "not yet");
	else
		snprintf(d->value, sizeof(d->value), "%s (%s)", format_kb(a, sizeof(a), h->baseline_kb, "-"),
			 baseline_source_name(h->baseline_source));
	d = draw_add(p, n, 1, 1, "overhead", TE_VALUE);
	format_kb_signed(d->value, sizeof(d->value), h->overhead_kb, "-");
	d = draw_add(p, n, 1, 4, "cpu", TE_VALUE);
	format_pct(d->value, sizeof(d->value), h->cpu_pct, "-");
}

static void draw_pages_pieces(const struct view *v, struct draw_piece *p, size_t *n)
{
	const struct dedup_figs *dd = &v->smp.dedup;
	struct draw_piece *d;

	if (dd->backend == DEDUP_NONE)
		return;
	d = draw_add(p, n, 2, 2, "shared", TE_VALUE);
	format_count(d->value, sizeof(d->value), val_known(dd->pages_shared) ? (double)dd->pages_shared : NAN, "n/a");
	d = draw_add(p, n, 2, 2, "sharing", TE_VALUE);
	format_count(d->value, sizeof(d->value), val_known(dd->pages_sharing) ? (double)dd->pages_sharing : NAN, "n/a");
	d = draw_add(p, n, 2, 4, "unshared", TE_VALUE);
	format_count(d->value, sizeof(d->value), val_known(dd->pages_unshared) ? (double)dd->pages_unshared : NAN, "n/a");
	d = draw_add(p, n, 2, 1, "saved", TE_VALUE);
	format_kb(d->value, sizeof(d->value), dd->saved_kb, "n/a");
	d = draw_add(p, n, 2, 3, "ratio", TE_VALUE);
	if (val_known(dd->pages_shared) && val_known(dd->pages_sharing) && dd->pages_shared > 0)
		snprintf(d->value, sizeof(d->value), "1:%.2f", (double)dd->pages_sharing / (double)dd->pages_shared);
	else
		snprintf(d->value, sizeof(d->value), "-");
	d = draw_add(p, n, 2, 4, "scans", TE_VALUE);
	format_count(d->value, sizeof(d->value), val_known(dd->full_scans) ? (double)dd->full_scans : NAN, "n/a");
}

static int draw_piece_width(const struct draw_piece *d)
{
	return (d->label[0] ? (int)strlen(d->label) + 1 : 0) + draw_cells(d->value);
}

struct draw_header {
	struct draw_piece p[DRAW_PIECES];
	int line[DRAW_PIECES], x[DRAW_PIECES];
	size_t n;
	int lines;
};

static void draw_header_plan(const struct view *v, int cols, int max_lines, struct draw_header *hd)
{
	struct layout_piece lp[DRAW_PIECES];
	size_t i;

	hd->n = 0;
	draw_title_pieces(v, hd->p, &hd->n);
	if (v->have_sample) {
		draw_memory_pieces(v, hd->p, &hd->n);
		draw_pages_pieces(v, hd->p, &hd->n);
	}
	for (i = 0; i < hd->n; i++) {
		lp[i].width = draw_piece_width(&hd->p[i]);
		lp[i].group = hd->p[i].group;
		lp[i].prio = hd->p[i].prio;
	}
	hd->lines = layout_flow(lp, hd->n, cols - 1, 2, max_lines, hd->line, hd->x);
	if (hd->lines > max_lines)
		hd->lines = max_lines;
}

static void draw_header(const struct draw_header *hd, int cols)
{
	int y;
	size_t i;

	/* A line that starts with a title piece is a title bar. */
	for (y = 0; y < hd->lines; y++) {
		enum theme_element fill = TE_NORMAL;

		for (i = 0; i < hd->n; i++)
			if (hd->line[i] == y) {
				fill = hd->p[i].group == 0 ? TE_TITLE : TE_NORMAL;
				break;
			}
		draw_fill(y, 0, cols, fill);
	}
	for (i = 0; i < hd->n; i++) {
		const struct draw_piece *d = &hd->p[i];
		int y0 = hd->line[i], x = hd->x[i] + 1, w = cols - x;
		enum theme_element lab = d->group == 0 ? TE_TITLE : TE_LABEL;

		if (y0 < 0 || y0 >= hd->lines)
			continue;
		if (d->label[0]) {
			x += draw_str(y0, x, w, lab, d->label);
			x += draw_str(y0, x, cols - x, lab, " ");
		}
		draw_str(y0, x, cols - x, d->value_el, d->value);
	}
}

/* ---- sparklines ------------------------------------------------------------ */

enum draw_unit { DU_PCT, DU_RATE, DU_MIB };

static char *draw_figure(enum draw_unit u, double v, char *buf, size_t len)
{
	char tmp[32];

	if (!valf_known(v)) {
		snprintf(buf, len, "n/a");
		return buf;
	}
	switch (u) {
	case DU_PCT:
		return format_pct(buf, len, v, "n/a");
	case DU_RATE:
		snprintf(buf, len, "%s/s", format_count(tmp, sizeof(tmp), v, "n/a"));
		return buf;
	default:
		return format_kb_signed(buf, len, (int64_t)llround(v * 1024), "n/a");
	}
}

/* One sparkline: its name, current value and max over the window drawn,
 * then the glyphs of the newest values, as many as the width allows. */
static void draw_spark_line(const struct view *v, int y, int cols, const char *name,
			    const struct history *h, enum draw_unit u, double cur)
{
	double vals[VIEW_HISTORY];
	char out[SPARK_BUFLEN(VIEW_HISTORY)], label[64], cs[32], ms[32];
	int gw = cols - DRAW_SPARK_LABEL;
	size_t n;

	if (gw < 1)
		return;
	if (gw > VIEW_HISTORY)
		gw = VIEW_HISTORY;
	n = history_tail(h, (size_t)gw, vals, NULL);
	draw_figure(u, cur, cs, sizeof(cs));
	draw_figure(u, history_max(h, (size_t)gw), ms, sizeof(ms));
	snprintf(label, sizeof(label), "%-*.*s %*s max %*s ", DRAW_SPARK_NAME, DRAW_SPARK_NAME, name,
		 DRAW_SPARK_FIG, cs, DRAW_SPARK_FIG, ms);
	draw_str(y, 0, DRAW_SPARK_LABEL, TE_SPARK_LABEL, label);
	spark_render(vals, n, (size_t)gw, NAN, NAN, v->utf8, out, sizeof(out));
	draw_str(y, DRAW_SPARK_LABEL, gw, TE_SPARK, out);
}

/* The time axis: how far back the lines reach, and where merging was toggled. */
static void draw_axis(const struct view *v, int y, int cols)
{
	double vals[VIEW_HISTORY];
	unsigned char marks[VIEW_HISTORY];
	char out[SPARK_BUFLEN(VIEW_HISTORY)], label[64], span[16], one[8];
	int gw = cols - DRAW_SPARK_LABEL;
	size_t n, first, pad, i;

	if (gw < 1)
		return;
	if (gw > VIEW_HISTORY)
		gw = VIEW_HISTORY;
	n = history_tail(&v->h_cpu, (size_t)gw, vals, marks);
	format_age(span, sizeof(span), (double)gw * v->delay_s, "-");
	snprintf(label, sizeof(label), "last %-*s %s on %s off", DRAW_SPARK_NAME + DRAW_SPARK_FIG - 4, span,
		 v->utf8 ? "\u25b2" : "^", v->utf8 ? "\u25bc" : "v");
	draw_str(y, 0, DRAW_SPARK_LABEL, TE_AXIS, label);
	spark_axis(marks, n, (size_t)gw, v->utf8, out, sizeof(out));
	draw_str(y, DRAW_SPARK_LABEL, gw, TE_AXIS, out);
	/* The marks again, in their own colour over the rule. */
	first = n > (size_t)gw ? n - (size_t)gw : 0;
	pad = n < (size_t)gw ? (size_t)gw - n : 0;
	for (i = first; i < n; i++) {
		if (!marks[i])
			continue;
		spark_axis(&marks[i], 1, 1, v->utf8, one, sizeof(one));
		draw_str(y, DRAW_SPARK_LABEL + (int)(pad + i - first), 1, TE_MARK, one);
	}
}

static void draw_sparks(const struct view *v, int y, int cols)
{
	const struct dedup_figs *d = &v->smp.dedup;
	const char *thread = d->backend == DEDUP_UKSM ? "uksmd cpu" : d->backend == DEDUP_KSM ? "ksmd cpu" : "daemon cpu";

	draw_spark_line(v, y, cols, thread, &v->h_cpu, DU_PCT, d->cpu_pct);
	draw_spark_line(v, y + 1, cols, "scan rate", &v->h_scan, DU_RATE, d->scan_rate_pps);
	draw_spark_line(v, y + 2, cols, "overhead", &v->h_over, DU_MIB,
			val_known(v->smp.host.overhead_kb) ? (double)v->smp.host.overhead_kb / 1024 : NAN);
	draw_axis(v, y + 3, cols);
}

/* ---- table ----------------------------------------------------------------- */

static void draw_cell_text(const struct view *v, const struct instance *in, enum layout_col col,
			   char *buf, size_t len)
{
	switch (col) {
	case COL_NAME:
		draw_clean(buf, len, in->name);
		break;
	case COL_TYPE:
		snprintf(buf, len, "%s", inst_type_name(in->type));
		break;
	case COL_STATE:
		draw_clean(buf, len, in->state);
		break;
	case COL_PID:
		if (in->pid > 0)
			snprintf(buf, len, "%d", (int)in->pid);
		else
			snprintf(buf, len, "-");
		break;
	case COL_RSS:
		format_kb(buf, len, in->rss_kb, "-");
		break;
	case COL_PSS:
		format_kb(buf, len, in->pss_kb, "-");
		break;
	case COL_SHR:
		format_kb(buf, len, in->shared_kb, "-");
		break;
	case COL_AGE:
		if (rows_pss_stale(in, v->pss_interval_s, v->delay_s))
			format_age(buf, len, in->pss_age_s, "-");
		else
			buf[0] = '\0';
		break;
	case COL_KSM:
		format_kb(buf, len, in->ksm_kb, "-");
		break;
	case COL_KSMPCT:
		format_pct(buf, len, rows_ksm_pct(in), "-");
		break;
	default:
		buf[0] = '\0';
	}
}

/* A cell, cut to its width; a cut name ends in '~' so it is not mistaken for another. */
static void draw_cell(int y, int x, int w, bool right, enum theme_element e, char *text)
{
	if (draw_cells(text) > w && w > 1) {
		text[draw_fit(text, w - 1)] = '\0';
		strcat(text, "~");
	}
	if (right)
		draw_str_right(y, x, w, e, text);
	else
		draw_str(y, x, w, e, text);
}

static void draw_table_title(const struct view *v, int y, int cols)
{
	const struct layout_table *t = &v->table;
	int i;

	draw_fill(y, 0, cols, TE_TABLE_HEADER);
	for (i = 0; i < t->n; i++) {
		const struct layout_coldef *cd = &layout_cols[t->col[i]];
		bool sorted = t->col[i] == v->sort;
		bool desc = rows_default_desc(v->sort) != v->reverse;
		const char *arrow = desc ? (v->utf8 ? "\u25bc" : "v") : (v->utf8 ? "\u25b2" : "^");
		char title[32];

		if (sorted && cd->right)
			snprintf(title, sizeof(title), "%s%s", arrow, cd->title);
		else if (sorted)
			snprintf(title, sizeof(title), "%s%s", cd->title, arrow);
		else
			snprintf(title, sizeof(title), "%s", cd->title);
		if (sorted)
			draw_fill(y, t->x[i], t->w[i], TE_SORT);
		draw_cell(y, t->x[i], t->w[i], cd->right, sorted ? TE_SORT : TE_TABLE_HEADER, title);
	}
}

static void draw_row(const struct view *v, int y, int cols, const struct instance *in, bool selected)
{
	const struct layout_table *t = &v->table;
	bool stale = rows_pss_stale(in, v->pss_interval_s, v->delay_s);
	enum theme_element base = selected ? TE_SELECTED : TE_ROW;
	int i;

	draw_fill(y, 0, cols, base);
	for (i = 0; i < t->n; i++) {
		enum layout_col c = t->col[i];
		enum theme_element e = base;
		char text[INST_NAME_MAX];

		if (stale && !selected && (c == COL_PSS || c == COL_SHR || c == COL_AGE))
			e = TE_STALE;
		draw_cell_text(v, in, c, text, sizeof(text));
		draw_cell(y, t->x[i], t->w[i], layout_cols[c].right, e, text);
	}
}

static void draw_totals(const struct view *v, int y, int cols)
{
	const struct layout_table *t = &v->table;
	struct rows_totals tot;
	int i;

	rows_totals(v->smp.inst, v->rows, v->n_rows, &tot);
	draw_fill(y, 0, cols, TE_TOTALS);
	for (i = 0; i < t->n; i++) {
		char text[64];

		switch (t->col[i]) {
		case COL_NAME:
			if (v->n_rows != v->smp.n_inst)
				snprintf(text, sizeof(text), "TOTAL %zu of %zu", v->n_rows, v->smp.n_inst);
			else
				snprintf(text, sizeof(text), "TOTAL %zu", v->n_rows);
			break;
		case COL_RSS:
			format_kb(text, sizeof(text), tot.rss_kb, "-");
			break;
		case COL_PSS:
			format_kb(text, sizeof(text), tot.pss_kb, "-");
			break;
		case COL_SHR:
			format_kb(text, sizeof(text), tot.shared_kb, "-");
			break;
		case COL_KSM:
			format_kb(text, sizeof(text), tot.ksm_kb, "-");
			break;
		case COL_KSMPCT:
			format_pct(text, sizeof(text), tot.ksm_pct, "-");
			break;
		default:
			text[0] = '\0';
		}
		draw_cell(y, t->x[i], t->w[i], layout_cols[t->col[i]].right, TE_TOTALS, text);
	}
}

static bool draw_any_stale(const struct view *v)
{
	size_t i;

	for (i = 0; i < v->n_rows; i++)
		if (rows_pss_stale(&v->smp.inst[v->rows[i]], v->pss_interval_s, v->delay_s))
			return true;
	return false;
}

static void draw_table(struct view *v, const struct layout_screen *ls, int cols)
{
	size_t i;
	char what[320];

	layout_table(cols, draw_any_stale(v), &v->table);
	v->rows_h = ls->rows_h > 0 ? (size_t)ls->rows_h : 0;
	rows_scroll(v->n_rows, v->rows_h, &v->sel, &v->top);
	draw_table_title(v, ls->table_y, cols);
	for (i = 0; i < v->rows_h && v->top + i < v->n_rows; i++) {
		size_t r = v->top + i;

		draw_row(v, ls->rows_y + (int)i, cols, &v->smp.inst[v->rows[r]], r == v->sel);
	}
	if (v->have_sample && v->n_rows == 0 && v->rows_h > 0) {
		if (v->smp.n_inst > 0)
			snprintf(what, sizeof(what), "no instance matches '%.200s'", view_filter(v));
		else
			snprintf(what, sizeof(what), "no instances");
		draw_str(ls->rows_y, 1, cols - 1, TE_ROW, what);
		if (v->smp.inst_note[0] && v->rows_h > 1)
			draw_str(ls->rows_y + 1, 1, cols - 1, TE_ROW, v->smp.inst_note);
	}
	if (ls->table_h >= 2)
		draw_totals(v, ls->table_y + ls->table_h - 1, cols);
}

/* ---- bottom line and help --------------------------------------------------- */

static int draw_bar_item(int y, int x, int maxx, const struct keys_bar_item *it)
{
	int w = (int)strlen(it->key) + (int)strlen(it->label) + 1;

	if (x + w > maxx)
		return 0;
	draw_str(y, x, w, TE_FKEY, it->key);
	draw_fill(y, x + (int)strlen(it->key), (int)strlen(it->label) + 1, TE_FLABEL);
	draw_str(y, x + (int)strlen(it->key), w, TE_FLABEL, it->label);
	return w;
}

/* The bottom line asks a question in these modes. */
static bool draw_prompting(const struct view *v)
{
	switch (v->mode) {
	case VM_DELAY: case VM_FILTER: case VM_CONFIRM:
	case VM_BOOT_CHOOSE: case VM_BOOT_COUNT: case VM_BOOT_CLEAN: case VM_JUMP:
		return true;
	default:
		return false;
	}
}

/* Typed text follows the question in these. */
static bool draw_typing(const struct view *v)
{
	return v->mode == VM_DELAY || v->mode == VM_FILTER || v->mode == VM_BOOT_COUNT || v->mode == VM_JUMP;
}

static void draw_prompt(const struct view *v, int y, int cols)
{
	char text[600];
	int x;

	switch (v->mode) {
	case VM_DELAY:
		snprintf(text, sizeof(text), "Delay in seconds (0.05 to 3600, now %g): ", v->delay_s);
		break;
	case VM_FILTER:
		snprintf(text, sizeof(text), "Filter by name (Enter keeps, Esc clears): ");
		break;
	case VM_BOOT_CHOOSE:
	case VM_BOOT_COUNT:
	case VM_BOOT_CLEAN:
	case VM_JUMP:
		snprintf(text, sizeof(text), "%s", v->prompt);
		break;
	default:
		snprintf(text, sizeof(text), "Turn %s merging %s? (y/n) ", dedup_kind_name(v->smp.dedup.backend),
			 v->confirm_mode == DEDUP_RUN_ON ? "ON" : "OFF");
		break;
	}
	draw_fill(y, 0, cols, TE_PROMPT);
	x = draw_str(y, 0, cols, TE_PROMPT, text);
	if (draw_typing(v))
		x += draw_str(y, x, cols - x, TE_PROMPT, v->input);
	move(y, x < cols ? x : cols - 1);
}

static void draw_bar(const struct view *v, int y, int cols)
{
	const struct keys_bar_item *bar = v->bar ? v->bar : keys_bar;
	size_t bar_n = v->bar ? v->bar_n : keys_bar_n;
	const struct keys_bar_item *quit = &bar[bar_n - 1];
	int qw = (int)strlen(quit->key) + (int)strlen(quit->label) + 1;
	int msgw = 0, x = 0, limit;
	size_t i;

	draw_fill(y, 0, cols, TE_NORMAL);
	if (draw_prompting(v)) {
		draw_prompt(v, y, cols);
		return;
	}
	if (v->mode == VM_HELP) {
		draw_str(y, 0, cols, TE_PROMPT, " press any key to return ");
		return;
	}
	/* The message wins over the less used keys, but h and q always show. */
	if (v->msg[0]) {
		msgw = draw_cells(v->msg) + 1;
		if (msgw > cols - 14)
			msgw = cols - 14;
	}
	limit = cols - msgw;
	for (i = 0; i + 1 < bar_n; i++) {
		int w = draw_bar_item(y, x, limit - qw, &bar[i]);

		if (!w)
			break;
		x += w;
	}
	x += draw_bar_item(y, x, cols, quit);
	if (v->msg[0])
		draw_str(y, x + 1, cols - x - 1, v->msg_error ? TE_ERROR : TE_MESSAGE, v->msg);
}

static void draw_help(const struct view *v, int rows, int cols, const char *config_path)
{
	const struct keys_help_line *help = v->help ? v->help : keys_help;
	size_t help_n = v->help ? v->help_n : keys_help_n;
	char line[600];
	int y = 0;
	size_t i;

	draw_fill(y, 0, cols, TE_TITLE);
	snprintf(line, sizeof(line), " uksmtop %s help: keys", PACKAGE_VERSION);
	draw_str(y++, 0, cols, TE_TITLE, line);
	for (i = 0; i < help_n && y < rows - 1; i++, y++) {
		draw_str(y, 1, 15, TE_LABEL, help[i].keys);
		draw_str(y, 17, cols - 17, TE_NORMAL, help[i].what);
	}
	if (y < rows - 1)
		y++;
	if (y < rows - 1) {
		draw_str(y++, 1, cols - 1, TE_NORMAL, "KSM% is the share of RSS merged; AGE the age of PSS/SHR once stale.");
	}
	if (y < rows - 1) {
		snprintf(line, sizeof(line), "On the time axis under the sparklines %s marks merging turned on, %s off.",
			 v->utf8 ? "\u25b2" : "^", v->utf8 ? "\u25bc" : "v");
		draw_str(y++, 1, cols - 1, TE_NORMAL, line);
	}
	if (y < rows - 1)
		draw_str(y++, 1, cols - 1, TE_NORMAL,
			 "n and t show their run in a panel under the table; a storm's result stays until a key.");
	if (y < rows - 1) {
		snprintf(line, sizeof(line), "theme %s%s%s%s, colours %s; config %s%s", v->theme.name,
			 v->theme.path[0] ? " (" : "", v->theme.path, v->theme.path[0] ? ")" : "",
			 v->pmode == PALETTE_MONO ? "off" : v->pmode == PALETTE_8 ? "8" : v->pmode == PALETTE_16 ? "16" : "256",
			 config_path && *config_path ? config_path : "(none)", v->secure ? "; secure mode" : "");
		draw_str(y++, 1, cols - 1, TE_NORMAL, line);
	}
}

/* ---- the boot panel ----------------------------------------------------------- */

static void draw_panel(const struct bootpanel_line *lines, size_t n, int y, int cols)
{
	size_t i;

	for (i = 0; i < n; i++) {
		draw_fill(y + (int)i, 0, cols, lines[i].el);
		draw_str(y + (int)i, 0, cols, lines[i].el, lines[i].text);
	}
}

/* The panel takes what the table can spare; with less room than it wants
 * its lines are made again for that room (it then says what it left out). */
static void draw_table_and_panel(struct view *v, struct layout_screen *ls, int cols)
{
	static struct bootpanel_line lines[BOOTPANEL_LINES];
	size_t want = bootpanel_lines(&v->boot, cols, BOOTPANEL_LINES, lines), n = want;
	int y, h = layout_panel(ls, (int)want, &y);

	if (h > 0 && (size_t)h < want)
		n = bootpanel_lines(&v->boot, cols, (size_t)h, lines);
	/* The totals row jumps when the panel opens, closes or grows; curses
	 * would move it by scrolling the terminal, which tmux was seen to leave
	 * blank. A whole repaint then (it is rare) keeps the screen right. */
	if (h != v->panel_h)
		clearok(curscr, TRUE);
	v->panel_h = h;
	draw_table(v, ls, cols);
	if (h > 0)
		draw_panel(lines, n, y, cols);
}

static void draw_too_small(int rows, int cols)
{
	char line[64];

	attrset(palette_attr(TE_NORMAL));
	snprintf(line, sizeof(line), "terminal too small: %dx%d", cols, rows);
	draw_str(0, 0, cols, TE_ERROR, line);
	snprintf(line, sizeof(line), "need %dx%d; q quits", LAYOUT_MIN_COLS, LAYOUT_MIN_ROWS);
	if (rows > 1)
		draw_str(1, 0, cols, TE_NORMAL, line);
}

void draw_frame(struct view *v, const char *config_path)
{
	struct draw_header hd;
	struct layout_screen ls;
	int rows = LINES, cols = COLS;

	bkgdset(palette_attr(TE_NORMAL) | ' ');
	erase();
	curs_set(0);
	if (cols < LAYOUT_MIN_COLS || rows < LAYOUT_MIN_ROWS) {
		draw_too_small(rows, cols);
		refresh();
		return;
	}
	if (v->mode == VM_HELP) {
		draw_help(v, rows, cols, config_path);
		draw_bar(v, rows - 1, cols);
		refresh();
		return;
	}
	draw_header_plan(v, cols, layout_header_max(rows), &hd);
	layout_screen(cols, rows, hd.lines, &ls);
	draw_header(&hd, cols);
	if (ls.sparks && v->have_sample)
		draw_sparks(v, ls.spark_y, cols);
	draw_table_and_panel(v, &ls, cols);
	draw_bar(v, ls.bar_y, cols);
	if (draw_typing(v))
		curs_set(1);
	refresh();
}

/* rows.h - the table's rows: filter by name, sort by a column, totals, selection and scrolling. */
#ifndef UKSMTOP_TUI_ROWS_H
#define UKSMTOP_TUI_ROWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/sample.h"
#include "layout.h"

/* Whether name passes the view's filter: a glob when it holds * ? or [,
 * otherwise a case-blind substring; "" passes everything. */
bool rows_match(const char *filter, const char *name);

/* The share of the instance's RSS that is merged, in percent; NAN when unknown. */
double rows_ksm_pct(const struct instance *in);

/* Whether the PSS/SHR figures are older than twice the interval they are
 * gathered at (pss_interval_s, or the sample delay when that is 0). */
bool rows_pss_stale(const struct instance *in, double pss_interval_s, double delay_s);

/* Figures sort largest first, words A to Z; reverse turns either round.
 * Null figures go last either way; ties go by name. */
bool rows_default_desc(enum layout_col col);

/* Fill idx with the indices of the instances that pass the filter, in sort
 * order. idx has room for n_inst entries. Returns how many. */
size_t rows_build(const struct instance *inst, size_t n_inst, const char *filter,
		  enum layout_col sort, bool reverse, size_t *idx);

/* Sums over the shown rows; a sum is null when no row knows the figure. */
struct rows_totals {
	size_t n;
	int64_t rss_kb, pss_kb, shared_kb, ksm_kb;
	double ksm_pct;
};
void rows_totals(const struct instance *inst, const size_t *idx, size_t n, struct rows_totals *t);

/* Keep the selection within [0, n) and inside the visible window of h rows
 * starting at *top. */
void rows_scroll(size_t n, size_t h, size_t *sel, size_t *top);

/* Where the row named name went after a rebuild; -1 when it is gone. */
long rows_find(const struct instance *inst, const size_t *idx, size_t n, const char *name);

#endif

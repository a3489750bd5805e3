/* rows.c - the table's rows: filter by name, sort by a column, totals, selection and scrolling. */
#include <ctype.h>
#include <fnmatch.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rows.h"

bool rows_match(const char *filter, const char *name)
{
	size_t fl, nl, i, j;

	if (!filter || !*filter)
		return true;
	if (strpbrk(filter, "*?["))
		return fnmatch(filter, name, FNM_CASEFOLD) == 0;
	fl = strlen(filter);
	nl = strlen(name);
	for (i = 0; i + fl <= nl; i++) {
		for (j = 0; j < fl; j++)
			if (tolower((unsigned char)name[i + j]) != tolower((unsigned char)filter[j]))
				break;
		if (j == fl)
			return true;
	}
	return false;
}

double rows_ksm_pct(const struct instance *in)
{
	if (!val_known(in->ksm_kb) || !val_known(in->rss_kb) || in->rss_kb <= 0)
		return NAN;
	return 100.0 * (double)in->ksm_kb / (double)in->rss_kb;
}

bool rows_pss_stale(const struct instance *in, double pss_interval_s, double delay_s)
{
	double every = pss_interval_s > 0 ? pss_interval_s : delay_s;

	if (!valf_known(in->pss_age_s) || !(every > 0))
		return false;
	return in->pss_age_s > 2 * every;
}

bool rows_default_desc(enum layout_col col)
{
	return !(col == COL_NAME || col == COL_TYPE || col == COL_STATE);
}

/* A column's figure as a double, NAN when null; words are compared apart. */
static double rows_figure(const struct instance *in, enum layout_col col)
{
	switch (col) {
	case COL_PID:
		return in->pid > 0 ? (double)in->pid : NAN;
	case COL_RSS:
		return val_known(in->rss_kb) ? (double)in->rss_kb : NAN;
	case COL_PSS:
		return val_known(in->pss_kb) ? (double)in->pss_kb : NAN;
	case COL_SHR:
		return val_known(in->shared_kb) ? (double)in->shared_kb : NAN;
	case COL_KSM:
		return val_known(in->ksm_kb) ? (double)in->ksm_kb : NAN;
	case COL_KSMPCT:
		return rows_ksm_pct(in);
	case COL_AGE:
		return in->pss_age_s;
	default:
		return NAN;
	}
}

struct rows_sort {
	const struct instance *inst;
	enum layout_col col;
	bool desc;
};

/* <0, 0, >0 in the column's order; the second result says a null was involved. */
static int rows_cmp_col(const struct instance *a, const struct instance *b, enum layout_col col,
			bool *null_order)
{
	double fa, fb;

	*null_order = false;
	switch (col) {
	case COL_NAME:
		return 0;
	case COL_TYPE:
		return (int)a->type - (int)b->type;
	case COL_STATE:
		return strcmp(a->state, b->state);
	default:
		break;
	}
	fa = rows_figure(a, col);
	fb = rows_figure(b, col);
	if (isnan(fa) || isnan(fb)) {
		*null_order = true;
		return isnan(fa) - isnan(fb);
	}
	return (fa > fb) - (fa < fb);
}

static int rows_cmp(const void *pa, const void *pb, void *arg)
{
	const struct rows_sort *rs = arg;
	const struct instance *a = &rs->inst[*(const size_t *)pa];
	const struct instance *b = &rs->inst[*(const size_t *)pb];
	bool null_order;
	int c = rows_cmp_col(a, b, rs->col, &null_order);

	/* Nulls last whichever the direction, so they never crowd the top. */
	if (c && !null_order)
		return rs->desc ? -c : c;
	if (c)
		return c;
	c = strcmp(a->name, b->name);
	if (rs->col == COL_NAME && rs->desc)
		c = -c;
	if (c)
		return c;
	return (int)a->type - (int)b->type;
}

size_t rows_build(const struct instance *inst, size_t n_inst, const char *filter,
		  enum layout_col sort, bool reverse, size_t *idx)
{
	struct rows_sort rs = { inst, sort, rows_default_desc(sort) != reverse };
	size_t i, n = 0;

	for (i = 0; i < n_inst; i++)
		if (rows_match(filter, inst[i].name))
			idx[n++] = i;
	if (n > 1)
		qsort_r(idx, n, sizeof(*idx), rows_cmp, &rs);
	return n;
}

static void rows_add(int64_t *sum, int64_t v)
{
	if (!val_known(v))
		return;
	*sum = val_known(*sum) ? *sum + v : v;
}

void rows_totals(const struct instance *inst, const size_t *idx, size_t n, struct rows_totals *t)
{
	size_t i;

	t->n = n;
	t->rss_kb = t->pss_kb = t->shared_kb = t->ksm_kb = VAL_NULL;
	for (i = 0; i < n; i++) {
		const struct instance *in = &inst[idx[i]];

		rows_add(&t->rss_kb, in->rss_kb);
		rows_add(&t->pss_kb, in->pss_kb);
		rows_add(&t->shared_kb, in->shared_kb);
		rows_add(&t->ksm_kb, in->ksm_kb);
	}
	t->ksm_pct = NAN;
	if (val_known(t->ksm_kb) && val_known(t->rss_kb) && t->rss_kb > 0)
		t->ksm_pct = 100.0 * (double)t->ksm_kb / (double)t->rss_kb;
}

void rows_scroll(size_t n, size_t h, size_t *sel, size_t *top)
{
	if (n == 0) {
		*sel = 0;
		*top = 0;
		return;
	}
	if (*sel >= n)
		*sel = n - 1;
	if (h == 0) {
		*top = *sel;
		return;
	}
	if (*sel < *top)
		*top = *sel;
	if (*sel >= *top + h)
		*top = *sel - h + 1;
	/* No blank rows below the last while earlier rows are hidden. */
	if (*top + h > n)
		*top = n > h ? n - h : 0;
}

long rows_find(const struct instance *inst, const size_t *idx, size_t n, const char *name)
{
	size_t i;

	if (!name || !*name)
		return -1;
	for (i = 0; i < n; i++)
		if (strcmp(inst[idx[i]].name, name) == 0)
			return (long)i;
	return -1;
}

/* view.c - the view's state, shared by the loop that changes it and the code that draws it. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/util.h"
#include "rows.h"
#include "view.h"

void view_message(struct view *v, bool error, const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	vsnprintf(v->msg, sizeof(v->msg), fmt, ap);
	va_end(ap);
	/* One line: event details may carry newlines or tabs. */
	for (p = v->msg; *p; p++)
		if ((unsigned char)*p < ' ')
			*p = ' ';
	v->msg_error = error;
	v->msg_mono = util_now_mono();
}

const char *view_filter(const struct view *v)
{
	return v->mode == VM_FILTER ? v->input : v->filter;
}

void view_rebuild(struct view *v)
{
	long at;

	if (!v->have_sample) {
		v->n_rows = 0;
		return;
	}
	if (v->smp.n_inst > v->rows_cap) {
		size_t *r = realloc(v->rows, v->smp.n_inst * sizeof(*r));

		if (!r) {
			v->n_rows = 0;
			return;
		}
		v->rows = r;
		v->rows_cap = v->smp.n_inst;
	}
	v->n_rows = rows_build(v->smp.inst, v->smp.n_inst, view_filter(v), v->sort, v->reverse, v->rows);
	/* The selection follows its instance when the order changes. */
	at = rows_find(v->smp.inst, v->rows, v->n_rows, v->sel_name);
	if (at >= 0)
		v->sel = (size_t)at;
	rows_scroll(v->n_rows, v->rows_h, &v->sel, &v->top);
	v->sel_name[0] = '\0';
	if (v->n_rows > 0)
		snprintf(v->sel_name, sizeof(v->sel_name), "%s", v->smp.inst[v->rows[v->sel]].name);
}

void view_select(struct view *v, long sel)
{
	if (sel < 0)
		sel = 0;
	v->sel = (size_t)sel;
	rows_scroll(v->n_rows, v->rows_h, &v->sel, &v->top);
	v->sel_name[0] = '\0';
	if (v->n_rows > 0)
		snprintf(v->sel_name, sizeof(v->sel_name), "%s", v->smp.inst[v->rows[v->sel]].name);
}

/* history.c - rings of figures with marks, kept apart from the code that draws them. */
#include "history.h"

#include <math.h>
#include <stdlib.h>

int history_init(struct history *h, size_t cap)
{
	h->v = calloc(cap, sizeof *h->v);
	h->mark = calloc(cap, 1);
	h->cap = cap;
	h->len = h->head = 0;
	if (!h->v || !h->mark) {
		history_free(h);
		return -1;
	}
	return 0;
}

void history_free(struct history *h)
{
	free(h->v);
	free(h->mark);
	h->v = NULL;
	h->mark = NULL;
	h->cap = h->len = h->head = 0;
}

void history_push(struct history *h, double v, unsigned char mark)
{
	if (h->cap == 0)
		return;
	h->v[h->head] = v;
	h->mark[h->head] = mark;
	h->head = (h->head + 1) % h->cap;
	if (h->len < h->cap)
		h->len++;
}

static size_t history_index(const struct history *h, size_t i)
{
	return (h->head + h->cap - h->len + i) % h->cap;
}

double history_get(const struct history *h, size_t i)
{
	if (i >= h->len)
		return NAN;
	return h->v[history_index(h, i)];
}

unsigned char history_mark(const struct history *h, size_t i)
{
	if (i >= h->len)
		return 0;
	return h->mark[history_index(h, i)];
}

size_t history_tail(const struct history *h, size_t n, double *out, unsigned char *marks)
{
	if (n > h->len)
		n = h->len;
	size_t first = h->len - n;
	for (size_t i = 0; i < n; i++) {
		out[i] = history_get(h, first + i);
		if (marks)
			marks[i] = history_mark(h, first + i);
	}
	return n;
}

double history_max(const struct history *h, size_t n)
{
	if (n > h->len)
		n = h->len;
	double m = NAN;
	for (size_t i = h->len - n; i < h->len; i++) {
		double v = history_get(h, i);
		if (!isnan(v) && (isnan(m) || v > m))
			m = v;
	}
	return m;
}

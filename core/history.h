/* history.h - fixed-capacity rings of figures (with event marks) that feed sparklines. */
#ifndef UKSMTOP_HISTORY_H
#define UKSMTOP_HISTORY_H

#include <stdbool.h>
#include <stddef.h>

struct history {
	double *v;       /* NAN = no value */
	unsigned char *mark; /* non-zero: an event (merging toggled) at this sample */
	size_t cap, len, head; /* head: index of the next write */
};

int history_init(struct history *h, size_t cap);
void history_free(struct history *h);
void history_push(struct history *h, double v, unsigned char mark);
/* i = 0 is the oldest kept value, len-1 the newest. */
double history_get(const struct history *h, size_t i);
unsigned char history_mark(const struct history *h, size_t i);
/* Copy the newest n values (oldest first) into out; returns how many. */
size_t history_tail(const struct history *h, size_t n, double *out, unsigned char *marks);
/* Max over the newest n known values; NAN when none. */
double history_max(const struct history *h, size_t n);

#endif

/* output.h - batch writers: the same samples as text blocks, CSV rows or JSON lines. */
#ifndef UKSMTOP_OUTPUT_H
#define UKSMTOP_OUTPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"
#include "sample.h"

struct outbuf {
	char *p;
	size_t len, cap;
	int failed;   /* allocation failed: the record is dropped, not cut */
};

void outbuf_free(struct outbuf *b);
void outbuf_printf(struct outbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* s as a JSON string: quoted, with " \ and control characters escaped. */
void outbuf_json_str(struct outbuf *b, const char *s);
/* "key":v, or "key":null for an unknown value. */
void outbuf_json_i64(struct outbuf *b, const char *key, int64_t v);
void outbuf_json_f(struct outbuf *b, const char *key, double v, int prec);

/* Render one sample into b (appended). first: the first record of the
 * stream (CSV writes its header row then). */
void output_render(struct outbuf *b, enum out_format fmt, const struct sample *s, int first);

/* Render one sample and write it to fd, unbuffered, so pipes and tail -f see
 * it at once. Returns 0, or -errno (-EPIPE for a closed pipe); a regular file
 * is cut back to its last whole record on failure. */
int output_write(int fd, enum out_format fmt, const struct sample *s, int first);

/* Totals over the rows: summed RSS and KSM (VAL_NULL when none known). */
void output_totals(const struct sample *s, int64_t *rss_kb, int64_t *ksm_kb);

#endif

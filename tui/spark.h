/* spark.h - sparklines: a row of figures drawn as one line of glyphs, and its time axis. */
#ifndef UKSMTOP_TUI_SPARK_H
#define UKSMTOP_TUI_SPARK_H

#include <stdbool.h>
#include <stddef.h>

#define SPARK_LEVELS 8

/* Marks kept in the history next to a figure (history_push's mark). */
enum spark_mark { SPARK_MARK_NONE = 0, SPARK_MARK_ON = 1, SPARK_MARK_OFF = 2, SPARK_MARK_OTHER = 3 };

/* Bytes needed for a line of width cells, NUL included (3 bytes per UTF-8 glyph). */
#define SPARK_BUFLEN(width) ((size_t)(width) * 3 + 1)

/* The scale a set of values is drawn on: zero is always inside it, so a
 * constant positive figure draws as a full bar and zero as the lowest glyph. */
void spark_range(const double *v, size_t n, double *lo, double *hi);

/* The glyph level of v on [lo, hi]: 0..SPARK_LEVELS-1, or -1 for NAN.
 * Any value above lo gets at least level 1, so activity is never hidden. */
int spark_level(double v, double lo, double hi);

/* Draw the newest min(n, width) values of v (oldest first) in width cells,
 * right-aligned (blank cells on the left while the history is short).
 * lo/hi NAN: scale from those values (spark_range). utf8: block glyphs
 * U+2581..U+2588, else the ASCII ramp "_.:-=+*#". A NAN is a blank cell.
 * out is always NUL-terminated; a glyph that does not fit is left out.
 * Returns the bytes written. */
size_t spark_render(const double *v, size_t n, size_t width, double lo, double hi,
		    bool utf8, char *out, size_t outlen);

/* The time axis under sparklines drawn with the same n and width: a rule
 * with each mark where merging was toggled ("▲" on, "▼" off, "◆" other;
 * ASCII '^', 'v', '*'), blank where there is no history yet. */
size_t spark_axis(const unsigned char *marks, size_t n, size_t width, bool utf8,
		  char *out, size_t outlen);

#endif

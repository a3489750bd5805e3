/* format.h - figures as short human text for the view: sizes, rates, percentages, times. */
#ifndef UKSMTOP_TUI_FORMAT_H
#define UKSMTOP_TUI_FORMAT_H

#include <stddef.h>
#include <stdint.h>

/* Every function writes into buf (always NUL-terminated, truncated to len)
 * and returns buf, so calls can sit inside a printf argument list. A null
 * figure (VAL_NULL / NAN) is written as the caller's null text: "-" in the
 * table, "n/a" where the kernel has no such figure. */

/* A size given in KiB: "512 KiB", "1.50 MiB", "23.4 GiB", "999 MiB"; at most
 * 8 columns for any non-negative value, 9 when negative. */
char *format_kb(char *buf, size_t len, int64_t kb, const char *null);
/* The same with an explicit sign for non-zero values: "+312 MiB", "-1.20 GiB". */
char *format_kb_signed(char *buf, size_t len, int64_t kb, const char *null);
/* A count with a k/M/G suffix above 9999: "950", "12.3k", "4.56M". */
char *format_count(char *buf, size_t len, double v, const char *null);
/* A percentage with one decimal: "12.3%". */
char *format_pct(char *buf, size_t len, double pct, const char *null);
/* A duration as uptime: "4:05" (h:mm), "3d 04:05". */
char *format_uptime(char *buf, size_t len, double s, const char *null);
/* An age: "900ms", "12s", "3m", "2h", "5d". */
char *format_age(char *buf, size_t len, double s, const char *null);
/* Wall clock time of day in local time: "12:34:56". */
char *format_clock(char *buf, size_t len, double epoch, const char *null);
/* A delay in seconds without trailing zeros: "1s", "0.05s", "2.5s". */
char *format_delay(char *buf, size_t len, double s);

#endif

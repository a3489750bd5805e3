/* util.h - small helpers shared by core: clocks, strict number parsing, atomic file writes. */
#ifndef UKSMTOP_UTIL_H
#define UKSMTOP_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

double util_now_wall(void);   /* seconds since the epoch */
double util_now_mono(void);   /* CLOCK_MONOTONIC seconds */

/* Strict parsers: the whole string (surrounding blanks allowed) must be a
 * number. 0 on success, -1 otherwise (out untouched). */
int util_parse_double(const char *s, double *out);
int util_parse_long(const char *s, long *out);
int util_parse_bool(const char *s, int *out); /* yes/no, true/false, on/off, 1/0 */

/* ISO-8601 UTC with milliseconds: 2026-11-25T23:19:34.123Z */
void util_iso8601(double t, char *buf, size_t buflen);

/* Copy with truncation; always NUL-terminates when dstlen > 0. */
size_t util_strlcpy(char *dst, const char *src, size_t dstlen);

/* mkdir -p, mode for the directories it creates. 0 or -errno. */
int util_mkdir_p(const char *path, mode_t mode);

/* Write data to path through a temporary file in the same directory, fsync,
 * rename. On any failure the old file is intact; returns -errno with a
 * message naming the file in err. */
int util_write_atomic(const char *path, const char *data, size_t len, char *err, size_t errlen);

/* $XDG_STATE_HOME/uksmtop (or ~/.local/state/uksmtop), $XDG_CONFIG_HOME/uksmtop
 * (or ~/.config/uksmtop). 0 or -1 when no home is known. */
int util_state_dir(char *out, size_t outlen);
int util_config_dir(char *out, size_t outlen);

/* When running as root, refuse a file another user could have written: 0 when
 * trusted (or not root), -1 with "FILE: ... (owned by uid N / group- or
 * world-writable)" in err. */
int util_check_trusted(const char *path, char *err, size_t errlen);

#endif

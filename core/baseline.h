/* baseline.h - the idle host's used memory: where it comes from and where it is kept. */
#ifndef UKSMTOP_BASELINE_H
#define UKSMTOP_BASELINE_H

#include <stddef.h>
#include <stdint.h>

/* Path of the stored baseline: $XDG_STATE_HOME/uksmtop/baseline. 0 or -1. */
int baseline_state_path(char *out, size_t outlen);
/* The stored baseline in kB, or VAL_NULL when none or unreadable. */
int64_t baseline_load(void);
/* Store kb atomically; 0 or -errno with a message in err. */
int baseline_store(int64_t kb, char *err, size_t errlen);
/* Parse the stored file's text ("baseline_kb = N"); 0 or -1. */
int baseline_parse(const char *text, int64_t *kb);

#endif

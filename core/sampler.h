/* sampler.h - takes one sample per call from every backend and derives rates. */
#ifndef UKSMTOP_SAMPLER_H
#define UKSMTOP_SAMPLER_H

#include <stddef.h>

#include "config.h"
#include "sample.h"
#include "../backends/dedup.h"

struct sampler;

/* Opens every backend the build and config allow; a backend that fails to
 * open is skipped and says why once, as an event of the first sample.
 * Returns NULL only when nothing at all can be sampled (err says why). */
struct sampler *sampler_new(const struct config *cfg, char *err, size_t errlen);
void sampler_free(struct sampler *s);

/* Take one sample into out (initialised here; free with sample_free).
 * Thread-safe: every public call locks the sampler. Returns 0 or -1. */
int sampler_take(struct sampler *s, struct sample *out);

/* Set the daemon's run state; logs an event into the next sample.
 * Returns 0, or -errno with one line in err (-EACCES/-EPERM: root needed). */
int sampler_set_dedup(struct sampler *s, enum dedup_run_mode mode, char *err, size_t errlen);

/* Take the current used memory as the baseline (source "manual") and store
 * it under $XDG_STATE_HOME/uksmtop/. Returns 0 or -errno with err. */
int sampler_baseline_now(struct sampler *s, char *err, size_t errlen);

enum dedup_kind sampler_backend(struct sampler *s);
/* The settings in force (for a config write); not to be changed by callers. */
const struct config *sampler_config(struct sampler *s);

#endif

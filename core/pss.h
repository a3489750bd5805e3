/* pss.h - gathers PSS and shared memory (smaps_rollup) on its own thread and cadence. */
#ifndef UKSMTOP_PSS_H
#define UKSMTOP_PSS_H

#include <stdint.h>
#include <sys/types.h>

#include "sample.h"

struct pss_worker;

/* interval_s > 0: a thread makes one pass per interval over the newest
 * instance set submitted. interval_s == 0: no thread; pss_run_now() is
 * called by the sampler on every sample. */
struct pss_worker *pss_new(double interval_s);
void pss_free(struct pss_worker *w);

struct pss_job {
	enum inst_type type;
	char name[INST_NAME_MAX];
	pid_t *pids;
	size_t n_pids;
};

/* Hand over the newest instance set (copied). */
void pss_submit(struct pss_worker *w, const struct pss_job *jobs, size_t n);
/* Run one pass over the submitted set in the caller's thread. */
void pss_run_now(struct pss_worker *w);
/* The newest figures for an instance: 0 and fills pss/shared (VAL_NULL when
 * unreadable), the monotonic time they were gathered and how many of its
 * processes this user could not read, or -1 when none. */
int pss_lookup(struct pss_worker *w, enum inst_type type, const char *name, int64_t *pss_kb,
	       int64_t *shared_kb, double *when_mono, int *denied);

#endif

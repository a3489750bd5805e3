/* experiment_int.h - what the experiment file's reader and its runner share: the parsed file. */
#ifndef UKSMTOP_EXPERIMENT_INT_H
#define UKSMTOP_EXPERIMENT_INT_H

#include "boot.h"
#include "config.h"
#include "experiment.h"

#define EXP_ARGS_MAX 64
#define EXP_END_SAMPLES 5   /* "at the end of a phase" = the mean of its last 5 samples */

struct exp_phase {
	char name[64];
	int dedup;                  /* -1, or enum dedup_run_mode */
	int baseline_now;
	int boot;                   /* 0, or enum boot_mode */
	double duration_s;
	char **load;                /* NULL-terminated argv, or NULL */
	char load_text[1024];
};

struct experiment {
	char path[CFG_STR_MAX];
	char name[64];
	char template_name[TEMPLATE_NAME_MAX];
	enum inst_type type;
	long n;
	char record[CFG_STR_MAX];
	char plot[CFG_STR_MAX];
	double delay_s;             /* NAN: the config's */
	int cleanup;
	struct exp_phase phases[EXPERIMENT_PHASES_MAX];
	size_t n_phases;
};

/* Whether a phase boots clones. */
int experiment_needs_boot(const struct experiment *e);

#endif

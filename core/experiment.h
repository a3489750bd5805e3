/* experiment.h - the study's procedure from one INI file: boot, phases with merging off and on, an optional load; recorded and summed up. */
#ifndef UKSMTOP_EXPERIMENT_H
#define UKSMTOP_EXPERIMENT_H

#include <signal.h>
#include <stddef.h>

#include "config.h"
#include "sampler.h"

/*
 * The file (README.md "Recording, replay, plots and experiments" is the
 * user's reference):
 *
 *   [experiment]
 *   template = demo-lxc     a [template NAME] of this file or of the config
 *   n = 5                   clones a boot phase starts
 *   record = idle.jsonl.gz  the recording (-w overrides it)
 *   delay = 1               seconds between samples (default: -d / the config's)
 *   plot = idle.svg         draw the figures at the end (optional; --plot overrides it)
 *   cleanup = yes           remove the clones at the end (default yes)
 *
 *   [phase NAME]            in file order; each may hold, done in this order:
 *   dedup = on|off|unmerge  set the merging daemon's run state
 *   baseline = now          take the host's used memory now as the idle baseline
 *   boot = storm|one-by-one boot n clones of the template
 *   load = PROG ARG...      started (never through a shell) for the phase, ended after it;
 *                           or a JSON array of strings: ["prog", "arg with blanks"]
 *   duration = SECS         sample this long (after the boot, when there is one)
 *
 * [template NAME] sections here are templates as in the config file.
 */

#define EXPERIMENT_PHASES_MAX 32

struct experiment;

/* Read and check path; cfg gets this file's templates. 0, or 2 with a
 * message naming file, section, key and value in err. */
int experiment_load(const char *path, struct config *cfg, struct experiment **out, char *err, size_t errlen);
void experiment_free(struct experiment *e);

/* The recording and the plot the run will write (after any override). */
const char *experiment_record_path(const struct experiment *e);
const char *experiment_plot_path(const struct experiment *e);
/* -w and --plot on the command line win over the file's record and plot. */
void experiment_override(struct experiment *e, const char *record, const char *plot);

/* Run every phase in order, sampling all along; lines go to stdout in
 * cfg->format, everything to the recording; the summary last. stop is set
 * by SIGINT/SIGTERM: the run then ends early (clones still cleaned up).
 * Returns the exit status: 0 done; 1 a failure (a clone not ready, the
 * recording unwritable, gnuplot, interrupted); 2 refused. */
int experiment_run(struct experiment *e, struct sampler *s, const struct config *cfg,
		   int argc, char **argv, volatile sig_atomic_t *stop);

#endif

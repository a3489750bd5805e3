/* plot.h - the study's figures from a recording: uksmtop writes the data and a gnuplot script, then runs gnuplot by argv. */
#ifndef UKSMTOP_PLOT_H
#define UKSMTOP_PLOT_H

#include <stddef.h>
#include <string.h>

#include "replay.h"

/*
 * For out = DIR/NAME.svg (or .png) it writes, beside it:
 *   DIR/NAME.gp           the gnuplot script (editable; run it again with: gnuplot DIR/NAME.gp)
 *   DIR/NAME-samples.dat  one line per sample, tab-separated, "?" for a missing figure
 *   DIR/NAME-boot.dat     one line per boot storm (only when the recording holds any)
 * and then execs gnuplot (never through a shell) to draw out: one page with
 * a panel per figure, stacked:
 *   1. host overhead over time, merging on/off marks (and experiment phases)
 *   2. pages shared and pages sharing over time
 *   3. the merging daemon's CPU % and scan rate over time
 *   4. boot-storm time and host CPU against n (when there are boot storms)
 */

/* Whether path ends in .svg or .png (the formats --plot draws); inline, so
 * the option parser needs nothing else of plots. */
static inline int plot_format_ok(const char *path)
{
	size_t n = strlen(path);
	return n > 4 && (strcmp(path + n - 4, ".svg") == 0 || strcmp(path + n - 4, ".png") == 0);
}

/* Count of series each panel draws for this log (what the test checks); the
 * total is returned. A series whose figures are all missing is left out. */
int plot_series(const struct replay_log *l, int per_panel[4]);

/* Write data and script, run gnuplot. 0 when out was drawn; 1 with a message
 * in err (the files written, and the command to draw them by hand, when only
 * gnuplot failed or is missing). */
int plot_write(const struct replay_log *l, const char *recording, const char *out, char *err, size_t errlen);

#endif

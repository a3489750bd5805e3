/* tui.h - the full-screen ncurses view: entry points called by main when not in batch mode (live, recorded, replayed). */
#ifndef UKSMTOP_TUI_H
#define UKSMTOP_TUI_H

#include "../core/config.h"
#include "../core/sampler.h"

/* Run the view until the user quits. cfg is the settings in force (the view
 * may change delay, theme, sort and filter, and write them with W to
 * cfg->config_path, or to the default user config path when that is empty).
 * Returns the process exit status. */
int tui_run(struct sampler *s, struct config *cfg);

struct record;
struct replay_log;

/* tui_run, with every sample shown also written to rec (-w; NULL: none),
 * and every boot result. A failed write stops the recording and says so on
 * the bottom line. */
int tui_run_recorded(struct sampler *s, struct config *cfg, struct record *rec);

/* Replay a recording (-r) in the view: the same screen at the recorded
 * times, paused on the first sample; space plays, Left/Right step, J jumps,
 * +/- change the speed; the sparklines show the window up to the sample
 * shown. log stays the caller's. Returns the exit status. */
int tui_replay(const struct replay_log *log, struct config *cfg);

#endif

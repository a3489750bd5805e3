/* tui.h - the full-screen ncurses view: entry point called by main when not in batch mode. */
#ifndef UKSMTOP_TUI_H
#define UKSMTOP_TUI_H

#include "../core/config.h"
#include "../core/sampler.h"

/* Run the view until the user quits. cfg is the settings in force (the view
 * may change delay, theme, sort and filter, and write them with W to
 * cfg->config_path, or to the default user config path when that is empty).
 * Returns the process exit status. */
int tui_run(struct sampler *s, struct config *cfg);

#endif

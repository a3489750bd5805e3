/* draw.h - one frame of the view from its state: header, sparklines, table, bottom line, help. */
#ifndef UKSMTOP_TUI_DRAW_H
#define UKSMTOP_TUI_DRAW_H

#include "view.h"

/* Draw the whole screen for v into stdscr (and refresh it). Reads nothing
 * but v: no file, no clock, so a frame costs only the terminal output.
 * Records in v the table's columns and rows shown, for the keys. */
void draw_frame(struct view *v, const char *config_path);

#endif

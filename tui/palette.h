/* palette.h - a theme turned into curses attributes, fitted to what the terminal can show. */
#ifndef UKSMTOP_TUI_PALETTE_H
#define UKSMTOP_TUI_PALETTE_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>

#include "theme.h"

/* How colour was fitted to the terminal. */
enum palette_mode {
	PALETTE_MONO,      /* no colour (NO_COLOR, or the terminal has none) */
	PALETTE_8,         /* 8 colours: bright ones become bold */
	PALETTE_16,
	PALETTE_256,
};

/* Whether the user asked for no colour (NO_COLOR set and not empty). */
bool palette_no_color(void);

/* Install t's styles (after initscr). Without colour the built-in mono
 * styles are used instead, so selection and state stay visible. Returns
 * the mode, and a note for the user in note ("" when none). */
enum palette_mode palette_apply(const struct theme *t, char *note, size_t notelen);

/* The curses attributes (colour pair included) of an element. */
attr_t palette_attr(enum theme_element e);

/* A colour fitted to a terminal of `colors` colours: bright forms and the
 * 256-colour palette map to the nearest basic colour (bold says bright).
 * Pure, for tests. */
short palette_fit(short colour, int colors, bool *bold);

#endif

/* keys.h - what each key does: the key map, the help text and the bottom bar. */
#ifndef UKSMTOP_TUI_KEYS_H
#define UKSMTOP_TUI_KEYS_H

#include <stddef.h>

enum keys_action {
	KA_NONE,
	KA_QUIT,
	KA_HELP,
	KA_SAMPLE,
	KA_DELAY,
	KA_SORT_PREV,
	KA_SORT_NEXT,
	KA_SORT_REVERSE,
	KA_UP,
	KA_DOWN,
	KA_PGUP,
	KA_PGDN,
	KA_HOME,
	KA_END,
	KA_FILTER,
	KA_CLEAR,     /* Esc: clear the filter (and any message) */
	KA_TOGGLE,
	KA_BASELINE,
	KA_THEME,
	KA_WRITE,
	KA_BOOT,      /* boot n clones of a template, one by one */
	KA_STORM,     /* a boot storm: n clones at once, timed */
	KA_CLEAN,     /* remove uksmtop's clones */
	KA_REDRAW,
	KA_RESIZE,
};

#define KEYS_ESC 27
#define KEYS_CTRL(c) ((c) & 0x1f)

/* The action of a key in the normal view (curses key codes). */
enum keys_action keys_action(int ch);

struct keys_help_line {
	const char *keys;
	const char *what;
};
/* Moving about the table: the same keys live and in a replay. */
#define KEYS_HELP_BROWSE \
	{ "<  >  , .  F6", "sort by the column to the left / to the right" }, \
	{ "R", "reverse the sort order" }, \
	{ "Up Down  k j", "move the selection" }, \
	{ "PgUp PgDn", "move the selection a page" }, \
	{ "Home End  g G", "first / last row" }, \
	{ "/  F4", "filter rows by name (a substring, or a glob with * ? [)" }, \
	{ "Esc", "clear the filter and the message" }

extern const struct keys_help_line keys_help[];
extern const size_t keys_help_n;

/* The bottom bar, most important first: as many as fit are shown. */
struct keys_bar_item {
	const char *key;
	const char *label;
};
extern const struct keys_bar_item keys_bar[];
extern const size_t keys_bar_n;

#endif

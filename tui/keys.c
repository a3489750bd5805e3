/* keys.c - what each key does: the key map, the help text and the bottom bar. */
#include <curses.h>

#include "keys.h"

enum keys_action keys_action(int ch)
{
	switch (ch) {
	case 'q': case KEY_F(10):
		return KA_QUIT;
	case 'h': case '?': case KEY_F(1):
		return KA_HELP;
	case ' ':
		return KA_SAMPLE;
	case 'd':
		return KA_DELAY;
	case '<': case ',':
		return KA_SORT_PREV;
	case '>': case '.': case KEY_F(6):
		return KA_SORT_NEXT;
	case 'R':
		return KA_SORT_REVERSE;
	case KEY_UP: case 'k':
		return KA_UP;
	case KEY_DOWN: case 'j':
		return KA_DOWN;
	case KEY_PPAGE:
		return KA_PGUP;
	case KEY_NPAGE:
		return KA_PGDN;
	case KEY_HOME: case 'g':
		return KA_HOME;
	case KEY_END: case 'G':
		return KA_END;
	case '/': case KEY_F(4):
		return KA_FILTER;
	case KEYS_ESC:
		return KA_CLEAR;
	case 'u':
		return KA_TOGGLE;
	case 'B':
		return KA_BASELINE;
	case 'T':
		return KA_THEME;
	case 'W':
		return KA_WRITE;
	case 'n':
		return KA_BOOT;
	case 't':
		return KA_STORM;
	case 'x':
		return KA_CLEAN;
	case KEYS_CTRL('l'):
		return KA_REDRAW;
	case KEY_RESIZE:
		return KA_RESIZE;
	default:
		return KA_NONE;
	}
}

const struct keys_help_line keys_help[] = {
	{ "q  F10", "quit" },
	{ "h  ?  F1", "this help (any key returns)" },
	{ "space", "take a sample now" },
	{ "d", "set the delay between samples (0.05 to 3600 s)" },
	KEYS_HELP_BROWSE,
	{ "u", "turn merging on or off, after y/n (root; refused in secure mode)" },
	{ "B", "take the host's used memory now as its idle baseline" },
	{ "T", "next theme" },
	{ "W", "write delay, theme and filter to the config file" },
	{ "n", "boot n clones of a template one by one: asks template and n (root)" },
	{ "t", "boot storm: n clones at once, timed, host CPU; result panel (root)" },
	{ "x", "remove uksmtop's clones, after y/n (root)" },
	{ "Esc", "while a boot runs: cancel it (clones already started stay)" },
	{ "Ctrl-L", "redraw the screen" },
};
const size_t keys_help_n = sizeof(keys_help) / sizeof(keys_help[0]);

const struct keys_bar_item keys_bar[] = {
	{ "h", "Help" },
	{ "u", "Merge" },
	{ "<>", "Sort" },
	{ "/", "Filter" },
	{ "n", "Boot" },
	{ "t", "Storm" },
	{ "x", "Clean" },
	{ "d", "Delay" },
	{ "B", "Base" },
	{ "T", "Theme" },
	{ "W", "Write" },
	{ "q", "Quit" },
};
const size_t keys_bar_n = sizeof(keys_bar) / sizeof(keys_bar[0]);

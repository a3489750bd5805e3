/* theme.h - colour themes: INI files naming a colour and attributes for every element of the view. */
#ifndef UKSMTOP_TUI_THEME_H
#define UKSMTOP_TUI_THEME_H

#include <stdbool.h>
#include <stddef.h>

/* The elements a theme colours; their INI keys are in theme_element_name. */
enum theme_element {
	TE_NORMAL,       /* everything not named below */
	TE_TITLE,        /* the first header line */
	TE_LABEL,        /* header labels */
	TE_VALUE,        /* header figures */
	TE_RUN_ON,       /* merging ON */
	TE_RUN_OFF,      /* merging OFF (or unmerge, or no daemon) */
	TE_SPARK_LABEL,  /* a sparkline's name, current value and max */
	TE_SPARK,        /* sparkline glyphs */
	TE_AXIS,         /* the time axis under the sparklines */
	TE_MARK,         /* a merging toggle on the time axis */
	TE_TABLE_HEADER, /* the table's column titles */
	TE_SORT,         /* the title of the sort column */
	TE_ROW,          /* an instance row */
	TE_SELECTED,     /* the selected row */
	TE_TOTALS,       /* the totals row */
	TE_STALE,        /* a PSS/SHR figure older than twice its interval */
	TE_FKEY,         /* a key in the bottom bar */
	TE_FLABEL,       /* its label */
	TE_MESSAGE,      /* a message or result */
	TE_ERROR,        /* an error message */
	TE_PROMPT,       /* a question or input line */
	TE_N
};

/* Attributes, independent of curses so the parser needs no terminal. */
enum {
	THEME_BOLD = 1 << 0,
	THEME_DIM = 1 << 1,
	THEME_UNDERLINE = 1 << 2,
	THEME_REVERSE = 1 << 3,
	THEME_STANDOUT = 1 << 4,
	THEME_BLINK = 1 << 5,
	THEME_ITALIC = 1 << 6,
};

/* A colour: -1 the terminal's default, 0..7 the basic colours, 8..15 their
 * bright forms, 16..255 the xterm palette. */
struct theme_style {
	short fg, bg;
	unsigned attrs;
};

#define THEME_NAME_MAX 64
#define THEME_PATH_MAX 4096

struct theme {
	char name[THEME_NAME_MAX];
	char path[THEME_PATH_MAX]; /* "" for a built-in theme */
	struct theme_style style[TE_N];
};

extern const char *const theme_element_name[TE_N];

/* The built-in default (the same as themes/default.ini) and mono themes. */
void theme_builtin_default(struct theme *t);
void theme_builtin_mono(struct theme *t);

/* Parse "fg[,bg][,attr...]" ("white,black,bold", "default,default,reverse").
 * Returns 0, or -1 naming the bad word in err. */
int theme_parse_style(const char *value, struct theme_style *out, char *err, size_t errlen);
/* Parse one colour name or number; -2 when unknown (-1 is "default"). */
int theme_parse_colour(const char *word);

/* Load a theme file into t, elements it does not name keeping the default.
 * Returns 0; 1 loaded but with a warning in err (an unknown element);
 * -1 a bad value: err names file, key and value, t is the default theme;
 * -2 the file cannot be read. */
int theme_load_file(const char *path, struct theme *t, char *err, size_t errlen);

/* The directories searched for NAME.ini, first match wins:
 * $UKSMTOP_THEMES_DIR (tests, the build tree), $XDG_CONFIG_HOME/uksmtop/themes
 * (or ~/.config/uksmtop/themes), then UKSMTOP_DATADIR/themes. Returns how
 * many were written to dirs (each THEME_PATH_MAX long). */
size_t theme_dirs(char dirs[][THEME_PATH_MAX], size_t max);

/* Find a theme by name (or a path, when it contains '/'). Returns 0 with
 * the file in path, or -1. */
int theme_find(const char *name, char *path, size_t pathlen);

/* Load a theme by name. On any failure t is the built-in default and err
 * says why (unknown theme: the name and where it was looked for; bad file:
 * file, key and value). Returns 0, 1 (loaded, warning in err) or -1. */
int theme_load(const char *name, struct theme *t, char *err, size_t errlen);

/* Names of every theme found, sorted and unique, "default" always among
 * them. Returns the count (at most max). */
size_t theme_list(char names[][THEME_NAME_MAX], size_t max);

/* Whether name is a usable theme name: letters, digits, '-', '_', '.'. */
bool theme_name_valid(const char *name);

#endif

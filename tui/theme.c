/* theme.c - colour themes: INI files naming a colour and attributes for every element of the view. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <iniparser.h>

#include "theme.h"
#include "../core/util.h"

const char *const theme_element_name[TE_N] = {
	[TE_NORMAL] = "normal",
	[TE_TITLE] = "title",
	[TE_LABEL] = "label",
	[TE_VALUE] = "value",
	[TE_RUN_ON] = "run_on",
	[TE_RUN_OFF] = "run_off",
	[TE_SPARK_LABEL] = "spark_label",
	[TE_SPARK] = "spark",
	[TE_AXIS] = "axis",
	[TE_MARK] = "mark",
	[TE_TABLE_HEADER] = "table_header",
	[TE_SORT] = "sort",
	[TE_ROW] = "row",
	[TE_SELECTED] = "selected",
	[TE_TOTALS] = "totals",
	[TE_STALE] = "stale",
	[TE_FKEY] = "fkey",
	[TE_FLABEL] = "flabel",
	[TE_MESSAGE] = "message",
	[TE_ERROR] = "error",
	[TE_PROMPT] = "prompt",
};

enum { C_DEF = -1, C_BLACK, C_RED, C_GREEN, C_YELLOW, C_BLUE, C_MAGENTA, C_CYAN, C_WHITE };

#define S(f, b, a) { (short)(f), (short)(b), (a) }

/* Keep in step with themes/default.ini (tests/tui/test_theme checks it). */
static const struct theme_style theme_default_styles[TE_N] = {
	[TE_NORMAL] = S(C_WHITE, C_BLACK, 0),
	[TE_TITLE] = S(C_WHITE, C_BLUE, THEME_BOLD),
	[TE_LABEL] = S(C_CYAN, C_BLACK, 0),
	[TE_VALUE] = S(C_WHITE, C_BLACK, THEME_BOLD),
	[TE_RUN_ON] = S(C_BLACK, C_GREEN, THEME_BOLD),
	[TE_RUN_OFF] = S(C_WHITE, C_RED, THEME_BOLD),
	[TE_SPARK_LABEL] = S(C_CYAN, C_BLACK, 0),
	[TE_SPARK] = S(C_GREEN, C_BLACK, 0),
	[TE_AXIS] = S(C_BLUE, C_BLACK, THEME_BOLD),
	[TE_MARK] = S(C_YELLOW, C_BLACK, THEME_BOLD),
	[TE_TABLE_HEADER] = S(C_BLACK, C_GREEN, 0),
	[TE_SORT] = S(C_BLACK, C_CYAN, THEME_BOLD),
	[TE_ROW] = S(C_WHITE, C_BLACK, 0),
	[TE_SELECTED] = S(C_BLACK, C_CYAN, 0),
	[TE_TOTALS] = S(C_WHITE, C_BLACK, THEME_BOLD),
	[TE_STALE] = S(C_YELLOW, C_BLACK, 0),
	[TE_FKEY] = S(C_WHITE, C_BLACK, 0),
	[TE_FLABEL] = S(C_BLACK, C_CYAN, 0),
	[TE_MESSAGE] = S(C_YELLOW, C_BLACK, THEME_BOLD),
	[TE_ERROR] = S(C_WHITE, C_RED, THEME_BOLD),
	[TE_PROMPT] = S(C_BLACK, C_YELLOW, 0),
};

/* For terminals without colour, NO_COLOR, and the mono theme file. */
static const struct theme_style theme_mono_styles[TE_N] = {
	[TE_NORMAL] = S(C_DEF, C_DEF, 0),
	[TE_TITLE] = S(C_DEF, C_DEF, THEME_REVERSE | THEME_BOLD),
	[TE_LABEL] = S(C_DEF, C_DEF, 0),
	[TE_VALUE] = S(C_DEF, C_DEF, THEME_BOLD),
	[TE_RUN_ON] = S(C_DEF, C_DEF, THEME_REVERSE | THEME_BOLD),
	[TE_RUN_OFF] = S(C_DEF, C_DEF, THEME_BOLD),
	[TE_SPARK_LABEL] = S(C_DEF, C_DEF, 0),
	[TE_SPARK] = S(C_DEF, C_DEF, THEME_BOLD),
	[TE_AXIS] = S(C_DEF, C_DEF, 0),
	[TE_MARK] = S(C_DEF, C_DEF, THEME_BOLD),
	[TE_TABLE_HEADER] = S(C_DEF, C_DEF, THEME_REVERSE),
	[TE_SORT] = S(C_DEF, C_DEF, THEME_REVERSE | THEME_BOLD | THEME_UNDERLINE),
	[TE_ROW] = S(C_DEF, C_DEF, 0),
	[TE_SELECTED] = S(C_DEF, C_DEF, THEME_REVERSE),
	[TE_TOTALS] = S(C_DEF, C_DEF, THEME_BOLD),
	[TE_STALE] = S(C_DEF, C_DEF, THEME_UNDERLINE),
	[TE_FKEY] = S(C_DEF, C_DEF, THEME_BOLD),
	[TE_FLABEL] = S(C_DEF, C_DEF, THEME_REVERSE),
	[TE_MESSAGE] = S(C_DEF, C_DEF, THEME_BOLD),
	[TE_ERROR] = S(C_DEF, C_DEF, THEME_BOLD | THEME_REVERSE),
	[TE_PROMPT] = S(C_DEF, C_DEF, THEME_REVERSE),
};

#undef S

void theme_builtin_default(struct theme *t)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "default");
	memcpy(t->style, theme_default_styles, sizeof(t->style));
}

void theme_builtin_mono(struct theme *t)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "mono");
	memcpy(t->style, theme_mono_styles, sizeof(t->style));
}

static const char *const theme_colour_names[8] = {
	"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
};

int theme_parse_colour(const char *word)
{
	char *end;
	long n;
	int i;

	if (strcasecmp(word, "default") == 0)
		return -1;
	for (i = 0; i < 8; i++) {
		if (strcasecmp(word, theme_colour_names[i]) == 0)
			return i;
		if (strncasecmp(word, "bright", 6) == 0 && strcasecmp(word + 6, theme_colour_names[i]) == 0)
			return i + 8;
	}
	if (!isdigit((unsigned char)word[0]))
		return -2;
	errno = 0;
	n = strtol(word, &end, 10);
	if (errno || *end || n < 0 || n > 255)
		return -2;
	return (int)n;
}

static int theme_parse_attr(const char *word, unsigned *attrs)
{
	static const struct { const char *name; unsigned bit; } names[] = {
		{ "normal", 0 }, { "none", 0 }, { "bold", THEME_BOLD }, { "dim", THEME_DIM },
		{ "underline", THEME_UNDERLINE }, { "reverse", THEME_REVERSE },
		{ "standout", THEME_STANDOUT }, { "blink", THEME_BLINK }, { "italic", THEME_ITALIC },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcasecmp(word, names[i].name) == 0) {
			*attrs |= names[i].bit;
			return 0;
		}
	}
	return -1;
}

/* Copy the next comma-separated word of *s, blanks trimmed, into word. */
static bool theme_next_word(const char **s, char *word, size_t len)
{
	const char *p = *s, *end;
	size_t n;

	if (!*p)
		return false;
	end = strchr(p, ',');
	if (!end)
		end = p + strlen(p);
	*s = *end ? end + 1 : end;
	while (p < end && isspace((unsigned char)*p))
		p++;
	while (end > p && isspace((unsigned char)end[-1]))
		end--;
	n = (size_t)(end - p);
	if (n >= len)
		n = len - 1;
	memcpy(word, p, n);
	word[n] = '\0';
	return true;
}

int theme_parse_style(const char *value, struct theme_style *out, char *err, size_t errlen)
{
	struct theme_style st = { -1, -1, 0 };
	const char *p = value;
	char word[64];
	int i, c;

	for (i = 0; theme_next_word(&p, word, sizeof(word)); i++) {
		c = theme_parse_colour(word);
		if (i == 0 && c < -1) {
			snprintf(err, errlen, "unknown colour '%s'", word);
			return -1;
		}
		if (i == 0) {
			st.fg = (short)c;
		} else if (i == 1 && c >= -1) {
			st.bg = (short)c;
		} else if (theme_parse_attr(word, &st.attrs) < 0) {
			snprintf(err, errlen, "unknown %s '%s'", i == 1 ? "colour or attribute" : "attribute",
				 word);
			return -1;
		}
	}
	if (i == 0) {
		snprintf(err, errlen, "empty value (want colour[,background][,attribute...])");
		return -1;
	}
	*out = st;
	return 0;
}

/* iniparser reports syntax errors through a printf-like callback; keep the
 * first one for our message instead of letting it reach the screen. */
static char theme_ini_error[256];

static int theme_ini_errback(const char *fmt, ...)
{
	va_list ap;
	char line[256];
	size_t l;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	l = strlen(line);
	while (l > 0 && (line[l - 1] == '\n' || line[l - 1] == '\r'))
		line[--l] = '\0';
	/* One line for the message slot. */
	for (char *p = line; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	if (!theme_ini_error[0])
		snprintf(theme_ini_error, sizeof(theme_ini_error), "%s", line);
	return 0;
}

static int theme_element_find(const char *key)
{
	int e;

	for (e = 0; e < TE_N; e++)
		if (strcmp(key, theme_element_name[e]) == 0)
			return e;
	return -1;
}

/* Apply every key of [colors]; returns like theme_load_file. */
static int theme_apply_keys(dictionary *d, const char *path, struct theme *t, char *err, size_t errlen)
{
	const char **keys;
	int n, i, rc = 0;

	n = iniparser_getsecnkeys(d, "colors");
	if (n <= 0)
		return 0;
	keys = calloc((size_t)n, sizeof(*keys));
	if (!keys) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	iniparser_getseckeys(d, "colors", keys);
	for (i = 0; i < n; i++) {
		const char *key = keys[i] + strlen("colors:");
		const char *value = iniparser_getstring(d, keys[i], "");
		char why[128];
		int e = theme_element_find(key);

		/* "[colors:x]" makes iniparser list a key with no value. */
		if (!value) {
			if (rc == 0)
				snprintf(err, errlen, "%s: [%s] ignored: a section name holds no ':'", path, keys[i]);
			rc = 1;
			continue;
		}
		if (e < 0) {
			if (rc == 0)
				snprintf(err, errlen, "%s: [colors] %s: unknown element (ignored)", path, key);
			rc = 1;
			continue;
		}
		if (theme_parse_style(value, &t->style[e], why, sizeof(why)) < 0) {
			snprintf(err, errlen, "%s: [colors] %s = %s: %s", path, key, value, why);
			rc = -1;
			break;
		}
	}
	free(keys);
	return rc;
}

static void theme_name_from_path(const char *path, char *name, size_t len)
{
	const char *base = strrchr(path, '/');
	size_t n;

	base = base ? base + 1 : path;
	n = strlen(base);
	if (n > 4 && strcmp(base + n - 4, ".ini") == 0)
		n -= 4;
	if (n >= len)
		n = len - 1;
	memcpy(name, base, n);
	name[n] = '\0';
}

int theme_load_file(const char *path, struct theme *t, char *err, size_t errlen)
{
	dictionary *d;
	int rc;

	theme_builtin_default(t);
	if (access(path, R_OK) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -2;
	}
	if (util_check_trusted(path, err, errlen) < 0)
		return -1;
	theme_ini_error[0] = '\0';
	iniparser_set_error_callback(theme_ini_errback);
	d = iniparser_load(path);
	iniparser_set_error_callback(NULL);
	if (!d) {
		snprintf(err, errlen, "%s: %s", path, theme_ini_error[0] ? theme_ini_error : "cannot parse");
		return -1;
	}
	rc = theme_apply_keys(d, path, t, err, errlen);
	iniparser_freedict(d);
	if (rc < 0) {
		theme_builtin_default(t);
		return -1;
	}
	theme_name_from_path(path, t->name, sizeof(t->name));
	snprintf(t->path, sizeof(t->path), "%s", path);
	return rc;
}

size_t theme_dirs(char dirs[][THEME_PATH_MAX], size_t max)
{
	const char *env = getenv("UKSMTOP_THEMES_DIR");
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	size_t n = 0;

	if (n < max && env && *env)
		snprintf(dirs[n++], THEME_PATH_MAX, "%s", env);
	if (n < max && xdg && *xdg == '/')
		snprintf(dirs[n++], THEME_PATH_MAX, "%s/uksmtop/themes", xdg);
	else if (n < max && home && *home)
		snprintf(dirs[n++], THEME_PATH_MAX, "%s/.config/uksmtop/themes", home);
#ifdef UKSMTOP_DATADIR
	if (n < max)
		snprintf(dirs[n++], THEME_PATH_MAX, "%s/themes", UKSMTOP_DATADIR);
#endif
	return n;
}

bool theme_name_valid(const char *name)
{
	const char *p;

	if (!*name || name[0] == '.' || strlen(name) >= THEME_NAME_MAX)
		return false;
	for (p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("-_.", *p))
			return false;
	return true;
}

int theme_find(const char *name, char *path, size_t pathlen)
{
	char dirs[4][THEME_PATH_MAX];
	size_t n, i;

	if (strchr(name, '/')) {
		snprintf(path, pathlen, "%s", name);
		return access(path, R_OK) == 0 ? 0 : -1;
	}
	if (!theme_name_valid(name))
		return -1;
	n = theme_dirs(dirs, 4);
	for (i = 0; i < n; i++) {
		int l = snprintf(path, pathlen, "%s/%s.ini", dirs[i], name);

		if (l > 0 && (size_t)l < pathlen && access(path, R_OK) == 0)
			return 0;
	}
	return -1;
}

/* Where a missing theme was looked for, for the message. */
static void theme_dirs_text(char *out, size_t len)
{
	char dirs[4][THEME_PATH_MAX];
	size_t n = theme_dirs(dirs, 4), i, pos = 0;

	out[0] = '\0';
	for (i = 0; i < n && pos < len; i++) {
		int l = snprintf(out + pos, len - pos, "%s%s", i ? ", " : "", dirs[i]);

		if (l < 0)
			break;
		pos += (size_t)l;
	}
}

int theme_load(const char *name, struct theme *t, char *err, size_t errlen)
{
	char path[THEME_PATH_MAX], where[1024];
	int rc;

	theme_builtin_default(t);
	if (!name || !*name)
		name = "default";
	if (theme_find(name, path, sizeof(path)) < 0) {
		/* The default needs no file: it is compiled in. */
		if (strcmp(name, "default") == 0)
			return 0;
		theme_dirs_text(where, sizeof(where));
		snprintf(err, errlen, "theme '%s' not found (looked in %s); using default", name, where);
		return -1;
	}
	rc = theme_load_file(path, t, err, errlen);
	if (rc < 0) {
		size_t l = strlen(err);

		snprintf(err + l, errlen - l, "; using default");
		theme_builtin_default(t);
		return -1;
	}
	return rc;
}

static int theme_cmp_names(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

static size_t theme_add_name(char names[][THEME_NAME_MAX], size_t n, size_t max, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return n;
	if (n >= max)
		return n;
	snprintf(names[n], THEME_NAME_MAX, "%s", name);
	return n + 1;
}

size_t theme_list(char names[][THEME_NAME_MAX], size_t max)
{
	char dirs[4][THEME_PATH_MAX];
	size_t nd = theme_dirs(dirs, 4), i, n = 0;

	if (max == 0)
		return 0;
	n = theme_add_name(names, n, max, "default");
	for (i = 0; i < nd; i++) {
		DIR *dir = opendir(dirs[i]);
		struct dirent *de;

		if (!dir)
			continue;
		while ((de = readdir(dir)) != NULL) {
			char name[THEME_NAME_MAX];
			size_t l = strlen(de->d_name);

			if (l <= 4 || l - 4 >= sizeof(name) || strcmp(de->d_name + l - 4, ".ini") != 0)
				continue;
			memcpy(name, de->d_name, l - 4);
			name[l - 4] = '\0';
			if (theme_name_valid(name))
				n = theme_add_name(names, n, max, name);
		}
		closedir(dir);
	}
	qsort(names, n, sizeof(names[0]), theme_cmp_names);
	return n;
}

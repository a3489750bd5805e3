/* test_theme.c - theme parsing: values, a good file, a bad colour, unknown themes, the shipped themes. */
#include <stdlib.h>
#include <string.h>

#include <iniparser.h>

#include "../check.h"
#include "tui/theme.h"

static char fixtures[4096], shipped[4096];

static void test_parse_style(void)
{
	struct theme_style st;
	char err[256];

	CHECK_I64(theme_parse_style("white,black,bold", &st, err, sizeof(err)), 0);
	CHECK(st.fg == 7 && st.bg == 0 && st.attrs == THEME_BOLD);
	CHECK_I64(theme_parse_style(" default , brightblue ", &st, err, sizeof(err)), 0);
	CHECK(st.fg == -1 && st.bg == 12 && st.attrs == 0);
	CHECK_I64(theme_parse_style("red", &st, err, sizeof(err)), 0);
	CHECK(st.fg == 1 && st.bg == -1);
	/* The background may be left out before attributes. */
	CHECK_I64(theme_parse_style("Green,reverse,dim", &st, err, sizeof(err)), 0);
	CHECK(st.fg == 2 && st.bg == -1 && st.attrs == (THEME_REVERSE | THEME_DIM));
	CHECK_I64(theme_parse_style("255,0,italic,blink,standout", &st, err, sizeof(err)), 0);
	CHECK(st.fg == 255 && st.bg == 0 && st.attrs == (THEME_ITALIC | THEME_BLINK | THEME_STANDOUT));

	CHECK_I64(theme_parse_style("purple,black", &st, err, sizeof(err)), -1);
	CHECK_STR(err, "unknown colour 'purple'");
	CHECK_I64(theme_parse_style("white,black,shiny", &st, err, sizeof(err)), -1);
	CHECK_STR(err, "unknown attribute 'shiny'");
	CHECK_I64(theme_parse_style("white,256", &st, err, sizeof(err)), -1);
	CHECK_I64(theme_parse_style("", &st, err, sizeof(err)), -1);
	CHECK_I64(theme_parse_colour("brightwhite"), 15);
	CHECK_I64(theme_parse_colour("-3"), -2);
	CHECK_I64(theme_parse_colour("12x"), -2);
}

static void test_good_file(void)
{
	struct theme t, def;
	char path[4200], err[512] = "";

	theme_builtin_default(&def);
	snprintf(path, sizeof(path), "%s/good.ini", fixtures);
	CHECK_I64(theme_load_file(path, &t, err, sizeof(err)), 0);
	CHECK_STR(err, "");
	CHECK_STR(t.name, "good");
	CHECK_STR(t.path, path);
	/* Keys are case-blind; blanks around words do not matter. */
	CHECK(t.style[TE_TITLE].fg == 3 && t.style[TE_TITLE].bg == 5);
	CHECK(t.style[TE_TITLE].attrs == (THEME_BOLD | THEME_UNDERLINE));
	CHECK(t.style[TE_ROW].fg == 9 && t.style[TE_ROW].bg == -1);
	CHECK(t.style[TE_SELECTED].fg == 200 && t.style[TE_SELECTED].bg == 17);
	CHECK(t.style[TE_ERROR].fg == -1 && t.style[TE_ERROR].attrs == 0);
	/* Elements the file does not name keep the default. */
	CHECK(memcmp(&t.style[TE_SPARK], &def.style[TE_SPARK], sizeof(def.style[0])) == 0);
}

static void test_bad_files(void)
{
	struct theme t, def;
	char path[4200], err[512] = "", want[4400];

	theme_builtin_default(&def);
	snprintf(path, sizeof(path), "%s/bad-colour.ini", fixtures);
	CHECK_I64(theme_load_file(path, &t, err, sizeof(err)), -1);
	/* The message names the file, the key and the value. */
	snprintf(want, sizeof(want), "%s: [colors] row = purple,black: unknown colour 'purple'", path);
	CHECK_STR(err, want);
	/* And the result is the default theme, not half of the bad one. */
	CHECK_STR(t.name, "default");
	CHECK(memcmp(t.style, def.style, sizeof(def.style)) == 0);

	snprintf(path, sizeof(path), "%s/unknown-key.ini", fixtures);
	CHECK_I64(theme_load_file(path, &t, err, sizeof(err)), 1);
	CHECK(strstr(err, "sidebar") && strstr(err, "unknown-key.ini"));
	CHECK(t.style[TE_ROW].fg == 2);

	snprintf(path, sizeof(path), "%s/bad-syntax.ini", fixtures);
	CHECK_I64(theme_load_file(path, &t, err, sizeof(err)), -1);
	CHECK(strstr(err, "bad-syntax.ini") != NULL);

	snprintf(path, sizeof(path), "%s/absent.ini", fixtures);
	CHECK_I64(theme_load_file(path, &t, err, sizeof(err)), -2);
	CHECK(strstr(err, "absent.ini") != NULL);
}

static void test_lookup(void)
{
	struct theme t;
	char err[2048] = "", path[4200];
	char names[16][THEME_NAME_MAX];
	size_t n, i;

	setenv("UKSMTOP_THEMES_DIR", fixtures, 1);
	setenv("XDG_CONFIG_HOME", "/nonexistent", 1);
	CHECK_I64(theme_load("good", &t, err, sizeof(err)), 0);
	CHECK_STR(t.name, "good");

	/* Unknown: message with the name and where it looked, then the default. */
	CHECK_I64(theme_load("nosuch", &t, err, sizeof(err)), -1);
	CHECK(strstr(err, "'nosuch' not found") != NULL);
	CHECK(strstr(err, fixtures) != NULL);
	CHECK_STR(t.name, "default");

	/* A bad file found by name: the same message as loading the file. */
	CHECK_I64(theme_load("bad-colour", &t, err, sizeof(err)), -1);
	CHECK(strstr(err, "row = purple,black") && strstr(err, "using default"));
	CHECK_STR(t.name, "default");

	/* The default needs no file. */
	CHECK_I64(theme_load("default", &t, err, sizeof(err)), 0);
	CHECK_STR(t.name, "default");
	CHECK_I64(theme_load("", &t, err, sizeof(err)), 0);

	/* Names that could escape the directories are refused. */
	CHECK(!theme_name_valid("../etc/passwd"));
	CHECK(!theme_name_valid(".hidden"));
	CHECK(theme_name_valid("high-contrast"));
	CHECK_I64(theme_find("../good", path, sizeof(path)), -1);

	n = theme_list(names, 16);
	CHECK_I64(n, 5);  /* default + the four fixtures */
	for (i = 1; i < n; i++)
		CHECK(strcmp(names[i - 1], names[i]) < 0);
	CHECK_STR(names[0], "bad-colour");
	CHECK_STR(names[2], "default");
}

/* Every shipped theme loads cleanly and names every element itself. */
static void test_shipped(void)
{
	static const char *const names[] = { "default", "light", "mono", "high-contrast" };
	struct theme t, def;
	char err[512], path[4200], key[64];
	size_t i;
	int e;

	setenv("UKSMTOP_THEMES_DIR", shipped, 1);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		dictionary *d;

		err[0] = '\0';
		CHECK_I64(theme_load(names[i], &t, err, sizeof(err)), 0);
		CHECK_STR(err, "");
		CHECK_STR(t.name, names[i]);
		snprintf(path, sizeof(path), "%s/%s.ini", shipped, names[i]);
		d = iniparser_load(path);
		CHECK(d != NULL);
		for (e = 0; d && e < TE_N; e++) {
			snprintf(key, sizeof(key), "colors:%s", theme_element_name[e]);
			if (!iniparser_find_entry(d, key))
				fprintf(stderr, "%s lacks %s\n", path, key);
			CHECK(iniparser_find_entry(d, key));
		}
		iniparser_freedict(d);
	}
	/* default.ini and the compiled-in default agree. */
	theme_load("default", &t, err, sizeof(err));
	theme_builtin_default(&def);
	CHECK(memcmp(t.style, def.style, sizeof(def.style)) == 0);
	theme_load("mono", &t, err, sizeof(err));
	theme_builtin_mono(&def);
	CHECK(memcmp(t.style, def.style, sizeof(def.style)) == 0);
}

int main(void)
{
	const char *src = getenv("top_srcdir");

	if (!src)
		src = ".";
	snprintf(fixtures, sizeof(fixtures), "%s/tests/tui/themes", src);
	snprintf(shipped, sizeof(shipped), "%s/themes", src);
	test_parse_style();
	test_good_file();
	test_bad_files();
	test_lookup();
	test_shipped();
	return check_done();
}

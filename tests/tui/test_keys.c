/* test_keys.c - the key map and its help: every key of the view does what the help says, and the colour fitting for small palettes. */
#include <curses.h>
#include <string.h>

#include "../check.h"
#include "tui/keys.h"
#include "tui/palette.h"

static void test_map(void)
{
	CHECK_I64(keys_action('q'), KA_QUIT);
	CHECK_I64(keys_action(KEY_F(10)), KA_QUIT);
	CHECK_I64(keys_action('h'), KA_HELP);
	CHECK_I64(keys_action('?'), KA_HELP);
	CHECK_I64(keys_action(' '), KA_SAMPLE);
	CHECK_I64(keys_action('d'), KA_DELAY);
	CHECK_I64(keys_action('<'), KA_SORT_PREV);
	CHECK_I64(keys_action('>'), KA_SORT_NEXT);
	CHECK_I64(keys_action(','), KA_SORT_PREV);
	CHECK_I64(keys_action('.'), KA_SORT_NEXT);
	CHECK_I64(keys_action('R'), KA_SORT_REVERSE);
	CHECK_I64(keys_action(KEY_UP), KA_UP);
	CHECK_I64(keys_action(KEY_DOWN), KA_DOWN);
	CHECK_I64(keys_action(KEY_PPAGE), KA_PGUP);
	CHECK_I64(keys_action(KEY_NPAGE), KA_PGDN);
	CHECK_I64(keys_action(KEY_HOME), KA_HOME);
	CHECK_I64(keys_action(KEY_END), KA_END);
	CHECK_I64(keys_action('/'), KA_FILTER);
	CHECK_I64(keys_action(KEYS_ESC), KA_CLEAR);
	CHECK_I64(keys_action('u'), KA_TOGGLE);
	CHECK_I64(keys_action('B'), KA_BASELINE);
	CHECK_I64(keys_action('T'), KA_THEME);
	CHECK_I64(keys_action('W'), KA_WRITE);
	CHECK_I64(keys_action('n'), KA_BOOT);
	CHECK_I64(keys_action('t'), KA_STORM);
	CHECK_I64(keys_action('x'), KA_CLEAN);
	CHECK_I64(keys_action(KEYS_CTRL('l')), KA_REDRAW);
	CHECK_I64(keys_action(KEY_RESIZE), KA_RESIZE);
	/* Keys with no meaning do nothing, lower and upper case apart. */
	CHECK_I64(keys_action('X'), KA_NONE);
	CHECK_I64(keys_action('b'), KA_NONE);
	CHECK_I64(keys_action('U'), KA_NONE);
}

/* Every key the issue names has a line in the help. */
static void test_help(void)
{
	static const char *const keys[] = { "q", "h", "?", "space", "d", "<", ">", ",", ".", "R", "Up", "Down",
		"PgUp", "PgDn", "Home", "End", "/", "Esc", "u", "B", "T", "W", "n", "t", "x" };
	size_t i, j;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		int found = 0;

		for (j = 0; j < keys_help_n && !found; j++) {
			const char *k = keys_help[j].keys, *p = strstr(k, keys[i]);
			size_t l = strlen(keys[i]);

			/* A whole word of the keys column. */
			while (p && !found) {
				found = (p == k || p[-1] == ' ') && (p[l] == '\0' || p[l] == ' ');
				p = strstr(p + 1, keys[i]);
			}
		}
		if (!found)
			fprintf(stderr, "no help line for %s\n", keys[i]);
		CHECK(found);
	}
	/* The bar ends with Quit, so it can always be kept. */
	CHECK_STR(keys_bar[keys_bar_n - 1].label, "Quit");
	/* No help line still calls a key not yet available. */
	for (j = 0; j < keys_help_n; j++)
		CHECK(!strstr(keys_help[j].what, "not yet"));
}

static void test_fit(void)
{
	bool bold;

	CHECK_I64(palette_fit(-1, 8, &bold), -1);
	CHECK(!bold);
	CHECK_I64(palette_fit(COLOR_RED, 8, &bold), COLOR_RED);
	CHECK(!bold);
	/* Bright colours on 8 colours: the basic one, bold. */
	CHECK_I64(palette_fit(15, 8, &bold), COLOR_WHITE);
	CHECK(bold);
	CHECK_I64(palette_fit(9, 16, &bold), 9);
	CHECK(!bold);
	/* The 256 palette on 8 or 16 colours: the nearest basic colour. */
	CHECK_I64(palette_fit(196, 8, &bold), COLOR_RED);     /* pure red */
	CHECK(bold);
	CHECK_I64(palette_fit(21, 16, &bold), COLOR_BLUE);    /* pure blue */
	CHECK_I64(palette_fit(46, 8, &bold), COLOR_GREEN);
	CHECK_I64(palette_fit(231, 8, &bold), COLOR_WHITE);
	CHECK_I64(palette_fit(16, 8, &bold), COLOR_BLACK);
	CHECK_I64(palette_fit(232, 8, &bold), COLOR_BLACK);   /* dark grey */
	CHECK_I64(palette_fit(255, 8, &bold), COLOR_WHITE);   /* light grey */
	CHECK_I64(palette_fit(200, 256, &bold), 200);
}

int main(void)
{
	test_map();
	test_help();
	test_fit();
	return check_done();
}

/* palette.c - a theme turned into curses attributes, fitted to what the terminal can show. */
#include <stdio.h>
#include <stdlib.h>

#include "palette.h"

static attr_t palette_attrs[TE_N];

bool palette_no_color(void)
{
	const char *nc = getenv("NO_COLOR");

	return nc && *nc;
}

/* The nearest basic colour of an xterm 256-palette entry. */
static short palette_basic_of_256(short c, bool *bold)
{
	int r, g, b, level;

	if (c >= 232) {
		/* Greys: dark ones black, light ones white, the middle bright black. */
		level = c - 232;
		if (level < 8)
			return COLOR_BLACK;
		*bold = level < 16;
		return level < 16 ? COLOR_BLACK : COLOR_WHITE;
	}
	c -= 16;
	r = c / 36;
	g = c / 6 % 6;
	b = c % 6;
	*bold = r >= 4 || g >= 4 || b >= 4;
	return (short)((r >= 2 ? 1 : 0) | (g >= 2 ? 2 : 0) | (b >= 2 ? 4 : 0));
}

short palette_fit(short colour, int colors, bool *bold)
{
	*bold = false;
	if (colour < 0 || colour < colors)
		return colour;
	if (colour < 16) {
		*bold = true;
		return (short)(colour - 8);
	}
	colour = palette_basic_of_256(colour, bold);
	return colour;
}

static attr_t palette_theme_attrs(unsigned a)
{
	attr_t r = A_NORMAL;

	if (a & THEME_BOLD)
		r |= A_BOLD;
	if (a & THEME_DIM)
		r |= A_DIM;
	if (a & THEME_UNDERLINE)
		r |= A_UNDERLINE;
	if (a & THEME_REVERSE)
		r |= A_REVERSE;
	if (a & THEME_STANDOUT)
		r |= A_STANDOUT;
	if (a & THEME_BLINK)
		r |= A_BLINK;
#ifdef A_ITALIC
	if (a & THEME_ITALIC)
		r |= A_ITALIC;
#endif
	return r;
}

static void palette_apply_mono(void)
{
	struct theme mono;
	int e;

	theme_builtin_mono(&mono);
	for (e = 0; e < TE_N; e++)
		palette_attrs[e] = palette_theme_attrs(mono.style[e].attrs);
}

enum palette_mode palette_apply(const struct theme *t, char *note, size_t notelen)
{
	enum palette_mode mode;
	bool use_default = false;
	int e;

	note[0] = '\0';
	if (palette_no_color() || !has_colors() || start_color() == ERR || COLORS < 8) {
		if (palette_no_color())
			snprintf(note, notelen, "NO_COLOR is set: no colours");
		palette_apply_mono();
		return PALETTE_MONO;
	}
	use_default = use_default_colors() == OK;
	mode = COLORS >= 256 ? PALETTE_256 : COLORS >= 16 ? PALETTE_16 : PALETTE_8;
	for (e = 0; e < TE_N; e++) {
		const struct theme_style *st = &t->style[e];
		bool bold_fg, bold_bg;
		short fg = palette_fit(st->fg, COLORS, &bold_fg);
		short bg = palette_fit(st->bg, COLORS, &bold_bg);

		/* Without default colours, "default" means white on black. */
		if (!use_default && fg < 0)
			fg = COLOR_WHITE;
		if (!use_default && bg < 0)
			bg = COLOR_BLACK;
		palette_attrs[e] = palette_theme_attrs(st->attrs);
		if (bold_fg)
			palette_attrs[e] |= A_BOLD;
		if (e + 1 < COLOR_PAIRS && init_pair((short)(e + 1), fg, bg) == OK)
			palette_attrs[e] |= COLOR_PAIR(e + 1);
	}
	return mode;
}

attr_t palette_attr(enum theme_element e)
{
	return (unsigned)e < TE_N ? palette_attrs[e] : A_NORMAL;
}

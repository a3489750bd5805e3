/* spark.c - sparklines: a row of figures drawn as one line of glyphs, and its time axis. */
#include <math.h>
#include <string.h>

#include "spark.h"

static const char *const spark_blocks[SPARK_LEVELS] = {
	"\u2581", "\u2582", "\u2583", "\u2584", "\u2585", "\u2586", "\u2587", "\u2588",
};
static const char spark_ramp[SPARK_LEVELS + 1] = "_.:-=+*#";

void spark_range(const double *v, size_t n, double *lo, double *hi)
{
	size_t i;

	*lo = 0;
	*hi = 0;
	for (i = 0; i < n; i++) {
		if (isnan(v[i]))
			continue;
		if (v[i] < *lo)
			*lo = v[i];
		if (v[i] > *hi)
			*hi = v[i];
	}
}

int spark_level(double v, double lo, double hi)
{
	double f;
	int level;

	if (isnan(v))
		return -1;
	if (!(hi > lo) || v <= lo)
		return 0;
	if (v >= hi)
		return SPARK_LEVELS - 1;
	f = (v - lo) / (hi - lo) * (SPARK_LEVELS - 1);
	level = (int)lround(f);
	return level < 1 ? 1 : level;
}

/* Append s to out at *pos when it fits with the final NUL; false when not. */
static bool spark_put(char *out, size_t outlen, size_t *pos, const char *s)
{
	size_t l = strlen(s);

	if (*pos + l + 1 > outlen)
		return false;
	memcpy(out + *pos, s, l);
	*pos += l;
	out[*pos] = '\0';
	return true;
}

/* Cell i of width shows v[first + i - pad], where pad blank cells come first. */
static void spark_window(size_t n, size_t width, size_t *first, size_t *pad)
{
	*first = n > width ? n - width : 0;
	*pad = n < width ? width - n : 0;
}

size_t spark_render(const double *v, size_t n, size_t width, double lo, double hi,
		    bool utf8, char *out, size_t outlen)
{
	size_t first, pad, i, pos = 0;
	char ascii[2] = { 0, 0 };

	if (outlen == 0)
		return 0;
	out[0] = '\0';
	spark_window(n, width, &first, &pad);
	if (isnan(lo) || isnan(hi))
		spark_range(v + first, n - first, &lo, &hi);
	for (i = 0; i < width; i++) {
		int level = i < pad ? -1 : spark_level(v[first + i - pad], lo, hi);
		const char *g = " ";

		if (level >= 0 && utf8) {
			g = spark_blocks[level];
		} else if (level >= 0) {
			ascii[0] = spark_ramp[level];
			g = ascii;
		}
		if (!spark_put(out, outlen, &pos, g))
			break;
	}
	return pos;
}

static const char *spark_axis_glyph(unsigned char mark, bool utf8)
{
	switch (mark) {
	case SPARK_MARK_NONE:
		return utf8 ? "\u2500" : "-";
	case SPARK_MARK_ON:
		return utf8 ? "\u25b2" : "^";
	case SPARK_MARK_OFF:
		return utf8 ? "\u25bc" : "v";
	default:
		return utf8 ? "\u25c6" : "*";
	}
}

size_t spark_axis(const unsigned char *marks, size_t n, size_t width, bool utf8,
		  char *out, size_t outlen)
{
	size_t first, pad, i, pos = 0;

	if (outlen == 0)
		return 0;
	out[0] = '\0';
	spark_window(n, width, &first, &pad);
	for (i = 0; i < width; i++) {
		const char *g = i < pad ? " " : spark_axis_glyph(marks[first + i - pad], utf8);

		if (!spark_put(out, outlen, &pos, g))
			break;
	}
	return pos;
}

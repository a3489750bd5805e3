/* test_spark.c - the sparkline renderer: values to glyphs, scaling, ASCII fallback, time axis marks. */
#include <math.h>
#include <string.h>

#include "../check.h"
#include "tui/spark.h"

static void test_levels(void)
{
	CHECK_I64(spark_level(0, 0, 10), 0);
	CHECK_I64(spark_level(10, 0, 10), 7);
	CHECK_I64(spark_level(5, 0, 10), 4);       /* 3.5 rounds up */
	CHECK_I64(spark_level(0.01, 0, 10), 1);    /* tiny activity still shows */
	CHECK_I64(spark_level(20, 0, 10), 7);      /* clamped */
	CHECK_I64(spark_level(-5, 0, 10), 0);
	CHECK_I64(spark_level(NAN, 0, 10), -1);
	CHECK_I64(spark_level(3, 3, 3), 0);        /* empty range */
}

static void test_range(void)
{
	double v[] = { 2, NAN, 8, 5 }, lo, hi;
	double neg[] = { -4, -2 };

	spark_range(v, 4, &lo, &hi);
	CHECK(lo == 0 && hi == 8);                 /* zero always inside */
	spark_range(neg, 2, &lo, &hi);
	CHECK(lo == -4 && hi == 0);
	spark_range(v, 0, &lo, &hi);
	CHECK(lo == 0 && hi == 0);
}

static void test_utf8(void)
{
	double ramp[] = { 0, 1, 2, 3, 4, 5, 6, 7 };
	double flat[] = { 5, 5, 5 };
	double zero[] = { 0, 0 };
	char out[SPARK_BUFLEN(8)];

	CHECK_I64(spark_render(ramp, 8, 8, NAN, NAN, true, out, sizeof(out)), 24);
	CHECK_STR(out, "▁▂▃▄▅▆▇█");
	spark_render(flat, 3, 3, NAN, NAN, true, out, sizeof(out));
	CHECK_STR(out, "███");
	spark_render(zero, 2, 2, NAN, NAN, true, out, sizeof(out));
	CHECK_STR(out, "▁▁");
	/* A fixed scale: 7 of 14 is half way. */
	spark_render(ramp + 7, 1, 1, 0, 14, true, out, sizeof(out));
	CHECK_STR(out, "▅");
}

static void test_ascii(void)
{
	double ramp[] = { 0, 1, 2, 3, 4, 5, 6, 7 };
	double gap[] = { 7, NAN, 0 };
	char out[SPARK_BUFLEN(8)];

	CHECK_I64(spark_render(ramp, 8, 8, NAN, NAN, false, out, sizeof(out)), 8);
	CHECK_STR(out, "_.:-=+*#");
	spark_render(gap, 3, 3, NAN, NAN, false, out, sizeof(out));
	CHECK_STR(out, "# _");                     /* NAN is a blank cell */
}

static void test_window(void)
{
	double v[] = { 100, 0, 1, 2 };
	char out[SPARK_BUFLEN(6)];

	/* Short history: right-aligned, blanks on the left. */
	spark_render(v + 1, 3, 6, NAN, NAN, false, out, sizeof(out));
	CHECK_STR(out, "   _=#");
	/* Long history: only the newest values, scaled on those alone. */
	spark_render(v, 4, 3, NAN, NAN, false, out, sizeof(out));
	CHECK_STR(out, "_=#");
	/* Zero width. */
	CHECK_I64(spark_render(v, 4, 0, NAN, NAN, true, out, sizeof(out)), 0);
	CHECK_STR(out, "");
}

static void test_truncation(void)
{
	double v[] = { 1, 1, 1, 1 };
	char out[8];

	/* 7 bytes of room: two 3-byte glyphs, never half a glyph. */
	CHECK_I64(spark_render(v, 4, 4, NAN, NAN, true, out, sizeof(out)), 6);
	CHECK_STR(out, "██");
	CHECK_I64(spark_render(v, 4, 4, NAN, NAN, false, out, 3), 2);
	CHECK_STR(out, "##");
}

static void test_axis(void)
{
	unsigned char marks[] = { 0, SPARK_MARK_ON, 0, 0, SPARK_MARK_OFF, SPARK_MARK_OTHER };
	char out[SPARK_BUFLEN(8)];

	spark_axis(marks, 6, 8, false, out, sizeof(out));
	CHECK_STR(out, "  -^--v*");
	spark_axis(marks, 6, 4, true, out, sizeof(out));
	CHECK_STR(out, "──▼◆");
	spark_axis(marks, 6, 3, false, out, sizeof(out));
	CHECK_STR(out, "-v*");
}

int main(void)
{
	test_levels();
	test_range();
	test_utf8();
	test_ascii();
	test_window();
	test_truncation();
	test_axis();
	return check_done();
}

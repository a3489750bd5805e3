/* test_format.c - human units for sizes, counts, percentages and times, and null figures. */
#include <math.h>
#include <stdlib.h>
#include <time.h>

#include "../check.h"
#include "core/value.h"
#include "tui/format.h"

static void test_kb(void)
{
	char b[32];

	CHECK_STR(format_kb(b, sizeof(b), 0, "-"), "0 KiB");
	CHECK_STR(format_kb(b, sizeof(b), 512, "-"), "512 KiB");
	CHECK_STR(format_kb(b, sizeof(b), 999, "-"), "999 KiB");
	CHECK_STR(format_kb(b, sizeof(b), 1000, "-"), "0.98 MiB");
	CHECK_STR(format_kb(b, sizeof(b), 1536, "-"), "1.50 MiB");
	CHECK_STR(format_kb(b, sizeof(b), 25 * 1024 + 512, "-"), "25.5 MiB");
	CHECK_STR(format_kb(b, sizeof(b), 999 * 1024, "-"), "999 MiB");
	CHECK_STR(format_kb(b, sizeof(b), 1023 * 1024, "-"), "1.00 GiB");
	CHECK_STR(format_kb(b, sizeof(b), 16LL * 1024 * 1024, "-"), "16.0 GiB");
	CHECK_STR(format_kb(b, sizeof(b), 3LL * 1024 * 1024 * 1024, "-"), "3.00 TiB");
	CHECK_STR(format_kb(b, sizeof(b), -2048, "-"), "-2.00 MiB");
	CHECK_STR(format_kb(b, sizeof(b), VAL_NULL, "-"), "-");
	CHECK_STR(format_kb(b, sizeof(b), VAL_NULL, "n/a"), "n/a");
	CHECK_STR(format_kb_signed(b, sizeof(b), 312 * 1024, "-"), "+312 MiB");
	CHECK_STR(format_kb_signed(b, sizeof(b), -312 * 1024, "-"), "-312 MiB");
	CHECK_STR(format_kb_signed(b, sizeof(b), 0, "-"), "0 KiB");
	/* Never wider than 8 columns for a non-negative size. */
	for (long long kb = 1; kb < (1LL << 50); kb = kb * 3 + 7)
		CHECK(strlen(format_kb(b, sizeof(b), kb, "-")) <= 8);
	/* Truncated, still terminated. */
	CHECK_STR(format_kb(b, 4, 512, "-"), "512");
}

static void test_count_pct(void)
{
	char b[32];

	CHECK_STR(format_count(b, sizeof(b), 950, "-"), "950");
	CHECK_STR(format_count(b, sizeof(b), 9999, "-"), "9999");
	CHECK_STR(format_count(b, sizeof(b), 12345, "-"), "12.3k");
	CHECK_STR(format_count(b, sizeof(b), 4560000, "-"), "4.56M");
	CHECK_STR(format_count(b, sizeof(b), 999999, "-"), "1.00M");
	CHECK_STR(format_count(b, sizeof(b), NAN, "n/a"), "n/a");
	CHECK_STR(format_pct(b, sizeof(b), 12.34, "-"), "12.3%");
	CHECK_STR(format_pct(b, sizeof(b), 100, "-"), "100.0%");
	CHECK_STR(format_pct(b, sizeof(b), NAN, "-"), "-");
}

static void test_times(void)
{
	char b[32];

	CHECK_STR(format_uptime(b, sizeof(b), 59, "-"), "0:00");
	CHECK_STR(format_uptime(b, sizeof(b), 4 * 3600 + 5 * 60 + 9, "-"), "4:05");
	CHECK_STR(format_uptime(b, sizeof(b), 3 * 86400 + 4 * 3600 + 5 * 60, "-"), "3d 04:05");
	CHECK_STR(format_uptime(b, sizeof(b), NAN, "-"), "-");
	CHECK_STR(format_age(b, sizeof(b), 0.25, "-"), "250ms");
	CHECK_STR(format_age(b, sizeof(b), 12.7, "-"), "12s");
	CHECK_STR(format_age(b, sizeof(b), 185, "-"), "3m");
	CHECK_STR(format_age(b, sizeof(b), 7300, "-"), "2h");
	CHECK_STR(format_age(b, sizeof(b), 5 * 86400 + 1, "-"), "5d");
	CHECK_STR(format_age(b, sizeof(b), NAN, "-"), "-");
	CHECK_STR(format_delay(b, sizeof(b), 1), "1s");
	CHECK_STR(format_delay(b, sizeof(b), 0.05), "0.05s");
	CHECK_STR(format_delay(b, sizeof(b), 2.5), "2.5s");
	setenv("TZ", "UTC", 1);
	tzset();
	CHECK_STR(format_clock(b, sizeof(b), 3600 * 13 + 60 * 4 + 5, "-"), "13:04:05");
	CHECK_STR(format_clock(b, sizeof(b), NAN, "-"), "-");
}

int main(void)
{
	test_kb();
	test_count_pct();
	test_times();
	return check_done();
}

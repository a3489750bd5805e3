/* format.c - figures as short human text for the view: sizes, rates, percentages, times. */
#include <math.h>
#include <stdio.h>
#include <time.h>

#include "format.h"
#include "../core/value.h"

static char *format_null(char *buf, size_t len, const char *null)
{
	snprintf(buf, len, "%s", null ? null : "-");
	return buf;
}

/* Three significant figures keep every size within 8 columns. */
static void format_scaled(char *buf, size_t len, double v, const char *sign, const char *unit)
{
	if (v < 9.995)
		snprintf(buf, len, "%s%.2f %s", sign, v, unit);
	else if (v < 99.95)
		snprintf(buf, len, "%s%.1f %s", sign, v, unit);
	else
		snprintf(buf, len, "%s%.0f %s", sign, v, unit);
}

static char *format_size(char *buf, size_t len, int64_t kb, const char *null, int want_plus)
{
	static const char *const units[] = { "MiB", "GiB", "TiB", "PiB" };
	const char *sign;
	double v;
	size_t u;

	if (!val_known(kb))
		return format_null(buf, len, null);
	sign = kb < 0 ? "-" : (want_plus && kb > 0 ? "+" : "");
	v = fabs((double)kb);
	if (v < 1000) {
		snprintf(buf, len, "%s%.0f KiB", sign, v);
		return buf;
	}
	/* Move up a unit before the value would round to 1000 or more. */
	v /= 1024;
	for (u = 0; v >= 999.5 && u + 1 < sizeof(units) / sizeof(units[0]); u++)
		v /= 1024;
	format_scaled(buf, len, v, sign, units[u]);
	return buf;
}

char *format_kb(char *buf, size_t len, int64_t kb, const char *null)
{
	return format_size(buf, len, kb, null, 0);
}

char *format_kb_signed(char *buf, size_t len, int64_t kb, const char *null)
{
	return format_size(buf, len, kb, null, 1);
}

char *format_count(char *buf, size_t len, double v, const char *null)
{
	static const char suffix[] = "kMGTP";
	double a;
	size_t i;

	if (!valf_known(v))
		return format_null(buf, len, null);
	a = fabs(v);
	if (a < 9999.5) {
		snprintf(buf, len, "%.0f", v);
		return buf;
	}
	a /= 1000;
	for (i = 0; a >= 999.5 && i + 1 < sizeof(suffix) - 1; i++)
		a /= 1000;
	if (a < 9.995)
		snprintf(buf, len, "%s%.2f%c", v < 0 ? "-" : "", a, suffix[i]);
	else if (a < 99.95)
		snprintf(buf, len, "%s%.1f%c", v < 0 ? "-" : "", a, suffix[i]);
	else
		snprintf(buf, len, "%s%.0f%c", v < 0 ? "-" : "", a, suffix[i]);
	return buf;
}

char *format_pct(char *buf, size_t len, double pct, const char *null)
{
	if (!valf_known(pct))
		return format_null(buf, len, null);
	snprintf(buf, len, "%.1f%%", pct);
	return buf;
}

char *format_uptime(char *buf, size_t len, double s, const char *null)
{
	long long m, d, h;

	if (!valf_known(s) || s < 0)
		return format_null(buf, len, null);
	m = (long long)(s / 60);
	d = m / (24 * 60);
	h = m / 60 % 24;
	if (d > 0)
		snprintf(buf, len, "%lldd %02lld:%02lld", d, h, m % 60);
	else
		snprintf(buf, len, "%lld:%02lld", h, m % 60);
	return buf;
}

char *format_age(char *buf, size_t len, double s, const char *null)
{
	if (!valf_known(s) || s < 0)
		return format_null(buf, len, null);
	if (s < 1)
		snprintf(buf, len, "%.0fms", s * 1000);
	else if (s < 60)
		snprintf(buf, len, "%.0fs", floor(s));
	else if (s < 3600)
		snprintf(buf, len, "%.0fm", floor(s / 60));
	else if (s < 86400)
		snprintf(buf, len, "%.0fh", floor(s / 3600));
	else
		snprintf(buf, len, "%.0fd", floor(s / 86400));
	return buf;
}

char *format_clock(char *buf, size_t len, double epoch, const char *null)
{
	struct tm tm;
	time_t t;

	if (!valf_known(epoch))
		return format_null(buf, len, null);
	t = (time_t)epoch;
	if (!localtime_r(&t, &tm) || strftime(buf, len, "%H:%M:%S", &tm) == 0)
		return format_null(buf, len, null);
	return buf;
}

char *format_delay(char *buf, size_t len, double s)
{
	snprintf(buf, len, "%gs", s);
	return buf;
}

/* bootpanel.c - the boot panel under the table: template choice, a run's live figures, a storm's result, as text. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bootpanel.h"
#include "format.h"

/* Lines being built: appends past max are dropped. */
struct bootpanel_out {
	struct bootpanel_line *line;
	size_t n, max;
	int width;
};

static void bootpanel_add(struct bootpanel_out *o, enum theme_element el, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void bootpanel_add(struct bootpanel_out *o, enum theme_element el, const char *fmt, ...)
{
	va_list ap;
	char *p;

	if (o->n >= o->max)
		return;
	va_start(ap, fmt);
	vsnprintf(o->line[o->n].text, sizeof(o->line[o->n].text), fmt, ap);
	va_end(ap);
	/* One screen line each: errors from a backend may carry newlines. */
	for (p = o->line[o->n].text; *p; p++)
		if ((unsigned char)*p < ' ')
			*p = ' ';
	o->line[o->n].el = el;
	o->n++;
}

/* The title bar: left text, and a hint at the right edge when there is room. */
static void bootpanel_title(struct bootpanel_out *o, const char *left, const char *right)
{
	int lw = (int)strlen(left), rw = (int)strlen(right);

	if (lw + rw + 3 <= o->width)
		bootpanel_add(o, TE_TITLE, " %-*s%s ", o->width - rw - 2, left, right);
	else
		bootpanel_add(o, TE_TITLE, " %s", left);
}

char *bootpanel_secs(char *buf, size_t len, double s)
{
	if (!isfinite(s))
		snprintf(buf, len, "-");
	else if (s < 100)
		snprintf(buf, len, "%.3f s", s);
	else
		snprintf(buf, len, "%.1f s", s);
	return buf;
}

static const char *bootpanel_type(enum inst_type t)
{
	return t == INST_LXC ? "lxc" : "kvm";
}

static const char *bootpanel_mode_word(enum boot_mode m)
{
	return m == BOOT_STORM ? "Boot storm" : "Boot one by one";
}

/* ---- choosing a template ---------------------------------------------------- */

static void bootpanel_template_line(struct bootpanel_out *o, const struct template *t, size_t i, bool sel)
{
	char ready[160];

	template_ready_str(t, ready, sizeof(ready));
	bootpanel_add(o, sel ? TE_SELECTED : TE_NORMAL, "%s%2zu  %-16s %s  source %s  ready %s  timeout %g s  clones %s<n>",
		      sel ? ">" : " ", i + 1, t->name, bootpanel_type(t->type), t->source, ready, t->timeout_s, t->prefix);
}

static void bootpanel_choose(const struct bootpanel *p, struct bootpanel_out *o)
{
	char title[128];
	size_t first = 0, i;

	snprintf(title, sizeof(title), "%s: which template? (%zu)", bootpanel_mode_word(p->mode), p->n_tpl);
	bootpanel_title(o, title, "Up/Down or 1-9, Enter, Esc");
	/* Keep the selection in sight when the list is longer than the panel. */
	if (o->max > 1 && p->sel >= o->max - 1)
		first = p->sel - (o->max - 2);
	for (i = first; i < p->n_tpl; i++)
		bootpanel_template_line(o, &p->tpl[i], i, i == p->sel);
}

static void bootpanel_count(const struct bootpanel *p, struct bootpanel_out *o)
{
	char title[128];

	snprintf(title, sizeof(title), "%s: how many clones of %s?", bootpanel_mode_word(p->mode),
		 p->tpl[p->sel].name);
	bootpanel_title(o, title, "Enter starts, Esc cancels");
	bootpanel_template_line(o, &p->tpl[p->sel], p->sel, false);
}

/* ---- the clones, in as many columns as the width allows ------------------------ */

static const char *bootpanel_state(const struct boot_clone *c, char *buf, size_t len)
{
	char t[32];

	switch (c->state) {
	case BOOT_CLONE_WAITING:
		return "waiting";
	case BOOT_CLONE_PREPARED:
		return "made";
	case BOOT_CLONE_STARTING:
		return "starting";
	case BOOT_CLONE_PROBING:
		return "probing";
	case BOOT_CLONE_READY:
		snprintf(buf, len, "ready %s", bootpanel_secs(t, sizeof(t), c->ready_s));
		return buf;
	default:
		return "FAILED";
	}
}

static void bootpanel_cell(const struct boot_clone *c, int name_w, int addr_w, char *buf, size_t len)
{
	char st[48];

	snprintf(buf, len, "%-*.*s %-*s %s", name_w, name_w, c->name, addr_w, c->address[0] ? c->address : "-",
		 bootpanel_state(c, st, sizeof(st)));
}

static void bootpanel_grid(const struct boot_snapshot *s, struct bootpanel_out *o)
{
	int name_w = 4, addr_w = 1, cell_w, cols;
	size_t i, rows, room, shown;

	if (s->n == 0 || o->n >= o->max)
		return;
	for (i = 0; i < s->n; i++) {
		int nl = (int)strlen(s->clones[i].name), al = (int)strlen(s->clones[i].address);

		name_w = nl > name_w ? nl : name_w;
		addr_w = al > addr_w ? al : addr_w;
	}
	if (name_w > 40)
		name_w = 40;
	cell_w = name_w + 1 + addr_w + 1 + 15;
	cols = (o->width - 1) / (cell_w + 3);
	cols = cols < 1 ? 1 : cols;
	rows = (s->n + (size_t)cols - 1) / (size_t)cols;
	room = o->max - o->n;
	shown = rows <= room ? s->n : (room - 1) * (size_t)cols;
	for (i = 0; i < shown; i += (size_t)cols) {
		char line[BOOTPANEL_TEXT] = "";
		size_t j, at = 0;

		for (j = i; j < shown && j < i + (size_t)cols && at < sizeof(line); j++) {
			char cell[200];

			bootpanel_cell(&s->clones[j], name_w, addr_w, cell, sizeof(cell));
			at += (size_t)snprintf(line + at, sizeof(line) - at, "%s%-*s", j > i ? "   " : "", cell_w, cell);
		}
		bootpanel_add(o, TE_NORMAL, " %s", line);
	}
	if (shown < s->n)
		bootpanel_add(o, TE_NORMAL, " ... and %zu more clones (the table lists them all)", s->n - shown);
}

/* ---- a run --------------------------------------------------------------------- */

/* Host CPU over the run: live (now, mean, peak) or at the end (mean, peak). */
static void bootpanel_cpu(struct bootpanel_out *o, double now, double mean, double peak, bool live)
{
	char a[16], b[16], c[16];

	format_pct(b, sizeof(b), mean, "-");
	format_pct(c, sizeof(c), peak, "-");
	if (live)
		bootpanel_add(o, TE_NORMAL, " host CPU   now %s   mean %s   peak %s", format_pct(a, sizeof(a), now, "-"), b, c);
	else
		bootpanel_add(o, TE_VALUE, " host CPU   mean %s   peak %s (its busiest ~100 ms)", b, c);
}

static void bootpanel_running(const struct bootpanel *p, struct bootpanel_out *o)
{
	const struct boot_snapshot *s = &p->snap;
	char title[256], el[32];

	if (p->mode == BOOT_STORM)
		snprintf(title, sizeof(title), "Boot storm: %zu clone%s of %s (%s, ready %s, timeout %g s)", s->n,
			 s->n == 1 ? "" : "s", s->template_name, bootpanel_type(s->type), s->ready, s->timeout_s);
	else
		snprintf(title, sizeof(title), "Booting %zu clone%s of %s one by one (%s, ready %s, timeout %g s)", s->n,
			 s->n == 1 ? "" : "s", s->template_name, bootpanel_type(s->type), s->ready, s->timeout_s);
	bootpanel_title(o, title, p->cancelled ? "cancelling" : "Esc cancels");
	if (s->phase == BOOT_PREPARING)
		bootpanel_add(o, TE_NORMAL, " preparing: %zu of %zu clones made (the timer starts at the first start)",
			      s->n_prepared, s->n);
	else
		bootpanel_add(o, TE_VALUE, " elapsed %s   %zu of %zu ready   %zu started   %zu failed",
			      bootpanel_secs(el, sizeof(el), s->elapsed_s), s->n_ready, s->n, s->n_started, s->n_failed);
	if (p->mode == BOOT_STORM)
		bootpanel_cpu(o, s->cpu_now_pct, s->cpu_mean_pct, s->cpu_peak_pct, true);
	if (p->cancelled)
		bootpanel_add(o, TE_ERROR, " cancelled: the probes stop; clones already started stay (x removes them)");
	bootpanel_grid(s, o);
}

static void bootpanel_results_file(const struct boot_result *r, struct bootpanel_out *o)
{
	if (r->results_error[0])
		bootpanel_add(o, TE_ERROR, " results    not written: %s", r->results_error);
	else if (r->results_path[0])
		bootpanel_add(o, TE_VALUE, " results    a line was appended to %s", r->results_path);
	else
		bootpanel_add(o, TE_ERROR, " results    not written: no results file (no state directory)");
}

static void bootpanel_result(const struct bootpanel *p, struct bootpanel_out *o)
{
	const struct boot_snapshot *s = &p->snap;
	const struct boot_result *r = &s->result;
	char title[256], a[32], b[32], c[32];

	snprintf(title, sizeof(title), "Boot storm of %s (%s, %zu clone%s): %s", s->template_name,
		 bootpanel_type(s->type), s->n, s->n == 1 ? "" : "s", p->cancelled ? "cancelled" : r->failed ? "done, some not ready" : "done");
	bootpanel_title(o, title, "any key closes");
	if (p->cancelled)
		bootpanel_add(o, TE_ERROR, " cancelled after %s: %zu of %zu ready; clones already started stay (x removes them)",
			      bootpanel_secs(a, sizeof(a), s->elapsed_s), s->n_ready, s->n);
	else
		bootpanel_add(o, TE_VALUE, " total      %s   %zu of %zu ready, %d failed",
			      bootpanel_secs(a, sizeof(a), r->total_s), s->n_ready, s->n, r->failed);
	bootpanel_add(o, TE_VALUE, " per clone  min %s   median %s   max %s", bootpanel_secs(a, sizeof(a), r->min_s),
		      bootpanel_secs(b, sizeof(b), r->median_s), bootpanel_secs(c, sizeof(c), r->max_s));
	bootpanel_cpu(o, NAN, r->cpu_mean_pct, r->cpu_peak_pct, false);
	if (p->cancelled)
		bootpanel_add(o, TE_NORMAL, " results    nothing written: a storm cut short measures nothing");
	else
		bootpanel_results_file(r, o);
	if (s->message[0])
		bootpanel_add(o, TE_ERROR, " %s", s->message);
	bootpanel_grid(s, o);
}

size_t bootpanel_lines(const struct bootpanel *p, int width, size_t max, struct bootpanel_line *out)
{
	struct bootpanel_out o = { out, 0, max, width };

	switch (p->stage) {
	case BOOTPANEL_CHOOSE:
		if (p->n_tpl)
			bootpanel_choose(p, &o);
		break;
	case BOOTPANEL_COUNT:
		if (p->sel < p->n_tpl)
			bootpanel_count(p, &o);
		break;
	case BOOTPANEL_RUNNING:
		if (p->have_snap)
			bootpanel_running(p, &o);
		break;
	case BOOTPANEL_RESULT:
		if (p->have_snap)
			bootpanel_result(p, &o);
		break;
	default:
		break;
	}
	return o.n;
}

void bootpanel_close(struct bootpanel *p)
{
	if (p->have_snap)
		boot_snapshot_free(&p->snap);
	p->have_snap = false;
	p->cancelled = false;
	p->stage = BOOTPANEL_NONE;
}

void bootpanel_adopt(struct bootpanel *p, struct boot_snapshot *s)
{
	if (p->have_snap)
		boot_snapshot_free(&p->snap);
	p->snap = *s;
	p->have_snap = true;
	s->clones = NULL;
}

static bool bootpanel_prefixed(const char *name, const struct template *tpl, size_t n_tpl)
{
	size_t i;

	for (i = 0; i < n_tpl; i++)
		if (tpl[i].prefix[0] && strncmp(name, tpl[i].prefix, strlen(tpl[i].prefix)) == 0)
			return true;
	return false;
}

size_t bootpanel_count_prefixed(const struct instance *inst, size_t n_inst, const struct template *tpl,
				size_t n_tpl, char *names, size_t nameslen)
{
	size_t i, n = 0, at = 0;

	names[0] = '\0';
	for (i = 0; i < n_inst; i++) {
		if (!bootpanel_prefixed(inst[i].name, tpl, n_tpl))
			continue;
		if (++n <= 3 && at < nameslen)
			at += (size_t)snprintf(names + at, nameslen - at, "%s%s", n > 1 ? ", " : "", inst[i].name);
	}
	if (n > 3 && at < nameslen)
		snprintf(names + at, nameslen - at, " and %zu more", n - 3);
	return n;
}

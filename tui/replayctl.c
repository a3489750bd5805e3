/* replayctl.c - replays a recording in the view: the shown sample, the sparklines' window up to it, play at the recorded pace. */
#include "replayctl.h"

#include <curses.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../backends/dedup.h"
#include "../core/util.h"
#include "../core/value.h"
#include "spark.h"

#define REPLAYCTL_GAP_MAX 5.0     /* a longer pause in the recording plays as this many seconds */
#define REPLAYCTL_SPEED_MAX 64.0

struct replayctl {
	const struct replay_log *log;
	size_t pos;
	bool playing;
	double speed;
	double due;               /* monotonic time the next sample is due */
};

const struct keys_bar_item replayctl_bar[] = {
	{ "spc", "Play" },
	{ "[]", "Step" },
	{ "J", "Jump" },
	{ "+-", "Speed" },
	{ "h", "Help" },
	{ "<>", "Sort" },
	{ "/", "Filter" },
	{ "T", "Theme" },
	{ "q", "Quit" },
};
const size_t replayctl_bar_n = sizeof(replayctl_bar) / sizeof(replayctl_bar[0]);

const struct keys_help_line replayctl_help[] = {
	{ "q  F10", "quit" },
	{ "h  ?  F1", "this help (any key returns)" },
	{ "space", "play the recording at its own pace, or pause it" },
	{ "Right  ]", "step to the next sample (pauses)" },
	{ "Left  [", "step to the previous sample (pauses)" },
	{ "J", "jump to HH:MM[:SS], +SECS, -SECS, start or end" },
	{ "+  -", "play faster / slower (x1/64 to x64)" },
	KEYS_HELP_BROWSE,
	{ "T", "next theme" },
	{ "Ctrl-L", "redraw the screen" },
};
const size_t replayctl_help_n = sizeof(replayctl_help) / sizeof(replayctl_help[0]);

/* ---- the view at a position ---- */

static int replayctl_copy(struct sample *dst, const struct sample *src)
{
	*dst = *src;
	dst->inst = NULL;
	dst->events = NULL;
	if (src->n_inst && !(dst->inst = malloc(src->n_inst * sizeof *dst->inst)))
		return -1;
	if (src->n_events && !(dst->events = malloc(src->n_events * sizeof *dst->events))) {
		free(dst->inst);
		return -1;
	}
	if (src->n_inst)
		memcpy(dst->inst, src->inst, src->n_inst * sizeof *dst->inst);
	if (src->n_events)
		memcpy(dst->events, src->events, src->n_events * sizeof *dst->events);
	return 0;
}

static void replayctl_push(struct view *v, const struct sample *s)
{
	unsigned char mark = SPARK_MARK_NONE;
	int64_t run = s->dedup.run;
	if (val_known(run) && val_known(v->last_run) && run != v->last_run)
		mark = run == DEDUP_RUN_ON ? SPARK_MARK_ON : run == DEDUP_RUN_OFF ? SPARK_MARK_OFF : SPARK_MARK_OTHER;
	if (val_known(run))
		v->last_run = run;
	history_push(&v->h_cpu, s->dedup.cpu_pct, mark);
	history_push(&v->h_scan, s->dedup.scan_rate_pps, mark);
	history_push(&v->h_over, val_known(s->host.overhead_kb) ? (double)s->host.overhead_kb / 1024 : NAN, mark);
}

static void replayctl_clear(struct history *h)
{
	h->len = 0;
	h->head = 0;
}

/* The histories: the window of samples that ends at pos. */
static void replayctl_window(struct replayctl *r, struct view *v, size_t pos)
{
	size_t from = pos + 1 > VIEW_HISTORY ? pos + 1 - VIEW_HISTORY : 0;
	replayctl_clear(&v->h_cpu);
	replayctl_clear(&v->h_scan);
	replayctl_clear(&v->h_over);
	v->last_run = VAL_NULL;
	for (size_t i = from; i <= pos; i++)
		replayctl_push(v, &r->log->samples[i]);
}

static void replayctl_badge(struct replayctl *r, struct view *v)
{
	char when[40];
	util_iso8601(r->log->samples[r->pos].time, when, sizeof when);
	if (r->playing)
		snprintf(v->badge, sizeof v->badge, "REPLAY %zu/%zu %s x%g", r->pos + 1, r->log->n_samples,
			 v->utf8 ? "\xe2\x96\xb6" : ">", r->speed);
	else
		snprintf(v->badge, sizeof v->badge, "REPLAY %zu/%zu paused", r->pos + 1, r->log->n_samples);
}

/* The sample's own events (merging toggled, a backend lost), as live; then
 * a phase or boot result between the previous sample shown and this one. */
static void replayctl_news(struct replayctl *r, struct view *v, size_t prev, size_t pos)
{
	const struct sample *smp = &r->log->samples[pos];
	if (smp->n_events)
		view_message(v, false, "%s: %s", smp->events[smp->n_events - 1].what,
			     smp->events[smp->n_events - 1].detail);
	double a = prev < pos ? r->log->samples[prev].time : r->log->samples[pos].time - 1e-9;
	double b = r->log->samples[pos].time;
	for (size_t i = 0; i < r->log->n_phases; i++) {
		const struct json *p = json_get(r->log->phases[i], "phase");
		double t;
		if (replay_parse_time(json_str(p, "time", NULL), &t) == 0 && t > a && t <= b)
			view_message(v, false, "phase %lld/%lld %s", (long long)json_i64(p, "index", 0),
				     (long long)json_i64(p, "of", 0), json_str(p, "name", "?"));
	}
	for (size_t i = 0; i < r->log->n_boots; i++) {
		const struct boot_snapshot *s = &r->log->boots[i];
		double end = s->wall_start + (isnan(s->result.total_s) ? 0 : s->result.total_s);
		if (end > a && end <= b)
			view_message(v, false, "%s of %zu %s clones: %zu ready in %.3f s, host CPU mean %.1f %%",
				     s->mode == BOOT_STORM ? "boot storm" : "boot", s->n, inst_type_name(s->type),
				     s->n_ready, s->result.total_s, s->result.cpu_mean_pct);
	}
}

void replayctl_show(struct replayctl *r, struct view *v, size_t i)
{
	struct sample copy;
	size_t prev = r->pos;
	if (i >= r->log->n_samples)
		i = r->log->n_samples - 1;
	if (replayctl_copy(&copy, &r->log->samples[i]) < 0) {
		view_message(v, true, "out of memory");
		return;
	}
	if (v->have_sample && i == prev + 1)
		replayctl_push(v, &r->log->samples[i]);
	else
		replayctl_window(r, v, i);
	if (v->have_sample)
		sample_free(&v->smp);
	v->smp = copy;
	v->have_sample = true;
	r->pos = i;
	view_rebuild(v);
	replayctl_news(r, v, prev, i);
	replayctl_badge(r, v);
}

size_t replayctl_pos(const struct replayctl *r)
{
	return r->pos;
}

/* ---- playing ---- */

static double replayctl_gap(const struct replayctl *r)
{
	if (r->pos + 1 >= r->log->n_samples)
		return 0;
	double g = r->log->samples[r->pos + 1].time - r->log->samples[r->pos].time;
	if (!(g > 0))
		g = 0;
	if (g > REPLAYCTL_GAP_MAX)
		g = REPLAYCTL_GAP_MAX;
	return g / r->speed;
}

static void replayctl_play(struct replayctl *r, struct view *v, bool on)
{
	r->playing = on && r->pos + 1 < r->log->n_samples;
	if (on && !r->playing)
		view_message(v, false, "the end of the recording");
	r->due = util_now_mono() + replayctl_gap(r);
	replayctl_badge(r, v);
}

bool replayctl_poll(struct replayctl *r, struct view *v)
{
	if (!r->playing)
		return false;
	double now = util_now_mono();
	bool changed = false;
	while (r->playing && now >= r->due) {
		replayctl_show(r, v, r->pos + 1);
		changed = true;
		if (r->pos + 1 >= r->log->n_samples) {
			r->playing = false;
			view_message(v, false, "the end of the recording");
			replayctl_badge(r, v);
			break;
		}
		r->due += replayctl_gap(r);
	}
	return changed;
}

int replayctl_timeout(const struct replayctl *r)
{
	if (!r->playing)
		return -1;
	double left = r->due - util_now_mono();
	return left <= 0 ? 0 : (int)(left * 1000) + 1;
}

static void replayctl_speed(struct replayctl *r, struct view *v, double f)
{
	double s = r->speed * f;
	if (s >= 1.0 / REPLAYCTL_SPEED_MAX && s <= REPLAYCTL_SPEED_MAX)
		r->speed = s;
	r->due = util_now_mono() + replayctl_gap(r);
	view_message(v, false, "speed x%g", r->speed);
	replayctl_badge(r, v);
}

/* ---- jumping ---- */

static long replayctl_at_or_after(const struct replay_log *log, double t)
{
	for (size_t i = 0; i < log->n_samples; i++)
		if (log->samples[i].time >= t)
			return (long)i;
	return (long)log->n_samples - 1;
}

/* HH:MM[:SS] on the local day of the sample at pos. */
static int replayctl_clock(const struct replay_log *log, size_t pos, const char *text, double *t)
{
	int h, m, s = 0, n = 0;
	if (!(sscanf(text, "%2d:%2d:%2d%n", &h, &m, &s, &n) == 3 && text[n] == '\0')) {
		s = 0;
		n = 0;
		if (!(sscanf(text, "%2d:%2d%n", &h, &m, &n) == 2 && text[n] == '\0'))
			return -1;
	}
	if (h < 0 || h > 23 || m < 0 || m > 59 || s < 0 || s > 59)
		return -1;
	time_t base = (time_t)log->samples[pos].time;
	struct tm tm;
	if (!localtime_r(&base, &tm))
		return -1;
	tm.tm_hour = h;
	tm.tm_min = m;
	tm.tm_sec = s;
	tm.tm_isdst = -1;
	time_t when = mktime(&tm);
	if (when == (time_t)-1)
		return -1;
	*t = (double)when;
	return 0;
}

long replayctl_find(const struct replay_log *log, size_t pos, const char *text)
{
	double d, t;
	while (*text == ' ')
		text++;
	if (!log->n_samples)
		return -1;
	if (strcmp(text, "start") == 0)
		return 0;
	if (strcmp(text, "end") == 0)
		return (long)log->n_samples - 1;
	if ((text[0] == '+' || text[0] == '-') && util_parse_double(text, &d) == 0)
		return replayctl_at_or_after(log, log->samples[pos].time + d - 1e-6);
	if (replayctl_clock(log, pos, text, &t) == 0)
		return replayctl_at_or_after(log, t);
	return -1;
}

static void replayctl_jump(struct replayctl *r, struct view *v)
{
	long i = replayctl_find(r->log, r->pos, v->input);
	if (i < 0) {
		view_message(v, true, "jump: '%s' is none of HH:MM[:SS], +SECS, -SECS, start, end", v->input);
		return;
	}
	replayctl_show(r, v, (size_t)i);
	r->due = util_now_mono() + replayctl_gap(r);
}

static void replayctl_edit(struct replayctl *r, struct view *v, int ch)
{
	size_t len = strlen(v->input);
	if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
		v->mode = VM_NORMAL;
		replayctl_jump(r, v);
	} else if (ch == KEYS_ESC) {
		v->mode = VM_NORMAL;
	} else if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
		if (len > 0)
			v->input[len - 1] = '\0';
	} else if (ch >= ' ' && ch <= '~' && len + 1 < sizeof(v->input)) {
		v->input[len] = (char)ch;
		v->input[len + 1] = '\0';
	}
}

static void replayctl_step(struct replayctl *r, struct view *v, int step)
{
	r->playing = false;
	if (step < 0 && r->pos == 0)
		view_message(v, false, "the start of the recording");
	else if (step > 0 && r->pos + 1 >= r->log->n_samples)
		view_message(v, false, "the end of the recording");
	else
		replayctl_show(r, v, step < 0 ? r->pos - 1 : r->pos + 1);
	replayctl_badge(r, v);
}

bool replayctl_key(struct replayctl *r, struct view *v, int ch)
{
	if (v->mode == VM_JUMP) {
		replayctl_edit(r, v, ch);
		return true;
	}
	if (v->mode != VM_NORMAL)
		return false;
	switch (ch) {
	case ' ':
		replayctl_play(r, v, !r->playing);
		return true;
	case KEY_RIGHT: case ']':
		replayctl_step(r, v, 1);
		return true;
	case KEY_LEFT: case '[':
		replayctl_step(r, v, -1);
		return true;
	case 'J':
		v->mode = VM_JUMP;
		v->input[0] = '\0';
		snprintf(v->prompt, sizeof(v->prompt), "Jump to (HH:MM[:SS], +SECS, -SECS, start, end): ");
		return true;
	case '+':
		replayctl_speed(r, v, 2.0);
		return true;
	case '-':
		replayctl_speed(r, v, 0.5);
		return true;
	default:
		return false;
	}
}

struct replayctl *replayctl_new(const struct replay_log *log, struct view *v)
{
	if (!log->n_samples)
		return NULL;
	struct replayctl *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->log = log;
	r->speed = 1.0;
	if (!isnan(log->header.delay_s) && log->header.delay_s > 0)
		v->delay_s = log->header.delay_s;
	if (log->header.host[0])
		snprintf(v->host, sizeof(v->host), "%s", log->header.host);
	v->bar = replayctl_bar;
	v->bar_n = replayctl_bar_n;
	v->help = replayctl_help;
	v->help_n = replayctl_help_n;
	replayctl_show(r, v, 0);
	return r;
}

void replayctl_free(struct replayctl *r)
{
	free(r);
}

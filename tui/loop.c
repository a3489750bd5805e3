/* loop.c - the view's main loop: waits on keys, samples and signals at once, and turns keys into actions. */
#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "../backends/dedup.h"
#include "../core/record.h"
#include "../core/util.h"
#include "bootctl.h"
#include "draw.h"
#include "keys.h"
#include "replayctl.h"
#include "rows.h"
#include "spark.h"
#include "tui.h"
#include "view.h"
#include "worker.h"

/* How long a message stays on the bottom line. */
#define TUI_MSG_INFO_S 10.0
#define TUI_MSG_ERROR_S 30.0
#define TUI_THEMES_MAX 64

struct tui {
	struct view v;
	struct config *cfg;
	struct sampler *s;
	struct worker *w;
	struct bootctl *boot;   /* n, t and x */
	struct replayctl *rp;   /* -r: a recording instead of the sampler (no worker, no boot) */
	struct record *rec;     /* -w: every sample shown goes there; NULL after a failed write */
	SCREEN *screen;
	int pipe[2];            /* wakes poll(): samples, results, signals */
	char write_path[CFG_STR_MAX];
	char last_note[256];
	bool quit, dirty;
	int status;
};

static volatile sig_atomic_t tui_sig_winch, tui_sig_quit;
static volatile sig_atomic_t tui_sig_fd = -1;

static const int tui_signals[] = { SIGWINCH, SIGINT, SIGTERM, SIGHUP };
#define TUI_NSIG (sizeof(tui_signals) / sizeof(tui_signals[0]))
static struct sigaction tui_old_sa[TUI_NSIG];

static void tui_on_signal(int sig)
{
	int saved = errno;
	char c = 'x';

	if (sig == SIGWINCH)
		tui_sig_winch = 1;
	else
		tui_sig_quit = sig;
	/* A full pipe already holds a wake-up: a failed write loses nothing. */
	if (tui_sig_fd >= 0 && write(tui_sig_fd, &c, 1) < 0)
		errno = saved;
	errno = saved;
}

/* Ours before initscr: curses then leaves these signals alone, and a
 * resize or a quit reaches poll() through the pipe. */
static void tui_signals_install(void)
{
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = tui_on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < TUI_NSIG; i++)
		sigaction(tui_signals[i], &sa, &tui_old_sa[i]);
}

static void tui_signals_restore(void)
{
	size_t i;

	for (i = 0; i < TUI_NSIG; i++)
		sigaction(tui_signals[i], &tui_old_sa[i], NULL);
	tui_sig_fd = -1;
}

/* ---- samples and results --------------------------------------------------- */

static unsigned char tui_mark(struct view *v, int64_t run)
{
	unsigned char mark = SPARK_MARK_NONE;

	if (!val_known(run))
		return mark;
	if (v->have_sample && val_known(v->last_run) && run != v->last_run)
		mark = run == DEDUP_RUN_ON ? SPARK_MARK_ON : run == DEDUP_RUN_OFF ? SPARK_MARK_OFF : SPARK_MARK_OTHER;
	v->last_run = run;
	return mark;
}

static void tui_events_message(struct tui *t, const struct sample *smp)
{
	const struct event *e;

	if (smp->n_events == 0)
		return;
	e = &smp->events[smp->n_events - 1];
	if (smp->n_events > 1)
		view_message(&t->v, false, "%s: %s (+%zu more)", e->what, e->detail, smp->n_events - 1);
	else
		view_message(&t->v, false, "%s: %s", e->what, e->detail);
}

/* -w: the sample into the recording; a failure ends the recording, said once. */
static void tui_record(struct tui *t, const struct sample *smp)
{
	char err[1024];

	if (!t->rec || record_sample(t->rec, smp, err, sizeof(err)) == 0)
		return;
	view_message(&t->v, true, "%s; recording stopped", err);
	t->rec = NULL;
	bootctl_set_record(t->boot, NULL);
}

static void tui_adopt(struct tui *t, struct sample *smp)
{
	struct view *v = &t->v;
	unsigned char mark = tui_mark(v, smp->dedup.run);
	double over = val_known(smp->host.overhead_kb) ? (double)smp->host.overhead_kb / 1024 : NAN;

	history_push(&v->h_cpu, smp->dedup.cpu_pct, mark);
	history_push(&v->h_scan, smp->dedup.scan_rate_pps, mark);
	history_push(&v->h_over, over, mark);
	if (smp->inst_note[0] && strcmp(smp->inst_note, t->last_note) != 0)
		view_message(v, false, "%s", smp->inst_note);
	snprintf(t->last_note, sizeof(t->last_note), "%s", smp->inst_note);
	tui_events_message(t, smp);
	if (v->have_sample && t->w)
		worker_recycle(t->w, &v->smp);
	else if (v->have_sample)
		sample_free(&v->smp);
	v->smp = *smp;
	v->have_sample = true;
	view_rebuild(v);
	tui_record(t, &v->smp);
	t->dirty = true;
}

static void tui_from_worker(struct tui *t)
{
	struct sample smp;
	char msg[512];
	enum worker_req done;
	int rc;
	char drain[64];

	while (read(t->pipe[0], drain, sizeof(drain)) > 0)
		;
	if (!t->w)
		return; /* a replay: only signals wake the pipe */
	done = worker_result(t->w, &rc, msg, sizeof(msg));
	if (done != WORKER_REQ_NONE && rc < 0) {
		view_message(&t->v, true, "%s", msg);
		t->dirty = true;
	}
	if (worker_take(t->w, &smp))
		tui_adopt(t, &smp);
}

/* ---- actions ---------------------------------------------------------------- */

static void tui_sort_step(struct tui *t, int step)
{
	struct view *v = &t->v;
	int n = v->table.n, i;

	if (n <= 0)
		return;
	i = layout_find(&v->table, v->sort);
	i = i < 0 ? 0 : (i + step + n) % n;
	v->sort = v->table.col[i];
	v->reverse = false;
	view_rebuild(v);
}

static void tui_toggle(struct tui *t)
{
	struct view *v = &t->v;

	if (v->secure) {
		view_message(v, true, "secure mode: turning merging on or off is refused");
		return;
	}
	if (!v->have_sample) {
		view_message(v, true, "no sample yet");
		return;
	}
	if (v->smp.dedup.backend == DEDUP_NONE) {
		view_message(v, true, "no merging daemon on this host (neither uKSM nor KSM)");
		return;
	}
	v->confirm_mode = v->smp.dedup.run == DEDUP_RUN_ON ? DEDUP_RUN_OFF : DEDUP_RUN_ON;
	v->mode = VM_CONFIRM;
}

static void tui_baseline(struct tui *t)
{
	if (t->v.secure) {
		view_message(&t->v, true, "secure mode: storing a baseline is refused");
		return;
	}
	worker_request(t->w, WORKER_REQ_BASELINE, 0);
	view_message(&t->v, false, "taking the used memory now as the baseline");
}

static void tui_theme_apply(struct tui *t, const char *name)
{
	struct view *v = &t->v;
	char err[1200] = "", note[128];
	int rc = theme_load(name, &v->theme, err, sizeof(err));

	v->pmode = palette_apply(&v->theme, note, sizeof(note));
	if (rc != 0)
		view_message(v, rc < 0, "%s", err);
	else if (v->pmode == PALETTE_MONO)
		view_message(v, false, "theme %s (%s)", v->theme.name, note[0] ? note : "this terminal has no colours");
	else
		view_message(v, false, "theme %s", v->theme.name);
}

static void tui_theme_next(struct tui *t)
{
	static char names[TUI_THEMES_MAX][THEME_NAME_MAX];
	size_t n = theme_list(names, TUI_THEMES_MAX), i;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], t->v.theme.name) == 0)
			break;
	tui_theme_apply(t, names[i < n ? (i + 1) % n : 0]);
}

static void tui_write(struct tui *t)
{
	struct view *v = &t->v;
	struct config c = *t->cfg;
	char err[1200];

	if (v->secure) {
		view_message(v, true, "secure mode: writing the config file is refused");
		return;
	}
	if (!t->write_path[0]) {
		view_message(v, true, "no config file to write: neither -C nor a home directory");
		return;
	}
	c.delay_s = v->delay_s;
	snprintf(c.theme, sizeof(c.theme), "%s", v->theme.name);
	/* The sampler's filter is a glob; a plain word matches anywhere. */
	if (v->filter[0] && strpbrk(v->filter, "*?["))
		snprintf(c.name_filter, sizeof(c.name_filter), "%s", v->filter);
	else if (v->filter[0])
		snprintf(c.name_filter, sizeof(c.name_filter), "*%.250s*", v->filter);
	if (config_save(&c, t->write_path, err, sizeof(err)) < 0) {
		view_message(v, true, "%s", err);
		return;
	}
	*t->cfg = c;
	view_message(v, false, "settings written to %s", t->write_path);
}

/* In a replay the actions on the host, and the delay, do nothing. */
static bool tui_replay_refuses(struct tui *t, enum keys_action a)
{
	static const char *const what[] = {
		[KA_SAMPLE] = "space", [KA_DELAY] = "d", [KA_TOGGLE] = "u", [KA_BASELINE] = "B",
		[KA_WRITE] = "W", [KA_BOOT] = "n", [KA_STORM] = "t", [KA_CLEAN] = "x",
	};

	if (!t->rp || (size_t)a >= sizeof(what) / sizeof(what[0]) || !what[a])
		return false;
	view_message(&t->v, true, "a replay: %s does nothing to a recording", what[a]);
	return true;
}

static void tui_action(struct tui *t, enum keys_action a)
{
	struct view *v = &t->v;
	long page = v->rows_h > 1 ? (long)v->rows_h - 1 : 1;

	if (tui_replay_refuses(t, a))
		return;
	switch (a) {
	case KA_QUIT:
		t->quit = true;
		t->status = 0;
		break;
	case KA_HELP:
		v->mode = VM_HELP;
		break;
	case KA_SAMPLE:
		worker_sample_now(t->w);
		break;
	case KA_DELAY:
	case KA_FILTER:
		v->mode = a == KA_DELAY ? VM_DELAY : VM_FILTER;
		snprintf(v->input, sizeof(v->input), "%s", a == KA_FILTER ? v->filter : "");
		break;
	case KA_SORT_PREV:
	case KA_SORT_NEXT:
		tui_sort_step(t, a == KA_SORT_PREV ? -1 : 1);
		break;
	case KA_SORT_REVERSE:
		v->reverse = !v->reverse;
		view_rebuild(v);
		break;
	case KA_UP:
	case KA_DOWN:
		view_select(v, (long)v->sel + (a == KA_UP ? -1 : 1));
		break;
	case KA_PGUP:
	case KA_PGDN:
		view_select(v, (long)v->sel + (a == KA_PGUP ? -page : page));
		break;
	case KA_HOME:
	case KA_END:
		view_select(v, a == KA_HOME ? 0 : (long)v->n_rows - 1);
		break;
	case KA_CLEAR:
		v->filter[0] = '\0';
		v->msg[0] = '\0';
		view_rebuild(v);
		break;
	case KA_TOGGLE:
		tui_toggle(t);
		break;
	case KA_BASELINE:
		tui_baseline(t);
		break;
	case KA_THEME:
		tui_theme_next(t);
		break;
	case KA_WRITE:
		tui_write(t);
		break;
	case KA_BOOT:
	case KA_STORM:
		bootctl_boot(t->boot, v, a == KA_STORM ? BOOT_STORM : BOOT_ONE_BY_ONE);
		break;
	case KA_CLEAN:
		bootctl_clean(t->boot, v);
		break;
	case KA_REDRAW:
		clearok(curscr, TRUE);
		break;
	default:
		break;
	}
}

/* ---- typed input -------------------------------------------------------------- */

static void tui_accept_delay(struct tui *t)
{
	struct view *v = &t->v;
	double d;

	if (!v->input[0])
		return;
	if (util_parse_double(v->input, &d) < 0 || !(d >= 0.05 && d <= 3600)) {
		view_message(v, true, "delay: '%s' is not a number of seconds from 0.05 to 3600", v->input);
		return;
	}
	v->delay_s = d;
	worker_set_delay(t->w, d);
	view_message(v, false, "delay %gs", d);
}

static void tui_edit(struct tui *t, int ch)
{
	struct view *v = &t->v;
	size_t len = strlen(v->input);
	enum view_mode mode = v->mode;

	if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
		v->mode = VM_NORMAL;
		if (mode == VM_DELAY)
			tui_accept_delay(t);
		else
			snprintf(v->filter, sizeof(v->filter), "%s", v->input);
	} else if (ch == KEYS_ESC) {
		v->mode = VM_NORMAL;
		if (mode == VM_FILTER)
			v->filter[0] = '\0';
	} else if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
		if (len > 0)
			v->input[len - 1] = '\0';
	} else if (ch == KEYS_CTRL('u')) {
		v->input[0] = '\0';
	} else if (ch >= ' ' && ch <= '~' && len + 1 < sizeof(v->input)) {
		v->input[len] = (char)ch;
		v->input[len + 1] = '\0';
	}
	if (mode == VM_FILTER)
		view_rebuild(v);
}

static void tui_key(struct tui *t, int ch)
{
	struct view *v = &t->v;

	if (ch == KEY_RESIZE)
		return;
	if (t->rp ? replayctl_key(t->rp, v, ch) : bootctl_key(t->boot, v, ch))
		return;
	switch (v->mode) {
	case VM_HELP:
		v->mode = VM_NORMAL;
		break;
	case VM_DELAY:
	case VM_FILTER:
		tui_edit(t, ch);
		break;
	case VM_CONFIRM:
		v->mode = VM_NORMAL;
		if (ch == 'y' || ch == 'Y') {
			worker_request(t->w, WORKER_REQ_SET_RUN, v->confirm_mode);
			view_message(v, false, "setting %s run to %s", dedup_kind_name(v->smp.dedup.backend),
				     dedup_mode_name((enum dedup_run_mode)v->confirm_mode));
		} else {
			view_message(v, false, "merging left as it was");
		}
		break;
	default:
		tui_action(t, keys_action(ch));
	}
}

/* ---- the loop ------------------------------------------------------------------ */

static void tui_resize(void)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
}

/* Milliseconds until the message fades, -1 when nothing is due. */
static int tui_msg_timeout(struct tui *t)
{
	struct view *v = &t->v;
	double left;

	if (!v->msg[0])
		return -1;
	left = v->msg_mono + (v->msg_error ? TUI_MSG_ERROR_S : TUI_MSG_INFO_S) - util_now_mono();
	if (left <= 0) {
		v->msg[0] = '\0';
		t->dirty = true;
		return 0;
	}
	return (int)(left * 1000) + 1;
}

/* The sooner of the message's fading and a boot run's next poll (a replay's next sample). */
static int tui_timeout(struct tui *t)
{
	int msg = tui_msg_timeout(t), boot = t->rp ? replayctl_timeout(t->rp) : bootctl_timeout(t->boot);

	if (msg < 0)
		return boot;
	return boot >= 0 && boot < msg ? boot : msg;
}

/* A boot run's progress and a cleanup's end, once per turn of the loop. */
static void tui_boot_poll(struct tui *t)
{
	int what;

	if (t->rp) {
		if (replayctl_poll(t->rp, &t->v))
			t->dirty = true;
		return;
	}
	what = bootctl_poll(t->boot, &t->v);

	if (what & BOOTCTL_SAMPLE)
		worker_sample_now(t->w);
	if (what & BOOTCTL_REDRAW)
		t->dirty = true;
}

static void tui_read_keys(struct tui *t)
{
	int ch;

	while (!t->quit && (ch = getch()) != ERR) {
		tui_key(t, ch);
		t->dirty = true;
	}
}

static void tui_loop(struct tui *t)
{
	while (!t->quit) {
		struct pollfd fds[2] = { { STDIN_FILENO, POLLIN, 0 }, { t->pipe[0], POLLIN, 0 } };
		int timeout, n;

		tui_boot_poll(t);
		timeout = tui_timeout(t);
		if (t->dirty) {
			draw_frame(&t->v, t->write_path);
			t->dirty = false;
		}
		n = poll(fds, 2, timeout);
		if (tui_sig_quit) {
			t->status = 128 + tui_sig_quit;
			break;
		}
		if (tui_sig_winch) {
			tui_sig_winch = 0;
			tui_resize();
			t->dirty = true;
		}
		if (n < 0)
			continue;
		if (fds[1].revents & POLLIN)
			tui_from_worker(t);
		if (fds[0].revents & POLLIN)
			tui_read_keys(t);
		else if (fds[0].revents & (POLLHUP | POLLERR | POLLNVAL)) {
			t->status = 1; /* the terminal went away */
			break;
		}
	}
}

/* ---- set-up and tear-down ------------------------------------------------------- */

static int tui_init_view(struct tui *t)
{
	struct view *v = &t->v;

	v->last_run = VAL_NULL;
	v->sort = COL_RSS;
	v->delay_s = t->cfg->delay_s;
	v->pss_interval_s = t->cfg->pss_interval_s;
	v->secure = t->cfg->secure;
	if (gethostname(v->host, sizeof(v->host) - 1) < 0)
		snprintf(v->host, sizeof(v->host), "?");
	if (history_init(&v->h_cpu, VIEW_HISTORY) < 0 || history_init(&v->h_scan, VIEW_HISTORY) < 0 ||
	    history_init(&v->h_over, VIEW_HISTORY) < 0)
		return -1;
	if (t->cfg->config_path[0]) {
		snprintf(t->write_path, sizeof(t->write_path), "%s", t->cfg->config_path);
	} else {
		char dir[CFG_STR_MAX - 16];

		if (util_config_dir(dir, sizeof(dir)) == 0)
			snprintf(t->write_path, sizeof(t->write_path), "%s/uksmtop.ini", dir);
	}
	return 0;
}

static void tui_free_view(struct view *v)
{
	bootpanel_close(&v->boot);
	history_free(&v->h_cpu);
	history_free(&v->h_scan);
	history_free(&v->h_over);
	if (v->have_sample)
		sample_free(&v->smp);
	free(v->rows);
}

static int tui_init_terminal(struct tui *t)
{
	const char *cs;

	/* Only the character type: numbers keep their '.' everywhere. */
	setlocale(LC_CTYPE, "");
	cs = nl_langinfo(CODESET);
	t->v.utf8 = cs && strcmp(cs, "UTF-8") == 0;
	t->screen = newterm(NULL, stdout, stdin);
	if (!t->screen) {
		fprintf(stderr, "uksmtop: cannot use the terminal (TERM=%s); use -b for batch output\n",
			getenv("TERM") ? getenv("TERM") : "");
		return -1;
	}
	set_term(t->screen);
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	return 0;
}

/* The live side: a worker that samples, a boot controller. 0, or -1 with err. */
static int tui_start_live(struct tui *t, char *err, size_t errlen)
{
	t->w = worker_start(t->s, t->v.delay_s, t->pipe[1], err, errlen);
	t->boot = t->w ? bootctl_new(t->cfg, t->pipe[1]) : NULL;
	if (t->w && !t->boot) {
		worker_stop(t->w);
		t->w = NULL;
		snprintf(err, errlen, "out of memory");
	}
	if (!t->w)
		return -1;
	bootctl_set_record(t->boot, t->rec);
	return 0;
}

/* The replay side: the recording's first sample, and what stopped its reading. */
static int tui_start_replay(struct tui *t, const struct replay_log *log, char *err, size_t errlen)
{
	t->rp = replayctl_new(log, &t->v);
	if (!t->rp) {
		snprintf(err, errlen, "%s", log->n_samples ? "out of memory" : "the recording holds no sample");
		return -1;
	}
	if (log->damage[0])
		view_message(&t->v, true, "%s; the %zu samples before it replay", log->damage, log->n_samples);
	else
		view_message(&t->v, false, "replay: space plays, Left/Right step, J jumps, h helps");
	return 0;
}

/* Set up the terminal, run the loop, tear everything down; t is freed. */
static int tui_main(struct tui *t, const struct replay_log *log)
{
	char err[512];
	int status;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "uksmtop: the full-screen view needs a terminal; use -b for batch output\n");
		free(t);
		return 1;
	}
	t->pipe[0] = t->pipe[1] = -1;
	t->dirty = true;
	if (tui_init_view(t) < 0 || pipe2(t->pipe, O_NONBLOCK | O_CLOEXEC) < 0) {
		fprintf(stderr, "uksmtop: cannot set up the view: %s\n", strerror(errno ? errno : ENOMEM));
		status = 1;
		goto out;
	}
	tui_sig_fd = t->pipe[1];
	tui_signals_install();
	if (tui_init_terminal(t) < 0) {
		status = 1;
		goto out_signals;
	}
	tui_theme_apply(t, t->cfg->theme);
	if (!t->v.msg_error && t->v.pmode != PALETTE_MONO)
		t->v.msg[0] = '\0';  /* "theme default" is no news at start */
	if ((log ? tui_start_replay(t, log, err, sizeof(err)) : tui_start_live(t, err, sizeof(err))) < 0) {
		endwin();
		fprintf(stderr, "uksmtop: %s\n", err);
		status = 1;
		goto out_screen;
	}
	tui_loop(t);
	status = t->status;
	if (t->w)
		worker_stop(t->w);
	endwin();
	/* A run still going is cancelled; its clones stay, as with Esc. */
	if (t->boot)
		bootctl_free(t->boot);
	replayctl_free(t->rp);
out_screen:
	delscreen(t->screen);
out_signals:
	tui_signals_restore();
out:
	if (t->pipe[0] >= 0)
		close(t->pipe[0]);
	if (t->pipe[1] >= 0)
		close(t->pipe[1]);
	tui_free_view(&t->v);
	free(t);
	return status;
}

int tui_run_recorded(struct sampler *s, struct config *cfg, struct record *rec)
{
	struct tui *t = calloc(1, sizeof(*t));

	if (!t)
		return 1;
	t->s = s;
	t->cfg = cfg;
	t->rec = rec;
	return tui_main(t, NULL);
}

int tui_run(struct sampler *s, struct config *cfg)
{
	return tui_run_recorded(s, cfg, NULL);
}

int tui_replay(const struct replay_log *log, struct config *cfg)
{
	struct tui *t = calloc(1, sizeof(*t));

	if (!t)
		return 1;
	t->cfg = cfg;
	return tui_main(t, log);
}

/* bootctl.c - the view's boot actions: n, t and x from a key to the engine and back, never blocking the loop. */
#include <curses.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../backends/clone.h"
#include "../core/output.h"
#include "../core/record.h"
#include "../core/util.h"
#include "bootctl.h"
#include "keys.h"

/* Characters of a typed count: more is not a count. */
#define BOOTCTL_COUNT_LEN 16

/* A cleanup takes a second or so per clone: it runs on a thread of its own. */
struct bootctl_cleaner {
	pthread_t thread;
	struct config cfg;            /* a copy: the view may rewrite its own */
	int wake_fd;
	atomic_bool done;
	int rc;
	struct boot_removal removal;
	char err[512];
};

struct bootctl {
	const struct config *cfg;
	int wake_fd;
	char lxcpath[CFG_STR_MAX];    /* the containers' path, resolved once */
	struct boot_run *run;
	size_t last_started;          /* to ask for a sample as clones start */
	struct bootctl_cleaner *cleaner;
	struct record *rec;           /* -w: boot results go there too */
};

struct bootctl *bootctl_new(const struct config *cfg, int wake_fd)
{
	struct bootctl *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->cfg = cfg;
	c->wake_fd = wake_fd;
	/* liblxc caches its global config per thread and a thread's copy is lost
	 * when it ends: resolved here, the cleanup threads never ask liblxc. */
	clone_lxcpath(cfg->lxcpath, c->lxcpath, sizeof(c->lxcpath));
	return c;
}

static void bootctl_cleaner_join(struct bootctl *c)
{
	pthread_join(c->cleaner->thread, NULL);
	boot_removal_free(&c->cleaner->removal);
	free(c->cleaner);
	c->cleaner = NULL;
}

void bootctl_free(struct bootctl *c)
{
	if (!c)
		return;
	if (c->run) {
		boot_cancel(c->run);
		boot_free(c->run);
	}
	if (c->cleaner)
		bootctl_cleaner_join(c);
	free(c);
}

/* ---- refusals ---------------------------------------------------------------------- */

/* Secure mode, root and what is running already: one line, nothing done. */
static bool bootctl_refused(struct bootctl *c, struct view *v, const char *what)
{
	if (c->cfg->secure) {
		view_message(v, true, "secure mode: %s is refused", what);
		return true;
	}
	if (geteuid() != 0) {
		view_message(v, true, "%s needs root (cloning, starting and removing instances)", what);
		return true;
	}
	if (c->run) {
		view_message(v, true, "a boot is running: wait for it, or Esc cancels it");
		return true;
	}
	if (c->cleaner) {
		view_message(v, true, "uksmtop's clones are being removed: wait for it");
		return true;
	}
	return false;
}

/* Where a template would go: the file read, else the user's config file. */
static const char *bootctl_config_name(const struct config *cfg, char *buf, size_t len)
{
	char dir[CFG_STR_MAX - 16];

	if (cfg->config_path[0])
		return cfg->config_path;
	if (util_config_dir(dir, sizeof(dir)) != 0)
		return "the config file";
	snprintf(buf, len, "%s/uksmtop.ini", dir);
	return buf;
}

/* ---- n and t: the template, the count, the start --------------------------------------- */

void bootctl_boot(struct bootctl *c, struct view *v, enum boot_mode mode)
{
	struct bootpanel *p = &v->boot;
	char path[CFG_STR_MAX];

	if (bootctl_refused(c, v, mode == BOOT_STORM ? "a boot storm" : "booting instances"))
		return;
	if (c->cfg->n_templates == 0) {
		view_message(v, true, "no templates to boot: tests/demo/setup.sh writes demo-lxc and demo-kvm, "
			     "or add a [template NAME] section to %s", bootctl_config_name(c->cfg, path, sizeof(path)));
		return;
	}
	bootpanel_close(p);
	p->stage = BOOTPANEL_CHOOSE;
	p->mode = mode;
	p->tpl = c->cfg->templates;
	p->n_tpl = c->cfg->n_templates;
	p->sel = 0;
	v->mode = VM_BOOT_CHOOSE;
	snprintf(v->prompt, sizeof(v->prompt), "%s: choose the template (Up/Down or its number, Enter takes it, Esc cancels)",
		 mode == BOOT_STORM ? "Boot storm" : "Boot n clones");
}

static void bootctl_count_ask(struct bootctl *c, struct view *v)
{
	struct bootpanel *p = &v->boot;

	p->stage = BOOTPANEL_COUNT;
	v->mode = VM_BOOT_COUNT;
	v->input[0] = '\0';
	snprintf(v->prompt, sizeof(v->prompt), "%s of %s: how many clones (1 to %d)? ",
		 p->mode == BOOT_STORM ? "Boot storm" : "Boot one by one", p->tpl[p->sel].name, c->cfg->max_boot);
}

static void bootctl_start(struct bootctl *c, struct view *v, long n)
{
	struct bootpanel *p = &v->boot;
	struct boot_request rq = { p->tpl[p->sel].name, n, p->mode, DEDUP_NONE };
	char err[1024];

	/* The newest sample's backend: the sampler itself belongs to the sampling thread. */
	rq.backend = v->have_sample ? v->smp.dedup.backend : DEDUP_NONE;
	c->run = boot_start(c->cfg, &rq, err, sizeof(err));
	if (!c->run) {
		bootpanel_close(p);
		view_message(v, true, "%s", err);
		return;
	}
	c->last_started = 0;
	p->stage = BOOTPANEL_RUNNING;
	p->cancelled = false;
	view_message(v, false, "%s: %ld clone%s of %s", p->mode == BOOT_STORM ? "boot storm" : "booting one by one", n,
		     n == 1 ? "" : "s", rq.template_name);
}

static void bootctl_count_accept(struct bootctl *c, struct view *v)
{
	long n;
	char *end;

	v->mode = VM_NORMAL;
	errno = 0;
	n = strtol(v->input, &end, 10);
	if (!v->input[0] || *end || errno || n < 1 || n > c->cfg->max_boot) {
		view_message(v, true, "'%s' is not a number of clones from 1 to %d (max_boot); nothing booted", v->input,
			     c->cfg->max_boot);
		bootpanel_close(&v->boot);
		return;
	}
	bootctl_start(c, v, n);
}

static void bootctl_key_choose(struct bootctl *c, struct view *v, int ch)
{
	struct bootpanel *p = &v->boot;

	if (ch == KEYS_ESC || ch == 'q') {
		v->mode = VM_NORMAL;
		bootpanel_close(p);
		view_message(v, false, "nothing booted");
	} else if ((ch == KEY_UP || ch == 'k') && p->sel > 0) {
		p->sel--;
	} else if ((ch == KEY_DOWN || ch == 'j') && p->sel + 1 < p->n_tpl) {
		p->sel++;
	} else if (ch >= '1' && ch <= '9' && (size_t)(ch - '1') < p->n_tpl) {
		p->sel = (size_t)(ch - '1');
		bootctl_count_ask(c, v);
	} else if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
		bootctl_count_ask(c, v);
	}
}

static void bootctl_key_count(struct bootctl *c, struct view *v, int ch)
{
	size_t len = strlen(v->input);

	if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
		bootctl_count_accept(c, v);
	} else if (ch == KEYS_ESC) {
		v->mode = VM_NORMAL;
		bootpanel_close(&v->boot);
		view_message(v, false, "nothing booted");
	} else if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
		if (len > 0)
			v->input[len - 1] = '\0';
	} else if (ch == KEYS_CTRL('u')) {
		v->input[0] = '\0';
	} else if (ch >= ' ' && ch <= '~' && len + 1 < BOOTCTL_COUNT_LEN) {
		v->input[len] = (char)ch;
		v->input[len + 1] = '\0';
	}
}

/* ---- a run's end --------------------------------------------------------------------- */

static void bootctl_done_one_by_one(struct view *v, const struct boot_snapshot *s, bool cancelled)
{
	char a[32], b[32], m[32];

	if (cancelled)
		view_message(v, true, "boot of %s cancelled: %zu of %zu ready; clones already started stay (x removes them)",
			     s->template_name, s->n_ready, s->n);
	else if (s->status == 0)
		view_message(v, false, "booted %zu clone%s of %s one by one: all ready, in %s (each %s to %s)", s->n,
			     s->n == 1 ? "" : "s", s->template_name, bootpanel_secs(a, sizeof(a), s->result.total_s),
			     bootpanel_secs(b, sizeof(b), s->result.min_s), bootpanel_secs(m, sizeof(m), s->result.max_s));
	else
		view_message(v, true, "boot of %s: %zu of %zu ready; %s", s->template_name, s->n_ready, s->n, s->message);
}

void bootctl_set_record(struct bootctl *c, struct record *rec)
{
	if (c)
		c->rec = rec;
}

/* -w: the finished run's result, as -o json prints it, into the recording. */
static void bootctl_record(struct bootctl *c, struct view *v, const struct boot_snapshot *s)
{
	struct outbuf b = { 0 };
	char err[1024];

	if (!c->rec || s->status == 2)
		return;
	boot_render(&b, OUT_JSON, s);
	if (!b.failed && record_line(c->rec, b.p, b.len, err, sizeof(err)) < 0) {
		view_message(v, true, "%s; recording stopped", err);
		c->rec = NULL;
	}
	outbuf_free(&b);
}

static void bootctl_done(struct bootctl *c, struct view *v)
{
	struct bootpanel *p = &v->boot;
	const struct boot_snapshot *s = &p->snap;
	char a[32];

	bootctl_record(c, v, s);
	boot_free(c->run); /* done: it does not block */
	c->run = NULL;
	if (s->status == 2) {
		view_message(v, true, "%s refused: %s", p->mode == BOOT_STORM ? "boot storm" : "boot", s->message);
		bootpanel_close(p);
	} else if (p->mode == BOOT_ONE_BY_ONE) {
		bootctl_done_one_by_one(v, s, p->cancelled);
		bootpanel_close(p);
	} else {
		p->stage = BOOTPANEL_RESULT;
		if (p->cancelled)
			view_message(v, true, "boot storm cancelled: %zu of %zu ready", s->n_ready, s->n);
		else
			view_message(v, s->status != 0, "boot storm of %s: %zu of %zu ready in %s", s->template_name,
				     s->n_ready, s->n, bootpanel_secs(a, sizeof(a), s->result.total_s));
	}
}

static int bootctl_poll_run(struct bootctl *c, struct view *v)
{
	struct boot_snapshot s;
	int out = BOOTCTL_REDRAW;

	boot_progress(c->run, &s);
	/* A clone just started: a sample now lists it at once. */
	if (s.n_started != c->last_started || s.phase == BOOT_DONE)
		out |= BOOTCTL_SAMPLE;
	c->last_started = s.n_started;
	bootpanel_adopt(&v->boot, &s);
	if (v->boot.snap.phase == BOOT_DONE)
		bootctl_done(c, v);
	return out;
}

/* ---- x: the cleanup --------------------------------------------------------------------- */

void bootctl_clean(struct bootctl *c, struct view *v)
{
	char names[256];
	size_t n;

	if (bootctl_refused(c, v, "removing uksmtop's clones"))
		return;
	n = v->have_sample ? bootpanel_count_prefixed(v->smp.inst, v->smp.n_inst, c->cfg->templates,
						      c->cfg->n_templates, names, sizeof(names)) : 0;
	if (n > 0)
		snprintf(v->prompt, sizeof(v->prompt), "Remove uksmtop's clones (y/n)? The table shows %zu: %s; "
			 "only instances carrying uksmtop's mark go ", n, names);
	else
		snprintf(v->prompt, sizeof(v->prompt), "Remove uksmtop's clones (y/n)? The table shows none; "
			 "any instance carrying uksmtop's mark goes ");
	v->mode = VM_BOOT_CLEAN;
}

static void *bootctl_cleaner_main(void *arg)
{
	struct bootctl_cleaner *k = arg;
	char c = 'c';

	k->rc = boot_cleanup(&k->cfg, NULL, NULL, 0, &k->removal, k->err, sizeof(k->err));
	atomic_store(&k->done, true);
	/* A full pipe already holds a wake-up. */
	if (write(k->wake_fd, &c, 1) < 0 && errno != EAGAIN)
		return NULL;
	return NULL;
}

static void bootctl_clean_start(struct bootctl *c, struct view *v)
{
	struct bootctl_cleaner *k = calloc(1, sizeof(*k));
	sigset_t all, old;
	int rc;

	if (!k) {
		view_message(v, true, "out of memory");
		return;
	}
	k->cfg = *c->cfg;
	util_strlcpy(k->cfg.lxcpath, c->lxcpath, sizeof(k->cfg.lxcpath));
	k->wake_fd = c->wake_fd;
	atomic_init(&k->done, false);
	/* Signals (resize, quit) belong to the main loop. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = pthread_create(&k->thread, NULL, bootctl_cleaner_main, k);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		view_message(v, true, "cannot start the cleanup thread: %s", strerror(rc));
		free(k);
		return;
	}
	c->cleaner = k;
	view_message(v, false, "removing uksmtop's clones (a second or so each)...");
}

static void bootctl_clean_report(struct view *v, const struct bootctl_cleaner *k)
{
	const struct boot_removal *r = &k->removal;
	char names[256] = "";
	size_t i, at = 0;

	if (k->rc == 2) {
		view_message(v, true, "%s", k->err);
		return;
	}
	for (i = 0; i < r->n_removed && at < sizeof(names); i++)
		at += (size_t)snprintf(names + at, sizeof(names) - at, "%s%s", i ? ", " : ": ", r->removed[i]);
	if (r->n_errors)
		view_message(v, true, "removed %zu clone%s; %zu could not be: %s", r->n_removed, r->n_removed == 1 ? "" : "s",
			     r->n_errors, r->errors[0]);
	else
		view_message(v, false, "removed %zu clone%s%s%s%s", r->n_removed, r->n_removed == 1 ? "" : "s",
			     r->n_removed ? names : " (none of uksmtop's was found)", r->note[0] ? "; " : "", r->note);
}

/* ---- keys and polling -------------------------------------------------------------------- */

bool bootctl_key(struct bootctl *c, struct view *v, int ch)
{
	switch (v->mode) {
	case VM_BOOT_CHOOSE:
		bootctl_key_choose(c, v, ch);
		return true;
	case VM_BOOT_COUNT:
		bootctl_key_count(c, v, ch);
		return true;
	case VM_BOOT_CLEAN:
		v->mode = VM_NORMAL;
		if (ch == 'y' || ch == 'Y')
			bootctl_clean_start(c, v);
		else
			view_message(v, false, "nothing removed");
		return true;
	case VM_NORMAL:
		break;
	default:
		return false;
	}
	if (v->boot.stage == BOOTPANEL_RESULT) {
		bootpanel_close(&v->boot);
		return true;
	}
	if (c->run && ch == KEYS_ESC) {
		if (!v->boot.cancelled) {
			boot_cancel(c->run);
			v->boot.cancelled = true;
			view_message(v, true, "cancelling: clones already started stay (x removes them)");
		}
		return true;
	}
	return false;
}

int bootctl_poll(struct bootctl *c, struct view *v)
{
	int out = 0;

	if (c->run)
		out |= bootctl_poll_run(c, v);
	if (c->cleaner && atomic_load(&c->cleaner->done)) {
		bootctl_clean_report(v, c->cleaner);
		bootctl_cleaner_join(c);
		out |= BOOTCTL_REDRAW | BOOTCTL_SAMPLE;
	}
	return out;
}

int bootctl_timeout(const struct bootctl *c)
{
	return c->run ? BOOTCTL_TICK_MS : -1;
}

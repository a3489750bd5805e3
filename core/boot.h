/* boot.h - boot n clones of a template, or time a boot storm; clean up uksmtop's clones. */
#ifndef UKSMTOP_BOOT_H
#define UKSMTOP_BOOT_H

#include <stddef.h>

#include "config.h"
#include "output.h"
#include "sample.h"
#include "sampler.h"

/*
 * The engine
 * ----------
 * A run boots n clones of one [template NAME] on a thread of its own, so the
 * caller never blocks: the command line waits for it, the full-screen view
 * polls it once a frame.
 *
 *   struct boot_request rq = { .template_name = "demo-lxc", .n = 3,
 *                              .mode = BOOT_STORM, .backend = sampler_backend(s) };
 *   char err[512];
 *   if (boot_precheck(cfg, &rq, err, sizeof err) != 0) -> show err, nothing changed
 *   struct boot_run *run = boot_start(cfg, &rq, err, sizeof err);  (NULL: err)
 *   every frame:  struct boot_snapshot snap;
 *                 boot_progress(run, &snap);   (a copy, taken under a lock: cheap)
 *                 draw snap: phase, elapsed_s, n_ready of n, clones[i].ready_s,
 *                 cpu_now_pct / cpu_mean_pct / cpu_peak_pct;
 *                 when snap.phase == BOOT_DONE: snap.status, snap.message, snap.result
 *                 boot_snapshot_free(&snap);
 *   at the end:   boot_free(run);   (after BOOT_DONE it does not block)
 *   to abandon:   boot_cancel(run); the probes stop at once; clones already
 *                 started stay (boot_cleanup removes them); then boot_free.
 *
 * Phases: BOOT_PREPARING (the source is checked, memory guard, clones made:
 * LXC snapshots or copies, KVM definitions; nothing is timed), BOOT_BOOTING
 * (the timer runs from the first start; clones start one after another in
 * BOOT_ONE_BY_ONE mode, all at once in BOOT_STORM mode), BOOT_DONE.
 * A refusal found on the engine thread (unknown source, not enough memory)
 * ends in BOOT_DONE with status 2, a one-line message and nothing changed.
 *
 * Times: clones[i].start_s is when its start was asked, from the first start;
 * ready_s is when its probe first succeeded: from the first start in a storm
 * (the figure the study plots), from its own start one by one. A clone's
 * timeout (the template's) runs from its own start.
 *
 * A storm appends one line to the results file (config key results, default
 * $XDG_STATE_HOME/uksmtop/bootstorm.csv): BOOT_RESULTS_HEADER's columns.
 */

#define BOOT_RESULTS_HEADER \
	"time,template,type,n,total_s,min_s,median_s,max_s,cpu_mean_pct,cpu_peak_pct,failed"

enum boot_mode { BOOT_ONE_BY_ONE = 1, BOOT_STORM = 2 };  /* the values of config.boot_mode */

enum boot_phase { BOOT_PREPARING = 0, BOOT_BOOTING, BOOT_DONE };

enum boot_clone_state {
	BOOT_CLONE_WAITING = 0,  /* not made yet */
	BOOT_CLONE_PREPARED,     /* made, not started */
	BOOT_CLONE_STARTING,     /* start asked (libvirt / liblxc working) */
	BOOT_CLONE_PROBING,      /* running; its probe has not succeeded yet */
	BOOT_CLONE_READY,
	BOOT_CLONE_FAILED,       /* error says why */
};

struct boot_request {
	const char *template_name;
	long n;
	enum boot_mode mode;
	enum dedup_kind backend; /* merge = auto means any for LXC when this is KSM */
};

struct boot_clone {
	char name[INST_NAME_MAX];
	char address[64];        /* "" until known */
	enum boot_clone_state state;
	double start_s;          /* NAN before its start */
	double ready_s;          /* NAN until ready */
	int merge_any;           /* LXC started merge-any: 1 /proc/PID/ksm_stat says yes, 0 no, -1 not asked or unknown */
	char error[256];
};

struct boot_result {
	double total_s;          /* first start to the last clone ready (or given up) */
	double min_s, median_s, max_s; /* over the ready clones' ready_s; NAN when none */
	double cpu_mean_pct;     /* host CPU busy over the whole boot */
	double cpu_peak_pct;     /* the busiest ~100 ms interval */
	int failed;              /* clones not ready before their timeout */
	char results_path[CFG_STR_MAX]; /* the file the storm's line went to, "" when none */
	char results_error[512];        /* why it could not be written, "" when it was */
};

struct boot_snapshot {
	enum boot_phase phase;
	enum boot_mode mode;
	char template_name[TEMPLATE_NAME_MAX];
	enum inst_type type;
	char ready[160];         /* the probe as written: "ping", "tcp:80", ... */
	double timeout_s;
	size_t n;
	size_t n_prepared, n_started, n_ready, n_failed;
	double wall_start;       /* wall clock of the first start; NAN before */
	double elapsed_s;        /* since the first start; 0 before, frozen at the end */
	double cpu_now_pct;      /* the last ~100 ms; NAN before two samples */
	double cpu_mean_pct, cpu_peak_pct; /* so far */
	struct boot_clone *clones;         /* n entries (malloc'd; boot_snapshot_free) */
	/* when phase == BOOT_DONE: */
	int status;              /* 0 all ready, 1 some not (or cancelled), 2 refused */
	char message[1024];      /* the refusal, or what went wrong, "" otherwise */
	struct boot_result result;
};

struct boot_run;

/* The checks that need no daemon: secure mode, root, the template, 1 <= n <=
 * max_boot. Returns 0, or 2 with one line in err. */
int boot_precheck(const struct config *cfg, const struct boot_request *rq, char *err, size_t errlen);

/* Run boot_precheck, then start the engine thread. NULL with err when refused
 * (nothing changed) or when the thread cannot start. cfg is copied. */
struct boot_run *boot_start(const struct config *cfg, const struct boot_request *rq, char *err, size_t errlen);

/* A consistent copy of the run's state (allocates out->clones). */
void boot_progress(struct boot_run *r, struct boot_snapshot *out);
void boot_snapshot_free(struct boot_snapshot *s);

/* Stop probing and starting; clones already started stay. Does not block. */
void boot_cancel(struct boot_run *r);
/* Wait for the end; returns the status (0, 1, 2). */
int boot_wait(struct boot_run *r);
/* Wait if needed, then free. NULL is fine. */
void boot_free(struct boot_run *r);

/* Render a finished (or in-progress) run in the batch format: text lines,
 * CSV rows (kind boot, then one kind clone per clone) or one JSON line. */
void boot_render(struct outbuf *b, enum out_format fmt, const struct boot_snapshot *s);

/*
 * Cleanup: stop and remove the clones uksmtop made, and nothing else. A clone
 * is uksmtop's when it carries uksmtop's mark (libvirt <metadata> in
 * urn:uksmtop:clone:1, or the file uksmtop.clone in an LXC container's
 * directory) AND its name starts with the prefix that mark records. Blocking:
 * a second or so per clone, so the view calls it from a worker thread.
 */
struct boot_removal {
	size_t n_removed;
	char (*removed)[INST_NAME_MAX]; /* their names */
	size_t n_errors;
	char (*errors)[512];            /* one line per clone or backend that failed */
	char note[512];                 /* a backend that could not be reached, "" if none */
};

/* template_name: only clones of that template (NULL: all of uksmtop's).
 * only/n_only: only clones of these names (NULL: no such limit). Refused (2,
 * with err) in secure mode and without root; else 0, or 1 when something
 * could not be removed (out->errors says what). Free out with boot_removal_free. */
int boot_cleanup(const struct config *cfg, const char *template_name, const char *const *only, size_t n_only,
		 struct boot_removal *out, char *err, size_t errlen);
void boot_removal_free(struct boot_removal *r);
void boot_render_removal(struct outbuf *b, enum out_format fmt, const struct boot_removal *r);

/* --boot N / --boot-storm N --template NAME / --cleanup, from the command
 * line: prints the result in cfg->format on stdout; returns the exit status
 * (0 every clone ready in time, 1 some were not — named on stderr — 2 refused). */
int boot_cli(struct sampler *s, const struct config *cfg);

/* The same, calling hook with the finished run before it is printed (to
 * record it); a hook that returns -1 makes the status 1. */
typedef int (*boot_result_hook)(const struct boot_snapshot *snap, void *ctx);
int boot_cli_hooked(struct sampler *s, const struct config *cfg, boot_result_hook hook, void *ctx);

#endif

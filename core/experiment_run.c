/* experiment_run.c - runs an experiment's phases: boot, merging off/on, a load; samples, records, sums up, cleans up, plots. */
#include "experiment.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../backends/dedup.h"
#include "boot.h"
#include "experiment_int.h"
#include "output.h"
#include "plot.h"
#include "record.h"
#include "replay.h"
#include "util.h"
#include "value.h"

/* ---- running: state ---- */

/* The figures of one sample that the summary needs. */
struct exp_point {
	double t;
	int64_t overhead_kb, shared, sharing, run;
	double dcpu, scan, hcpu;
};

struct exp_phase_run {
	struct exp_point *pts;
	size_t n, cap;
	int state;                  /* the daemon's run state in force: -1 unknown */
	int has_boot;
	struct boot_result boot;
	size_t boot_n, boot_ready;
	char load_status[160];
};

struct exp_run {
	struct experiment *e;
	struct sampler *s;
	const struct config *cfg;
	volatile sig_atomic_t *stop;
	struct record *rec;
	double delay, t0, next;     /* monotonic */
	long n_samples;
	int first_out;
	size_t cur;                 /* the phase running */
	struct exp_phase_run pr[EXPERIMENT_PHASES_MAX];
	char (*clones)[INST_NAME_MAX];
	size_t n_clones;
	int status;                 /* the exit status so far */
	int interrupted;
	int rec_failed;             /* the recording could not be written: the run ends */
	char daemon[16];
};

static int exp_stopped(struct exp_run *x)
{
	if (x->rec_failed)
		return 1;
	if (*x->stop && !x->interrupted) {
		x->interrupted = 1;
		if (x->status == 0)
			x->status = 1;
	}
	return x->interrupted;
}

/* A failure that ends the run: said on stderr, the status kept. */
static void exp_fail(struct exp_run *x, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void exp_fail(struct exp_run *x, int status, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	fprintf(stderr, "uksmtop: --experiment: %s\n", msg);
	if (x->status == 0 || status == 2)
		x->status = status;
}

/* ---- output ---- */

static void exp_out(struct outbuf *b)
{
	if (!b->failed && b->len) {
		fwrite(b->p, 1, b->len, stdout);
		fflush(stdout);
	}
	outbuf_free(b);
}

/* A line for the recording, and (in JSON) for stdout. */
static void exp_emit_json(struct exp_run *x, struct outbuf *b)
{
	char err[512];
	if (b->failed) {
		outbuf_free(b);
		return;
	}
	if (x->rec && !x->rec_failed && record_line(x->rec, b->p, b->len, err, sizeof err) < 0) {
		exp_fail(x, 1, "%s", err);
		x->rec_failed = 1;
	}
	if (x->cfg->format == OUT_JSON)
		exp_out(b);
	outbuf_free(b);
}

static void exp_fmt_mib(char *buf, size_t n, int64_t kb, int sign)
{
	if (!val_known(kb))
		snprintf(buf, n, "n/a");
	else
		snprintf(buf, n, sign ? "%+.1f MiB" : "%.1f MiB", (double)kb / 1024.0);
}

static void exp_fmt_i(char *buf, size_t n, int64_t v)
{
	if (val_known(v))
		snprintf(buf, n, "%lld", (long long)v);
	else
		snprintf(buf, n, "n/a");
}

static void exp_fmt_f(char *buf, size_t n, double v, int prec, const char *unit)
{
	if (isnan(v))
		snprintf(buf, n, "n/a");
	else
		snprintf(buf, n, "%.*f%s", prec, v, unit);
}

static void exp_fmt_ratio(char *buf, size_t n, int64_t shared, int64_t sharing)
{
	if (val_known(shared) && val_known(sharing) && shared > 0)
		snprintf(buf, n, "1:%.2f", (double)sharing / (double)shared);
	else
		snprintf(buf, n, "n/a");
}

/* The text format: one compact line per sample. */
static void exp_text_line(struct exp_run *x, const struct sample *s, double t)
{
	char oh[32], sh[32], sg[32], ra[32], dc[32], sc[32], hc[32];
	exp_fmt_mib(oh, sizeof oh, s->host.overhead_kb, 1);
	exp_fmt_i(sh, sizeof sh, s->dedup.pages_shared);
	exp_fmt_i(sg, sizeof sg, s->dedup.pages_sharing);
	exp_fmt_ratio(ra, sizeof ra, s->dedup.pages_shared, s->dedup.pages_sharing);
	exp_fmt_f(dc, sizeof dc, s->dedup.cpu_pct, 1, "%");
	exp_fmt_f(sc, sizeof sc, s->dedup.scan_rate_pps, 0, "/s");
	exp_fmt_f(hc, sizeof hc, s->host.cpu_pct, 1, "%");
	printf("  %-10.10s %7.1f s  %zu inst  overhead %-12s shared %-7s sharing %-7s %-8s %s %-6s scan %-8s "
	       "host cpu %s\n", x->e->phases[x->cur].name, t, s->n_inst, oh, sh, sg, ra, x->daemon, dc, sc, hc);
	for (size_t i = 0; i < s->n_events; i++)
		printf("  %-10.10s event: %s: %s\n", x->e->phases[x->cur].name, s->events[i].what, s->events[i].detail);
	fflush(stdout);
}

/* ---- sampling ---- */

static void exp_keep(struct exp_run *x, const struct sample *s, double t)
{
	struct exp_phase_run *pr = &x->pr[x->cur];
	if (pr->n == pr->cap) {
		size_t ncap = pr->cap ? pr->cap * 2 : 64;
		struct exp_point *p = realloc(pr->pts, ncap * sizeof *p);
		if (!p)
			return;
		pr->pts = p;
		pr->cap = ncap;
	}
	pr->pts[pr->n++] = (struct exp_point){ .t = t, .overhead_kb = s->host.overhead_kb,
		.shared = s->dedup.pages_shared, .sharing = s->dedup.pages_sharing, .run = s->dedup.run,
		.dcpu = s->dedup.cpu_pct, .scan = s->dedup.scan_rate_pps, .hcpu = s->host.cpu_pct };
}

static void exp_sample(struct exp_run *x)
{
	struct sample smp;
	char err[512];
	if (sampler_take(x->s, &smp) < 0) {
		sample_free(&smp);
		return;
	}
	double t = util_now_mono() - x->t0;
	if (x->rec && !x->rec_failed && record_sample(x->rec, &smp, err, sizeof err) < 0) {
		exp_fail(x, 1, "%s", err);
		x->rec_failed = 1;
	}
	if (x->cfg->format == OUT_TEXT) {
		exp_text_line(x, &smp, t);
	} else {
		int rc = output_write(STDOUT_FILENO, x->cfg->format, &smp, x->first_out);
		x->first_out = 0;
		(void)rc; /* a closed stdout does not end the experiment: the recording is what counts */
	}
	exp_keep(x, &smp, t);
	x->n_samples++;
	sample_free(&smp);
}

static void exp_sleep_until(double mono)
{
	struct timespec ts;
	ts.tv_sec = (time_t)mono;
	ts.tv_nsec = (long)((mono - (double)ts.tv_sec) * 1e9);
	if (ts.tv_nsec >= 1000000000L)
		ts.tv_nsec = 999999999L;
	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

/* Sample at the cadence until the monotonic time end (or done() says so). */
static void exp_sample_until(struct exp_run *x, double end, int (*done)(void *), void *arg)
{
	while (!exp_stopped(x) && !(done && done(arg))) {
		double now = util_now_mono();
		if (!done && now >= end)
			break;
		if (now >= x->next) {
			exp_sample(x);
			x->next += x->delay;
			if (x->next < util_now_mono())
				x->next = util_now_mono(); /* a slow sample: no burst to catch up */
			continue;
		}
		double until = x->next;
		if (!done && end < until)
			until = end;
		if (done && now + 0.1 < until)
			until = now + 0.1; /* poll the boot engine ten times a second */
		exp_sleep_until(until);
	}
}

/* ---- phase actions ---- */

static void exp_phase_line(struct exp_run *x, size_t i)
{
	const struct exp_phase *ph = &x->e->phases[i];
	struct outbuf b = { 0 };
	char when[40];
	util_iso8601(util_now_wall(), when, sizeof when);
	outbuf_printf(&b, "{\"phase\":{\"index\":%zu,\"of\":%zu,\"name\":", i + 1, x->e->n_phases);
	outbuf_json_str(&b, ph->name);
	outbuf_printf(&b, ",\"time\":\"%s\",\"t_s\":%.3f,\"dedup\":", when, util_now_mono() - x->t0);
	if (ph->dedup >= 0)
		outbuf_json_str(&b, dedup_mode_name((enum dedup_run_mode)ph->dedup));
	else
		outbuf_printf(&b, "null");
	outbuf_printf(&b, ",\"baseline\":%s,\"boot\":%s,", ph->baseline_now ? "\"now\"" : "null",
		      ph->boot == BOOT_STORM ? "\"storm\"" : ph->boot ? "\"one-by-one\"" : "null");
	outbuf_json_f(&b, "duration_s", ph->duration_s, 3);
	outbuf_printf(&b, ",\"load\":[");
	for (size_t k = 0; ph->load && ph->load[k]; k++) {
		outbuf_printf(&b, "%s", k ? "," : "");
		outbuf_json_str(&b, ph->load[k]);
	}
	outbuf_printf(&b, "]}}\n");
	exp_emit_json(x, &b);
	if (x->cfg->format == OUT_TEXT) {
		printf("== phase %zu/%zu %s:%s%s%s%s%s%s%s duration %g s%s%s\n", i + 1, x->e->n_phases, ph->name,
		       ph->dedup >= 0 ? " dedup " : "", ph->dedup >= 0 ? dedup_mode_name((enum dedup_run_mode)ph->dedup) : "",
		       ph->dedup >= 0 ? "," : "", ph->baseline_now ? " baseline now," : "",
		       ph->boot ? (ph->boot == BOOT_STORM ? " boot storm of " : " boot one by one of ") : "",
		       ph->boot ? x->e->template_name : "", ph->boot ? "," : "", ph->duration_s, ph->load ? ", load: " : "",
		       ph->load ? ph->load_text : "");
		fflush(stdout);
	}
}

static int exp_dedup(struct exp_run *x, const struct exp_phase *ph)
{
	char err[512];
	if (ph->dedup < 0)
		return 0;
	int rc = sampler_set_dedup(x->s, (enum dedup_run_mode)ph->dedup, err, sizeof err);
	if (rc == 0) {
		x->pr[x->cur].state = ph->dedup;
		return 0;
	}
	exp_fail(x, (rc == -EACCES || rc == -EPERM || rc == -EROFS || rc == -EINVAL) ? 2 : 1, "[phase %s] dedup = %s: %s",
		 ph->name, dedup_mode_name((enum dedup_run_mode)ph->dedup), err);
	return -1;
}

static void exp_baseline(struct exp_run *x, const struct exp_phase *ph)
{
	char err[512];
	if (ph->baseline_now && sampler_baseline_now(x->s, err, sizeof err) < 0)
		fprintf(stderr, "uksmtop: --experiment: [phase %s] baseline = now: %s\n", ph->name, err);
}

static int exp_boot_done(void *arg)
{
	struct boot_snapshot snap;
	boot_progress(arg, &snap);
	int done = snap.phase == BOOT_DONE;
	boot_snapshot_free(&snap);
	return done;
}

static void exp_boot_keep(struct exp_run *x, const struct boot_snapshot *snap)
{
	struct exp_phase_run *pr = &x->pr[x->cur];
	pr->has_boot = 1;
	pr->boot = snap->result;
	pr->boot_n = snap->n;
	pr->boot_ready = snap->n_ready;
	for (size_t i = 0; i < snap->n; i++) {
		if (snap->clones[i].state == BOOT_CLONE_WAITING)
			continue;
		char (*c)[INST_NAME_MAX] = realloc(x->clones, (x->n_clones + 1) * sizeof *c);
		if (!c)
			return;
		x->clones = c;
		util_strlcpy(x->clones[x->n_clones++], snap->clones[i].name, INST_NAME_MAX);
	}
}

static void exp_boot_report(struct exp_run *x, const struct boot_snapshot *snap)
{
	struct outbuf b = { 0 };
	boot_render(&b, OUT_JSON, snap);
	exp_emit_json(x, &b);
	if (x->cfg->format != OUT_JSON) {
		boot_render(&b, x->cfg->format, snap);
		exp_out(&b);
	}
	if (snap->message[0])
		fprintf(stderr, "uksmtop: --experiment: boot: %s\n", snap->message);
	if (snap->status != 0)
		exp_fail(x, snap->status == 2 ? 2 : 1, "the boot of %zu clones of %s ended with %zu ready", snap->n,
			 snap->template_name, snap->n_ready);
}

static int exp_boot(struct exp_run *x, const struct exp_phase *ph)
{
	if (!ph->boot)
		return 0;
	struct boot_request rq = { .template_name = x->e->template_name, .n = x->e->n,
				   .mode = (enum boot_mode)ph->boot, .backend = sampler_backend(x->s) };
	char err[1024];
	/* The engine's threads inherit this mask: SIGINT and SIGTERM stay ours. */
	sigset_t sigs, old;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, &old);
	struct boot_run *r = boot_start(x->cfg, &rq, err, sizeof err);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!r) {
		exp_fail(x, 2, "[phase %s] boot: %s", ph->name, err);
		return -1;
	}
	exp_sample_until(x, 0, exp_boot_done, r);
	if (exp_stopped(x))
		boot_cancel(r);
	boot_wait(r);
	struct boot_snapshot snap;
	boot_progress(r, &snap);
	exp_boot_keep(x, &snap);
	exp_boot_report(x, &snap);
	int failed = snap.status == 2;
	boot_snapshot_free(&snap);
	boot_free(r);
	return failed ? -1 : 0;
}

/* ---- the load ---- */

static void exp_load_log(const struct exp_run *x, const struct exp_phase *ph, char *out, size_t len)
{
	const char *rec = x->e->record;
	size_t n = strlen(rec);
	if (record_is_gz(rec))
		n -= 3;
	snprintf(out, len, "%.*s.%s.load.log", (int)n, rec, ph->name);
}

static void exp_child(const struct exp_phase *ph, const char *log, int errfd)
{
	setpgid(0, 0);
	signal(SIGPIPE, SIG_DFL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	int in = open("/dev/null", O_RDONLY);
	int out = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (in >= 0)
		dup2(in, STDIN_FILENO);
	if (out >= 0) {
		dup2(out, STDOUT_FILENO);
		dup2(out, STDERR_FILENO);
	}
	execvp(ph->load[0], ph->load);
	int e = errno;
	if (write(errfd, &e, sizeof e) < 0)
		_exit(127);
	_exit(127);
}

/* Start the phase's load; its pid, 0 when none, -1 when it could not start. */
static pid_t exp_load_start(struct exp_run *x, const struct exp_phase *ph, char *log, size_t loglen)
{
	if (!ph->load)
		return 0;
	exp_load_log(x, ph, log, loglen);
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0) {
		exp_fail(x, 1, "[phase %s] load: %s", ph->name, strerror(errno));
		return -1;
	}
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0)
		exp_child(ph, log, fds[1]);
	close(fds[1]);
	int e = 0;
	ssize_t got = pid > 0 ? read(fds[0], &e, sizeof e) : 0;
	close(fds[0]);
	if (pid < 0 || got == (ssize_t)sizeof e) {
		if (pid > 0)
			waitpid(pid, NULL, 0);
		exp_fail(x, 1, "[phase %s] load = %s: cannot start: %s", ph->name, ph->load_text,
			 strerror(pid < 0 ? errno : e));
		return -1;
	}
	setpgid(pid, pid);
	return pid;
}

static void exp_load_status(char *buf, size_t len, int st, int ended_by_us)
{
	if (WIFEXITED(st))
		snprintf(buf, len, "exited with status %d%s", WEXITSTATUS(st), ended_by_us ? "" : " before the phase ended");
	else if (WIFSIGNALED(st))
		snprintf(buf, len, "%s %s", ended_by_us ? "ended at the phase's end by" : "killed by",
			 strsignal(WTERMSIG(st)));
}

/* End the load: SIGTERM to its process group, SIGKILL two seconds later. */
static void exp_load_stop(struct exp_run *x, pid_t pid)
{
	if (pid <= 0)
		return;
	int st = 0, ours = 0;
	pid_t w = waitpid(pid, &st, WNOHANG);
	if (w == 0) {
		ours = 1;
		kill(-pid, SIGTERM);
		double end = util_now_mono() + 2.0;
		while ((w = waitpid(pid, &st, WNOHANG)) == 0 && util_now_mono() < end)
			exp_sleep_until(util_now_mono() + 0.05);
		if (w == 0) {
			kill(-pid, SIGKILL);
			w = waitpid(pid, &st, 0);
		}
	}
	if (w == pid)
		exp_load_status(x->pr[x->cur].load_status, sizeof x->pr[x->cur].load_status, st, ours);
}

/* ---- a phase ---- */

static void exp_phase(struct exp_run *x, size_t i)
{
	const struct exp_phase *ph = &x->e->phases[i];
	char log[CFG_STR_MAX + 128];
	x->cur = i;
	x->pr[i].state = i ? x->pr[i - 1].state : -1;
	exp_phase_line(x, i);
	if (exp_dedup(x, ph) < 0)
		return;
	exp_baseline(x, ph);
	if (exp_boot(x, ph) < 0 || exp_stopped(x))
		return;
	pid_t load = exp_load_start(x, ph, log, sizeof log);
	if (load < 0)
		return;
	if (load > 0 && x->cfg->format == OUT_TEXT)
		printf("  %-10.10s load started (pid %d), its output goes to %s\n", ph->name, (int)load, log);
	exp_sample_until(x, util_now_mono() + ph->duration_s, NULL, NULL);
	exp_load_stop(x, load);
}

/* ---- the summary ---- */

struct exp_figs {
	double oh_end, oh_mean, dcpu_mean, dcpu_peak, scan_mean, hcpu_mean;
	int64_t shared, sharing;
};

static double exp_mean(const struct exp_phase_run *pr, size_t from, size_t field)
{
	double sum = 0;
	size_t n = 0;
	for (size_t i = from; i < pr->n; i++) {
		const struct exp_point *p = &pr->pts[i];
		double v = field == 0 ? (val_known(p->overhead_kb) ? (double)p->overhead_kb : NAN)
			: field == 1 ? p->dcpu : field == 2 ? p->scan : p->hcpu;
		if (!isnan(v)) {
			sum += v;
			n++;
		}
	}
	return n ? sum / (double)n : NAN;
}

static void exp_figures(const struct exp_phase_run *pr, struct exp_figs *f)
{
	f->oh_end = exp_mean(pr, pr->n > EXP_END_SAMPLES ? pr->n - EXP_END_SAMPLES : 0, 0);
	f->oh_mean = exp_mean(pr, 0, 0);
	f->dcpu_mean = exp_mean(pr, 0, 1);
	f->scan_mean = exp_mean(pr, 0, 2);
	f->hcpu_mean = exp_mean(pr, 0, 3);
	f->dcpu_peak = NAN;
	f->shared = f->sharing = VAL_NULL;
	for (size_t i = 0; i < pr->n; i++) {
		if (!isnan(pr->pts[i].dcpu) && !(pr->pts[i].dcpu <= f->dcpu_peak))
			f->dcpu_peak = pr->pts[i].dcpu;
		if (val_known(pr->pts[i].shared))
			f->shared = pr->pts[i].shared;
		if (val_known(pr->pts[i].sharing))
			f->sharing = pr->pts[i].sharing;
	}
}

/* The run state a phase ran under: its own, or the one its samples saw. */
static int exp_state(const struct exp_phase_run *pr)
{
	if (pr->state >= 0)
		return pr->state;
	return pr->n && val_known(pr->pts[pr->n - 1].run) ? (int)pr->pts[pr->n - 1].run : -1;
}

/* after: the last phase with samples and merging on; before: the last one
 * before it with samples and merging off. -1 when there is none. */
static void exp_before_after(const struct exp_run *x, int *before, int *after)
{
	*before = *after = -1;
	for (size_t i = 0; i < x->e->n_phases; i++)
		if (x->pr[i].n && exp_state(&x->pr[i]) == DEDUP_RUN_ON)
			*after = (int)i;
	int limit = *after >= 0 ? *after : (int)x->e->n_phases;
	for (int i = 0; i < limit; i++)
		if (x->pr[i].n && (exp_state(&x->pr[i]) == DEDUP_RUN_OFF || exp_state(&x->pr[i]) == DEDUP_RUN_UNMERGE))
			*before = i;
}

static const struct boot_result *exp_boot_of(const struct exp_run *x, size_t *n, size_t *ready)
{
	for (size_t i = 0; i < x->e->n_phases; i++)
		if (x->pr[i].has_boot) {
			*n = x->pr[i].boot_n;
			*ready = x->pr[i].boot_ready;
			return &x->pr[i].boot;
		}
	return NULL;
}

static void exp_json_kb(struct outbuf *b, const char *key, double kb)
{
	outbuf_json_i64(b, key, isnan(kb) ? VAL_NULL : (int64_t)llround(kb));
}

static void exp_json_phase(struct outbuf *b, const struct exp_run *x, size_t i)
{
	struct exp_figs f;
	const struct exp_phase_run *pr = &x->pr[i];
	exp_figures(pr, &f);
	outbuf_printf(b, "%s{\"name\":", i ? "," : "");
	outbuf_json_str(b, x->e->phases[i].name);
	int st = exp_state(pr);
	outbuf_printf(b, ",\"merging\":%s,\"samples\":%zu,", st < 0 ? "null" : st == 1 ? "\"on\"" : st == 2 ?
		      "\"unmerge\"" : "\"off\"", pr->n);
	exp_json_kb(b, "overhead_end_kb", f.oh_end);
	outbuf_printf(b, ",");
	exp_json_kb(b, "overhead_mean_kb", f.oh_mean);
	outbuf_printf(b, ",");
	outbuf_json_i64(b, "pages_shared", f.shared);
	outbuf_printf(b, ",");
	outbuf_json_i64(b, "pages_sharing", f.sharing);
	outbuf_printf(b, ",");
	outbuf_json_f(b, "sharing_per_shared", val_known(f.shared) && val_known(f.sharing) && f.shared > 0 ?
		      (double)f.sharing / (double)f.shared : NAN, 3);
	outbuf_printf(b, ",");
	outbuf_json_f(b, "daemon_cpu_mean_pct", f.dcpu_mean, 2);
	outbuf_printf(b, ",");
	outbuf_json_f(b, "daemon_cpu_peak_pct", f.dcpu_peak, 2);
	outbuf_printf(b, ",");
	outbuf_json_f(b, "scan_rate_mean_pps", f.scan_mean, 1);
	outbuf_printf(b, ",");
	outbuf_json_f(b, "host_cpu_mean_pct", f.hcpu_mean, 2);
	outbuf_printf(b, ",\"load\":");
	if (pr->load_status[0])
		outbuf_json_str(b, pr->load_status);
	else
		outbuf_printf(b, "null");
	outbuf_printf(b, "}");
}

static void exp_json_boot(struct outbuf *b, const struct exp_run *x)
{
	size_t n = 0, ready = 0;
	const struct boot_result *br = exp_boot_of(x, &n, &ready);
	if (!br) {
		outbuf_printf(b, "\"boot\":null");
		return;
	}
	outbuf_printf(b, "\"boot\":{\"n\":%zu,\"ready\":%zu,", n, ready);
	outbuf_json_f(b, "total_s", br->total_s, 3);
	outbuf_printf(b, ",");
	outbuf_json_f(b, "cpu_mean_pct", br->cpu_mean_pct, 1);
	outbuf_printf(b, ",");
	outbuf_json_f(b, "cpu_peak_pct", br->cpu_peak_pct, 1);
	outbuf_printf(b, "}");
}

static void exp_json_compare(struct outbuf *b, const struct exp_run *x)
{
	int bi, ai;
	struct exp_figs fb = { .oh_end = NAN, .shared = VAL_NULL, .sharing = VAL_NULL };
	struct exp_figs fa = { .oh_end = NAN, .shared = VAL_NULL, .sharing = VAL_NULL, .dcpu_mean = NAN,
			       .dcpu_peak = NAN, .scan_mean = NAN };
	exp_before_after(x, &bi, &ai);
	if (bi >= 0)
		exp_figures(&x->pr[bi], &fb);
	if (ai >= 0)
		exp_figures(&x->pr[ai], &fa);
	outbuf_printf(b, ",\"before\":");
	bi >= 0 ? outbuf_json_str(b, x->e->phases[bi].name) : outbuf_printf(b, "null");
	outbuf_printf(b, ",\"after\":");
	ai >= 0 ? outbuf_json_str(b, x->e->phases[ai].name) : outbuf_printf(b, "null");
	outbuf_printf(b, ",");
	exp_json_kb(b, "overhead_before_kb", fb.oh_end);
	outbuf_printf(b, ",");
	exp_json_kb(b, "overhead_after_kb", fa.oh_end);
	outbuf_printf(b, ",");
	exp_json_kb(b, "overhead_change_kb", fa.oh_end - fb.oh_end);
	outbuf_printf(b, ",");
	outbuf_json_i64(b, "pages_shared_before", fb.shared);
	outbuf_printf(b, ",");
	outbuf_json_i64(b, "pages_shared_after", fa.shared);
	outbuf_printf(b, ",");
	outbuf_json_i64(b, "pages_sharing_before", fb.sharing);
	outbuf_printf(b, ",");
	outbuf_json_i64(b, "pages_sharing_after", fa.sharing);
	outbuf_printf(b, ",");
	outbuf_json_f(b, "sharing_per_shared_after", val_known(fa.shared) && val_known(fa.sharing) && fa.shared > 0 ?
		      (double)fa.sharing / (double)fa.shared : NAN, 3);
	outbuf_printf(b, ",");
	outbuf_json_f(b, "daemon_cpu_mean_pct", fa.dcpu_mean, 2);
	outbuf_printf(b, ",");
	outbuf_json_f(b, "daemon_cpu_peak_pct", fa.dcpu_peak, 2);
	outbuf_printf(b, ",");
	outbuf_json_f(b, "scan_rate_mean_pps", fa.scan_mean, 1);
}

static void exp_summary_json(struct outbuf *b, const struct exp_run *x)
{
	outbuf_printf(b, "{\"summary\":{\"experiment\":");
	outbuf_json_str(b, x->e->name);
	outbuf_printf(b, ",\"template\":");
	outbuf_json_str(b, x->e->template_name);
	outbuf_printf(b, ",\"n\":%ld,\"samples\":%ld,\"duration_s\":%.3f,\"interrupted\":%s,\"status\":%d,", x->e->n,
		      x->n_samples, util_now_mono() - x->t0, x->interrupted ? "true" : "false", x->status);
	exp_json_boot(b, x);
	exp_json_compare(b, x);
	outbuf_printf(b, ",\"phases\":[");
	for (size_t i = 0; i < x->e->n_phases; i++)
		exp_json_phase(b, x, i);
	outbuf_printf(b, "]}}\n");
}

static void exp_text_phase(FILE *f, const struct exp_run *x, size_t i)
{
	struct exp_figs g;
	char oe[32], om[32], sh[32], sg[32], ra[32], dc[32], sc[32], hc[32];
	const struct exp_phase_run *pr = &x->pr[i];
	exp_figures(pr, &g);
	exp_fmt_mib(oe, sizeof oe, isnan(g.oh_end) ? VAL_NULL : llround(g.oh_end), 1);
	exp_fmt_mib(om, sizeof om, isnan(g.oh_mean) ? VAL_NULL : llround(g.oh_mean), 1);
	exp_fmt_i(sh, sizeof sh, g.shared);
	exp_fmt_i(sg, sizeof sg, g.sharing);
	exp_fmt_ratio(ra, sizeof ra, g.shared, g.sharing);
	exp_fmt_f(dc, sizeof dc, g.dcpu_mean, 2, " %");
	exp_fmt_f(sc, sizeof sc, g.scan_mean, 0, "");
	exp_fmt_f(hc, sizeof hc, g.hcpu_mean, 1, " %");
	int st = exp_state(pr);
	fprintf(f, "  %-12.12s %-7s %7zu %13s %13s %8s %8s %8s %10s %11s %9s\n", x->e->phases[i].name,
		st < 0 ? "?" : st == 1 ? "on" : st == 2 ? "unmerge" : "off", pr->n, oe, om, sh, sg, ra, dc, sc, hc);
	if (pr->load_status[0])
		fprintf(f, "  %-12.12s load %s\n", "", pr->load_status);
}

static void exp_text_compare(FILE *f, const struct exp_run *x)
{
	int bi, ai;
	exp_before_after(x, &bi, &ai);
	if (bi < 0 || ai < 0) {
		fprintf(f, "Merging:   no phase with merging off followed by one with merging on: no comparison\n");
		return;
	}
	struct exp_figs fb, fa;
	exp_figures(&x->pr[bi], &fb);
	exp_figures(&x->pr[ai], &fa);
	char a[32], b2[32], c[32], ra[32], rb[32];
	exp_fmt_mib(a, sizeof a, isnan(fb.oh_end) ? VAL_NULL : llround(fb.oh_end), 1);
	exp_fmt_mib(b2, sizeof b2, isnan(fa.oh_end) ? VAL_NULL : llround(fa.oh_end), 1);
	exp_fmt_mib(c, sizeof c, isnan(fa.oh_end - fb.oh_end) ? VAL_NULL : llround(fa.oh_end - fb.oh_end), 1);
	fprintf(f, "Overhead:  %s with merging off (%s), %s with merging on (%s): %s\n", a, x->e->phases[bi].name, b2,
		x->e->phases[ai].name, c);
	exp_fmt_ratio(rb, sizeof rb, fb.shared, fb.sharing);
	exp_fmt_ratio(ra, sizeof ra, fa.shared, fa.sharing);
	fprintf(f, "Pages:     shared %lld -> %lld, sharing (saved) %lld -> %lld; shared:sharing %s -> %s\n",
		(long long)(val_known(fb.shared) ? fb.shared : -1), (long long)(val_known(fa.shared) ? fa.shared : -1),
		(long long)(val_known(fb.sharing) ? fb.sharing : -1),
		(long long)(val_known(fa.sharing) ? fa.sharing : -1), rb, ra);
	char dc[32], dp[32], sc[32];
	exp_fmt_f(dc, sizeof dc, fa.dcpu_mean, 2, " %");
	exp_fmt_f(dp, sizeof dp, fa.dcpu_peak, 2, " %");
	exp_fmt_f(sc, sizeof sc, fa.scan_mean, 0, " pages/s");
	fprintf(f, "CPU cost:  %s %s mean, %s peak while merging; scan rate %s\n", x->daemon, dc, dp, sc);
}

static void exp_summary_text(FILE *f, const struct exp_run *x)
{
	char what[160] = "";
	if (x->e->template_name[0])
		snprintf(what, sizeof what, ": %ld x %s (%s)", x->e->n, x->e->template_name, inst_type_name(x->e->type));
	fprintf(f, "\nExperiment %s%s%s; %ld samples%s%s\n", x->e->name, what, x->interrupted ? ", interrupted" : "",
		x->n_samples, x->rec ? ", recorded to " : "", x->rec ? record_path(x->rec) : "");
	size_t n = 0, ready = 0;
	const struct boot_result *br = exp_boot_of(x, &n, &ready);
	char t[32], m[32], p[32];
	if (br) {
		exp_fmt_f(t, sizeof t, br->total_s, 3, " s");
		exp_fmt_f(m, sizeof m, br->cpu_mean_pct, 1, " %");
		exp_fmt_f(p, sizeof p, br->cpu_peak_pct, 1, " %");
		fprintf(f, "Boot:      %zu of %zu ready in %s; host CPU mean %s, peak %s\n", ready, n, t, m, p);
	}
	fprintf(f, "  %-12s %-7s %7s %13s %13s %8s %8s %8s %10s %11s %9s\n", "PHASE", "MERGING", "SAMPLES",
		"OVERHEAD_END", "OVERHEAD_AVG", "SHARED", "SHARING", "RATIO", "DAEMON_CPU", "SCAN_PAGE/S", "HOST_CPU");
	for (size_t i = 0; i < x->e->n_phases; i++)
		exp_text_phase(f, x, i);
	exp_text_compare(f, x);
	fflush(f);
}

static void exp_summary(struct exp_run *x)
{
	struct outbuf b = { 0 };
	exp_summary_json(&b, x);
	exp_emit_json(x, &b);
	if (x->cfg->format != OUT_JSON)
		exp_summary_text(x->cfg->format == OUT_TEXT ? stdout : stderr, x);
}

/* ---- the run ---- */

static void exp_cleanup(struct exp_run *x)
{
	if (!x->e->cleanup || x->n_clones == 0)
		return;
	const char **only = calloc(x->n_clones, sizeof *only);
	if (!only)
		return;
	for (size_t i = 0; i < x->n_clones; i++)
		only[i] = x->clones[i];
	struct boot_removal rm;
	char err[1024];
	int rc = boot_cleanup(x->cfg, x->e->template_name, only, x->n_clones, &rm, err, sizeof err);
	free(only);
	if (rc == 2) {
		fprintf(stderr, "uksmtop: --experiment: cleanup: %s\n", err);
		return;
	}
	if (x->cfg->format == OUT_TEXT)
		printf("Cleanup:   removed %zu clone%s\n", rm.n_removed, rm.n_removed == 1 ? "" : "s");
	for (size_t i = 0; i < rm.n_errors; i++)
		fprintf(stderr, "uksmtop: --experiment: cleanup: %s\n", rm.errors[i]);
	boot_removal_free(&rm);
}

static void exp_plot(struct exp_run *x)
{
	char err[2048];
	if (!x->e->plot[0] || !x->e->record[0])
		return;
	struct replay_log *l = replay_load(x->e->record, err, sizeof err);
	if (!l) {
		exp_fail(x, 1, "plot: %s", err);
		return;
	}
	if (plot_write(l, x->e->record, x->e->plot, err, sizeof err) != 0)
		exp_fail(x, 1, "--plot: %s", err);
	else if (x->cfg->format == OUT_TEXT)
		printf("Plot:      %s\n", x->e->plot);
	replay_log_free(l);
}

/* The header's "experiment" object. */
static void exp_describe(const struct exp_run *x, struct outbuf *b)
{
	outbuf_printf(b, "{\"file\":");
	outbuf_json_str(b, x->e->path);
	outbuf_printf(b, ",\"name\":");
	outbuf_json_str(b, x->e->name);
	outbuf_printf(b, ",\"template\":");
	outbuf_json_str(b, x->e->template_name);
	outbuf_printf(b, ",\"type\":\"%s\",\"n\":%ld,\"phases\":[", inst_type_name(x->e->type), x->e->n);
	for (size_t i = 0; i < x->e->n_phases; i++) {
		outbuf_printf(b, "%s", i ? "," : "");
		outbuf_json_str(b, x->e->phases[i].name);
	}
	outbuf_printf(b, "]}");
}

static int exp_open_record(struct exp_run *x, int argc, char **argv)
{
	if (!x->e->record[0])
		return 0;
	struct outbuf b = { 0 };
	exp_describe(x, &b);
	struct record_meta m = { .started = util_now_wall(), .delay_s = x->delay, .backend = sampler_backend(x->s),
				 .argc = argc, .argv = argv, .experiment = b.failed ? NULL : b.p };
	char err[1024];
	x->rec = record_open(x->e->record, &m, err, sizeof err);
	outbuf_free(&b);
	if (!x->rec) {
		fprintf(stderr, "uksmtop: --experiment: %s\n", err);
		return -1;
	}
	return 0;
}

/* Refusals that need no change on the host: before anything happens. */
static int exp_precheck(struct exp_run *x)
{
	char err[1024];
	int needs_dedup = 0;
	for (size_t i = 0; i < x->e->n_phases; i++)
		needs_dedup |= x->e->phases[i].dedup >= 0;
	if (needs_dedup && sampler_backend(x->s) == DEDUP_NONE) {
		exp_fail(x, 2, "%s: a phase sets dedup, but there is no merging daemon (neither uksm nor ksm)", x->e->path);
		return -1;
	}
	if ((needs_dedup || experiment_needs_boot(x->e)) && (x->cfg->secure || geteuid() != 0)) {
		exp_fail(x, 2, "%s: %s", x->e->path, x->cfg->secure ? "secure mode refuses every action"
			 : "its phases set dedup or boot clones: that needs root");
		return -1;
	}
	struct boot_request rq = { .template_name = x->e->template_name, .n = x->e->n, .mode = BOOT_STORM,
				   .backend = sampler_backend(x->s) };
	if (experiment_needs_boot(x->e) && boot_precheck(x->cfg, &rq, err, sizeof err) != 0) {
		exp_fail(x, 2, "%s: %s", x->e->path, err);
		return -1;
	}
	return 0;
}

int experiment_run(struct experiment *e, struct sampler *s, const struct config *cfg, int argc, char **argv,
		   volatile sig_atomic_t *stop)
{
	struct exp_run x = { .e = e, .s = s, .cfg = cfg, .stop = stop, .first_out = 1 };
	x.delay = !isnan(e->delay_s) ? e->delay_s : cfg->delay_s;
	enum dedup_kind k = sampler_backend(s);
	snprintf(x.daemon, sizeof x.daemon, "%s", k == DEDUP_UKSM ? "uksmd" : k == DEDUP_KSM ? "ksmd" : "daemon");
	if (exp_precheck(&x) < 0 || exp_open_record(&x, argc, argv) < 0)
		return x.status ? x.status : 1;
	x.t0 = x.next = util_now_mono();
	for (size_t i = 0; i < e->n_phases && !exp_stopped(&x) && x.status == 0; i++)
		exp_phase(&x, i);
	exp_summary(&x);
	exp_cleanup(&x);
	char err[512];
	if (record_close(x.rec, err, sizeof err) < 0)
		exp_fail(&x, 1, "%s", err);
	x.rec = NULL;
	if (!x.interrupted)
		exp_plot(&x);
	for (size_t i = 0; i < e->n_phases; i++)
		free(x.pr[i].pts);
	free(x.clones);
	return x.status;
}

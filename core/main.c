/* main.c - uksmtop's entry: parse settings, apply the requested actions, then run the
 * batch writer, the full-screen view, a replay or an experiment. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../tui/tui.h"
#include "boot.h"
#include "cli.h"
#include "experiment.h"
#include "output.h"
#include "plot.h"
#include "record.h"
#include "replay.h"
#include "sampler.h"
#include "util.h"

static volatile sig_atomic_t main_stop;

static void main_on_signal(int sig)
{
	(void)sig;
	main_stop = 1;
}

static void main_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = main_on_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: the sleep between samples must end at once. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static void main_sleep_until(double mono_deadline)
{
	struct timespec ts;
	ts.tv_sec = (time_t)mono_deadline;
	ts.tv_nsec = (long)((mono_deadline - (double)ts.tv_sec) * 1e9);
	if (ts.tv_nsec >= 1000000000L)
		ts.tv_nsec = 999999999L;
	/* EINTR from SIGINT/SIGTERM ends the wait; main_stop says why. */
	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

/* -w: one sample into the recording; a failure ends the run (status 1). */
static int main_record(struct record *rec, const struct sample *smp)
{
	char err[1024];
	if (!rec || record_sample(rec, smp, err, sizeof err) == 0)
		return 0;
	fprintf(stderr, "uksmtop: --write: %s\n", err);
	return -1;
}

static int main_batch(struct sampler *s, const struct config *cfg, struct record *rec)
{
	double next = util_now_mono();
	for (long i = 0; cfg->iterations < 0 || i < cfg->iterations; i++) {
		struct sample smp;
		sampler_take(s, &smp);
		int rc = output_write(STDOUT_FILENO, cfg->format, &smp, i == 0);
		if (main_record(rec, &smp) < 0) {
			sample_free(&smp);
			return 1;
		}
		sample_free(&smp);
		if (rc == -EPIPE)
			return 0; /* the reader went away: that is how `| head` ends us */
		if (rc < 0) {
			fprintf(stderr, "uksmtop: cannot write the output: %s\n", strerror(-rc));
			return 1;
		}
		if (main_stop || (cfg->iterations >= 0 && i + 1 >= cfg->iterations))
			break;
		next += cfg->delay_s;
		double now = util_now_mono();
		if (next < now)
			next = now; /* a slow sample: do not try to catch up in a burst */
		main_sleep_until(next);
		if (main_stop)
			break;
	}
	return 0;
}

/* --dedup: before sampling; without permission nothing else happens. */
static int main_set_dedup(struct sampler *s, const struct config *cfg)
{
	char err[512];
	if (sampler_backend(s) == DEDUP_NONE) {
		fprintf(stderr, "uksmtop: --dedup: no merging daemon (neither uksm nor ksm) on this host\n");
		return 1;
	}
	int rc = sampler_set_dedup(s, (enum dedup_run_mode)cfg->dedup_set, err, sizeof err);
	if (rc == 0)
		return 0;
	fprintf(stderr, "uksmtop: %s\n", err);
	return (rc == -EACCES || rc == -EPERM || rc == -EROFS || rc == -EINVAL) ? 2 : 1;
}

/* The view, when it is built in; until then batch text stands in. */
extern int tui_run(struct sampler *s, struct config *cfg) __attribute__((weak));
extern int tui_run_recorded(struct sampler *s, struct config *cfg, struct record *rec) __attribute__((weak));
extern int tui_replay(const struct replay_log *log, struct config *cfg) __attribute__((weak));

/* ---- -r: replay ---- */

/* A phase or summary line of an experiment, in text. */
static void main_replay_text_line(const struct replay_item *it)
{
	const struct json *j = it->json;
	if (it->kind == REPLAY_PHASE) {
		printf("\nPhase %lld/%lld %s begins at %s\n", (long long)json_i64(j, "index", 0),
		       (long long)json_i64(j, "of", 0), json_str(j, "name", "?"), json_str(j, "time", "?"));
		return;
	}
	printf("\nSummary of experiment %s: overhead %.1f MiB before merging (%s), %.1f MiB after (%s); "
	       "pages sharing %lld after; daemon CPU mean %.2f %%\n", json_str(j, "experiment", "?"),
	       json_num(j, "overhead_before_kb", NAN) / 1024.0, json_str(j, "before", "-"),
	       json_num(j, "overhead_after_kb", NAN) / 1024.0, json_str(j, "after", "-"),
	       (long long)json_i64(j, "pages_sharing_after", -1), json_num(j, "daemon_cpu_mean_pct", NAN));
}

/* Write one replayed item in cfg->format (and into rec, re-recording). 0,
 * 1 when stdout went away, -1 on a failure already said. */
static int main_replay_item(const struct config *cfg, const struct replay_item *it, int first, struct record *rec)
{
	char err[1024];
	int rc = 0;
	if (it->kind == REPLAY_SAMPLE) {
		rc = output_write(STDOUT_FILENO, cfg->format, &it->sample, first);
		if (main_record(rec, &it->sample) < 0)
			return -1;
	} else {
		if (rec && record_line(rec, it->line, it->len, err, sizeof err) < 0) {
			fprintf(stderr, "uksmtop: --write: %s\n", err);
			return -1;
		}
		struct outbuf b = { 0 };
		if (it->kind == REPLAY_BOOT)
			boot_render(&b, cfg->format, &it->boot);
		else if (cfg->format == OUT_JSON)
			outbuf_printf(&b, "%.*s", (int)it->len, it->line);
		else if (cfg->format == OUT_TEXT)
			main_replay_text_line(it);
		fflush(stdout);
		if (b.len && !b.failed && write(STDOUT_FILENO, b.p, b.len) < 0)
			rc = -errno;
		outbuf_free(&b);
	}
	if (rc == -EPIPE)
		return 1;
	if (rc < 0) {
		fprintf(stderr, "uksmtop: cannot write the output: %s\n", strerror(-rc));
		return -1;
	}
	return 0;
}

/* -r -w: the copy's header says where it came from. */
static struct record *main_rerecord(const struct record_args *ra, const struct replay_header *h)
{
	if (!ra->write[0])
		return NULL;
	char err[1024];
	struct stat a, b;
	if (stat(ra->read, &a) == 0 && stat(ra->write, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino) {
		fprintf(stderr, "uksmtop: --write: %s is the recording being read\n", ra->write);
		return NULL;
	}
	struct record_meta m = { .started = isnan(h->started) ? util_now_wall() : h->started, .delay_s = h->delay_s,
				 .backend = h->backend, .argc = ra->argc, .argv = ra->argv };
	struct record *rec = record_open(ra->write, &m, err, sizeof err);
	if (!rec)
		fprintf(stderr, "uksmtop: --write: %s\n", err);
	return rec;
}

/* -r FILE -b: convert the recording to the -o format, as fast as it reads. */
static int main_replay_batch(const struct config *cfg, const struct record_args *ra)
{
	char err[1024];
	struct replay *r = replay_open(ra->read, err, sizeof err);
	if (!r) {
		fprintf(stderr, "uksmtop: --read: %s\n", err);
		return 1;
	}
	struct record *rec = main_rerecord(ra, replay_header(r));
	int rc = (ra->write[0] && !rec) ? 1 : 0, got;
	long n = 0;
	struct replay_item it;
	while (rc == 0 && !main_stop && (cfg->iterations < 0 || n < cfg->iterations) &&
	       (got = replay_next(r, &it, err, sizeof err)) != 0) {
		if (got < 0) {
			fprintf(stderr, "uksmtop: --read: %s; replayed %ld samples up to there\n", err, n);
			rc = 1;
			break;
		}
		int w = main_replay_item(cfg, &it, n == 0, rec);
		n += it.kind == REPLAY_SAMPLE;
		replay_item_free(&it);
		if (w != 0) {
			rc = w < 0 ? 1 : 0;
			break;
		}
	}
	if (record_close(rec, err, sizeof err) < 0) {
		fprintf(stderr, "uksmtop: --write: %s\n", err);
		rc = 1;
	}
	replay_close(r);
	return rc;
}

/* -r FILE --plot OUT: data, script, gnuplot. */
static int main_plot(const struct record_args *ra)
{
	char err[2048];
	struct replay_log *l = replay_load(ra->read, err, sizeof err);
	if (!l) {
		fprintf(stderr, "uksmtop: --read: %s\n", err);
		return 1;
	}
	int rc = 0;
	if (l->damage[0]) {
		fprintf(stderr, "uksmtop: --read: %s; plotting the %zu samples before it\n", l->damage, l->n_samples);
		rc = 1;
	}
	if (plot_write(l, ra->read, ra->plot, err, sizeof err) != 0) {
		fprintf(stderr, "uksmtop: --plot: %s\n", err);
		rc = 1;
	} else {
		printf("%s\n", ra->plot);
	}
	replay_log_free(l);
	return rc;
}

/* -r in the view: the whole recording in memory, then the view. */
static int main_replay_view(struct config *cfg, const struct record_args *ra)
{
	char err[2048];
	struct replay_log *l = replay_load(ra->read, err, sizeof err);
	if (!l) {
		fprintf(stderr, "uksmtop: --read: %s\n", err);
		return 1;
	}
	int rc = tui_replay(l, cfg);
	if (l->damage[0]) {
		fprintf(stderr, "uksmtop: --read: %s; replayed the %zu samples before it\n", l->damage, l->n_samples);
		if (rc == 0)
			rc = 1;
	}
	replay_log_free(l);
	return rc;
}

static int main_replay(struct config *cfg, const struct record_args *ra)
{
	if (ra->plot[0])
		return main_plot(ra);
	if (!cfg->batch && tui_replay && !ra->write[0])
		return main_replay_view(cfg, ra);
	return main_replay_batch(cfg, ra);
}

/* ---- -w with --boot / --boot-storm: the result goes into the recording too ---- */

static int main_boot_record(const struct boot_snapshot *snap, void *ctx)
{
	struct record *rec = ctx;
	struct outbuf b = { 0 };
	char err[1024];
	boot_render(&b, OUT_JSON, snap);
	int rc = b.failed ? -1 : record_line(rec, b.p, b.len, err, sizeof err);
	if (rc < 0)
		fprintf(stderr, "uksmtop: --write: %s\n", b.failed ? "out of memory" : err);
	outbuf_free(&b);
	return rc < 0 ? -1 : 0;
}

/* ---- --experiment ---- */

static int main_experiment(struct config *cfg, const struct record_args *ra)
{
	char err[1024];
	struct experiment *e = NULL;
	int rc = experiment_load(ra->experiment, cfg, &e, err, sizeof err);
	if (rc != 0) {
		fprintf(stderr, "uksmtop: --experiment: %s\n", err);
		return rc;
	}
	experiment_override(e, ra->write, ra->plot);
	struct sampler *s = sampler_new(cfg, err, sizeof err);
	if (!s) {
		fprintf(stderr, "uksmtop: %s\n", err);
		experiment_free(e);
		return 1;
	}
	rc = experiment_run(e, s, cfg, ra->argc, ra->argv, &main_stop);
	sampler_free(s);
	experiment_free(e);
	return rc;
}

static struct record *main_record_open(struct sampler *s, const struct config *cfg, const struct record_args *ra)
{
	char err[1024];
	struct record_meta m = { .started = util_now_wall(), .delay_s = cfg->delay_s, .backend = sampler_backend(s),
				 .argc = ra->argc, .argv = ra->argv };
	struct record *rec = record_open(ra->write, &m, err, sizeof err);
	if (!rec)
		fprintf(stderr, "uksmtop: --write: %s\n", err);
	return rec;
}

int main(int argc, char **argv)
{
	struct config cfg;
	int rc = cli_parse(argc, argv, &cfg);
	if (rc != CLI_CONTINUE)
		return rc;
	main_signals();
	const struct record_args *ra = cli_record_args();
	if (ra->read[0])
		return main_replay(&cfg, ra);
	if (ra->experiment[0])
		return main_experiment(&cfg, ra);
	char err[512];
	struct record *rec = NULL;
	struct sampler *s = sampler_new(&cfg, err, sizeof err);
	if (!s) {
		fprintf(stderr, "uksmtop: %s\n", err);
		return 1;
	}
	if (cfg.dedup_set >= 0 && (rc = main_set_dedup(s, &cfg)) != 0)
		goto out;
	if (cfg.baseline_now && sampler_baseline_now(s, err, sizeof err) < 0) {
		fprintf(stderr, "uksmtop: --baseline-now: %s\n", err);
		rc = (strstr(err, "secure mode") != NULL) ? 2 : 1;
		goto out;
	}
	if (ra->write[0] && !(rec = main_record_open(s, &cfg, ra))) {
		rc = 1;
		goto out;
	}
	/* Booting or cleaning up first; -b in the same command samples afterwards. */
	if (cfg.boot_mode || cfg.cleanup) {
		rc = rec ? boot_cli_hooked(s, &cfg, main_boot_record, rec) : boot_cli(s, &cfg);
		if (rc != 0 || !cfg.batch)
			goto out;
	}
	if (cfg.batch || !tui_run || (rec && !tui_run_recorded))
		rc = main_batch(s, &cfg, rec);
	else
		rc = rec ? tui_run_recorded(s, &cfg, rec) : tui_run(s, &cfg);
out:
	if (record_close(rec, err, sizeof err) < 0) {
		fprintf(stderr, "uksmtop: --write: %s\n", err);
		if (rc == 0)
			rc = 1;
	}
	sampler_free(s);
	return rc;
}

/* main.c - uksmtop's entry: parse settings, apply the requested actions, then run the
 * batch writer or the full-screen view. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../tui/tui.h"
#include "boot.h"
#include "cli.h"
#include "output.h"
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

static int main_batch(struct sampler *s, const struct config *cfg)
{
	double next = util_now_mono();
	for (long i = 0; cfg->iterations < 0 || i < cfg->iterations; i++) {
		struct sample smp;
		sampler_take(s, &smp);
		int rc = output_write(STDOUT_FILENO, cfg->format, &smp, i == 0);
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

int main(int argc, char **argv)
{
	struct config cfg;
	int rc = cli_parse(argc, argv, &cfg);
	if (rc != CLI_CONTINUE)
		return rc;
	main_signals();
	char err[512];
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
	/* Booting or cleaning up first; -b in the same command samples afterwards. */
	if (cfg.boot_mode || cfg.cleanup) {
		rc = boot_cli(s, &cfg);
		if (rc != 0 || !cfg.batch)
			goto out;
	}
	if (cfg.batch || !tui_run)
		rc = main_batch(s, &cfg);
	else
		rc = tui_run(s, &cfg);
out:
	sampler_free(s);
	return rc;
}

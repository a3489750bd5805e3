/* worker.c - the sampling thread: takes a sample every delay and runs the slow actions, off the key loop. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../core/util.h"
#include "worker.h"

struct worker {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;      /* wakes the thread: stop, sample now, delay, request */
	struct sampler *s;
	int wake_fd;
	/* Under lock. */
	double delay_s;
	bool stop, now;
	enum worker_req req;
	int req_arg;
	struct sample ready;
	bool have_ready;
	struct sample spent;      /* handed back by the main loop, freed here */
	bool have_spent;
	enum worker_req done;
	int done_rc;
	char done_msg[512];
};

static void worker_wake_main(struct worker *w)
{
	char c = 's';

	/* A full pipe already holds a wake-up; nothing is lost by dropping this. */
	if (write(w->wake_fd, &c, 1) < 0 && errno != EAGAIN)
		return;
}

static void worker_do_request(struct worker *w, enum worker_req req, int arg)
{
	char msg[512] = "";
	int rc = 0;

	if (req == WORKER_REQ_SET_RUN)
		rc = sampler_set_dedup(w->s, (enum dedup_run_mode)arg, msg, sizeof(msg));
	else if (req == WORKER_REQ_BASELINE)
		rc = sampler_baseline_now(w->s, msg, sizeof(msg));
	pthread_mutex_lock(&w->lock);
	w->done = req;
	w->done_rc = rc;
	snprintf(w->done_msg, sizeof(w->done_msg), "%s", msg);
	pthread_mutex_unlock(&w->lock);
	worker_wake_main(w);
}

/* Events of a sample the main loop never took move into the next one:
 * every event must reach the message line. */
static void worker_carry_events(struct sample *old, struct sample *smp)
{
	size_t i;

	for (i = 0; i < smp->n_events; i++) {
		const struct event *e = &smp->events[i];

		sample_add_event(old, e->time, e->what, "%s", e->detail);
	}
	free(smp->events);
	smp->events = old->events;
	smp->n_events = old->n_events;
	old->events = NULL;
	old->n_events = 0;
}

static void worker_publish(struct worker *w, struct sample *smp)
{
	pthread_mutex_lock(&w->lock);
	if (w->have_ready) {
		worker_carry_events(&w->ready, smp);
		sample_free(&w->ready);
	}
	w->ready = *smp;
	w->have_ready = true;
	pthread_mutex_unlock(&w->lock);
	worker_wake_main(w);
}

static struct timespec worker_abstime(double mono)
{
	struct timespec ts;

	ts.tv_sec = (time_t)mono;
	ts.tv_nsec = (long)((mono - (double)ts.tv_sec) * 1e9);
	if (ts.tv_nsec >= 1000000000L)
		ts.tv_nsec = 999999999L;
	return ts;
}

/* Wait under lock until the next tick (start + delay, the delay read anew
 * each time so a change applies at once), or an earlier reason to act. */
static void worker_wait(struct worker *w, double start)
{
	while (!w->stop && !w->now && w->req == WORKER_REQ_NONE) {
		double deadline = start + w->delay_s;
		struct timespec ts;

		if (util_now_mono() >= deadline)
			break;
		ts = worker_abstime(deadline);
		pthread_cond_timedwait(&w->cond, &w->lock, &ts);
	}
	w->now = false;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	pthread_mutex_lock(&w->lock);
	while (!w->stop) {
		enum worker_req req = w->req;
		int req_arg = w->req_arg;
		struct sample smp;
		double start;

		w->req = WORKER_REQ_NONE;
		struct sample spent = w->spent;
		bool have_spent = w->have_spent;
		w->have_spent = false;
		pthread_mutex_unlock(&w->lock);
		if (have_spent)
			sample_free(&spent);
		/* An action first, so the sample after it shows its effect. */
		if (req != WORKER_REQ_NONE)
			worker_do_request(w, req, req_arg);
		start = util_now_mono();
		if (sampler_take(w->s, &smp) == 0)
			worker_publish(w, &smp);
		else
			sample_free(&smp);
		pthread_mutex_lock(&w->lock);
		worker_wait(w, start);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

struct worker *worker_start(struct sampler *s, double delay_s, int wake_fd, char *err, size_t errlen)
{
	struct worker *w = calloc(1, sizeof(*w));
	pthread_condattr_t ca;
	sigset_t all, old;
	int rc;

	if (!w) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	w->s = s;
	w->wake_fd = wake_fd;
	w->delay_s = delay_s;
	pthread_mutex_init(&w->lock, NULL);
	pthread_condattr_init(&ca);
	/* Ticks follow the monotonic clock: a clock change must not stall sampling. */
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->cond, &ca);
	pthread_condattr_destroy(&ca);
	/* Signals (resize, quit) belong to the main loop, not this thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = pthread_create(&w->thread, NULL, worker_main, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		snprintf(err, errlen, "cannot start the sampling thread: %s", strerror(rc));
		pthread_cond_destroy(&w->cond);
		pthread_mutex_destroy(&w->lock);
		free(w);
		return NULL;
	}
	return w;
}

void worker_stop(struct worker *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->stop = true;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	if (w->have_ready)
		sample_free(&w->ready);
	if (w->have_spent)
		sample_free(&w->spent);
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->lock);
	free(w);
}

void worker_set_delay(struct worker *w, double delay_s)
{
	pthread_mutex_lock(&w->lock);
	w->delay_s = delay_s;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

void worker_sample_now(struct worker *w)
{
	pthread_mutex_lock(&w->lock);
	w->now = true;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

void worker_request(struct worker *w, enum worker_req req, int arg)
{
	pthread_mutex_lock(&w->lock);
	w->req = req;
	w->req_arg = arg;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

bool worker_take(struct worker *w, struct sample *out)
{
	bool have;

	pthread_mutex_lock(&w->lock);
	have = w->have_ready;
	if (have) {
		*out = w->ready;
		w->have_ready = false;
	}
	pthread_mutex_unlock(&w->lock);
	return have;
}

void worker_recycle(struct worker *w, struct sample *old)
{
	struct sample drop;
	bool have_drop;

	pthread_mutex_lock(&w->lock);
	drop = w->spent;
	have_drop = w->have_spent;
	w->spent = *old;
	w->have_spent = true;
	pthread_mutex_unlock(&w->lock);
	/* Only when two came back within one tick; the thread frees the rest. */
	if (have_drop)
		sample_free(&drop);
	memset(old, 0, sizeof(*old));
}

enum worker_req worker_result(struct worker *w, int *rc, char *msg, size_t msglen)
{
	enum worker_req done;

	pthread_mutex_lock(&w->lock);
	done = w->done;
	if (done != WORKER_REQ_NONE) {
		*rc = w->done_rc;
		snprintf(msg, msglen, "%s", w->done_msg);
		w->done = WORKER_REQ_NONE;
	}
	pthread_mutex_unlock(&w->lock);
	return done;
}

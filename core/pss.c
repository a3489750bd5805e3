/* pss.c - PSS and shared memory walk page tables (~7 us per resident MB), so they run
 * here, on a thread of their own, and the sampler only looks the newest result up. */
#include "pss.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../backends/procfs.h"
#include "util.h"
#include "value.h"

struct pss_result {
	enum inst_type type;
	char name[INST_NAME_MAX];
	int64_t pss_kb, shared_kb;
	double when;
	int denied;    /* processes whose smaps_rollup this user may not read */
};

struct pss_worker {
	double interval_s;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t thread;
	int have_thread;
	int stop;
	struct pss_job *jobs;    /* newest submitted set, owned */
	size_t n_jobs;
	unsigned long job_gen;   /* bumps on every new set; 0 until the first */
	struct pss_result *res;  /* results of the last completed pass */
	size_t n_res;
};

static void pss_jobs_free(struct pss_job *jobs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(jobs[i].pids);
	free(jobs);
}

static struct pss_job *pss_jobs_copy(const struct pss_job *src, size_t n)
{
	struct pss_job *dst = calloc(n ? n : 1, sizeof *dst);
	if (!dst)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		dst[i] = src[i];
		dst[i].pids = NULL;
		if (!src[i].n_pids)
			continue;
		dst[i].pids = malloc(src[i].n_pids * sizeof(pid_t));
		if (!dst[i].pids) {
			pss_jobs_free(dst, i);
			return NULL;
		}
		memcpy(dst[i].pids, src[i].pids, src[i].n_pids * sizeof(pid_t));
	}
	return dst;
}

/* One pass over a private copy of the jobs; no lock held while reading /proc. */
static void pss_pass(struct pss_worker *w, struct pss_job *jobs, size_t n)
{
	struct pss_result *res = calloc(n ? n : 1, sizeof *res);
	if (!res)
		return;
	for (size_t i = 0; i < n; i++) {
		struct pss_result *r = &res[i];
		r->type = jobs[i].type;
		util_strlcpy(r->name, jobs[i].name, sizeof r->name);
		int64_t pss = 0, shr = 0;
		int readable = 0;
		for (size_t j = 0; j < jobs[i].n_pids; j++) {
			struct proc_rollup ru;
			int rc = procfs_proc_rollup(jobs[i].pids[j], &ru);
			if (rc == -EACCES || rc == -EPERM)
				r->denied++;
			if (rc < 0)
				continue; /* vanished or unreadable: simply not in the sum */
			readable++;
			if (val_known(ru.pss_kb))
				pss += ru.pss_kb;
			if (val_known(ru.shared_kb))
				shr += ru.shared_kb;
		}
		r->pss_kb = readable ? pss : VAL_NULL;
		r->shared_kb = readable ? shr : VAL_NULL;
		r->when = util_now_mono();
	}
	pthread_mutex_lock(&w->lock);
	free(w->res);
	w->res = res;
	w->n_res = n;
	pthread_mutex_unlock(&w->lock);
}

void pss_run_now(struct pss_worker *w)
{
	pthread_mutex_lock(&w->lock);
	size_t n = w->n_jobs;
	struct pss_job *copy = pss_jobs_copy(w->jobs, n);
	pthread_mutex_unlock(&w->lock);
	if (!copy)
		return;
	pss_pass(w, copy, n);
	pss_jobs_free(copy, n);
}

static void pss_deadline(struct timespec *ts, double from_now)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	double s = (double)ts->tv_sec + ts->tv_nsec / 1e9 + from_now;
	ts->tv_sec = (time_t)s;
	ts->tv_nsec = (long)((s - (double)ts->tv_sec) * 1e9);
}

static void *pss_thread(void *arg)
{
	struct pss_worker *w = arg;
	pthread_mutex_lock(&w->lock);
	/* The first pass starts as soon as there is something to measure. */
	while (!w->stop && w->job_gen == 0)
		pthread_cond_wait(&w->cond, &w->lock);
	while (!w->stop) {
		pthread_mutex_unlock(&w->lock);
		pss_run_now(w);
		pthread_mutex_lock(&w->lock);
		struct timespec ts;
		pss_deadline(&ts, w->interval_s);
		while (!w->stop && pthread_cond_timedwait(&w->cond, &w->lock, &ts) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

struct pss_worker *pss_new(double interval_s)
{
	struct pss_worker *w = calloc(1, sizeof *w);
	if (!w)
		return NULL;
	w->interval_s = interval_s;
	pthread_mutex_init(&w->lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->cond, &ca);
	pthread_condattr_destroy(&ca);
	if (interval_s > 0 && pthread_create(&w->thread, NULL, pss_thread, w) == 0)
		w->have_thread = 1;
	return w;
}

void pss_free(struct pss_worker *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->stop = 1;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
	if (w->have_thread)
		pthread_join(w->thread, NULL);
	pss_jobs_free(w->jobs, w->n_jobs);
	free(w->res);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->cond);
	free(w);
}

/* Same instance set as before (names and pids)? Then the thread keeps its cadence. */
static int pss_same_set(const struct pss_job *a, size_t na, const struct pss_job *b, size_t nb)
{
	if (na != nb)
		return 0;
	for (size_t i = 0; i < na; i++) {
		if (a[i].type != b[i].type || strcmp(a[i].name, b[i].name) != 0 ||
		    a[i].n_pids != b[i].n_pids)
			return 0;
		if (a[i].n_pids && memcmp(a[i].pids, b[i].pids, a[i].n_pids * sizeof(pid_t)) != 0)
			return 0;
	}
	return 1;
}

void pss_submit(struct pss_worker *w, const struct pss_job *jobs, size_t n)
{
	pthread_mutex_lock(&w->lock);
	int same = w->job_gen > 0 && pss_same_set(w->jobs, w->n_jobs, jobs, n);
	pthread_mutex_unlock(&w->lock);
	if (same)
		return;
	struct pss_job *copy = pss_jobs_copy(jobs, n);
	if (!copy)
		return;
	pthread_mutex_lock(&w->lock);
	pss_jobs_free(w->jobs, w->n_jobs);
	w->jobs = copy;
	w->n_jobs = n;
	w->job_gen++;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

int pss_lookup(struct pss_worker *w, enum inst_type type, const char *name, int64_t *pss_kb,
	       int64_t *shared_kb, double *when_mono, int *denied)
{
	int rc = -1;
	pthread_mutex_lock(&w->lock);
	for (size_t i = 0; i < w->n_res; i++) {
		struct pss_result *r = &w->res[i];
		if (r->type != type || strcmp(r->name, name) != 0)
			continue;
		*pss_kb = r->pss_kb;
		*shared_kb = r->shared_kb;
		*when_mono = r->when;
		*denied = r->denied;
		rc = 0;
		break;
	}
	pthread_mutex_unlock(&w->lock);
	return rc;
}

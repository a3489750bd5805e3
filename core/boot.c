/* boot.c - the boot engine (clones made, started one by one or all at once, probed, timed against host CPU), the results file, cleanup, and the command line that drives them. */
#include "boot.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../backends/clone.h"
#include "../backends/procfs.h"
#include "probe.h"
#include "util.h"
#include "value.h"

#define BOOT_CPU_PERIOD_S 0.1        /* host CPU sampled this often over a boot */
#define BOOT_DISCOVER_PERIOD_S 0.2   /* an address asked of libvirt / liblxc this often */
#define BOOT_THREAD_STACK (2u << 20) /* liblxc's start runs on it, in a forked child */
#define BOOT_INDEX_MAX 99999

enum boot_merge { BOOT_MERGE_NO = 0, BOOT_MERGE_MUST = 1, BOOT_MERGE_TRY = 2 };

struct boot_run {
	/* fixed once started */
	struct template t;
	enum boot_mode mode;
	long n;
	enum boot_merge merge;
	char connect_uri[CFG_STR_MAX];
	char lxcpath[CFG_STR_MAX];
	char results_path[CFG_STR_MAX];
	const struct clone_ops *ops;
	void *h;                     /* the clone backend, opened on the engine thread */
	struct clone_facts facts;
	struct clone_spec *specs;    /* each touched only by the thread that boots it */
	struct procfs *pf;
	pthread_t thread;
	int joined;
	atomic_int cancel;
	double t0;                   /* monotonic time of the first start */
	/* below: under mu */
	pthread_mutex_t mu;
	pthread_cond_t cv;           /* a worker ended, the run ended */
	pthread_cond_t go_cv;        /* the storm's starting gun */
	int go;
	int workers_left;
	double t_last;               /* the last clone ready or given up (monotonic) */
	uint64_t busy0, total0, busy_prev, total_prev;
	int cpu_samples;
	struct boot_snapshot st;     /* the live state boot_progress copies */
};

/* ---- state, under the lock ---------------------------------------------------------- */

static void boot_lock(struct boot_run *r) { pthread_mutex_lock(&r->mu); }
static void boot_unlock(struct boot_run *r) { pthread_mutex_unlock(&r->mu); }

static void boot_clone_state(struct boot_run *r, size_t i, enum boot_clone_state s, const char *error)
{
	boot_lock(r);
	struct boot_clone *c = &r->st.clones[i];
	c->state = s;
	if (s == BOOT_CLONE_PREPARED)
		r->st.n_prepared++;
	if (s == BOOT_CLONE_PROBING)
		r->st.n_started++;
	if (s == BOOT_CLONE_READY)
		r->st.n_ready++;
	if (s == BOOT_CLONE_FAILED) {
		r->st.n_failed++;
		util_strlcpy(c->error, error ? error : "failed", sizeof c->error);
	}
	if (s == BOOT_CLONE_READY || s == BOOT_CLONE_FAILED)
		r->t_last = util_now_mono();
	boot_unlock(r);
}

/* A refusal: the run ends with status 2 and this line; nothing was changed. */
static int boot_refuse(struct boot_run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int boot_refuse(struct boot_run *r, const char *fmt, ...)
{
	va_list ap;
	boot_lock(r);
	va_start(ap, fmt);
	vsnprintf(r->st.message, sizeof r->st.message, fmt, ap);
	va_end(ap);
	r->st.status = 2;
	boot_unlock(r);
	return -1;
}

/* ---- the checks ------------------------------------------------------------------------- */

static const char *boot_config_name(const struct config *cfg)
{
	return cfg->config_path[0] ? cfg->config_path : "the config file (none was read)";
}

static void boot_template_list(const struct config *cfg, char *buf, size_t len)
{
	size_t o = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < cfg->n_templates && o + 2 < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? ", " : "", cfg->templates[i].name);
	if (o >= len)
		buf[len - 1] = '\0';
}

/* Secure mode and root: every action asks these first. */
static int boot_allowed(const struct config *cfg, char *err, size_t errlen)
{
	if (cfg->secure) {
		snprintf(err, errlen, "refused in secure mode (-s/--secure, or secure = yes): every action is disabled");
		return 2;
	}
	if (geteuid() != 0) {
		snprintf(err, errlen, "refused: cloning, starting and removing instances needs root");
		return 2;
	}
	return 0;
}

int boot_precheck(const struct config *cfg, const struct boot_request *rq, char *err, size_t errlen)
{
	char list[1024];
	int rc = boot_allowed(cfg, err, errlen);
	if (rc)
		return rc;
	boot_template_list(cfg, list, sizeof list);
	const struct template *t = rq->template_name ? config_template(cfg, rq->template_name) : NULL;
	if (!t) {
		snprintf(err, errlen, "no template '%s' in %s (%s%s)", rq->template_name ? rq->template_name : "",
			 boot_config_name(cfg), list[0] ? "templates: " : "no [template NAME] section; "
			 "tests/demo/setup.sh writes two", list);
		return 2;
	}
	if (rq->n < 1 || rq->n > cfg->max_boot) {
		snprintf(err, errlen, "refused: %ld clones asked, at most %d at once (max_boot in [uksmtop])",
			 rq->n, cfg->max_boot);
		return 2;
	}
	if (!clone_ops_for(t->type)) {
		snprintf(err, errlen, "[template %s] type = %s: this uksmtop was built without %s", t->name,
			 inst_type_name(t->type), t->type == INST_KVM ? "libvirt" : "liblxc");
		return 2;
	}
	if ((t->type == INST_KVM && !cfg->use_libvirt) || (t->type == INST_LXC && !cfg->use_lxc)) {
		snprintf(err, errlen, "[template %s] type = %s: %s is turned off (--no-%s or its config key)",
			 t->name, inst_type_name(t->type), t->type == INST_KVM ? "libvirt" : "lxc",
			 t->type == INST_KVM ? "libvirt" : "lxc");
		return 2;
	}
	return 0;
}

static int boot_memory_guard(struct boot_run *r)
{
	struct host_figs hf;
	if (procfs_host(r->pf, &hf) < 0 || !val_known(hf.mem_avail_kb))
		return 0; /* unknown: no figure to refuse with */
	int64_t need = (int64_t)r->n * r->facts.mem_kb;
	if (need <= hf.mem_avail_kb)
		return 0;
	return boot_refuse(r, "refused: %ld clones x %.0f MiB (%s%s) = %.0f MiB, but MemAvailable is %.0f MiB",
			   r->n, (double)r->facts.mem_kb / 1024.0, r->facts.mem_basis,
			   r->facts.mem_estimated ? ", stated estimate" : "", (double)need / 1024.0,
			   (double)hf.mem_avail_kb / 1024.0);
}

/* The n lowest free indices: PREFIX<i>, and address + (i - 1) when the template gives one. */
static int boot_pick_names(struct boot_run *r)
{
	int idx = 1;
	for (long k = 0; k < r->n; k++, idx++) {
		struct clone_spec *sp = &r->specs[k];
		for (;; idx++) {
			if (idx > BOOT_INDEX_MAX)
				return boot_refuse(r, "[template %s] prefix = %s: no free clone name left", r->t.name, r->t.prefix);
			snprintf(sp->name, sizeof sp->name, "%s%d", r->t.prefix, idx);
			if (!r->ops->exists(r->h, sp->name))
				break;
		}
		sp->index = idx;
		sp->merge_any = r->merge;
		sp->merge_verified = -1;
		if (r->t.address[0]) {
			if (clone_address_add(r->t.address, idx - 1, sp->address, sizeof sp->address) < 0)
				return boot_refuse(r, "[template %s] address = %s: clone %s would need an address past "
						   "the end of that /24", r->t.name, r->t.address, sp->name);
			sp->address_static = 1;
		}
		boot_lock(r);
		util_strlcpy(r->st.clones[k].name, sp->name, sizeof r->st.clones[k].name);
		util_strlcpy(r->st.clones[k].address, sp->address, sizeof r->st.clones[k].address);
		boot_unlock(r);
	}
	return 0;
}

static void boot_prepare_all(struct boot_run *r)
{
	for (long k = 0; k < r->n && !atomic_load(&r->cancel); k++) {
		char err[1024];
		if (r->ops->prepare(r->h, &r->t, &r->facts, &r->specs[k], err, sizeof err) < 0)
			boot_clone_state(r, (size_t)k, BOOT_CLONE_FAILED, err);
		else
			boot_clone_state(r, (size_t)k, BOOT_CLONE_PREPARED, NULL);
	}
}

static int boot_setup(struct boot_run *r)
{
	char err[1024];
	struct clone_opts o = { .connect_uri = r->connect_uri, .lxcpath = r->lxcpath };
	r->pf = procfs_open(err, sizeof err);
	if (!r->pf)
		return boot_refuse(r, "%s", err);
	r->h = r->ops->open(&o, err, sizeof err);
	if (!r->h)
		return boot_refuse(r, "%s", err);
	if (r->ops->check(r->h, &r->t, &r->facts, err, sizeof err) < 0)
		return boot_refuse(r, "%s", err);
	if (boot_memory_guard(r) < 0 || boot_pick_names(r) < 0)
		return -1;
	boot_prepare_all(r);
	return 0;
}

/* ---- host CPU over the boot -------------------------------------------------------------- */

static void boot_cpu_sample(struct boot_run *r)
{
	struct host_figs hf;
	if (procfs_host(r->pf, &hf) < 0 || hf.cpu_total_ticks == 0)
		return;
	boot_lock(r);
	if (r->cpu_samples++ == 0) {
		r->busy0 = r->busy_prev = hf.cpu_busy_ticks;
		r->total0 = r->total_prev = hf.cpu_total_ticks;
		boot_unlock(r);
		return;
	}
	uint64_t db = hf.cpu_busy_ticks - r->busy_prev, dt = hf.cpu_total_ticks - r->total_prev;
	/* /proc/stat moves in ticks: an interval without one is merged into the next. */
	if (dt > 0) {
		double pct = 100.0 * (double)db / (double)dt;
		r->st.cpu_now_pct = pct;
		if (isnan(r->st.cpu_peak_pct) || pct > r->st.cpu_peak_pct)
			r->st.cpu_peak_pct = pct;
		r->busy_prev = hf.cpu_busy_ticks;
		r->total_prev = hf.cpu_total_ticks;
	}
	if (r->total_prev > r->total0)
		r->st.cpu_mean_pct = 100.0 * (double)(r->busy_prev - r->busy0) / (double)(r->total_prev - r->total0);
	boot_unlock(r);
}

static double boot_cpu_mean(struct boot_run *r)
{
	boot_lock(r);
	double v = r->st.cpu_mean_pct;
	boot_unlock(r);
	return v;
}

static void boot_sleep_until(double mono)
{
	double left = mono - util_now_mono();
	if (left <= 0)
		return;
	struct timespec ts = { .tv_sec = (time_t)left, .tv_nsec = (long)((left - (double)(time_t)left) * 1e9) };
	nanosleep(&ts, NULL);
}

/* ---- one clone: start, then probe until ready or its timeout ---------------------------- */

/* The probe, or NULL for ready = state (the backend answers that). */
static struct probe *boot_probe_new(struct boot_run *r, struct clone_spec *sp, char *err, size_t errlen)
{
	if (r->t.ready == READY_STATE)
		return NULL;
	struct probe *p = probe_new(r->t.ready, r->t.ready_port, r->t.ready_text, err, errlen);
	if (!p)
		return NULL;
	if (sp->address[0])
		probe_set_address(p, sp->address);
	if (sp->console_log[0])
		probe_set_log(p, sp->console_log);
	return p;
}

/* An address from libvirt or liblxc, for a template without one. */
static void boot_discover(struct boot_run *r, size_t i, struct probe *p, double *next)
{
	struct clone_spec *sp = &r->specs[i];
	if (sp->address[0] || r->t.ready == READY_STATE || r->t.ready == READY_CONSOLE)
		return;
	double now = util_now_mono();
	if (now < *next)
		return;
	*next = now + BOOT_DISCOVER_PERIOD_S;
	if (r->ops->discover(r->h, sp) < 0 || !sp->address[0])
		return;
	probe_set_address(p, sp->address);
	boot_lock(r);
	util_strlcpy(r->st.clones[i].address, sp->address, sizeof r->st.clones[i].address);
	boot_unlock(r);
}

static int boot_probe_until(struct boot_run *r, size_t i, struct probe *p, double t_start)
{
	double deadline = t_start + r->t.timeout_s, next_discover = 0;
	while (!atomic_load(&r->cancel)) {
		double t = util_now_mono();
		if (t > deadline)
			return 0;
		boot_discover(r, i, p, &next_discover);
		/* An answer after the deadline does not count: wait no longer than it. */
		double wait = deadline - t < PROBE_PERIOD_S ? deadline - t : PROBE_PERIOD_S;
		int ok = p ? probe_once(p, wait) == 1 : r->ops->running(r->h, &r->specs[i]) == 1;
		if (ok) {
			double now = util_now_mono();
			boot_lock(r);
			r->st.clones[i].ready_s = now - (r->mode == BOOT_STORM ? r->t0 : t_start);
			boot_unlock(r);
			return 1;
		}
		boot_sleep_until(t + PROBE_PERIOD_S);
	}
	return 0;
}

static void boot_one(struct boot_run *r, size_t i)
{
	struct clone_spec *sp = &r->specs[i];
	char err[1024];
	double t_start = util_now_mono();
	boot_lock(r);
	if (r->st.clones[i].state != BOOT_CLONE_PREPARED || atomic_load(&r->cancel)) {
		boot_unlock(r);
		return; /* failed to prepare (already counted), or cancelled */
	}
	r->st.clones[i].start_s = t_start - r->t0;
	r->st.clones[i].state = BOOT_CLONE_STARTING;
	boot_unlock(r);
	if (r->ops->start(r->h, sp, err, sizeof err) < 0) {
		boot_clone_state(r, i, BOOT_CLONE_FAILED, err);
		return;
	}
	boot_lock(r);
	r->st.clones[i].merge_any = sp->merge_verified;
	boot_unlock(r);
	boot_clone_state(r, i, BOOT_CLONE_PROBING, NULL);
	struct probe *p = boot_probe_new(r, sp, err, sizeof err);
	if (!p && r->t.ready != READY_STATE) {
		boot_clone_state(r, i, BOOT_CLONE_FAILED, err);
		return;
	}
	int ok = boot_probe_until(r, i, p, t_start);
	if (ok) {
		boot_clone_state(r, i, BOOT_CLONE_READY, NULL);
	} else {
		char what[256];
		if (p)
			probe_describe(p, what, sizeof what);
		else
			snprintf(what, sizeof what, "state running");
		if (atomic_load(&r->cancel))
			snprintf(err, sizeof err, "cancelled (%s)", what);
		else
			snprintf(err, sizeof err, "not ready within %g s (%s)", r->t.timeout_s, what);
		boot_clone_state(r, i, BOOT_CLONE_FAILED, err);
	}
	probe_free(p);
}

/* ---- workers ------------------------------------------------------------------------------- */

struct boot_worker {
	struct boot_run *r;
	size_t first, count;       /* the clones it boots, in order */
	pthread_t tid;
	int started;
};

static void boot_wait_go(struct boot_run *r)
{
	boot_lock(r);
	while (!r->go)
		pthread_cond_wait(&r->go_cv, &r->mu);
	boot_unlock(r);
}

static void *boot_worker_main(void *arg)
{
	struct boot_worker *w = arg;
	struct boot_run *r = w->r;
	boot_wait_go(r);
	for (size_t i = w->first; i < w->first + w->count; i++)
		boot_one(r, i);
	boot_lock(r);
	r->workers_left--;
	pthread_cond_broadcast(&r->cv);
	boot_unlock(r);
	return NULL;
}

static size_t boot_spawn(struct boot_run *r, struct boot_worker *w, size_t nw)
{
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, BOOT_THREAD_STACK);
	size_t started = 0;
	for (size_t k = 0; k < nw; k++) {
		w[k].r = r;
		boot_lock(r);
		r->workers_left++;
		boot_unlock(r);
		if (pthread_create(&w[k].tid, &attr, boot_worker_main, &w[k]) == 0) {
			w[k].started = 1;
			started++;
			continue;
		}
		boot_lock(r);
		r->workers_left--;
		boot_unlock(r);
		for (size_t i = w[k].first; i < w[k].first + w[k].count; i++)
			if (r->st.clones[i].state == BOOT_CLONE_PREPARED)
				boot_clone_state(r, i, BOOT_CLONE_FAILED, "cannot start a thread for it");
	}
	pthread_attr_destroy(&attr);
	return started;
}

/* The timed part: every worker waits at the gate, the clock starts, the gate opens. */
static void boot_go(struct boot_run *r)
{
	size_t nw = r->mode == BOOT_STORM ? (size_t)r->n : 1;
	struct boot_worker *w = calloc(nw, sizeof *w);
	if (!w) {
		for (long i = 0; i < r->n; i++)
			if (r->st.clones[i].state == BOOT_CLONE_PREPARED)
				boot_clone_state(r, (size_t)i, BOOT_CLONE_FAILED, "out of memory");
		return;
	}
	for (size_t k = 0; k < nw; k++) {
		w[k].first = r->mode == BOOT_STORM ? k : 0;
		w[k].count = r->mode == BOOT_STORM ? 1 : (size_t)r->n;
	}
	boot_spawn(r, w, nw);
	boot_cpu_sample(r);
	boot_lock(r);
	r->t0 = util_now_mono();
	r->t_last = r->t0;
	r->st.wall_start = util_now_wall();
	r->st.phase = BOOT_BOOTING;
	r->go = 1;
	pthread_cond_broadcast(&r->go_cv);
	/* Sample the host's CPU every ~100 ms until the last worker is done. */
	while (r->workers_left > 0) {
		struct timespec dl;
		clock_gettime(CLOCK_MONOTONIC, &dl);
		dl.tv_nsec += (long)(BOOT_CPU_PERIOD_S * 1e9);
		if (dl.tv_nsec >= 1000000000L) {
			dl.tv_sec++;
			dl.tv_nsec -= 1000000000L;
		}
		if (pthread_cond_timedwait(&r->cv, &r->mu, &dl) == ETIMEDOUT) {
			boot_unlock(r);
			boot_cpu_sample(r);
			boot_lock(r);
		}
	}
	boot_unlock(r);
	boot_cpu_sample(r);
	/* A boot shorter than a clock tick has no CPU figure yet: wait for the next tick. */
	for (int k = 0; k < 20 && isnan(boot_cpu_mean(r)); k++) {
		boot_sleep_until(util_now_mono() + 0.01);
		boot_cpu_sample(r);
	}
	for (size_t k = 0; k < nw; k++)
		if (w[k].started)
			pthread_join(w[k].tid, NULL);
	free(w);
}

/* ---- the end: figures, the results file ---------------------------------------------------- */

static int boot_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void boot_stats(struct boot_run *r)
{
	struct boot_result *res = &r->st.result;
	double *v = calloc((size_t)r->n, sizeof *v);
	size_t k = 0;
	for (long i = 0; v && i < r->n; i++)
		if (r->st.clones[i].state == BOOT_CLONE_READY)
			v[k++] = r->st.clones[i].ready_s;
	res->min_s = res->median_s = res->max_s = NAN;
	if (k > 0) {
		qsort(v, k, sizeof *v, boot_cmp_double);
		res->min_s = v[0];
		res->max_s = v[k - 1];
		res->median_s = k % 2 ? v[k / 2] : (v[k / 2 - 1] + v[k / 2]) / 2.0;
	}
	free(v);
	res->failed = (int)(r->n - (long)k);
	res->total_s = r->st.phase == BOOT_PREPARING ? NAN : r->t_last - r->t0;
	res->cpu_mean_pct = r->st.cpu_mean_pct;
	res->cpu_peak_pct = r->st.cpu_peak_pct;
}

static void boot_csv_f(char *buf, size_t len, double v, int prec)
{
	if (isnan(v))
		buf[0] = '\0';
	else
		snprintf(buf, len, "%.*f", prec, v);
}

/* The old file plus one line, through a temporary file and a rename: a full
 * disk leaves the old file as it was, never half a line. */
static int boot_append_line(const char *path, const char *line, char *err, size_t errlen)
{
	char dir[CFG_STR_MAX];
	util_strlcpy(dir, path, sizeof dir);
	char *slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		util_mkdir_p(dir, 0755);
	}
	struct outbuf b = { 0 };
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno != ENOENT) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	if (fd >= 0) {
		char chunk[8192];
		ssize_t n;
		while ((n = read(fd, chunk, sizeof chunk)) > 0)
			outbuf_printf(&b, "%.*s", (int)n, chunk);
		close(fd);
		if (n < 0) {
			snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
			outbuf_free(&b);
			return -1;
		}
	}
	if (b.len == 0)
		outbuf_printf(&b, "%s\n", BOOT_RESULTS_HEADER);
	else if (b.p[b.len - 1] != '\n')
		outbuf_printf(&b, "\n");
	outbuf_printf(&b, "%s\n", line);
	int rc = -1;
	if (b.failed)
		snprintf(err, errlen, "out of memory");
	else
		rc = util_write_atomic(path, b.p, b.len, err, errlen) < 0 ? -1 : 0;
	outbuf_free(&b);
	return rc;
}

static void boot_write_results(struct boot_run *r)
{
	struct boot_result *res = &r->st.result;
	char when[40], tot[32], mn[32], md[32], mx[32], cm[32], cp[32], line[1024];
	util_iso8601(r->st.wall_start, when, sizeof when);
	boot_csv_f(tot, sizeof tot, res->total_s, 3);
	boot_csv_f(mn, sizeof mn, res->min_s, 3);
	boot_csv_f(md, sizeof md, res->median_s, 3);
	boot_csv_f(mx, sizeof mx, res->max_s, 3);
	boot_csv_f(cm, sizeof cm, res->cpu_mean_pct, 1);
	boot_csv_f(cp, sizeof cp, res->cpu_peak_pct, 1);
	snprintf(line, sizeof line, "%s,%s,%s,%ld,%s,%s,%s,%s,%s,%s,%d", when, r->t.name, inst_type_name(r->t.type),
		 r->n, tot, mn, md, mx, cm, cp, res->failed);
	if (!r->results_path[0]) {
		snprintf(res->results_error, sizeof res->results_error,
			 "no results file: neither the results key nor $XDG_STATE_HOME or $HOME is set");
		return;
	}
	if (boot_append_line(r->results_path, line, res->results_error, sizeof res->results_error) == 0)
		util_strlcpy(res->results_path, r->results_path, sizeof res->results_path);
}

/* "not ready: a (why); b (why)" */
static void boot_failure_message(struct boot_run *r)
{
	size_t o = 0;
	char *m = r->st.message;
	size_t len = sizeof r->st.message;
	for (long i = 0; i < r->n && o + 4 < len; i++) {
		const struct boot_clone *c = &r->st.clones[i];
		if (c->state == BOOT_CLONE_READY)
			continue;
		o += (size_t)snprintf(m + o, len - o, "%s%s (%s)", o ? "; " : "not ready: ", c->name,
				      c->state == BOOT_CLONE_FAILED ? c->error : "never started");
	}
	if (o >= len)
		m[len - 1] = '\0';
}

static void boot_finish(struct boot_run *r)
{
	for (long i = 0; r->specs && i < r->n; i++)
		if (r->h)
			r->ops->release(r->h, &r->specs[i]);
	if (r->h)
		r->ops->close(r->h);
	r->h = NULL;
	procfs_close(r->pf);
	r->pf = NULL;
	boot_lock(r);
	int refused = r->st.status == 2;
	if (!refused) {
		boot_stats(r);
		if (r->st.result.failed > 0 || atomic_load(&r->cancel)) {
			r->st.status = 1;
			boot_failure_message(r);
		}
	}
	boot_unlock(r);
	/* A storm cut short measured nothing worth keeping. */
	if (!refused && r->mode == BOOT_STORM && !atomic_load(&r->cancel))
		boot_write_results(r);
	boot_lock(r);
	if (r->st.phase == BOOT_BOOTING)
		r->st.elapsed_s = r->t_last - r->t0;
	r->st.phase = BOOT_DONE;
	pthread_cond_broadcast(&r->cv);
	boot_unlock(r);
}

static void *boot_main(void *arg)
{
	struct boot_run *r = arg;
	sigset_t all;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL); /* signals are the caller's business */
	if (boot_setup(r) == 0 && !atomic_load(&r->cancel))
		boot_go(r);
	boot_finish(r);
	return NULL;
}

/* ---- the public engine calls ------------------------------------------------------------- */

static void boot_results_default(const struct config *cfg, char *out, size_t len)
{
	char dir[CFG_STR_MAX];
	out[0] = '\0';
	if (cfg->results_path[0])
		util_strlcpy(out, cfg->results_path, len);
	else if (util_state_dir(dir, sizeof dir) == 0)
		snprintf(out, len, "%s/bootstorm.csv", dir);
}

static enum boot_merge boot_merge_for(const struct template *t, enum dedup_kind backend)
{
	if (t->type != INST_LXC || t->merge == MERGE_DEFAULT)
		return BOOT_MERGE_NO;
	if (t->merge == MERGE_ANY)
		return BOOT_MERGE_MUST;
	/* auto: what uKSM does by itself, KSM does for processes marked merge-any */
	return backend == DEDUP_KSM ? BOOT_MERGE_TRY : BOOT_MERGE_NO;
}

static void boot_init_state(struct boot_run *r)
{
	struct boot_snapshot *s = &r->st;
	s->phase = BOOT_PREPARING;
	s->mode = r->mode;
	util_strlcpy(s->template_name, r->t.name, sizeof s->template_name);
	s->type = r->t.type;
	template_ready_str(&r->t, s->ready, sizeof s->ready);
	s->timeout_s = r->t.timeout_s;
	s->n = (size_t)r->n;
	s->wall_start = NAN;
	s->cpu_now_pct = s->cpu_mean_pct = s->cpu_peak_pct = NAN;
	s->result.total_s = s->result.min_s = s->result.median_s = s->result.max_s = NAN;
	s->result.cpu_mean_pct = s->result.cpu_peak_pct = NAN;
	for (long i = 0; i < r->n; i++) {
		s->clones[i].start_s = s->clones[i].ready_s = NAN;
		s->clones[i].merge_any = -1;
	}
}

static void boot_run_free(struct boot_run *r)
{
	free(r->specs);
	free(r->st.clones);
	pthread_mutex_destroy(&r->mu);
	pthread_cond_destroy(&r->cv);
	pthread_cond_destroy(&r->go_cv);
	free(r);
}

struct boot_run *boot_start(const struct config *cfg, const struct boot_request *rq, char *err, size_t errlen)
{
	if (boot_precheck(cfg, rq, err, errlen) != 0)
		return NULL;
	struct boot_run *r = calloc(1, sizeof *r);
	if (!r) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	r->t = *config_template(cfg, rq->template_name);
	r->mode = rq->mode == BOOT_STORM ? BOOT_STORM : BOOT_ONE_BY_ONE;
	r->n = rq->n;
	r->merge = boot_merge_for(&r->t, rq->backend);
	r->ops = clone_ops_for(r->t.type);
	util_strlcpy(r->connect_uri, cfg->connect_uri, sizeof r->connect_uri);
	clone_lxcpath(cfg->lxcpath, r->lxcpath, sizeof r->lxcpath);
	boot_results_default(cfg, r->results_path, sizeof r->results_path);
	pthread_mutex_init(&r->mu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&r->cv, &ca);
	pthread_condattr_destroy(&ca);
	pthread_cond_init(&r->go_cv, NULL);
	r->specs = calloc((size_t)r->n, sizeof *r->specs);
	r->st.clones = calloc((size_t)r->n, sizeof *r->st.clones);
	if (!r->specs || !r->st.clones) {
		snprintf(err, errlen, "out of memory");
		boot_run_free(r);
		return NULL;
	}
	boot_init_state(r);
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, BOOT_THREAD_STACK);
	int rc = pthread_create(&r->thread, &attr, boot_main, r);
	pthread_attr_destroy(&attr);
	if (rc != 0) {
		snprintf(err, errlen, "cannot start the boot thread: %s", strerror(rc));
		boot_run_free(r);
		return NULL;
	}
	return r;
}

void boot_progress(struct boot_run *r, struct boot_snapshot *out)
{
	boot_lock(r);
	*out = r->st;
	out->clones = malloc(r->st.n * sizeof *out->clones);
	if (out->clones)
		memcpy(out->clones, r->st.clones, r->st.n * sizeof *out->clones);
	else
		out->n = 0;
	if (r->st.phase == BOOT_BOOTING)
		out->elapsed_s = util_now_mono() - r->t0;
	boot_unlock(r);
}

void boot_snapshot_free(struct boot_snapshot *s)
{
	free(s->clones);
	s->clones = NULL;
}

void boot_cancel(struct boot_run *r)
{
	atomic_store(&r->cancel, 1);
}

int boot_wait(struct boot_run *r)
{
	if (!r->joined) {
		pthread_join(r->thread, NULL);
		r->joined = 1;
	}
	return r->st.status;
}

void boot_free(struct boot_run *r)
{
	if (!r)
		return;
	boot_wait(r);
	boot_run_free(r);
}

/* ---- rendering ------------------------------------------------------------------------------ */

static void boot_json_kstr(struct outbuf *b, const char *key, const char *v)
{
	outbuf_printf(b, "\"%s\":", key);
	if (v && *v)
		outbuf_json_str(b, v);
	else
		outbuf_printf(b, "null");
}

static const char *boot_mode_name(enum boot_mode m)
{
	return m == BOOT_STORM ? "storm" : "boot";
}

static const char *boot_state_name(enum boot_clone_state s)
{
	switch (s) {
	case BOOT_CLONE_PREPARED: return "prepared";
	case BOOT_CLONE_STARTING: return "starting";
	case BOOT_CLONE_PROBING: return "probing";
	case BOOT_CLONE_READY: return "ready";
	case BOOT_CLONE_FAILED: return "failed";
	default: return "waiting";
	}
}

static const char *boot_merge_name(int m)
{
	return m < 0 ? NULL : m ? "yes" : "no";
}

static void boot_render_json(struct outbuf *b, const struct boot_snapshot *s)
{
	char when[40] = "";
	const struct boot_result *res = &s->result;
	if (!isnan(s->wall_start))
		util_iso8601(s->wall_start, when, sizeof when);
	outbuf_printf(b, "{\"boot\":{\"mode\":\"%s\",", boot_mode_name(s->mode));
	boot_json_kstr(b, "time", when);
	outbuf_printf(b, ",");
	boot_json_kstr(b, "template", s->template_name);
	outbuf_printf(b, ",\"type\":\"%s\",", inst_type_name(s->type));
	boot_json_kstr(b, "ready", s->ready);
	outbuf_printf(b, ",\"timeout_s\":%g,\"n\":%zu,", s->timeout_s, s->n);
	outbuf_json_f(b, "total_s", res->total_s, 3);
	outbuf_printf(b, ",");
	outbuf_json_f(b, "min_s", res->min_s, 3);
	outbuf_printf(b, ",");
	outbuf_json_f(b, "median_s", res->median_s, 3);
	outbuf_printf(b, ",");
	outbuf_json_f(b, "max_s", res->max_s, 3);
	outbuf_printf(b, ",");
	outbuf_json_f(b, "cpu_mean_pct", res->cpu_mean_pct, 1);
	outbuf_printf(b, ",");
	outbuf_json_f(b, "cpu_peak_pct", res->cpu_peak_pct, 1);
	outbuf_printf(b, ",\"failed\":%d,\"status\":%d,", res->failed, s->status);
	boot_json_kstr(b, "message", s->message);
	outbuf_printf(b, ",");
	boot_json_kstr(b, "results_file", res->results_path);
	outbuf_printf(b, ",");
	boot_json_kstr(b, "results_error", res->results_error);
	outbuf_printf(b, ",\"clones\":[");
	for (size_t i = 0; i < s->n; i++) {
		const struct boot_clone *c = &s->clones[i];
		outbuf_printf(b, "%s{", i ? "," : "");
		boot_json_kstr(b, "name", c->name);
		outbuf_printf(b, ",");
		boot_json_kstr(b, "address", c->address);
		outbuf_printf(b, ",\"state\":\"%s\",", boot_state_name(c->state));
		outbuf_json_f(b, "start_s", c->start_s, 3);
		outbuf_printf(b, ",");
		outbuf_json_f(b, "ready_s", c->ready_s, 3);
		outbuf_printf(b, ",");
		boot_json_kstr(b, "merge_any", boot_merge_name(c->merge_any));
		outbuf_printf(b, ",");
		boot_json_kstr(b, "error", c->error);
		outbuf_printf(b, "}");
	}
	outbuf_printf(b, "]}}\n");
}

static void boot_csv_str(struct outbuf *b, const char *s)
{
	outbuf_printf(b, ",");
	if (!s || !strpbrk(s, ",\"\r\n")) {
		outbuf_printf(b, "%s", s ? s : "");
		return;
	}
	outbuf_printf(b, "\"");
	for (const char *p = s; *p; p++)
		outbuf_printf(b, *p == '"' ? "\"\"" : "%c", *p);
	outbuf_printf(b, "\"");
}

static void boot_csv_num(struct outbuf *b, double v, int prec)
{
	char buf[32];
	boot_csv_f(buf, sizeof buf, v, prec);
	outbuf_printf(b, ",%s", buf);
}

static void boot_render_csv(struct outbuf *b, const struct boot_snapshot *s)
{
	char when[40] = "";
	const struct boot_result *res = &s->result;
	if (!isnan(s->wall_start))
		util_iso8601(s->wall_start, when, sizeof when);
	outbuf_printf(b, "kind,time,mode,template,type,n,total_s,min_s,median_s,max_s,cpu_mean_pct,cpu_peak_pct,"
		      "failed,clone.name,clone.address,clone.state,clone.start_s,clone.ready_s,clone.merge_any,"
		      "clone.error\n");
	outbuf_printf(b, "boot,%s,%s", when, boot_mode_name(s->mode));
	boot_csv_str(b, s->template_name);
	outbuf_printf(b, ",%s,%zu", inst_type_name(s->type), s->n);
	boot_csv_num(b, res->total_s, 3);
	boot_csv_num(b, res->min_s, 3);
	boot_csv_num(b, res->median_s, 3);
	boot_csv_num(b, res->max_s, 3);
	boot_csv_num(b, res->cpu_mean_pct, 1);
	boot_csv_num(b, res->cpu_peak_pct, 1);
	outbuf_printf(b, ",%d,,,,,,,\n", res->failed);
	for (size_t i = 0; i < s->n; i++) {
		const struct boot_clone *c = &s->clones[i];
		outbuf_printf(b, "clone,%s,%s", when, boot_mode_name(s->mode));
		boot_csv_str(b, s->template_name);
		outbuf_printf(b, ",%s,%zu,,,,,,,", inst_type_name(s->type), s->n);
		boot_csv_str(b, c->name);
		boot_csv_str(b, c->address);
		boot_csv_str(b, boot_state_name(c->state));
		boot_csv_num(b, c->start_s, 3);
		boot_csv_num(b, c->ready_s, 3);
		boot_csv_str(b, boot_merge_name(c->merge_any));
		boot_csv_str(b, c->error);
		outbuf_printf(b, "\n");
	}
}

static const char *boot_txt_f(char *buf, size_t len, double v, int prec)
{
	if (isnan(v))
		return "n/a";
	snprintf(buf, len, "%.*f", prec, v);
	return buf;
}

static void boot_render_text(struct outbuf *b, const struct boot_snapshot *s)
{
	char when[40] = "n/a", a[32], c1[32], d[32], e[32], f[32], g[32];
	const struct boot_result *res = &s->result;
	if (!isnan(s->wall_start))
		util_iso8601(s->wall_start, when, sizeof when);
	outbuf_printf(b, "%s: %zu clone%s of template %s (%s, ready = %s, timeout %g s), %s\n",
		      s->mode == BOOT_STORM ? "Boot storm" : "Boot", s->n, s->n == 1 ? "" : "s", s->template_name,
		      inst_type_name(s->type), s->ready, s->timeout_s, when);
	outbuf_printf(b, "%-24s %-15s %8s %8s %5s  %s\n", "NAME", "ADDRESS", "START_S", "READY_S", "MERGE", "STATE");
	for (size_t i = 0; i < s->n; i++) {
		const struct boot_clone *c = &s->clones[i];
		const char *m = boot_merge_name(c->merge_any);
		outbuf_printf(b, "%-24.24s %-15s %8s %8s %5s  %s%s%s\n", c->name, c->address[0] ? c->address : "-",
			      boot_txt_f(a, sizeof a, c->start_s, 3), boot_txt_f(c1, sizeof c1, c->ready_s, 3),
			      m ? m : "-", boot_state_name(c->state), c->error[0] ? ": " : "", c->error);
	}
	outbuf_printf(b, "Total %s s; per clone min %s, median %s, max %s s; host CPU mean %s %%, peak %s %%; "
		      "failed %d\n", boot_txt_f(a, sizeof a, res->total_s, 3), boot_txt_f(c1, sizeof c1, res->min_s, 3),
		      boot_txt_f(d, sizeof d, res->median_s, 3), boot_txt_f(e, sizeof e, res->max_s, 3),
		      boot_txt_f(f, sizeof f, res->cpu_mean_pct, 1), boot_txt_f(g, sizeof g, res->cpu_peak_pct, 1),
		      res->failed);
	if (res->results_path[0])
		outbuf_printf(b, "Results: one line appended to %s\n", res->results_path);
	if (res->results_error[0])
		outbuf_printf(b, "Results: not written: %s\n", res->results_error);
}

void boot_render(struct outbuf *b, enum out_format fmt, const struct boot_snapshot *s)
{
	switch (fmt) {
	case OUT_JSON:
		boot_render_json(b, s);
		break;
	case OUT_CSV:
		boot_render_csv(b, s);
		break;
	default:
		boot_render_text(b, s);
		break;
	}
}

/* ---- cleanup ------------------------------------------------------------------------------- */

static void boot_removal_add(char (**arr)[INST_NAME_MAX], size_t *n, const char *s)
{
	char (*a)[INST_NAME_MAX] = realloc(*arr, (*n + 1) * sizeof *a);
	if (!a)
		return;
	util_strlcpy(a[*n], s, sizeof a[*n]);
	*arr = a;
	(*n)++;
}

static void boot_removal_err(struct boot_removal *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void boot_removal_err(struct boot_removal *out, const char *fmt, ...)
{
	char (*a)[512] = realloc(out->errors, (out->n_errors + 1) * sizeof *a);
	if (!a)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(a[out->n_errors], sizeof a[out->n_errors], fmt, ap);
	va_end(ap);
	out->errors = a;
	out->n_errors++;
}

void boot_removal_free(struct boot_removal *r)
{
	free(r->removed);
	free(r->errors);
	memset(r, 0, sizeof *r);
}

static int boot_wanted(const struct clone_mark *m, const struct template *t, const char *const *only,
		       size_t n_only)
{
	if (t && (strcmp(m->template_name, t->name) != 0 || strcmp(m->prefix, t->prefix) != 0))
		return 0;
	if (!only)
		return 1;
	for (size_t i = 0; i < n_only; i++)
		if (strcmp(only[i], m->name) == 0)
			return 1;
	return 0;
}

/* One backend's clones of ours; a backend that cannot be reached is skipped
 * with a line (there is nothing of ours to remove through it). */
static void boot_cleanup_type(const struct config *cfg, enum inst_type type, const struct template *t,
			      const char *const *only, size_t n_only, struct boot_removal *out)
{
	const struct clone_ops *ops = clone_ops_for(type);
	if (!ops)
		return;
	char err[1024], lxcpath[CFG_STR_MAX];
	clone_lxcpath(cfg->lxcpath, lxcpath, sizeof lxcpath);
	struct clone_opts o = { .connect_uri = cfg->connect_uri, .lxcpath = lxcpath };
	void *h = ops->open(&o, err, sizeof err);
	if (!h) {
		snprintf(out->note, sizeof out->note, "%s (its clones, if any, were not looked for)", err);
		return;
	}
	struct clone_mark *marks = NULL;
	size_t n = 0;
	if (ops->list_ours(h, &marks, &n, err, sizeof err) < 0)
		boot_removal_err(out, "%s", err);
	for (size_t i = 0; i < n; i++) {
		if (!boot_wanted(&marks[i], t, only, n_only))
			continue;
		if (ops->remove(h, &marks[i], err, sizeof err) == 0)
			boot_removal_add(&out->removed, &out->n_removed, marks[i].name);
		else
			boot_removal_err(out, "%s", err);
	}
	free(marks);
	ops->close(h);
}

int boot_cleanup(const struct config *cfg, const char *template_name, const char *const *only, size_t n_only,
		 struct boot_removal *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	int rc = boot_allowed(cfg, err, errlen);
	if (rc)
		return rc;
	const struct template *t = NULL;
	if (template_name && !(t = config_template(cfg, template_name))) {
		char list[1024];
		boot_template_list(cfg, list, sizeof list);
		snprintf(err, errlen, "no template '%s' in %s (templates: %s)", template_name, boot_config_name(cfg),
			 list[0] ? list : "none");
		return 2;
	}
	if (cfg->use_libvirt && (!t || t->type == INST_KVM))
		boot_cleanup_type(cfg, INST_KVM, t, only, n_only, out);
	if (cfg->use_lxc && (!t || t->type == INST_LXC))
		boot_cleanup_type(cfg, INST_LXC, t, only, n_only, out);
	return out->n_errors ? 1 : 0;
}

void boot_render_removal(struct outbuf *b, enum out_format fmt, const struct boot_removal *r)
{
	if (fmt == OUT_JSON) {
		outbuf_printf(b, "{\"cleanup\":{\"removed\":%zu,\"names\":[", r->n_removed);
		for (size_t i = 0; i < r->n_removed; i++) {
			outbuf_printf(b, "%s", i ? "," : "");
			outbuf_json_str(b, r->removed[i]);
		}
		outbuf_printf(b, "],\"errors\":[");
		for (size_t i = 0; i < r->n_errors; i++) {
			outbuf_printf(b, "%s", i ? "," : "");
			outbuf_json_str(b, r->errors[i]);
		}
		outbuf_printf(b, "],");
		boot_json_kstr(b, "note", r->note);
		outbuf_printf(b, "}}\n");
		return;
	}
	if (fmt == OUT_CSV) {
		outbuf_printf(b, "kind,removed,names,errors\ncleanup,%zu", r->n_removed);
		struct outbuf names = { 0 }, errs = { 0 };
		for (size_t i = 0; i < r->n_removed; i++)
			outbuf_printf(&names, "%s%s", i ? " " : "", r->removed[i]);
		for (size_t i = 0; i < r->n_errors; i++)
			outbuf_printf(&errs, "%s%s", i ? "; " : "", r->errors[i]);
		boot_csv_str(b, names.p);
		boot_csv_str(b, errs.p);
		outbuf_printf(b, "\n");
		outbuf_free(&names);
		outbuf_free(&errs);
		return;
	}
	outbuf_printf(b, "Cleanup: removed %zu clone%s", r->n_removed, r->n_removed == 1 ? "" : "s");
	for (size_t i = 0; i < r->n_removed; i++)
		outbuf_printf(b, "%s%s", i ? ", " : ": ", r->removed[i]);
	outbuf_printf(b, "\n");
	for (size_t i = 0; i < r->n_errors; i++)
		outbuf_printf(b, "Cleanup: not removed: %s\n", r->errors[i]);
}

/* ---- the command line ------------------------------------------------------------------------ */

static int boot_print(struct outbuf *b)
{
	int rc = 0;
	if (b->failed || (b->len && fwrite(b->p, 1, b->len, stdout) != b->len) || fflush(stdout) != 0)
		rc = -1;
	outbuf_free(b);
	return rc;
}

static int boot_cli_cleanup(const struct config *cfg, const char *tpl, const char *const *only, size_t n_only)
{
	char err[1024];
	struct boot_removal rm;
	int rc = boot_cleanup(cfg, tpl, only, n_only, &rm, err, sizeof err);
	if (rc == 2) {
		fprintf(stderr, "uksmtop: --cleanup: %s\n", err);
		return rc;
	}
	struct outbuf b = { 0 };
	boot_render_removal(&b, cfg->format, &rm);
	boot_print(&b);
	if (rm.note[0])
		fprintf(stderr, "uksmtop: --cleanup: %s\n", rm.note);
	for (size_t i = 0; i < rm.n_errors; i++)
		fprintf(stderr, "uksmtop: --cleanup: %s\n", rm.errors[i]);
	boot_removal_free(&rm);
	return rc;
}

/* Wait for the run; SIGINT or SIGTERM meanwhile cancels it (the clones
 * started so far stay, and are named). */
static void boot_cli_wait(struct boot_run *r)
{
	sigset_t sigs;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	for (;;) {
		struct boot_snapshot s;
		boot_progress(r, &s);
		enum boot_phase ph = s.phase;
		boot_snapshot_free(&s);
		if (ph == BOOT_DONE)
			break;
		struct timespec ts = { 0, 100 * 1000 * 1000 };
		if (sigtimedwait(&sigs, NULL, &ts) > 0)
			boot_cancel(r);
	}
	boot_wait(r);
}

static int boot_cli_run(struct sampler *s, const struct config *cfg, char (**names)[INST_NAME_MAX], size_t *n_names,
			boot_result_hook hook, void *ctx)
{
	struct boot_request rq = { .template_name = cfg->boot_template, .n = cfg->boot_n,
				   .mode = cfg->boot_mode == 2 ? BOOT_STORM : BOOT_ONE_BY_ONE,
				   .backend = sampler_backend(s) };
	const char *opt = rq.mode == BOOT_STORM ? "--boot-storm" : "--boot";
	char err[1024];
	/* The engine's threads inherit this mask: only this thread takes the signals. */
	sigset_t sigs, old;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, &old);
	struct boot_run *r = boot_start(cfg, &rq, err, sizeof err);
	if (!r) {
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		fprintf(stderr, "uksmtop: %s: %s\n", opt, err);
		return 2;
	}
	boot_cli_wait(r);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	struct boot_snapshot snap;
	boot_progress(r, &snap);
	int rc = snap.status;
	if (rc != 2 && hook && hook(&snap, ctx) < 0 && rc == 0)
		rc = 1;
	if (rc != 2) {
		struct outbuf b = { 0 };
		boot_render(&b, cfg->format, &snap);
		if (boot_print(&b) < 0)
			fprintf(stderr, "uksmtop: %s: cannot write the result: %s\n", opt, strerror(errno));
	}
	if (snap.message[0])
		fprintf(stderr, "uksmtop: %s: %s\n", opt, snap.message);
	if (snap.result.results_error[0]) {
		fprintf(stderr, "uksmtop: %s: results not written: %s\n", opt, snap.result.results_error);
		if (rc == 0)
			rc = 1; /* output unwritable: a script looping over storms must know */
	}
	for (size_t i = 0; i < snap.n; i++) {
		const struct boot_clone *c = &snap.clones[i];
		if (c->merge_any == 0)
			fprintf(stderr, "uksmtop: %s: %s was started merge-any, but its ksm_stat does not say so\n",
				opt, c->name);
		if (c->state != BOOT_CLONE_WAITING)
			boot_removal_add(names, n_names, c->name);
	}
	boot_snapshot_free(&snap);
	boot_free(r);
	return rc;
}

int boot_cli(struct sampler *s, const struct config *cfg)
{
	return boot_cli_hooked(s, cfg, NULL, NULL);
}

int boot_cli_hooked(struct sampler *s, const struct config *cfg, boot_result_hook hook, void *ctx)
{
	char err[1024];
	const char *tpl = cfg->boot_template[0] ? cfg->boot_template : NULL;
	/* Every refusal comes before anything is changed. */
	int rc = boot_allowed(cfg, err, sizeof err);
	if (rc) {
		fprintf(stderr, "uksmtop: %s: %s\n",
			cfg->boot_mode == 2 ? "--boot-storm" : cfg->boot_mode == 1 ? "--boot" : "--cleanup", err);
		return rc;
	}
	if (cfg->cleanup && (rc = boot_cli_cleanup(cfg, tpl, NULL, 0)) != 0)
		return rc;
	if (!cfg->boot_mode)
		return 0;
	char (*names)[INST_NAME_MAX] = NULL;
	size_t n_names = 0;
	rc = boot_cli_run(s, cfg, &names, &n_names, hook, ctx);
	if (cfg->cleanup_after && n_names > 0) {
		const char **only = calloc(n_names, sizeof *only);
		for (size_t i = 0; only && i < n_names; i++)
			only[i] = names[i];
		int crc = only ? boot_cli_cleanup(cfg, tpl, only, n_names) : 1;
		free(only);
		if (rc == 0)
			rc = crc;
	}
	free(names);
	return rc;
}

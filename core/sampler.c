/* sampler.c - one sample per call: host, merging daemon and instances, with rates derived
 * from the previous sample and the baseline applied. */
#include "sampler.h"

#include <errno.h>
#include <fnmatch.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../backends/inst.h"
#include "../backends/procfs.h"
#include "baseline.h"
#include "pss.h"
#include "util.h"
#include "value.h"

struct sampler_ib {
	const struct inst_backend_ops *ops;
	void *h;
	char last_err[256];   /* "" while the backend works */
};

struct sampler_prev {
	int have;
	double mono;
	uint64_t cpu_busy, cpu_total;
	int64_t pages_scanned;
	int64_t thread_ticks;
};

struct sampler {
	pthread_mutex_t lock;
	struct config cfg;
	struct dedup_backend dedup;
	struct procfs *pf;
	struct sampler_ib ib[2];
	size_t n_ib;
	struct pss_worker *pss;
	struct sampler_prev prev;
	pid_t thread_pid;
	int64_t baseline_kb;
	enum baseline_source baseline_src;
	int64_t last_used_kb;
	struct sample pending;        /* holds events until the next sample */
	/* What this user could not read in the sample being taken. */
	int denied_proc, denied_ksm, denied_pss;
	pid_t denied_pid;
	unsigned dedup_known;         /* sampler_dedup_mask of the last sample */
	int dedup_seen;               /* dedup_known is set */
	int64_t ksm_last[3];          /* KSM's pages_scanned, pages_shared, pages_sharing last sample */
	int ksm_last_known;
};

static void sampler_event(struct sampler *s, const char *what, const char *detail)
{
	sample_add_event(&s->pending, util_now_wall(), what, "%s", detail);
}

static void sampler_open_instances(struct sampler *s)
{
	struct inst_opts o = {
		.connect_uri = s->cfg.connect_uri[0] ? s->cfg.connect_uri : NULL,
		.lxcpath = s->cfg.lxcpath[0] ? s->cfg.lxcpath : NULL,
	};
	const struct inst_backend_ops *all[2];
	size_t n = 0;
#ifdef HAVE_LIBVIRT
	if (s->cfg.use_libvirt && s->cfg.type_filter != INST_LXC)
		all[n++] = &inst_libvirt_ops;
#endif
#ifdef HAVE_LXC
	if (s->cfg.use_lxc && s->cfg.type_filter != INST_KVM)
		all[n++] = &inst_lxc_ops;
#endif
	for (size_t i = 0; i < n; i++) {
		char err[256] = "";
		void *h = all[i]->open(&o, err, sizeof err);
		if (!h) {
			char msg[400];
			snprintf(msg, sizeof msg, "%s backend unavailable: %s", all[i]->name, err);
			sampler_event(s, "backend", msg);
			continue;
		}
		s->ib[s->n_ib].ops = all[i];
		s->ib[s->n_ib].h = h;
		s->ib[s->n_ib].last_err[0] = '\0';
		s->n_ib++;
	}
}

static void sampler_init_baseline(struct sampler *s)
{
	s->baseline_kb = VAL_NULL;
	s->baseline_src = BASELINE_NONE;
	if (val_known(s->cfg.baseline_kb)) {
		s->baseline_kb = s->cfg.baseline_kb;
		s->baseline_src = s->cfg.baseline_from_cli ? BASELINE_MANUAL : BASELINE_CONFIG;
		return;
	}
	int64_t stored = baseline_load();
	if (val_known(stored)) {
		s->baseline_kb = stored;
		s->baseline_src = BASELINE_MANUAL;
	}
}

struct sampler *sampler_new(const struct config *cfg, char *err, size_t errlen)
{
	struct sampler *s = calloc(1, sizeof *s);
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&s->lock, NULL);
	s->cfg = *cfg;
	sample_init(&s->pending);
	s->last_used_kb = VAL_NULL;
	s->pf = procfs_open(err, errlen);
	if (!s->pf) {
		free(s);
		return NULL;
	}
	/* The mergeable mark (ksm_stat) is a slow figure, like PSS: same cadence. */
	procfs_set_slow_interval(s->pf, cfg->pss_interval_s);
	dedup_open(&s->dedup, cfg->sysfs_root[0] ? cfg->sysfs_root : NULL);
	if (!s->dedup.ops) {
		char msg[4400];
		snprintf(msg, sizeof msg, "no merging daemon: neither %s/kernel/mm/uksm nor %s/kernel/mm/ksm exists",
			 cfg->sysfs_root[0] ? cfg->sysfs_root : "/sys",
			 cfg->sysfs_root[0] ? cfg->sysfs_root : "/sys");
		sampler_event(s, "backend", msg);
	}
	sampler_init_baseline(s);
	sampler_open_instances(s);
	s->pss = pss_new(cfg->pss_interval_s);
	if (!s->pss) {
		sampler_free(s);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	return s;
}

void sampler_free(struct sampler *s)
{
	if (!s)
		return;
	pss_free(s->pss);
	for (size_t i = 0; i < s->n_ib; i++)
		s->ib[i].ops->close(s->ib[i].h);
	dedup_close(&s->dedup);
	procfs_close(s->pf);
	sample_free(&s->pending);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

static void sampler_daemon_thread(struct sampler *s, struct dedup_figs *d)
{
	if (!s->dedup.ops)
		return;
	if (s->thread_pid > 0) {
		d->thread_ticks = procfs_task_ticks(s->pf, s->thread_pid);
		if (val_known(d->thread_ticks)) {
			d->thread_pid = s->thread_pid;
			return;
		}
	}
	/* First time, or the thread went away (module reloaded): look again. */
	s->thread_pid = procfs_find_thread(s->pf, s->dedup.ops->thread_name);
	s->prev.thread_ticks = VAL_NULL;
	if (s->thread_pid > 0) {
		d->thread_pid = s->thread_pid;
		d->thread_ticks = procfs_task_ticks(s->pf, s->thread_pid);
	}
}

/* The merging daemon's figures by name, to say once when one goes missing or comes back. */
#define SAMPLER_DEDUP_FIELD(name) { #name, offsetof(struct dedup_figs, name) }
static const struct {
	const char *name;
	size_t offset;
} sampler_dedup_fields[] = {
	SAMPLER_DEDUP_FIELD(run),
	SAMPLER_DEDUP_FIELD(pages_shared),
	SAMPLER_DEDUP_FIELD(pages_sharing),
	SAMPLER_DEDUP_FIELD(pages_unshared),
	SAMPLER_DEDUP_FIELD(pages_volatile),
	SAMPLER_DEDUP_FIELD(pages_scanned),
	SAMPLER_DEDUP_FIELD(full_scans),
	SAMPLER_DEDUP_FIELD(ksm_zero_pages),
	SAMPLER_DEDUP_FIELD(general_profit),
	SAMPLER_DEDUP_FIELD(pages_to_scan),
	SAMPLER_DEDUP_FIELD(sleep_millisecs),
	SAMPLER_DEDUP_FIELD(max_cpu_percentage),
};
#define SAMPLER_DEDUP_NFIELDS (sizeof sampler_dedup_fields / sizeof sampler_dedup_fields[0])

/* One bit per figure that was read (the last one: cpu_governor). */
static unsigned sampler_dedup_mask(const struct dedup_figs *d)
{
	unsigned m = 0;
	for (size_t i = 0; i < SAMPLER_DEDUP_NFIELDS; i++)
		if (val_known(*(const int64_t *)((const char *)d + sampler_dedup_fields[i].offset)))
			m |= 1u << i;
	if (d->cpu_governor[0])
		m |= 1u << SAMPLER_DEDUP_NFIELDS;
	return m;
}

static void sampler_dedup_names(unsigned m, char *buf, size_t len)
{
	size_t o = 0;
	buf[0] = '\0';
	for (size_t i = 0; i <= SAMPLER_DEDUP_NFIELDS && o < len; i++)
		if (m & (1u << i))
			o += (size_t)snprintf(buf + o, len - o, "%s%s", o ? ", " : "",
					      i < SAMPLER_DEDUP_NFIELDS ? sampler_dedup_fields[i].name : "cpu_governor");
}

/* An attribute that could be read and no longer can (a file gone, a value garbled), or the
 * reverse, is said once, not in every sample; what this kernel never had stays null silently. */
static void sampler_dedup_status(struct sampler *s, const struct dedup_figs *d)
{
	if (!s->dedup.ops)
		return;
	unsigned now = sampler_dedup_mask(d), gone = s->dedup_known & ~now, back = now & ~s->dedup_known;
	char names[256], msg[EVENT_DETAIL_MAX + 64];
	if (s->dedup_seen && gone) {
		sampler_dedup_names(gone, names, sizeof names);
		snprintf(msg, sizeof msg, "%s: %s no longer readable in %s (null until back)",
			 s->dedup.ops->name, names, s->dedup.path);
		sampler_event(s, "backend", msg);
	}
	if (s->dedup_seen && back) {
		sampler_dedup_names(back, names, sizeof names);
		snprintf(msg, sizeof msg, "%s: %s readable again", s->dedup.ops->name, names);
		sampler_event(s, "backend", msg);
	}
	s->dedup_known = now;
	s->dedup_seen = 1;
}

static int sampler_wanted(const struct sampler *s, const struct instance *in)
{
	if (s->cfg.type_filter >= 0 && (int)in->type != s->cfg.type_filter)
		return 0;
	if (s->cfg.name_filter[0] && fnmatch(s->cfg.name_filter, in->name, 0) != 0)
		return 0;
	return 1;
}

/* Sum the cheap figures over the instance's processes; a vanished one is gone from the sums. */
static void sampler_sum_cheap(struct sampler *s, struct instance *in, const pid_t *pids, size_t n)
{
	int64_t rss = 0, ksm = 0;
	int readable = 0, ksm_known = 0, merge_yes = 0, merge_known = 0;
	for (size_t i = 0; i < n; i++) {
		struct proc_cheap pc;
		int rc = procfs_proc_cheap_kept(s->pf, pids[i], &pc);
		if (rc == -EACCES || rc == -EPERM) {
			s->denied_proc++;
			s->denied_pid = pids[i];
			continue;
		}
		if (rc < 0)
			continue; /* vanished: simply gone from the sums */
		readable++;
		if (pc.ksm_denied) {
			s->denied_ksm++;
			s->denied_pid = pids[i];
		}
		if (val_known(pc.rss_kb))
			rss += pc.rss_kb;
		if (val_known(pc.ksm_kb)) {
			ksm += pc.ksm_kb;
			ksm_known++;
		}
		if (pc.merge_any >= 0) {
			merge_known++;
			merge_yes += pc.merge_any;
		}
	}
	in->nproc = readable;
	if (readable) {
		in->rss_kb = rss;
		in->ksm_kb = ksm_known ? ksm : VAL_NULL;
	}
	if (merge_known)
		in->mergeable = merge_yes == merge_known ? 1 : 0;
}

/* One line on why figures are null, naming what was refused. */
static void sampler_note(struct sampler *s, struct sample *out)
{
	char what[96] = "";
	if (s->denied_proc)
		snprintf(what, sizeof what, "memory figures");
	else if (s->denied_ksm && s->denied_pss)
		snprintf(what, sizeof what, "ksm_kb, pss_kb and shared_kb");
	else if (s->denied_ksm)
		snprintf(what, sizeof what, "ksm_kb");
	else if (s->denied_pss)
		snprintf(what, sizeof what, "pss_kb and shared_kb");
	else
		return;
	snprintf(out->inst_note, sizeof out->inst_note,
		 "%s of processes this user (uid %u) may not read are null (e.g. /proc/%d); run as root to see them",
		 what, (unsigned)geteuid(), (int)s->denied_pid);
}

static void sampler_attach_pss(struct sampler *s, struct instance *in, double now)
{
	int64_t pss, shr;
	double when;
	int denied;
	if (in->pid <= 0 || pss_lookup(s->pss, in->type, in->name, &pss, &shr, &when, &denied) < 0)
		return;
	s->denied_pss += denied;
	in->pss_kb = pss;
	in->shared_kb = shr;
	in->pss_age_s = now - when;
	if (in->pss_age_s < 0)
		in->pss_age_s = 0;
}

static void sampler_backend_status(struct sampler *s, struct sampler_ib *ib, int rc, const char *err)
{
	char msg[400];
	if (rc < 0 && strcmp(ib->last_err, err) != 0) {
		util_strlcpy(ib->last_err, err, sizeof ib->last_err);
		sampler_event(s, "backend", err);
	} else if (rc == 0 && ib->last_err[0]) {
		ib->last_err[0] = '\0';
		snprintf(msg, sizeof msg, "%s: connected again", ib->ops->name);
		sampler_event(s, "backend", msg);
	}
}

static void sampler_instances(struct sampler *s, struct sample *out)
{
	struct inst_raw *all[2] = { NULL, NULL };
	size_t nall[2] = { 0, 0 }, total = 0;
	for (size_t b = 0; b < s->n_ib; b++) {
		char err[256] = "";
		int rc = s->ib[b].ops->list(s->ib[b].h, &all[b], &nall[b], err, sizeof err);
		sampler_backend_status(s, &s->ib[b], rc, err);
		if (rc < 0) {
			all[b] = NULL;
			nall[b] = 0;
		}
		total += nall[b];
	}
	out->inst = calloc(total ? total : 1, sizeof *out->inst);
	struct pss_job *jobs = calloc(total ? total : 1, sizeof *jobs);
	size_t nj = 0;
	double now = util_now_mono();
	s->denied_proc = s->denied_ksm = s->denied_pss = 0;
	for (size_t b = 0; b < s->n_ib && out->inst && jobs; b++) {
		for (size_t i = 0; i < nall[b]; i++) {
			struct inst_raw *r = &all[b][i];
			if (!sampler_wanted(s, &r->inst))
				continue;
			struct instance *in = &out->inst[out->n_inst++];
			*in = r->inst;
			/* Memory figures are ours to fill, whatever the backend left there. */
			in->rss_kb = in->pss_kb = in->shared_kb = in->ksm_kb = VAL_NULL;
			in->pss_age_s = NAN;
			in->mergeable = -1;
			sampler_sum_cheap(s, in, r->pids, r->n_pids);
			sampler_attach_pss(s, in, now);
			if (r->n_pids == 0)
				continue;
			jobs[nj].type = in->type;
			util_strlcpy(jobs[nj].name, in->name, sizeof jobs[nj].name);
			jobs[nj].pids = r->pids;
			jobs[nj].n_pids = r->n_pids;
			nj++;
		}
	}
	/* Descriptors of processes no longer in any instance are closed. */
	procfs_kept_sweep(s->pf);
	pss_submit(s->pss, jobs, nj);
	if (s->cfg.pss_interval_s <= 0) {
		/* Every sample: gather now and attach the fresh figures. */
		pss_run_now(s->pss);
		s->denied_pss = 0;
		for (size_t i = 0; i < out->n_inst; i++)
			sampler_attach_pss(s, &out->inst[i], util_now_mono());
	}
	free(jobs);
	for (size_t b = 0; b < s->n_ib; b++)
		inst_raw_free_array(all[b], nall[b]);
	sampler_note(s, out);
}

static int sampler_any_running(const struct sample *out)
{
	for (size_t i = 0; i < out->n_inst; i++)
		if (out->inst[i].pid > 0)
			return 1;
	return 0;
}

static double sampler_rate(int64_t now, int64_t before, double dt)
{
	if (!val_known(now) || !val_known(before) || dt <= 0 || now < before)
		return NAN;
	return (double)(now - before) / dt;
}

static void sampler_derive(struct sampler *s, struct sample *out)
{
	struct host_figs *h = &out->host;
	struct dedup_figs *d = &out->dedup;
	struct sampler_prev *p = &s->prev;
	if (p->have) {
		double dt = out->mono - p->mono;
		out->interval_s = dt;
		if (h->cpu_total_ticks > p->cpu_total && h->cpu_busy_ticks >= p->cpu_busy)
			h->cpu_pct = 100.0 * (double)(h->cpu_busy_ticks - p->cpu_busy) /
				     (double)(h->cpu_total_ticks - p->cpu_total);
		d->scan_rate_pps = sampler_rate(d->pages_scanned, p->pages_scanned, dt);
		double tps = sampler_rate(d->thread_ticks, p->thread_ticks, dt);
		if (valf_known(tps))
			d->cpu_pct = 100.0 * tps / (double)procfs_hz();
	}
	p->have = 1;
	p->mono = out->mono;
	p->cpu_busy = h->cpu_busy_ticks;
	p->cpu_total = h->cpu_total_ticks;
	p->pages_scanned = d->pages_scanned;
	p->thread_ticks = d->thread_ticks;

	/* Automatic baseline: the first sample in which no instance runs. */
	if (s->baseline_src == BASELINE_NONE && val_known(h->mem_used_kb) && !sampler_any_running(out)) {
		s->baseline_kb = h->mem_used_kb;
		s->baseline_src = BASELINE_AUTO;
	}
	h->baseline_kb = s->baseline_kb;
	h->baseline_source = s->baseline_src;
	if (val_known(h->mem_used_kb) && val_known(s->baseline_kb))
		h->overhead_kb = h->mem_used_kb - s->baseline_kb;
	s->last_used_kb = h->mem_used_kb;
}

/* Has the real KSM daemon left every process's merged pages alone since the last
 * sample? They change only while ksmd scans (pages_scanned moves) or when pages
 * leave the stable tree outside it (unmerge, memory offline: pages_shared or
 * pages_sharing fall). A fixture tree proves nothing about the real processes. */
static void sampler_ksm_still(struct sampler *s, const struct dedup_figs *d)
{
	int64_t now[3] = { d->pages_scanned, d->pages_shared, d->pages_sharing };
	int known = s->dedup.dir.keep && d->backend == DEDUP_KSM && val_known(now[0]) &&
		    val_known(now[1]) && val_known(now[2]);
	int still = known && s->ksm_last_known && memcmp(now, s->ksm_last, sizeof now) == 0;
	procfs_set_ksm_still(s->pf, still);
	memcpy(s->ksm_last, now, sizeof now);
	s->ksm_last_known = known;
}

static int sampler_take_locked(struct sampler *s, struct sample *out)
{
	sample_init(out);
	out->time = util_now_wall();
	out->mono = util_now_mono();
	procfs_host(s->pf, &out->host);
	dedup_read(&s->dedup, &out->dedup);
	sampler_dedup_status(s, &out->dedup);
	sampler_ksm_still(s, &out->dedup);
	sampler_daemon_thread(s, &out->dedup);
	sampler_instances(s, out);
	sampler_derive(s, out);
	/* Hand over the events gathered since the last sample. */
	out->events = s->pending.events;
	out->n_events = s->pending.n_events;
	s->pending.events = NULL;
	s->pending.n_events = 0;
	return 0;
}

int sampler_take(struct sampler *s, struct sample *out)
{
	pthread_mutex_lock(&s->lock);
	int rc = sampler_take_locked(s, out);
	pthread_mutex_unlock(&s->lock);
	return rc;
}

int sampler_set_dedup(struct sampler *s, enum dedup_run_mode mode, char *err, size_t errlen)
{
	pthread_mutex_lock(&s->lock);
	int rc;
	if (s->cfg.secure) {
		snprintf(err, errlen, "secure mode: changing the merging run state is refused");
		rc = -EPERM;
		goto out;
	}
	struct dedup_figs before;
	dedup_read(&s->dedup, &before);
	rc = dedup_set_run(&s->dedup, mode, err, errlen);
	if (rc == 0) {
		char msg[128];
		if (val_known(before.run))
			snprintf(msg, sizeof msg, "%s run set to %s (was %lld)", dedup_kind_name(before.backend),
				 dedup_mode_name(mode), (long long)before.run);
		else
			snprintf(msg, sizeof msg, "%s run set to %s", dedup_kind_name(before.backend),
				 dedup_mode_name(mode));
		sampler_event(s, "dedup", msg);
	}
out:
	pthread_mutex_unlock(&s->lock);
	return rc;
}

int sampler_baseline_now(struct sampler *s, char *err, size_t errlen)
{
	pthread_mutex_lock(&s->lock);
	int rc = 0;
	if (s->cfg.secure) {
		snprintf(err, errlen, "secure mode: storing a baseline is refused");
		rc = -EPERM;
		goto out;
	}
	struct host_figs h;
	memset(&h, 0, sizeof h);
	h.mem_used_kb = VAL_NULL;
	procfs_host(s->pf, &h);
	if (!val_known(h.mem_used_kb)) {
		snprintf(err, errlen, "cannot read the host's used memory");
		rc = -EIO;
		goto out;
	}
	rc = baseline_store(h.mem_used_kb, err, errlen);
	/* The value holds for this run even when it could not be stored. */
	s->baseline_kb = h.mem_used_kb;
	s->baseline_src = BASELINE_MANUAL;
	char msg[400];
	snprintf(msg, sizeof msg, "baseline set to %.1f MiB (manual)%s%s", (double)h.mem_used_kb / 1024.0,
		 rc < 0 ? "; not stored: " : "", rc < 0 ? err : "");
	sampler_event(s, "baseline", msg);
out:
	pthread_mutex_unlock(&s->lock);
	return rc;
}

enum dedup_kind sampler_backend(struct sampler *s)
{
	return s->dedup.ops ? s->dedup.ops->kind : DEDUP_NONE;
}

const struct config *sampler_config(struct sampler *s)
{
	return &s->cfg;
}

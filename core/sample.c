/* sample.c - life cycle of a sample and the names of its enumerations. */
#include "sample.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sample_init(struct sample *s)
{
	memset(s, 0, sizeof *s);
	s->interval_s = NAN;
	struct host_figs *h = &s->host;
	h->mem_total_kb = h->mem_avail_kb = h->mem_used_kb = VAL_NULL;
	h->baseline_kb = h->overhead_kb = VAL_NULL;
	h->cpu_pct = NAN;
	h->uptime_s = NAN;
	struct dedup_figs *d = &s->dedup;
	d->run = d->pages_shared = d->pages_sharing = d->pages_unshared = VAL_NULL;
	d->pages_volatile = d->pages_scanned = d->full_scans = d->ksm_zero_pages = VAL_NULL;
	d->general_profit = d->pages_to_scan = d->sleep_millisecs = VAL_NULL;
	d->max_cpu_percentage = d->saved_kb = d->thread_ticks = VAL_NULL;
	d->scan_rate_pps = d->cpu_pct = NAN;
}

void sample_free(struct sample *s)
{
	free(s->inst);
	free(s->events);
	s->inst = NULL;
	s->events = NULL;
	s->n_inst = s->n_events = 0;
}

int sample_add_event(struct sample *s, double time, const char *what, const char *fmt, ...)
{
	struct event *ev = realloc(s->events, (s->n_events + 1) * sizeof *ev);
	if (!ev)
		return -1;
	s->events = ev;
	struct event *e = &ev[s->n_events++];
	e->time = time;
	snprintf(e->what, sizeof e->what, "%s", what);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->detail, sizeof e->detail, fmt, ap);
	va_end(ap);
	return 0;
}

const char *dedup_kind_name(enum dedup_kind k)
{
	switch (k) {
	case DEDUP_UKSM: return "uksm";
	case DEDUP_KSM: return "ksm";
	default: return "none";
	}
}

const char *baseline_source_name(enum baseline_source b)
{
	switch (b) {
	case BASELINE_CONFIG: return "config";
	case BASELINE_MANUAL: return "manual";
	case BASELINE_AUTO: return "auto";
	default: return "none";
	}
}

const char *inst_type_name(enum inst_type t)
{
	return t == INST_LXC ? "lxc" : "kvm";
}

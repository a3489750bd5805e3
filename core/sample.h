/* sample.h - the data model: one immutable snapshot of host, merging daemon and instances. */
#ifndef UKSMTOP_SAMPLE_H
#define UKSMTOP_SAMPLE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "value.h"

enum dedup_kind { DEDUP_NONE = 0, DEDUP_UKSM, DEDUP_KSM };

enum baseline_source { BASELINE_NONE = 0, BASELINE_CONFIG, BASELINE_MANUAL, BASELINE_AUTO };

enum inst_type { INST_KVM = 0, INST_LXC };

struct host_figs {
	int64_t mem_total_kb;
	int64_t mem_avail_kb;
	int64_t mem_used_kb;     /* MemTotal - MemAvailable */
	int64_t baseline_kb;
	enum baseline_source baseline_source;
	int64_t overhead_kb;     /* mem_used_kb - baseline_kb; may be negative */
	uint64_t cpu_busy_ticks; /* cumulative, for the rate */
	uint64_t cpu_total_ticks;
	double cpu_pct;          /* over the interval; NAN on the first sample */
	double uptime_s;
};

/* Figures of the merging daemon, as read from sysfs; VAL_NULL where a file is absent. */
struct dedup_figs {
	enum dedup_kind backend;
	int64_t run;
	int64_t pages_shared;
	int64_t pages_sharing;
	int64_t pages_unshared;
	int64_t pages_volatile;  /* KSM only */
	int64_t pages_scanned;   /* uKSM "N * 2^B" expanded */
	int64_t full_scans;
	int64_t ksm_zero_pages;  /* KSM only */
	int64_t general_profit;  /* KSM only, bytes */
	int64_t pages_to_scan;   /* KSM only */
	int64_t sleep_millisecs;
	int64_t max_cpu_percentage; /* uKSM only */
	char cpu_governor[32];   /* uKSM only: the bracketed one; "" when unknown */
	/* derived */
	int64_t saved_kb;        /* pages_sharing * page (+ ksm_zero_pages * page) */
	double scan_rate_pps;    /* NAN on the first sample or without pages_scanned */
	/* the daemon thread */
	pid_t thread_pid;        /* 0 when not found */
	int64_t thread_ticks;    /* utime + stime, cumulative */
	double cpu_pct;          /* NAN on the first sample */
};

#define INST_NAME_MAX 128

struct instance {
	char name[INST_NAME_MAX];
	enum inst_type type;
	char state[16];         /* running, shut off, paused, stopped, ... */
	pid_t pid;              /* QEMU process or container init; 0 when not running */
	int vcpus;              /* KVM: vCPUs; -1 unknown */
	int64_t mem_cfg_kb;     /* KVM: configured memory */
	char domain_type[8];    /* KVM: "kvm" or "qemu"; LXC: "" */
	int nproc;              /* processes summed */
	int64_t rss_kb;
	int64_t pss_kb;
	int64_t shared_kb;      /* Shared_Clean + Shared_Dirty */
	int64_t ksm_kb;         /* ksm_merging_pages * page */
	int64_t cgroup_mem_kb;  /* LXC: the cgroup's own memory figure */
	double pss_age_s;       /* age of pss/shared; NAN when never gathered */
	int mergeable;          /* 1 all processes marked merge-any, 0 none, -1 unknown */
};

#define EVENT_WHAT_MAX 32
#define EVENT_DETAIL_MAX 256

struct event {
	double time;            /* wall clock, seconds since the epoch */
	char what[EVENT_WHAT_MAX];
	char detail[EVENT_DETAIL_MAX];
};

struct sample {
	double time;            /* wall clock, seconds since the epoch */
	double mono;            /* monotonic clock, seconds */
	double interval_s;      /* since the previous sample; NAN on the first */
	struct host_figs host;
	struct dedup_figs dedup;
	struct instance *inst;
	size_t n_inst;
	struct event *events;
	size_t n_events;
	char inst_note[256];    /* one line on why figures are missing, "" if none */
};

void sample_init(struct sample *s);
void sample_free(struct sample *s);
/* Append an event; returns 0, or -1 on allocation failure. */
int sample_add_event(struct sample *s, double time, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
const char *dedup_kind_name(enum dedup_kind k);
const char *baseline_source_name(enum baseline_source b);
const char *inst_type_name(enum inst_type t);

#endif

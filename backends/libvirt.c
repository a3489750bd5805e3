/* libvirt.c - KVM/QEMU domains through a read-only libvirt connection that survives libvirtd going away. */
#ifdef HAVE_LIBVIRT

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "cgroup.h"
#include "inst.h"

#define LIBVIRT_DEFAULT_URI "qemu:///system"
#define LIBVIRT_WAIT_S 1.0        /* longest wait for a connection attempt, and list()'s for a snapshot */
#define LIBVIRT_BACKOFF_MIN_S 0.5
#define LIBVIRT_BACKOFF_MAX_S 8.0
#define LIBVIRT_PID_RETRY_S 1.0   /* a running domain whose QEMU was not found is searched again after this */
#define LIBVIRT_ERR_MAX 256
/* A daemon that stops answering (stuck, not gone) is given up after about
 * interval * (count + 1) seconds, instead of holding a call forever. */
#define LIBVIRT_KEEPALIVE_INTERVAL_S 1
#define LIBVIRT_KEEPALIVE_COUNT 1
/* Lifecycle events (start, stop, pause, define, ...) trigger a new listing.
 * Some changes raise none (a vCPU hot-plugged, the maximum memory changed on
 * a live guest): a listing this old is redone anyway. */
#define LIBVIRT_REFRESH_S 5.0
#define LIBVIRT_ATTEMPT_POLL_S 0.25 /* an attempt left unanswered is looked at this often */
#define LIBVIRT_CLOSE_WAIT_S 0.5  /* close() lets a refresher that is not stuck say goodbye */

/* One connection attempt. It runs on its own thread so that a daemon which
 * accepts but does not answer (still starting, or stuck) cannot hold the
 * refresher for long; the two share it and the last to let go frees it. */
struct libvirt_attempt {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int refs;
	int done;
	char *uri;
	virConnectPtr conn;       /* result; taken by the backend */
	char err[LIBVIRT_ERR_MAX];
};

/* What is cached per domain UUID: facts that do not change while the domain
 * keeps its id (every start gets a new id), so the XML is parsed once per start. */
struct libvirt_dom {
	char uuid[VIR_UUID_STRING_BUFLEN];
	int id;                   /* -1 inactive */
	char domain_type[8];
	pid_t pid;                /* 0 not found */
	double pid_tried;         /* monotonic time of the last search that found nothing */
	int facts_ok;
	int seen;
};

/* The listing is done by a refresher thread and published as a snapshot that
 * list() copies, so a slow or stuck libvirtd never holds a sample up. The
 * handle, the refresher and the registered lifecycle callback hold a
 * reference; the last to let go frees the backend. */
struct libvirt_backend {
	/* The refresher's alone once it runs. */
	char *uri;
	int local;                /* QEMU processes are on this host */
	char pid_dir[PATH_MAX];   /* where libvirt keeps NAME.pid */
	virConnectPtr conn;
	struct libvirt_attempt *att; /* in flight, or NULL */
	double next_try;          /* monotonic; no new attempt before */
	double backoff;
	char outage[LIBVIRT_ERR_MAX]; /* err for the whole outage, "" while connected */
	struct libvirt_dom *doms;
	size_t n_doms, cap_doms;
	int life_id;              /* lifecycle callback, -1 none */
	int close_cb;             /* close callback registered */
	double listed;            /* monotonic time of the last listing */
	int listed_rc;
	double pid_due;           /* list again then to look for a QEMU not found; 0 none */
	pthread_t thread;         /* the refresher; open() and close() only */

	/* Shared, under mu. */
	pthread_mutex_t mu;
	pthread_cond_t wake;      /* the refresher sleeps here */
	pthread_cond_t fresh;     /* list() and close() wait here */
	int refs;
	int quit;                 /* close() was called */
	int stopped;              /* the refresher has let go of libvirt */
	int dirty;                /* an event said the listing is stale */
	int want;                 /* list() asks for a listing */
	int every_list;           /* connected without events: list each list() */
	int awaited;              /* list() has waited for the first snapshot once */
	unsigned long gen;        /* snapshots published */
	int snap_rc;
	char snap_err[LIBVIRT_ERR_MAX];
	struct inst_raw *snap;
	size_t n_snap;
};

static double libvirt_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* An absolute CLOCK_MONOTONIC deadline wait_s from now, for pthread_cond_timedwait. */
static void libvirt_deadline(struct timespec *dl, double wait_s)
{
	if (wait_s < 0)
		wait_s = 0;
	clock_gettime(CLOCK_MONOTONIC, dl);
	double ns = (double)dl->tv_nsec + wait_s * 1e9;
	dl->tv_sec += (time_t)(ns / 1e9);
	dl->tv_nsec = (long)(ns - (double)(long long)(ns / 1e9) * 1e9);
}

/* Condition variables that time out on the monotonic clock. */
static void libvirt_cond_init(pthread_cond_t *cv)
{
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(cv, &ca);
	pthread_condattr_destroy(&ca);
}

/* libvirt prints every error to stderr by default; ours flow through err only. */
static void libvirt_silent(void *opaque, virErrorPtr e)
{
	(void)opaque;
	(void)e;
}

/* libvirt's last error message, one line. */
static void libvirt_last_msg(char *buf, size_t len)
{
	const char *m = virGetLastErrorMessage();
	snprintf(buf, len, "%s", m && m[0] ? m : "unknown error");
	for (char *p = buf; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
}

/* --- libvirt's event loop ------------------------------------------------------ */

/* Keepalive and events need libvirt's event loop running; it runs on its own
 * thread for the life of the process (libvirt offers no way to stop it cleanly). */
static pthread_once_t libvirt_loop_once = PTHREAD_ONCE_INIT;
static int libvirt_loop_ok;

static void *libvirt_loop_run(void *arg)
{
	(void)arg;
	/* Keepalive writes happen here: a dead daemon must not SIGPIPE us. */
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &s, NULL);
	for (;;)
		if (virEventRunDefaultImpl() < 0)
			usleep(100000);
	return NULL;
}

static void libvirt_loop_start(void)
{
	pthread_t t;
	if (virEventRegisterDefaultImpl() < 0)
		return;
	if (pthread_create(&t, NULL, libvirt_loop_run, NULL) != 0)
		return;
	pthread_detach(t);
	libvirt_loop_ok = 1;
}

/* --- connection attempts ---------------------------------------------------- */

static void libvirt_attempt_put(struct libvirt_attempt *a)
{
	pthread_mutex_lock(&a->mu);
	int last = --a->refs == 0;
	pthread_mutex_unlock(&a->mu);
	if (!last)
		return;
	if (a->conn)
		virConnectClose(a->conn);
	pthread_mutex_destroy(&a->mu);
	pthread_cond_destroy(&a->cv);
	free(a->uri);
	free(a);
}

static void *libvirt_attempt_run(void *arg)
{
	struct libvirt_attempt *a = arg;
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &s, NULL); /* pending ones die with the thread */
	virConnectPtr c = virConnectOpenReadOnly(a->uri);
	char msg[LIBVIRT_ERR_MAX] = "";
	if (!c)
		libvirt_last_msg(msg, sizeof(msg));
	pthread_mutex_lock(&a->mu);
	a->conn = c;
	snprintf(a->err, sizeof(a->err), "%s", msg);
	a->done = 1;
	pthread_cond_broadcast(&a->cv);
	pthread_mutex_unlock(&a->mu);
	libvirt_attempt_put(a);
	return NULL;
}

static struct libvirt_attempt *libvirt_attempt_start(const char *uri)
{
	struct libvirt_attempt *a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	a->uri = strdup(uri);
	libvirt_cond_init(&a->cv);
	pthread_mutex_init(&a->mu, NULL);
	a->refs = 2;
	pthread_t t;
	if (!a->uri || pthread_create(&t, NULL, libvirt_attempt_run, a) != 0) {
		a->refs = 1;
		libvirt_attempt_put(a);
		return NULL;
	}
	pthread_detach(t);
	return a;
}

/* Wait until the attempt is done or wait_s passed; returns done. */
static int libvirt_attempt_wait(struct libvirt_attempt *a, double wait_s)
{
	struct timespec dl;
	libvirt_deadline(&dl, wait_s);
	pthread_mutex_lock(&a->mu);
	while (!a->done && pthread_cond_timedwait(&a->cv, &a->mu, &dl) == 0)
		;
	int done = a->done;
	pthread_mutex_unlock(&a->mu);
	return done;
}

static void libvirt_outage_text(char *buf, size_t len, const char *what, const char *uri, const char *msg)
{
	snprintf(buf, len, "libvirt: %s %s: %s", what, uri, msg);
}

static void libvirt_set_outage(struct libvirt_backend *b, const char *what, const char *msg)
{
	/* One text per outage: the sampler turns a change of err into an event. */
	if (b->outage[0])
		return;
	libvirt_outage_text(b->outage, sizeof(b->outage), what, b->uri, msg);
}

static void libvirt_schedule_retry(struct libvirt_backend *b)
{
	b->next_try = libvirt_now() + b->backoff;
	b->backoff *= 2;
	if (b->backoff > LIBVIRT_BACKOFF_MAX_S)
		b->backoff = LIBVIRT_BACKOFF_MAX_S;
}

/* --- sharing the backend ------------------------------------------------------ */

static void libvirt_get(struct libvirt_backend *b)
{
	pthread_mutex_lock(&b->mu);
	b->refs++;
	pthread_mutex_unlock(&b->mu);
}

/* Frees memory only: whoever lets go last may be on any thread, libvirt's own included. */
static void libvirt_put(struct libvirt_backend *b)
{
	pthread_mutex_lock(&b->mu);
	int last = --b->refs == 0;
	pthread_mutex_unlock(&b->mu);
	if (!last)
		return;
	inst_raw_free_array(b->snap, b->n_snap);
	pthread_cond_destroy(&b->wake);
	pthread_cond_destroy(&b->fresh);
	pthread_mutex_destroy(&b->mu);
	free(b->doms);
	free(b->uri);
	free(b);
}

/* libvirt's freecb: the lifecycle callback was deregistered, or its connection went away. */
static void libvirt_put_cb(void *opaque)
{
	libvirt_put(opaque);
}

/* --- events ------------------------------------------------------------------------ */

/* On libvirt's event-loop thread: note that the listing is stale, nothing more. */
static void libvirt_mark_dirty(struct libvirt_backend *b)
{
	pthread_mutex_lock(&b->mu);
	b->dirty = 1;
	pthread_cond_signal(&b->wake);
	pthread_mutex_unlock(&b->mu);
}

static int libvirt_on_lifecycle(virConnectPtr c, virDomainPtr dom, int event, int detail, void *opaque)
{
	(void)c;
	(void)dom;
	(void)event;
	(void)detail;
	libvirt_mark_dirty(opaque);
	return 0;
}

/* The daemon went away or stopped answering: the listing that follows says so. */
static void libvirt_on_close(virConnectPtr c, int reason, void *opaque)
{
	(void)c;
	(void)reason;
	libvirt_mark_dirty(opaque);
}

/* Returns 1 when both callbacks are registered: only then can the refresher
 * wait for events instead of listing for every list(). */
static int libvirt_events_on(struct libvirt_backend *b)
{
	if (!libvirt_loop_ok)
		return 0; /* nothing would deliver them */
	libvirt_get(b);
	/* The cast through void (*)(void) is how a callback of another type passes -Wcast-function-type. */
	b->life_id = virConnectDomainEventRegisterAny(b->conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
		(virConnectDomainEventGenericCallback)(void (*)(void))libvirt_on_lifecycle, b, libvirt_put_cb);
	if (b->life_id < 0) {
		libvirt_put(b);
		return 0;
	}
	/* No reference for this one: libvirt calls it under a lock that
	 * unregistering takes, so it cannot outlive libvirt_events_off; and drivers
	 * that never close (test://) accept it without ever calling it or a freecb. */
	b->close_cb = virConnectRegisterCloseCallback(b->conn, libvirt_on_close, b, NULL) == 0;
	return b->close_cb;
}

/* Before a connection is closed: a registered close callback holds the
 * connection, and the lifecycle callback a reference to the backend (libvirt
 * may still be running it when deregistration returns; its freecb says when
 * it is done). */
static void libvirt_events_off(struct libvirt_backend *b)
{
	if (b->life_id >= 0)
		virConnectDomainEventDeregisterAny(b->conn, b->life_id);
	if (b->close_cb)
		virConnectUnregisterCloseCallback(b->conn, libvirt_on_close);
	b->life_id = -1;
	b->close_cb = 0;
}

static int libvirt_events_live(const struct libvirt_backend *b)
{
	return b->life_id >= 0 && b->close_cb;
}

/* --- connecting ------------------------------------------------------------------- */

/* Take the result of a finished attempt. */
static void libvirt_attempt_finish(struct libvirt_backend *b)
{
	struct libvirt_attempt *a = b->att;
	pthread_mutex_lock(&a->mu);
	virConnectPtr c = a->conn;
	a->conn = NULL;
	char msg[LIBVIRT_ERR_MAX];
	snprintf(msg, sizeof(msg), "%s", a->err);
	pthread_mutex_unlock(&a->mu);
	libvirt_attempt_put(a);
	b->att = NULL;
	if (c) {
		b->conn = c;
		if (libvirt_loop_ok)
			virConnectSetKeepAlive(c, LIBVIRT_KEEPALIVE_INTERVAL_S, LIBVIRT_KEEPALIVE_COUNT);
		libvirt_events_on(b);
		b->backoff = LIBVIRT_BACKOFF_MIN_S;
		b->outage[0] = '\0';
		return;
	}
	libvirt_set_outage(b, "cannot connect to", msg);
	libvirt_schedule_retry(b);
}

/* Make progress towards a connection without blocking more than LIBVIRT_WAIT_S.
 * Returns 1 when connected. */
static int libvirt_connect(struct libvirt_backend *b)
{
	if (b->conn)
		return 1;
	if (!b->att) {
		if (libvirt_now() < b->next_try)
			return 0;
		b->att = libvirt_attempt_start(b->uri);
		if (!b->att) {
			libvirt_set_outage(b, "cannot connect to", "cannot start a connection thread");
			libvirt_schedule_retry(b);
			return 0;
		}
		/* Only a fresh attempt is waited for; one left over from an earlier call is polled. */
		if (libvirt_attempt_wait(b->att, LIBVIRT_WAIT_S)) {
			libvirt_attempt_finish(b);
			return b->conn != NULL;
		}
		libvirt_set_outage(b, "cannot connect to", "no answer");
		return 0;
	}
	if (libvirt_attempt_wait(b->att, 0))
		libvirt_attempt_finish(b);
	return b->conn != NULL;
}

/* Did the last failed call mean the daemon is gone? */
static int libvirt_conn_lost(virConnectPtr c)
{
	virErrorPtr e = virGetLastError();
	if (e && (e->code == VIR_ERR_SYSTEM_ERROR || e->code == VIR_ERR_RPC ||
		  e->code == VIR_ERR_NO_CONNECT || e->code == VIR_ERR_INVALID_CONN))
		return 1;
	return virConnectIsAlive(c) != 1;
}

static void libvirt_disconnect(struct libvirt_backend *b)
{
	libvirt_events_off(b);
	virConnectClose(b->conn);
	b->conn = NULL;
}

static void libvirt_drop(struct libvirt_backend *b)
{
	char msg[LIBVIRT_ERR_MAX] = "connection closed";
	if (virGetLastError())
		libvirt_last_msg(msg, sizeof(msg));
	libvirt_set_outage(b, "lost connection to", msg);
	libvirt_disconnect(b);
	b->backoff = LIBVIRT_BACKOFF_MIN_S;
	libvirt_schedule_retry(b);
}

/* QEMU's pid files: system instances under /run, session ones under the user's runtime dir. */
static void libvirt_pid_dir(struct libvirt_backend *b)
{
	if (!strstr(b->uri, "/session")) {
		snprintf(b->pid_dir, sizeof(b->pid_dir), "/run/libvirt/qemu");
		return;
	}
	const char *rt = getenv("XDG_RUNTIME_DIR");
	if (rt && rt[0])
		snprintf(b->pid_dir, sizeof(b->pid_dir), "%s/libvirt/qemu/run", rt);
	else
		snprintf(b->pid_dir, sizeof(b->pid_dir), "/run/user/%u/libvirt/qemu/run",
			 (unsigned)getuid());
}

/* A URI naming a host ("qemu+ssh://h/system") describes processes elsewhere. */
static int libvirt_uri_local(const char *uri)
{
	const char *p = strstr(uri, "://");
	return !p || p[3] == '/';
}

/* --- per-domain facts ----------------------------------------------------------- */

static const char *libvirt_state_name(int st)
{
	switch (st) {
	case VIR_DOMAIN_RUNNING: return "running";
	case VIR_DOMAIN_BLOCKED: return "idle";
	case VIR_DOMAIN_PAUSED: return "paused";
	case VIR_DOMAIN_SHUTDOWN: return "in shutdown";
	case VIR_DOMAIN_SHUTOFF: return "shut off";
	case VIR_DOMAIN_CRASHED: return "crashed";
	case VIR_DOMAIN_PMSUSPENDED: return "pmsuspended";
	default: return "no state";
	}
}

/* The type attribute of the root <domain> element ("kvm", "qemu"). */
static void libvirt_xml_type(const char *xml, char *out, size_t len)
{
	out[0] = '\0';
	const char *p = strstr(xml, "<domain");
	if (!p)
		return;
	const char *end = strchr(p, '>');
	for (p += 7; end && p < end; p++) {
		if (strncmp(p, "type=", 5) != 0 || !isspace((unsigned char)p[-1]))
			continue;
		char q = p[5];
		if (q != '\'' && q != '"')
			return;
		const char *v = p + 6, *ve = strchr(v, q);
		if (!ve || ve > end)
			return;
		snprintf(out, len, "%.*s", (int)(ve - v), v);
		return;
	}
}

static int libvirt_alive(pid_t pid)
{
	return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
}

/* QEMU escapes a comma in an option value by doubling it. */
static void libvirt_qemu_escape(const char *in, char *out, size_t len)
{
	size_t o = 0;
	for (; *in && o + 2 < len; in++) {
		out[o++] = *in;
		if (*in == ',')
			out[o++] = ',';
	}
	out[o] = '\0';
}

/* Does a "-name" value name the guest: "guest=NAME[,...]" or "NAME[,...]"? */
static int libvirt_name_matches(const char *val, const char *esc)
{
	if (strncmp(val, "guest=", 6) == 0)
		val += 6;
	size_t l = strlen(esc);
	return strncmp(val, esc, l) == 0 && (val[l] == '\0' || (val[l] == ',' && val[l + 1] != ','));
}

/* Is /proc/PID/cmdline a QEMU whose -name is the guest? */
static int libvirt_cmdline_is(pid_t pid, const char *esc)
{
	char path[64], buf[8192];
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	ssize_t n = inst_read_file(path, buf, sizeof(buf));
	if (n <= 0)
		return 0;
	const char *exe = strrchr(buf, '/');
	exe = exe ? exe + 1 : buf;
	if (strncmp(exe, "qemu", 4) != 0)
		return 0;
	for (const char *a = buf; a < buf + n; a += strlen(a) + 1) {
		const char *next = a + strlen(a) + 1;
		if (strcmp(a, "-name") == 0 && next < buf + n)
			return libvirt_name_matches(next, esc);
	}
	return 0;
}

static pid_t libvirt_pid_from_file(const struct libvirt_backend *b, const char *name, const char *esc)
{
	char path[PATH_MAX + INST_NAME_MAX], buf[32];
	int w = snprintf(path, sizeof(path), "%s/%s.pid", b->pid_dir, name);
	if (w < 0 || (size_t)w >= sizeof(path) || inst_read_file(path, buf, sizeof(buf)) <= 0)
		return 0;
	long pid = strtol(buf, NULL, 10);
	if (pid <= 0 || pid > INT_MAX || !libvirt_alive((pid_t)pid))
		return 0;
	/* A stale file may name a reused pid: the process must still be this guest's QEMU. */
	return libvirt_cmdline_is((pid_t)pid, esc) ? (pid_t)pid : 0;
}

static pid_t libvirt_pid_scan(const char *esc)
{
	DIR *d = opendir("/proc");
	if (!d)
		return 0;
	struct dirent *de;
	pid_t found = 0;
	while (!found && (de = readdir(d)) != NULL) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid_t pid = (pid_t)strtol(de->d_name, NULL, 10);
		if (libvirt_cmdline_is(pid, esc))
			found = pid;
	}
	closedir(d);
	return found;
}

static pid_t libvirt_find_pid(const struct libvirt_backend *b, const char *name)
{
	char esc[2 * INST_NAME_MAX];
	libvirt_qemu_escape(name, esc, sizeof(esc));
	pid_t pid = libvirt_pid_from_file(b, name, esc);
	return pid ? pid : libvirt_pid_scan(esc);
}

static struct libvirt_dom *libvirt_dom_get(struct libvirt_backend *b, const char *uuid)
{
	for (size_t i = 0; i < b->n_doms; i++)
		if (strcmp(b->doms[i].uuid, uuid) == 0)
			return &b->doms[i];
	if (b->n_doms == b->cap_doms) {
		size_t cap = b->cap_doms ? b->cap_doms * 2 : 8;
		struct libvirt_dom *d = realloc(b->doms, cap * sizeof(*d));
		if (!d)
			return NULL;
		b->doms = d;
		b->cap_doms = cap;
	}
	struct libvirt_dom *d = &b->doms[b->n_doms++];
	memset(d, 0, sizeof(*d));
	snprintf(d->uuid, sizeof(d->uuid), "%s", uuid);
	d->id = -2; /* no id yet: the first look fills the facts */
	return d;
}

static void libvirt_dom_prune(struct libvirt_backend *b)
{
	size_t k = 0;
	for (size_t i = 0; i < b->n_doms; i++)
		if (b->doms[i].seen)
			b->doms[k++] = b->doms[i];
	b->n_doms = k;
}

/* Static facts: the domain type, parsed from the XML once per start. */
static void libvirt_dom_facts(struct libvirt_dom *c, virDomainPtr dom, int id)
{
	if (c->id != id) {
		c->id = id;
		c->facts_ok = 0;
		c->pid = 0;
		c->pid_tried = 0;
	}
	if (c->facts_ok)
		return;
	char *xml = virDomainGetXMLDesc(dom, 0);
	if (!xml)
		return;
	libvirt_xml_type(xml, c->domain_type, sizeof(c->domain_type));
	free(xml);
	c->facts_ok = 1;
}

static void libvirt_dom_pid(struct libvirt_backend *b, struct libvirt_dom *c, const char *name)
{
	if (c->pid || !b->local)
		return;
	double now = libvirt_now();
	if (c->pid_tried && now - c->pid_tried < LIBVIRT_PID_RETRY_S)
		return;
	c->pid = libvirt_find_pid(b, name);
	c->pid_tried = c->pid ? 0 : now;
}

/* Fill one row. Returns 1 filled, 0 skip this domain (it vanished), -1 connection lost. */
static int libvirt_fill(struct libvirt_backend *b, virDomainPtr dom, struct inst_raw *r)
{
	virDomainInfo info;
	char uuid[VIR_UUID_STRING_BUFLEN];
	const char *name = virDomainGetName(dom);
	if (!name || virDomainGetUUIDString(dom, uuid) < 0)
		return 0;
	if (virDomainGetInfo(dom, &info) < 0)
		return libvirt_conn_lost(b->conn) ? -1 : 0;
	struct libvirt_dom *c = libvirt_dom_get(b, uuid);
	if (!c)
		return 0;
	c->seen = 1;
	unsigned int id = virDomainGetID(dom);
	libvirt_dom_facts(c, dom, id == (unsigned int)-1 ? -1 : (int)id);
	inst_raw_init(r, INST_KVM, name);
	inst_set_state(r, libvirt_state_name(info.state));
	r->inst.vcpus = info.nrVirtCpu;
	r->inst.mem_cfg_kb = (int64_t)info.maxMem;
	snprintf(r->inst.domain_type, sizeof(r->inst.domain_type), "%s", c->domain_type);
	/* The id comes from the listing, the state from a later call: a guest
	 * that stopped in between has no process whatever its id said. */
	if (c->id < 0 || info.state == VIR_DOMAIN_SHUTOFF)
		return 1;
	libvirt_dom_pid(b, c, name);
	if (!c->pid)
		return 1;
	r->pids = malloc(sizeof(*r->pids));
	if (r->pids) {
		r->pids[0] = c->pid;
		r->n_pids = 1;
	}
	r->inst.pid = c->pid;
	r->inst.nproc = (int)r->n_pids;
	return 1;
}

static void libvirt_free_doms(virDomainPtr *doms, int n)
{
	for (int i = 0; i < n; i++)
		virDomainFree(doms[i]);
	free(doms);
}

static int libvirt_fail(struct libvirt_backend *b, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s", b->outage);
	return -1;
}

static int libvirt_list_conn(struct libvirt_backend *b, struct inst_raw **out, size_t *n,
			     char *err, size_t errlen)
{
	if (!libvirt_connect(b))
		return libvirt_fail(b, err, errlen);
	if (virConnectIsAlive(b->conn) != 1) {
		libvirt_drop(b);
		return libvirt_fail(b, err, errlen);
	}
	virDomainPtr *doms = NULL;
	int cnt = virConnectListAllDomains(b->conn, &doms, 0);
	if (cnt < 0) {
		if (libvirt_conn_lost(b->conn)) {
			libvirt_drop(b);
			return libvirt_fail(b, err, errlen);
		}
		char msg[LIBVIRT_ERR_MAX];
		libvirt_last_msg(msg, sizeof(msg));
		snprintf(err, errlen, "libvirt: cannot list domains: %s", msg);
		return -1;
	}
	struct inst_raw *rows = cnt ? calloc((size_t)cnt, sizeof(*rows)) : NULL;
	if (cnt && !rows) {
		libvirt_free_doms(doms, cnt);
		snprintf(err, errlen, "libvirt: out of memory");
		return -1;
	}
	for (size_t i = 0; i < b->n_doms; i++)
		b->doms[i].seen = 0;
	size_t k = 0;
	int lost = 0;
	for (int i = 0; i < cnt && !lost; i++) {
		int rc = libvirt_fill(b, doms[i], &rows[k]);
		if (rc > 0)
			k++;
		lost = rc < 0;
	}
	libvirt_free_doms(doms, cnt);
	if (lost) {
		inst_raw_free_array(rows, k);
		libvirt_drop(b);
		return libvirt_fail(b, err, errlen);
	}
	libvirt_dom_prune(b);
	*out = rows;
	*n = k;
	return 0;
}

/* --- the refresher ------------------------------------------------------------------ */

/* When a running domain's QEMU that was not found may be searched for again; 0 none. */
static double libvirt_pid_due(const struct libvirt_backend *b)
{
	double due = 0;
	for (size_t i = 0; i < b->n_doms; i++) {
		const struct libvirt_dom *c = &b->doms[i];
		if (c->pid || !c->pid_tried)
			continue;
		double t = c->pid_tried + LIBVIRT_PID_RETRY_S;
		if (!due || t < due)
			due = t;
	}
	return due;
}

/* When the next listing is due unless an event or list() asks sooner. */
static double libvirt_due(const struct libvirt_backend *b)
{
	if (!b->conn)
		return b->att ? b->listed + LIBVIRT_ATTEMPT_POLL_S : b->next_try;
	double due = b->listed + (b->listed_rc < 0 ? LIBVIRT_BACKOFF_MIN_S : LIBVIRT_REFRESH_S);
	if (b->pid_due > 0 && b->pid_due < due)
		due = b->pid_due;
	return due;
}

/* Sleep until a listing is due or asked for; returns 0 once close() was called. */
static int libvirt_refresh_wait(struct libvirt_backend *b)
{
	double due = libvirt_due(b);
	struct timespec dl;
	libvirt_deadline(&dl, due - libvirt_now());
	pthread_mutex_lock(&b->mu);
	while (!b->quit && !b->dirty && !b->want && libvirt_now() < due &&
	       pthread_cond_timedwait(&b->wake, &b->mu, &dl) == 0)
		;
	int go = !b->quit;
	/* Cleared before listing: an event that comes during the listing asks for another. */
	b->dirty = b->want = 0;
	pthread_mutex_unlock(&b->mu);
	return go;
}

static void libvirt_publish(struct libvirt_backend *b, int rc, struct inst_raw *rows, size_t n,
			    const char *err)
{
	pthread_mutex_lock(&b->mu);
	struct inst_raw *old = b->snap;
	size_t n_old = b->n_snap;
	b->snap = rows;
	b->n_snap = n;
	b->snap_rc = rc;
	snprintf(b->snap_err, sizeof(b->snap_err), "%s", rc < 0 ? err : "");
	b->every_list = b->conn && !libvirt_events_live(b);
	b->gen++;
	pthread_cond_broadcast(&b->fresh);
	pthread_mutex_unlock(&b->mu);
	inst_raw_free_array(old, n_old);
}

static void libvirt_refresh(struct libvirt_backend *b)
{
	struct inst_raw *rows = NULL;
	size_t n = 0;
	char err[LIBVIRT_ERR_MAX] = "";
	int rc = libvirt_list_conn(b, &rows, &n, err, sizeof(err));
	b->listed = libvirt_now();
	b->listed_rc = rc;
	b->pid_due = libvirt_pid_due(b);
	libvirt_publish(b, rc, rows, n, err);
}

/* The refresher runs with every signal blocked: signals belong to the main
 * loop, and libvirt writes to its socket without MSG_NOSIGNAL, so a daemon
 * that died under us raises SIGPIPE here, where it stays pending, harmless. */
static void *libvirt_refresh_run(void *arg)
{
	struct libvirt_backend *b = arg;
	while (libvirt_refresh_wait(b))
		libvirt_refresh(b);
	/* A stuck attempt is abandoned; its thread frees it when libvirt lets go. */
	if (b->att)
		libvirt_attempt_put(b->att);
	b->att = NULL;
	if (b->conn)
		libvirt_disconnect(b);
	pthread_mutex_lock(&b->mu);
	b->stopped = 1;
	pthread_cond_broadcast(&b->fresh);
	pthread_mutex_unlock(&b->mu);
	libvirt_put(b);
	return NULL;
}

static int libvirt_refresh_start(struct libvirt_backend *b)
{
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	b->refs++; /* the refresher's; nothing else runs yet */
	int rc = pthread_create(&b->thread, NULL, libvirt_refresh_run, b);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		b->refs--;
		return -1;
	}
	return 0;
}

/* --- open / list / close ------------------------------------------------------------- */

static struct libvirt_backend *libvirt_new(const char *uri)
{
	struct libvirt_backend *b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	if (!(b->uri = strdup(uri))) {
		free(b);
		return NULL;
	}
	pthread_mutex_init(&b->mu, NULL);
	libvirt_cond_init(&b->wake);
	libvirt_cond_init(&b->fresh);
	b->refs = 1;
	b->local = libvirt_uri_local(uri);
	b->backoff = LIBVIRT_BACKOFF_MIN_S;
	b->life_id = -1;
	libvirt_pid_dir(b);
	/* What list() says if the first listing takes longer than it waits:
	 * the very text the refresher gives an attempt left unanswered. */
	b->snap_rc = -1;
	libvirt_outage_text(b->snap_err, sizeof(b->snap_err), "cannot connect to", uri, "no answer");
	return b;
}

static void *libvirt_open(const struct inst_opts *o, char *err, size_t errlen)
{
	if (virInitialize() < 0) {
		snprintf(err, errlen, "libvirt: cannot initialise the library");
		return NULL;
	}
	virSetErrorFunc(NULL, libvirt_silent);
	/* Before any connection: keepalive and events work only on connections opened after it. */
	pthread_once(&libvirt_loop_once, libvirt_loop_start);
	const char *uri = o && o->connect_uri && o->connect_uri[0] ? o->connect_uri : LIBVIRT_DEFAULT_URI;
	struct libvirt_backend *b = libvirt_new(uri);
	if (!b) {
		snprintf(err, errlen, "libvirt: out of memory");
		return NULL;
	}
	/* An absent daemon is not a failure to open: list() says so and the refresher reconnects. */
	if (libvirt_refresh_start(b) < 0) {
		libvirt_put(b);
		snprintf(err, errlen, "libvirt: cannot start the refresher thread");
		return NULL;
	}
	return b;
}

static void libvirt_close(void *h)
{
	struct libvirt_backend *b = h;
	if (!b)
		return;
	struct timespec dl;
	libvirt_deadline(&dl, LIBVIRT_CLOSE_WAIT_S);
	pthread_mutex_lock(&b->mu);
	b->quit = 1;
	pthread_cond_signal(&b->wake);
	/* Waited for a little, so that a normal exit does not race the refresher's
	 * goodbyes; one stuck in the daemon is left to finish on its own. */
	while (!b->stopped && pthread_cond_timedwait(&b->fresh, &b->mu, &dl) == 0)
		;
	int stopped = b->stopped;
	pthread_mutex_unlock(&b->mu);
	if (stopped)
		pthread_join(b->thread, NULL); /* it only lets go of its reference now */
	else
		pthread_detach(b->thread);
	libvirt_put(b);
}

/* With mu held. The first call waits for the first snapshot (the first sample
 * shows every domain); without events each call asks for a fresh listing and
 * waits for it, as when list() did the listing itself. */
static void libvirt_await(struct libvirt_backend *b)
{
	unsigned long gen = b->gen;
	if (gen == 0 && b->awaited)
		return; /* the first snapshot is late: say so again, do not wait again */
	if (gen > 0 && !b->every_list)
		return;
	b->awaited = 1;
	if (gen > 0) {
		b->want = 1;
		pthread_cond_signal(&b->wake);
	}
	struct timespec dl;
	libvirt_deadline(&dl, LIBVIRT_WAIT_S);
	while (b->gen == gen && pthread_cond_timedwait(&b->fresh, &b->mu, &dl) == 0)
		;
}

/* A deep copy of the snapshot, to be freed with inst_raw_free_array. */
static int libvirt_copy(const struct inst_raw *src, size_t n, struct inst_raw **out, size_t *nout)
{
	if (n == 0)
		return 0;
	struct inst_raw *r = calloc(n, sizeof(*r));
	if (!r)
		return -1;
	for (size_t i = 0; i < n; i++) {
		r[i].inst = src[i].inst;
		if (src[i].n_pids == 0)
			continue;
		r[i].pids = malloc(src[i].n_pids * sizeof(*r[i].pids));
		if (!r[i].pids) {
			inst_raw_free_array(r, i);
			return -1;
		}
		memcpy(r[i].pids, src[i].pids, src[i].n_pids * sizeof(*r[i].pids));
		r[i].n_pids = src[i].n_pids;
	}
	*out = r;
	*nout = n;
	return 0;
}

static int libvirt_list(void *h, struct inst_raw **out, size_t *n, char *err, size_t errlen)
{
	struct libvirt_backend *b = h;
	*out = NULL;
	*n = 0;
	pthread_mutex_lock(&b->mu);
	libvirt_await(b);
	int rc = b->snap_rc;
	if (rc < 0)
		snprintf(err, errlen, "%s", b->snap_err);
	else if (libvirt_copy(b->snap, b->n_snap, out, n) < 0) {
		rc = -1;
		snprintf(err, errlen, "libvirt: out of memory");
	}
	pthread_mutex_unlock(&b->mu);
	return rc;
}

const struct inst_backend_ops inst_libvirt_ops = {
	.name = "libvirt",
	.type = INST_KVM,
	.open = libvirt_open,
	.list = libvirt_list,
	.close = libvirt_close,
};

#endif /* HAVE_LIBVIRT */

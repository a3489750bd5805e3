/* probe.h - readiness probes for booted clones: an ICMP echo, a TCP connect, a text in a console log. */
#ifndef UKSMTOP_PROBE_H
#define UKSMTOP_PROBE_H

#include <stddef.h>

#include "template.h"

/* How often a probe is tried, at most this far apart (the issue asks for 50 ms). */
#define PROBE_PERIOD_S 0.04

struct probe;

/* A probe of kind READY_PING, READY_TCP (port) or READY_CONSOLE (text).
 * READY_STATE needs no probe here: the clone backend answers it.
 * NULL with a one-line reason in err (e.g. no ICMP socket allowed). */
struct probe *probe_new(enum ready_kind kind, int port, const char *text, char *err, size_t errlen);
void probe_free(struct probe *p);

/* The IPv4 address to ping or connect to. 0, or -1 when it is not one. */
int probe_set_address(struct probe *p, const char *ipv4);
/* The console log to search (read from the start, then only what is new). */
void probe_set_log(struct probe *p, const char *path);

/* One attempt, waiting at most wait_s for the answer: 1 ready, 0 not yet.
 * May return 0 early (refused, no route): the caller paces the attempts. */
int probe_once(struct probe *p, double wait_s);

/* What a probe looks at, for messages: "ping 10.0.0.2", "tcp 10.0.0.2:80", "console /x.log". */
void probe_describe(const struct probe *p, char *buf, size_t len);

#endif

/* worker.h - the sampling thread: takes a sample every delay and runs the slow actions, off the key loop. */
#ifndef UKSMTOP_TUI_WORKER_H
#define UKSMTOP_TUI_WORKER_H

#include <stdbool.h>
#include <stddef.h>

#include "../core/sample.h"
#include "../core/sampler.h"

enum worker_req { WORKER_REQ_NONE = 0, WORKER_REQ_SET_RUN, WORKER_REQ_BASELINE };

struct worker;

/* Start sampling every delay_s seconds, the first sample at once. Each new
 * sample or action result writes a byte to wake_fd (the main loop polls
 * it). Returns NULL with err on failure. */
struct worker *worker_start(struct sampler *s, double delay_s, int wake_fd, char *err, size_t errlen);
/* Stop the thread and free everything. */
void worker_stop(struct worker *w);

void worker_set_delay(struct worker *w, double delay_s);
/* Take a sample now rather than at the next tick. */
void worker_sample_now(struct worker *w);
/* Queue an action (one of each kind at most); its outcome comes back
 * through worker_result, followed at once by a fresh sample. */
void worker_request(struct worker *w, enum worker_req req, int arg);

/* Move the newest sample, if one came since the last call, into out (the
 * caller frees it with sample_free). Returns true when there was one. */
bool worker_take(struct worker *w, struct sample *out);
/* The outcome of a finished action: returns its kind (NONE when none is
 * waiting), with rc (0 or -errno) and a one-line message. */
enum worker_req worker_result(struct worker *w, int *rc, char *msg, size_t msglen);
/* Hand a sample the caller is done with back to be freed on the sampling
 * thread, which allocated it: freeing it on the drawing thread made glibc trim
 * the other thread's heap there, and the drawing thread must touch no /proc
 * file (glibc reads /proc/sys/vm/overcommit_memory when it first trims). */
void worker_recycle(struct worker *w, struct sample *old);

#endif

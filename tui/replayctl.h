/* replayctl.h - a recording in the view: where it stands, play and pause, steps and jumps. */
#ifndef UKSMTOP_TUI_REPLAYCTL_H
#define UKSMTOP_TUI_REPLAYCTL_H

#include <stdbool.h>
#include <stddef.h>

#include "../core/replay.h"
#include "keys.h"
#include "view.h"

struct replayctl;

/* Show log's first sample in v, paused. log stays the caller's. NULL when
 * out of memory or the log holds no sample. */
struct replayctl *replayctl_new(const struct replay_log *log, struct view *v);
void replayctl_free(struct replayctl *r);

/* A key of the replay (space, Left, Right, [, ], J, +, -, and the jump
 * prompt's typing): true when it was one. */
bool replayctl_key(struct replayctl *r, struct view *v, int ch);
/* While playing, move to the samples now due; true when the view changed. */
bool replayctl_poll(struct replayctl *r, struct view *v);
/* Milliseconds until the next sample is due; -1 when paused. */
int replayctl_timeout(const struct replayctl *r);

/* Move to sample i (clamped), paused or not as it was. */
void replayctl_show(struct replayctl *r, struct view *v, size_t i);
/* Which sample the view shows, and how many there are. */
size_t replayctl_pos(const struct replayctl *r);

/* "HH:MM[:SS]" (local time, on the shown sample's day), "+SECS", "-SECS",
 * "start" or "end" -> the first sample at or after that time. -1 when the
 * text is none of those. */
long replayctl_find(const struct replay_log *log, size_t pos, const char *text);

extern const struct keys_bar_item replayctl_bar[];
extern const size_t replayctl_bar_n;
extern const struct keys_help_line replayctl_help[];
extern const size_t replayctl_help_n;

#endif

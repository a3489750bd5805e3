/* bootctl.h - the view's boot actions: n, t and x from a key to the engine and back, never blocking the loop. */
#ifndef UKSMTOP_TUI_BOOTCTL_H
#define UKSMTOP_TUI_BOOTCTL_H

#include <stdbool.h>

#include "../core/boot.h"
#include "../core/config.h"
#include "view.h"

/* While a run is on, the loop polls its progress this often. */
#define BOOTCTL_TICK_MS 100

/* What bootctl_poll asks of the loop. */
enum { BOOTCTL_REDRAW = 1 << 0, BOOTCTL_SAMPLE = 1 << 1 };

struct bootctl;

/* cfg must outlive the controller (its templates are shown by pointer).
 * wake_fd is written when a cleanup ends (the loop polls it). */
struct bootctl *bootctl_new(const struct config *cfg, int wake_fd);
/* Cancel a run and wait for it and for a cleanup (the view is gone by then). */
void bootctl_free(struct bootctl *c);

/* n (BOOT_ONE_BY_ONE) or t (BOOT_STORM): refuse with a message, or ask for
 * the template (v->mode VM_BOOT_CHOOSE), then n, then start the run. */
void bootctl_boot(struct bootctl *c, struct view *v, enum boot_mode mode);
/* x: refuse, or ask y/n (VM_BOOT_CLEAN) saying how many clones the table has. */
void bootctl_clean(struct bootctl *c, struct view *v);
/* A key for the boot actions: the VM_BOOT_* modes, Esc while a run is on,
 * any key while a result shows. Returns false when the key is not its. */
bool bootctl_key(struct bootctl *c, struct view *v, int ch);
/* Take a run's progress, finish a run or a cleanup. Returns BOOTCTL_* bits. */
int bootctl_poll(struct bootctl *c, struct view *v);
/* Milliseconds until the next poll is due, -1 when nothing runs. */
int bootctl_timeout(const struct bootctl *c);

struct record;
/* -w: write each finished run's result into rec too (NULL: stop). */
void bootctl_set_record(struct bootctl *c, struct record *rec);

#endif

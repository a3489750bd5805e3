/* view.h - the view's state, shared by the loop that changes it and the code that draws it. */
#ifndef UKSMTOP_TUI_VIEW_H
#define UKSMTOP_TUI_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/history.h"
#include "../core/sample.h"
#include "bootpanel.h"
#include "layout.h"
#include "palette.h"
#include "theme.h"

struct keys_bar_item;
struct keys_help_line;

/* Samples kept for the sparklines: far more than any terminal is wide. */
#define VIEW_HISTORY 1024

enum view_mode {
	VM_NORMAL,
	VM_HELP,
	VM_DELAY,    /* typing a delay */
	VM_FILTER,   /* typing a filter */
	VM_CONFIRM,  /* y/n before changing the merging run state */
	VM_BOOT_CHOOSE, /* n, t: choosing the template */
	VM_BOOT_COUNT,  /* n, t: typing how many clones */
	VM_BOOT_CLEAN,  /* x: y/n before removing uksmtop's clones */
	VM_JUMP,        /* a replay: typing where to jump */
};

struct view {
	/* What is drawn: the newest sample and the figures' histories. */
	struct sample smp;
	bool have_sample;
	struct history h_cpu;    /* the daemon thread's CPU % */
	struct history h_scan;   /* pages scanned per second */
	struct history h_over;   /* host overhead, MiB */
	int64_t last_run;        /* to mark toggles on the time axis */

	/* The table: shown rows (indices into smp.inst), sorting, selection. */
	size_t *rows;
	size_t n_rows, rows_cap;
	enum layout_col sort;
	bool reverse;
	size_t sel, top;
	char sel_name[INST_NAME_MAX];
	char filter[256];
	size_t rows_h;           /* instance rows on screen at the last frame */
	int panel_h;             /* lines of the boot panel at the last frame */
	struct layout_table table; /* the columns of the last frame */

	/* Settings the keys change. */
	double delay_s;
	double pss_interval_s;
	bool secure;
	struct theme theme;
	enum palette_mode pmode;
	bool utf8;
	char host[256];

	/* Input. */
	enum view_mode mode;
	char input[256];
	int confirm_mode;        /* enum dedup_run_mode to set on 'y' */
	char prompt[512];        /* the question of the VM_BOOT_* and VM_JUMP modes */

	/* A replay (-r): the title's badge (position, play or pause), and the
	 * keys of the bottom bar and the help; NULL: the live view's. */
	char badge[96];
	const struct keys_bar_item *bar;
	size_t bar_n;
	const struct keys_help_line *help;
	size_t help_n;

	/* The boot panel under the table (n, t), none when its stage is NONE.
	 * A storm's result stays there until a key in the normal mode. */
	struct bootpanel boot;

	/* The one message of the bottom line. */
	char msg[512];
	bool msg_error;
	double msg_mono;         /* when it was set; it fades after a while */
};

/* Set the message of the bottom line (printf-like). */
void view_message(struct view *v, bool error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Rebuild the shown rows after a new sample, a filter or a sort change,
 * keeping the selection on the same instance where it is still shown. */
void view_rebuild(struct view *v);
/* Move the selection to row sel (clamped) and scroll it into sight. */
void view_select(struct view *v, long sel);
/* Which filter applies now: the one being typed, or the settled one. */
const char *view_filter(const struct view *v);

#endif

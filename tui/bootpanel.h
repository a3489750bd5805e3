/* bootpanel.h - the boot panel under the table: template choice, a run's live figures, a storm's result, as text. */
#ifndef UKSMTOP_TUI_BOOTPANEL_H
#define UKSMTOP_TUI_BOOTPANEL_H

#include <stdbool.h>
#include <stddef.h>

#include "../core/boot.h"
#include "theme.h"

enum bootpanel_stage {
	BOOTPANEL_NONE = 0,
	BOOTPANEL_CHOOSE,   /* the template is being chosen */
	BOOTPANEL_COUNT,    /* the number of clones is being typed */
	BOOTPANEL_RUNNING,  /* a run: live figures */
	BOOTPANEL_RESULT,   /* a storm's end, or a cancelled storm: stays until a key */
};

/* What the panel shows. The loop fills it (from the config and from
 * boot_progress); drawing only reads it. */
struct bootpanel {
	enum bootpanel_stage stage;
	enum boot_mode mode;
	const struct template *tpl;  /* the config's templates */
	size_t n_tpl, sel;           /* how many, and the one chosen */
	bool cancelled;              /* Esc during the run */
	struct boot_snapshot snap;   /* the run's latest copy (RUNNING, RESULT); owns snap.clones */
	bool have_snap;
};

#define BOOTPANEL_TEXT 512
#define BOOTPANEL_LINES 96

struct bootpanel_line {
	char text[BOOTPANEL_TEXT];
	enum theme_element el;
};

/* The panel's lines for a width, at most max (the first is its title bar).
 * When the clones do not all fit, the last line says how many are left out.
 * Returns the count; 0 when there is no panel. Pure: no terminal, no file. */
size_t bootpanel_lines(const struct bootpanel *p, int width, size_t max, struct bootpanel_line *out);

/* Drop the snapshot and close the panel. */
void bootpanel_close(struct bootpanel *p);
/* Take a new snapshot (the old one is freed). */
void bootpanel_adopt(struct bootpanel *p, struct boot_snapshot *s);

/* Seconds as the panel writes them: "0.032 s", "12.5 s", "-" when unknown. */
char *bootpanel_secs(char *buf, size_t len, double s);
/* Instances whose names start with one of the templates' prefixes (what
 * looks like uksmtop's clones): their count, and the first few names joined
 * in names ("a, b, c and 2 more"). */
size_t bootpanel_count_prefixed(const struct instance *inst, size_t n_inst, const struct template *tpl,
				size_t n_tpl, char *names, size_t nameslen);

#endif

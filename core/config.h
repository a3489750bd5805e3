/* config.h - settings from the config file and the command line (the command line wins). */
#ifndef UKSMTOP_CONFIG_H
#define UKSMTOP_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "template.h"

enum out_format { OUT_TEXT = 0, OUT_CSV, OUT_JSON };

#define CFG_STR_MAX 4096

struct config {
	bool batch;
	long iterations;          /* -1: until interrupted */
	double delay_s;           /* 0.05 .. 3600 */
	enum out_format format;
	char config_path[CFG_STR_MAX];   /* the file read ("" when none) */
	bool config_explicit;            /* -C given */
	char sysfs_root[CFG_STR_MAX];    /* "" = /sys */
	int dedup_set;            /* -1: leave alone; else enum dedup_run_mode */
	int64_t baseline_kb;      /* VAL_NULL when not set by config or option */
	bool baseline_from_cli;   /* --baseline MB (source "manual") vs config ("config") */
	bool baseline_now;
	char connect_uri[CFG_STR_MAX];   /* libvirt URI */
	char lxcpath[CFG_STR_MAX];       /* "" = LXC's default */
	bool use_libvirt;
	bool use_lxc;
	double pss_interval_s;    /* 0: every sample */
	int type_filter;          /* -1 any, else enum inst_type */
	char name_filter[256];    /* fnmatch pattern, "" = all */
	char theme[64];
	bool secure;
	/* booting instances */
	struct template templates[TEMPLATE_MAX];
	size_t n_templates;
	int max_boot;             /* clones at once, at most */
	char results_path[CFG_STR_MAX]; /* boot-storm results CSV; "" = state dir */
	int boot_mode;            /* 0 none, 1 --boot, 2 --boot-storm */
	long boot_n;
	char boot_template[TEMPLATE_NAME_MAX];
	bool cleanup;             /* --cleanup: remove uksmtop's clones */
	bool cleanup_after;       /* --cleanup-after: remove them after the boot */
};

/* The template called name, or NULL. */
const struct template *config_template(const struct config *c, const char *name);

/* Defaults, before any file or option. */
void config_defaults(struct config *c);

/* Load an INI file into c. Returns 0; -1 with a message naming file, section,
 * key and value in err (bad value); -2 when an explicitly named file cannot be
 * read. Unknown keys produce warnings (one line each) through warn(). */
int config_load(struct config *c, const char *path, void (*warn)(const char *msg),
		char *err, size_t errlen);

/* Which file to read: -C, else $XDG_CONFIG_HOME/uksmtop/uksmtop.ini (or
 * ~/.config/...), else /etc/uksmtop.ini; "" when none exists. */
void config_default_path(char *out, size_t outlen);

/* Write c as an INI file, atomically (temporary file, fsync, rename).
 * Returns 0 or -errno with a message in err; the old file stays intact. */
int config_save(const struct config *c, const char *path, char *err, size_t errlen);

const char *out_format_name(enum out_format f);
/* "kvm" -> INST_KVM, "lxc" -> INST_LXC, "any" or "" -> -1, else -2. */
int config_parse_type(const char *s);
int out_format_parse(const char *s); /* -1 unknown */

#endif

/* config.c - the INI config file: one table of keys drives loading, checking and writing. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <iniparser.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "sample.h"
#include "util.h"
#include "value.h"

#define CFG_DEFAULT_URI "qemu:///system"

void config_defaults(struct config *c)
{
	memset(c, 0, sizeof *c);
	c->iterations = -1;
	c->delay_s = 1.0;
	c->format = OUT_TEXT;
	c->dedup_set = -1;
	c->baseline_kb = VAL_NULL;
	util_strlcpy(c->connect_uri, CFG_DEFAULT_URI, sizeof c->connect_uri);
	c->use_libvirt = true;
	c->use_lxc = true;
	c->pss_interval_s = 5.0;
	c->type_filter = -1;
	util_strlcpy(c->theme, "default", sizeof c->theme);
	c->max_boot = 64;
}

const struct template *config_template(const struct config *c, const char *name)
{
	for (size_t i = 0; i < c->n_templates; i++)
		if (strcmp(c->templates[i].name, name) == 0)
			return &c->templates[i];
	return NULL;
}

const char *out_format_name(enum out_format f)
{
	switch (f) {
	case OUT_CSV: return "csv";
	case OUT_JSON: return "json";
	default: return "text";
	}
}

int out_format_parse(const char *s)
{
	if (strcmp(s, "text") == 0)
		return OUT_TEXT;
	if (strcmp(s, "csv") == 0)
		return OUT_CSV;
	if (strcmp(s, "json") == 0)
		return OUT_JSON;
	return -1;
}

/* Setters return 0, or -1 when the value is bad; getters render the value
 * back as it would be written ("" leaves the key commented out on save). */
typedef int (*cfg_set_fn)(struct config *c, const char *v);
typedef void (*cfg_get_fn)(const struct config *c, char *buf, size_t len);

static int set_delay(struct config *c, const char *v)
{
	double d;
	if (util_parse_double(v, &d) < 0 || d < 0.05 || d > 3600)
		return -1;
	c->delay_s = d;
	return 0;
}
static void get_delay(const struct config *c, char *b, size_t n) { snprintf(b, n, "%g", c->delay_s); }

static int set_format(struct config *c, const char *v)
{
	int f = out_format_parse(v);
	if (f < 0)
		return -1;
	c->format = (enum out_format)f;
	return 0;
}
static void get_format(const struct config *c, char *b, size_t n) { snprintf(b, n, "%s", out_format_name(c->format)); }

static int set_sysfs_root(struct config *c, const char *v)
{
	if (*v && v[0] != '/')
		return -1;
	util_strlcpy(c->sysfs_root, v, sizeof c->sysfs_root);
	return 0;
}
static void get_sysfs_root(const struct config *c, char *b, size_t n) { snprintf(b, n, "%s", c->sysfs_root); }

static int set_baseline(struct config *c, const char *v)
{
	double mb;
	if (!*v) {
		c->baseline_kb = VAL_NULL;
		return 0;
	}
	if (util_parse_double(v, &mb) < 0 || mb < 0 || mb > 1e9)
		return -1;
	c->baseline_kb = (int64_t)(mb * 1024.0 + 0.5);
	c->baseline_from_cli = false;
	return 0;
}
static void get_baseline(const struct config *c, char *b, size_t n)
{
	if (val_known(c->baseline_kb))
		snprintf(b, n, "%.1f", (double)c->baseline_kb / 1024.0);
	else
		b[0] = '\0';
}

static int set_pss_interval(struct config *c, const char *v)
{
	double d;
	if (util_parse_double(v, &d) < 0 || d < 0 || d > 86400)
		return -1;
	c->pss_interval_s = d;
	return 0;
}
static void get_pss_interval(const struct config *c, char *b, size_t n) { snprintf(b, n, "%g", c->pss_interval_s); }

static int set_theme(struct config *c, const char *v)
{
	if (!*v || strlen(v) >= sizeof c->theme || strchr(v, '/'))
		return -1;
	util_strlcpy(c->theme, v, sizeof c->theme);
	return 0;
}
static void get_theme(const struct config *c, char *b, size_t n) { snprintf(b, n, "%s", c->theme); }

static int set_secure(struct config *c, const char *v)
{
	int b;
	if (util_parse_bool(v, &b) < 0)
		return -1;
	c->secure = b;
	return 0;
}
static void get_secure(const struct config *c, char *b, size_t n) { snprintf(b, n, "%s", c->secure ? "yes" : "no"); }

static int set_max_boot(struct config *c, const char *v)
{
	long l;
	if (util_parse_long(v, &l) < 0 || l < 1 || l > 1024)
		return -1;
	c->max_boot = (int)l;
	return 0;
}
static void get_max_boot(const struct config *c, char *b, size_t n) { snprintf(b, n, "%d", c->max_boot); }

static int set_results(struct config *c, const char *v)
{
	if (*v && v[0] != '/')
		return -1;
	util_strlcpy(c->results_path, v, sizeof c->results_path);
	return 0;
}
static void get_results(const struct config *c, char *b, size_t n) { snprintf(b, n, "%s", c->results_path); }

static int set_libvirt(struct config *c, const char *v)
{
	int b;
	if (util_parse_bool(v, &b) < 0)
		return -1;
	c->use_libvirt = b;
	return 0;
}
static void get_libvirt(const struct config *c, char *b, size_t n) { snprintf(b, n, "%s", c->use_libvirt ? "yes" : "no"); }

static int set_uri(struct config *c, const char *v)
{
	if (!*v || strlen(v) >= sizeof c->connect_uri)
		return -1;
	util_strlcpy(c->connect_uri, v, sizeof c->connect_uri);
	return 0;
}
static void get_uri(const struct config *c, char *b, size_t n) { snprintf(b, n, "%s", c->connect_uri); }

static int set_lxc(struct config *c, const char *v)
{
	int b;
	if (util_parse_bool(v, &b) < 0)
		return -1;
	c->use_lxc = b;
	return 0;
}
static void get_lxc(const struct config *c, char *b, size_t n) { snprintf(b, n, "%s", c->use_lxc ? "yes" : "no"); }

static int set_lxcpath(struct config *c, const char *v)
{
	if (*v && v[0] != '/')
		return -1;
	util_strlcpy(c->lxcpath, v, sizeof c->lxcpath);
	return 0;
}
static void get_lxcpath(const struct config *c, char *b, size_t n) { snprintf(b, n, "%s", c->lxcpath); }

int config_parse_type(const char *v)
{
	if (strcmp(v, "kvm") == 0)
		return INST_KVM;
	if (strcmp(v, "lxc") == 0)
		return INST_LXC;
	if (strcmp(v, "any") == 0 || !*v)
		return -1;
	return -2;
}

static int set_type(struct config *c, const char *v)
{
	int t = config_parse_type(v);
	if (t == -2)
		return -1;
	c->type_filter = t;
	return 0;
}
static void get_type(const struct config *c, char *b, size_t n)
{
	snprintf(b, n, "%s", c->type_filter < 0 ? "any" : inst_type_name((enum inst_type)c->type_filter));
}

static int set_name(struct config *c, const char *v)
{
	if (strlen(v) >= sizeof c->name_filter)
		return -1;
	util_strlcpy(c->name_filter, v, sizeof c->name_filter);
	return 0;
}
static void get_name(const struct config *c, char *b, size_t n) { snprintf(b, n, "%s", c->name_filter); }

struct cfg_key {
	const char *section;
	const char *key;
	cfg_set_fn set;
	cfg_get_fn get;
	const char *what; /* what a good value looks like, for messages */
};

static const struct cfg_key cfg_keys[] = {
	{ "uksmtop", "delay", set_delay, get_delay, "seconds between samples, 0.05 to 3600" },
	{ "uksmtop", "output_format", set_format, get_format, "text, csv or json" },
	{ "uksmtop", "sysfs_root", set_sysfs_root, get_sysfs_root, "an absolute directory read in place of /sys" },
	{ "uksmtop", "baseline_mb", set_baseline, get_baseline, "the idle host's used memory in MiB" },
	{ "uksmtop", "pss_interval", set_pss_interval, get_pss_interval, "seconds between PSS passes, 0 = every sample" },
	{ "uksmtop", "theme", set_theme, get_theme, "a theme name" },
	{ "uksmtop", "secure", set_secure, get_secure, "yes or no" },
	{ "uksmtop", "max_boot", set_max_boot, get_max_boot, "clones booted at once, 1 to 1024" },
	{ "uksmtop", "results", set_results, get_results, "an absolute path for boot-storm results" },
	{ "libvirt", "enabled", set_libvirt, get_libvirt, "yes or no" },
	{ "libvirt", "uri", set_uri, get_uri, "a libvirt connection URI" },
	{ "lxc", "enabled", set_lxc, get_lxc, "yes or no" },
	{ "lxc", "lxcpath", set_lxcpath, get_lxcpath, "an absolute directory" },
	{ "filter", "type", set_type, get_type, "kvm, lxc or any" },
	{ "filter", "name", set_name, get_name, "a shell pattern on instance names" },
};
#define CFG_NKEYS (sizeof cfg_keys / sizeof cfg_keys[0])

static const struct cfg_key *config_find(const char *section, const char *key)
{
	for (size_t i = 0; i < CFG_NKEYS; i++)
		if (strcasecmp(cfg_keys[i].section, section) == 0 && strcasecmp(cfg_keys[i].key, key) == 0)
			return &cfg_keys[i];
	return NULL;
}

static int config_known_section(const char *section)
{
	for (size_t i = 0; i < CFG_NKEYS; i++)
		if (strcasecmp(cfg_keys[i].section, section) == 0)
			return 1;
	return 0;
}

/* iniparser reports syntax errors through a global callback; keep the first. */
static char config_syntax_msg[512];

static int config_syntax_cb(const char *fmt, ...)
{
	if (config_syntax_msg[0])
		return 0;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(config_syntax_msg, sizeof config_syntax_msg, fmt, ap);
	va_end(ap);
	size_t n = strlen(config_syntax_msg);
	while (n && (config_syntax_msg[n - 1] == '\n' || config_syntax_msg[n - 1] == ' '))
		config_syntax_msg[--n] = '\0';
	return 0;
}

static void config_warn(void (*warn)(const char *), const char *fmt, ...)
{
	if (!warn)
		return;
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	warn(msg);
}

static int config_apply_section(struct config *c, dictionary *d, const char *path, const char *sec,
				void (*warn)(const char *), char *err, size_t errlen)
{
	int nkeys = iniparser_getsecnkeys(d, sec);
	if (nkeys <= 0)
		return 0;
	const char **keys = calloc((size_t)nkeys, sizeof *keys);
	if (!keys) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	iniparser_getseckeys(d, sec, keys);
	int rc = 0;
	for (int i = 0; i < nkeys && rc == 0; i++) {
		const char *full = keys[i];            /* "section:key" */
		const char *key = strchr(full, ':');
		key = key ? key + 1 : full;
		const char *val = iniparser_getstring(d, full, "");
		if (!val) { /* "[filter:type]" is a section to iniparser, and has no value */
			config_warn(warn, "%s: section [%s] ignored: a section name holds no ':'", path, full);
			continue;
		}
		const struct cfg_key *k = config_find(sec, key);
		if (!k) {
			config_warn(warn, "%s: [%s] unknown key '%s' ignored", path, sec, key);
			continue;
		}
		if (k->set(c, val) < 0) {
			snprintf(err, errlen, "%s: [%s] %s = '%s': bad value (expected %s)", path, sec,
				 key, val, k->what);
			rc = -1;
		}
	}
	free(keys);
	return rc;
}

/* A [template NAME] section: every key checked, the template added or replaced. */
static int config_apply_template(struct config *c, dictionary *d, const char *path, const char *sec,
				 void (*warn)(const char *), char *err, size_t errlen)
{
	const char *name = sec + 9;
	struct template t;
	struct template probe;
	const char *why;
	template_defaults(&t, name);
	/* The name makes the default clone prefix, so it must pass as a prefix
	 * (else config_save writes a file that cannot be read back). */
	if (!*name || strlen(name) >= sizeof t.name || template_set(&probe, "prefix", name, &why) < 0) {
		snprintf(err, errlen, "%s: [%s]: a template needs a name of 1 to %zu characters: "
			 "letters, digits, '-', '_' or '.'", path, sec, sizeof t.name - 1);
		return -1;
	}
	int nkeys = iniparser_getsecnkeys(d, sec);
	const char **keys = calloc(nkeys > 0 ? (size_t)nkeys : 1, sizeof *keys);
	if (!keys) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	if (nkeys > 0)
		iniparser_getseckeys(d, sec, keys);
	int rc = 0;
	for (int i = 0; i < nkeys && rc == 0; i++) {
		const char *key = strchr(keys[i], ':');
		key = key ? key + 1 : keys[i];
		const char *val = iniparser_getstring(d, keys[i], "");
		if (!val) { /* a "[template NAME:key]" section, valueless */
			config_warn(warn, "%s: section [%s] ignored: a section name holds no ':'", path, keys[i]);
			continue;
		}
		const char *what = NULL;
		if (template_set(&t, key, val, &what) == 0)
			continue;
		if (!what) {
			config_warn(warn, "%s: [%s] unknown key '%s' ignored", path, sec, key);
			continue;
		}
		snprintf(err, errlen, "%s: [%s] %s = '%s': bad value (expected %s)", path, sec, key, val, what);
		rc = -1;
	}
	free(keys);
	const char *missing;
	if (rc == 0 && template_check(&t, &missing) < 0) {
		snprintf(err, errlen, "%s: [%s] %s: missing (a template needs type and source)", path, sec,
			 missing);
		rc = -1;
	}
	if (rc < 0)
		return rc;
	struct template *slot = (struct template *)config_template(c, t.name);
	if (!slot && c->n_templates >= TEMPLATE_MAX) {
		snprintf(err, errlen, "%s: [%s]: at most %d templates", path, sec, TEMPLATE_MAX);
		return -1;
	}
	if (!slot)
		slot = &c->templates[c->n_templates++];
	*slot = t;
	return 0;
}

int config_load(struct config *c, const char *path, void (*warn)(const char *), char *err,
		size_t errlen)
{
	if (access(path, R_OK) < 0) {
		snprintf(err, errlen, "%s: cannot read config file: %s", path, strerror(errno));
		return -2;
	}
	if (util_check_trusted(path, err, errlen) < 0)
		return -1;
	config_syntax_msg[0] = '\0';
	iniparser_set_error_callback(config_syntax_cb);
	dictionary *d = iniparser_load(path);
	if (!d) {
		snprintf(err, errlen, "%s: cannot parse config file%s%s", path,
			 config_syntax_msg[0] ? ": " : "", config_syntax_msg);
		return -1;
	}
	int rc = 0;
	int nsec = iniparser_getnsec(d);
	for (int i = 0; i < nsec && rc == 0; i++) {
		const char *sec = iniparser_getsecname(d, i);
		if (!sec)
			continue;
		if (strncmp(sec, "template ", 9) == 0) {
			rc = config_apply_template(c, d, path, sec, warn, err, errlen);
			continue;
		}
		if (!config_known_section(sec)) {
			config_warn(warn, "%s: unknown section [%s] ignored", path, sec);
			continue;
		}
		rc = config_apply_section(c, d, path, sec, warn, err, errlen);
	}
	iniparser_freedict(d);
	if (rc == 0)
		util_strlcpy(c->config_path, path, sizeof c->config_path);
	return rc;
}

void config_default_path(char *out, size_t outlen)
{
	char dir[CFG_STR_MAX];
	out[0] = '\0';
	if (util_config_dir(dir, sizeof dir) == 0) {
		snprintf(out, outlen, "%s/uksmtop.ini", dir);
		if (access(out, F_OK) == 0)
			return;
	}
	snprintf(out, outlen, "%s", "/etc/uksmtop.ini");
	if (access(out, F_OK) == 0)
		return;
	out[0] = '\0';
}

/* v as iniparser reads it back unchanged: quoted when it holds a comment
 * character, edge blanks, a leading quote or a trailing backslash (a line
 * continuation). -1 when neither quote can carry it. */
static int config_ini_value(const char *v, char *out, size_t outlen)
{
	size_t n = strlen(v);
	int plain = n == 0 || (!strpbrk(v, ";#") && v[0] != '"' && v[0] != '\'' &&
			       !isspace((unsigned char)v[0]) && !isspace((unsigned char)v[n - 1]) &&
			       v[n - 1] != '\\');
	char q = !strchr(v, '"') ? '"' : !strchr(v, '\'') ? '\'' : 0;
	if (plain)
		snprintf(out, outlen, "%s", v);
	else if (q)
		snprintf(out, outlen, "%c%s%c", q, v, q);
	else
		return -1;
	return 0;
}

#define CONFIG_LINE_MAX 1000

int config_save(const struct config *c, const char *path, char *err, size_t errlen)
{
	size_t cap = 32768, len = 0;
	char *buf = malloc(cap);
	if (!buf) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	len += (size_t)snprintf(buf + len, cap - len, "; uksmtop settings, written by uksmtop\n");
	const char *cur = "";
	for (size_t i = 0; i < CFG_NKEYS && len < cap; i++) {
		const struct cfg_key *k = &cfg_keys[i];
		char val[CFG_STR_MAX], ini[CFG_STR_MAX + 2];
		k->get(c, val, sizeof val);
		if (config_ini_value(val, ini, sizeof ini) < 0) {
			free(buf);
			snprintf(err, errlen, "%s: [%s] %s: a value with both kinds of quote and a ';', '#' "
				 "or edge blank cannot be written", path, k->section, k->key);
			return -EINVAL;
		}
		/* iniparser reads lines of at most 1024 characters back. */
		if (strlen(ini) + strlen(k->key) + 4 > CONFIG_LINE_MAX) {
			free(buf);
			snprintf(err, errlen, "%s: [%s] %s: the value is too long to be read back (at most %d "
				 "characters a line)", path, k->section, k->key, CONFIG_LINE_MAX);
			return -EINVAL;
		}
		if (strcmp(cur, k->section) != 0) {
			len += (size_t)snprintf(buf + len, cap - len, "\n[%s]\n", k->section);
			cur = k->section;
		}
		if (len < cap)
			len += (size_t)snprintf(buf + len, cap - len, "%s%s = %s\n", val[0] ? "" : "; ",
						k->key, ini);
	}
	for (size_t i = 0; i < c->n_templates && len < cap; i++) {
		const struct template *t = &c->templates[i];
		char ready[160], ini[162];
		template_ready_str(t, ready, sizeof ready);
		if (config_ini_value(ready, ini, sizeof ini) < 0) {
			free(buf);
			snprintf(err, errlen, "%s: [template %s] ready: a value with both kinds of quote and "
				 "a ';', '#' or edge blank cannot be written", path, t->name);
			return -EINVAL;
		}
		len += (size_t)snprintf(buf + len, cap - len,
					"\n[template %s]\ntype = %s\nsource = %s\nready = %s\ntimeout = %g\nprefix = %s\n",
					t->name, inst_type_name(t->type), t->source, ini, t->timeout_s, t->prefix);
		if (t->merge != MERGE_AUTO && len < cap)
			len += (size_t)snprintf(buf + len, cap - len, "merge = %s\n",
						t->merge == MERGE_ANY ? "any" : "default");
		if (t->address[0] && len < cap)
			len += (size_t)snprintf(buf + len, cap - len, "address = %s\n", t->address);
	}
	if (len >= cap) {
		free(buf);
		snprintf(err, errlen, "%s: settings too long to write", path);
		return -E2BIG;
	}
	char dir[CFG_STR_MAX];
	util_strlcpy(dir, path, sizeof dir);
	char *slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		util_mkdir_p(dir, 0755);
	}
	int rc = util_write_atomic(path, buf, len, err, errlen);
	free(buf);
	return rc;
}

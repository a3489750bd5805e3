/* experiment.c - reads and checks an experiment file: [experiment], [phase NAME] and [template NAME] sections. */
#include "experiment.h"

#include <errno.h>
#include <iniparser.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../backends/dedup.h"
#include "experiment_int.h"
#include "json.h"
#include "plot.h"
#include "util.h"

/* ---- reading the file ---- */

static char exp_syntax_msg[512];

static int exp_syntax_cb(const char *fmt, ...)
{
	if (exp_syntax_msg[0])
		return 0;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(exp_syntax_msg, sizeof exp_syntax_msg, fmt, ap);
	va_end(ap);
	size_t n = strlen(exp_syntax_msg);
	while (n && (exp_syntax_msg[n - 1] == '\n' || exp_syntax_msg[n - 1] == ' '))
		exp_syntax_msg[--n] = '\0';
	return 0;
}

/* "FILE: [SECTION] KEY = 'VALUE': expected WHAT"; returns 2. */
static int exp_bad(char *err, size_t errlen, const struct experiment *e, const char *sec, const char *key,
		   const char *val, const char *what)
{
	if (key && val)
		snprintf(err, errlen, "%s: [%s] %s = '%s': expected %s", e->path, sec, key, val, what);
	else if (key)
		snprintf(err, errlen, "%s: [%s] %s: %s", e->path, sec, key, what);
	else
		snprintf(err, errlen, "%s: [%s]: %s", e->path, sec, what);
	return 2;
}

static void exp_free_argv(char **argv)
{
	for (size_t i = 0; argv && argv[i]; i++)
		free(argv[i]);
	free(argv);
}

static int exp_argv_push(char ***argv, size_t *n, const char *s, size_t len)
{
	if (*n + 2 > EXP_ARGS_MAX)
		return -1;
	char **a = realloc(*argv, (*n + 2) * sizeof *a);
	if (!a)
		return -1;
	*argv = a;
	if (!(a[*n] = strndup(s, len)))
		return -1;
	a[++*n] = NULL;
	return 0;
}

/* ["prog", "arg", ...] */
static char **exp_argv_json(const char *v)
{
	struct json *j = NULL;
	char why[128];
	char **argv = NULL;
	size_t n = 0;
	if (json_parse(v, strlen(v), &j, why, sizeof why) < 0 || j->type != JSON_ARR || j->n == 0) {
		json_free(j);
		return NULL;
	}
	for (size_t i = 0; i < j->n; i++) {
		const struct json *a = &j->items[i];
		if (a->type != JSON_STR || !a->str[0] || exp_argv_push(&argv, &n, a->str, strlen(a->str)) < 0) {
			exp_free_argv(argv);
			argv = NULL;
			break;
		}
	}
	json_free(j);
	return argv;
}

/* Words separated by blanks: no quoting, no expansion, no shell. */
static char **exp_argv_words(const char *v)
{
	char **argv = NULL;
	size_t n = 0;
	for (const char *p = v; *p;) {
		while (*p == ' ' || *p == '\t')
			p++;
		size_t len = strcspn(p, " \t");
		if (len == 0)
			break;
		if (exp_argv_push(&argv, &n, p, len) < 0) {
			exp_free_argv(argv);
			return NULL;
		}
		p += len;
	}
	return argv;
}

/* Whether prog can be executed: a path, or found in $PATH as execvp would. */
static int exp_findable(const char *prog)
{
	if (strchr(prog, '/'))
		return access(prog, X_OK) == 0;
	const char *path = getenv("PATH");
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	char buf[CFG_STR_MAX];
	for (const char *p = path; *p;) {
		size_t len = strcspn(p, ":");
		snprintf(buf, sizeof buf, "%.*s/%s", (int)len, len ? p : ".", prog);
		if (access(buf, X_OK) == 0)
			return 1;
		p += len + (p[len] == ':');
	}
	return 0;
}

static int exp_set_load(struct experiment *e, struct exp_phase *ph, const char *sec, const char *val,
			char *err, size_t errlen)
{
	char **argv = val[0] == '[' ? exp_argv_json(val) : exp_argv_words(val);
	if (!argv)
		return exp_bad(err, errlen, e, sec, "load", val, "a program and its arguments separated by blanks, "
			       "or a JSON array of strings (at most 63 arguments; never run through a shell)");
	if (!exp_findable(argv[0])) {
		snprintf(err, errlen, "%s: [%s] load = '%s': %s: no such program (or not executable)", e->path, sec,
			 val, argv[0]);
		exp_free_argv(argv);
		return 2;
	}
	exp_free_argv(ph->load);
	ph->load = argv;
	util_strlcpy(ph->load_text, val, sizeof ph->load_text);
	return 0;
}

static int exp_phase_key(struct experiment *e, struct exp_phase *ph, const char *sec, const char *key,
			 const char *val, char *err, size_t errlen)
{
	double d;
	if (strcmp(key, "dedup") == 0) {
		if ((ph->dedup = dedup_parse_mode(val)) < 0)
			return exp_bad(err, errlen, e, sec, key, val, "on, off or unmerge");
	} else if (strcmp(key, "baseline") == 0) {
		if (strcmp(val, "now") != 0)
			return exp_bad(err, errlen, e, sec, key, val, "now");
		ph->baseline_now = 1;
	} else if (strcmp(key, "boot") == 0) {
		if (strcmp(val, "storm") == 0)
			ph->boot = BOOT_STORM;
		else if (strcmp(val, "one-by-one") == 0)
			ph->boot = BOOT_ONE_BY_ONE;
		else
			return exp_bad(err, errlen, e, sec, key, val, "storm or one-by-one");
	} else if (strcmp(key, "duration") == 0) {
		if (util_parse_double(val, &d) < 0 || !(d >= 0 && d <= 86400))
			return exp_bad(err, errlen, e, sec, key, val, "seconds, 0 to 86400");
		ph->duration_s = d;
	} else if (strcmp(key, "load") == 0) {
		return exp_set_load(e, ph, sec, val, err, errlen);
	} else {
		return exp_bad(err, errlen, e, sec, key, NULL,
			       "unknown key (a phase has dedup, baseline, boot, load and duration)");
	}
	return 0;
}

static int exp_main_key(struct experiment *e, const char *sec, const char *key, const char *val, char *err,
			size_t errlen)
{
	long l;
	double d;
	int b;
	if (strcmp(key, "template") == 0) {
		if (!val[0] || strlen(val) >= sizeof e->template_name)
			return exp_bad(err, errlen, e, sec, key, val, "a template name");
		util_strlcpy(e->template_name, val, sizeof e->template_name);
		for (char *q = e->template_name; *q; q++) /* as section names are read */
			*q = (char)((*q >= 'A' && *q <= 'Z') ? *q - 'A' + 'a' : *q);
	} else if (strcmp(key, "n") == 0) {
		if (util_parse_long(val, &l) < 0 || l < 1 || l > 1024)
			return exp_bad(err, errlen, e, sec, key, val, "a number of clones, 1 to 1024");
		e->n = l;
	} else if (strcmp(key, "record") == 0) {
		if (!val[0] || strlen(val) >= sizeof e->record)
			return exp_bad(err, errlen, e, sec, key, val, "a file name (ending in .gz for gzip)");
		util_strlcpy(e->record, val, sizeof e->record);
	} else if (strcmp(key, "plot") == 0) {
		if (!plot_format_ok(val) || strlen(val) >= sizeof e->plot)
			return exp_bad(err, errlen, e, sec, key, val, "a file name ending in .svg or .png");
		util_strlcpy(e->plot, val, sizeof e->plot);
	} else if (strcmp(key, "delay") == 0) {
		if (util_parse_double(val, &d) < 0 || !(d >= 0.05 && d <= 3600))
			return exp_bad(err, errlen, e, sec, key, val, "seconds, 0.05 to 3600");
		e->delay_s = d;
	} else if (strcmp(key, "cleanup") == 0) {
		if (util_parse_bool(val, &b) < 0)
			return exp_bad(err, errlen, e, sec, key, val, "yes or no");
		e->cleanup = b;
	} else {
		return exp_bad(err, errlen, e, sec, key, NULL,
			       "unknown key (the section has template, n, record, delay, plot and cleanup)");
	}
	return 0;
}

/* The keys of sec, as "sec:key" strings (free the array, not the strings). */
static const char **exp_keys(dictionary *d, const char *sec, int *n)
{
	*n = iniparser_getsecnkeys(d, sec);
	const char **keys = calloc(*n > 0 ? (size_t)*n : 1, sizeof *keys);
	if (keys && *n > 0)
		iniparser_getseckeys(d, sec, keys);
	return keys;
}

static int exp_section(struct experiment *e, dictionary *d, const char *sec, struct exp_phase *ph, char *err,
		       size_t errlen)
{
	int n, rc = 0;
	const char **keys = exp_keys(d, sec, &n);
	if (!keys) {
		snprintf(err, errlen, "%s: out of memory", e->path);
		return 2;
	}
	for (int i = 0; i < n && rc == 0; i++) {
		const char *key = strchr(keys[i], ':');
		key = key ? key + 1 : keys[i];
		const char *val = iniparser_getstring(d, keys[i], NULL);
		if (!val)
			rc = exp_bad(err, errlen, e, keys[i], NULL, NULL, "a section name holds no ':'");
		else
			rc = ph ? exp_phase_key(e, ph, sec, key, val, err, errlen)
				: exp_main_key(e, sec, key, val, err, errlen);
	}
	free(keys);
	return rc;
}

static int exp_template(struct experiment *e, dictionary *d, const char *sec, struct config *cfg, char *err,
			size_t errlen)
{
	struct template t;
	const char *name = sec + 9, *what = NULL;
	template_defaults(&t, name);
	if (!*name || strlen(name) >= sizeof t.name || template_set(&t, "prefix", name, &what) < 0)
		return exp_bad(err, errlen, e, sec, NULL, NULL, "a template needs a name of letters, digits, '-', '_' or '.'");
	template_defaults(&t, name);
	int n, rc = 0;
	const char **keys = exp_keys(d, sec, &n);
	for (int i = 0; keys && i < n && rc == 0; i++) {
		const char *key = strchr(keys[i], ':');
		key = key ? key + 1 : keys[i];
		const char *val = iniparser_getstring(d, keys[i], NULL);
		what = NULL;
		if (!val)
			rc = exp_bad(err, errlen, e, keys[i], NULL, NULL, "a section name holds no ':'");
		else if (template_set(&t, key, val, &what) < 0)
			rc = exp_bad(err, errlen, e, sec, key, what ? val : NULL, what ? what : "unknown template key");
	}
	free(keys);
	const char *missing;
	if (rc == 0 && template_check(&t, &missing) < 0)
		rc = exp_bad(err, errlen, e, sec, missing, NULL, "missing (a template needs type and source)");
	if (rc)
		return rc;
	struct template *slot = (struct template *)config_template(cfg, t.name);
	if (!slot && cfg->n_templates >= TEMPLATE_MAX)
		return exp_bad(err, errlen, e, sec, NULL, NULL, "too many templates");
	if (!slot)
		slot = &cfg->templates[cfg->n_templates++];
	*slot = t;
	return 0;
}

static int exp_add_phase(struct experiment *e, dictionary *d, const char *sec, char *err, size_t errlen)
{
	const char *name = sec + 6;
	if (e->n_phases >= EXPERIMENT_PHASES_MAX)
		return exp_bad(err, errlen, e, sec, NULL, NULL, "too many phases (at most 32)");
	if (!*name || strlen(name) >= sizeof e->phases[0].name)
		return exp_bad(err, errlen, e, sec, NULL, NULL, "a phase needs a name of 1 to 63 characters");
	struct exp_phase *ph = &e->phases[e->n_phases++];
	memset(ph, 0, sizeof *ph);
	ph->dedup = -1;
	util_strlcpy(ph->name, name, sizeof ph->name);
	int rc = exp_section(e, d, sec, ph, err, errlen);
	if (rc == 0 && ph->dedup < 0 && !ph->baseline_now && !ph->boot && !ph->load && ph->duration_s <= 0)
		rc = exp_bad(err, errlen, e, sec, NULL, NULL, "an empty phase (give it dedup, baseline, boot, load or "
			     "duration)");
	return rc;
}

static int exp_sections(struct experiment *e, dictionary *d, struct config *cfg, char *err, size_t errlen)
{
	int nsec = iniparser_getnsec(d), rc = 0, seen = 0;
	/* Templates first: [experiment] may name one defined further down. */
	for (int i = 0; i < nsec && rc == 0; i++) {
		const char *sec = iniparser_getsecname(d, i);
		if (sec && strncmp(sec, "template ", 9) == 0)
			rc = exp_template(e, d, sec, cfg, err, errlen);
	}
	for (int i = 0; i < nsec && rc == 0; i++) {
		const char *sec = iniparser_getsecname(d, i);
		if (!sec || strncmp(sec, "template ", 9) == 0)
			continue;
		if (strcmp(sec, "experiment") == 0) {
			seen = 1;
			rc = exp_section(e, d, sec, NULL, err, errlen);
		} else if (strncmp(sec, "phase ", 6) == 0) {
			rc = exp_add_phase(e, d, sec, err, errlen);
		} else {
			rc = exp_bad(err, errlen, e, sec, NULL, NULL,
				     "unknown section (an experiment has [experiment], [phase NAME] and [template NAME])");
		}
	}
	if (rc == 0 && !seen)
		rc = exp_bad(err, errlen, e, "experiment", NULL, NULL, "missing: the file needs this section");
	return rc;
}

int experiment_needs_boot(const struct experiment *e)
{
	for (size_t i = 0; i < e->n_phases; i++)
		if (e->phases[i].boot)
			return 1;
	return 0;
}

/* Whole-file checks, after every section. */
static int exp_check(struct experiment *e, const struct config *cfg, char *err, size_t errlen)
{
	if (e->n_phases == 0)
		return exp_bad(err, errlen, e, "phase NAME", NULL, NULL, "missing: at least one phase");
	if (!e->template_name[0] && experiment_needs_boot(e))
		return exp_bad(err, errlen, e, "experiment", "template", NULL, "missing (a phase boots clones of it)");
	if (!e->n && experiment_needs_boot(e))
		return exp_bad(err, errlen, e, "experiment", "n", NULL, "missing (a phase boots n clones)");
	const struct template *t = e->template_name[0] ? config_template(cfg, e->template_name) : NULL;
	if (e->template_name[0] && !t) {
		snprintf(err, errlen, "%s: [experiment] template = '%s': no such template in this file or in the "
			 "config%s%s", e->path, e->template_name, cfg->config_path[0] ? " " : "", cfg->config_path);
		return 2;
	}
	if (t)
		e->type = t->type;
	return 0;
}

static void exp_name_from(struct experiment *e, const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t len = strcspn(base, ".");
	snprintf(e->name, sizeof e->name, "%.*s", (int)(len ? len : strlen(base)), base);
}

int experiment_load(const char *path, struct config *cfg, struct experiment **out, char *err, size_t errlen)
{
	*out = NULL;
	if (access(path, R_OK) < 0) {
		snprintf(err, errlen, "%s: cannot read the experiment file: %s", path, strerror(errno));
		return 2;
	}
	/* It names programs to run: as root, only a file no one else could write. */
	if (util_check_trusted(path, err, errlen) < 0)
		return 2;
	struct experiment *e = calloc(1, sizeof *e);
	if (!e) {
		snprintf(err, errlen, "%s: out of memory", path);
		return 2;
	}
	util_strlcpy(e->path, path, sizeof e->path);
	exp_name_from(e, path);
	e->delay_s = NAN;
	e->cleanup = 1;
	exp_syntax_msg[0] = '\0';
	iniparser_set_error_callback(exp_syntax_cb);
	dictionary *d = iniparser_load(path);
	int rc = 2;
	if (!d)
		snprintf(err, errlen, "%s: cannot parse the experiment file%s%s", path, exp_syntax_msg[0] ? ": " : "",
			 exp_syntax_msg);
	else if ((rc = exp_sections(e, d, cfg, err, errlen)) == 0)
		rc = exp_check(e, cfg, err, errlen);
	if (d)
		iniparser_freedict(d);
	if (rc != 0) {
		experiment_free(e);
		return rc;
	}
	*out = e;
	return 0;
}

void experiment_free(struct experiment *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->n_phases; i++)
		exp_free_argv(e->phases[i].load);
	free(e);
}

const char *experiment_record_path(const struct experiment *e)
{
	return e->record;
}

const char *experiment_plot_path(const struct experiment *e)
{
	return e->plot;
}

void experiment_override(struct experiment *e, const char *record, const char *plot)
{
	if (record && *record)
		util_strlcpy(e->record, record, sizeof e->record);
	if (plot && *plot)
		util_strlcpy(e->plot, plot, sizeof e->plot);
}


/* fuzz_config.c - libFuzzer target for config_load on INI text, and the config_save round trip (core/config.c). */
#include <math.h>

#include "core/config.h"
#include "core/sample.h"
#include "tests/fuzz/fuzz.h"

static char fuzz_ini[4096], fuzz_saved[4096];
static size_t fuzz_nwarn;

/* Every warning is one line that names the file. */
static void fuzz_warn(const char *msg)
{
	FUZZ_CHECK(msg != NULL);
	FUZZ_CHECK(strncmp(msg, fuzz_ini, strlen(fuzz_ini)) == 0 || strncmp(msg, fuzz_saved, strlen(fuzz_saved)) == 0);
	FUZZ_CHECK(strchr(msg, '\n') == NULL);
	fuzz_nwarn++;
}

#define FUZZ_STR_OK(field) FUZZ_CHECK(fuzz_terminated((field), sizeof(field)))

/* What any outcome leaves: every string ends inside its field. */
static void fuzz_check_strings(const struct config *c)
{
	FUZZ_STR_OK(c->config_path);
	FUZZ_STR_OK(c->sysfs_root);
	FUZZ_STR_OK(c->connect_uri);
	FUZZ_STR_OK(c->lxcpath);
	FUZZ_STR_OK(c->name_filter);
	FUZZ_STR_OK(c->theme);
	FUZZ_STR_OK(c->results_path);
}

/* A template holds only what template_set accepts. */
static void fuzz_check_template(const struct template *t)
{
	FUZZ_STR_OK(t->name);
	FUZZ_STR_OK(t->source);
	FUZZ_STR_OK(t->ready_text);
	FUZZ_STR_OK(t->prefix);
	FUZZ_STR_OK(t->address);
	FUZZ_CHECK(t->name[0] && t->source[0] && t->type_set);
	FUZZ_CHECK(t->type == INST_KVM || t->type == INST_LXC);
	FUZZ_CHECK(t->timeout_s >= 1 && t->timeout_s <= 3600);
	FUZZ_CHECK(t->ready != READY_TCP || (t->ready_port > 0 && t->ready_port < 65536));
	FUZZ_CHECK(t->ready != READY_CONSOLE || t->ready_text[0]);
	FUZZ_CHECK(t->merge == MERGE_AUTO || t->merge == MERGE_DEFAULT || t->merge == MERGE_ANY);
}

/* A loaded config holds only values the keys accept. */
static void fuzz_check_loaded(const struct config *c)
{
	FUZZ_CHECK(c->delay_s >= 0.05 && c->delay_s <= 3600);
	FUZZ_CHECK(c->pss_interval_s >= 0 && c->pss_interval_s <= 86400);
	FUZZ_CHECK(c->format == OUT_TEXT || c->format == OUT_CSV || c->format == OUT_JSON);
	FUZZ_CHECK(c->baseline_kb == VAL_NULL || c->baseline_kb >= 0);
	FUZZ_CHECK(c->type_filter == -1 || c->type_filter == INST_KVM || c->type_filter == INST_LXC);
	FUZZ_CHECK(c->sysfs_root[0] == '\0' || c->sysfs_root[0] == '/');
	FUZZ_CHECK(c->lxcpath[0] == '\0' || c->lxcpath[0] == '/');
	FUZZ_CHECK(c->theme[0] != '\0' && strchr(c->theme, '/') == NULL);
	FUZZ_CHECK(c->connect_uri[0] != '\0');
	FUZZ_CHECK(c->max_boot >= 1 && c->max_boot <= 1024);
	FUZZ_CHECK(c->results_path[0] == '\0' || c->results_path[0] == '/');
	FUZZ_CHECK(c->n_templates <= TEMPLATE_MAX);
	for (size_t i = 0; i < c->n_templates; i++)
		fuzz_check_template(&c->templates[i]);
}

/* Load path into c; every outcome is 0 or -1 (the file exists) with a message naming it. */
static int fuzz_load(struct config *c, const char *path)
{
	char err[512];
	memset(err, 'x', sizeof(err));
	config_defaults(c);
	int rc = config_load(c, path, fuzz_warn, err, sizeof(err));
	FUZZ_CHECK(rc == 0 || rc == -1);
	fuzz_check_strings(c);
	if (rc < 0) {
		FUZZ_CHECK(fuzz_terminated(err, sizeof(err)));
		if (path == fuzz_saved)
			fprintf(stderr, "reloading what config_save wrote: %s\n", err);
		FUZZ_CHECK(strncmp(err, path, strlen(path)) == 0 && err[strlen(path)] == ':');
		return rc;
	}
	fuzz_check_loaded(c);
	FUZZ_CHECK(strcmp(c->config_path, path) == 0);
	return 0;
}

static int fuzz_close(double a, double b)
{
	return fabs(a - b) <= 1e-5 * fabs(a);
}

static void fuzz_same_template(const struct template *a, const struct template *b)
{
	FUZZ_CHECK(strcmp(a->name, b->name) == 0 && strcmp(a->source, b->source) == 0);
	FUZZ_CHECK(a->type == b->type && a->ready == b->ready && a->merge == b->merge);
	FUZZ_CHECK(a->ready != READY_TCP || a->ready_port == b->ready_port);
	FUZZ_CHECK(a->ready != READY_CONSOLE || strcmp(a->ready_text, b->ready_text) == 0);
	FUZZ_CHECK(fuzz_close(a->timeout_s, b->timeout_s));
	FUZZ_CHECK(strcmp(a->prefix, b->prefix) == 0 && strcmp(a->address, b->address) == 0);
}

/* What uksmtop writes (the W key) it must read back as the same settings
 * (numbers are written rounded: %g seconds, MiB to one decimal). */
static void fuzz_round_trip(const struct config *a)
{
	char err[512];
	struct config b;
	if (config_save(a, fuzz_saved, err, sizeof(err)) < 0)
		return; /* a refusal ("too long") is an outcome, not a broken file */
	FUZZ_CHECK(fuzz_load(&b, fuzz_saved) == 0);
	FUZZ_CHECK(fuzz_close(a->delay_s, b.delay_s) && fuzz_close(a->pss_interval_s, b.pss_interval_s));
	FUZZ_CHECK(a->format == b.format && a->type_filter == b.type_filter);
	FUZZ_CHECK(a->secure == b.secure && a->use_libvirt == b.use_libvirt && a->use_lxc == b.use_lxc);
	FUZZ_CHECK(val_known(a->baseline_kb) == val_known(b.baseline_kb));
	if (val_known(a->baseline_kb))
		FUZZ_CHECK(llabs((long long)(a->baseline_kb - b.baseline_kb)) <= 52);
	FUZZ_CHECK(strcmp(a->sysfs_root, b.sysfs_root) == 0 && strcmp(a->lxcpath, b.lxcpath) == 0);
	FUZZ_CHECK(strcmp(a->connect_uri, b.connect_uri) == 0 && strcmp(a->theme, b.theme) == 0);
	FUZZ_CHECK(strcmp(a->name_filter, b.name_filter) == 0);
	FUZZ_CHECK(a->max_boot == b.max_boot && strcmp(a->results_path, b.results_path) == 0);
	FUZZ_CHECK(a->n_templates == b.n_templates);
	for (size_t i = 0; i < a->n_templates; i++)
		fuzz_same_template(&a->templates[i], &b.templates[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config c;
	if (!fuzz_ini[0]) {
		snprintf(fuzz_ini, sizeof(fuzz_ini), "%s/uksmtop.ini", fuzz_tmpdir());
		snprintf(fuzz_saved, sizeof(fuzz_saved), "%s/saved.ini", fuzz_tmpdir());
	}
	fuzz_write_file(fuzz_ini, data, size);
	if (fuzz_load(&c, fuzz_ini) == 0)
		fuzz_round_trip(&c);
	return 0;
}

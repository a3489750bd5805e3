/* fuzz_cli.c - libFuzzer target for cli_parse: the input's NUL-separated words are the command line (core/cli.c). */
#include <getopt.h>

#include "backends/dedup.h"
#include "core/cli.h"
#include "core/sample.h"
#include "tests/fuzz/fuzz.h"

#define FUZZ_MAX_ARGS 32

int LLVMFuzzerInitialize(int *argc, char ***argv);

/* No config file of the user's: the default path points into our temp dir. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setenv("XDG_CONFIG_HOME", fuzz_tmpdir(), 1);
	return 0;
}

/* -C and --config read a file; the fuzzer must not name /dev/zero or a FIFO. */
static int fuzz_names_config(const char *arg)
{
	if (strncmp(arg, "--conf", 6) == 0)
		return 1;
	return arg[0] == '-' && arg[1] != '-' && strchr(arg, 'C') != NULL;
}

/* Split at NUL bytes into argv[1..]; returns argc, or -1 to skip the input. */
static int fuzz_split(char *buf, size_t size, char **argv)
{
	static char prog[] = "uksmtop";
	int argc = 0;
	argv[argc++] = prog;
	for (size_t i = 0; i < size && argc < FUZZ_MAX_ARGS;) {
		char *arg = buf + i;
		if (fuzz_names_config(arg))
			return -1;
		argv[argc++] = arg;
		i += strlen(arg) + 1;
	}
	argv[argc] = NULL;
	return argc;
}

/* glibc keeps getopt's position between calls; optind = 0 starts afresh. */
static void fuzz_reset_getopt(void)
{
	static char prog[] = "reset";
	char *argv[] = { prog, NULL };
	optind = 0;
	opterr = 0;
	(void)getopt(1, argv, "");
}

static void fuzz_check_cfg(const struct config *c)
{
	FUZZ_CHECK(c->iterations == -1 || c->iterations >= 1);
	FUZZ_CHECK(c->delay_s >= 0.05 && c->delay_s <= 3600);
	FUZZ_CHECK(c->pss_interval_s >= 0 && c->pss_interval_s <= 86400);
	FUZZ_CHECK(c->format == OUT_TEXT || c->format == OUT_CSV || c->format == OUT_JSON);
	FUZZ_CHECK(c->dedup_set >= -1 && c->dedup_set <= DEDUP_RUN_UNMERGE);
	FUZZ_CHECK(c->baseline_kb == VAL_NULL || c->baseline_kb >= 0);
	FUZZ_CHECK(!(c->baseline_now && c->baseline_from_cli));
	FUZZ_CHECK(c->type_filter == -1 || c->type_filter == INST_KVM || c->type_filter == INST_LXC);
	FUZZ_CHECK(fuzz_terminated(c->sysfs_root, sizeof(c->sysfs_root)));
	FUZZ_CHECK(fuzz_terminated(c->connect_uri, sizeof(c->connect_uri)) && c->connect_uri[0]);
	FUZZ_CHECK(fuzz_terminated(c->lxcpath, sizeof(c->lxcpath)));
	FUZZ_CHECK(fuzz_terminated(c->name_filter, sizeof(c->name_filter)));
	FUZZ_CHECK(fuzz_terminated(c->theme, sizeof(c->theme)) && c->theme[0]);
	FUZZ_CHECK(strchr(c->theme, '/') == NULL);
	FUZZ_CHECK(fuzz_terminated(c->results_path, sizeof(c->results_path)));
	FUZZ_CHECK(fuzz_terminated(c->boot_template, sizeof(c->boot_template)));
	/* A boot names its template and a count the guard rail allows. */
	FUZZ_CHECK(c->boot_mode >= 0 && c->boot_mode <= 2);
	if (c->boot_mode)
		FUZZ_CHECK(c->boot_n >= 1 && c->boot_n <= 1024 && c->boot_template[0]);
	FUZZ_CHECK(!c->cleanup_after || c->boot_mode);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_cstr(data, size);
	char *argv[FUZZ_MAX_ARGS + 1];
	int argc = fuzz_split(buf, size, argv);
	if (argc < 0) {
		free(buf);
		return 0;
	}
	static struct config cfg;
	fuzz_reset_getopt();
	int rc = cli_parse(argc, argv, &cfg);
	FUZZ_CHECK(rc == CLI_CONTINUE || rc == 0 || rc == 2);
	if (rc == CLI_CONTINUE)
		fuzz_check_cfg(&cfg);
	free(buf);
	return 0;
}

/* cli.c - parses options with getopt_long; each bad option or value is named, exit 2. */
#include "cli.h"

#include <ctype.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "../backends/dedup.h"
#include "plot.h"
#include "record.h"
#include "util.h"
#include "value.h"

enum {
	OPT_SYSFS_ROOT = 256,
	OPT_DEDUP,
	OPT_BASELINE,
	OPT_BASELINE_NOW,
	OPT_PSS_INTERVAL,
	OPT_TYPE,
	OPT_FILTER,
	OPT_NO_LIBVIRT,
	OPT_NO_LXC,
	OPT_BOOT,
	OPT_BOOT_STORM,
	OPT_TEMPLATE,
	OPT_CLEANUP,
	OPT_CLEANUP_AFTER,
	OPT_RESULTS,
	OPT_PLOT,
	OPT_EXPERIMENT,
};

static const char cli_short[] = "bn:d:o:C:c:P:t:w:r:sVh";

static const struct option cli_long[] = {
	{ "batch", no_argument, NULL, 'b' },
	{ "iterations", required_argument, NULL, 'n' },
	{ "delay", required_argument, NULL, 'd' },
	{ "output-format", required_argument, NULL, 'o' },
	{ "config", required_argument, NULL, 'C' },
	{ "sysfs-root", required_argument, NULL, OPT_SYSFS_ROOT },
	{ "dedup", required_argument, NULL, OPT_DEDUP },
	{ "baseline", required_argument, NULL, OPT_BASELINE },
	{ "baseline-now", no_argument, NULL, OPT_BASELINE_NOW },
	{ "connect", required_argument, NULL, 'c' },
	{ "lxcpath", required_argument, NULL, 'P' },
	{ "pss-interval", required_argument, NULL, OPT_PSS_INTERVAL },
	{ "type", required_argument, NULL, OPT_TYPE },
	{ "filter", required_argument, NULL, OPT_FILTER },
	{ "no-libvirt", no_argument, NULL, OPT_NO_LIBVIRT },
	{ "no-lxc", no_argument, NULL, OPT_NO_LXC },
	{ "boot", required_argument, NULL, OPT_BOOT },
	{ "boot-storm", required_argument, NULL, OPT_BOOT_STORM },
	{ "template", required_argument, NULL, OPT_TEMPLATE },
	{ "cleanup", no_argument, NULL, OPT_CLEANUP },
	{ "cleanup-after", no_argument, NULL, OPT_CLEANUP_AFTER },
	{ "results", required_argument, NULL, OPT_RESULTS },
	{ "write", required_argument, NULL, 'w' },
	{ "read", required_argument, NULL, 'r' },
	{ "plot", required_argument, NULL, OPT_PLOT },
	{ "experiment", required_argument, NULL, OPT_EXPERIMENT },
	{ "theme", required_argument, NULL, 't' },
	{ "secure", no_argument, NULL, 's' },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

void cli_usage(FILE *f)
{
	fputs("Usage: uksmtop [OPTION]...\n"
	      "Watch memory deduplication (uKSM or KSM) on a host of KVM guests and LXC containers.\n"
	      "\n"
	      "  -b, --batch               write samples to standard output instead of the view\n"
	      "  -n, --iterations N        stop after N samples (default: until interrupted)\n"
	      "  -d, --delay SECS          seconds between samples, 0.05 to 3600 (default 1)\n"
	      "  -o, --output-format FMT   batch format: text, csv or json (default text)\n"
	      "  -C, --config FILE         read FILE instead of the default config file\n"
	      "      --sysfs-root DIR      read DIR in place of /sys (uKSM at DIR/kernel/mm/uksm)\n"
	      "      --dedup on|off|unmerge  set the merging daemon's run state first\n"
	      "                            (unmerge: KSM only; needs root)\n"
	      "      --baseline MB         the idle host's used memory, in MiB\n"
	      "      --baseline-now        take the current used memory as the baseline and\n"
	      "                            store it for later runs\n"
	      "  -c, --connect URI         libvirt URI (default qemu:///system)\n"
	      "  -P, --lxcpath DIR         LXC containers' path (default: LXC's own)\n"
	      "      --pss-interval SECS   seconds between PSS passes, 0 = every sample (default 5)\n"
	      "      --type kvm|lxc        show only instances of this type\n"
	      "      --filter PATTERN      show only instances whose name matches the shell PATTERN\n"
	      "      --no-libvirt          do not connect to libvirt\n"
	      "      --no-lxc              do not look for LXC containers\n"
	      "  -t, --theme NAME          colour theme of the view (default, light, mono, high-contrast)\n"
	      "      --boot N              boot N clones of --template, one after another; print the\n"
	      "                            result and exit (or sample on with -b); needs root\n"
	      "      --boot-storm N        boot N clones of --template all at once and time them\n"
	      "                            until each is ready; one line goes to the results file\n"
	      "      --template NAME       the [template NAME] section to clone\n"
	      "      --cleanup             stop and remove the clones uksmtop made (of --template\n"
	      "                            only, when given), before any --boot\n"
	      "      --cleanup-after       remove this run's clones after --boot or --boot-storm\n"
	      "      --results FILE        append boot-storm results to FILE (default\n"
	      "                            $XDG_STATE_HOME/uksmtop/bootstorm.csv)\n"
	      "  -w, --write FILE          record every sample, event and boot result to FILE\n"
	      "                            (JSON lines; gzip-compressed when FILE ends in .gz)\n"
	      "  -r, --read FILE           replay the recording FILE: in the view, or with -b\n"
	      "                            convert it to the -o format\n"
	      "      --plot FILE           with -r or --experiment: draw the recording's figures\n"
	      "                            into FILE.svg or FILE.png with gnuplot\n"
	      "      --experiment FILE     run the experiment FILE (.ini): boot, merging off and\n"
	      "                            on, a load; record it and print a summary\n"
	      "  -s, --secure              refuse every action (toggle, baseline write, config write,\n"
	      "                            boot, cleanup)\n"
	      "  -V, --version             print the version and exit\n"
	      "  -h, --help                print this help and exit\n"
	      "\n"
	      "Config: -C FILE, else $XDG_CONFIG_HOME/uksmtop/uksmtop.ini, else /etc/uksmtop.ini.\n"
	      "Exit status: 0 ok, 1 runtime failure, 2 bad usage or config, or no permission.\n",
	      f);
}

static int cli_bad(const char *opt, const char *val, const char *expected)
{
	fprintf(stderr, "uksmtop: invalid value '%s' for %s (expected %s)\n", val, opt, expected);
	fprintf(stderr, "Try 'uksmtop --help' for more information.\n");
	return 2;
}

/* Template names as config.c accepts them (iniparser folds sections to lower case). */
static int cli_name_ok(const char *s)
{
	if (!*s)
		return 0;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      *p == '-' || *p == '_' || *p == '.'))
			return 0;
	return 1;
}

/* --boot N and --boot-storm N: one of them, N a whole number from 1 (the
 * upper bound is max_boot, a guard rail checked when the boot is asked). */
static int cli_boot(const char *opt, const char *arg, int mode, struct config *cfg)
{
	long l;
	if (util_parse_long(arg, &l) < 0 || l < 1 || l > 1024)
		return cli_bad(opt, arg, "a number of clones, 1 to 1024");
	if (cfg->boot_mode && cfg->boot_mode != mode) {
		fprintf(stderr, "uksmtop: --boot and --boot-storm exclude each other\n");
		return 2;
	}
	cfg->boot_mode = mode;
	cfg->boot_n = l;
	return CLI_CONTINUE;
}

static struct record_args cli_rec_args;

struct record_args *cli_record_args(void)
{
	return &cli_rec_args;
}

/* -w, -r, --plot, --experiment: file names, kept in cli_record_args(). */
static int cli_record(int c, const char *arg)
{
	struct record_args *ra = cli_record_args();
	char *dst = c == 'w' ? ra->write : c == 'r' ? ra->read : c == OPT_PLOT ? ra->plot : ra->experiment;
	const char *opt = c == 'w' ? "--write" : c == 'r' ? "--read" : c == OPT_PLOT ? "--plot" : "--experiment";
	if (!*arg || strlen(arg) >= CFG_STR_MAX)
		return cli_bad(opt, arg, c == OPT_EXPERIMENT ? "an experiment file" : "a file name");
	if (c == OPT_PLOT && !plot_format_ok(arg))
		return cli_bad(opt, arg, "a file name ending in .svg or .png");
	util_strlcpy(dst, arg, CFG_STR_MAX);
	return CLI_CONTINUE;
}

static void cli_warn(const char *msg)
{
	fprintf(stderr, "uksmtop: warning: %s\n", msg);
}

/* First pass: find -C, so the file is read before the options that override
 * it. getopt itself does the finding, so "--conf=F" and "-bC F" count too;
 * errors wait for the second pass, which reports them. */
static const char *cli_find_config(int argc, char **argv)
{
	const char *path = NULL;
	int c;
	opterr = 0;
	optind = 0; /* 0, not 1: glibc then resets its state from an earlier scan */
	while ((c = getopt_long(argc, argv, cli_short, cli_long, NULL)) != -1)
		if (c == 'C')
			path = optarg;
	return path;
}

static int cli_load_config(int argc, char **argv, struct config *cfg)
{
	char err[8192];
	const char *explicit_path = cli_find_config(argc, argv);
	char path[CFG_STR_MAX];
	if (explicit_path)
		util_strlcpy(path, explicit_path, sizeof path);
	else
		config_default_path(path, sizeof path);
	if (!path[0])
		return CLI_CONTINUE;
	int rc = config_load(cfg, path, cli_warn, err, sizeof err);
	if (rc < 0) {
		fprintf(stderr, "uksmtop: %s\n", err);
		return 2;
	}
	cfg->config_explicit = explicit_path != NULL;
	return CLI_CONTINUE;
}

static int cli_apply(int c, const char *arg, struct config *cfg)
{
	long l;
	double d;
	int m;
	switch (c) {
	case 'b':
		cfg->batch = true;
		return CLI_CONTINUE;
	case 'n':
		if (util_parse_long(arg, &l) < 0 || l < 1)
			return cli_bad("--iterations", arg, "a whole number of samples, at least 1");
		cfg->iterations = l;
		return CLI_CONTINUE;
	case 'd':
		if (util_parse_double(arg, &d) < 0 || d < 0.05 || d > 3600)
			return cli_bad("--delay", arg, "seconds, 0.05 to 3600");
		cfg->delay_s = d;
		return CLI_CONTINUE;
	case 'o':
		if ((m = out_format_parse(arg)) < 0)
			return cli_bad("--output-format", arg, "text, csv or json");
		cfg->format = (enum out_format)m;
		return CLI_CONTINUE;
	case 'C':
		return CLI_CONTINUE; /* read in the first pass */
	case OPT_SYSFS_ROOT:
		if (!*arg)
			return cli_bad("--sysfs-root", arg, "a directory");
		util_strlcpy(cfg->sysfs_root, arg, sizeof cfg->sysfs_root);
		return CLI_CONTINUE;
	case OPT_DEDUP:
		if ((m = dedup_parse_mode(arg)) < 0)
			return cli_bad("--dedup", arg, "on, off or unmerge");
		cfg->dedup_set = m;
		return CLI_CONTINUE;
	case OPT_BASELINE:
		if (util_parse_double(arg, &d) < 0 || d < 0 || d > 1e9)
			return cli_bad("--baseline", arg, "the idle host's used memory in MiB");
		cfg->baseline_kb = (int64_t)(d * 1024.0 + 0.5);
		cfg->baseline_from_cli = true;
		return CLI_CONTINUE;
	case OPT_BASELINE_NOW:
		cfg->baseline_now = true;
		return CLI_CONTINUE;
	case 'c':
		if (!*arg)
			return cli_bad("--connect", arg, "a libvirt URI");
		util_strlcpy(cfg->connect_uri, arg, sizeof cfg->connect_uri);
		return CLI_CONTINUE;
	case 'P':
		if (!*arg)
			return cli_bad("--lxcpath", arg, "a directory");
		util_strlcpy(cfg->lxcpath, arg, sizeof cfg->lxcpath);
		return CLI_CONTINUE;
	case OPT_PSS_INTERVAL:
		if (util_parse_double(arg, &d) < 0 || d < 0 || d > 86400)
			return cli_bad("--pss-interval", arg, "seconds, 0 to 86400 (0 = every sample)");
		cfg->pss_interval_s = d;
		return CLI_CONTINUE;
	case OPT_TYPE:
		if ((m = config_parse_type(arg)) == -2)
			return cli_bad("--type", arg, "kvm, lxc or any");
		cfg->type_filter = m;
		return CLI_CONTINUE;
	case OPT_FILTER:
		if (strlen(arg) >= sizeof cfg->name_filter)
			return cli_bad("--filter", arg, "a shorter pattern");
		util_strlcpy(cfg->name_filter, arg, sizeof cfg->name_filter);
		return CLI_CONTINUE;
	case OPT_NO_LIBVIRT:
		cfg->use_libvirt = false;
		return CLI_CONTINUE;
	case OPT_NO_LXC:
		cfg->use_lxc = false;
		return CLI_CONTINUE;
	case 't':
		if (!*arg || strchr(arg, '/') || strlen(arg) >= sizeof cfg->theme)
			return cli_bad("--theme", arg, "a theme name");
		util_strlcpy(cfg->theme, arg, sizeof cfg->theme);
		return CLI_CONTINUE;
	case OPT_BOOT:
	case OPT_BOOT_STORM:
		return cli_boot(c == OPT_BOOT_STORM ? "--boot-storm" : "--boot", arg, c == OPT_BOOT_STORM ? 2 : 1, cfg);
	case OPT_TEMPLATE:
		if (!cli_name_ok(arg) || strlen(arg) >= sizeof cfg->boot_template)
			return cli_bad("--template", arg, "a template name: letters, digits, '-', '_' or '.'");
		util_strlcpy(cfg->boot_template, arg, sizeof cfg->boot_template);
		for (char *q = cfg->boot_template; *q; q++) /* as the config's section names */
			*q = (char)tolower((unsigned char)*q);
		return CLI_CONTINUE;
	case OPT_CLEANUP:
		cfg->cleanup = true;
		return CLI_CONTINUE;
	case OPT_CLEANUP_AFTER:
		cfg->cleanup_after = true;
		return CLI_CONTINUE;
	case OPT_RESULTS:
		if (!*arg || strlen(arg) >= sizeof cfg->results_path)
			return cli_bad("--results", arg, "a file name");
		util_strlcpy(cfg->results_path, arg, sizeof cfg->results_path);
		return CLI_CONTINUE;
	case 'w':
	case 'r':
	case OPT_PLOT:
	case OPT_EXPERIMENT:
		return cli_record(c, arg);
	case 's':
		cfg->secure = true;
		return CLI_CONTINUE;
	case 'V':
		printf("uksmtop %s\n", PACKAGE_VERSION);
		return 0;
	case 'h':
		cli_usage(stdout);
		return 0;
	default:
		fprintf(stderr, "Try 'uksmtop --help' for more information.\n");
		return 2;
	}
}

/* The boot options make sense only together. */
static int cli_check_boot(const struct config *cfg)
{
	const char *why = NULL;
	if (cfg->boot_mode && !cfg->boot_template[0])
		why = cfg->boot_mode == 2 ? "--boot-storm needs --template NAME" : "--boot needs --template NAME";
	else if (cfg->cleanup_after && !cfg->boot_mode)
		why = "--cleanup-after goes with --boot or --boot-storm";
	else if (cfg->boot_template[0] && !cfg->boot_mode && !cfg->cleanup)
		why = "--template goes with --boot, --boot-storm or --cleanup";
	if (!why)
		return CLI_CONTINUE;
	fprintf(stderr, "uksmtop: %s\n", why);
	fprintf(stderr, "Try 'uksmtop --help' for more information.\n");
	return 2;
}

/* What replaying and experiments exclude: actions on the live host. */
static int cli_check_record(const struct config *cfg)
{
	const struct record_args *ra = cli_record_args();
	const char *mode = ra->read[0] ? "-r (a replay)" : ra->experiment[0] ? "--experiment" : NULL;
	const char *other = NULL;
	if (ra->read[0] && ra->experiment[0])
		other = "--experiment";
	else if (mode && cfg->boot_mode)
		other = cfg->boot_mode == 2 ? "--boot-storm" : "--boot";
	else if (mode && cfg->cleanup)
		other = "--cleanup";
	else if (ra->read[0] && cfg->dedup_set >= 0)
		other = "--dedup";
	else if (ra->read[0] && cfg->baseline_now)
		other = "--baseline-now";
	const char *why = NULL;
	char msg[160];
	if (other) {
		snprintf(msg, sizeof msg, "%s excludes %s", mode, other);
		why = msg;
	} else if (ra->plot[0] && !ra->read[0] && !ra->experiment[0]) {
		why = "--plot goes with -r FILE or --experiment FILE";
	}
	if (!why)
		return CLI_CONTINUE;
	fprintf(stderr, "uksmtop: %s\n", why);
	fprintf(stderr, "Try 'uksmtop --help' for more information.\n");
	return 2;
}

int cli_parse(int argc, char **argv, struct config *cfg)
{
	config_defaults(cfg);
	struct record_args *ra = cli_record_args();
	memset(ra, 0, sizeof *ra);
	ra->argc = argc;
	ra->argv = argv;
	/* --help and --version work whatever the config file holds. */
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
			return cli_apply('h', NULL, cfg);
		if (strcmp(argv[i], "-V") == 0 || strcmp(argv[i], "--version") == 0)
			return cli_apply('V', NULL, cfg);
	}
	int rc = cli_load_config(argc, argv, cfg);
	if (rc != CLI_CONTINUE)
		return rc;
	opterr = 1; /* getopt names the bad option itself */
	optind = 0;
	int c;
	while ((c = getopt_long(argc, argv, cli_short, cli_long, NULL)) != -1) {
		rc = cli_apply(c, optarg, cfg);
		if (rc != CLI_CONTINUE)
			return rc;
	}
	if (optind < argc) {
		fprintf(stderr, "uksmtop: unexpected argument '%s'\n", argv[optind]);
		fprintf(stderr, "Try 'uksmtop --help' for more information.\n");
		return 2;
	}
	if (cfg->baseline_now && cfg->baseline_from_cli) {
		fprintf(stderr, "uksmtop: --baseline and --baseline-now exclude each other\n");
		return 2;
	}
	rc = cli_check_boot(cfg);
	return rc != CLI_CONTINUE ? rc : cli_check_record(cfg);
}

/* plot.c - writes the plot data and a gnuplot script for a recording, then runs gnuplot with fork and execvp. */
#include "plot.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"
#include "value.h"

/* The columns of NAME-samples.dat, from 1. */
enum plot_col {
	PLOT_T = 1, PLOT_OVERHEAD, PLOT_SHARED, PLOT_SHARING, PLOT_DCPU, PLOT_SCAN, PLOT_RUN, PLOT_HCPU,
	PLOT_SAVED, PLOT_NCOLS = PLOT_SAVED
};

struct plot_files {
	char script[CFG_STR_MAX], samples[CFG_STR_MAX], boot[CFG_STR_MAX];
};

static int plot_is_png(const char *path)
{
	size_t n = strlen(path);
	return n > 4 && strcmp(path + n - 4, ".png") == 0;
}

/* ---- the figures of one sample ---- */

static double plot_i(int64_t v)
{
	return val_known(v) ? (double)v : NAN;
}

static void plot_row(const struct sample *s, double t0, double row[PLOT_NCOLS + 1])
{
	row[PLOT_T] = s->time - t0;
	row[PLOT_OVERHEAD] = plot_i(s->host.overhead_kb) / 1024.0;
	row[PLOT_SHARED] = plot_i(s->dedup.pages_shared);
	row[PLOT_SHARING] = plot_i(s->dedup.pages_sharing);
	row[PLOT_DCPU] = s->dedup.cpu_pct;
	row[PLOT_SCAN] = s->dedup.scan_rate_pps;
	row[PLOT_RUN] = plot_i(s->dedup.run);
	row[PLOT_HCPU] = s->host.cpu_pct;
	row[PLOT_SAVED] = plot_i(s->dedup.saved_kb) / 1024.0;
}

/* Whether column c has at least one figure. */
static int plot_has(const struct replay_log *l, int c)
{
	double row[PLOT_NCOLS + 1];
	for (size_t i = 0; i < l->n_samples; i++) {
		plot_row(&l->samples[i], l->samples[0].time, row);
		if (!isnan(row[c]))
			return 1;
	}
	return 0;
}

/* Boot storms of type t (storms only: the study plots those). */
static size_t plot_storms(const struct replay_log *l, enum inst_type t)
{
	size_t n = 0;
	for (size_t i = 0; i < l->n_boots; i++)
		n += l->boots[i].mode == BOOT_STORM && l->boots[i].type == t && !isnan(l->boots[i].result.total_s);
	return n;
}

int plot_series(const struct replay_log *l, int per_panel[4])
{
	per_panel[0] = plot_has(l, PLOT_OVERHEAD);
	per_panel[1] = plot_has(l, PLOT_SHARED) + plot_has(l, PLOT_SHARING);
	per_panel[2] = plot_has(l, PLOT_DCPU) + plot_has(l, PLOT_SCAN);
	per_panel[3] = 0;
	for (int t = INST_KVM; t <= INST_LXC; t++)
		per_panel[3] += plot_storms(l, (enum inst_type)t) ? 2 : 0;
	return per_panel[0] + per_panel[1] + per_panel[2] + per_panel[3];
}

/* ---- the data files ---- */

static void plot_num(FILE *f, double v, int prec)
{
	if (isnan(v))
		fputs("\t?", f);
	else
		fprintf(f, "\t%.*f", prec, v);
}

static int plot_close(FILE *f, const char *path, char *err, size_t errlen)
{
	int bad = ferror(f);
	if (fclose(f) != 0 || bad) {
		snprintf(err, errlen, "%s: cannot write: %s", path, strerror(errno ? errno : EIO));
		return -1;
	}
	return 0;
}

static FILE *plot_create(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "we");
	if (!f)
		snprintf(err, errlen, "%s: cannot create: %s", path, strerror(errno));
	return f;
}

static int plot_write_samples(const struct replay_log *l, const char *rec, const char *path, char *err,
			      size_t errlen)
{
	FILE *f = plot_create(path, err, errlen);
	if (!f)
		return -1;
	fprintf(f, "# uksmtop plot data from %s: one line per sample; ? = no figure\n", rec);
	fprintf(f, "# t_s\toverhead_mib\tpages_shared\tpages_sharing\tdaemon_cpu_pct\tscan_rate_pps\trun"
		   "\thost_cpu_pct\tsaved_mib\n");
	static const int prec[PLOT_NCOLS + 1] = { 0, 3, 3, 0, 0, 2, 1, 0, 2, 3 };
	double row[PLOT_NCOLS + 1];
	for (size_t i = 0; i < l->n_samples; i++) {
		plot_row(&l->samples[i], l->samples[0].time, row);
		fprintf(f, "%.3f", row[PLOT_T]);
		for (int c = PLOT_T + 1; c <= PLOT_NCOLS; c++)
			plot_num(f, row[c], prec[c]);
		fputc('\n', f);
	}
	return plot_close(f, path, err, errlen);
}

static int plot_cmp_n(const void *a, const void *b)
{
	const struct boot_snapshot *x = *(const struct boot_snapshot *const *)a;
	const struct boot_snapshot *y = *(const struct boot_snapshot *const *)b;
	return x->n < y->n ? -1 : x->n > y->n;
}

/* One block per type (gnuplot "index" 0: kvm, 1: lxc), each sorted by n. */
static int plot_write_boot(const struct replay_log *l, const char *rec, const char *path, char *err, size_t errlen)
{
	FILE *f = plot_create(path, err, errlen);
	if (!f)
		return -1;
	const struct boot_snapshot **v = calloc(l->n_boots + 1, sizeof *v);
	if (!v) {
		fclose(f);
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	fprintf(f, "# uksmtop boot storms from %s; block 0: kvm, block 1: lxc\n# n\ttotal_s\tcpu_mean_pct"
		   "\tcpu_peak_pct\tfailed\n", rec);
	for (int t = INST_KVM; t <= INST_LXC; t++) {
		size_t k = 0;
		for (size_t i = 0; i < l->n_boots; i++)
			if (l->boots[i].mode == BOOT_STORM && (int)l->boots[i].type == t &&
			    !isnan(l->boots[i].result.total_s))
				v[k++] = &l->boots[i];
		qsort(v, k, sizeof *v, plot_cmp_n);
		fprintf(f, "%s# %s\n", t ? "\n\n" : "", inst_type_name((enum inst_type)t));
		for (size_t i = 0; i < k; i++) {
			fprintf(f, "%zu", v[i]->n);
			plot_num(f, v[i]->result.total_s, 3);
			plot_num(f, v[i]->result.cpu_mean_pct, 1);
			plot_num(f, v[i]->result.cpu_peak_pct, 1);
			fprintf(f, "\t%d\n", v[i]->result.failed);
		}
		if (k == 0) /* gnuplot wants every block to exist */
			fputs("?\t?\t?\t?\t0\n", f);
	}
	free(v);
	return plot_close(f, path, err, errlen);
}

/* ---- the script ---- */

/* A gnuplot single-quoted string: no escapes but '' for '. */
static void plot_q(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputc('\'', f);
		if ((unsigned char)*s >= 0x20)
			fputc(*s, f);
	}
	fputc('\'', f);
}

static void plot_mark(FILE *f, int *tag, double t, const char *text, const char *colour, double y)
{
	++*tag;
	fprintf(f, "set arrow %d from first %.3f, graph 0 to first %.3f, graph 1 nohead dashtype 2 lc rgb '%s'\n",
		*tag, t, t, colour);
	fprintf(f, "set label %d ", *tag);
	plot_q(f, text);
	fprintf(f, " at first %.3f, graph %.2f offset character 0.4, 0 tc rgb '%s' front\n", t, y, colour);
}

/* Merging switched on or off between two samples; experiment phases. */
static void plot_marks(FILE *f, const struct replay_log *l)
{
	int tag = 0;
	double t0 = l->samples[0].time;
	for (size_t i = 1; i < l->n_samples; i++) {
		int64_t a = l->samples[i - 1].dedup.run, b = l->samples[i].dedup.run;
		if (val_known(a) && val_known(b) && a != b)
			plot_mark(f, &tag, l->samples[i].time - t0, b == 1 ? "merging on" : b == 2 ? "unmerge" : "merging off",
				  b == 1 ? "#2a9d8f" : "#e76f51", 0.06);
	}
	for (size_t i = 0; i < l->n_phases; i++) {
		const struct json *p = json_get(l->phases[i], "phase");
		double t;
		if (replay_parse_time(json_str(p, "time", NULL), &t) == 0)
			plot_mark(f, &tag, t - t0, json_str(p, "name", "phase"), "#6c757d", 0.80);
	}
}

static const char *plot_daemon(const struct replay_log *l)
{
	enum dedup_kind k = l->header.backend;
	if (l->n_samples)
		k = l->samples[l->n_samples - 1].dedup.backend;
	return k == DEDUP_UKSM ? "uksmd" : k == DEDUP_KSM ? "ksmd" : "merging daemon";
}

/* One plotted series, or nothing when its column holds no figure. */
static void plot_series_cmd(FILE *f, const struct replay_log *l, int *first, int col, const char *axes,
			    const char *title, const char *colour)
{
	if (!plot_has(l, col))
		return;
	fprintf(f, "%sDAT using 1:%d axes %s with lines lw 2 lc rgb '%s' title ", *first ? "plot " : ", \\\n     ",
		col, axes, colour);
	plot_q(f, title);
	*first = 0;
}

/* After a panel's series: nothing drawn gives an empty frame that says why. */
static void plot_end(FILE *f, int first, const char *why)
{
	if (!first) {
		fputc('\n', f);
		return;
	}
	fputs("set label 99 ", f);
	plot_q(f, why);
	fputs(" at graph 0.5, graph 0.5 center\nset yrange [0:1]\nplot 1/0 notitle\nunset label 99\n"
	      "set autoscale y\n", f);
}

static void plot_time_panels(FILE *f, const struct replay_log *l)
{
	char t[96];
	int first = 1;
	double tmax = l->samples[l->n_samples - 1].time - l->samples[0].time;
	fprintf(f, "set xlabel 'time (s) since the recording began'\nset xrange [0:%.3f]\n", tmax > 0 ? tmax : 1.0);
	plot_marks(f, l);
	fputs("set title 'Host memory overhead (used - idle baseline)'\nset ylabel 'MiB'\n", f);
	plot_series_cmd(f, l, &first, PLOT_OVERHEAD, "x1y1", "overhead", "#264653");
	plot_end(f, first, "(no overhead recorded: no baseline was known)");
	first = 1;
	fputs("set title 'Pages shared and pages sharing (saved)'\nset ylabel 'pages'\n", f);
	plot_series_cmd(f, l, &first, PLOT_SHARED, "x1y1", "pages shared", "#e9c46a");
	plot_series_cmd(f, l, &first, PLOT_SHARING, "x1y1", "pages sharing (saved)", "#2a9d8f");
	plot_end(f, first, "(no merging daemon recorded)");
	first = 1;
	snprintf(t, sizeof t, "set title 'The merging daemon (%s): CPU and scan rate'\n", plot_daemon(l));
	fputs(t, f);
	fputs("set ylabel 'CPU %'\nset y2label 'pages scanned / s'\nset ytics nomirror\nset y2tics\n", f);
	snprintf(t, sizeof t, "%s CPU %%", plot_daemon(l));
	plot_series_cmd(f, l, &first, PLOT_DCPU, "x1y1", t, "#e76f51");
	plot_series_cmd(f, l, &first, PLOT_SCAN, "x1y2", "scan rate", "#457b9d");
	plot_end(f, first, "(no CPU or scan figures: they need two samples)");
	fputs("unset y2tics\nunset y2label\nset ytics mirror\nunset arrow\nunset label\nset autoscale x\n", f);
}

static void plot_boot_panel(FILE *f, const struct replay_log *l)
{
	static const char *const colour[2] = { "#9b2226", "#005f73" };
	int first = 1;
	size_t nmax = 1;
	for (size_t i = 0; i < l->n_boots; i++)
		nmax = l->boots[i].n > nmax ? l->boots[i].n : nmax;
	fputs("set title 'Boot storm: n instances started at once until every one is ready'\n"
	      "set xlabel 'n (instances)'\nset ylabel 'boot time (s)'\nset y2label 'host CPU % during the boot'\n"
	      "set ytics nomirror\nset y2tics\nset xtics 1\nset yrange [0:*]\nset y2range [0:100]\n", f);
	fprintf(f, "set xrange [0:%zu]\n", nmax + 1);
	for (int t = INST_KVM; t <= INST_LXC; t++) {
		if (!plot_storms(l, (enum inst_type)t))
			continue;
		const char *name = t == INST_LXC ? "LXC" : "KVM";
		fprintf(f, "%sBOOT index %d using 1:2 axes x1y1 with linespoints lw 2 pt 7 lc rgb '%s' title '%s boot time'"
			   ", \\\n     BOOT index %d using 1:3 axes x1y2 with linespoints lw 1 dashtype 2 pt 6 lc rgb '%s' "
			   "title '%s host CPU mean'", first ? "plot " : ", \\\n     ", t, colour[t], name, t, colour[t], name);
		first = 0;
	}
	plot_end(f, first, "(no boot storm recorded)");
}

static int plot_panels(const struct replay_log *l)
{
	int per[4];
	plot_series(l, per);
	return per[3] ? 4 : 3;
}

static void plot_terminal(FILE *f, const char *out, int panels)
{
	int h = 40 + panels * 300;
	if (plot_is_png(out))
		fprintf(f, "if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {\n"
			   "    set terminal pngcairo size 1000,%d noenhanced font 'sans,10' background rgb 'white'\n"
			   "} else {\n    set terminal png size 1000,%d noenhanced background rgb 'white'\n}\n", h, h);
	else
		fprintf(f, "set terminal svg size 1000,%d noenhanced font 'sans,11' background rgb 'white'\n", h);
	fputs("set output ", f);
	plot_q(f, out);
	fputc('\n', f);
}

static int plot_write_script(const struct replay_log *l, const char *rec, const char *out,
			     const struct plot_files *pf, char *err, size_t errlen)
{
	FILE *f = plot_create(pf->script, err, errlen);
	if (!f)
		return -1;
	char when[40] = "?";
	if (l->n_samples)
		util_iso8601(l->samples[0].time, when, sizeof when);
	int panels = plot_panels(l);
	fprintf(f, "# The study's figures from the uksmtop recording %s\n# (written by uksmtop %s; draw again with: "
		   "gnuplot %s)\n", rec, PACKAGE_VERSION, pf->script);
	plot_terminal(f, out, panels);
	fputs("DAT = ", f);
	plot_q(f, pf->samples);
	fputs("\nBOOT = ", f);
	plot_q(f, pf->boot);
	fputs("\nset datafile separator '\\t'\nset datafile missing '?'\nset grid\nset key below horizontal\n"
	      "set lmargin 12\nset rmargin 12\n", f);
	fprintf(f, "set multiplot layout %d,1 title ", panels);
	char title[512];
	snprintf(title, sizeof title, "uksmtop recording %s: host %s, from %s", rec,
		 l->header.host[0] ? l->header.host : "?", when);
	plot_q(f, title);
	fputc('\n', f);
	plot_time_panels(f, l);
	if (panels == 4)
		plot_boot_panel(f, l);
	fputs("unset multiplot\n", f);
	return plot_close(f, pf->script, err, errlen);
}

/* ---- running gnuplot ---- */

/* gnuplot SCRIPT, by argv, stdin from /dev/null. 0, or -1 with err. */
static int plot_exec(const char *script, char *err, size_t errlen)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "cannot run gnuplot: %s", strerror(errno));
		return -1;
	}
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "cannot run gnuplot: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		int nul = open("/dev/null", O_RDONLY);
		if (nul >= 0)
			dup2(nul, STDIN_FILENO);
		char *argv[] = { (char *)"gnuplot", (char *)script, NULL };
		execvp(argv[0], argv);
		int e = errno;
		if (write(fds[1], &e, sizeof e) < 0)
			_exit(127);
		_exit(127);
	}
	close(fds[1]);
	int e = 0;
	ssize_t got = read(fds[0], &e, sizeof e);
	close(fds[0]);
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (got == (ssize_t)sizeof e) {
		snprintf(err, errlen, "cannot run gnuplot: %s%s", strerror(e),
			 e == ENOENT ? " (install the Debian package gnuplot-nox)" : "");
		return -1;
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		snprintf(err, errlen, "gnuplot failed (%s %d)", WIFEXITED(st) ? "exit status" : "signal",
			 WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
		return -1;
	}
	return 0;
}

/* NAME.gp, NAME-samples.dat, NAME-boot.dat for out = NAME.svg. */
static int plot_names(const char *out, struct plot_files *pf, char *err, size_t errlen)
{
	size_t n = strlen(out);
	if (n < 5 || n - 4 + 16 >= sizeof pf->script) {
		snprintf(err, errlen, "%s: not a usable file name for a plot", out);
		return -1;
	}
	int b = (int)(n - 4);
	snprintf(pf->script, sizeof pf->script, "%.*s.gp", b, out);
	snprintf(pf->samples, sizeof pf->samples, "%.*s-samples.dat", b, out);
	snprintf(pf->boot, sizeof pf->boot, "%.*s-boot.dat", b, out);
	return 0;
}

int plot_write(const struct replay_log *l, const char *recording, const char *out, char *err, size_t errlen)
{
	struct plot_files pf;
	if (!plot_format_ok(out)) {
		snprintf(err, errlen, "%s: a plot is drawn as FILE.svg or FILE.png", out);
		return 1;
	}
	if (l->n_samples == 0) {
		snprintf(err, errlen, "%s: no sample to plot", recording);
		return 1;
	}
	if (plot_names(out, &pf, err, errlen) < 0 || plot_write_samples(l, recording, pf.samples, err, errlen) < 0 ||
	    plot_write_boot(l, recording, pf.boot, err, errlen) < 0 ||
	    plot_write_script(l, recording, out, &pf, err, errlen) < 0)
		return 1;
	char why[256];
	if (plot_exec(pf.script, why, sizeof why) < 0) {
		snprintf(err, errlen, "%s; the data and the script are written: draw them with: gnuplot %s", why, pf.script);
		return 1;
	}
	struct stat st;
	if (stat(out, &st) < 0 || st.st_size == 0) {
		snprintf(err, errlen, "gnuplot ran but %s is %s; the script is %s", out,
			 errno == ENOENT ? "missing" : "empty", pf.script);
		return 1;
	}
	return 0;
}

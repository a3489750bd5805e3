/* record.h - writing recordings: a header line, then every sample, boot result and experiment
 * phase as one JSON line each, plain or gzip-compressed, flushed line by line. */
#ifndef UKSMTOP_RECORD_H
#define UKSMTOP_RECORD_H

#include <stddef.h>

#include <stdint.h>

#include "config.h"
#include "output.h"
#include "sample.h"

/*
 * The format (version RECORD_VERSION), described for users in README.md
 * "Recording, replay, plots and experiments":
 *
 *   {"uksmtop_recording":1,"program":"uksmtop 0.1.0","host":"vm","started":"<ISO>",
 *    "delay_s":1,"page_size":4096,"backend":"ksm","command":["uksmtop","-b",...],
 *    "experiment":null}                                               first line, once
 *   {"time":"<ISO>",...,"events":[...],"rec":{...}}                   a sample: the -o json
 *                                        object plus "rec", the figures the view shows
 *                                        that a batch line lacks
 *   {"boot":{...}}                       a boot or boot-storm result, as -o json prints it
 *   {"phase":{"index":1,"name":"off","time":"<ISO>",...}}          an experiment phase begins
 *   {"summary":{...}}                    an experiment's summary, last
 *
 * Readers skip lines of a kind they do not know; a header with a version
 * above theirs is refused.
 */
#define RECORD_VERSION 1

/* The recording options of the command line (-w, -r, --plot, --experiment):
 * cli_parse fills them, main reads them. Empty strings when not given. */
struct record_args {
	char write[CFG_STR_MAX];
	char read[CFG_STR_MAX];
	char plot[CFG_STR_MAX];
	char experiment[CFG_STR_MAX];
	int argc;
	char **argv;              /* the command, for the header */
};
/* Defined in cli.c (so the option parser links without zlib). */
struct record_args *cli_record_args(void);

struct record;

/* What the header line says besides the version. */
struct record_meta {
	double started;           /* wall clock */
	double delay_s;
	enum dedup_kind backend;
	int argc;
	char **argv;              /* may be NULL */
	const char *experiment;   /* a JSON object describing the experiment, or NULL */
};

/* Create (truncate) path; ".gz" at its end means gzip. Writes the header.
 * NULL with "PATH: why" in err when it cannot be opened or written. */
struct record *record_open(const char *path, const struct record_meta *meta, char *err, size_t errlen);

/* Append one line and flush it to the kernel (gzip: a sync flush), so a crash
 * loses at most the line being written. 0, or -1 with "PATH: why" in err; a
 * plain file is cut back to its last whole line on failure. After a failure
 * every later call fails at once. */
int record_sample(struct record *r, const struct sample *s, char *err, size_t errlen);
/* line: one JSON object ending in "\n" (a boot result, a phase, a summary). */
int record_line(struct record *r, const char *line, size_t len, char *err, size_t errlen);

/* Close (gzip: writes the trailer). 0, or -1 with err. NULL is fine. */
int record_close(struct record *r, char *err, size_t errlen);
const char *record_path(const struct record *r);
/* Lines written, the header included. */
unsigned long record_lines(const struct record *r);

/* Whether a file name asks for gzip (ends in ".gz"). */
int record_is_gz(const char *path);

#endif

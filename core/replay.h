/* replay.h - reading recordings back: line by line into samples, boot results and experiment lines. */
#ifndef UKSMTOP_REPLAY_H
#define UKSMTOP_REPLAY_H

#include <stddef.h>

#include "boot.h"
#include "config.h"
#include "json.h"
#include "sample.h"

struct replay_header {
	int version;
	char program[64];
	char host[256];
	double started;           /* NAN when absent */
	double delay_s;           /* NAN when absent */
	enum dedup_kind backend;
	struct json *json;        /* the whole header line (owned by the reader) */
};

enum replay_kind {
	REPLAY_SAMPLE = 1,        /* item.sample */
	REPLAY_BOOT,              /* item.boot (a finished boot or boot storm) */
	REPLAY_PHASE,             /* item.json is the "phase" object */
	REPLAY_SUMMARY,           /* item.json is the "summary" object */
};

struct replay_item {
	enum replay_kind kind;
	unsigned long line_no;    /* 1 is the header */
	struct sample sample;
	struct boot_snapshot boot;
	const struct json *json;  /* into the parsed line; valid until the next call */
	const char *line;         /* the line as read, with its "\n"; valid until the next call */
	size_t len;
};

struct replay;

/* Open a recording (plain or gzip, told apart by its content) and read its
 * header. NULL with "PATH: why" in err when it cannot be opened or its first
 * line is no uksmtop recording of a version this build reads. */
struct replay *replay_open(const char *path, char *err, size_t errlen);
const struct replay_header *replay_header(const struct replay *r);

/* The next item: 1 (free it with replay_item_free), 0 at a clean end, -1 at
 * damage: err says where ("line 57 (byte 40213): ..."), and reading stops
 * there. Lines of an unknown kind are skipped. */
int replay_next(struct replay *r, struct replay_item *it, char *err, size_t errlen);
void replay_item_free(struct replay_item *it);
void replay_close(struct replay *r);

/* Turn one parsed sample line / boot line into the model (0, or -1 with err). */
int replay_sample_from_json(const struct json *j, struct sample *out, char *err, size_t errlen);
int replay_boot_from_json(const struct json *j, struct boot_snapshot *out, char *err, size_t errlen);

/* "2026-11-25T23:26:35.667Z" -> seconds since the epoch; -1 when malformed. */
int replay_parse_time(const char *s, double *out);

/* A whole recording in memory, for the view and for plots. */
struct replay_log {
	struct replay_header header;  /* header.json owned here */
	struct sample *samples;
	size_t n_samples;
	struct boot_snapshot *boots;
	size_t n_boots;
	struct json **phases;         /* the "phase" lines, whole */
	size_t n_phases;
	struct json *summary;         /* the last "summary" line, whole, or NULL */
	char damage[512];             /* "" when the file was read to its clean end */
};

/* Read all of path. NULL with err when it cannot be opened at all; else the
 * log, with log->damage saying where a damaged file stopped. */
struct replay_log *replay_load(const char *path, char *err, size_t errlen);
void replay_log_free(struct replay_log *l);

#endif

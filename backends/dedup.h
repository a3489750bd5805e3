/* dedup.h - the merging-daemon backends (uKSM, KSM) behind one ops table. */
#ifndef UKSMTOP_DEDUP_H
#define UKSMTOP_DEDUP_H

#include <stddef.h>
#include <stdint.h>

#include "../core/sample.h"

enum dedup_run_mode { DEDUP_RUN_OFF = 0, DEDUP_RUN_ON = 1, DEDUP_RUN_UNMERGE = 2 };

/* An attribute directory. On sysfs each attribute's descriptor stays open after
 * its first read and is read again from offset 0 (sysfs calls the attribute's
 * show again): one pread instead of openat, read and close. Anywhere else (a
 * fixture tree, whose files a test may replace) every read opens the path. */
#define SYSFS_DIR_MAX 24
struct sysfs_dir {
	int fd;                  /* the directory; -1 none */
	int keep;                /* fd is on sysfs */
	size_t n;
	struct {
		const char *name;    /* the caller's string (attribute tables are static) */
		int fd;              /* -1: absent (ENOENT at first open) */
	} att[SYSFS_DIR_MAX];
};

struct dedup_ops {
	const char *name;        /* "uksm", "ksm" */
	enum dedup_kind kind;
	const char *subdir;      /* below the sysfs root: "kernel/mm/uksm" */
	const char *thread_name; /* "uksmd", "ksmd" */
	/* Fill every figure the directory has; absent files stay VAL_NULL.
	 * Returns 0, or -errno when the directory itself cannot be read. */
	int (*read)(struct sysfs_dir *d, struct dedup_figs *out);
	/* Write the run state. Returns 0, -EINVAL for a mode the daemon lacks,
	 * or -errno from the write (-EACCES / -EPERM without root). */
	int (*set_run)(int dirfd, enum dedup_run_mode mode);
};

extern const struct dedup_ops dedup_uksm_ops;
extern const struct dedup_ops dedup_ksm_ops;

struct dedup_backend {
	const struct dedup_ops *ops; /* NULL: backend "none" */
	int dirfd;                   /* -1 when none */
	struct sysfs_dir dir;        /* dirfd with its attributes' descriptors */
	char path[4096];
};

/* Detect uksm, then ksm, below sysfs_root (NULL means "/sys"). Never fails:
 * with neither present the backend is "none". */
void dedup_open(struct dedup_backend *b, const char *sysfs_root);
void dedup_close(struct dedup_backend *b);
/* Fill out (all null for "none"); out->backend is always set. Derived
 * saved_kb is filled here; rates are the sampler's. */
int dedup_read(struct dedup_backend *b, struct dedup_figs *out);
/* Parse "on", "off", "unmerge" (also 1/0/2); -1 for anything else. */
int dedup_parse_mode(const char *s);
const char *dedup_mode_name(enum dedup_run_mode m);
/* Set the run state; on failure returns -errno and writes one line to err. */
int dedup_set_run(struct dedup_backend *b, enum dedup_run_mode mode, char *err, size_t errlen);

/* Parsers, shared by both backends and exposed for tests and fuzzers.
 * Each returns 0 on success, -1 on malformed input (out untouched). */
int sysfs_parse_i64(const char *buf, int64_t *out);            /* "123\n" */
int uksm_parse_pages_scanned(const char *buf, int64_t *out);   /* "123" or "N * 2^B" */
int uksm_parse_governor(const char *buf, char *out, size_t outlen); /* "full [medium] low " */
/* Read a whole small file relative to dirfd into buf (NUL-terminated).
 * Returns length, or -errno (-ENOENT for an absent attribute). */
int sysfs_read_at(int dirfd, const char *name, char *buf, size_t buflen);
/* Take dirfd (not owned) and find out whether it is on sysfs. */
void sysfs_dir_init(struct sysfs_dir *d, int dirfd);
/* Close the attributes' descriptors (not the directory's). */
void sysfs_dir_close(struct sysfs_dir *d);
/* As sysfs_read_at, through d's kept descriptors where it keeps them. */
int sysfs_dir_read(struct sysfs_dir *d, const char *name, char *buf, size_t buflen);

/* Additions for the backends' ops tables (implemented in sysfs.c). */
struct sysfs_i64_attr {
	const char *name;
	size_t offset;           /* of an int64_t field in the struct being filled */
};
/* Read each attribute as one integer into the int64_t at base + offset
 * (VAL_NULL when absent or malformed). Returns how many files were read, or
 * -errno of the first failure when none could be. */
int sysfs_read_i64_table(struct sysfs_dir *d, const struct sysfs_i64_attr *attrs, size_t n, void *base);
/* Write text to an attribute relative to dirfd in one write. 0 or -errno. */
int sysfs_write_at(int dirfd, const char *name, const char *text);

#endif

/* cgroup.h - helpers the instance backends share (defined in inst.c): cgroup location, pid sets, row init. */
#ifndef UKSMTOP_CGROUP_H
#define UKSMTOP_CGROUP_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "inst.h"

/* Where one process's cgroup lives: its directory on the hierarchy that
 * carries the memory figure, the file with the memory the cgroup is charged,
 * the directory whose cgroup.procs (with its descendants) holds the process
 * set, and the file that tells whether it is frozen. */
struct cgroup_loc {
	char dir[PATH_MAX];
	char mem_file[PATH_MAX];     /* memory.usage_in_bytes (v1), memory.current (v2); "" if none */
	char procs_dir[PATH_MAX];    /* dir, or on a hybrid host the unified hierarchy's own cgroup */
	char freezer_file[PATH_MAX]; /* v1 freezer.state, else v2 cgroup.events; "" if none */
	int v2;                      /* dir is on the unified (v2) hierarchy */
	int procs_v2;                /* procs_dir is on the unified (v2) hierarchy */
};

/* Locate pid's cgroup. The v1 memory hierarchy is preferred (it carries the
 * memory figure), else the unified one. When anchor is given (e.g.
 * "lxc.payload.NAME") and one path component equals it, the path is cut
 * after it, so a process in a nested cgroup still names the whole container.
 * Returns 0, or -errno (-ESRCH: the process is gone; -ENOENT: no mount). */
int cgroup_locate(pid_t pid, const char *const *anchors, struct cgroup_loc *out);

/* Parse one /proc/PID/cgroup text and a /proc/self/mountinfo text into out
 * (exposed for tests). Same rules and results as cgroup_locate. */
int cgroup_locate_text(const char *cgroup_txt, const char *mountinfo_txt,
		       const char *const *anchors, struct cgroup_loc *out);

/* Every pid in dir's cgroup.procs and in its descendants, sorted and without
 * duplicates (v1 may repeat a tgid). Returns 0 with a malloc'd array (NULL
 * when empty), or -errno when dir's own cgroup.procs cannot be read. */
int cgroup_read_pids(const char *dir, pid_t **pids, size_t *n);

/* The cgroup's memory in KiB, or VAL_NULL when unknown or unreadable. */
int64_t cgroup_mem_kb(const struct cgroup_loc *loc);
/* The same from an open memory file (read again from its start). */
int64_t cgroup_mem_kb_fd(int fd);

/* "RUNNING" (thawed), "FREEZING" or "FROZEN" from a v1 freezer.state or a v2
 * cgroup.events text; NULL when it says neither. */
const char *cgroup_parse_freezer(const char *buf);

/* What changes in files and directories a backend reads, from inotify: one
 * descriptor shared by everything the backend watches (LXC: lxcpath and the
 * containers' cgroups) and a generation that grows with every event (an
 * overflow included). A freezer write, from the host or from a container's own
 * cgroup namespace (the same inodes), a child cgroup made or removed, a
 * container defined or removed, each raise one. What was read while the
 * generation was the current one still holds, so it is not read again. */
struct inst_watch {
	int fd;                   /* -1: none, everything is read every time */
	unsigned gen;
};

void inst_watch_open(struct inst_watch *w);
void inst_watch_close(struct inst_watch *w);
/* Take in the events so far: before each sample's reads. */
void inst_watch_poll(struct inst_watch *w);
/* Watch path (inotify_add_watch's mask); the watch descriptor, or -1 without
 * a watch (w NULL or without a descriptor, or the kernel refused: errno). */
int inst_watch_add(struct inst_watch *w, const char *path, uint32_t mask);

/* A located cgroup kept between samples: its paths (malloc'd, NULL when none)
 * and descriptors kept open on them (-1 until first used). A pread of an open
 * cgroup file costs a fraction of open, read and close. With a watch, the
 * freezer state (RUNNING or FROZEN; FREEZING is read until it settles) and
 * whether the cgroup has children are read again only after an event. */
struct cgroup_kept {
	char *procs_dir, *mem_file, *freezer_file;
	int procs_v2;
	int procs_fd, dir_fd, mem_fd, frz_fd;
	struct inst_watch *w;   /* NULL: read every time */
	int frz_wd, dir_wd;       /* their watches, -1 none */
	int frz_watched;          /* the freezer file and (v1) its ancestors' are watched */
	int frz_kept, dir_kept;   /* frz_last / childless hold while w->gen is frz_gen / dir_gen */
	unsigned frz_gen, dir_gen;
	const char *frz_last;
	int childless;
};

/* w may be NULL (no watch); it outlives k. */
void cgroup_kept_init(struct cgroup_kept *k, struct inst_watch *w);
/* Close the descriptors and forget the location (k is ready to locate again, with the same watch). */
void cgroup_kept_close(struct cgroup_kept *k);
/* Locate pid's cgroup as cgroup_locate does. Returns 0 or -errno. */
int cgroup_kept_locate(struct cgroup_kept *k, pid_t pid, const char *const *anchors);
/* As cgroup_read_pids on k->procs_dir. */
int cgroup_kept_pids(struct cgroup_kept *k, pid_t **pids, size_t *n);
/* The cgroup's memory in KiB, or VAL_NULL. */
int64_t cgroup_kept_mem_kb(struct cgroup_kept *k);
/* The freezer's word as cgroup_parse_freezer gives it, or NULL when unknown. */
const char *cgroup_kept_freezer(struct cgroup_kept *k);

/* Read a whole small file into buf (NUL-terminated). Returns the length or -errno. */
ssize_t inst_read_file(const char *path, char *buf, size_t len);

/* A row with every figure unknown (VAL_NULL / NAN / -1) and no processes. */
void inst_raw_init(struct inst_raw *r, enum inst_type type, const char *name);

/* Lowercase copy of a state string, truncated to fit. */
void inst_set_state(struct inst_raw *r, const char *state);

#endif

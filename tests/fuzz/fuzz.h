/* fuzz.h - what the libFuzzer targets share: invariant checks, NUL-terminated copies, a private temp dir. */
#ifndef UKSMTOP_FUZZ_H
#define UKSMTOP_FUZZ_H

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken invariant is a crash: libFuzzer saves the input that caused it. */
#define FUZZ_CHECK(cond)                                                              \
	do {                                                                          \
		if (!(cond)) {                                                        \
			fprintf(stderr, "fuzz invariant failed: %s (%s:%d)\n", #cond, \
				__FILE__, __LINE__);                                  \
			abort();                                                      \
		}                                                                     \
	} while (0)

/* The input as a C string (it ends at its first NUL byte, as a file read into
 * a buffer would for the parsers). Free it. */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* Whether s ends within len bytes (the buffer's NUL is inside it). */
static inline int fuzz_terminated(const char *s, size_t len)
{
	return memchr(s, '\0', len) != NULL;
}

static inline int fuzz_rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static char fuzz_dir[4096];

static inline void fuzz_rm_tmpdir(void)
{
	nftw(fuzz_dir, fuzz_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* A directory of our own, made once and removed when the run ends (after a
 * crash it stays, inside the fuzz script's TMPDIR, which goes too). */
static inline const char *fuzz_tmpdir(void)
{
	if (fuzz_dir[0])
		return fuzz_dir;
	const char *base = getenv("TMPDIR");
	snprintf(fuzz_dir, sizeof(fuzz_dir), "%s/uksmtop-fuzz.XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(fuzz_dir))
		abort();
	atexit(fuzz_rm_tmpdir);
	return fuzz_dir;
}

/* Write len bytes to path, replacing it. Any failure aborts: it is the
 * harness that is broken, not the parser. */
static inline void fuzz_write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		abort();
	const char *p = data;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			abort();
		p += n;
		len -= (size_t)n;
	}
	if (close(fd) < 0)
		abort();
}

#endif

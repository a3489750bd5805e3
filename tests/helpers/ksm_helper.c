/* ksm_helper.c - holds a region of identical mergeable pages for the real-kernel KSM tests; SIGUSR1 makes it exec sleep. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define KSM_HELPER_DEFAULT_MIB 32

/* exec gives the process a new mm: its merged pages are gone at once, while
 * ksmd (stopped) still counts the old mm's. execve is async-signal-safe. */
static void ksm_helper_exec(int sig)
{
	(void)sig;
	char *argv[] = { "sleep", "3600", NULL };
	execv("/bin/sleep", argv);
	_exit(127);
}

static void ksm_helper_usage(void)
{
	fprintf(stderr, "usage: ksm_helper [MiB]  (default %d, at least 1)\n", KSM_HELPER_DEFAULT_MIB);
	exit(2);
}

int main(int argc, char **argv)
{
	long mib = KSM_HELPER_DEFAULT_MIB;
	if (argc > 2)
		ksm_helper_usage();
	if (argc == 2) {
		char *end;
		errno = 0;
		mib = strtol(argv[1], &end, 10);
		if (errno || *end || mib < 1 || mib > 65536)
			ksm_helper_usage();
	}
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t len = (size_t)mib << 20;
	unsigned char *region = mmap(NULL, len, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (region == MAP_FAILED) {
		perror("ksm_helper: mmap");
		return 1;
	}
	/* Every page the same non-zero pattern: KSM keeps one and maps the rest
	 * to it (a zero fill would take the separate zero-page path instead). */
	for (size_t off = 0; off < len; off += page)
		for (size_t i = 0; i < page; i++)
			region[off + i] = (unsigned char)(0x5a ^ (i & 0xff));
	if (madvise(region, len, MADV_MERGEABLE) < 0) {
		perror("ksm_helper: madvise(MADV_MERGEABLE)");
		return 1;
	}
	signal(SIGUSR1, ksm_helper_exec);
	printf("ready %zu pages of %zu bytes pid %ld\n", len / page, page, (long)getpid());
	fflush(stdout);
	for (;;)
		pause();
}

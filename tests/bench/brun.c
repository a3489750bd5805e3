/* brun.c - run one command and report what it cost: CPU (getrusage via wait4), peak RSS,
 * wall time and the time until its first complete output line (the benchmark's probe). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double brun_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static long long brun_tv_us(const struct timeval *tv)
{
	return (long long)tv->tv_sec * 1000000LL + tv->tv_usec;
}

static int brun_usage(void)
{
	fprintf(stderr, "usage: brun [-o FILE] -- COMMAND [ARG]...\n"
			"Runs COMMAND with its standard output piped through brun (to FILE or nowhere)\n"
			"and prints one line: user_us sys_us cpu_us maxrss_kb wall_ms first_line_ms lines status.\n");
	return 2;
}

/* Copy the child's output, noting when its first newline arrives. */
static void brun_drain(int fd, FILE *out, double t0, double *first_ms, long *lines)
{
	char buf[65536];
	for (;;) {
		ssize_t n = read(fd, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] != '\n')
				continue;
			if (*lines == 0)
				*first_ms = brun_now_ms() - t0;
			(*lines)++;
		}
		if (out)
			fwrite(buf, 1, (size_t)n, out);
	}
}

int main(int argc, char **argv)
{
	const char *outpath = NULL;
	int opt;
	while ((opt = getopt(argc, argv, "+o:")) != -1) {
		if (opt != 'o')
			return brun_usage();
		outpath = optarg;
	}
	if (optind >= argc)
		return brun_usage();
	FILE *out = NULL;
	if (outpath && !(out = fopen(outpath, "w"))) {
		fprintf(stderr, "brun: %s: %s\n", outpath, strerror(errno));
		return 1;
	}
	int p[2];
	if (pipe(p) < 0) {
		perror("brun: pipe");
		return 1;
	}
	double t0 = brun_now_ms();
	pid_t pid = fork();
	if (pid < 0) {
		perror("brun: fork");
		return 1;
	}
	if (pid == 0) {
		close(p[0]);
		if (dup2(p[1], STDOUT_FILENO) < 0)
			_exit(127);
		close(p[1]);
		execvp(argv[optind], argv + optind);
		fprintf(stderr, "brun: %s: %s\n", argv[optind], strerror(errno));
		_exit(127);
	}
	close(p[1]);
	double first_ms = -1;
	long lines = 0;
	brun_drain(p[0], out, t0, &first_ms, &lines);
	close(p[0]);
	int status;
	struct rusage ru;
	while (wait4(pid, &status, 0, &ru) < 0) {
		if (errno != EINTR) {
			perror("brun: wait4");
			return 1;
		}
	}
	double wall = brun_now_ms() - t0;
	if (out)
		fclose(out);
	long long u = brun_tv_us(&ru.ru_utime), s = brun_tv_us(&ru.ru_stime);
	int rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	printf("user_us=%lld sys_us=%lld cpu_us=%lld maxrss_kb=%ld wall_ms=%.1f first_line_ms=%.1f lines=%ld status=%d\n",
	       u, s, u + s, ru.ru_maxrss, wall, first_ms, lines, rc);
	return rc;
}

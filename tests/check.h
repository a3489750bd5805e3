/* check.h - a minimal test harness: CHECK records failures, check_done() sets the exit status. */
#ifndef UKSMTOP_CHECK_H
#define UKSMTOP_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_failed;
static int check_count;

#define CHECK(cond) do { \
	check_count++; \
	if (!(cond)) { \
		check_failed++; \
		fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
	} \
} while (0)

#define CHECK_I64(a, b) do { \
	long long check_a_ = (long long)(a), check_b_ = (long long)(b); \
	check_count++; \
	if (check_a_ != check_b_) { \
		check_failed++; \
		fprintf(stderr, "%s:%d: %s == %lld, expected %s == %lld\n", __FILE__, __LINE__, \
			#a, check_a_, #b, check_b_); \
	} \
} while (0)

#define CHECK_STR(a, b) do { \
	const char *check_a_ = (a), *check_b_ = (b); \
	check_count++; \
	if (!check_a_ || !check_b_ || strcmp(check_a_, check_b_) != 0) { \
		check_failed++; \
		fprintf(stderr, "%s:%d: %s == \"%s\", expected \"%s\"\n", __FILE__, __LINE__, \
			#a, check_a_ ? check_a_ : "(null)", check_b_ ? check_b_ : "(null)"); \
	} \
} while (0)

/* A part that cannot run on this machine (no KSM, no cgroup mount): said on a
 * developer's machine, a failure under CI=true, as the shell tests' skip is. */
#define CHECK_SKIP(why) do { \
	const char *check_ci_ = getenv("CI"); \
	if (check_ci_ && strcmp(check_ci_, "true") == 0) { \
		check_count++; \
		check_failed++; \
		fprintf(stderr, "%s:%d: skipped, not allowed under CI=true: %s\n", __FILE__, __LINE__, (why)); \
	} else { \
		printf("# skipped: %s\n", (why)); \
	} \
} while (0)

static inline int check_done(void)
{
	printf("%d checks, %d failed\n", check_count, check_failed);
	return check_failed ? 1 : 0;
}

#endif

/*
 * unit.h - the few macros the C unit tests under tests/unit share.
 *
 * CHECK(cond) and CHECK_STR(got, want) count failures and print what
 * differed; a test's main returns unit_done(), 0 when nothing failed.
 * Each test binary is run by tests/t0001-unit.sh.
 */
#ifndef UNIT_H
#define UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_failed, unit_checks;

#define CHECK(cond) do {						\
	unit_checks++;							\
	if (!(cond)) {							\
		unit_failed++;						\
		fprintf(stderr, "%s:%d: failed: %s\n", __FILE__,	\
		    __LINE__, #cond);					\
	}								\
} while (0)

#define CHECK_STR(got, want) do {					\
	const char *g_ = (got), *w_ = (want);				\
	unit_checks++;							\
	if (strcmp(g_, w_) != 0) {					\
		unit_failed++;						\
		fprintf(stderr, "%s:%d: got \"%s\", want \"%s\"\n",	\
		    __FILE__, __LINE__, g_, w_);			\
	}								\
} while (0)

static int
unit_done(void)
{
	printf("%d checks, %d failed\n", unit_checks, unit_failed);
	return unit_failed != 0;
}

#endif

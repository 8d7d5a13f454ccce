/* What the Linux AIO twins share: each names the outcome its race ended
 * with ("outcome: cancelled"), and a run given an outcome as its argument
 * fails when that outcome happens — so `simk explore ./twin -- NAME`
 * failing proves exploration reaches NAME (tests/py/test_twins_laio.py),
 * as forcing one outcome does for the scenario (tests/py/test_laio.py). */
#ifndef LAIO_TWIN_H
#define LAIO_TWIN_H
#include <libaio.h>
#include <sched.h>
#include <stdio.h>
#include <unistd.h>

#include "check.h"

static const char *twin_forbidden = "";

static inline void twin_args(int argc, char **argv)
{
	if (argc > 1)
		twin_forbidden = argv[1];
}

static inline void outcome(const char *what)
{
	printf("outcome: %s\n", what);
	if (strcmp(what, twin_forbidden) == 0) {
		printf("forbidden outcome reached: %s\n", what);
		exit(1);
	}
}

/* libaio's negative-errno results. */
#define CHECK_IS(expr, want)                                                                       \
	do {                                                                                       \
		long got_ = (long)(expr), want_ = (long)(want);                                    \
		if (got_ != want_) {                                                               \
			printf("%s:%d: %s = %ld, expected %ld\n", __FILE__, __LINE__, #expr, got_, \
			       want_);                                                             \
			exit(1);                                                                   \
		}                                                                                  \
	} while (0)

/* Waits (a switch point each time) until *p is not zero. */
#define WAIT_NONZERO(p)                                                                            \
	do {                                                                                       \
		while (__atomic_load_n((p), __ATOMIC_SEQ_CST) == 0)                                \
			usleep(10);                                                                \
	} while (0)
#endif

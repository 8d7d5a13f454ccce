/* A failed expectation of a guest test program: print where and what,
 * then exit 1 (the run fails with the program's status). Plain C: the
 * guest programs are ordinary programs that would run on Linux too. */
#ifndef GUEST_TEST_CHECK_H
#define GUEST_TEST_CHECK_H
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			printf("%s:%d: check failed: %s (errno %d %s)\n", __FILE__, __LINE__,     \
			       #cond, errno, strerror(errno));                                      \
			exit(1);                                                                   \
		}                                                                                  \
	} while (0)
/* call fails with -1 and errno e */
#define CHECK_ERR(call, e)                                                                         \
	do {                                                                                       \
		errno = 0;                                                                         \
		long r_ = (long)(call);                                                            \
		if (r_ != -1 || errno != (e)) {                                                    \
			printf("%s:%d: %s = %ld errno %d (%s), expected -1 errno %d (%s)\n",       \
			       __FILE__, __LINE__, #call, r_, errno, strerror(errno), (e),          \
			       strerror(e));                                                       \
			exit(1);                                                                   \
		}                                                                                  \
	} while (0)
#endif

/* Helpers of the Linux AIO conformance programs (tests/conformance/laio/):
 * libaio's calls return a negative errno rather than set errno, so the
 * checks compare the returned value and print it when it differs. */
#ifndef LAIO_TEST_H
#define LAIO_TEST_H
#include <fcntl.h>
#include <libaio.h>
#include <unistd.h>

#include "check.h"

/* expr must evaluate to want (both as long). */
#define CHECK_IS(expr, want)                                                                       \
	do {                                                                                       \
		long got_ = (long)(expr), want_ = (long)(want);                                    \
		if (got_ != want_) {                                                               \
			printf("%s:%d: %s = %ld, expected %s = %ld\n", __FILE__, __LINE__, #expr,  \
			       got_, #want, want_);                                                \
			exit(1);                                                                   \
		}                                                                                  \
	} while (0)

/* A new file of len bytes, byte i being (char)(seed + i); returns the fd
 * open with flags (O_RDWR, maybe O_DIRECT). */
static inline int make_file(const char *path, size_t len, int seed, int flags)
{
	int fd = open(path, O_CREAT | O_TRUNC | O_RDWR, 0644);
	CHECK(fd >= 0);
	char b[512];
	for (size_t off = 0; off < len; off += sizeof(b)) {
		size_t n = len - off < sizeof(b) ? len - off : sizeof(b);
		for (size_t i = 0; i < n; i++)
			b[i] = (char)(seed + off + i);
		CHECK(pwrite(fd, b, n, (off_t)off) == (ssize_t)n);
	}
	if (flags == O_RDWR)
		return fd;
	CHECK(close(fd) == 0);
	fd = open(path, flags);
	CHECK(fd >= 0);
	return fd;
}

/* Whether buf holds the bytes make_file(seed) put at offset off. */
static inline int same_bytes(const void *buf, size_t len, long long off, int seed)
{
	const unsigned char *b = buf;
	for (size_t i = 0; i < len; i++)
		if (b[i] != (unsigned char)(char)(seed + off + (long long)i))
			return 0;
	return 1;
}
#endif

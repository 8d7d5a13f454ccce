/*
 * The workloads of fileaio's differential test (tests/py/test_fileaio.py):
 * one program, built once per backend (fileaio_laio, fileaio_kq,
 * fileaio_port), whose argument picks a workload. Each checks the
 * library's contract itself (exit 1 with the line) and prints what a
 * user of the library observes — results in request order, never in
 * completion order — so the three backends must print the same lines.
 *
 *   batch    8 direct writes in one submission, a flush, 8 reads back
 *   limit    more requests than a context holds: the rest stay prepared
 *   cancel   a pipe read that nobody feeds, canceled; a file write beside it
 *   timeout  a wait that times out on the virtual clock, then completes
 *   wakeup   faio_ctx_wakeup from another thread, and one before the wait
 *   badfd    a request the kernel refuses at once, in the middle of a batch
 *   fault    one write fails on the device (--fault blk/write/eio:nth=K)
 *   race     two overlapping writes in flight: the file ends with either
 *            (a client bug — "the last submitted wins" — that explore finds)
 */
#define _GNU_SOURCE /* O_DIRECT */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fileaio.h"

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			printf("%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);           \
			exit(1);                                                                   \
		}                                                                                  \
	} while (0)

#define BLK 4096
#define NB 8

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void *block(int tag)
{
	void *p = NULL;
	CHECK(posix_memalign(&p, BLK, BLK) == 0);
	memset(p, tag, BLK);
	return p;
}

static int open_data(void)
{
	int fd = open("/data", O_RDWR | O_CREAT | O_DIRECT, 0644);
	CHECK(fd >= 0);
	return fd;
}

static void show(const char *what, int i, faio_req *r)
{
	size_t n = 0;
	int rc = faio_req_get_rc(r, &n);
	printf("%s %d: rc %d bytes %zu\n", what, i, rc, n);
}

/* Waits for every pending request of c. */
static void drain(faio_ctx *c)
{
	faio_req *out[FAIO_CTX_MAX];
	size_t got;
	while (faio_ctx_pending(c) > 0)
		CHECK(faio_ctx_wait(c, 1, FAIO_WAIT_FOREVER, out, FAIO_CTX_MAX, &got) == FAIO_OK);
}

static void batch(void)
{
	faio_ctx *c;
	CHECK(faio_ctx_create(&c) == FAIO_OK);
	int fd = open_data();
	faio_req *w[NB], *rd[NB], *fl;
	void *wb[NB], *rb[NB];
	for (int i = 0; i < NB; i++) {
		CHECK(faio_req_create(&w[i]) == FAIO_OK && faio_req_create(&rd[i]) == FAIO_OK);
		wb[i] = block('a' + i);
		rb[i] = block(0);
		CHECK(faio_req_prepare_write(w[i], fd, (int64_t)i * BLK, wb[i], BLK, wb[i]) == FAIO_OK);
		CHECK(faio_req_state(w[i]) == FAIO_PREPARED);
	}
	CHECK(faio_ctx_submit(c, w, NB) == FAIO_OK);
	CHECK(faio_ctx_pending(c) == NB);
	CHECK(faio_req_get_rc(w[0], NULL) == FAIO_ERR_IN_PROGRESS);
	CHECK(faio_req_destroy(w[0]) == FAIO_ERR_IN_PROGRESS);
	faio_req *out[NB];
	size_t got = 0;
	CHECK(faio_ctx_wait(c, NB, FAIO_WAIT_FOREVER, out, NB, &got) == FAIO_OK && got == NB);
	for (size_t i = 0; i < got; i++) /* each once, with its user pointer */
		for (size_t j = i + 1; j < got; j++)
			CHECK(out[i] != out[j]);
	for (int i = 0; i < NB; i++) {
		CHECK(faio_req_state(w[i]) == FAIO_COMPLETED);
		CHECK(faio_req_get_user(w[i]) == wb[i]);
		show("write", i, w[i]);
	}
	CHECK(faio_req_create(&fl) == FAIO_OK);
	CHECK(faio_req_prepare_flush(fl, fd, NULL) == FAIO_OK);
	CHECK(faio_ctx_submit(c, &fl, 1) == FAIO_OK);
	CHECK(faio_ctx_wait(c, 1, FAIO_WAIT_FOREVER, out, NB, &got) == FAIO_OK && got == 1);
	show("flush", 0, fl);
	for (int i = 0; i < NB; i++)
		CHECK(faio_req_prepare_read(rd[i], fd, (int64_t)i * BLK, rb[i], BLK, NULL) == FAIO_OK);
	CHECK(faio_ctx_submit(c, rd, NB) == FAIO_OK);
	drain(c);
	for (int i = 0; i < NB; i++) {
		show("read", i, rd[i]);
		CHECK(memcmp(rb[i], wb[i], BLK) == 0);
	}
	CHECK(faio_ctx_wait(c, 1, 0, out, NB, &got) == FAIO_ERR_NO_REQUEST);
	for (int i = 0; i < NB; i++) {
		CHECK(faio_req_destroy(w[i]) == FAIO_OK && faio_req_destroy(rd[i]) == FAIO_OK);
		free(wb[i]);
		free(rb[i]);
	}
	CHECK(faio_req_destroy(fl) == FAIO_OK);
	CHECK(faio_ctx_destroy(c) == FAIO_OK);
	close(fd);
}

static void limit(void)
{
	enum { N = FAIO_CTX_MAX + 4 };
	faio_ctx *c;
	CHECK(faio_ctx_create(&c) == FAIO_OK);
	int fd = open_data();
	faio_req *r[N];
	void *b = block('x');
	for (int i = 0; i < N; i++) {
		CHECK(faio_req_create(&r[i]) == FAIO_OK);
		CHECK(faio_req_prepare_write(r[i], fd, (int64_t)(i % 4) * BLK, b, BLK, NULL) == FAIO_OK);
	}
	int rc = faio_ctx_submit(c, r, N);
	printf("submit %d: rc %d pending %d\n", N, rc, faio_ctx_pending(c));
	CHECK(rc == FAIO_ERR_RESOURCES && faio_ctx_pending(c) == FAIO_CTX_MAX);
	for (int i = FAIO_CTX_MAX; i < N; i++)
		CHECK(faio_req_state(r[i]) == FAIO_PREPARED);
	CHECK(faio_ctx_destroy(c) == FAIO_ERR_BUSY);
	drain(c);
	rc = faio_ctx_submit(c, r + FAIO_CTX_MAX, N - FAIO_CTX_MAX);
	printf("submit the rest: rc %d pending %d\n", rc, faio_ctx_pending(c));
	CHECK(rc == FAIO_OK);
	drain(c);
	for (int i = 0; i < N; i++) {
		size_t n;
		CHECK(faio_req_get_rc(r[i], &n) == FAIO_OK && n == BLK);
		CHECK(faio_req_destroy(r[i]) == FAIO_OK);
	}
	printf("all %d written\n", N);
	CHECK(faio_ctx_destroy(c) == FAIO_OK);
	free(b);
	close(fd);
}

static void cancel(void)
{
	faio_ctx *c;
	CHECK(faio_ctx_create(&c) == FAIO_OK);
	int p[2];
	CHECK(pipe(p) == 0);
	int fd = open_data();
	static char pbuf[64];
	void *b = block('w');
	faio_req *rq[2], *out[2];
	CHECK(faio_req_create(&rq[0]) == FAIO_OK && faio_req_create(&rq[1]) == FAIO_OK);
	CHECK(faio_req_prepare_read(rq[0], p[0], 0, pbuf, sizeof(pbuf), NULL) == FAIO_OK);
	CHECK(faio_req_prepare_write(rq[1], fd, 0, b, BLK, NULL) == FAIO_OK);
	CHECK(faio_req_cancel(rq[0]) == FAIO_ERR_NOT_SUBMITTED);
	CHECK(faio_ctx_submit(c, rq, 2) == FAIO_OK);
	int rc = faio_req_cancel(rq[0]);
	printf("cancel the pipe read: %d\n", rc);
	CHECK(rc == FAIO_OK);
	show("pipe read", 0, rq[0]);
	CHECK(faio_req_get_rc(rq[0], NULL) == FAIO_ERR_CANCELED);
	CHECK(faio_ctx_pending(c) == 1);
	size_t got;
	CHECK(faio_ctx_wait(c, 1, FAIO_WAIT_FOREVER, out, 2, &got) == FAIO_OK);
	CHECK(got == 1 && out[0] == rq[1]);
	show("write", 1, rq[1]);
	CHECK(faio_req_cancel(rq[1]) == FAIO_ERR_NOT_SUBMITTED);
	/* nothing else comes: the canceled read is never returned */
	CHECK(faio_ctx_wait(c, 1, 0, out, 2, &got) == FAIO_ERR_NO_REQUEST);
	/* the request is reused, on another pipe: bytes written to the first one
	 * right after the cancel may still go to the canceled read in POSIX AIO
	 * (docs/paio.md, the cancel window) */
	int q[2];
	CHECK(pipe(q) == 0);
	CHECK(write(q[1], "hello", 5) == 5);
	CHECK(faio_req_prepare_read(rq[0], q[0], 0, pbuf, sizeof(pbuf), NULL) == FAIO_OK);
	CHECK(faio_ctx_submit(c, rq, 1) == FAIO_OK);
	CHECK(faio_ctx_wait(c, 1, FAIO_WAIT_FOREVER, out, 2, &got) == FAIO_OK && got == 1);
	show("pipe read again", 0, rq[0]);
	CHECK(memcmp(pbuf, "hello", 5) == 0);
	CHECK(faio_req_destroy(rq[0]) == FAIO_OK && faio_req_destroy(rq[1]) == FAIO_OK);
	CHECK(faio_ctx_destroy(c) == FAIO_OK);
	free(b);
	close(fd);
	close(p[0]);
	close(p[1]);
	close(q[0]);
	close(q[1]);
}

static void timeout(void)
{
	faio_ctx *c;
	CHECK(faio_ctx_create(&c) == FAIO_OK);
	int p[2];
	CHECK(pipe(p) == 0);
	static char pbuf[16];
	faio_req *r, *out[1];
	CHECK(faio_req_create(&r) == FAIO_OK);
	CHECK(faio_req_prepare_read(r, p[0], 0, pbuf, sizeof(pbuf), NULL) == FAIO_OK);
	CHECK(faio_ctx_submit(c, &r, 1) == FAIO_OK);
	size_t got = 9;
	int64_t t0 = now_ns();
	int rc = faio_ctx_wait(c, 1, 2000000, out, 1, &got);
	int64_t waited = now_ns() - t0;
	printf("wait 2ms: rc %d got %zu, at least 2ms: %d\n", rc, got, waited >= 2000000);
	CHECK(rc == FAIO_ERR_TIMEOUT && got == 0 && waited >= 2000000);
	CHECK(faio_ctx_wait(c, 1, 0, out, 1, &got) == FAIO_ERR_TIMEOUT);
	CHECK(write(p[1], "12345", 5) == 5);
	CHECK(faio_ctx_wait(c, 1, FAIO_WAIT_FOREVER, out, 1, &got) == FAIO_OK && got == 1);
	show("pipe read", 0, r);
	CHECK(faio_req_destroy(r) == FAIO_OK);
	CHECK(faio_ctx_destroy(c) == FAIO_OK);
	close(p[0]);
	close(p[1]);
}

static faio_ctx *wake_ctx;

static void *waker(void *arg)
{
	(void)arg;
	struct timespec ts = {0, 1000000};
	nanosleep(&ts, NULL);
	CHECK(faio_ctx_wakeup(wake_ctx) == FAIO_OK);
	return NULL;
}

static void wakeup(void)
{
	CHECK(faio_ctx_create(&wake_ctx) == FAIO_OK);
	int p[2];
	CHECK(pipe(p) == 0);
	static char pbuf[16];
	faio_req *r, *out[1];
	CHECK(faio_req_create(&r) == FAIO_OK);
	CHECK(faio_req_prepare_read(r, p[0], 0, pbuf, sizeof(pbuf), NULL) == FAIO_OK);
	CHECK(faio_ctx_submit(wake_ctx, &r, 1) == FAIO_OK);
	pthread_t t;
	CHECK(pthread_create(&t, NULL, waker, NULL) == 0);
	size_t got = 9;
	int rc = faio_ctx_wait(wake_ctx, 1, FAIO_WAIT_FOREVER, out, 1, &got);
	printf("woken from another thread: rc %d got %zu\n", rc, got);
	CHECK(rc == FAIO_ERR_INTERRUPTED && got == 0);
	CHECK(pthread_join(t, NULL) == 0);
	/* a wake-up before the wait is not lost */
	CHECK(faio_ctx_wakeup(wake_ctx) == FAIO_OK);
	rc = faio_ctx_wait(wake_ctx, 1, FAIO_WAIT_FOREVER, out, 1, &got);
	printf("woken before waiting: rc %d got %zu\n", rc, got);
	CHECK(rc == FAIO_ERR_INTERRUPTED);
	CHECK(write(p[1], "abc", 3) == 3);
	CHECK(faio_ctx_wait(wake_ctx, 1, FAIO_WAIT_FOREVER, out, 1, &got) == FAIO_OK);
	show("pipe read", 0, r);
	CHECK(faio_req_destroy(r) == FAIO_OK);
	CHECK(faio_ctx_destroy(wake_ctx) == FAIO_OK);
	close(p[0]);
	close(p[1]);
}

static void badfd(void)
{
	faio_ctx *c;
	CHECK(faio_ctx_create(&c) == FAIO_OK);
	int fd = open_data();
	void *b = block('b');
	faio_req *r[3];
	for (int i = 0; i < 3; i++)
		CHECK(faio_req_create(&r[i]) == FAIO_OK);
	CHECK(faio_req_prepare_write(r[0], fd, 0, b, BLK, NULL) == FAIO_OK);
	CHECK(faio_req_prepare_write(r[1], 99, 0, b, BLK, NULL) == FAIO_OK); /* not open */
	CHECK(faio_req_prepare_write(r[2], fd, BLK, b, BLK, NULL) == FAIO_OK);
	int rc = faio_ctx_submit(c, r, 3);
	printf("submit with a bad descriptor: rc %d pending %d states %d %d %d\n", rc,
	       faio_ctx_pending(c), faio_req_state(r[0]), faio_req_state(r[1]),
	       faio_req_state(r[2]));
	CHECK(rc < 0 && faio_ctx_pending(c) == 1);
	show("refused", 1, r[1]);
	CHECK(faio_ctx_submit(c, r + 2, 1) == FAIO_OK);
	drain(c);
	show("write", 0, r[0]);
	show("write", 2, r[2]);
	CHECK(faio_ctx_submit(NULL, r, 1) == FAIO_ERR_INVALID_HANDLE);
	CHECK(faio_ctx_submit(c, r, 0) == FAIO_ERR_INVALID_PARAMETER);
	CHECK(faio_ctx_submit(c, r, 1) == FAIO_ERR_INVALID_PARAMETER); /* not prepared */
	CHECK(faio_req_prepare_read(r[0], -1, 0, b, BLK, NULL) == FAIO_ERR_INVALID_PARAMETER);
	for (int i = 0; i < 3; i++)
		CHECK(faio_req_destroy(r[i]) == FAIO_OK);
	CHECK(faio_ctx_destroy(c) == FAIO_OK);
	free(b);
	close(fd);
}

static void fault(void)
{
	faio_ctx *c;
	CHECK(faio_ctx_create(&c) == FAIO_OK);
	int fd = open_data();
	void *b = block('f');
	faio_req *r, *out[1];
	size_t got;
	CHECK(faio_req_create(&r) == FAIO_OK);
	for (int i = 0; i < 2; i++) {
		CHECK(faio_req_prepare_write(r, fd, (int64_t)i * BLK, b, BLK, NULL) == FAIO_OK);
		CHECK(faio_ctx_submit(c, &r, 1) == FAIO_OK);
		CHECK(faio_ctx_wait(c, 1, FAIO_WAIT_FOREVER, out, 1, &got) == FAIO_OK);
		show("write", i, r);
	}
	CHECK(faio_req_destroy(r) == FAIO_OK);
	CHECK(faio_ctx_destroy(c) == FAIO_OK);
	free(b);
	close(fd);
}

static void race(void)
{
	faio_ctx *c;
	CHECK(faio_ctx_create(&c) == FAIO_OK);
	int fd = open_data();
	void *old = block('o'), *first = block('1'), *second = block('2'), *got_b = block(0);
	CHECK(pwrite(fd, old, BLK, 0) == BLK);
	faio_req *r[2];
	CHECK(faio_req_create(&r[0]) == FAIO_OK && faio_req_create(&r[1]) == FAIO_OK);
	CHECK(faio_req_prepare_write(r[0], fd, 0, first, BLK, NULL) == FAIO_OK);
	CHECK(faio_req_prepare_write(r[1], fd, 0, second, BLK, NULL) == FAIO_OK);
	CHECK(faio_ctx_submit(c, r, 2) == FAIO_OK);
	drain(c);
	CHECK(pread(fd, got_b, BLK, 0) == BLK);
	printf("the block holds the %s write\n", ((char *)got_b)[0] == '2' ? "second" : "first");
	/* the bug: two writes in flight to the same place complete in any order */
	CHECK(((char *)got_b)[0] == '2');
	for (int i = 0; i < 2; i++)
		CHECK(faio_req_destroy(r[i]) == FAIO_OK);
	CHECK(faio_ctx_destroy(c) == FAIO_OK);
	free(old);
	free(first);
	free(second);
	free(got_b);
	close(fd);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		void (*fn)(void);
	} w[] = {{"batch", batch},   {"limit", limit}, {"cancel", cancel}, {"timeout", timeout},
		 {"wakeup", wakeup}, {"badfd", badfd}, {"fault", fault},   {"race", race}};
	for (size_t i = 0; argc == 2 && i < sizeof(w) / sizeof(w[0]); i++)
		if (strcmp(argv[1], w[i].name) == 0) {
			printf("backend %s, workload %s\n", faio_backend(), w[i].name);
			w[i].fn();
			return 0;
		}
	fprintf(stderr, "usage: %s batch|limit|cancel|timeout|wakeup|badfd|fault|race\n", argv[0]);
	return 2;
}

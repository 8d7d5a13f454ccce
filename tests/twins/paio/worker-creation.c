/*
 * Twin of scenarios/paio/worker-creation.scn: three threads submit two
 * one-byte reads each on an empty pipe, at the same time, to a pool that
 * starts with one worker and may grow to three (glibc's aio_init with
 * aio_threads = 3: a request that finds no idle worker gets a new one,
 * up to the limit; Solaris libc aio.c's _aio_req_add/_aio_create_worker
 * with min_workload 1). Every read blocks its worker, so the pool is
 * loaded, whatever the interleaving. Invariant:
 *  - never more than three workers: with the six reads waiting, a
 *    request whose data is already in its pipe stays queued (a fourth
 *    worker would run it at once);
 *  - then six bytes arrive and every read ends exactly once with one
 *    byte: the six bytes, each read by exactly one request.
 * (That the pool does grow to three is what
 * tests/conformance/paio/aio_init_threads.c shows: a guest cannot count
 * the workers, only see what they run.)
 *
 * Outcomes (printed; `forbid=NAME` as the argument makes reaching NAME
 * fail the run, so `simk explore` shows that some seed reaches it): which
 * thread's read took the first byte, "a": a_ta, a_tb, a_tc.
 */
#define _GNU_SOURCE
#include <aio.h>
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static int rd, wr;
static struct aiocb cbs[3][2];
static char got[3][2];
static int submitted;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;

static void *submitter(void *arg)
{
	int t = (int)(intptr_t)arg;
	for (int i = 0; i < 2; i++) {
		struct aiocb *cb = &cbs[t][i];
		cb->aio_fildes = rd;
		cb->aio_buf = &got[t][i];
		cb->aio_nbytes = 1;
		cb->aio_sigevent.sigev_notify = SIGEV_NONE;
		CHECK(aio_read(cb) == 0);
	}
	CHECK(pthread_mutex_lock(&mu) == 0);
	submitted++;
	CHECK(pthread_cond_signal(&cv) == 0);
	CHECK(pthread_mutex_unlock(&mu) == 0);
	for (int i = 0; i < 2; i++) { /* wait for each in turn */
		const struct aiocb *l[1] = {&cbs[t][i]};
		CHECK(aio_suspend(l, 1, NULL) == 0);
	}
	for (int i = 0; i < 2; i++)
		CHECK(aio_return(&cbs[t][i]) == 1);
	return NULL;
}

int main(int argc, char **argv)
{
	const char *forbid = argc > 1 && strncmp(argv[1], "forbid=", 7) == 0 ? argv[1] + 7 : "";
	struct aioinit init;
	memset(&init, 0, sizeof(init));
	init.aio_threads = 3;
	aio_init(&init);
	int p[2], probe_pipe[2];
	CHECK(pipe(p) == 0 && pipe(probe_pipe) == 0);
	rd = p[0];
	wr = p[1];
	pthread_t th[3];
	for (int t = 0; t < 3; t++)
		CHECK(pthread_create(&th[t], NULL, submitter, (void *)(intptr_t)t) == 0);
	CHECK(pthread_mutex_lock(&mu) == 0);
	while (submitted < 3)
		CHECK(pthread_cond_wait(&cv, &mu) == 0);
	CHECK(pthread_mutex_unlock(&mu) == 0);

	/* loaded up to aio_threads: the probe's data is there, no worker is */
	CHECK(write(probe_pipe[1], "p", 1) == 1);
	char pc = 0;
	struct aiocb probe;
	memset(&probe, 0, sizeof(probe));
	probe.aio_fildes = probe_pipe[0];
	probe.aio_buf = &pc;
	probe.aio_nbytes = 1;
	CHECK(aio_read(&probe) == 0);
	const struct aiocb *l[1] = {&probe};
	struct timespec ts = {0, 5 * 1000 * 1000};
	CHECK_ERR(aio_suspend(l, 1, &ts), EAGAIN);
	CHECK(aio_error(&probe) == EINPROGRESS);

	CHECK(write(wr, "abcdef", 6) == 6);
	for (int t = 0; t < 3; t++)
		CHECK(pthread_join(th[t], NULL) == 0);
	CHECK(aio_suspend(l, 1, NULL) == 0);
	CHECK(aio_return(&probe) == 1 && pc == 'p');
	/* each byte read once */
	int seen = 0, a_by = -1;
	for (int t = 0; t < 3; t++)
		for (int i = 0; i < 2; i++) {
			int b = got[t][i] - 'a';
			CHECK(b >= 0 && b < 6 && !(seen & (1 << b)));
			seen |= 1 << b;
			if (b == 0)
				a_by = t;
		}
	CHECK(seen == 0x3f);
	CHECK(close(rd) == 0 && close(wr) == 0);
	CHECK(close(probe_pipe[0]) == 0 && close(probe_pipe[1]) == 0);

	static const char *const names[3] = {"a_ta", "a_tb", "a_tc"};
	const char *outcome = names[a_by];
	printf("%s\n", outcome);
	if (!strcmp(forbid, outcome)) {
		printf("outcome %s reached\n", forbid);
		return 1;
	}
	return 0;
}

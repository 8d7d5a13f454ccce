/*
 * SIGEV_THREAD: when the request completes, sigev_notify_function runs on
 * a new thread of the process with sigev_value (here a pointer to the
 * program's state), after the result is in place: aio_error is 0 and
 * aio_return the byte count from inside the function. The same for an
 * aio_fsync and for the whole list of a LIO_NOWAIT lio_listio (its
 * sigevent, once, after every entry ended). A SIGEV_THREAD without a
 * function is EINVAL. POSIX's sigev_notify_attributes is accepted.
 */
#include <aio.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

struct state {
	struct aiocb *cb;
	ssize_t got;
	int err;
	int calls;
	pthread_t caller;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static pthread_t main_thread;

static void done(union sigval v)
{
	struct state *s = v.sival_ptr;
	pthread_mutex_lock(&lock);
	s->err = aio_error(s->cb);
	s->got = aio_return(s->cb);
	s->calls++;
	s->caller = pthread_self();
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
}

static int list_calls;
static int list_value;

static void list_done(union sigval v)
{
	pthread_mutex_lock(&lock);
	list_calls++;
	list_value = v.sival_int;
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
}

static void wait_calls(const int *calls, int n)
{
	pthread_mutex_lock(&lock);
	while (*calls < n)
		pthread_cond_wait(&cond, &lock);
	pthread_mutex_unlock(&lock);
}

int main(void)
{
	main_thread = pthread_self();
	int fd = open("/f", O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0);
	static char buf[300];
	memset(buf, 'x', sizeof(buf));

	struct aiocb cb;
	struct state st = {&cb, 0, -1, 0, 0};
	memset(&cb, 0, sizeof(cb));
	cb.aio_fildes = fd;
	cb.aio_buf = buf;
	cb.aio_nbytes = sizeof(buf);
	cb.aio_sigevent.sigev_notify = SIGEV_THREAD;
	cb.aio_sigevent.sigev_notify_function = done;
	cb.aio_sigevent.sigev_notify_attributes = NULL;
	cb.aio_sigevent.sigev_value.sival_ptr = &st;
	CHECK(aio_write(&cb) == 0);
	wait_calls(&st.calls, 1);
	CHECK(st.err == 0);
	CHECK(st.got == (ssize_t)sizeof(buf));
	CHECK(!pthread_equal(st.caller, main_thread));

	/* aio_fsync notifies the same way */
	st.calls = 0;
	CHECK(aio_fsync(O_SYNC, &cb) == 0);
	wait_calls(&st.calls, 1);
	CHECK(st.err == 0 && st.got == 0);

	/* no function: EINVAL, nothing queued */
	cb.aio_sigevent.sigev_notify_function = NULL;
	CHECK_ERR(aio_write(&cb), EINVAL);

	/* the list's notification */
	struct aiocb a, b;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.aio_fildes = b.aio_fildes = fd;
	a.aio_buf = buf;
	b.aio_buf = buf + 100;
	a.aio_nbytes = b.aio_nbytes = 100;
	b.aio_offset = 100;
	a.aio_lio_opcode = LIO_READ;
	b.aio_lio_opcode = LIO_READ;
	struct aiocb *list[2] = {&a, &b};
	struct sigevent sev;
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_THREAD;
	sev.sigev_notify_function = list_done;
	sev.sigev_value.sival_int = 42;
	CHECK(lio_listio(LIO_NOWAIT, list, 2, &sev) == 0);
	wait_calls(&list_calls, 1);
	CHECK(list_value == 42);
	CHECK(aio_error(&a) == 0 && aio_error(&b) == 0);
	CHECK(aio_return(&a) == 100 && aio_return(&b) == 100);
	usleep(1000);
	CHECK(list_calls == 1);
	CHECK(close(fd) == 0);
	return 0;
}

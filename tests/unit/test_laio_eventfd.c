/* eventfd: counter semantics, flags, blocking and non-blocking reads and
 * writes, poll (POLLERR at overflow), and the kernel signal API. */
#include "laio_test.h"

static int g_efd;

static uint64_t efd_read(int fd, ssize_t *r)
{
	uaddr_t a = vt_ubuf(8);
	*r = simk_read(fd, a, 8);
	uint64_t v = 0;
	if (*r == 8)
		vt_uget(a, &v, 8);
	return v;
}

static ssize_t efd_write(int fd, uint64_t v)
{
	return simk_write(fd, vt_ubytes(&v, 8), 8);
}

static unsigned efd_poll(int fd)
{
	struct file *fp;
	VEQ(fd_get(sim_proc_current(), fd, &fp), 0);
	unsigned m = file_poll(fp, POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM, NULL);
	file_put(fp);
	return m;
}

static void counter_body(void)
{
	VEQ(simk_eventfd(0, 0x40), -EINVAL); /* unknown flag */
	int fd = simk_eventfd(3, EFD_NONBLOCK);
	VCHECK(fd >= 0);
	ssize_t r;
	VEQ(efd_read(fd, &r), 3);
	VEQ(r, 8);
	efd_read(fd, &r);
	VEQ(r, -EAGAIN);
	VEQ(efd_write(fd, 5), 8);
	VEQ(efd_write(fd, 6), 8);
	VEQ(efd_read(fd, &r), 11); /* read returns the sum and resets */
	/* short buffers */
	uaddr_t a = vt_ubuf(8);
	VEQ(simk_read(fd, a, 7), -EINVAL);
	VEQ(simk_write(fd, a, 4), -EINVAL);
	/* the all-ones value is not writable */
	VEQ(efd_write(fd, UINT64_MAX), -EINVAL);
	/* a write that would pass UINT64_MAX - 1: -EAGAIN (non-blocking) */
	VEQ(efd_write(fd, UINT64_MAX - 1), 8);
	VEQ(efd_write(fd, 1), -EAGAIN);
	VEQ(efd_poll(fd), POLLIN | POLLRDNORM); /* full: no POLLOUT */
	VEQ(efd_read(fd, &r), UINT64_MAX - 1);
	VEQ(efd_poll(fd), POLLOUT | POLLWRNORM);
	/* faulting buffers */
	VEQ(simk_write(fd, 0x4000, 8), -EFAULT);
	VEQ(efd_write(fd, 2), 8);
	VEQ(simk_read(fd, 0x4000, 8), -EFAULT); /* the value is consumed anyway */
	efd_read(fd, &r);
	VEQ(r, -EAGAIN);
	VEQ(simk_close(fd), 0);
	/* semaphore mode: one at a time */
	fd = simk_eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC);
	VEQ(efd_read(fd, &r), 1);
	VEQ(efd_read(fd, &r), 1);
	efd_read(fd, &r);
	VEQ(r, -EAGAIN);
	VEQ(fd_getflags(sim_proc_current(), fd), FD_CLOEXEC_FLAG);
	VEQ(simk_close(fd), 0);
}

Test(laio_eventfd, counter_semantics)
{
	lt_run(counter_body);
}

static void signal_body(void)
{
	int fd = simk_eventfd(0, EFD_NONBLOCK);
	struct file *fp;
	VEQ(eventfd_fget(sim_proc_current(), fd, &fp), 0);
	VEQ(eventfd_signal(fp, 5), 5);
	VEQ(eventfd_count(fp), 5);
	/* the kernel side may reach the overflow value: POLLERR */
	VEQ(eventfd_signal(fp, UINT64_MAX), UINT64_MAX - 5);
	VEQ(eventfd_count(fp), UINT64_MAX);
	VEQ(efd_poll(fd), POLLIN | POLLRDNORM | POLLERR);
	VEQ(eventfd_signal(fp, 1), 0);
	ssize_t r;
	VEQ(efd_read(fd, &r), UINT64_MAX);
	VEQ(efd_poll(fd), POLLOUT | POLLWRNORM);
	file_put(fp);
	/* eventfd_fget of other files */
	int fds[2];
	lt_pipe(fds, 0);
	VEQ(eventfd_fget(sim_proc_current(), fds[0], &fp), -EINVAL);
	VEQ(eventfd_fget(sim_proc_current(), 900, &fp), -EBADF);
	VEQ(simk_close(fds[0]), 0);
	VEQ(simk_close(fds[1]), 0);
	VEQ(simk_close(fd), 0);
}

Test(laio_eventfd, kernel_signal_saturates_and_reports_pollerr)
{
	lt_run(signal_body);
}

static void writer_thread(void *arg)
{
	(void)arg;
	vt_sleep(1000000);
	VEQ(efd_write(g_efd, 7), 8);
}

static struct simk_thread *g_main;

static void kill_main(void *arg)
{
	(void)arg;
	vt_sleep(1000000);
	VEQ(sig_kill_thread(g_main, SIMK_SIGUSR1), 0);
}

static void blocking_body(void)
{
	g_efd = simk_eventfd(0, 0);
	/* a blocking read waits for a write */
	struct simk_thread *t = lt_spawn("w", writer_thread, NULL);
	uint64_t t0 = sim_now();
	ssize_t r;
	VEQ(efd_read(g_efd, &r), 7);
	VCHECK(sim_now() >= t0 + 1000000);
	lt_join(t);
	/* a blocking write waits for room */
	VEQ(efd_write(g_efd, UINT64_MAX - 2), 8);
	g_main = sim_thread_current();
	t = lt_spawn("k", kill_main, NULL);
	VEQ(efd_write(g_efd, 5), -EINTR);
	lt_join(t);
	struct siginfo_sim si;
	VEQ(sig_dequeue(&si), SIMK_SIGUSR1);
	t = lt_spawn("k", kill_main, NULL);
	VEQ(efd_read(g_efd, &r), UINT64_MAX - 2); /* not interrupted: data is there */
	lt_join(t);
	VEQ(sig_dequeue(&si), SIMK_SIGUSR1);
	/* an interrupted read */
	t = lt_spawn("k", kill_main, NULL);
	efd_read(g_efd, &r);
	VEQ(r, -EINTR);
	lt_join(t);
	VEQ(sig_dequeue(&si), SIMK_SIGUSR1);
	VEQ(simk_close(g_efd), 0);
}

Test(laio_eventfd, blocking_reads_and_writes_wait_and_take_signals)
{
	lt_run(blocking_body);
}

static unsigned g_heard;

static void listener_fn(struct poll_listener *l, unsigned ev)
{
	(void)l;
	g_heard |= ev;
}

static void listener_body(void)
{
	int fd = simk_eventfd(0, EFD_NONBLOCK);
	struct file *fp;
	VEQ(fd_get(sim_proc_current(), fd, &fp), 0);
	struct poll_head *ph = NULL;
	struct poll_listener l;
	poll_listener_init(&l, listener_fn, NULL, POLLIN);
	VEQ(file_poll(fp, POLLIN, &ph), 0);
	VCHECK(ph != NULL);
	poll_listen(ph, &l);
	g_heard = 0;
	VEQ(efd_write(fd, 1), 8);
	VCHECK(g_heard & POLLIN);
	poll_unlisten(&l);
	file_put(fp);
	VEQ(simk_close(fd), 0);
}

Test(laio_eventfd, readiness_listeners_hear_writes)
{
	lt_run(listener_body);
}

static void eventfd_errors_body(void)
{
	/* allocation failures: -ENOMEM, nothing left behind */
	for (uint64_t k = 1; k <= 3; k++) {
		lt_fault_next("kmem/alloc/enomem", k);
		int fd = simk_eventfd(0, 0);
		lt_fault_off("kmem/alloc/enomem");
		VCHECK(fd == -ENOMEM || fd >= 0);
		if (fd >= 0)
			VEQ(simk_close(fd), 0);
	}
	/* out of descriptors: -EMFILE, the file is released */
	int n = 0;
	for (;;) {
		int fd = simk_eventfd(0, 0);
		if (fd < 0) {
			VEQ(fd, -EMFILE);
			break;
		}
		n++;
		VCHECK(n <= FD_MAX);
	}
	VCHECK(n > FD_MAX - 10);
	/* process exit closes them all; the leak check sees no eventfd */
}

Test(laio_eventfd, allocation_and_descriptor_exhaustion_errors)
{
	lt_run(eventfd_errors_body);
}

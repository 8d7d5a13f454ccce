/* POSIX AIO: notifications — SIGEV_NONE, SIGNAL, THREAD, PORT, KEVENT. */
#include "paio_test.h"

#include "kern/proc.h"
#include "syscalls/kqueue/kq.h"
#include "syscalls/portfs/port.h"

#define SIG (SIMK_SIGRTMIN + 3)

static void t_signal(void *arg)
{
	(void)arg;
	vt_setup();
	VEQ(sig_procmask(SIMK_SIG_BLOCK, 1ULL << (SIG - 1), NULL), 0);
	int fd = vt_open("/f", O_CREAT | O_RDWR, 0644);
	uaddr_t a = pt_cb(fd, vt_ubuf(32), 32, 0);
	uaddr_t b = pt_cb(fd, vt_ubuf(32), 32, 0);
	pt_sigev(a, SIMK_SIGEV_SIGNAL, SIG, 0xabcdef, 0);
	pt_sigev(b, SIMK_SIGEV_SIGNAL, 0, 7, 0); /* signal 0: no signal */
	VEQ(simk_aio_write(a), 0);
	VEQ(simk_aio_write(b), 0);
	VEQ(pt_result(a), 32);
	VEQ(pt_result(b), 32);
	vt_sleep(1000);
	VEQ(sig_procmask(SIMK_SIG_UNBLOCK, 1ULL << (SIG - 1), NULL), 0);
	struct siginfo_sim si;
	VEQ(sig_dequeue(&si), SIG);
	VEQ(si.code, SIMK_SI_ASYNCIO);
	VEQ(si.value, 0xabcdef);
	VEQ(si.sender_pid, sim_proc_current()->pid);
	VEQ(sig_dequeue(&si), 0); /* exactly one */
	VEQ(pt_stats().notes_sent, 1);
	VEQ(simk_close(fd), 0);
}

Test(paio_notify, sigev_signal_queues_the_value_with_si_asyncio)
{
	struct simk *s = pt_sim(1, SIMK_POLICY_FIFO);
	simk_thread_create(simk_proc_create(s, "p"), "main", t_signal, NULL);
	PT_RUN_PASS(s);
	simk_destroy(s);
}

/* A signal notification interrupts a thread waiting in aio_suspend for
 * another request. */
static void t_signal_interrupts(void *arg)
{
	(void)arg;
	vt_setup();
	int pfd[2];
	pt_pipe(pfd);
	int fd = vt_open("/f", O_CREAT | O_RDWR, 0644);
	uaddr_t rd = pt_cb(pfd[0], vt_ubuf(1), 1, 0);
	VEQ(simk_aio_read(rd), 0);
	uaddr_t w = pt_cb(fd, vt_ubuf(8), 8, 0);
	pt_sigev(w, SIMK_SIGEV_SIGNAL, SIG, 1, 0);
	VEQ(simk_aio_write(w), 0);
	uaddr_t l = pt_list(&rd, 1);
	VEQ(simk_aio_suspend(l, 1, 0), -EINTR);
	struct siginfo_sim si;
	VEQ(sig_dequeue(&si), SIG);
	VEQ(simk_aio_suspend(l, 1, pt_timespec(0, 5000)), -EAGAIN);
	VEQ(pt_result(w), 8);
	VEQ(simk_close(pfd[0]), 0);
	VEQ(pt_result(rd), -ECANCELED);
	VEQ(simk_close(pfd[1]), 0);
	VEQ(simk_close(fd), 0);
}

Test(paio_notify, signal_interrupts_aio_suspend)
{
	struct simk *s = pt_sim(1, SIMK_POLICY_FIFO);
	simk_thread_create(simk_proc_create(s, "p"), "main", t_signal_interrupts, NULL);
	PT_RUN_PASS(s);
	simk_destroy(s);
}

static int thread_calls;
static int64_t thread_value;
static int thread_pid;
static void *thread_ctx;

static void on_done(int64_t v, void *ctx)
{
	thread_calls++;
	thread_value = v;
	thread_pid = sim_proc_current()->pid;
	thread_ctx = ctx;
}

static uint64_t fn_handle;

static void t_thread(void *arg)
{
	(void)arg;
	vt_setup();
	int fd = vt_open("/f", O_CREAT | O_RDWR, 0644);
	uaddr_t a = pt_cb(fd, vt_ubuf(32), 32, 0);
	pt_sigev(a, SIMK_SIGEV_THREAD, 0, 4242, fn_handle);
	VEQ(simk_aio_write(a), 0);
	VEQ(pt_result(a), 32);
	for (int i = 0; i < 100 && thread_calls == 0; i++)
		vt_sleep(1000);
	VEQ(thread_calls, 1);
	VEQ(thread_value, 4242);
	VEQ(thread_pid, sim_proc_current()->pid); /* a thread of this process */
	VCHECK(thread_ctx == &thread_calls);
	VEQ(simk_close(fd), 0);
}

Test(paio_notify, sigev_thread_runs_the_function_in_a_new_thread_of_the_process)
{
	struct simk *s = pt_sim(1, SIMK_POLICY_FIFO);
	thread_calls = 0;
	fn_handle = paio_sigev_fn_register(on_done, &thread_calls);
	cr_assert_neq(fn_handle, 0);
	simk_thread_create(simk_proc_create(s, "p"), "main", t_thread, NULL);
	PT_RUN_PASS(s);
	simk_destroy(s);
}

Test(paio_notify, sigev_thread_handle_table_is_bounded)
{
	struct simk *s = pt_sim(1, SIMK_POLICY_FIFO);
	for (int i = 0; i < PAIO_SIGEV_FN_MAX; i++)
		cr_assert_neq(paio_sigev_fn_register(on_done, NULL), 0);
	cr_assert_eq(paio_sigev_fn_register(on_done, NULL), 0);
	cr_assert_eq(paio_sigev_fn_register(NULL, NULL), 0);
	simk_destroy(s);
}

/* ---- event ports --------------------------------------------------------- */

static int child_got;

static void port_child(void *arg)
{
	int port = (int)(intptr_t)arg;
	uaddr_t pe = vt_ubuf(sizeof(port_event_t));
	/* the AIO event is not shareable: the child never gets it */
	child_got = simk_port_get(port, pe, pt_timespec(0, 50 * 1000 * 1000));
}

static void t_port(void *arg)
{
	(void)arg;
	vt_setup();
	int port = simk_port_create();
	VCHECK(port >= 0);
	int fd = vt_open("/f", O_CREAT | O_RDWR, 0644);
	struct simk_aio_port_notify pn = {port, 0, 0x77770000};
	uaddr_t pnu = vt_ubytes(&pn, sizeof(pn));
	uaddr_t a = pt_cb(fd, vt_ubuf(32), 32, 0);
	pt_sigev(a, SIMK_SIGEV_PORT, 0, pnu, 0);
	int child = proc_fork("child", port_child, (void *)(intptr_t)port);
	VCHECK(child > 0);
	VEQ(simk_aio_write(a), 0);
	/* the child waits on the port while the event comes; we take it only
	 * after its wait timed out, so a shareable event would be its */
	vt_sleep(100 * 1000 * 1000);
	uaddr_t pe = vt_ubuf(sizeof(port_event_t));
	VEQ(simk_port_get(port, pe, 0), 0);
	port_event_t ev;
	vt_uget(pe, &ev, sizeof(ev));
	VEQ(ev.portev_source, PORT_SOURCE_AIO);
	VEQ(ev.portev_object, a);
	VEQ(ev.portev_events, PAIO_EV_WRITE);
	VEQ(ev.portev_user, 0x77770000);
	VEQ(simk_aio_error(a), 0); /* the event comes after the request ended */
	VEQ(simk_aio_return(a), 32);
	int st;
	VEQ(proc_wait(child, &st), child);
	VEQ(child_got, -ETIME);
	/* bad port descriptors are refused at submission */
	uaddr_t b = pt_cb(fd, vt_ubuf(32), 32, 0);
	pn.portnfy_port = fd; /* not a port */
	vt_uput(pnu, &pn, sizeof(pn));
	pt_sigev(b, SIMK_SIGEV_PORT, 0, pnu, 0);
	VEQ(simk_aio_write(b), -EBADFD);
	pn.portnfy_port = 200;
	vt_uput(pnu, &pn, sizeof(pn));
	VEQ(simk_aio_write(b), -EBADF);
	VEQ(simk_aio_error(b), EBADF);
	VEQ(simk_close(fd), 0);
	VEQ(simk_close(port), 0);
}

Test(paio_notify, sigev_port_posts_a_non_shareable_port_source_aio_event)
{
	struct simk *s = pt_sim(1, SIMK_POLICY_FIFO);
	simk_thread_create(simk_proc_create(s, "p"), "main", t_port, NULL);
	PT_RUN_PASS(s);
	simk_destroy(s);
}

/* The port is closed before the request completes: the event is
 * dropped, the request still ends once, nothing leaks. */
static void t_port_closed(void *arg)
{
	(void)arg;
	vt_setup();
	int port = simk_port_create();
	int pfd[2];
	pt_pipe(pfd);
	struct simk_aio_port_notify pn = {port, 0, 5};
	uaddr_t a = pt_cb(pfd[0], vt_ubuf(1), 1, 0);
	pt_sigev(a, SIMK_SIGEV_PORT, 0, vt_ubytes(&pn, sizeof(pn)), 0);
	VEQ(simk_aio_read(a), 0);
	vt_sleep(1000);
	VEQ(simk_close(port), 0);
	VEQ(vt_write_str(pfd[1], "k"), 1);
	VEQ(pt_result(a), 1);
	vt_sleep(1000);
	VEQ(pt_stats().notes_dropped, 1);
	VEQ(pt_stats().notes_sent, 0);
	VEQ(simk_close(pfd[0]), 0);
	VEQ(simk_close(pfd[1]), 0);
}

Test(paio_notify, sigev_port_closed_before_completion_drops_the_event)
{
	struct simk *s = pt_sim(1, SIMK_POLICY_FIFO);
	simk_thread_create(simk_proc_create(s, "p"), "main", t_port_closed, NULL);
	PT_RUN_PASS(s);
	simk_destroy(s);
}

/* ---- kqueue ------------------------------------------------------------------ */

static int kq_get(int kq, struct kevent *out, int n, int64_t ns)
{
	uaddr_t evs = vt_ubuf(sizeof(struct kevent) * (size_t)n);
	uaddr_t ts = ns < 0 ? 0 : pt_timespec(ns / 1000000000, ns % 1000000000);
	int r = simk_kevent(kq, 0, 0, evs, n, ts);
	if (r > 0)
		vt_uget(evs, out, sizeof(struct kevent) * (size_t)r);
	return r;
}

static void t_kevent(void *arg)
{
	(void)arg;
	vt_setup();
	int kq = simk_kqueue();
	VCHECK(kq >= 0);
	int fd = vt_open("/f", O_CREAT | O_RDWR, 0644);
	int ro = vt_open("/f", O_RDONLY, 0);
	uaddr_t a = pt_cb(fd, vt_ubuf(32), 32, 0);
	pt_sigev(a, SIMK_SIGEV_KEVENT, kq, 0x1234, 0);
	uaddr_t b = pt_cb(ro, vt_ubuf(32), 32, 4096);
	pt_sigev(b, SIMK_SIGEV_KEVENT, kq, 0x5678, 0);
	VEQ(simk_aio_write(a), 0);
	VEQ(simk_aio_read(b), 0);
	struct kevent ev[4];
	int got = 0;
	for (int i = 0; i < 10 && got < 2; i++) {
		int r = kq_get(kq, ev + got, 4 - got, -1);
		VCHECK(r > 0);
		got += r;
	}
	VEQ(got, 2);
	for (int i = 0; i < 2; i++) {
		VEQ(ev[i].filter, EVFILT_AIO);
		VCHECK(ev[i].flags & EV_EOF);
		if (ev[i].ident == a) {
			VEQ(ev[i].udata, 0x1234);
			VEQ(ev[i].data, 0);
		} else {
			VEQ(ev[i].ident, b);
			VEQ(ev[i].udata, 0x5678);
			VEQ(ev[i].data, 0); /* a read past the end: 0 bytes, no error */
		}
	}
	/* EV_ONESHOT: never a second time */
	VEQ(kq_get(kq, ev, 4, 1000000), 0);
	VEQ(simk_aio_return(a), 32);
	VEQ(simk_aio_return(b), 0);
	/* a bad kqueue descriptor is refused at submission */
	uaddr_t c = pt_cb(fd, vt_ubuf(32), 32, 0);
	pt_sigev(c, SIMK_SIGEV_KEVENT, fd, 0, 0);
	VEQ(simk_aio_write(c), -EBADF);
	VEQ(simk_aio_error(c), EBADF);
	VEQ(simk_close(fd), 0);
	VEQ(simk_close(ro), 0);
	VEQ(simk_close(kq), 0);
}

Test(paio_notify, sigev_kevent_posts_evfilt_aio_once)
{
	struct simk *s = pt_sim(1, SIMK_POLICY_FIFO);
	simk_thread_create(simk_proc_create(s, "p"), "main", t_kevent, NULL);
	PT_RUN_PASS(s);
	simk_destroy(s);
}

/* The error status of a failed request is the kevent's data; a request
 * reaped before its event was taken drops the knote. */
static void t_kevent_error_and_reap(void *arg)
{
	(void)arg;
	vt_setup();
	int kq = simk_kqueue();
	int pfd[2];
	pt_pipe(pfd);
	uaddr_t a = pt_cb(pfd[0], vt_ubuf(1), 1, 0);
	pt_sigev(a, SIMK_SIGEV_KEVENT, kq, 9, 0);
	VEQ(simk_aio_read(a), 0);
	vt_sleep(1000);
	VEQ(simk_aio_cancel(pfd[0], a), AIO_CANCELED);
	vt_sleep(1000);
	struct kevent ev[2];
	VEQ(kq_get(kq, ev, 2, -1), 1);
	VEQ(ev[0].ident, a);
	VEQ(ev[0].data, ECANCELED);
	VEQ(simk_aio_return(a), -ECANCELED);
	uaddr_t b = pt_cb(pfd[0], vt_ubuf(1), 1, 0);
	pt_sigev(b, SIMK_SIGEV_KEVENT, kq, 10, 0);
	VEQ(vt_write_str(pfd[1], "m"), 1);
	VEQ(simk_aio_read(b), 0);
	VEQ(pt_result(b), 1); /* reaped before the event was taken */
	VEQ(kq_get(kq, ev, 2, 1000000), 0);
	VEQ(kqueue_knotes_live(), 0);
	VEQ(simk_close(pfd[0]), 0);
	VEQ(simk_close(pfd[1]), 0);
	VEQ(simk_close(kq), 0);
}

Test(paio_notify, sigev_kevent_carries_the_error_and_dies_with_the_request)
{
	struct simk *s = pt_sim(1, SIMK_POLICY_FIFO);
	simk_thread_create(simk_proc_create(s, "p"), "main", t_kevent_error_and_reap, NULL);
	PT_RUN_PASS(s);
	simk_destroy(s);
}

/* A full port stalls only the notification worker; when the process
 * exits with nobody left to empty the port, the worker is interrupted
 * and the exit completes (the second event is dropped). */
static void t_port_full_exit(void *arg)
{
	(void)arg;
	vt_setup();
	int port = simk_port_create();
	VCHECK(port >= 0);
	int fd = vt_open("/f", O_CREAT | O_RDWR, 0644);
	struct simk_aio_port_notify pn = {port, 0, 1};
	uaddr_t pnu = vt_ubytes(&pn, sizeof(pn));
	uaddr_t a = pt_cb(fd, vt_ubuf(8), 8, 0);
	uaddr_t b = pt_cb(fd, vt_ubuf(8), 8, 8);
	pt_sigev(a, SIMK_SIGEV_PORT, 0, pnu, 0);
	pt_sigev(b, SIMK_SIGEV_PORT, 0, pnu, 0);
	VEQ(simk_aio_write(a), 0);
	VEQ(simk_aio_write(b), 0);
	VEQ(pt_result(a), 8);
	VEQ(pt_result(b), 8); /* the I/O is done although the port is full */
	vt_sleep(1000000);
	VEQ(pt_stats().notes_sent, 1);
	/* exit now: the notification worker sleeps in port_dispatch */
}

Test(paio_notify, exit_with_the_notification_worker_stuck_on_a_full_port)
{
	struct simk *s = pt_sim(1, SIMK_POLICY_FIFO);
	struct port_limits pl;
	port_limits_default(&pl);
	pl.events_max = 1;
	cr_assert_eq(port_limits_set(&pl), 0);
	simk_thread_create(simk_proc_create(s, "p"), "main", t_port_full_exit, NULL);
	PT_RUN_PASS(s);
	struct paio_stats st;
	paio_get_stats(NULL, &st);
	cr_assert_eq(st.notes_sent, 1);
	cr_assert_eq(st.notes_dropped, 1);
	simk_destroy(s);
}

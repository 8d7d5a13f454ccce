/* POSIX AIO: argument checks, duplicates, reuse, limits, allocation faults. */
#include "paio_test.h"
#include "syscalls/posix_aio/paio_priv.h" /* paio_subsys_slot */

#include <limits.h>
#include <stdio.h>

#include "sim/fault.h"

static void t_errors(void *arg)
{
	(void)arg;
	vt_setup();
	int fd = vt_open("/f", O_CREAT | O_RDWR, 0644);
	int ro = vt_open("/f", O_RDONLY, 0);
	int wo = vt_open("/f", O_WRONLY, 0);
	uaddr_t buf = vt_ubuf(4096);
	VEQ(simk_aio_read(0), -EINVAL);
	VEQ(simk_aio_write(0), -EINVAL);
	VEQ(simk_aio_read(0x100), -EFAULT); /* not the process's memory */
	/* bad descriptor: refused at once, and the aiocb says so */
	uaddr_t cb = pt_cb(99, buf, 16, 0);
	VEQ(simk_aio_read(cb), -EBADF);
	VEQ(simk_aio_error(cb), EBADF);
	VEQ(pt_get(cb).aio_state, AIOCB_FAILED);
	VEQ(pt_get(cb).aio_resultp.aio_return, -1);
	VEQ(simk_aio_return(cb), -EBADF); /* once */
	VEQ(simk_aio_return(cb), -EINVAL);
	VEQ(simk_aio_error(cb), -EINVAL);
	cb = pt_cb(-1, buf, 16, 0);
	VEQ(simk_aio_write(cb), -EBADF);
	/* wrong open mode */
	VEQ(simk_aio_write(pt_cb(ro, buf, 16, 0)), -EBADF);
	VEQ(simk_aio_read(pt_cb(wo, buf, 16, 0)), -EBADF);
	/* offsets, priorities, sizes */
	VEQ(simk_aio_read(pt_cb(fd, buf, 16, -1)), -EINVAL);
	cb = pt_cb(fd, buf, 16, 0);
	struct simk_aiocb c = pt_get(cb);
	c.aio_reqprio = -1;
	pt_put(cb, &c);
	VEQ(simk_aio_read(cb), -EINVAL);
	VEQ(simk_aio_error(cb), EINVAL);
	VEQ(simk_aio_read(pt_cb(fd, buf, (uint64_t)SSIZE_MAX + 1, 0)), -EINVAL);
	/* buffers the process does not own */
	VEQ(simk_aio_read(pt_cb(fd, 0x100, 16, 0)), -EFAULT);
	VEQ(simk_aio_write(pt_cb(fd, buf, 8192, 0)), -EFAULT); /* runs off the region */
	cb = pt_cb(fd, 0x100, 0, 0);
	VEQ(simk_aio_read(cb), 0); /* 0 bytes: no buffer needed */
	VEQ(pt_result(cb), 0);
	/* sigevents */
	cb = pt_cb(fd, buf, 16, 0);
	pt_sigev(cb, 99, 0, 0, 0);
	VEQ(simk_aio_read(cb), -EINVAL);
	/* an unknown sigev_notify is found before a bad descriptor (Solaris libc aio.c
	 * checks the sigevent in the call, the descriptor later) */
	c = pt_get(cb);
	c.aio_fildes = 99;
	pt_put(cb, &c);
	VEQ(simk_aio_read(cb), -EINVAL);
	VEQ(simk_aio_error(cb), EINVAL);
	VEQ(simk_aio_fsync(O_SYNC, cb), -EINVAL);
	c.aio_fildes = fd;
	pt_put(cb, &c);
	pt_sigev(cb, SIMK_SIGEV_SIGNAL, 65, 0, 0);
	VEQ(simk_aio_read(cb), -EINVAL);
	pt_sigev(cb, SIMK_SIGEV_SIGNAL, -3, 0, 0);
	VEQ(simk_aio_read(cb), -EINVAL);
	pt_sigev(cb, SIMK_SIGEV_THREAD, 0, 0, 0x1234);
	VEQ(simk_aio_read(cb), -EINVAL); /* not a registered function */
	pt_sigev(cb, SIMK_SIGEV_PORT, 0, 0x100, 0);
	VEQ(simk_aio_read(cb), -EFAULT); /* the port_notify_t */
	VEQ(simk_aio_error(cb), EFAULT);
	/* a priority > 0 is accepted (and does not reorder) */
	cb = pt_cb(fd, buf, 16, 0);
	c = pt_get(cb);
	c.aio_reqprio = 5;
	pt_put(cb, &c);
	VEQ(simk_aio_read(cb), 0);
	VEQ(pt_result(cb), 0); /* empty file */
	/* nothing of the refused ones is in flight; nothing leaked */
	struct paio_stats st = pt_stats();
	VEQ(st.outstanding, 0);
	VEQ(st.requests_live, 0);
	VEQ(simk_close(fd), 0);
	VEQ(simk_close(ro), 0);
	VEQ(simk_close(wo), 0);
}

Test(paio_submit, argument_errors_fail_at_once_and_are_stored_in_the_aiocb)
{
	struct simk *s = pt_sim(1, SIMK_POLICY_FIFO);
	simk_thread_create(simk_proc_create(s, "p"), "main", t_errors, NULL);
	PT_RUN_PASS(s);
	simk_destroy(s);
}

static void t_duplicate(void *arg)
{
	(void)arg;
	vt_setup();
	int pfd[2];
	pt_pipe(pfd);
	uaddr_t cb = pt_cb(pfd[0], vt_ubuf(8), 8, 0);
	VEQ(simk_aio_read(cb), 0);
	vt_sleep(1000);
	/* still in flight: the same aiocb is refused, and left alone */
	VEQ(simk_aio_read(cb), -EINVAL);
	VEQ(simk_aio_write(cb), -EINVAL);
	VEQ(simk_aio_fsync(O_SYNC, cb), -EINVAL);
	VEQ(pt_get(cb).aio_resultp.aio_errno, EINPROGRESS);
	VEQ(simk_aio_error(cb), EINPROGRESS);
	VEQ(simk_aio_return(cb), -EINPROGRESS);
	VEQ(vt_write_str(pfd[1], "abc"), 3);
	VEQ(pt_wait(cb), 0);
	/* ended but not returned: a new submission replaces it */
	VEQ(vt_write_str(pfd[1], "de"), 2);
	VEQ(simk_aio_read(cb), 0);
	VEQ(pt_result(cb), 2);
	VEQ(pt_stats().requests_live, 0);
	VEQ(simk_close(pfd[0]), 0);
	VEQ(simk_close(pfd[1]), 0);
}

Test(paio_submit, aiocb_in_flight_is_refused_and_an_ended_one_is_reused)
{
	struct simk *s = pt_sim(1, SIMK_POLICY_FIFO);
	simk_thread_create(simk_proc_create(s, "p"), "main", t_duplicate, NULL);
	PT_RUN_PASS(s);
	simk_destroy(s);
}

static void t_limit(void *arg)
{
	(void)arg;
	vt_setup();
	int pfd[2];
	pt_pipe(pfd);
	uaddr_t cbs[5];
	for (int i = 0; i < 4; i++) {
		cbs[i] = pt_cb(pfd[0], vt_ubuf(8), 8, 0);
		VEQ(simk_aio_read(cbs[i]), 0);
	}
	cbs[4] = pt_cb(pfd[0], vt_ubuf(8), 8, 0);
	VEQ(simk_aio_read(cbs[4]), -EAGAIN);
	VEQ(simk_aio_error(cbs[4]), EAGAIN);
	VEQ(simk_aio_cancel(pfd[0], cbs[3]), AIO_CANCELED);
	VEQ(simk_aio_read(cbs[4]), 0); /* room again */
	VEQ(simk_close(pfd[0]), 0);    /* cancels the rest */
	for (int i = 0; i < 5; i++)
		VEQ(pt_result(cbs[i]), -ECANCELED);
	VEQ(simk_close(pfd[1]), 0);
}

Test(paio_submit, per_process_limit_gives_eagain)
{
	struct simk *s = pt_sim(1, SIMK_POLICY_FIFO);
	struct paio_config c;
	paio_config_default(&c);
	c.max_requests = 4;
	cr_assert_eq(paio_configure(&c), 0);
	simk_thread_create(simk_proc_create(s, "p"), "main", t_limit, NULL);
	PT_RUN_PASS(s);
	simk_destroy(s);
}

Test(paio_submit, configure_rejects_inconsistent_settings)
{
	struct simk *s = pt_sim(1, SIMK_POLICY_FIFO);
	struct paio_config c;
	paio_config_default(&c);
	cr_assert_eq(c.min_workers, 4);
	cr_assert_eq(c.max_workers, 256);
	cr_assert_eq(c.min_workload, 2);
	c.min_workers = 0;
	cr_assert_eq(paio_configure(&c), -EINVAL);
	paio_config_default(&c);
	c.max_workers = 2;
	cr_assert_eq(paio_configure(&c), -EINVAL); /* below min_workers */
	paio_config_default(&c);
	c.min_workload = 0;
	cr_assert_eq(paio_configure(&c), -EINVAL);
	paio_config_default(&c);
	c.max_requests = 0;
	cr_assert_eq(paio_configure(&c), -EINVAL);
	simk_destroy(s);
}

/* Every allocation of a submission can fail: the call says EAGAIN, and
 * nothing is left behind (the kmem leak check of the run). */
static int enomem_seen;

static void t_enomem(void *arg)
{
	(void)arg;
	vt_setup();
	int fd = vt_open("/f", O_CREAT | O_RDWR, 0644);
	uaddr_t buf = vt_ubuf(512);
	uaddr_t l = vt_ubuf(8 * 4);
	uaddr_t cbs[30];
	for (int i = 0; i < 30; i++) {
		cbs[i] = pt_cb(fd, buf, 512, 512 * (i % 4));
		pt_sigev(cbs[i], SIMK_SIGEV_SIGNAL, SIMK_SIGRTMIN, (uint64_t)i, 0);
	}
	/* the notifications must not interrupt our own waits */
	VEQ(sig_procmask(SIMK_SIG_BLOCK, 1ULL << (SIMK_SIGRTMIN - 1), NULL), 0);
	vt_fault("kmem/alloc/enomem:p=0.3");
	for (int i = 0; i < 30; i++) {
		uaddr_t cb = cbs[i];
		int r = i % 3 == 0   ? simk_aio_write(cb)
			: i % 3 == 1 ? simk_aio_fsync(O_DSYNC, cb)
				     : 0;
		if (i % 3 == 2) {
			struct simk_aiocb c = pt_get(cb);
			c.aio_lio_opcode = LIO_WRITE;
			pt_put(cb, &c);
			uint64_t ents[4] = {cb, 0, 0, 0};
			vt_uput(l, ents, sizeof(ents));
			r = simk_lio_listio(LIO_WAIT, l, 4, 0);
			VCHECK(r == 0 || r == -EIO || r == -EAGAIN);
			if (simk_aio_error(cb) >= 0)
				(void)simk_aio_return(cb);
			continue;
		}
		VCHECK(r == 0 || r == -EAGAIN);
		if (r == -EAGAIN)
			enomem_seen++;
		else
			(void)pt_result(cb);
	}
	vt_fault("kmem/alloc/enomem:off");
	VEQ(sig_procmask(SIMK_SIG_UNBLOCK, 1ULL << (SIMK_SIGRTMIN - 1), NULL), 0);
	struct siginfo_sim si;
	while (sig_dequeue(&si) != 0)
		;
	VEQ(pt_stats().outstanding, 0);
	VEQ(simk_close(fd), 0);
}

Test(paio_submit, allocation_failures_give_eagain_and_leak_nothing)
{
	struct simk *s = pt_sim(3, SIMK_POLICY_FIFO);
	enomem_seen = 0;
	simk_thread_create(simk_proc_create(s, "p"), "main", t_enomem, NULL);
	PT_RUN_PASS(s);
	cr_assert_gt(enomem_seen, 0);
	simk_destroy(s);
}

/* The first request of a process allocates its AIO state; when that
 * allocation fails, aio_read, aio_fsync and lio_listio say EAGAIN (the
 * aiocb of aio_read holds the error too) and a later call succeeds. */
static void fail_next_alloc(uint64_t k)
{
	char spec[64];
	snprintf(spec, sizeof(spec), "kmem/alloc/enomem:nth=%llu",
		 (unsigned long long)(sim_fault_hits("kmem/alloc/enomem") + k));
	vt_fault(spec);
}

static void t_first_alloc(void *arg)
{
	(void)arg;
	vt_setup();
	int fd = vt_open("/f", O_CREAT | O_RDWR, 0644);
	uaddr_t buf = vt_ubuf(512);
	uaddr_t cb = pt_cb(fd, buf, 512, 0);
	VCHECK(sim_proc_current()->subsys[paio_subsys_slot] == NULL);
	fail_next_alloc(1);
	VEQ(simk_aio_read(cb), -EAGAIN);
	vt_fault("kmem/alloc/enomem:off");
	VEQ(simk_aio_error(cb), EAGAIN);
	VCHECK(sim_proc_current()->subsys[paio_subsys_slot] == NULL);
	fail_next_alloc(1);
	VEQ(simk_aio_fsync(O_SYNC, cb), -EAGAIN);
	vt_fault("kmem/alloc/enomem:off");
	pt_opcode(cb, LIO_READ);
	uaddr_t l = pt_list(&cb, 1);
	fail_next_alloc(2); /* the first is the copy of the list */
	VEQ(simk_lio_listio(LIO_WAIT, l, 1, 0), -EAGAIN);
	vt_fault("kmem/alloc/enomem:off");
	VCHECK(sim_proc_current()->subsys[paio_subsys_slot] == NULL);
	/* nothing is left behind: the same aiocb goes through now */
	VEQ(simk_aio_read(cb), 0);
	VEQ(pt_wait(cb), 0);
	VEQ(pt_result(cb), 0);
	VEQ(simk_close(fd), 0);
}

Test(paio_submit, first_allocation_of_the_process_state_fails_with_eagain)
{
	struct simk *s = pt_sim(1, SIMK_POLICY_FIFO);
	simk_thread_create(simk_proc_create(s, "p"), "main", t_first_alloc, NULL);
	PT_RUN_PASS(s);
	simk_destroy(s);
}

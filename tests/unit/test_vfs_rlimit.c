/* RLIMIT_FSIZE (kern/rlimit.h) and how writes meet it, as on Linux: a
 * write crossing the limit is cut at it, one starting at or past it fails
 * with EFBIG and SIGXFSZ; for write, pwrite, writev, O_DIRECT, Linux AIO
 * and POSIX AIO writes. Per process, inherited by fork. */
#include "laio_test.h"
#include "paio_test.h"

#include "kern/rlimit.h"

static struct simk_rlimit get_fsize(void)
{
	uaddr_t u = vt_ubuf(sizeof(struct simk_rlimit));
	VEQ(sys_getrlimit(SIMK_RLIMIT_FSIZE, u), 0);
	struct simk_rlimit r;
	vt_uget(u, &r, sizeof(r));
	return r;
}

static int set_fsize(uint64_t cur, uint64_t max)
{
	struct simk_rlimit r = {cur, max};
	return sys_setrlimit(SIMK_RLIMIT_FSIZE, vt_ubytes(&r, sizeof(r)));
}

static bool xfsz_pending(void)
{
	return sig_pending(sim_thread_current(), SIMK_SIGXFSZ);
}

/* Takes a pending SIGXFSZ (it would interrupt later sleeps). */
static void take_xfsz(void)
{
	struct siginfo_sim si;
	VEQ(sig_dequeue(&si), SIMK_SIGXFSZ);
	VCHECK(!xfsz_pending());
}

static void t_calls(void *arg)
{
	(void)arg;
	struct simk_rlimit r = get_fsize();
	VEQ(r.rlim_cur, SIMK_RLIM_INFINITY);
	VEQ(r.rlim_max, SIMK_RLIM_INFINITY);
	VEQ(set_fsize(1000, 2000), 0);
	r = get_fsize();
	VEQ(r.rlim_cur, 1000);
	VEQ(r.rlim_max, 2000);
	VEQ(set_fsize(2000, 2000), 0);	     /* the soft limit up to the hard one */
	VEQ(set_fsize(100, 3000), -EPERM);   /* the hard limit never goes up */
	VEQ(set_fsize(2001, 2000), -EINVAL); /* soft above hard */
	VEQ(set_fsize(10, 20), 0);	     /* both down */
	VEQ(get_fsize().rlim_max, 20);
	struct simk_rlimit ok = {1, 1};
	VEQ(sys_setrlimit(7, vt_ubytes(&ok, sizeof(ok))),
	    -EINVAL); /* RLIMIT_NOFILE: not modelled */
	VEQ(sys_getrlimit(7, vt_ubuf(16)), -EINVAL);
	VEQ(sys_getrlimit(SIMK_RLIMIT_FSIZE, 0x10), -EFAULT);
	VEQ(sys_setrlimit(SIMK_RLIMIT_FSIZE, 0x10), -EFAULT);
}

Test(vfs_rlimit, getrlimit_and_setrlimit_of_rlimit_fsize)
{
	vt_config_default();
	struct simk *s = vt_sim(1);
	simk_thread_create(simk_proc_create(s, "p"), "main", t_calls, NULL);
	VT_RUN_PASS(s);
	simk_destroy(s);
}

static void t_writes(void *arg)
{
	(void)arg;
	vt_setup();
	VEQ(set_fsize(1000, SIMK_RLIM_INFINITY), 0);
	int fd = vt_open("/f", O_CREAT | O_RDWR, 0644);
	static char big[1500];
	memset(big, 'z', sizeof(big));
	uaddr_t b = vt_ubytes(big, sizeof(big));
	/* crossing: cut at the limit, no signal */
	VEQ(sys_write(fd, b, 1500), 1000);
	VCHECK(!xfsz_pending());
	VEQ(vt_fstat(fd).st_size, 1000);
	/* at the limit: EFBIG and SIGXFSZ */
	VEQ(sys_write(fd, b, 1), -EFBIG);
	take_xfsz();
	VEQ(sys_pwrite(fd, b, 10, 995), 5);
	VEQ(sys_pwrite(fd, b, 10, 1000), -EFBIG);
	take_xfsz();
	VEQ(sys_pwrite(fd, b, 0, 5000), 0); /* nothing to write: no check (Linux) */
	VCHECK(!xfsz_pending());
	/* writev: the vectors are cut too */
	struct simk_iovec iov[2] = {{b, 600}, {b + 600, 600}};
	VEQ(sys_lseek(fd, 200, SEEK_SET), 200);
	VEQ(sys_writev(fd, vt_ubytes(iov, sizeof(iov)), 2), 800);
	VEQ(sys_writev(fd, vt_ubytes(iov, sizeof(iov)), 2), -EFBIG);
	take_xfsz();
	/* O_APPEND appends at the end, which is the limit */
	int ap = vt_open("/f", O_WRONLY | O_APPEND, 0);
	VEQ(sys_write(ap, b, 1), -EFBIG);
	take_xfsz();
	/* a bigger limit lets the file grow again; other files obey it too */
	VEQ(set_fsize(1200, SIMK_RLIM_INFINITY), 0);
	VEQ(sys_write(ap, b, 500), 200);
	VEQ(vt_fstat(fd).st_size, 1200);
	VEQ(sys_close(ap), 0);
	VEQ(sys_close(fd), 0);
}

Test(vfs_rlimit, writes_are_cut_at_the_limit_then_efbig_and_sigxfsz)
{
	vt_config_default();
	struct simk *s = vt_sim(1);
	simk_thread_create(simk_proc_create(s, "p"), "main", t_writes, NULL);
	VT_RUN_PASS(s);
	simk_destroy(s);
}

static void t_direct(void *arg)
{
	(void)arg;
	vt_setup();
	int fd = vt_open("/d", O_CREAT | O_RDWR | O_DIRECT, 0644);
	uaddr_t b = vt_ubuf(4096); /* page-aligned: fit for O_DIRECT */
	VEQ(set_fsize(1024, SIMK_RLIM_INFINITY), 0);
	VEQ(sys_pwrite(fd, b, 2048, 0), 1024);
	VCHECK(!xfsz_pending());
	VEQ(sys_pwrite(fd, b, 512, 1024), -EFBIG);
	take_xfsz();
	/* a cut that would leave a partial sector: misaligned, EINVAL */
	VEQ(set_fsize(1000, SIMK_RLIM_INFINITY), 0);
	VEQ(sys_pwrite(fd, b, 1024, 512), -EINVAL);
	VCHECK(!xfsz_pending());
	VEQ(sys_close(fd), 0);
}

Test(vfs_rlimit, direct_writes_obey_the_limit)
{
	vt_config_default();
	struct simk *s = vt_sim(1);
	simk_thread_create(simk_proc_create(s, "p"), "main", t_direct, NULL);
	VT_RUN_PASS(s);
	simk_destroy(s);
}

static uint64_t child_cur, child_max;
static ssize_t child_write;

static void child(void *arg)
{
	(void)arg;
	struct simk_rlimit r = get_fsize();
	child_cur = r.rlim_cur;
	child_max = r.rlim_max;
	VEQ(set_fsize(10, 10), 0); /* its own from now on */
	int fd = vt_open("/c", O_CREAT | O_RDWR, 0644);
	child_write = sys_write(fd, vt_ubuf(100), 100);
	VEQ(sys_close(fd), 0);
}

static void t_fork(void *arg)
{
	(void)arg;
	vt_setup();
	VEQ(set_fsize(300, 400), 0);
	int pid = proc_fork("child", child, NULL);
	VCHECK(pid > 0);
	VEQ(proc_wait(pid, NULL), pid);
	VEQ(child_cur, 300);
	VEQ(child_max, 400);
	VEQ(child_write, 10);
	struct simk_rlimit r = get_fsize();
	VEQ(r.rlim_cur, 300); /* the child's change stayed in the child */
	VEQ(r.rlim_max, 400);
}

Test(vfs_rlimit, fork_inherits_the_limits)
{
	vt_config_default();
	struct simk *s = vt_sim(1);
	simk_thread_create(simk_proc_create(s, "p"), "main", t_fork, NULL);
	VT_RUN_PASS(s);
	simk_destroy(s);
}

/* Linux AIO: the write crossing the limit completes with the bytes that
 * fit; the reference's retry of the rest meets the limit, so SIGXFSZ is
 * sent then too. One at the limit completes with -EFBIG. */
static void laio_body(void)
{
	VEQ(set_fsize(1000, SIMK_RLIM_INFINITY), 0);
	aio_context_t ctx = lt_setup(4);
	int fd = vt_open("/a", O_CREAT | O_RDWR, 0644);
	uaddr_t b = vt_ubuf(1500);
	struct io_event ev[2];
	VEQ(lt_submit1(ctx, lt_iocb(IOCB_CMD_PWRITE, fd, b, 1500, 0, 1)), 1);
	VEQ(lt_getevents(ctx, 1, 2, ev, -1), 1);
	VEQ(ev[0].res, 1000);
	take_xfsz();
	VEQ(lt_submit1(ctx, lt_iocb(IOCB_CMD_PWRITE, fd, b, 10, 1000, 2)), 1);
	VEQ(lt_getevents(ctx, 1, 2, ev, -1), 1);
	VEQ(ev[0].res, -EFBIG);
	take_xfsz();
	VEQ(sys_close(fd), 0);
	VEQ(lt_destroy(ctx), 0);
}

Test(vfs_rlimit, linux_aio_writes_obey_the_limit)
{
	lt_run(laio_body);
}

/* POSIX AIO: one pwrite per request on a worker (a kernel thread): the
 * signal goes to the process. */
static void t_paio(void *arg)
{
	(void)arg;
	vt_setup();
	VEQ(set_fsize(1000, SIMK_RLIM_INFINITY), 0);
	int fd = vt_open("/p", O_CREAT | O_RDWR, 0644);
	uaddr_t cb = pt_cb(fd, vt_ubuf(1500), 1500, 0);
	VEQ(sys_aio_write(cb), 0);
	VEQ(pt_result(cb), 1000);
	VCHECK(!xfsz_pending());
	cb = pt_cb(fd, vt_ubuf(10), 10, 1000);
	VEQ(sys_aio_write(cb), 0);
	VEQ(pt_result(cb), -EFBIG);
	VCHECK(xfsz_pending()); /* on the process: a worker wrote */
	take_xfsz();
	VEQ(sys_close(fd), 0);
}

Test(vfs_rlimit, posix_aio_writes_obey_the_limit)
{
	struct simk *s = pt_sim(1, SIMK_POLICY_FIFO);
	simk_thread_create(simk_proc_create(s, "p"), "main", t_paio, NULL);
	PT_RUN_PASS(s);
	simk_destroy(s);
}

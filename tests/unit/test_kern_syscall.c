/*
 * The system-call boundary (kern/syscall.c): every system call of every
 * subsystem, made from C through its simk_ stub, is exactly one traced
 * entry, one traced exit and one switch point on each side; calls from
 * outside a simulated thread fail the run naming the call; a stub called
 * inside another call is a kernel bug; a pending SIGKILL ends a thread
 * when it returns from a call.
 *
 * Switch points are counted as decisions, which the scheduler records only
 * when it has a choice: a spinner thread stays runnable so that every
 * switch point of the thread under test is a choice.
 */
#include "syscalls/builtin.h"
#include "kern/syscall.h"
#include "laio_test.h"
#include "paio_test.h"
#include "syscalls/kqueue/kq.h"
#include "syscalls/portfs/port.h"
#include "syscalls/posix_aio/paio.h"
#include "syscalls/ptimer/ptimer.h"
#include "vfs/socket.h"

#include <criterion/redirect.h> /* after criterion.h (vfs_test.h) */

/* ---- one call, one entry, one exit ------------------------------------ */

static bool g_done;
static bool *g_seen; /* by registry index: the call was checked */

/* Always runnable; moves the clock a little each round so that device
 * completions and timeouts still come due. */
static void spinner(void *arg)
{
	(void)arg;
	while (!g_done) {
		sim_advance(1000);
		sim_yield();
	}
}

static int registry_index(const struct syscall_desc *d)
{
	for (int i = 0; i < syscall_count(); i++)
		if (syscall_at(i) == d)
			return i;
	return -1;
}

struct call_events {
	int enter, exit, other; /* entry / exit events of the call; of other calls */
	int points_enter, points_exit;
};

/* The calling thread's events from index from of the kept trace. */
static struct call_events count_events(int tid, const struct syscall_desc *d, size_t from)
{
	const struct trace *tr = &sim_cur()->trace;
	struct call_events c = {0};
	for (size_t i = from; i < tr->len; i++) {
		const struct trace_ev *e = &tr->evs[i];
		if (e->tid != tid)
			continue;
		if (e->type == TR_SYSCALL_ENTER || e->type == TR_SYSCALL_EXIT) {
			if (e->desc != d)
				c.other++;
			else if (e->type == TR_SYSCALL_ENTER)
				c.enter++;
			else
				c.exit++;
		}
		if (e->type == TR_DECISION && e->a[2] == PT_SYSCALL_ENTER)
			c.points_enter++;
		if (e->type == TR_DECISION && e->a[2] == PT_SYSCALL_EXIT)
			c.points_exit++;
	}
	return c;
}

static void check_one(const char *name, size_t from, int line)
{
	const struct syscall_desc *d = syscall_find(name);
	if (d == NULL)
		sim_fail(SIMK_FAIL_EXPECT, "line %d: no system call named %s", line, name);
	struct call_events c = count_events(sim_thread_current()->tid, d, from);
	if (c.enter != 1 || c.exit != 1 || c.other != 0 || c.points_enter != 1 ||
	    c.points_exit != 1)
		sim_fail(SIMK_FAIL_EXPECT,
			 "line %d: simk_%s: %d entries, %d exits, %d events of other calls, "
			 "%d entry and %d exit switch points (want 1, 1, 0, 1, 1)",
			 line, name, c.enter, c.exit, c.other, c.points_enter, c.points_exit);
	g_seen[registry_index(d)] = true;
}

/* Makes the call (any result) and checks its events. */
#define ONE(name, call)                                                                            \
	do {                                                                                       \
		size_t one_from_ = sim_cur()->trace.len;                                           \
		(void)(call);                                                                      \
		check_one(name, one_from_, __LINE__);                                              \
	} while (0)

static void child_body(void *arg)
{
	(void)arg;
}

static uaddr_t zero_timeout(void)
{
	struct simk_timespec ts = {0, 0};
	return vt_ubytes(&ts, sizeof(ts));
}

static void calls_vfs(void)
{
	uaddr_t path = vt_ustr("/f"), path2 = vt_ustr("/g"), path3 = vt_ustr("/h");
	uaddr_t link = vt_ustr("/l"), dir = vt_ustr("/d");
	uaddr_t buf = vt_ubuf(4096), st = vt_ubuf(sizeof(struct simk_stat)), word = vt_ubuf(8);
	int fd = -1;
	ONE("open", fd = simk_open(path, O_CREAT | O_RDWR, 0644));
	VCHECK(fd >= 0);
	int fd_at = -1;
	ONE("openat", fd_at = simk_openat(SIMK_AT_FDCWD, path, O_RDONLY, 0));
	VCHECK(fd_at >= 0);
	simk_close(fd_at);
	ONE("write", simk_write(fd, buf, 10));
	ONE("read", simk_read(fd, buf, 10));
	ONE("pwrite", simk_pwrite(fd, buf, 10, 100));
	ONE("pread", simk_pread(fd, buf, 10, 100));
	struct simk_iovec iov = {buf, 4};
	uaddr_t uiov = vt_ubytes(&iov, sizeof(iov));
	ONE("writev", simk_writev(fd, uiov, 1));
	ONE("readv", simk_readv(fd, uiov, 1));
	ONE("lseek", simk_lseek(fd, 0, SIMK_SEEK_SET));
	ONE("fsync", simk_fsync(fd));
	ONE("fdatasync", simk_fdatasync(fd));
	ONE("ftruncate", simk_ftruncate(fd, 5));
	ONE("fstat", simk_fstat(fd, st));
	ONE("fchmod", simk_fchmod(fd, 0600));
	ONE("dup", simk_dup(fd));
	ONE("dup2", simk_dup2(fd, 20));
	ONE("fcntl", simk_fcntl(fd, SIMK_F_GETFL, 0));
	ONE("ioctl", simk_ioctl(fd, SIMK_FIONREAD, word));
	ONE("link", simk_link(path, path2));
	ONE("rename", simk_rename(path2, path3));
	ONE("stat", simk_stat(path3, st));
	ONE("lstat", simk_lstat(path3, st));
	ONE("symlink", simk_symlink(path, link));
	ONE("readlink", simk_readlink(link, buf, 100));
	ONE("chmod", simk_chmod(path, 0644));
	ONE("unlink", simk_unlink(path3));
	ONE("mkdir", simk_mkdir(dir, 0755));
	ONE("rmdir", simk_rmdir(dir));
	uaddr_t fds = vt_ubuf(2 * sizeof(int));
	ONE("pipe", simk_pipe(fds));
	ONE("pipe2", simk_pipe2(fds, O_NONBLOCK));
	struct pollfd pfd = {fd, POLLIN, 0};
	ONE("poll", simk_poll(vt_ubytes(&pfd, sizeof(pfd)), 1, 0));
	int sv[2] = {-1, -1};
	uaddr_t usv = vt_ubuf(sizeof(sv));
	ONE("socketpair", simk_socketpair(SIMK_AF_UNIX, SIMK_SOCK_STREAM, 0, usv));
	vt_uget(usv, sv, sizeof(sv));
	ONE("send", simk_send(sv[0], buf, 3, 0));
	ONE("recv", simk_recv(sv[1], buf, 3, 0));
	ONE("shutdown", simk_shutdown(sv[0], SIMK_SHUT_RDWR));
	ONE("close", simk_close(fd));
	ONE("eventfd", simk_eventfd(0, 0));
}

static void calls_laio(void)
{
	uaddr_t ctxp = vt_ubuf(sizeof(aio_context_t)), evs = vt_ubuf(sizeof(struct io_event));
	ONE("io_setup", simk_io_setup(8, ctxp));
	aio_context_t ctx;
	vt_uget(ctxp, &ctx, sizeof(ctx));
	ONE("io_submit", simk_io_submit(ctx, 0, 0));
	ONE("io_getevents", simk_io_getevents(ctx, 0, 1, evs, zero_timeout()));
	ONE("io_cancel", simk_io_cancel(ctx, vt_ubuf(sizeof(struct iocb)), evs));
	ONE("io_destroy", simk_io_destroy(ctx));
}

static void calls_port(void)
{
	int port = -1;
	ONE("port_create", port = simk_port_create());
	uaddr_t fds = vt_ubuf(2 * sizeof(int));
	VEQ(simk_pipe(fds), 0);
	int pfd[2];
	vt_uget(fds, pfd, sizeof(pfd));
	ONE("port_associate",
	    simk_port_associate(port, PORT_SOURCE_FD, (uint64_t)pfd[0], POLLIN, 7));
	ONE("port_dissociate", simk_port_dissociate(port, PORT_SOURCE_FD, (uint64_t)pfd[0]));
	ONE("port_send", simk_port_send(port, 1, 8));
	int errs = 0;
	ONE("port_sendn", simk_port_sendn(vt_ubytes(&port, sizeof(port)),
					  vt_ubytes(&errs, sizeof(errs)), 1, 2, 9));
	ONE("port_alert", simk_port_alert(port, 0, 0, 0));
	uaddr_t pe = vt_ubuf(sizeof(port_event_t)), nget = vt_ubuf(sizeof(unsigned));
	ONE("port_get", simk_port_get(port, pe, zero_timeout()));
	ONE("port_getn", simk_port_getn(port, pe, 1, nget, zero_timeout()));
}

static void calls_ptimer(void)
{
	uaddr_t uid = vt_ubuf(sizeof(int32_t));
	ONE("timer_create", simk_timer_create(SIMK_CLOCK_MONOTONIC, 0, uid));
	int32_t id;
	vt_uget(uid, &id, sizeof(id));
	struct simk_itimerspec its;
	memset(&its, 0, sizeof(its));
	uaddr_t uits = vt_ubytes(&its, sizeof(its));
	ONE("timer_settime", simk_timer_settime(id, 0, uits, 0));
	ONE("timer_gettime", simk_timer_gettime(id, uits));
	ONE("timer_getoverrun", simk_timer_getoverrun(id));
	ONE("timer_delete", simk_timer_delete(id));
}

static void calls_kq(void)
{
	int kq = -1;
	ONE("kqueue", kq = simk_kqueue());
	uaddr_t evs = vt_ubuf(sizeof(struct kevent));
	ONE("kevent", simk_kevent(kq, 0, 0, evs, 1, zero_timeout()));
}

static void calls_paio(void)
{
	int fd = vt_open("/a", O_CREAT | O_RDWR, 0644);
	VCHECK(fd >= 0);
	uaddr_t buf = vt_ubuf(4096);
	uaddr_t cb = pt_cb(fd, buf, 16, 0), cb2 = pt_cb(fd, buf, 16, 0),
		cb3 = pt_cb(fd, buf, 16, 0);
	ONE("aio_write", simk_aio_write(cb));
	ONE("aio_read", simk_aio_read(cb2));
	ONE("aio_fsync", simk_aio_fsync(O_SYNC, cb3));
	uaddr_t list = vt_ubytes(&cb, sizeof(cb));
	ONE("aio_suspend", simk_aio_suspend(list, 1, zero_timeout()));
	ONE("aio_error", simk_aio_error(cb));
	ONE("aio_return", simk_aio_return(cb));
	ONE("aio_cancel", simk_aio_cancel(fd, 0));
	ONE("lio_listio", simk_lio_listio(LIO_NOWAIT, list, 0, 0));
	uint32_t nwait = 1;
	ONE("aio_waitn",
	    simk_aio_waitn(vt_ubuf(8 * 4), 4, vt_ubytes(&nwait, sizeof(nwait)), zero_timeout()));
	uaddr_t res = vt_ubuf(sizeof(struct simk_aio_result));
	uaddr_t res2 = vt_ubuf(sizeof(struct simk_aio_result));
	ONE("aiowrite", simk_aiowrite(fd, buf, 4, 0, SIMK_SEEK_SET, res));
	ONE("aioread", simk_aioread(fd, buf, 4, 0, SIMK_SEEK_SET, res2));
	ONE("aiocancel", simk_aiocancel(res2));
	struct simk_timeval tv = {0, 0};
	ONE("aiowait", simk_aiowait(vt_ubytes(&tv, sizeof(tv))));
	/* the rest finish before the run ends */
	struct simk_timespec forever_ish = {1, 0};
	(void)simk_aio_suspend(vt_ubytes(&cb2, sizeof(cb2)), 1,
			       vt_ubytes(&forever_ish, sizeof(forever_ish)));
}

static void calls_kern(void)
{
	ONE("getpid", simk_getpid());
	ONE("getppid", simk_getppid());
	ONE("gettid", simk_gettid());
	ONE("fork", simk_fork("child", child_body, NULL));
	uaddr_t status = vt_ubuf(sizeof(int));
	ONE("waitpid", simk_waitpid(-1, status, 0));
	ONE("kill", simk_kill(sim_proc_current()->pid, 0));
	ONE("tkill", simk_tkill(sim_thread_current()->tid, 0));
	uint64_t set = 1ULL << (SIMK_SIGUSR1 - 1);
	uaddr_t uset = vt_ubytes(&set, sizeof(set)), uold = vt_ubuf(sizeof(set));
	ONE("sigprocmask", simk_sigprocmask(SIMK_SIG_BLOCK, uset, uold));
	ONE("sigpending", simk_sigpending(uold));
	struct simk_timespec req = {0, 1000};
	ONE("nanosleep", simk_nanosleep(vt_ubytes(&req, sizeof(req)), 0));
	uaddr_t ulim = vt_ubuf(sizeof(struct simk_rlimit));
	ONE("getrlimit", simk_getrlimit(SIMK_RLIMIT_FSIZE, ulim));
	ONE("setrlimit", simk_setrlimit(SIMK_RLIMIT_FSIZE, ulim));
	uaddr_t ts = vt_ubuf(sizeof(struct simk_timespec));
	ONE("clock_gettime", simk_clock_gettime(SIMK_CLOCK_MONOTONIC, ts));
	ONE("clock_getres", simk_clock_getres(SIMK_CLOCK_REALTIME, ts));
}

static void t_every_call(void *arg)
{
	(void)arg;
	vt_setup();
	calls_kern();
	calls_vfs();
	calls_laio();
	calls_port();
	calls_ptimer();
	calls_kq();
	calls_paio();
	g_done = true;
}

static void t_thread_exit(void *arg)
{
	(void)arg;
	simk_thread_exit(3);
}

static void t_exit(void *arg)
{
	(void)arg;
	simk_exit(4);
}

/* Every event of thread tid: a call that never returns enters once. */
static void check_noreturn(struct simk *s, int tid, const char *name)
{
	const struct syscall_desc *d = syscall_find(name);
	cr_assert_not_null(d);
	struct call_events c = count_events(tid, d, 0);
	cr_assert_eq(c.enter, 1, "%s: %d entries", name, c.enter);
	cr_assert_eq(c.exit, 0, "%s: an exit event for a call that does not return", name);
	cr_assert_eq(c.other, 0, "%s: other calls", name);
	cr_assert_eq(c.points_enter, 1, "%s: %d entry switch points", name, c.points_enter);
	cr_assert_eq(c.points_exit, 0);
	g_seen[registry_index(d)] = true;
	(void)s;
}

Test(kern_syscall, every_system_call_is_one_entry_one_exit_and_one_switch_point_each)
{
	simk_register_builtin();
	int n = syscall_count();
	cr_assert_gt(n, 80, "the registry holds every subsystem's calls (%d)", n);
	g_seen = calloc((size_t)n, sizeof(*g_seen));
	g_done = false;
	vt_config_default();
	struct simk_opts o;
	simk_opts_default(&o);
	o.keep_trace = true;
	o.stack_size = 128 * 1024;
	struct simk *s = simk_create(&o, NULL, 0);
	cr_assert_not_null(s);
	struct simk_proc *p = simk_proc_create(s, "p");
	simk_thread_create(p, "caller", t_every_call, NULL);
	simk_thread_create(p, "spinner", spinner, NULL);
	int te = simk_thread_id(simk_thread_create(p, "texit", t_thread_exit, NULL));
	int pe =
	    simk_thread_id(simk_thread_create(simk_proc_create(s, "q"), "pexit", t_exit, NULL));
	VT_RUN_PASS(s);
	check_noreturn(s, te, "thread_exit");
	check_noreturn(s, pe, "exit");
	for (int i = 0; i < n; i++)
		cr_expect(g_seen[i], "simk_%s (%s) is not covered by this test",
			  syscall_at(i)->name, syscall_at(i)->subsys);
	free(g_seen);
	simk_destroy(s);
}

Test(kern_syscall, descriptors_are_well_formed)
{
	simk_register_builtin();
	for (int i = 0; i < syscall_count(); i++) {
		const struct syscall_desc *d = syscall_at(i);
		cr_assert_leq(d->nargs, SYSCALL_ARGS_MAX, "%s", d->name);
		for (int k = 0; k < SYSCALL_ARGS_MAX; k++)
			cr_assert((k < d->nargs) == (d->arg[k] != SA_NONE),
				  "%s: argument %d of %d has kind %d", d->name, k, d->nargs,
				  d->arg[k]);
		cr_assert_not_null(d->subsys, "%s", d->name);
		cr_assert_eq(syscall_find(d->name), d, "%s is registered once", d->name);
	}
}

/* ---- where a call may come from ---------------------------------------- */

Test(kern_syscall, without_a_simulation_is_eperm_with_a_message, .init = cr_redirect_stderr)
{
	cr_assert_null(simk_current());
	cr_assert_eq(simk_getpid(), -EPERM);
	fflush(stderr);
	cr_assert_stderr_eq_str(
	    "simk: simk_getpid() called with no simulation (create one first)\n");
}

Test(kern_syscall, from_the_host_before_the_run_fails_the_run_naming_the_call)
{
	struct simk_opts o;
	simk_opts_default(&o);
	struct simk *s = simk_create(&o, NULL, 0);
	cr_assert_not_null(s);
	struct simk_proc *p = simk_proc_create(s, "p");
	simk_thread_create(p, "t", child_body, NULL);
	cr_assert_eq(simk_close(0), -EPERM);
	cr_assert_eq(simk_run(s), SIMK_FAIL_PANIC);
	cr_assert_str_eq(
	    simk_failure_reason(s),
	    "simk_close() called outside a simulated thread (host context, before the run)");
	simk_destroy(s);
}

static struct sim_event g_irq_ev;

static void irq_calls(struct sim_event *ev)
{
	(void)ev;
	(void)simk_close(0);
	sim_fail(SIMK_FAIL_EXPECT, "simk_close returned in interrupt context");
}

static void t_arm_irq(void *arg)
{
	(void)arg;
	event_init(&g_irq_ev, "test-irq", irq_calls, NULL);
	event_schedule_in(&g_irq_ev, 1000);
	simk_sleep_ns(5000);
}

Test(kern_syscall, from_an_interrupt_handler_fails_the_run_naming_the_call)
{
	struct simk_opts o;
	simk_opts_default(&o);
	struct simk *s = simk_create(&o, NULL, 0);
	simk_thread_create(simk_proc_create(s, "p"), "t", t_arm_irq, NULL);
	cr_assert_eq(simk_run(s), SIMK_FAIL_PANIC);
	cr_assert_str_eq(simk_failure_reason(s),
			 "simk_close() called outside a simulated thread (interrupt context)");
	simk_destroy(s);
}

/* ---- the kernel side's rules ------------------------------------------- */

static int64_t h_calls_a_stub(const int64_t *a)
{
	(void)a;
	return simk_getpid(); /* kernel code must call the handler */
}

static const struct syscall_desc desc_outer = {
    .name = "outer", .subsys = "test", .fn = h_calls_a_stub, .nargs = 0, .res = SA_INT};

static void t_nested(void *arg)
{
	(void)arg;
	(void)syscall_invoke(&desc_outer, NULL);
}

static struct simk *run_one_thread(simk_thread_fn fn)
{
	struct simk_opts o;
	simk_opts_default(&o);
	struct simk *s = simk_create(&o, NULL, 0);
	cr_assert_not_null(s);
	simk_thread_create(simk_proc_create(s, "p"), "t", fn, NULL);
	(void)simk_run(s);
	return s;
}

Test(kern_syscall, a_stub_called_inside_a_system_call_is_a_kernel_bug_naming_both)
{
	struct simk *s = run_one_thread(t_nested);
	cr_assert_eq(s->outcome, SIMK_FAIL_PANIC);
	cr_assert(strstr(simk_failure_reason(s),
			 "simk_getpid() called inside outer() by thread t") != NULL,
		  "%s", simk_failure_reason(s));
	simk_destroy(s);
}

static int64_t h_bad_result(const int64_t *a)
{
	return a[0];
}

static const struct syscall_desc desc_bad = {
    .name = "bad", .subsys = "test", .fn = h_bad_result, .nargs = 1, .arg = {SA_INT}};

static void t_bad_result(void *arg)
{
	(void)arg;
	const int64_t ok[] = {-4095}, bad[] = {-4096};
	VEQ(syscall_invoke(&desc_bad, ok), -4095);
	(void)syscall_invoke(&desc_bad, bad);
}

Test(kern_syscall, a_result_that_is_neither_a_value_nor_an_errno_is_a_kernel_bug)
{
	struct simk *s = run_one_thread(t_bad_result);
	cr_assert_eq(s->outcome, SIMK_FAIL_PANIC);
	cr_assert(strstr(simk_failure_reason(s), "bad() returned -4096") != NULL, "%s",
		  simk_failure_reason(s));
	simk_destroy(s);
}

/* ---- return to user mode ------------------------------------------------ */

static int g_looped;

/* Never sleeps, never returns on its own: only the return from a system
 * call, with SIGKILL pending, can end it. It yields so that the exiting
 * thread runs under fifo. */
static void t_busy_caller(void *arg)
{
	(void)arg;
	for (;;) {
		(void)simk_getpid();
		g_looped++;
		simk_yield();
	}
}

static void t_exiter(void *arg)
{
	(void)arg;
	simk_exit(7);
}

Test(kern_syscall, sigkill_ends_a_thread_returning_from_a_c_system_call)
{
	g_looped = 0;
	struct simk_opts o;
	simk_opts_default(&o);
	o.keep_trace = true;
	struct simk *s = simk_create(&o, NULL, 0);
	struct simk_proc *p = simk_proc_create(s, "p");
	int busy = simk_thread_id(simk_thread_create(p, "busy", t_busy_caller, NULL));
	simk_thread_create(p, "exiter", t_exiter, NULL);
	VT_RUN_PASS(s);
	cr_assert_gt(g_looped, 0, "the busy thread ran before the exit");
	int exits = 0;
	for (size_t i = 0; i < s->trace.len; i++) {
		const struct trace_ev *e = &s->trace.evs[i];
		if (e->type == TR_THREAD_EXIT && e->tid == busy) {
			exits++;
			cr_assert_eq(e->a[0], 128 + SIMK_SIGKILL, "killed, not returned");
			/* its last system-call event: the exit of a getpid */
			size_t k = i;
			while (k > 0 && (s->trace.evs[k - 1].tid != busy ||
					 (s->trace.evs[k - 1].type != TR_SYSCALL_ENTER &&
					  s->trace.evs[k - 1].type != TR_SYSCALL_EXIT)))
				k--;
			cr_assert_gt(k, 0);
			cr_assert_eq(s->trace.evs[k - 1].type, TR_SYSCALL_EXIT);
			cr_assert_str_eq(s->trace.evs[k - 1].name, "getpid");
		}
	}
	cr_assert_eq(exits, 1);
	simk_destroy(s);
}

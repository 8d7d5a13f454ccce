/* POSIX AIO: orders and fields POSIX fixes and LTP's open_posix_testsuite
 * checks: aio_writes on an O_APPEND descriptor append in the order of the
 * calls; aio_fsync reads only aio_fildes and aio_sigevent; a lio_listio
 * list notification comes after every entry's own. */
#include "paio_test.h"

#include "syscalls/kqueue/kq.h"
#include "syscalls/portfs/port.h"

#define APPENDS 8
#define CHUNK 512

/* Eight aio_writes of CHUNK bytes, each filled with its own letter, on
 * an O_APPEND descriptor (flags: O_DIRECT too or not), spread over the
 * workers; the file must hold them in the order of the calls. */
static void t_append_order(void *arg)
{
	int extra = (int)(intptr_t)arg;
	vt_setup();
	int fd = vt_open("/log", O_CREAT | O_WRONLY | O_APPEND | extra, 0644);
	uaddr_t cbs[APPENDS];
	for (int i = 0; i < APPENDS; i++) {
		uint8_t b[CHUNK];
		memset(b, 'A' + i, sizeof(b));
		/* the offset is ignored with O_APPEND: give each one 0 */
		cbs[i] = pt_cb(fd, vt_ubytes(b, sizeof(b)), CHUNK, 0);
		VEQ(sys_aio_write(cbs[i]), 0);
	}
	for (int i = 0; i < APPENDS; i++)
		VEQ(pt_result(cbs[i]), CHUNK);
	int rd = vt_open("/log", O_RDONLY, 0);
	uint8_t got[APPENDS * CHUNK];
	VEQ(vt_pread(rd, got, sizeof(got), 0), (ssize_t)sizeof(got));
	for (int i = 0; i < APPENDS; i++)
		for (int k = 0; k < CHUNK; k++)
			if (got[i * CHUNK + k] != 'A' + i)
				sim_fail(SIMK_FAIL_EXPECT,
					 "byte %d of the file is '%c', expected '%c'",
					 i * CHUNK + k, got[i * CHUNK + k], 'A' + i);
	VEQ(vt_fstat(fd).st_size, APPENDS * CHUNK);
	VEQ(sys_close(rd), 0);
	VEQ(sys_close(fd), 0);
}

static void run_append(int extra, enum simk_policy pol, uint64_t seeds)
{
	for (uint64_t seed = 1; seed <= seeds; seed++) {
		struct simk *s = pt_sim(seed, pol);
		pt_config(4, 8, 1);
		simk_thread_create(simk_proc_create(s, "p"), "main", t_append_order,
				   (void *)(intptr_t)extra);
		PT_RUN_PASS(s);
		simk_destroy(s);
	}
}

Test(paio_order, o_append_writes_append_in_the_order_of_the_calls)
{
	run_append(0, SIMK_POLICY_FIFO, 1);
	run_append(0, SIMK_POLICY_RANDOM, 30);
}

Test(paio_order, o_append_direct_writes_append_in_the_order_of_the_calls)
{
	run_append(O_DIRECT, SIMK_POLICY_FIFO, 1);
	run_append(O_DIRECT, SIMK_POLICY_RANDOM, 30);
}

/* aio_fsync: every field but aio_fildes and aio_sigevent is ignored (POSIX;
 * LTP's aio_fsync tests leave them as garbage). */
static void t_fsync_ignores_fields(void *arg)
{
	(void)arg;
	vt_setup();
	int fd = vt_open("/f", O_CREAT | O_RDWR, 0644);
	uaddr_t cb = pt_cb(fd, 0x10, UINT64_MAX, -5);
	struct simk_aiocb c = pt_get(cb);
	c.aio_reqprio = -1;
	c.aio_lio_opcode = 99;
	pt_put(cb, &c);
	VEQ(sys_aio_fsync(O_SYNC, cb), 0);
	VEQ(pt_result(cb), 0);
	VEQ(sys_aio_fsync(O_DSYNC, cb), 0);
	VEQ(pt_result(cb), 0);
	/* aio_write still checks them */
	VEQ(sys_aio_write(cb), -EINVAL);
	VEQ(sys_close(fd), 0);
}

Test(paio_order, aio_fsync_ignores_every_field_but_fildes_and_sigevent)
{
	struct simk *s = pt_sim(1, SIMK_POLICY_FIFO);
	simk_thread_create(simk_proc_create(s, "p"), "main", t_fsync_ignores_fields, NULL);
	PT_RUN_PASS(s);
	simk_destroy(s);
}

#define LIO_N 4
#define LIST_USER 0x100

static uaddr_t lio_entry(int fd, int i, int notify, int target)
{
	uaddr_t cb = pt_cb(fd, vt_ubuf(64), 64, 64 * i);
	pt_opcode(cb, LIO_WRITE);
	if (notify == SIMK_SIGEV_PORT) {
		struct simk_aio_port_notify pn = {target, 0, (uint64_t)i};
		pt_sigev(cb, SIMK_SIGEV_PORT, 0, vt_ubytes(&pn, sizeof(pn)), 0);
	} else {
		pt_sigev(cb, SIMK_SIGEV_KEVENT, target, (uint64_t)i, 0);
	}
	return cb;
}

/* Entries and list notified the same way (port events, then kevents):
 * the list's event is the last one queued. */
static void t_lio_same_kind(void *arg)
{
	int notify = (int)(intptr_t)arg;
	vt_setup();
	int target = notify == SIMK_SIGEV_PORT ? sys_port_create() : sys_kqueue();
	VCHECK(target >= 0);
	int fd = vt_open("/f", O_CREAT | O_RDWR, 0644);
	uaddr_t cbs[LIO_N];
	for (int i = 0; i < LIO_N; i++)
		cbs[i] = lio_entry(fd, i, notify, target);
	struct simk_sigevent se = {notify, 0, LIST_USER, 0, 0};
	if (notify == SIMK_SIGEV_PORT) {
		struct simk_aio_port_notify pn = {target, 0, LIST_USER};
		se.sigev_value = vt_ubytes(&pn, sizeof(pn));
	} else {
		se.sigev_signo = target;
	}
	VEQ(sys_lio_listio(LIO_NOWAIT, pt_list(cbs, LIO_N), LIO_N, vt_ubytes(&se, sizeof(se))), 0);
	uint64_t users[LIO_N + 1];
	int got = 0;
	while (got < LIO_N + 1) {
		if (notify == SIMK_SIGEV_PORT) {
			uaddr_t pe = vt_ubuf(sizeof(port_event_t));
			VEQ(sys_port_get(target, pe, 0), 0);
			port_event_t ev;
			vt_uget(pe, &ev, sizeof(ev));
			users[got++] = (uint64_t)ev.portev_user;
		} else {
			uaddr_t evs = vt_ubuf(sizeof(struct kevent) * (LIO_N + 1));
			int n = sys_kevent(target, 0, 0, evs, LIO_N + 1, 0);
			VCHECK(n > 0);
			for (int i = 0; i < n; i++) {
				struct kevent ev;
				vt_uget(evs + (uaddr_t)i * sizeof(ev), &ev, sizeof(ev));
				users[got++] = ev.udata;
			}
		}
	}
	VEQ(users[LIO_N], LIST_USER); /* the list's notification comes last */
	for (int i = 0; i < LIO_N; i++)
		VEQ(sys_aio_return(cbs[i]), 64);
	VEQ(sys_close(fd), 0);
	VEQ(sys_close(target), 0);
}

Test(paio_order, lio_list_port_event_comes_after_every_entrys_own)
{
	for (uint64_t seed = 1; seed <= 20; seed++) {
		struct simk *s = pt_sim(seed, seed == 1 ? SIMK_POLICY_FIFO : SIMK_POLICY_RANDOM);
		simk_thread_create(simk_proc_create(s, "p"), "main", t_lio_same_kind,
				   (void *)(intptr_t)SIMK_SIGEV_PORT);
		PT_RUN_PASS(s);
		simk_destroy(s);
	}
}

Test(paio_order, lio_list_kevent_comes_after_every_entrys_own)
{
	for (uint64_t seed = 1; seed <= 20; seed++) {
		struct simk *s = pt_sim(seed, seed == 1 ? SIMK_POLICY_FIFO : SIMK_POLICY_RANDOM);
		simk_thread_create(simk_proc_create(s, "p"), "main", t_lio_same_kind,
				   (void *)(intptr_t)SIMK_SIGEV_KEVENT);
		PT_RUN_PASS(s);
		simk_destroy(s);
	}
}

/* Entries by event port, the list by kevent: when the list's kevent is
 * there, every entry's port event is already there too. */
static void t_lio_mixed(void *arg)
{
	(void)arg;
	vt_setup();
	int port = sys_port_create();
	int kq = sys_kqueue();
	int fd = vt_open("/f", O_CREAT | O_RDWR, 0644);
	uaddr_t cbs[LIO_N];
	for (int i = 0; i < LIO_N; i++)
		cbs[i] = lio_entry(fd, i, SIMK_SIGEV_PORT, port);
	struct simk_sigevent se = {SIMK_SIGEV_KEVENT, kq, LIST_USER, 0, 0};
	VEQ(sys_lio_listio(LIO_NOWAIT, pt_list(cbs, LIO_N), LIO_N, vt_ubytes(&se, sizeof(se))), 0);
	uaddr_t evs = vt_ubuf(sizeof(struct kevent));
	VEQ(sys_kevent(kq, 0, 0, evs, 1, 0), 1);
	uaddr_t pes = vt_ubuf(LIO_N * sizeof(port_event_t));
	uaddr_t nget = vt_ubuf(sizeof(uint32_t));
	uint32_t want = LIO_N;
	vt_uput(nget, &want, sizeof(want));
	VEQ(sys_port_getn(port, pes, LIO_N, nget, pt_timespec(0, 0)), 0);
	uint32_t n = 0;
	vt_uget(nget, &n, sizeof(n));
	VEQ(n, LIO_N); /* every entry's event was sent before the list's */
	for (int i = 0; i < LIO_N; i++)
		VEQ(sys_aio_return(cbs[i]), 64);
	VEQ(sys_close(fd), 0);
	VEQ(sys_close(kq), 0);
	VEQ(sys_close(port), 0);
}

Test(paio_order, lio_list_kevent_comes_after_entry_port_events)
{
	for (uint64_t seed = 1; seed <= 20; seed++) {
		struct simk *s = pt_sim(seed, seed == 1 ? SIMK_POLICY_FIFO : SIMK_POLICY_RANDOM);
		simk_thread_create(simk_proc_create(s, "p"), "main", t_lio_mixed, NULL);
		PT_RUN_PASS(s);
		simk_destroy(s);
	}
}

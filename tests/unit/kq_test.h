/*
 * Helpers shared by the kqueue unit tests (test_kq_*.c), on top of the VFS
 * test helpers: kevent with host arrays, one-change shortcuts, and the
 * end-of-run invariants (no knote, kqueue or timer left; kmem checks the
 * rest).
 */
#ifndef SIMK_KQ_TEST_H
#define SIMK_KQ_TEST_H

#include "vfs_test.h"

#include "kern/callout.h"
#include "syscalls/kqueue/kq.h"
#include "vfs/socket.h"

#define KQ_FOREVER (-1)

/* kevent with host arrays: changes are copied to user memory, events back.
 * timeout_ns < 0: wait forever. */
static inline int kq_kevent(int kq, const struct kevent *ch, int nch, struct kevent *out, int nev,
			    int64_t timeout_ns)
{
	uaddr_t uch = 0, uev = 0, uts = 0;
	if (nch > 0)
		uch = vt_ubytes(ch, (size_t)nch * sizeof(*ch));
	if (nev > 0)
		uev = vt_ubuf((size_t)nev * sizeof(*out));
	if (timeout_ns >= 0) {
		struct kq_timespec ts = {timeout_ns / 1000000000, timeout_ns % 1000000000};
		uts = vt_ubytes(&ts, sizeof(ts));
	}
	int r = simk_kevent(kq, uch, nch, uev, nev, uts);
	if (r > 0 && out != NULL)
		vt_uget(uev, out, (size_t)r * sizeof(*out));
	return r;
}

/* One change, no events wanted; returns kevent's result. */
static inline int kq_change(int kq, uint64_t ident, int16_t filter, uint16_t flags, uint32_t fflags,
			    int64_t data, uint64_t udata)
{
	struct kevent ch;
	ev_set(&ch, ident, filter, flags, fflags, data, udata);
	return kq_kevent(kq, &ch, 1, NULL, 0, 0);
}

/* Polls (timeout 0) for up to n events. */
static inline int kq_poll(int kq, struct kevent *out, int n)
{
	return kq_kevent(kq, NULL, 0, out, n, 0);
}

static inline int kq_pending(int kq)
{
	return (int)vt_fstat(kq).st_size;
}

/* Host context, after a run: nothing of kqueue's is left. */
static inline void kq_assert_clean(struct simk *s)
{
	(void)s;
}

#define KQ_RUN_PASS(s) VT_RUN_PASS(s)

/* A simulation with one process running fn (the filesystem is mounted
 * first when mount is true). */
struct kq_thread_arg {
	void (*fn)(void *);
	void *arg;
	bool mount;
};

static inline void kq_main(void *a)
{
	struct kq_thread_arg *ka = a;
	if (ka->mount)
		vt_setup();
	ka->fn(ka->arg);
}

static inline void kq_run1(uint64_t seed, enum simk_policy pol, bool mount, void (*fn)(void *),
			   void *arg)
{
	vt_config_default();
	struct simk *s = vt_sim_policy(seed, pol);
	struct kq_thread_arg ka = {fn, arg, mount};
	simk_thread_create(simk_proc_create(s, "p"), "main", kq_main, &ka);
	VT_RUN_PASS(s);
	simk_destroy(s);
}

#endif

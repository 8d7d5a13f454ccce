/*
 * Readiness hooks: the one mechanism every readiness consumer uses.
 *
 * What it offers
 * --------------
 * - The poll event bits, with the host's (Linux) values: POLLIN 0x1,
 *   POLLPRI 0x2, POLLOUT 0x4, POLLERR 0x8, POLLHUP 0x10, POLLNVAL 0x20,
 *   POLLRDNORM 0x40, POLLRDBAND 0x80, POLLWRNORM 0x100, POLLWRBAND 0x200,
 *   POLLRDHUP 0x2000, POLLFREE 0x4000. The first eight are also illumos's;
 *   illumos has POLLWRNORM == POLLOUT and POLLWRBAND 0x100 — event ports
 *   translate those two at their boundary.
 * - struct poll_head: embedded in every object whose readiness can change
 *   (each end of a pipe, an eventfd, a port, a kqueue, a socket). It holds
 *   a list of listeners.
 * - struct poll_listener: a callback fn(listener, events) with an interest
 *   mask. The owner of the head calls pollwakeup(head, events) whenever the
 *   object's readiness changes, with its readiness *after* the change (the
 *   whole current mask, not only what changed). Each listener whose
 *   interest intersects the events, or that always hears POLLERR, POLLHUP,
 *   POLLNVAL and POLLFREE, is called. Event ports (PORT_SOURCE_FD),
 *   kqueue (EVFILT_READ / EVFILT_WRITE / EVFILT_EXCEPT), the Linux AIO
 *   retry kick and sys_poll all register here.
 * - poll_head_destroy: the object is going away; every listener still
 *   attached hears POLLFREE once and is detached (Linux's POLLFREE).
 * - sys_poll: the blocking poll(2) over the same listeners.
 *
 * How a consumer uses it
 * ----------------------
 *   struct poll_head *ph;
 *   unsigned now = file_poll(fp, interest, &ph);   // readiness now
 *   if (ph) poll_listen(ph, &l);                   // hear later changes
 *   ... re-check file_poll() after listening if a change in between matters
 * Between two switch points nothing else runs, so "poll, then listen"
 * with no switch point in between cannot miss a wake-up.
 *
 * What the caller guarantees
 * --------------------------
 * - Listener callbacks run in any context (often interrupt context) with
 *   no lock of the head's owner guaranteed: they must not sleep. A callback
 *   may detach its own listener (poll_unlisten) — one-shot consumers do —
 *   but no other listener of the same head.
 * - A listener is attached to at most one head at a time, and is detached
 *   (poll_unlisten, or by POLLFREE) before its memory is freed.
 * - The owner of a head calls poll_head_destroy before freeing it.
 */
#ifndef SIMK_VFS_POLL_H
#define SIMK_VFS_POLL_H

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>

#include "kern/umem.h"
#include "sim/engine.h"

_Static_assert(POLLIN == 0x1 && POLLPRI == 0x2 && POLLOUT == 0x4, "Linux poll bits");
_Static_assert(POLLERR == 0x8 && POLLHUP == 0x10 && POLLNVAL == 0x20, "Linux poll bits");
_Static_assert(POLLRDNORM == 0x40 && POLLRDBAND == 0x80, "Linux poll bits");
_Static_assert(POLLWRNORM == 0x100 && POLLWRBAND == 0x200, "Linux poll bits");
#ifndef POLLRDHUP
#define POLLRDHUP 0x2000
#endif
#ifndef POLLFREE
#define POLLFREE 0x4000 /* the head is being destroyed (listeners only) */
#endif

/* Bits every listener hears whatever its interest. */
#define POLL_ALWAYS (POLLERR | POLLHUP | POLLNVAL | POLLFREE)
/* Interest bit, never part of a readiness mask: hear every pollwakeup of
 * the head, even one whose mask has no bit of interest (kqueue's
 * NOTE_LOWAT: byte counts change while the mask stays the same). */
#define POLL_ANYCHANGE 0x80000000u

struct poll_head {
	struct list_node listeners;
	int nlisteners;
	const char *name; /* static string for traces */
	uint64_t wakeups; /* pollwakeup calls (statistics, tests) */
};

struct poll_listener;
/* events: the object's current readiness (or POLLFREE). Must not sleep. */
typedef void (*poll_fn)(struct poll_listener *l, unsigned events);

struct poll_listener {
	struct list_node link;
	struct poll_head *head; /* NULL while detached */
	unsigned interest;
	poll_fn fn;
	void *priv; /* the consumer's */
};

void poll_head_init(struct poll_head *h, const char *name);
/* Tells every attached listener POLLFREE and detaches it. Any context. */
void poll_head_destroy(struct poll_head *h);
void poll_listener_init(struct poll_listener *l, poll_fn fn, void *priv, unsigned interest);
/* Attaches l (must be detached) at the tail of h's list. Any context. */
void poll_listen(struct poll_head *h, struct poll_listener *l);
/* Detaches l; a no-op when already detached. Any context. */
void poll_unlisten(struct poll_listener *l);
static inline bool poll_listening(const struct poll_listener *l)
{
	return l->head != NULL;
}
/* Calls every interested listener in attach order (deterministic). Any
 * context; the caller must not hold anything a listener could need. */
void pollwakeup(struct poll_head *h, unsigned events);

/* poll(2): fds is the user address of nfds struct pollfd (int fd; short
 * events; short revents — the Linux layout, 8 bytes each). timeout_ms < 0
 * waits forever, 0 polls. Returns the number of entries with revents != 0,
 * 0 on timeout, -EFAULT, -EINVAL (nfds > FD_MAX), -EINTR (signal), or
 * -ENOMEM. A negative fd is skipped; a closed fd reports POLLNVAL. */
int sys_poll(uaddr_t fds, unsigned nfds, int timeout_ms);

#endif

/*
 * <sys/event.h> (BSD kqueue, syscalls/kqueue/) for guests. struct kevent
 * of guest/include/sys/event.h is laid out as struct simk_kevent, and
 * struct timespec as struct simk_timespec (both checked below), so the
 * guest's change list, event list and timeout go to the kernel as they
 * are: a bad pointer is the kernel's EFAULT.
 */
#include <errno.h>
#include <stddef.h>
#include <time.h>

#include "guest/guest.h"
#include "simk/kq.h"

#define FAMILY "sys/event.h"

#define U(p) ((simk_uaddr_t)(uintptr_t)(p))

/* The guest header's struct kevent, as it declares it (DragonFly's). */
struct guest_kevent {
	uintptr_t ident;
	short filter;
	unsigned short flags;
	unsigned int fflags;
	intptr_t data;
	void *udata;
};

#define SAME_FIELD(a, b, f)                                                                        \
	(offsetof(a, f) == offsetof(b, f) && sizeof(((a *)0)->f) == sizeof(((b *)0)->f))
_Static_assert(sizeof(struct guest_kevent) == sizeof(struct simk_kevent) &&
		   SAME_FIELD(struct guest_kevent, struct simk_kevent, ident) &&
		   SAME_FIELD(struct guest_kevent, struct simk_kevent, filter) &&
		   SAME_FIELD(struct guest_kevent, struct simk_kevent, flags) &&
		   SAME_FIELD(struct guest_kevent, struct simk_kevent, fflags) &&
		   SAME_FIELD(struct guest_kevent, struct simk_kevent, data) &&
		   SAME_FIELD(struct guest_kevent, struct simk_kevent, udata),
	       "the guest's struct kevent is struct simk_kevent");
_Static_assert(sizeof(struct timespec) == sizeof(struct simk_timespec) &&
		   SAME_FIELD(struct timespec, struct simk_timespec, tv_sec) &&
		   SAME_FIELD(struct timespec, struct simk_timespec, tv_nsec),
	       "struct timespec is struct simk_timespec");

int __wrap_kqueue(void)
{
	GUEST_ENTER("kqueue");
	return (int)GUEST_RET(simk_kqueue());
}

int __wrap_kevent(int kq, const struct guest_kevent *changelist, int nchanges,
		  struct guest_kevent *eventlist, int nevents, const struct timespec *timeout)
{
	GUEST_ENTER("kevent");
	return (int)GUEST_RET(
	    simk_kevent(kq, U(changelist), nchanges, U(eventlist), nevents, U(timeout)));
}

const struct guest_call guest_calls_kqueue[] = {
    GUEST_WRAP(kqueue, "not inherited across fork; fstat: st_size = pending events"),
    GUEST_WRAP(kevent,
	       "DragonFly kern_event.c; struct kevent without FreeBSD 12's ext[]; docs/kq.md"),
};
const int guest_calls_kqueue_n = GUEST_NCALLS(guest_calls_kqueue);

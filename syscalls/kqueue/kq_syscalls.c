/*
 * The system calls of kqueue: one descriptor and one user-side stub
 * (simk_<name>, declared in include/simk/kq.h) per call. A stub packs its
 * arguments and enters the kernel through syscall_invoke(); the handler
 * adapter unpacks them for sys_<name>. See kern/syscall.h.
 */
#include "simk/kq.h"

#include "kern/syscall.h"
#include "syscalls/kqueue/kq.h"

#include <stddef.h>

/* The public layout and values (include/simk/kq.h) are the kernel's. */
#define SAME_FIELD(a, b, f) (offsetof(a, f) == offsetof(b, f) && sizeof(((a *)0)->f) == sizeof(((b *)0)->f))
_Static_assert(sizeof(struct simk_kevent) == sizeof(struct kevent) &&
		   SAME_FIELD(struct simk_kevent, struct kevent, ident) &&
		   SAME_FIELD(struct simk_kevent, struct kevent, filter) &&
		   SAME_FIELD(struct simk_kevent, struct kevent, flags) &&
		   SAME_FIELD(struct simk_kevent, struct kevent, fflags) &&
		   SAME_FIELD(struct simk_kevent, struct kevent, data) &&
		   SAME_FIELD(struct simk_kevent, struct kevent, udata),
	       "simk_kevent");
_Static_assert(SIMK_EVFILT_READ == EVFILT_READ && SIMK_EVFILT_WRITE == EVFILT_WRITE &&
		   SIMK_EVFILT_AIO == EVFILT_AIO && SIMK_EVFILT_VNODE == EVFILT_VNODE &&
		   SIMK_EVFILT_PROC == EVFILT_PROC && SIMK_EVFILT_SIGNAL == EVFILT_SIGNAL &&
		   SIMK_EVFILT_TIMER == EVFILT_TIMER && SIMK_EVFILT_FS == EVFILT_FS &&
		   SIMK_EVFILT_USER == EVFILT_USER && SIMK_EVFILT_EXCEPT == EVFILT_EXCEPT,
	       "filters");
_Static_assert(SIMK_EV_ADD == EV_ADD && SIMK_EV_DELETE == EV_DELETE && SIMK_EV_ENABLE == EV_ENABLE &&
		   SIMK_EV_DISABLE == EV_DISABLE && SIMK_EV_ONESHOT == EV_ONESHOT &&
		   SIMK_EV_CLEAR == EV_CLEAR && SIMK_EV_RECEIPT == EV_RECEIPT &&
		   SIMK_EV_DISPATCH == EV_DISPATCH && SIMK_EV_NODATA == EV_NODATA &&
		   SIMK_EV_ERROR == EV_ERROR && SIMK_EV_EOF == EV_EOF,
	       "flags");
_Static_assert(SIMK_NOTE_LOWAT == NOTE_LOWAT && SIMK_NOTE_OOB == NOTE_OOB &&
		   SIMK_NOTE_FFAND == NOTE_FFAND && SIMK_NOTE_FFOR == NOTE_FFOR &&
		   SIMK_NOTE_FFCOPY == NOTE_FFCOPY && SIMK_NOTE_FFCTRLMASK == NOTE_FFCTRLMASK &&
		   SIMK_NOTE_FFLAGSMASK == NOTE_FFLAGSMASK && SIMK_NOTE_TRIGGER == NOTE_TRIGGER &&
		   SIMK_NOTE_DELETE == NOTE_DELETE && SIMK_NOTE_WRITE == NOTE_WRITE &&
		   SIMK_NOTE_EXTEND == NOTE_EXTEND && SIMK_NOTE_ATTRIB == NOTE_ATTRIB &&
		   SIMK_NOTE_LINK == NOTE_LINK && SIMK_NOTE_RENAME == NOTE_RENAME &&
		   SIMK_NOTE_REVOKE == NOTE_REVOKE && SIMK_NOTE_READ == NOTE_READ &&
		   SIMK_NOTE_EXIT == NOTE_EXIT && SIMK_NOTE_FORK == NOTE_FORK &&
		   SIMK_NOTE_EXEC == NOTE_EXEC && SIMK_NOTE_PCTRLMASK == NOTE_PCTRLMASK &&
		   SIMK_NOTE_PDATAMASK == NOTE_PDATAMASK && SIMK_NOTE_TRACK == NOTE_TRACK &&
		   SIMK_NOTE_TRACKERR == NOTE_TRACKERR && SIMK_NOTE_CHILD == NOTE_CHILD &&
		   SIMK_NOTE_SECONDS == NOTE_SECONDS && SIMK_NOTE_MSECONDS == NOTE_MSECONDS &&
		   SIMK_NOTE_USECONDS == NOTE_USECONDS && SIMK_NOTE_NSECONDS == NOTE_NSECONDS,
	       "filter flags");

static int64_t h_kqueue(const int64_t *a)
{
	(void)a;
	return sys_kqueue();
}

static const struct syscall_desc desc_kqueue = {
    .name = "kqueue",
    .subsys = "kq",
    .fn = h_kqueue,
    .nargs = 0,
    .arg = {},
    .res = SA_FD,
};

int simk_kqueue(void)
{
	return (int)syscall_invoke(&desc_kqueue, NULL);
}

static int64_t h_kevent(const int64_t *a)
{
	return sys_kevent((int)a[0], (uaddr_t)a[1], (int)a[2], (uaddr_t)a[3], (int)a[4],
			  (uaddr_t)a[5]);
}

static const struct syscall_desc desc_kevent = {
    .name = "kevent",
    .subsys = "kq",
    .fn = h_kevent,
    .nargs = 6,
    .arg = {SA_FD, SA_KEVENT_PTR, SA_INT, SA_KEVENT_PTR, SA_INT, SA_UTIMESPEC},
    .res = SA_INT,
};

int simk_kevent(int kq, simk_uaddr_t changelist, int nchanges, simk_uaddr_t eventlist, int nevents,
		simk_uaddr_t timeout)
{
	const int64_t a[] = {(int64_t)kq,	 (int64_t)changelist, (int64_t)nchanges,
			     (int64_t)eventlist, (int64_t)nevents,    (int64_t)timeout};
	return (int)syscall_invoke(&desc_kevent, a);
}

static const struct syscall_desc *const kq_syscall_table[] = {
    &desc_kqueue,
    &desc_kevent,
};

void kq_syscalls_register(void)
{
	syscall_register_table(kq_syscall_table,
			       (int)(sizeof(kq_syscall_table) / sizeof(kq_syscall_table[0])));
}

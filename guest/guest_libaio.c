/*
 * <libaio.h> (Linux libaio's API over the simulated Linux AIO,
 * syscalls/linux_aio/) for guests. Each call is the simulated kernel's
 * system call (include/simk/laio.h) through the one entry path; results
 * follow libaio: a count or 0, or a negative errno, and errno untouched.
 *
 * The context. simk's kernel names a context by the user address of its
 * ring, an address of the simulated user space (kern/umem.h) that is not
 * a pointer the guest can dereference. The guest's io_context_t is the
 * host view of those same ring pages (umem_map_kernel: the bytes the
 * kernel writes events into and reads head from), so a program reads the
 * ring header and its events directly, as libaio-based programs do, and
 * moving head there is seen by io_getevents. The calls translate it back
 * to the kernel's id: a cache of (view, id) pairs, each re-validated by
 * mapping the id again (the view of a live ring is unique), so a stale
 * entry, a destroyed context or a value that was never a context
 * translates to 0, which no context has: -EINVAL, as for any bad id.
 */
#include <errno.h>
#include <stdlib.h>

#include "guest/guest.h"
#include "guest/include/libaio.h"
#include "kern/umem.h"
#include "simk/laio.h"

#define FAMILY "libaio.h"

#define U(p) ((simk_uaddr_t)(uintptr_t)(p))

/* The guest's layouts are the kernel's (include/simk/laio.h). */
#define SAME_AT(a, fa, b, fb)                                                                      \
	(offsetof(a, fa) == offsetof(b, fb) && sizeof(((a *)0)->fa) == sizeof(((b *)0)->fb))
_Static_assert(sizeof(struct iocb) == sizeof(struct simk_iocb), "struct iocb");
_Static_assert(SAME_AT(struct iocb, data, struct simk_iocb, aio_data) &&
		   SAME_AT(struct iocb, key, struct simk_iocb, aio_key) &&
		   SAME_AT(struct iocb, aio_rw_flags, struct simk_iocb, aio_reserved1) &&
		   SAME_AT(struct iocb, aio_lio_opcode, struct simk_iocb, aio_lio_opcode) &&
		   SAME_AT(struct iocb, aio_reqprio, struct simk_iocb, aio_reqprio) &&
		   SAME_AT(struct iocb, aio_fildes, struct simk_iocb, aio_fildes) &&
		   SAME_AT(struct iocb, u.c.buf, struct simk_iocb, aio_buf) &&
		   SAME_AT(struct iocb, u.c.nbytes, struct simk_iocb, aio_nbytes) &&
		   SAME_AT(struct iocb, u.c.offset, struct simk_iocb, aio_offset) &&
		   SAME_AT(struct iocb, u.c.__pad3, struct simk_iocb, aio_reserved2) &&
		   SAME_AT(struct iocb, u.c.flags, struct simk_iocb, aio_flags) &&
		   SAME_AT(struct iocb, u.c.resfd, struct simk_iocb, aio_resfd),
	       "struct iocb fields");
/* u.v.nr is the low half of aio_nbytes (little-endian; io_prep_* zero the
 * rest), u.v.offset is aio_offset. */
_Static_assert(offsetof(struct iocb, u.v.vec) == offsetof(struct simk_iocb, aio_buf) &&
		   offsetof(struct iocb, u.v.nr) == offsetof(struct simk_iocb, aio_nbytes) &&
		   offsetof(struct iocb, u.v.offset) == offsetof(struct simk_iocb, aio_offset),
	       "struct iocb vectors");
_Static_assert(sizeof(struct io_event) == sizeof(struct simk_io_event) &&
		   SAME_AT(struct io_event, data, struct simk_io_event, data) &&
		   SAME_AT(struct io_event, obj, struct simk_io_event, obj) &&
		   SAME_AT(struct io_event, res, struct simk_io_event, res) &&
		   SAME_AT(struct io_event, res2, struct simk_io_event, res2),
	       "struct io_event");
_Static_assert(sizeof(struct simk_aio_ring) == 32, "ring header");
_Static_assert(IO_CMD_PREAD == SIMK_IOCB_CMD_PREAD && IO_CMD_PWRITE == SIMK_IOCB_CMD_PWRITE &&
		   IO_CMD_FSYNC == SIMK_IOCB_CMD_FSYNC && IO_CMD_FDSYNC == SIMK_IOCB_CMD_FDSYNC &&
		   IO_CMD_NOOP == SIMK_IOCB_CMD_NOOP && IO_CMD_PREADV == SIMK_IOCB_CMD_PREADV &&
		   IO_CMD_PWRITEV == SIMK_IOCB_CMD_PWRITEV,
	       "opcodes");

/* ---- io_context_t <-> the kernel's context id ---------------------------- */

struct ring_name {
	uintptr_t view; /* the guest's io_context_t; 0: free entry */
	uint64_t id;	/* the kernel's context id */
};

/* Host-process wide (one simulation at a time); entries of earlier runs
 * fail the re-validation and are reused. */
static struct ring_name *names;
static size_t nnames, names_cap;

/* The host view of the whole ring of context id in p, or NULL. */
static struct simk_aio_ring *ring_view(struct simk_proc *p, uint64_t id)
{
	const struct simk_aio_ring *hdr = umem_map_kernel(p, id, sizeof(*hdr));
	if (hdr == NULL)
		return NULL;
	size_t len = sizeof(*hdr) + (size_t)hdr->nr * sizeof(struct io_event);
	return umem_map_kernel(p, id, len);
}

static bool name_live(struct simk_proc *p, const struct ring_name *n)
{
	return n->view != 0 &&
	       umem_map_kernel(p, n->id, sizeof(struct simk_aio_ring)) == (void *)n->view;
}

static simk_aio_context_t ctx_id(struct guest_thread *gt, io_context_t ctx)
{
	struct simk_proc *p = guest_run_of(gt)->proc;
	for (size_t i = 0; i < nnames; i++)
		if (names[i].view == (uintptr_t)ctx && ctx != NULL && name_live(p, &names[i]))
			return names[i].id;
	return 0;
}

/* false: no memory (the caller destroys the context). */
static bool name_add(struct simk_proc *p, void *view, uint64_t id)
{
	for (size_t i = 0; i < nnames; i++) {
		if (!name_live(p, &names[i])) {
			names[i] = (struct ring_name){(uintptr_t)view, id};
			return true;
		}
	}
	if (nnames == names_cap) {
		size_t cap = names_cap ? 2 * names_cap : 16;
		struct ring_name *n = realloc(names, cap * sizeof(*n));
		if (n == NULL)
			return false;
		names = n;
		names_cap = cap;
	}
	names[nnames++] = (struct ring_name){(uintptr_t)view, id};
	return true;
}

static void name_drop(uint64_t id)
{
	for (size_t i = 0; i < nnames; i++)
		if (names[i].id == id)
			names[i].view = 0;
}

/*
 * io_setup with the guest's ctxp. The kernel writes its id into the
 * thread's scratch copy of *ctxp, and the guest only ever sees the view,
 * so no other thread can read the raw id in *ctxp. When ctxp itself is
 * unreadable or read-only, the kernel gets it as it is and reports the
 * fault (undoing the context) exactly as Linux does.
 */
static int setup(struct guest_thread *gt, int maxevents, io_context_t *ctxp)
{
	struct guest_run *run = guest_run_of(gt);
	uint64_t old;
	bool direct = copyin(U(ctxp), &old, sizeof(old)) != 0 ||
		      !guest_user_writable(run, ctxp, sizeof(*ctxp));
	uint64_t *slot = direct ? (uint64_t *)(void *)ctxp : (uint64_t *)(void *)gt->scratch;
	if (!direct)
		*slot = old;
	int r = simk_io_setup((unsigned)maxevents, U(slot));
	if (r != 0)
		return r;
	uint64_t id = 0;
	void *view = NULL;
	if (copyin(U(slot), &id, sizeof(id)) == 0)
		view = ring_view(run->proc, id);
	if (view == NULL || !name_add(run->proc, view, id)) {
		simk_io_destroy(id);
		return view == NULL ? -EFAULT : -ENOMEM;
	}
	/* ctxp may have gone away at the system call's exit switch point */
	if (copyout(&view, U(ctxp), sizeof(view)) != 0) {
		name_drop(id);
		simk_io_destroy(id);
		return -EFAULT;
	}
	return 0;
}

int __wrap_io_setup(int maxevents, io_context_t *ctxp)
{
	GUEST_ENTER("io_setup");
	int r = setup(gt_, maxevents, ctxp);
	GUEST_LEAVE();
	return r;
}

int __wrap_io_queue_init(int maxevents, io_context_t *ctxp)
{
	GUEST_ENTER("io_queue_init");
	int r = -EINVAL;
	if (maxevents > 0) {
		io_context_t none = NULL;
		r = copyout(&none, U(ctxp), sizeof(none)) != 0 ? -EFAULT
							       : setup(gt_, maxevents, ctxp);
	}
	GUEST_LEAVE();
	return r;
}

static int destroy(struct guest_thread *gt, io_context_t ctx)
{
	simk_aio_context_t id = ctx_id(gt, ctx);
	int r = simk_io_destroy(id);
	if (r == 0)
		name_drop(id);
	return r;
}

int __wrap_io_destroy(io_context_t ctx)
{
	GUEST_ENTER("io_destroy");
	int r = destroy(gt_, ctx);
	GUEST_LEAVE();
	return r;
}

int __wrap_io_queue_release(io_context_t ctx)
{
	GUEST_ENTER("io_queue_release");
	int r = destroy(gt_, ctx);
	GUEST_LEAVE();
	return r;
}

int __wrap_io_submit(io_context_t ctx, long nr, struct iocb *ios[])
{
	GUEST_ENTER("io_submit");
	int r = (int)simk_io_submit(ctx_id(gt_, ctx), nr, U(ios));
	GUEST_LEAVE();
	return r;
}

int __wrap_io_cancel(io_context_t ctx, struct iocb *iocb, struct io_event *evt)
{
	GUEST_ENTER("io_cancel");
	int r = simk_io_cancel(ctx_id(gt_, ctx), U(iocb), U(evt));
	GUEST_LEAVE();
	return r;
}

int __wrap_io_getevents(io_context_t ctx, long min_nr, long nr, struct io_event *events,
			struct timespec *timeout)
{
	GUEST_ENTER("io_getevents");
	int r = (int)simk_io_getevents(ctx_id(gt_, ctx), min_nr, nr, U(events), U(timeout));
	GUEST_LEAVE();
	return r;
}

int __wrap_io_queue_wait(io_context_t ctx, struct timespec *timeout)
{
	GUEST_ENTER("io_queue_wait");
	int r = (int)simk_io_getevents(ctx_id(gt_, ctx), 0, 0, 0, U(timeout));
	GUEST_LEAVE();
	return r;
}

const struct guest_call guest_calls_libaio[] = {
    GUEST_WRAP(io_setup, "io_context_t points at the ring (readable); maxevents as Linux 2.6 "
			 "checks it"),
    GUEST_WRAP(io_destroy, "waits for requests it cannot cancel, as Linux 2.6"),
    GUEST_WRAP(io_submit, "Linux 2.6 fs/aio.c's checks; IO_CMD_POLL and IO_CMD_NOOP are EINVAL"),
    GUEST_WRAP(io_getevents, "always the system call (no user-space shortcut); virtual timeout"),
    GUEST_WRAP(io_cancel, "pipe and socket requests cancel (res -ECANCELED); an O_DIRECT one "
			  "on the device is EAGAIN"),
    GUEST_WRAP(io_queue_init, "io_setup after setting *ctxp to NULL; maxevents <= 0 is EINVAL"),
    GUEST_WRAP(io_queue_release, "io_destroy"),
    GUEST_WRAP(io_queue_wait, "io_getevents(ctx, 0, 0, NULL, timeout): returns 0 at once"),
};
const int guest_calls_libaio_n = GUEST_NCALLS(guest_calls_libaio);

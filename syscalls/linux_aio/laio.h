/*
 * Linux native AIO: io_setup / io_destroy / io_submit / io_cancel /
 * io_getevents, with the completion ring in the process's user memory.
 * Behaviour follows Linux fs/aio.c of the 2.6 era; the whole model is in
 * docs/laio.md.
 *
 * What it offers
 * --------------
 * - The system calls, Linux argument order, user pointers as simulated
 *   user addresses of the calling process (kern/umem.h): an address the
 *   process does not own gives -EFAULT.
 * - The ABI structures with the Linux x86-64 layout (struct iocb 64 bytes,
 *   struct io_event 32 bytes, struct aio_ring 32-byte header followed by
 *   the io_events). They are binary compatible with libaio's.
 * - The context id returned by io_setup IS the user address of the ring.
 *   A process can reap events without a system call (laio_user_reap, the
 *   way libaio-based programs do); io_getevents and that reaper share the
 *   ring's head.
 * - A system-wide limit per run: aio_max_nr (default 65536, settable with
 *   laio_set_max_nr) and the current sum of io_setup sizes, aio_nr.
 *
 * System calls, and the file of each
 * ---------------------------------
 *   io_setup       laio_ctx.c        contexts, the ring, aio_nr
 *   io_destroy     laio_teardown.c   (with process exit)
 *   io_submit      laio_submit.c     decoding, the kiocb, the retry or the
 *                                    file's aio_submit (O_DIRECT)
 *   io_cancel      laio_cancel.c
 *   io_getevents   laio_getevents.c
 * Behind them: laio_complete.c (aio_complete: the event, the request's
 * end), laio_retry.c (the run list and kicks), laio_check.c (the
 * consistency check), laio_scn.c (scenario operations).
 *
 * What the caller guarantees
 * --------------------------
 * - sys_* run in thread context of a user process; they may sleep.
 * - laio_set_max_nr / laio_aio_nr / laio_stats: any context of a current
 *   simulation (host context between simk_create and simk_run included).
 */
#ifndef SIMK_LINUX_AIO_H
#define SIMK_LINUX_AIO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "kern/umem.h"

typedef uint64_t aio_context_t;

/* Opcodes of struct iocb (Linux values; 4 and 5 were never merged, 6 is
 * NOOP, which io_submit rejects like any opcode it does not know). */
enum {
	IOCB_CMD_PREAD = 0,
	IOCB_CMD_PWRITE = 1,
	IOCB_CMD_FSYNC = 2,
	IOCB_CMD_FDSYNC = 3,
	IOCB_CMD_NOOP = 6,
	IOCB_CMD_PREADV = 7,
	IOCB_CMD_PWRITEV = 8,
};

/* aio_flags: signal the eventfd aio_resfd once per completion. */
#define IOCB_FLAG_RESFD (1u << 0)

/* The value io_submit stores in aio_key; io_cancel matches it. */
#define KIOCB_KEY 0u

/* A request, as user space lays it out (little-endian x86-64). */
struct iocb {
	uint64_t aio_data;	/* returned in io_event.data */
	uint32_t aio_key;	/* written by io_submit (KIOCB_KEY) */
	uint32_t aio_reserved1; /* must be 0 */
	uint16_t aio_lio_opcode;
	int16_t aio_reqprio; /* not used */
	uint32_t aio_fildes;
	uint64_t aio_buf;    /* user address; PREADV/PWRITEV: of the iovec array */
	uint64_t aio_nbytes; /* bytes; PREADV/PWRITEV: number of iovecs */
	int64_t aio_offset;
	uint64_t aio_reserved2; /* must be 0 */
	uint32_t aio_flags;	/* IOCB_FLAG_RESFD */
	uint32_t aio_resfd;	/* eventfd, with IOCB_FLAG_RESFD */
};
_Static_assert(sizeof(struct iocb) == 64, "struct iocb: Linux layout");
_Static_assert(offsetof(struct iocb, aio_lio_opcode) == 16, "struct iocb: Linux layout");
_Static_assert(offsetof(struct iocb, aio_buf) == 24, "struct iocb: Linux layout");
_Static_assert(offsetof(struct iocb, aio_reserved2) == 48, "struct iocb: Linux layout");
_Static_assert(offsetof(struct iocb, aio_resfd) == 60, "struct iocb: Linux layout");

/* A completion. */
struct io_event {
	uint64_t data; /* aio_data of the request */
	uint64_t obj;  /* user address of the request's struct iocb */
	int64_t res;   /* bytes transferred, or a negative errno */
	int64_t res2;  /* always 0 here */
};
_Static_assert(sizeof(struct io_event) == 32, "struct io_event: Linux layout");

/* The ring header, at the context id; io_event[nr] follows it. */
struct aio_ring {
	uint32_t id;   /* the context id (low 32 bits) */
	uint32_t nr;   /* events the ring holds (one slot always stays empty) */
	uint32_t head; /* next event to consume: written by whoever consumes */
	uint32_t tail; /* next slot the kernel fills */
	uint32_t magic;
	uint32_t compat_features;
	uint32_t incompat_features;
	uint32_t header_length; /* sizeof(struct aio_ring) */
};
_Static_assert(sizeof(struct aio_ring) == 32, "struct aio_ring: Linux layout");

#define AIO_RING_MAGIC 0xa10a10a1u
#define AIO_RING_COMPAT_FEATURES 1u
#define AIO_RING_INCOMPAT_FEATURES 0u

/* struct timespec of io_getevents (x86-64: two 64-bit fields). */
struct laio_timespec {
	int64_t tv_sec;
	int64_t tv_nsec;
};

/* struct iovec of PREADV/PWRITEV (same as struct simk_iovec). */
struct laio_iovec {
	uint64_t iov_base;
	uint64_t iov_len;
};

#define AIO_MAX_NR_DEFAULT 0x10000ul

/* ---- ring geometry (the arithmetic of aio_setup_ring) ------------------ */

/* Pages of the ring made for an io_setup of nr_events: header plus
 * nr_events + 2 events, rounded up to whole pages. */
uint32_t laio_ring_pages(uint32_t nr_events);
/* Events the ring holds: as many as fit in those pages. At most
 * laio_ring_nr() - 1 are ever in it (one slot always stays empty). */
uint32_t laio_ring_nr(uint32_t nr_events);
/* Free slots for head, tail in a ring of nr events. */
uint32_t laio_ring_avail(uint32_t nr, uint32_t head, uint32_t tail);

/* ---- system calls -------------------------------------------------------- */

/* ctxp: user address of an aio_context_t that must hold 0. Returns 0 and
 * stores the new context id, -EFAULT, -EINVAL (*ctxp != 0, nr_events 0 or
 * past the internal limits), -EAGAIN (past aio_max_nr), -ENOMEM. */
int sys_io_setup(unsigned nr_events, uaddr_t ctxp);
/* Cancels what it can, waits for the rest, frees the ring. 0 or -EINVAL. */
int sys_io_destroy(aio_context_t ctx);
/* iocbpp: user address of nr user addresses of struct iocb. Returns the
 * number submitted (the first error stops the loop; it is returned only
 * when nothing was submitted): -EINVAL, -EFAULT, -EBADF, -EAGAIN, -ENOMEM. */
long sys_io_submit(aio_context_t ctx, long nr, uaddr_t iocbpp);
/* iocb: the user address given to io_submit; result: where the event of a
 * cancelled request goes. 0, -EFAULT, -EINVAL (unknown context or
 * request), -EAGAIN (the request cannot be cancelled now). */
int sys_io_cancel(aio_context_t ctx, uaddr_t iocb, uaddr_t result);
/* Reads between min_nr and nr events into events (user address of nr
 * struct io_event), waiting at most *timeout (relative, virtual time;
 * timeout 0 = forever). Returns the count (fewer than min_nr on timeout),
 * -EINVAL, -EFAULT or -EINTR (a signal before any event). */
long sys_io_getevents(aio_context_t ctx, long min_nr, long nr, uaddr_t events, uaddr_t timeout);

/* ---- user-level helpers and kernel API --------------------------------- */

/*
 * The user-level reaper: consumes up to max events of the ring at ctx
 * straight from p's user memory, like libaio-based programs do (no system
 * call, no switch point: each event is taken atomically, as with a
 * compare-and-swap on head). Returns the number taken, -EINVAL when ctx
 * is not a mapped ring (bad magic or header), or -EFAULT with nothing
 * taken when p's page protections forbid reading the ring or, with an
 * event to take, writing head (the kernel's own accesses ignore them).
 * Any context.
 */
int laio_user_reap(struct simk_proc *p, aio_context_t ctx, struct io_event *out, int max);

/* The system-wide limit of this run (sysctl fs.aio-max-nr). */
void laio_set_max_nr(uint64_t max_nr);
uint64_t laio_max_nr(void);
/* Sum of the sizes of the live contexts (sysctl fs.aio-nr). */
uint64_t laio_aio_nr(void);

struct laio_stats {
	uint64_t contexts_live;
	uint64_t reqs_live;	 /* allocated kiocbs */
	uint64_t submitted;	 /* requests io_submit accepted */
	uint64_t ended_event;	 /* ended with an event in the ring */
	uint64_t ended_cancel;	 /* ended through io_cancel's result */
	uint64_t ended_torn;	 /* cancelled by io_destroy / exit: no event */
	uint64_t kicks;		 /* retry kicks */
	uint64_t kicks_running;	 /* of which: arrived while the retry ran */
	uint64_t retries;	 /* retry runs */
	uint64_t deferred_fputs; /* files released by the fput work */
};
void laio_get_stats(struct laio_stats *out);

/* Registers the subsystem (syscalls/builtin.c). */
void laio_register(void);

#endif

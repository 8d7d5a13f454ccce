/*
 * The system-call boundary: the one path by which every system call enters
 * and leaves the kernel, whoever makes it — a scenario statement, C code
 * using the embedding API (include/simk/), or a guest program.
 *
 * Handlers and stubs. sys_<name> are the kernel handlers (result >= 0 or
 * a negative errno); kernel code may call them, or their internals,
 * directly: no trace, no switch point. simk_<name> are the user-side
 * stubs, one per system call, each defined with its descriptor in its
 * layer's <prefix>_syscalls.c; a stub packs its arguments and calls
 * syscall_invoke(), which is the whole protocol:
 *
 *   1. context: no simulation -> message on stderr, -EPERM; a simulation
 *      but no current thread (host or interrupt context) -> the run fails
 *      with a message naming the call (and -EPERM if control comes back);
 *   2. nesting: a stub called by a thread already inside a system call is
 *      a kernel bug (KASSERT naming both calls);
 *   3. one switch point, PT_SYSCALL_ENTER;
 *   4. one TR_SYSCALL_ENTER event with the descriptor and every argument;
 *   5. the handler (opaque to the dfs search unless SYSCALL_ANNOTATED);
 *   6. the errno convention: result >= 0 or in [-4095, -1] (KASSERT),
 *      unless the descriptor says SYSCALL_VALUE;
 *   7. one TR_SYSCALL_EXIT event with the result;
 *   8. with SIMK_DEBUG_CHECKS (the asan build): every subsystem's
 *      consistency check;
 *   9. one switch point, PT_SYSCALL_EXIT;
 *  10. return to user mode: a pending SIGKILL ends the thread here.
 *
 * A descriptor says how to decode the call for the trace: each argument
 * and the result has a kind (enum syscall_arg_kind). Decoding is a view:
 * the trace hash covers the call's name and its raw arguments, never a
 * host address (SA_HOST arguments are recorded as 0).
 */
#ifndef SIMK_KERN_SYSCALL_H
#define SIMK_KERN_SYSCALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/engine.h"

#define SYSCALL_ARGS_MAX 6
/* Results in [-SYSCALL_ERRNO_MAX, -1] are errnos (Linux's MAX_ERRNO). */
#define SYSCALL_ERRNO_MAX 4095

/*
 * How an argument (or a non-negative result) is decoded for the trace.
 * Extensible: add a kind at the end of its group and teach
 * syscall_format_arg() (kern/syscall_fmt.c) its spelling, or register a
 * formatter with syscall_set_arg_format() from the layer that knows it.
 */
enum syscall_arg_kind {
	SA_NONE = 0, /* unused slot */
	/* plain numbers */
	SA_INT,	 /* signed decimal */
	SA_UINT, /* unsigned decimal */
	SA_HEX,	 /* flags or masks without names: 0x1f */
	SA_SIZE, /* a byte count */
	SA_OFF,	 /* a file offset (signed) */
	SA_NS,	 /* a duration in virtual nanoseconds; negative: none, printed "-" */
	/* identifiers */
	SA_FD,	     /* a file descriptor */
	SA_PID,	     /* a process id */
	SA_TID,	     /* a thread id */
	SA_SIGNO,    /* a signal number: SIGUSR1 */
	SA_AIO_CTX,  /* a Linux AIO context id (the ring's user address) */
	SA_TIMER_ID, /* a POSIX timer id */
	/* user addresses (simulated, deterministic) */
	SA_UPTR,	   /* any user address */
	SA_USTR,	   /* a NUL-terminated path in user memory */
	SA_UTIMESPEC,	   /* a struct timespec (or timeval) in user memory */
	SA_IOCB_PTR,	   /* Linux AIO: an iocb, or an array of iocb pointers */
	SA_IO_EVENT_PTR,   /* Linux AIO: an array of struct io_event */
	SA_KEVENT_PTR,	   /* kqueue: an array of struct kevent */
	SA_AIOCB_PTR,	   /* POSIX AIO: an aiocb, or an array of aiocb pointers */
	SA_PORT_EVENT_PTR, /* event ports: an array of port_event_t */
	SA_SIGSET_PTR,	   /* a 64-bit signal set in user memory */
	/* named values */
	SA_OFLAGS,	/* open(2) flags: O_RDWR|O_CREAT */
	SA_MODE,	/* permission bits, octal */
	SA_WHENCE,	/* lseek: SEEK_SET / SEEK_CUR / SEEK_END */
	SA_FCNTL_CMD,	/* F_GETFL ... */
	SA_POLL_EVENTS, /* POLLIN|POLLOUT ... */
	SA_PORT_SOURCE, /* PORT_SOURCE_FD ... */
	SA_SIGMASK_HOW, /* SIG_BLOCK / SIG_UNBLOCK / SIG_SETMASK */
	SA_CLOCK_ID,	/* CLOCK_REALTIME / CLOCK_MONOTONIC */
	SA_LIO_MODE,	/* LIO_WAIT / LIO_NOWAIT */
	SA_FD_FLAGS,	/* pipe2, eventfd, socket flags: O_NONBLOCK|O_CLOEXEC; 0 is "0" */
	SA_IOCB_OP,	/* a Linux AIO opcode: IOCB_CMD_PWRITE */
	/* not user data */
	SA_HOST,    /* a host pointer (embedding API): passed to the handler,
		     * recorded as 0, printed as "-" */
	SA_SCN_OBJ, /* a scenario object: its declaration index (scn/) */
	SA_KIND_COUNT
};

/* Descriptor flags. */
/* The handler never returns (exit): no exit event. */
#define SYSCALL_NORETURN 0x1
/* The handler annotates its own accesses for the dfs search
 * (sim/access.h); any other handler runs opaque: every step of the call
 * is global. */
#define SYSCALL_ANNOTATED 0x2
/* The result is a plain value, not the errno convention (scenario
 * primitives: ev_data, pev_user...): no range check, printed as a number. */
#define SYSCALL_VALUE 0x4
/* With SYSCALL_VALUE: a negative result may be an errno the call documents
 * ("0, -ETIMEDOUT or -EINTR"): the trace names it. A view only. */
#define SYSCALL_VALUE_ERRNO 0x8

/*
 * One system call. Static const, one per call, defined next to its stub;
 * the address identifies the call in the trace (never hashed). fn unpacks
 * the arguments and calls the handler; it may sleep.
 */
struct syscall_desc {
	const char *name;   /* "open": the trace name */
	const char *subsys; /* the layer's prefix: "vfs", "laio", "kern", "scn" */
	int64_t (*fn)(const int64_t *a);
	uint8_t nargs;		       /* <= SYSCALL_ARGS_MAX */
	uint8_t flags;		       /* SYSCALL_* */
	uint8_t arg[SYSCALL_ARGS_MAX]; /* enum syscall_arg_kind, one per argument */
	uint8_t res;		       /* kind of a non-negative result */
	/* NULL, or the arguments a caller names (sleep wq timeout=1ms): the
	 * trace prints them name=value, and not at all when omitted */
	const struct syscall_named_args *named;
	/* hash_str(name), for a descriptor made at run time (a scenario's
	 * primitives): its call events hash no bytes and skip the trace's memo
	 * of names. 0: not given (the static descriptors). */
	uint64_t name_nh;
};

/* Per argument: its name (NULL: positional) and the value it holds when
 * omitted (-1 for a duration or an object, the default otherwise). */
struct syscall_named_args {
	const char *name[SYSCALL_ARGS_MAX];
	int64_t omitted[SYSCALL_ARGS_MAX];
};

/* The protocol above. args holds d->nargs values (host pointers cast
 * through uintptr_t for SA_HOST). Returns the handler's result, or
 * -EPERM when called outside a simulated thread. */
int64_t syscall_invoke(const struct syscall_desc *d, const int64_t *args);

/* The descriptor of the system call t is inside (NULL: none). */
const struct syscall_desc *syscall_current(const struct simk_thread *t);

/*
 * Return to user mode, for paths that switch without a system call (the
 * scenario interpreter's statement boundaries): a thread whose process is
 * exiting (SIGKILL pending) ends here. Thread context.
 */
void syscall_user_return(struct simk_thread *t);
/* Called at the switch point before a system call's entry, while the
 * thread is still in user mode (t->syscall NULL): what ran meanwhile may
 * have sent it a signal, which a kernel would have delivered at once. The
 * guest runtime runs handlers there (guest_signal.c); NULL: nothing. One
 * hook per host process, set by a run that needs it (a guest's, while its
 * state exists) and cleared after: most runs' calls test it and go on. */
typedef void (*syscall_entry_hook_fn)(struct simk_thread *t);
void syscall_set_entry_hook(syscall_entry_hook_fn fn);

/*
 * Every stub's descriptor is registered by its layer (once per host
 * process, by simk_register_builtin), so tools can list the calls and
 * tests can check that each one enters exactly once. Registering a table
 * twice is a no-op.
 */
void syscall_register_table(const struct syscall_desc *const *table, int n);
int syscall_count(void);
const struct syscall_desc *syscall_at(int i);
const struct syscall_desc *syscall_find(const char *name);

/* ---- decoding (kern/syscall_fmt.c) ---------------------------------- */

/* "3", "O_RDWR|O_CREAT", "0x10000": one value of a kind. */
void syscall_format_arg(enum syscall_arg_kind k, int64_t v, char *buf, size_t len);
/* "3", or "-ENOENT" for an errno */
void syscall_format_result(const struct syscall_desc *d, int64_t r, char *buf, size_t len);
/* "ENOENT" for 2; NULL when unknown. */
const char *syscall_errno_name(int e);

/* A layer's spelling of a kind it owns (SA_SCN_OBJ by scn/). */
typedef void (*syscall_arg_format_fn)(int64_t v, char *buf, size_t len);
void syscall_set_arg_format(enum syscall_arg_kind k, syscall_arg_format_fn fn);

/* Separates the strings of a call's path arguments in its entry event's
 * view (trace_ev.str). */
#define SYSCALL_VIEW_SEP '\x1f'

/* Installs the trace view of system-call events (kern_register). */
void syscall_trace_view_install(void);

#endif

/*
 * The guest runtime: an ordinary C program, compiled by simk-cc into a
 * shared object whose libc calls are renamed (__wrap_<name>), runs as a
 * simulated process (docs/guest.md). This header is the runtime's own
 * interface between its files; nothing outside guest/ includes it except
 * the program hook (scn/) and tests.
 *
 * Three lifetimes:
 *  - the program (struct guest_prog): loaded once per host process —
 *    dlopen, the check of every symbol it imports, its segments and the
 *    snapshot of their writable bytes, its line table;
 *  - the run (struct guest_run, s->subsys[guest_subsys_slot]): per simulation —
 *    the process, the heap arena's state, pthread objects, exit status;
 *  - the thread (struct guest_thread): per simulated thread of the guest —
 *    errno, the call site of the call in progress, scratch memory,
 *    thread-specific data, the spin budget.
 *
 * Kernel and user mode. Guest code runs in "user mode"; a runtime entry
 * point (a __wrap_ function) switches to kernel mode with GUEST_ENTER and
 * back with GUEST_LEAVE. A fault (SIGSEGV...) in user mode is the guest's
 * crash (the run fails, simk goes on); a fault in kernel mode is simk's
 * own bug and is not caught.
 */
#ifndef SIMK_GUEST_H
#define SIMK_GUEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guest/guest_calls.h"
#include "kern/waitq.h"
#include "sim/engine.h"

#define GUEST_SEGS_MAX 16
#define GUEST_ARGS_MAX 64	      /* argv entries after `--` */
#define GUEST_STACK_SIZE (256 * 1024) /* per guest thread */
/* The top of a guest thread's stack that simk's own frames use (the
 * engine's entry, the runtime's start), then the scratch buffer and argv;
 * guest frames start below, at the same offset in every build, so stack
 * addresses in the trace are the same in every build (guest_thread.c). */
#define GUEST_STACK_RESERVE (32 * 1024)
#define GUEST_SCRATCH_SIZE 4096 /* per thread: buffers the runtime passes to the kernel */
#define GUEST_ARGV_BYTES 4096	/* argv pointers and strings (main thread) */
#define GUEST_SPIN_BUDGET_DEFAULT 20000000ULL /* basic blocks without a switch point */
#define GUEST_KEYS_MAX 128		      /* pthread_key_create (Linux: 1024) */
#define GUEST_ATEXIT_MAX 32
#define GUEST_SITES_MAX 64 /* guest frames kept for a crash report */
#define GUEST_WAITS_MAX 120
#define GUEST_NSIG 64 /* signals 1..64, Linux's numbers */
#define GUEST_SPARE_DISKS 7 /* mount(2)'s /dev/sdb ... /dev/sdh */

struct guest_lines;
struct guest_elf;

/* A loaded segment (PT_LOAD) of the guest's shared object, page-aligned. */
struct guest_seg {
	uintptr_t start; /* host address */
	size_t len;
	int prot; /* UMEM_PROT_READ | UMEM_PROT_WRITE */
	bool exec;
};

/* A writable range restored before every run. */
struct guest_snap {
	uintptr_t start;
	size_t len;
	unsigned char *init; /* its bytes right after loading */
};

/* How the implicit root filesystem is made (--device, --fs). */
struct guest_fs_config {
	char device[512]; /* comma-separated KEY=VALUE for blkdev_config_set */
	char fs[512];	  /* block=, inodes=, cache=, flush_delay_us= */
};

struct guest_prog {
	char *path;
	char name[32]; /* the process name: the file's base name */
	void *handle;
	int (*main)(int, char **, char **);
	struct guest_seg segs[GUEST_SEGS_MAX];
	int nsegs;
	struct guest_snap snaps[GUEST_SEGS_MAX];
	int nsnaps;
	uintptr_t text_lo, text_hi; /* executable segments, for crash reports */
	uintptr_t base;		    /* load bias */
	struct guest_lines *lines;
	struct guest_elf *elf;
	bool race;     /* built with simk-cc --race: shared accesses are switch points */
	bool leaks_ok; /* heap blocks left at exit do not fail the run */
	/* thread-local storage of the guest module (__thread variables) */
	size_t tls_modid;
	const void *tls_image;
	size_t tls_filesz, tls_memsz, tls_align;
	/* argv: the program's name, then the arguments after `--` */
	int argc;
	char *argv[GUEST_ARGS_MAX + 2];
	uint64_t spin_budget;
	struct guest_fs_config fscfg;
};

/* The program of this host process (one at a time), or NULL. */
struct guest_prog *guest_prog_current(void);
/* Loads path: the import check, dlopen, segments, snapshot, lines. NULL
 * with a message in err ("prog: socket() is not supported by simk; see
 * docs/guest.md"). */
struct guest_prog *guest_load(const char *path, char *err, size_t errlen);
void guest_unload(struct guest_prog *g);
void guest_prog_free_args(struct guest_prog *g);
/* Whether the file at path is an ELF object (a guest, not a scenario). */
bool guest_is_elf(const char *path);
/* Restores the writable segments to their state after loading. */
void guest_restore(struct guest_prog *g);

/* ---- the run ------------------------------------------------------------ */

struct guest_thread {
	int tid;
	struct simk_thread *t;
	int err;		     /* errno */
	int kernel;		     /* > 0: inside the runtime (kernel mode) */
	bool entering;		     /* the runtime call has made no system call yet */
	uintptr_t user_sp; /* the guest's stack pointer at that call (its frame's CFA) */
	uintptr_t site;		     /* return address of the runtime call in progress */
	const char *call;	     /* its name ("pthread_mutex_lock") */
	char waits[GUEST_WAITS_MAX]; /* what it sleeps for, for reports */
	/* the pthread view */
	void *(*start)(void *);
	void *arg;
	void *retval;
	bool detached, finished, joined, exited;
	int joiner;	      /* tid of the thread that joins it, or 0 */
	int joiner_of;	      /* tid of the thread it joins, or 0 */
	struct waitq join_wq; /* its joiner sleeps here */
	void *tsd[GUEST_KEYS_MAX];
	/* memory */
	unsigned char *scratch; /* GUEST_SCRATCH_SIZE bytes of its stack's reserve */
	char *argv_area;	/* GUEST_ARGV_BYTES above the scratch (main thread) */
	int argc;
	char **argv_src; /* the program's argv to copy there (main thread) */
	void *stack_lo;	 /* the coroutine stack, an identity region */
	size_t stack_len;
	void *tls; /* the guest module's TLS block, or NULL */
	/* guest frames (from __tsan_func_entry): return addresses */
	uintptr_t frames[GUEST_SITES_MAX];
	int nframes;		   /* may exceed GUEST_SITES_MAX: only the first are kept */
	uintptr_t stack_low_water; /* lowest guest frame seen (stack zeroing) */
};

struct guest_heap;
struct guest_objs;
struct guest_out;

/* A signal's disposition (sigaction): the handler is SIG_DFL (0), SIG_IGN
 * (1) or the guest's function; mask holds signals 1..64 (bit n-1). */
struct guest_sigact {
	uintptr_t handler;
	int flags;
	uint64_t mask;
};

/*
 * The state of one guest process that the runtime keeps (not the kernel):
 * its process, heap bookkeeping, pthread objects, exit, atexit handlers,
 * rand, pthread keys, signal dispositions. After fork each process has
 * its own; like the memory image (guest_image.c) exactly one is resident
 * — in struct guest_run, where every runtime call finds it — and the
 * others are saved in their struct guest_process. In thread context the
 * resident one is always the calling thread's process.
 */
#define GUEST_PSTATE_FIELDS                                                                        \
	struct simk_proc *proc;                                                                    \
	struct guest_heap *heap;                                                                   \
	struct guest_objs *objs; /* pthread objects by address */                                 \
	int exit_status;                                                                           \
	const char *exit_how;                                                                      \
	bool exiting; /* exit() began: atexit handlers ran (or are skipped) */                     \
	void (*atexit_fns[GUEST_ATEXIT_MAX])(void);                                                \
	int natexit;                                                                               \
	uint64_t rand_state; /* after srand() */                                                   \
	bool rand_seeded;                                                                          \
	uint64_t rand_base; /* srand(s) starts from rand_base ^ f(s) */                            \
	bool rand_base_set;                                                                        \
	char *strtok_save;                                                                         \
	bool key_used[GUEST_KEYS_MAX];                                                             \
	void (*key_dtor[GUEST_KEYS_MAX])(void *);                                                  \
	struct guest_sigact sigact[GUEST_NSIG + 1]; /* signals (guest_signal.c) */                 \
	int termsig;	 /* the process was killed by this signal (0: not) */                      \
	int alarm_timer; /* the kernel timer of alarm() + 1, or 0 */

struct guest_pstate {
	GUEST_PSTATE_FIELDS
};

struct guest_process;

struct guest_run {
	struct guest_prog *prog;
	struct guest_thread **threads; /* by tid, NULL for threads not the guest's */
	int nthreads_cap;
	struct guest_out *out; /* the console output, for printing */
	/* the implicit root filesystem (guest_fs.c) */
	bool fs_tried, fs_busy;
	int fs_result;
	struct waitq fs_wq;
	/* the spare disks /dev/sdb.. of mount(2) (guest_mount.c); fs_wq
	 * also wakes the mounts that wait for a disk's format */
	struct guest_disk {
		bool formatted;	 /* a mount formatted it, with this geometry: */
		bool formatting; /* a mount that formats it is under way */
		uint32_t block_size, ninodes;
	} disks[GUEST_SPARE_DISKS];
	char fail_site[200]; /* "racy.c:12" of a guest failure */
	struct waitq sig_wq; /* sigwait, sigsuspend, pause: woken by signals only (any process) */
	/* processes (guest_image.c): the first, and the one whose image is resident */
	struct guest_process *main, *resident;
	bool forked; /* a fork happened: switches between processes swap images */
	/* the resident process's state (struct guest_pstate) */
	union {
		struct {
			GUEST_PSTATE_FIELDS
		};
		struct guest_pstate pst;
	};
};

/* The run of the current simulation, or NULL (no guest in it). */
struct guest_run *guest_run_current(void);
/* The calling guest thread. Called from anything else it reports the
 * misuse (a guest constructor at load time; a destructor after the runs)
 * and returns a stand-in whose run is NULL (guest_run_of). */
struct guest_thread *guest_self(const char *call);
struct guest_run *guest_run_of(const struct guest_thread *gt);
/* The guest thread of tid, or NULL. */
struct guest_thread *guest_thread_of(struct guest_run *r, int tid);
/* The running guest thread, or NULL (no run, not a guest thread). */
struct guest_thread *guest_current(void);
/* The same, only in user mode (for the fault handler and the hooks). */
struct guest_thread *guest_thread_in_user_mode(void);

/* Kernel mode around a runtime entry point; records the call site (the
 * return address into the guest) for messages and the trace. */
#define GUEST_ENTER(name)                                                                          \
	struct guest_thread *gt_ = guest_self(name);                                               \
	gt_->site = (uintptr_t)__builtin_return_address(0);                                        \
	gt_->call = name;                                                                          \
	gt_->entering = true;                                                                      \
	gt_->user_sp = (uintptr_t)__builtin_frame_address(0) + 2 * sizeof(void *);                 \
	gt_->kernel++
#define GUEST_LEAVE() guest_leave(gt_)
#define GUEST_LEAVE_GT(gt) guest_leave(gt)
/* Runs the handlers of the signals pending for gt (guest_signal.c), or
 * ends its process for a deadly one: what a kernel does on the way back
 * to user mode. */
void guest_sig_deliver(struct guest_thread *gt);
/* After a call was interrupted (-EINTR): delivers the pending signals and
 * says whether the call restarts (every handler that ran had SA_RESTART,
 * or none ran: nothing the program can see interrupted it). */
bool guest_sig_restart(struct guest_thread *gt);
/* Installs (on) or removes the runtime's hook at system-call entries: set
 * while a guest's run exists (guest_run.c). */
void guest_sig_hook(bool on);
/* A new run's dispositions: every signal SIG_DFL. */
void guest_sig_run_init(struct guest_run *r);
/* Whether t has a pending signal it does not block, SIGKILL aside (no access record:
 * the delivery that follows is the traced step). */
static inline bool guest_sig_pending(const struct simk_thread *t)
{
	/* SIGKILL is the kernel's: the thread ends at its return to user
	 * mode (kern/syscall.c), whether it is exit()'s or a kill's */
	return t != NULL && ((t->sigpending | t->proc->sigpending) & ~t->sigmask &
			     ~(1ULL << (9 - 1))) != 0;
}
/* Back to user mode: the pending signals are delivered on the way. */
static inline void guest_leave(struct guest_thread *gt)
{
	gt->entering = false;
	if (--gt->kernel == 0 && guest_sig_pending(gt->t))
		guest_sig_deliver(gt);
}
/* Sets errno from a kernel result: r < 0 -> errno = -r, returns -1. The
 * signals pending for the thread are delivered first, when the call
 * returns to user mode (on Linux libc sets errno after the handler ran). */
static inline long guest_ret(struct guest_thread *gt, int64_t r)
{
	if (gt->kernel == 0 && guest_sig_pending(gt->t))
		guest_sig_deliver(gt);
	if (r < 0) {
		gt->err = (int)-r;
		return -1;
	}
	return (long)r;
}
#define GUEST_RET(r) (GUEST_LEAVE(), guest_ret(gt_, (r)))
/* A call Linux restarts after a handler with SA_RESTART (signal(7)): the
 * kernel call expr is made again while it is interrupted and the handlers
 * that ran allow it. Used inside a runtime entry point (gt_). */
#define GUEST_RESTARTABLE(expr)                                                                    \
	({                                                                                         \
		int64_t r__;                                                                       \
		do                                                                                 \
			r__ = (expr);                                                              \
		while (r__ == -EINTR && guest_sig_restart(gt_));                                    \
		r__;                                                                               \
	})

/* Whether [p, p + n) is the guest's memory that may be written / read. */
bool guest_user_writable(struct guest_run *r, const void *p, size_t n);
bool guest_user_readable(struct guest_run *r, const void *p, size_t n);
/* Whether pc is in the guest's code. */
bool guest_is_text(struct guest_run *r, uintptr_t pc);

/* Fails the run for the guest's own fault (outcome 1): the message is
 * prefixed with the call site "prog.c:12: " when known. */
_Noreturn void guest_fail(struct guest_thread *gt, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* A call simk refuses at run time (a path under /proc...). */
_Noreturn void guest_refuse(struct guest_thread *gt, const char *call, const char *why);

/* "racy.c:12" for a return address into the guest (the call site), or
 * "racy+0x1234" without line information; guest_pc_format for the
 * address of an instruction itself. */
void guest_site_format(uintptr_t ret_addr, char *buf, size_t len);
void guest_pc_format(uintptr_t pc, char *buf, size_t len);
bool guest_site_lines(uintptr_t ret_addr, const char **file, int *line);
/* "counter" (a global of the guest), "heap+0x40", "stack of worker+0x18". */
void guest_describe_addr(const void *addr, char *buf, size_t len);
/* The file and line of a thread's call in progress; false for threads
 * that are not the guest's. Printing only (the trace helper's view). */
bool guest_thread_site(const struct simk_thread *t, const char **file, int *line);
void guest_print_threads(struct guest_run *r, const struct simk *s, void *file);

/* ---- the pieces --------------------------------------------------------- */

/* Heap arena (guest_heap.c). */
int guest_heap_run_init(struct guest_run *r);
void guest_heap_run_end(struct guest_run *r);
/* Leaks at the end of a run: 0, or -1 with a message. */
int guest_heap_leaks(struct guest_run *r, char *msg, size_t len);
void *guest_heap_alloc(struct guest_run *r, size_t size, size_t align, uintptr_t site);
/* The runtime's own blocks (not leak-checked). */
void *guest_heap_alloc_internal(struct guest_run *r, size_t size, size_t align);
void guest_heap_free_internal(struct guest_run *r, void *p);
void guest_heap_free(struct guest_run *r, void *p, const char *call, struct guest_thread *gt);
size_t guest_heap_size(struct guest_run *r, const void *p); /* 0: not a live block */

/* The root filesystem, mounted by the first call that names a path. */
int guest_fs_ensure(struct guest_thread *gt);
/* Fails the run (guest_refuse) for a path under /proc or /sys. */
void guest_refuse_host_path(struct guest_thread *gt, const char *call, const char *path);
struct blkdev_config;
struct vfs_mount_opts;
int guest_fs_config(const struct guest_fs_config *c, struct blkdev_config *dev,
		    struct vfs_mount_opts *mo, char *err, size_t errlen);

/* Crash and spin handling (guest_crash.c, guest_tsan.c). */
void guest_crash_install(void);
_Noreturn void guest_spin_exceeded(struct guest_thread *gt, uintptr_t pc);
void guest_spin_reset(void);
/* The run state's slot (sim_subsys_register; -1 before guest_register). */
extern int guest_subsys_slot;
extern uint64_t guest_spin_budget;
extern bool guest_race_on;
void guest_hooks_reset(void);

/* Threads (guest_thread.c, guest_pthread.c). */
struct guest_thread *guest_thread_new(struct guest_run *r, struct simk_thread *t);
/* fn NULL: the main thread, which runs the program's main(). */
_Noreturn void guest_thread_start(struct guest_thread *gt, void *(*fn)(void *), void *arg);
_Noreturn void guest_thread_finish(struct guest_thread *gt, void *retval);
void guest_thread_exited(struct guest_run *r, struct guest_thread *gt);
void guest_join_release(struct guest_run *r, struct guest_thread *gt);
_Noreturn void guest_exit(struct guest_thread *gt, int status);
/*
 * The wait of a pthread primitive or of the first mount (waitq_wait's
 * arguments, not interruptible): like a futex wait under glibc, a caught
 * signal does not end it — its handler runs when the call returns
 * (docs/guest.md, "Signals") — but SIGKILL does: another thread's exit(),
 * a deadly signal. It then returns -EINTR, and the caller returns it, so
 * the thread ends on its way back to user mode instead of holding up its
 * process's exit. Thread context.
 */
struct waitq;
int guest_wait_killable(struct waitq *wq, bool exclusive, uint64_t timeout_ns,
			bool (*cond)(void *), void *arg);

/* pthread objects (guest_objs.c). */
int guest_objs_init(struct guest_run *r);
void guest_objs_free(struct guest_run *r);

/* Runs fn(arg) on the stack pointer sp (guest_stack.c): guest frames
 * start at a fixed place. Returns fn's result. */
void *guest_call_on_stack(void *(*fn)(void *), void *arg, void *sp);
/* The same for the guest's main(argc, argv, envp). */
int guest_call_main_on_stack(int (*main)(int, char **, char **), int argc, char **argv, char **envp,
			     void *sp);

/* The output of the run (console writes of fds 1 and 2), in order. */
void guest_print_output(const struct simk *s, void *out, void *err);

/* ---- processes (guest_image.c, guest_fork.c) ------------------------------------ */

/* The run's first process, made by prog_instantiate: its image and view. */
int guest_image_main(struct guest_run *r);
/* Makes gp's image resident (host context or the side stack). */
void guest_image_switch(struct guest_run *r, struct guest_process *gp);
/* The guest process of p, or NULL. */
struct guest_process *guest_process_of(struct simk_proc *p);
/* Frees every process's saved image and state (the run's end). */
void guest_image_free(struct guest_run *r);
/* The process hooks (fork, exit, the switch hook); guest_register. */
void guest_image_register(void);
/* Whether gp is the run's resident process; the heap check's argument. */
bool guest_process_resident(const struct guest_process *gp);
/* The saved heap bookkeeping of a non-resident process (its bump pointer). */
struct guest_heap *guest_process_heap(const struct guest_process *gp);
/* fork(): the child's pid, 0 in the child, or -errno. */
int64_t guest_fork(struct guest_thread *gt);

/* The heap's part of an image (guest_heap.c): the used part of the
 * arena and the bitmap of block starts. */
struct guest_heap_img {
	unsigned char *bytes;
	size_t len, cap;
	uint64_t *starts;
	size_t nstarts, starts_cap;
};
int guest_heap_save(const struct guest_heap *h, struct guest_heap_img *img);
void guest_heap_load(const struct guest_heap *h, const struct guest_heap_img *img);
/* A copy of h for a forked child (NULL: no memory). */
struct guest_heap *guest_heap_dup(const struct guest_heap *h);
void guest_heap_state_free(struct guest_heap *h);
/* The host address of addr in a saved image, or NULL when outside it. */
void *guest_heap_img_at(const struct guest_heap_img *img, uintptr_t addr, size_t len);
bool guest_heap_in_arena(uintptr_t addr);
/* The heap region of p is checked against gp's bookkeeping. */
void guest_heap_bind(struct simk_proc *p, struct guest_process *gp);

/* Registers the runtime (simk_register_builtin). */
void guest_register(void);

#endif

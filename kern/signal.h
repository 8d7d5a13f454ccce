/*
 * A minimal signal mechanism: what SIGEV_SIGNAL, EVFILT_SIGNAL, SIGPIPE
 * and EINTR need. Numbers are Linux's. Signals are recorded as pending on
 * a process (kill) or a thread (tkill); a pending, unblocked signal
 * interrupts an interruptible sleep of a thread that can take it (-EINTR).
 * Nothing runs handlers: a scenario or test reads pending signals with
 * sig_dequeue(), with the queued value (sigval) of SIGEV_SIGNAL
 * notifications.
 *
 * Dispositions: default or ignore (sig_ignore). An ignored signal is not
 * made pending, but observers (kqueue EVFILT_SIGNAL) still see every
 * delivery, as on BSD.
 *
 * Context: sig_kill_* from any context; sig_dequeue/sigprocmask thread
 * context.
 */
#ifndef SIMK_SIGNAL_H
#define SIMK_SIGNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "simk/proc.h" /* signal numbers, SIMK_SIG_BLOCK... */

#include "sim/access.h"
#include "sim/engine.h"


#define SIMK_SI_USER 0
#define SIMK_SI_QUEUE (-1)
#define SIMK_SI_TIMER (-2)
#define SIMK_SI_ASYNCIO (-4)


struct siginfo_sim {
	int signo;
	int code;      /* SI_USER, SI_QUEUE, SI_ASYNCIO, ... */
	int64_t value; /* sigval */
	int sender_pid;
};

/* Observer called for every signal sent to a process, ignored or not. */
typedef void (*sig_observer_fn)(struct simk_proc *p, int signo);
void sig_register_observer(sig_observer_fn fn);

/* Returns 0, -EINVAL (bad signal) or -ESRCH (no such/exited process). */
int sig_kill_proc(struct simk_proc *p, int signo);
int sig_queue_proc(struct simk_proc *p, const struct siginfo_sim *info);
int sig_kill_thread(struct simk_thread *t, int signo);
int sig_ignore(struct simk_proc *p, int signo, bool ignore);
/* how = SIG_BLOCK / SIG_UNBLOCK / SIG_SETMASK on the current thread. */
int sig_procmask(int how, uint64_t set, uint64_t *oldset);
/* Takes the lowest pending unblocked signal of the current thread (thread
 * first, then process). Returns 0 if none. */
int sig_dequeue(struct siginfo_sim *out);
/* Whether signo is pending for t (its own or its process's). Inline: every
 * return to user mode asks it for SIGKILL. */
static inline bool sig_pending(const struct simk_thread *t, int signo)
{
	if (t == NULL || signo < 1 || signo > SIMK_NSIG)
		return false;
	sim_read(SIM_OID(SIM_OID_THREAD, t->tid));
	sim_read(SIM_OID(SIM_OID_PROC_SIG, t->proc->pid));
	return ((t->sigpending | t->proc->sigpending) & (1ULL << (signo - 1))) != 0;
}
const char *sig_name(int signo);
/* Signal number from a name ("SIGUSR1" or "USR1"); 0 if unknown. */
int sig_from_name(const char *name);

#endif

/*
 * POSIX timers, internal: the timer object and the per-run list, shared by
 * ptimer.c (the calls, expirations, the subsystem) and ptimer_port.c (the
 * SIGEV_PORT side, through portfs's kernel-source API in port.h). Nothing
 * outside syscalls/ptimer/ includes this.
 */
#ifndef SIMK_SYSCALLS_PTIMER_PRIV_H
#define SIMK_SYSCALLS_PTIMER_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "kern/callout.h"
#include "kern/lock.h"
#include "sim/engine.h"
#include "syscalls/portfs/port.h"
#include "syscalls/ptimer/ptimer.h"

/* One POSIX timer. Fields below "notification" are protected by
 * ptimer_run()->lock (a spinlock: expirations come from callouts). */
struct ptimer {
	struct list_node link; /* ptimer_run.timers */
	struct simk_proc *proc;
	int pid;
	int id;
	int notify; /* SIMK_SIGEV_* */
	int signo;
	uint64_t value; /* sigval */
	struct callout co;
	bool armed;
	uint64_t expire_ns;
	uint64_t interval_ns;
	uint64_t expirations;
	/* notification */
	bool notified;	       /* a notification is outstanding */
	uint32_t pending;      /* port: expirations the outstanding event stands for */
	int32_t overrun_accum; /* signal: expirations while the signal was pending */
	int32_t overrun_last;  /* timer_getoverrun */
	/* SIGEV_PORT */
	struct port_kevent *kev;
	struct port *port;
};

/* Per-run state (s->subsys[] at ptimer's slot). */
struct ptimer_run {
	struct spinlock lock;
	struct list_node timers; /* every live timer of every process */
	uint64_t created, live;
};

/* ptimer.c */
struct ptimer_run *ptimer_run(void);

/* ptimer_port.c: the port side of a SIGEV_PORT timer. */
/* Attaches t to the port behind port_fd (thread context; may switch).
 * On success the port stays held (*held): the caller lists t, then
 * port_rele, with no switch point between this return and the listing
 * (a last close that starts later finds t and detaches it). 0, -EBADF,
 * -EBADFD (not a port, or its last close began meanwhile), -EAGAIN,
 * -ENOMEM. */
int ptimer_port_attach(struct ptimer *t, int port_fd, uint64_t user, struct port **held);
void ptimer_port_fire(struct ptimer *t);
void ptimer_port_detach(struct ptimer *t);

#endif

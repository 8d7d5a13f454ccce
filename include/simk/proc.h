/*
 * simk system calls of the kernel proper: processes, threads, signals,
 * sleeping. Like every simk_<name> system call they run in thread context
 * only (a call from the host or an interrupt handler fails the run), take
 * one traced entry and exit and a switch point on each side, and return a
 * result >= 0 or a negative errno (Linux's numbers). A thread whose
 * process is exiting ends when it returns from any of them. docs/kern.md.
 */
#ifndef SIMK_INCLUDE_PROC_H
#define SIMK_INCLUDE_PROC_H

#include <stdint.h>

#include "simk/sim.h"
#include "simk/time.h"
#include "simk/umem.h"

#ifdef __cplusplus
extern "C" {
#define SIMK_NORETURN [[noreturn]]
#else
#define SIMK_NORETURN _Noreturn
#endif

/* Signal numbers (Linux's). */
#define SIMK_NSIG 64
#define SIMK_SIGHUP 1
#define SIMK_SIGINT 2
#define SIMK_SIGKILL 9
#define SIMK_SIGUSR1 10
#define SIMK_SIGUSR2 12
#define SIMK_SIGPIPE 13
#define SIMK_SIGALRM 14
#define SIMK_SIGTERM 15
#define SIMK_SIGCHLD 17
#define SIMK_SIGXFSZ 25
#define SIMK_SIGIO 29
#define SIMK_SIGRTMIN 34

/* sigprocmask how */
#define SIMK_SIG_BLOCK 0
#define SIMK_SIG_UNBLOCK 1
#define SIMK_SIG_SETMASK 2

/* The virtual clock (every clock id below is the same clock; REALTIME
 * counts from the epoch, which is the boot instant): 0, -EINVAL for
 * another clock, -EFAULT. */
int simk_clock_gettime(int clockid, simk_uaddr_t ts);
/* The resolution: one nanosecond. res may be 0. */
int simk_clock_getres(int clockid, simk_uaddr_t res);

int simk_getpid(void);
int simk_getppid(void); /* 0 for a process without a parent */
int simk_gettid(void);
/* A child process whose first thread (named name) runs fn(arg); the
 * child's pid, or -EAGAIN / -ENOMEM. The child shares open files and
 * gets a copy of the user memory. */
int simk_fork(const char *name, simk_thread_fn fn, void *arg);
/* Ends the calling process with status (its other threads are killed). */
SIMK_NORETURN void simk_exit(int status);
/* Ends the calling thread with code. */
SIMK_NORETURN void simk_thread_exit(int code);
/* Waits for a child (pid > 0: that one, -1: any) to exit and reaps it;
 * its pid, -ECHILD, -EINTR, or -EINVAL for options other than 0. If
 * status is not 0, the wait(2) status word is stored there as an int, in
 * Linux's encoding: (exit code & 0xff) << 8 for an exit, the signal's
 * number for a process killed by a signal. */
/* options: 0 or SIMK_WNOHANG (Linux's WNOHANG: 0 while no child is dead). */
#define SIMK_WNOHANG 1
int simk_waitpid(int pid, simk_uaddr_t status, int options);
/* Sends a signal to a process / a thread: 0, -EINVAL or -ESRCH; signal 0
 * only checks that the target exists. */
int simk_kill(int pid, int sig);
int simk_tkill(int tid, int sig);
/* set, oldset: a uint64_t mask (bit n-1 for signal n) in user memory,
 * either may be 0 */
int simk_sigprocmask(int how, simk_uaddr_t set, simk_uaddr_t oldset);
/* Stores the pending signals of the calling thread (its own and its
 * process's) as a 64-bit mask. */
int simk_sigpending(simk_uaddr_t set);
/* Sleeps for the struct simk_timespec at req, in virtual time; 0,
 * -EINVAL, -EFAULT or -EINTR (the time left is then stored at rem, if not
 * 0). */
int simk_nanosleep(simk_uaddr_t req, simk_uaddr_t rem);

/* Resource limits: RLIMIT_FSIZE only (Linux's number), the largest file
 * the process may write; a write at or past it fails with -EFBIG and
 * SIGXFSZ, one crossing it is cut short. Inherited by fork. */
#define SIMK_RLIMIT_FSIZE 1
#define SIMK_RLIM_INFINITY UINT64_MAX /* no limit */
struct simk_rlimit {
	uint64_t rlim_cur;
	uint64_t rlim_max;
};
/* Stores the limits of resource at rlim: 0, -EINVAL, -EFAULT. */
int simk_getrlimit(int resource, simk_uaddr_t rlim);
/* Sets them from rlim: 0, -EINVAL (resource, cur > max), -EPERM (max
 * raised: a simulated process has no privilege), -EFAULT. */
int simk_setrlimit(int resource, simk_uaddr_t rlim);

#ifdef __cplusplus
}
#endif
#endif

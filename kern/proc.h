/*
 * Processes and threads above the engine: fork (a child process that
 * shares nothing but what subsystems copy in their fork hooks — the VFS
 * duplicates the fd table so open files and offsets are shared), exit with
 * a status, zombies until reaped, wait for a child, thread create / exit /
 * join, and observers for process events (kqueue EVFILT_PROC).
 *
 * There are no address spaces to copy: a forked child runs a given thread
 * body. User memory (kern/umem.h) of the parent is copied to the child.
 *
 * Context: thread context unless noted.
 */
#ifndef SIMK_PROC_H
#define SIMK_PROC_H

#include <stdbool.h>

#include "sim/engine.h"

enum proc_event {
	PROC_EV_FORK, /* arg = child pid */
	PROC_EV_EXEC,
	PROC_EV_EXIT, /* arg = wait(2) status (SIMK_W_*) */
};

/*
 * Exit statuses are wait(2) status words, built as Linux and the BSDs
 * build them (kqueue's NOTE_EXIT data is one too): a process that exited
 * has its exit code in bits 8..15, one killed by a signal has the signal
 * in bits 0..6. So WEXITSTATUS(st) is (st >> 8) & 0xff, WTERMSIG(st) is
 * st & 0x7f, WIFEXITED(st) is WTERMSIG(st) == 0.
 */
#define SIMK_W_EXITED(code) ((int)(((unsigned)(code)&0xffu) << 8))
#define SIMK_W_SIGNALED(sig) ((int)((unsigned)(sig)&0x7fu))
static inline bool simk_wifexited(int st)
{
	return (st & 0x7f) == 0;
}
static inline int simk_wexitstatus(int st)
{
	return (st >> 8) & 0xff;
}
static inline bool simk_wifsignaled(int st)
{
	return (st & 0x7f) != 0 && (st & 0x7f) != 0x7f;
}
static inline int simk_wtermsig(int st)
{
	return st & 0x7f;
}
typedef void (*proc_observer_fn)(struct simk_proc *p, enum proc_event ev, int arg);
void proc_register_observer(proc_observer_fn fn);

/* Hooks run when a process is forked (copy what the child inherits);
 * returns 0 or a negative errno, which fails the fork. */
typedef int (*proc_fork_hook_fn)(struct simk_proc *parent, struct simk_proc *child);
void proc_register_fork_hook(proc_fork_hook_fn fn);

/* Forks the current process; the child's first thread runs fn(arg).
 * Returns the child pid, -EAGAIN / -ENOMEM or a fork hook's errno (the
 * child is then undone through the proc_exit hooks and never runs). */
int proc_fork(const char *name, simk_thread_fn fn, void *arg);
/* Marks the process as having exec'ed (for NOTE_EXEC); no image change. */
void proc_exec(struct simk_proc *p, const char *newname);
/* Ends the current process with status: the other threads get SIGKILL
 * (their interruptible sleeps return -EINTR; they must return), the caller
 * waits until it is the last thread and exits last. Does not return. */
_Noreturn void proc_exit(int status);
/* The calling thread ends because its process got the deadly signal sig
 * (SIGKILL): unless the process is already exiting through proc_exit,
 * the process dies of sig (its wait status says so). The other threads
 * end at their own next check. Does not return. */
_Noreturn void proc_thread_killed(int sig);
/* Waits for a child to exit (pid > 0: that child, otherwise any). Returns
 * the pid and stores its wait(2) status (SIMK_W_*), -ECHILD, or -EINTR.
 * Reaps the child: it is no longer a zombie. */
int proc_wait(int pid, int *status);
/* The same; nohang: 0 at once while the children live (WNOHANG). */
int proc_wait_opts(int pid, int *status, bool nohang);
/* Whether the observers were told of the exit of pid (1 .. the number of
 * processes made), and its status then: an observer made after the exit
 * (kqueue, on first use) learns what it would have seen. */
bool proc_exit_told(int pid, int *status);
/* The wait(2) status of a process that died (0 while it lives). */
int proc_wait_status(const struct simk_proc *p);
/* The process's parent pid (0 for the first processes). */
int proc_ppid(const struct simk_proc *p);
/* Zombie: exited but not reaped by its parent. */
bool proc_is_zombie(const struct simk_proc *p);

/* Threads. p NULL means the kernel process. NULL if p is dead. */
struct simk_thread *kthread_create(struct simk_proc *p, const char *name, simk_thread_fn fn,
				   void *arg, bool daemon);
/* Waits (interruptibly) for t to exit; returns 0 and stores its exit code
 * in *code (if code is not NULL), -EINVAL if t is NULL, the caller or
 * already joined, or -EINTR on a signal (t may then be joined again). */
int kthread_join(struct simk_thread *t, int *code);
/* The kernel process ("kernel"), home of kernel worker threads; made on
 * first use (with the system work queue), any context. */
struct simk_proc *kernel_proc(void);

#endif

/*
 * <sys/event.h>: BSD kqueue for programs run by simk (guest/guest_kqueue.c,
 * the simulated kernel's syscalls/kqueue/, docs/kq.md).
 *
 * The layout of struct kevent is DragonFly BSD's, which is also FreeBSD's
 * before FreeBSD 12 (no ext[] array): ident uintptr_t, filter short, flags
 * unsigned short, fflags unsigned int, data intptr_t, udata void * — 32
 * bytes on x86-64, the kernel's struct simk_kevent. NetBSD (uint32_t
 * filter, intptr_t udata) and macOS (32-bit data) differ: a program
 * written for them that assigns those fields through their own types
 * still compiles, since the C conversions are implicit.
 *
 * Numbers are FreeBSD's; EVFILT_EXCEPT (which FreeBSD lacks) is Darwin's
 * -15 with DragonFly's NOTE_OOB, and EV_HUP / EV_NODATA are DragonFly's.
 * Every name here is one simk implements; names of filters simk does not
 * have (EVFILT_PROCDESC, EVFILT_LIO, EVFILT_SENDFILE, EVFILT_EMPTY) are
 * left undefined, so a program that uses them fails to compile rather
 * than fail at run time.
 *
 * Linux has no <sys/event.h> and glibc defines none of these names, so a
 * BSD program compiles unchanged; this header is self-contained (BSD
 * programs often include <sys/types.h> and <sys/time.h> first, which is
 * harmless), and supplies BSD's u_short & co. where glibc hides them.
 */
#ifndef _SYS_EVENT_H_
#define _SYS_EVENT_H_

#include <stdint.h>
#include <sys/types.h>
#include <time.h> /* struct timespec */

/* BSD's <sys/types.h> always has u_char, u_short, u_int and u_long, and BSD
 * programs declare kevent fields with them; glibc's gives them only with
 * _DEFAULT_SOURCE (not under -std=c11). Same guard as glibc's, so either
 * header may come first. */
#ifndef __u_char_defined
typedef unsigned char u_char;
typedef unsigned short u_short;
typedef unsigned int u_int;
typedef unsigned long u_long;
#define __u_char_defined
#endif

/* filters */
#define EVFILT_READ (-1)    /* ident fd: data = bytes readable */
#define EVFILT_WRITE (-2)   /* ident fd: data = room to write */
#define EVFILT_AIO (-3)	    /* ident aiocb: attached by aio_read/aio_write (SIGEV_KEVENT) */
#define EVFILT_VNODE (-4)   /* ident fd of a file or directory: NOTE_* below */
#define EVFILT_PROC (-5)    /* ident pid: NOTE_EXIT, NOTE_FORK, NOTE_EXEC, NOTE_TRACK */
#define EVFILT_SIGNAL (-6)  /* ident signal number: data = deliveries */
#define EVFILT_TIMER (-7)   /* ident any: data = period (ms unless NOTE_*SECONDS) */
#define EVFILT_FS (-9)	    /* filesystem events (VQ_* in fflags) */
#define EVFILT_USER (-11)   /* ident any: NOTE_TRIGGER and the NOTE_FF* controls */
#define EVFILT_EXCEPT (-15) /* ident fd: NOTE_OOB (Darwin's number) */
#define EVFILT_SYSCOUNT 15

/* actions (flags of a change) */
#define EV_ADD 0x0001	   /* add the event, or modify it */
#define EV_DELETE 0x0002   /* delete it */
#define EV_ENABLE 0x0004   /* return it again */
#define EV_DISABLE 0x0008  /* do not return it (it stays active) */
#define EV_ONESHOT 0x0010  /* delete after the first retrieval */
#define EV_CLEAR 0x0020	   /* reset the state after retrieval */
#define EV_RECEIPT 0x0040  /* report the change itself (EV_ERROR, data 0) */
#define EV_DISPATCH 0x0080 /* disable after each retrieval */
/* returned by the kernel only (stripped from changes) */
#define EV_SYSFLAGS 0xF800
#define EV_HUP 0x0800	 /* with EV_EOF: completely disconnected (DragonFly) */
#define EV_NODATA 0x1000 /* EOF and no data left (DragonFly) */
#define EV_FLAG1 0x2000	 /* kernel-internal */
#define EV_ERROR 0x4000	 /* the change failed: data = errno */
#define EV_EOF 0x8000	 /* end of file, or the object went away */

/* EVFILT_READ, EVFILT_WRITE */
#define NOTE_LOWAT 0x0001 /* data is the low-water mark */
/* EVFILT_EXCEPT */
#define NOTE_OOB 0x0001 /* an out-of-band byte is pending */

/* EVFILT_USER: how fflags of a change combine with the knote's */
#define NOTE_FFNOP 0x00000000u
#define NOTE_FFAND 0x40000000u
#define NOTE_FFOR 0x80000000u
#define NOTE_FFCOPY 0xc0000000u
#define NOTE_FFCTRLMASK 0xc0000000u
#define NOTE_FFLAGSMASK 0x00ffffffu
#define NOTE_TRIGGER 0x01000000u

/* EVFILT_VNODE */
#define NOTE_DELETE 0x0001 /* the last link was removed */
#define NOTE_WRITE 0x0002  /* the contents changed */
#define NOTE_EXTEND 0x0004 /* the size grew */
#define NOTE_ATTRIB 0x0008 /* the attributes changed */
#define NOTE_LINK 0x0010   /* the link count changed */
#define NOTE_RENAME 0x0020 /* renamed */
#define NOTE_REVOKE 0x0040 /* access revoked (unmount) */
#define NOTE_READ 0x0400   /* read from (FreeBSD) */

/* EVFILT_PROC */
#define NOTE_EXIT 0x80000000u /* exited: data = the wait(2) status */
#define NOTE_FORK 0x40000000u /* forked */
#define NOTE_EXEC 0x20000000u /* executed a program */
#define NOTE_PCTRLMASK 0xf0000000u
#define NOTE_PDATAMASK 0x000fffffu
#define NOTE_TRACK 0x00000001u	  /* follow across fork */
#define NOTE_TRACKERR 0x00000002u /* could not follow a child */
#define NOTE_CHILD 0x00000004u	  /* a tracked child: data = the parent's pid */

/* EVFILT_TIMER: the unit of data (milliseconds when none is given) */
#define NOTE_SECONDS 0x00000001u
#define NOTE_MSECONDS 0x00000002u
#define NOTE_USECONDS 0x00000004u
#define NOTE_NSECONDS 0x00000008u

struct kevent {
	uintptr_t ident;      /* what the filter watches: fd, pid, signal, timer id... */
	short filter;	      /* EVFILT_* */
	unsigned short flags; /* EV_* */
	unsigned int fflags;  /* NOTE_* */
	intptr_t data;	      /* filter data */
	void *udata;	      /* returned unchanged */
};

#define EV_SET(kevp, a, b, c, d, e, f)                                                             \
	do {                                                                                       \
		struct kevent *ev_set_p_ = (kevp);                                                 \
		ev_set_p_->ident = (a);                                                            \
		ev_set_p_->filter = (b);                                                           \
		ev_set_p_->flags = (c);                                                            \
		ev_set_p_->fflags = (d);                                                           \
		ev_set_p_->data = (e);                                                             \
		ev_set_p_->udata = (f);                                                            \
	} while (0)

#ifdef __cplusplus
extern "C" {
#endif

/* A new kqueue descriptor, or -1 and errno (EMFILE, ENFILE, ENOMEM). */
int kqueue(void);
/* Applies nchanges changes, then returns up to nevents events; timeout
 * NULL waits forever, {0, 0} polls. The number of events, or -1 and
 * errno. */
int kevent(int kq, const struct kevent *changelist, int nchanges, struct kevent *eventlist,
	   int nevents, const struct timespec *timeout);

#ifdef __cplusplus
}
#endif

#endif /* _SYS_EVENT_H_ */

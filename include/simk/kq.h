/*
 * simk system calls of BSD kqueue, with the filters, flags and the layout
 * of struct kevent in user memory (FreeBSD/DragonFly values). Thread
 * context only; results >= 0 or a negative errno. docs/kq.md.
 */
#ifndef SIMK_INCLUDE_KQ_H
#define SIMK_INCLUDE_KQ_H

#include <stdint.h>

#include "simk/time.h"
#include "simk/umem.h"

#ifdef __cplusplus
extern "C" {
#endif

/* filters */
#define SIMK_EVFILT_READ (-1)
#define SIMK_EVFILT_WRITE (-2)
#define SIMK_EVFILT_AIO (-3)
#define SIMK_EVFILT_VNODE (-4)
#define SIMK_EVFILT_PROC (-5)
#define SIMK_EVFILT_SIGNAL (-6)
#define SIMK_EVFILT_TIMER (-7)
#define SIMK_EVFILT_FS (-9)
#define SIMK_EVFILT_USER (-11)
#define SIMK_EVFILT_EXCEPT (-15)

/* flags */
#define SIMK_EV_ADD 0x0001
#define SIMK_EV_DELETE 0x0002
#define SIMK_EV_ENABLE 0x0004
#define SIMK_EV_DISABLE 0x0008
#define SIMK_EV_ONESHOT 0x0010
#define SIMK_EV_CLEAR 0x0020
#define SIMK_EV_RECEIPT 0x0040
#define SIMK_EV_DISPATCH 0x0080
#define SIMK_EV_NODATA 0x1000
#define SIMK_EV_ERROR 0x4000 /* data: the errno, positive */
#define SIMK_EV_EOF 0x8000

/* filter flags */
#define SIMK_NOTE_LOWAT 0x0001 /* READ/WRITE */
#define SIMK_NOTE_OOB 0x0001   /* EXCEPT */
#define SIMK_NOTE_FFNOP 0x00000000u
#define SIMK_NOTE_FFAND 0x40000000u
#define SIMK_NOTE_FFOR 0x80000000u
#define SIMK_NOTE_FFCOPY 0xc0000000u
#define SIMK_NOTE_FFCTRLMASK 0xc0000000u
#define SIMK_NOTE_FFLAGSMASK 0x00ffffffu
#define SIMK_NOTE_TRIGGER 0x01000000u
#define SIMK_NOTE_DELETE 0x0001 /* VNODE */
#define SIMK_NOTE_WRITE 0x0002
#define SIMK_NOTE_EXTEND 0x0004
#define SIMK_NOTE_ATTRIB 0x0008
#define SIMK_NOTE_LINK 0x0010
#define SIMK_NOTE_RENAME 0x0020
#define SIMK_NOTE_REVOKE 0x0040
#define SIMK_NOTE_READ 0x0400
#define SIMK_NOTE_EXIT 0x80000000u /* PROC */
#define SIMK_NOTE_FORK 0x40000000u
#define SIMK_NOTE_EXEC 0x20000000u
#define SIMK_NOTE_PCTRLMASK 0xf0000000u
#define SIMK_NOTE_PDATAMASK 0x000fffffu
#define SIMK_NOTE_TRACK 0x00000001u
#define SIMK_NOTE_TRACKERR 0x00000002u
#define SIMK_NOTE_CHILD 0x00000004u
#define SIMK_NOTE_SECONDS 0x00000001u /* TIMER */
#define SIMK_NOTE_MSECONDS 0x00000002u
#define SIMK_NOTE_USECONDS 0x00000004u
#define SIMK_NOTE_NSECONDS 0x00000008u

/* struct kevent (32 bytes). */
struct simk_kevent {
	uint64_t ident;	 /* fd, pid, signal, timer id, aiocb address... */
	int16_t filter;	 /* SIMK_EVFILT_* */
	uint16_t flags;	 /* SIMK_EV_* */
	uint32_t fflags; /* SIMK_NOTE_* */
	int64_t data;
	uint64_t udata; /* returned unchanged */
};

int simk_kqueue(void);
/* changelist, eventlist: arrays of struct simk_kevent; timeout: a struct
 * simk_timespec or 0 (wait forever) */
int simk_kevent(int kq, simk_uaddr_t changelist, int nchanges, simk_uaddr_t eventlist, int nevents,
		simk_uaddr_t timeout);

#ifdef __cplusplus
}
#endif
#endif

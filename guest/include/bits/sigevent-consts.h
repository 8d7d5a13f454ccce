/*
 * The SIGEV_* notification types for simk guests (replaces glibc's file
 * of the same name; see bits/types/sigevent_t.h): Linux's values for
 * SIGEV_SIGNAL, SIGEV_NONE and SIGEV_THREAD, and simk's for illumos's
 * SIGEV_PORT and FreeBSD's SIGEV_KEVENT (include/simk/sigevent.h).
 * Linux's SIGEV_THREAD_ID is not offered: simk has no per-thread
 * signal target, and its number is SIGEV_PORT's here.
 */
#ifndef _BITS_SIGEVENT_CONSTS_H
#define _BITS_SIGEVENT_CONSTS_H 1

#define SIGEV_SIGNAL 0
#define SIGEV_NONE 1
#define SIGEV_THREAD 2
#define SIGEV_PORT 4
#define SIGEV_KEVENT 5

#endif

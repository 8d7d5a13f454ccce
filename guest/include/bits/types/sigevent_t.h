/*
 * struct sigevent for simk guests, as simk's kernel reads it
 * (struct simk_sigevent, include/simk/sigevent.h): notify, signal, value,
 * function, then POSIX's thread attributes (FreeBSD's kevent flags share
 * that slot). It replaces glibc's file of the same name: simk-cc's
 * -isystem puts this folder before the host's, so glibc's <signal.h>,
 * <time.h> and <mqueue.h> and simk's <aio.h> all see this one layout,
 * in whatever order a program includes them. The guard is glibc's, so
 * glibc's own copy is never read as well.
 */
#ifndef __sigevent_t_defined
#define __sigevent_t_defined 1

#include <bits/types/__sigval_t.h>

#ifndef __have_pthread_attr_t
typedef union pthread_attr_t pthread_attr_t;
#define __have_pthread_attr_t 1
#endif

typedef struct sigevent {
	int sigev_notify; /* SIGEV_NONE, SIGEV_THREAD, SIGEV_PORT, SIGEV_KEVENT... */
	int sigev_signo;  /* SIGEV_SIGNAL's signal; SIGEV_KEVENT's kqueue */
	__sigval_t sigev_value;
	void (*sigev_notify_function)(__sigval_t); /* SIGEV_THREAD */
	union {
		pthread_attr_t *__attributes;	 /* SIGEV_THREAD: accepted, not used */
		unsigned short __kevent_flags;	 /* SIGEV_KEVENT: accepted, not used */
		unsigned long long __align;
	} __sigev_un;
} sigevent_t;

#define sigev_notify_attributes __sigev_un.__attributes
/* FreeBSD's names for SIGEV_KEVENT */
#define sigev_notify_kqueue sigev_signo
#define sigev_notify_kevent_flags __sigev_un.__kevent_flags

#endif

/*
 * The table of every library name a guest program may import, and what
 * simk does with it (guest_calls.c). It is the one source of truth for:
 *  - the link (simk-cc): every GC_WRAP name is renamed __wrap_<name> with
 *    ld --wrap (build/share/simk/guest.wrap, made by guest_calls_list);
 *  - the load check (guest_load.c): every symbol the guest imports must be
 *    a GC_WRAP (as __wrap_<name>), a GC_HOOK or a GC_LIBC name; anything
 *    else — a GC_REFUSE name or a name simk does not know — stops the load
 *    with a message naming it and pointing to docs/guest.md;
 *  - docs/guest.md's table of supported calls (tests/py/test_guest_docs.py
 *    checks that every row is there).
 *
 * Adding a call: see /work/tmp/notes/guest.md and docs/guest.md ("Adding
 * a call"): a row here, its __wrap_ function in the guest_<family>.c of
 * its header, a test program under tests/guest/.
 */
#ifndef SIMK_GUEST_CALLS_H
#define SIMK_GUEST_CALLS_H

#include <stdbool.h>

enum guest_call_kind {
	GC_WRAP = 1, /* the runtime implements it (__wrap_<name>) */
	GC_LIBC,     /* libc's own: pure, no state simk must control */
	GC_HOOK,     /* the runtime defines it under its own name (compiler hooks) */
	GC_REFUSE,   /* simk cannot control it: the load fails with `note` */
};

struct guest_call {
	const char *name;
	const char *family; /* the header: "stdio.h", "pthread.h" */
	enum guest_call_kind kind;
	const char *note; /* difference from Linux, or why it is refused */
	void (*fn)(void); /* GC_WRAP: __wrap_<name> (it links the family in) */
	const void *data; /* GC_WRAP of a variable (stdout): __wrap_<name> */
};

/* A row of a family's table, in the family's file (which defines FAMILY,
 * its header's name). */
#define GUEST_WRAP(name, note)                                                                     \
	{                                                                                          \
#name, FAMILY, GC_WRAP, note, (void (*)(void))__wrap_##name, NULL                  \
	}
#define GUEST_WRAP_DATA(name, note)                                                                \
	{                                                                                          \
#name, FAMILY, GC_WRAP, note, NULL, &__wrap_##name                                 \
	}
#define GUEST_NCALLS(table) ((int)(sizeof(table) / sizeof((table)[0])))

/* The families (one file each). */
#define GUEST_FAMILY(f)                                                                            \
	extern const struct guest_call guest_calls_##f[];                                          \
	extern const int guest_calls_##f##_n
GUEST_FAMILY(stdio);
GUEST_FAMILY(stdlib);
GUEST_FAMILY(heap);
GUEST_FAMILY(string);
GUEST_FAMILY(unistd);
GUEST_FAMILY(fcntl);
GUEST_FAMILY(ipc);
GUEST_FAMILY(time);
GUEST_FAMILY(ptimer);
GUEST_FAMILY(pthread);
GUEST_FAMILY(sync);
GUEST_FAMILY(tls);
GUEST_FAMILY(libaio);
GUEST_FAMILY(eventfd);
GUEST_FAMILY(kqueue);
GUEST_FAMILY(port);
GUEST_FAMILY(aio);
GUEST_FAMILY(proc);
GUEST_FAMILY(signal);
GUEST_FAMILY(mount);

int guest_call_count(void);
const struct guest_call *guest_call_at(int i);
/* By exact name, or NULL. */
const struct guest_call *guest_call_find(const char *name);

#endif

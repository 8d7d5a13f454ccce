/*
 * Every library name a guest may import (guest_calls.h): the runtime's
 * families — one table per header family, next to its functions
 * (guest_stdio.c, guest_unistd.c...) — and here the names libc keeps
 * (pure functions), the compiler hooks the runtime defines, and the names
 * simk refuses with the reason the load check prints.
 *
 * A libc function is GC_LIBC only if its result depends on nothing but
 * its arguments and the memory they point to: no file, no clock, no
 * environment, no host state that differs between runs or machines, no
 * allocation (the guest would free libc's memory with the guest's free).
 */
#include <stddef.h>
#include <string.h>
#include <sys/uio.h>
#include <poll.h>

#include "guest/guest.h"
#include "simk/vfs.h"

/* The layouts the runtime passes to the kernel unconverted. */
_Static_assert(sizeof(struct iovec) == sizeof(struct simk_iovec) &&
		   offsetof(struct iovec, iov_len) == offsetof(struct simk_iovec, iov_len),
	       "struct iovec is struct simk_iovec");
_Static_assert(sizeof(struct pollfd) == sizeof(struct simk_pollfd) &&
		   offsetof(struct pollfd, revents) == offsetof(struct simk_pollfd, revents),
	       "struct pollfd is struct simk_pollfd");

#define LIBC(name, family, note)                                                                   \
	{                                                                                          \
#name, family, GC_LIBC, note, NULL, NULL                                           \
	}
#define HOOK(name, note)                                                                           \
	{                                                                                          \
#name, "compiler hook", GC_HOOK, note, NULL, NULL                                  \
	}
#define REFUSE(name, family, why)                                                                  \
	{                                                                                          \
#name, family, GC_REFUSE, why, NULL, NULL                                          \
	}

static const struct guest_call libc_calls[] = {
    /* <string.h> */
    LIBC(memcpy, "string.h", ""),
    LIBC(memmove, "string.h", ""),
    LIBC(memset, "string.h", ""),
    LIBC(memcmp, "string.h", ""),
    LIBC(memchr, "string.h", ""),
    LIBC(memrchr, "string.h", ""),
    LIBC(memmem, "string.h", ""),
    LIBC(memccpy, "string.h", ""),
    LIBC(mempcpy, "string.h", ""),
    LIBC(strlen, "string.h", ""),
    LIBC(strnlen, "string.h", ""),
    LIBC(strcpy, "string.h", ""),
    LIBC(strncpy, "string.h", ""),
    LIBC(stpcpy, "string.h", ""),
    LIBC(stpncpy, "string.h", ""),
    LIBC(strcat, "string.h", ""),
    LIBC(strncat, "string.h", ""),
    LIBC(strcmp, "string.h", ""),
    LIBC(strncmp, "string.h", ""),
    LIBC(strcasecmp, "string.h", ""),
    LIBC(strncasecmp, "string.h", ""),
    LIBC(strcoll, "string.h", "the C locale"),
    LIBC(strxfrm, "string.h", ""),
    LIBC(strchr, "string.h", ""),
    LIBC(strrchr, "string.h", ""),
    LIBC(strchrnul, "string.h", ""),
    LIBC(strstr, "string.h", ""),
    LIBC(strcasestr, "string.h", ""),
    LIBC(strspn, "string.h", ""),
    LIBC(strcspn, "string.h", ""),
    LIBC(strpbrk, "string.h", ""),
    LIBC(strsep, "string.h", ""),
    LIBC(strtok_r, "string.h", ""),
    LIBC(strerror, "string.h", ""),
    LIBC(strerror_r, "string.h", ""),
    LIBC(__xpg_strerror_r, "string.h", ""),
    LIBC(strerrorname_np, "string.h", ""),
    LIBC(strsignal, "string.h", ""),
    LIBC(bzero, "string.h", ""),
    LIBC(explicit_bzero, "string.h", ""),
    LIBC(bcmp, "string.h", ""),
    LIBC(ffs, "string.h", ""),
    LIBC(basename, "string.h", ""),
    LIBC(__xpg_basename, "libgen.h", ""),
    LIBC(dirname, "libgen.h", ""),
    LIBC(__memcpy_chk, "string.h", "_FORTIFY_SOURCE"),
    LIBC(__memmove_chk, "string.h", "_FORTIFY_SOURCE"),
    LIBC(__memset_chk, "string.h", "_FORTIFY_SOURCE"),
    LIBC(__strcpy_chk, "string.h", "_FORTIFY_SOURCE"),
    LIBC(__strncpy_chk, "string.h", "_FORTIFY_SOURCE"),
    LIBC(__strcat_chk, "string.h", "_FORTIFY_SOURCE"),
    LIBC(__strncat_chk, "string.h", "_FORTIFY_SOURCE"),
    LIBC(__stpcpy_chk, "string.h", "_FORTIFY_SOURCE"),
    LIBC(__mempcpy_chk, "string.h", "_FORTIFY_SOURCE"),
    /* <stdio.h>: formatting into memory */
    LIBC(snprintf, "stdio.h", "%p prints the host pointer"),
    LIBC(sprintf, "stdio.h", ""),
    LIBC(vsnprintf, "stdio.h", ""),
    LIBC(vsprintf, "stdio.h", ""),
    LIBC(sscanf, "stdio.h", ""),
    LIBC(vsscanf, "stdio.h", ""),
    LIBC(__isoc99_sscanf, "stdio.h", ""),
    LIBC(__isoc99_vsscanf, "stdio.h", ""),
    LIBC(__snprintf_chk, "stdio.h", "_FORTIFY_SOURCE"),
    LIBC(__sprintf_chk, "stdio.h", "_FORTIFY_SOURCE"),
    LIBC(__vsnprintf_chk, "stdio.h", "_FORTIFY_SOURCE"),
    LIBC(__vsprintf_chk, "stdio.h", "_FORTIFY_SOURCE"),
    /* <stdlib.h> */
    LIBC(abs, "stdlib.h", ""),
    LIBC(labs, "stdlib.h", ""),
    LIBC(llabs, "stdlib.h", ""),
    LIBC(div, "stdlib.h", ""),
    LIBC(ldiv, "stdlib.h", ""),
    LIBC(lldiv, "stdlib.h", ""),
    LIBC(atoi, "stdlib.h", ""),
    LIBC(atol, "stdlib.h", ""),
    LIBC(atoll, "stdlib.h", ""),
    LIBC(atof, "stdlib.h", ""),
    LIBC(strtol, "stdlib.h", ""),
    LIBC(strtoul, "stdlib.h", ""),
    LIBC(strtoll, "stdlib.h", ""),
    LIBC(strtoull, "stdlib.h", ""),
    LIBC(strtod, "stdlib.h", ""),
    LIBC(strtof, "stdlib.h", ""),
    LIBC(strtold, "stdlib.h", ""),
    LIBC(strtoimax, "inttypes.h", ""),
    LIBC(strtoumax, "inttypes.h", ""),
    LIBC(__isoc23_strtol, "stdlib.h", ""),
    LIBC(__isoc23_strtoul, "stdlib.h", ""),
    LIBC(__isoc23_strtoll, "stdlib.h", ""),
    LIBC(__isoc23_strtoull, "stdlib.h", ""),
    LIBC(qsort, "stdlib.h", "the comparison runs in the calling thread"),
    LIBC(qsort_r, "stdlib.h", ""),
    LIBC(bsearch, "stdlib.h", ""),
    LIBC(rand_r, "stdlib.h", "its state is the caller's"),
    /* <ctype.h> */
    LIBC(__ctype_b_loc, "ctype.h", "the C locale"),
    LIBC(__ctype_tolower_loc, "ctype.h", ""),
    LIBC(__ctype_toupper_loc, "ctype.h", ""),
    LIBC(tolower, "ctype.h", ""),
    LIBC(toupper, "ctype.h", ""),
    LIBC(isalpha, "ctype.h", ""),
    LIBC(isdigit, "ctype.h", ""),
    LIBC(isalnum, "ctype.h", ""),
    LIBC(isspace, "ctype.h", ""),
    LIBC(isupper, "ctype.h", ""),
    LIBC(islower, "ctype.h", ""),
    LIBC(isxdigit, "ctype.h", ""),
    LIBC(isprint, "ctype.h", ""),
    LIBC(ispunct, "ctype.h", ""),
    /* <time.h>: conversions of values the guest already has */
    LIBC(gmtime, "time.h", ""),
    LIBC(gmtime_r, "time.h", ""),
    LIBC(timegm, "time.h", ""),
    LIBC(asctime, "time.h", ""),
    LIBC(asctime_r, "time.h", ""),
    LIBC(difftime, "time.h", ""),
    LIBC(strftime, "time.h", "the C locale; %Z of gmtime is GMT"),
    /* <setjmp.h>: within one thread's stack */
    LIBC(setjmp, "setjmp.h", ""),
    LIBC(_setjmp, "setjmp.h", ""),
    LIBC(__sigsetjmp, "setjmp.h", ""),
    LIBC(longjmp, "setjmp.h", ""),
    LIBC(_longjmp, "setjmp.h", ""),
    LIBC(siglongjmp, "setjmp.h", ""),
    LIBC(__longjmp_chk, "setjmp.h", "_FORTIFY_SOURCE"),
    /* <pthread.h> */
    LIBC(pthread_equal, "pthread.h", ""),
    /* <signal.h>: signal sets are the caller's memory */
    LIBC(sigemptyset, "signal.h", ""),
    LIBC(sigfillset, "signal.h", "leaves out 32 and 33, as glibc does"),
    LIBC(sigaddset, "signal.h", "EINVAL for 0, > 64, 32 and 33 (glibc's)"),
    LIBC(sigdelset, "signal.h", ""),
    LIBC(sigismember, "signal.h", ""),
    LIBC(sigisemptyset, "signal.h", ""),
    LIBC(sigorset, "signal.h", ""),
    LIBC(sigandset, "signal.h", ""),
    /* <math.h> (libm) */
    LIBC(sqrt, "math.h", ""),
    LIBC(sqrtf, "math.h", ""),
    LIBC(pow, "math.h", ""),
    LIBC(powf, "math.h", ""),
    LIBC(exp, "math.h", ""),
    LIBC(expf, "math.h", ""),
    LIBC(log, "math.h", ""),
    LIBC(logf, "math.h", ""),
    LIBC(log2, "math.h", ""),
    LIBC(log10, "math.h", ""),
    LIBC(sin, "math.h", ""),
    LIBC(cos, "math.h", ""),
    LIBC(tan, "math.h", ""),
    LIBC(atan, "math.h", ""),
    LIBC(atan2, "math.h", ""),
    LIBC(floor, "math.h", ""),
    LIBC(ceil, "math.h", ""),
    LIBC(round, "math.h", ""),
    LIBC(trunc, "math.h", ""),
    LIBC(fabs, "math.h", ""),
    LIBC(fmod, "math.h", ""),
    LIBC(fmin, "math.h", ""),
    LIBC(fmax, "math.h", ""),
    LIBC(lround, "math.h", ""),
    LIBC(llround, "math.h", ""),
};

static const struct guest_call hook_calls[] = {
    HOOK(__tsan_init, "no ThreadSanitizer runtime: simk's hooks"),
    HOOK(__tsan_func_entry, "guest frames for crash reports"),
    HOOK(__tsan_func_exit, ""),
    HOOK(__tsan_read1, "with --race: a switch point on shared memory"),
    HOOK(__tsan_read2, ""),
    HOOK(__tsan_read4, ""),
    HOOK(__tsan_read8, ""),
    HOOK(__tsan_read16, ""),
    HOOK(__tsan_write1, ""),
    HOOK(__tsan_write2, ""),
    HOOK(__tsan_write4, ""),
    HOOK(__tsan_write8, ""),
    HOOK(__tsan_write16, ""),
    HOOK(__tsan_unaligned_read1, ""),
    HOOK(__tsan_unaligned_read2, ""),
    HOOK(__tsan_unaligned_read4, ""),
    HOOK(__tsan_unaligned_read8, ""),
    HOOK(__tsan_unaligned_read16, ""),
    HOOK(__tsan_unaligned_write1, ""),
    HOOK(__tsan_unaligned_write2, ""),
    HOOK(__tsan_unaligned_write4, ""),
    HOOK(__tsan_unaligned_write8, ""),
    HOOK(__tsan_unaligned_write16, ""),
    HOOK(__tsan_volatile_read1, ""),
    HOOK(__tsan_volatile_read2, ""),
    HOOK(__tsan_volatile_read4, ""),
    HOOK(__tsan_volatile_read8, ""),
    HOOK(__tsan_volatile_read16, ""),
    HOOK(__tsan_volatile_write1, ""),
    HOOK(__tsan_volatile_write2, ""),
    HOOK(__tsan_volatile_write4, ""),
    HOOK(__tsan_volatile_write8, ""),
    HOOK(__tsan_volatile_write16, ""),
    HOOK(__tsan_read_range, ""),
    HOOK(__tsan_write_range, ""),
    HOOK(__tsan_memcpy, "clang"),
    HOOK(__tsan_memmove, "clang"),
    HOOK(__tsan_memset, "clang"),
    HOOK(__tsan_vptr_update, ""),
    HOOK(__tsan_vptr_read, ""),
#define ATOMIC_HOOKS(b)                                                                            \
	HOOK(__tsan_atomic##b##_load, "<stdatomic.h>: always a switch point"),                     \
	    HOOK(__tsan_atomic##b##_store, ""), HOOK(__tsan_atomic##b##_exchange, ""),             \
	    HOOK(__tsan_atomic##b##_fetch_add, ""), HOOK(__tsan_atomic##b##_fetch_sub, ""),        \
	    HOOK(__tsan_atomic##b##_fetch_and, ""), HOOK(__tsan_atomic##b##_fetch_or, ""),         \
	    HOOK(__tsan_atomic##b##_fetch_xor, ""), HOOK(__tsan_atomic##b##_fetch_nand, ""),       \
	    HOOK(__tsan_atomic##b##_compare_exchange_strong, ""),                                  \
	    HOOK(__tsan_atomic##b##_compare_exchange_weak, "never fails spuriously"),              \
	    HOOK(__tsan_atomic##b##_compare_exchange_val, "")
    ATOMIC_HOOKS(8),
    ATOMIC_HOOKS(16),
    ATOMIC_HOOKS(32),
    ATOMIC_HOOKS(64),
    HOOK(__tsan_atomic_thread_fence, "a switch point"),
    HOOK(__tsan_atomic_signal_fence, ""),
    HOOK(__sanitizer_cov_trace_pc, "the spin budget: a loop without switch points fails"),
};

static const struct guest_call refused_calls[] = {
    REFUSE(syscall, "unistd.h", "a raw system call would reach the host's kernel"),
    REFUSE(clone, "sched.h", "a host thread would run outside the simulation (use pthread_create)"),
    REFUSE(clone3, "sched.h", "a host thread would run outside the simulation"),
    REFUSE(vfork, "unistd.h", "a host process would run outside the simulation"),
    REFUSE(execve, "unistd.h", "runs a host program"),
    REFUSE(execv, "unistd.h", "runs a host program"),
    REFUSE(execvp, "unistd.h", "runs a host program"),
    REFUSE(execl, "unistd.h", "runs a host program"),
    REFUSE(execlp, "unistd.h", "runs a host program"),
    REFUSE(system, "stdlib.h", "runs a host program"),
    REFUSE(popen, "stdio.h", "runs a host program"),
    REFUSE(dlopen, "dlfcn.h", "loads host code simk cannot see"),
    REFUSE(dlsym, "dlfcn.h", "finds host code simk cannot see"),
    REFUSE(mmap, "sys/mman.h", "not simulated: use malloc"),
    REFUSE(fopen, "stdio.h", "not supported yet: use open, read, write"),
    REFUSE(pthread_cancel, "pthread.h", "cancellation is not supported"),
    REFUSE(getopt, "unistd.h", "not supported yet (its state is libc's, shared by every run)"),
};

struct family_table {
	const struct guest_call *rows;
	const int *n;
};

static const struct family_table families[] = {
    {guest_calls_stdio, &guest_calls_stdio_n},
    {guest_calls_stdlib, &guest_calls_stdlib_n},
    {guest_calls_heap, &guest_calls_heap_n},
    {guest_calls_string, &guest_calls_string_n},
    {guest_calls_unistd, &guest_calls_unistd_n},
    {guest_calls_fcntl, &guest_calls_fcntl_n},
    {guest_calls_ipc, &guest_calls_ipc_n},
    {guest_calls_time, &guest_calls_time_n},
    {guest_calls_ptimer, &guest_calls_ptimer_n},
    {guest_calls_pthread, &guest_calls_pthread_n},
    {guest_calls_sync, &guest_calls_sync_n},
    {guest_calls_tls, &guest_calls_tls_n},
    {guest_calls_libaio, &guest_calls_libaio_n},
    {guest_calls_eventfd, &guest_calls_eventfd_n},
    {guest_calls_kqueue, &guest_calls_kqueue_n},
    {guest_calls_port, &guest_calls_port_n},
    {guest_calls_aio, &guest_calls_aio_n},
    {guest_calls_proc, &guest_calls_proc_n},
    {guest_calls_signal, &guest_calls_signal_n},
    {guest_calls_mount, &guest_calls_mount_n},
    {libc_calls, NULL},
    {hook_calls, NULL},
    {refused_calls, NULL},
};

#define NCALLS_OF(a) ((int)(sizeof(a) / sizeof((a)[0])))

static int rows_of(const struct family_table *f)
{
	if (f->n != NULL)
		return *f->n;
	if (f->rows == libc_calls)
		return NCALLS_OF(libc_calls);
	if (f->rows == hook_calls)
		return NCALLS_OF(hook_calls);
	return NCALLS_OF(refused_calls);
}

int guest_call_count(void)
{
	int n = 0;
	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++)
		n += rows_of(&families[i]);
	return n;
}

const struct guest_call *guest_call_at(int i)
{
	for (size_t f = 0; f < sizeof(families) / sizeof(families[0]) && i >= 0; f++) {
		int n = rows_of(&families[f]);
		if (i < n)
			return &families[f].rows[i];
		i -= n;
	}
	return NULL;
}

const struct guest_call *guest_call_find(const char *name)
{
	int n = guest_call_count();
	for (int i = 0; i < n; i++) {
		const struct guest_call *c = guest_call_at(i);
		if (strcmp(c->name, name) == 0)
			return c;
	}
	return NULL;
}

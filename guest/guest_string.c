/*
 * <string.h> for guests: the few string functions that allocate or keep
 * state. Everything else in <string.h> (memcpy, strlen, strcmp...) is
 * libc's own (GC_LIBC in guest_calls.c): pure functions of their
 * arguments. strdup must come from the guest's heap so the guest can free
 * it; strtok's position must be the run's, not the host process's.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "guest/guest.h"

#define FAMILY "string.h"

static char *dup_n(const char *call, const char *s, size_t n, uintptr_t site)
{
	struct guest_thread *gt = guest_self(call);
	struct guest_run *r = guest_run_of(gt);
	size_t len = strnlen(s, n);
	char *d = r != NULL ? guest_heap_alloc(r, len + 1, 16, site) : NULL;
	if (d == NULL) {
		gt->err = ENOMEM;
		return NULL;
	}
	memcpy(d, s, len);
	d[len] = '\0';
	return d;
}

#define SITE ((uintptr_t)__builtin_return_address(0))

char *__wrap_strdup(const char *s)
{
	return dup_n("strdup", s, SIZE_MAX, SITE);
}

char *__wrap___strdup(const char *s)
{
	return dup_n("strdup", s, SIZE_MAX, SITE);
}

char *__wrap_strndup(const char *s, size_t n)
{
	return dup_n("strndup", s, n, SITE);
}

char *__wrap___strndup(const char *s, size_t n)
{
	return dup_n("strndup", s, n, SITE);
}

char *__wrap_strtok(char *s, const char *delim)
{
	struct guest_run *r = guest_run_of(guest_self("strtok"));
	if (r == NULL)
		return NULL;
	return strtok_r(s, delim, &r->strtok_save);
}

static int vasprintf_at(const char *call, char **out, const char *fmt, va_list ap, uintptr_t site)
{
	struct guest_thread *gt = guest_self(call);
	struct guest_run *r = guest_run_of(gt);
	va_list again;
	va_copy(again, ap);
	int n = vsnprintf(NULL, 0, fmt, ap);
	char *b = n >= 0 && r != NULL ? guest_heap_alloc(r, (size_t)n + 1, 16, site) : NULL;
	if (b == NULL) {
		va_end(again);
		gt->err = ENOMEM;
		return -1;
	}
	vsnprintf(b, (size_t)n + 1, fmt, again);
	va_end(again);
	*out = b;
	return n;
}

int __wrap_vasprintf(char **out, const char *fmt, va_list ap)
{
	return vasprintf_at("vasprintf", out, fmt, ap, SITE);
}

int __wrap_asprintf(char **out, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf_at("asprintf", out, fmt, ap, SITE);
	va_end(ap);
	return n;
}

const struct guest_call guest_calls_string[] = {
    GUEST_WRAP(strdup, "from the guest's heap"),
    GUEST_WRAP(__strdup, "from the guest's heap"),
    GUEST_WRAP(strndup, "from the guest's heap"),
    GUEST_WRAP(__strndup, "from the guest's heap"),
    GUEST_WRAP(strtok, "its position is the run's (one for every thread, as in libc)"),
    GUEST_WRAP(asprintf, "from the guest's heap"),
    GUEST_WRAP(vasprintf, "from the guest's heap"),
};
const int guest_calls_string_n = GUEST_NCALLS(guest_calls_string);

/*
 * Prints the guest runtime's table of calls (guest/guest_calls.h) for the
 * tools that need it outside simk: `make` writes, from it,
 *   share/simk/guest.wrap       one --wrap=NAME per runtime function (ld
 *                               options for simk-cc and simk-guest.pc)
 *   share/simk/guest-calls.txt  NAME KIND FAMILY NOTE, tab-separated (the
 *                               link check of simk-cc, docs/guest.md)
 * Usage: guest-calls-list wrap|table
 */
#include <stdio.h>
#include <string.h>

#include "guest/guest_calls.h"

static const char *kind_name(enum guest_call_kind k)
{
	switch (k) {
	case GC_WRAP:
		return "wrap";
	case GC_LIBC:
		return "libc";
	case GC_HOOK:
		return "hook";
	case GC_REFUSE:
		return "refuse";
	}
	return "?";
}

int main(int argc, char **argv)
{
	if (argc != 2 || (strcmp(argv[1], "wrap") != 0 && strcmp(argv[1], "table") != 0)) {
		fprintf(stderr, "usage: %s wrap|table\n", argv[0]);
		return 2;
	}
	bool wrap = strcmp(argv[1], "wrap") == 0;
	for (int i = 0; i < guest_call_count(); i++) {
		const struct guest_call *c = guest_call_at(i);
		if (wrap && c->kind == GC_WRAP)
			printf("--wrap=%s\n", c->name);
		else if (!wrap)
			printf("%s\t%s\t%s\t%s\n", c->name, kind_name(c->kind), c->family, c->note);
	}
	return fflush(stdout) == 0 ? 0 : 1;
}

/* The guest's own bugs: a NULL dereference (no argument) and a loop that
 * makes no call (argument "spin"). Each ends the run as a failure with the
 * line; simk goes on. */
#include <stdio.h>
#include <string.h>

int *volatile nowhere;

int main(int argc, char **argv)
{
	puts("before the bug");
	if (argc > 1 && strcmp(argv[1], "spin") == 0) {
		volatile unsigned n = 0;
		for (;;)
			n++; /* spins here */
	}
	return *nowhere; /* crashes here */
}

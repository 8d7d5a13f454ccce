/* The guest's own bugs: a NULL dereference (no argument), a loop that
 * makes no call (argument "spin"), and reading the host's /proc (argument
 * "proc"). Each ends the run as a failure with the line; simk goes on. */
#include <fcntl.h>
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
	if (argc > 1 && strcmp(argv[1], "proc") == 0)
		return open("/proc/self/status", O_RDONLY); /* refused here */
	return *nowhere; /* crashes here */
}

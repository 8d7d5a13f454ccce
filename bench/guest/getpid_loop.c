/* getpid() argv[1] times: the guest_syscall benchmark's program (the cost
 * of one guest system call, from the difference of two run lengths). */
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 0;
	pid_t sum = 0;
	for (long i = 0; i < n; i++)
		sum += getpid();
	return n > 0 && sum == 0 ? 1 : 0;
}

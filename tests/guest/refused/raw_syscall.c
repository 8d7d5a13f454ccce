/* A raw system call bypasses the simulation: simk-cc refuses to link it. */
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
	return (int)syscall(SYS_getpid);
}

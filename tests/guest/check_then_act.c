/* Check-then-act on a file: each thread creates /lock when stat() says it
 * is not there (without O_EXCL), so both can believe they own it. */
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

static atomic_int owners;

static void *take(void *arg)
{
	(void)arg;
	struct stat st;
	if (stat("/lock", &st) != 0) {
		int fd = open("/lock", O_CREAT | O_WRONLY, 0644); /* the bug: no O_EXCL */
		if (fd >= 0) {
			atomic_fetch_add(&owners, 1);
			close(fd);
		}
	}
	return NULL;
}

int main(void)
{
	pthread_t a, b;
	pthread_create(&a, NULL, take, NULL);
	pthread_create(&b, NULL, take, NULL);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	printf("owners = %d\n", atomic_load(&owners));
	return atomic_load(&owners) == 1 ? 0 : 1;
}

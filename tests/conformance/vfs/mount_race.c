/*
 * Two threads mount the same disk on two directories at once, as two
 * administrators might: one mount wins, the other is EBUSY (a device
 * carries one mounted filesystem), whatever the interleaving, and the
 * disk is formatted once: a file made through the winner is still there
 * when the disk is mounted again by the other path.
 */
#include <fcntl.h>
#include <pthread.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

static int result[2], err[2];
static const char *const dirs[2] = {"/a", "/b"};

static void *mounter(void *arg)
{
	int i = (int)(intptr_t)arg;
	result[i] = mount("/dev/sdb", dirs[i], "simfs", 0, NULL);
	err[i] = errno;
	return NULL;
}

int main(void)
{
	CHECK(mkdir("/a", 0755) == 0 && mkdir("/b", 0755) == 0);
	pthread_t t[2];
	for (int i = 0; i < 2; i++)
		CHECK(pthread_create(&t[i], NULL, mounter, (void *)(intptr_t)i) == 0);
	for (int i = 0; i < 2; i++)
		CHECK(pthread_join(t[i], NULL) == 0);
	int won = result[0] == 0 ? 0 : 1, lost = 1 - won;
	CHECK(result[won] == 0);
	CHECK(result[lost] == -1 && err[lost] == EBUSY);

	char path[16];
	snprintf(path, sizeof(path), "%s/kept", dirs[won]);
	int fd = open(path, O_CREAT | O_RDWR, 0644);
	CHECK(fd >= 0 && write(fd, "x", 1) == 1 && close(fd) == 0);
	CHECK(umount(dirs[won]) == 0);

	CHECK(mount("/dev/sdb", dirs[lost], "simfs", 0, NULL) == 0);
	snprintf(path, sizeof(path), "%s/kept", dirs[lost]);
	struct stat st;
	CHECK(stat(path, &st) == 0 && st.st_size == 1);
	CHECK(umount(dirs[lost]) == 0);
	printf("ok\n");
	return 0;
}

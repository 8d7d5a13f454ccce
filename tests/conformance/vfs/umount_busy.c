/*
 * umount(2) of a busy filesystem is EBUSY, as on Linux without
 * MNT_DETACH: while a file of it is open, while another filesystem is
 * mounted on one of its directories, and always for "/" (the process's
 * root). Once the file is closed and the inner mount gone, it succeeds.
 */
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
	CHECK(mkdir("/mnt", 0755) == 0);
	CHECK(mount("/dev/sdb", "/mnt", "simfs", 0, NULL) == 0);
	int fd = open("/mnt/f", O_CREAT | O_RDWR, 0644);
	CHECK(fd >= 0);
	CHECK_ERR(umount("/mnt"), EBUSY);
	CHECK_ERR(umount2("/mnt", MNT_FORCE), EBUSY);
	CHECK(write(fd, "x", 1) == 1);
	CHECK(close(fd) == 0);

	/* a filesystem mounted inside another holds the outer one */
	CHECK(mkdir("/mnt/inner", 0755) == 0);
	CHECK(mount("/dev/sdc", "/mnt/inner", "simfs", 0, NULL) == 0);
	CHECK_ERR(umount("/mnt"), EBUSY);
	/* a mount point is busy to rmdir too */
	CHECK_ERR(rmdir("/mnt/inner"), EBUSY);
	CHECK(umount("/mnt/inner") == 0);
	CHECK(umount("/mnt") == 0);

	CHECK_ERR(umount("/"), EBUSY);
	CHECK_ERR(umount2("/", MNT_FORCE), EBUSY);
	/* "/" still works */
	fd = open("/still", O_CREAT | O_RDWR, 0644);
	CHECK(fd >= 0 && close(fd) == 0);
	printf("ok\n");
	return 0;
}

/*
 * What the other name calls do at a mount point and across filesystems,
 * as Linux does: rename and link between two filesystems are EXDEV, the
 * mount point is busy to rmdir and rename (EBUSY), unlink of it is EISDIR,
 * mkdir of it EEXIST; a directory that is open or holds files may be
 * mounted on (its entries stay, hidden) and the descriptor opened before
 * the mount still reads the covered directory's file.
 */
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
	CHECK(mkdir("/mnt", 0755) == 0);
	int under = open("/mnt/under", O_CREAT | O_RDWR, 0644);
	CHECK(under >= 0);
	CHECK(write(under, "old", 3) == 3);
	CHECK(mount("/dev/sdb", "/mnt", "simfs", 0, NULL) == 0);

	int fd = open("/mnt/over", O_CREAT | O_RDWR, 0644);
	CHECK(fd >= 0 && close(fd) == 0);
	CHECK_ERR(rename("/mnt/over", "/over"), EXDEV);
	CHECK_ERR(link("/mnt/over", "/over"), EXDEV);
	CHECK_ERR(rmdir("/mnt"), EBUSY);
	CHECK(mkdir("/elsewhere", 0755) == 0);
	CHECK_ERR(rename("/mnt", "/moved"), EBUSY);
	CHECK_ERR(rename("/elsewhere", "/mnt"), EBUSY);
	CHECK_ERR(unlink("/mnt"), EISDIR);
	CHECK_ERR(mkdir("/mnt", 0755), EEXIST);
	/* inside one filesystem, rename works as usual */
	CHECK(rename("/mnt/over", "/mnt/over2") == 0);

	/* the descriptor opened before the mount keeps the covered file */
	char buf[4] = {0};
	CHECK(pread(under, buf, 3, 0) == 3 && memcmp(buf, "old", 3) == 0);
	CHECK(close(under) == 0);
	CHECK(umount("/mnt") == 0);
	struct stat st;
	CHECK(stat("/mnt/under", &st) == 0 && st.st_size == 3);
	CHECK_ERR(stat("/mnt/over2", &st), ENOENT);
	printf("ok\n");
	return 0;
}

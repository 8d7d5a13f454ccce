/*
 * mount(2)'s data argument for simfs: the options `simk run --fs` takes
 * (block=, inodes=, cache=, flush_delay_us=), comma-separated as Linux
 * filesystems take theirs. The block size shows in st_blksize; a
 * filesystem of few inodes runs out (ENOSPC); a bad key or value is
 * EINVAL. The geometry (block, inodes) is the format's: a later mount
 * recovers the disk as it was made, whatever its data says.
 */
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
	CHECK(mkdir("/mnt", 0755) == 0);
	CHECK_ERR(mount("/dev/sdb", "/mnt", "simfs", 0, "block=1024,colour=red"), EINVAL);
	CHECK_ERR(mount("/dev/sdb", "/mnt", "simfs", 0, "block"), EINVAL);
	CHECK_ERR(mount("/dev/sdb", "/mnt", "simfs", 0, "inodes=many"), EINVAL);
	CHECK(mount("/dev/sdb", "/mnt", "simfs", 0, "block=1024,inodes=8") == 0);
	struct stat st;
	int fd = open("/mnt/a", O_CREAT | O_RDWR, 0644);
	CHECK(fd >= 0);
	CHECK(fstat(fd, &st) == 0 && st.st_blksize == 1024);
	CHECK(close(fd) == 0);
	/* eight inodes, the root directory's among them */
	int made = 1, err = 0;
	for (int i = 0; i < 20; i++) {
		char name[32];
		snprintf(name, sizeof(name), "/mnt/f%d", i);
		fd = open(name, O_CREAT | O_RDWR, 0644);
		if (fd < 0) {
			err = errno;
			break;
		}
		CHECK(close(fd) == 0);
		made++;
	}
	CHECK(err == ENOSPC);
	CHECK(made < 20);
	CHECK(umount("/mnt") == 0);
	/* the geometry is the disk's: a later mount reads it from there,
	 * whatever its data says */
	CHECK(mount("/dev/sdb", "/mnt", "simfs", 0, "block=4096,inodes=256") == 0);
	CHECK(stat("/mnt/a", &st) == 0 && st.st_blksize == 1024);
	CHECK(stat("/mnt/f0", &st) == 0);
	CHECK_ERR(open("/mnt/more", O_CREAT | O_RDWR, 0644), ENOSPC);
	CHECK(umount("/mnt") == 0);
	CHECK(mount("/dev/sdb", "/mnt", "simfs", 0, NULL) == 0);
	CHECK(stat("/mnt/a", &st) == 0 && st.st_blksize == 1024);
	CHECK(umount("/mnt") == 0);
	/* the root filesystem keeps its own block size */
	fd = open("/b", O_CREAT | O_RDWR, 0644);
	CHECK(fd >= 0 && fstat(fd, &st) == 0 && st.st_blksize != 1024);
	CHECK(close(fd) == 0);
	printf("ok\n");
	return 0;
}

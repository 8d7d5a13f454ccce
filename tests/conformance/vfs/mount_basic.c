/*
 * mount(2) of a second disk on a directory, as a Linux program does it:
 * the covered directory's files are hidden until umount, files made on
 * the mounted filesystem live there (another st_dev) and come back when
 * the disk is mounted again (the second mount recovers, it does not
 * format), and ".." at the mounted root leads back out.
 */
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

static void put(const char *path, const char *text)
{
	int fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0644);
	CHECK(fd >= 0);
	CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	CHECK(fsync(fd) == 0);
	CHECK(close(fd) == 0);
}

static int has(const char *path, const char *text)
{
	char buf[64] = {0};
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	CHECK(close(fd) == 0);
	return n == (ssize_t)strlen(text) && strcmp(buf, text) == 0;
}

int main(void)
{
	struct stat root, mnt, sub;
	CHECK(mkdir("/mnt", 0755) == 0);
	put("/mnt/under", "covered");
	CHECK(stat("/", &root) == 0);

	CHECK(mount("/dev/sdb", "/mnt", "simfs", 0, NULL) == 0);
	CHECK(stat("/mnt", &mnt) == 0);
	CHECK(S_ISDIR(mnt.st_mode));
	CHECK(mnt.st_dev != root.st_dev);
	CHECK_ERR(stat("/mnt/under", &sub), ENOENT);
	put("/mnt/over", "on sdb");
	CHECK(stat("/mnt/over", &sub) == 0 && sub.st_dev == mnt.st_dev);
	/* ".." of the mounted root is the covered directory's parent */
	CHECK(stat("/mnt/..", &sub) == 0 && sub.st_dev == root.st_dev && sub.st_ino == root.st_ino);

	CHECK(umount("/mnt") == 0);
	CHECK(has("/mnt/under", "covered"));
	CHECK_ERR(stat("/mnt/over", &sub), ENOENT);

	/* the disk keeps what was written on it */
	CHECK(mount("/dev/sdb", "/mnt", "simfs", 0, "") == 0);
	CHECK(has("/mnt/over", "on sdb"));
	CHECK(umount2("/mnt", 0) == 0);

	/* a second spare disk is another filesystem; MS_MGC_VAL is dropped */
	CHECK(mount("/dev/sdc", "/mnt", "simfs", MS_MGC_VAL | MS_NOATIME, NULL) == 0);
	CHECK(stat("/mnt", &sub) == 0 && sub.st_dev != mnt.st_dev && sub.st_dev != root.st_dev);
	CHECK_ERR(stat("/mnt/over", &sub), ENOENT);
	CHECK(umount("/mnt") == 0);
	printf("ok\n");
	return 0;
}

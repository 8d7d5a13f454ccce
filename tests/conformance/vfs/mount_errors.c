/*
 * mount(2)'s errors, the cases LTP's mount tests check: a target that is
 * missing (ENOENT) or not a directory (ENOTDIR) or already a mount point
 * (EBUSY), a device that does not exist (ENOENT) or already carries a
 * mounted filesystem (EBUSY), an unknown filesystem type (ENODEV), a bad
 * pointer (EFAULT), a path too long (ENAMETOOLONG), no type or no source
 * and flags simk does not model (EINVAL). The guest is root: never EPERM.
 */
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

static char longpath[5000];

int main(void)
{
	CHECK(mkdir("/a", 0755) == 0);
	CHECK(mkdir("/b", 0755) == 0);
	int fd = open("/file", O_CREAT | O_RDWR, 0644);
	CHECK(fd >= 0 && close(fd) == 0);

	CHECK_ERR(mount("/dev/sdb", "/nope", "simfs", 0, NULL), ENOENT);
	CHECK_ERR(mount("/dev/sdb", "/nope/deeper", "simfs", 0, NULL), ENOENT);
	CHECK_ERR(mount("/dev/sdb", "/file", "simfs", 0, NULL), ENOTDIR);
	CHECK_ERR(mount("/dev/sdb", "/file/x", "simfs", 0, NULL), ENOTDIR);
	CHECK_ERR(mount("/dev/sdb", "/a", "ext4", 0, NULL), ENODEV);
	CHECK_ERR(mount("/dev/sdb", "/a", "", 0, NULL), ENODEV);
	CHECK_ERR(mount("/dev/sdb", "/a", NULL, 0, NULL), EINVAL);
	CHECK_ERR(mount(NULL, "/a", "simfs", 0, NULL), EINVAL);
	CHECK_ERR(mount("/dev/sdz", "/a", "simfs", 0, NULL), ENOENT);
	CHECK_ERR(mount("/dev/sdbb", "/a", "simfs", 0, NULL), ENOENT);
	CHECK_ERR(mount("sdb", "/a", "simfs", 0, NULL), ENOENT);
	/* the root's own disk is busy */
	CHECK_ERR(mount("/dev/sda", "/a", "simfs", 0, NULL), EBUSY);
	/* read-only, bind, move and remount are not modelled */
	CHECK_ERR(mount("/dev/sdb", "/a", "simfs", MS_RDONLY, NULL), EINVAL);
	CHECK_ERR(mount("/a", "/b", NULL, MS_BIND, NULL), EINVAL);
	CHECK_ERR(mount("/dev/sdb", "/a", "simfs", MS_REMOUNT, NULL), EINVAL);
	/* data: simfs's keys only */
	CHECK_ERR(mount("/dev/sdb", "/a", "simfs", 0, "nope=1"), EINVAL);
	CHECK_ERR(mount("/dev/sdb", "/a", "simfs", 0, "block=1000"), EINVAL);
	/* bad pointers */
	CHECK_ERR(mount("/dev/sdb", (const char *)8, "simfs", 0, NULL), EFAULT);
	CHECK_ERR(mount((const char *)8, "/a", "simfs", 0, NULL), EFAULT);
	CHECK_ERR(mount("/dev/sdb", "/a", (const char *)8, 0, NULL), EFAULT);
	CHECK_ERR(mount("/dev/sdb", "/a", "simfs", 0, (const void *)8), EFAULT);
	memset(longpath, 'x', sizeof(longpath) - 1);
	longpath[0] = '/';
	CHECK_ERR(mount("/dev/sdb", longpath, "simfs", 0, NULL), ENAMETOOLONG);

	/* none of the failures formatted or kept anything */
	CHECK(mount("/dev/sdb", "/a", "simfs", 0, NULL) == 0);
	/* the same disk twice, another disk on a mount point */
	CHECK_ERR(mount("/dev/sdb", "/b", "simfs", 0, NULL), EBUSY);
	CHECK_ERR(mount("/dev/sdc", "/a", "simfs", 0, NULL), EBUSY);
	CHECK(mount("/dev/sdc", "/b", "simfs", 0, NULL) == 0);
	CHECK(umount("/b") == 0);
	CHECK(umount("/a") == 0);
	printf("ok\n");
	return 0;
}

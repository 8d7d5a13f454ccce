/*
 * umount(2) and umount2(2)'s errors, the cases LTP's umount tests check:
 * a missing path (ENOENT), a path that is not a mount point (EINVAL),
 * a bad pointer (EFAULT), a path too long (ENAMETOOLONG), unknown flags
 * and MNT_EXPIRE with MNT_FORCE or MNT_DETACH (EINVAL), and
 * UMOUNT_NOFOLLOW on a symbolic link (EINVAL), which without the flag is
 * followed to the mount point. simk does not model lazy unmounts:
 * MNT_DETACH is EINVAL here where Linux detaches (docs/guest.md).
 */
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

static char longpath[5000];

int main(void)
{
	CHECK(mkdir("/mnt", 0755) == 0);
	CHECK(mkdir("/plain", 0755) == 0);
	int fd = open("/file", O_CREAT | O_RDWR, 0644);
	CHECK(fd >= 0 && close(fd) == 0);
	CHECK(symlink("/mnt", "/link") == 0);

	CHECK_ERR(umount("/nope"), ENOENT);
	CHECK_ERR(umount("/plain"), EINVAL);
	CHECK_ERR(umount("/file"), EINVAL);
	CHECK_ERR(umount((const char *)8), EFAULT);
	memset(longpath, 'x', sizeof(longpath) - 1);
	longpath[0] = '/';
	CHECK_ERR(umount(longpath), ENAMETOOLONG);

	CHECK(mount("/dev/sdb", "/mnt", "simfs", 0, NULL) == 0);
	/* a directory inside the mounted filesystem is not its root */
	CHECK(mkdir("/mnt/d", 0755) == 0);
	CHECK_ERR(umount("/mnt/d"), EINVAL);
	CHECK_ERR(umount2("/mnt", 0x100), EINVAL);
	CHECK_ERR(umount2("/mnt", MNT_EXPIRE | MNT_FORCE), EINVAL);
	CHECK_ERR(umount2("/mnt", MNT_EXPIRE | MNT_DETACH), EINVAL);
	CHECK_ERR(umount2("/mnt", MNT_DETACH), EINVAL);
	CHECK_ERR(umount2("/link", UMOUNT_NOFOLLOW), EINVAL);
	/* every refusal left it mounted */
	struct stat st;
	CHECK(stat("/mnt/d", &st) == 0);
	CHECK(umount2("/link", 0) == 0);
	CHECK_ERR(stat("/mnt/d", &st), ENOENT);
	CHECK(mount("/dev/sdb", "/mnt", "simfs", 0, NULL) == 0);
	CHECK(umount2("/mnt", UMOUNT_NOFOLLOW | MNT_FORCE) == 0);
	CHECK_ERR(umount("/mnt"), EINVAL);
	printf("ok\n");
	return 0;
}

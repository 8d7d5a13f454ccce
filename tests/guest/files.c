/* Files through the simulated VFS: each call of docs/guest.md's table
 * "Files and IPC" that takes a path or a file, with its errno cases. */
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
	CHECK(mkdir("/d", 0755) == 0);
	CHECK_ERR(mkdir("/d", 0755), EEXIST);
	CHECK_ERR(open("/d/none", O_RDONLY), ENOENT);
	CHECK_ERR(open("/none/x", O_CREAT | O_WRONLY, 0644), ENOENT);

	int fd = open("/d/a", O_CREAT | O_EXCL | O_RDWR, 0600);
	CHECK(fd >= 3);
	CHECK_ERR(open("/d/a", O_CREAT | O_EXCL | O_RDWR, 0600), EEXIST);
	CHECK(write(fd, "0123456789", 10) == 10);
	CHECK(pwrite(fd, "AB", 2, 4) == 2);
	char b[16] = {0};
	CHECK(pread(fd, b, 10, 0) == 10 && memcmp(b, "0123AB6789", 10) == 0);
	CHECK(lseek(fd, 2, SEEK_SET) == 2);
	CHECK(read(fd, b, 3) == 3 && memcmp(b, "23A", 3) == 0);
	CHECK(lseek(fd, 0, SEEK_END) == 10);
	CHECK_ERR(lseek(fd, -20, SEEK_SET), EINVAL);
	char x[3] = "xy", z[3] = "zw";
	struct iovec iov[2] = {{x, 2}, {z, 2}};
	CHECK(writev(fd, iov, 2) == 4);
	char r1[3] = {0}, r2[3] = {0};
	struct iovec riov[2] = {{r1, 2}, {r2, 2}};
	CHECK(lseek(fd, 10, SEEK_SET) == 10 && readv(fd, riov, 2) == 4);
	CHECK(strcmp(r1, "xy") == 0 && strcmp(r2, "zw") == 0);
	CHECK(fsync(fd) == 0 && fdatasync(fd) == 0);
	CHECK(ftruncate(fd, 5) == 0);
	struct stat st;
	CHECK(fstat(fd, &st) == 0 && st.st_size == 5 && S_ISREG(st.st_mode));
	CHECK_ERR(ftruncate(fd, -1), EINVAL);
	CHECK(close(fd) == 0);
	CHECK_ERR(close(fd), EBADF);
	CHECK_ERR(read(fd, b, 1), EBADF);
	CHECK_ERR(write(99, b, 1), EBADF);

	int dfd = open("/d", O_RDONLY | O_DIRECTORY);
	CHECK(dfd >= 0);
	/* a path relative to a directory fd is not supported (docs/guest.md) */
	CHECK_ERR(openat(dfd, "b", O_CREAT | O_WRONLY, 0644), EOPNOTSUPP);
	int fd2 = openat(dfd, "/d/b", O_CREAT | O_WRONLY, 0644);
	CHECK(fd2 >= 0 && close(fd2) == 0);
	CHECK_ERR(openat(fd2, "x", O_RDONLY), EBADF);
	CHECK(close(dfd) == 0);
	CHECK(stat("/d/b", &st) == 0 && st.st_size == 0);

	CHECK(rename("/d/b", "/d/c") == 0);
	CHECK_ERR(stat("/d/b", &st), ENOENT);
	CHECK(link("/d/c", "/d/hard") == 0);
	CHECK(stat("/d/c", &st) == 0 && st.st_nlink == 2);
	CHECK_ERR(link("/d/c", "/d/hard"), EEXIST);
	CHECK(symlink("/d/a", "/d/sym") == 0);
	char target[64] = {0};
	CHECK(readlink("/d/sym", target, sizeof(target)) == 4 && memcmp(target, "/d/a", 4) == 0);
	CHECK_ERR(readlink("/d/a", target, sizeof(target)), EINVAL);
	CHECK(lstat("/d/sym", &st) == 0 && S_ISLNK(st.st_mode));
	CHECK(stat("/d/sym", &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 5);

	CHECK_ERR(rmdir("/d"), ENOTEMPTY);
	CHECK_ERR(unlink("/d"), EISDIR);
	CHECK(unlink("/d/a") == 0 && unlink("/d/c") == 0 && unlink("/d/hard") == 0);
	CHECK(unlink("/d/sym") == 0);
	CHECK_ERR(unlink("/d/a"), ENOENT);
	CHECK(rmdir("/d") == 0);
	CHECK_ERR(rmdir("/d"), ENOENT);
	puts("files ok");
	return 0;
}

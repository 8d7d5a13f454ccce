/* The first guest: arguments, output, a file through the simulated VFS. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	printf("hello from %s with %d arguments\n", argv[0], argc - 1);
	for (int i = 1; i < argc; i++)
		printf("argv[%d] = %s\n", i, argv[i]);
	int fd = open("/greeting", O_CREAT | O_RDWR, 0644);
	if (fd < 0) {
		perror("open /greeting");
		return 1;
	}
	const char msg[] = "hello, disk";
	if (write(fd, msg, sizeof(msg)) != (ssize_t)sizeof(msg)) {
		perror("write");
		return 1;
	}
	char buf[32] = {0};
	if (lseek(fd, 0, SEEK_SET) != 0 || read(fd, buf, sizeof(buf)) != (ssize_t)sizeof(msg)) {
		perror("read");
		return 1;
	}
	close(fd);
	printf("read back: %s\n", buf);
	fprintf(stderr, "a line on stderr\n");
	errno = ENOENT;
	perror("perror says");
	return strcmp(buf, msg) == 0 ? 0 : 1;
}

/* <stdio.h>: the output calls write fds 1 and 2 in program order; stdin
 * is at end of file; atexit handlers run at exit. */
#define _GNU_SOURCE /* dprintf is POSIX, asprintf GNU */
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <unistd.h>

#include "check.h"

static void bye(void)
{
	puts("atexit handler");
}

int main(void)
{
	CHECK(atexit(bye) == 0);
	CHECK(printf("%s %d|", "printf", 1) == 9);
	CHECK(fputs("fputs|", stdout) >= 0);
	CHECK(fputc('c', stdout) == 'c' && putchar('|') == '|');
	CHECK(fwrite("fwrite|", 1, 7, stdout) == 7);
	CHECK(dprintf(1, "dprintf|") == 8);
	CHECK(write(1, "write\n", 6) == 6);
	CHECK(fprintf(stderr, "to stderr\n") == 10);
	CHECK(fflush(stdout) == 0);
	CHECK(fileno(stdout) == 1 && fileno(stderr) == 2 && fileno(stdin) == 0);
	CHECK(getchar() == EOF && feof(stdin));
	char line[8];
	CHECK(fgets(line, sizeof(line), stdin) == NULL);
	char *s = NULL;
	CHECK(asprintf(&s, "%d-%s", 42, "x") == 4 && strcmp(s, "42-x") == 0);
	free(s);
	/* stdout to a file: dup2 over fd 1 */
	int fd = open("/out", O_CREAT | O_RDWR, 0644);
	CHECK(fd >= 0);
	int saved = dup(1);
	CHECK(dup2(fd, 1) == 1);
	printf("into the file");
	CHECK(dup2(saved, 1) == 1 && close(saved) == 0);
	char buf[32] = {0};
	CHECK(pread(fd, buf, sizeof(buf), 0) == 13 && strcmp(buf, "into the file") == 0);
	CHECK(close(fd) == 0);
	exit(0); /* runs bye() */
}

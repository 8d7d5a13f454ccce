/*
 * EVFILT_VNODE names and links (libkqueue's vnode tests, NetBSD's
 * t_vnode): link() is NOTE_LINK | NOTE_ATTRIB (the link count is an
 * attribute); rename() of the watched file is NOTE_RENAME; unlink of one
 * of two names is NOTE_LINK | NOTE_ATTRIB, of the last one adds
 * NOTE_DELETE; the open descriptor still works after that. A directory:
 * a new entry is NOTE_WRITE, a new subdirectory NOTE_WRITE | NOTE_LINK.
 * EVFILT_VNODE on something without a vnode (a pipe, a socket, a kqueue)
 * is EINVAL.
 */
#include <sys/types.h>
#include <sys/event.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "check.h"

#define ALL                                                                                        \
	(NOTE_DELETE | NOTE_WRITE | NOTE_EXTEND | NOTE_ATTRIB | NOTE_LINK | NOTE_RENAME |          \
	 NOTE_REVOKE | NOTE_READ)

static unsigned vnode_event(int kq, int fd)
{
	struct kevent ev[2];
	struct timespec zero = {0, 0};
	int n = kevent(kq, NULL, 0, ev, 2, &zero);
	CHECK(n == 0 || n == 1);
	if (n == 0)
		return 0;
	CHECK(ev[0].filter == EVFILT_VNODE && ev[0].ident == (uintptr_t)fd);
	return ev[0].fflags;
}

static int watch(int kq, int fd)
{
	struct kevent ch;
	EV_SET(&ch, fd, EVFILT_VNODE, EV_ADD | EV_CLEAR, ALL, 0, NULL);
	return kevent(kq, &ch, 1, NULL, 0, NULL);
}

int main(void)
{
	int kq = kqueue();
	CHECK(kq >= 0);
	int fd = open("/a", O_RDWR | O_CREAT, 0644);
	CHECK(fd >= 0);
	CHECK(watch(kq, fd) == 0);

	CHECK(link("/a", "/b") == 0);
	CHECK(vnode_event(kq, fd) == (NOTE_LINK | NOTE_ATTRIB));
	CHECK(rename("/a", "/c") == 0);
	CHECK(vnode_event(kq, fd) & NOTE_RENAME);
	CHECK(unlink("/b") == 0);
	CHECK(vnode_event(kq, fd) == (NOTE_LINK | NOTE_ATTRIB));
	CHECK(unlink("/c") == 0);
	CHECK(vnode_event(kq, fd) == (NOTE_LINK | NOTE_ATTRIB | NOTE_DELETE));
	/* the file lives on while open */
	CHECK(write(fd, "x", 1) == 1);
	CHECK(vnode_event(kq, fd) == (NOTE_WRITE | NOTE_EXTEND));
	CHECK(close(fd) == 0);

	/* a directory */
	CHECK(mkdir("/d", 0755) == 0);
	int dfd = open("/d", O_RDONLY);
	CHECK(dfd >= 0);
	CHECK(watch(kq, dfd) == 0);
	int f = open("/d/entry", O_CREAT | O_RDWR, 0644);
	CHECK(f >= 0);
	CHECK(vnode_event(kq, dfd) & NOTE_WRITE);
	CHECK(mkdir("/d/sub", 0755) == 0);
	CHECK(vnode_event(kq, dfd) == (NOTE_WRITE | NOTE_LINK));
	CHECK(rmdir("/d/sub") == 0);
	CHECK(vnode_event(kq, dfd) & NOTE_WRITE);
	CHECK(close(f) == 0);
	CHECK(close(dfd) == 0);

	/* no vnode */
	int p[2], sv[2];
	CHECK(pipe(p) == 0);
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	int kq2 = kqueue();
	CHECK(kq2 >= 0);
	CHECK_ERR(watch(kq, p[0]), EINVAL);
	CHECK_ERR(watch(kq, sv[0]), EINVAL);
	CHECK_ERR(watch(kq, kq2), EINVAL);
	CHECK_ERR(watch(kq, 1000), EBADF);

	CHECK(close(p[0]) == 0 && close(p[1]) == 0);
	CHECK(close(sv[0]) == 0 && close(sv[1]) == 0);
	CHECK(close(kq2) == 0);
	CHECK(close(kq) == 0);
	printf("vnode_delete_rename: ok\n");
	return 0;
}

/*
 * EVFILT_FS and mounts (FreeBSD's and DragonFly's filesystem-wide filter,
 * fed by vfs_event_signal on mount and unmount; VQ_* are <sys/mount.h>'s
 * values, defined here since a guest compiles against Linux's): mounting
 * a second disk reports VQ_MOUNT, unmounting it VQ_UNMOUNT; a refused
 * mount or unmount (EBUSY) reports nothing. The bits of several events
 * between two retrievals add up in one kevent (EV_CLEAR implied).
 */
#include <sys/types.h>
#include <sys/event.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <fcntl.h>
#include <unistd.h>

#include "check.h"

#define VQ_MOUNT 0x0008
#define VQ_UNMOUNT 0x0010

static unsigned fs_event(int kq)
{
	struct kevent ev[2];
	struct timespec zero = {0, 0};
	int n = kevent(kq, NULL, 0, ev, 2, &zero);
	CHECK(n == 0 || n == 1);
	if (n == 0)
		return 0;
	CHECK(ev[0].filter == EVFILT_FS && (ev[0].flags & EV_CLEAR));
	return ev[0].fflags;
}

int main(void)
{
	CHECK(mkdir("/mnt", 0755) == 0); /* mounts "/" first */
	int kq = kqueue();
	CHECK(kq >= 0);
	struct kevent ch;
	EV_SET(&ch, 0, EVFILT_FS, EV_ADD, 0, 0, NULL);
	CHECK(kevent(kq, &ch, 1, NULL, 0, NULL) == 0);
	CHECK(fs_event(kq) == 0);

	CHECK(mount("/dev/sdb", "/mnt", "simfs", 0, NULL) == 0);
	CHECK(fs_event(kq) == VQ_MOUNT);
	CHECK(fs_event(kq) == 0);

	/* refusals change nothing */
	int fd = open("/mnt/f", O_CREAT | O_RDWR, 0644);
	CHECK(fd >= 0);
	CHECK_ERR(umount("/mnt"), EBUSY);
	CHECK_ERR(mount("/dev/sdb", "/mnt", "simfs", 0, NULL), EBUSY);
	CHECK(fs_event(kq) == 0);
	CHECK(close(fd) == 0);

	CHECK(umount("/mnt") == 0);
	CHECK(fs_event(kq) == VQ_UNMOUNT);
	/* two events before one retrieval: one kevent with both bits */
	CHECK(mount("/dev/sdb", "/mnt", "simfs", 0, NULL) == 0);
	CHECK(umount("/mnt") == 0);
	CHECK(fs_event(kq) == (VQ_MOUNT | VQ_UNMOUNT));
	CHECK(fs_event(kq) == 0);
	CHECK(close(kq) == 0);
	printf("fs_mount: ok\n");
	return 0;
}

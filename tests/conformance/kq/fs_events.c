/*
 * EVFILT_FS (FreeBSD's and DragonFly's filesystem-wide filter; the VQ_*
 * values are <sys/mount.h>'s, defined here): fflags say what happened to
 * the mounted filesystems since the last retrieval (EV_CLEAR implied, the
 * reference). In a simk run the root filesystem is mounted by the first
 * call that names a path, so a knote added before it sees VQ_MOUNT.
 * Filling the disk past its low-space mark (5% free by default) reports
 * VQ_LOWDISK once; freeing the space reports simk's own 0x1000 (space
 * back above the mark: no BSD name, docs/kq.md).
 */
#include <sys/types.h>
#include <sys/event.h>
#include <sys/time.h>
#include <fcntl.h>
#include <unistd.h>

#include "check.h"

#define VQ_LOWDISK 0x0004
#define VQ_MOUNT 0x0008
#define VQ_SPACE_BACK 0x1000 /* simk's */

static char chunk[65536];

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
	int kq = kqueue();
	CHECK(kq >= 0);
	struct kevent ch;
	EV_SET(&ch, 0, EVFILT_FS, EV_ADD, 0, 0, NULL);
	CHECK(kevent(kq, &ch, 1, NULL, 0, NULL) == 0);
	CHECK(fs_event(kq) == 0);

	int fd = open("/big0", O_RDWR | O_CREAT, 0644);
	CHECK(fd >= 0);
	CHECK(fs_event(kq) == VQ_MOUNT);
	CHECK(fs_event(kq) == 0);

	/* fill the disk, a new file whenever one reaches its largest size */
	unsigned seen = 0;
	int files = 1;
	char name[16];
	for (int i = 0; i < 100000 && !(seen & VQ_LOWDISK); i++) {
		ssize_t r = write(fd, chunk, sizeof(chunk));
		if (r < 0 && errno == EFBIG && files < 64) {
			CHECK(close(fd) == 0);
			snprintf(name, sizeof(name), "/big%d", files++);
			fd = open(name, O_RDWR | O_CREAT, 0644);
			CHECK(fd >= 0);
			continue;
		}
		CHECK(r > 0);
		seen |= fs_event(kq);
	}
	CHECK(seen == VQ_LOWDISK);
	CHECK(fs_event(kq) == 0);

	CHECK(close(fd) == 0);
	for (int i = 0; i < files; i++) {
		snprintf(name, sizeof(name), "/big%d", i);
		CHECK(unlink(name) == 0);
	}
	CHECK(fs_event(kq) == VQ_SPACE_BACK);
	CHECK(close(kq) == 0);
	printf("fs_events: ok\n");
	return 0;
}

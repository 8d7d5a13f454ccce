/*
 * <sys/mount.h> for guests: mount, umount and umount2 with Linux's
 * prototypes (the host's header declares them; guests compile as Linux
 * programs), over the simulated VFS's mount tree (vfs/mount.c,
 * docs/vfs.md "Mount points"). illumos's eight-argument mount(2) is not
 * offered: glibc's prototype is the one a guest sees.
 *
 * The machine: the root filesystem is on "/dev/sda" (the implicit root,
 * guest_fs.c), and seven spare disks "/dev/sdb" ... "/dev/sdh" exist as
 * names only (no /dev directory in the filesystem). The first mount that
 * names a spare disk creates it with the run's --device options; the
 * first mount of it that succeeds formats it, later mounts recover what is
 * on it, as the scenario language's `mount` does. The one filesystem type
 * is "simfs"; `data` takes the --fs keys ("block=1024,inodes=64"): the
 * geometry (block, inodes) is the format's, as a real filesystem keeps it
 * on the disk, so a later mount reads it from there whatever it is given;
 * cache= and flush_delay_us= are each mount's own.
 *
 * mount and umount2 are system calls through the one entry path (switch
 * points, traced): another thread's walk sees the mount.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>

#include "drivers/blkdev.h"
#include "guest/guest.h"
#include "kern/syscall.h"
#include "kern/umem.h"
#include "kern/waitq.h"
#include "vfs/vfs.h"

#define FAMILY "sys/mount.h"

#define A(p) ((int64_t)(uintptr_t)(p))
#define PRIM_DESC(var, nm, handler, n, ...)                                                        \
	static const struct syscall_desc var = {                                                   \
	    .name = nm, .subsys = "guest", .fn = handler, .nargs = n, .arg = {__VA_ARGS__}}

#define DISK_PREFIX "/dev/sd"
#define SPARE_FIRST 'b'
#define SPARE_LAST 'h'
_Static_assert(SPARE_LAST - SPARE_FIRST + 1 == GUEST_SPARE_DISKS, "one entry per spare disk");
#define STR_MAX 512 /* bytes of fstype or data, including the NUL */


/* Copies a user string of at most max bytes (NUL included): 0, -EFAULT,
 * or too_long when it does not end in time. */
static int ustr(int64_t uaddr, char *buf, size_t max, int too_long)
{
	for (size_t i = 0; i < max; i++) {
		if (copyin((uaddr_t)uaddr + i, buf + i, 1) != 0)
			return -EFAULT;
		if (buf[i] == '\0')
			return 0;
	}
	return too_long;
}

/* Flags that change nothing here: no users (nosuid, nodev, noexec), no
 * access times kept (the atime family), and the messages MS_SILENT quiets. */
#define MS_HARMLESS                                                                                \
	(MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | MS_RELATIME |            \
	 MS_STRICTATIME | MS_LAZYTIME | MS_SILENT)

static bool not_formatting(void *arg)
{
	return !((const struct guest_disk *)arg)->formatting;
}

static int64_t h_mount(const int64_t *a)
{
	struct guest_thread *gt = guest_self("mount");
	struct guest_run *r = guest_run_of(gt);
	unsigned long flags = (unsigned long)a[3];
	/* Linux: the magic number old programs put in the top half is dropped */
	if ((flags & MS_MGC_MSK) == MS_MGC_VAL)
		flags &= ~MS_MGC_MSK;
	char src[sizeof(DISK_PREFIX) + 1], fstype[STR_MAX], data[STR_MAX];
	char *target = (char *)gt->scratch;
	_Static_assert(GUEST_SCRATCH_SIZE >= VFS_PATH_MAX, "the target fits the scratch buffer");
	int e = ustr(a[1], target, VFS_PATH_MAX, -ENAMETOOLONG);
	if (e != 0)
		return e;
	/* Linux's order: a new mount needs a type it knows, then a source */
	if (a[2] == 0)
		return -EINVAL;
	if ((e = ustr(a[2], fstype, sizeof(fstype), -ENODEV)) != 0)
		return e;
	if (strcmp(fstype, "simfs") != 0)
		return -ENODEV;
	if (flags & ~(unsigned long)MS_HARMLESS)
		return -EINVAL; /* read-only, remount, bind, move, propagation: not modelled */
	if (a[0] == 0)
		return -EINVAL; /* "no source specified" */
	if ((e = ustr(a[0], src, sizeof(src), -ENOENT)) != 0)
		return e;
	data[0] = '\0';
	if (a[4] != 0 && (e = ustr(a[4], data, sizeof(data), -EINVAL)) != 0)
		return e;
	/* the disk: "/dev/sda" is the root's, "/dev/sdb".."/dev/sdh" spare */
	size_t pl = strlen(DISK_PREFIX);
	char letter = strncmp(src, DISK_PREFIX, pl) == 0 && src[pl + 1] == '\0' ? src[pl] : 0;
	if (letter == 'a')
		return -EBUSY; /* carries the mounted root */
	if (letter < SPARE_FIRST || letter > SPARE_LAST)
		return -ENOENT;
	struct guest_fs_config c = r->prog->fscfg;
	snprintf(c.fs, sizeof(c.fs), "%s", data);
	struct blkdev_config dc;
	struct vfs_mount_opts mo;
	char why[256];
	if (guest_fs_config(&c, &dc, &mo, why, sizeof(why)) != 0)
		return -EINVAL; /* an unknown key or a bad value in data */
	snprintf(dc.name, sizeof(dc.name), "sd%c", letter);
	struct blkdev *dev = blkdev_find(dc.name);
	if (dev == NULL && (e = blkdev_create(&dc, &dev)) != 0)
		return e == -EINVAL ? -EINVAL : -ENOMEM;
	/* Whether to format is decided once the mount that formats it ended:
	 * deciding earlier, a mount could format the disk after another one
	 * formatted, filled and unmounted it. */
	struct guest_disk *d = &r->disks[letter - SPARE_FIRST];
	(void)waitq_wait(&r->fs_wq, false, false, SIMK_FOREVER, not_formatting, d);
	mo.format = !d->formatted;
	if (d->formatted) {
		mo.block_size = d->block_size;
		mo.ninodes = d->ninodes;
	} else {
		d->formatting = true;
	}
	e = vfs_mount_at(dev, &mo, target);
	if (mo.format) {
		d->formatting = false;
		if (e == 0) {
			d->formatted = true;
			d->block_size = mo.block_size;
			d->ninodes = mo.ninodes;
		}
		waitq_wake_all(&r->fs_wq);
	}
	return e;
}
PRIM_DESC(desc_mount, "mount", h_mount, 5, SA_USTR, SA_USTR, SA_USTR, SA_HEX, SA_UPTR);

int __wrap_mount(const char *source, const char *target, const char *fstype,
		 unsigned long flags, const void *data)
{
	GUEST_ENTER("mount");
	guest_refuse_host_path(gt_, "mount", target);
	int r = guest_fs_ensure(gt_);
	if (r == 0)
		r = (int)syscall_invoke(&desc_mount, (const int64_t[]){A(source), A(target), A(fstype),
									(int64_t)flags, A(data)});
	return (int)GUEST_RET(r);
}

static int64_t h_umount(const int64_t *a)
{
	struct guest_thread *gt = guest_self("umount2");
	int flags = (int)a[1];
	/* Linux's checks first: unknown bits, and expiry with force or detach */
	if (flags & ~(MNT_FORCE | MNT_DETACH | MNT_EXPIRE | UMOUNT_NOFOLLOW))
		return -EINVAL;
	if ((flags & MNT_EXPIRE) && (flags & (MNT_FORCE | MNT_DETACH)))
		return -EINVAL;
	/* a lazy detach and expiry marks are not modelled; MNT_FORCE only
	 * matters to network filesystems on Linux: a plain unmount here */
	if (flags & (MNT_DETACH | MNT_EXPIRE))
		return -EINVAL;
	char *path = (char *)gt->scratch;
	int e = ustr(a[0], path, VFS_PATH_MAX, -ENAMETOOLONG);
	if (e != 0)
		return e;
	struct simk_stat st;
	if ((e = (flags & UMOUNT_NOFOLLOW) ? kvfs_lstat(path, &st) : kvfs_stat(path, &st)) != 0)
		return e;
	/* a symbolic link not followed is not a mount point */
	if ((st.st_mode & SIMK_S_IFMT) == SIMK_S_IFLNK)
		return -EINVAL;
	struct simk_stat root;
	if (kvfs_stat("/", &root) == 0 && root.st_dev == st.st_dev && root.st_ino == st.st_ino)
		return -EBUSY; /* the process's root directory holds "/", as on Linux */
	return vfs_unmount_at(path);
}
PRIM_DESC(desc_umount, "umount2", h_umount, 2, SA_USTR, SA_HEX);

static int do_umount(struct guest_thread *gt, const char *target, int flags)
{
	guest_refuse_host_path(gt, "umount", target);
	int r = guest_fs_ensure(gt);
	if (r == 0)
		r = (int)syscall_invoke(&desc_umount, (const int64_t[]){A(target), flags});
	return r;
}

int __wrap_umount(const char *target)
{
	GUEST_ENTER("umount");
	return (int)GUEST_RET(do_umount(gt_, target, 0));
}

int __wrap_umount2(const char *target, int flags)
{
	GUEST_ENTER("umount2");
	return (int)GUEST_RET(do_umount(gt_, target, flags));
}

const struct guest_call guest_calls_mount[] = {
    GUEST_WRAP(mount, "fstype \"simfs\" only (else ENODEV); source /dev/sdb../dev/sdh; data "
		      "takes the --fs keys; MS_RDONLY, "
		      "MS_REMOUNT, MS_BIND, MS_MOVE and propagation flags are EINVAL; no stacking "
		      "(EBUSY)"),
    GUEST_WRAP(umount, "EBUSY while a file of it is open or something is mounted in it; \"/\" is "
		       "always EBUSY"),
    GUEST_WRAP(umount2, "MNT_FORCE is a plain unmount; MNT_DETACH and MNT_EXPIRE are EINVAL (not "
			"modelled); UMOUNT_NOFOLLOW"),
};
const int guest_calls_mount_n = GUEST_NCALLS(guest_calls_mount);

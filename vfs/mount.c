/*
 * The mount tree: the filesystem at "/" and filesystems mounted on its
 * directories (and on theirs), each on its own block device.
 *
 * A mount joins two vnodes: the covered directory (in the parent
 * filesystem) points to the mounted filesystem (vn->mounted_here) and the
 * mounted filesystem points back (fs->covered, holding a reference). The
 * walk in namei.c crosses in both directions; nothing else needs to know.
 * Everything here runs under the namespace lock, so a walk never sees a
 * half-made mount, and mount and unmount cannot race with creates or
 * opens in the filesystem they attach or detach. Mounting and unmounting
 * do I/O (format or load; the final commit) with the lock held: the
 * namespace waits for them, which is what a user of mount(2) expects.
 *
 * Choices (docs/vfs.md, "Mount points"):
 * - Only directories can be mounted on, one filesystem per directory: a
 *   path that names the root of a mounted filesystem (including "/") is
 *   -EBUSY, as is a device that already carries a mounted filesystem.
 * - A directory may be mounted on while it is open or watched (Linux; the
 *   open files keep the covered directory). Watchers of the covered
 *   directory hear FN_MOUNTED_OVER (event ports' MOUNTEDOVER).
 * - Unmount needs the path of the mounted root; -EBUSY while a file of
 *   it is open or something is mounted inside it.
 * - A power cut is the machine's: every mounted filesystem dies.
 */
#include <errno.h>

#include "vfs/simfs.h"
#include "vfs/vfs_priv.h"

struct simfs *simfs_mounted(void)
{
	return vfs_st()->mounted;
}

bool vfs_mounted(void)
{
	return simfs_mounted() != NULL;
}

struct vnode *mount_cross_down(struct vnode *vn)
{
	while (vn != NULL && vn->mounted_here != NULL)
		vn = &vn->mounted_here->vn[SIMFS_ROOT_INO];
	return vn;
}

struct vnode *mount_dotdot(struct vnode *vn)
{
	while (vn->ino == SIMFS_ROOT_INO && vn->fs->covered != NULL)
		vn = vn->fs->covered;
	return &vn->fs->vn[vn->parent];
}

static bool is_root_path(const char *path)
{
	if (path[0] != '/')
		return false;
	while (*path == '/')
		path++;
	return *path == '\0';
}

static bool device_in_use(const struct vfs_state *st, const struct blkdev *dev)
{
	for (const struct list_node *it = st->fs_all.next; it != &st->fs_all; it = it->next) {
		const struct simfs *fs = list_entry(it, struct simfs, link);
		if (fs->mounted && fs->dev == dev)
			return true;
	}
	return false;
}

/* Something is mounted on a directory of fs. */
static bool has_submounts(const struct vfs_state *st, const struct simfs *fs)
{
	for (const struct list_node *it = st->fs_all.next; it != &st->fs_all; it = it->next) {
		const struct simfs *o = list_entry(it, struct simfs, link);
		if (o->mounted && o->covered != NULL && o->covered->fs == fs)
			return true;
	}
	return false;
}

/* Mounts at "/" (nothing mounted yet). Namespace lock held. */
static int mount_root(struct vfs_state *st, struct blkdev *dev, const struct vfs_mount_opts *o)
{
	mutex_assert_held(&st->ns_lock);
	struct simfs *fs;
	int r = simfs_mount_dev(dev, o, &fs);
	if (r != 0)
		return r;
	st->mounted = fs;
	vfs_trace("vfs:mount", (int64_t)fs->id, (int64_t)fs->seq, fs->nblocks, 0);
	return 0;
}

/* Mounts on the directory path names. Namespace lock held. */
static int mount_on(struct blkdev *dev, const struct vfs_mount_opts *o, const char *path)
{
	mutex_assert_held(&vfs_st()->ns_lock);
	struct vnode *dir;
	int r = namei_lookup_locked(path, true, &dir);
	if (r != 0)
		return r;
	if (!vn_isdir(dir))
		return -ENOTDIR;
	if (dir->ino == SIMFS_ROOT_INO)
		return -EBUSY; /* "/" or the root of a mounted filesystem */
	struct simfs *fs;
	r = simfs_mount_dev(dev, o, &fs);
	if (r != 0)
		return r;
	if (dir->fs->dead) {
		/* The power was cut during the mount's I/O: the machine's
		 * power, so the new filesystem goes with the rest. */
		simfs_kill(fs, 0, NULL);
		return -EIO;
	}
	/* The walk cannot have changed: the namespace lock was held through
	 * the mount's I/O, and nothing but a namespace operation removes a
	 * directory. */
	KASSERT(dir->mode != 0, "mount point changed under the lock");
	KASSERT(dir->mounted_here == NULL, "mount point changed under the lock");
	vn_hold(dir);
	fs->covered = dir;
	dir->mounted_here = fs;
	vfs_trace("vfs:mount", (int64_t)fs->id, (int64_t)fs->seq, fs->nblocks,
		  (int64_t)dir->fs->id);
	fnotify_report(dir, FN_MOUNTED_OVER, NULL);
	return 0;
}

int vfs_mount_at(struct blkdev *dev, const struct vfs_mount_opts *o, const char *path)
{
	sim_assert_thread_context(__func__);
	struct vfs_state *st = vfs_st();
	struct vfs_mount_opts def;
	if (o == NULL) {
		vfs_mount_opts_default(&def);
		o = &def;
	}
	if (path == NULL)
		return -EINVAL;
	int r = vfs_mount_check(dev, o);
	if (r != 0)
		return r;
	mutex_lock(&st->ns_lock);
	if (device_in_use(st, dev))
		r = -EBUSY;
	else if (st->mounted == NULL)
		r = is_root_path(path) ? mount_root(st, dev, o) : -EINVAL;
	else if (is_root_path(path))
		r = -EBUSY;
	else
		r = mount_on(dev, o, path);
	if (r == 0)
		fs_report(FSEV_MOUNT);
	mutex_unlock(&st->ns_lock);
	return r;
}

int vfs_mount(struct blkdev *dev, const struct vfs_mount_opts *o)
{
	return vfs_mount_at(dev, o, "/");
}

/* Namespace lock held. */
static int unmount_locked(struct vfs_state *st, const char *path)
{
	mutex_assert_held(&st->ns_lock);
	if (st->mounted == NULL)
		return -EINVAL;
	struct vnode *vn;
	int r = namei_lookup_locked(path, true, &vn);
	if (r != 0)
		return r;
	if (vn->ino != SIMFS_ROOT_INO)
		return -EINVAL; /* not the root of a mounted filesystem */
	struct simfs *fs = vn->fs;
	if (has_submounts(st, fs))
		return -EBUSY;
	r = simfs_unmount_fs(fs);
	if (r != 0)
		return r;
	struct vnode *covered = fs->covered;
	if (covered != NULL) {
		covered->mounted_here = NULL;
		fs->covered = NULL;
		vn_rele(covered);
	} else {
		st->mounted = NULL;
	}
	vfs_trace("vfs:unmount", (int64_t)fs->id, (int64_t)fs->seq, 0, 0);
	return 0;
}

int vfs_unmount_at(const char *path)
{
	sim_assert_thread_context(__func__);
	if (path == NULL)
		return -EINVAL;
	struct vfs_state *st = vfs_st();
	if (st->mounted == NULL)
		return -EINVAL;
	mutex_lock(&st->ns_lock);
	int r = unmount_locked(st, path);
	if (r == 0)
		fs_report(FSEV_UNMOUNT);
	mutex_unlock(&st->ns_lock);
	return r;
}

int vfs_unmount(void)
{
	return vfs_unmount_at("/");
}

int vfs_get_stats(struct vfs_stats *out)
{
	struct simfs *fs = simfs_mounted();
	if (fs == NULL)
		return -EINVAL;
	simfs_get_stats(fs, out);
	return 0;
}

int vfs_get_stats_at(const char *path, struct vfs_stats *out)
{
	sim_assert_thread_context(__func__);
	struct vfs_state *st = vfs_st();
	if (path == NULL || st->mounted == NULL)
		return -EINVAL;
	mutex_lock(&st->ns_lock);
	struct vnode *vn;
	int r = st->mounted == NULL ? -EINVAL : namei_lookup_locked(path, true, &vn);
	if (r == 0)
		simfs_get_stats(vn->fs, out);
	mutex_unlock(&st->ns_lock);
	return r;
}

void vfs_power_cut(unsigned blk_flags, uint64_t *torn_sector)
{
	struct vfs_state *st = vfs_st();
	struct simfs *root = st->mounted;
	if (torn_sector != NULL)
		*torn_sector = BLKDEV_NO_SECTOR;
	/* Every live instance dies on its own device: the mounted ones and
	 * those whose mount (format or load) is under way — the mount then
	 * fails with -EIO instead of finishing from memory after the cut.
	 * While nothing is mounted, an instance being mounted is the one for
	 * "/", whose torn sector the caller gets. Then the tree is taken
	 * apart (the dead vnodes stay valid until the run's end for whoever
	 * still holds one). */
	bool any = false;
	for (struct list_node *it = st->fs_all.next; it != &st->fs_all; it = it->next) {
		struct simfs *fs = list_entry(it, struct simfs, link);
		if (fs->dead || fs == root)
			continue;
		any = true;
		simfs_kill(fs, blk_flags, root == NULL ? torn_sector : NULL);
		if (fs->covered != NULL) {
			fs->covered->mounted_here = NULL;
			vn_rele(fs->covered);
			fs->covered = NULL;
		}
	}
	if (root != NULL) {
		any = true;
		simfs_kill(root, blk_flags, torn_sector);
		st->mounted = NULL;
	}
	if (any)
		fs_report(FSEV_DEAD);
}

bool vfs_alive(void)
{
	struct vfs_state *st = vfs_st();
	for (struct list_node *it = st->fs_all.next; it != &st->fs_all; it = it->next)
		if (!list_entry(it, struct simfs, link)->dead)
			return true;
	return false;
}

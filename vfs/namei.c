/*
 * Names: path resolution and the namespace operations of simfs (open with
 * O_CREAT, mkdir, rmdir, unlink, link, rename, chmod, stat).
 *
 * Paths are resolved from the root ("a/b" is "/a/b": there is no current
 * directory); "." and ".." work; repeated and trailing slashes are
 * accepted (a trailing slash demands a directory). There are no
 * permission checks (one user). Symbolic links are followed in every
 * component but the last, and in the last one except by lstat, readlink,
 * link's source and open with O_NOFOLLOW or O_CREAT|O_EXCL (which follow it
 * only before a trailing slash), and by unlink, rename, link's target,
 * mkdir, rmdir and symlink, which never do (see enum last_link).
 *
 * Every operation runs under the namespace lock (vfs_state.ns_lock, one
 * for the whole tree), so each is atomic to the others and to mount and
 * unmount; the in-memory updates themselves never sleep. The change
 * reports follow the table in vfs/fnotify.h.
 *
 * Mount points (vfs/mount.c): a walk that reaches a directory something is
 * mounted on continues at the mounted root, and ".." at a mounted root
 * leaves through the directory it covers. Links and renames never cross
 * filesystems (-EXDEV); a mount point can be neither removed nor renamed
 * (the walk names the mounted root, which is -EBUSY like "/").
 */
#include <errno.h>
#include <string.h>

#include "kern/kmem.h"
#include "vfs/simfs.h"
#include "vfs/vfs_priv.h"

static KMEM_TYPE(kt_dents, "vfs.vnode.dents");

struct nameres {
	struct vnode *dir; /* directory holding the last component */
	struct vnode *vn;  /* the object, or NULL when it does not exist */
	char name[VFS_NAME_MAX + 1];
	bool dot;   /* last component is "." or ".." (or the path is "/") */
	bool slash; /* trailing slash */
	bool exists_notdir; /* -ENOTDIR came from a trailing slash on an existing non-directory */
};

static uint32_t dir_find(const struct vnode *dir, const char *name)
{
	for (uint32_t i = 0; i < dir->ndents; i++)
		if (strncmp(dir->dents[i].name, name, VFS_NAME_MAX + 1) == 0)
			return i;
	return UINT32_MAX;
}

/* How a symbolic link in the last component is treated. */
enum last_link {
	LAST_FOLLOW,   /* followed (stat, open, chmod) */
	LAST_NOFOLLOW, /* named itself, unless a trailing slash follows it
			* (lstat, readlink, link's source, O_NOFOLLOW) */
	LAST_ENTRY,    /* always named itself: the call makes or removes a
			* directory entry (mkdir, rmdir, unlink, rename, link's
			* target, symlink); a trailing slash then demands a
			* directory, so a link there is -ENOTDIR (Linux) */
};

/*
 * Resolves path. Links in every component but the last are followed; the
 * last one as `last` says. A link's target continues the walk from the
 * root (absolute) or from the directory holding the link (relative); more
 * than SIMFS_SYMLOOP_MAX links in one walk is -ELOOP. The walk never
 * sleeps.
 */
static int resolve_at(const char *path, struct nameres *nr, enum last_link last_mode)
{
	bool follow = last_mode == LAST_FOLLOW;
	bool slash_follows = last_mode != LAST_ENTRY;
	struct simfs *rootfs = simfs_mounted();
	memset(nr, 0, sizeof(*nr));
	size_t len = strnlen(path, VFS_PATH_MAX);
	if (len >= VFS_PATH_MAX)
		return -ENAMETOOLONG;
	if (len == 0)
		return -ENOENT;
	char buf[VFS_PATH_MAX], tmp[VFS_PATH_MAX];
	memcpy(buf, path, len + 1);
	struct vnode *start = &rootfs->vn[SIMFS_ROOT_INO];
	int nlinks = 0;
restart:;
	struct vnode *cur = start;
	nr->dir = cur;
	nr->vn = cur;
	nr->dot = true;
	nr->slash = false;
	const char *p = buf;
	for (int depth = 0;; depth++) {
		KASSERT(depth < VFS_PATH_MAX, "path walk does not end");
		while (*p == '/')
			p++;
		if (*p == '\0')
			return 0;
		const char *end = strchr(p, '/');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		if (n > VFS_NAME_MAX)
			return -ENAMETOOLONG;
		const char *after = p + n;
		while (*after == '/')
			after++;
		bool last = *after == '\0';
		if (nr->vn == NULL)
			return -ENOENT; /* a previous component was missing */
		if (!vn_isdir(nr->vn))
			return -ENOTDIR;
		cur = nr->vn;
		nr->dir = cur;
		memcpy(nr->name, p, n);
		nr->name[n] = '\0';
		nr->dot = false;
		if (strcmp(nr->name, ".") == 0) {
			nr->vn = cur;
			nr->dot = true;
		} else if (strcmp(nr->name, "..") == 0) {
			nr->vn = mount_cross_down(mount_dotdot(cur));
			nr->dot = true;
		} else {
			uint32_t i = dir_find(cur, nr->name);
			nr->vn = i == UINT32_MAX ? NULL
						 : mount_cross_down(&cur->fs->vn[cur->dents[i].ino]);
		}
		if (nr->vn != NULL && vn_islnk(nr->vn) &&
		    (!last || follow || (end != NULL && slash_follows))) {
			if (++nlinks > SIMFS_SYMLOOP_MAX)
				return -ELOOP;
			/* the rest of the walk: target, then what followed the link */
			size_t tl = strlen(nr->vn->target);
			size_t rl = strlen(after);
			bool sep = rl > 0 || end != NULL;
			if (tl + (sep ? 1 : 0) + rl >= VFS_PATH_MAX)
				return -ENAMETOOLONG;
			memcpy(tmp, nr->vn->target, tl);
			if (sep)
				tmp[tl++] = '/';
			memcpy(tmp + tl, after, rl + 1);
			memcpy(buf, tmp, tl + rl + 1);
			start = buf[0] == '/' ? &rootfs->vn[SIMFS_ROOT_INO] : cur;
			goto restart;
		}
		if (last) {
			nr->slash = end != NULL;
			if (nr->slash && nr->vn != NULL && !vn_isdir(nr->vn)) {
				nr->exists_notdir = true;
				return -ENOTDIR;
			}
			return 0;
		}
		p = after;
	}
}

/* Follows a symbolic link in the last component. */
static int resolve(const char *path, struct nameres *nr)
{
	return resolve_at(path, nr, LAST_FOLLOW);
}

/* Names the link itself when the last component is one. */
static int resolve_nofollow(const char *path, struct nameres *nr)
{
	return resolve_at(path, nr, LAST_NOFOLLOW);
}

/* For the calls that make or remove the entry the last component names. */
static int resolve_entry(const char *path, struct nameres *nr)
{
	return resolve_at(path, nr, LAST_ENTRY);
}

int namei_lookup_locked(const char *path, bool follow, struct vnode **vpp)
{
	mutex_assert_held(&vfs_st()->ns_lock);
	struct nameres nr;
	int r = resolve_at(path, &nr, follow ? LAST_FOLLOW : LAST_NOFOLLOW);
	if (r == 0 && nr.vn == NULL)
		r = -ENOENT;
	if (r == 0)
		*vpp = nr.vn;
	return r;
}

static void touch_dir(struct vnode *dir)
{
	dir->mtime_ns = dir->ctime_ns = (int64_t)sim_now();
	vn_mark_dirty(dir, false, true);
}

/* Makes room for one more entry (size limit, space, array). Nothing can
 * fail in dir_insert after it. */
static int dir_reserve(struct vnode *dir)
{
	struct simfs *fs = dir->fs;
	uint32_t per = fs->bsize / SIMFS_DIRENT_SIZE;
	if ((int64_t)(dir->ndents + 1) * SIMFS_DIRENT_SIZE > fs->max_file_size)
		return -ENOSPC;
	if (dir->ndents % per == 0 && simfs_free_blocks(fs) <= 2)
		return -ENOSPC; /* the directory needs one more block at the next commit */
	if (dir->ndents < dir->dents_cap)
		return 0;
	uint32_t ncap = dir->dents_cap ? dir->dents_cap * 2 : 8;
	struct simfs_dirent *n = kmem_zalloc(&kt_dents, ncap * sizeof(*n));
	if (n == NULL)
		return -ENOMEM;
	if (dir->dents != NULL) {
		memcpy(n, dir->dents, dir->ndents * sizeof(*n));
		kmem_free(&kt_dents, dir->dents);
	}
	dir->dents = n;
	dir->dents_cap = ncap;
	return 0;
}

static void dir_insert(struct vnode *dir, const char *name, uint32_t ino)
{
	KASSERT(dir->ndents < dir->dents_cap, "directory entry without room");
	struct simfs_dirent *d = &dir->dents[dir->ndents++];
	memset(d, 0, sizeof(*d));
	d->ino = ino;
	memcpy(d->name, name, strnlen(name, VFS_NAME_MAX));
	dir->size = (int64_t)dir->ndents * SIMFS_DIRENT_SIZE;
	touch_dir(dir);
}

static int dir_add(struct vnode *dir, const char *name, uint32_t ino)
{
	int r = dir_reserve(dir);
	if (r == 0)
		dir_insert(dir, name, ino);
	return r;
}

static void dir_remove(struct vnode *dir, const char *name)
{
	uint32_t i = dir_find(dir, name);
	KASSERT(i != UINT32_MAX, "removing missing entry %s", name);
	memmove(&dir->dents[i], &dir->dents[i + 1], (dir->ndents - i - 1) * sizeof(*dir->dents));
	dir->ndents--;
	dir->size = (int64_t)dir->ndents * SIMFS_DIRENT_SIZE;
	touch_dir(dir);
}

static void report(struct vnode *vn, unsigned what, const char *name)
{
	struct fnotify_info info = {.size = vn->size, .name = name, .ino = vn->ino};
	fnotify_report(vn, what, &info);
}

/* Drops one link of vn (not a directory). Caller holds a reference. */
static void drop_link(struct vnode *vn, unsigned extra)
{
	KASSERT(vn->nlink > 0, "inode %u has no link to drop", vn->ino);
	vn->nlink--;
	vn->ctime_ns = (int64_t)sim_now();
	vn_mark_dirty(vn, false, false);
	report(vn, extra | FN_LINK | FN_ATTRIB | (vn->nlink == 0 ? FN_DELETE : 0), NULL);
}

/* Takes the namespace lock: false (nothing held) when nothing is mounted.
 * Checked again once the lock is ours: an unmount may have slept in it. */
static bool ns_enter(void)
{
	struct vfs_state *st = vfs_st();
	if (st->mounted == NULL)
		return false;
	mutex_lock(&st->ns_lock);
	if (st->mounted != NULL)
		return true;
	mutex_unlock(&st->ns_lock);
	return false;
}

static void ns_exit(void)
{
	mutex_unlock(&vfs_st()->ns_lock);
}

/* ---- open -------------------------------------------------------------------------- */

int simfs_open(struct simk_proc *p, const char *path, int flags, int mode)
{
	if ((flags & O_ACCMODE) == O_ACCMODE)
		return -EINVAL;
	int fd = fd_alloc(p, 0);
	if (fd < 0)
		return fd;
	if (!ns_enter()) {
		fd_unreserve(p, fd);
		return -ENOENT;
	}
	struct nameres nr;
	/* O_CREAT|O_EXCL and O_NOFOLLOW name a link in the last component
	 * itself; otherwise a dangling link makes O_CREAT create its target. */
	bool nofollow = (flags & O_NOFOLLOW) || ((flags & O_CREAT) && (flags & O_EXCL));
	int r = resolve_at(path, &nr, nofollow ? LAST_NOFOLLOW : LAST_FOLLOW);
	if (r == 0 && nr.vn != NULL && vn_islnk(nr.vn))
		r = (flags & O_CREAT) && (flags & O_EXCL) ? -EEXIST : -ELOOP;
	bool created = false;
	if (r == 0 && nr.vn == NULL) {
		if (!(flags & O_CREAT))
			r = -ENOENT;
		else if (nr.slash)
			r = -EISDIR;
		else {
			preempt_point();
			struct vnode *vn =
			    simfs_ialloc(nr.dir->fs, SIMK_S_IFREG | ((uint32_t)mode & 07777));
			if (vn == NULL) {
				r = -ENOSPC;
			} else {
				r = dir_add(nr.dir, nr.name, vn->ino);
				if (r == 0) {
					vn->nlink = 1;
					nr.vn = vn;
					created = true;
					report(nr.dir, FN_MODIFY, nr.name);
				} else {
					simfs_iput_check(vn);
				}
			}
		}
	} else if (r == 0) {
		if ((flags & O_CREAT) && (flags & O_EXCL))
			r = -EEXIST;
		else if (vn_isdir(nr.vn) &&
			 ((flags & O_ACCMODE) != O_RDONLY || (flags & (O_TRUNC | O_CREAT))))
			r = -EISDIR;
	}
	/* The file is made under the lock: from here on an unmount sees it
	 * (-EBUSY), so no open can slip into a filesystem being unmounted. */
	struct file *fp = NULL;
	if (r == 0) {
		bool dir = vn_isdir(nr.vn);
		fp = file_alloc(dir ? FT_DIR : FT_REGULAR, dir ? &simfs_dir_ops : &simfs_reg_ops,
				NULL, flags);
		if (fp == NULL) {
			r = -ENOMEM;
		} else {
			vn_hold(nr.vn);
			fp->vnode = nr.vn; /* the file's reference */
		}
	}
	ns_exit();
	if (r != 0) {
		fd_unreserve(p, fd);
		return r;
	}
	struct vnode *vn = nr.vn;
	if (!created && (flags & O_TRUNC) && file_writable(fp)) {
		r = simfs_truncate(vn, 0);
		if (r != 0) {
			file_put(fp);
			fd_unreserve(p, fd);
			return r;
		}
	}
	fd_install(p, fd, fp, (flags & O_CLOEXEC) ? FD_CLOEXEC_FLAG : 0);
	vfs_trace("vfs:open", fd, vn->ino, created, (int64_t)fp->id);
	return fd;
}

/* ---- the other namespace operations (host strings) ------------------------------------ */

int kvfs_mkdir(const char *path, int mode)
{
	if (!ns_enter())
		return -EINVAL;
	struct nameres nr;
	int r = resolve_entry(path, &nr);
	if ((r == 0 && nr.vn != NULL) || (r == -ENOTDIR && nr.exists_notdir))
		r = -EEXIST; /* "file/" exists, whatever the slash says (Linux) */
	if (r == 0) {
		preempt_point();
		struct vnode *vn = simfs_ialloc(nr.dir->fs, SIMK_S_IFDIR | ((uint32_t)mode & 07777));
		if (vn == NULL) {
			r = -ENOSPC;
		} else if ((r = dir_add(nr.dir, nr.name, vn->ino)) != 0) {
			simfs_iput_check(vn);
		} else {
			vn->nlink = 2;
			vn->parent = nr.dir->ino;
			nr.dir->nlink++;
			report(nr.dir, FN_MODIFY | FN_LINK, nr.name);
		}
	}
	ns_exit();
	return r;
}

int kvfs_rmdir(const char *path)
{
	if (!ns_enter())
		return -EINVAL;
	struct nameres nr;
	int r = resolve_entry(path, &nr);
	if (r == 0 && nr.vn == NULL)
		r = -ENOENT;
	else if (r == 0 && !vn_isdir(nr.vn))
		r = -ENOTDIR;
	else if (r == 0 && nr.vn->ino == SIMFS_ROOT_INO)
		r = -EBUSY;
	else if (r == 0 && nr.dot)
		r = -EINVAL;
	else if (r == 0 && nr.vn->ndents > 0)
		r = -ENOTEMPTY;
	if (r == 0) {
		preempt_point();
		struct vnode *vn = nr.vn;
		vn_hold(vn);
		dir_remove(nr.dir, nr.name);
		nr.dir->nlink--;
		vn->nlink = 0;
		vn->ctime_ns = (int64_t)sim_now();
		vn_mark_dirty(vn, false, false);
		report(vn, FN_DELETE | FN_LINK, NULL);
		report(nr.dir, FN_MODIFY | FN_LINK, nr.name);
		vn_rele(vn);
	}
	ns_exit();
	return r;
}

int kvfs_unlink(const char *path)
{
	if (!ns_enter())
		return -EINVAL;
	struct nameres nr;
	int r = resolve_entry(path, &nr);
	if (r == 0 && nr.vn == NULL)
		r = -ENOENT;
	else if (r == 0 && vn_isdir(nr.vn))
		r = -EISDIR;
	if (r == 0) {
		preempt_point();
		struct vnode *vn = nr.vn;
		vn_hold(vn);
		dir_remove(nr.dir, nr.name);
		drop_link(vn, 0);
		report(nr.dir, FN_MODIFY, nr.name);
		vn_rele(vn); /* frees it when nothing else holds it */
	}
	ns_exit();
	return r;
}

int kvfs_link(const char *oldpath, const char *newpath)
{
	if (!ns_enter())
		return -EINVAL;
	struct nameres o, n;
	int r = resolve_nofollow(oldpath, &o);
	if (r == 0 && o.vn == NULL)
		r = -ENOENT;
	if (r == 0 && vn_isdir(o.vn))
		r = -EPERM;
	if (r == 0)
		r = resolve_entry(newpath, &n);
	if (r == 0 && n.vn != NULL)
		r = -EEXIST;
	if (r == 0 && n.slash)
		r = -ENOENT;
	if (r == 0 && n.dir->fs != o.vn->fs)
		r = -EXDEV;
	if (r == 0) {
		preempt_point();
		r = dir_add(n.dir, n.name, o.vn->ino);
		if (r == 0) {
			o.vn->nlink++;
			o.vn->ctime_ns = (int64_t)sim_now();
			vn_mark_dirty(o.vn, false, false);
			report(o.vn, FN_LINK | FN_ATTRIB, NULL);
			report(n.dir, FN_MODIFY, n.name);
		}
	}
	ns_exit();
	return r;
}

/* True when anc is dir or one of its ancestors. */
static bool is_ancestor(const struct vnode *anc, const struct vnode *dir)
{
	const struct simfs *fs = dir->fs;
	const struct vnode *v = dir;
	for (uint32_t depth = 0; depth <= fs->ninodes; depth++) {
		if (v == anc)
			return true;
		if (v->ino == SIMFS_ROOT_INO)
			return false;
		v = &fs->vn[v->parent];
	}
	KASSERT(0, "directory tree has a cycle");
	return true;
}

int kvfs_rename(const char *oldpath, const char *newpath)
{
	if (!ns_enter())
		return -EINVAL;
	struct nameres o, n;
	int r = resolve_entry(oldpath, &o);
	if (r == 0 && o.vn == NULL)
		r = -ENOENT;
	else if (r == 0 && o.vn->ino == SIMFS_ROOT_INO)
		r = -EBUSY;
	else if (r == 0 && o.dot)
		r = -EINVAL;
	if (r == 0)
		r = resolve_entry(newpath, &n);
	if (r == 0 && n.dir->fs != o.dir->fs)
		r = -EXDEV;
	else if (r == 0 && n.vn != NULL && n.vn->ino == SIMFS_ROOT_INO)
		r = -EBUSY;
	else if (r == 0 && n.dot)
		r = -EINVAL;
	if (r == 0 && n.slash && !vn_isdir(o.vn))
		r = -ENOTDIR;
	struct vnode *src = o.vn, *dst = n.vn;
	if (r == 0 && vn_isdir(src) && is_ancestor(src, n.dir))
		r = -EINVAL;
	if (r == 0 && dst != NULL && dst != src) {
		if (vn_isdir(src) && !vn_isdir(dst))
			r = -ENOTDIR;
		else if (!vn_isdir(src) && vn_isdir(dst))
			r = -EISDIR;
		else if (vn_isdir(dst) && dst->ndents > 0)
			r = -ENOTEMPTY;
	}
	if (r == 0 && dst == src) {
		ns_exit();
		return 0; /* same file: nothing happens */
	}
	if (r == 0 && dst == NULL)
		r = dir_reserve(n.dir);
	if (r == 0) {
		preempt_point();
		vn_hold(src);
		if (dst != NULL) {
			vn_hold(dst);
			dir_remove(n.dir, n.name);
			if (vn_isdir(dst)) {
				dst->nlink = 0;
				n.dir->nlink--;
				vn_mark_dirty(dst, false, false);
				report(dst, FN_RENAME_TO | FN_DELETE | FN_LINK | FN_ATTRIB, n.name);
			} else {
				drop_link(dst, FN_RENAME_TO);
			}
		}
		dir_remove(o.dir, o.name);
		dir_insert(n.dir, n.name, src->ino);
		bool moved_dir = vn_isdir(src) && o.dir != n.dir;
		if (moved_dir) {
			o.dir->nlink--;
			n.dir->nlink++;
			src->parent = n.dir->ino;
		}
		src->ctime_ns = (int64_t)sim_now();
		vn_mark_dirty(src, false, false);
		report(src, FN_RENAME_FROM, n.name);
		report(o.dir, FN_MODIFY | (moved_dir ? FN_LINK : 0), o.name);
		if (n.dir != o.dir)
			report(n.dir, FN_MODIFY | (moved_dir ? FN_LINK : 0), n.name);
		if (dst != NULL)
			vn_rele(dst);
		vn_rele(src);
	}
	ns_exit();
	return r;
}

int kvfs_chmod(const char *path, int mode)
{
	if (!ns_enter())
		return -EINVAL;
	struct nameres nr;
	int r = resolve(path, &nr);
	if (r == 0 && nr.vn == NULL)
		r = -ENOENT;
	if (r == 0)
		vn_chmod(nr.vn, mode);
	ns_exit();
	return r;
}

void vn_chmod(struct vnode *vn, int mode)
{
	vn->mode = (vn->mode & ~07777u) | ((uint32_t)mode & 07777u);
	vn->ctime_ns = (int64_t)sim_now();
	vn_mark_dirty(vn, false, false);
	report(vn, FN_ATTRIB, NULL);
}

/* stat and lstat differ only in following a final symbolic link. */
static int stat_path(const char *path, struct simk_stat *st, bool follow)
{
	if (!ns_enter())
		return -EINVAL;
	struct nameres nr;
	int r = resolve_at(path, &nr, follow ? LAST_FOLLOW : LAST_NOFOLLOW);
	if (r == 0 && nr.vn == NULL)
		r = -ENOENT;
	if (r == 0)
		vn_stat(nr.vn, st);
	ns_exit();
	return r;
}

int kvfs_stat(const char *path, struct simk_stat *st)
{
	return stat_path(path, st, true);
}

int vfs_lookup_flags(const char *path, bool follow, struct vnode **vpp)
{
	if (!ns_enter())
		return -EINVAL;
	struct nameres nr;
	int r = resolve_at(path, &nr, follow ? LAST_FOLLOW : LAST_NOFOLLOW);
	if (r == 0 && nr.vn == NULL)
		r = -ENOENT;
	if (r == 0) {
		vn_hold(nr.vn);
		*vpp = nr.vn;
	}
	ns_exit();
	return r;
}

int namei_kernel_file(const char *path, int flags, struct file **fpp)
{
	sim_assert_thread_context(__func__);
	if (!ns_enter())
		return -EINVAL;
	struct nameres nr;
	int r = resolve(path, &nr);
	if (r == 0 && nr.vn == NULL)
		r = -ENOENT;
	else if (r == 0 && vn_isdir(nr.vn))
		r = -EISDIR;
	struct file *fp = NULL;
	if (r == 0) {
		fp = file_alloc(FT_REGULAR, &simfs_reg_ops, NULL, flags);
		if (fp == NULL) {
			r = -ENOMEM;
		} else {
			vn_hold(nr.vn);
			fp->vnode = nr.vn;
		}
	}
	ns_exit();
	if (r == 0)
		*fpp = fp;
	return r;
}

int vfs_lookup(const char *path, struct vnode **vpp)
{
	return vfs_lookup_flags(path, true, vpp);
}

int kvfs_lstat(const char *path, struct simk_stat *st)
{
	return stat_path(path, st, false);
}

int kvfs_symlink(const char *target, const char *linkpath)
{
	size_t tl = strnlen(target, VFS_PATH_MAX);
	if (tl >= VFS_PATH_MAX)
		return -ENAMETOOLONG;
	if (tl == 0)
		return -ENOENT; /* Linux: an empty target is ENOENT */
	char *copy = kmem_zalloc(&simfs_kt_target, tl + 1);
	if (copy == NULL)
		return -ENOMEM;
	memcpy(copy, target, tl);
	if (!ns_enter()) {
		kmem_free(&simfs_kt_target, copy);
		return -EINVAL;
	}
	struct nameres nr;
	int r = resolve_entry(linkpath, &nr);
	if ((r == 0 && nr.vn != NULL) || (r == -ENOTDIR && nr.exists_notdir))
		r = -EEXIST;
	if (r == 0 && nr.slash)
		r = -ENOENT;
	if (r == 0) {
		preempt_point();
		struct vnode *vn = simfs_ialloc(nr.dir->fs, SIMK_S_IFLNK | 0777);
		if (vn == NULL) {
			r = -ENOSPC;
		} else if ((r = dir_add(nr.dir, nr.name, vn->ino)) != 0) {
			simfs_iput_check(vn);
		} else {
			vn->target = copy;
			copy = NULL;
			vn->size = (int64_t)tl;
			vn->nlink = 1;
			vn_mark_dirty(vn, false, true);
			report(nr.dir, FN_MODIFY, nr.name);
		}
	}
	ns_exit();
	if (copy != NULL)
		kmem_free(&simfs_kt_target, copy);
	return r;
}

ssize_t kvfs_readlink(const char *path, char *buf, size_t len)
{
	if (!ns_enter())
		return -EINVAL;
	struct nameres nr;
	ssize_t r = resolve_nofollow(path, &nr);
	if (r == 0 && nr.vn == NULL)
		r = -ENOENT;
	else if (r == 0 && !vn_islnk(nr.vn))
		r = -EINVAL;
	if (r == 0) {
		size_t tl = strlen(nr.vn->target);
		size_t n = tl < len ? tl : len; /* truncated, no NUL (readlink(2)) */
		memcpy(buf, nr.vn->target, n);
		r = (ssize_t)n;
	}
	ns_exit();
	return r;
}

int kvfs_open(struct simk_proc *p, const char *path, int flags, int mode)
{
	return simfs_open(p, path, flags, mode);
}

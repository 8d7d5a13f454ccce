/*
 * File-change hooks: what happened to a vnode, told to whoever watches it.
 * Event ports (PORT_SOURCE_FILE) and kqueue (EVFILT_VNODE) are built on
 * these; EVFILT_FS on the filesystem-wide events below.
 *
 * What it offers
 * --------------
 * - fnotify_watch(vnode, watcher): the watcher's callback
 *   fn(watcher, what, info) runs after every operation on that vnode that
 *   changes something in its mask. `what` is the set of FN_* bits of one
 *   operation (a write that extends a file reports FN_MODIFY | FN_EXTEND).
 *   A watcher holds a reference on the vnode (it stays valid, even after
 *   unlink, until fnotify_unwatch).
 * - Which operation reports what (the contract kqueue and ports map from):
 *     read / pread / readv (bytes > 0)   FN_ACCESS
 *     write (bytes > 0)                  FN_MODIFY (| FN_EXTEND if size grew)
 *     ftruncate / O_TRUNC                FN_TRUNCATE if smaller,
 *                                        FN_EXTEND if larger, plus
 *                                        FN_MODIFY and FN_ATTRIB when the
 *                                        size changed
 *     chmod                              FN_ATTRIB
 *     unlink / rename over the target    on the file: FN_LINK | FN_ATTRIB,
 *                                        plus FN_DELETE when nlink drops
 *                                        to 0; on the directory: FN_MODIFY
 *     link                               on the file: FN_LINK | FN_ATTRIB;
 *                                        on the directory: FN_MODIFY
 *     rename                             the renamed vnode: FN_RENAME_FROM
 *                                        (info->name = the new name); a
 *                                        target replaced by the rename:
 *                                        FN_RENAME_TO | FN_LINK | FN_ATTRIB
 *                                        (| FN_DELETE when that was its
 *                                        last link); old and new
 *                                        directories: FN_MODIFY (| FN_LINK
 *                                        when a directory moved between
 *                                        them)
 *     create / mkdir / rmdir in a dir    on the directory: FN_MODIFY
 *                                        (mkdir/rmdir also FN_LINK)
 *     rmdir                              on the removed dir: FN_DELETE
 *     unmount                            every watched vnode: FN_UNMOUNT
 *     mount on a directory               the covered directory:
 *                                        FN_MOUNTED_OVER
 *     revoke (fnotify_revoke)            FN_REVOKE
 * - Filesystem-wide events (EVFILT_FS): fs_watch(watcher) hears FSEV_*
 *   (BSD's VQ_* values): mount, unmount, low space (free blocks below
 *   the low-water mark), space available again, device dead (power cut).
 *   Watchers are per run: detach them before the run ends.
 *
 * What the caller guarantees
 * --------------------------
 * - Callbacks run in the context of the operation, after the change is
 *   visible (a stat from the callback sees it): thread context of the
 *   thread that did it, or interrupt context for the completion of an
 *   asynchronous direct write (FN_MODIFY | FN_EXTEND). They must not sleep
 *   and must not call VFS operations; they may detach their own watcher,
 *   nothing else.
 * - A watcher is on at most one vnode and is unwatched before being freed.
 *   fnotify_unwatch may be called from any context.
 */
#ifndef SIMK_VFS_FNOTIFY_H
#define SIMK_VFS_FNOTIFY_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/engine.h"

#define FN_ACCESS 0x0001
#define FN_MODIFY 0x0002
#define FN_ATTRIB 0x0004
#define FN_TRUNCATE 0x0008
#define FN_EXTEND 0x0010
#define FN_DELETE 0x0020
#define FN_RENAME_FROM 0x0040
#define FN_RENAME_TO 0x0080
#define FN_LINK 0x0100
#define FN_REVOKE 0x0200
#define FN_UNMOUNT 0x0400
#define FN_MOUNTED_OVER 0x0800 /* a filesystem was mounted on this directory */
#define FN_ALL 0x0fff

struct vnode;

struct fnotify_info {
	int64_t size;	  /* the file's size after the operation */
	const char *name; /* name involved (rename: the new name), or NULL;
			   * valid only during the callback */
	uint64_t ino;	  /* the vnode's inode number */
};

struct fnotify_watcher;
typedef void (*fnotify_fn)(struct fnotify_watcher *w, unsigned what,
			   const struct fnotify_info *info);

struct fnotify_watcher {
	struct list_node link;
	struct vnode *vn; /* NULL while not watching */
	unsigned mask;	  /* FN_* bits of interest */
	fnotify_fn fn;
	void *priv; /* the consumer's */
};

void fnotify_watcher_init(struct fnotify_watcher *w, fnotify_fn fn, void *priv, unsigned mask);
/* Attaches w to vn (takes a vnode reference). 0, or -ENOENT when the
 * vnode was already removed (nlink 0 and not open) or unmounted. */
int fnotify_watch(struct vnode *vn, struct fnotify_watcher *w);
/* Detaches w and drops its vnode reference; no-op when not watching. */
void fnotify_unwatch(struct fnotify_watcher *w);
static inline bool fnotify_watching(const struct fnotify_watcher *w)
{
	return w->vn != NULL;
}
/* Reports what to every interested watcher of vn (the VFS calls this; a
 * test or a subsystem may too). */
void fnotify_report(struct vnode *vn, unsigned what, const struct fnotify_info *info);
/* Reports FN_REVOKE on vn (revoke(2)-like: tells watchers the file is
 * gone for them). */
void fnotify_revoke(struct vnode *vn);

/* ---- filesystem-wide events ---- */
#define FSEV_NOTRESP 0x0001  /* VQ_NOTRESP: the device stopped answering */
#define FSEV_LOWDISK 0x0004  /* VQ_LOWDISK: free space below the low mark */
#define FSEV_MOUNT 0x0008    /* VQ_MOUNT */
#define FSEV_UNMOUNT 0x0010  /* VQ_UNMOUNT */
#define FSEV_DEAD 0x0020     /* VQ_DEAD: the device failed */
#define FSEV_SPACE_OK 0x1000 /* ours: free space back above the low mark */

struct fs_watcher;
/* Any context (space events come from allocation paths); must not sleep. */
typedef void (*fs_watch_fn)(struct fs_watcher *w, unsigned what);
struct fs_watcher {
	struct list_node link;
	bool attached;
	fs_watch_fn fn;
	void *priv;
};
void fs_watcher_init(struct fs_watcher *w, fs_watch_fn fn, void *priv);
/* Watches every filesystem of the run (the one at "/" and those mounted
 * on its directories). */
void fs_watch(struct fs_watcher *w);
void fs_unwatch(struct fs_watcher *w);
void fs_report(unsigned what);

#endif

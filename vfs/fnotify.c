/*
 * File-change hooks. A watcher is on the list of exactly the vnode w->vn
 * (holding a reference on it) or on none. Reports walk the list with the
 * next element saved, so a callback may detach its own watcher.
 */
#include "vfs/fnotify.h"

#include <errno.h>

#include "vfs/simfs.h"
#include "vfs/vfs_priv.h"

/* Liveness guard: watchers of one event; past it the loop is a livelock bug. */
#define FNOTIFY_WATCHERS_MAX 1000000

void fnotify_watcher_init(struct fnotify_watcher *w, fnotify_fn fn, void *priv, unsigned mask)
{
	list_init(&w->link);
	w->vn = NULL;
	w->fn = fn;
	w->priv = priv;
	w->mask = mask;
}

int fnotify_watch(struct vnode *vn, struct fnotify_watcher *w)
{
	KASSERT(w->vn == NULL, "watcher already watching inode %u", w->vn->ino);
	KASSERT(w->fn != NULL, "watcher without a callback");
	if (vn->fs->dead || vn->mode == 0)
		return -ENOENT;
	vn_hold(vn);
	list_push_back(&vn->watchers, &w->link);
	vn->nwatchers++;
	w->vn = vn;
	return 0;
}

void fnotify_unwatch(struct fnotify_watcher *w)
{
	struct vnode *vn = w->vn;
	if (vn == NULL)
		return;
	list_del(&w->link);
	vn->nwatchers--;
	w->vn = NULL;
	vn_rele(vn);
}

void fnotify_report(struct vnode *vn, unsigned what, const struct fnotify_info *info)
{
	if (vn->nwatchers == 0 || what == 0)
		return;
	struct fnotify_info local = {.size = vn->size, .name = NULL, .ino = vn->ino};
	if (info == NULL)
		info = &local;
	vfs_trace("vfs:fnotify", vn->ino, what, vn->nwatchers, 0);
	int n = vn->nwatchers;
	struct list_node *it = vn->watchers.next;
	for (int i = 0; it != &vn->watchers; i++) {
		KASSERT(i <= n, "watcher list of inode %u grew during a report", vn->ino);
		struct list_node *next = it->next;
		struct fnotify_watcher *w = list_entry(it, struct fnotify_watcher, link);
		if (what & w->mask)
			w->fn(w, what & w->mask, info);
		it = next;
	}
}

void fnotify_revoke(struct vnode *vn)
{
	fnotify_report(vn, FN_REVOKE, NULL);
}

/* ---- filesystem-wide events ---- */

void fs_watcher_init(struct fs_watcher *w, fs_watch_fn fn, void *priv)
{
	list_init(&w->link);
	w->attached = false;
	w->fn = fn;
	w->priv = priv;
}

void fs_watch(struct fs_watcher *w)
{
	KASSERT(!w->attached, "fs watcher attached twice");
	list_push_back(&vfs_st()->fs_watchers, &w->link);
	w->attached = true;
}

void fs_unwatch(struct fs_watcher *w)
{
	if (!w->attached)
		return;
	list_del(&w->link);
	w->attached = false;
}

void fs_report(unsigned what)
{
	struct vfs_state *st = vfs_st();
	vfs_trace("vfs:fs_event", what, 0, 0, 0);
	struct list_node *it = st->fs_watchers.next;
	for (int i = 0; it != &st->fs_watchers; i++) {
		KASSERT(i < FNOTIFY_WATCHERS_MAX, "fs watcher list loops");
		struct list_node *next = it->next;
		struct fs_watcher *w = list_entry(it, struct fs_watcher, link);
		w->fn(w, what);
		it = next;
	}
}

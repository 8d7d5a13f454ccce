/*
 * EVFILT_VNODE: changes to a filesystem file or directory, from the VFS's
 * file-change hooks (vfs/fnotify.h).
 *
 * The invariant: the hook only ORs what happened (the NOTE_* bits the user
 * asked for) into the knote's fflags and pokes it; nothing is lost while
 * the knote is owned, and several changes before a retrieval coalesce into
 * one event whose fflags carry them all. Without EV_CLEAR the bits stay
 * and the event repeats, as on BSD. A revoke or unmount always fires, with
 * EV_EOF | EV_NODATA.
 *
 * FN_* to NOTE_*: MODIFY -> WRITE, EXTEND (a write past the end, or a
 * truncate upward) -> EXTEND, ATTRIB and TRUNCATE -> ATTRIB, LINK -> LINK,
 * DELETE -> DELETE, RENAME_FROM -> RENAME, REVOKE and UNMOUNT -> REVOKE,
 * ACCESS -> READ.
 */
#include <errno.h>

#include "syscalls/kqueue/kq_priv.h"

static uint32_t fn_to_note(unsigned what)
{
	uint32_t n = 0;
	if (what & FN_MODIFY)
		n |= NOTE_WRITE;
	if (what & FN_EXTEND)
		n |= NOTE_EXTEND;
	if (what & (FN_ATTRIB | FN_TRUNCATE))
		n |= NOTE_ATTRIB;
	if (what & FN_LINK)
		n |= NOTE_LINK;
	if (what & FN_DELETE)
		n |= NOTE_DELETE;
	if (what & FN_RENAME_FROM)
		n |= NOTE_RENAME;
	if (what & (FN_REVOKE | FN_UNMOUNT))
		n |= NOTE_REVOKE;
	if (what & FN_ACCESS)
		n |= NOTE_READ;
	return n;
}

/* The context of the operation (thread, or interrupt for a direct write's
 * completion); never sleeps. */
static void vnode_cb(struct fnotify_watcher *w, unsigned what, const struct fnotify_info *info)
{
	(void)info;
	struct knote *kn = w->priv;
	if (kn->status & KN_DELETING)
		return;
	kn->kev.fflags |= fn_to_note(what) & kn->sfflags;
	if (what & (FN_REVOKE | FN_UNMOUNT))
		kn->kev.flags |= EV_EOF | EV_NODATA;
	kq_knote_poke(kn);
}

int kq_vnode_attach(struct knote *kn)
{
	struct file *fp = kn->fp;
	if (fp->vnode == NULL)
		return -EINVAL;
	kn->fop = &kq_vnode_filtops;
	/* BSD has no note for a directory being mounted over. */
	fnotify_watcher_init(&kn->u.vn.fw, vnode_cb, kn, FN_ALL & ~FN_MOUNTED_OVER);
	return fnotify_watch(fp->vnode, &kn->u.vn.fw);
}

static void filt_vnodedetach(struct knote *kn)
{
	fnotify_unwatch(&kn->u.vn.fw);
}

static bool filt_vnode(struct knote *kn, long hint)
{
	(void)hint;
	return kn->kev.fflags != 0 || (kn->kev.flags & EV_EOF);
}

const struct filterops kq_vnode_filtops = {
    .name = "vnode",
    .flags = FILTEROP_ISFD,
    .detach = filt_vnodedetach,
    .event = filt_vnode,
};

/*
 * EVFILT_FS: filesystem-wide events (vfs/fnotify.h's fs watchers): mount,
 * unmount, low space, space back, device not responding or dead. fflags
 * accumulate the VQ_* bits (FSEV_*) seen since the last retrieval (EV_CLEAR
 * is implied); ident is not interpreted.
 */
#include "syscalls/kqueue/kq_priv.h"

/* Any context. */
static void fs_cb(struct fs_watcher *w, unsigned what)
{
	struct knote *kn = w->priv;
	if (kn->status & KN_DELETING)
		return;
	kn->kev.fflags |= what;
	kq_knote_poke(kn);
}

static int filt_fsattach(struct knote *kn)
{
	kn->kev.flags |= EV_CLEAR;
	fs_watcher_init(&kn->u.fs.w, fs_cb, kn);
	fs_watch(&kn->u.fs.w);
	return 0;
}

static void filt_fsdetach(struct knote *kn)
{
	fs_unwatch(&kn->u.fs.w);
}

static bool filt_fs(struct knote *kn, long hint)
{
	(void)hint;
	return kn->kev.fflags != 0;
}

const struct filterops kq_fs_filtops = {
    .name = "fs",
    .attach = filt_fsattach,
    .detach = filt_fsdetach,
    .event = filt_fs,
};

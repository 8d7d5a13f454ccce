/*
 * EVFILT_READ / EVFILT_WRITE for every file type, generic over the
 * readiness hooks (vfs/poll.h) plus FIONREAD / FIONSPACE for the counts;
 * and the dispatcher that picks a descriptor filter (READ, WRITE, EXCEPT,
 * VNODE) for a file.
 *
 * The invariant: the filter never caches readiness. Every evaluation asks
 * the file (file_poll, ioctl, the vnode's size) what is true now, and a
 * listener only pokes the knote. So a level-triggered knote whose
 * condition went away is dropped by the scan, EV_EOF is reported on every
 * retrieval while it holds, and a change the listener missed while the
 * knote was owned is picked up by the owner's reprocessing.
 *
 * Regular files: READ data = bytes from the file offset to the end of the
 * file (fires when > 0, or >= the NOTE_LOWAT mark); WRITE always fires
 * with data 0. Their readiness changes without poll wake-ups (a write by
 * someone else extends the file), so READ also watches the vnode.
 * Pipes and sockets: READ data = FIONREAD, EV_EOF when no more data will
 * come (POLLHUP / POLLRDHUP), with EV_NODATA once it is drained; WRITE
 * data = FIONSPACE, EV_EOF when writes would fail (POLLERR / POLLHUP).
 * NOTE_LOWAT: fire only when data >= the mark (kev.data of the change).
 * EV_HUP (DragonFly) comes with EV_EOF when the connection is completely
 * gone (POLLHUP: a pipe's other end closed, a socket shut both ways), not
 * on a half close (POLLRDHUP alone); a write side that fails has it too.
 *
 * Pipes follow the reference (DragonFly's and FreeBSD's sys_pipe.c, whose
 * test suites check this): READ on the write end watches the direction
 * that end would read, which never carries data in a one-way pipe, so its
 * data is 0 and it fires only with EOF when the reader closes (not with
 * the reader's bytes); WRITE on a pipe whose other end is already closed
 * is refused with EPIPE (registered before the close, it fires with EOF).
 */
#include <errno.h>

#include "syscalls/kqueue/kq_priv.h"
#include "vfs/vfs.h"

#define RW_READ_INTEREST (POLLIN | POLLRDNORM | POLLRDHUP)
#define RW_WRITE_INTEREST (POLLOUT | POLLWRNORM)

static bool is_regular(const struct file *fp)
{
	return fp->type == FT_REGULAR && fp->vnode != NULL;
}

static unsigned rw_interest(const struct knote *kn)
{
	return kn->kev.filter == EVFILT_READ ? RW_READ_INTEREST : RW_WRITE_INTEREST;
}

/* Any context: the file's readiness changed (or its head is going away). */
static void rw_poll_cb(struct poll_listener *l, unsigned events)
{
	struct knote *kn = l->priv;
	if (events & POLLFREE)
		kn->u.rw.head_gone = true; /* poll_head_destroy detached us */
	kq_knote_poke(kn);
}

/* A regular file changed size or went away. */
static void rw_fnotify_cb(struct fnotify_watcher *w, unsigned what, const struct fnotify_info *info)
{
	(void)what, (void)info;
	kq_knote_poke(w->priv);
}

int kq_rw_attach(struct knote *kn)
{
	struct file *fp = kn->fp;
	if (kn->kev.filter == EVFILT_WRITE && fp->type == FT_PIPE &&
	    (file_poll(fp, RW_WRITE_INTEREST, NULL) & (POLLERR | POLLHUP)))
		return -EPIPE; /* the other end is gone */
	kn->fop = &kq_rw_filtops;
	/* Every wake-up: counts (FIONREAD/FIONSPACE, NOTE_LOWAT) change even
	 * when the readiness mask does not. */
	poll_listener_init(&kn->u.rw.pl, rw_poll_cb, kn, rw_interest(kn) | POLL_ANYCHANGE);
	fnotify_watcher_init(&kn->u.rw.fw, rw_fnotify_cb, kn,
			     FN_MODIFY | FN_EXTEND | FN_TRUNCATE | FN_REVOKE | FN_UNMOUNT);
	if (is_regular(fp) && kn->kev.filter == EVFILT_READ) {
		int r = fnotify_watch(fp->vnode, &kn->u.rw.fw);
		if (r != 0)
			return r;
	}
	struct poll_head *ph = NULL;
	(void)file_poll(fp, rw_interest(kn), &ph);
	if (ph != NULL)
		poll_listen(ph, &kn->u.rw.pl);
	return 0;
}

static void filt_rwdetach(struct knote *kn)
{
	poll_unlisten(&kn->u.rw.pl);
	if (fnotify_watching(&kn->u.rw.fw))
		fnotify_unwatch(&kn->u.rw.fw);
}

static int file_count(struct file *fp, unsigned long cmd, int64_t *out)
{
	int val = 0;
	if (fp->ops->ioctl == NULL || fp->ops->ioctl(fp, cmd, &val) != 0)
		return -ENOTTY;
	*out = val;
	return 0;
}

static bool lowat_ok(const struct knote *kn, int64_t data, bool dflt)
{
	if (kn->sfflags & NOTE_LOWAT)
		return data >= (kn->sdata > 0 ? kn->sdata : 1);
	return dflt;
}

static bool filt_regular(struct knote *kn)
{
	struct file *fp = kn->fp;
	if (kn->kev.filter == EVFILT_WRITE) {
		kn->kev.data = 0;
		return true;
	}
	struct simk_stat st = {0};
	vn_stat(fp->vnode, &st);
	int64_t left = st.st_size - fp->offset;
	kn->kev.data = left > 0 ? left : 0;
	return lowat_ok(kn, kn->kev.data, kn->kev.data > 0);
}

static bool filt_rw(struct knote *kn, long hint)
{
	(void)hint;
	struct file *fp = kn->fp;
	if (is_regular(fp))
		return filt_regular(kn);
	unsigned ev = file_poll(fp, rw_interest(kn), NULL);
	bool gone = (ev & POLLHUP) || kn->u.rw.head_gone;
	kn->kev.flags &= (uint16_t) ~(EV_EOF | EV_NODATA | EV_HUP);
	if (kn->kev.filter == EVFILT_READ && !file_readable(fp)) {
		/* a pipe's write end: its own direction is always empty */
		kn->kev.data = 0;
		if ((ev & POLLERR) || gone) {
			kn->kev.flags |= EV_EOF | EV_NODATA | EV_HUP;
			return true;
		}
		return false;
	}
	if (kn->kev.filter == EVFILT_READ) {
		int64_t n = 0;
		if (file_count(fp, SIMK_FIONREAD, &n) != 0)
			n = (ev & (POLLIN | POLLRDNORM)) ? 1 : 0;
		kn->kev.data = n;
		if ((ev & POLLRDHUP) || gone) {
			kn->kev.flags |= EV_EOF;
			if (n == 0)
				kn->kev.flags |= EV_NODATA;
			if (gone)
				kn->kev.flags |= EV_HUP;
			return true;
		}
		if (ev & POLLERR)
			return true;
		return lowat_ok(kn, n, n > 0 || (ev & (POLLIN | POLLRDNORM)));
	}
	int64_t space = 0;
	if (file_count(fp, SIMK_FIONSPACE, &space) != 0)
		space = (ev & (POLLOUT | POLLWRNORM)) ? 1 : 0;
	kn->kev.data = space;
	if ((ev & POLLERR) || gone) {
		kn->kev.flags |= EV_EOF | EV_HUP;
		return true;
	}
	return lowat_ok(kn, space, (ev & (POLLOUT | POLLWRNORM)) != 0);
}

const struct filterops kq_rw_filtops = {
    .name = "rw",
    .flags = FILTEROP_ISFD,
    .detach = filt_rwdetach,
    .event = filt_rw,
};

/* ---- the descriptor filter dispatcher ---- */

static int filt_fileattach(struct knote *kn)
{
	struct file *fp = kn->fp;
	if (kn->kev.filter == EVFILT_VNODE)
		return kq_vnode_attach(kn);
	if (fp->ops->kqfilter != NULL)
		return fp->ops->kqfilter(fp, kn);
	if (kn->kev.filter == EVFILT_EXCEPT)
		return kq_except_attach(kn);
	return kq_rw_attach(kn);
}

static bool filt_file_unused(struct knote *kn, long hint)
{
	(void)hint;
	sim_panic("knote %llu kept the descriptor dispatcher as its filter",
		  (unsigned long long)kn->id);
}

const struct filterops kq_file_filtops = {
    .name = "file",
    .flags = FILTEROP_ISFD,
    .attach = filt_fileattach,
    .event = filt_file_unused,
};

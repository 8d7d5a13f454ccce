/*
 * EVFILT_EXCEPT: exceptional conditions on a descriptor, generic over the
 * readiness hooks: with NOTE_OOB, an out-of-band byte is pending (POLLPRI,
 * the socketpair's urgent byte) and the event carries NOTE_OOB in fflags.
 * Whatever the fflags, the end of the stream (POLLHUP / POLLRDHUP) fires
 * with EV_EOF | EV_NODATA, as the reference's socket filter does. Like
 * READ/WRITE it never caches: each evaluation polls the file.
 */
#include <errno.h>

#include "syscalls/kqueue/kq_priv.h"

#define EXCEPT_INTEREST (POLLPRI | POLLRDBAND | POLLRDHUP)

static void except_poll_cb(struct poll_listener *l, unsigned events)
{
	struct knote *kn = l->priv;
	if (events & POLLFREE)
		kn->u.rw.head_gone = true;
	kq_knote_poke(kn);
}

int kq_except_attach(struct knote *kn)
{
	kn->fop = &kq_except_filtops;
	poll_listener_init(&kn->u.rw.pl, except_poll_cb, kn, EXCEPT_INTEREST);
	struct poll_head *ph = NULL;
	(void)file_poll(kn->fp, EXCEPT_INTEREST, &ph);
	if (ph != NULL)
		poll_listen(ph, &kn->u.rw.pl);
	return 0;
}

static void filt_exceptdetach(struct knote *kn)
{
	poll_unlisten(&kn->u.rw.pl);
}

static bool filt_except(struct knote *kn, long hint)
{
	(void)hint;
	unsigned ev = file_poll(kn->fp, EXCEPT_INTEREST, NULL);
	kn->kev.flags &= (uint16_t) ~(EV_EOF | EV_NODATA);
	if ((ev & (POLLHUP | POLLRDHUP)) || kn->u.rw.head_gone) {
		kn->kev.flags |= EV_EOF | EV_NODATA;
		return true;
	}
	if ((kn->sfflags & NOTE_OOB) && (ev & (POLLPRI | POLLRDBAND))) {
		kn->kev.fflags |= NOTE_OOB;
		return true;
	}
	kn->kev.fflags &= ~(uint32_t)NOTE_OOB;
	return false;
}

const struct filterops kq_except_filtops = {
    .name = "except",
    .flags = FILTEROP_ISFD,
    .detach = filt_exceptdetach,
    .event = filt_except,
};

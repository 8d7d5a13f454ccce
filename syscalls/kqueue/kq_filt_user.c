/*
 * EVFILT_USER: events the program triggers itself. NOTE_TRIGGER sets the
 * trigger; the control bits of fflags (NOTE_FFNOP / FFAND / FFOR / FFCOPY)
 * say how the low 24 bits combine with the knote's fflags; data is copied
 * from every change, as the reference does (undocumented there too).
 * EV_CLEAR in a later change resets the trigger (and data); registered
 * with EV_CLEAR, retrieval resets it. A change keeps the knote's udata
 * (only EV_ADD of a new knote sets it), as the reference's touch does.
 */
#include "syscalls/kqueue/kq_priv.h"

static void user_apply_fflags(struct knote *kn, uint32_t fflags)
{
	uint32_t ctrl = fflags & NOTE_FFCTRLMASK;
	uint32_t bits = fflags & NOTE_FFLAGSMASK;
	switch (ctrl) {
	case NOTE_FFAND:
		kn->kev.fflags &= bits;
		break;
	case NOTE_FFOR:
		kn->kev.fflags |= bits;
		break;
	case NOTE_FFCOPY:
		kn->kev.fflags = bits;
		break;
	default: /* NOTE_FFNOP */
		break;
	}
}

static int filt_userattach(struct knote *kn)
{
	kn->u.user.triggered = (kn->sfflags & NOTE_TRIGGER) != 0;
	user_apply_fflags(kn, kn->sfflags);
	kn->sfflags &= NOTE_FFLAGSMASK;
	kn->kev.data = kn->sdata;
	return 0;
}

static bool filt_user(struct knote *kn, long hint)
{
	(void)hint;
	return kn->u.user.triggered;
}

static int filt_usertouch_register(struct knote *kn, const struct kevent *kev)
{
	if (kev->fflags & NOTE_TRIGGER)
		kn->u.user.triggered = true;
	user_apply_fflags(kn, kev->fflags);
	kn->kev.data = kev->data;
	/* udata stays: the reference's user touch leaves it (a trigger from
	 * another thread need not know it). */
	/* EV_CLEAR in a modification resets the trigger and data, not the
	 * fflags (NOTE_FFAND / NOTE_FFCOPY clear those). */
	if (kev->flags & EV_CLEAR) {
		kn->u.user.triggered = false;
		kn->kev.data = 0;
	}
	return 0;
}

static void filt_usertouch_process(struct knote *kn, struct kevent *out)
{
	*out = kn->kev;
	if (kn->kev.flags & EV_CLEAR)
		kn->u.user.triggered = false; /* data and fflags: the scan clears */
}

const struct filterops kq_user_filtops = {
    .name = "user",
    .attach = filt_userattach,
    .event = filt_user,
    .touch_register = filt_usertouch_register,
    .touch_process = filt_usertouch_process,
};

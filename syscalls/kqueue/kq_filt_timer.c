/*
 * EVFILT_TIMER: a periodic (or EV_ONESHOT) timer in virtual time. data of
 * the change is the period in milliseconds (FreeBSD's NOTE_SECONDS /
 * NOTE_MSECONDS / NOTE_USECONDS / NOTE_NSECONDS pick another unit); the
 * event's data is the number of expirations since the last retrieval
 * (EV_CLEAR is implied). Re-adding an existing timer (EV_ADD) throws away
 * undelivered expirations and restarts it with the new period, as
 * FreeBSD's manual says; other changes (EV_ENABLE, EV_DISABLE) keep it
 * running. Timers are counted run-wide: past the limit
 * (kqueue_set_timer_max, kern.kq_calloutmax) EV_ADD fails with ENOMEM.
 *
 * The invariant: the callout is armed exactly while the knote is attached
 * and not a spent one-shot. The expiry handler runs in interrupt context
 * and cannot wait for a knote another thread owns, so it counts the
 * expiration in data and asks the owner to reprocess; a knote being
 * deleted (DELETING) is owned by its deleter, which stops the callout in
 * detach before freeing, so no expiry ever sees a freed knote.
 */
#include <errno.h>

#include "syscalls/kqueue/kq_priv.h"

#define NS_PER_MS 1000000ull

/* 0 and the period, or -EINVAL. */
static int timer_period(uint32_t fflags, int64_t data, bool oneshot, uint64_t *ns)
{
	uint32_t units = fflags & NOTE_TIMER_UNITS;
	uint64_t mult;
	switch (units) {
	case 0:
	case NOTE_MSECONDS:
		mult = NS_PER_MS;
		break;
	case NOTE_SECONDS:
		mult = 1000000000ull;
		break;
	case NOTE_USECONDS:
		mult = 1000ull;
		break;
	case NOTE_NSECONDS:
		mult = 1ull;
		break;
	default:
		return -EINVAL; /* two units at once */
	}
	if (data < 0)
		return -EINVAL;
	if (data == 0 && !oneshot)
		data = 1; /* a periodic timer of 0 would spin: one unit */
	if ((uint64_t)data > UINT64_MAX / 2 / mult)
		return -EINVAL;
	*ns = (uint64_t)data * mult;
	return 0;
}

static void timer_expire(void *arg);

static void timer_arm(struct knote *kn)
{
	callout_reset(&kn->u.timer.co, kn->u.timer.period_ns, timer_expire, kn);
}

/* Interrupt context. */
static void timer_expire(void *arg)
{
	KASSERT(sim_in_irq(), "kqueue timer expiry outside interrupt context");
	struct knote *kn = arg;
	KASSERT(!(kn->status & KN_DELETING) || (kn->status & KN_PROCESSING),
		"timer fired on a deleted knote %llu", (unsigned long long)kn->id);
	kn->kev.data++;
	trace_emit(TR_INFO, "kq:timer", (int64_t)kn->kq->id, (int64_t)kn->id,
		   (int64_t)kn->kev.ident, kn->kev.data);
	bool rearm = !(kn->kev.flags & EV_ONESHOT);
	if (kn->status & KN_PROCESSING) {
		/* Owned by a thread: record, let it reprocess. */
		trace_emit(TR_INFO, "kq:timer_deferred", (int64_t)kn->kq->id, (int64_t)kn->id,
			   (int64_t)kn->kev.ident, 0);
		kn->status |= KN_REPROCESS;
		if (rearm && !(kn->status & KN_DELETING))
			timer_arm(kn);
		return;
	}
	kn->status |= KN_PROCESSING;
	kq_knote_activate(kn);
	if (rearm)
		timer_arm(kn);
	kq_knote_release(kn);
}

static int filt_timerattach(struct knote *kn)
{
	struct kq_state *st = kq_st();
	uint64_t ns;
	int r = timer_period(kn->sfflags, kn->sdata, (kn->kev.flags & EV_ONESHOT) != 0, &ns);
	if (r != 0)
		return r;
	if (st->timers_live >= st->timer_max)
		return -ENOMEM;
	st->timers_live++;
	kn->kev.flags |= EV_CLEAR;
	kn->u.timer.period_ns = ns;
	callout_init(&kn->u.timer.co, "kq:timer_expire");
	timer_arm(kn);
	return 0;
}

static void filt_timerdetach(struct knote *kn)
{
	struct kq_state *st = kq_st();
	(void)callout_stop(&kn->u.timer.co);
	KASSERT(st->timers_live > 0, "kqueue timer count underflow");
	st->timers_live--;
}

static bool filt_timer(struct knote *kn, long hint)
{
	(void)hint;
	return kn->kev.data != 0;
}

static int filt_timertouch(struct knote *kn, const struct kevent *kev)
{
	if (!(kev->flags & EV_ADD)) {
		/* EV_ENABLE / EV_DISABLE: values kept for the next re-add. */
		kn->sfflags = kev->fflags;
		kn->sdata = kev->data;
		kn->kev.udata = kev->udata;
		return 0;
	}
	uint64_t ns;
	int r = timer_period(kev->fflags, kev->data, (kn->kev.flags & EV_ONESHOT) != 0, &ns);
	if (r != 0)
		return r;
	kn->sfflags = kev->fflags;
	kn->sdata = kev->data;
	kn->kev.udata = kev->udata;
	/* Restart: forget undelivered expirations. */
	(void)callout_stop(&kn->u.timer.co);
	kn->kev.data = 0;
	if (kn->status & KN_QUEUED)
		kq_knote_dequeue(kn);
	kn->status &= ~KN_ACTIVE;
	kn->u.timer.period_ns = ns;
	timer_arm(kn);
	return 0;
}

const struct filterops kq_timer_filtops = {
    .name = "timer",
    .attach = filt_timerattach,
    .detach = filt_timerdetach,
    .event = filt_timer,
    .touch_register = filt_timertouch,
};

/*
 * The fake block device driver: queue slots, service in virtual time,
 * completion interrupts, the driver's timeout and retry, power cut.
 *
 * The one invariant everything hangs on: an accepted request owns exactly
 * one queue slot from blkdev_submit() until finish(), and finish() is the
 * only place that calls req->done(). A slot's two events (the attempt's
 * completion interrupt and the driver's timer for it) are both cancelled
 * before finish() runs, so nothing can complete the request again.
 *
 * One attempt of a request:
 *   submit/retry --(latency draw, blk/complete/delay)--> ev_irq
 *   ev_irq: the device does the work (READ/WRITE/FLUSH, with the eio and
 *           torn faults); then either the interrupt is lost
 *           (blk/complete/lost: the request stays in flight) or the timer
 *           is cancelled and the request finishes.
 *   ev_timer (timeout_ns after the attempt started): the interrupt was lost
 *           or the device is too slow. A pending attempt is aborted (its
 *           work never happens). The driver re-issues the request while
 *           attempts <= retries_max, else fails it with -ETIMEDOUT.
 * A power cut turns every in-flight request into an immediate -EIO
 * completion through its ev_irq. See docs/blkdev.md.
 */
#include "drivers/blkdev.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/blk_internal.h"
#include "kern/kmem.h"
#include "kern/waitq.h"
#include "sim/fault.h"

/* Liveness guard: attempts of one synchronous I/O to get a queue slot; past it the loop is a livelock bug. */
#define BLK_SYNC_TRIES_MAX 10000000

static int blk_subsys_slot = -1; /* sim_subsys_register() */

#define BLK_SYNC_BACKOFF_NS 10000ULL /* blkdev_io_sync after an injected queue-full */
#define BLK_SYNC_FULL_FAULTS_MAX 8
#define BLK_RETRIES_MAX 100

static KMEM_TYPE(kt_dev, "blk.dev");
static KMEM_TYPE(kt_slots, "blk.slots");

/* Per-run state: host memory, lives until simk_destroy so that the leak
 * check can still report requests lost at the end of the run. */
struct blk_run {
	struct list_node devs;
	int ndevs_created;
	uint64_t next_req_id;
	uint64_t lost_at_end; /* requests in flight when the run ended, unclaimed */
	char lost_dev[BLKDEV_NAME_MAX];
};

static struct blk_run *run_state(void)
{
	struct blk_run *run = sim_subsys_need(sim_cur(), blk_subsys_slot);
	KASSERT(run != NULL, "blkdev used outside a simulation");
	return run;
}

static void dev_check(const struct blkdev *dev)
{
	KASSERT(dev != NULL, "bad block device");
	KASSERT(dev->magic == BLKDEV_MAGIC, "bad block device");
}

/* Trace encoding of a request: op in bits 0-3, flags 4-7, device id 8+. */
static int64_t req_code(const struct blkdev *dev, const struct blk_req *req)
{
	return (int64_t)req->op | (int64_t)(req->flags & 0xf) << 4 | (int64_t)dev->id << 8;
}

const char *blk_op_name(enum blk_op op)
{
	switch (op) {
	case BLK_OP_READ:
		return "read";
	case BLK_OP_WRITE:
		return "write";
	case BLK_OP_FLUSH:
		return "flush";
	}
	return "?";
}

/* ---- configuration and lifecycle ---------------------------------------- */

static int config_check(const struct blkdev_config *cfg)
{
	if (cfg->name[0] == '\0' || memchr(cfg->name, '\0', sizeof(cfg->name)) == NULL)
		return -EINVAL;
	if (cfg->sector_size != 512 && cfg->sector_size != 4096)
		return -EINVAL;
	if (cfg->capacity_sectors == 0 ||
	    cfg->capacity_sectors > BLKDEV_BYTES_MAX / cfg->sector_size)
		return -EINVAL;
	if (cfg->queue_depth == 0 || cfg->queue_depth > BLKDEV_QUEUE_DEPTH_MAX)
		return -EINVAL;
	if (cfg->timeout_ns == 0 || cfg->retries_max > BLK_RETRIES_MAX)
		return -EINVAL;
	return blk_latency_check(&cfg->latency);
}

static void slot_irq(struct sim_event *ev);
static void slot_timer(struct sim_event *ev);

static void dev_free(struct blkdev *dev)
{
	blk_media_free(&dev->media);
	kmem_free(&kt_slots, dev->slots);
	kmem_free(&kt_slots, dev->free_slots);
	dev->magic = 0;
	kmem_free(&kt_dev, dev);
}

int blkdev_create(const struct blkdev_config *cfg, struct blkdev **out)
{
	struct blk_run *run = run_state();
	KASSERT(!sim_in_irq(), "blkdev_create in interrupt context");
	KASSERT(cfg != NULL, "blkdev_create: NULL argument");
	KASSERT(out != NULL, "blkdev_create: NULL argument");
	*out = NULL;
	/* the run's options override every device's own (--device, swarm) */
	struct blkdev_config over = *cfg;
	const char *list = sim_cur()->opts.device_opts;
	char why[200];
	if (list != NULL && blkdev_config_set_list(&over, list, why, sizeof(why)) != 0)
		return -EINVAL;
	cfg = &over;
	if (config_check(cfg) != 0 || blkdev_find(cfg->name) != NULL)
		return -EINVAL;
	struct blkdev *dev = kmem_zalloc(&kt_dev, sizeof(*dev));
	if (dev == NULL)
		return -ENOMEM;
	dev->magic = BLKDEV_MAGIC;
	dev->cfg = *cfg;
	uint32_t qd = cfg->queue_depth;
	dev->slots = kmem_zalloc(&kt_slots, qd * sizeof(*dev->slots));
	dev->free_slots = kmem_zalloc(&kt_slots, qd * sizeof(*dev->free_slots));
	if (dev->slots == NULL || dev->free_slots == NULL ||
	    blk_media_init(&dev->media, cfg->sector_size, cfg->capacity_sectors,
			   cfg->write_cache)) {
		dev_free(dev);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < qd; i++) {
		struct blk_slot *sl = &dev->slots[i];
		sl->dev = dev;
		sl->index = i;
		list_init(&sl->link);
		event_init(&sl->ev_irq, "blk:irq", slot_irq, sl);
		event_init(&sl->ev_timer, "blk:timer", slot_timer, sl);
		dev->free_slots[qd - 1 - i] = i; /* slot 0 is handed out first */
	}
	dev->slots_free = qd;
	list_init(&dev->inflight);
	waitq_init(&dev->slot_wq, "blk-slot");
	dev->fifo_last_ns = sim_now();
	dev->id = ++run->ndevs_created;
	list_push_back(&run->devs, &dev->link);
	trace_emit(TR_INFO, "blk:create", dev->id, cfg->sector_size, (int64_t)cfg->capacity_sectors,
		   cfg->queue_depth);
	*out = dev;
	return 0;
}

/* Cancels a slot's events without touching its request. */
static void slot_cancel_events(struct simk *s, struct blk_slot *sl)
{
	eventq_remove(&s->eq, &sl->ev_irq);
	eventq_remove(&s->eq, &sl->ev_timer);
}

void blkdev_destroy(struct blkdev *dev)
{
	dev_check(dev);
	KASSERT(!sim_in_irq(), "blkdev_destroy in interrupt context");
	KASSERT(dev->st.in_flight == 0, "blkdev %s destroyed with %llu request(s) in flight",
		dev->cfg.name, (unsigned long long)dev->st.in_flight);
	trace_emit(TR_INFO, "blk:destroy", dev->id, 0, 0, 0);
	waitq_destroy(&dev->slot_wq);
	list_del(&dev->link);
	dev_free(dev);
}

struct blkdev *blkdev_find(const char *name)
{
	struct blk_run *run = run_state();
	for (struct list_node *n = run->devs.next; n != &run->devs; n = n->next) {
		struct blkdev *dev = list_entry(n, struct blkdev, link);
		if (strcmp(dev->cfg.name, name) == 0)
			return dev;
	}
	return NULL;
}

const char *blkdev_name(const struct blkdev *dev)
{
	dev_check(dev);
	return dev->cfg.name;
}

uint32_t blkdev_sector_size(const struct blkdev *dev)
{
	dev_check(dev);
	return dev->cfg.sector_size;
}

uint64_t blkdev_capacity(const struct blkdev *dev)
{
	dev_check(dev);
	return dev->cfg.capacity_sectors;
}

const struct blkdev_config *blkdev_config(const struct blkdev *dev)
{
	dev_check(dev);
	return &dev->cfg;
}

void blkdev_get_stats(const struct blkdev *dev, struct blkdev_stats *out)
{
	dev_check(dev);
	*out = dev->st;
}

/* ---- the request path --------------------------------------------------- */

static int req_check(const struct blkdev *dev, const struct blk_req *req)
{
	if (req->done == NULL)
		return -EINVAL;
	switch (req->op) {
	case BLK_OP_READ:
	case BLK_OP_WRITE:
		if (req->flags & ~(req->op == BLK_OP_WRITE ? BLK_REQ_FUA : 0u))
			return -EINVAL;
		if (req->count == 0 || req->buf == NULL)
			return -EINVAL;
		if (req->sector >= dev->cfg.capacity_sectors ||
		    req->count > dev->cfg.capacity_sectors - req->sector)
			return -EINVAL;
		return 0;
	case BLK_OP_FLUSH:
		return req->flags == 0 && req->count == 0 ? 0 : -EINVAL;
	}
	return -EINVAL;
}

/* An index below n: the dfs search's choice in dimension dim, or a draw
 * from the DEVICE stream (as every other policy does). */
static uint64_t choose_below(enum simk_dfs_dim dim, uint64_t n)
{
	int c = n >= 2 && n <= SIM_DECIDE_ALTS_MAX ? sim_decide(dim, (uint32_t)n) : -1;
	return c >= 0 ? (uint64_t)c : rng_below(sim_rng(SIMK_STREAM_DEVICE), n);
}

/* Starts one attempt of the slot's request: schedules its interrupt and
 * the driver's timer. Any context. */
static void attempt_start(struct blk_slot *sl)
{
	struct blkdev *dev = sl->dev;
	struct blk_req *req = sl->req;
	KASSERT(!event_queued(&sl->ev_irq), "attempt started on a busy slot");
	KASSERT(!event_queued(&sl->ev_timer), "attempt started on a busy slot");
	req->attempts++;
	sl->applied = false;
	/* dfs enumerates latency classes (so the order of completions, and of
	 * completions and timers); other policies draw from the DEVICE stream */
	const struct blk_latency *model = &dev->cfg.latency;
	uint32_t k = sim_latency_classes();
	k = k < 2 ? 2 : k;
	int c = blk_latency_has_range(model) ? sim_decide(SIMK_DIM_LATENCY, k) : -1;
	uint64_t lat = c >= 0 ? blk_latency_class(model, (uint32_t)c, k)
			      : blk_latency_draw(model, sim_rng(SIMK_STREAM_DEVICE));
	if (sim_fault("blk/complete/delay")) {
		lat = sim_time_add(lat, dev->cfg.delay_ns);
		dev->st.delayed++;
		trace_emit(TR_INFO, "blk:delay", req_code(dev, req), (int64_t)req->id,
			   (int64_t)dev->cfg.delay_ns, 0);
	}
	uint64_t at = sim_time_add(sim_now(), lat); /* saturates: never */
	if (!dev->cfg.reorder) {
		/* FIFO device: never complete before an earlier-scheduled attempt */
		if (at < dev->fifo_last_ns)
			at = dev->fifo_last_ns;
		dev->fifo_last_ns = at;
	}
	event_schedule_at(&sl->ev_irq, at);
	event_schedule_in(&sl->ev_timer, dev->cfg.timeout_ns);
}

int blkdev_submit(struct blkdev *dev, struct blk_req *req)
{
	dev_check(dev);
	KASSERT(req != NULL, "blkdev_submit: NULL request");
	KASSERT(req->state != BLK_REQ_INFLIGHT, "request %llu submitted while in flight",
		(unsigned long long)req->id);
	struct blk_run *run = run_state();
	int rc = req_check(dev, req);
	if (rc == 0 && dev->slots_free == 0)
		rc = -EAGAIN;
	else if (rc == 0 && sim_fault("blk/queue/full"))
		rc = -EAGAIN;
	if (rc != 0) {
		req->state = BLK_REQ_IDLE;
		if (rc == -EAGAIN)
			dev->st.rejected_full++;
		else
			dev->st.rejected_inval++;
		trace_emit(TR_INFO, "blk:reject", req_code(dev, req), (int64_t)req->sector,
			   (int64_t)req->count, rc);
		return rc;
	}
	uint32_t idx = dev->free_slots[--dev->slots_free];
	struct blk_slot *sl = &dev->slots[idx];
	KASSERT(sl->req == NULL, "free slot %u holds a request", idx);
	sl->req = req;
	sl->cut = false;
	list_push_back(&dev->inflight, &sl->link);
	req->state = BLK_REQ_INFLIGHT;
	req->error = 0;
	req->attempts = 0;
	req->id = ++run->next_req_id;
	req->submit_ns = sim_now();
	req->done_ns = 0;
	struct blkdev_stats *st = &dev->st;
	st->submitted++;
	st->in_flight++;
	KASSERT(st->in_flight <= dev->cfg.queue_depth, "blkdev %s: %llu in flight > depth %u",
		dev->cfg.name, (unsigned long long)st->in_flight, dev->cfg.queue_depth);
	if (st->in_flight > st->in_flight_max)
		st->in_flight_max = st->in_flight;
	st->reads += req->op == BLK_OP_READ;
	st->writes += req->op == BLK_OP_WRITE;
	st->flushes += req->op == BLK_OP_FLUSH;
	st->fua_writes += req->op == BLK_OP_WRITE && (req->flags & BLK_REQ_FUA);
	trace_emit(TR_INFO, "blk:submit", req_code(dev, req), (int64_t)req->sector,
		   (int64_t)req->count, (int64_t)req->id);
	attempt_start(sl);
	return 0;
}

/* Ends the slot's request: the only caller of req->done(). Interrupt
 * context. The slot is free again before done() runs, so done() may
 * resubmit. */
static void finish(struct blk_slot *sl, int result)
{
	KASSERT(sim_in_irq(), "request completion outside interrupt context");
	struct blkdev *dev = sl->dev;
	struct blk_req *req = sl->req;
	KASSERT(req != NULL, "blkdev %s: completion of a request that is not in flight",
		dev->cfg.name);
	KASSERT(req->state == BLK_REQ_INFLIGHT,
		"blkdev %s: completion of a request that is not in flight", dev->cfg.name);
	KASSERT(!event_queued(&sl->ev_irq), "request %llu completes with an event pending",
		(unsigned long long)req->id);
	KASSERT(!event_queued(&sl->ev_timer), "request %llu completes with an event pending",
		(unsigned long long)req->id);
	list_del(&sl->link);
	sl->req = NULL;
	KASSERT(dev->slots_free < dev->cfg.queue_depth, "slot freed twice");
	dev->free_slots[dev->slots_free++] = sl->index;
	struct blkdev_stats *st = &dev->st;
	KASSERT(st->in_flight > 0, "in-flight count underflow");
	st->in_flight--;
	st->completed++;
	KASSERT(st->completed + st->abandoned + st->in_flight == st->submitted,
		"blkdev %s: request accounting broken", dev->cfg.name);
	if (result != 0) {
		st->errors++;
	} else if (req->op == BLK_OP_READ) {
		st->sectors_read += req->count;
	} else if (req->op == BLK_OP_WRITE) {
		st->sectors_written += req->count;
	}
	req->state = BLK_REQ_DONE;
	req->error = result;
	req->done_ns = sim_now();
	trace_emit(TR_INFO, "blk:done", req_code(dev, req), (int64_t)req->sector, result,
		   (int64_t)req->id);
	waitq_wake_all(&dev->slot_wq);
	req->done(req, result); /* last touch of req */
}

/* The device does the attempt's work. Returns its result. */
static int device_execute(struct blkdev *dev, struct blk_req *req)
{
	switch (req->op) {
	case BLK_OP_READ:
		if (sim_fault("blk/read/eio"))
			return -EIO;
		return blk_media_read(dev, req->sector, req->count, req->buf);
	case BLK_OP_WRITE: {
		if (sim_fault("blk/write/eio"))
			return -EIO; /* nothing of it reaches the media or the cache */
		uint32_t torn_idx = UINT32_MAX;
		if (sim_fault("blk/write/torn"))
			torn_idx = (uint32_t)choose_below(SIMK_DIM_TEAR, req->count);
		bool to_cache = dev->cfg.write_cache && !(req->flags & BLK_REQ_FUA);
		blk_media_write(dev, req->sector, req->count, req->buf, to_cache, torn_idx, req->id);
		return 0;
	}
	case BLK_OP_FLUSH:
		if (sim_fault("blk/flush/eio"))
			return -EIO; /* the cache keeps its dirty sectors */
		blk_media_flush(&dev->media);
		return 0;
	}
	KASSERT(0, "unknown op %d", (int)req->op);
	return -EIO;
}

/* Completion interrupt of an attempt. Interrupt context. */
static void slot_irq(struct sim_event *ev)
{
	KASSERT(sim_in_irq(), "device interrupt outside interrupt context");
	struct blk_slot *sl = ev->arg;
	struct blkdev *dev = sl->dev;
	KASSERT(sl->req != NULL, "interrupt on a free slot");
	KASSERT(!sl->applied, "attempt executed twice");
	if (sl->cut) {
		finish(sl, -EIO);
		return;
	}
	int result = device_execute(dev, sl->req);
	sl->applied = true;
	if (sim_fault("blk/complete/lost")) {
		dev->st.lost_irqs++;
		trace_emit(TR_INFO, "blk:irq_lost", req_code(dev, sl->req), (int64_t)sl->req->id,
			   result, 0);
		return; /* the driver's timer will notice */
	}
	event_cancel(&sl->ev_timer);
	finish(sl, result);
}

/* The driver's timer for an attempt. Interrupt context. */
static void slot_timer(struct sim_event *ev)
{
	KASSERT(sim_in_irq(), "device timer outside interrupt context");
	struct blk_slot *sl = ev->arg;
	struct blkdev *dev = sl->dev;
	struct blk_req *req = sl->req;
	KASSERT(req != NULL, "timer on a free or cut slot");
	KASSERT(!sl->cut, "timer on a free or cut slot");
	bool lost = sl->applied;
	if (!lost) {
		/* too slow: abort the attempt on the device, its work never happens */
		KASSERT(event_queued(&sl->ev_irq), "slow attempt without an interrupt");
		event_cancel(&sl->ev_irq);
	}
	dev->st.timeouts++;
	trace_emit(TR_INFO, "blk:timeout", req_code(dev, req), (int64_t)req->id, req->attempts,
		   lost);
	if (req->attempts <= dev->cfg.retries_max) {
		dev->st.retries++;
		trace_emit(TR_INFO, "blk:retry", req_code(dev, req), (int64_t)req->id,
			   req->attempts + 1, 0);
		attempt_start(sl);
		return;
	}
	trace_emit(TR_INFO, "blk:giveup", req_code(dev, req), (int64_t)req->id, req->attempts,
		   -ETIMEDOUT);
	finish(sl, -ETIMEDOUT);
}

/* ---- blocking helper ----------------------------------------------------- */

struct blk_sync {
	struct waitq wq;
	bool done;
	int error;
};

/* Interrupt context: records the result and wakes the waiting thread. */
static void sync_done(struct blk_req *req, int error)
{
	KASSERT(sim_in_irq(), "sync completion outside interrupt context");
	struct blk_sync *w = req->priv;
	w->error = error;
	w->done = true;
	waitq_wake_all(&w->wq);
}

static bool sync_is_done(void *arg)
{
	return ((struct blk_sync *)arg)->done;
}

static bool slot_is_free(void *arg)
{
	return ((struct blkdev *)arg)->slots_free > 0;
}

int blkdev_io_sync(struct blkdev *dev, enum blk_op op, uint32_t flags, uint64_t sector,
		   uint32_t count, void *buf)
{
	dev_check(dev);
	sim_assert_may_sleep("blkdev_io_sync");
	struct blk_sync w = {.done = false, .error = 0};
	waitq_init(&w.wq, "blk-io");
	struct blk_req req;
	blk_req_init(&req, op, flags, sector, count, buf, sync_done, &w);
	int rc = 0;
	int full_faults = 0;
	for (int tries = 0;; tries++) {
		KASSERT(tries < BLK_SYNC_TRIES_MAX, "blkdev_io_sync never gets a slot");
		rc = blkdev_submit(dev, &req);
		if (rc != -EAGAIN)
			break;
		if (dev->slots_free == 0) {
			/* woken by finish(); every in-flight request ends (timeouts) */
			waitq_wait(&dev->slot_wq, false, false, SIMK_FOREVER, slot_is_free, dev);
			continue;
		}
		/* injected blk/queue/full: back off in virtual time, bounded */
		if (++full_faults >= BLK_SYNC_FULL_FAULTS_MAX)
			break;
		waitq_sleep(&dev->slot_wq, false, false, BLK_SYNC_BACKOFF_NS);
	}
	if (rc == 0) {
		/* woken by sync_done() from the completion interrupt */
		waitq_wait(&w.wq, false, false, SIMK_FOREVER, sync_is_done, &w);
		rc = w.error;
	}
	waitq_destroy(&w.wq);
	return rc;
}

/* ---- power cut, end of run ----------------------------------------------- */

/* A write the power cut catches on its way to the media. */
static bool tear_candidate(const struct blk_slot *sl)
{
	return sl->req->op == BLK_OP_WRITE && !sl->applied && !sl->cut;
}

/* Tears one sector on stable media: of an in-flight write whose work has
 * not happened yet, else of a dirty cached sector. Returns the sector or
 * BLKDEV_NO_SECTOR. */
static uint64_t tear_one(struct blkdev *dev)
{
	struct blk_media *m = &dev->media;
	struct rng *r = sim_rng(SIMK_STREAM_DEVICE);
	uint64_t nwrites = 0;
	for (struct list_node *n = dev->inflight.next; n != &dev->inflight; n = n->next) {
		struct blk_slot *sl = list_entry(n, struct blk_slot, link);
		nwrites += tear_candidate(sl);
	}
	uint64_t sector = BLKDEV_NO_SECTOR;
	const uint8_t *src = NULL;
	if (nwrites > 0) {
		uint64_t pick = choose_below(SIMK_DIM_TEAR, nwrites);
		for (struct list_node *n = dev->inflight.next; n != &dev->inflight; n = n->next) {
			struct blk_slot *sl = list_entry(n, struct blk_slot, link);
			if (!tear_candidate(sl))
				continue;
			if (pick-- == 0) {
				uint32_t i = (uint32_t)choose_below(SIMK_DIM_TEAR, sl->req->count);
				sector = sl->req->sector + i;
				src = (const uint8_t *)sl->req->buf + (size_t)i * m->sector_size;
				break;
			}
		}
	} else if (m->ndirty > 0) {
		sector = m->dirty[choose_below(SIMK_DIM_TEAR, m->ndirty)];
		src = m->cdata + sector * m->sector_size;
	}
	if (sector == BLKDEV_NO_SECTOR)
		return sector;
	uint32_t keep = 1 + (uint32_t)rng_below(r, m->sector_size - 1);
	blk_media_tear_stable(m, sector, src, keep);
	dev->st.torn_sectors++;
	trace_emit(TR_INFO, "blk:torn", dev->id, (int64_t)sector, keep, 0);
	return sector;
}

/*
 * A crash state (BLK_CUT_STATES): of the writes the device had not made
 * stable — each request's sectors still in the volatile cache, each write
 * in flight that had not reached the media — any may have made it before
 * the power went. Each is a decision (SIMK_DIM_CRASH: kept or not; the dfs
 * search enumerates them, other policies keep each with probability 1/2
 * from the DEVICE stream), oldest request first. A write that made it
 * lands whole; the torn sector, if any, stays torn.
 */
static void crash_state(struct blkdev *dev, uint64_t torn)
{
	struct blk_media *m = &dev->media;
	struct rng *r = sim_rng(SIMK_STREAM_DEVICE);
	uint64_t units = 0, kept = 0;
	/* scratch of the device model, not kernel memory: no fault point */
	uint64_t *ids = m->ndirty > 0 ? calloc(m->ndirty, sizeof(*ids)) : NULL;
	if (m->ndirty > 0 && ids == NULL)
		sim_panic("blkdev %s: out of host memory for a crash state", dev->cfg.name);
	uint64_t n = ids != NULL ? blk_media_cached_reqs(m, ids) : 0;
	for (uint64_t i = 0; i < n; i++, units++) {
		int c = sim_decide(SIMK_DIM_CRASH, 2);
		if (c >= 0 ? c == 1 : rng_chance(r, 0.5)) {
			blk_media_persist_req(m, ids[i], torn);
			kept++;
		}
	}
	free(ids);
	for (struct list_node *l = dev->inflight.next; l != &dev->inflight; l = l->next) {
		struct blk_slot *sl = list_entry(l, struct blk_slot, link);
		if (!tear_candidate(sl))
			continue;
		const struct blk_req *req = sl->req;
		if (torn != BLKDEV_NO_SECTOR && torn >= req->sector && torn < req->sector + req->count)
			continue; /* the torn one: it is what made it */
		units++;
		int c = sim_decide(SIMK_DIM_CRASH, 2);
		if (c >= 0 ? c == 1 : rng_chance(r, 0.5)) {
			blk_media_write(dev, req->sector, req->count, req->buf, false, UINT32_MAX,
				    req->id);
			kept++;
		}
	}
	trace_emit(TR_INFO, "blk:crash_state", dev->id, (int64_t)units, (int64_t)kept, 0);
}

void blkdev_power_cut(struct blkdev *dev, unsigned flags, uint64_t *torn_sector)
{
	dev_check(dev);
	uint64_t torn = BLKDEV_NO_SECTOR;
	if (flags & BLK_CUT_TEAR)
		torn = tear_one(dev);
	if (flags & BLK_CUT_STATES)
		crash_state(dev, torn);
	uint64_t dropped = dev->media.ndirty;
	blk_media_drop_cache(&dev->media);
	uint64_t aborted = 0;
	for (struct list_node *n = dev->inflight.next; n != &dev->inflight; n = n->next) {
		struct blk_slot *sl = list_entry(n, struct blk_slot, link);
		if (sl->cut)
			continue; /* already completing from an earlier cut */
		event_cancel(&sl->ev_timer);
		event_cancel(&sl->ev_irq);
		sl->cut = true;
		sl->applied = false;
		event_schedule_in(&sl->ev_irq, 0); /* in submission order */
		aborted++;
	}
	dev->fifo_last_ns = sim_now();
	dev->st.power_cuts++;
	trace_emit(TR_INFO, "blk:power_cut", dev->id, (int64_t)dropped, (int64_t)aborted,
		   torn == BLKDEV_NO_SECTOR ? -1 : (int64_t)torn);
	if (torn_sector != NULL)
		*torn_sector = torn;
}

/* Forgets every in-flight request (no done()); host context at run end. */
static uint64_t forget_inflight(struct simk *s, struct blkdev *dev)
{
	uint64_t n = 0;
	while (!list_empty(&dev->inflight)) {
		struct blk_slot *sl = list_entry(dev->inflight.next, struct blk_slot, link);
		slot_cancel_events(s, sl);
		list_del(&sl->link);
		sl->req = NULL;
		dev->free_slots[dev->slots_free++] = sl->index;
		n++;
	}
	dev->st.in_flight -= n;
	dev->st.abandoned += n;
	return n;
}

void blkdev_abandon_all(struct blkdev *dev)
{
	dev_check(dev);
	KASSERT(!sim_in_irq(), "blkdev_abandon_all in interrupt context");
	for (struct list_node *n = dev->inflight.next; n != &dev->inflight; n = n->next) {
		struct blk_slot *sl = list_entry(n, struct blk_slot, link);
		sl->req->state = BLK_REQ_DONE;
		trace_emit(TR_INFO, "blk:abandon", req_code(dev, sl->req), (int64_t)sl->req->id, 0,
			   0);
	}
	forget_inflight(sim_cur(), dev);
}

/* ---- subsystem hooks ------------------------------------------------------ */

static int blk_create(struct simk *s)
{
	struct blk_run *run = sim_zalloc(sizeof(*run));
	if (run == NULL)
		return -1;
	list_init(&run->devs);
	s->subsys[blk_subsys_slot] = run;
	return 0;
}

/* Frees every device; requests still in flight were never completed. */
static void free_all(struct simk *s, struct blk_run *run, bool count_lost)
{
	while (!list_empty(&run->devs)) {
		struct blkdev *dev = list_entry(run->devs.next, struct blkdev, link);
		uint64_t n = dev->st.in_flight;
		if (n > 0 && count_lost) {
			trace_emit(TR_INFO, "blk:lost_at_end", dev->id, (int64_t)n, 0, 0);
			if (run->lost_at_end == 0)
				snprintf(run->lost_dev, sizeof(run->lost_dev), "%s", dev->cfg.name);
			run->lost_at_end += n;
		}
		forget_inflight(s, dev);
		list_del(&dev->link);
		dev_free(dev);
	}
}

static void blk_end(struct simk *s)
{
	struct blk_run *run = s->subsys[blk_subsys_slot];
	if (run != NULL)
		free_all(s, run, true);
}

static void blk_destroy(struct simk *s)
{
	struct blk_run *run = s->subsys[blk_subsys_slot];
	if (run == NULL)
		return;
	free_all(s, run, false);
	free(run);
	s->subsys[blk_subsys_slot] = NULL;
}

static int blk_leak_check(struct simk *s, char *msg, size_t len)
{
	struct blk_run *run = s->subsys[blk_subsys_slot];
	if (run == NULL || run->lost_at_end == 0)
		return 0;
	snprintf(msg, len,
		 "blkdev %s: %llu request(s) still in flight when the run ended "
		 "(never completed; drain them or call blkdev_abandon_all)",
		 run->lost_dev, (unsigned long long)run->lost_at_end);
	return 1;
}

static const struct sim_subsys blk_subsys = {
    .name = "blkdev",
    .create = blk_create,
    .end = blk_end,
    .destroy = blk_destroy,
    .leak_check = blk_leak_check,
    .lazy = true, /* made at first use: most runs never touch it */
};

void blkdev_register(void)
{
	static const char *const points[] = {
	    "blk/read/eio",	  "blk/write/eio",     "blk/flush/eio",	 "blk/write/torn",
	    "blk/complete/delay", "blk/complete/lost", "blk/queue/full",
	};
	for (size_t i = 0; i < sizeof(points) / sizeof(points[0]); i++)
		sim_fault_declare(points[i]);
	blk_subsys_slot = sim_subsys_register(&blk_subsys);
}

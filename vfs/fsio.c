/*
 * The filesystem's path to its block device.
 *
 * Invariant: every fs_io handed to fsio_submit ends exactly once, through
 * io->done in interrupt context. It is at any moment in one of three
 * places: on the device (counted in fs->inflight), on fs->pending (the
 * device refused it with -EAGAIN; retried when one of ours completes or
 * after SIMFS_RETRY_NS of virtual time), or finished. A request refused
 * SIMFS_EAGAIN_MAX times in a row while nothing of ours was in flight to
 * make room ends with -EIO; so does everything pending on a dead
 * (power-cut) filesystem. Device errors (-EIO, -ETIMEDOUT after the
 * driver's retries) reach the filesystem as -EIO.
 */
#include <errno.h>
#include <string.h>

#include "vfs/simfs.h"
#include "vfs/vfs_priv.h"

/* Liveness guard: rounds of draining the pending I/O list; past it the loop is a livelock bug. */
#define FSIO_DRAIN_ROUNDS_MAX 1000000

static void fsio_kick(struct simfs *fs);

static void fsio_finish(struct simfs *fs, struct fs_io *io, int err)
{
	KASSERT(io->active, "fs_io completed twice");
	io->active = false;
	fs->ios_done++;
	if (err != 0)
		fs->stats.io_errors++;
	io->done(io, err); /* may free io: last */
}

static void fsio_blk_done(struct blk_req *req, int error)
{
	struct fs_io *io = req->priv;
	struct simfs *fs = io->fs;
	KASSERT(fs->inflight > 0, "completion with nothing in flight");
	fs->inflight--;
	fsio_kick(fs);
	fsio_finish(fs, io, error != 0 ? -EIO : 0);
}

void fsio_retry_handler(struct sim_event *ev)
{
	KASSERT(sim_in_irq(), "fsio_retry_handler outside interrupt context");
	struct simfs *fs = ev->arg;
	if (fs->dead) {
		fsio_fail_pending(fs);
		return;
	}
	/* Only refusals with nothing of ours in flight count towards -EIO. */
	if (!list_empty(&fs->pending) && fs->inflight == 0) {
		struct fs_io *io = list_entry(fs->pending.next, struct fs_io, link);
		io->refusals++;
		if (io->refusals >= SIMFS_EAGAIN_MAX) {
			list_del(&io->link);
			vfs_trace("vfs:io_refused", (int64_t)io->req.sector, io->refusals, 0, 0);
			fsio_finish(fs, io, -EIO);
		}
	}
	fsio_kick(fs);
}

static void fsio_arm_retry(struct simfs *fs, uint64_t delay)
{
	if (!event_queued(&fs->retry_ev))
		event_schedule_in(&fs->retry_ev, delay);
}

/* Submits pending requests in order while the device takes them. */
static void fsio_kick(struct simfs *fs)
{
	for (int guard = 0; !list_empty(&fs->pending); guard++) {
		KASSERT(guard < FSIO_DRAIN_ROUNDS_MAX, "pending list does not drain");
		if (fs->dead) {
			fsio_arm_retry(fs, 0);
			return;
		}
		struct fs_io *io = list_entry(fs->pending.next, struct fs_io, link);
		int r = blkdev_submit(fs->dev, &io->req);
		KASSERT(r == 0 || r == -EAGAIN, "device rejected a request: %d", r);
		if (r != 0)
			break;
		list_del(&io->link);
		io->refusals = 0;
		fs->inflight++;
	}
	if (!list_empty(&fs->pending) && fs->inflight == 0)
		fsio_arm_retry(fs, SIMFS_RETRY_NS);
}

void fsio_submit(struct simfs *fs, struct fs_io *io)
{
	KASSERT(!io->active, "fs_io submitted twice");
	io->active = true;
	fs->ios_submitted++;
	io->fs = fs;
	io->refusals = 0;
	io->req.done = fsio_blk_done;
	io->req.priv = io;
	list_init(&io->link);
	list_push_back(&fs->pending, &io->link);
	if (fs->dead) {
		fsio_arm_retry(fs, 0);
		return;
	}
	if (fs->pending.next == &io->link)
		fsio_kick(fs); /* nothing older waits: try now */
}

void fsio_fail_pending(struct simfs *fs)
{
	for (int guard = 0; !list_empty(&fs->pending); guard++) {
		KASSERT(guard < FSIO_DRAIN_ROUNDS_MAX, "pending list does not drain");
		struct fs_io *io = list_entry(fs->pending.next, struct fs_io, link);
		list_del(&io->link);
		fsio_finish(fs, io, -EIO);
	}
}

/* ---- batches --------------------------------------------------------------- */

void fs_batch_init(struct fs_batch *b)
{
	b->pending = 0;
	b->err = 0;
	waitq_init(&b->wq, "fs_io");
}

void fs_batch_destroy(struct fs_batch *b)
{
	KASSERT(b->pending == 0, "batch destroyed with %d requests in flight", b->pending);
	waitq_destroy(&b->wq);
}

static void batch_io_done(struct fs_io *io, int err)
{
	struct fs_batch *b = io->arg;
	if (err != 0 && b->err == 0)
		b->err = err;
	KASSERT(b->pending > 0, "batch completion underflow");
	if (--b->pending == 0)
		waitq_wake_all(&b->wq);
}

void fs_batch_add(struct simfs *fs, struct fs_batch *b, struct fs_io *io, enum blk_op op,
		  uint32_t flags, uint64_t sector, uint32_t count, void *buf)
{
	blk_req_init(&io->req, op, flags, sector, count, buf, NULL, NULL);
	io->done = batch_io_done;
	io->arg = b;
	io->active = false;
	b->pending++;
	fsio_submit(fs, io);
}

static bool batch_idle(void *arg)
{
	return ((struct fs_batch *)arg)->pending == 0;
}

int fs_batch_wait(struct fs_batch *b)
{
	sim_assert_may_sleep(__func__);
	int r = waitq_wait(&b->wq, false, false, SIMK_FOREVER, batch_idle, b);
	KASSERT(r == 0, "uninterruptible I/O wait returned %d", r);
	return b->err;
}

int fsio_sync(struct simfs *fs, enum blk_op op, uint32_t flags, uint64_t sector, uint32_t count,
	      void *buf)
{
	sim_assert_may_sleep(__func__);
	struct fs_batch b;
	struct fs_io io;
	memset(&io, 0, sizeof(io));
	fs_batch_init(&b);
	fs_batch_add(fs, &b, &io, op, flags, sector, count, buf);
	int r = fs_batch_wait(&b);
	fs_batch_destroy(&b);
	return r;
}

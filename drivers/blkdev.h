/*
 * The fake block device: a disk with a queue depth, a latency model,
 * optional completion reordering, a volatile write cache with FLUSH and
 * FUA, per-sector checksums, a power cut, and fault points. Requests are
 * serviced in virtual time; every completion is an interrupt (a sim event)
 * that runs the submitter's callback in interrupt context.
 *
 * Full model and fault semantics: docs/blkdev.md. In short:
 *  - blkdev_submit() never blocks: 0, -EINVAL (bad request) or -EAGAIN
 *    (every one of the queue_depth slots is busy, or blk/queue/full).
 *  - Every accepted request ends exactly once, through req->done(req, err)
 *    in interrupt context, with err 0, -EIO or -ETIMEDOUT. The driver does
 *    not touch req after done() starts; done() may free or resubmit it.
 *  - reorder off: requests that complete at their first attempt complete
 *    in submission order. reorder on: each completes after its own drawn
 *    latency.
 *  - write cache on: a completed non-FUA write is volatile until a FLUSH
 *    completes successfully; FUA writes are stable at completion. Cache
 *    off: every completed write is stable.
 *  - Lost interrupt (blk/complete/lost): the driver's per-attempt timer
 *    (timeout_ns) fires, aborts the attempt and re-issues the request, up
 *    to retries_max times; then the request fails with -ETIMEDOUT. A slow
 *    attempt (latency > timeout_ns) is handled the same way.
 *  - A torn or garbled sector reads back as -EIO (the whole request fails),
 *    never as wrong bytes. A never-written sector reads as zeros.
 *
 * Devices belong to the current run: created in it (host or thread
 * context, after simk_create), freed by blkdev_destroy() or automatically
 * at the end of the run. A request still in flight when the run ends makes
 * the run fail ("still in flight when the run ended") unless its owner called
 * blkdev_abandon_all() first (e.g. from its own end hook).
 */
#ifndef SIMK_BLKDEV_H
#define SIMK_BLKDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BLKDEV_NAME_MAX 32
#define BLKDEV_QUEUE_DEPTH_MAX 1024
#define BLKDEV_BYTES_MAX (1ULL << 30) /* capacity limit: 1 GiB per device */
#define BLKDEV_NO_SECTOR UINT64_MAX

/* ---- configuration ---------------------------------------------------- */

enum blk_lat_model {
	BLK_LAT_FIXED = 0, /* every request takes fixed_ns */
	BLK_LAT_UNIFORM,   /* uniform in [min_ns, max_ns] */
	BLK_LAT_EXP,	   /* exponential with mean mean_ns */
	BLK_LAT_BIMODAL,   /* slow_ns with probability slow_prob, else exponential(mean_ns) */
};

struct blk_latency {
	enum blk_lat_model model;
	uint64_t fixed_ns;
	uint64_t min_ns, max_ns;
	uint64_t mean_ns;
	uint64_t slow_ns;
	double slow_prob;
};

struct blkdev_config {
	char name[BLKDEV_NAME_MAX]; /* "blk0" by default; unique per run */
	uint32_t sector_size;	    /* 512 or 4096 */
	uint64_t capacity_sectors;  /* > 0; capacity in bytes <= BLKDEV_BYTES_MAX */
	uint32_t queue_depth;	    /* requests in flight at most, 1..BLKDEV_QUEUE_DEPTH_MAX */
	struct blk_latency latency; /* service time of one attempt (DEVICE stream) */
	bool reorder;		    /* completions may overtake each other */
	bool write_cache;	    /* volatile write cache (FLUSH / FUA matter) */
	uint64_t timeout_ns;	    /* driver timer per attempt (lost interrupts) */
	uint32_t retries_max;	    /* re-issues after a timeout before -ETIMEDOUT */
	uint64_t delay_ns;	    /* extra latency added by blk/complete/delay */
};

/* Defaults: "blk0", 512-byte sectors, 16384 sectors (8 MiB), queue depth
 * 32, uniform latency [20 us, 200 us], reorder on, write cache on,
 * timeout 50 ms, 2 retries, delay 5 ms. */
void blkdev_config_default(struct blkdev_config *cfg);

static inline struct blk_latency blk_latency_fixed(uint64_t ns)
{
	return (struct blk_latency){.model = BLK_LAT_FIXED, .fixed_ns = ns};
}
static inline struct blk_latency blk_latency_uniform(uint64_t min_ns, uint64_t max_ns)
{
	return (struct blk_latency){.model = BLK_LAT_UNIFORM, .min_ns = min_ns, .max_ns = max_ns};
}
static inline struct blk_latency blk_latency_exp(uint64_t mean_ns)
{
	return (struct blk_latency){.model = BLK_LAT_EXP, .mean_ns = mean_ns};
}
static inline struct blk_latency blk_latency_bimodal(uint64_t fast_mean_ns, uint64_t slow_ns,
						     double slow_prob)
{
	return (struct blk_latency){.model = BLK_LAT_BIMODAL,
				    .mean_ns = fast_mean_ns,
				    .slow_ns = slow_ns,
				    .slow_prob = slow_prob};
}

/* Sets one option from text (for scenarios and the CLI). Keys: name,
 * sector_size, capacity (sectors), queue_depth, latency ("fixed:NS",
 * "uniform:MIN:MAX", "exp:MEAN", "bimodal:MEAN:SLOW:PROB"), reorder (0/1),
 * write_cache (0/1), timeout (ns), retries, delay (ns). Durations accept
 * ns/us/ms/s suffixes. Returns 0 or -EINVAL with a message in err. */
int blkdev_config_set(struct blkdev_config *cfg, const char *key, const char *value, char *err,
		      size_t errlen);
/* Sets every "KEY=VALUE" of a comma-separated list (simk_opts.device_opts,
 * the CLI's --device); the name cannot be set this way. 0 or -EINVAL with
 * a message naming the item. */
int blkdev_config_set_list(struct blkdev_config *cfg, const char *list, char *err,
			   size_t errlen);

/* ---- devices ------------------------------------------------------------ */

struct blkdev;

/* Creates a device in the current run. Returns 0 and *out, -EINVAL (bad
 * config or duplicate name) or -ENOMEM (kmem/alloc/enomem). Any context
 * but interrupt; never sleeps. */
int blkdev_create(const struct blkdev_config *cfg, struct blkdev **out);
/* Frees a device. Caller guarantees no request is in flight (KASSERT). */
void blkdev_destroy(struct blkdev *dev);
/* The device of this run with that name, or NULL. */
struct blkdev *blkdev_find(const char *name);

const char *blkdev_name(const struct blkdev *dev);
uint32_t blkdev_sector_size(const struct blkdev *dev);
uint64_t blkdev_capacity(const struct blkdev *dev); /* sectors */
const struct blkdev_config *blkdev_config(const struct blkdev *dev);

/* ---- requests ----------------------------------------------------------- */

enum blk_op {
	BLK_OP_READ = 0,
	BLK_OP_WRITE = 1,
	BLK_OP_FLUSH = 2,
};

#define BLK_REQ_FUA 0x1u /* WRITE only: stable at completion, bypasses the cache */

enum blk_req_state {
	BLK_REQ_IDLE = 0, /* never submitted, or submit failed */
	BLK_REQ_INFLIGHT, /* accepted; done() not yet called */
	BLK_REQ_DONE,	  /* done() called (or abandoned at the end of the run) */
};

struct blk_req;
/* Interrupt context: must not sleep. error is 0, -EIO or -ETIMEDOUT. */
typedef void (*blk_done_fn)(struct blk_req *req, int error);

/*
 * A request is owned by its submitter (embed it, allocate it, or keep it
 * on a stack that outlives the completion). Fill the first block (or use
 * blk_req_init) and submit; the second block is read-only for the owner
 * and valid once done() runs.
 */
struct blk_req {
	/* set by the submitter */
	enum blk_op op;
	uint32_t flags;	 /* BLK_REQ_FUA */
	uint64_t sector; /* first sector (READ/WRITE) */
	uint32_t count;	 /* sectors (READ/WRITE: >= 1; FLUSH: 0) */
	void *buf;	 /* count * sector_size bytes of kernel memory */
	blk_done_fn done;
	void *priv; /* for the submitter */
	/* set by the driver */
	enum blk_req_state state;
	int error;	   /* result passed to done() */
	uint32_t attempts; /* 1 + retries after timeouts */
	uint64_t id;	   /* per-run sequence number, as in the trace */
	uint64_t submit_ns;
	uint64_t done_ns;
};

static inline void blk_req_init(struct blk_req *req, enum blk_op op, uint32_t flags,
				uint64_t sector, uint32_t count, void *buf, blk_done_fn done,
				void *priv)
{
	*req = (struct blk_req){.op = op,
				.flags = flags,
				.sector = sector,
				.count = count,
				.buf = buf,
				.done = done,
				.priv = priv};
}

/*
 * Queues req. Any context (thread or interrupt); never sleeps, never
 * switches. Returns 0 (done() will run exactly once, later, never from
 * inside this call), -EINVAL (unknown op or flag, count 0 for READ/WRITE,
 * count != 0 for FLUSH, NULL buf or done, range past the capacity) or
 * -EAGAIN (queue full, or the blk/queue/full fault). On error done() is
 * never called. Submitting a request that is in flight panics.
 */
int blkdev_submit(struct blkdev *dev, struct blk_req *req);

/*
 * Thread context (sleeps, uninterruptibly, like a task in D state): submits
 * and waits for the completion. On -EAGAIN because every slot is busy it
 * waits for a slot; after an injected blk/queue/full it backs off 10 us of
 * virtual time and tries again, and gives up with -EAGAIN after 8 such
 * faults in a row. Returns 0, -EINVAL, -EAGAIN, -EIO or -ETIMEDOUT.
 */
int blkdev_io_sync(struct blkdev *dev, enum blk_op op, uint32_t flags, uint64_t sector,
		   uint32_t count, void *buf);
static inline int blkdev_read_sync(struct blkdev *dev, uint64_t sector, uint32_t count, void *buf)
{
	return blkdev_io_sync(dev, BLK_OP_READ, 0, sector, count, buf);
}
static inline int blkdev_write_sync(struct blkdev *dev, uint32_t flags, uint64_t sector,
				    uint32_t count, const void *buf)
{
	return blkdev_io_sync(dev, BLK_OP_WRITE, flags, sector, count, (void *)buf);
}
static inline int blkdev_flush_sync(struct blkdev *dev)
{
	return blkdev_io_sync(dev, BLK_OP_FLUSH, 0, 0, 0, NULL);
}

/* ---- power, inspection, statistics -------------------------------------- */

#define BLK_CUT_TEAR 0x1u   /* tear one sector of an in-flight write (or a cached one) */
#define BLK_CUT_STATES 0x2u /* any of the unstable writes may have made it (below) */

/*
 * Power cut, then power back on. Any context. Drops every volatile cached
 * sector; with BLK_CUT_TEAR, one sector (drawn from the DEVICE stream among
 * the sectors of in-flight writes, or, if there are none, among the dirty
 * cached sectors) is left torn on stable media: it then reads as -EIO
 * until rewritten. Every in-flight request is aborted and completes with
 * -EIO (its done() runs in interrupt context at the current virtual time).
 * *torn_sector (may be NULL) gets the torn sector or BLKDEV_NO_SECTOR.
 * With BLK_CUT_STATES the cut leaves a crash state instead of the worst
 * case: each request whose sectors are still cached, and each write in
 * flight that has not reached the media, may have made it whole before
 * the power went (a decision each, SIMK_DIM_CRASH: the dfs search
 * enumerates them, other policies keep each with probability 1/2), oldest
 * first; the rest is lost (blk-crash-state: units, kept).
 */
void blkdev_power_cut(struct blkdev *dev, unsigned flags, uint64_t *torn_sector);

/*
 * For the owner's end hook: forgets every in-flight request without
 * calling done() (their buffers may be freed next). Counted in
 * stats.abandoned and traced, their state becomes BLK_REQ_DONE; the run
 * does not fail for them. Not in interrupt context. Meant for the end of a
 * run (an end hook, or the last thread): the requests simply vanish, so
 * whoever waits for them is never woken.
 */
void blkdev_abandon_all(struct blkdev *dev);

enum blk_view {
	BLK_VIEW_STABLE = 0, /* what survives a power cut */
	BLK_VIEW_CURRENT,    /* what a READ returns now: cache over stable */
};

/* Test/setup helpers; any context; no timing, no faults. */
/* Copies one sector; 0, -EIO (torn or garbled: bytes are still copied so a
 * test can look at them) or -EINVAL. */
int blkdev_peek(struct blkdev *dev, enum blk_view view, uint64_t sector, void *buf);
/* Writes sectors straight to stable media (e.g. mkfs before the run);
 * drops cached copies of them. 0 or -EINVAL. */
int blkdev_poke(struct blkdev *dev, uint64_t sector, uint32_t count, const void *buf);
/*
 * The stable medium, directly: for tests, scenario writers and
 * fault-injection studies (e.g. corrupting an on-disk structure to test a
 * filesystem's mount checks). Any context, host included; no queue, no
 * volatile cache, no latency, no fault point, no random draw, no virtual
 * time: calling them changes nothing else in the run, so a run stays
 * reproducible.
 * blkdev_media_peek copies count sectors of stable media (what survives a
 * power cut; a volatile cached copy is ignored): 0, -EIO when any of them
 * is torn, garbled or never written but not zero (the bytes are copied
 * anyway), or -EINVAL (NULL buf, count 0, range past the capacity). Not
 * traced.
 * blkdev_media_poke replaces count stable sectors with intact copies of
 * buf: the device's checksum matches, so a READ returns those bytes with
 * no error — corruption that only the reader's own checks can find (a
 * misdirected write, firmware bug, bit flip the ECC missed). A volatile
 * cached copy of a sector is left as it is: a READ still sees it, a FLUSH
 * replaces the poked bytes, a power cut reveals them. 0 or -EINVAL.
 * Traced as blk-media-poke (device id, sector, count).
 */
int blkdev_media_peek(struct blkdev *dev, uint64_t sector, uint32_t count, void *buf);
int blkdev_media_poke(struct blkdev *dev, uint64_t sector, uint32_t count, const void *buf);
/* Flips bytes of the stable copy of a sector without fixing its checksum:
 * reads of it give -EIO until it is rewritten. 0 or -EINVAL. */
int blkdev_corrupt(struct blkdev *dev, uint64_t sector);
/* True when the sector has a volatile (not yet flushed) copy in the cache. */
bool blkdev_sector_dirty(const struct blkdev *dev, uint64_t sector);
uint64_t blkdev_dirty_sectors(const struct blkdev *dev);

struct blkdev_stats {
	uint64_t submitted;			     /* accepted by blkdev_submit */
	uint64_t completed;			     /* done() called, any result */
	uint64_t errors;			     /* of completed: error != 0 */
	uint64_t in_flight;			     /* submitted - completed - abandoned */
	uint64_t in_flight_max;			     /* high-water mark (<= queue_depth) */
	uint64_t rejected_full;			     /* -EAGAIN */
	uint64_t rejected_inval;		     /* -EINVAL */
	uint64_t reads, writes, flushes, fua_writes; /* accepted, by op */
	uint64_t sectors_read, sectors_written;	     /* by successful requests */
	uint64_t timeouts;			     /* driver timer fired (lost or slow attempt) */
	uint64_t retries;			     /* re-issued attempts */
	uint64_t lost_irqs;			     /* blk/complete/lost injections */
	uint64_t delayed;			     /* blk/complete/delay injections */
	uint64_t torn_sectors;			     /* by blk/write/torn and power cuts */
	uint64_t csum_errors;			     /* sectors that failed verification on READ */
	uint64_t power_cuts;
	uint64_t abandoned; /* forgotten at the end of the run */
};
void blkdev_get_stats(const struct blkdev *dev, struct blkdev_stats *out);

const char *blk_op_name(enum blk_op op);

/* Registers the subsystem (syscalls/builtin.c). */
void blkdev_register(void);

#endif

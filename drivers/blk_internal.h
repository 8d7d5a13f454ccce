/*
 * Private to drivers/: the device object, its queue slots and its media.
 * Only drivers/blk*.c include this; everyone else uses drivers/blkdev.h.
 */
#ifndef SIMK_BLK_INTERNAL_H
#define SIMK_BLK_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "drivers/blkdev.h"
#include "kern/waitq.h"
#include "sim/engine.h"

#define BLKDEV_MAGIC 0x626c6b6465763031ULL

/* Per-sector state of a stored copy (stable media or cache). */
enum blk_sec_state {
	SEC_NONE = 0, /* cache: no copy; media: never written (must read as zeros) */
	SEC_OK,	      /* bytes match the stored checksum */
	SEC_TORN,     /* torn write: always fails verification */
};

/*
 * Stable media plus the volatile write cache. The cache is a full-size
 * shadow: a sector has a cached copy iff cstate[s] != SEC_NONE iff it is
 * on the dirty list (dirty_pos[s] = index + 1). Every cached copy is dirty:
 * the cache holds only writes that are not yet stable.
 */
struct blk_media {
	uint32_t sector_size;
	uint64_t nsectors;
	uint8_t *data;	/* stable bytes */
	uint64_t *sum;	/* stable checksums */
	uint8_t *state; /* enum blk_sec_state of the stable copy */
	uint8_t *cdata; /* cache bytes (NULL when the cache is off) */
	uint64_t *csum;
	uint8_t *cstate;
	uint32_t *dirty;     /* cached sectors, in a deterministic order */
	uint64_t *dirty_req; /* by position in dirty[]: the request that wrote it */
	uint32_t *dirty_pos; /* index + 1 in dirty[], 0 when not cached */
	uint64_t ndirty;
};

/* One queue slot: what a device tag is in a real driver. */
struct blk_slot {
	struct blkdev *dev;
	struct blk_req *req;	   /* NULL when free */
	struct sim_event ev_irq;   /* completion interrupt of the current attempt */
	struct sim_event ev_timer; /* driver timeout of the current attempt */
	struct list_node link;	   /* dev->inflight, in submission order */
	bool applied;		   /* this attempt reached the media (irq then lost) */
	bool cut;		   /* aborted by a power cut: completes with -EIO */
	uint32_t index;
};

struct blkdev {
	uint64_t magic;
	struct blkdev_config cfg;
	int id;		       /* 1.. in creation order within the run */
	struct list_node link; /* run's device list */
	struct blk_media media;
	struct blk_slot *slots; /* queue_depth of them */
	uint32_t *free_slots;	/* stack of free slot indexes */
	uint32_t slots_free;
	struct list_node inflight;
	uint64_t fifo_last_ns; /* reorder off: latest scheduled completion */
	struct waitq slot_wq;  /* blkdev_io_sync waiting for a free slot */
	struct blkdev_stats st;
};

/* blk_media.c */
int blk_media_init(struct blk_media *m, uint32_t sector_size, uint64_t nsectors, bool cache);
void blk_media_free(struct blk_media *m);
/* READ: copies count sectors (cache over stable) into buf; -EIO when any
 * sector fails verification (each such sector is traced and counted). */
int blk_media_read(struct blkdev *dev, uint64_t sector, uint32_t count, void *buf);
/* WRITE of request req_id: to the cache when to_cache, else to stable
 * media (dropping cached copies). torn_idx < count tears that sector of
 * the request. */
void blk_media_write(struct blkdev *dev, uint64_t sector, uint32_t count, const void *buf,
		 bool to_cache, uint32_t torn_idx, uint64_t req_id);
/* The requests whose cached sectors are still volatile, oldest first (each
 * once): n of them into ids (caller's array of ndirty entries). */
uint64_t blk_media_cached_reqs(const struct blk_media *m, uint64_t *ids);
/* Makes the cached sectors of request req_id stable (a partial flush: what
 * reached the media before a power cut), except sector `skip`. */
void blk_media_persist_req(struct blk_media *m, uint64_t req_id, uint64_t skip);
/* FLUSH: every cached sector becomes stable. */
void blk_media_flush(struct blk_media *m);
/* Power cut: drops the cache. */
void blk_media_drop_cache(struct blk_media *m);
/* Writes the first keep_new bytes of src over the stable copy of sector
 * and marks it torn. */
void blk_media_tear_stable(struct blk_media *m, uint64_t sector, const uint8_t *src,
			   uint32_t keep_new);
uint64_t blk_media_sector_sum(const uint8_t *p, uint32_t size, uint64_t sector);

/* blk_latency.c */
int blk_latency_check(const struct blk_latency *l);
/* The model has more than one value: the dfs search may pick among classes. */
bool blk_latency_has_range(const struct blk_latency *l);
/* Class c of k (0 = the fastest, k - 1 = the slowest), evenly spaced:
 * uniform min..max, exponential 0..2 means, bimodal mean..slow. */
uint64_t blk_latency_class(const struct blk_latency *l, uint32_t c, uint32_t k);
uint64_t blk_latency_draw(const struct blk_latency *l, struct rng *r);

#endif

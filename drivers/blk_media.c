/*
 * Stable media and the volatile write cache of the fake block device.
 *
 * Invariant: a READ never returns wrong bytes silently. Every stored copy
 * of a sector carries a state and a checksum (over its bytes and its
 * sector number, computed when it is written); a READ verifies each
 * sector and fails the request with -EIO when any sector is torn, garbled
 * (bytes no longer match the checksum) or never written but not zero.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/blk_internal.h"
#include "kern/kmem.h"

static KMEM_TYPE(kt_data, "blk.media");
static KMEM_TYPE(kt_meta, "blk.meta");

uint64_t blk_media_sector_sum(const uint8_t *p, uint32_t size, uint64_t sector)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ (sector * 0xd6e8feb86659fd93ULL);
	for (uint32_t i = 0; i < size; i += 8) {
		uint64_t w;
		memcpy(&w, p + i, sizeof(w));
		h ^= w;
		h *= 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	return h;
}

int blk_media_init(struct blk_media *m, uint32_t sector_size, uint64_t nsectors, bool cache)
{
	memset(m, 0, sizeof(*m));
	m->sector_size = sector_size;
	m->nsectors = nsectors;
	size_t bytes = (size_t)(nsectors * sector_size);
	m->data = kmem_zalloc(&kt_data, bytes);
	m->sum = kmem_zalloc(&kt_meta, nsectors * sizeof(*m->sum));
	m->state = kmem_zalloc(&kt_meta, nsectors);
	if (m->data == NULL || m->sum == NULL || m->state == NULL)
		goto nomem;
	if (cache) {
		m->cdata = kmem_zalloc(&kt_data, bytes);
		m->csum = kmem_zalloc(&kt_meta, nsectors * sizeof(*m->csum));
		m->cstate = kmem_zalloc(&kt_meta, nsectors);
		m->dirty = kmem_zalloc(&kt_meta, nsectors * sizeof(*m->dirty));
		m->dirty_req = kmem_zalloc(&kt_meta, nsectors * sizeof(*m->dirty_req));
		m->dirty_pos = kmem_zalloc(&kt_meta, nsectors * sizeof(*m->dirty_pos));
		if (m->cdata == NULL || m->csum == NULL || m->cstate == NULL || m->dirty == NULL ||
		    m->dirty_req == NULL || m->dirty_pos == NULL)
			goto nomem;
	}
	return 0;
nomem:
	blk_media_free(m);
	return -ENOMEM;
}

void blk_media_free(struct blk_media *m)
{
	kmem_free(&kt_data, m->data);
	kmem_free(&kt_meta, m->sum);
	kmem_free(&kt_meta, m->state);
	kmem_free(&kt_data, m->cdata);
	kmem_free(&kt_meta, m->csum);
	kmem_free(&kt_meta, m->cstate);
	kmem_free(&kt_meta, m->dirty);
	kmem_free(&kt_meta, m->dirty_req);
	kmem_free(&kt_meta, m->dirty_pos);
	memset(m, 0, sizeof(*m));
}

static uint8_t *stable_at(const struct blk_media *m, uint64_t s)
{
	return m->data + s * m->sector_size;
}

static uint8_t *cache_at(const struct blk_media *m, uint64_t s)
{
	return m->cdata + s * m->sector_size;
}

static bool is_cached(const struct blk_media *m, uint64_t s)
{
	return m->cdata != NULL && m->cstate[s] != SEC_NONE;
}

static void dirty_add(struct blk_media *m, uint64_t s, uint64_t req_id)
{
	KASSERT(m->dirty_pos[s] == 0, "sector %llu already on the dirty list",
		(unsigned long long)s);
	KASSERT(m->ndirty < m->nsectors, "dirty list overflow");
	m->dirty[m->ndirty] = (uint32_t)s;
	m->dirty_req[m->ndirty] = req_id;
	m->ndirty++;
	m->dirty_pos[s] = (uint32_t)m->ndirty;
}

/* Removes s from the dirty list (swap with the last entry) and the cache. */
static void dirty_del(struct blk_media *m, uint64_t s)
{
	uint32_t pos = m->dirty_pos[s];
	KASSERT(pos != 0, "sector %llu not on the dirty list", (unsigned long long)s);
	KASSERT(m->dirty[pos - 1] == s, "sector %llu not on the dirty list", (unsigned long long)s);
	uint32_t last = m->dirty[m->ndirty - 1];
	m->dirty[pos - 1] = last;
	m->dirty_req[pos - 1] = m->dirty_req[m->ndirty - 1];
	m->dirty_pos[last] = pos;
	m->ndirty--;
	m->dirty_pos[s] = 0;
	m->cstate[s] = SEC_NONE;
}

static bool all_zero(const uint8_t *p, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (p[i] != 0)
			return false;
	return true;
}

/* True when a stored copy (bytes, checksum, state) is intact. */
static bool copy_ok(const uint8_t *p, uint64_t sum, uint8_t state, uint32_t size, uint64_t s)
{
	switch (state) {
	case SEC_NONE:
		return all_zero(p, size);
	case SEC_OK:
		return blk_media_sector_sum(p, size, s) == sum;
	default:
		return false;
	}
}

/* Copies the current (cache over stable) view of s into out; true if intact. */
static bool read_sector(const struct blk_media *m, uint64_t s, uint8_t *out)
{
	const uint8_t *src;
	bool ok;
	if (is_cached(m, s)) {
		src = cache_at(m, s);
		ok = copy_ok(src, m->csum[s], m->cstate[s], m->sector_size, s);
	} else {
		src = stable_at(m, s);
		ok = copy_ok(src, m->sum[s], m->state[s], m->sector_size, s);
	}
	memcpy(out, src, m->sector_size);
	return ok;
}

int blk_media_read(struct blkdev *dev, uint64_t sector, uint32_t count, void *buf)
{
	struct blk_media *m = &dev->media;
	KASSERT(sector + count <= m->nsectors, "read past the media");
	int rc = 0;
	for (uint32_t i = 0; i < count; i++) {
		uint8_t *out = (uint8_t *)buf + (size_t)i * m->sector_size;
		if (!read_sector(m, sector + i, out)) {
			dev->st.csum_errors++;
			trace_emit(TR_INFO, "blk:bad_sector", dev->id, (int64_t)(sector + i), 0, 0);
			rc = -EIO;
		}
	}
	return rc;
}

/* Writes one sector into the chosen store; keep_new < size tears it. */
static void write_sector(struct blk_media *m, uint64_t s, const uint8_t *src, bool to_cache,
			 uint32_t keep_new, uint64_t req_id)
{
	uint32_t size = m->sector_size;
	uint64_t sum = blk_media_sector_sum(src, size, s);
	uint8_t state = keep_new < size ? SEC_TORN : SEC_OK;
	if (to_cache) {
		KASSERT(m->cdata != NULL, "cached write without a cache");
		if (!is_cached(m, s)) {
			/* the old bytes a torn write leaves behind are the stable ones */
			if (keep_new < size)
				memcpy(cache_at(m, s), stable_at(m, s), size);
			dirty_add(m, s, req_id);
		} else {
			m->dirty_req[m->dirty_pos[s] - 1] = req_id; /* the newer copy */
		}
		memcpy(cache_at(m, s), src, keep_new < size ? keep_new : size);
		m->csum[s] = sum;
		m->cstate[s] = state;
		return;
	}
	if (is_cached(m, s))
		dirty_del(m, s); /* the new stable bytes supersede the cached ones */
	memcpy(stable_at(m, s), src, keep_new < size ? keep_new : size);
	m->sum[s] = sum;
	m->state[s] = state;
}

void blk_media_write(struct blkdev *dev, uint64_t sector, uint32_t count, const void *buf,
		 bool to_cache, uint32_t torn_idx, uint64_t req_id)
{
	struct blk_media *m = &dev->media;
	KASSERT(sector + count <= m->nsectors, "write past the media");
	for (uint32_t i = 0; i < count; i++) {
		const uint8_t *src = (const uint8_t *)buf + (size_t)i * m->sector_size;
		uint32_t keep = m->sector_size;
		if (i == torn_idx) {
			/* a prefix of the new bytes made it: between 1 and size-1 of them */
			keep = 1 +
			       (uint32_t)rng_below(sim_rng(SIMK_STREAM_DEVICE), m->sector_size - 1);
			dev->st.torn_sectors++;
			trace_emit(TR_INFO, "blk:torn", dev->id, (int64_t)(sector + i), keep,
				   to_cache);
		}
		write_sector(m, sector + i, src, to_cache, keep, req_id);
	}
}

static int id_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

uint64_t blk_media_cached_reqs(const struct blk_media *m, uint64_t *ids)
{
	if (m->cdata == NULL || m->ndirty == 0)
		return 0;
	memcpy(ids, m->dirty_req, m->ndirty * sizeof(*ids));
	qsort(ids, m->ndirty, sizeof(*ids), id_cmp); /* request ids grow with time */
	uint64_t n = 0;
	for (uint64_t i = 0; i < m->ndirty; i++)
		if (n == 0 || ids[n - 1] != ids[i])
			ids[n++] = ids[i];
	return n;
}

void blk_media_persist_req(struct blk_media *m, uint64_t req_id, uint64_t skip)
{
	for (uint64_t i = m->ndirty; i > 0; i--) {
		uint64_t s = m->dirty[i - 1];
		if (m->dirty_req[i - 1] != req_id || s == skip)
			continue;
		memcpy(stable_at(m, s), cache_at(m, s), m->sector_size);
		m->sum[s] = m->csum[s];
		m->state[s] = m->cstate[s];
		dirty_del(m, s); /* moves the last entry here: already looked at */
	}
}

void blk_media_flush(struct blk_media *m)
{
	if (m->cdata == NULL)
		return;
	for (uint64_t i = 0; i < m->ndirty; i++) {
		uint64_t s = m->dirty[i];
		KASSERT(m->cstate[s] != SEC_NONE, "dirty sector %llu has no cached copy",
			(unsigned long long)s);
		memcpy(stable_at(m, s), cache_at(m, s), m->sector_size);
		m->sum[s] = m->csum[s];
		m->state[s] = m->cstate[s];
		m->cstate[s] = SEC_NONE;
		m->dirty_pos[s] = 0;
	}
	m->ndirty = 0;
}

void blk_media_drop_cache(struct blk_media *m)
{
	if (m->cdata == NULL)
		return;
	for (uint64_t i = 0; i < m->ndirty; i++) {
		uint64_t s = m->dirty[i];
		m->cstate[s] = SEC_NONE;
		m->dirty_pos[s] = 0;
	}
	m->ndirty = 0;
}

void blk_media_tear_stable(struct blk_media *m, uint64_t sector, const uint8_t *src,
			   uint32_t keep_new)
{
	KASSERT(sector < m->nsectors, "bad tear of sector %llu", (unsigned long long)sector);
	KASSERT(keep_new > 0, "bad tear of sector %llu", (unsigned long long)sector);
	KASSERT(keep_new < m->sector_size, "bad tear of sector %llu", (unsigned long long)sector);
	memcpy(stable_at(m, sector), src, keep_new);
	m->sum[sector] = blk_media_sector_sum(src, m->sector_size, sector);
	m->state[sector] = SEC_TORN;
}

/* ---- inspection (blkdev.h) ---------------------------------------------- */

static bool dev_ok(const struct blkdev *dev)
{
	return dev != NULL && dev->magic == BLKDEV_MAGIC;
}

int blkdev_peek(struct blkdev *dev, enum blk_view view, uint64_t sector, void *buf)
{
	KASSERT(dev_ok(dev), "blkdev_peek on a bad device");
	struct blk_media *m = &dev->media;
	if (sector >= m->nsectors || buf == NULL)
		return -EINVAL;
	if (view == BLK_VIEW_CURRENT)
		return read_sector(m, sector, buf) ? 0 : -EIO;
	if (view != BLK_VIEW_STABLE)
		return -EINVAL;
	const uint8_t *src = stable_at(m, sector);
	memcpy(buf, src, m->sector_size);
	return copy_ok(src, m->sum[sector], m->state[sector], m->sector_size, sector) ? 0 : -EIO;
}

int blkdev_poke(struct blkdev *dev, uint64_t sector, uint32_t count, const void *buf)
{
	KASSERT(dev_ok(dev), "blkdev_poke on a bad device");
	struct blk_media *m = &dev->media;
	if (buf == NULL || count == 0 || sector >= m->nsectors || count > m->nsectors - sector)
		return -EINVAL;
	for (uint32_t i = 0; i < count; i++)
		write_sector(m, sector + i, (const uint8_t *)buf + (size_t)i * m->sector_size,
			     false, m->sector_size, 0);
	return 0;
}

/* The stable medium only: no queue, no cache, no latency, no fault point,
 * no draw from any random stream. Reading changes nothing at all, so it is
 * not traced; writing is (blk-media-poke), as a fault it injects. */
int blkdev_media_peek(struct blkdev *dev, uint64_t sector, uint32_t count, void *buf)
{
	KASSERT(dev_ok(dev), "blkdev_media_peek on a bad device");
	struct blk_media *m = &dev->media;
	if (buf == NULL || count == 0 || sector >= m->nsectors || count > m->nsectors - sector)
		return -EINVAL;
	int rc = 0;
	for (uint32_t i = 0; i < count; i++) {
		uint64_t s = sector + i;
		const uint8_t *src = stable_at(m, s);
		memcpy((uint8_t *)buf + (size_t)i * m->sector_size, src, m->sector_size);
		if (!copy_ok(src, m->sum[s], m->state[s], m->sector_size, s))
			rc = -EIO;
	}
	return rc;
}

int blkdev_media_poke(struct blkdev *dev, uint64_t sector, uint32_t count, const void *buf)
{
	KASSERT(dev_ok(dev), "blkdev_media_poke on a bad device");
	struct blk_media *m = &dev->media;
	if (buf == NULL || count == 0 || sector >= m->nsectors || count > m->nsectors - sector)
		return -EINVAL;
	for (uint32_t i = 0; i < count; i++) {
		uint64_t s = sector + i;
		const uint8_t *src = (const uint8_t *)buf + (size_t)i * m->sector_size;
		/* an intact copy: the device's own check passes; a volatile
		 * cached copy, if any, stays in front of it */
		memcpy(stable_at(m, s), src, m->sector_size);
		m->sum[s] = blk_media_sector_sum(src, m->sector_size, s);
		m->state[s] = SEC_OK;
	}
	trace_emit(TR_INFO, "blk:media_poke", dev->id, (int64_t)sector, count, 0);
	return 0;
}

int blkdev_corrupt(struct blkdev *dev, uint64_t sector)
{
	KASSERT(dev_ok(dev), "blkdev_corrupt on a bad device");
	struct blk_media *m = &dev->media;
	if (sector >= m->nsectors)
		return -EINVAL;
	uint8_t *p = stable_at(m, sector);
	if (m->state[sector] == SEC_NONE) {
		/* a never-written sector that is garbled: no longer all zeros */
		p[0] |= 0x5a;
	} else {
		for (uint32_t i = 0; i < m->sector_size; i += 64)
			p[i] = (uint8_t)(p[i] + 0x5b);
	}
	trace_emit(TR_INFO, "blk:corrupt", dev->id, (int64_t)sector, 0, 0);
	return 0;
}

bool blkdev_sector_dirty(const struct blkdev *dev, uint64_t sector)
{
	KASSERT(dev_ok(dev), "blkdev_sector_dirty on a bad device");
	return sector < dev->media.nsectors && is_cached(&dev->media, sector);
}

uint64_t blkdev_dirty_sectors(const struct blkdev *dev)
{
	KASSERT(dev_ok(dev), "blkdev_dirty_sectors on a bad device");
	return dev->media.ndirty;
}

/*
 * Scenario operation that damages a device's stable medium, for scenario
 * writers and fault-injection studies (docs/scenarios.md, docs/blkdev.md):
 *
 *   media_corrupt DEVICE SECTOR                 garble it: the device notices,
 *                                               every READ of it gives -EIO
 *   media_corrupt DEVICE SECTOR byte=N [value=V] set one byte and keep the
 *                                               sector intact: a READ returns
 *                                               the new byte with no error
 *
 * The first is blkdev_corrupt, the second blkdev_media_peek + modify +
 * blkdev_media_poke: corruption only the reader's own checks can find (a
 * filesystem's superblock checksum, its mount checks). Neither draws from
 * a random stream or takes virtual time; both are traced by the device
 * (blk-corrupt, blk-media-poke). A volatile cached copy of the sector is
 * left as it is.
 */
#include <errno.h>
#include <stdio.h>

#include "drivers/blkdev.h"
#include "sim/engine.h"
#include "scn/scn.h"

enum { MC_DEV, MC_SECTOR, MC_BYTE, MC_VALUE };

static const struct scn_argspec media_corrupt_args[] = {
    [MC_DEV] = {"device", SCN_OBJ, "device", 0, 0},
    [MC_SECTOR] = {"sector", SCN_INT, NULL, 0, 0},
    [MC_BYTE] = {"byte", SCN_INT, NULL, SCN_NAMED, 0},
    [MC_VALUE] = {"value", SCN_INT, NULL, SCN_NAMED, 0},
};

/* The device a "device" declaration made: it is named after it (cut to
 * the device name limit, as the declaration does). */
static struct blkdev *decl_device(const struct scn_val *v)
{
	char name[BLKDEV_NAME_MAX];
	snprintf(name, sizeof(name), "%s", v->decl->name);
	return blkdev_find(name);
}

/* Thread context; never sleeps. 0 or -EINVAL. */
static int64_t op_media_corrupt(struct scn_call *c)
{
	struct blkdev *dev = decl_device(&c->args[MC_DEV]);
	if (dev == NULL)
		scn_call_fail(c, SIMK_FAIL_EXPECT, "media_corrupt: device %s not found",
			      c->args[MC_DEV].decl->name);
	int64_t sector = c->args[MC_SECTOR].i;
	if (sector < 0 || (uint64_t)sector >= blkdev_capacity(dev))
		return -EINVAL;
	const struct scn_val *byte = &c->args[MC_BYTE], *value = &c->args[MC_VALUE];
	if (!byte->given)
		return value->given ? -EINVAL : blkdev_corrupt(dev, (uint64_t)sector);
	uint32_t ssize = blkdev_sector_size(dev);
	if (byte->i < 0 || byte->i >= ssize || (value->given && (value->i < 0 || value->i > 255)))
		return -EINVAL;
	uint8_t buf[4096];
	KASSERT(ssize <= sizeof(buf), "sector of %u bytes", ssize);
	/* a torn or garbled sector is read anyway: it becomes intact */
	(void)blkdev_media_peek(dev, (uint64_t)sector, 1, buf);
	buf[byte->i] = value->given ? (uint8_t)value->i : (uint8_t)~buf[byte->i];
	return blkdev_media_poke(dev, (uint64_t)sector, 1, buf);
}

static const struct scn_op blkdev_media_ops[] = {
    SCN_OP_E("media_corrupt", media_corrupt_args, op_media_corrupt,
	   "media_corrupt DEVICE SECTOR [byte=N] [value=V]: damage the stable medium; without byte "
	   "the sector is garbled (reads give -EIO), with byte one byte is set to V (default: its "
	   "complement) and the sector stays intact; 0 or -EINVAL"),
};

void scn_ops_blkdev_media_register(void)
{
	scn_register_ops(blkdev_media_ops, SCN_NARGS(blkdev_media_ops));
}

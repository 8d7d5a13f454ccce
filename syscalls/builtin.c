/*
 * The composition point: registers every built-in subsystem with the
 * engine, in dependency order (kmem first, so it is destroyed last).
 * Each later layer adds its registration call here.
 */
#include "sim/engine.h"
#include "kern/kmem.h"
#include "drivers/blkdev.h"
#include "vfs/vfs.h"

void kern_register(void);

void simk_register_builtin(void)
{
	kmem_register();
	kern_register();
	blkdev_register();
	vfs_register();
}

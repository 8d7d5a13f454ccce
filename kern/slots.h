/* Per-run state slots (struct simk.subsys[]) and per-process slots
 * (struct simk_proc.subsys[]), one per subsystem. */
#ifndef SIMK_SLOTS_H
#define SIMK_SLOTS_H

enum sim_slot {
	SLOT_KMEM = 0,
	SLOT_KERN = 1,   /* kern/: callouts, workqueues, signals, threads */
	SLOT_BLK = 2,    /* drivers/blkdev */
	SLOT_VFS = 3,    /* vfs/ */
	SLOT_LAIO = 4,   /* syscalls/linux_aio */
	SLOT_PORT = 5,   /* syscalls/portfs */
	SLOT_KQ = 6,     /* syscalls/kqueue */
	SLOT_PAIO = 7,   /* syscalls/posix_aio */
	SLOT_SCN = 8,    /* the scenario interpreter */
	SLOT_UMEM = 9,   /* kern/umem: user memory */
	SLOT_GUEST = 10, /* the guest runtime (guest/) */
	SLOT_TEST = 15,  /* free for unit tests */
};

enum proc_slot {
	PSLOT_LAIO = 0,
	PSLOT_PORT = 1,
	PSLOT_KQ = 2,
	PSLOT_PAIO = 3,
	PSLOT_SIG = 4,
	PSLOT_SCN = 5,
};

#endif

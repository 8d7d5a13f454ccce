/*
 * The composition point: registers every built-in subsystem with the
 * engine, in dependency order (kmem first, so it is destroyed last), and
 * every layer's scenario operations. Each later layer adds its
 * registration calls here, above the scenario interpreter's. The engine
 * (sim/) and the scenario language (scn/) never call up here: registration
 * is triggered from the top — simk_create() below, the CLI, the tests.
 */
#include "syscalls/builtin.h"

#include <stdbool.h>

#include "sim/engine.h"
#include "scn/scn.h"
#include "kern/kmem.h"
#include "drivers/blkdev.h"
#include "syscalls/linux_aio/laio.h"
#include "syscalls/portfs/port.h"
#include "syscalls/ptimer/ptimer.h"
#include "syscalls/kqueue/kq.h"
#include "vfs/vfs.h"
#include "syscalls/posix_aio/paio.h"

void kern_register(void);
void scn_ops_kern_register(void);
void scn_ops_vfs_register(void);
void scn_ops_blkdev_media_register(void);
void kern_syscalls_register(void);
void vfs_syscalls_register(void);
void eventfd_syscalls_register(void);
void laio_syscalls_register(void);
void port_syscalls_register(void);
void ptimer_syscalls_register(void);
void kq_syscalls_register(void);
void paio_syscalls_register(void);
void guest_register(void);

void simk_register_builtin(void)
{
	/* Once per host process: simk_create calls it for every run, and the
	 * registrations, though idempotent, cost name lookups (a quarter of a
	 * small guest run's time under explore). */
	static bool registered;
	if (registered)
		return;
	registered = true;
	kmem_register();
	kern_register();
	blkdev_register();
	vfs_register();
	laio_register();   /* Linux AIO and its scenario operations */
	port_register();   /* event ports, POSIX timers' scenario operations */
	ptimer_register(); /* POSIX timers: after portfs, for SIGEV_PORT */
	kq_register();	   /* with its scenario operations */
	paio_register();   /* after the layers it uses: its exit hook runs first */
	/* every system call's descriptor (kern/syscall.h), layer by layer */
	kern_syscalls_register();
	vfs_syscalls_register();
	eventfd_syscalls_register();
	laio_syscalls_register();
	port_syscalls_register();
	ptimer_syscalls_register();
	kq_syscalls_register();
	paio_syscalls_register();
	/* scenario operations, declaration kinds and constants */
	scn_ops_kern_register();
	scn_ops_vfs_register();
	scn_ops_blkdev_media_register();
	/* guest programs (guest/): a program kind of the scenario layer */
	guest_register();
	/* Last: the interpreter's end hook runs first, so scenario objects
	 * are released before the layers beneath them tear down. */
	scn_register();
}

/* The embedding API's constructor (include/simk/sim.h): the engine's, with
 * every built-in subsystem registered, so an embedding program needs no
 * other call. */
struct simk *simk_create(const struct simk_opts *o, char *err, size_t errlen)
{
	simk_register_builtin();
	return sim_create(o, err, errlen);
}

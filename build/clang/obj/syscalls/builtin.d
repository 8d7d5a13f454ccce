build/clang/obj/syscalls/builtin.o: syscalls/builtin.c sim/engine.h \
  include/simk/sim.h sim/ctx.h sim/eventq.h sim/rng.h sim/trace.h \
  kern/kmem.h drivers/blkdev.h

sim/engine.h:

include/simk/sim.h:

sim/ctx.h:

sim/eventq.h:

sim/rng.h:

sim/trace.h:

kern/kmem.h:

drivers/blkdev.h:

build/obj/kern/kmem.o: kern/kmem.c kern/kmem.h sim/engine.h \
 include/simk/sim.h sim/ctx.h sim/eventq.h sim/rng.h sim/trace.h \
 sim/fault.h kern/slots.h
kern/kmem.h:
sim/engine.h:
include/simk/sim.h:
sim/ctx.h:
sim/eventq.h:
sim/rng.h:
sim/trace.h:
sim/fault.h:
kern/slots.h:

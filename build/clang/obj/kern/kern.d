build/clang/obj/kern/kern.o: kern/kern.c kern/kern.h sim/engine.h \
  include/simk/sim.h sim/ctx.h sim/eventq.h sim/rng.h sim/trace.h \
  kern/slots.h

kern/kern.h:

sim/engine.h:

include/simk/sim.h:

sim/ctx.h:

sim/eventq.h:

sim/rng.h:

sim/trace.h:

kern/slots.h:

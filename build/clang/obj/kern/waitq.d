build/clang/obj/kern/waitq.o: kern/waitq.c kern/waitq.h sim/engine.h \
  include/simk/sim.h sim/ctx.h sim/eventq.h sim/rng.h sim/trace.h

kern/waitq.h:

sim/engine.h:

include/simk/sim.h:

sim/ctx.h:

sim/eventq.h:

sim/rng.h:

sim/trace.h:

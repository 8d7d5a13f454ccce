build/clang/obj/sim/fault.o: sim/fault.c sim/fault.h sim/engine.h \
  include/simk/sim.h sim/ctx.h sim/eventq.h sim/rng.h sim/trace.h

sim/fault.h:

sim/engine.h:

include/simk/sim.h:

sim/ctx.h:

sim/eventq.h:

sim/rng.h:

sim/trace.h:

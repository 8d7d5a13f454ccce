build/clang/obj/sim/trace.o: sim/trace.c sim/trace.h sim/engine.h \
  include/simk/sim.h sim/ctx.h sim/eventq.h sim/rng.h

sim/trace.h:

sim/engine.h:

include/simk/sim.h:

sim/ctx.h:

sim/eventq.h:

sim/rng.h:

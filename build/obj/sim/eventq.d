build/obj/sim/eventq.o: sim/eventq.c sim/eventq.h sim/engine.h \
 include/simk/sim.h sim/ctx.h sim/rng.h sim/trace.h
sim/eventq.h:
sim/engine.h:
include/simk/sim.h:
sim/ctx.h:
sim/rng.h:
sim/trace.h:

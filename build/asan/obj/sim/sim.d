build/asan/obj/sim/sim.o: sim/sim.c sim/engine.h include/simk/sim.h \
 sim/ctx.h sim/eventq.h sim/rng.h sim/trace.h sim/fault.h sim/policy.h
sim/engine.h:
include/simk/sim.h:
sim/ctx.h:
sim/eventq.h:
sim/rng.h:
sim/trace.h:
sim/fault.h:
sim/policy.h:

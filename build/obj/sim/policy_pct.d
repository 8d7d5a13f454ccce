build/obj/sim/policy_pct.o: sim/policy_pct.c sim/policy.h sim/engine.h \
 include/simk/sim.h sim/ctx.h sim/eventq.h sim/rng.h sim/trace.h
sim/policy.h:
sim/engine.h:
include/simk/sim.h:
sim/ctx.h:
sim/eventq.h:
sim/rng.h:
sim/trace.h:

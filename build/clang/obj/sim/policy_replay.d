build/clang/obj/sim/policy_replay.o: sim/policy_replay.c sim/policy.h \
  sim/engine.h include/simk/sim.h sim/ctx.h sim/eventq.h sim/rng.h \
  sim/trace.h

sim/policy.h:

sim/engine.h:

include/simk/sim.h:

sim/ctx.h:

sim/eventq.h:

sim/rng.h:

sim/trace.h:

build/clang/obj/sim/schedule_file.o: sim/schedule_file.c sim/policy.h \
  sim/engine.h include/simk/sim.h sim/ctx.h sim/eventq.h sim/rng.h \
  sim/trace.h

sim/policy.h:

sim/engine.h:

include/simk/sim.h:

sim/ctx.h:

sim/eventq.h:

sim/rng.h:

sim/trace.h:

build/obj/sim/trace_export.o: sim/trace_export.c sim/engine.h \
 include/simk/sim.h sim/ctx.h sim/eventq.h sim/rng.h sim/trace.h
sim/engine.h:
include/simk/sim.h:
sim/ctx.h:
sim/eventq.h:
sim/rng.h:
sim/trace.h:

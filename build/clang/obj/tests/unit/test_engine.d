build/clang/obj/tests/unit/test_engine.o: tests/unit/test_engine.c \
  kern/waitq.h sim/engine.h include/simk/sim.h sim/ctx.h sim/eventq.h \
  sim/rng.h sim/trace.h sim/fault.h

kern/waitq.h:

sim/engine.h:

include/simk/sim.h:

sim/ctx.h:

sim/eventq.h:

sim/rng.h:

sim/trace.h:

sim/fault.h:

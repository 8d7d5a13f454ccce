build/asan/obj/sim/ctx.o: sim/ctx.c sim/ctx.h
sim/ctx.h:

build/clang/obj/sim/ctx_x86_64.o: sim/ctx_x86_64.S

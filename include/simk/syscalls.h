/*
 * Every simk system call, for C code running in simulated threads. Each
 * simk_<name> enters the kernel through the one system-call path: a
 * switch point, a traced entry with its arguments, the call, a traced
 * exit with its result, a switch point. See docs/architecture.md ("The
 * system-call boundary").
 */
#ifndef SIMK_INCLUDE_SYSCALLS_H
#define SIMK_INCLUDE_SYSCALLS_H

#include "simk/sim.h"
#include "simk/umem.h"
#include "simk/time.h"
#include "simk/sigevent.h"
#include "simk/proc.h"
#include "simk/vfs.h"
#include "simk/eventfd.h"
#include "simk/laio.h"
#include "simk/port.h"
#include "simk/ptimer.h"
#include "simk/kq.h"
#include "simk/paio.h"

#endif

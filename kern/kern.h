/* kern/: kernel services built on the engine. */
#ifndef SIMK_KERN_H
#define SIMK_KERN_H

#include "sim/engine.h"

void kern_register(void);

#endif

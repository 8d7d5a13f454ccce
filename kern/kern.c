/* kern/ subsystem registration: per-run state of the kernel services. */
#include "kern/kern.h"

#include <stdlib.h>

#include "kern/slots.h"

static const struct sim_subsys kern_subsys = {
	.name = "kern",
	.slot = SLOT_KERN,
};

void kern_register(void)
{
	sim_subsys_register(&kern_subsys);
}

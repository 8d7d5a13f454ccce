/*
 * POSIX AIO: scenario operations (sim/scn.h). Filled in below.
 */
#include "syscalls/posix_aio_impl.h"

void paio_scn_register(void)
{
}

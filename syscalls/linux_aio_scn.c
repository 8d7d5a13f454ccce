/* Scenario operations for Linux AIO (filled in below). */
#include "syscalls/linux_aio_priv.h"

void laio_scn_register(void)
{
}

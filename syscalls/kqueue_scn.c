/* Scenario operations for kqueue (filled in below). */
#include "sim/scn.h"

void kqueue_scn_register(void);

void kqueue_scn_register(void)
{
}

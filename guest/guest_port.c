/*
 * <port.h> (illumos event ports, syscalls/portfs/) for guests.
 *
 * The table starts empty (issue 14 fills it): a row per call as it is
 * implemented, see docs/guest.md "Adding a call".
 */
#include "guest/guest.h"

#define FAMILY "port.h"

/* One unused row keeps the array non-empty while the family has no call. */
const struct guest_call guest_calls_port[] = {
    {NULL, FAMILY, 0, NULL, NULL, NULL},
};
const int guest_calls_port_n = 0;

/*
 * <libaio.h> (Linux libaio's API over the simulated Linux AIO, syscalls/linux_aio/) for guests.
 *
 * The table starts empty (issue 14 fills it): a row per call as it is
 * implemented, see docs/guest.md "Adding a call".
 */
#include "guest/guest.h"

#define FAMILY "libaio.h"

/* One unused row keeps the array non-empty while the family has no call. */
const struct guest_call guest_calls_libaio[] = {
    {NULL, FAMILY, 0, NULL, NULL, NULL},
};
const int guest_calls_libaio_n = 0;

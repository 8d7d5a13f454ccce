/*
 * <aio.h> and <sys/asynch.h> (POSIX and Solaris AIO, syscalls/posix_aio/) for guests.
 *
 * The table starts empty (issue 14 fills it): a row per call as it is
 * implemented, see docs/guest.md "Adding a call".
 */
#include "guest/guest.h"

#define FAMILY "aio.h"

/* One unused row keeps the array non-empty while the family has no call. */
const struct guest_call guest_calls_aio[] = {
    {NULL, FAMILY, 0, NULL, NULL, NULL},
};
const int guest_calls_aio_n = 0;

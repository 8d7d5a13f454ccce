/*
 * <signal.h>: signal handlers, masks, waiting for signals (kern/) for guests.
 *
 * The table starts empty (issue 14 fills it): a row per call as it is
 * implemented, see docs/guest.md "Adding a call".
 */
#include "guest/guest.h"

#define FAMILY "signal.h"

/* One unused row keeps the array non-empty while the family has no call. */
const struct guest_call guest_calls_signal[] = {
    {NULL, FAMILY, 0, NULL, NULL, NULL},
};
const int guest_calls_signal_n = 0;

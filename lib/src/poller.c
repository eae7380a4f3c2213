/* poller.c — helpers every poller backend shares (given). */
#include <math.h>

#include "kettle/poller.h"

int kt_timeout_ms(double timeout)
{
    if (timeout < 0)
        return -1;
    if (isnan(timeout))
        return 0;
    double ms = ceil(timeout * 1000.0);
    /* INT_MAX milliseconds is more than 24 days: wake up and look again. */
    return ms > 2000000000.0 ? 2000000000 : (int)ms;
}

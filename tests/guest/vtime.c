/* Time is virtual: sleeps advance the simulated clock only. */
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static struct timespec *volatile null_ts; /* hidden from the compiler */

static long long ns(const struct timespec *t)
{
	return t->tv_sec * 1000000000LL + t->tv_nsec;
}

int main(void)
{
	struct timespec a, b, r;
	CHECK(clock_gettime(CLOCK_MONOTONIC, &a) == 0);
	CHECK(sleep(2) == 0);
	CHECK(clock_gettime(CLOCK_MONOTONIC, &b) == 0);
	CHECK(ns(&b) - ns(&a) >= 2000000000LL && ns(&b) - ns(&a) < 2100000000LL);
	CHECK(usleep(1500) == 0);
	struct timespec req = {0, 250000};
	CHECK(nanosleep(&req, NULL) == 0);
	CHECK(clock_gettime(CLOCK_MONOTONIC, &a) == 0);
	CHECK(ns(&a) - ns(&b) >= 1750000LL);
	req.tv_nsec = 2000000000L;
	CHECK_ERR(nanosleep(&req, &r), EINVAL);
	CHECK_ERR(clock_gettime((clockid_t)1234, &a), EINVAL);
	CHECK_ERR(clock_gettime(CLOCK_MONOTONIC, null_ts), EFAULT);

	struct timespec rt;
	struct timeval tv;
	CHECK(clock_gettime(CLOCK_REALTIME, &rt) == 0);
	CHECK(gettimeofday(&tv, NULL) == 0);
	time_t now = time(NULL), now2;
	CHECK(time(&now2) == now2 && now2 >= now);
	CHECK(tv.tv_sec == rt.tv_sec || tv.tv_sec == rt.tv_sec + 1);
	CHECK(now >= rt.tv_sec);
	printf("monotonic %lld ns after the start\n", ns(&a));
	return 0;
}

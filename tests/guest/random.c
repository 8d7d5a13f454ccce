/* rand, random, getrandom, arc4random draw from the run's workload stream:
 * the same seed prints the same numbers. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>

#include "check.h"

int main(void)
{
	int r1 = rand();
	long r2 = random();
	uint32_t r3 = arc4random();
	uint32_t r4 = arc4random_uniform(10);
	unsigned char buf[8];
	CHECK(getrandom(buf, sizeof(buf), 0) == (ssize_t)sizeof(buf));
	CHECK(r1 >= 0 && r1 <= RAND_MAX && r2 >= 0 && r4 < 10);
	srand(42);
	int s1 = rand();
	srand(42);
	CHECK(rand() == s1); /* srand repeats its sequence */
	printf("%d %ld %u %u %02x%02x\n", r1, r2, r3, r4, buf[0], buf[1]);
	return 0;
}

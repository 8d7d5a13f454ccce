/* sim_zalloc (sim/engine.h): zeroed per-run blocks. A small block comes
 * from malloc's per-thread cache and is cleared; a large one (a block
 * device's media is 8 MB, made at every run) must stay fresh zero pages
 * that no one has touched: clearing it faulted in every page of it, every
 * run, and make test spent more time in the host kernel than in simk. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sim/engine.h"

/* How many of the whole pages inside [p, p+n) are resident. */
static size_t resident_pages(const void *p, size_t n, size_t *whole)
{
	size_t ps = (size_t)sysconf(_SC_PAGESIZE);
	uintptr_t lo = ((uintptr_t)p + ps - 1) / ps * ps;
	uintptr_t hi = ((uintptr_t)p + n) / ps * ps;
	*whole = (hi - lo) / ps;
	unsigned char *vec = malloc(*whole);
	cr_assert_not_null(vec);
	cr_assert_eq(mincore((void *)lo, hi - lo, vec), 0);
	size_t in = 0;
	for (size_t i = 0; i < *whole; i++)
		in += vec[i] & 1;
	free(vec);
	return in;
}

Test(sim_zalloc, a_large_block_is_not_faulted_in)
{
	size_t n = 8u << 20;
	unsigned char *p = sim_zalloc(n);
	cr_assert_not_null(p);
	size_t whole;
	size_t in = resident_pages(p, n, &whole);
	cr_assert_lt(in, whole / 4, "%zu of %zu pages of a fresh zeroed block are resident", in,
		     whole);
	for (size_t i = 0; i < n; i += 4093) /* and it reads as zeros */
		cr_assert_eq(p[i], 0, "byte %zu", i);
	free(p);
}

Test(sim_zalloc, small_blocks_are_zeroed_when_reused)
{
	for (int round = 0; round < 4; round++) {
		unsigned char *p = sim_zalloc(200);
		cr_assert_not_null(p);
		for (size_t i = 0; i < 200; i++)
			cr_assert_eq(p[i], 0, "round %d byte %zu", round, i);
		memset(p, 0xa5, 200); /* the next round's block is likely this one */
		free(p);
	}
}

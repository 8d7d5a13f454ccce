/*
 * Per-run blocks kept for the next run (sim_block_take / sim_block_give):
 * a block comes back zeroed, only for a request of its own size, and
 * (outside ASan, where every block goes back to malloc) is the same block.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "sim/engine.h"

#if defined(__SANITIZE_ADDRESS__)
#define BLOCKS_KEPT 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BLOCKS_KEPT 0
#endif
#endif
#ifndef BLOCKS_KEPT
#define BLOCKS_KEPT 1
#endif

static bool all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != 0)
			return false;
	return true;
}

Test(sim_blocks, a_kept_block_comes_back_zeroed)
{
	unsigned char *p = sim_block_take(200);
	cr_assert_not_null(p);
	cr_assert(all_zero(p, 200));
	memset(p, 0xab, 200);
	sim_block_give(p, 200);
	unsigned char *q = sim_block_take(200);
	cr_assert_not_null(q);
	cr_assert(all_zero(q, 200), "a reused block is zeroed");
	if (BLOCKS_KEPT)
		cr_assert_eq(q, p, "the block given back is the one taken next");
	sim_block_give(q, 200);
}

/* Blocks of 200 and 712 bytes: neither request gets the other's. */
Test(sim_blocks, only_a_request_of_its_size_gets_it)
{
	unsigned char *p = sim_block_take(200);
	sim_block_give(p, 200);
	unsigned char *q = sim_block_take(712);
	cr_assert_not_null(q);
	cr_assert_neq(q, p);
	cr_assert(all_zero(q, 712));
	memset(q, 0xcd, 712); /* the whole block is ours (ASan would say) */
	sim_block_give(q, 712);
	unsigned char *r = sim_block_take(200);
	cr_assert(all_zero(r, 200));
	if (BLOCKS_KEPT)
		cr_assert_eq(r, p, "the slot's block is still the 200-byte one");
	sim_block_give(r, 200);
}

/* A block past malloc's per-thread cache is freed, not kept: it came
 * from calloc as fresh pages, which a memset at every run would fault in. */
Test(sim_blocks, a_large_block_is_not_kept)
{
	size_t n = SIM_ZALLOC_CACHED_MAX + 16;
	unsigned char *p = sim_block_take(n);
	cr_assert_not_null(p);
	memset(p, 0xef, n);
	sim_block_give(p, n);
	unsigned char *q = sim_block_take(n);
	cr_assert(all_zero(q, n));
	sim_block_give(q, n);
}

/* A run gives back several blocks of one size (its threads): each is kept,
 * and the next run's requests get those blocks, zeroed. */
Test(sim_blocks, several_blocks_of_one_size_are_kept)
{
	enum { N = 5, SZ = 1016 }; /* a size no simulation of this process uses */
	unsigned char *b[N], *again[N];
	for (int i = 0; i < N; i++) {
		b[i] = sim_block_take(SZ);
		cr_assert_not_null(b[i]);
		memset(b[i], 0x5a, SZ);
	}
	for (int i = 0; i < N; i++)
		sim_block_give(b[i], SZ);
	for (int i = 0; i < N; i++) {
		unsigned char *q = sim_block_take(SZ);
		cr_assert(all_zero(q, SZ), "block %d", i);
		if (BLOCKS_KEPT) {
			bool one_of_them = false;
			for (int k = 0; k < N; k++)
				one_of_them |= q == b[k];
			cr_assert(one_of_them, "request %d got a block that was not kept", i);
		}
		again[i] = q;
	}
	for (int i = 0; i < N; i++)
		sim_block_give(again[i], SZ);
}

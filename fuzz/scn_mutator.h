/*
 * A line-aware mutator for the scenario harnesses. libFuzzer's own
 * mutations work on bytes (with fuzz/scn.dict); half of the time this one
 * works on whole lines instead, which keeps indentation and statements
 * intact, so more mutants parse and get to run:
 *  - duplicate, delete or swap lines, move a line to another indentation;
 *  - cross-over: the top-level blocks (a declaration, or a thread with its
 *    body) of two inputs, interleaved, so declarations and threads of
 *    different scenarios meet in one run.
 * Everything depends only on the seed libFuzzer passes: reproducible.
 */
#ifndef SIMK_FUZZ_SCN_MUTATOR_H
#define SIMK_FUZZ_SCN_MUTATOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);
size_t LLVMFuzzerCustomCrossOver(const uint8_t *d1, size_t s1, const uint8_t *d2, size_t s2,
				 uint8_t *out, size_t max_out, unsigned int seed);

#define MUT_LINES_MAX 512

struct mut_line {
	const uint8_t *s;
	size_t len; /* with its '\n' when it has one */
};

static uint32_t mut_rand(uint32_t *x)
{
	*x ^= *x << 13; /* xorshift32 */
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

static int mut_split(const uint8_t *d, size_t n, struct mut_line *l)
{
	int k = 0;
	size_t i = 0;
	while (i < n && k < MUT_LINES_MAX) {
		const uint8_t *nl = memchr(d + i, '\n', n - i);
		size_t len = nl ? (size_t)(nl - (d + i)) + 1 : n - i;
		l[k].s = d + i;
		l[k].len = len;
		k++;
		i += len;
	}
	if (i < n && k > 0) /* the rest stays in the last line */
		l[k - 1].len += n - i;
	return k;
}

/* Writes lines in order into out (at most max); its length. Lines without
 * a newline get one, so that joining never glues two lines. */
static size_t mut_join(const struct mut_line *l, int k, uint8_t *out, size_t max)
{
	size_t o = 0;
	for (int i = 0; i < k; i++) {
		size_t len = l[i].len;
		bool nl = len > 0 && l[i].s[len - 1] == '\n';
		if (o + len + !nl > max)
			break;
		memmove(out + o, l[i].s, len);
		o += len;
		if (!nl)
			out[o++] = '\n';
	}
	return o;
}

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
	static uint8_t copy[1 << 16];
	static const uint8_t spaces[] = "        ";
	uint32_t r = seed | 1;
	struct mut_line l[MUT_LINES_MAX + 2];
	if (mut_rand(&r) % 2 == 0 || size == 0 || size > sizeof(copy))
		return LLVMFuzzerMutate(data, size, max_size);
	memcpy(copy, data, size);
	int k = mut_split(copy, size, l);
	int a = (int)(mut_rand(&r) % (uint32_t)k), b = (int)(mut_rand(&r) % (uint32_t)k);
	struct mut_line t;
	switch (mut_rand(&r) % 4) {
	case 0: /* duplicate a, after b */
		if (k >= MUT_LINES_MAX)
			return LLVMFuzzerMutate(data, size, max_size);
		memmove(&l[b + 2], &l[b + 1], (size_t)(k - b - 1) * sizeof(l[0]));
		l[b + 1] = l[a];
		k++;
		break;
	case 1: /* delete a */
		memmove(&l[a], &l[a + 1], (size_t)(k - a - 1) * sizeof(l[0]));
		k--;
		break;
	case 2: /* swap */
		t = l[a];
		l[a] = l[b];
		l[b] = t;
		break;
	default: { /* re-indent a: drop its spaces, then 0, 2, 4 or 6 */
		size_t sp = 0;
		while (sp < l[a].len && l[a].s[sp] == ' ')
			sp++;
		size_t want = 2 * (mut_rand(&r) % 4);
		size_t o = mut_join(l, a, data, max_size);
		if (o + want + l[a].len - sp + 1 > max_size)
			return LLVMFuzzerMutate(data, size, max_size);
		memcpy(data + o, spaces, want);
		t.s = l[a].s + sp;
		t.len = l[a].len - sp;
		o += want;
		o += mut_join(&t, 1, data + o, max_size - o);
		return o + mut_join(&l[a + 1], k - a - 1, data + o, max_size - o);
	}
	}
	size_t n = mut_join(l, k, data, max_size);
	return n > 0 ? n : LLVMFuzzerMutate(data, size, max_size);
}

/* Top-level blocks: a line without indentation and the indented or blank
 * lines after it. Returns their number; starts[i] indexes lines. */
static int mut_blocks(const struct mut_line *l, int k, int *starts)
{
	int nb = 0;
	for (int i = 0; i < k; i++)
		if (i == 0 || (l[i].len > 0 && l[i].s[0] != ' ' && l[i].s[0] != '\n' &&
			       l[i].s[0] != '#'))
			starts[nb++] = i;
	starts[nb] = k;
	return nb;
}

size_t LLVMFuzzerCustomCrossOver(const uint8_t *d1, size_t s1, const uint8_t *d2, size_t s2,
				 uint8_t *out, size_t max_out, unsigned int seed)
{
	uint32_t r = seed | 1;
	static struct mut_line l1[MUT_LINES_MAX + 1], l2[MUT_LINES_MAX + 1];
	static int b1[MUT_LINES_MAX + 1], b2[MUT_LINES_MAX + 1];
	int k1 = mut_split(d1, s1, l1), k2 = mut_split(d2, s2, l2);
	int n1 = mut_blocks(l1, k1, b1), n2 = mut_blocks(l2, k2, b2);
	size_t o = 0;
	/* every block of the first input, and each of the second with p = 1/2,
	 * merged in a random order that keeps each input's own order */
	int i = 0, j = 0;
	while (i < n1 || j < n2) {
		bool first = j >= n2 || (i < n1 && mut_rand(&r) % 2 == 0);
		const struct mut_line *l = first ? l1 : l2;
		int from = first ? b1[i] : b2[j], to = first ? b1[i + 1] : b2[j + 1];
		bool take = first || mut_rand(&r) % 2 == 0;
		if (first)
			i++;
		else
			j++;
		if (take)
			o += mut_join(&l[from], to - from, out + o, max_out - o);
	}
	return o;
}

#endif

/*
 * Happens-before of a recorded dfs run, its races, and the hash of its
 * Mazurkiewicz trace (sim/dpor.h).
 *
 * One pass over the steps in run order. Step k of thread p gets the vector
 * clock of p's previous step, joined with its enabler's and with those of
 * its dependent predecessors: per object, the last write, and for a write
 * also the reads since (only the latest read of each thread: an earlier
 * one happens before it anyway). A global step (or a barrier) depends on
 * the latest step of every thread, and every later step depends on it.
 * Adds (commutative updates) depend on the last write and the reads since,
 * and reads on the adds since, but adds never on each other. A step that
 * joins exits (a process's reaper, the finally block) also comes after
 * the exit step of each thread it joins.
 *
 * A dependent predecessor e of k, of another thread, races with k when it
 * does not happen before k through anything else: not through p's past or
 * k's enabler, and not through another dependent predecessor. Those are
 * exactly the pairs next to each other in the dependence order, so
 * reversing them is what reaches a different trace.
 *
 * The class hash: each step hashes its thread, rank, accesses and the
 * (commutative) sum of its direct predecessors' hashes; the run's hash sums
 * its steps'. Two runs of the same steps with the same order of dependent
 * steps — the same Mazurkiewicz trace — hash alike; others differ (but for
 * 64-bit collisions).
 */
#include <stdlib.h>
#include <string.h>

#include "sim/dpor.h"

struct dpor_obj {
	uint64_t oid; /* 0: free slot (ids never are 0) */
	int32_t last_w;
	int32_t rd; /* head of its list of reads since last_w in the pool, -1 */
	int32_t ad; /* head of its list of adds since last_w, -1 */
};

static uint64_t mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

static void *fit(void *p, size_t *cap, size_t elem, size_t need)
{
	if (need <= *cap)
		return p;
	size_t ncap = *cap ? *cap : 256;
	while (ncap < need)
		ncap *= 2;
	void *np = realloc(p, ncap * elem);
	if (np == NULL)
		return NULL;
	*cap = ncap;
	return np;
}

static struct dpor_obj *obj_get(struct dpor_hb *hb, uint64_t oid)
{
	if ((hb->nobj + 1) * 2 > hb->obj_cap) {
		size_t ncap = hb->obj_cap ? hb->obj_cap * 2 : 256;
		struct dpor_obj *no = calloc(ncap, sizeof(*no));
		if (no == NULL)
			return NULL;
		for (size_t i = 0; i < hb->obj_cap; i++) {
			struct dpor_obj *o = &hb->obj[i];
			if (o->oid == 0)
				continue;
			size_t j = (size_t)mix(o->oid) & (ncap - 1);
			while (no[j].oid != 0)
				j = (j + 1) & (ncap - 1);
			no[j] = *o;
		}
		free(hb->obj);
		hb->obj = no;
		hb->obj_cap = ncap;
	}
	size_t j = (size_t)mix(oid) & (hb->obj_cap - 1);
	while (hb->obj[j].oid != 0 && hb->obj[j].oid != oid)
		j = (j + 1) & (hb->obj_cap - 1);
	struct dpor_obj *o = &hb->obj[j];
	if (o->oid == 0) {
		o->oid = oid;
		o->last_w = -1;
		o->rd = -1;
		o->ad = -1;
		hb->nobj++;
	}
	return o;
}

/* Records access k to a list (reads or adds) of an object, replacing the
 * older entry of k's thread: it happens before k anyway. */
static bool list_push(struct dpor_hb *hb, const struct dpor_rec *r, int32_t *head, int32_t k)
{
	for (int32_t i = *head; i >= 0; i = hb->rd[2 * i + 1]) {
		if (r->st[hb->rd[2 * i]].tid == r->st[k].tid) {
			hb->rd[2 * i] = k;
			return true;
		}
	}
	int32_t *nr = fit(hb->rd, &hb->rd_cap, 2 * sizeof(*nr), hb->rd_len + 1);
	if (nr == NULL)
		return false;
	hb->rd = nr;
	int32_t i = (int32_t)hb->rd_len++;
	hb->rd[2 * i] = k;
	hb->rd[2 * i + 1] = *head;
	*head = i;
	return true;
}

static bool cand_push(struct dpor_hb *hb, size_t *n, int32_t e)
{
	for (size_t i = 0; i < *n; i++)
		if (hb->cand[i] == e)
			return true;
	int32_t *nc = fit(hb->cand, &hb->cand_cap, sizeof(*nc), *n + 1);
	if (nc == NULL)
		return false;
	hb->cand = nc;
	hb->cand[(*n)++] = e;
	return true;
}

static void join(uint32_t *dst, const uint32_t *src, uint32_t T)
{
	for (uint32_t t = 0; t < T; t++)
		if (src[t] > dst[t])
			dst[t] = src[t];
}

static bool prepare(struct dpor_hb *hb, const struct dpor_rec *r)
{
	size_t n = r->n, T = (size_t)r->tid_hi + r->pid_hi;
	if (T == 0)
		T = 1;
	if (n * T > DPOR_VC_MAX)
		return false;
	uint32_t *vc = fit(hb->vc, &hb->vc_cap, sizeof(*vc), n * T + 1);
	if (vc == NULL)
		return false;
	hb->vc = vc;
	uint64_t *h = fit(hb->h, &hb->h_cap, sizeof(*h), n + 1);
	if (h == NULL)
		return false;
	hb->h = h;
	int32_t *last = fit(hb->last, &hb->last_cap, sizeof(*last), T);
	if (last == NULL)
		return false;
	hb->last = last;
	for (size_t t = 0; t < T; t++)
		last[t] = -1;
	if (hb->obj != NULL)
		memset(hb->obj, 0, hb->obj_cap * sizeof(*hb->obj));
	hb->nobj = 0;
	hb->rd_len = 0;
	hb->T = (uint32_t)T;
	return true;
}

/* The dependent predecessors of step k into hb->cand; false: no memory. */
static bool predecessors(struct dpor_hb *hb, const struct dpor_rec *r, uint32_t k,
			 int32_t last_global, size_t *ncand)
{
	const struct dpor_step *st = &r->st[k];
	*ncand = 0;
	uint32_t self = rec_actor(r, st->tid);
	if (st->flags & (STEP_GLOBAL | STEP_BARRIER)) {
		for (uint32_t t = 0; t < hb->T; t++)
			if (t != self && hb->last[t] >= 0 && !cand_push(hb, ncand, hb->last[t]))
				return false;
		return true;
	}
	if (last_global >= 0 && !cand_push(hb, ncand, last_global))
		return false;
	for (uint32_t i = 0; i < st->nacc; i++) {
		const struct dpor_acc *a = &r->acc[st->acc + i];
		struct dpor_obj *o = obj_get(hb, a->oid);
		if (o == NULL)
			return false;
		if (o->last_w >= 0 && !cand_push(hb, ncand, o->last_w))
			return false;
		bool w = a->mode & SIM_ACC_WRITE;
		if (w || (a->mode & SIM_ACC_ADD))
			for (int32_t j = o->rd; j >= 0; j = hb->rd[2 * j + 1])
				if (!cand_push(hb, ncand, hb->rd[2 * j]))
					return false;
		if (w || (a->mode & SIM_ACC_READ))
			for (int32_t j = o->ad; j >= 0; j = hb->rd[2 * j + 1])
				if (!cand_push(hb, ncand, hb->rd[2 * j]))
					return false;
	}
	return true;
}

/* Object state after step k. */
static bool after_step(struct dpor_hb *hb, const struct dpor_rec *r, uint32_t k)
{
	const struct dpor_step *st = &r->st[k];
	for (uint32_t i = 0; i < st->nacc; i++) {
		const struct dpor_acc *a = &r->acc[st->acc + i];
		struct dpor_obj *o = obj_get(hb, a->oid);
		if (o == NULL)
			return false;
		if (a->mode & SIM_ACC_WRITE) {
			o->last_w = (int32_t)k;
			o->rd = -1;
			o->ad = -1;
			continue;
		}
		if ((a->mode & SIM_ACC_READ) && !list_push(hb, r, &o->rd, (int32_t)k))
			return false;
		if ((a->mode & SIM_ACC_ADD) && !list_push(hb, r, &o->ad, (int32_t)k))
			return false;
	}
	return true;
}

static uint64_t step_hash(const struct dpor_rec *r, uint32_t k)
{
	const struct dpor_step *st = &r->st[k];
	uint64_t x = mix((uint64_t)(uint32_t)st->tid << 32 | st->idx);
	x = mix(x ^ (uint64_t)(uint32_t)st->join);
	x = mix(x ^ (st->flags & (STEP_GLOBAL | STEP_BARRIER)));
	for (uint32_t i = 0; i < st->nacc; i++) {
		const struct dpor_acc *a = &r->acc[st->acc + i];
		x = mix(x ^ mix(a->oid + a->mode));
	}
	return x;
}

bool hb_analyse(struct dpor_hb *hb, const struct dpor_rec *r, dpor_race_fn fn, void *ctx,
		uint64_t *class_hash)
{
	return hb_analyse_upto(hb, r, r->n, fn, ctx, class_hash);
}

bool hb_analyse_upto(struct dpor_hb *hb, const struct dpor_rec *r, uint32_t upto, dpor_race_fn fn,
		     void *ctx, uint64_t *class_hash)
{
	KASSERT(upto <= r->n, "dfs: analysis of %u of %u steps", upto, r->n);
	hb->valid = false;
	if (r->overflow || !prepare(hb, r))
		return false;
	const uint32_t T = hb->T;
	int32_t last_global = -1;
	uint64_t cls = 0;
	for (uint32_t k = 0; k < upto; k++) {
		const struct dpor_step *st = &r->st[k];
		uint32_t *vk = hb->vc + (size_t)k * T;
		uint32_t self = rec_actor(r, st->tid);
		int32_t prev = hb->last[self];
		uint64_t past = 0;
		if (prev >= 0) {
			memcpy(vk, hb->vc + (size_t)prev * T, T * sizeof(*vk));
			past += hb->h[prev];
		} else {
			memset(vk, 0, T * sizeof(*vk));
		}
		if (st->enabler >= 0) {
			KASSERT((uint32_t)st->enabler < k, "dfs: step %u enabled by a later step", k);
			join(vk, hb->vc + (size_t)st->enabler * T, T);
			past += mix(hb->h[st->enabler] + 1);
		}
		for (uint32_t t = 0; st->join != 0 && t < r->tid_hi; t++) {
			int32_t x = r->exit_step[t];
			if (x < 0 || (uint32_t)x >= k ||
			    (st->join < 0 ? !r->exit_user[t] : r->exit_pid[t] != st->join))
				continue;
			join(vk, hb->vc + (size_t)x * T, T);
			past += mix(hb->h[x] + 3);
		}
		size_t nc = 0;
		if (!predecessors(hb, r, k, last_global, &nc))
			return false;
		/* races: before joining, vk is p's past and the enabler's */
		if (fn != NULL && !(st->flags & STEP_BARRIER)) {
			for (size_t i = 0; i < nc; i++) {
				int32_t e = hb->cand[i];
				const struct dpor_step *se = &r->st[e];
				uint32_t ae = rec_actor(r, se->tid);
				if (ae == self || (se->flags & STEP_BARRIER) || vk[ae] >= se->idx)
					continue;
				bool through_other = false;
				for (size_t j = 0; j < nc && !through_other; j++)
					through_other = j != i &&
							hb->vc[(size_t)hb->cand[j] * T + ae] >= se->idx;
				if (!through_other)
					fn(ctx, (uint32_t)e, k);
			}
		}
		for (size_t i = 0; i < nc; i++) {
			join(vk, hb->vc + (size_t)hb->cand[i] * T, T);
			past += mix(hb->h[hb->cand[i]] + 2);
		}
		vk[self] = st->idx;
		hb->h[k] = mix(step_hash(r, k) + past);
		cls += mix(hb->h[k]);
		if (st->flags & (STEP_GLOBAL | STEP_BARRIER))
			last_global = (int32_t)k;
		else if (!after_step(hb, r, k))
			return false;
		hb->last[self] = (int32_t)k;
	}
	*class_hash = mix(cls + upto);
	hb->valid = true;
	return true;
}

void hb_free(struct dpor_hb *hb)
{
	free(hb->vc);
	free(hb->h);
	free(hb->obj);
	free(hb->rd);
	free(hb->last);
	free(hb->cand);
	memset(hb, 0, sizeof(*hb));
}

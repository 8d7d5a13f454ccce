/*
 * struct scn_thread_table: the per-thread host state of scenario operations
 * (see scn/scn.h). Host memory only: nothing here touches the run's
 * randomness, virtual time or trace.
 */
#include <stdlib.h>
#include <string.h>

#include "sim/engine.h"
#include "scn/scn.h"

void *scn_thread_table_get(struct scn_thread_table *t, int tid, size_t size)
{
	KASSERT(tid >= 1, "bad tid %d", tid);
	KASSERT(tid <= SIM_MAX_THREADS, "bad tid %d", tid);
	KASSERT(size > 0, "empty thread state");
	if (tid >= t->cap) {
		int ncap = t->cap ? t->cap : 16;
		while (ncap <= tid)
			ncap *= 2;
		void **na = realloc(t->by_tid, (size_t)ncap * sizeof(*na));
		if (na == NULL)
			sim_panic("host out of memory (scenario thread state)");
		memset(na + t->cap, 0, (size_t)(ncap - t->cap) * sizeof(*na));
		t->by_tid = na;
		t->cap = ncap;
	}
	if (t->by_tid[tid] == NULL) {
		t->by_tid[tid] = calloc(1, size);
		if (t->by_tid[tid] == NULL)
			sim_panic("host out of memory (scenario thread state)");
	}
	return t->by_tid[tid];
}

void scn_thread_table_free(struct scn_thread_table *t)
{
	for (int i = 0; i < t->cap; i++)
		free(t->by_tid[i]);
	free(t->by_tid);
	t->by_tid = NULL;
	t->cap = 0;
}

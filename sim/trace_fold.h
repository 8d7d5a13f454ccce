/*
 * How one event enters the trace's hash (the definition, shared by
 * sim/trace.c and the inline emitters of sim/trace.h). Per event, the nine
 * fields (virtual time, thread id and type, the hash of the name's bytes,
 * six arguments) are each multiplied by a distinct odd constant and summed
 * — independent multiplies the CPU overlaps — and the sum goes through one
 * multiply-xorshift round into the running hash. A change in any single
 * field always changes the sum (odd multipliers are invertible mod 2^64).
 * The hash is independent of addresses, host, compiler and optimisation.
 */
#ifndef SIMK_TRACE_FOLD_H
#define SIMK_TRACE_FOLD_H

#include <stdint.h>

#include "sim/engine.h"
#include "sim/trace.h"

static inline uint64_t trace_mix(uint64_t h, uint64_t x)
{
	h ^= x + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 31;
	return h;
}

#define TRACE_TID_TYPE_MUL 0xc2b2ae3d27d4eb4fULL

/* The sum's terms of the event's head: time, thread and type, name. The
 * thread and the type are one term, (tid << 16 | type) * TRACE_TID_TYPE_MUL,
 * computed as tid * (TRACE_TID_TYPE_MUL << 16) + type * TRACE_TID_TYPE_MUL
 * (the same value mod 2^64: the type fills the low 16 bits the shift
 * leaves zero), so that a constant type's product folds at compile time. */
static inline uint64_t trace_fold_head(uint64_t vtime, int32_t tid, uint16_t type, uint64_t nh)
{
	return vtime * 0x9e3779b97f4a7c15ULL +
	       (uint64_t)(uint32_t)tid * (TRACE_TID_TYPE_MUL << 16) +
	       (uint64_t)type * TRACE_TID_TYPE_MUL + nh * 0x165667b19e3779f9ULL;
}

#define TRACE_ARG_MUL0 0xd6e8feb86659fd93ULL
#define TRACE_ARG_MUL1 0xff51afd7ed558ccdULL
#define TRACE_ARG_MUL2 0xc4ceb9fe1a85ec53ULL
#define TRACE_ARG_MUL3 0x94d049bb133111ebULL
#define TRACE_ARG_MUL4 0xa0761d6478bd642fULL
#define TRACE_ARG_MUL5 0xe7037ed1a0b428dbULL

/* Folds an event whose arguments past the first three are 0 (they add
 * nothing to the sum): the decisions, reads and writes of a run. */
static inline void trace_fold3(struct trace *t, uint64_t vtime, int32_t tid, uint16_t type,
			       uint64_t nh, int64_t a0, int64_t a1, int64_t a2)
{
	uint64_t x = trace_fold_head(vtime, tid, type, nh) + (uint64_t)a0 * TRACE_ARG_MUL0 +
		     (uint64_t)a1 * TRACE_ARG_MUL1 + (uint64_t)a2 * TRACE_ARG_MUL2;
	t->hash = trace_mix(t->hash, x);
	t->count++;
}

/* Folds an event whose arguments past the first n are 0: only n are read
 * (a system call's none to six). */
static inline void trace_fold_n(struct trace *t, uint64_t vtime, int32_t tid, uint16_t type,
				uint64_t nh, const int64_t *a, int n)
{
	static const uint64_t mul[TRACE_ARGS] = {TRACE_ARG_MUL0, TRACE_ARG_MUL1, TRACE_ARG_MUL2,
						 TRACE_ARG_MUL3, TRACE_ARG_MUL4, TRACE_ARG_MUL5};
	uint64_t x = trace_fold_head(vtime, tid, type, nh);
	for (int i = 0; i < n && i < TRACE_ARGS; i++)
		x += (uint64_t)a[i] * mul[i];
	t->hash = trace_mix(t->hash, x);
	t->count++;
}

/* trace_emit_call's common path, inline at the system-call boundary (two
 * events a call): a trace that records nothing, a name whose hash the
 * caller holds. The rest go to trace_emit_call. cur_tid: the current
 * thread's id, which the caller holds (every event's thread). */
static inline void trace_emit_call_inline(uint16_t type, const char *name, uint64_t nh,
					  const void *desc, const int64_t *a, int n,
					  int32_t cur_tid)
{
	struct simk *s = sim_cur();
	if (__builtin_expect(s == NULL || nh == 0 || s->trace.record, 0)) {
		trace_emit_call(type, name, nh, desc, a, n);
		return;
	}
#ifdef SIMK_DEBUG_CHECKS
	KASSERT(cur_tid == (s->current != NULL ? s->current->tid : 0),
		"trace_emit_call_inline: thread %d is not the current one", cur_tid);
#endif
	trace_fold_n(&s->trace, s->now_ns, cur_tid, type, nh, a, n);
}

/* trace_emit_line for a name whose hash the caller holds (nh =
 * hash_str(name), made once by the name's owner: a scenario's reads and
 * writes of shared memory), inline: a trace that records nothing folds
 * here, without the memo's look-up; the rest go to trace_emit_line. */
static inline void trace_emit_line_nh(uint16_t type, const char *name, uint64_t nh, int line,
				      int64_t a0, int64_t a1, int64_t a2)
{
	struct simk *s = sim_cur();
#ifdef SIMK_DEBUG_CHECKS
	KASSERT(nh == hash_str(name), "trace_emit_line_nh: a wrong hash for '%s'", name);
#endif
	if (__builtin_expect(s == NULL || s->trace.record, 0)) {
		trace_emit_line(type, name, line, a0, a1, a2);
		return;
	}
	trace_fold3(&s->trace, s->now_ns, s->current != NULL ? s->current->tid : 0, type, nh, a0,
		    a1, a2);
}

/* The hash of "sim:decide", every decision's name: made by the first
 * trace_init of the process, before any event. */
extern uint64_t trace_decide_nh;

/* A decision's fold (trace_emit_decision's common path, for a trace that
 * records nothing): inline at the scheduler's switch points, where the
 * call and the emitter's look-ups cost a third of the fold. */
static inline void trace_fold_decision(struct trace *t, uint64_t vtime, int32_t tid,
				       int64_t chosen, int64_t ncand, int64_t kind)
{
	trace_fold3(t, vtime, tid, TR_DECISION, trace_decide_nh, chosen, ncand, kind);
}

#endif

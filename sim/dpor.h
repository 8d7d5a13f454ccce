/*
 * The dfs search's view of a run (private to sim/): the steps it was made
 * of, what each step accessed, and the happens-before order between them.
 *
 * Recording (dpor_rec.c): the scheduler closes the open step at every
 * switch point and opens the next one when it hands the CPU to a thread
 * or delivers an interrupt; annotations (sim/access.h) append accesses to
 * the open step. Nothing is recorded outside a dfs run.
 *
 * Analysis (dpor_hb.c), after the run: a vector clock per step gives the
 * happens-before order — program order, the step that made a thread
 * runnable (wake-up, spawn, the arming of a timed event), and every
 * earlier dependent step. Two steps race when they are dependent, of
 * different threads, and nothing else orders them; those are the pairs
 * whose order the search reverses (policy_dfs.c). The same pass gives a
 * hash of the run's Mazurkiewicz trace (its dependence graph), which tells
 * two equivalent runs apart from two different ones.
 */
#ifndef SIMK_DPOR_H
#define SIMK_DPOR_H

#include "sim/access.h"
#include "sim/engine.h"

#define DPOR_IRQ 0		/* the id of the interrupt "thread" */
#define DPOR_STEP_ACC_MAX 64	/* accesses kept per step; more makes it global */
#define DPOR_STEPS_MAX 4000000	/* steps per run the analysis takes */
#define DPOR_VC_MAX (64u << 20) /* vector-clock entries per run (steps x threads) */

struct dpor_acc {
	uint64_t oid;
	uint32_t mode; /* SIM_ACC_READ | SIM_ACC_WRITE */
};

enum {
	STEP_GLOBAL = 1,  /* dependent with every step: unannotated code ran */
	STEP_BARRIER = 2, /* an interrupt delivered with every thread blocked */
	STEP_DATA = 4,	  /* a data decision was taken inside */
};

struct dpor_step {
	int32_t tid;	  /* DPOR_IRQ for an interrupt, -pid for a process's reaper */
	uint32_t idx;	  /* 1-based rank among the steps of tid */
	uint32_t acc;	  /* first access in dpor_rec.acc */
	uint32_t nacc;
	int32_t enabler;  /* the step that made it possible, -1 */
	int32_t node;	  /* the search node that chose it, -1 */
	int32_t join;	  /* after the exits of: -1 every user thread, pid: that process's */
	int32_t yielder;  /* the thread that could not run at its start (it yielded), 0 */
	uint32_t flags;
};

struct dpor_rec {
	struct dpor_step *st;
	uint32_t n, cap;
	struct dpor_acc *acc;
	uint32_t nacc, acc_cap;
	int32_t open;	  /* the step in progress, -1 */
	int32_t *pend;	  /* by tid: enabler of its next step */
	uint32_t *nsteps; /* by tid */
	int32_t *pend_join; /* by tid: join of its next step */
	int32_t *exit_step; /* by tid: the step that ended it, -1 */
	int32_t *exit_pid;  /* by tid: its process, once it exited */
	uint8_t *exit_user; /* by tid: it was a user (not daemon) thread */
	uint32_t ntid;	  /* size of the by-tid arrays */
	uint32_t *rsteps; /* by pid: steps of the process's reaper */
	uint32_t npid;	  /* size of rsteps */
	uint32_t tid_hi;  /* 1 + the highest tid that took a step */
	uint32_t pid_hi;  /* 1 + the highest pid whose reaper took a step */
	bool mute;	  /* accesses are not recorded */
	int32_t yielder;  /* a thread that yielded and waits for another's step, 0 */
	int32_t *irq_dis; /* steps that took a due event away (rec_irq_disabled) */
	uint32_t nirq_dis, irq_dis_cap;
	int32_t next_node; /* node of the next step to open (set by the policy) */
	bool overflow;	  /* the run outgrew the limits: treat every step as global */
};

/* Per run. */
void rec_reset(struct dpor_rec *r);
void rec_free(struct dpor_rec *r);
/* Ends the open step (idempotent). */
void rec_close(struct simk *s);
/* Opens a step of tid; enabler overrides the pending one when >= 0. */
void rec_begin(struct simk *s, int tid, int32_t enabler, uint32_t flags);
/* The step in progress of the current run, -1 (none, or not recording). */
int32_t rec_open_step(void);
/* A yield by tid (away: another thread can run, so the yielder may not run
 * until one took a step). */
void rec_yield(struct simk *s, int tid, bool away);
/* The open step takes away an event that is due: the interrupt it would
 * have been could have come first (a race of a step with an interrupt
 * that never ran). */
void rec_irq_disabled(struct simk *s);
/* Marks the open step. */
void rec_flag(struct simk *s, uint32_t flags);

/* Two accesses to one object in these modes do not commute. */
bool dpor_conflict(uint32_t ma, uint32_t mb);
/* Dependence of two access sets (flags: STEP_GLOBAL...). */
bool dpor_dependent(const struct dpor_acc *a, uint32_t na, uint32_t fa, const struct dpor_acc *b,
		    uint32_t nb, uint32_t fb);

/* Happens-before of one recorded run. Scratch kept across runs. */
struct dpor_obj;
struct dpor_hb {
	uint32_t *vc; /* n x T */
	size_t vc_cap;
	uint32_t T;
	uint64_t *h; /* per step: hash of its past (class hash) */
	size_t h_cap;
	struct dpor_obj *obj; /* open-addressing table by oid */
	size_t obj_cap, nobj;
	int32_t *rd;	/* pool of read lists: pairs (step, next) */
	size_t rd_len, rd_cap;
	int32_t *last; /* by tid: last step so far */
	size_t last_cap;
	int32_t *cand; /* scratch: dependent predecessors of one step */
	size_t cand_cap;
	bool valid;
};

/* The column of a step's thread in the vector clocks: threads by tid, then
 * the reapers by pid. */
static inline uint32_t rec_actor(const struct dpor_rec *r, int32_t tid)
{
	return tid >= 0 ? (uint32_t)tid : r->tid_hi + (uint32_t)(-tid);
}

/* e happens before k (e < k) in the analysed run. */
static inline bool hb_before(const struct dpor_hb *hb, const struct dpor_rec *r, uint32_t e,
			     uint32_t k)
{
	return hb->vc[(size_t)k * hb->T + rec_actor(r, r->st[e].tid)] >= r->st[e].idx;
}

/* Called for each race (e, k): e < k. */
typedef void (*dpor_race_fn)(void *ctx, uint32_t e, uint32_t k);

/* Analyses r: vector clocks, races (when fn is not NULL) and the class
 * hash. False when the run is too large to analyse (then nothing is
 * reported and the caller must assume every step depends on every other). */
bool hb_analyse(struct dpor_hb *hb, const struct dpor_rec *r, dpor_race_fn fn, void *ctx,
		uint64_t *class_hash);
/* The same over the first `upto` steps only (the class of a prefix). */
bool hb_analyse_upto(struct dpor_hb *hb, const struct dpor_rec *r, uint32_t upto, dpor_race_fn fn,
		     void *ctx, uint64_t *class_hash);
void hb_free(struct dpor_hb *hb);

#endif

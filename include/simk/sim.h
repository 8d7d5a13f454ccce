/*
 * simk engine API: create a simulation from a seed and a policy, add
 * processes and threads that run C functions, run it to completion, read
 * the outcome and the trace hash.
 *
 * Caller guarantees: one simulation runs at a time per host thread (the
 * engine keeps a "current simulation" pointer); functions marked "thread
 * context" are called only from a simulated thread's body.
 */
#ifndef SIMK_SIM_H
#define SIMK_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum simk_policy {
	SIMK_POLICY_FIFO = 0,
	SIMK_POLICY_RANDOM,
	SIMK_POLICY_PCT,
	SIMK_POLICY_REPLAY,
	SIMK_POLICY_DFS, /* bounded exhaustive search, driven by struct simk_dfs */
	SIMK_POLICY_GUIDE, /* default choices but for listed deviations (simk shrink) */
};

/* Outcome of a run; the numeric values are the CLI exit codes. */
enum simk_outcome {
	SIMK_PASS = 0,
	SIMK_FAIL_EXPECT = 1, /* a scenario expectation failed */
	SIMK_FAIL_USAGE = 2,  /* bad options (replay file unreadable, ...) */
	SIMK_FAIL_PANIC = 3,  /* KASSERT, panic, kmem leak, step limit */
	SIMK_FAIL_DEADLOCK = 4,
};

/* Independent random streams split from the one seed. */
enum simk_stream {
	SIMK_STREAM_SCHED = 0,
	SIMK_STREAM_DEVICE,
	SIMK_STREAM_FAULT,
	SIMK_STREAM_WORKLOAD,
	SIMK_STREAM_COUNT,
};

struct simk_opts {
	uint64_t seed;
	enum simk_policy policy;
	double preempt_prob;	  /* random: probability to switch at a preempt point */
	double irq_prob;	  /* random: probability to deliver a due interrupt */
	int pct_depth;		  /* pct: bug depth d (>= 1) */
	uint64_t pct_steps;	  /* pct: expected number of decision points k */
	uint64_t max_steps;	  /* decision points before the run is stopped (0 = default) */
	uint64_t step_cost_ns;	  /* cost model: virtual ns a running thread spends per switch
				     point it passes (0: off; at most SIMK_STEP_COST_MAX_NS) */
	size_t stack_size;	  /* bytes per simulated thread (0 = 64 KiB) */
	bool keep_trace;	  /* keep the events for export (simk_trace_export_chrome) */
	size_t trace_keep_max;	  /* keep_trace: at most this many events (0 = 1,000,000) */
	bool trace_tail_off;	  /* keep no tail of the last events either: only the hash
				     (explore; a failure report runs the seed again) */
	const char *replay_path;  /* policy replay: schedule file to read */
	bool replay_prefix;	  /* replay: the file is a prefix; past its end the run goes on
				     as fifo would (simk diff's nearest passing run) */
	const char *schedule_out; /* write the decision list here at the end */
	const char *repro_hint;	  /* text printed as "reproduce: ..." on failure */
	struct simk_dfs *dfs;	  /* policy dfs: the search state (simk_dfs_create) */
	struct simk_guide *guide;  /* policy guide: the deviations to take (simk shrink) */
	bool keep_decisions;	   /* keep the decision list in memory (simk_decisions) */
	/* "KEY=VALUE,..." set on every block device of the run after its own
	 * configuration (keys of docs/blkdev.md: latency, reorder, ...) */
	const char *device_opts;
	/* the same form, for what a scenario's device declaration leaves
	 * unsaid (explore --swarm): its explicit options still win */
	const char *device_defaults;
};

/* The cost model (docs/determinism.md, "Virtual time"): a running thread
 * spends this much virtual time at every switch point it passes, so a
 * thread that polls (a loop with a yield) lets due timers and device
 * interrupts arrive, as on a real machine. */
#define SIMK_STEP_COST_DEFAULT_NS 100
#define SIMK_STEP_COST_MAX_NS 1000000

/* Fills in the defaults: seed 1, fifo, preempt 0.25, irq 0.5, depth 3,
 * a step cost of SIMK_STEP_COST_DEFAULT_NS. */
void simk_opts_default(struct simk_opts *o);

struct simk;
struct simk_thread;
struct simk_proc;

typedef void (*simk_thread_fn)(void *arg);

/* Creates a simulation; it becomes the current one until destroyed.
 * Returns NULL with a message in err (if given) on bad options. */
struct simk *simk_create(const struct simk_opts *o, char *err, size_t errlen);
void simk_destroy(struct simk *s);
struct simk *simk_current(void);

/* Processes and threads. A process with no live threads exits. */
struct simk_proc *simk_proc_create(struct simk *s, const char *name);
struct simk_thread *simk_thread_create(struct simk_proc *p, const char *name, simk_thread_fn fn,
				       void *arg);
int simk_thread_id(const struct simk_thread *t);
int simk_proc_id(const struct simk_proc *p);

/* Runs until every non-daemon thread exited, a deadlock, or a failure. */
enum simk_outcome simk_run(struct simk *s);

/* Thread context (inside a thread function): a switch point where the
 * policy may run another thread; a sleep in virtual time; the clock. */
void simk_yield(void);
void simk_sleep_ns(uint64_t ns);
uint64_t simk_now_ns(void);

uint64_t simk_trace_hash(const struct simk *s);
/* The run was cut short by the dfs search (another run covers it): it
 * returned SIMK_PASS without running to its end. */
bool simk_run_was_cut(const struct simk *s);
uint64_t simk_switches(const struct simk *s);
uint64_t simk_steps(const struct simk *s);
uint64_t simk_vtime_ns(const struct simk *s);
const char *simk_failure_reason(const struct simk *s);
uint64_t simk_seed(const struct simk *s);
/* 0, or the errno of a failed write of opts.schedule_out at the end of the
 * run (the outcome is the run's own). */
int simk_schedule_error(const struct simk *s);
/* The decisions of the run, as a schedule file holds them (a thread id,
 * 0 for an interrupt, or a data decision), when it kept them
 * (opts.keep_decisions or opts.schedule_out); the array belongs to s. */
const int64_t *simk_decisions(const struct simk *s, size_t *n);

/*
 * Bounded exhaustive search (policy dfs). Each run follows the current path
 * of the decision tree: forced choices for a prefix, then the default
 * choice (keep running / oldest runnable thread) at every later decision.
 * After the run, simk_dfs_advance() moves to the next path in depth-first
 * order and returns false once every path with at most `bound`
 * non-default choices was run. Candidates at a decision are ordered: the
 * running thread (if it may continue), runnable threads in queue order,
 * then "deliver the due interrupt".
 */
struct simk_dfs *simk_dfs_create(int bound);
void simk_dfs_destroy(struct simk_dfs *d);
bool simk_dfs_advance(struct simk_dfs *d);
uint64_t simk_dfs_runs(const struct simk_dfs *d);
/* The current path: after a run, the path it took; after
 * simk_dfs_advance(), the prefix the next run replays. choice[i] is the
 * index taken among ncand[i] candidates (i < the returned length); the
 * arrays belong to d and change with the search. */
size_t simk_dfs_path(const struct simk_dfs *d, const uint32_t **choice, const uint32_t **ncand);
/* For a search split in subtrees (simk explore --jobs): the next run
 * replays choice[0..n-1] (decisions with ncand[i] candidates, as a run
 * recorded them), then default choices, and advance() never changes a
 * decision below `fixed` (<= n). With fixed == n the state walks exactly
 * the paths starting with that prefix, in search order. -1 on a bad prefix
 * or no memory (the state is then unchanged). */
int simk_dfs_restart(struct simk_dfs *d, const uint32_t *choice, const uint32_t *ncand, size_t n,
		     size_t fixed);

/*
 * The dfs search with partial-order reduction (docs/exploration.md). Each
 * run replays a prefix of decisions and then takes the first candidate
 * that is not asleep; after the run the search looks at which steps of it
 * were dependent (sim/access.h annotations) and adds the alternatives that
 * reverse each race. It explores at least one run per Mazurkiewicz trace
 * (order of dependent steps), usually about one. Data decisions — device
 * latency classes, fault firings, crash states — are nodes too when their
 * dimension is enumerated (dim_bound >= 0), else they come from the seed.
 */
enum simk_dfs_dim {
	SIMK_DIM_LATENCY = 0, /* which latency class a device request attempt gets */
	SIMK_DIM_FAULT,	      /* whether an enabled fault point (p=PROB) fires */
	SIMK_DIM_CRASH,	      /* which cached and in-flight writes a power cut keeps */
	SIMK_DIM_TEAR,	      /* which write, and which end of it, a tear hits */
	SIMK_DIM_COUNT,
};

#define SIMK_DFS_SEED (-1)	     /* dim_bound: the seed decides, as under random */
#define SIMK_DFS_NO_BOUND 0x7fffffff /* dim_bound: every alternative, any number of times */

struct simk_dfs_opts {
	bool por;  /* partial-order reduction; false: every interleaving */
	int bound; /* por: preemptions per path, -1 none; else non-default choices */
	/* non-default choices per path in each dimension, SIMK_DFS_NO_BOUND, or
	 * SIMK_DFS_SEED (with por off every dimension is the seed's) */
	int dim_bound[SIMK_DIM_COUNT];
	int latency_classes; /* alternatives of a latency draw, 2..16 (min .. max) */
};

/* por, no preemption bound; latency: 2 classes, at most 2 slow per path;
 * faults: at most 1 injected per path; crash states: at most 3 writes kept
 * per cut; tears: every one. */
void simk_dfs_opts_default(struct simk_dfs_opts *o);
/* The name of a dimension ("latency", "faults", "crash", "tear"). */
const char *simk_dfs_dim_name(enum simk_dfs_dim d);
struct simk_dfs *simk_dfs_create_opts(const struct simk_dfs_opts *o);

struct simk_dfs_stats {
	uint64_t runs;	       /* runs finished (simk_dfs_advance calls) */
	uint64_t cut;	       /* of them, cut short: every candidate was asleep */
	uint64_t races;	       /* races seen, over all runs */
	uint64_t backtracks;   /* alternatives the races added */
	uint64_t bound_cut;    /* alternatives --bound kept out */
	uint64_t unreversible; /* races with no choice before them */
	uint64_t fallbacks;    /* races that needed every candidate */
	uint64_t outside;      /* races above a subtree (simk explore --jobs) */
	uint64_t unanalysed;   /* runs too large to analyse: every alternative added */
	uint64_t dim_nodes[SIMK_DIM_COUNT];  /* data decisions enumerated */
	uint64_t dim_cut[SIMK_DIM_COUNT];    /* alternatives their bound kept out */
	uint64_t dim_seeded[SIMK_DIM_COUNT]; /* data decisions left to the seed */
};
void simk_dfs_get_stats(const struct simk_dfs *d, struct simk_dfs_stats *out);
const struct simk_dfs_opts *simk_dfs_opts_of(const struct simk_dfs *d);
/* The class of the part of the last run before its decision number
 * `decision` (0-based, as in simk_dfs_path; por: search nodes): equal for
 * prefixes that lead to the same state. 0, or -1 when there is no such
 * decision. For tests that count traces. */
int simk_dfs_prefix_class(struct simk_dfs *d, size_t decision, uint64_t *cls);
/* The next run takes the same path as the last one (before advance). */
void simk_dfs_replay_last(struct simk_dfs *d);
/* The last run was cut short (a sleep set showed another run covers it). */
bool simk_dfs_last_cut(const struct simk_dfs *d);
/* The hash of the last run's Mazurkiewicz trace (computed on demand, also
 * without por): equal for runs that order every dependent pair alike. */
uint64_t simk_dfs_trace_class(struct simk_dfs *d);

/*
 * Annotations for C threads (thread context): by default every step of a
 * C thread depends on every other, since the engine cannot see its memory
 * accesses. A thread that calls simk_annotated(true) promises to report
 * each access to shared state with simk_access(id, write), id being any
 * number naming the object; the search then reorders only the steps that
 * conflict.
 */
void simk_annotated(bool on);
void simk_access(uint64_t id, bool write);

/* Writes the kept trace as Chrome trace-event JSON (Perfetto opens it);
 * 0, or -1 with errno (a write error included). */
int simk_trace_export_chrome(const struct simk *s, const char *path);
/* Writes the kept trace as readable text, one column per thread. */
void simk_trace_print(const struct simk *s, void *file);
/* From now on, writes each event as it is emitted to file (a FILE *) as
 * readable text, one column per thread, after a header naming the threads
 * that exist now and the events already emitted (those still in the ring
 * of the latest 64). Nothing is stored: the memory of a run does not grow
 * with its length. Writing stops at the first error: its errno is then
 * simk_trace_stream_error's (0 while all is well). */
void simk_trace_stream(struct simk *s, void *file);
int simk_trace_stream_error(const struct simk *s);
/* Events emitted; events kept for export (keep_trace); events that were
 * not kept because of trace_keep_max (or no host memory). */
uint64_t simk_trace_events(const struct simk *s);
uint64_t simk_trace_kept(const struct simk *s);
uint64_t simk_trace_dropped(const struct simk *s);

#ifdef __cplusplus
}
#endif
#endif

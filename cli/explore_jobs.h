/*
 * simk explore --jobs, between its two files: explore_jobs.c (worker
 * processes, pipes, shared memory, signals, crashes; the seeds search) and
 * explore_dfs.c (the dfs search cut into subtrees). Not a public header.
 */
#ifndef SIMK_CLI_EXPLORE_JOBS_H
#define SIMK_CLI_EXPLORE_JOBS_H

#include <stdatomic.h>
#include <sys/types.h>

#include "cli/explore.h"

#define PATH_MAX_LEN 1000000u /* longest dfs path (the policy's own bound) */
#define HASH_BATCH 1024	      /* dfs: hashes per message at most */
#define FLUSH_S 0.02	      /* dfs: longest wait before hashes are sent */
#define NO_RUN UINT64_MAX

enum stop_kind {
	STOP_NONE = 0,
	/* 1..4: the run's outcome (enum simk_outcome) */
	STOP_NOSTART = 100, /* cli_start failed */
	STOP_CRASH = 101,   /* the worker died inside the run */
};

/* Worker -> parent, on the worker's result pipe. Every payload is
 * n * 8 bytes. */
enum msg_kind {
	M_HASHES = 1, /* n trace hashes (u64) */
	M_STOP,	      /* a = ordinal (seeds) or path number in the task (dfs, from
		       * 1), b = stop kind; dfs: the path (n choices, n counts) */
	M_GIVE,	      /* dfs: a new task, its prefix (n choices, n counts) */
	M_TASK_END,   /* dfs: the current task is over */
	M_END,	      /* seeds: the worker is done, a = runs, b = 1: its hash set saturated */
	M_NOMEM,      /* the worker ran out of memory */
	M_PROP,	      /* seeds: property a >> 56 held in a & (2^56 - 1) of the
		       * worker's runs, the first at ordinal b */
};

struct msg {
	uint32_t kind, n;
	uint64_t a, b;
};

/* Parent -> dfs worker, on its command pipe: a task (its id), then its
 * prefix (n choices, n counts). The pipe's end tells the worker to exit. */
struct cmd {
	uint32_t n, pad;
	uint64_t id;
};

/* Shared memory: one page or so, written with atomics. */
struct shm_worker {
	_Alignas(64) _Atomic uint64_t done; /* runs finished, for the progress bar */
	_Atomic uint64_t cur;		    /* seeds: ordinal in progress; dfs: path number in
					     * the task (from 1); NO_RUN between runs */
	_Atomic uint64_t split;		    /* dfs: task id the parent wants split */
	_Atomic uint64_t abandon;	    /* dfs: task id that no longer matters */
};

struct shm {
	_Alignas(64) _Atomic uint64_t next;   /* seeds: the next ordinal to claim */
	_Alignas(64) _Atomic uint64_t cutoff; /* seeds: lowest stopping ordinal known */
	struct shm_worker w[];
};

/* dfs: a subtree under a prefix, as the parent sees it. */
enum task_state { T_QUEUED, T_RUNNING, T_DONE, T_DROPPED };

struct task {
	uint64_t id;
	uint32_t *key; /* the prefix: n choices, then n candidate counts */
	size_t n;
	uint64_t *hash; /* one per passed path, in order */
	size_t nhash, hcap;
	enum task_state state;
	int stop;	  /* enum stop_kind */
	uint64_t stop_at; /* path number in the task (from 1) */
	uint32_t *path;	  /* the stopping path: choices, then counts */
	size_t path_n;
	int worker;	/* T_RUNNING, and the worker that stopped */
	bool abandoned; /* its worker was told to leave it */
	int wstatus;	/* STOP_CRASH: the worker's wait status */
};

struct worker {
	pid_t pid;
	int rfd, wfd; /* results; tasks (dfs) */
	unsigned char *in;
	size_t len, cap;
	bool ended;  /* seeds: M_END received */
	bool killed; /* by the parent: its death is no news */
	bool gone;   /* EOF seen and reaped */
	int wstatus;
	uint64_t runs;
	struct task *task; /* dfs */
};

/* The parent's view of the search. */
struct jobs {
	struct explore *ex;
	struct shm *sh;
	size_t shm_size;
	struct worker *w;
	int nw, nlive;
	int start_errno; /* why a worker could not start */
	/* seeds */
	struct hashset hs;
	uint64_t stop_ord;
	int stop_kind, stop_worker, stop_wstatus;
	/* dfs */
	struct task **t; /* sorted by prefix: depth-first order */
	size_t nt, tcap;
	uint64_t folded;	  /* paths of the tasks done and dropped from t, */
	struct hashset folded_hs; /* and their hashes (they came first) */
	uint64_t next_id;
	bool resolved;
	/* errors */
	bool nomem;
	const char *fatal; /* an error the search cannot recover from */
	int fatal_worker, fatal_wstatus;
};

/* A worker's buffered messages to the parent. */
struct out {
	int fd;
	unsigned char *buf;
	size_t len, cap;
	uint64_t hash[HASH_BATCH];
	size_t nhash;
	double flushed; /* wall clock of the last flush */
};

/* worker side (explore_jobs.c) */
_Noreturn void out_nomem(struct out *o);
void out_flush(struct out *o);
void out_hash(struct out *o, uint64_t h);
void out_msg(struct out *o, uint32_t kind, size_t n, uint64_t a, uint64_t b, const uint32_t *ch,
	     const uint32_t *nc);
bool read_all(int fd, void *p, size_t n);

/* parent side (explore_jobs.c) */
void set_fatal(struct jobs *J, const char *what, int wi, int wstatus);
void stop_workers(struct jobs *J, bool all);
void print_crash(struct jobs *J, int wi, int wstatus, uint64_t seed_or_path);
int rerun_stop(struct jobs *J, const struct simk_opts *o, uint64_t done, int kind);

/* dfs (explore_dfs.c) */
int dfs_worker(struct explore *ex, struct shm *sh, int wi, int cfd, struct out *o);
int dfs_init(struct jobs *J);
void dfs_msg(struct jobs *J, int wi, const struct msg *m, const unsigned char *pl);
void dfs_worker_died(struct jobs *J, int wi, uint64_t cur, int wstatus, bool clean);
void dfs_step(struct jobs *J);
int dfs_finish(struct jobs *J);
void dfs_free(struct jobs *J);

#endif

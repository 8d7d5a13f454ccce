/*
 * The simk command line: the subcommand and flag tables, option merging
 * (defaults, then the scenario's own options, then the command line),
 * one-run helpers and the reproducer line.
 *
 * Exit codes are the outcome numbers of include/simk/sim.h: 0 pass,
 * 1 expectation failed, 2 usage or parse error, 3 panic, 4 deadlock.
 *
 * Adding a subcommand (cli/main.c, table `commands`):
 *   1. a value in enum cli_cmd (before CMD_COUNT);
 *   2. a row in `commands`: name, id, handler, positional argument limits,
 *      the message for a missing argument, its `simk help NAME` text, and
 *      an optional check run after parsing;
 *   3. a line in usage_main (`simk --help`) and a section in docs/simk.1 —
 *      tests/py/test_manpage.py fails until the man page names it.
 * Adding a flag (cli/options.c, table `flags`): a field in struct cli_opts,
 * a setter, a row naming the commands it applies to (CMD_BIT), a line in
 * each of those commands' help text and in docs/simk.1 (test_manpage.py
 * checks both).
 */
#ifndef SIMK_CLI_H
#define SIMK_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "simk/sim.h"
#include "sim/trace_text.h"

struct scn_prog;

#define CLI_FAULTS_MAX 64
#define CLI_JOBS_MAX 256 /* explore --jobs */
#define CLI_ARGS_MAX 4096 /* positional arguments of one command (merge: a shard each) */
/* --trace-max-events: at most 2^32 kept events; the default is
 * TRACE_KEEP_MAX_DEFAULT (sim/trace.h), docs/tracing.md */
#define CLI_TRACE_MAX (1ULL << 32)
#define EXIT_USAGE 2
#define CLI_SHRINK_OUT "simk-shrunk.sched" /* simk shrink's schedule file */

enum cli_cmd {
	CMD_RUN,
	CMD_EXPLORE,
	CMD_CHECK,
	CMD_HELP,
	CMD_VERSION,
	CMD_SHRINK,
	CMD_MERGE,
	CMD_DIFF,
	CMD_COUNT
};
#define CMD_BIT(c) (1u << (c))

struct cli_opts;

/* One subcommand: `simk NAME [flags] [arguments]`. */
struct cli_command {
	const char *name;
	enum cli_cmd id;
	int (*run)(struct cli_opts *o);
	int args_min, args_max;	  /* positional arguments (after `--` too) */
	const char *args_missing; /* usage error when fewer than args_min */
	const char *usage;	  /* `simk help NAME` and `simk NAME --help` */
	/* After parsing, before run: cross-flag rules; returns 0 or the exit
	 * code of a usage error it printed (cli_usage_error). May be NULL. */
	int (*check)(struct cli_opts *o);
};

struct cli_opts {
	const char *argv0;
	const struct cli_command *command;
	enum cli_cmd cmd;
	const char *args[CLI_ARGS_MAX]; /* positional arguments, in order */
	int nargs;
	const char *file; /* args[0]: the scenario or guest program */
	/* a guest program's own arguments: those after `--` once FILE is
	 * given (run, explore, check-determinism; docs/guest.md) */
	const char *prog_args[CLI_ARGS_MAX];
	int nprog_args;
	bool has_seed, has_policy, has_preempt, has_irq, has_pct_depth, has_pct_steps;
	bool has_max_steps, has_step_cost;
	uint64_t seed;
	enum simk_policy policy;
	double preempt, irq;
	int pct_depth;
	uint64_t pct_steps, max_steps, step_cost;
	uint64_t trace_max; /* --trace-max-events (0: the default cap) */
	const char *trace_out, *schedule_out, *replay;
	/* the readable trace's view (sim/trace_text.h): --trace-filter,
	 * --trace-level (enum trace_level), --trace-fold */
	const char *trace_filter;
	const char *html_out; /* --html-out: the HTML timeline */
	int trace_level;
	bool has_trace_level, trace_nofold;
	const char *faults[CLI_FAULTS_MAX];
	int nfaults;
	bool quiet;
	bool where; /* help ops --where */
	/* explore */
	bool has_runs, has_seed_start, has_shard, has_bound;
	uint64_t runs, seed_start, shard_i, shard_n;
	int bound; /* dfs: preemptions per path (--por off: non-default choices) */
	bool has_por;
	bool por; /* dfs: partial-order reduction (default on) */
	/* dfs --enumerate: per dimension (SIMK_DIM_*) a bound, SIMK_DFS_NO_BOUND
	 * or SIMK_DFS_SEED, when dim_set */
	bool has_enumerate;
	bool dim_set[SIMK_DIM_COUNT];
	int dim_bound[SIMK_DIM_COUNT];
	bool has_latency_classes;
	int latency_classes;
	int jobs;  /* worker processes; 0 or 1: none (--jobs 0 is resolved here) */
	bool shrink; /* explore --shrink: shrink the first failure */
	bool json;   /* explore, merge: the result as JSON on stdout */
	bool swarm;  /* explore --swarm: an option set per run, drawn from its seed */
	bool has_device, has_device_defaults;
	char device[512];	   /* --device KEY=VALUE[,...] (repeated flags joined) */
	char device_defaults[512]; /* --device-defaults: the same, for what a scenario leaves */
};

/* The subcommand named name, or NULL. */
const struct cli_command *cli_command_find(const char *name);
/* Parses argv[first..] (flags and positional arguments) for o->command.
 * 0: parsed; -1: --help was given and printed; otherwise the exit code of
 * the usage error it printed ("simk: CMD: ... (see 'simk help CMD')"). */
int cli_parse(int argc, char **argv, int first, struct cli_opts *o);
/* Prints "simk: CMD: <message> (see 'simk help CMD')"; returns EXIT_USAGE. */
int cli_usage_error(const struct cli_opts *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The check of run, explore and check-determinism: policy/replay/bound rules. */
int cli_check_sched(struct cli_opts *o);
/* Loads the scenario (exit 2 on error, message printed). */
struct scn_prog *cli_load(const struct cli_opts *o);
/* Defaults, then the scenario's options, then the command line's. */
void cli_merge_opts(const struct cli_opts *c, const struct scn_prog *p, struct simk_opts *o);
/* pct without a step count: k = decision points of one fifo run. */
int cli_calibrate_pct(const struct cli_opts *c, const struct scn_prog *p, struct simk_opts *o);
/* Creates the simulation for one run of p (scenario + command-line
 * faults). NULL with a message printed on failure. */
struct simk *cli_start(const struct cli_opts *c, const struct scn_prog *p,
		       const struct simk_opts *o);
/* The same, silent: NULL with the message (without "simk: ") in err. */
struct simk *cli_start_err(const struct cli_opts *c, const struct scn_prog *p,
			   const struct simk_opts *o, char *err, size_t errlen);
/* Writes w, quoted for a POSIX shell when needed. */
void cli_shell_word(FILE *f, const char *w);
/* "simk run FILE --seed N --policy P ..." reproducing a run with opts o
 * (with --swarm: the options the run drew, named one by one). */
void cli_repro(FILE *f, const struct cli_opts *c, const struct simk_opts *o);
/* The result lines. */
void cli_print_result(FILE *f, const struct simk *s, enum simk_outcome out);
/* "sometimes FILE:LINE COND: true in this run" for each sometimes/reachable
 * property of p, after its run s (simk run). */
void cli_print_props(FILE *f, const struct scn_prog *p, const struct simk *s);
/* Trace tail, blocked scenario threads and the reproducer, to stderr
 * (with --quiet: the reproducer line only). */
void cli_report_failure(const struct cli_opts *c, const struct simk *s, const struct simk_opts *o);
/* The readable trace with the view flags (--trace-filter, --trace-level,
 * --trace-fold): options, and the kept events of s printed. */
void cli_trace_view_opts(const struct cli_opts *c, struct trace_text_opts *o);
void cli_trace_print(const struct cli_opts *c, const struct simk *s, FILE *f);
/* "how we got here" for a failed run (docs/tracing.md): cli_explain_kept
 * renders it from s's kept trace (NULL when not kept whole); after s is
 * destroyed, cli_explain_failure prints that text (and frees it), or runs
 * p again with o keeping the trace (the run of hash) and prints it. */
#define CLI_EXPLAIN_STEPS_MAX 40
struct scn_prog;
/* --html-out: s's kept trace as the HTML timeline; 0, or -1 with errno. */
int cli_write_html(const struct simk *s, const char *path);
char *cli_explain_kept(const struct cli_opts *c, const struct simk *s);
void cli_explain_failure(const struct cli_opts *c, const struct scn_prog *p,
			 const struct simk_opts *o, uint64_t hash, char *kept, FILE *f);
/* The same with the reproducer line given (a line ending in '\n'; NULL:
 * cli_repro's). */
void cli_report_failure_repro(const struct cli_opts *c, const struct simk *s,
			      const struct simk_opts *o, const char *repro);
/* "simk explore FILE --policy dfs ... --runs PATH": the one-process search
 * that stops right after path PATH (the way to reproduce a dfs path
 * without a schedule file). */
void cli_repro_dfs(FILE *f, const struct cli_opts *c, bool por, int bound, uint64_t seed,
		   uint64_t path);
const char *cli_policy_name(enum simk_policy p);
/* The version string (the VERSION file, passed by the Makefile). */
const char *cli_version(void);
/* The first stdout write error (0: none): main reports it and exits 2. */
extern int cli_stdout_errno;
/* Flushes stdout, keeping the errno of a failure in cli_stdout_errno. */
void cli_flush_stdout(void);

int cmd_run(struct cli_opts *o);
int cmd_explore(struct cli_opts *o);
int cmd_check(struct cli_opts *o);
int cmd_diff(struct cli_opts *o);
int cmd_shrink(struct cli_opts *o);
int cmd_merge(struct cli_opts *o);

#endif

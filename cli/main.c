/*
 * simk: run, explore and check scenario scripts (docs/scenarios.md).
 *
 *   simk run FILE [options]               one run; exit code = outcome
 *   simk explore FILE --runs N [options]  many seeds, stop at the first failure
 *   simk check-determinism FILE [--seed N]
 *   simk shrink FILE --seed N | --replay F  a failing run's critical decisions
 *   simk merge SHARD.json...              one report from explore --json shards
 *   simk help [run|explore|check-determinism|ops|faults]
 *   simk version
 *
 * The subcommand table is `commands` below; the flags are in options.c.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "sim/fault.h"
#include "sim/ctx.h"
#include "sim/engine.h"
#include "scn/scn.h"
#include "syscalls/builtin.h"

static const char *const usage_main =
    "usage: simk <command> [arguments]\n"
    "\n"
    "commands:\n"
    "  run FILE [options]                 run a scenario once and print its trace\n"
    "  explore FILE --runs N [options]    run many seeds; stop at the first failure\n"
    "  check-determinism FILE [--seed N]  run twice in one process and compare hashes\n"
    "  shrink FILE --seed N [options]     shrink a failing run to its critical decisions\n"
    "  merge SHARD.json...                one report from the shards of a search\n"
    "  help [COMMAND|ops|faults]          help on a command, the operations a scenario may\n"
    "                                     use, or the fault points\n"
    "  version                            print the version (also: simk --version)\n"
    "\n"
    "exit codes: 0 pass, 1 an expectation failed, 2 usage or parse error,\n"
    "            3 kernel assertion or panic, 4 deadlock\n"
    "\n"
    "Flags take their value as --name VALUE or --name=VALUE; an unambiguous prefix\n"
    "of a name is enough; -- ends the flags. 'simk help COMMAND' lists a command's.\n"
    "The scenario language is described in docs/scenarios.md; man page: simk(1).\n";

static const char *const usage_run =
    "usage: simk run FILE [options]\n"
    "\n"
    "Runs the scenario once. Without --quiet it prints the trace, one column per\n"
    "thread with the virtual time on the left. The last line is\n"
    "  PASS seed=N hash=<16 hex> switches=N vtime=Nns   or\n"
    "  FAIL seed=N hash=<16 hex> reason=...\n"
    "On failure the trace tail and a 'reproduce:' line go to stderr.\n"
    "\n"
    "options (they override the scenario's own):\n"
    "  --seed N             the run's seed\n"
    "  --policy P           fifo, random, pct or replay\n"
    "  --preempt P          random: switch probability at a switch point (0..1)\n"
    "  --irq P              random: probability to deliver a due interrupt (0..1)\n"
    "  --pct-depth D        pct: bug depth (1..16)\n"
    "  --pct-steps K        pct: expected decision points (default: one fifo run's count)\n"
    "  --max-steps N        stop a run after N decision points (panic, exit 3)\n"
    "  --step-cost NS       virtual ns a running thread spends per switch point\n"
    "                       (default 100, 0 turns the cost model off, at most 1000000)\n"
    "  --fault SPEC         enable a fault point: POINT:p=PROB, POINT:nth=K[,every], POINT:off\n"
    "  --device K=V[,K=V]   set block-device options (latency=MODEL, reorder=0|1, ...;\n"
    "                       docs/blkdev.md) on every device, over the scenario's own\n"
    "  --device-defaults K=V[,K=V]  the same, only where a device declaration says\n"
    "                       nothing (what explore --swarm draws)\n"
    "  --trace-out F.json   write the trace as Chrome trace-event JSON (Perfetto)\n"
    "  --trace-max-events N keep at most N events for --trace-out (default 1000000)\n"
    "  --schedule-out F     write the run's decisions (for --replay)\n"
    "  --replay F           replay decisions from F (its seed, unless --seed is given)\n"
    "  --quiet              print only the result line (and the reproducer)\n";

static const char *const usage_explore =
    "usage: simk explore FILE --runs N [options]\n"
    "\n"
    "Runs seeds S, S+1, ... S+N-1 and stops at the first failure (the lowest\n"
    "failing seed), printing the exact 'simk run' command that reproduces it (exit\n"
    "code: that run's outcome). Otherwise prints a summary with the number of\n"
    "distinct trace hashes and exits 0. A progress bar is shown when stderr is a\n"
    "terminal. With --jobs, a worker that crashes is reported with the seed it was\n"
    "running (exit code 3).\n"
    "\n"
    "options:\n"
    "  --runs N             number of seeds (required)\n"
    "  --seed-start S       first seed (default 1)\n"
    "  --shard I/N          only the runs whose index (0-based) is I modulo N\n"
    "  --jobs N             run the seeds (or dfs paths) in N worker processes, 0 = one\n"
    "                       per online CPU (default 1: this process); same output\n"
    "  --policy P           random (default unless the scenario says pct), pct, fifo, or\n"
    "                       dfs: an exhaustive search from one seed, one path per order\n"
    "                       of the dependent steps (partial-order reduction); it says\n"
    "                       when it is complete; --runs caps paths (docs/exploration.md)\n"
    "  --por on|off         dfs: partial-order reduction (default on); off: every\n"
    "                       interleaving with at most --bound non-default choices\n"
    "  --bound B            dfs: preemptions per path (0..1000, default none); with\n"
    "                       --por off: non-default choices per path (default 2)\n"
    "  --enumerate D=B,...  dfs: what else the search varies, per dimension D (latency,\n"
    "                       faults, crash, tear) a bound B on non-default choices per\n"
    "                       path, all, or seed (left to the seed); default\n"
    "                       latency=2,faults=1,crash=3,tear=all\n"
    "  --latency-classes K  dfs: latencies a device request may take, 2..16 (default 2:\n"
    "                       the model's fastest and slowest)\n"
    "  --schedule-out F     on failure, also write the failing run's decisions to F\n"
    "                       (dfs: without F the reproducer is the search that stops\n"
    "                       at the failing path; nothing is written)\n"
    "  --preempt P, --irq P, --pct-depth D, --pct-steps K, --max-steps N,\n"
    "  --step-cost NS, --fault SPEC, --device K=V, --device-defaults K=V\n"
    "                       as for 'simk run'; pct without --pct-steps is calibrated\n"
    "                       from one fifo run's decision count\n"
    "  --swarm              every run draws its own options from its seed: --preempt,\n"
    "                       --irq (pct: --pct-depth), a device latency model and\n"
    "                       reordering (--device-defaults), and for each --fault\n"
    "                       POINT:p=P: off, or a probability up to 2P; the reproducer\n"
    "                       names what the run drew (docs/exploration.md)\n"
    "  --json               print the result as one JSON object (for scripts and\n"
    "                       'simk merge'; docs/scale.md)\n"
    "  --shrink             shrink the first failure to its critical decisions, as\n"
    "                       'simk shrink' does (schedule file: simk-shrunk.sched)\n"
    "  --quiet              no progress bar, no trace tail on stderr\n";

static const char *const usage_check =
    "usage: simk check-determinism FILE [--seed N] [--policy P] [options]\n"
    "\n"
    "Runs the scenario twice in one process with the same options, prints both\n"
    "trace hashes, and exits 0 when they are equal, 1 when not (then it names the\n"
    "first event where the two traces part).\n"
    "\n"
    "options (as for 'simk run'):\n"
    "  --seed N, --policy P, --preempt P, --irq P, --pct-depth D, --pct-steps K,\n"
    "  --max-steps N, --step-cost NS, --fault SPEC, --device K=V,\n"
    "  --device-defaults K=V, --replay F, --quiet\n"
    "  --trace-max-events N  events kept to compare (default 1000000)\n";

static const char *const usage_shrink =
    "usage: simk shrink FILE --seed N [options]   or   simk shrink FILE --replay F\n"
    "\n"
    "Shrinks a failing run to its critical decisions: the fewest choices that\n"
    "differ from the default schedule (a due interrupt first, else the running\n"
    "thread goes on, else the longest-waiting thread) and the fewest --fault\n"
    "options with which the run still fails the same way (same outcome, same\n"
    "failing statement). Prints each critical decision in the words of the\n"
    "source, writes the shrunk schedule file and the 'simk run' line that\n"
    "replays it; the last line is the shrunk run's FAIL line. Exit code: the\n"
    "failure's outcome; 0 when the run passes (nothing to shrink).\n"
    "\n"
    "options (as for 'simk run'; they name the failing run):\n"
    "  --seed N, --policy P, --preempt P, --irq P, --pct-depth D, --pct-steps K,\n"
    "  --max-steps N, --step-cost NS, --fault SPEC, --device K=V,\n"
    "  --device-defaults K=V, --replay F (a schedule file, e.g. of a dfs failure)\n"
    "  --schedule-out F     where to write the shrunk schedule (default\n"
    "                       simk-shrunk.sched)\n"
    "  --quiet              (accepted; shrink prints no trace)\n";

static const char *const usage_merge =
    "usage: simk merge SHARD.json... [--json]\n"
    "\n"
    "Combines the results of the shards of one search (simk explore --shard I/N\n"
    "--json, each shard's JSON in a file) into the report the search would have\n"
    "made in one process: the globally lowest failing seed with its reproducer and\n"
    "FAIL line (exit code: its outcome), or the summary with the distinct trace\n"
    "hashes over every shard (exit 0). Every shard must be given, each once, all of\n"
    "the same search (file, policy, seeds, runs, shard count); else exit 2.\n"
    "Recipes for GNU parallel and Slurm job arrays: docs/scale.md.\n"
    "\n"
    "options:\n"
    "  --json               the merged result as JSON, in explore --json's format\n";

/* help ops --where: each operation's C function and the file it is in. */
static void help_ops_where(FILE *f)
{
	fputs("operation            kind     C function (file:function)\n", f);
	for (int i = 0; scn_op_at(i) != NULL; i++) {
		const struct scn_op *op = scn_op_at(i);
		fprintf(f, "%-20s %-8s %s\n", op->name,
			(op->flags & SCN_OP_SYSCALL) ? "syscall" : "kernel", op->where ? op->where : "?");
	}
}

static void help_ops(FILE *f)
{
	char buf[300];
	fputs("declarations (top level):\n", f);
	for (int i = 0; scn_kind_at(i) != NULL; i++) {
		const struct scn_kind *k = scn_kind_at(i);
		fprintf(f, "  %s\n", k->doc ? k->doc : k->name);
	}
	fputs("\noperations (inside a thread: [VAR =] OP ARG... name=value...):\n", f);
	for (int i = 0; scn_op_at(i) != NULL; i++) {
		const struct scn_op *op = scn_op_at(i);
		scn_usage(op->name, op->args, op->nargs, buf, sizeof(buf));
		fprintf(f, "  %s\n      %s\n", buf, op->doc ? op->doc : "");
	}
	fputs("\nconstants: errno names (EINTR, ETIMEDOUT, EAGAIN, ...) as positive numbers,\n"
	      "signal numbers (SIGUSR1, SIGKILL, ...), true and false.\n",
	      f);
}

static int cmd_help(struct cli_opts *o);
static int cmd_version(struct cli_opts *o);

static const char *const usage_help =
    "usage: simk help [COMMAND|ops [--where]|faults]\n"
    "\n"
    "Without a topic, the list of commands. With a command's name, its usage and\n"
    "flags; 'ops': the operations and declarations a scenario may use ('ops\n"
    "--where': each operation's C function and source file, and whether it wraps\n"
    "a system call); 'faults': the fault points --fault can enable.\n";

static const char *const usage_version = "usage: simk version   (or simk --version)\n"
					 "\n"
					 "Prints 'simk VERSION'.\n";

/* The subcommands; cli/cli.h says how to add one. */
static const struct cli_command commands[] = {
    {"run", CMD_RUN, cmd_run, 1, 1, "missing the scenario FILE", usage_run, cli_check_sched},
    {"explore", CMD_EXPLORE, cmd_explore, 1, 1, "missing the scenario FILE", usage_explore,
     cli_check_sched},
    {"check-determinism", CMD_CHECK, cmd_check, 1, 1, "missing the scenario FILE", usage_check,
     cli_check_sched},
    {"shrink", CMD_SHRINK, cmd_shrink, 1, 1, "missing the scenario FILE", usage_shrink,
     cli_check_sched},
    {"merge", CMD_MERGE, cmd_merge, 1, CLI_ARGS_MAX, "missing the shard results (FILE.json...)",
     usage_merge, NULL},
    {"help", CMD_HELP, cmd_help, 0, 1, "", usage_help, NULL},
    {"version", CMD_VERSION, cmd_version, 0, 0, "", usage_version, NULL},
};

const struct cli_command *cli_command_find(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

const char *cli_version(void)
{
	return SIMK_VERSION;
}

static int cmd_version(struct cli_opts *o)
{
	(void)o;
	printf("simk %s\n", cli_version());
	return 0;
}

static int cmd_help(struct cli_opts *o)
{
	if (o->nargs == 0) {
		fputs(usage_main, stdout);
		return 0;
	}
	const char *t = o->args[0];
	if (strcmp(t, "ops") == 0) {
		if (o->where)
			help_ops_where(stdout);
		else
			help_ops(stdout);
		return 0;
	}
	if (strcmp(t, "faults") == 0) {
		puts("fault points (enable with --fault POINT:p=PROB | POINT:nth=K[,every] | "
		     "POINT:off, or a scenario's `fault` line; docs/blkdev.md, docs/kern.md):");
		for (int i = 0; sim_fault_declared(i) != NULL; i++)
			printf("  %s\n", sim_fault_declared(i));
		return 0;
	}
	const struct cli_command *c = cli_command_find(t);
	if (c != NULL) {
		fputs(c->usage, stdout);
		return 0;
	}
	fputs("simk: help: unknown topic '", stderr);
	fputs(t, stderr);
	fputs("' (", stderr);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(stderr, "%s, ", commands[i].name);
	fputs("ops, faults)\n", stderr);
	return EXIT_USAGE;
}

static int run_command(int argc, char **argv)
{
	struct cli_opts o;
	memset(&o, 0, sizeof(o));
	o.argv0 = argc > 0 ? argv[0] : "simk";
	simk_register_builtin(); /* the top layer: every built-in subsystem and op */
	if (argc < 2) {
		fputs(usage_main, stderr);
		return EXIT_USAGE;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
		fputs(usage_main, stdout);
		return 0;
	}
	if (strcmp(cmd, "--version") == 0)
		return cmd_version(&o);
	o.command = cli_command_find(cmd);
	if (o.command == NULL) {
		fprintf(stderr, "simk: unknown command '%s' (see 'simk --help')\n", cmd);
		return EXIT_USAGE;
	}
	o.cmd = o.command->id;
	int rc = cli_parse(argc, argv, 2, &o);
	if (rc == -1)
		return 0; /* --help */
	if (rc != 0)
		return rc;
	rc = o.command->run(&o);
	ctx_stack_pool_drain();
	return rc;
}

/* Output that could not be written is an error, never a silent exit 0
 * (stdout on a full disk, a closed pipe with SIGPIPE ignored): one message
 * on stderr with the first error's errno, and the exit code is 2, or the
 * run's failure code when it had one. */
static int check_stdout(int rc)
{
	cli_flush_stdout();
	bool bad = ferror(stdout) != 0 || cli_stdout_errno != 0;
	errno = 0;
	if (fclose(stdout) != 0 && cli_stdout_errno == 0)
		cli_stdout_errno = errno;
	if (!bad && cli_stdout_errno == 0)
		return rc;
	fprintf(stderr, "simk: cannot write the output: %s\n",
		strerror(cli_stdout_errno != 0 ? cli_stdout_errno : EIO));
	return rc != 0 ? rc : EXIT_USAGE;
}

int main(int argc, char **argv)
{
	return check_stdout(run_command(argc, argv));
}

/*
 * Command-line flags: one table for every subcommand, parsed with
 * getopt_long(3).
 *
 * getopt_long does the lexing (--name VALUE, --name=VALUE, -h, `--` ends
 * the flags, unambiguous prefixes such as --pol for --policy). What we add
 * on top is the messages: getopt's own are off (opterr = 0) and every error
 * is "simk: CMD: ... (see 'simk help CMD')", exit 2, naming the flag — an
 * unknown flag, a flag of another subcommand ("does not apply to run"), a
 * missing value, a value that does not parse (strict: a bad number is a
 * usage error, never silently 0).
 *
 * To add a flag: a field in struct cli_opts (cli/cli.h), a setter below, a
 * row in `flags` naming the subcommands it applies to, and a line in each
 * of their help texts (cli/main.c) and in docs/simk.1 — tests/py/
 * test_manpage.py fails when one of those is missing.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "drivers/blkdev.h"

/* Decimal, no sign, no junk, no overflow. */
static bool parse_u64(const char *s, uint64_t *v)
{
	if (s == NULL || *s < '0' || *s > '9')
		return false;
	errno = 0;
	char *end;
	unsigned long long x = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return false;
	*v = x;
	return true;
}

static bool parse_prob(const char *s, double *v)
{
	if (s == NULL || !((*s >= '0' && *s <= '9') || *s == '.'))
		return false;
	char *end;
	errno = 0;
	double x = strtod(s, &end);
	if (errno != 0 || *end != '\0' || !(x >= 0.0 && x <= 1.0))
		return false;
	*v = x;
	return true;
}

static const struct {
	const char *name;
	enum simk_policy p;
} policies[] = {
    {"fifo", SIMK_POLICY_FIFO},	    {"random", SIMK_POLICY_RANDOM}, {"pct", SIMK_POLICY_PCT},
    {"replay", SIMK_POLICY_REPLAY}, {"dfs", SIMK_POLICY_DFS},
};

const char *cli_policy_name(enum simk_policy p)
{
	for (size_t i = 0; i < sizeof(policies) / sizeof(policies[0]); i++)
		if (policies[i].p == p)
			return policies[i].name;
	return "?";
}

int cli_usage_error(const struct cli_opts *o, const char *fmt, ...)
{
	va_list ap;
	const char *cmd = o->command->name;
	va_start(ap, fmt);
	fprintf(stderr, "simk: %s: ", cmd);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see 'simk help %s')\n", cmd);
	return EXIT_USAGE;
}

/* ---- setters: flag value -> struct cli_opts; 0 or a usage error ---- */

/* An integer in [lo, hi]; what = the message's description of the range. */
static int set_u64(struct cli_opts *o, const char *flag, const char *val, uint64_t lo, uint64_t hi,
		   const char *what, uint64_t *dst, bool *has)
{
	uint64_t v;
	if (!parse_u64(val, &v) || v < lo || v > hi)
		return cli_usage_error(o, "--%s needs %s, got '%s'", flag, what, val);
	*dst = v;
	if (has != NULL)
		*has = true;
	return 0;
}

static int set_seed(struct cli_opts *o, const char *flag, const char *val)
{
	return set_u64(o, flag, val, 0, UINT64_MAX, "a non-negative integer", &o->seed,
		       &o->has_seed);
}

static int set_seed_start(struct cli_opts *o, const char *flag, const char *val)
{
	return set_u64(o, flag, val, 0, UINT64_MAX, "a non-negative integer", &o->seed_start,
		       &o->has_seed_start);
}

static int set_pct_steps(struct cli_opts *o, const char *flag, const char *val)
{
	return set_u64(o, flag, val, 1, UINT64_MAX, "a positive integer", &o->pct_steps,
		       &o->has_pct_steps);
}

static int set_max_steps(struct cli_opts *o, const char *flag, const char *val)
{
	return set_u64(o, flag, val, 1, UINT64_MAX, "a positive integer", &o->max_steps,
		       &o->has_max_steps);
}

static int set_step_cost(struct cli_opts *o, const char *flag, const char *val)
{
	return set_u64(o, flag, val, 0, SIMK_STEP_COST_MAX_NS, "nanoseconds from 0 to 1000000",
		       &o->step_cost, &o->has_step_cost);
}

static int set_runs(struct cli_opts *o, const char *flag, const char *val)
{
	return set_u64(o, flag, val, 1, UINT64_MAX, "a positive integer", &o->runs, &o->has_runs);
}

static int set_pct_depth(struct cli_opts *o, const char *flag, const char *val)
{
	uint64_t v = 0;
	int rc = set_u64(o, flag, val, 1, 16, "an integer from 1 to 16", &v, &o->has_pct_depth);
	if (rc == 0)
		o->pct_depth = (int)v;
	return rc;
}

static int set_bound(struct cli_opts *o, const char *flag, const char *val)
{
	uint64_t v = 0;
	int rc = set_u64(o, flag, val, 0, 1000, "an integer from 0 to 1000", &v, &o->has_bound);
	if (rc == 0)
		o->bound = (int)v;
	return rc;
}

static int set_por(struct cli_opts *o, const char *flag, const char *val)
{
	if (strcmp(val, "on") != 0 && strcmp(val, "off") != 0)
		return cli_usage_error(o, "--%s needs on or off, got '%s'", flag, val);
	o->por = strcmp(val, "on") == 0;
	o->has_por = true;
	return 0;
}

/* "latency=2,faults=all,crash=seed": a bound per dimension. */
static int set_enumerate(struct cli_opts *o, const char *flag, const char *val)
{
	const char *p = val;
	if (*p == '\0')
		return cli_usage_error(o, "--%s needs DIM=BOUND[,DIM=BOUND...]", flag);
	while (*p != '\0') {
		const char *eq = strchr(p, '=');
		const char *end = strchr(p, ',');
		if (end == NULL)
			end = p + strlen(p);
		if (eq == NULL || eq > end)
			return cli_usage_error(o, "--%s: expected DIM=BOUND, got '%.*s'", flag,
					       (int)(end - p), p);
		int dim = -1;
		for (int d = 0; d < SIMK_DIM_COUNT; d++)
			if ((size_t)(eq - p) == strlen(simk_dfs_dim_name(d)) &&
			    strncmp(p, simk_dfs_dim_name(d), (size_t)(eq - p)) == 0)
				dim = d;
		if (dim < 0)
			return cli_usage_error(o, "--%s: unknown dimension '%.*s' (latency, faults, "
						  "crash, tear)",
					       flag, (int)(eq - p), p);
		char v[24];
		size_t vl = (size_t)(end - eq - 1);
		if (vl == 0 || vl >= sizeof(v))
			return cli_usage_error(o, "--%s: %s needs a number, all or seed", flag,
					       simk_dfs_dim_name(dim));
		memcpy(v, eq + 1, vl);
		v[vl] = '\0';
		uint64_t n = 0;
		if (strcmp(v, "all") == 0)
			o->dim_bound[dim] = SIMK_DFS_NO_BOUND;
		else if (strcmp(v, "seed") == 0)
			o->dim_bound[dim] = SIMK_DFS_SEED;
		else if (parse_u64(v, &n) && n <= 1000)
			o->dim_bound[dim] = (int)n;
		else
			return cli_usage_error(o, "--%s: %s needs a number from 0 to 1000, all or "
						  "seed, got '%s'",
					       flag, simk_dfs_dim_name(dim), v);
		o->dim_set[dim] = true;
		p = *end == ',' ? end + 1 : end;
	}
	o->has_enumerate = true;
	return 0;
}

static int set_latency_classes(struct cli_opts *o, const char *flag, const char *val)
{
	uint64_t v = 0;
	int rc = set_u64(o, flag, val, 2, 16, "an integer from 2 to 16", &v,
			 &o->has_latency_classes);
	if (rc == 0)
		o->latency_classes = (int)v;
	return rc;
}

static int set_jobs(struct cli_opts *o, const char *flag, const char *val)
{
	uint64_t v;
	if (!parse_u64(val, &v) || v > CLI_JOBS_MAX)
		return cli_usage_error(o, "--%s needs an integer from 0 to %d, got '%s'", flag,
				       CLI_JOBS_MAX, val);
	if (v == 0) {
		long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		v = ncpu < 1 ? 1 : ncpu > CLI_JOBS_MAX ? CLI_JOBS_MAX : (uint64_t)ncpu;
	}
	o->jobs = (int)v;
	return 0;
}

static int set_policy(struct cli_opts *o, const char *flag, const char *val)
{
	(void)flag;
	for (size_t i = 0; i < sizeof(policies) / sizeof(policies[0]); i++)
		if (strcmp(val, policies[i].name) == 0) {
			o->policy = policies[i].p;
			o->has_policy = true;
			return 0;
		}
	/* each command names only the policies it takes */
	return cli_usage_error(o, "unknown policy '%s' (%s)", val,
			       o->cmd == CMD_EXPLORE ? "random, pct, fifo or dfs"
						     : "fifo, random, pct or replay");
}

static int set_prob(struct cli_opts *o, const char *flag, const char *val, double *dst, bool *has)
{
	if (!parse_prob(val, dst))
		return cli_usage_error(o, "--%s needs a probability between 0 and 1, got '%s'",
				       flag, val);
	*has = true;
	return 0;
}

static int set_preempt(struct cli_opts *o, const char *flag, const char *val)
{
	return set_prob(o, flag, val, &o->preempt, &o->has_preempt);
}

static int set_irq(struct cli_opts *o, const char *flag, const char *val)
{
	return set_prob(o, flag, val, &o->irq, &o->has_irq);
}

static int set_shard(struct cli_opts *o, const char *flag, const char *val)
{
	const char *slash = strchr(val, '/');
	char ibuf[32];
	uint64_t i, k;
	(void)flag;
	if (slash == NULL || (size_t)(slash - val) >= sizeof(ibuf))
		return cli_usage_error(o, "--shard needs I/N (for example 0/4), got '%s'", val);
	memcpy(ibuf, val, (size_t)(slash - val));
	ibuf[slash - val] = '\0';
	if (!parse_u64(ibuf, &i) || !parse_u64(slash + 1, &k) || k < 1 || i >= k)
		return cli_usage_error(o, "--shard needs I/N with 0 <= I < N, got '%s'", val);
	o->shard_i = i;
	o->shard_n = k;
	o->has_shard = true;
	return 0;
}

static int set_fault(struct cli_opts *o, const char *flag, const char *val)
{
	(void)flag;
	if (o->nfaults >= CLI_FAULTS_MAX)
		return cli_usage_error(o, "too many --fault options (max %d)", CLI_FAULTS_MAX);
	o->faults[o->nfaults++] = val;
	return 0;
}

static int set_trace_out(struct cli_opts *o, const char *flag, const char *val)
{
	(void)flag;
	o->trace_out = val;
	return 0;
}

static int set_trace_max(struct cli_opts *o, const char *flag, const char *val)
{
	char what[64];
	snprintf(what, sizeof(what), "an integer from 1 to %llu", (unsigned long long)CLI_TRACE_MAX);
	return set_u64(o, flag, val, 1, CLI_TRACE_MAX, what, &o->trace_max, NULL);
}

static int set_schedule_out(struct cli_opts *o, const char *flag, const char *val)
{
	(void)flag;
	o->schedule_out = val;
	return 0;
}

static int set_replay(struct cli_opts *o, const char *flag, const char *val)
{
	(void)flag;
	o->replay = val;
	return 0;
}

static int set_where(struct cli_opts *o, const char *flag, const char *val)
{
	(void)flag;
	(void)val;
	o->where = true;
	return 0;
}

static int set_shrink(struct cli_opts *o, const char *flag, const char *val)
{
	(void)flag;
	(void)val;
	o->shrink = true;
	return 0;
}

static int set_swarm(struct cli_opts *o, const char *flag, const char *val)
{
	(void)flag;
	(void)val;
	o->swarm = true;
	return 0;
}

/* KEY=VALUE[,...] of blkdev_config_set_list, checked; repeated flags add up. */
static int add_device_opts(struct cli_opts *o, const char *flag, const char *val, char *dst,
			   size_t len, bool *has)
{
	struct blkdev_config cfg;
	char err[300];
	blkdev_config_default(&cfg);
	if (blkdev_config_set_list(&cfg, val, err, sizeof(err)) != 0)
		return cli_usage_error(o, "--%s: %s", flag, err);
	size_t have = strlen(dst);
	if (have + strlen(val) + 2 > len)
		return cli_usage_error(o, "--%s: the device options are too long", flag);
	snprintf(dst + have, len - have, "%s%s", have ? "," : "", val);
	*has = true;
	return 0;
}

static int set_device(struct cli_opts *o, const char *flag, const char *val)
{
	return add_device_opts(o, flag, val, o->device, sizeof(o->device), &o->has_device);
}

static int set_device_defaults(struct cli_opts *o, const char *flag, const char *val)
{
	return add_device_opts(o, flag, val, o->device_defaults, sizeof(o->device_defaults),
			       &o->has_device_defaults);
}

static int set_json(struct cli_opts *o, const char *flag, const char *val)
{
	(void)flag;
	(void)val;
	o->json = true;
	return 0;
}

static int set_quiet(struct cli_opts *o, const char *flag, const char *val)
{
	(void)flag;
	(void)val;
	o->quiet = true;
	return 0;
}

/* ---- the table ---- */

#define C_RUN CMD_BIT(CMD_RUN)
#define C_EXPLORE CMD_BIT(CMD_EXPLORE)
#define C_CHECK CMD_BIT(CMD_CHECK)
#define C_SHRINK CMD_BIT(CMD_SHRINK)
#define C_MERGE CMD_BIT(CMD_MERGE)
#define C_SCHED (C_RUN | C_EXPLORE | C_CHECK | C_SHRINK) /* the commands that run scenarios */
#define C_HELP CMD_BIT(CMD_HELP)

struct cli_flag {
	const char *name; /* without the leading "--" */
	bool value;	  /* takes a value: --name V or --name=V */
	unsigned cmds;	  /* CMD_BIT()s of the subcommands it applies to */
	int (*set)(struct cli_opts *o, const char *name, const char *val);
};

/* --help / -h applies to every subcommand and is handled in cli_parse. */
static const struct cli_flag flags[] = {
    {"seed", true, C_RUN | C_CHECK | C_SHRINK, set_seed},
    {"policy", true, C_SCHED, set_policy},
    {"preempt", true, C_SCHED, set_preempt},
    {"irq", true, C_SCHED, set_irq},
    {"pct-depth", true, C_SCHED, set_pct_depth},
    {"pct-steps", true, C_SCHED, set_pct_steps},
    {"max-steps", true, C_SCHED, set_max_steps},
    {"trace-out", true, C_RUN, set_trace_out},
    {"trace-max-events", true, C_RUN | C_CHECK, set_trace_max},
    {"schedule-out", true, C_RUN | C_EXPLORE | C_SHRINK, set_schedule_out},
    {"bound", true, C_EXPLORE, set_bound},
    {"por", true, C_EXPLORE, set_por},
    {"enumerate", true, C_EXPLORE, set_enumerate},
    {"latency-classes", true, C_EXPLORE, set_latency_classes},
    {"replay", true, C_RUN | C_CHECK | C_SHRINK, set_replay},
    {"fault", true, C_SCHED, set_fault},
    {"quiet", false, C_SCHED, set_quiet},
    {"runs", true, C_EXPLORE, set_runs},
    {"seed-start", true, C_EXPLORE, set_seed_start},
    {"shard", true, C_EXPLORE, set_shard},
    {"jobs", true, C_EXPLORE, set_jobs},
    {"step-cost", true, C_SCHED, set_step_cost},
    {"shrink", false, C_EXPLORE, set_shrink},
    {"json", false, C_EXPLORE | C_MERGE, set_json},
    {"swarm", false, C_EXPLORE, set_swarm},
    {"device", true, C_SCHED, set_device},
    {"device-defaults", true, C_SCHED, set_device_defaults},
    {"where", false, C_HELP, set_where},
};

#define FLAGS_N (sizeof(flags) / sizeof(flags[0]))
/* getopt_long's return value for flags[i]: above every short option char */
#define FLAG_ID_BASE 256
#define FLAG_HELP (FLAG_ID_BASE + (int)FLAGS_N)

/* "--name[=value]" -> "--name" for messages; the value is not the name. */
static int flag_name_len(const char *arg)
{
	const char *eq = strchr(arg, '=');
	return eq != NULL ? (int)(eq - arg) : (int)strlen(arg);
}

/* getopt_long returned '?' with optopt 0: an unknown or ambiguous long flag. */
static int bad_long_flag(const struct cli_opts *o, const char *arg)
{
	int n = flag_name_len(arg);
	char names[256] = "";
	int matches = 0;
	for (size_t i = 0; i < FLAGS_N; i++)
		if (n > 2 && strncmp(flags[i].name, arg + 2, (size_t)n - 2) == 0) {
			size_t len = strlen(names);
			snprintf(names + len, sizeof(names) - len, "%s--%s", matches ? ", " : "",
				 flags[i].name);
			matches++;
		}
	if (matches > 1)
		return cli_usage_error(o, "option '%.*s' is ambiguous (%s)", n, arg, names);
	return cli_usage_error(o, "unknown option '%.*s'", n, arg);
}

/* id: a getopt_long return value for flags[]. */
static int check_applies(const struct cli_opts *o, int id)
{
	const struct cli_flag *f = &flags[id - FLAG_ID_BASE];
	if (!(f->cmds & CMD_BIT(o->cmd)))
		return cli_usage_error(o, "option '--%s' does not apply to %s", f->name,
				       o->command->name);
	return 0;
}

static int add_arg(struct cli_opts *o, const char *a)
{
	const struct cli_command *c = o->command;
	if (o->nargs >= c->args_max || o->nargs >= CLI_ARGS_MAX)
		return cli_usage_error(o, "unexpected argument '%s'", a);
	o->args[o->nargs++] = a;
	return 0;
}

int cli_parse(int argc, char **argv, int first, struct cli_opts *o)
{
	struct option longopts[FLAGS_N + 2];
	for (size_t i = 0; i < FLAGS_N; i++)
		longopts[i] =
		    (struct option){flags[i].name, flags[i].value ? required_argument : no_argument,
				    NULL, FLAG_ID_BASE + (int)i};
	longopts[FLAGS_N] = (struct option){"help", no_argument, NULL, FLAG_HELP};
	longopts[FLAGS_N + 1] = (struct option){NULL, 0, NULL, 0};

	/* getopt sees argv[first - 1..]: it skips its argv[0] (the command name).
	 * "-" first: positional arguments come back in order as 1 (no
	 * reordering, whatever POSIXLY_CORRECT says); ":" next: a missing
	 * value is ':' rather than '?'. */
	char **av = argv + first - 1;
	int ac = argc - first + 1;
	opterr = 0;
	optind = 0; /* 0, not 1: also resets glibc's state from any earlier parse */
	int c, rc;
	while ((c = getopt_long(ac, av, "-:h", longopts, NULL)) != -1) {
		if (c == 1) {
			rc = add_arg(o, optarg);
		} else if (c == 'h' || c == FLAG_HELP) {
			fputs(o->command->usage, stdout);
			return -1;
		} else if ((c == ':' || c == '?') && optopt >= FLAG_ID_BASE) {
			/* a flag with a missing value, or a value it does not take */
			const char *n =
			    optopt < FLAG_HELP ? flags[optopt - FLAG_ID_BASE].name : "help";
			if (optopt < FLAG_HELP && (rc = check_applies(o, optopt)) != 0)
				return rc;
			return cli_usage_error(o,
					       c == ':' ? "option '--%s' needs a value"
							: "option '--%s' takes no value",
					       n);
		} else if (c == '?' || c == ':') {
			if (optopt != 0)
				return cli_usage_error(o, "unknown option '-%c'", optopt);
			return bad_long_flag(o, av[optind - 1]);
		} else {
			const struct cli_flag *f = &flags[c - FLAG_ID_BASE];
			if ((rc = check_applies(o, c)) == 0)
				rc = f->set(o, f->name, optarg);
		}
		if (rc != 0)
			return rc;
	}
	/* After "--": positional arguments until FILE is given, then a guest
	 * program's own arguments (`simk run ./prog --seed 3 -- ARGS`). */
	bool takes_prog = o->cmd == CMD_RUN || o->cmd == CMD_EXPLORE || o->cmd == CMD_CHECK;
	for (int i = optind; i < ac; i++) {
		if (takes_prog && o->nargs >= o->command->args_min) {
			if (o->nprog_args >= CLI_ARGS_MAX)
				return cli_usage_error(o, "more than %d program arguments",
						       CLI_ARGS_MAX);
			o->prog_args[o->nprog_args++] = av[i];
		} else if ((rc = add_arg(o, av[i])) != 0) {
			return rc;
		}
	}
	if (o->nargs < o->command->args_min)
		return cli_usage_error(o, "%s", o->command->args_missing);
	o->file = o->nargs > 0 ? o->args[0] : NULL;
	return o->command->check != NULL ? o->command->check(o) : 0;
}

int cli_check_sched(struct cli_opts *o)
{
	if (o->cmd == CMD_EXPLORE && o->has_policy && o->policy == SIMK_POLICY_REPLAY)
		return cli_usage_error(o, "--policy replay does not apply (explore's policies: "
					  "random, pct, fifo, dfs); replay with 'simk run --replay F'");
	if (o->replay != NULL && o->has_policy && o->policy != SIMK_POLICY_REPLAY)
		return cli_usage_error(o, "--replay implies --policy replay, not --policy %s",
				       cli_policy_name(o->policy));
	if (o->has_policy && o->policy == SIMK_POLICY_REPLAY && o->replay == NULL)
		return cli_usage_error(o, "--policy replay needs --replay FILE");
	if (o->has_policy && o->policy == SIMK_POLICY_DFS && o->cmd != CMD_EXPLORE)
		return cli_usage_error(o,
				       "--policy dfs is a search: use 'simk explore --policy dfs'");
	if (o->has_bound && !(o->has_policy && o->policy == SIMK_POLICY_DFS))
		return cli_usage_error(o, "--bound applies to --policy dfs");
	if (o->has_por && !(o->has_policy && o->policy == SIMK_POLICY_DFS))
		return cli_usage_error(o, "--por applies to --policy dfs");
	if ((o->has_enumerate || o->has_latency_classes) &&
	    !(o->has_policy && o->policy == SIMK_POLICY_DFS))
		return cli_usage_error(o, "--%s applies to --policy dfs",
				       o->has_enumerate ? "enumerate" : "latency-classes");
	if ((o->has_enumerate || o->has_latency_classes) && o->has_por && !o->por)
		return cli_usage_error(o, "--%s needs --por on (the search without the reduction "
					  "leaves data decisions to the seed)",
				       o->has_enumerate ? "enumerate" : "latency-classes");
	if (o->swarm && o->has_policy && o->policy != SIMK_POLICY_RANDOM &&
	    o->policy != SIMK_POLICY_PCT)
		return cli_usage_error(o, "--swarm draws the options of random or pct runs, not %s",
				       cli_policy_name(o->policy));
	if (o->cmd == CMD_EXPLORE) {
		if (!o->has_runs)
			return cli_usage_error(o, "missing --runs N");
	}
	if (o->replay != NULL) {
		o->policy = SIMK_POLICY_REPLAY;
		o->has_policy = true;
	}
	return 0;
}

/*
 * Shared parts of the simk commands: option parsing (strict: a bad number
 * is a usage error, never silently 0), option merging, starting a run, and
 * the failure report with its reproducer line.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "sim/engine.h"
#include "sim/fault.h"
#include "scn/scn.h"

enum optid {
	O_SEED,
	O_POLICY,
	O_PREEMPT,
	O_IRQ,
	O_PCT_DEPTH,
	O_PCT_STEPS,
	O_MAX_STEPS,
	O_TRACE_OUT,
	O_SCHEDULE_OUT,
	O_REPLAY,
	O_FAULT,
	O_QUIET,
	O_RUNS,
	O_SEED_START,
	O_SHARD,
	O_HELP,
	O_BOUND,
	O_JOBS,
	O_TRACE_MAX,
};

#define F_RUN (1u << CMD_RUN)
#define F_EXPLORE (1u << CMD_EXPLORE)
#define F_CHECK (1u << CMD_CHECK)
#define F_ALL (F_RUN | F_EXPLORE | F_CHECK)

struct optdef {
	const char *name;
	bool arg;
	unsigned cmds;
	enum optid id;
};

static const struct optdef optdefs[] = {
    {"seed", true, F_RUN | F_CHECK, O_SEED},
    {"policy", true, F_ALL, O_POLICY},
    {"preempt", true, F_ALL, O_PREEMPT},
    {"irq", true, F_ALL, O_IRQ},
    {"pct-depth", true, F_ALL, O_PCT_DEPTH},
    {"pct-steps", true, F_ALL, O_PCT_STEPS},
    {"max-steps", true, F_ALL, O_MAX_STEPS},
    {"trace-out", true, F_RUN, O_TRACE_OUT},
    {"trace-max-events", true, F_RUN | F_CHECK, O_TRACE_MAX},
    {"schedule-out", true, F_RUN | F_EXPLORE, O_SCHEDULE_OUT},
    {"bound", true, F_EXPLORE, O_BOUND},
    {"replay", true, F_RUN | F_CHECK, O_REPLAY},
    {"fault", true, F_ALL, O_FAULT},
    {"quiet", false, F_ALL, O_QUIET},
    {"runs", true, F_EXPLORE, O_RUNS},
    {"seed-start", true, F_EXPLORE, O_SEED_START},
    {"shard", true, F_EXPLORE, O_SHARD},
    {"jobs", true, F_EXPLORE, O_JOBS},
    {"help", false, F_ALL, O_HELP},
};

static const char *const cmd_names[] = {"run", "explore", "check-determinism"};

static int usage_error(const struct cli_opts *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int usage_error(const struct cli_opts *o, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "simk: %s: ", cmd_names[o->cmd]);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see 'simk help %s')\n", cmd_names[o->cmd]);
	return EXIT_USAGE;
}

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

static bool parse_policy(const char *s, enum simk_policy *p)
{
	static const struct {
		const char *name;
		enum simk_policy p;
	} tab[] = {
	    {"fifo", SIMK_POLICY_FIFO}, {"random", SIMK_POLICY_RANDOM},
	    {"pct", SIMK_POLICY_PCT},	{"replay", SIMK_POLICY_REPLAY},
	    {"dfs", SIMK_POLICY_DFS},
	};
	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (strcmp(s, tab[i].name) == 0) {
			*p = tab[i].p;
			return true;
		}
	return false;
}

const char *cli_policy_name(enum simk_policy p)
{
	switch (p) {
	case SIMK_POLICY_FIFO:
		return "fifo";
	case SIMK_POLICY_RANDOM:
		return "random";
	case SIMK_POLICY_PCT:
		return "pct";
	case SIMK_POLICY_REPLAY:
		return "replay";
	case SIMK_POLICY_DFS:
		return "dfs";
	}
	return "?";
}

static int set_opt(struct cli_opts *o, const struct optdef *d, const char *val)
{
	const char *n = d->name;
	switch (d->id) {
	case O_SEED:
		if (!parse_u64(val, &o->seed))
			return usage_error(o, "--%s needs a non-negative integer, got '%s'", n,
					   val);
		o->has_seed = true;
		break;
	case O_POLICY:
		if (!parse_policy(val, &o->policy))
			return usage_error(o, "unknown policy '%s' (fifo, random, pct or replay)",
					   val);
		o->has_policy = true;
		break;
	case O_PREEMPT:
	case O_IRQ: {
		double v;
		if (!parse_prob(val, &v))
			return usage_error(o, "--%s needs a probability between 0 and 1, got '%s'",
					   n, val);
		if (d->id == O_PREEMPT) {
			o->preempt = v;
			o->has_preempt = true;
		} else {
			o->irq = v;
			o->has_irq = true;
		}
		break;
	}
	case O_PCT_DEPTH: {
		uint64_t v;
		if (!parse_u64(val, &v) || v < 1 || v > 16)
			return usage_error(o, "--%s needs an integer from 1 to 16, got '%s'", n,
					   val);
		o->pct_depth = (int)v;
		o->has_pct_depth = true;
		break;
	}
	case O_TRACE_MAX: {
		uint64_t v;
		if (!parse_u64(val, &v) || v < 1 || v > CLI_TRACE_MAX)
			return usage_error(o, "--%s needs an integer from 1 to %llu, got '%s'", n,
					   (unsigned long long)CLI_TRACE_MAX, val);
		o->trace_max = v;
		break;
	}
	case O_PCT_STEPS:
	case O_MAX_STEPS:
	case O_RUNS: {
		uint64_t v;
		if (!parse_u64(val, &v) || v < 1)
			return usage_error(o, "--%s needs a positive integer, got '%s'", n, val);
		if (d->id == O_PCT_STEPS) {
			o->pct_steps = v;
			o->has_pct_steps = true;
		} else if (d->id == O_MAX_STEPS) {
			o->max_steps = v;
			o->has_max_steps = true;
		} else {
			o->runs = v;
			o->has_runs = true;
		}
		break;
	}
	case O_SEED_START:
		if (!parse_u64(val, &o->seed_start))
			return usage_error(o, "--%s needs a non-negative integer, got '%s'", n,
					   val);
		o->has_seed_start = true;
		break;
	case O_SHARD: {
		const char *slash = strchr(val, '/');
		char ibuf[32];
		uint64_t i, k;
		if (slash == NULL || (size_t)(slash - val) >= sizeof(ibuf))
			return usage_error(o, "--shard needs I/N (for example 0/4), got '%s'", val);
		memcpy(ibuf, val, (size_t)(slash - val));
		ibuf[slash - val] = '\0';
		if (!parse_u64(ibuf, &i) || !parse_u64(slash + 1, &k) || k < 1 || i >= k)
			return usage_error(o, "--shard needs I/N with 0 <= I < N, got '%s'", val);
		o->shard_i = i;
		o->shard_n = k;
		o->has_shard = true;
		break;
	}
	case O_TRACE_OUT:
		o->trace_out = val;
		break;
	case O_SCHEDULE_OUT:
		o->schedule_out = val;
		break;
	case O_REPLAY:
		o->replay = val;
		break;
	case O_FAULT:
		if (o->nfaults >= CLI_FAULTS_MAX)
			return usage_error(o, "too many --fault options (max %d)", CLI_FAULTS_MAX);
		o->faults[o->nfaults++] = val;
		break;
	case O_QUIET:
		o->quiet = true;
		break;
	case O_BOUND: {
		uint64_t v;
		if (!parse_u64(val, &v) || v > 1000)
			return usage_error(o, "--%s needs an integer from 0 to 1000, got '%s'", n,
					   val);
		o->bound = (int)v;
		o->has_bound = true;
		break;
	}
	case O_JOBS: {
		uint64_t v;
		if (!parse_u64(val, &v) || v > CLI_JOBS_MAX)
			return usage_error(o, "--%s needs an integer from 0 to %d, got '%s'", n,
					   CLI_JOBS_MAX, val);
		if (v == 0) {
			long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
			v = ncpu < 1 ? 1 : ncpu > CLI_JOBS_MAX ? CLI_JOBS_MAX : (uint64_t)ncpu;
		}
		o->jobs = (int)v;
		break;
	}
	case O_HELP:
		break;
	}
	return 0;
}

int cli_parse(int argc, char **argv, int first, struct cli_opts *o)
{
	bool dashdash = false;
	for (int i = first; i < argc; i++) {
		const char *a = argv[i];
		if (dashdash || a[0] != '-' || a[1] == '\0') {
			if (o->file != NULL)
				return usage_error(
				    o, "unexpected argument '%s' (one scenario file only)", a);
			o->file = a;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			dashdash = true;
			continue;
		}
		if (strcmp(a, "-h") == 0)
			a = "--help";
		if (a[1] != '-')
			return usage_error(o, "unknown option '%s'", a);
		const char *name = a + 2;
		const char *eq = strchr(name, '=');
		size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
		const struct optdef *d = NULL;
		for (size_t k = 0; k < sizeof(optdefs) / sizeof(optdefs[0]); k++)
			if (strlen(optdefs[k].name) == nlen &&
			    memcmp(optdefs[k].name, name, nlen) == 0)
				d = &optdefs[k];
		if (d == NULL)
			return usage_error(o, "unknown option '%.*s'", (int)(nlen + 2), a);
		if (!(d->cmds & (1u << o->cmd)))
			return usage_error(o, "option '--%s' does not apply to %s", d->name,
					   cmd_names[o->cmd]);
		if (d->id == O_HELP) {
			cli_usage(stdout, cmd_names[o->cmd]);
			return -1;
		}
		const char *val = NULL;
		if (d->arg) {
			if (eq != NULL) {
				val = eq + 1;
			} else {
				if (i + 1 >= argc)
					return usage_error(o, "option '--%s' needs a value",
							   d->name);
				val = argv[++i];
			}
		} else if (eq != NULL) {
			return usage_error(o, "option '--%s' takes no value", d->name);
		}
		int r = set_opt(o, d, val);
		if (r != 0)
			return r;
	}
	if (o->file == NULL)
		return usage_error(o, "missing the scenario FILE");
	if (o->replay != NULL && o->has_policy && o->policy != SIMK_POLICY_REPLAY)
		return usage_error(o, "--replay implies --policy replay, not --policy %s",
				   cli_policy_name(o->policy));
	if (o->has_policy && o->policy == SIMK_POLICY_REPLAY && o->replay == NULL)
		return usage_error(o, "--policy replay needs --replay FILE");
	if (o->has_policy && o->policy == SIMK_POLICY_DFS && o->cmd != CMD_EXPLORE)
		return usage_error(o, "--policy dfs is a search: use 'simk explore --policy dfs'");
	if (o->has_bound && !(o->has_policy && o->policy == SIMK_POLICY_DFS))
		return usage_error(o, "--bound applies to --policy dfs");
	if (o->cmd == CMD_EXPLORE) {
		if (!o->has_runs)
			return usage_error(o, "missing --runs N");
		if (o->has_policy && o->policy == SIMK_POLICY_REPLAY)
			return usage_error(o, "explore cannot replay; use 'simk run --replay'");
	}
	if (o->replay != NULL) {
		o->policy = SIMK_POLICY_REPLAY;
		o->has_policy = true;
	}
	return 0;
}

struct scn_prog *cli_load(const struct cli_opts *o)
{
	char err[512];
	struct scn_prog *p = scn_load(o->file, err, sizeof(err));
	if (p == NULL)
		fprintf(stderr, "%s\n", err);
	return p;
}

void cli_merge_opts(const struct cli_opts *c, const struct scn_prog *p, struct simk_opts *o)
{
	simk_opts_default(o);
	scn_apply_options(p, o);
	if (c->has_seed)
		o->seed = c->seed;
	if (c->has_policy)
		o->policy = c->policy;
	if (c->has_preempt)
		o->preempt_prob = c->preempt;
	if (c->has_irq)
		o->irq_prob = c->irq;
	if (c->has_pct_depth)
		o->pct_depth = c->pct_depth;
	if (c->has_pct_steps)
		o->pct_steps = c->pct_steps;
	if (c->has_max_steps)
		o->max_steps = c->max_steps;
	if (c->replay != NULL)
		o->replay_path = c->replay;
	o->trace_keep_max = (size_t)c->trace_max;
}

struct simk *cli_start_err(const struct cli_opts *c, const struct scn_prog *p,
			   const struct simk_opts *o, char *err, size_t errlen)
{
	size_t elen = errlen > 512 ? 512 : errlen; /* messages cut as they always were */
	struct simk *s = simk_create(o, err, elen);
	if (s == NULL)
		return NULL;
	if (scn_instantiate(s, p, err, elen) != 0) {
		simk_destroy(s);
		return NULL;
	}
	for (int i = 0; i < c->nfaults; i++) {
		char ferr[512];
		if (sim_fault_enable(c->faults[i], ferr, sizeof(ferr)) != 0) {
			snprintf(err, errlen, "--fault: %s", ferr);
			simk_destroy(s);
			return NULL;
		}
	}
	return s;
}

struct simk *cli_start(const struct cli_opts *c, const struct scn_prog *p,
		       const struct simk_opts *o)
{
	char err[512 + 16];
	struct simk *s = cli_start_err(c, p, o, err, sizeof(err));
	if (s == NULL)
		fprintf(stderr, "simk: %s\n", err);
	return s;
}

int cli_calibrate_pct(const struct cli_opts *c, const struct scn_prog *p, struct simk_opts *o)
{
	if (o->policy != SIMK_POLICY_PCT || o->pct_steps != 0)
		return 0;
	struct simk_opts f = *o;
	f.policy = SIMK_POLICY_FIFO;
	f.keep_trace = false;
	f.schedule_out = NULL;
	struct simk *s = cli_start(c, p, &f);
	if (s == NULL)
		return EXIT_USAGE;
	simk_run(s);
	uint64_t k = simk_steps(s);
	simk_destroy(s);
	o->pct_steps = k > 0 ? k : 1;
	return 0;
}

/* Quotes a word for a POSIX shell when needed. */
static void shell_word(FILE *f, const char *w)
{
	bool plain = *w != '\0';
	for (const char *p = w; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr("/._-:=,+", *p) != NULL))
			plain = false;
	if (plain) {
		fputs(w, f);
		return;
	}
	fputc('\'', f);
	for (const char *p = w; *p; p++) {
		if (*p == '\'')
			fputs("'\\''", f);
		else
			fputc(*p, f);
	}
	fputc('\'', f);
}

static void print_prob(FILE *f, const char *flag, double v)
{
	char buf[40];
	snprintf(buf, sizeof(buf), "%g", v);
	if (strtod(buf, NULL) != v)
		snprintf(buf, sizeof(buf), "%.17g", v);
	fprintf(f, " %s %s", flag, buf);
}

void cli_shell_word(FILE *f, const char *w)
{
	shell_word(f, w);
}

void cli_repro(FILE *f, const struct cli_opts *c, const struct simk_opts *o)
{
	shell_word(f, c->argv0);
	fputs(" run ", f);
	shell_word(f, c->file);
	fprintf(f, " --seed %" PRIu64, o->seed);
	if (o->policy == SIMK_POLICY_REPLAY) {
		fputs(" --replay ", f);
		shell_word(f, o->replay_path);
	} else {
		fprintf(f, " --policy %s", cli_policy_name(o->policy));
	}
	if (o->policy == SIMK_POLICY_RANDOM)
		print_prob(f, "--preempt", o->preempt_prob);
	if (o->policy == SIMK_POLICY_PCT)
		fprintf(f, " --pct-depth %d --pct-steps %" PRIu64, o->pct_depth, o->pct_steps);
	if (c->has_irq)
		print_prob(f, "--irq", o->irq_prob);
	if (c->has_max_steps)
		fprintf(f, " --max-steps %" PRIu64, o->max_steps);
	for (int i = 0; i < c->nfaults; i++) {
		fputs(" --fault ", f);
		shell_word(f, c->faults[i]);
	}
	fputc('\n', f);
}

void cli_print_result(FILE *f, const struct simk *s, enum simk_outcome out)
{
	if (out == SIMK_PASS)
		fprintf(f,
			"PASS seed=%" PRIu64 " hash=%016" PRIx64 " switches=%" PRIu64
			" vtime=%" PRIu64 "ns\n",
			simk_seed(s), simk_trace_hash(s), simk_switches(s), simk_vtime_ns(s));
	else {
		/* a panic inside an operation: say which scenario line called it */
		char site[300];
		const char *reason = simk_failure_reason(s);
		bool add = out == SIMK_FAIL_PANIC && scn_failure_site(s, site, sizeof(site)) == 0 &&
			   strstr(reason, site) == NULL;
		fprintf(f, "FAIL seed=%" PRIu64 " hash=%016" PRIx64 " reason=%s%s%s%s\n",
			simk_seed(s), simk_trace_hash(s), reason, add ? " (at " : "",
			add ? site : "", add ? ")" : "");
	}
}

int cli_stdout_errno;

void cli_flush_stdout(void)
{
	errno = 0;
	if (fflush(stdout) != 0 && cli_stdout_errno == 0)
		cli_stdout_errno = errno != 0 ? errno : EIO;
}

void cli_report_failure(const struct cli_opts *c, const struct simk *s, const struct simk_opts *o)
{
	cli_flush_stdout();
	fprintf(stderr, "simk: %s\n", simk_failure_reason(s));
	fprintf(stderr, "last events:\n");
	trace_print_tail(&s->trace, stderr, 20);
	fprintf(stderr, "scenario threads:\n");
	scn_print_blocked(s, stderr);
	fputs("reproduce: ", stderr);
	cli_repro(stderr, c, o);
	fflush(stderr);
}

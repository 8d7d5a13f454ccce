/*
 * Shared parts of the simk commands: option merging, starting a run, and
 * the failure report with its reproducer line (flag parsing: options.c).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/swarm.h"
#include "sim/engine.h"
#include "sim/fault.h"
#include "scn/scn.h"

struct scn_prog *cli_load(const struct cli_opts *o)
{
	char err[512];
	struct scn_prog *p = scn_load_args(o->file, o->prog_args, o->nprog_args, err, sizeof(err));
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
	if (c->has_step_cost)
		o->step_cost_ns = c->step_cost;
	if (c->replay != NULL)
		o->replay_path = c->replay;
	o->trace_keep_max = (size_t)c->trace_max;
	if (c->has_device)
		o->device_opts = c->device;
	if (c->has_device_defaults)
		o->device_defaults = c->device_defaults;
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
	struct swarm w; /* --swarm: the --fault options this seed's run takes */
	const char *const *faults = c->faults;
	int nfaults = c->nfaults;
	if (c->swarm) {
		swarm_draw(c, o->seed, &w);
		faults = w.faults;
		nfaults = w.nfaults;
	}
	for (int i = 0; i < nfaults; i++) {
		char ferr[512];
		if (sim_fault_enable(faults[i], ferr, sizeof(ferr)) != 0) {
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

/* The end of every reproducer: device options, faults, a guest program's
 * arguments, the newline. */
static void repro_tail(FILE *f, const struct cli_opts *c)
{
	if (c->has_device_defaults) {
		fputs(" --device-defaults ", f);
		shell_word(f, c->device_defaults);
	}
	if (c->has_device) {
		fputs(" --device ", f);
		shell_word(f, c->device);
	}
	for (int i = 0; i < c->nfaults; i++) {
		fputs(" --fault ", f);
		shell_word(f, c->faults[i]);
	}
	if (c->nprog_args > 0) {
		fputs(" --", f);
		for (int i = 0; i < c->nprog_args; i++) {
			fputc(' ', f);
			shell_word(f, c->prog_args[i]);
		}
	}
	fputc('\n', f);
}

void cli_shell_word(FILE *f, const char *w)
{
	shell_word(f, w);
}

void cli_repro(FILE *f, const struct cli_opts *c, const struct simk_opts *o)
{
	struct swarm w;
	struct cli_opts fixed;
	if (c->swarm) { /* name what the run drew */
		swarm_fixed(c, o->seed, &w, &fixed);
		c = &fixed;
	}
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
	if (c->has_step_cost)
		fprintf(f, " --step-cost %" PRIu64, o->step_cost_ns);
	repro_tail(f, c);
}

void cli_repro_dfs(FILE *f, const struct cli_opts *c, bool por, int bound, uint64_t seed,
		   uint64_t path)
{
	shell_word(f, c->argv0);
	fputs(" explore ", f);
	shell_word(f, c->file);
	fprintf(f, " --policy dfs%s", por ? "" : " --por off");
	if (bound >= 0)
		fprintf(f, " --bound %d", bound);
	fprintf(f, " --seed-start %" PRIu64 " --runs %" PRIu64, seed, path);
	if (c->has_irq)
		print_prob(f, "--irq", c->irq);
	if (c->has_max_steps)
		fprintf(f, " --max-steps %" PRIu64, c->max_steps);
	if (c->has_step_cost)
		fprintf(f, " --step-cost %" PRIu64, c->step_cost);
	repro_tail(f, c);
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
	cli_report_failure_repro(c, s, o, NULL);
}

void cli_report_failure_repro(const struct cli_opts *c, const struct simk *s,
			      const struct simk_opts *o, const char *repro)
{
	cli_flush_stdout();
	if (!c->quiet) { /* --quiet: the result line (stdout) and the reproducer */
		fprintf(stderr, "simk: %s\n", simk_failure_reason(s));
		fprintf(stderr, "last events:\n");
		trace_print_tail(&s->trace, stderr, 20);
		fprintf(stderr, "threads:\n"); /* a scenario's or a guest program's */
		scn_print_blocked(s, stderr);
	}
	fputs("reproduce: ", stderr);
	if (repro != NULL)
		fputs(repro, stderr);
	else
		cli_repro(stderr, c, o);
	fflush(stderr);
}

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
#include "sim/trace_cause.h"
#include "sim/trace_html.h"
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
	const char *slash = c->file != NULL ? strrchr(c->file, '/') : NULL;
	s->trace.src = slash != NULL ? slash + 1 : c->file;
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

void cli_trace_view_opts(const struct cli_opts *c, struct trace_text_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->level = c->has_trace_level ? (enum trace_level)c->trace_level : TRACE_LEVEL_KERNEL;
	o->filter = c->trace_filter;
	o->fold = !c->trace_nofold;
	const char *slash = c->file != NULL ? strrchr(c->file, '/') : NULL;
	o->src = slash != NULL ? slash + 1 : c->file;
}

void cli_trace_print(const struct cli_opts *c, const struct simk *s, FILE *f)
{
	struct trace_text_opts o;
	cli_trace_view_opts(c, &o);
	struct trace_text *tt = trace_text_new(s, f, &o);
	if (tt == NULL)
		return;
	for (size_t i = 0; i < s->trace.len; i++)
		trace_text_ev(tt, &s->trace.evs[i]);
	trace_text_end(tt);
}

/* "how we got here" (sim/trace_cause.h) of the failed run s from its
 * kept trace, as text to print later (the caller frees it); NULL when the
 * trace was not kept whole. */
char *cli_explain_kept(const struct cli_opts *c, const struct simk *s)
{
	if (!s->trace.keep || s->trace.len != s->trace.count)
		return NULL;
	struct trace_text_opts v;
	cli_trace_view_opts(c, &v);
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	if (m == NULL)
		return NULL;
	trace_explain_failure(s, v.src, m, CLI_EXPLAIN_STEPS_MAX);
	fclose(m);
	return buf;
}

void cli_explain_failure(const struct cli_opts *c, const struct scn_prog *p,
			 const struct simk_opts *o, uint64_t hash, char *kept, FILE *f)
{
	if (kept != NULL) {
		fputs(kept, f);
		free(kept);
		return;
	}
	/* Runs are deterministic: the same program and options again, keeping
	 * the trace this time, give the same events. */
	struct simk_opts ko = *o;
	ko.keep_trace = true;
	ko.schedule_out = NULL;
	struct simk *k = cli_start(c, p, &ko);
	if (k == NULL)
		return;
	simk_run(k);
	struct trace_text_opts v;
	cli_trace_view_opts(c, &v);
	if (simk_trace_hash(k) == hash && k->trace.len == k->trace.count)
		trace_explain_failure(k, v.src, f, CLI_EXPLAIN_STEPS_MAX);
	simk_destroy(k);
}

int cli_write_html(const struct simk *s, const char *path)
{
	FILE *f = fopen(path, "w");
	if (f == NULL)
		return -1;
	errno = 0;
	int rc = trace_export_html(s, f, s->trace.src);
	bool bad = rc != 0 || ferror(f) != 0;
	if (fclose(f) != 0 || bad) {
		if (errno == 0)
			errno = EIO;
		return -1;
	}
	return 0;
}

void cli_print_props(FILE *f, const struct scn_prog *p, const struct simk *s)
{
	uint64_t hit = scn_props_hit(s);
	struct scn_prop_info in;
	for (int k = 0; scn_prop_at(p, k, &in); k++) {
		if (strcmp(in.kind, "sometimes") != 0 && strcmp(in.kind, "reachable") != 0)
			continue;
		fprintf(f, "%s %s:%d%s%s: %s\n", in.kind, scn_prog_name(p), in.line,
			in.text[0] ? " " : "", in.text,
			hit & (1ull << k) ? "true in this run" : "not true in this run");
	}
}

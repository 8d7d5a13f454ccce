/*
 * simk check-determinism FILE [--seed N]: the same run twice in one
 * process. Equal hashes: exit 0. Different: the first event where the two
 * traces part is printed (state that leaked from the first run into the
 * second, or something read from the host), exit 1.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "sim/engine.h"
#include "scn/scn.h"

struct one_run {
	uint64_t hash;
	enum simk_outcome out;
	struct trace_ev *evs;
	size_t n;
	uint64_t dropped; /* events past --trace-max-events, not kept */
};

static int run_once(const struct cli_opts *c, const struct scn_prog *p, const struct simk_opts *o,
		    struct one_run *r)
{
	struct simk *s = cli_start(c, p, o);
	if (s == NULL)
		return -1;
	r->out = simk_run(s);
	r->hash = simk_trace_hash(s);
	r->n = s->trace.len;
	r->dropped = simk_trace_dropped(s);
	r->evs = calloc(r->n ? r->n : 1, sizeof(*r->evs));
	bool ok = r->evs != NULL;
	/* names may live in the simulation (thread names): copy them */
	for (size_t i = 0; ok && i < r->n; i++) {
		r->evs[i] = s->trace.evs[i];
		r->evs[i].name = strdup(s->trace.evs[i].name);
		ok = r->evs[i].name != NULL;
	}
	simk_destroy(s);
	return ok ? 0 : -1;
}

static void free_run(struct one_run *r)
{
	for (size_t i = 0; r->evs != NULL && i < r->n; i++)
		free((void *)r->evs[i].name);
	free(r->evs);
}

static bool same_ev(const struct trace_ev *a, const struct trace_ev *b)
{
	return a->vtime_ns == b->vtime_ns && a->tid == b->tid && a->type == b->type &&
	       strcmp(a->name, b->name) == 0 && memcmp(a->a, b->a, sizeof(a->a)) == 0;
}

int cmd_check(struct cli_opts *c)
{
	struct scn_prog *p = cli_load(c);
	if (p == NULL)
		return EXIT_USAGE;
	struct simk_opts o;
	cli_merge_opts(c, p, &o);
	o.keep_trace = true;
	int rc = cli_calibrate_pct(c, p, &o);
	struct one_run r[2];
	memset(r, 0, sizeof(r));
	if (rc == 0 && (run_once(c, p, &o, &r[0]) != 0 || run_once(c, p, &o, &r[1]) != 0))
		rc = EXIT_USAGE;
	if (rc == 0) {
		for (int i = 0; i < 2; i++)
			printf("run %d: hash=%016" PRIx64 " outcome=%d events=%zu\n", i + 1,
			       r[i].hash, (int)r[i].out, r[i].n);
		if (r[0].hash == r[1].hash && r[0].out == r[1].out) {
			printf("deterministic: seed=%" PRIu64 " policy=%s hash=%016" PRIx64 "\n",
			       o.seed, cli_policy_name(o.policy), r[0].hash);
		} else {
			size_t i = 0;
			while (i < r[0].n && i < r[1].n && same_ev(&r[0].evs[i], &r[1].evs[i]))
				i++;
			printf("NOT deterministic: seed=%" PRIu64
			       " policy=%s; traces part at event %zu\n",
			       o.seed, cli_policy_name(o.policy), i);
			for (int k = 0; k < 2; k++) {
				char buf[160] = "(end of trace)";
				if (i < r[k].n)
					trace_format_ev(&r[k].evs[i], buf, sizeof(buf));
				else if (r[k].dropped > 0)
					snprintf(buf, sizeof(buf),
						 "(end of the %zu events kept: --trace-max-events N "
						 "keeps more)",
						 r[k].n);
				printf("  run %d: %s\n", k + 1, buf);
			}
			rc = 1;
		}
	}
	free_run(&r[0]);
	free_run(&r[1]);
	scn_free(p);
	return rc;
}

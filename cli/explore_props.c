/*
 * The `sometimes` and `reachable` properties of a scenario across a search
 * (docs/scenarios.md, "Properties"): for each, how many runs it held in and
 * the first one (the lowest ordinal, so the answer does not depend on
 * --jobs), reported after the summary. A property that held in no run
 * makes the search fail (exit 1): the race window it marks was never
 * reached, so the search says nothing about it — or, after a complete dfs
 * search, it cannot be reached at all.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli/explore.h"
#include "scn/scn.h"

void eprops_init(struct explore_props *ep, const struct scn_prog *p)
{
	memset(ep, 0, sizeof(*ep));
	struct scn_prop_info in;
	for (int k = 0; scn_prop_at(p, k, &in); k++) {
		ep->n = k + 1;
		ep->first[k] = UINT64_MAX;
		if (strcmp(in.kind, "sometimes") == 0 || strcmp(in.kind, "reachable") == 0)
			ep->counted |= 1ull << k;
	}
}

void eprops_note(struct explore_props *ep, uint64_t hit, uint64_t ord)
{
	hit &= ep->counted;
	for (int k = 0; hit != 0; k++, hit >>= 1)
		if (hit & 1) {
			ep->count[k]++;
			if (ord < ep->first[k])
				ep->first[k] = ord;
		}
}

void eprops_merge(struct explore_props *ep, int k, uint64_t first, uint64_t count)
{
	if (k < 0 || k >= ep->n)
		return;
	ep->count[k] += count;
	if (first < ep->first[k])
		ep->first[k] = first;
}

/* The seed of seeds-mode ordinal ord. */
static uint64_t seed_of(const struct explore *ex, uint64_t ord)
{
	return explore_seed_opts(ex, ord).seed;
}

/* The command that runs the witness of property k again (one line, no
 * newline; malloc'd, NULL when out of memory). */
static char *witness(const struct explore *ex, int k)
{
	char *w = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&w, &n);
	if (f == NULL)
		return NULL;
	uint64_t ord = ex->props.first[k];
	if (ex->dfs) {
		cli_repro_dfs(f, ex->c, ex->por, ex->bound, ex->start, ord + 1);
	} else {
		struct simk_opts o = explore_seed_opts(ex, ord);
		cli_repro(f, ex->c, &o);
	}
	fclose(f);
	while (n > 0 && w[n - 1] == '\n')
		w[--n] = '\0';
	return w;
}

int eprops_report(const struct explore *ex, uint64_t runs, bool complete)
{
	const struct explore_props *ep = &ex->props;
	const char *unit = ex->dfs ? "paths" : "runs";
	int never = 0;
	struct scn_prop_info in;
	for (int k = 0; k < ep->n && scn_prop_at(ex->p, k, &in); k++) {
		if (!(ep->counted & (1ull << k)))
			continue;
		if (ex->c->json)
			continue; /* in the JSON object (explore_json.c) */
		printf("%s %s:%d%s%s: ", in.kind, scn_prog_name(ex->p), in.line, in.text[0] ? " " : "",
		       in.text);
		if (ep->count[k] == 0) {
			printf("never true in %" PRIu64 " %s\n", runs, unit);
		} else {
			if (ex->dfs)
				printf("true in %" PRIu64 " of %" PRIu64 " paths, first on path %" PRIu64
				       "\n",
				       ep->count[k], runs, ep->first[k] + 1);
			else
				printf("true in %" PRIu64 " of %" PRIu64 " runs, first in run %" PRIu64
				       " (seed %" PRIu64 ")\n",
				       ep->count[k], runs, ep->first[k] + 1,
				       seed_of(ex, ep->first[k]));
			char *w = witness(ex, k);
			printf("  witness: %s\n", w != NULL ? w : "(out of memory)");
			free(w);
		}
		never += ep->count[k] == 0;
	}
	for (int k = 0; ex->c->json && k < ep->n; k++)
		never += (ep->counted & (1ull << k)) && ep->count[k] == 0;
	if (never > 0 && !ex->c->json && complete)
		printf("FAIL %d %s never reached: no path of the complete search reaches %s\n",
		       never, never == 1 ? "property was" : "properties were",
		       never == 1 ? "it" : "them");
	else if (never > 0 && !ex->c->json)
		printf("FAIL %d %s never reached: the search did not cover %s\n", never,
		       never == 1 ? "property was" : "properties were",
		       never == 1 ? "it" : "them");
	return never > 0 ? 1 : 0;
}

void eprops_json(FILE *f, const struct explore *ex)
{
	const struct explore_props *ep = &ex->props;
	struct scn_prop_info in;
	fputs(", \"properties\": [", f);
	bool first = true;
	for (int k = 0; k < ep->n && scn_prop_at(ex->p, k, &in); k++) {
		if (!(ep->counted & (1ull << k)))
			continue;
		fprintf(f, "%s{\"kind\": \"%s\", \"line\": %d, \"condition\": ", first ? "" : ", ",
			in.kind, in.line);
		json_str(f, in.text);
		fprintf(f, ", \"true_in\": %" PRIu64, ep->count[k]);
		if (ep->count[k] == 0) {
			fputs(", \"first\": null, \"seed\": null, \"witness\": null}", f);
		} else {
			if (ex->dfs)
				fprintf(f, ", \"first\": %" PRIu64 ", \"seed\": null",
					ep->first[k] + 1);
			else
				fprintf(f, ", \"first\": %" PRIu64 ", \"seed\": %" PRIu64,
					ep->first[k] + 1, seed_of(ex, ep->first[k]));
			char *w = witness(ex, k);
			fputs(", \"witness\": ", f);
			json_str(f, w != NULL ? w : "");
			free(w);
			fputc('}', f);
		}
		first = false;
	}
	fputc(']', f);
}

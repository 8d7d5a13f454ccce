/*
 * simk explore --json: the result of a search as one JSON object on stdout,
 * for scripts and for `simk merge` (cli/cmd_merge.c), which combines the
 * objects of the shards of one search. docs/scale.md describes the format;
 * `format` changes when a field changes meaning.
 *
 * Only this file writes the format and only cmd_merge.c reads it.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli/explore.h"

void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\t': fputs("\\t", f); break;
		case '\r': fputs("\\r", f); break;
		default:
			if (*p < 0x20)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

/* The fields every result has: what was searched. */
static void head(FILE *f, const struct explore *ex, uint64_t done)
{
	const struct cli_opts *c = ex->c;
	fputs("{\"simk\": \"explore\", \"format\": " EXPLORE_JSON_FORMAT_S ", \"file\": ", f);
	json_str(f, c->file);
	fprintf(f, ", \"mode\": \"%s\", \"policy\": ", ex->dfs ? "dfs" : c->swarm ? "swarm" : "seeds");
	json_str(f, cli_policy_name(ex->base.policy));
	fprintf(f, ", \"seed_start\": %" PRIu64 ", \"runs\": %" PRIu64, ex->start, c->runs);
	if (c->has_shard)
		fprintf(f, ", \"shard\": {\"index\": %" PRIu64 ", \"count\": %" PRIu64 "}",
			ex->shard_i, ex->shard_n);
	else
		fputs(", \"shard\": null", f);
	fprintf(f, ", \"ran\": %" PRIu64, done);
}

void explore_json_summary(const struct explore *ex, uint64_t done, const struct hashset *hs,
			  bool complete)
{
	FILE *f = stdout;
	head(f, ex, done);
	fprintf(f, ", \"complete\": %s, \"distinct_hashes\": %zu, \"distinct_exact\": %s",
		complete || (!ex->dfs && done == ex->total) ? "true" : "false", hs->n,
		hs->saturated ? "false" : "true");
	if (!hs->saturated) {
		fputs(", \"hashes\": [", f);
		bool first = true;
		if (hs->has_zero) {
			fputs("\"0000000000000000\"", f);
			first = false;
		}
		for (size_t i = 0; i < hs->cap; i++)
			if (hs->slot[i] != 0) {
				fprintf(f, "%s\"%016" PRIx64 "\"", first ? "" : ", ", hs->slot[i]);
				first = false;
			}
		fputc(']', f);
	}
	eprops_json(f, ex);
	fputs(", \"failure\": null}\n", f);
}

void explore_json_failure(const struct explore *ex, uint64_t done, uint64_t seed,
			  enum simk_outcome out, const char *reason, const char *result,
			  const char *reproduce, const char *sched)
{
	FILE *f = stdout;
	head(f, ex, done);
	fprintf(f, ", \"complete\": false, \"failure\": {\"run\": %" PRIu64 ", \"seed\": %" PRIu64
		   ", \"outcome\": %d, \"reason\": ",
		done, seed, (int)out);
	json_str(f, reason);
	fputs(", \"result\": ", f);
	json_str(f, result);
	fputs(", \"reproduce\": ", f);
	json_str(f, reproduce);
	fputs(", \"schedule\": ", f);
	if (sched != NULL)
		json_str(f, sched);
	else
		fputs("null", f);
	fputs("}}\n", f);
}

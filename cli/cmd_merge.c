/*
 * simk merge SHARD.json...: one report from the --json results of the
 * shards of one search (simk explore --shard I/N --json, run anywhere:
 * docs/scale.md has the GNU parallel and Slurm recipes).
 *
 * The shards must be of the same search (file, policy, seeds, runs, shard
 * count) and all of them must be there, each once: a missing shard could
 * hold a lower failing seed. The report is the one-process search's: the
 * globally lowest failing seed with its reproducer and FAIL line (exit
 * code: its outcome), or the summary with the distinct trace hashes of
 * every shard (exit 0). A file may hold one result or several, one per
 * line (JSON Lines: what GNU parallel collects from the shards' stdout).
 * --json writes the merged result in the format of explore --json (shard
 * null).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli/explore.h"
#include "cli/json.h"

#define MERGE_FILE_MAX (512u << 20) /* bytes of one shard's result */

struct shard {
	const char *path;
	struct json *j;
	uint64_t index, count, ran;
	const struct json *failure;
	uint64_t fail_seed;
};

static char *read_file(const char *path, size_t *len, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		snprintf(err, errlen, "cannot open: %s", strerror(errno));
		return NULL;
	}
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	while (buf != NULL) {
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
		if (n == cap) {
			char *nb = cap >= MERGE_FILE_MAX ? NULL : realloc(buf, cap * 2);
			if (nb == NULL) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
	}
	bool bad = ferror(f) != 0;
	fclose(f);
	if (buf == NULL || bad) {
		snprintf(err, errlen, "%s", buf == NULL ? "too large or out of memory" : "read error");
		free(buf);
		return NULL;
	}
	*len = n;
	return buf;
}

/* The same value in every shard: a string member. */
static const char *str_of(const struct shard *s, const char *key)
{
	return json_string(json_get(s->j, key));
}

static bool same_search(const struct shard *a, const struct shard *b, char *what, size_t len)
{
	static const char *const strs[] = {"file", "mode", "policy"};
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		if (strcmp(str_of(a, strs[i]), str_of(b, strs[i])) != 0) {
			snprintf(what, len, "%s '%s', not '%s'", strs[i], str_of(b, strs[i]),
				 str_of(a, strs[i]));
			return false;
		}
	static const char *const nums[] = {"seed_start", "runs"};
	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		uint64_t x = 0, y = 0;
		json_u64(json_get(a->j, nums[i]), &x);
		json_u64(json_get(b->j, nums[i]), &y);
		if (x != y) {
			snprintf(what, len, "%s %" PRIu64 ", not %" PRIu64, nums[i], y, x);
			return false;
		}
	}
	if (a->count != b->count) {
		snprintf(what, len, "%" PRIu64 " shards, not %" PRIu64, b->count, a->count);
		return false;
	}
	return true;
}

/* Checks one shard's result (s->j, from s->path). */
static int check_shard(struct shard *s)
{
	uint64_t format = 0;
	const char *what = NULL;
	if (s->j->type != J_OBJ || str_of(s, "simk") == NULL ||
	    strcmp(str_of(s, "simk"), "explore") != 0)
		what = "not a result of simk explore --json";
	else if (!json_u64(json_get(s->j, "format"), &format) ||
		 format != (uint64_t)atoi(EXPLORE_JSON_FORMAT_S))
		what = "a result format this simk does not read";
	else if (str_of(s, "file") == NULL || str_of(s, "mode") == NULL ||
		 str_of(s, "policy") == NULL || !json_u64(json_get(s->j, "ran"), &s->ran) ||
		 json_get(s->j, "failure") == NULL)
		what = "a field is missing";
	if (what == NULL) {
		const struct json *sh = json_get(s->j, "shard");
		s->index = 0;
		s->count = 1;
		if (sh != NULL && sh->type == J_OBJ &&
		    (!json_u64(json_get(sh, "index"), &s->index) ||
		     !json_u64(json_get(sh, "count"), &s->count) || s->index >= s->count))
			what = "a bad shard";
		s->failure = json_get(s->j, "failure");
		if (s->failure->type == J_NULL)
			s->failure = NULL;
		else if (s->failure->type != J_OBJ ||
			 !json_u64(json_get(s->failure, "seed"), &s->fail_seed) ||
			 json_string(json_get(s->failure, "result")) == NULL ||
			 json_string(json_get(s->failure, "reproduce")) == NULL)
			what = "a bad failure";
	}
	if (what != NULL) {
		fprintf(stderr, "simk: merge: %s: %s\n", s->path, what);
		return -1;
	}
	return 0;
}

/* Reads the results in one file: one JSON object, or several (JSON Lines,
 * as GNU parallel collects them), appended to *sh. */
static int load(const char *path, struct shard **sh, int *n, int *cap)
{
	char err[200];
	size_t len, off = 0;
	char *text = read_file(path, &len, err, sizeof(err));
	if (text == NULL) {
		fprintf(stderr, "simk: merge: %s: %s\n", path, err);
		return -1;
	}
	int rc = 0, found = 0;
	while (off < len && rc == 0) {
		while (off < len && (text[off] == ' ' || text[off] == '\n' || text[off] == '\t' ||
				     text[off] == '\r'))
			off++;
		if (off == len)
			break;
		if (*n == *cap) {
			int ncap = *cap ? *cap * 2 : 16;
			struct shard *ns = realloc(*sh, (size_t)ncap * sizeof(*ns));
			if (ns == NULL) {
				fprintf(stderr, "simk: merge: out of memory\n");
				rc = -1;
				break;
			}
			*sh = ns;
			*cap = ncap;
		}
		struct shard *s = &(*sh)[*n];
		memset(s, 0, sizeof(*s));
		s->path = path;
		s->j = json_parse_next(text, len, &off, err, sizeof(err));
		if (s->j == NULL) {
			fprintf(stderr, "simk: merge: %s: not JSON (%s)\n", path, err);
			rc = -1;
			break;
		}
		(*n)++;
		found++;
		rc = check_shard(s);
	}
	if (rc == 0 && found == 0) {
		fprintf(stderr, "simk: merge: %s: empty\n", path);
		rc = -1;
	}
	free(text);
	return rc;
}

/* The union of the shards' distinct hashes; false when a shard kept only a
 * count (its set saturated): then *bound is a lower bound. */
static int union_hashes(struct shard *sh, int n, struct hashset *hs, size_t *bound)
{
	*bound = 0;
	for (int i = 0; i < n; i++) {
		uint64_t d = 0;
		json_u64(json_get(sh[i].j, "distinct_hashes"), &d);
		if (d > *bound)
			*bound = (size_t)d;
		const struct json *l = json_get(sh[i].j, "hashes");
		if (l == NULL || l->type != J_ARR) {
			hs->saturated = true;
			continue;
		}
		for (size_t k = 0; k < l->n; k++) {
			const char *x = json_string(l->items[k]);
			char *end;
			uint64_t v = x != NULL ? strtoull(x, &end, 16) : 0;
			if (x == NULL || *end != '\0' || hs_add(hs, v) != 0) {
				fprintf(stderr, "simk: merge: %s: a bad hash\n", sh[i].path);
				return -1;
			}
		}
	}
	if (hs->n > *bound)
		*bound = hs->n;
	return 0;
}

/* The sometimes/reachable properties of the shards (explore_props.c):
 * runs summed, the witness with the lowest seed. */
struct mprop {
	const struct json *p; /* the first shard's entry: kind, line, condition */
	uint64_t true_in, seed;
	const char *witness; /* NULL: never true */
};

static int merge_props(const struct shard *sh, int n, struct mprop *mp, int max)
{
	const struct json *l0 = json_get(sh[0].j, "properties");
	int np = l0 != NULL && l0->type == J_ARR ? (int)l0->n : 0;
	if (np > max)
		np = max;
	for (int k = 0; k < np; k++) {
		mp[k] = (struct mprop){l0->items[k], 0, UINT64_MAX, NULL};
		for (int i = 0; i < n; i++) {
			const struct json *l = json_get(sh[i].j, "properties");
			if (l == NULL || l->type != J_ARR || (int)l->n != (int)l0->n) {
				fprintf(stderr, "simk: merge: %s: its properties are not %s's\n",
					sh[i].path, sh[0].path);
				return -1;
			}
			uint64_t t = 0, seed = 0;
			json_u64(json_get(l->items[k], "true_in"), &t);
			mp[k].true_in += t;
			const char *w = json_string(json_get(l->items[k], "witness"));
			if (t > 0 && w != NULL && json_u64(json_get(l->items[k], "seed"), &seed) &&
			    seed < mp[k].seed) {
				mp[k].seed = seed;
				mp[k].witness = w;
			}
		}
	}
	return np;
}

static void props_json(const struct mprop *mp, int np, uint64_t start)
{
	fputs(", \"properties\": [", stdout);
	for (int k = 0; k < np; k++) {
		uint64_t line = 0;
		json_u64(json_get(mp[k].p, "line"), &line);
		printf("%s{\"kind\": ", k ? ", " : "");
		json_str(stdout, json_string(json_get(mp[k].p, "kind")));
		printf(", \"line\": %" PRIu64 ", \"condition\": ", line);
		json_str(stdout, json_string(json_get(mp[k].p, "condition")));
		printf(", \"true_in\": %" PRIu64, mp[k].true_in);
		if (mp[k].witness == NULL) {
			fputs(", \"first\": null, \"seed\": null, \"witness\": null}", stdout);
			continue;
		}
		/* the shards split the seeds by run index: run = seed - start */
		printf(", \"first\": %" PRIu64 ", \"seed\": %" PRIu64 ", \"witness\": ",
		       mp[k].seed - start + 1, mp[k].seed);
		json_str(stdout, mp[k].witness);
		fputc('}', stdout);
	}
	fputc(']', stdout);
}

/* One line per property, as explore prints them; the number never true. */
static int props_text(const struct shard *a, const struct mprop *mp, int np, uint64_t ran)
{
	int never = 0;
	for (int k = 0; k < np; k++) {
		uint64_t line = 0;
		json_u64(json_get(mp[k].p, "line"), &line);
		const char *cond = json_string(json_get(mp[k].p, "condition"));
		printf("%s %s:%" PRIu64 "%s%s: ", json_string(json_get(mp[k].p, "kind")),
		       str_of(a, "file"), line, cond && cond[0] ? " " : "", cond ? cond : "");
		if (mp[k].witness == NULL) {
			printf("never true in %" PRIu64 " runs\n", ran);
			never++;
			continue;
		}
		printf("true in %" PRIu64 " of %" PRIu64 " runs, first with seed %" PRIu64
		       "\n  witness: %s\n",
		       mp[k].true_in, ran, mp[k].seed, mp[k].witness);
	}
	if (never > 0)
		printf("FAIL %d %s never reached: the search did not cover %s\n", never,
		       never == 1 ? "property was" : "properties were", never == 1 ? "it" : "them");
	return never;
}

static void merged_json(const struct shard *a, int n, uint64_t ran, const struct hashset *hs,
			size_t distinct, const struct shard *fail, const struct mprop *mp, int np)
{
	fputs("{\"simk\": \"explore\", \"format\": " EXPLORE_JSON_FORMAT_S ", \"file\": ", stdout);
	json_str(stdout, str_of(a, "file"));
	printf(", \"mode\": \"%s\", \"policy\": ", str_of(a, "mode"));
	json_str(stdout, str_of(a, "policy"));
	uint64_t start = 0, runs = 0;
	json_u64(json_get(a->j, "seed_start"), &start);
	json_u64(json_get(a->j, "runs"), &runs);
	printf(", \"seed_start\": %" PRIu64 ", \"runs\": %" PRIu64 ", \"shard\": null, \"shards\": %d"
	       ", \"ran\": %" PRIu64,
	       start, runs, n, ran);
	if (fail == NULL) {
		printf(", \"complete\": true, \"distinct_hashes\": %zu, \"distinct_exact\": %s",
		       distinct, hs->saturated ? "false" : "true");
		if (!hs->saturated) {
			fputs(", \"hashes\": [", stdout);
			bool first = true;
			if (hs->has_zero) {
				fputs("\"0000000000000000\"", stdout);
				first = false;
			}
			for (size_t i = 0; i < hs->cap; i++)
				if (hs->slot[i] != 0) {
					printf("%s\"%016" PRIx64 "\"", first ? "" : ", ", hs->slot[i]);
					first = false;
				}
			fputc(']', stdout);
		}
		props_json(mp, np, start);
		fputs(", \"failure\": null}\n", stdout);
		return;
	}
	const struct json *f = fail->failure;
	uint64_t run = 0, outcome = 0;
	json_u64(json_get(f, "run"), &run);
	json_u64(json_get(f, "outcome"), &outcome);
	printf(", \"complete\": false, \"failure\": {\"run\": %" PRIu64 ", \"seed\": %" PRIu64
	       ", \"outcome\": %" PRIu64 ", \"shard\": {\"index\": %" PRIu64 ", \"count\": %" PRIu64
	       "}, \"reason\": ",
	       run, fail->fail_seed, outcome, fail->index, fail->count);
	json_str(stdout, json_string(json_get(f, "reason")) ? json_string(json_get(f, "reason"))
							    : "");
	fputs(", \"result\": ", stdout);
	json_str(stdout, json_string(json_get(f, "result")));
	fputs(", \"reproduce\": ", stdout);
	json_str(stdout, json_string(json_get(f, "reproduce")));
	fputs(", \"schedule\": ", stdout);
	const char *sched = json_string(json_get(f, "schedule"));
	if (sched != NULL)
		json_str(stdout, sched);
	else
		fputs("null", stdout);
	fputs("}}\n", stdout);
}

int cmd_merge(struct cli_opts *c)
{
	struct shard *sh = NULL;
	int n = 0, cap = 0, rc = 0;
	for (int i = 0; i < c->nargs && rc == 0; i++)
		if (load(c->args[i], &sh, &n, &cap) != 0)
			rc = EXIT_USAGE;
	char what[300];
	for (int i = 1; i < n && rc == 0; i++)
		if (!same_search(&sh[0], &sh[i], what, sizeof(what))) {
			fprintf(stderr, "simk: merge: %s is of another search than %s: %s\n",
				sh[i].path, sh[0].path, what);
			rc = EXIT_USAGE;
		}
	uint64_t count = n > 0 ? sh[0].count : 0;
	for (int i = 0; i < n && rc == 0; i++) /* each shard once */
		for (int k = 0; k < i && rc == 0; k++)
			if (sh[k].index == sh[i].index) {
				fprintf(stderr,
					"simk: merge: %s and %s are both shard %" PRIu64 "/%" PRIu64
					"\n",
					sh[k].path, sh[i].path, sh[i].index, count);
				rc = EXIT_USAGE;
			}
	if (rc == 0 && (uint64_t)n != count) { /* and every one of them */
		fprintf(stderr,
			"simk: merge: %d of %" PRIu64 " shards given: every shard is needed (a "
			"missing one may hold a lower failing seed)\n",
			n, count);
		rc = EXIT_USAGE;
	}
	uint64_t ran = 0;
	const struct shard *fail = NULL;
	for (int i = 0; i < n && rc == 0; i++) {
		ran += sh[i].ran;
		if (sh[i].failure != NULL && (fail == NULL || sh[i].fail_seed < fail->fail_seed))
			fail = &sh[i];
	}
	struct hashset hs = {0};
	size_t distinct = 0;
	if (rc == 0 && fail == NULL && union_hashes(sh, n, &hs, &distinct) != 0)
		rc = EXIT_USAGE;
	struct mprop mp[64];
	int np = 0;
	if (rc == 0 && fail == NULL && (np = merge_props(sh, n, mp, 64)) < 0)
		rc = EXIT_USAGE;
	bool never = false;
	for (int k = 0; k < np; k++)
		never |= mp[k].witness == NULL;
	if (rc == 0 && c->json) {
		merged_json(&sh[0], n, ran, &hs, distinct, fail, mp, np);
	} else if (rc == 0 && fail == NULL) {
		uint64_t start = 0, runs = 0;
		json_u64(json_get(sh[0].j, "seed_start"), &start);
		json_u64(json_get(sh[0].j, "runs"), &runs);
		printf("merged %d shard%s: explored %" PRIu64 " runs (policy %s, seeds %" PRIu64
		       "..%" PRIu64 "): all passed, distinct hashes=%s%zu\n",
		       n, n == 1 ? "" : "s", ran, str_of(&sh[0], "policy"), start,
		       runs ? start + runs - 1 : start, hs.saturated ? ">=" : "", distinct);
		props_text(&sh[0], mp, np, ran);
	} else if (rc == 0) {
		uint64_t run = 0;
		json_u64(json_get(fail->failure, "run"), &run);
		printf("merged %d shard%s: %" PRIu64 " runs; the lowest failing seed is %" PRIu64
		       " (shard %" PRIu64 "/%" PRIu64 ", its run %" PRIu64 ", policy %s)\n",
		       n, n == 1 ? "" : "s", ran, fail->fail_seed, fail->index, fail->count, run,
		       str_of(fail, "policy"));
		const char *sched = json_string(json_get(fail->failure, "schedule"));
		if (sched != NULL)
			printf("schedule: %s\n", sched);
		printf("reproduce: %s\n%s\n", json_string(json_get(fail->failure, "reproduce")),
		       json_string(json_get(fail->failure, "result")));
	}
	if (rc == 0 && fail == NULL && never)
		rc = 1; /* as explore: a property no shard reached */
	if (rc == 0 && fail != NULL) {
		uint64_t out = 0;
		json_u64(json_get(fail->failure, "outcome"), &out);
		rc = out >= 1 && out <= 4 ? (int)out : EXIT_USAGE;
	}
	hs_free(&hs);
	for (int i = 0; i < n; i++)
		json_free(sh[i].j);
	free(sh);
	return rc;
}

/* Suggestions for unknown names (scn/scn_suggest.h). */
#include "scn/scn_suggest.h"

#include <stdio.h>
#include <string.h>

#include "scn/scn.h"

#define SUGGEST_LEN_MAX 64 /* names are at most 63 bytes */

/* Optimal string alignment distance (Damerau-Levenshtein without
 * repeated edits of a substring), stopping early past limit. */
static int distance(const char *a, const char *b, int limit)
{
	int la = (int)strlen(a), lb = (int)strlen(b);
	if (la >= SUGGEST_LEN_MAX || lb >= SUGGEST_LEN_MAX || la - lb > limit || lb - la > limit)
		return limit + 1;
	int d[3][SUGGEST_LEN_MAX + 1]; /* rows i-2, i-1, i (mod 3) */
	for (int j = 0; j <= lb; j++)
		d[0][j] = j;
	for (int i = 1; i <= la; i++) {
		int *cur = d[i % 3], *prev = d[(i + 2) % 3], *prev2 = d[(i + 1) % 3];
		cur[0] = i;
		int rowmin = cur[0];
		for (int j = 1; j <= lb; j++) {
			int cost = a[i - 1] == b[j - 1] ? 0 : 1;
			int v = prev[j] + 1;
			if (cur[j - 1] + 1 < v)
				v = cur[j - 1] + 1;
			if (prev[j - 1] + cost < v)
				v = prev[j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    prev2[j - 2] + 1 < v)
				v = prev2[j - 2] + 1;
			cur[j] = v;
			if (v < rowmin)
				rowmin = v;
		}
		if (rowmin > limit)
			return limit + 1;
	}
	return d[la % 3][lb];
}

static int limit_for(const char *name)
{
	size_t n = strlen(name);
	return n <= 4 ? 1 : n <= 8 ? 2 : 3;
}

void scn_suggest_init(struct scn_suggest *g, const char *name)
{
	g->name = name;
	g->best = NULL;
	g->best_d = limit_for(name) + 1;
}

void scn_suggest_try(struct scn_suggest *g, const char *cand)
{
	if (cand == NULL || strcmp(cand, g->name) == 0)
		return;
	int d = distance(g->name, cand, g->best_d - 1);
	if (d < g->best_d) {
		g->best = cand;
		g->best_d = d;
	}
}

void scn_suggest_ops(struct scn_suggest *g)
{
	for (int i = 0; scn_op_at(i) != NULL; i++)
		scn_suggest_try(g, scn_op_at(i)->name);
}

void scn_suggest_kinds(struct scn_suggest *g)
{
	for (int i = 0; scn_kind_at(i) != NULL; i++)
		scn_suggest_try(g, scn_kind_at(i)->name);
}

void scn_suggest_consts(struct scn_suggest *g)
{
	for (int i = 0; scn_const_name_at(i) != NULL; i++)
		scn_suggest_try(g, scn_const_name_at(i));
}

const char *scn_suggest_text(const struct scn_suggest *g, char *buf, unsigned len)
{
	if (g->best == NULL)
		snprintf(buf, len, "%s", "");
	else
		snprintf(buf, len, ", did you mean '%s'?", g->best);
	return buf;
}

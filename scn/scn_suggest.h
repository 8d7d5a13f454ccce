/*
 * "Did you mean ...?" for names the parser does not know: the closest
 * candidate by edit distance (insertions, deletions, substitutions and
 * swaps of two neighbours each cost 1), if it is close enough for the
 * name's length: 1 edit up to 4 bytes, 2 up to 8, 3 beyond. Ties go to the
 * candidate offered first, so the suggestion is deterministic.
 */
#ifndef SIMK_SCN_SUGGEST_H
#define SIMK_SCN_SUGGEST_H

struct scn_suggest {
	const char *name;
	const char *best;
	int best_d;
};

void scn_suggest_init(struct scn_suggest *g, const char *name);
/* Offers a candidate (NULL and the name itself are ignored). */
void scn_suggest_try(struct scn_suggest *g, const char *cand);
/* Offers every registered operation / declaration kind / constant. */
void scn_suggest_ops(struct scn_suggest *g);
void scn_suggest_kinds(struct scn_suggest *g);
void scn_suggest_consts(struct scn_suggest *g);
/* ", did you mean 'X'?" into buf, or "" when nothing is close. */
const char *scn_suggest_text(const struct scn_suggest *g, char *buf, unsigned len);

#endif

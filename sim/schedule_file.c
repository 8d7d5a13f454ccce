/*
 * Schedule files: the decisions of a run (one thread id per decision that
 * had a choice, 0 = deliver an interrupt), with the seed that the other
 * random streams need. Format:
 *   simk-schedule 1
 *   seed <N>
 *   decisions <count>
 *   <tid> <tid> ... (any whitespace)
 * Version 2 adds data decisions made by the dfs search (sim_decide), as
 * "d<dimension>:<alternative>/<alternatives>" among the thread ids; a data
 * decision that is not in the file comes from the seed, as it did when the
 * file was written. Reading is strict: every error names its line, and the
 * file must hold exactly <count> decisions (a missing one or an extra one is
 * an error).
 */
#include <errno.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/hostfile.h"
#include "sim/policy.h"


int schedule_write(const struct simk *s, const char *path)
{
	FILE *f = fopen(path, "w");
	if (f == NULL)
		return -1;
	errno = 0;
	int version = 1;
	for (size_t i = 0; i < s->ndecisions; i++)
		if (SIM_DECISION_IS_DATA(s->decisions[i]))
			version = 2;
	fprintf(f, "simk-schedule %d\nseed %" PRIu64 "\ndecisions %zu\n", version, s->opts.seed,
		s->ndecisions);
	for (size_t i = 0; i < s->ndecisions; i++) {
		int64_t x = s->decisions[i];
		if (SIM_DECISION_IS_DATA(x))
			fprintf(f, "d%d:%u/%u", SIM_DECISION_DIM(x), SIM_DECISION_VALUE(x),
				SIM_DECISION_NALTS(x));
		else
			fprintf(f, "%d", (int)x);
		fputc(i % 20 == 19 ? '\n' : ' ', f);
	}
	fputc('\n', f);
	bool bad = ferror(f) != 0; /* a write that failed before the last flush */
	if (fclose(f) != 0 || bad) {
		if (errno == 0)
			errno = EIO;
		return -1;
	}
	return 0;
}

/* Reading keeps the line number of every token, so that each error names
 * the line it is on. */
struct sched_reader {
	FILE *f;
	const char *path;
	int line;     /* of the next character */
	int tok_line; /* of the last token read */
	char tok[32];
};

/* The next whitespace-separated token; false at the end of the file. A
 * token longer than the buffer is cut (and then fails to parse). */
static bool next_token(struct sched_reader *r)
{
	int ch;
	while ((ch = getc(r->f)) != EOF && (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n'))
		if (ch == '\n')
			r->line++;
	if (ch == EOF)
		return false;
	size_t n = 0;
	r->tok_line = r->line;
	while (ch != EOF && ch != ' ' && ch != '\t' && ch != '\r' && ch != '\n') {
		if (n + 1 < sizeof(r->tok))
			r->tok[n++] = (char)ch;
		ch = getc(r->f);
	}
	r->tok[n] = '\0';
	if (ch == '\n')
		ungetc(ch, r->f);
	return true;
}

/* Decimal, no sign, at most max. */
static bool parse_dec(const char *t, uint64_t max, uint64_t *v)
{
	if (*t < '0' || *t > '9')
		return false;
	uint64_t x = 0;
	for (; *t >= '0' && *t <= '9'; t++) {
		uint64_t d = (uint64_t)(*t - '0');
		if (d > max || x > (max - d) / 10)
			return false; /* x * 10 + d > max */
		x = x * 10 + d;
	}
	*v = x;
	return *t == '\0';
}

/* A thread id (0: an interrupt), or in version 2 "dDIM:ALT/NALT" (a data
 * decision: alternative ALT of NALT in dimension DIM). */
static bool parse_decision(const struct sched_reader *r, uint64_t version, int64_t *out)
{
	uint64_t v, dim, alt, nalt;
	if (parse_dec(r->tok, INT32_MAX, &v)) {
		*out = (int64_t)v;
		return !SIM_DECISION_IS_DATA(*out);
	}
	const char *colon = strchr(r->tok, ':');
	const char *slash = colon != NULL ? strchr(colon, '/') : NULL;
	if (version < 2 || r->tok[0] != 'd' || colon == NULL || slash == NULL)
		return false;
	char dbuf[sizeof(r->tok)], abuf[sizeof(r->tok)];
	size_t dl = (size_t)(colon - r->tok - 1), al = (size_t)(slash - colon - 1);
	memcpy(dbuf, r->tok + 1, dl);
	dbuf[dl] = '\0';
	memcpy(abuf, colon + 1, al);
	abuf[al] = '\0';
	if (!parse_dec(dbuf, SIMK_DIM_COUNT - 1, &dim) ||
	    !parse_dec(abuf, SIM_DECIDE_ALTS_MAX - 1, &alt) ||
	    !parse_dec(slash + 1, SIM_DECIDE_ALTS_MAX, &nalt) || nalt < 1 || alt >= nalt)
		return false;
	*out = SIM_DECISION_DATA((int)dim, (uint32_t)nalt, (uint32_t)alt);
	return true;
}

/* "KEY VALUE" of the header; false with a message on error. */
static bool header_field(struct sched_reader *r, const char *key, uint64_t max, uint64_t *v,
			 char *err, size_t errlen)
{
	bool ok = next_token(r) && strcmp(r->tok, key) == 0;
	int line = ok ? r->tok_line : r->line;
	ok = ok && next_token(r) && r->tok_line == line && parse_dec(r->tok, max, v);
	if (!ok)
		snprintf(err, errlen, "%s:%d: expected '%s N' (N from 0 to %" PRIu64 ")", r->path,
			 line, key, max);
	return ok;
}

int schedule_read(const char *path, uint64_t *seed, int64_t **dec, size_t *n, char *err,
		  size_t errlen)
{
	struct sched_reader r = {host_open_regular(path, err, errlen), path, 1, 1, ""};
	if (r.f == NULL)
		return -1;
	uint64_t version = 0, sd = 0, count = 0;
	int64_t *d = NULL;
	int rc = -1;
	if (!next_token(&r) || strcmp(r.tok, "simk-schedule") != 0 || !next_token(&r) ||
	    !parse_dec(r.tok, 1000, &version) || version < 1 || version > 2) {
		snprintf(err, errlen,
			 "%s:1: not a simk schedule file (no 'simk-schedule 1' or 'simk-schedule 2')",
			 path);
		goto out;
	}
	if (!header_field(&r, "seed", UINT64_MAX, &sd, err, errlen) ||
	    !header_field(&r, "decisions", SCHEDULE_DECISIONS_MAX, &count, err, errlen))
		goto out;
	int count_line = r.tok_line;
	d = malloc((count ? count : 1) * sizeof(*d));
	if (d == NULL) {
		snprintf(err, errlen, "%s: out of memory for %" PRIu64 " decisions", path, count);
		goto out;
	}
	uint64_t i = 0;
	while (next_token(&r)) {
		if (i == count) {
			snprintf(err, errlen,
				 "%s:%d: more decisions than the %" PRIu64 " of line %d", path,
				 r.tok_line, count, count_line);
			goto out;
		}
		if (!parse_decision(&r, version, &d[i])) {
			snprintf(err, errlen, "%s:%d: decision %" PRIu64 ": '%s' is not %s", path,
				 r.tok_line, i + 1, r.tok,
				 version >= 2 ? "a thread id or a data decision dDIM:ALT/NALT"
					      : "a thread id");
			goto out;
		}
		i++;
	}
	if (ferror(r.f)) {
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
		goto out;
	}
	if (i < count) {
		snprintf(err, errlen,
			 "%s:%d: the file ends after %" PRIu64 " decisions; line %d says %" PRIu64,
			 path, i > 0 ? r.tok_line : count_line, i, count_line, count);
		goto out;
	}
	*seed = sd;
	*dec = d;
	*n = (size_t)count;
	d = NULL;
	rc = 0;
out:
	free(d);
	fclose(r.f);
	return rc;
}

int simk_schedule_seed(const char *path, uint64_t *seed, char *err, size_t errlen)
{
	int64_t *d;
	size_t n;
	if (schedule_read(path, seed, &d, &n, err, errlen) != 0)
		return -1;
	free(d);
	return 0;
}

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
 * file was written.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/policy.h"

int schedule_write(const struct simk *s, const char *path)
{
	FILE *f = fopen(path, "w");
	if (f == NULL)
		return -1;
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
	return fclose(f) == 0 ? 0 : -1;
}

int schedule_read(const char *path, uint64_t *seed, int64_t **dec, size_t *n, char *err,
		  size_t errlen)
{
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	int version = 0;
	unsigned long long sd = 0;
	size_t count = 0;
	if (fscanf(f, "simk-schedule %d", &version) != 1 || version < 1 || version > 2 ||
	    fscanf(f, " seed %llu", &sd) != 1 || fscanf(f, " decisions %zu", &count) != 1 ||
	    count > 100000000) {
		snprintf(err, errlen, "%s:1: not a simk schedule file", path);
		fclose(f);
		return -1;
	}
	int64_t *d = malloc((count ? count : 1) * sizeof(*d));
	if (d == NULL) {
		fclose(f);
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	for (size_t i = 0; i < count; i++) {
		int v, dim, alt, nalt;
		if (version >= 2 && fscanf(f, " d%d:%d/%d", &dim, &alt, &nalt) == 3) {
			if (dim < 0 || dim >= SIMK_DIM_COUNT || alt < 0 || nalt < 1 ||
			    alt >= nalt || (unsigned)nalt > SIM_DECIDE_ALTS_MAX) {
				snprintf(err, errlen, "%s: data decision %zu of %zu is bad", path,
					 i + 1, count);
				free(d);
				fclose(f);
				return -1;
			}
			d[i] = SIM_DECISION_DATA(dim, nalt, alt);
			continue;
		}
		if (fscanf(f, "%d", &v) != 1 || v < 0) {
			snprintf(err, errlen, "%s: decision %zu of %zu is missing or bad", path,
				 i + 1, count);
			free(d);
			fclose(f);
			return -1;
		}
		d[i] = v;
	}
	fclose(f);
	*seed = sd;
	*dec = d;
	*n = count;
	return 0;
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

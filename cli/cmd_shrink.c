/*
 * simk shrink FILE --seed N [options] | --replay F: shrinks a failing run
 * to its critical decisions (cli/shrink.c, docs/shrink.md) and writes their
 * schedule file (--schedule-out, default simk-shrunk.sched). The last line
 * of stdout is the FAIL line of the shrunk run; exit code: its outcome, 0
 * when the run passes (nothing to shrink), 2 when it cannot shrink.
 */
#include <stdio.h>

#include "cli/cli.h"
#include "cli/shrink.h"
#include "scn/scn.h"

int simk_schedule_seed(const char *path, uint64_t *seed, char *err, size_t errlen);

int cmd_shrink(struct cli_opts *c)
{
	struct scn_prog *p = cli_load(c);
	if (p == NULL)
		return EXIT_USAGE;
	struct simk_opts o;
	cli_merge_opts(c, p, &o);
	if (c->replay != NULL && !c->has_seed) {
		char err[512];
		if (simk_schedule_seed(c->replay, &o.seed, err, sizeof(err)) != 0) {
			fprintf(stderr, "simk: shrink: %s\n", err);
			scn_free(p);
			return EXIT_USAGE;
		}
	}
	int rc = cli_calibrate_pct(c, p, &o);
	if (rc == 0) {
		const char *out = c->schedule_out != NULL ? c->schedule_out : CLI_SHRINK_OUT;
		rc = shrink_failure(c, p, &o, out, stdout, "shrink: ", false, NULL);
	}
	fflush(stdout);
	scn_free(p);
	return rc;
}

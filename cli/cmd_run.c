/*
 * simk run FILE [options]: one run. Without --quiet the readable trace
 * (one column per thread) goes to stdout; the last line of stdout is the
 * PASS or FAIL line; on failure the trace tail, the blocked scenario
 * threads and the reproducer go to stderr first. Exit code: the outcome.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "scn/scn.h"

int simk_schedule_seed(const char *path, uint64_t *seed, char *err, size_t errlen);

int cmd_run(struct cli_opts *c)
{
	struct scn_prog *p = cli_load(c);
	if (p == NULL)
		return EXIT_USAGE;
	struct simk_opts o;
	cli_merge_opts(c, p, &o);
	if (c->replay != NULL && !c->has_seed) {
		char err[512];
		if (simk_schedule_seed(c->replay, &o.seed, err, sizeof(err)) != 0) {
			fprintf(stderr, "simk: run: %s\n", err);
			scn_free(p);
			return EXIT_USAGE;
		}
	}
	if (c->schedule_out != NULL) {
		FILE *f = fopen(c->schedule_out, "w");
		if (f == NULL) {
			fprintf(stderr, "simk: run: cannot write %s: %s\n", c->schedule_out,
				strerror(errno));
			scn_free(p);
			return EXIT_USAGE;
		}
		fclose(f);
		o.schedule_out = c->schedule_out;
	}
	/* the readable trace is streamed; the exports need the events kept */
	o.keep_trace = c->trace_out != NULL || c->html_out != NULL;
	int rc = cli_calibrate_pct(c, p, &o);
	if (rc != 0) {
		scn_free(p);
		return rc;
	}
	struct simk *s = cli_start(c, p, &o);
	if (s == NULL) {
		scn_free(p);
		return EXIT_USAGE;
	}
	if (!c->quiet) {
		struct trace_text_opts v;
		cli_trace_view_opts(c, &v);
		trace_stream_view(s, stdout, &v);
	}
	enum simk_outcome out = simk_run(s);
	int exit_code = (int)out;
	if (simk_trace_stream_error(s) != 0 && cli_stdout_errno == 0)
		cli_stdout_errno = simk_trace_stream_error(s); /* main reports it */
	if (simk_schedule_error(s) != 0) {
		fprintf(stderr, "simk: run: cannot write %s: %s\n", c->schedule_out,
			strerror(simk_schedule_error(s)));
		exit_code = EXIT_USAGE;
	}
	/* a guest program's output (its stdout and stderr), as it wrote it */
	scn_print_output(s, stdout, stderr);
	if (!c->quiet)
		cli_print_props(stdout, p, s);
	if (c->trace_out != NULL && simk_trace_export_chrome(s, c->trace_out) != 0) {
		fprintf(stderr, "simk: run: cannot write %s: %s\n", c->trace_out, strerror(errno));
		exit_code = EXIT_USAGE;
	} else if (c->trace_out != NULL && simk_trace_dropped(s) > 0) {
		fprintf(stderr,
			"simk: run: --trace-out %s holds the first %" PRIu64 " of %" PRIu64
			" events (--trace-max-events N keeps more; docs/tracing.md)\n",
			c->trace_out, simk_trace_kept(s), simk_trace_events(s));
	}
	if (c->html_out != NULL && cli_write_html(s, c->html_out) != 0) {
		fprintf(stderr, "simk: run: cannot write %s: %s\n", c->html_out, strerror(errno));
		exit_code = EXIT_USAGE;
	}
	bool explain = out != SIMK_PASS && !c->quiet;
	char *why = explain ? cli_explain_kept(c, s) : NULL;
	uint64_t hash = simk_trace_hash(s);
	if (out != SIMK_PASS)
		cli_report_failure(c, s, &o);
	/* The result line stays the last line (stderr merged or not): it is
	 * rendered now and printed after the explanation, which may need a
	 * run of its own (one simulation at a time). */
	char *result = NULL;
	size_t result_len = 0;
	FILE *m = open_memstream(&result, &result_len);
	if (m != NULL) {
		cli_print_result(m, s, out);
		fclose(m);
	} else {
		cli_print_result(stdout, s, out);
	}
	simk_destroy(s);
	if (explain) {
		fflush(stdout);
		cli_explain_failure(c, p, &o, hash, why, stderr);
		fflush(stderr);
	}
	if (result != NULL)
		fputs(result, stdout);
	free(result);
	cli_flush_stdout();
	scn_free(p);
	return exit_code;
}

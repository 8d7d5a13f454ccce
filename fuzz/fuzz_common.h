/*
 * Shared by the libFuzzer harnesses: the file name the inputs are parsed
 * under, and the check that a parse error names its place.
 *
 * The contract being fuzzed (docs/scenarios.md, "Errors"): malformed
 * input never crashes, hangs or leaks the host, and a parse error is one
 * message "NAME:LINE:COL: text" whose LINE is a line of the input.
 */
#ifndef SIMK_FUZZ_COMMON_H
#define SIMK_FUZZ_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_NAME "fuzz.scn"

/* Lines of the input as the parser counts them: one more than the
 * newlines, except that a final newline does not start a line. */
static inline long fuzz_lines(const char *s, size_t n)
{
	long lines = 1;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '\n' && i + 1 < n)
			lines++;
	return lines;
}

/* Aborts (a finding) unless err is "fuzz.scn:LINE:COL: message" with
 * 1 <= LINE <= the input's lines, COL >= 1 and a non-empty message. */
static inline void fuzz_check_parse_error(const char *err, const char *text, size_t n)
{
	const char *why = NULL;
	const size_t nl = strlen(FUZZ_NAME);
	char *end;
	if (err[0] == '\0') {
		why = "empty message";
	} else if (strncmp(err, FUZZ_NAME ":", nl + 1) != 0) {
		why = "no file name";
	} else {
		long line = strtol(err + nl + 1, &end, 10);
		if (end == err + nl + 1 || *end != ':')
			why = "no line number";
		else if (line < 1 || line > fuzz_lines(text, n))
			why = "line number outside the input";
		else {
			const char *c = end + 1;
			long col = strtol(c, &end, 10);
			if (end == c || col < 1 || strncmp(end, ": ", 2) != 0 || end[2] == '\0')
				why = "no column or message";
		}
	}
	if (why != NULL) {
		fprintf(stderr, "fuzz: bad parse error (%s): '%s'\n", why, err);
		abort();
	}
}

/*
 * Whether a run's panic (SIMK_FAIL_PANIC) is a finding. A scenario may
 * panic the kernel on purpose by misusing its primitives (an unlock by
 * a thread that does not own the mutex, cv_wait without the mutex, a
 * thread exiting with a mutex held: scenarios/unlock-not-owner.scn), and
 * it may run into the engine's limits (steps, virtual time) or an error
 * that names its own place (FUZZ_NAME:LINE:COL). Any other panic comes
 * from inside the kernel (a KASSERT of a subsystem, a thread-context
 * check in an interrupt) and is a kernel bug the input reached: stop 26's
 * campaign found one only by sorting the corpus's reasons by hand.
 */
static inline int fuzz_panic_is_finding(const char *reason)
{
	static const char *const scenario_made[] = {
	    " at kern/mutex.c:",   /* KASSERTs of the scenario's own mutexes */
	    " at kern/condvar.c:", /* and condition variables */
	    "exited holding mutex",
	    "step limit of",
	    "virtual time limit",
	};
	if (strncmp(reason, FUZZ_NAME ":", strlen(FUZZ_NAME) + 1) == 0)
		return 0;
	for (size_t i = 0; i < sizeof(scenario_made) / sizeof(scenario_made[0]); i++)
		if (strstr(reason, scenario_made[i]) != NULL)
			return 0;
	return 1;
}

#endif

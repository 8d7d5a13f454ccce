/*
 * explore --swarm: an option set per run, drawn from its seed (cli/swarm.c).
 */
#ifndef SIMK_CLI_SWARM_H
#define SIMK_CLI_SWARM_H

#include "cli/cli.h"

#define SWARM_FAULT_MAX 96 /* bytes of one drawn --fault option */

struct swarm {
	double preempt, irq; /* random */
	int pct_depth;	     /* pct */
	char device[96];     /* --device-defaults: a latency model and reordering */
	const char *faults[CLI_FAULTS_MAX]; /* the --fault options that are on */
	int nfaults;
	char fault_buf[CLI_FAULTS_MAX][SWARM_FAULT_MAX];
};

/* The option set of the run with this seed (c: --fault options to draw
 * from). */
void swarm_draw(const struct cli_opts *c, uint64_t seed, struct swarm *w);
/* Sets the drawn probabilities, depth and device options in o (o keeps a
 * pointer into w). */
void swarm_apply(const struct swarm *w, struct simk_opts *o);
/* c as the plain command line of the run with this seed: the drawn --fault
 * and --device options and probabilities, no --swarm (out points into w). */
void swarm_fixed(const struct cli_opts *c, uint64_t seed, struct swarm *w, struct cli_opts *out);

#endif

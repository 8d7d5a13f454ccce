/*
 * explore --swarm: every run draws its own option set from its seed — the
 * scheduling probabilities, a device latency model, which --fault options
 * are on and how likely they fire — so one campaign covers many
 * configurations (swarm testing: Groce, Zhang, Eide, Chen and Regehr,
 * "Swarm testing", ISSTA 2012). The device model only fills in what a
 * scenario's device declaration leaves unsaid (--device-defaults): what a
 * scenario states about its device, its expectations may rely on. The draw is a pure function of the seed and
 * the command line, from a stream of its own: a run's scheduling, device and
 * fault streams are those of a plain run with the drawn options, so the
 * reproducer names them and `simk run` with them gives the same run.
 */
#include "cli/swarm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/rng.h"

#define SWARM_STREAM 0x5744524dull /* "SWRM": apart from the engine's streams */

/* A probability in [lo, hi] with two decimals, printed exactly. */
static double draw_prob(struct rng *r, int lo_pct, int hi_pct)
{
	return (double)(lo_pct + (int)rng_below(r, (uint64_t)(hi_pct - lo_pct + 1))) / 100.0;
}

/* A latency model and reordering for every device. The times stay below a
 * millisecond, under the driver timeouts scenarios declare, so a drawn
 * model changes the order of completions rather than making requests time
 * out (a scenario's own timeout=1ms device would otherwise fail for it). */
static void draw_device(struct rng *r, char *buf, size_t len)
{
	static const int us[] = {5, 10, 20, 50, 100, 200};
	int a = us[rng_below(r, 6)];
	int reorder = (int)rng_below(r, 2);
	switch (rng_below(r, 4)) {
	case 0: snprintf(buf, len, "latency=fixed:%dus,reorder=%d", a, reorder); break;
	case 1:
		snprintf(buf, len, "latency=uniform:%dus:%dus,reorder=%d", a / 2 + 1, a * 3, reorder);
		break;
	case 2: snprintf(buf, len, "latency=exp:%dus,reorder=%d", a / 2 + 1, reorder); break;
	default:
		snprintf(buf, len, "latency=bimodal:%dus:%dus:0.0%d,reorder=%d", a / 4 + 1,
			 300 + 100 * (int)rng_below(r, 6), 1 + (int)rng_below(r, 9), reorder);
		break;
	}
}

/* A --fault option as the run takes it: off, or a drawn probability in
 * (0, 2p] (at most 1) for POINT:p=P; other forms are kept. */
static bool draw_fault(struct rng *r, const char *spec, char *buf, size_t len)
{
	const char *colon = strchr(spec, ':');
	bool on = rng_below(r, 2) == 1;
	uint64_t k = rng_below(r, 1000) + 1; /* drawn whatever the spec: a stable stream */
	if (colon == NULL || strncmp(colon + 1, "p=", 2) != 0) {
		snprintf(buf, len, "%s", spec);
		return true;
	}
	if (!on)
		return false;
	double p = strtod(colon + 3, NULL) * 2.0;
	if (p > 1.0)
		p = 1.0;
	snprintf(buf, len, "%.*s:p=%.4g", (int)(colon - spec), spec, p * (double)k / 1000.0);
	return true;
}

void swarm_draw(const struct cli_opts *c, uint64_t seed, struct swarm *w)
{
	memset(w, 0, sizeof(*w));
	struct rng r;
	rng_seed(&r, seed, SWARM_STREAM);
	w->preempt = draw_prob(&r, 1, 99);
	w->irq = draw_prob(&r, 5, 100);
	w->pct_depth = 1 + (int)rng_below(&r, 5);
	draw_device(&r, w->device, sizeof(w->device));
	for (int i = 0; i < c->nfaults; i++)
		if (draw_fault(&r, c->faults[i], w->fault_buf[w->nfaults], sizeof(w->fault_buf[0])))
			w->nfaults++;
	for (int i = 0; i < w->nfaults; i++)
		w->faults[i] = w->fault_buf[i];
}

void swarm_apply(const struct swarm *w, struct simk_opts *o)
{
	o->preempt_prob = w->preempt;
	o->irq_prob = w->irq;
	if (o->policy == SIMK_POLICY_PCT)
		o->pct_depth = w->pct_depth;
	o->device_defaults = w->device; /* a scenario's explicit options win */
}

void swarm_fixed(const struct cli_opts *c, uint64_t seed, struct swarm *w, struct cli_opts *out)
{
	*out = *c;
	if (!c->swarm)
		return;
	swarm_draw(c, seed, w);
	out->swarm = false;
	for (int i = 0; i < w->nfaults; i++)
		out->faults[i] = w->faults[i];
	out->nfaults = w->nfaults;
	snprintf(out->device_defaults, sizeof(out->device_defaults), "%s", w->device);
	out->has_device_defaults = true;
	out->has_irq = out->has_preempt = true;
	out->irq = w->irq;
	out->preempt = w->preempt;
}

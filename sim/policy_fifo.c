/* fifo: interrupts first, the running thread keeps the CPU until it blocks
 * or yields, then the longest-waiting runnable thread runs. */
#include "sim/policy.h"

static struct pick fifo_choose(struct simk *s, enum point_kind kind, struct simk_thread *cur,
			       bool irq_due, int ncand)
{
	(void)ncand;
	struct pick p = { false, NULL };
	if (irq_due) {
		p.irq = true;
		return p;
	}
	if (cur != NULL && kind != PT_YIELD) {
		p.t = cur;
		return p;
	}
	p.t = runq_first(s);
	if (p.t == NULL)
		p.t = cur;
	return p;
}

const struct sim_policy policy_fifo = {
	.name = "fifo",
	.choose = fifo_choose,
	.keeps_running = true,
};

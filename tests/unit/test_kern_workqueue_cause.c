/*
 * kern/workqueue in "how we got here" (sim/trace_cause.h): the work a
 * worker runs is caused by whoever queued it, even when the worker was
 * already busy (no wake-up ties the two), and a work item's id names it
 * across queues.
 */
#include "kern_test.h"

#include <stdio.h>
#include <stdlib.h>

#include "kern/waitq.h"
#include "kern/workqueue.h"
#include "sim/trace_cause.h"

static struct workqueue *wq_a, *wq_b;
static struct work slow, bad, other;
static struct waitq naps;

static void nap_work(struct work *w)
{
	(void)w;
	waitq_sleep(&naps, false, false, 100); /* keeps the worker busy */
}

static void failing_work(struct work *w)
{
	(void)w;
	sim_fail(SIMK_FAIL_EXPECT, "the bad work item ran");
}

/* Queues `slow`, leaves a mark, then queues `bad` while the worker still
 * runs `slow`: the worker takes `bad` without sleeping in between. */
static void queuer(void *arg)
{
	(void)arg;
	wq_a = workqueue_create("wq_a", 1);
	wq_b = workqueue_create("wq_b", 1);
	work_init(&slow, "slow", nap_work, NULL);
	work_init(&bad, "bad", failing_work, NULL);
	work_init(&other, "other", nap_work, NULL);
	queue_work(wq_b, &slow);
	sim_yield(); /* the worker of wq_b takes slow and naps */
	queue_work(wq_a, &other); /* another queue's item, queued last by ticket */
	trace_emit(TR_USER, "queuer:mark", 42, 0, 0, 0);
	queue_work(wq_b, &bad);
	workqueue_destroy(wq_a);
	workqueue_destroy(wq_b);
}

/* The explanation of s's failure, as the CLI prints it (caller frees). */
static char *explain(struct simk *s)
{
	FILE *f = tmpfile();
	cr_assert_not_null(f);
	trace_explain_failure(s, NULL, f, 50);
	long len = ftell(f);
	cr_assert(len > 0, "no explanation");
	char *buf = malloc((size_t)len + 1);
	cr_assert_not_null(buf);
	rewind(f);
	cr_assert_eq(fread(buf, 1, (size_t)len, f), (size_t)len);
	buf[len] = '\0';
	fclose(f);
	return buf;
}

Test(workqueue_cause, work_run_follows_the_queue_work_that_queued_it)
{
	struct simk_opts o;
	simk_opts_default(&o);
	o.policy = SIMK_POLICY_FIFO;
	o.seed = 1;
	o.keep_trace = true;
	struct simk *s = kt_sim_opts(&o);
	waitq_init(&naps, "naps");
	simk_thread_create(simk_proc_create(s, "p"), "queuer", queuer, NULL);
	KT_RUN_FAILS(s, SIMK_FAIL_EXPECT, "the bad work item ran");
	/* tickets are unique in the run: bad (queued third) is not wq_b's #2 */
	cr_assert_eq(slow.seq, 1);
	cr_assert_eq(other.seq, 2);
	cr_assert_eq(bad.seq, 3);
	char *text = explain(s);
	/* the chain reaches the queuer's mark, and the step after it (the
	 * failure, on the worker) is labelled by the link it crossed ("carried") */
	const char *mark = strstr(text, "queuer:mark");
	cr_assert_not_null(mark, "the chain misses the queuer:\n%s", text);
	const char *next = strchr(mark, '\n');
	cr_assert_not_null(next);
	cr_assert(strstr(next, " carried ") != NULL && strstr(next, "wq_b") != NULL,
		  "the failure is not reached by the work link:\n%s", text);
	free(text);
	simk_destroy(s);
}

/*
 * Lab 01, part 3 (README.md, "Sleeping"): sleep on wq until cond(arg) is
 * true, the relative timeout_ns passes (SIMK_FOREVER: never) or, when
 * interruptible, a signal comes. Return 0, -ETIMEDOUT or -EINTR.
 * cond may contain a switch point (it may take and drop a spinlock), so a
 * waker can run between your check and your sleep: use the
 * queue / thread_prepare_sleep / check / thread_sleep protocol, and leave
 * the queue (waitq_remove) before you return.
 */
int waitq_wait(struct waitq *wq, bool exclusive, bool interruptible, uint64_t timeout_ns,
	       bool (*cond)(void *arg), void *arg)
{
	(void)wq;
	(void)exclusive;
	(void)interruptible;
	(void)timeout_ns;
	(void)cond;
	(void)arg;
	sim_panic("lab 01: waitq_wait is not written yet");
}

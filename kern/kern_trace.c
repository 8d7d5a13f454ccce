/*
 * How kern's trace events read (sim/trace.h "trace_desc"), and the
 * spellings kern owns for every layer's events: %e errno names, %g signal
 * names, %O open flags, %p poll bits, %S event port sources (the values
 * are Linux's and illumos's; kern/syscall_fmt.c spells them).
 */
#include "kern/syscall.h"
#include "sim/trace.h"

static const struct trace_desc kern_events[] = {
    TRACE_DESC("kern:fork", "pid %d -> child pid %d", TRACE_LEVEL_KERNEL),
    TRACE_DESC("kern:fork_failed", "child pid %d %e", TRACE_LEVEL_KERNEL),
    TRACE_DESC("kern:exec", "pid %d", TRACE_LEVEL_KERNEL),
    TRACE_DESC("kern:proc_exit", "pid %d status %d", TRACE_LEVEL_KERNEL),
    TRACE_DESC("kern:proc_killed", "pid %d by %g", TRACE_LEVEL_KERNEL),
    TRACE_DESC("kern:setrlimit", "pid %d resource %d cur %d max %d", TRACE_LEVEL_KERNEL),
    TRACE_DESC("kern:reap", "pid %d status %d", TRACE_LEVEL_KERNEL),
    TRACE_DESC("kern:reap_orphan", "pid %d status %d", TRACE_LEVEL_KERNEL),
    TRACE_DESC("kern:umem_alloc", "pid %d %x len %d", TRACE_LEVEL_ALL),
    TRACE_DESC("kern:umem_free", "pid %d %x len %d", TRACE_LEVEL_ALL),
    TRACE_DESC("kern:umem_protect", "pid %d %x len %d prot %d", TRACE_LEVEL_ALL),
    TRACE_DESC("kern:umem_map_identity", "pid %d alias %x len %d prot %d", TRACE_LEVEL_ALL),
    TRACE_DESC("kern:umem_unmap_identity", "pid %d alias %x len %d", TRACE_LEVEL_ALL),
    /* a work item's ticket is its id in the run (kern/workqueue.c): the
     * cause of the work a worker runs is whoever queued it */
    TRACE_DESC_LINK("kern:queue_work", "work#%d", TRACE_LEVEL_ALL, "work", 0, TRACE_LINK_FROM),
    TRACE_DESC_LINK("kern:work_cancel", "work#%d", TRACE_LEVEL_ALL, "work", 0, TRACE_LINK_TO),
    TRACE_DESC_LINK("kern:work_run", "work#%d on %T", TRACE_LEVEL_ALL, "work", 0, TRACE_LINK_TO),
    TRACE_DESC("kern:workqueue_create", "%d workers", TRACE_LEVEL_ALL),
    TRACE_DESC("kern:workqueue_destroy", "%d workers", TRACE_LEVEL_ALL),
    TRACE_DESC("sim:fail", "outcome %d", TRACE_LEVEL_USER),
    TRACE_DESC("sim:timeout", "", TRACE_LEVEL_KERNEL),
};

/* Linux's kernel-internal codes that never reach user space but show in
 * kernel events (a retry's "queued" result). */
#define ERESTARTSYS_ 512
#define EIOCBQUEUED_ 529

static void fmt_errno(int64_t v, char *buf, size_t len)
{
	if (v == -ERESTARTSYS_ || v == -EIOCBQUEUED_) {
		snprintf(buf, len, "%s", v == -ERESTARTSYS_ ? "-ERESTARTSYS" : "-EIOCBQUEUED");
		return;
	}
	const char *n = v < 0 && v >= -SYSCALL_ERRNO_MAX ? syscall_errno_name((int)-v) : NULL;
	if (n != NULL)
		snprintf(buf, len, "-%s", n);
	else
		snprintf(buf, len, "%lld", (long long)v);
}

static void fmt_signo(int64_t v, char *buf, size_t len)
{
	syscall_format_arg(SA_SIGNO, v, buf, len);
}

static void fmt_oflags(int64_t v, char *buf, size_t len)
{
	syscall_format_arg(SA_OFLAGS, v, buf, len);
}

static void fmt_poll(int64_t v, char *buf, size_t len)
{
	syscall_format_arg(SA_POLL_EVENTS, v, buf, len);
}

static void fmt_port_source(int64_t v, char *buf, size_t len)
{
	syscall_format_arg(SA_PORT_SOURCE, v, buf, len);
}

void kern_trace_register(void)
{
	trace_describe(kern_events, (int)(sizeof(kern_events) / sizeof(kern_events[0])));
	trace_set_value_fmt('e', fmt_errno);
	trace_set_value_fmt('g', fmt_signo);
	trace_set_value_fmt('O', fmt_oflags);
	trace_set_value_fmt('p', fmt_poll);
	trace_set_value_fmt('S', fmt_port_source);
}

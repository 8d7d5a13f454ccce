/* Event ports across fork: what the child inherits, who may see which
 * event, what a process's close and exit take away. */
#include "port_test.h"

static int pipe_fds(int *rd, int *wr)
{
	uaddr_t u = vt_ubuf(8);
	int r = simk_pipe(u);
	int32_t fds[2];
	vt_uget(u, fds, sizeof(fds));
	*rd = fds[0];
	*wr = fds[1];
	return r;
}

static void write1(int fd)
{
	VEQ(simk_write(fd, vt_ubytes("x", 1), 1), 1);
}

static struct {
	int port, rd, wr;
	int r_get, r_reassoc, r_dissoc, r_get2;
	port_event_t ev, ev2;
	int rd2, wr2;
} fx;

/* The child: retrieves the inherited association's event, re-associates
 * it, may not dissociate it; associates a pipe of its own. */
static void t_child(void *arg)
{
	(void)arg;
	fx.r_get = pt_get(fx.port, &fx.ev, &pt_poll);
	fx.r_reassoc =
	    simk_port_associate(fx.port, PORT_SOURCE_FD, (uint64_t)fx.rd, PORT_POLLIN, 2);
	fx.r_dissoc = simk_port_dissociate(fx.port, PORT_SOURCE_FD, (uint64_t)fx.rd);
	fx.r_get2 = pt_get(fx.port, &fx.ev2, &pt_poll);
	VEQ(pipe_fds(&fx.rd2, &fx.wr2), 0);
	VEQ(simk_port_associate(fx.port, PORT_SOURCE_FD, (uint64_t)fx.wr2, PORT_POLLOUT, 3), 0);
	/* the child stays until the parent checked it cannot take that event */
	vt_sleep(10000);
}

static void t_fd_fork(void *arg)
{
	(void)arg;
	fx.port = simk_port_create();
	VEQ(pipe_fds(&fx.rd, &fx.wr), 0);
	VEQ(simk_port_associate(fx.port, PORT_SOURCE_FD, (uint64_t)fx.rd, PORT_POLLIN, 1), 0);
	write1(fx.wr);
	int c = proc_fork("child", t_child, NULL);
	VCHECK(c > 0);
	vt_sleep(1000);
	VEQ(fx.r_get, 0); /* shared association: the child may retrieve */
	VEQ(fx.ev.portev_user, 1);
	VEQ(fx.r_reassoc, 0);	   /* and re-associate */
	VEQ(fx.r_dissoc, -EACCES); /* but not dissociate */
	VEQ(fx.r_get2, 0);
	VEQ(fx.ev2.portev_user, 2);
	/* the child's own association (a pipe opened after fork): the parent
	 * has no such file at that descriptor, so it cannot take the event */
	VEQ(pt_count(fx.port), 1);
	port_event_t ev;
	VEQ(pt_get(fx.port, &ev, &pt_poll), -ETIME);
	VCHECK(pt_stats().events_refused >= 1);
	VEQ(pt_count(fx.port), 1);
	int st;
	VEQ(proc_wait(c, &st), c);
	/* the child's exit closed its descriptors: its association and its
	 * event are gone; the parent's association stays */
	VEQ(pt_count(fx.port), 0);
	VEQ(simk_port_dissociate(fx.port, PORT_SOURCE_FD, (uint64_t)fx.rd), 0);
	VEQ(simk_close(fx.port), 0);
	VEQ(simk_close(fx.rd), 0);
	VEQ(simk_close(fx.wr), 0);
	VEQ(pt_stats().slots_live, 0);
}

Test(port_fork, child_retrieves_and_reassociates_but_cannot_dissociate_and_new_fds_are_private)
{
	pt_run1(t_fd_fork, NULL);
}

/* A parent's user event outlives the parent's close: the child gets it. */
static int child_user_r;
static port_event_t child_user_ev;
static void t_child_user(void *arg)
{
	(void)arg;
	vt_sleep(1000);
	child_user_r = pt_get(fx.port, &child_user_ev, &pt_poll);
	VEQ(simk_close(fx.port), 0);
}

static void t_user_survives(void *arg)
{
	(void)arg;
	fx.port = simk_port_create();
	int c = proc_fork("child", t_child_user, NULL);
	VEQ(simk_port_send(fx.port, 1, 0x99), 0);
	VEQ(simk_close(fx.port), 0); /* not the last descriptor */
	int st;
	VEQ(proc_wait(c, &st), c);
	VEQ(child_user_r, 0);
	VEQ(child_user_ev.portev_user, 0x99);
	VEQ(pt_stats().ports_live, 0);
}

Test(port_fork, user_events_stay_for_the_child_after_the_parent_closes)
{
	pt_run1(t_user_survives, NULL);
}

/* A process's close of a shared port dissociates the descriptors it
 * associated and discards its non-shareable events; the other process
 * goes on. */
static int child_closed;
static void t_child_closer(void *arg)
{
	(void)arg;
	int rd, wr;
	VEQ(pipe_fds(&rd, &wr), 0);
	write1(wr);
	VEQ(simk_port_associate(fx.port, PORT_SOURCE_FD, (uint64_t)rd, PORT_POLLIN, 7), 0);
	VEQ(port_dispatch(NULL, fx.port, PORT_DISPATCH_NOSHARE, PORT_SOURCE_AIO, 1, 0, 8), 0);
	VEQ(simk_port_send(fx.port, 1, 9), 0);
	VEQ(pt_count(fx.port), 3);
	VEQ(simk_close(fx.port), 0);
	child_closed = 1;
	vt_sleep(1000);
	VEQ(simk_close(rd), 0);
	VEQ(simk_close(wr), 0);
}

static void t_proc_close(void *arg)
{
	(void)arg;
	fx.port = simk_port_create();
	child_closed = 0;
	int c = proc_fork("child", t_child_closer, NULL);
	vt_sleep(500);
	VEQ(child_closed, 1);
	VEQ(pt_count(fx.port), 1); /* only the shareable user event is left */
	port_event_t ev;
	VEQ(pt_get(fx.port, &ev, &pt_poll), 0);
	VEQ(ev.portev_user, 9);
	struct port_stats st = pt_stats();
	VEQ(st.events_discarded, 1); /* the non-shareable one */
	VEQ(st.events_removed, 1);   /* the fd association's, taken back by dissociation */
	int s;
	VEQ(proc_wait(c, &s), c);
	VEQ(simk_close(fx.port), 0);
	VEQ(pt_stats().slots_live, 0);
}

Test(port_fork, a_process_close_dissociates_its_fds_and_discards_its_private_events)
{
	pt_run1(t_proc_close, NULL);
}

/* A process that exits without closing: its exit closes the port, which
 * waits for... nothing; every slot comes back (the leak check would fail
 * the run otherwise). */
static void t_exit_child(void *arg)
{
	(void)arg;
	int port = simk_port_create();
	int rd, wr;
	VEQ(pipe_fds(&rd, &wr), 0);
	VEQ(simk_port_associate(port, PORT_SOURCE_FD, (uint64_t)rd, PORT_POLLIN, 0), 0);
	VEQ(simk_port_send(port, 1, 0), 0);
	VEQ(simk_port_alert(port, PORT_ALERT_SET, 1, 0), 0);
	proc_exit(0);
}

static void t_exit(void *arg)
{
	(void)arg;
	int c = proc_fork("child", t_exit_child, NULL);
	int st;
	VEQ(proc_wait(c, &st), c);
	struct port_stats s = pt_stats();
	VEQ(s.ports_live, 0);
	VEQ(s.slots_live, 0);
}

Test(port_fork, process_exit_closes_its_ports_and_frees_everything)
{
	pt_run1(t_exit, NULL);
}

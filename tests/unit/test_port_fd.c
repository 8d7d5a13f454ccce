/* Event ports: PORT_SOURCE_FD — one-shot poll events of descriptors. */
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

static void t_fd_basic(void *arg)
{
	(void)arg;
	int port = simk_port_create();
	int rd, wr;
	VEQ(pipe_fds(&rd, &wr), 0);
	VEQ(simk_port_associate(port, PORT_SOURCE_FD, (uint64_t)rd, PORT_POLLIN, 0x77), 0);
	VEQ(pt_count(port), 0); /* not readable yet */
	write1(wr);
	VEQ(pt_count(port), 1); /* the listener fired */
	write1(wr);
	VEQ(pt_count(port), 1); /* one shot: no second event */
	port_event_t ev;
	VEQ(pt_get(port, &ev, &pt_poll), 0);
	VEQ(ev.portev_source, PORT_SOURCE_FD);
	VEQ(ev.portev_object, (uint64_t)rd);
	VEQ(ev.portev_events, PORT_POLLIN);
	VEQ(ev.portev_user, 0x77);
	write1(wr);
	VEQ(pt_get(port, &ev, &pt_poll), -ETIME); /* inactive until re-associated */
	/* re-associating a readable fd fires at once, with the new user */
	VEQ(simk_port_associate(port, PORT_SOURCE_FD, (uint64_t)rd, PORT_POLLIN, 0x78), 0);
	VEQ(pt_get(port, &ev, &pt_poll), 0);
	VEQ(ev.portev_user, 0x78);
	/* writable end: ready at once */
	VEQ(simk_port_associate(port, PORT_SOURCE_FD, (uint64_t)wr, PORT_POLLOUT, 1), 0);
	VEQ(pt_get(port, &ev, &pt_poll), 0);
	VEQ(ev.portev_object, (uint64_t)wr);
	VEQ(ev.portev_events, PORT_POLLOUT);
	VEQ(simk_close(rd), 0);
	VEQ(simk_close(wr), 0);
	VEQ(simk_close(port), 0);
	VEQ(pt_stats().slots_live, 0);
}

Test(port_fd, association_fires_once_and_reassociation_rearms)
{
	pt_run1(t_fd_basic, NULL);
}

static void t_fd_reassoc_replaces(void *arg)
{
	(void)arg;
	int port = simk_port_create();
	int rd, wr;
	VEQ(pipe_fds(&rd, &wr), 0);
	write1(wr);
	VEQ(simk_port_associate(port, PORT_SOURCE_FD, (uint64_t)rd, PORT_POLLIN, 1), 0);
	VEQ(pt_count(port), 1);
	/* re-association takes the queued event back, replaces events and user */
	VEQ(simk_port_associate(port, PORT_SOURCE_FD, (uint64_t)rd, PORT_POLLPRI, 2), 0);
	VEQ(pt_count(port), 0); /* no POLLPRI on a pipe */
	VEQ(simk_port_associate(port, PORT_SOURCE_FD, (uint64_t)rd, PORT_POLLIN | PORT_POLLRDNORM,
				3),
	    0);
	port_event_t ev;
	VEQ(pt_get(port, &ev, &pt_poll), 0);
	VEQ(ev.portev_user, 3);
	VEQ(ev.portev_events, PORT_POLLIN | PORT_POLLRDNORM);
	struct port_stats st = pt_stats();
	VEQ(st.events_removed, 1);
	VEQ(st.events_delivered, 1);
	VEQ(simk_close(port), 0);
	VEQ(simk_close(rd), 0);
	VEQ(simk_close(wr), 0);
}

Test(port_fd, reassociation_replaces_events_and_user_and_takes_back_a_queued_event)
{
	pt_run1(t_fd_reassoc_replaces, NULL);
}

static void t_fd_errors(void *arg)
{
	(void)arg;
	int port = simk_port_create();
	int rd, wr;
	VEQ(pipe_fds(&rd, &wr), 0);
	VEQ(simk_port_associate(port, PORT_SOURCE_FD, 99, PORT_POLLIN, 0), -EBADF);
	VEQ(simk_port_associate(port, PORT_SOURCE_FD, (uint64_t)rd, 0x40000, 0), -EINVAL);
	VEQ(simk_port_associate(port, PORT_SOURCE_FD, (uint64_t)port, PORT_POLLIN, 0), -EINVAL);
	VEQ(simk_port_associate(port, 0, (uint64_t)rd, PORT_POLLIN, 0), -EINVAL);
	VEQ(simk_port_associate(port, PORT_SOURCE_USER, (uint64_t)rd, PORT_POLLIN, 0), -EINVAL);
	VEQ(simk_port_associate(port, PORT_SOURCE_TIMER, 0, 0, 0), -EINVAL);
	VEQ(simk_port_dissociate(port, PORT_SOURCE_FD, (uint64_t)rd), -ENOENT);
	VEQ(simk_port_dissociate(port, PORT_SOURCE_FD, 99), -EBADF);
	/* an object that is not an int is no descriptor, even if its low
	 * 32 bits name one */
	VEQ(simk_port_associate(port, PORT_SOURCE_FD, (1ULL << 32) | (uint64_t)rd, PORT_POLLIN, 0),
	    -EBADF);
	VEQ(simk_port_dissociate(port, PORT_SOURCE_FD, (1ULL << 32) | (uint64_t)rd), -EBADF);
	VEQ(simk_port_dissociate(port, PORT_SOURCE_USER, 0), -EINVAL);
	VEQ(simk_port_associate(port, PORT_SOURCE_FD, (uint64_t)rd, PORT_POLLIN, 0), 0);
	VEQ(simk_port_dissociate(port, PORT_SOURCE_FD, (uint64_t)rd), 0);
	VEQ(simk_port_dissociate(port, PORT_SOURCE_FD, (uint64_t)rd), -ENOENT);
	/* a dissociated fd delivers nothing */
	write1(wr);
	VEQ(pt_count(port), 0);
	/* event limit */
	struct port_limits l;
	port_limits_get(&l);
	l.events_max = 1;
	VEQ(port_limits_set(&l), 0);
	int p2 = simk_port_create();
	VEQ(simk_port_send(p2, 1, 0), 0);
	VEQ(simk_port_associate(p2, PORT_SOURCE_FD, (uint64_t)rd, PORT_POLLIN, 0), -EAGAIN);
	VEQ(simk_close(p2), 0);
	VEQ(simk_close(port), 0);
	VEQ(simk_close(rd), 0);
	VEQ(simk_close(wr), 0);
}

Test(port_fd, errors_ebadf_einval_enoent_eagain)
{
	pt_run1(t_fd_errors, NULL);
}

static void t_fd_close_dissociates(void *arg)
{
	(void)arg;
	int port = simk_port_create();
	int rd, wr;
	VEQ(pipe_fds(&rd, &wr), 0);
	write1(wr);
	VEQ(simk_port_associate(port, PORT_SOURCE_FD, (uint64_t)rd, PORT_POLLIN, 0), 0);
	VEQ(pt_count(port), 1);
	VEQ(simk_close(rd), 0); /* dissociates and takes its event back */
	VEQ(pt_count(port), 0);
	VEQ(pt_stats().slots_live, 0);
	/* the fd number reused by another file is not associated */
	int rd2, wr2;
	VEQ(pipe_fds(&rd2, &wr2), 0);
	VEQ(rd2, rd);
	VEQ(simk_port_dissociate(port, PORT_SOURCE_FD, (uint64_t)rd2), -ENOENT);
	/* closing the write end makes the read end report POLLHUP */
	VEQ(simk_port_associate(port, PORT_SOURCE_FD, (uint64_t)rd2, PORT_POLLIN, 0), 0);
	VEQ(simk_close(wr2), 0);
	port_event_t ev;
	VEQ(pt_get(port, &ev, &pt_poll), 0);
	VCHECK(ev.portev_events & PORT_POLLHUP);
	/* dup: closing the associated number dissociates, the dup does not */
	int d = simk_dup(rd2);
	VEQ(simk_port_associate(port, PORT_SOURCE_FD, (uint64_t)rd2, PORT_POLLIN, 0), 0);
	VEQ(simk_close(d), 0);
	VEQ(simk_port_dissociate(port, PORT_SOURCE_FD, (uint64_t)rd2), 0);
	VEQ(simk_close(rd2), 0);
	VEQ(simk_close(wr), 0);
	VEQ(simk_close(port), 0);
}

Test(port_fd, closing_the_fd_dissociates_it)
{
	pt_run1(t_fd_close_dissociates, NULL);
}

/* A port watching another port: readiness of the inner one. Closing the
 * outer port dissociates everything it holds. */
static void t_port_in_port(void *arg)
{
	(void)arg;
	int outer = simk_port_create(), inner = simk_port_create();
	VEQ(simk_port_associate(outer, PORT_SOURCE_FD, (uint64_t)inner, PORT_POLLIN, 5), 0);
	VEQ(pt_count(outer), 0);
	VEQ(simk_port_send(inner, 1, 0), 0);
	port_event_t ev;
	VEQ(pt_get(outer, &ev, &pt_poll), 0);
	VEQ(ev.portev_object, (uint64_t)inner);
	VEQ(ev.portev_user, 5);
	int rd, wr;
	VEQ(pipe_fds(&rd, &wr), 0);
	VEQ(simk_port_associate(outer, PORT_SOURCE_FD, (uint64_t)rd, PORT_POLLIN, 0), 0);
	VEQ(simk_port_associate(outer, PORT_SOURCE_FD, (uint64_t)wr, PORT_POLLOUT, 0), 0);
	VEQ(simk_close(outer), 0);     /* dissociates rd and wr, frees the slots */
	VEQ(pt_stats().slots_live, 1); /* the inner port's user event */
	write1(wr);
	VEQ(simk_close(inner), 0);
	VEQ(simk_close(rd), 0);
	VEQ(simk_close(wr), 0);
	VEQ(pt_stats().slots_live, 0);
}

Test(port_fd, a_port_watches_another_port_and_close_dissociates_all)
{
	pt_run1(t_port_in_port, NULL);
}

/* A waiter in port_get wakes when the pipe becomes readable. */
static int fd_waiter_r = 1;
static void t_fd_waiter(void *arg)
{
	int port = *(int *)arg;
	port_event_t ev;
	fd_waiter_r = pt_get(port, &ev, NULL);
}

static void t_fd_wakes(void *arg)
{
	(void)arg;
	static int port;
	port = simk_port_create();
	int rd, wr;
	VEQ(pipe_fds(&rd, &wr), 0);
	VEQ(simk_port_associate(port, PORT_SOURCE_FD, (uint64_t)rd, PORT_POLLIN, 0), 0);
	kthread_create(sim_proc_current(), "w", t_fd_waiter, &port, false);
	vt_sleep(1000);
	VEQ(fd_waiter_r, 1);
	write1(wr);
	vt_sleep(1000);
	VEQ(fd_waiter_r, 0);
	VEQ(simk_close(port), 0);
	VEQ(simk_close(rd), 0);
	VEQ(simk_close(wr), 0);
}

Test(port_fd, readiness_wakes_a_waiting_thread)
{
	pt_run1(t_fd_wakes, NULL);
}

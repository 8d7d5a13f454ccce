/* Event ports: port_check() passes on live ports and catches each kind of
 * corruption of the queue, the slot accounting and the waiter list. */
#include "port_test.h"

#include "syscalls/portfs/port_priv.h"

static struct port_kevent *held;

/* A port with two queued user events and one held slot (held). */
static struct port *busy_port(int *fdp)
{
	int port = sys_port_create();
	VCHECK(port >= 0);
	VEQ(sys_port_send(port, 1, 1), 0);
	VEQ(sys_port_send(port, 2, 2), 0);
	struct port *pp;
	VEQ(port_hold_fd(NULL, port, &pp), 0);
	VEQ(port_alloc_event(pp, NULL, PORT_ALLOC_DEFAULT, PORT_SOURCE_USER, &held), 0);
	port_rele(pp);
	vt_check_all(); /* consistent so far: no false alarm */
	*fdp = port;
	return pp;
}

static void t_sane(void *arg)
{
	(void)arg;
	int fd;
	struct port *pp = busy_port(&fd);
	port_event_t ev;
	VEQ(pt_get(fd, &ev, NULL), 0);
	vt_check_all();
	(void)pp;
	port_free_event(held);
	vt_check_all();
	VEQ(sys_close(fd), 0);
	vt_check_all();
}

Test(port_check, passes_on_live_and_closed_ports)
{
	pt_run1(t_sane, NULL);
}

static void t_qcount(void *arg)
{
	(void)arg;
	int fd;
	busy_port(&fd)->q_nent++;
	vt_check_all();
}

Test(port_check, catches_a_queue_count_off_by_one)
{
	vt_run_expect_check_failure(t_qcount, "queue holds 2 slots, q_nent 3");
}

static void t_slot_state(void *arg)
{
	(void)arg;
	int fd;
	struct port *pp = busy_port(&fd);
	struct port_kevent *k = list_entry(pp->queue.next, struct port_kevent, link);
	k->state = KEV_HELD; /* queued, but says held */
	vt_check_all();
}

Test(port_check, catches_a_queued_slot_in_the_wrong_state)
{
	vt_run_expect_check_failure(t_slot_state, "on the queue in state 1");
}

static void t_nslots(void *arg)
{
	(void)arg;
	int fd;
	busy_port(&fd)->nslots--;
	vt_check_all();
}

Test(port_check, catches_a_slot_count_below_the_slot_list)
{
	vt_run_expect_check_failure(t_nslots, "slot list (port 1) longer than its count 2");
}

static void t_slots_live(void *arg)
{
	(void)arg;
	int fd;
	busy_port(&fd);
	port_run()->st.slots_live++;
	vt_check_all();
}

Test(port_check, catches_run_slot_accounting_drift)
{
	vt_run_expect_check_failure(t_slots_live, "3 slots listed, slots_live 4");
}

static void t_getlist(void *arg)
{
	(void)arg;
	int fd;
	busy_port(&fd)->g_nent = 1; /* nobody retrieves */
	vt_check_all();
}

Test(port_check, catches_a_get_list_count_with_no_retriever)
{
	vt_run_expect_check_failure(t_getlist, "g_nent 1 with no retriever");
}

static void t_waiters(void *arg)
{
	(void)arg;
	int fd;
	busy_port(&fd)->nwaiters = 1;
	vt_check_all();
}

Test(port_check, catches_a_waiter_count_with_no_waiter)
{
	vt_run_expect_check_failure(t_waiters, "lists 0 waiters, nwaiters 1");
}

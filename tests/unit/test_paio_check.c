/* POSIX AIO: paio_check() passes on a busy process and catches each kind
 * of corruption of the worker queues, the done queue, the hash and the
 * nested counts. */
#include "paio_test.h"

#include "syscalls/posix_aio/paio_priv.h"

static int pfd[2];
static uaddr_t rcb;

/* A read pending on an empty pipe (a worker runs it) and a write done
 * and reaped; returns the process's AIO state. */
static struct paio_proc *busy_proc(void)
{
	vt_setup();
	int fd = vt_open("/f", O_CREAT | O_RDWR, 0644);
	uaddr_t wcb = pt_cb(fd, vt_ubytes("abc", 3), 3, 0);
	VEQ(sys_aio_write(wcb), 0);
	VEQ(pt_wait(wcb), 0);
	VEQ(sys_aio_return(wcb), 3);
	uaddr_t a = vt_ubuf(2 * sizeof(int));
	VEQ(sys_pipe2(a, 0), 0);
	vt_uget(a, pfd, sizeof(pfd));
	rcb = pt_cb(pfd[0], vt_ubuf(8), 8, 0);
	VEQ(sys_aio_read(rcb), 0);
	vt_sleep(1000); /* a worker takes it and blocks in the read */
	vt_check_all(); /* consistent: no false alarm */
	struct paio_proc *pp = paio_proc_of(sim_proc_current(), false);
	VCHECK(pp != NULL);
	return pp;
}

static void t_sane(void *arg)
{
	(void)arg;
	busy_proc();
	VEQ(sys_write(pfd[1], vt_ubytes("x", 1), 1), 1);
	VEQ(pt_wait(rcb), 0);
	vt_check_all();
	VEQ(sys_aio_return(rcb), 1);
	vt_check_all();
}

Test(paio_check, passes_on_a_busy_process)
{
	VT_RUN1(t_sane);
}

static void t_outstanding(void *arg)
{
	(void)arg;
	busy_proc()->outstanding++;
	vt_check_all();
}

Test(paio_check, catches_outstanding_not_adding_up)
{
	vt_run_expect_check_failure(t_outstanding, "outstanding 2 != 1 POSIX + 0 Solaris");
}

static void t_active(void *arg)
{
	(void)arg;
	busy_proc()->active = 0; /* below outstanding */
	vt_check_all();
}

Test(paio_check, catches_fewer_active_than_outstanding)
{
	vt_run_expect_check_failure(t_active, "outstanding 1 > active 0");
}

static void t_queued(void *arg)
{
	(void)arg;
	struct paio_proc *pp = busy_proc();
	struct paio_worker *w = list_entry(pp->workers.next, struct paio_worker, ring);
	w->queued++;
	w->idle = false;
	vt_check_all();
}

Test(paio_check, catches_a_worker_queue_count_off_by_one)
{
	vt_run_expect_check_failure(t_queued, "queues 0 requests, queued 1");
}

static void t_doneq(void *arg)
{
	(void)arg;
	busy_proc()->doneq_n++;
	vt_check_all();
}

Test(paio_check, catches_a_done_queue_count_off_by_one)
{
	vt_run_expect_check_failure(t_doneq, "done queue holds 0, doneq_n 1");
}

static void t_hash(void *arg)
{
	(void)arg;
	struct paio_proc *pp = busy_proc();
	struct paio_req *r = paio_hash_find(pp, rcb);
	VCHECK(r != NULL);
	r->key += 8; /* now in the wrong bucket (or shadowed) */
	vt_check_all();
}

Test(paio_check, catches_a_request_lost_in_the_hash)
{
	vt_run_expect_check_failure(t_hash, "not findable by its key");
}

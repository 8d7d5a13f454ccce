/* kqueue: kq_check() passes on kqueues with queued and idle knotes and
 * catches each kind of corruption of the pending queue, the knote list,
 * the identity hash and the run's counts. */
#include "kq_test.h"

#include "syscalls/kqueue/kq_priv.h"

/* A kqueue with two user knotes, one triggered (queued); its fd in *fdp. */
static struct kqueue *busy_kq(int *fdp)
{
	int kq = sys_kqueue();
	VCHECK(kq >= 0);
	VEQ(kq_change(kq, 1, EVFILT_USER, EV_ADD | EV_CLEAR, 0, 0, 0), 0);
	VEQ(kq_change(kq, 2, EVFILT_USER, EV_ADD | EV_CLEAR, 0, 0, 0), 0);
	VEQ(kq_change(kq, 1, EVFILT_USER, 0, NOTE_TRIGGER, 0, 0), 0);
	vt_check_all(); /* consistent: no false alarm */
	struct file *fp;
	struct kqueue *k = kqueue_from_fd(sim_proc_current(), kq, &fp);
	VCHECK(k != NULL);
	file_put(fp);
	*fdp = kq;
	return k;
}

static void t_sane(void *arg)
{
	(void)arg;
	int fd;
	busy_kq(&fd);
	struct kevent ev;
	VEQ(kq_poll(fd, &ev, 1), 1);
	vt_check_all();
	VEQ(sys_close(fd), 0);
	vt_check_all();
}

Test(kq_check, passes_on_live_and_closed_kqueues)
{
	kq_run1(1, SIMK_POLICY_FIFO, false, t_sane, NULL);
}

static void t_count(void *arg)
{
	(void)arg;
	int fd;
	busy_kq(&fd)->count++;
	vt_check_all();
}

Test(kq_check, catches_a_pending_count_off_by_one)
{
	vt_run_expect_check_failure(t_count, "count 2 but 1 queued");
}

static void t_nknotes(void *arg)
{
	(void)arg;
	int fd;
	busy_kq(&fd)->nknotes--;
	vt_check_all();
}

Test(kq_check, catches_a_knote_list_longer_than_its_count)
{
	vt_run_expect_check_failure(t_nknotes, "knote list longer than 1");
}

static void t_unhashed(void *arg)
{
	(void)arg;
	int fd;
	struct kqueue *kq = busy_kq(&fd);
	struct knote *kn = kqueue_lookup(kq, EVFILT_USER, 2);
	VCHECK(kn != NULL);
	list_del(&kn->idlink); /* listed, but no longer findable */
	vt_check_all();
}

Test(kq_check, catches_a_knote_missing_from_the_hash)
{
	vt_run_expect_check_failure(t_unhashed, "not findable");
}

static void t_kqueues_live(void *arg)
{
	(void)arg;
	int fd;
	busy_kq(&fd);
	kq_st()->kqueues_live--;
	vt_check_all();
}

Test(kq_check, catches_more_kqueues_than_counted)
{
	vt_run_expect_check_failure(t_kqueues_live, "more kqueues listed than kqueues_live 0");
}

/* VFS: fd tables — allocation, dup, dup2, fcntl, close observers, fork, exec. */
#include "vfs_test.h"

#define OBS_MAX 64
static struct {
	int n;
	int pid[OBS_MAX], fd[OBS_MAX];
	uint64_t file_id[OBS_MAX];
	int refs[OBS_MAX];
} obs;

static void observer(struct simk_proc *p, int fd, struct file *fp)
{
	if (obs.n < OBS_MAX) {
		obs.pid[obs.n] = p->pid;
		obs.fd[obs.n] = fd;
		obs.file_id[obs.n] = fp->id;
		obs.refs[obs.n] = fp->refcount;
	}
	obs.n++;
	KASSERT(!fd_is(p, fd, fp), "observer called while the fd still names the file");
}

static void t_dup(void *arg)
{
	(void)arg;
	vt_setup();
	struct simk_proc *p = sim_proc_current();
	int a = vt_open("/a", O_CREAT | O_RDWR, 0644);
	int b = vt_open("/b", O_CREAT | O_RDWR, 0644);
	VEQ(a, 0);
	VEQ(b, 1);
	int c = simk_dup(a);
	VEQ(c, 2);
	VEQ(simk_close(a), 0);
	VEQ(simk_dup(b), 0); /* lowest free */
	VEQ(simk_dup(42), -EBADF);
	VEQ(simk_dup2(b, 7), 7);
	VEQ(fd_count(p), 4);
	VEQ(simk_dup2(b, b), b);
	VEQ(simk_dup2(9, 9), -EBADF);
	VEQ(simk_dup2(b, -1), -EBADF);
	VEQ(simk_dup2(b, FD_MAX), -EBADF);
	/* shared offset between dup'ed descriptors */
	VEQ(vt_write_str(c, "xyz"), 3);
	VEQ(simk_lseek(c, 0, SIMK_SEEK_CUR), 3);
	int d = simk_dup(c);
	VEQ(vt_write_str(d, "W"), 1);
	VEQ(simk_lseek(c, 0, SIMK_SEEK_CUR), 4);
	/* dup2 over an open descriptor closes it and tells the observers */
	int before = obs.n;
	uint64_t b_id;
	{
		struct file *fp;
		VEQ(fd_get(p, b, &fp), 0);
		b_id = fp->id;
		file_put(fp);
	}
	VEQ(simk_dup2(c, 7), 7);
	VEQ(obs.n, before + 1);
	VEQ(obs.fd[before], 7);
	VEQ(obs.file_id[before], b_id);
	VEQ(obs.pid[before], p->pid);
	/* fcntl */
	VEQ(simk_fcntl(c, SIMK_F_GETFD, 0), 0);
	VEQ(simk_fcntl(c, SIMK_F_SETFD, FD_CLOEXEC_FLAG), 0);
	VEQ(simk_fcntl(c, SIMK_F_GETFD, 0), FD_CLOEXEC_FLAG);
	VEQ(simk_fcntl(c, SIMK_F_DUPFD, 20), 20);
	VEQ(simk_fcntl(20, SIMK_F_GETFD, 0), 0);
	VEQ(simk_fcntl(c, SIMK_F_DUPFD_CLOEXEC, 20), 21);
	VEQ(simk_fcntl(21, SIMK_F_GETFD, 0), FD_CLOEXEC_FLAG);
	VEQ(simk_fcntl(c, SIMK_F_DUPFD, -1), -EINVAL);
	VEQ(simk_fcntl(c, SIMK_F_GETFL, 0), O_RDWR);
	VEQ(simk_fcntl(c, SIMK_F_SETFL, O_APPEND | O_NONBLOCK | O_RDONLY), 0);
	VEQ(simk_fcntl(c, SIMK_F_GETFL, 0), O_RDWR | O_APPEND | O_NONBLOCK);
	/* exec closes FD_CLOEXEC descriptors */
	int open_before = fd_count(p);
	proc_exec(p, "exec'd");
	VEQ(fd_count(p), open_before - 2); /* c and 21 */
	VEQ(simk_fcntl(c, SIMK_F_GETFD, 0), -EBADF);
	VEQ(simk_fcntl(20, SIMK_F_GETFD, 0), 0);
}

Test(vfs_fd, dup_dup2_fcntl_cloexec_and_close_observers)
{
	memset(&obs, 0, sizeof(obs));
	fd_register_close_observer(observer);
	vt_config_default();
	struct simk *s = vt_sim(1);
	simk_thread_create(simk_proc_create(s, "p"), "t", t_dup, NULL);
	VT_RUN_PASS(s);
	simk_destroy(s);
}

static void t_too_many(void *arg)
{
	(void)arg;
	vt_setup();
	int fd = vt_open("/a", O_CREAT | O_RDWR, 0644);
	int r = 0;
	for (int i = 0; i < FD_MAX + 5 && r >= 0; i++)
		r = simk_dup(fd);
	VEQ(r, -EMFILE);
	VEQ(fd_count(sim_proc_current()), FD_MAX);
	VEQ(vt_open("/b", O_CREAT | O_RDWR, 0644), -EMFILE);
}

Test(vfs_fd, table_full_is_emfile)
{
	vt_config_default();
	struct simk *s = vt_sim(2);
	simk_thread_create(simk_proc_create(s, "p"), "t", t_too_many, NULL);
	VT_RUN_PASS(s);
	simk_destroy(s);
}

static int shared_fd;

static void child_writes(void *arg)
{
	(void)arg;
	VEQ(simk_lseek(shared_fd, 0, SIMK_SEEK_CUR), 3); /* inherited offset */
	VEQ(vt_write_str(shared_fd, "def"), 3);
	VEQ(simk_close(shared_fd), 0); /* the parent's descriptor stays open */
}

static void t_fork(void *arg)
{
	(void)arg;
	vt_setup();
	shared_fd = vt_open("/f", O_CREAT | O_RDWR, 0644);
	VEQ(vt_write_str(shared_fd, "abc"), 3);
	int pid = proc_fork("child", child_writes, NULL);
	VCHECK(pid > 0);
	int status = -1;
	VEQ(proc_wait(pid, &status), pid);
	VEQ(simk_lseek(shared_fd, 0, SIMK_SEEK_CUR), 6); /* the child moved our offset */
	VEQ(vt_write_str(shared_fd, "ghi"), 3);
	char buf[9];
	VEQ(vt_pread(shared_fd, buf, 9, 0), 9);
	VCHECK(memcmp(buf, "abcdefghi", 9) == 0);
}

Test(vfs_fd, fork_child_shares_open_file_and_offset)
{
	vt_config_default();
	struct simk *s = vt_sim(3);
	simk_thread_create(simk_proc_create(s, "p"), "t", t_fork, NULL);
	VT_RUN_PASS(s);
	simk_destroy(s);
}

static void child_exits(void *arg)
{
	(void)arg;
	/* exits without closing: process exit closes every descriptor */
}

static void t_exit_closes(void *arg)
{
	(void)arg;
	vt_setup();
	int fd = vt_open("/f", O_CREAT | O_RDWR, 0644);
	int before = obs.n;
	int pid = proc_fork("child", child_exits, NULL);
	int status;
	VEQ(proc_wait(pid, &status), pid);
	VEQ(obs.n, before + 1);
	VEQ(obs.pid[before], pid);
	VEQ(obs.fd[before], fd);
	VEQ(obs.refs[before], 2); /* ours and the child's, dropped after the call */
	struct file *fp;
	VEQ(fd_get(sim_proc_current(), fd, &fp), 0);
	VEQ(fp->refcount, 2); /* table + this get */
	file_put(fp);
}

Test(vfs_fd, process_exit_closes_descriptors_through_observers)
{
	memset(&obs, 0, sizeof(obs));
	fd_register_close_observer(observer);
	vt_config_default();
	struct simk *s = vt_sim(4);
	simk_thread_create(simk_proc_create(s, "p"), "t", t_exit_closes, NULL);
	VT_RUN_PASS(s);
	simk_destroy(s);
}

/* A file referenced only by a kernel user and dropped from an interrupt
 * is released by deferred work (the aio_fput_routine path). */
static struct file *irq_fp;
static struct sim_event put_ev;
static void put_from_irq(struct sim_event *ev)
{
	(void)ev;
	KASSERT(sim_in_irq(), "not in interrupt context");
	file_put(irq_fp);
}

static void t_irq_put(void *arg)
{
	(void)arg;
	vt_setup();
	int fd = vt_open("/f", O_CREAT | O_RDWR, 0644);
	VEQ(fd_get(sim_proc_current(), fd, &irq_fp), 0);
	VEQ(simk_close(fd), 0);
	VEQ(irq_fp->refcount, 1);
	VEQ(simk_unlink(vt_ustr("/f")), 0); /* the inode goes with the last reference */
	struct vfs_stats before;
	VEQ(vfs_get_stats(&before), 0);
	event_init(&put_ev, "test-put", put_from_irq, NULL);
	event_schedule_in(&put_ev, 1000);
	struct waitq wq;
	waitq_init(&wq, "idle");
	waitq_sleep(&wq, false, false, 100000); /* the work queue runs meanwhile */
	waitq_destroy(&wq);
	struct vfs_stats vs;
	VEQ(vfs_get_stats(&vs), 0);
	VEQ(vs.free_inodes, before.free_inodes + 1);
}

Test(vfs_fd, last_put_from_interrupt_is_deferred_and_nothing_leaks)
{
	vt_config_default();
	struct simk *s = vt_sim(5);
	simk_thread_create(simk_proc_create(s, "p"), "t", t_irq_put, NULL);
	VT_RUN_PASS(s);
	simk_destroy(s);
}

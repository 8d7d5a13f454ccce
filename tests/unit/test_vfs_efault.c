/*
 * VFS and eventfd: results written to user memory that is readable but
 * not writable (kern/umem page protections). Reads into a read-only
 * buffer, stat structures, the descriptor pair of pipe/socketpair, poll's
 * revents, ioctl results, readlink. Each pins the errno and what was or
 * was not consumed, moved or left allocated (the run's leak check covers
 * files and descriptors).
 */
#include "vfs_test.h"

#include "syscalls/eventfd/eventfd.h"
#include "vfs/socket.h"

#define PG UMEM_PAGE

static void run_body(simk_thread_fn fn)
{
	vt_config_default();
	struct simk *s = vt_sim(1);
	simk_thread_create(simk_proc_create(s, "p"), "main", fn, NULL);
	VT_RUN_PASS(s);
	simk_destroy(s);
}

/* A read-only page filled with 'z'. */
static uaddr_t ro_page(void)
{
	uaddr_t a = vt_ubuf(PG);
	uint8_t z[PG];
	memset(z, 'z', sizeof(z));
	vt_uput(a, z, sizeof(z));
	vt_protect(a, PG, UMEM_PROT_READ);
	return a;
}

static bool still_z(uaddr_t a, size_t n)
{
	const uint8_t *v = umem_map_kernel(sim_proc_current(), a, n);
	for (size_t i = 0; i < n; i++)
		if (v[i] != 'z')
			return false;
	return true;
}

/* ---- regular files ---- */

static void t_file(void *arg)
{
	(void)arg;
	vt_setup();
	int fd = vt_open("/f", O_CREAT | O_RDWR, 0644);
	uint8_t data[2 * PG];
	vt_fill(data, sizeof(data), 7, 0);
	VEQ(vt_pwrite(fd, data, sizeof(data), 0), (ssize_t)sizeof(data));
	uaddr_t ro = ro_page();
	VEQ(simk_lseek(fd, 0, SIMK_SEEK_SET), 0);
	VEQ(simk_read(fd, ro, 100), -EFAULT);
	VEQ(simk_lseek(fd, 0, SIMK_SEEK_CUR), 0); /* the offset did not move */
	VEQ(simk_pread(fd, ro, 100, 10), -EFAULT);
	VCHECK(still_z(ro, PG));
	/* readv: the first vector lands, the read-only one stops the
	 * transfer; the call returns what moved and the offset follows */
	uaddr_t w = vt_ubuf(64);
	struct simk_iovec iov[2] = {{w, 64}, {ro, 64}};
	uaddr_t uiov = vt_ubytes(iov, sizeof(iov));
	vt_protect(uiov, PG, UMEM_PROT_READ); /* the array itself is only read */
	VEQ(simk_readv(fd, uiov, 2), 64);
	VEQ(simk_lseek(fd, 0, SIMK_SEEK_CUR), 64);
	uint8_t got[64];
	vt_uget(w, got, sizeof(got));
	VCHECK(memcmp(got, data, sizeof(got)) == 0);
	VCHECK(still_z(ro, PG));
	/* writes only read their buffer: read-only is enough; write-only
	 * and no access are not */
	VEQ(simk_pwrite(fd, ro, 10, 0), 10);
	vt_protect(ro, PG, UMEM_PROT_WRITE);
	VEQ(simk_pwrite(fd, ro, 10, 0), -EFAULT);
	vt_protect(ro, PG, UMEM_PROT_NONE);
	VEQ(simk_write(fd, ro, 10), -EFAULT);
	VEQ(simk_lseek(fd, 0, SIMK_SEEK_CUR), 64);
	VEQ(simk_close(fd), 0);
}

Test(vfs_efault, read_into_readonly_buffer_moves_nothing)
{
	run_body(t_file);
}

static void t_direct(void *arg)
{
	(void)arg;
	vt_setup();
	int fd = vt_open("/d", O_CREAT | O_RDWR | O_DIRECT, 0644);
	uaddr_t src = vt_ubuf(PG);
	VEQ(simk_pwrite(fd, src, PG, 0), PG);
	uaddr_t ro = ro_page();
	VEQ(simk_pread(fd, ro, PG, 0), -EFAULT);
	VCHECK(still_z(ro, PG));
	VEQ(simk_close(fd), 0);
}

Test(vfs_efault, direct_read_into_readonly_buffer_is_efault)
{
	run_body(t_direct);
}

/* ---- pipes and sockets ---- */

static void t_pipe(void *arg)
{
	(void)arg;
	uaddr_t a = vt_ubuf(8);
	VEQ(simk_pipe(a), 0);
	int fds[2];
	vt_uget(a, fds, sizeof(fds));
	VEQ(vt_write_str(fds[1], "hello"), 5);
	uaddr_t ro = ro_page();
	VEQ(simk_read(fds[0], ro, 5), -EFAULT);
	VEQ(simk_read(fds[0], ro, 1), -EFAULT);
	VCHECK(still_z(ro, PG));
	/* nothing was consumed */
	int n = -1;
	uaddr_t un = vt_ubytes(&n, sizeof(n));
	VEQ(simk_ioctl(fds[0], SIMK_FIONREAD, un), 0);
	vt_uget(un, &n, sizeof(n));
	VEQ(n, 5);
	/* an ioctl result that cannot be written */
	VEQ(simk_ioctl(fds[0], SIMK_FIONREAD, ro), -EFAULT);
	uaddr_t b = vt_ubuf(8);
	VEQ(simk_read(fds[0], b, 8), 5);
	char got[6] = {0};
	vt_uget(b, got, 5);
	VCHECK(strcmp(got, "hello") == 0);
	VEQ(simk_close(fds[0]), 0);
	VEQ(simk_close(fds[1]), 0);

	/* pipe() into a read-only array: no descriptor is installed, both
	 * files are released (the run's leak check), the array is untouched */
	VEQ(simk_pipe(ro), -EFAULT);
	VEQ(simk_pipe2(ro, O_NONBLOCK), -EFAULT);
	VCHECK(still_z(ro, PG));
	VEQ(simk_close(fds[0]), -EBADF);
	VEQ(simk_close(fds[1]), -EBADF);
	VEQ(simk_pipe(a), 0);
	int again[2];
	vt_uget(a, again, sizeof(again));
	VEQ(again[0], fds[0]); /* the lowest descriptors were free again */
	VEQ(again[1], fds[1]);
	VEQ(simk_close(again[0]), 0);
	VEQ(simk_close(again[1]), 0);
}

Test(vfs_efault, pipe_read_and_pipe_fds_into_readonly_memory)
{
	run_body(t_pipe);
}

static void t_socket(void *arg)
{
	(void)arg;
	uaddr_t ro = ro_page();
	VEQ(simk_socketpair(SIMK_AF_UNIX, SIMK_SOCK_STREAM, 0, ro), -EFAULT);
	VCHECK(still_z(ro, PG));
	uaddr_t a = vt_ubuf(8);
	VEQ(simk_socketpair(SIMK_AF_UNIX, SIMK_SOCK_STREAM, 0, a), 0);
	int sv[2];
	vt_uget(a, sv, sizeof(sv));
	VEQ(sv[0], 0); /* the failed call left no descriptor behind */
	uaddr_t msg = vt_ustr("ab");
	VEQ(simk_send(sv[0], msg, 2, 0), 2);
	VEQ(simk_send(sv[0], msg, 1, SIMK_MSG_OOB), 1);
	VEQ(simk_recv(sv[1], ro, 2, 0), -EFAULT);
	VEQ(simk_recv(sv[1], ro, 1, SIMK_MSG_OOB), -EFAULT);
	VCHECK(still_z(ro, PG));
	uaddr_t b = vt_ubuf(4);
	VEQ(simk_recv(sv[1], b, 1, SIMK_MSG_OOB), 1); /* the urgent byte stayed */
	VEQ(simk_recv(sv[1], b, 4, 0), 2);	      /* and the data */
	VEQ(simk_close(sv[0]), 0);
	VEQ(simk_close(sv[1]), 0);
}

Test(vfs_efault, socket_pair_and_recv_into_readonly_memory)
{
	run_body(t_socket);
}

/* ---- stat, readlink, poll ---- */

static void t_meta(void *arg)
{
	(void)arg;
	vt_setup();
	int fd = vt_open("/m", O_CREAT | O_RDWR, 0644);
	VEQ(simk_symlink(vt_ustr("/m"), vt_ustr("/l")), 0);
	uaddr_t ro = ro_page();
	VEQ(simk_stat(vt_ustr("/m"), ro), -EFAULT);
	VEQ(simk_lstat(vt_ustr("/l"), ro), -EFAULT);
	VEQ(simk_fstat(fd, ro), -EFAULT);
	VEQ(simk_readlink(vt_ustr("/l"), ro, 16), -EFAULT);
	VCHECK(still_z(ro, PG));
	struct simk_stat st;
	VEQ(vt_stat("/m", &st), 0); /* and with a writable one, they work */
	VEQ(simk_close(fd), 0);

	/* poll reads the array, then cannot write revents back */
	uaddr_t a = vt_ubuf(8);
	VEQ(simk_pipe(a), 0);
	int fds[2];
	vt_uget(a, fds, sizeof(fds));
	struct {
		int32_t fd;
		int16_t events, revents;
	} pfd = {fds[1], POLLOUT, 0};
	uaddr_t up = vt_ubytes(&pfd, sizeof(pfd));
	vt_protect(up, PG, UMEM_PROT_READ);
	VEQ(simk_poll(up, 1, 0), -EFAULT);
	vt_uget(up, &pfd, sizeof(pfd));
	VEQ(pfd.revents, 0);
	vt_protect(up, PG, UMEM_PROT_READ | UMEM_PROT_WRITE);
	VEQ(simk_poll(up, 1, 0), 1);
	vt_uget(up, &pfd, sizeof(pfd));
	VEQ(pfd.revents, POLLOUT);
	VEQ(simk_close(fds[0]), 0);
	VEQ(simk_close(fds[1]), 0);
}

Test(vfs_efault, stat_readlink_and_poll_into_readonly_memory)
{
	run_body(t_meta);
}

/* ---- eventfd ---- */

static void t_eventfd(void *arg)
{
	(void)arg;
	int efd = simk_eventfd(5, O_NONBLOCK);
	VCHECK(efd >= 0);
	uaddr_t ro = ro_page();
	/* as on Linux, the counter is read (and reset) before the copy */
	VEQ(simk_read(efd, ro, 8), -EFAULT);
	VCHECK(still_z(ro, 8));
	uaddr_t b = vt_ubuf(8);
	VEQ(simk_read(efd, b, 8), -EAGAIN); /* the 5 is gone */
	/* a write reads its value: read-only is enough */
	uint64_t one = 1;
	vt_protect(ro, PG, UMEM_PROT_READ | UMEM_PROT_WRITE);
	vt_uput(ro, &one, sizeof(one));
	vt_protect(ro, PG, UMEM_PROT_READ);
	VEQ(simk_write(efd, ro, 8), 8);
	VEQ(simk_read(efd, b, 8), 8);
	uint64_t v = 0;
	vt_uget(b, &v, sizeof(v));
	VEQ(v, 1);
	VEQ(simk_close(efd), 0);
}

Test(vfs_efault, eventfd_read_into_readonly_memory_consumes_the_count)
{
	run_body(t_eventfd);
}

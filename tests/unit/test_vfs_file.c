/* VFS: the file system calls on simfs and their error paths. */
#include "vfs_test.h"

static void t_create_write_read(void *arg)
{
	(void)arg;
	vt_setup();
	int fd = vt_open("/a", O_CREAT | O_RDWR, 0644);
	VEQ(fd, 0);
	VEQ(vt_write_str(fd, "hello, world"), 12);
	VEQ(simk_lseek(fd, 0, SIMK_SEEK_CUR), 12);
	char buf[32] = {0};
	VEQ(vt_pread(fd, buf, sizeof(buf), 0), 12);
	VCHECK(memcmp(buf, "hello, world", 12) == 0);
	VEQ(simk_lseek(fd, 7, SIMK_SEEK_SET), 7);
	uaddr_t ub = vt_ubuf(16);
	VEQ(simk_read(fd, ub, 16), 5);
	vt_uget(ub, buf, 5);
	VCHECK(memcmp(buf, "world", 5) == 0);
	VEQ(simk_read(fd, ub, 16), 0); /* end of file */
	struct simk_stat st = vt_fstat(fd);
	VEQ(st.st_size, 12);
	VEQ(st.st_mode, SIMK_S_IFREG | 0644);
	VEQ(st.st_nlink, 1);
	VEQ(st.st_type, FT_REGULAR);
	VEQ(simk_close(fd), 0);
	VEQ(simk_close(fd), -EBADF);
}

Test(vfs_file, create_write_read_seek_stat)
{
	vt_config_default();
	struct simk *s = vt_sim(1);
	simk_thread_create(simk_proc_create(s, "p"), "t", t_create_write_read, NULL);
	VT_RUN_PASS(s);
	simk_destroy(s);
}

static void t_open_errors(void *arg)
{
	(void)arg;
	vt_setup();
	VEQ(vt_open("/missing", O_RDONLY, 0), -ENOENT);
	VEQ(vt_open("", O_RDONLY, 0), -ENOENT);
	VEQ(vt_open("/x", O_RDWR | O_WRONLY | O_CREAT, 0), -EINVAL);
	int fd = vt_open("/f", O_CREAT | O_EXCL | O_WRONLY, 0600);
	VCHECK(fd >= 0);
	VEQ(vt_open("/f", O_CREAT | O_EXCL | O_WRONLY, 0600), -EEXIST);
	VEQ(vt_open("/f/x", O_RDONLY, 0), -ENOTDIR);
	VEQ(vt_open("/f/", O_RDONLY, 0), -ENOTDIR);
	VEQ(vt_open("/nodir/x", O_CREAT | O_RDWR, 0), -ENOENT);
	VEQ(simk_mkdir(vt_ustr("/d"), 0755), 0);
	VEQ(vt_open("/d", O_RDWR, 0), -EISDIR);
	VEQ(vt_open("/d", O_WRONLY | O_CREAT, 0), -EISDIR);
	int dfd = vt_open("/d", O_RDONLY, 0);
	VCHECK(dfd >= 0);
	VEQ(simk_read(dfd, vt_ubuf(8), 8), -EISDIR);
	VEQ(simk_write(dfd, vt_ubuf(8), 8), -EBADF);
	char longname[VFS_NAME_MAX + 3]; /* "/" + NAME_MAX + 1 chars */
	memset(longname, 'n', sizeof(longname));
	longname[0] = '/';
	longname[sizeof(longname) - 1] = '\0';
	VEQ(vt_open(longname, O_CREAT | O_RDWR, 0), -ENAMETOOLONG);
	VEQ(simk_open(0x10, O_RDONLY, 0), -EFAULT); /* not mapped */
	/* O_TRUNC empties an existing file */
	VEQ(vt_write_str(fd, "12345"), 5);
	int fd2 = vt_open("/f", O_RDWR | O_TRUNC, 0);
	VEQ(vt_fstat(fd2).st_size, 0);
	/* a closed descriptor */
	VEQ(simk_read(99, vt_ubuf(4), 4), -EBADF);
	VEQ(simk_write(-1, vt_ubuf(4), 4), -EBADF);
	VEQ(simk_fsync(77), -EBADF);
}

Test(vfs_file, open_error_paths)
{
	vt_config_default();
	struct simk *s = vt_sim(2);
	simk_thread_create(simk_proc_create(s, "p"), "t", t_open_errors, NULL);
	VT_RUN_PASS(s);
	simk_destroy(s);
}

static void t_access_modes(void *arg)
{
	(void)arg;
	vt_setup();
	int w = vt_open("/f", O_CREAT | O_WRONLY, 0644);
	VEQ(vt_write_str(w, "abc"), 3);
	VEQ(simk_read(w, vt_ubuf(4), 4), -EBADF);
	VEQ(simk_pread(w, vt_ubuf(4), 4, 0), -EBADF);
	int r = vt_open("/f", O_RDONLY, 0);
	VEQ(vt_write_str(r, "x"), -EBADF);
	VEQ(simk_pwrite(r, vt_ubuf(1), 1, 0), -EBADF);
	VEQ(simk_ftruncate(r, 0), -EINVAL);
	VEQ(simk_pread(r, vt_ubuf(4), 4, -1), -EINVAL);
	VEQ(simk_lseek(r, -5, SIMK_SEEK_SET), -EINVAL);
	VEQ(simk_lseek(r, 0, 17), -EINVAL);
	VEQ(simk_lseek(r, -1, SIMK_SEEK_END), 2);
	VEQ(simk_ftruncate(w, -1), -EINVAL);
	/* user buffer faults */
	VEQ(simk_write(w, 0x20, 4), -EFAULT);
	VEQ(simk_read(r, 0x20, 4), -EFAULT);
	VEQ(simk_fstat(r, 0x20), -EFAULT);
	VEQ(simk_readv(r, 0x20, 2), -EFAULT);
	VEQ(simk_readv(r, vt_ubuf(16), -1), -EINVAL);
	VEQ(simk_readv(r, vt_ubuf(16), UIO_IOV_MAX + 1), -EINVAL);
	VEQ(simk_fcntl(r, 999, 0), -EINVAL);
	VEQ(simk_ioctl(r, 0x1234, 0), -ENOTTY);
}

Test(vfs_file, access_mode_and_argument_errors)
{
	vt_config_default();
	struct simk *s = vt_sim(3);
	simk_thread_create(simk_proc_create(s, "p"), "t", t_access_modes, NULL);
	VT_RUN_PASS(s);
	simk_destroy(s);
}

static void t_vectors(void *arg)
{
	(void)arg;
	vt_setup();
	int fd = vt_open("/v", O_CREAT | O_RDWR, 0644);
	struct simk_iovec iov[3];
	iov[0] = (struct simk_iovec){vt_ubytes("abc", 3), 3};
	iov[1] = (struct simk_iovec){vt_ubuf(1), 0};
	iov[2] = (struct simk_iovec){vt_ubytes("defgh", 5), 5};
	VEQ(simk_writev(fd, vt_ubytes(iov, sizeof(iov)), 3), 8);
	VEQ(simk_lseek(fd, 0, SIMK_SEEK_SET), 0);
	uaddr_t a = vt_ubuf(2), b = vt_ubuf(10);
	struct simk_iovec rv[2] = {{a, 2}, {b, 10}};
	VEQ(simk_readv(fd, vt_ubytes(rv, sizeof(rv)), 2), 8);
	char x[2], y[6];
	vt_uget(a, x, 2);
	vt_uget(b, y, 6);
	VCHECK(memcmp(x, "ab", 2) == 0 && memcmp(y, "cdefgh", 6) == 0);
	VEQ(simk_writev(fd, vt_ubytes(iov, sizeof(iov)), 0), 0);
	/* a bad address in the second vector: the first is written */
	struct simk_iovec bad[2] = {{vt_ubytes("zz", 2), 2}, {0x30, 4}};
	VEQ(simk_writev(fd, vt_ubytes(bad, sizeof(bad)), 2), 2);
	/* appending */
	int ap = vt_open("/v", O_WRONLY | O_APPEND, 0);
	VEQ(vt_write_str(ap, "END"), 3);
	VEQ(vt_fstat(fd).st_size, 13);
	char all[13];
	VEQ(vt_pread(fd, all, 13, 0), 13);
	VCHECK(memcmp(all, "abcdefghzzEND", 13) == 0);
}

Test(vfs_file, readv_writev_and_append)
{
	vt_config_default();
	struct simk *s = vt_sim(4);
	simk_thread_create(simk_proc_create(s, "p"), "t", t_vectors, NULL);
	VT_RUN_PASS(s);
	simk_destroy(s);
}

static void t_holes_truncate(void *arg)
{
	(void)arg;
	vt_setup();
	int fd = vt_open("/h", O_CREAT | O_RDWR, 0644);
	VEQ(vt_pwrite(fd, "X", 1, 20000), 1);
	VEQ(vt_fstat(fd).st_size, 20001);
	uint8_t buf[64];
	memset(buf, 0xee, sizeof(buf));
	VEQ(vt_pread(fd, buf, 64, 100), 64);
	for (int i = 0; i < 64; i++)
		VEQ(buf[i], 0);
	VEQ(vt_pwrite(fd, "abcdef", 6, 0), 6);
	VEQ(simk_ftruncate(fd, 3), 0);
	VEQ(vt_fstat(fd).st_size, 3);
	VEQ(simk_ftruncate(fd, 10), 0); /* extending reads zeros past the old end */
	VEQ(vt_pread(fd, buf, 10, 0), 10);
	VCHECK(memcmp(buf, "abc\0\0\0\0\0\0\0", 10) == 0);
	VEQ(vt_fstat(fd).st_blocks, 4096 / 512);
}

Test(vfs_file, holes_read_zero_and_truncate_zeroes_the_tail)
{
	vt_config_default();
	struct simk *s = vt_sim(5);
	simk_thread_create(simk_proc_create(s, "p"), "t", t_holes_truncate, NULL);
	VT_RUN_PASS(s);
	simk_destroy(s);
}

static void t_efbig(void *arg)
{
	(void)arg;
	vt_setup();
	int fd = vt_open("/big", O_CREAT | O_RDWR, 0644);
	int64_t max = (int64_t)(12 + 4096 / 4) * 4096;
	VEQ(vt_pwrite(fd, "x", 1, max), -EFBIG);
	VEQ(vt_pwrite(fd, "xyz", 3, max - 1), 1); /* what fits */
	VEQ(vt_fstat(fd).st_size, max);
	VEQ(simk_ftruncate(fd, max + 1), -EFBIG);
}

Test(vfs_file, write_past_the_maximum_size_is_efbig)
{
	vt_config_default();
	vt_cfg.dev.capacity_sectors = 16384;
	struct simk *s = vt_sim(6);
	simk_thread_create(simk_proc_create(s, "p"), "t", t_efbig, NULL);
	VT_RUN_PASS(s);
	simk_destroy(s);
}

static void t_enospc(void *arg)
{
	(void)arg;
	vt_setup();
	int fd = vt_open("/fill", O_CREAT | O_RDWR, 0644);
	uaddr_t b = vt_ubuf(4096);
	ssize_t total = 0, r = 0;
	for (int i = 0; i < 10000; i++) {
		r = simk_write(fd, b, 4096);
		if (r != 4096)
			break;
		total += r;
	}
	VEQ(r, -ENOSPC);
	VCHECK(total > 0);
	VEQ(simk_fsync(fd), 0); /* the metadata reserve still lets it commit */
	VEQ(vt_open("/more", O_CREAT | O_RDWR, 0644) >= 0, 1);
	VEQ(simk_ftruncate(fd, 0), 0);
	VEQ(simk_fsync(fd), 0); /* frees become allocatable after the commit */
	VEQ(simk_write(fd, b, 4096), 4096);
	struct vfs_stats vs;
	VEQ(vfs_get_stats(&vs), 0);
	VCHECK(vs.free_blocks > 100);
}

Test(vfs_file, full_device_is_enospc_and_space_comes_back)
{
	vt_config_default();
	vt_cfg.dev.capacity_sectors = 2048; /* 1 MiB */
	struct simk *s = vt_sim(7);
	simk_thread_create(simk_proc_create(s, "p"), "t", t_enospc, NULL);
	VT_RUN_PASS(s);
	simk_destroy(s);
}

static void t_names(void *arg)
{
	(void)arg;
	vt_setup();
	struct simk_stat st;
	VEQ(simk_mkdir(vt_ustr("/d"), 0700), 0);
	VEQ(simk_mkdir(vt_ustr("/d"), 0700), -EEXIST);
	VEQ(simk_mkdir(vt_ustr("/d/e"), 0700), 0);
	VEQ(vt_stat("/d", &st), 0);
	VEQ(st.st_nlink, 3);
	VEQ(st.st_mode, SIMK_S_IFDIR | 0700);
	VEQ(vt_stat("/", &st), 0);
	VEQ(st.st_nlink, 3);
	int fd = vt_open("/d/e/f", O_CREAT | O_RDWR, 0644);
	VCHECK(fd >= 0);
	VEQ(simk_rmdir(vt_ustr("/d")), -ENOTEMPTY);
	VEQ(simk_rmdir(vt_ustr("/d/e/f")), -ENOTDIR);
	VEQ(simk_rmdir(vt_ustr("/")), -EBUSY);
	VEQ(simk_rmdir(vt_ustr("/nope")), -ENOENT);
	VEQ(simk_unlink(vt_ustr("/d")), -EISDIR);
	VEQ(simk_unlink(vt_ustr("/d/nope")), -ENOENT);
	/* hard links */
	VEQ(simk_link(vt_ustr("/d/e/f"), vt_ustr("/g")), 0);
	VEQ(simk_link(vt_ustr("/d/e/f"), vt_ustr("/g")), -EEXIST);
	VEQ(simk_link(vt_ustr("/d"), vt_ustr("/dd")), -EPERM);
	VEQ(vt_fstat(fd).st_nlink, 2);
	VEQ(simk_unlink(vt_ustr("/d/e/f")), 0);
	VEQ(vt_fstat(fd).st_nlink, 1);
	VEQ(vt_stat("/d/e/f", &st), -ENOENT);
	VEQ(vt_stat("/g", &st), 0);
	/* rename */
	VEQ(simk_rename(vt_ustr("/g"), vt_ustr("/d/h")), 0);
	VEQ(vt_stat("/g", &st), -ENOENT);
	VEQ(vt_stat("/d/h", &st), 0);
	VEQ(simk_rename(vt_ustr("/d"), vt_ustr("/d/e/x")), -EINVAL);
	VEQ(simk_rename(vt_ustr("/d/h"), vt_ustr("/d/e")), -EISDIR);
	VEQ(simk_rename(vt_ustr("/d/e"), vt_ustr("/d/h")), -ENOTDIR);
	VEQ(simk_rename(vt_ustr("/nope"), vt_ustr("/x")), -ENOENT);
	VEQ(simk_rename(vt_ustr("/d/e"), vt_ustr("/e2")), 0); /* a directory moves */
	VEQ(vt_stat("/d", &st), 0);
	VEQ(st.st_nlink, 2);
	VEQ(vt_stat("/e2/..", &st), 0);
	VEQ(st.st_ino, 1);
	int other = vt_open("/o", O_CREAT | O_RDWR, 0644);
	VEQ(vt_write_str(other, "other"), 5);
	VEQ(simk_rename(vt_ustr("/o"), vt_ustr("/d/h")), 0); /* replaces /d/h */
	VEQ(vt_fstat(fd).st_nlink, 0);			     /* still open, unlinked */
	VEQ(vt_write_str(fd, "still works"), 11);
	/* chmod */
	VEQ(simk_chmod(vt_ustr("/d/h"), 0400), 0);
	VEQ(vt_stat("/d/h", &st), 0);
	VEQ(st.st_mode, SIMK_S_IFREG | 0400);
	VEQ(simk_fchmod(other, 0640), 0);
	VEQ(vt_stat("/d/h", &st), 0);
	VEQ(st.st_mode, SIMK_S_IFREG | 0640);
	VEQ(simk_chmod(vt_ustr("/none"), 0), -ENOENT);
	VEQ(simk_rmdir(vt_ustr("/e2")), 0);
	VEQ(vt_stat("/e2", &st), -ENOENT);
	VEQ(vt_stat("/", &st), 0);
	VEQ(st.st_nlink, 3);
	struct vfs_stats vs;
	VEQ(vfs_get_stats(&vs), 0);
	uint32_t free_inodes = vs.free_inodes;
	VEQ(simk_close(fd), 0); /* the last reference of the unlinked file */
	VEQ(vfs_get_stats(&vs), 0);
	VEQ(vs.free_inodes, free_inodes + 1);
}

/* The name errors the tour above does not reach: ".", "/", trailing
 * slashes, a non-empty target directory, a missing source. */
static void t_name_errors(void *arg)
{
	(void)arg;
	vt_setup();
	VEQ(simk_mkdir(vt_ustr("/a"), 0700), 0);
	VEQ(simk_mkdir(vt_ustr("/b"), 0700), 0);
	VEQ(simk_close(vt_open("/b/in", O_CREAT | O_RDWR, 0644)), 0);
	VEQ(simk_close(vt_open("/f", O_CREAT | O_RDWR, 0644)), 0);
	VEQ(vt_open("/nd/", O_CREAT | O_RDWR, 0644), -EISDIR); /* would create a file */
	VEQ(simk_rmdir(vt_ustr("/a/.")), -EINVAL);
	VEQ(simk_link(vt_ustr("/nope"), vt_ustr("/x")), -ENOENT);
	VEQ(simk_link(vt_ustr("/f"), vt_ustr("/g/")), -ENOENT);
	VEQ(simk_rename(vt_ustr("/"), vt_ustr("/r")), -EBUSY);
	VEQ(simk_rename(vt_ustr("/a/."), vt_ustr("/r")), -EINVAL);
	VEQ(simk_rename(vt_ustr("/a"), vt_ustr("/")), -EBUSY);
	VEQ(simk_rename(vt_ustr("/f"), vt_ustr("/a/.")), -EINVAL);
	VEQ(simk_rename(vt_ustr("/f"), vt_ustr("/z/")), -ENOTDIR);
	VEQ(simk_rename(vt_ustr("/a"), vt_ustr("/b")), -ENOTEMPTY);
	struct vnode *vn;
	VEQ(vfs_lookup("/nope", &vn), -ENOENT);
	/* nothing changed */
	struct simk_stat st;
	VEQ(vt_stat("/a", &st), 0);
	VEQ(vt_stat("/f", &st), 0);
	VEQ(vt_stat("/b/in", &st), 0);
	VEQ(vt_stat("/nd", &st), -ENOENT);
}

Test(vfs_file, name_errors_of_dot_root_slash_and_nonempty_targets)
{
	vt_config_default();
	struct simk *s = vt_sim(12);
	simk_thread_create(simk_proc_create(s, "p"), "t", t_name_errors, NULL);
	VT_RUN_PASS(s);
	simk_destroy(s);
}

Test(vfs_file, directories_links_rename_chmod)
{
	vt_config_default();
	struct simk *s = vt_sim(8);
	simk_thread_create(simk_proc_create(s, "p"), "t", t_names, NULL);
	VT_RUN_PASS(s);
	simk_destroy(s);
}

static void t_no_inodes(void *arg)
{
	(void)arg;
	vt_setup();
	char name[16];
	int r = 0;
	for (int i = 0; i < 100 && r >= 0; i++) {
		snprintf(name, sizeof(name), "/f%d", i);
		r = vt_open(name, O_CREAT | O_RDWR, 0644);
		if (r >= 0)
			simk_close(r);
	}
	VEQ(r, -ENOSPC);
	VEQ(simk_mkdir(vt_ustr("/dir"), 0755), -ENOSPC);
}

Test(vfs_file, inode_table_full_is_enospc)
{
	vt_config_default();
	vt_cfg.mnt.ninodes = 8;
	struct simk *s = vt_sim(9);
	simk_thread_create(simk_proc_create(s, "p"), "t", t_no_inodes, NULL);
	VT_RUN_PASS(s);
	simk_destroy(s);
}

static void t_no_fs(void *arg)
{
	(void)arg;
	vt_setup();
	VEQ(vt_open("/x", O_CREAT | O_RDWR, 0), -ENOENT);
	VEQ(simk_mkdir(vt_ustr("/x"), 0), -EINVAL);
	/* every name call says EINVAL while nothing is mounted */
	VEQ(simk_rmdir(vt_ustr("/x")), -EINVAL);
	VEQ(simk_unlink(vt_ustr("/x")), -EINVAL);
	VEQ(simk_link(vt_ustr("/x"), vt_ustr("/y")), -EINVAL);
	VEQ(simk_rename(vt_ustr("/x"), vt_ustr("/y")), -EINVAL);
	VEQ(simk_chmod(vt_ustr("/x"), 0600), -EINVAL);
	struct simk_stat nst;
	VEQ(vt_stat("/x", &nst), -EINVAL);
	struct vnode *nvn;
	VEQ(vfs_lookup("/x", &nvn), -EINVAL);
	VEQ(vfs_unmount(), -EINVAL);
	struct vfs_stats vs;
	VEQ(vfs_get_stats(&vs), -EINVAL);
	struct vfs_mount_opts o;
	vfs_mount_opts_default(&o);
	VEQ(vfs_mount_check(vt_dev, &o), 0);
	o.block_size = 256; /* below 512 */
	VEQ(vfs_mount_check(vt_dev, &o), -EINVAL);
	o.block_size = 4096;
	o.ninodes = 1;
	VEQ(vfs_mount_check(vt_dev, &o), -EINVAL);
	o.ninodes = 256;
	o.cache_blocks = 3;
	VEQ(vfs_mount_check(vt_dev, &o), -EINVAL);
	o.cache_blocks = 256;
	o.ninodes = 1u << 30; /* an inode table larger than the format allows */
	VEQ(vfs_mount_check(vt_dev, &o), -EINVAL);
	o.block_size = 65536; /* 64 blocks of 64 KiB cannot hold two copies of 31 table blocks */
	o.ninodes = 512 * 30;
	VEQ(vfs_mount_check(vt_dev, &o), -EINVAL);
	o.ninodes = 256;
	VEQ(vfs_mount_check(vt_dev, &o), 0);
	o.block_size = 1000;
	VEQ(vfs_mount_check(vt_dev, &o), -EINVAL);
	VEQ(vfs_mount(vt_dev, &o), -EINVAL);
	o.block_size = 4096;
	o.format = false;
	VEQ(vfs_mount(vt_dev, &o), -EUCLEAN); /* never formatted */
	o.format = true;
	VEQ(vfs_mount(vt_dev, &o), 0);
	VEQ(vfs_mount(vt_dev, &o), -EBUSY);
	int fd = vt_open("/x", O_CREAT | O_RDWR, 0);
	VEQ(vfs_unmount(), -EBUSY);
	VEQ(simk_close(fd), 0);
	VEQ(vfs_unmount(), 0);
	VEQ(vfs_unmount(), -EINVAL);
	o.format = false;
	VEQ(vfs_mount(vt_dev, &o), 0);
	struct simk_stat st;
	VEQ(vt_stat("/x", &st), 0);
}

Test(vfs_file, mount_unmount_and_no_filesystem)
{
	vt_config_default();
	vt_cfg.mount = false;
	struct simk *s = vt_sim(10);
	simk_thread_create(simk_proc_create(s, "p"), "t", t_no_fs, NULL);
	VT_RUN_PASS(s);
	simk_destroy(s);
}

/* The kernel's whole-path helpers: read and write through a link, create
 * on write, a directory is -EISDIR, a missing file -ENOENT to read, and
 * nothing is left open behind them. */
static void t_kernel_file_helpers(void *arg)
{
	(void)arg;
	vt_setup();
	VEQ(kvfs_mkdir("/d", 0755), 0);
	char buf[8] = {0};
	VEQ(kvfs_read_file("/d", buf, sizeof(buf), 0), -EISDIR);
	VEQ(kvfs_write_file("/d", "x", 1, 0), -EISDIR);
	VEQ(kvfs_read_file("/nope", buf, sizeof(buf), 0), -ENOENT);
	VEQ(kvfs_write_file("/d/new", "abc", 3, 0), 3); /* created */
	VEQ(kvfs_symlink("/d/new", "/l"), 0);
	VEQ(kvfs_write_file("/l", "Z", 1, 1), 1);
	VEQ(kvfs_read_file("/l", buf, sizeof(buf), 0), 3);
	VCHECK(memcmp(buf, "aZc", 3) == 0);
	VEQ(vfs_unmount(), 0); /* no file of theirs is left open */
}

Test(vfs_file, kernel_file_helpers_follow_links_create_on_write_and_refuse_directories)
{
	VT_RUN1(t_kernel_file_helpers);
}

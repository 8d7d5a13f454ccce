/* VFS: mount points — a second (and third) filesystem mounted on a
 * directory: the walk crossing in both directions, every errno of mount
 * and unmount, the namespace rules across filesystems (EXDEV, EBUSY),
 * file-change and filesystem-wide reports, and the machine-wide power cut
 * with recovery of each filesystem. */
#include "vfs_test.h"

static struct simk_stat st_of(const char *path)
{
	struct simk_stat st;
	memset(&st, 0, sizeof(st));
	int r = vt_stat(path, &st);
	if (r != 0)
		sim_fail(SIMK_FAIL_EXPECT, "stat %s: %d", path, r);
	return st;
}

static void t_cross(void *arg)
{
	(void)arg;
	vt_setup();
	struct blkdev *d2 = vt_mk_dev("disk2");
	VEQ(kvfs_mkdir("/mnt", 0755), 0);
	vt_mk_file("/mnt/under", "root fs");
	struct simk_stat root = st_of("/"), before = st_of("/mnt");
	VEQ(vt_mount_fmt(d2, "/mnt", true), 0);
	struct simk_stat m = st_of("/mnt");
	VCHECK(m.st_dev != root.st_dev);
	VEQ(m.st_ino, 1); /* the mounted root */
	VCHECK(before.st_ino != 1);
	struct simk_stat st;
	VEQ(vt_stat("/mnt/under", &st), -ENOENT); /* hidden, not gone */
	VEQ(kvfs_mkdir("/mnt/a", 0755), 0);
	vt_mk_file("/mnt/a/b", "sub fs");
	VEQ(st_of("/mnt/a/b").st_dev, m.st_dev);
	/* ".." at the mounted root leaves through the covered directory */
	struct simk_stat up = st_of("/mnt/..");
	VEQ(up.st_dev, root.st_dev);
	VEQ(up.st_ino, root.st_ino);
	up = st_of("/mnt/a/../..");
	VEQ(up.st_ino, root.st_ino);
	VEQ(up.st_dev, root.st_dev);
	VEQ(st_of("/mnt/a/../../mnt/a/b").st_dev, m.st_dev);
	/* links cross in both directions */
	VEQ(kvfs_symlink("/mnt/a", "/l"), 0);
	VEQ(st_of("/l/b").st_dev, m.st_dev);
	VEQ(kvfs_symlink("../..", "/mnt/a/up"), 0);
	VEQ(st_of("/mnt/a/up/mnt/a/b").st_size, 6);
	char buf[16] = {0};
	VEQ(kvfs_read_file("/l/b", buf, sizeof(buf), 0), 6);
	VCHECK(memcmp(buf, "sub fs", 6) == 0);
	/* the root filesystem's inode numbers are its own */
	VEQ(kvfs_mkdir("/other", 0755), 0);
	VCHECK(st_of("/other").st_dev == root.st_dev);
	/* an absolute target in the mounted filesystem starts at the tree's "/" */
	VEQ(kvfs_symlink("/other", "/mnt/a/abs"), 0);
	VEQ(st_of("/mnt/a/abs").st_dev, root.st_dev);
	VEQ(st_of("/mnt/a/abs").st_ino, st_of("/other").st_ino);
	VEQ(vfs_unmount_at("/mnt"), 0);
	VEQ(vt_stat("/mnt/under", &st), 0);
	VEQ(st.st_dev, root.st_dev);
	VEQ(st_of("/mnt").st_ino, before.st_ino);
	VEQ(vt_stat("/l/b", &st), -ENOENT);
}

Test(vfs_mount, the_walk_crosses_into_a_mounted_filesystem_and_back_out)
{
	VT_RUN1(t_cross);
}

static void t_mount_errors(void *arg)
{
	(void)arg;
	vt_cfg.mount = false;
	vt_setup();
	struct blkdev *d2 = vt_mk_dev("disk2"), *d3 = vt_mk_dev("disk3");
	VEQ(vt_mount_fmt(d2, "/mnt", true), -EINVAL); /* nothing at "/" yet */
	VCHECK(!vfs_mounted());
	VEQ(vt_mount_fmt(vt_dev, "//", true), 0); /* "/" however it is written */
	VEQ(vt_mount_fmt(d2, "/", true), -EBUSY);
	VEQ(vt_mount_fmt(d2, NULL, true), -EINVAL);
	VEQ(vt_mount_fmt(d2, "/nope", true), -ENOENT);
	VEQ(vt_mount_fmt(d2, "", true), -ENOENT); /* an empty path names nothing */
	vt_mk_file("/f", "x");
	VEQ(vt_mount_fmt(d2, "/f", true), -ENOTDIR);
	VEQ(vt_mount_fmt(d2, "/f/x", true), -ENOTDIR);
	VEQ(kvfs_mkdir("/mnt", 0755), 0);
	VEQ(kvfs_mkdir("/mnt2", 0755), 0);
	VEQ(vt_mount_fmt(vt_dev, "/mnt", true), -EBUSY); /* the device carries "/" */
	struct vfs_mount_opts bad;
	vfs_mount_opts_default(&bad);
	bad.block_size = 1000;
	VEQ(vfs_mount_at(d2, &bad, "/mnt"), -EINVAL);
	VEQ(vt_mount_fmt(d2, "/mnt", false), -EUCLEAN); /* never formatted */
	VEQ(vt_mount_fmt(d2, "/mnt", true), 0);
	VEQ(vt_mount_fmt(d3, "/mnt", true), -EBUSY);   /* names a mounted root */
	VEQ(vt_mount_fmt(d3, "/mnt/.", true), -EBUSY); /* the same root */
	VEQ(vt_mount_fmt(d2, "/mnt2", true), -EBUSY);  /* d2 is in use */
	/* a link to a directory mounts on the directory */
	VEQ(kvfs_symlink("/mnt2", "/ln"), 0);
	VEQ(vt_mount_fmt(d3, "/ln", true), 0);
	VEQ(st_of("/mnt2").st_ino, 1);
	VEQ(vfs_unmount_at("/ln"), 0);
	VEQ(vfs_unmount_at("/mnt"), 0);
	VEQ(vfs_unmount(), 0);
	VEQ(vfs_unmount_at("/mnt"), -EINVAL); /* nothing mounted */
}

Test(vfs_mount, mount_refuses_with_the_documented_errno)
{
	VT_RUN1(t_mount_errors);
}

static void t_unmount_rules(void *arg)
{
	(void)arg;
	vt_setup();
	struct blkdev *d2 = vt_mk_dev("disk2"), *d3 = vt_mk_dev("disk3");
	VEQ(kvfs_mkdir("/mnt", 0755), 0);
	VEQ(kvfs_mkdir("/other", 0755), 0);
	VEQ(vt_mount_fmt(d2, "/mnt", true), 0);
	VEQ(kvfs_mkdir("/mnt/in", 0755), 0);
	vt_mk_file("/mnt/in/data", "kept");
	VEQ(vfs_unmount_at(NULL), -EINVAL);
	VEQ(vfs_unmount_at("/mnt/in"), -EINVAL); /* not a mounted root */
	VEQ(vfs_unmount_at("/nope"), -ENOENT);
	VEQ(vfs_unmount(), -EBUSY); /* "/" has a filesystem mounted on it */
	int fd = vt_open("/mnt/in/data", O_RDONLY, 0);
	VCHECK(fd >= 0);
	VEQ(vfs_unmount_at("/mnt"), -EBUSY); /* a file of it is open */
	VEQ(simk_close(fd), 0);
	/* nested: the inner one goes first */
	VEQ(vt_mount_fmt(d3, "/mnt/in", true), 0);
	VEQ(vfs_unmount_at("/mnt"), -EBUSY);
	VEQ(vfs_unmount_at("/mnt/in/../in"), 0);
	VEQ(st_of("/mnt/in/data").st_size, 4);
	VEQ(vfs_unmount_at("/mnt/"), 0);
	/* the covered directory is free again: it can go */
	VEQ(kvfs_rmdir("/mnt"), 0);
	/* what was written survives the unmount, mounted elsewhere */
	VEQ(vt_mount_fmt(d2, "/other", false), 0);
	char buf[8] = {0};
	VEQ(kvfs_read_file("/other/in/data", buf, sizeof(buf), 0), 4);
	VCHECK(memcmp(buf, "kept", 4) == 0);
	VEQ(vfs_unmount_at("/other"), 0);
	VEQ(vfs_unmount(), 0);
}

Test(vfs_mount, unmount_needs_a_mounted_root_with_nothing_open_or_mounted_inside)
{
	VT_RUN1(t_unmount_rules);
}

static void t_namespace(void *arg)
{
	(void)arg;
	vt_setup();
	struct blkdev *d2 = vt_mk_dev("disk2");
	VEQ(kvfs_mkdir("/p", 0755), 0);
	VEQ(kvfs_mkdir("/p/m", 0755), 0);
	VEQ(kvfs_mkdir("/x", 0755), 0);
	vt_mk_file("/rootfile", "r");
	VEQ(vt_mount_fmt(d2, "/p/m", true), 0);
	vt_mk_file("/p/m/f", "sub");
	VEQ(kvfs_mkdir("/p/m/d", 0755), 0);
	/* nothing crosses filesystems */
	VEQ(kvfs_rename("/p/m/f", "/g"), -EXDEV);
	VEQ(kvfs_rename("/rootfile", "/p/m/g"), -EXDEV);
	VEQ(kvfs_rename("/p/m/d", "/d"), -EXDEV);
	VEQ(kvfs_link("/p/m/f", "/g"), -EXDEV);
	VEQ(kvfs_link("/rootfile", "/p/m/g"), -EXDEV);
	VEQ(kvfs_link("/rootfile", "/p/m/f"), -EEXIST); /* EEXIST before EXDEV, as Linux */
	/* within the mounted filesystem everything works */
	VEQ(kvfs_rename("/p/m/f", "/p/m/d/f2"), 0);
	VEQ(kvfs_link("/p/m/d/f2", "/p/m/f3"), 0);
	VEQ(st_of("/p/m/f3").st_nlink, 2);
	/* the mount point itself is the mounted root: busy */
	VEQ(kvfs_rmdir("/p/m"), -EBUSY);
	VEQ(kvfs_rename("/p/m", "/y"), -EBUSY);
	VEQ(kvfs_rename("/x", "/p/m"), -EBUSY);
	VEQ(kvfs_rename("/p/m/d", "/p/m"), -EXDEV); /* "/p" is in the other filesystem */
	VEQ(kvfs_unlink("/p/m"), -EISDIR);
	VEQ(kvfs_mkdir("/p/m", 0755), -EEXIST);
	VEQ(kvfs_rmdir("/p"), -ENOTEMPTY);
	VEQ(kvfs_rmdir("/p/m/.."), -EINVAL);
	/* renaming an ancestor carries the mount along */
	VEQ(kvfs_rename("/p", "/q"), 0);
	VEQ(st_of("/q/m/d/f2").st_size, 3);
	VEQ(vfs_unmount_at("/q/m"), 0);
	VEQ(kvfs_rmdir("/q/m"), 0);
}

Test(vfs_mount, links_and_renames_stay_in_one_filesystem_and_mount_points_are_busy)
{
	VT_RUN1(t_namespace);
}

/* ---- reports ---- */

static unsigned seen_what;
static int seen_n;

static void rec_fn(struct fnotify_watcher *w, unsigned what, const struct fnotify_info *info)
{
	(void)w;
	(void)info;
	seen_what |= what;
	seen_n++;
}

static unsigned fsev[16];
static int nfsev;

static void fs_fn(struct fs_watcher *w, unsigned what)
{
	(void)w;
	if (nfsev < 16)
		fsev[nfsev++] = what;
}

static void t_reports(void *arg)
{
	(void)arg;
	seen_what = 0;
	seen_n = 0;
	nfsev = 0;
	vt_setup();
	struct fs_watcher fw;
	fs_watcher_init(&fw, fs_fn, NULL);
	fs_watch(&fw);
	struct blkdev *d2 = vt_mk_dev("disk2");
	VEQ(kvfs_mkdir("/mnt", 0755), 0);
	struct vnode *covered, *inner = NULL;
	VEQ(vfs_lookup("/mnt", &covered), 0);
	struct fnotify_watcher all, nomnt;
	fnotify_watcher_init(&all, rec_fn, NULL, FN_ALL);
	fnotify_watcher_init(&nomnt, rec_fn, NULL, FN_ALL & ~FN_MOUNTED_OVER);
	VEQ(fnotify_watch(covered, &all), 0);
	VEQ(fnotify_watch(covered, &nomnt), 0);
	/* a directory opened before the mount keeps the covered one */
	int dfd = vt_open("/mnt", O_RDONLY, 0);
	VCHECK(dfd >= 0);
	struct simk_stat cst = vt_fstat(dfd);
	VEQ(vt_mount_fmt(d2, "/nope", true), -ENOENT); /* refused: tells nobody */
	VEQ(seen_n, 0);
	VEQ(nfsev, 0);
	VEQ(vt_mount_fmt(d2, "/mnt", true), 0); /* allowed while open and watched */
	VEQ(seen_n, 1);
	VEQ(seen_what, FN_MOUNTED_OVER);
	VEQ(vt_fstat(dfd).st_ino, cst.st_ino);
	VEQ(vt_fstat(dfd).st_dev, cst.st_dev);
	VEQ(simk_close(dfd), 0);
	/* watchers of the mounted filesystem hear its unmount */
	VEQ(vfs_lookup("/mnt", &inner), 0);
	VEQ(vn_ino(inner), 1);
	struct fnotify_watcher in;
	fnotify_watcher_init(&in, rec_fn, NULL, FN_UNMOUNT);
	VEQ(fnotify_watch(inner, &in), 0);
	seen_what = 0;
	seen_n = 0;
	int ifd = vt_open("/mnt", O_RDONLY, 0);
	VEQ(vfs_unmount_at("/mnt"), -EBUSY); /* refused: tells nobody */
	VEQ(simk_close(ifd), 0);
	VEQ(seen_n, 0);
	VEQ(nfsev, 1);
	VEQ(vfs_unmount_at("/mnt"), 0);
	VEQ(seen_n, 1);
	VEQ(seen_what, FN_UNMOUNT);
	fnotify_unwatch(&in);
	VEQ(fnotify_watch(inner, &in), -ENOENT); /* its filesystem is gone */
	vn_rele(inner);
	fnotify_unwatch(&all);
	fnotify_unwatch(&nomnt);
	vn_rele(covered);
	fs_unwatch(&fw);
	VEQ(nfsev, 2);
	VEQ(fsev[0], FSEV_MOUNT);
	VEQ(fsev[1], FSEV_UNMOUNT);
}

Test(vfs_mount, mounting_over_a_directory_tells_its_watchers_and_unmount_tells_the_mounted_ones)
{
	VT_RUN1(t_reports);
}

/* A power cut is the machine's: both filesystems die, each recovers
 * what it had made durable. */
static void t_power_cut(void *arg)
{
	(void)arg;
	vt_setup();
	struct blkdev *d2 = vt_mk_dev("disk2");
	VEQ(kvfs_mkdir("/mnt", 0755), 0);
	vt_mk_file("/top", "top");
	VEQ(vt_mount_fmt(d2, "/mnt", true), 0);
	int fd = vt_open("/mnt/f", O_CREAT | O_RDWR, 0644);
	VEQ(vt_write_str(fd, "durable"), 7);
	VEQ(simk_fsync(fd), 0);
	VEQ(vt_write_str(fd, "-lost"), 5);
	int rfd = vt_open("/top", O_RDWR, 0);
	VEQ(simk_fsync(rfd), 0);
	vfs_power_cut(0, NULL);
	VCHECK(!vfs_mounted());
	VEQ(vt_write_str(fd, "x"), -EIO);
	VEQ(vt_write_str(rfd, "x"), -EIO);
	VEQ(simk_close(fd), 0);
	VEQ(simk_close(rfd), 0);
	VEQ(vt_mount_fmt(d2, "/mnt", false), -EINVAL); /* "/" first */
	VEQ(vt_remount(), 0);
	struct simk_stat st;
	VEQ(vt_stat("/mnt/f", &st), -ENOENT); /* the covered directory again */
	VEQ(vt_mount_fmt(d2, "/mnt", false), 0);
	char buf[16] = {0};
	VEQ(kvfs_read_file("/mnt/f", buf, sizeof(buf), 0), 7);
	VCHECK(memcmp(buf, "durable", 7) == 0);
	VEQ(kvfs_read_file("/top", buf, sizeof(buf), 0), 3);
}

Test(vfs_mount, a_power_cut_kills_every_mounted_filesystem_and_each_recovers)
{
	VT_RUN1(t_power_cut);
}

/* Two threads race a mount against a create in the directory being
 * mounted on: the create lands in one filesystem or the other, never in
 * a half-made mount, under every seed. */
static int race_create_r;
static int race_in_sub, race_in_root;

static void t_race_mounter(void *arg)
{
	struct blkdev *d2 = arg;
	VEQ(vt_mount_fmt(d2, "/mnt", true), 0);
}

static void t_race_creator(void *arg)
{
	(void)arg;
	int fd = vt_open("/mnt/f", O_CREAT | O_RDWR, 0644);
	race_create_r = fd;
	if (fd >= 0)
		VEQ(simk_close(fd), 0);
}

static void t_race_main(void *arg)
{
	(void)arg;
	vt_setup();
	struct blkdev *d2 = vt_mk_dev("disk2");
	VEQ(kvfs_mkdir("/mnt", 0755), 0);
	struct simk_proc *p = sim_proc_current();
	struct simk_thread *a = kthread_create(p, "mounter", t_race_mounter, d2, false);
	struct simk_thread *b = kthread_create(p, "creator", t_race_creator, NULL, false);
	VEQ(kthread_join(a, NULL), 0);
	VEQ(kthread_join(b, NULL), 0);
	VCHECK(race_create_r >= 0);
	struct simk_stat st;
	int in_sub = vt_stat("/mnt/f", &st) == 0;
	VEQ(vfs_unmount_at("/mnt"), 0);
	int in_root = vt_stat("/mnt/f", &st) == 0;
	VEQ(in_sub + in_root, 1);
	race_in_sub += in_sub;
	race_in_root += in_root;
}

Test(vfs_mount, a_create_racing_a_mount_lands_in_exactly_one_filesystem)
{
	race_in_sub = race_in_root = 0;
	for (uint64_t seed = 1; seed <= 60; seed++) {
		vt_config_default();
		struct simk *s = vt_sim_policy(seed, SIMK_POLICY_RANDOM);
		simk_thread_create(simk_proc_create(s, "p"), "t", t_race_main, NULL);
		VT_RUN_PASS(s);
		simk_destroy(s);
	}
	/* both orders really happen */
	cr_assert_gt(race_in_sub, 0);
	cr_assert_gt(race_in_root, 0);
}

/* Unmount lets go of the covered directory: once it is removed, its
 * inode is free again. */
static void t_covered_released(void *arg)
{
	(void)arg;
	vt_setup();
	struct blkdev *d2 = vt_mk_dev("disk2");
	uint64_t free0 = vt_stats().free_inodes;
	VEQ(kvfs_mkdir("/m", 0755), 0);
	VEQ(vt_stats().free_inodes, free0 - 1);
	VEQ(vt_mount_fmt(d2, "/m", true), 0);
	VEQ(vfs_unmount_at("/m"), 0);
	VEQ(kvfs_rmdir("/m"), 0);
	VEQ(vt_stats().free_inodes, free0);
}

Test(vfs_mount, unmount_releases_the_covered_directory)
{
	VT_RUN1(t_covered_released);
}

/* The power cut tears a sector of every device when asked (BLK_CUT_TEAR),
 * the mounted filesystems' too, and reports the one of "/". */
static void t_cut_tears_every_device(void *arg)
{
	(void)arg;
	vt_setup();
	struct blkdev *d2 = vt_mk_dev("disk2");
	VEQ(kvfs_mkdir("/mnt", 0755), 0);
	VEQ(vt_mount_fmt(d2, "/mnt", true), 0);
	/* a direct write leaves its sectors in each device's write cache */
	uaddr_t buf = vt_ubuf(4096);
	const char *paths[2] = {"/f", "/mnt/f"};
	for (int i = 0; i < 2; i++) {
		int fd = vt_open(paths[i], O_CREAT | O_RDWR | O_DIRECT, 0644);
		VCHECK(fd >= 0);
		VEQ(simk_pwrite(fd, buf, 4096, 0), 4096);
		VEQ(simk_close(fd), 0);
	}
	uint64_t torn = BLKDEV_NO_SECTOR;
	vfs_power_cut(BLK_CUT_TEAR, &torn);
	VCHECK(torn != BLKDEV_NO_SECTOR);
	struct blkdev_stats b1, b2;
	blkdev_get_stats(vt_dev, &b1);
	blkdev_get_stats(d2, &b2);
	VEQ(b1.torn_sectors, 1);
	VEQ(b2.torn_sectors, 1);
	VEQ(b1.power_cuts, 1);
	VEQ(b2.power_cuts, 1);
}

Test(vfs_mount, a_power_cut_tears_a_sector_of_every_device)
{
	VT_RUN1(t_cut_tears_every_device);
}

/* Mount and unmount are in the trace with the instance, its durable
 * sequence and (mount) the instance it covers; each instance's flusher
 * thread starts with the mount and ends with the unmount. */
static void t_traced(void *arg)
{
	(void)arg;
	vt_setup();
	struct blkdev *d2 = vt_mk_dev("disk2");
	VEQ(kvfs_mkdir("/mnt", 0755), 0);
	VEQ(vt_mount_fmt(d2, "/mnt", true), 0);
	VEQ(vfs_unmount_at("/mnt"), 0);
	VEQ(vfs_unmount(), 0);
}

Test(vfs_mount, mount_and_unmount_are_traced)
{
	vt_config_default();
	struct simk_opts o;
	simk_opts_default(&o);
	o.seed = 1;
	o.keep_trace = true;
	o.stack_size = 128 * 1024;
	char err[128];
	struct simk *s = simk_create(&o, err, sizeof(err));
	cr_assert_not_null(s, "%s", err);
	simk_thread_create(simk_proc_create(s, "p"), "t", t_traced, NULL);
	VT_RUN_PASS(s);
	int64_t mounts[4][4], unmounts[4][4];
	int nm = 0, nu = 0, flushers_started = 0, flushers_ended = 0;
	for (size_t i = 0; i < s->trace.len; i++) {
		const struct trace_ev *e = &s->trace.evs[i];
		if (e->type == TR_THREAD_START && strcmp(e->name, "flusher") == 0)
			flushers_started++;
		if (e->type == TR_THREAD_EXIT && strcmp(e->name, "flusher") == 0)
			flushers_ended++;
		if (e->type != TR_INFO)
			continue;
		if (strcmp(e->name, "vfs:mount") == 0 && nm < 4)
			memcpy(mounts[nm++], e->a, sizeof(e->a));
		if (strcmp(e->name, "vfs:unmount") == 0 && nu < 4)
			memcpy(unmounts[nu++], e->a, sizeof(e->a));
	}
	simk_destroy(s);
	cr_assert_eq(nm, 2);
	cr_assert_eq(nu, 2);
	/* "/" is instance 1 at sequence 1 (the format), covering nothing */
	cr_assert_eq(mounts[0][0], 1);
	cr_assert_eq(mounts[0][1], 1);
	cr_assert_eq(mounts[0][3], 0);
	/* the second covers a directory of the first */
	cr_assert_eq(mounts[1][0], 2);
	cr_assert_eq(mounts[1][3], 1);
	cr_assert_eq(unmounts[0][0], 2);
	cr_assert_eq(unmounts[1][0], 1);
	cr_assert_gt(unmounts[1][1], 1); /* the unmount committed "/mnt" */
	/* each unmount stops its filesystem's flusher */
	cr_assert_eq(flushers_started, 2);
	cr_assert_eq(flushers_ended, 2);
}

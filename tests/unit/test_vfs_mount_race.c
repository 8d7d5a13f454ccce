/* VFS: mount points under concurrency — an unmount racing an open and a
 * write in the filesystem, a mount racing the rename of the mount point's
 * parent, a power cut (from an interrupt) during the I/O of a mount or an
 * unmount, and two unmounts of "/" racing. Each is a loop of seeds under
 * the random policy that checks the invariant of every outcome and that
 * each outcome really happens. */
#include "vfs_test.h"

/* Reads the whole (short) file at path into buf (NUL-terminated); the
 * byte count or the errno. */
static ssize_t slurp(const char *path, char *buf, size_t len)
{
	memset(buf, 0, len);
	return kvfs_read_file(path, buf, len - 1, 0);
}

/* Runs main under seeds 1..nseeds with the random policy. */
static void run_seeds(simk_thread_fn main, int nseeds)
{
	for (uint64_t seed = 1; seed <= (uint64_t)nseeds; seed++) {
		vt_config_default();
		struct simk *s = vt_sim_policy(seed, SIMK_POLICY_RANDOM);
		simk_thread_create(simk_proc_create(s, "p"), "t", main, (void *)(uintptr_t)seed);
		VT_RUN_PASS(s);
		simk_destroy(s);
	}
}

/* ---- an unmount racing an open and a write ---- */

static int ur_unmount, ur_open;
static ssize_t ur_write;
static int ur_busy, ur_after; /* outcomes seen */

static void t_ur_unmounter(void *arg)
{
	(void)arg;
	ur_unmount = vfs_unmount_at("/mnt");
}

static void t_ur_writer(void *arg)
{
	(void)arg;
	ur_write = -1;
	ur_open = vt_open("/mnt/f", O_RDWR, 0);
	if (ur_open >= 0) {
		ur_write = vt_write_str(ur_open, "new!");
		VEQ(simk_close(ur_open), 0);
	}
}

/* Whatever the order, a write that succeeded on the mounted filesystem
 * is in it after the unmount (the unmount commits everything): an open
 * that got in first makes the unmount -EBUSY, one that comes after it
 * finds the covered directory (no such file). */
static void t_ur_main(void *arg)
{
	(void)arg;
	vt_setup();
	struct blkdev *d2 = vt_mk_dev("disk2");
	VEQ(kvfs_mkdir("/mnt", 0755), 0);
	VEQ(vt_mount_fmt(d2, "/mnt", true), 0);
	vt_mk_file("/mnt/f", "old.");
	struct simk_proc *p = sim_proc_current();
	struct simk_thread *a = kthread_create(p, "unmounter", t_ur_unmounter, NULL, false);
	struct simk_thread *b = kthread_create(p, "writer", t_ur_writer, NULL, false);
	VEQ(kthread_join(a, NULL), 0);
	VEQ(kthread_join(b, NULL), 0);
	VCHECK(ur_open >= 0 || ur_open == -ENOENT);
	if (ur_open >= 0)
		VEQ(ur_write, 4); /* the file was open: its filesystem was alive */
	if (ur_unmount == -EBUSY) {
		VCHECK(ur_open >= 0);
		VEQ(vfs_unmount_at("/mnt"), 0);
		ur_busy++;
	} else {
		VEQ(ur_unmount, 0);
		ur_after += ur_open < 0;
	}
	VEQ(vt_mount_fmt(d2, "/mnt", false), 0);
	char buf[16];
	VEQ(slurp("/mnt/f", buf, sizeof(buf)), 4);
	VCHECK(strcmp(buf, ur_write == 4 ? "new!" : "old.") == 0);
	VEQ(vfs_unmount_at("/mnt"), 0);
}

Test(vfs_mount_race, an_unmount_racing_an_open_and_write_never_loses_the_write)
{
	ur_busy = ur_after = 0;
	run_seeds(t_ur_main, 80);
	cr_assert_gt(ur_busy, 0, "the open never came first");
	cr_assert_gt(ur_after, 0, "the unmount never came first");
}

/* The same race with the kernel's file helper (kvfs_write_file), which
 * looks the path up and writes through a file of its own. */
static ssize_t kw_write;

static void t_kw_writer(void *arg)
{
	(void)arg;
	kw_write = kvfs_write_file("/mnt/f", "new!", 4, 0);
}

static int kw_busy, kw_after;

static void t_kw_main(void *arg)
{
	(void)arg;
	vt_setup();
	struct blkdev *d2 = vt_mk_dev("disk2");
	VEQ(kvfs_mkdir("/mnt", 0755), 0);
	VEQ(vt_mount_fmt(d2, "/mnt", true), 0);
	vt_mk_file("/mnt/f", "old.");
	struct simk_proc *p = sim_proc_current();
	struct simk_thread *a = kthread_create(p, "unmounter", t_ur_unmounter, NULL, false);
	struct simk_thread *b = kthread_create(p, "writer", t_kw_writer, NULL, false);
	VEQ(kthread_join(a, NULL), 0);
	VEQ(kthread_join(b, NULL), 0);
	VEQ(kw_write, 4);
	if (ur_unmount == -EBUSY)
		VEQ(vfs_unmount_at("/mnt"), 0);
	else
		VEQ(ur_unmount, 0);
	char buf[16];
	/* a write after the unmount created /mnt/f in the covered directory */
	bool in_root = slurp("/mnt/f", buf, sizeof(buf)) == 4;
	if (in_root)
		VCHECK(strcmp(buf, "new!") == 0);
	if (ur_unmount == -EBUSY)
		VCHECK(!in_root);
	kw_busy += ur_unmount == -EBUSY;
	kw_after += in_root;
	VEQ(vt_mount_fmt(d2, "/mnt", false), 0);
	VEQ(slurp("/mnt/f", buf, sizeof(buf)), 4);
	VCHECK(strcmp(buf, in_root ? "old." : "new!") == 0);
	VEQ(vfs_unmount_at("/mnt"), 0);
}

Test(vfs_mount_race, an_unmount_racing_a_kernel_write_never_loses_it)
{
	kw_busy = kw_after = 0;
	run_seeds(t_kw_main, 80);
	cr_assert_gt(kw_busy, 0, "the write never came first");
	cr_assert_gt(kw_after, 0, "the unmount never came first");
}

/* ---- a mount racing the rename of the mount point's parent ---- */

static int mr_mount, mr_rename;
static int mr_mount_first, mr_rename_first;

static void t_mr_mounter(void *arg)
{
	mr_mount = vt_mount_fmt(arg, "/p/m", true);
}

static void t_mr_renamer(void *arg)
{
	(void)arg;
	mr_rename = kvfs_rename("/p", "/q");
}

static void t_mr_main(void *arg)
{
	(void)arg;
	vt_setup();
	struct blkdev *d2 = vt_mk_dev("disk2");
	VEQ(kvfs_mkdir("/p", 0755), 0);
	VEQ(kvfs_mkdir("/p/m", 0755), 0);
	struct simk_stat root, st;
	VEQ(vt_stat("/", &root), 0);
	struct simk_proc *p = sim_proc_current();
	struct simk_thread *a = kthread_create(p, "mounter", t_mr_mounter, d2, false);
	struct simk_thread *b = kthread_create(p, "renamer", t_mr_renamer, NULL, false);
	VEQ(kthread_join(a, NULL), 0);
	VEQ(kthread_join(b, NULL), 0);
	VEQ(mr_rename, 0); /* the rename carries a mount along */
	VEQ(vt_stat("/p", &st), -ENOENT);
	VEQ(vt_stat("/q/m", &st), 0);
	if (mr_mount == 0) {
		VEQ(st.st_ino, 1); /* the mounted root, moved with its parent */
		VCHECK(st.st_dev != root.st_dev);
		VEQ(vfs_unmount_at("/q/m"), 0);
		mr_mount_first++;
	} else {
		VEQ(mr_mount, -ENOENT);
		VEQ(st.st_dev, root.st_dev);
		mr_rename_first++;
	}
	VEQ(kvfs_rmdir("/q/m"), 0);
}

Test(vfs_mount_race, a_mount_racing_a_rename_of_its_parent_mounts_where_the_directory_went)
{
	mr_mount_first = mr_rename_first = 0;
	run_seeds(t_mr_main, 60);
	cr_assert_gt(mr_mount_first, 0);
	cr_assert_gt(mr_rename_first, 0);
}

/* ---- a power cut from an interrupt during a mount's or an unmount's I/O ---- */

static struct sim_event cut_ev;

static void cut_fn(struct sim_event *ev)
{
	(void)ev;
	vfs_power_cut(0, NULL);
}

/* The cut lands anywhere in [0, 1 ms) of a mount that formats the second
 * filesystem: the mount succeeds (and its format is durable) or fails
 * with -EIO; either way the tree is empty after the cut and each
 * filesystem recovers. */
static int pm_ok, pm_eio;

static void t_pm_main(void *arg)
{
	uint64_t seed = (uint64_t)(uintptr_t)arg;
	vt_setup();
	struct blkdev *d2 = vt_mk_dev("disk2");
	VEQ(kvfs_mkdir("/mnt", 0755), 0);
	vt_mk_file("/top", "top");
	int fd = vt_open("/top", O_RDONLY, 0);
	VEQ(simk_fsync(fd), 0);
	VEQ(simk_close(fd), 0);
	event_init(&cut_ev, "test-cut", cut_fn, NULL);
	event_schedule_in(&cut_ev, (seed * 7919) % 1000 * 1000);
	int r = vt_mount_fmt(d2, "/mnt", true);
	VCHECK(r == 0 || r == -EIO);
	vt_sleep(2000000); /* the cut has happened */
	VCHECK(!vfs_mounted());
	VEQ(vt_remount(), 0);
	char buf[16];
	VEQ(slurp("/top", buf, sizeof(buf)), 3);
	int r2 = vt_mount_fmt(d2, "/mnt", false);
	if (r == 0)
		VEQ(r2, 0); /* a format that returned is durable */
	else
		VCHECK(r2 == 0 || r2 == -EUCLEAN);
	if (r2 == 0)
		VEQ(vfs_unmount_at("/mnt"), 0);
	VEQ(vfs_unmount(), 0);
	pm_ok += r == 0;
	pm_eio += r == -EIO;
}

Test(vfs_mount_race, a_power_cut_during_a_mount_fails_it_or_follows_it)
{
	pm_ok = pm_eio = 0;
	run_seeds(t_pm_main, 40);
	cr_assert_gt(pm_ok, 0);
	cr_assert_gt(pm_eio, 0);
}

/* The cut lands anywhere in the first mount of "/" (its format), also at
 * the instants between two of its requests, when nothing is in flight:
 * nothing is mounted yet, but the instance being formatted dies with the
 * rest. Its mount fails with -EIO (never succeeds after the cut from what
 * it kept in memory), nothing is left alive, and the device is usable:
 * formatted again, or recovered when the format had returned before the
 * cut. Before the fix a cut between two requests did not stop the
 * format, which then wrote after the cut and left the filesystem mounted
 * (the recovery mount got -EBUSY). */
static int pf_ok, pf_eio;
static uint64_t pf_cut_ns, pf_mount_ns;

static void t_pf_main(void *arg)
{
	uint64_t us = (uint64_t)(uintptr_t)arg;
	vt_setup(); /* vt_cfg.mount is false: the device only */
	event_init(&cut_ev, "test-cut", cut_fn, NULL);
	event_schedule_in(&cut_ev, us * 1000);
	int r = vfs_mount(vt_dev, &vt_cfg.mnt);
	uint64_t done = sim_now();
	VCHECK(r == 0 || r == -EIO);
	if (r == 0)
		VCHECK(done <= us * 1000); /* a mount that returned finished before the cut */
	vt_sleep(2000000);		   /* the cut has happened */
	VCHECK(!vfs_alive());
	if (r == 0) {
		VEQ(vt_remount(), 0); /* its format is durable */
	} else {
		VEQ(vfs_mount(vt_dev, &vt_cfg.mnt), 0); /* formats again */
	}
	vt_mk_file("/f", "ok");
	VEQ(vfs_unmount(), 0);
	pf_ok += r == 0;
	pf_eio += r == -EIO;
	pf_mount_ns = done;
}

Test(vfs_mount_race, a_power_cut_during_the_first_mount_stops_its_format)
{
	pf_ok = pf_eio = 0;
	/* how long an uncut format takes: the cuts below cover all of it */
	vt_config_default();
	vt_cfg.mount = false;
	struct simk *s = vt_sim(1);
	simk_thread_create(simk_proc_create(s, "p"), "t", t_pf_main, (void *)(uintptr_t)1900);
	VT_RUN_PASS(s);
	simk_destroy(s);
	pf_cut_ns = pf_mount_ns;
	cr_assert_gt(pf_cut_ns, 100000);
	pf_ok = pf_eio = 0;
	for (uint64_t us = 0; us <= pf_cut_ns / 1000 + 10; us++) {
		vt_config_default();
		vt_cfg.mount = false;
		s = vt_sim_policy(us, us % 2 ? SIMK_POLICY_RANDOM : SIMK_POLICY_FIFO);
		simk_thread_create(simk_proc_create(s, "p"), "t", t_pf_main, (void *)(uintptr_t)us);
		VT_RUN_PASS(s);
		simk_destroy(s);
	}
	cr_assert_gt(pf_ok, 0);
	cr_assert_gt(pf_eio, 0);
}

/* The cut lands during the unmount's final commit: an unmount that
 * returned 0 made everything durable; one that failed with -EIO may have
 * or not. */
static int pu_ok, pu_eio, pu_lost;

static void t_pu_main(void *arg)
{
	uint64_t seed = (uint64_t)(uintptr_t)arg;
	vt_setup();
	struct blkdev *d2 = vt_mk_dev("disk2");
	VEQ(kvfs_mkdir("/mnt", 0755), 0);
	int fd = vt_open("/mnt", O_RDONLY, 0);
	VEQ(simk_fsync(fd), 0); /* "/mnt" is durable */
	VEQ(simk_close(fd), 0);
	VEQ(vt_mount_fmt(d2, "/mnt", true), 0);
	vt_mk_file("/mnt/f", "data");
	event_init(&cut_ev, "test-cut", cut_fn, NULL);
	event_schedule_in(&cut_ev, (seed * 7919) % 600 * 1000);
	int r = vfs_unmount_at("/mnt");
	VCHECK(r == 0 || r == -EIO);
	vt_sleep(2000000);
	VCHECK(!vfs_mounted());
	VEQ(vt_remount(), 0);
	VEQ(vt_mount_fmt(d2, "/mnt", false), 0);
	char buf[16];
	ssize_t n = slurp("/mnt/f", buf, sizeof(buf));
	if (r == 0) {
		VEQ(n, 4);
		VCHECK(strcmp(buf, "data") == 0);
	} else {
		VCHECK(n == -ENOENT || (n == 4 && strcmp(buf, "data") == 0));
		pu_lost += n == -ENOENT;
	}
	VEQ(vfs_unmount_at("/mnt"), 0);
	VEQ(vfs_unmount(), 0);
	pu_ok += r == 0;
	pu_eio += r == -EIO;
}

Test(vfs_mount_race, a_power_cut_during_an_unmount_keeps_what_it_committed)
{
	pu_ok = pu_eio = pu_lost = 0;
	run_seeds(t_pu_main, 40);
	cr_assert_gt(pu_ok, 0);
	cr_assert_gt(pu_eio, 0);
	cr_assert_gt(pu_lost, 0);
}

/* ---- two unmounts of "/" ---- */

static int uu_r[2], uu_stat, uu_stats;

static void t_uu(void *arg)
{
	int *r = arg;
	*r = vfs_unmount();
}

/* Looks in while the root goes: the file, or nothing mounted. */
static void t_uu_looker(void *arg)
{
	(void)arg;
	struct simk_stat st;
	uu_stat = kvfs_stat("/f", &st);
	struct vfs_stats vs;
	uu_stats = vfs_get_stats_at("/f", &vs);
}

static void t_uu_main(void *arg)
{
	(void)arg;
	vt_setup();
	vt_mk_file("/f", "dirty"); /* the unmount's commit has I/O to wait for */
	struct simk_proc *p = sim_proc_current();
	struct simk_thread *a = kthread_create(p, "u1", t_uu, &uu_r[0], false);
	struct simk_thread *b = kthread_create(p, "u2", t_uu, &uu_r[1], false);
	struct simk_thread *c = kthread_create(p, "looker", t_uu_looker, NULL, false);
	VEQ(kthread_join(a, NULL), 0);
	VEQ(kthread_join(b, NULL), 0);
	VEQ(kthread_join(c, NULL), 0);
	VEQ(uu_r[0] + uu_r[1], -EINVAL); /* one of them unmounted */
	VCHECK(uu_stat == 0 || uu_stat == -EINVAL);
	VCHECK(uu_stats == 0 || uu_stats == -EINVAL);
	VCHECK(!vfs_mounted());
	VEQ(vt_remount(), 0);
}

Test(vfs_mount_race, two_unmounts_of_the_root_one_wins)
{
	run_seeds(t_uu_main, 30);
}

/* ---- a watcher attaching while the unmount finishes ---- */

static unsigned wa_heard;
static int wa_attached, wa_refused, wa_stuck;
static uint64_t wa_delay_ns;

static void wa_fn(struct fnotify_watcher *w, unsigned what, const struct fnotify_info *info)
{
	(void)w;
	(void)info;
	wa_heard |= what;
}

static void t_wa_unmounter(void *arg)
{
	(void)arg;
	VEQ(vfs_unmount_at("/mnt"), 0);
}

/* A kernel watcher holding a vnode of the filesystem attaches at any
 * moment of the unmount: attached, it hears FN_UNMOUNT; refused
 * (-ENOENT), it is not attached. Never attached and deaf. */
static void t_wa_main(void *arg)
{
	(void)arg;
	vt_setup();
	struct blkdev *d2 = vt_mk_dev("disk2");
	VEQ(kvfs_mkdir("/mnt", 0755), 0);
	VEQ(vt_mount_fmt(d2, "/mnt", true), 0);
	vt_mk_file("/mnt/f", "dirty");
	struct vnode *vn;
	VEQ(vfs_lookup("/mnt/f", &vn), 0);
	struct simk_thread *u =
	    kthread_create(sim_proc_current(), "unmounter", t_wa_unmounter, NULL, false);
	vt_sleep(wa_delay_ns);
	struct fnotify_watcher w;
	fnotify_watcher_init(&w, wa_fn, NULL, FN_ALL);
	wa_heard = 0;
	int r = fnotify_watch(vn, &w);
	VEQ(kthread_join(u, NULL), 0);
	if (r == 0) {
		wa_attached++;
		wa_stuck += !(wa_heard & FN_UNMOUNT);
		fnotify_unwatch(&w);
	} else {
		VEQ(r, -ENOENT);
		wa_refused++;
	}
	vn_rele(vn);
}

Test(vfs_mount_race, a_watcher_attaching_during_an_unmount_hears_it_or_is_refused)
{
	wa_attached = wa_refused = wa_stuck = 0;
	for (uint64_t us = 0; us < 800; us += 5) {
		for (uint64_t seed = 1; seed <= 3; seed++) {
			wa_delay_ns = us * 1000;
			vt_config_default();
			struct simk *s = vt_sim_policy(seed, SIMK_POLICY_RANDOM);
			simk_thread_create(simk_proc_create(s, "p"), "t", t_wa_main, NULL);
			VT_RUN_PASS(s);
			simk_destroy(s);
		}
	}
	cr_assert_gt(wa_attached, 0);
	cr_assert_gt(wa_refused, 0);
	cr_assert_eq(wa_stuck, 0, "%d watchers attached during the unmount heard nothing",
		     wa_stuck);
}

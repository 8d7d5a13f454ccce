/* VFS: file-change hooks report the documented bits for every operation. */
#include "vfs_test.h"

#define EV_MAX 64
struct rec {
	int n;
	unsigned what[EV_MAX];
	int64_t size[EV_MAX];
	char name[EV_MAX][VFS_NAME_MAX + 1];
	bool oneshot;
};

static void rec_fn(struct fnotify_watcher *w, unsigned what, const struct fnotify_info *info)
{
	struct rec *r = w->priv;
	if (r->n < EV_MAX) {
		r->what[r->n] = what;
		r->size[r->n] = info->size;
		snprintf(r->name[r->n], sizeof(r->name[r->n]), "%s", info->name ? info->name : "");
	}
	r->n++;
	if (r->oneshot)
		fnotify_unwatch(w);
}

static struct rec rf, rd, rt;
static struct fnotify_watcher wf, wd, wt;

static struct vnode *look(const char *path)
{
	struct vnode *vn = NULL;
	int r = vfs_lookup(path, &vn);
	if (r != 0)
		sim_fail(SIMK_FAIL_EXPECT, "lookup %s: %d", path, r);
	return vn;
}

/* Expects exactly one new report with these bits on r. */
#define EXPECT1(r, before, bits)                                                                   \
	do {                                                                                       \
		VEQ((r).n, (before) + 1);                                                          \
		VEQ((r).what[before], (bits));                                                     \
	} while (0)

static void t_file_ops(void *arg)
{
	(void)arg;
	vt_setup();
	memset(&rf, 0, sizeof(rf));
	memset(&rd, 0, sizeof(rd));
	VEQ(simk_mkdir(vt_ustr("/d"), 0755), 0);
	int fd = vt_open("/d/f", O_CREAT | O_RDWR, 0644);
	struct vnode *vf = look("/d/f"), *vd = look("/d");
	fnotify_watcher_init(&wf, rec_fn, &rf, FN_ALL);
	fnotify_watcher_init(&wd, rec_fn, &rd, FN_ALL);
	VEQ(fnotify_watch(vf, &wf), 0);
	VEQ(fnotify_watch(vd, &wd), 0);
	vn_rele(vf); /* the watchers hold their own references */
	vn_rele(vd);
	int n = rf.n;
	VEQ(vt_write_str(fd, "abcdef"), 6);
	EXPECT1(rf, n, FN_MODIFY | FN_EXTEND);
	VEQ(rf.size[n], 6);
	n = rf.n;
	VEQ(vt_pwrite(fd, "XY", 2, 0), 2);
	EXPECT1(rf, n, FN_MODIFY);
	n = rf.n;
	char buf[4];
	VEQ(vt_pread(fd, buf, 4, 0), 4);
	EXPECT1(rf, n, FN_ACCESS);
	n = rf.n;
	VEQ(vt_pread(fd, buf, 4, 100), 0); /* nothing read: no access report */
	VEQ(rf.n, n);
	VEQ(simk_ftruncate(fd, 2), 0);
	EXPECT1(rf, n, FN_MODIFY | FN_ATTRIB | FN_TRUNCATE);
	n = rf.n;
	VEQ(simk_ftruncate(fd, 50), 0);
	EXPECT1(rf, n, FN_MODIFY | FN_ATTRIB | FN_EXTEND);
	n = rf.n;
	VEQ(simk_ftruncate(fd, 50), 0); /* no change, no report */
	VEQ(rf.n, n);
	VEQ(simk_fchmod(fd, 0600), 0);
	EXPECT1(rf, n, FN_ATTRIB);
	n = rf.n;
	VEQ(simk_chmod(vt_ustr("/d/f"), 0644), 0);
	EXPECT1(rf, n, FN_ATTRIB);
	/* link / unlink */
	n = rf.n;
	int nd = rd.n;
	VEQ(simk_link(vt_ustr("/d/f"), vt_ustr("/d/g")), 0);
	EXPECT1(rf, n, FN_LINK | FN_ATTRIB);
	EXPECT1(rd, nd, FN_MODIFY);
	VCHECK(strcmp(rd.name[nd], "g") == 0);
	n = rf.n;
	nd = rd.n;
	VEQ(simk_unlink(vt_ustr("/d/g")), 0);
	EXPECT1(rf, n, FN_LINK | FN_ATTRIB);
	EXPECT1(rd, nd, FN_MODIFY);
	/* rename */
	n = rf.n;
	nd = rd.n;
	VEQ(simk_rename(vt_ustr("/d/f"), vt_ustr("/d/f2")), 0);
	EXPECT1(rf, n, FN_RENAME_FROM);
	VCHECK(strcmp(rf.name[n], "f2") == 0);
	EXPECT1(rd, nd, FN_MODIFY);
	/* a new file in the directory */
	nd = rd.n;
	int t = vt_open("/d/t", O_CREAT | O_RDWR, 0644);
	EXPECT1(rd, nd, FN_MODIFY);
	/* rename onto a watched target */
	memset(&rt, 0, sizeof(rt));
	fnotify_watcher_init(&wt, rec_fn, &rt, FN_ALL);
	struct vnode *vt = look("/d/t");
	VEQ(fnotify_watch(vt, &wt), 0);
	vn_rele(vt);
	VEQ(simk_close(t), 0);
	n = rf.n;
	VEQ(simk_rename(vt_ustr("/d/f2"), vt_ustr("/d/t")), 0);
	EXPECT1(rt, 0, FN_RENAME_TO | FN_LINK | FN_ATTRIB | FN_DELETE);
	EXPECT1(rf, n, FN_RENAME_FROM);
	fnotify_unwatch(&wt); /* frees the replaced inode */
	/* mkdir / rmdir in the directory */
	nd = rd.n;
	VEQ(simk_mkdir(vt_ustr("/d/sub"), 0755), 0);
	EXPECT1(rd, nd, FN_MODIFY | FN_LINK);
	memset(&rt, 0, sizeof(rt));
	struct vnode *vs = look("/d/sub");
	VEQ(fnotify_watch(vs, &wt), 0);
	vn_rele(vs);
	nd = rd.n;
	VEQ(simk_rmdir(vt_ustr("/d/sub")), 0);
	EXPECT1(rt, 0, FN_DELETE | FN_LINK);
	EXPECT1(rd, nd, FN_MODIFY | FN_LINK);
	fnotify_unwatch(&wt);
	/* last unlink of the open file */
	n = rf.n;
	VEQ(simk_unlink(vt_ustr("/d/t")), 0);
	EXPECT1(rf, n, FN_LINK | FN_ATTRIB | FN_DELETE);
	/* revoke */
	n = rf.n;
	fnotify_revoke(wf.vn);
	EXPECT1(rf, n, FN_REVOKE);
	fnotify_unwatch(&wf);
	fnotify_unwatch(&wf); /* a no-op the second time */
	VEQ(simk_close(fd), 0);
	/* unmount tells every watcher */
	memset(&rd, 0, sizeof(rd));
	VEQ(vfs_unmount(), 0);
	EXPECT1(rd, 0, FN_UNMOUNT);
	fnotify_unwatch(&wd);
}

Test(vfs_fnotify, every_operation_reports_its_bits)
{
	vt_config_default();
	struct simk *s = vt_sim(1);
	simk_thread_create(simk_proc_create(s, "p"), "t", t_file_ops, NULL);
	VT_RUN_PASS(s);
	simk_destroy(s);
}

static void t_mask_oneshot(void *arg)
{
	(void)arg;
	vt_setup();
	memset(&rf, 0, sizeof(rf));
	memset(&rt, 0, sizeof(rt));
	int fd = vt_open("/f", O_CREAT | O_RDWR, 0644);
	struct vnode *vn = look("/f");
	fnotify_watcher_init(&wf, rec_fn, &rf, FN_ATTRIB);
	fnotify_watcher_init(&wt, rec_fn, &rt, FN_ALL);
	rt.oneshot = true;
	VEQ(fnotify_watch(vn, &wf), 0);
	VEQ(fnotify_watch(vn, &wt), 0);
	vn_rele(vn);
	VEQ(vt_write_str(fd, "abc"), 3); /* not in wf's mask */
	VEQ(rf.n, 0);
	VEQ(rt.n, 1);
	VCHECK(!fnotify_watching(&wt)); /* detached itself */
	VEQ(simk_ftruncate(fd, 1), 0);
	VEQ(rf.n, 1);
	VEQ(rf.what[0], FN_ATTRIB); /* masked to the watcher's interest */
	VEQ(rt.n, 1);
	fnotify_unwatch(&wf);
}

Test(vfs_fnotify, mask_filters_and_a_callback_may_detach_itself)
{
	vt_config_default();
	struct simk *s = vt_sim(2);
	simk_thread_create(simk_proc_create(s, "p"), "t", t_mask_oneshot, NULL);
	VT_RUN_PASS(s);
	simk_destroy(s);
}

static unsigned fsev[16];
static int nfsev;
static struct fs_watcher fw;

static void fs_fn(struct fs_watcher *w, unsigned what)
{
	(void)w;
	if (nfsev < 16)
		fsev[nfsev] = what;
	nfsev++;
}

static void t_fs_events(void *arg)
{
	(void)arg;
	nfsev = 0;
	fs_watcher_init(&fw, fs_fn, NULL);
	fs_watch(&fw);
	vt_setup();
	VEQ(nfsev, 1);
	VEQ(fsev[0], FSEV_MOUNT);
	int fd = vt_open("/fill", O_CREAT | O_RDWR, 0644);
	uaddr_t b = vt_ubuf(4096);
	for (int i = 0; i < 1000 && simk_write(fd, b, 4096) == 4096; i++)
		;
	VEQ(nfsev, 2);
	VEQ(fsev[1], FSEV_LOWDISK);
	VEQ(simk_ftruncate(fd, 0), 0);
	VEQ(simk_fsync(fd), 0);
	VEQ(nfsev, 3);
	VEQ(fsev[2], FSEV_SPACE_OK);
	VEQ(simk_close(fd), 0);
	VEQ(vfs_unmount(), 0);
	VEQ(nfsev, 4);
	VEQ(fsev[3], FSEV_UNMOUNT);
	VEQ(vt_remount(), 0);
	vfs_power_cut(0, NULL);
	VEQ(nfsev, 6);
	VEQ(fsev[4], FSEV_MOUNT);
	VEQ(fsev[5], FSEV_DEAD);
	fs_unwatch(&fw);
}

Test(vfs_fnotify, filesystem_events_mount_lowdisk_unmount_dead)
{
	vt_config_default();
	vt_cfg.dev.capacity_sectors = 2048;
	struct simk *s = vt_sim(3);
	simk_thread_create(simk_proc_create(s, "p"), "t", t_fs_events, NULL);
	VT_RUN_PASS(s);
	simk_destroy(s);
}

/* A vnode of a dead (power-cut) filesystem cannot be watched: ENOENT, and
 * the watcher stays unattached. */
static void t_watch_dead(void *arg)
{
	(void)arg;
	vt_setup();
	VEQ(simk_close(vt_open("/f", O_CREAT | O_RDWR, 0644)), 0);
	struct vnode *vn = look("/f");
	struct fnotify_watcher w;
	struct rec r;
	memset(&r, 0, sizeof(r));
	fnotify_watcher_init(&w, rec_fn, &r, FN_ALL);
	vfs_power_cut(0, NULL);
	VEQ(fnotify_watch(vn, &w), -ENOENT);
	VCHECK(w.vn == NULL);
	vn_rele(vn);
}

Test(vfs_fnotify, a_dead_filesystem_vnode_cannot_be_watched)
{
	vt_config_default();
	struct simk *s = vt_sim(4);
	simk_thread_create(simk_proc_create(s, "p"), "t", t_watch_dead, NULL);
	VT_RUN_PASS(s);
	simk_destroy(s);
}

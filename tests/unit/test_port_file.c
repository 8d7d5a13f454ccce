/* Event ports: PORT_SOURCE_FILE — file-change watches. */
#include "port_test.h"

static struct simk_timespec ts_of(int64_t ns)
{
	return (struct simk_timespec){ns / SIMK_NSEC_PER_SEC, ns % SIMK_NSEC_PER_SEC};
}

/* A file_obj_t in user memory for path; times from a stat when fresh,
 * else zero (stale). */
static uaddr_t fobj(const char *path, bool fresh)
{
	file_obj_t fo;
	memset(&fo, 0, sizeof(fo));
	fo.fo_name = vt_ustr(path);
	if (fresh) {
		struct simk_stat st;
		VEQ(vt_stat(path, &st), 0);
		fo.fo_atime = ts_of(st.st_atime_ns);
		fo.fo_mtime = ts_of(st.st_mtime_ns);
		fo.fo_ctime = ts_of(st.st_ctime_ns);
	}
	return vt_ubytes(&fo, sizeof(fo));
}

static int watch(int port, uaddr_t fo, int events, uint64_t user)
{
	return simk_port_associate(port, PORT_SOURCE_FILE, fo, events, user);
}

static void t_modify(void *arg)
{
	(void)arg;
	vt_setup();
	int fd = vt_open("/w", O_CREAT | O_RDWR, 0644);
	vt_sleep(1000); /* let time move so that changes show in the times */
	int port = simk_port_create();
	uaddr_t fo = fobj("/w", true);
	VEQ(watch(port, fo, FILE_MODIFIED | FILE_ATTRIB, 0x55), 0);
	VEQ(pt_count(port), 0);
	VEQ(vt_write_str(fd, "abc"), 3);
	VEQ(pt_count(port), 1);
	VEQ(vt_write_str(fd, "def"), 3);
	VEQ(pt_count(port), 1); /* one shot */
	port_event_t ev;
	VEQ(pt_get(port, &ev, &pt_poll), 0);
	VEQ(ev.portev_source, PORT_SOURCE_FILE);
	VEQ(ev.portev_object, fo);
	VEQ(ev.portev_user, 0x55);
	VEQ(ev.portev_events, FILE_MODIFIED);
	/* re-associating with the old times: they are stale, fires at once */
	VEQ(watch(port, fo, FILE_MODIFIED, 0x56), 0);
	VEQ(pt_get(port, &ev, &pt_poll), 0);
	VEQ(ev.portev_events, FILE_MODIFIED);
	VEQ(ev.portev_user, 0x56);
	/* fresh times: quiet until chmod */
	uaddr_t fo2 = fobj("/w", true);
	VEQ(watch(port, fo2, FILE_ATTRIB, 0), 0);
	VEQ(pt_count(port), 0);
	VEQ(simk_chmod(vt_ustr("/w"), 0600), 0);
	VEQ(pt_get(port, &ev, &pt_poll), 0);
	VEQ(ev.portev_events, FILE_ATTRIB);
	VEQ(ev.portev_object, fo2);
	VEQ(simk_close(fd), 0);
	VEQ(simk_close(port), 0);
	VEQ(pt_stats().slots_live, 0);
}

Test(port_file, modify_and_attrib_fire_once_and_stale_times_fire_at_once)
{
	pt_run1(t_modify, NULL);
}

static void t_access_trunc(void *arg)
{
	(void)arg;
	vt_setup();
	int fd = vt_open("/a", O_CREAT | O_RDWR, 0644);
	VEQ(vt_write_str(fd, "hello"), 5);
	vt_sleep(1000);
	int port = simk_port_create();
	VEQ(watch(port, fobj("/a", true), FILE_ACCESS, 1), 0);
	VEQ(watch(port, fobj("/a", true), FILE_TRUNC, 2), 0);
	char buf[8];
	VEQ(vt_pread(fd, buf, 5, 0), 5);
	VEQ(simk_ftruncate(fd, 2), 0);
	port_event_t ev[4];
	unsigned n = 1;
	VEQ(pt_getn(port, ev, 4, &n, &pt_poll), 0);
	VEQ(n, 2); /* several watches on one file, each by its own file_obj_t */
	VEQ(ev[0].portev_events, FILE_ACCESS);
	VEQ(ev[0].portev_user, 1);
	VEQ(ev[1].portev_events, FILE_TRUNC);
	VEQ(ev[1].portev_user, 2);
	VEQ(simk_close(fd), 0);
	VEQ(simk_close(port), 0);
}

Test(port_file, access_and_trunc_and_several_watches_per_file)
{
	pt_run1(t_access_trunc, NULL);
}

/* Each asked-for time is compared with the caller's: a stale atime fires
 * FILE_ACCESS at once, a stale ctime FILE_ATTRIB, only for what was asked. */
static void t_stale_each_time(void *arg)
{
	(void)arg;
	vt_setup();
	vt_sleep(1000); /* every time of the file is non-zero */
	int fd = vt_open("/s", O_CREAT | O_RDWR, 0644);
	VEQ(vt_write_str(fd, "x"), 1);
	int port = simk_port_create();
	struct simk_stat st;
	VEQ(vt_stat("/s", &st), 0);
	file_obj_t fo;
	memset(&fo, 0, sizeof(fo));
	fo.fo_name = vt_ustr("/s");
	fo.fo_atime = ts_of(st.st_atime_ns);
	fo.fo_mtime = ts_of(st.st_mtime_ns);
	fo.fo_ctime = ts_of(st.st_ctime_ns);
	file_obj_t old_a = fo, old_c = fo;
	old_a.fo_atime = ts_of(st.st_atime_ns - 1);
	old_c.fo_ctime = ts_of(st.st_ctime_ns - 1);
	/* fresh times: nothing due */
	VEQ(watch(port, vt_ubytes(&fo, sizeof(fo)), FILE_ACCESS | FILE_MODIFIED | FILE_ATTRIB, 1),
	    0);
	VEQ(pt_count(port), 0);
	/* a stale atime matters only when FILE_ACCESS is asked */
	VEQ(watch(port, vt_ubytes(&old_a, sizeof(old_a)), FILE_MODIFIED | FILE_ATTRIB, 2), 0);
	VEQ(pt_count(port), 0);
	VEQ(watch(port, vt_ubytes(&old_a, sizeof(old_a)), FILE_ACCESS | FILE_ATTRIB, 3), 0);
	VEQ(watch(port, vt_ubytes(&old_c, sizeof(old_c)), FILE_ACCESS | FILE_ATTRIB, 4), 0);
	port_event_t ev[4];
	unsigned n = 2;
	VEQ(pt_getn(port, ev, 4, &n, &pt_poll), 0);
	VEQ(n, 2);
	VEQ(ev[0].portev_user, 3);
	VEQ(ev[0].portev_events, FILE_ACCESS);
	VEQ(ev[1].portev_user, 4);
	VEQ(ev[1].portev_events, FILE_ATTRIB);
	VEQ(simk_close(fd), 0);
	VEQ(simk_close(port), 0);
	VEQ(pt_stats().slots_live, 0);
}

Test(port_file, a_stale_atime_or_ctime_fires_its_event_at_once)
{
	pt_run1(t_stale_each_time, NULL);
}

/* A process's close of a port it shares removes that process's watches
 * (not the others'): a change after it queues only the remaining watch. */
static struct {
	int port, fd;
	int child_watch;
} pc;

static void t_pclose_child(void *arg)
{
	(void)arg;
	pc.child_watch = watch(pc.port, fobj("/pc", true), FILE_MODIFIED, 0xc);
	VEQ(simk_close(pc.port), 0); /* the parent still has it: a process close */
	vt_sleep(1000);		     /* stay alive: the close, not the exit, must do it */
}

static void t_pclose(void *arg)
{
	(void)arg;
	vt_setup();
	pc.fd = vt_open("/pc", O_CREAT | O_RDWR, 0644);
	vt_sleep(1000);
	pc.port = simk_port_create();
	VEQ(watch(pc.port, fobj("/pc", true), FILE_MODIFIED, 0x9), 0);
	uint64_t live0 = pt_stats().slots_live;
	int c = proc_fork("child", t_pclose_child, NULL);
	VCHECK(c > 0);
	vt_sleep(500); /* the child watched and closed */
	VEQ(pc.child_watch, 0);
	VEQ(pt_stats().slots_live, live0); /* its slot came back */
	VEQ(vt_write_str(pc.fd, "m"), 1);
	port_event_t ev[2];
	unsigned n = 1;
	VEQ(pt_getn(pc.port, ev, 2, &n, &pt_poll), 0);
	VEQ(n, 1);
	VEQ(ev[0].portev_user, 0x9);
	int st;
	VEQ(proc_wait(c, &st), c);
	VEQ(simk_close(pc.fd), 0);
	VEQ(simk_close(pc.port), 0);
}

Test(port_file, a_process_close_removes_only_that_process_watches)
{
	pt_run1(t_pclose, NULL);
}

static void t_delete(void *arg)
{
	(void)arg;
	vt_setup();
	int fd = vt_open("/d", O_CREAT | O_RDWR, 0644);
	VEQ(simk_close(fd), 0);
	int port = simk_port_create();
	uaddr_t fo = fobj("/d", true);
	VEQ(watch(port, fo, 0, 9), 0); /* exceptions are always reported */
	VEQ(simk_unlink(vt_ustr("/d")), 0);
	port_event_t ev;
	VEQ(pt_get(port, &ev, &pt_poll), 0);
	VEQ(ev.portev_events, FILE_DELETE);
	VEQ(ev.portev_user, 9);
	/* the watch is gone */
	VEQ(simk_port_dissociate(port, PORT_SOURCE_FILE, fo), -ENOENT);
	VEQ(pt_stats().slots_live, 0);
	/* a missing path */
	VEQ(watch(port, fo, FILE_MODIFIED, 0), -ENOENT);
	VEQ(simk_close(port), 0);
}

Test(port_file, delete_fires_and_removes_the_watch_missing_path_enoent)
{
	pt_run1(t_delete, NULL);
}

static void t_rename(void *arg)
{
	(void)arg;
	vt_setup();
	VEQ(simk_close(vt_open("/src", O_CREAT | O_RDWR, 0644)), 0);
	VEQ(simk_close(vt_open("/dst", O_CREAT | O_RDWR, 0644)), 0);
	int port = simk_port_create();
	uaddr_t fs = fobj("/src", true), fd = fobj("/dst", true);
	VEQ(watch(port, fs, FILE_MODIFIED, 1), 0);
	VEQ(watch(port, fd, FILE_MODIFIED, 2), 0);
	VEQ(simk_rename(vt_ustr("/src"), vt_ustr("/dst")), 0);
	port_event_t ev[4];
	unsigned n = 2;
	VEQ(pt_getn(port, ev, 4, &n, &pt_poll), 0);
	VEQ(n, 2);
	int from = -1, to = -1;
	for (int i = 0; i < 2; i++) {
		if (ev[i].portev_user == 1)
			from = ev[i].portev_events;
		if (ev[i].portev_user == 2)
			to = ev[i].portev_events;
	}
	VEQ(from, FILE_RENAME_FROM);
	VCHECK(to & FILE_RENAME_TO);
	VEQ(simk_port_dissociate(port, PORT_SOURCE_FILE, fs), -ENOENT);
	VEQ(simk_port_dissociate(port, PORT_SOURCE_FILE, fd), -ENOENT);
	VEQ(simk_close(port), 0);
	VEQ(pt_stats().slots_live, 0);
}

Test(port_file, rename_reports_from_and_to_and_removes_both_watches)
{
	pt_run1(t_rename, NULL);
}

static void t_file_errors(void *arg)
{
	(void)arg;
	vt_setup();
	VEQ(simk_close(vt_open("/e", O_CREAT | O_RDWR, 0644)), 0);
	int port = simk_port_create();
	uaddr_t fo = fobj("/e", true);
	VEQ(watch(port, fo, 0x8000, 0), -EINVAL); /* not a FILE_* event */
	VEQ(watch(port, 0, FILE_MODIFIED, 0), -EFAULT);
	VEQ(watch(port, 0x10, FILE_MODIFIED, 0), -EFAULT);
	file_obj_t bad;
	memset(&bad, 0, sizeof(bad));
	VEQ(watch(port, vt_ubytes(&bad, sizeof(bad)), FILE_MODIFIED, 0), -EFAULT); /* no name */
	bad.fo_name = 0x10; /* a name in unmapped memory */
	VEQ(watch(port, vt_ubytes(&bad, sizeof(bad)), FILE_MODIFIED, 0), -EFAULT);
	VEQ(simk_port_dissociate(port, PORT_SOURCE_FILE, fo), -ENOENT);
	VEQ(watch(port, fo, FILE_MODIFIED | FILE_NOFOLLOW, 0), 0);
	VEQ(simk_port_dissociate(port, PORT_SOURCE_FILE, fo), 0);
	VEQ(simk_port_dissociate(port, PORT_SOURCE_FILE, fo), -ENOENT);
	/* a path of VFS_PATH_MAX bytes without its NUL */
	static char longp[VFS_PATH_MAX + 1];
	memset(longp, 'a', VFS_PATH_MAX);
	longp[0] = '/';
	file_obj_t lf;
	memset(&lf, 0, sizeof(lf));
	lf.fo_name = vt_ustr(longp);
	VEQ(watch(port, vt_ubytes(&lf, sizeof(lf)), FILE_MODIFIED, 0), -ENAMETOOLONG);
	VEQ(simk_close(port), 0);
	VEQ(pt_stats().slots_live, 0);
}

Test(port_file, errors_einval_efault_enoent_enametoolong)
{
	pt_run1(t_file_errors, NULL);
}

/* Every allocation of a file association (the path copy, the watch, its
 * slot) can fail: the caller gets ENOMEM, nothing stays behind, and the
 * next association works. */
static int pt_file_enomem_seen;

static void t_file_enomem(void *arg)
{
	int k = (int)(intptr_t)arg;
	vt_setup();
	VEQ(simk_close(vt_open("/m", O_CREAT | O_RDWR, 0644)), 0);
	int port = simk_port_create();
	uaddr_t fo = fobj("/m", false); /* stale: fires at once */
	char spec[64];
	snprintf(spec, sizeof(spec), "kmem/alloc/enomem:nth=%d", k);
	vt_fault(spec);
	int r = watch(port, fo, FILE_MODIFIED, 9);
	vt_fault("kmem/alloc/enomem:off");
	VCHECK(r == 0 || r == -ENOMEM);
	if (r == -ENOMEM) {
		pt_file_enomem_seen++;
		VEQ(pt_count(port), 0);
		VEQ(simk_port_dissociate(port, PORT_SOURCE_FILE, fo), -ENOENT);
		VEQ(watch(port, fo, FILE_MODIFIED, 9), 0);
	}
	port_event_t ev;
	VEQ(pt_get(port, &ev, &pt_poll), 0);
	VEQ(ev.portev_events, FILE_MODIFIED);
	VEQ(ev.portev_user, 9);
	VEQ(simk_close(port), 0);
	VEQ(pt_stats().slots_live, 0);
}

Test(port_file, every_allocation_failure_is_enomem_without_leak)
{
	pt_file_enomem_seen = 0;
	for (int k = 1; k <= 6; k++)
		pt_run1(t_file_enomem, (void *)(intptr_t)k);
	/* the path buffer, the watch and its slot each failed once */
	cr_assert_geq(pt_file_enomem_seen, 3);
}

/* Watches are not shareable: a forked child neither sees the parent's
 * file events nor can dissociate them (they are keyed by process). */
static struct {
	int port;
	uaddr_t fo;
	int child_get, child_dis;
} fk;

static void t_file_child(void *arg)
{
	(void)arg;
	port_event_t ev;
	fk.child_get = pt_get(fk.port, &ev, &pt_poll);
	fk.child_dis = simk_port_dissociate(fk.port, PORT_SOURCE_FILE, fk.fo);
}

static void t_file_fork(void *arg)
{
	(void)arg;
	vt_setup();
	VEQ(simk_close(vt_open("/f", O_CREAT | O_RDWR, 0644)), 0);
	fk.port = simk_port_create();
	fk.fo = fobj("/f", false); /* stale: queued at once */
	VEQ(watch(fk.port, fk.fo, FILE_MODIFIED, 0), 0);
	VEQ(pt_count(fk.port), 1);
	int c = proc_fork("child", t_file_child, NULL);
	VCHECK(c > 0);
	int st;
	VEQ(proc_wait(c, &st), c);
	VEQ(fk.child_get, -ETIME);
	VEQ(fk.child_dis, -ENOENT);
	port_event_t ev;
	VEQ(pt_get(fk.port, &ev, &pt_poll), 0);
	VEQ(ev.portev_events, FILE_MODIFIED);
	VEQ(simk_close(fk.port), 0);
}

Test(port_file, file_events_are_not_shareable_after_fork)
{
	pt_run1(t_file_fork, NULL);
}

/* Closing the port removes its watches; later changes are not reported. */
static void t_file_close(void *arg)
{
	(void)arg;
	vt_setup();
	int fd = vt_open("/c", O_CREAT | O_RDWR, 0644);
	int port = simk_port_create();
	VEQ(watch(port, fobj("/c", true), FILE_MODIFIED, 0), 0);
	VEQ(watch(port, fobj("/c", false), FILE_MODIFIED, 0), 0); /* queued */
	VEQ(simk_close(port), 0);
	VEQ(pt_stats().slots_live, 0);
	VEQ(vt_write_str(fd, "x"), 1);
	VEQ(simk_close(fd), 0);
}

Test(port_file, closing_the_port_removes_the_watches)
{
	pt_run1(t_file_close, NULL);
}

/* UNMOUNTED: an exception, reported whether asked or not; it ends the
 * watch like a delete does. */
static void t_unmount(void *arg)
{
	(void)arg;
	vt_setup();
	int fd = vt_open("/u", O_CREAT | O_RDWR, 0644);
	VEQ(simk_close(fd), 0);
	int port = simk_port_create();
	uaddr_t fo = fobj("/u", true);
	VEQ(watch(port, fo, FILE_MODIFIED, 4), 0);
	port_event_t ev;
	VEQ(pt_get(port, &ev, &pt_poll), -ETIME); /* fresh times: nothing yet */
	VEQ(vfs_unmount(), 0);
	VEQ(pt_get(port, &ev, &pt_poll), 0);
	VEQ(ev.portev_source, PORT_SOURCE_FILE);
	VEQ(ev.portev_events, UNMOUNTED);
	VEQ(ev.portev_object, fo);
	VEQ(ev.portev_user, 4);
	VEQ(simk_port_dissociate(port, PORT_SOURCE_FILE, fo), -ENOENT); /* the watch is gone */
	VEQ(pt_stats().slots_live, 0);
	VEQ(simk_close(port), 0);
}

Test(port_file, unmount_fires_unmounted_and_removes_the_watch)
{
	pt_run1(t_unmount, NULL);
}

/* MOUNTEDOVER: a filesystem mounted on a watched directory fires it on
 * that watch only (an exception: reported whether asked or not, it ends
 * the watch); the files inside the covered directory are hidden, not
 * changed, so their watches stay quiet. A watch made through the path
 * afterwards watches the mounted root and hears UNMOUNTED. */
static void t_mountedover(void *arg)
{
	(void)arg;
	vt_setup();
	struct blkdev_config c = vt_cfg.dev;
	snprintf(c.name, sizeof(c.name), "disk2");
	struct blkdev *d2 = NULL;
	VEQ(blkdev_create(&c, &d2), 0);
	VEQ(kvfs_mkdir("/dir", 0755), 0);
	int fd = vt_open("/dir/inside", O_CREAT | O_RDWR, 0644);
	VEQ(simk_close(fd), 0);
	int port = simk_port_create();
	uaddr_t fd_dir = fobj("/dir", true), fo_in = fobj("/dir/inside", true);
	VEQ(watch(port, fd_dir, FILE_ACCESS, 21), 0);
	VEQ(watch(port, fo_in, FILE_MODIFIED | FILE_ATTRIB, 22), 0);
	VEQ(pt_count(port), 0);
	VEQ(vfs_mount_at(d2, NULL, "/dir"), 0);
	VEQ(pt_count(port), 1);
	port_event_t ev;
	VEQ(pt_get(port, &ev, &pt_poll), 0);
	VEQ(ev.portev_source, PORT_SOURCE_FILE);
	VEQ(ev.portev_events, MOUNTEDOVER);
	VEQ(ev.portev_object, fd_dir);
	VEQ(ev.portev_user, 21);
	VEQ(simk_port_dissociate(port, PORT_SOURCE_FILE, fd_dir), -ENOENT); /* ended */
	/* the mounted root, watched by its path */
	uaddr_t fo_root = fobj("/dir", true);
	VEQ(watch(port, fo_root, FILE_MODIFIED, 23), 0);
	VEQ(vfs_unmount_at("/dir"), 0);
	VEQ(pt_get(port, &ev, &pt_poll), 0);
	VEQ(ev.portev_events, UNMOUNTED);
	VEQ(ev.portev_object, fo_root);
	VEQ(pt_get(port, &ev, &pt_poll), -ETIME); /* the inside watch never fired */
	VEQ(simk_port_dissociate(port, PORT_SOURCE_FILE, fo_in), 0);
	VEQ(pt_stats().slots_live, 0);
	VEQ(simk_close(port), 0);
}

Test(port_file, mounting_over_a_watched_directory_fires_mountedover_and_ends_the_watch)
{
	pt_run1(t_mountedover, NULL);
}

/* fobj() with the times of the link itself (lstat). */
static uaddr_t fobj_link(const char *path)
{
	file_obj_t fo;
	memset(&fo, 0, sizeof(fo));
	fo.fo_name = vt_ustr(path);
	struct simk_stat st;
	VEQ(kvfs_lstat(path, &st), 0);
	VEQ(st.st_mode & SIMK_S_IFMT, SIMK_S_IFLNK);
	fo.fo_atime = ts_of(st.st_atime_ns);
	fo.fo_mtime = ts_of(st.st_mtime_ns);
	fo.fo_ctime = ts_of(st.st_ctime_ns);
	return vt_ubytes(&fo, sizeof(fo));
}

/* Without FILE_NOFOLLOW a link names its target: a write to the target
 * fires FILE_MODIFIED on the follow watch and nothing on the NOFOLLOW
 * watch of the link; deleting the link fires FILE_DELETE on the NOFOLLOW
 * watch only (the target keeps its link). */
static void t_nofollow(void *arg)
{
	(void)arg;
	vt_setup();
	int fd = vt_open("/target", O_CREAT | O_RDWR, 0644);
	VEQ(kvfs_symlink("target", "/lnk"), 0);
	vt_sleep(1000);
	int port = simk_port_create();
	uaddr_t ff = fobj("/lnk", true); /* stat follows: the target's times */
	uaddr_t fl = fobj_link("/lnk");
	VEQ(watch(port, ff, FILE_MODIFIED, 1), 0);
	VEQ(watch(port, fl, FILE_MODIFIED | FILE_NOFOLLOW, 2), 0);
	VEQ(pt_count(port), 0); /* each compared with its own file's times */
	VEQ(vt_write_str(fd, "abc"), 3);
	port_event_t ev[4];
	unsigned n = 1;
	VEQ(pt_getn(port, ev, 4, &n, &pt_poll), 0);
	VEQ(n, 1);
	VEQ(ev[0].portev_user, 1);
	VEQ(ev[0].portev_events, FILE_MODIFIED);
	/* the follow watch ended (one shot): re-arm it on fresh times */
	VEQ(watch(port, fobj("/lnk", true), FILE_MODIFIED, 3), 0);
	VEQ(pt_count(port), 0);
	VEQ(simk_unlink(vt_ustr("/lnk")), 0);
	n = 1;
	VEQ(pt_getn(port, ev, 4, &n, &pt_poll), 0);
	VEQ(n, 1);
	VEQ(ev[0].portev_user, 2);
	VEQ(ev[0].portev_events, FILE_DELETE);
	VEQ(simk_port_dissociate(port, PORT_SOURCE_FILE, fl), -ENOENT); /* it ended */
	/* the target is untouched: its watch still waits */
	struct simk_stat st;
	VEQ(vt_stat("/target", &st), 0);
	VEQ(st.st_nlink, 1);
	VEQ(pt_count(port), 0);
	VEQ(vt_write_str(fd, "d"), 1);
	VEQ(pt_get(port, &ev[0], &pt_poll), 0);
	VEQ(ev[0].portev_user, 3);
	VEQ(simk_close(fd), 0);
	VEQ(simk_close(port), 0);
	VEQ(pt_stats().slots_live, 0);
}

Test(port_file, nofollow_watches_the_link_follow_watches_the_target)
{
	pt_run1(t_nofollow, NULL);
}

/* A dangling link: ENOENT when followed, a watch of the link itself with
 * FILE_NOFOLLOW; renaming the link ends that watch with FILE_RENAME_FROM. */
static void t_nofollow_dangling(void *arg)
{
	(void)arg;
	vt_setup();
	VEQ(kvfs_symlink("/nowhere", "/dl"), 0);
	int port = simk_port_create();
	uaddr_t fl = fobj_link("/dl");
	VEQ(watch(port, fobj("/dl", false), FILE_MODIFIED, 1), -ENOENT);
	VEQ(watch(port, fl, FILE_MODIFIED | FILE_NOFOLLOW, 2), 0);
	VEQ(pt_count(port), 0);
	VEQ(kvfs_rename("/dl", "/dl2"), 0);
	port_event_t ev;
	VEQ(pt_get(port, &ev, &pt_poll), 0);
	VEQ(ev.portev_user, 2);
	VEQ(ev.portev_events, FILE_RENAME_FROM);
	VEQ(simk_close(port), 0);
	VEQ(pt_stats().slots_live, 0);
}

Test(port_file, nofollow_watches_a_dangling_link_and_its_rename)
{
	pt_run1(t_nofollow_dangling, NULL);
}

/* A watch associated while its file's filesystem is being unmounted: it
 * either gets in before the unmount tells the watchers (and hears
 * UNMOUNTED) or finds the filesystem gone (ENOENT) — never an armed watch
 * on a filesystem that is no longer mounted, which nothing would ever
 * fire. Both outcomes happen under the seeds. */
static int ur_port, ur_assoc;
static uaddr_t ur_fo;
static int ur_heard, ur_refused;

static void t_ur_watcher(void *arg)
{
	(void)arg;
	ur_assoc = watch(ur_port, ur_fo, FILE_MODIFIED, 9);
}

static void t_ur_unmounter(void *arg)
{
	(void)arg;
	VEQ(vfs_unmount_at("/mnt"), 0);
}

static void t_ur_main(void *arg)
{
	(void)arg;
	vt_setup();
	struct blkdev_config c = vt_cfg.dev;
	snprintf(c.name, sizeof(c.name), "disk2");
	struct blkdev *d2 = NULL;
	VEQ(blkdev_create(&c, &d2), 0);
	VEQ(kvfs_mkdir("/mnt", 0755), 0);
	VEQ(vfs_mount_at(d2, NULL, "/mnt"), 0);
	int fd = vt_open("/mnt/f", O_CREAT | O_RDWR, 0644);
	VEQ(vt_write_str(fd, "dirty"), 5); /* the unmount's commit has I/O */
	VEQ(simk_close(fd), 0);
	ur_port = simk_port_create();
	ur_fo = fobj("/mnt/f", true);
	struct simk_proc *p = sim_proc_current();
	struct simk_thread *a = kthread_create(p, "watcher", t_ur_watcher, NULL, false);
	struct simk_thread *b = kthread_create(p, "unmounter", t_ur_unmounter, NULL, false);
	VEQ(kthread_join(a, NULL), 0);
	VEQ(kthread_join(b, NULL), 0);
	if (ur_assoc == 0) {
		port_event_t ev;
		VEQ(pt_get(ur_port, &ev, &pt_poll), 0);
		VEQ(ev.portev_events, UNMOUNTED);
		VEQ(ev.portev_user, 9);
		ur_heard++;
	} else {
		VEQ(ur_assoc, -ENOENT);
		ur_refused++;
	}
	VEQ(pt_count(ur_port), 0);
	VEQ(simk_port_dissociate(ur_port, PORT_SOURCE_FILE, ur_fo), -ENOENT);
	VEQ(simk_close(ur_port), 0);
	VEQ(pt_stats().slots_live, 0);
}

Test(port_file, a_watch_racing_an_unmount_hears_unmounted_or_is_refused)
{
	ur_heard = ur_refused = 0;
	for (uint64_t seed = 1; seed <= 80; seed++) {
		struct simk *s = pt_sim(seed, SIMK_POLICY_RANDOM);
		simk_thread_create(simk_proc_create(s, "p"), "main", t_ur_main, NULL);
		VT_RUN_PASS(s);
		simk_destroy(s);
	}
	cr_assert_gt(ur_heard, 0);
	cr_assert_gt(ur_refused, 0);
}

/* A watch on a file that another thread writes while a third unmounts
 * the filesystem (retrying while the file is open): the watch fires
 * exactly once — FILE_MODIFIED, since a write always precedes the close
 * that lets the unmount through — or, associated after the unmount,
 * is refused. Never both, never neither. */
static int wu_mod, wu_refused2;

static void t_wu_writer(void *arg)
{
	int fd = (int)(intptr_t)arg;
	for (int i = 0; i < 3; i++) {
		VEQ(vt_write_str(fd, "x"), 1);
		vt_sleep(3000);
	}
	VEQ(simk_close(fd), 0);
}

static void t_wu_unmounter(void *arg)
{
	(void)arg;
	for (int i = 0;; i++) {
		VCHECK(i < 1000);
		int r = vfs_unmount_at("/mnt");
		if (r == 0)
			break;
		VEQ(r, -EBUSY);
		vt_sleep(2000);
	}
}

static void t_wu_main(void *arg)
{
	uint64_t seed = (uint64_t)(uintptr_t)arg;
	vt_setup();
	struct blkdev_config c = vt_cfg.dev;
	snprintf(c.name, sizeof(c.name), "disk2");
	struct blkdev *d2 = NULL;
	VEQ(blkdev_create(&c, &d2), 0);
	VEQ(kvfs_mkdir("/mnt", 0755), 0);
	VEQ(vfs_mount_at(d2, NULL, "/mnt"), 0);
	int fd = vt_open("/mnt/f", O_CREAT | O_RDWR, 0644); /* the writer closes it */
	VCHECK(fd >= 0);
	vt_sleep(1000); /* later writes change the times */
	int port = simk_port_create();
	uaddr_t fo = fobj("/mnt/f", true);
	struct simk_proc *p = sim_proc_current();
	struct simk_thread *a =
	    kthread_create(p, "writer", t_wu_writer, (void *)(intptr_t)fd, false);
	struct simk_thread *b = kthread_create(p, "unmounter", t_wu_unmounter, NULL, false);
	vt_sleep(seed * 1500 % 15000); /* associate somewhere in the writes or after */
	int r = watch(port, fo, FILE_MODIFIED, 5);
	VEQ(kthread_join(a, NULL), 0);
	VEQ(kthread_join(b, NULL), 0);
	if (r == 0) {
		VEQ(pt_count(port), 1);
		port_event_t ev;
		VEQ(pt_get(port, &ev, &pt_poll), 0);
		VEQ(ev.portev_events, FILE_MODIFIED);
		wu_mod++;
	} else {
		VEQ(r, -ENOENT);
		VEQ(pt_count(port), 0);
		wu_refused2++;
	}
	VEQ(simk_close(port), 0);
	VEQ(pt_stats().slots_live, 0);
}

Test(port_file, a_watch_on_a_file_written_during_an_unmount_fires_once_or_is_refused)
{
	wu_mod = wu_refused2 = 0;
	for (uint64_t seed = 1; seed <= 30; seed++) {
		struct simk *s = pt_sim(seed, SIMK_POLICY_RANDOM);
		simk_thread_create(simk_proc_create(s, "p"), "main", t_wu_main,
				   (void *)(uintptr_t)seed);
		VT_RUN_PASS(s);
		simk_destroy(s);
	}
	cr_assert_gt(wu_mod, 0);
	cr_assert_gt(wu_refused2, 0);
}

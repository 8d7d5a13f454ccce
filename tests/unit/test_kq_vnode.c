/* kqueue: EVFILT_VNODE (over the VFS's file-change hooks). */
#include "kq_test.h"

#define ALL_NOTES NOTE_VNODE_ALL

/* Polls one vnode event; returns its fflags (0 when none). */
static uint32_t vn_event(int kq, uint16_t *flags)
{
	struct kevent ev[2];
	int n = kq_poll(kq, ev, 2);
	VCHECK(n == 0 || n == 1);
	if (n == 0)
		return 0;
	VEQ(ev[0].filter, EVFILT_VNODE);
	if (flags != NULL)
		*flags = ev[0].flags;
	return ev[0].fflags;
}

static void t_vnode_notes(void *arg)
{
	(void)arg;
	int fd = vt_open("/f", O_CREAT | O_RDWR, 0644);
	int kq = simk_kqueue();
	VEQ(kq_change(kq, (uint64_t)fd, EVFILT_VNODE, EV_ADD | EV_CLEAR, ALL_NOTES, 0, 0), 0);
	VEQ(vn_event(kq, NULL), 0);
	VEQ(vt_write_str(fd, "abc"), 3);
	VEQ(vn_event(kq, NULL), NOTE_WRITE | NOTE_EXTEND);
	VEQ(vn_event(kq, NULL), 0); /* EV_CLEAR */
	VEQ(vt_pwrite(fd, "x", 1, 0), 1);
	VEQ(vn_event(kq, NULL), NOTE_WRITE); /* no growth */
	VEQ(simk_ftruncate(fd, 100), 0);
	VEQ(vn_event(kq, NULL), NOTE_EXTEND | NOTE_WRITE | NOTE_ATTRIB); /* truncate upward */
	VEQ(simk_ftruncate(fd, 10), 0);
	VEQ(vn_event(kq, NULL), NOTE_WRITE | NOTE_ATTRIB);
	VEQ(simk_fchmod(fd, 0600), 0);
	VEQ(vn_event(kq, NULL), NOTE_ATTRIB);
	char buf[4];
	VEQ(vt_pread(fd, buf, 2, 0), 2);
	VEQ(vn_event(kq, NULL), NOTE_READ);
	VEQ(simk_link(vt_ustr("/f"), vt_ustr("/g")), 0);
	VEQ(vn_event(kq, NULL), NOTE_LINK | NOTE_ATTRIB);
	VEQ(simk_rename(vt_ustr("/f"), vt_ustr("/h")), 0);
	VEQ(vn_event(kq, NULL) & NOTE_RENAME, NOTE_RENAME);
	VEQ(simk_unlink(vt_ustr("/g")), 0);
	VEQ(vn_event(kq, NULL), NOTE_LINK | NOTE_ATTRIB); /* one name left */
	VEQ(simk_unlink(vt_ustr("/h")), 0);
	VEQ(vn_event(kq, NULL), NOTE_LINK | NOTE_ATTRIB | NOTE_DELETE);
	/* revoke: fires with EV_EOF whatever was asked */
	VEQ(kq_change(kq, (uint64_t)fd, EVFILT_VNODE, EV_ADD, NOTE_WRITE, 0, 0), 0);
	struct file *fp;
	VEQ(fd_get(sim_proc_current(), fd, &fp), 0);
	fnotify_revoke(fp->vnode);
	file_put(fp);
	uint16_t flags = 0;
	VEQ(vn_event(kq, &flags), 0x0);
	VEQ(flags & (EV_EOF | EV_NODATA), EV_EOF | EV_NODATA);
	VEQ(simk_close(fd), 0);
	VEQ(kqueue_knotes_live(), 0);
	VEQ(simk_close(kq), 0);
}

Test(kq_vnode, every_note)
{
	kq_run1(1, SIMK_POLICY_FIFO, true, t_vnode_notes, NULL);
}

/* BSD has no note for a directory being mounted over: a knote on the
 * covered directory stays quiet (event ports report MOUNTEDOVER), and
 * keeps working on the directory the open file names. */
static void t_vnode_mounted_over(void *arg)
{
	(void)arg;
	VEQ(simk_mkdir(vt_ustr("/mnt"), 0755), 0);
	int fd = vt_open("/mnt", O_RDONLY, 0);
	int kq = simk_kqueue();
	VEQ(kq_change(kq, (uint64_t)fd, EVFILT_VNODE, EV_ADD | EV_CLEAR, ALL_NOTES, 0, 0), 0);
	struct blkdev_config c = vt_cfg.dev;
	snprintf(c.name, sizeof(c.name), "disk2");
	struct blkdev *d2 = NULL;
	VEQ(blkdev_create(&c, &d2), 0);
	VEQ(vfs_mount_at(d2, NULL, "/mnt"), 0);
	VEQ(kq_pending(kq), 0);
	VEQ(vn_event(kq, NULL), 0);
	VEQ(vfs_unmount_at("/mnt"), 0);
	VEQ(kq_pending(kq), 0); /* the covered directory was not unmounted */
	VEQ(simk_mkdir(vt_ustr("/mnt/sub"), 0755), 0);
	VEQ(vn_event(kq, NULL), NOTE_WRITE | NOTE_LINK);
	VEQ(simk_close(fd), 0);
	VEQ(simk_close(kq), 0);
	VEQ(kqueue_knotes_live(), 0);
}

Test(kq_vnode, a_directory_mounted_over_gets_no_note)
{
	kq_run1(1, SIMK_POLICY_FIFO, true, t_vnode_mounted_over, NULL);
}

/* Only the notes asked for; several changes coalesce into one event;
 * without EV_CLEAR the event repeats. */
static void t_vnode_coalesce(void *arg)
{
	(void)arg;
	int fd = vt_open("/f", O_CREAT | O_RDWR, 0644);
	int kq = simk_kqueue();
	VEQ(kq_change(kq, (uint64_t)fd, EVFILT_VNODE, EV_ADD, NOTE_EXTEND | NOTE_ATTRIB, 0, 0), 0);
	VEQ(vt_pwrite(fd, "abc", 3, 0), 3); /* WRITE|EXTEND: EXTEND asked */
	VEQ(vt_pwrite(fd, "abc", 3, 0), 3); /* WRITE only: not asked */
	VEQ(simk_fchmod(fd, 0600), 0);	    /* ATTRIB */
	VEQ(kq_pending(kq), 1);
	VEQ(vn_event(kq, NULL), NOTE_EXTEND | NOTE_ATTRIB);
	VEQ(vn_event(kq, NULL), NOTE_EXTEND | NOTE_ATTRIB); /* level: repeats */
	VEQ(kq_change(kq, (uint64_t)fd, EVFILT_VNODE, EV_DELETE, 0, 0, 0), 0);
	/* a directory: entries created and removed */
	VEQ(kvfs_mkdir("/d", 0755), 0);
	int dfd = vt_open("/d", O_RDONLY, 0);
	VCHECK(dfd >= 0);
	VEQ(kq_change(kq, (uint64_t)dfd, EVFILT_VNODE, EV_ADD | EV_CLEAR, ALL_NOTES, 0, 0), 0);
	int f2 = vt_open("/d/x", O_CREAT | O_RDWR, 0644);
	VEQ(vn_event(kq, NULL) & NOTE_WRITE, NOTE_WRITE);
	VEQ(simk_mkdir(vt_ustr("/d/sub"), 0755), 0);
	VEQ(vn_event(kq, NULL), NOTE_WRITE | NOTE_LINK);
	VEQ(simk_close(f2), 0);
	VEQ(simk_close(dfd), 0);
	VEQ(simk_close(fd), 0);
	VEQ(simk_close(kq), 0);
}

Test(kq_vnode, notes_filtered_coalesced_and_directories)
{
	kq_run1(2, SIMK_POLICY_FIFO, true, t_vnode_coalesce, NULL);
}

/* NOTE_REVOKE, when asked for, is reported in fflags (with EV_EOF) for a
 * revoke and for the unmount of the file's filesystem. */
static void t_vnode_revoke_note(void *arg)
{
	(void)arg;
	int fd = vt_open("/f", O_CREAT | O_RDWR, 0644);
	int kq = simk_kqueue();
	VEQ(kq_change(kq, (uint64_t)fd, EVFILT_VNODE, EV_ADD | EV_CLEAR, NOTE_REVOKE | NOTE_WRITE,
		      0, 0),
	    0);
	struct file *fp;
	VEQ(fd_get(sim_proc_current(), fd, &fp), 0);
	fnotify_revoke(fp->vnode);
	file_put(fp);
	uint16_t flags = 0;
	VEQ(vn_event(kq, &flags), NOTE_REVOKE);
	VEQ(flags & EV_EOF, EV_EOF);
	VEQ(simk_close(fd), 0);
	VEQ(kqueue_knotes_live(), 0);
	VEQ(simk_close(kq), 0);
}

Test(kq_vnode, note_revoke_is_reported_when_asked)
{
	kq_run1(3, SIMK_POLICY_FIFO, true, t_vnode_revoke_note, NULL);
}

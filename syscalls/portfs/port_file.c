/*
 * Event ports: PORT_SOURCE_FILE — file-change events, one shot.
 *
 * A watch is keyed by (process, file_obj_t address): several watches on
 * one file through different file_obj_t are independent. Associating
 * looks the path up, attaches a file-change watcher (vfs/fnotify.h) and
 * compares the stat times the caller put in the file_obj_t with the file's:
 * a time that is already stale (and asked for) fires the event at once.
 * The first change that matters fires the event and detaches the watcher;
 * the watch is inactive until re-associated. Exception events (delete,
 * rename, unmount, mounted over) are reported whether asked or not and end the watch:
 * it leaves the port's list at once (a later dissociate says ENOENT) and
 * its queued event owns it — delivery or discard frees both.
 *
 * The invariant: an armed watch is attached to its vnode and its slot
 * (SCACHED, non-shareable) is HELD; firing happens under pp->lock, so a
 * watch fires at most once per arming. pp->file_watches changes under
 * pp->lock (the watcher callback may run in interrupt context); thread
 * operations on watches are serialized by run->assoc_mutex.
 */
#include <errno.h>
#include <string.h>

#include "kern/kmem.h"
#include "kern/umem.h"
#include "syscalls/portfs/port_priv.h"
#include "vfs/fnotify.h"
#include "vfs/vfs.h"

/* Liveness guard: watches one file dissociation walks; past it the loop is a livelock bug. */
#define PORT_FILE_ASSOC_ROUNDS_MAX 1000000

static KMEM_TYPE(kmt_file_watch, "port.file_watch");
static KMEM_TYPE(kmt_path, "port.path");

struct port_file_watch {
	struct list_node plink; /* pp->file_watches (while not gone) */
	struct port *pp;
	int owner_pid;
	uint64_t fobj;	     /* user address of the file_obj_t */
	uint64_t fobj_alias; /* its deterministic value for the trace (umem_trace_addr) */
	int events;    /* asked: FILE_ACCESS | FILE_MODIFIED | FILE_ATTRIB | FILE_TRUNC */
	uint64_t user;
	bool armed;
	bool gone; /* an exception fired: the queued event owns the watch */
	struct fnotify_watcher w;
	struct port_kevent *kev; /* SCACHED | NOSHARE */
};

static bool can_sleep(void)
{
	return sim_thread_current() != NULL && !sim_in_irq();
}

static unsigned fn_mask_of(int events)
{
	unsigned m = FN_DELETE | FN_RENAME_FROM | FN_RENAME_TO | FN_UNMOUNT | FN_REVOKE |
		     FN_MOUNTED_OVER;
	if (events & FILE_ACCESS)
		m |= FN_ACCESS;
	if (events & FILE_MODIFIED)
		m |= FN_MODIFY | FN_EXTEND;
	if (events & FILE_ATTRIB)
		m |= FN_ATTRIB | FN_LINK;
	if (events & FILE_TRUNC)
		m |= FN_TRUNCATE;
	return m;
}

/* What the application sees for one operation's FN_* bits. */
static int file_events_of(unsigned what, int asked)
{
	int ev = 0;
	if (what & FN_ACCESS)
		ev |= FILE_ACCESS;
	if (what & (FN_MODIFY | FN_EXTEND))
		ev |= FILE_MODIFIED;
	if (what & (FN_ATTRIB | FN_LINK))
		ev |= FILE_ATTRIB;
	if (what & FN_TRUNCATE)
		ev |= FILE_TRUNC;
	ev &= asked;
	if (what & (FN_DELETE | FN_REVOKE))
		ev |= FILE_DELETE;
	if (what & FN_RENAME_FROM)
		ev |= FILE_RENAME_FROM;
	if (what & FN_RENAME_TO)
		ev |= FILE_RENAME_TO;
	if (what & FN_UNMOUNT)
		ev |= UNMOUNTED;
	if (what & FN_MOUNTED_OVER)
		ev |= MOUNTEDOVER;
	return ev;
}

/* Fires the watch with events ev (any context). */
static void file_fire(struct port_file_watch *fw, int ev)
{
	struct port *pp = fw->pp;
	spin_lock(&pp->lock);
	if (!fw->armed || fw->kev->state != KEV_HELD) {
		spin_unlock(&pp->lock);
		return;
	}
	fw->armed = false;
	fnotify_unwatch(&fw->w);
	if (ev & FILE_EXCEPTION) {
		fw->gone = true;
		list_del(&fw->plink);
	}
	fw->kev->events = ev;
	trace_emit(TR_INFO, "port:file_fire", (int64_t)pp->id, (int64_t)fw->fobj_alias, ev, fw->gone);
	port_enqueue_locked(pp, fw->kev);
	port_unlock_pollwakeup(pp);
}

/* File-change watcher: the operation's context; must not sleep. */
static void file_fn(struct fnotify_watcher *w, unsigned what, const struct fnotify_info *info)
{
	(void)info;
	struct port_file_watch *fw = w->priv;
	int ev = file_events_of(what, fw->events);
	if (ev != 0)
		file_fire(fw, ev);
}

static void watch_free(struct port_file_watch *fw)
{
	KASSERT(!fnotify_watching(&fw->w), "freeing an attached file watch");
	kmem_free(&kmt_file_watch, fw);
}

/* Delivery or discard. Non-shareable: only the owner's threads (the port
 * refuses the others before calling). A gone watch dies with its event. */
static int file_callback(void *arg, int *events, int pid, int flag, struct port_kevent *k)
{
	struct port_file_watch *fw = arg;
	(void)events;
	if (flag == PORT_CALLBACK_DEFAULT && port_cur_pid() != pid)
		return EACCES;
	if (fw->gone) {
		port_free_event(k);
		watch_free(fw);
	}
	return 0;
}

static struct port_file_watch *watch_find(struct port *pp, int pid, uint64_t fobj)
{
	for (struct list_node *n = pp->file_watches.next; n != &pp->file_watches; n = n->next) {
		struct port_file_watch *fw = list_entry(n, struct port_file_watch, plink);
		if (fw->owner_pid == pid && fw->fobj == fobj)
			return fw;
	}
	return NULL;
}

/* Disarms fw and takes it off the list (thread context normally). */
static void watch_remove(struct port_file_watch *fw)
{
	struct port *pp = fw->pp;
	spin_lock(&pp->lock);
	fw->armed = false;
	fnotify_unwatch(&fw->w);
	list_del(&fw->plink);
	spin_unlock(&pp->lock);
	if (can_sleep())
		port_remove_done_event(fw->kev);
	port_free_event(fw->kev);
	trace_emit(TR_INFO, "port:file_dissociate", (int64_t)pp->id, (int64_t)fw->fobj_alias,
		   fw->owner_pid, 0);
	watch_free(fw);
}

/* Copies the NUL-terminated path at uaddr into a kmem buffer. */
static int copyin_path(uaddr_t uaddr, char **out)
{
	if (uaddr == 0)
		return -EFAULT;
	char *buf = kmem_alloc(&kmt_path, VFS_PATH_MAX);
	if (buf == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < VFS_PATH_MAX; i++) {
		if (copyin(uaddr + i, &buf[i], 1) != 0) {
			kmem_free(&kmt_path, buf);
			return -EFAULT;
		}
		if (buf[i] == '\0') {
			*out = buf;
			return 0;
		}
	}
	kmem_free(&kmt_path, buf);
	return -ENAMETOOLONG;
}

static int64_t ts_ns(const struct simk_timespec *ts)
{
	return ts->tv_sec * SIMK_NSEC_PER_SEC + ts->tv_nsec;
}

/* Events already due from the stat times the caller saw. */
static int stale_events(struct vnode *vn, const file_obj_t *fo, int asked)
{
	struct simk_stat st;
	vn_stat(vn, &st);
	int ev = 0;
	if ((asked & FILE_ACCESS) && st.st_atime_ns != ts_ns(&fo->fo_atime))
		ev |= FILE_ACCESS;
	if ((asked & FILE_MODIFIED) && st.st_mtime_ns != ts_ns(&fo->fo_mtime))
		ev |= FILE_MODIFIED;
	if ((asked & FILE_ATTRIB) && st.st_ctime_ns != ts_ns(&fo->fo_ctime))
		ev |= FILE_ATTRIB;
	return ev;
}

int port_associate_file(struct port *pp, uaddr_t fobj, int events, uint64_t user)
{
	struct port_run *run = port_run();
	struct simk_proc *p = sim_proc_current();
	if (events & ~FILE_EVENTS_VALID)
		return -EINVAL;
	file_obj_t fo;
	if (fobj == 0 || copyin(fobj, &fo, sizeof(fo)) != 0)
		return -EFAULT;
	char *path;
	int r = copyin_path(fo.fo_name, &path);
	if (r != 0)
		return r;
	struct vnode *vn;
	/* FILE_NOFOLLOW watches a symbolic link itself, else what it names */
	r = vfs_lookup_flags(path, !(events & FILE_NOFOLLOW), &vn); /* may sleep: before the lock */
	kmem_free(&kmt_path, path);
	if (r != 0)
		return r;
	mutex_lock(&run->assoc_mutex);
	if (pp->state != PORT_OPEN) {
		r = -EBADFD;
		goto out;
	}
	struct port_file_watch *fw = watch_find(pp, p->pid, fobj);
	if (fw == NULL) {
		fw = kmem_zalloc(&kmt_file_watch, sizeof(*fw));
		if (fw == NULL) {
			r = -ENOMEM;
			goto out;
		}
		r = port_alloc_event(pp, p, PORT_ALLOC_SCACHED | PORT_ALLOC_NOSHARE,
				     PORT_SOURCE_FILE, &fw->kev);
		if (r != 0) {
			kmem_free(&kmt_file_watch, fw);
			goto out;
		}
		fw->pp = pp;
		fw->owner_pid = p->pid;
		fw->fobj = fobj;
		fw->fobj_alias = umem_trace_addr(p, fobj);
		spin_lock(&pp->lock);
		list_push_back(&pp->file_watches, &fw->plink);
		spin_unlock(&pp->lock);
	} else {
		/* Re-association: disarm, take back a queued event. */
		spin_lock(&pp->lock);
		fw->armed = false;
		fnotify_unwatch(&fw->w);
		spin_unlock(&pp->lock);
		port_remove_done_event(fw->kev);
	}
	fw->events = events;
	fw->user = user;
	port_init_event(fw->kev, fobj, user, file_callback, fw);
	fnotify_watcher_init(&fw->w, file_fn, fw, fn_mask_of(events));
	r = fnotify_watch(vn, &fw->w);
	if (r != 0) {
		/* Removed meanwhile: no watch remains. */
		spin_lock(&pp->lock);
		list_del(&fw->plink);
		spin_unlock(&pp->lock);
		port_free_event(fw->kev);
		watch_free(fw);
		goto out;
	}
	spin_lock(&pp->lock);
	fw->armed = true;
	spin_unlock(&pp->lock);
	trace_emit(TR_INFO, "port:file_associate", (int64_t)pp->id, (int64_t)fw->fobj_alias, events,
		   0);
	int due = stale_events(vn, &fo, events);
	if (due != 0)
		file_fire(fw, due);
out:
	mutex_unlock(&run->assoc_mutex);
	vn_rele(vn);
	return r;
}

int port_dissociate_file(struct port *pp, uaddr_t fobj)
{
	struct port_run *run = port_run();
	mutex_lock(&run->assoc_mutex);
	struct port_file_watch *fw = watch_find(pp, port_cur_pid(), fobj);
	int r = 0;
	if (fw == NULL)
		r = -ENOENT;
	else
		watch_remove(fw);
	mutex_unlock(&run->assoc_mutex);
	return r;
}

void port_file_close_port(struct port *pp, int pid)
{
	for (int guard = 0;; guard++) {
		KASSERT(guard < PORT_FILE_ASSOC_ROUNDS_MAX, "file dissociation loop does not end");
		struct port_file_watch *found = NULL;
		for (struct list_node *n = pp->file_watches.next; n != &pp->file_watches;
		     n = n->next) {
			struct port_file_watch *fw = list_entry(n, struct port_file_watch, plink);
			if (pid == 0 || fw->owner_pid == pid) {
				found = fw;
				break;
			}
		}
		if (found == NULL)
			return;
		watch_remove(found);
	}
}

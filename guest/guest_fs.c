/*
 * The guest's filesystem: one simulated block device with simfs mounted
 * at "/", made by the first call of the run that names a path (open,
 * stat, mkdir...), so a program that never touches files pays nothing.
 * Mounting does I/O (the format), so the thread that mounts sleeps; a
 * path call of another thread meanwhile waits for it and gets its result,
 * as the scenario language's first file operation does (vfs/vfs_scn.c).
 *
 * The device and the filesystem take their options from the command line
 * (simk run ./prog --device capacity=32768,latency=fixed:20us --fs
 * block=1024), checked when the program is loaded (guest_fs_config).
 * Device faults are the usual fault points (--fault blk/write/eio:...).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/blkdev.h"
#include "guest/guest.h"
#include "kern/waitq.h"
#include "vfs/vfs.h"

/* Applies "k=v,k=v" with set(); 0 or -1 with a message. */
static int each_pair(const char *spec, const char *what,
		     int (*set)(void *cfg, const char *k, const char *v, char *err, size_t len),
		     void *cfg, char *err, size_t errlen)
{
	char buf[sizeof(((struct guest_fs_config *)0)->device)];
	snprintf(buf, sizeof(buf), "%s", spec);
	char *save = NULL;
	for (char *tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		if (eq == NULL) {
			snprintf(err, errlen, "%s: '%s' is not KEY=VALUE", what, tok);
			return -1;
		}
		*eq = '\0';
		char msg[200] = "";
		if (set(cfg, tok, eq + 1, msg, sizeof(msg)) != 0) {
			snprintf(err, errlen, "%s: %s", what, msg[0] ? msg : "bad value");
			return -1;
		}
	}
	return 0;
}

static int set_dev(void *cfg, const char *k, const char *v, char *err, size_t len)
{
	return blkdev_config_set(cfg, k, v, err, len);
}

static int set_fs(void *cfg, const char *k, const char *v, char *err, size_t len)
{
	struct vfs_mount_opts *o = cfg;
	char *end;
	unsigned long long n = strtoull(v, &end, 10);
	if (end == v || *end != '\0' || n > UINT32_MAX) {
		snprintf(err, len, "%s=%s: not a number", k, v);
		return -1;
	}
	if (strcmp(k, "block") == 0)
		o->block_size = (uint32_t)n;
	else if (strcmp(k, "inodes") == 0)
		o->ninodes = (uint32_t)n;
	else if (strcmp(k, "cache") == 0)
		o->cache_blocks = (uint32_t)n;
	else if (strcmp(k, "flush_delay_us") == 0)
		o->flush_delay_ns = (uint64_t)n * 1000;
	else {
		snprintf(err, len, "unknown key '%s' (block, inodes, cache, flush_delay_us)", k);
		return -1;
	}
	return 0;
}

int guest_fs_config(const struct guest_fs_config *c, struct blkdev_config *dev,
		    struct vfs_mount_opts *mo, char *err, size_t errlen)
{
	blkdev_config_default(dev);
	snprintf(dev->name, sizeof(dev->name), "disk");
	vfs_mount_opts_default(mo);
	if (each_pair(c->device, "--device", set_dev, dev, err, errlen) != 0 ||
	    each_pair(c->fs, "--fs", set_fs, mo, err, errlen) != 0)
		return -1;
	return 0;
}

static bool mount_over(void *arg)
{
	return !((struct guest_run *)arg)->fs_busy;
}

struct mount_call {
	struct blkdev *dev;
	struct vfs_mount_opts *mo;
	int r;
};

/* The mount sleeps for the device with wait entries on its frames: on
 * the kernel stack of a thread whose stack is shared after a fork
 * (sim_kstack_call), as system calls are. */
static void *mount_on_kstack(void *p)
{
	struct mount_call *mc = p;
	mc->r = vfs_mount(mc->dev, mc->mo);
	return NULL;
}

int guest_fs_ensure(struct guest_thread *gt)
{
	struct guest_run *r = guest_run_of(gt);
	if (r == NULL)
		return -EPERM;
	if (r->fs_busy) {
		int w = guest_wait_killable(&r->fs_wq, false, SIMK_FOREVER, mount_over, r);
		return w == -EINTR ? -EINTR : r->fs_result;
	}
	if (r->fs_tried)
		return r->fs_result;
	r->fs_tried = true;
	struct blkdev_config dc;
	struct vfs_mount_opts mo;
	char err[256];
	if (guest_fs_config(&r->prog->fscfg, &dc, &mo, err, sizeof(err)) != 0)
		sim_fail(SIMK_FAIL_USAGE, "%s", err); /* checked at load: cannot happen */
	struct blkdev *dev;
	int e = blkdev_create(&dc, &dev);
	if (e == 0) {
		r->fs_busy = true;
		struct mount_call mc = {dev, &mo, 0};
		(void)sim_kstack_call(mount_on_kstack, &mc);
		e = mc.r;
		r->fs_busy = false;
		waitq_wake_all(&r->fs_wq);
	}
	r->fs_result = e;
	return e;
}

/* The host's views of itself: a program that reads them would see the
 * machine simk runs on, which differs between hosts and runs. */
static const char *const host_only[] = {"/proc", "/sys"};

void guest_refuse_host_path(struct guest_thread *gt, const char *call, const char *path)
{
	struct guest_run *r = guest_run_of(gt);
	if (r == NULL)
		return;
	for (size_t i = 0; i < sizeof(host_only) / sizeof(host_only[0]); i++) {
		const char *p = host_only[i];
		size_t n = strlen(p);
		/* compare only bytes the guest may read: a bad pointer is EFAULT later */
		if (!guest_user_readable(r, path, n + 1))
			return;
		if (strncmp(path, p, n) == 0 && (path[n] == '\0' || path[n] == '/')) {
			char why[96];
			snprintf(why, sizeof(why), "%s describes the host, not the simulation", p);
			guest_refuse(gt, call, why);
		}
	}
}

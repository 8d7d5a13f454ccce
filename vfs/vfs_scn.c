/*
 * Scenario operations, declarations and constants of the VFS: block
 * devices, the filesystem, user-memory buffers, every file call, pipes,
 * poll, power cuts, and checks on buffers and file contents. The language
 * side is documented in docs/scenarios.md ("Files, devices and buffers").
 *
 * Declarations (created in host context before any thread runs):
 *   device NAME [sector=] [capacity=] [latency=] [latency_max=] [reorder=]
 *               [cache=] [queue_depth=] [timeout=]
 *   fs NAME DEVICE [block=] [inodes=] [cache=] [flush_delay=] [format=]
 *   buffer NAME SIZE [fill=] [proc=PROCESS]
 * The first `fs` declared is the one at "/": it is mounted by the first
 * file operation of the run that needs it (mounting does I/O, which needs
 * a thread), or explicitly with `mount`. Others are mounted on a
 * directory with `mount FS PATH`. A buffer is user memory of its process (default main), so
 * forked children see it at the same address.
 *
 * Paths are string literals, handed to the kernel as kernel strings (the
 * EFAULT paths of path arguments are covered by the unit tests).
 */
#include <errno.h>
#include <string.h>

#include "drivers/blkdev.h"
#include "simk/vfs.h"

#include "kern/umem.h"
#include "sim/engine.h"
#include "scn/scn.h"
#include "vfs/poll.h"
#include "vfs/simfs.h"
#include "vfs/vfs.h"
#include "vfs/vfs_priv.h"

/* ---- declarations -------------------------------------------------------- */

struct scn_dev_obj {
	struct blkdev *dev;
};

struct scn_fs_obj {
	struct scn_dev_obj *dev;
	struct vfs_mount_opts mo;
	bool mounted_once;    /* a mount of it succeeded: later ones recover */
	bool auto_tried;      /* "/" only: the first file operation tried to mount it */
	bool auto_busy;	      /* "/" only: that mount is under way (it does I/O) */
	int auto_result;      /* its result */
	struct waitq auto_wq; /* file operations of other threads wait for it */
};

struct scn_buf_obj {
	struct simk_proc *proc;
	uaddr_t addr;
	int64_t size;
};

#define SCN_FS_MAX 8

/* The filesystem declarations of the current run; the first (cur_fs) is
 * the one at "/". */
static struct scn_fs_obj *cur_fs;
static struct scn_fs_obj *fs_decls[SCN_FS_MAX];
static int nfs_decls;

enum { D_SECTOR, D_CAP, D_LAT, D_LATMAX, D_REORDER, D_CACHE, D_QD, D_TIMEOUT };

static const struct scn_argspec device_args[] = {
    [D_SECTOR] = {"sector", SCN_INT, NULL, SCN_NAMED, 512},
    [D_CAP] = {"capacity", SCN_INT, NULL, SCN_NAMED, 16384},
    [D_LAT] = {"latency", SCN_DUR, NULL, SCN_NAMED, 50000},
    [D_LATMAX] = {"latency_max", SCN_DUR, NULL, SCN_NAMED, 0},
    [D_REORDER] = {"reorder", SCN_INT, NULL, SCN_NAMED, 0},
    [D_CACHE] = {"cache", SCN_INT, NULL, SCN_NAMED, 1},
    [D_QD] = {"queue_depth", SCN_INT, NULL, SCN_NAMED, 32},
    [D_TIMEOUT] = {"timeout", SCN_DUR, NULL, SCN_NAMED, 50000000},
};

static int device_create(void *obj, const struct scn_decl *d, const struct scn_val *a)
{
	struct scn_dev_obj *o = obj;
	struct blkdev_config cfg;
	blkdev_config_default(&cfg);
	snprintf(cfg.name, sizeof(cfg.name), "%s", d->name);
	cfg.sector_size = (uint32_t)a[D_SECTOR].i;
	cfg.capacity_sectors = (uint64_t)a[D_CAP].i;
	cfg.queue_depth = (uint32_t)a[D_QD].i;
	cfg.timeout_ns = (uint64_t)a[D_TIMEOUT].i;
	/* The timing the declaration leaves unsaid may come from the run
	 * (explore --swarm draws it); what it says, it keeps. */
	bool lat_given = a[D_LAT].given || a[D_LATMAX].given;
	cfg.latency = blk_latency_fixed((uint64_t)a[D_LAT].i);
	cfg.reorder = a[D_REORDER].i != 0;
	cfg.write_cache = a[D_CACHE].i != 0;
	const char *defaults = sim_cur()->opts.device_defaults;
	char why[200];
	if (defaults != NULL && blkdev_config_set_list(&cfg, defaults, why, sizeof(why)) != 0)
		return -EINVAL;
	if (lat_given)
		cfg.latency = a[D_LATMAX].i > a[D_LAT].i
				  ? blk_latency_uniform((uint64_t)a[D_LAT].i, (uint64_t)a[D_LATMAX].i)
				  : blk_latency_fixed((uint64_t)a[D_LAT].i);
	if (a[D_REORDER].given)
		cfg.reorder = a[D_REORDER].i != 0;
	if (a[D_CACHE].given)
		cfg.write_cache = a[D_CACHE].i != 0;
	return blkdev_create(&cfg, &o->dev);
}

static const struct scn_kind kind_device = {
    .name = "device",
    .size = sizeof(struct scn_dev_obj),
    .args = device_args,
    .nargs = SCN_NARGS(device_args),
    .create = device_create,
    .doc = "device NAME [sector=512] [capacity=SECTORS] [latency=DUR] [latency_max=DUR] "
	   "[reorder=0] [cache=1] [queue_depth=32] [timeout=DUR]: a block device",
};

enum { F_DEV, F_BLOCK, F_INODES, F_CACHE, F_DELAY, F_FORMAT };

static const struct scn_argspec fs_args[] = {
    [F_DEV] = {"device", SCN_OBJ, "device", 0, 0},
    [F_BLOCK] = {"block", SCN_INT, NULL, SCN_NAMED, 4096},
    [F_INODES] = {"inodes", SCN_INT, NULL, SCN_NAMED, 256},
    [F_CACHE] = {"cache", SCN_INT, NULL, SCN_NAMED, 256},
    [F_DELAY] = {"flush_delay", SCN_DUR, NULL, SCN_NAMED, 30000000},
    [F_FORMAT] = {"format", SCN_INT, NULL, SCN_NAMED, 1},
};

static int fs_create(void *obj, const struct scn_decl *d, const struct scn_val *a)
{
	(void)d;
	struct scn_fs_obj *o = obj;
	if (nfs_decls == SCN_FS_MAX)
		return -ENOSPC;
	o->dev = a[F_DEV].obj;
	for (int i = 0; i < nfs_decls; i++)
		if (fs_decls[i]->dev == o->dev)
			return -EBUSY; /* one filesystem per device */
	vfs_mount_opts_default(&o->mo);
	o->mo.block_size = (uint32_t)a[F_BLOCK].i;
	o->mo.ninodes = (uint32_t)a[F_INODES].i;
	o->mo.cache_blocks = (uint32_t)a[F_CACHE].i;
	o->mo.flush_delay_ns = (uint64_t)a[F_DELAY].i;
	o->mo.format = a[F_FORMAT].i != 0;
	/* Bad options fail the declaration (file:line, before any thread
	 * runs) rather than the first file operation's mount. */
	if (a[F_BLOCK].i < 0 || a[F_BLOCK].i > UINT32_MAX || a[F_INODES].i < 0 ||
	    a[F_INODES].i > UINT32_MAX || a[F_CACHE].i < 0 || a[F_CACHE].i > UINT32_MAX)
		return -EINVAL;
	int r = vfs_mount_check(o->dev->dev, &o->mo);
	if (r != 0)
		return r;
	fs_decls[nfs_decls++] = o;
	if (cur_fs == NULL)
		cur_fs = o;
	waitq_init(&o->auto_wq, "first_mount");
	return 0;
}

static void fs_destroy(void *obj, const struct scn_decl *d, bool run_ok)
{
	(void)d;
	struct scn_fs_obj *o = obj;
	if (cur_fs == obj)
		cur_fs = NULL;
	for (int i = 0; i < nfs_decls; i++)
		if (fs_decls[i] == obj) {
			fs_decls[i] = fs_decls[--nfs_decls];
			if (run_ok) /* a failed run may leave a waiter behind */
				waitq_destroy(&o->auto_wq);
			break;
		}
}

static const struct scn_kind kind_fs = {
    .name = "fs",
    .size = sizeof(struct scn_fs_obj),
    .args = fs_args,
    .nargs = SCN_NARGS(fs_args),
    .create = fs_create,
    .destroy = fs_destroy,
    .doc = "fs NAME DEVICE [block=4096] [inodes=256] [cache=256] [flush_delay=30ms] "
	   "[format=1]: a filesystem; the first declared is mounted at / by the first file "
	   "operation, the others with `mount NAME PATH`",
};

enum { B_SIZE, B_FILL, B_PROC };

static const struct scn_argspec buffer_args[] = {
    [B_SIZE] = {"size", SCN_INT, NULL, 0, 0},
    [B_FILL] = {"fill", SCN_INT, NULL, SCN_NAMED, 0},
    [B_PROC] = {"proc", SCN_OBJ, "process", SCN_NAMED, 0},
};

static int buffer_create(void *obj, const struct scn_decl *d, const struct scn_val *a)
{
	(void)d;
	struct scn_buf_obj *o = obj;
	if (a[B_SIZE].i <= 0 || a[B_SIZE].i > (1 << 26))
		return -EINVAL;
	o->proc = scn_proc_arg(&a[B_PROC]);
	if (o->proc == NULL)
		return -ESRCH;
	o->size = a[B_SIZE].i;
	o->addr = umem_alloc(o->proc, (size_t)o->size);
	if (o->addr == 0)
		return -ENOMEM;
	uint8_t *p = umem_map_kernel(o->proc, o->addr, (size_t)o->size);
	memset(p, (int)(a[B_FILL].i & 0xff), (size_t)o->size);
	return 0;
}

static const struct scn_kind kind_buffer = {
    .name = "buffer",
    .size = sizeof(struct scn_buf_obj),
    .args = buffer_args,
    .nargs = SCN_NARGS(buffer_args),
    .create = buffer_create,
    .doc = "buffer NAME SIZE [fill=BYTE] [proc=PROCESS]: SIZE bytes of user memory "
	   "(of main unless proc= is given)",
};

/* ---- helpers ----------------------------------------------------------------- */

static bool first_mount_over(void *arg)
{
	return !((struct scn_fs_obj *)arg)->auto_busy;
}

/* Mounts the declared filesystem on first use (once: not again after an
 * unmount, a power cut or a refused mount). 0 or the mount's errno. A
 * refused mount does not count as the first one: a later `mount` still
 * formats as declared.
 *
 * The mount does I/O, so the thread that started it sleeps: a file
 * operation of another thread meanwhile waits for it (uninterruptibly, as
 * for the namespace lock the mount holds) and gets its result, instead of
 * finding nothing mounted (-ENOENT from open, -EBADF from io_submit). */
/* Waits for the first file operation's mount of "/" if it is under way;
 * true when it waited. */
static bool wait_first_mount(void)
{
	if (cur_fs == NULL || !cur_fs->auto_busy)
		return false;
	(void)waitq_wait(&cur_fs->auto_wq, false, false, SIMK_FOREVER, first_mount_over, cur_fs);
	return true;
}

static int ensure_fs(void)
{
	if (cur_fs == NULL)
		return 0;
	if (wait_first_mount())
		return cur_fs->auto_result;
	if (vfs_mounted() || cur_fs->mounted_once || cur_fs->auto_tried)
		return 0;
	cur_fs->auto_tried = true;
	cur_fs->auto_busy = true;
	int r = vfs_mount(cur_fs->dev->dev, &cur_fs->mo);
	if (r == -EBUSY && vfs_mounted())
		r = 0; /* an explicit `mount` of another thread got there first */
	if (r == 0)
		cur_fs->mounted_once = true;
	cur_fs->auto_result = r;
	cur_fs->auto_busy = false;
	waitq_wake_all(&cur_fs->auto_wq);
	return r;
}

/* Checks [off, off+len) lies in the buffer; len < 0 means "to the end". */
static int64_t buf_range(struct scn_call *c, const struct scn_buf_obj *b, int64_t off, int64_t len)
{
	if (len < 0)
		len = b->size - off;
	if (off < 0 || len < 0 || off + len > b->size)
		scn_call_fail(c, SIMK_FAIL_PANIC, "range [%lld, +%lld) outside a buffer of %lld",
			      (long long)off, (long long)len, (long long)b->size);
	return len;
}

/* Host view of a buffer: the calling process's copy when it has one (a
 * forked child has its own copy at the same address), else the memory of
 * the buffer's process. */
static uint8_t *buf_view(struct scn_call *c, const struct scn_buf_obj *b)
{
	struct simk_proc *cur = sim_proc_current();
	uint8_t *p = cur != NULL ? umem_map_kernel(cur, b->addr, (size_t)b->size) : NULL;
	if (p == NULL)
		p = umem_map_kernel(b->proc, b->addr, (size_t)b->size);
	if (p == NULL)
		scn_call_fail(c, SIMK_FAIL_PANIC, "buffer memory is gone (its process exited)");
	return p;
}

static uint32_t fnv32(const uint8_t *p, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 16777619u;
	}
	return h;
}

static uint8_t pattern_byte(int64_t seed, int64_t i)
{
	uint64_t x =
	    ((uint64_t)i + 1) * 0x9E3779B97F4A7C15ull ^ (uint64_t)seed * 0xD6E8FEB86659FD93ull;
	x ^= x >> 29;
	return (uint8_t)(x ^ (x >> 11) ^ (x >> 23));
}

/* ---- buffer operations ---------------------------------------------------------- */

static const struct scn_argspec fill_args[] = {
    {"buf", SCN_OBJ, "buffer", 0, 0},
    {"value", SCN_INT, NULL, 0, 0},
    {"off", SCN_INT, NULL, SCN_NAMED, 0},
    {"len", SCN_INT, NULL, SCN_NAMED, -1},
};

static int64_t op_buf_fill(struct scn_call *c)
{
	struct scn_buf_obj *b = c->args[0].obj;
	int64_t len = buf_range(c, b, c->args[2].i, c->args[3].i);
	memset(buf_view(c, b) + c->args[2].i, (int)(c->args[1].i & 0xff), (size_t)len);
	return 0;
}

static int64_t op_buf_pattern(struct scn_call *c)
{
	struct scn_buf_obj *b = c->args[0].obj;
	int64_t off = c->args[2].i, len = buf_range(c, b, off, c->args[3].i);
	uint8_t *p = buf_view(c, b);
	for (int64_t i = 0; i < len; i++)
		p[off + i] = pattern_byte(c->args[1].i, i);
	return 0;
}

static const struct scn_argspec set_args[] = {
    {"buf", SCN_OBJ, "buffer", 0, 0},
    {"bytes", SCN_STR, NULL, 0, 0},
    {"off", SCN_INT, NULL, SCN_NAMED, 0},
};

static int64_t op_buf_set(struct scn_call *c)
{
	struct scn_buf_obj *b = c->args[0].obj;
	size_t n = strlen(c->args[1].str);
	buf_range(c, b, c->args[2].i, (int64_t)n);
	memcpy(buf_view(c, b) + c->args[2].i, c->args[1].str, n);
	return (int64_t)n;
}

static int64_t op_buf_eq(struct scn_call *c)
{
	struct scn_buf_obj *b = c->args[0].obj;
	size_t n = strlen(c->args[1].str);
	buf_range(c, b, c->args[2].i, (int64_t)n);
	return memcmp(buf_view(c, b) + c->args[2].i, c->args[1].str, n) == 0;
}

static const struct scn_argspec cmp_args[] = {
    {"a", SCN_OBJ, "buffer", 0, 0},
    {"b", SCN_OBJ, "buffer", 0, 0},
    {"len", SCN_INT, NULL, SCN_OPTIONAL, -1},
};

static int64_t op_buf_cmp(struct scn_call *c)
{
	struct scn_buf_obj *a = c->args[0].obj, *b = c->args[1].obj;
	int64_t len = c->args[2].i;
	if (len < 0)
		len = a->size < b->size ? a->size : b->size;
	buf_range(c, a, 0, len);
	buf_range(c, b, 0, len);
	const uint8_t *pa = buf_view(c, a), *pb = buf_view(c, b);
	for (int64_t i = 0; i < len; i++)
		if (pa[i] != pb[i])
			return i + 1;
	return 0;
}

static const struct scn_argspec sum_args[] = {
    {"buf", SCN_OBJ, "buffer", 0, 0},
    {"len", SCN_INT, NULL, SCN_OPTIONAL, -1},
    {"off", SCN_INT, NULL, SCN_NAMED, 0},
};

static int64_t op_buf_sum(struct scn_call *c)
{
	struct scn_buf_obj *b = c->args[0].obj;
	int64_t off = c->args[2].i, len = buf_range(c, b, off, c->args[1].i);
	return fnv32(buf_view(c, b) + off, (size_t)len);
}

static const struct scn_argspec byte_args[] = {
    {"buf", SCN_OBJ, "buffer", 0, 0},
    {"off", SCN_INT, NULL, 0, 0},
};

static int64_t op_buf_byte(struct scn_call *c)
{
	struct scn_buf_obj *b = c->args[0].obj;
	buf_range(c, b, c->args[1].i, 1);
	return buf_view(c, b)[c->args[1].i];
}

static const struct scn_argspec addr_args[] = {
    {"buf", SCN_OBJ, "buffer", 0, 0},
};

static int64_t op_buf_addr(struct scn_call *c)
{
	return (int64_t)((struct scn_buf_obj *)c->args[0].obj)->addr;
}

/* ---- file operations ---------------------------------------------------------------- */

/*
 * A scenario string as a path in user memory: the operations that take a
 * path copy it into a fresh region of the calling process and pass its
 * address to the system call, as a C program would. 0 when the process
 * has no memory left (the statement then makes no system call).
 */
static uaddr_t upath_get(const char *path)
{
	size_t n = strlen(path) + 1;
	uaddr_t u = umem_alloc(sim_proc_current(), n);
	if (u != 0 && copyout(path, u, n) != 0)
		sim_panic("copyout to fresh user memory failed");
	return u;
}

static void upath_put(uaddr_t u)
{
	if (u != 0)
		umem_free(sim_proc_current(), u);
}

/* A system call on one path (ensure_fs first: the implicit mount of /). */
static int64_t path_call1(const char *path, int (*call)(uaddr_t, int), int arg)
{
	int r = ensure_fs();
	if (r != 0)
		return r;
	uaddr_t u = upath_get(path);
	if (u == 0)
		return -ENOMEM;
	r = call(u, arg);
	upath_put(u);
	return r;
}

static int64_t path_call2(const char *a, const char *b, int (*call)(uaddr_t, uaddr_t))
{
	int r = ensure_fs();
	if (r != 0)
		return r;
	uaddr_t ua = upath_get(a), ub = upath_get(b);
	r = ua != 0 && ub != 0 ? call(ua, ub) : -ENOMEM;
	upath_put(ub);
	upath_put(ua);
	return r;
}

static const struct scn_argspec open_args[] = {
    {"path", SCN_STR, NULL, 0, 0},
    {"flags", SCN_INT, NULL, 0, 0},
    {"mode", SCN_INT, NULL, SCN_OPTIONAL, 0644},
};

static int64_t op_open(struct scn_call *c)
{
	int r = ensure_fs();
	if (r != 0)
		return r;
	uaddr_t u = upath_get(c->args[0].str);
	if (u == 0)
		return -ENOMEM;
	r = simk_open(u, (int)c->args[1].i, (int)c->args[2].i);
	upath_put(u);
	return r;
}

static const struct scn_argspec fd_args[] = {
    {"fd", SCN_INT, NULL, 0, 0},
};

static int64_t op_close(struct scn_call *c)
{
	return simk_close((int)c->args[0].i);
}

static int64_t op_fsync(struct scn_call *c)
{
	return simk_fsync((int)c->args[0].i);
}

static int64_t op_fdatasync(struct scn_call *c)
{
	return simk_fdatasync((int)c->args[0].i);
}

static int64_t op_dup(struct scn_call *c)
{
	return simk_dup((int)c->args[0].i);
}

/* read FD BUF [len] [off=]: at the file offset, into BUF + off. */
static const struct scn_argspec rw_args[] = {
    {"fd", SCN_INT, NULL, 0, 0},
    {"buf", SCN_OBJ, "buffer", 0, 0},
    {"len", SCN_INT, NULL, SCN_OPTIONAL, -1},
    {"off", SCN_INT, NULL, SCN_NAMED, 0},
};

static int64_t op_read(struct scn_call *c)
{
	struct scn_buf_obj *b = c->args[1].obj;
	int64_t len = buf_range(c, b, c->args[3].i, c->args[2].i);
	return simk_read((int)c->args[0].i, b->addr + (uint64_t)c->args[3].i, (size_t)len);
}

static int64_t op_write(struct scn_call *c)
{
	struct scn_buf_obj *b = c->args[1].obj;
	int64_t len = buf_range(c, b, c->args[3].i, c->args[2].i);
	return simk_write((int)c->args[0].i, b->addr + (uint64_t)c->args[3].i, (size_t)len);
}

/* pread FD BUF LEN POS [off=] */
static const struct scn_argspec prw_args[] = {
    {"fd", SCN_INT, NULL, 0, 0},	  {"buf", SCN_OBJ, "buffer", 0, 0},
    {"len", SCN_INT, NULL, 0, 0},	  {"pos", SCN_INT, NULL, 0, 0},
    {"off", SCN_INT, NULL, SCN_NAMED, 0},
};

static int64_t op_pread(struct scn_call *c)
{
	struct scn_buf_obj *b = c->args[1].obj;
	int64_t len = buf_range(c, b, c->args[4].i, c->args[2].i);
	return simk_pread((int)c->args[0].i, b->addr + (uint64_t)c->args[4].i, (size_t)len,
			  c->args[3].i);
}

static int64_t op_pwrite(struct scn_call *c)
{
	struct scn_buf_obj *b = c->args[1].obj;
	int64_t len = buf_range(c, b, c->args[4].i, c->args[2].i);
	return simk_pwrite((int)c->args[0].i, b->addr + (uint64_t)c->args[4].i, (size_t)len,
			   c->args[3].i);
}

/* readv FD BUF N [len=]: BUF's first len bytes in N vectors. */
static const struct scn_argspec rwv_args[] = {
    {"fd", SCN_INT, NULL, 0, 0},
    {"buf", SCN_OBJ, "buffer", 0, 0},
    {"n", SCN_INT, NULL, 0, 0},
    {"len", SCN_INT, NULL, SCN_NAMED, -1},
};

static int64_t do_rwv(struct scn_call *c, bool wr)
{
	struct scn_buf_obj *b = c->args[1].obj;
	int64_t len = buf_range(c, b, 0, c->args[3].i), n = c->args[2].i;
	if (n < 1 || n > 64)
		scn_call_fail(c, SIMK_FAIL_PANIC, "readv/writev: 1..64 vectors");
	struct simk_proc *p = sim_proc_current();
	struct simk_iovec v[64];
	for (int64_t i = 0; i < n; i++) {
		int64_t start = len * i / n, end = len * (i + 1) / n;
		v[i].iov_base = b->addr + (uint64_t)start;
		v[i].iov_len = (uint64_t)(end - start);
	}
	uaddr_t u = umem_alloc(p, sizeof(v));
	if (u == 0)
		return -ENOMEM;
	int64_t r = copyout(v, u, (size_t)n * sizeof(v[0])) != 0 ? -EFAULT
		    : wr ? simk_writev((int)c->args[0].i, u, (int)n)
			 : simk_readv((int)c->args[0].i, u, (int)n);
	umem_free(p, u);
	return r;
}

static int64_t op_readv(struct scn_call *c)
{
	return do_rwv(c, false);
}

static int64_t op_writev(struct scn_call *c)
{
	return do_rwv(c, true);
}

static const struct scn_argspec lseek_args[] = {
    {"fd", SCN_INT, NULL, 0, 0},
    {"offset", SCN_INT, NULL, 0, 0},
    {"whence", SCN_INT, NULL, SCN_OPTIONAL, SIMK_SEEK_SET},
};

static int64_t op_lseek(struct scn_call *c)
{
	return simk_lseek((int)c->args[0].i, c->args[1].i, (int)c->args[2].i);
}

static const struct scn_argspec fd_int_args[] = {
    {"fd", SCN_INT, NULL, 0, 0},
    {"value", SCN_INT, NULL, 0, 0},
};

static int64_t op_ftruncate(struct scn_call *c)
{
	return simk_ftruncate((int)c->args[0].i, c->args[1].i);
}

static int64_t op_fchmod(struct scn_call *c)
{
	return simk_fchmod((int)c->args[0].i, (int)c->args[1].i);
}

static int64_t op_dup2(struct scn_call *c)
{
	return simk_dup2((int)c->args[0].i, (int)c->args[1].i);
}

static const struct scn_argspec fcntl_args[] = {
    {"fd", SCN_INT, NULL, 0, 0},
    {"cmd", SCN_INT, NULL, 0, 0},
    {"arg", SCN_INT, NULL, SCN_OPTIONAL, 0},
};

static int64_t op_fcntl(struct scn_call *c)
{
	return simk_fcntl((int)c->args[0].i, (int)c->args[1].i, (long)c->args[2].i);
}

static const struct scn_argspec path_args[] = {
    {"path", SCN_STR, NULL, 0, 0},
};

static int unlink1(uaddr_t path, int arg)
{
	(void)arg;
	return simk_unlink(path);
}

static int rmdir1(uaddr_t path, int arg)
{
	(void)arg;
	return simk_rmdir(path);
}

static int64_t op_unlink(struct scn_call *c)
{
	return path_call1(c->args[0].str, unlink1, 0);
}

static int64_t op_rmdir(struct scn_call *c)
{
	return path_call1(c->args[0].str, rmdir1, 0);
}

static const struct scn_argspec mkdir_args[] = {
    {"path", SCN_STR, NULL, 0, 0},
    {"mode", SCN_INT, NULL, SCN_OPTIONAL, 0755},
};

static int64_t op_mkdir(struct scn_call *c)
{
	return path_call1(c->args[0].str, simk_mkdir, (int)c->args[1].i);
}

static const struct scn_argspec chmod_args[] = {
    {"path", SCN_STR, NULL, 0, 0},
    {"mode", SCN_INT, NULL, 0, 0},
};

static int64_t op_chmod(struct scn_call *c)
{
	return path_call1(c->args[0].str, simk_chmod, (int)c->args[1].i);
}

static const struct scn_argspec path2_args[] = {
    {"old", SCN_STR, NULL, 0, 0},
    {"new", SCN_STR, NULL, 0, 0},
};

static int64_t op_rename(struct scn_call *c)
{
	return path_call2(c->args[0].str, c->args[1].str, simk_rename);
}

static int64_t op_link(struct scn_call *c)
{
	return path_call2(c->args[0].str, c->args[1].str, simk_link);
}

enum { S_WHAT, S_SIZE, S_MODE, S_NLINK, S_INO, S_MTIME };

static const struct scn_argspec stat_args[] = {
    [S_WHAT] = {"path", SCN_STR, NULL, 0, 0},
    [S_SIZE] = {"size", SCN_OUT, NULL, SCN_NAMED, 0},
    [S_MODE] = {"mode", SCN_OUT, NULL, SCN_NAMED, 0},
    [S_NLINK] = {"nlink", SCN_OUT, NULL, SCN_NAMED, 0},
    [S_INO] = {"ino", SCN_OUT, NULL, SCN_NAMED, 0},
    [S_MTIME] = {"mtime", SCN_OUT, NULL, SCN_NAMED, 0},
};

static const struct scn_argspec fstat_args[] = {
    [S_WHAT] = {"fd", SCN_INT, NULL, 0, 0},
    [S_SIZE] = {"size", SCN_OUT, NULL, SCN_NAMED, 0},
    [S_MODE] = {"mode", SCN_OUT, NULL, SCN_NAMED, 0},
    [S_NLINK] = {"nlink", SCN_OUT, NULL, SCN_NAMED, 0},
    [S_INO] = {"ino", SCN_OUT, NULL, SCN_NAMED, 0},
    [S_MTIME] = {"mtime", SCN_OUT, NULL, SCN_NAMED, 0},
};

static void stat_out(struct scn_call *c, const struct simk_stat *st)
{
	const int64_t v[] = {
	    [S_SIZE] = st->st_size,	   [S_MODE] = st->st_mode,	[S_NLINK] = st->st_nlink,
	    [S_INO] = (int64_t)st->st_ino, [S_MTIME] = st->st_mtime_ns,
	};
	scn_outs(&c->args[S_SIZE], &v[S_SIZE], S_MTIME - S_SIZE + 1);
}

/* stat or lstat of a path into user memory, then into the OUT arguments. */
static int64_t stat_path(struct scn_call *c, int (*call)(uaddr_t, uaddr_t))
{
	int r = ensure_fs();
	if (r != 0)
		return r;
	struct simk_proc *p = sim_proc_current();
	uaddr_t u = upath_get(c->args[0].str);
	uaddr_t ust = umem_alloc(p, sizeof(struct simk_stat));
	struct simk_stat st;
	r = u != 0 && ust != 0 ? call(u, ust) : -ENOMEM;
	if (r == 0 && copyin(ust, &st, sizeof(st)) == 0)
		stat_out(c, &st);
	if (ust != 0)
		umem_free(p, ust);
	upath_put(u);
	return r;
}

static int64_t op_stat(struct scn_call *c)
{
	return stat_path(c, simk_stat);
}

static int64_t op_lstat(struct scn_call *c)
{
	return stat_path(c, simk_lstat);
}

static const struct scn_argspec symlink_args[] = {
    {"target", SCN_STR, NULL, 0, 0},
    {"link", SCN_STR, NULL, 0, 0},
};

static int64_t op_symlink(struct scn_call *c)
{
	return path_call2(c->args[0].str, c->args[1].str, simk_symlink);
}

static const struct scn_argspec readlink_args[] = {
    {"path", SCN_STR, NULL, 0, 0},
    {"len", SCN_INT, NULL, SCN_NAMED, VFS_PATH_MAX},
};

/* The target lands in user memory nobody reads: the op returns its length. */
static int64_t op_readlink(struct scn_call *c)
{
	int r = ensure_fs();
	if (r != 0)
		return r;
	int64_t len = c->args[1].i;
	size_t ulen = len > 0 && len < VFS_PATH_MAX ? (size_t)len : VFS_PATH_MAX;
	struct simk_proc *p = sim_proc_current();
	uaddr_t u = upath_get(c->args[0].str);
	uaddr_t ubuf = umem_alloc(p, VFS_PATH_MAX);
	int64_t n = u != 0 && ubuf != 0 ? simk_readlink(u, ubuf, len <= 0 ? 0 : ulen) : -ENOMEM;
	if (ubuf != 0)
		umem_free(p, ubuf);
	upath_put(u);
	return n;
}

static int64_t op_fstat(struct scn_call *c)
{
	struct simk_proc *p = sim_proc_current();
	uaddr_t u = umem_alloc(p, sizeof(struct simk_stat));
	if (u == 0)
		return -ENOMEM;
	struct simk_stat st;
	int r = simk_fstat((int)c->args[0].i, u);
	if (r == 0 && copyin(u, &st, sizeof(st)) == 0)
		stat_out(c, &st);
	umem_free(p, u);
	return r;
}

static const struct scn_argspec pipe_args[] = {
    {"rd", SCN_OUT, NULL, 0, 0},
    {"wr", SCN_OUT, NULL, 0, 0},
    {"flags", SCN_INT, NULL, SCN_OPTIONAL, 0},
};

static int64_t op_pipe(struct scn_call *c)
{
	struct simk_proc *p = sim_proc_current();
	uaddr_t u = umem_alloc(p, 2 * sizeof(int));
	if (u == 0)
		return -ENOMEM;
	int fds[2];
	int r = simk_pipe2(u, (int)c->args[2].i);
	if (r == 0 && copyin(u, fds, sizeof(fds)) == 0) {
		*c->args[0].out = fds[0];
		*c->args[1].out = fds[1];
	}
	umem_free(p, u);
	return r;
}

static const struct scn_argspec poll_args[] = {
    {"fd", SCN_INT, NULL, 0, 0},
    {"events", SCN_INT, NULL, 0, 0},
    {"timeout", SCN_DUR, NULL, SCN_NAMED, 0},
};

/* poll FD EVENTS [timeout=DUR]: one descriptor; its revents, 0 on timeout. */
static int64_t op_poll(struct scn_call *c)
{
	struct simk_proc *p = sim_proc_current();
	struct {
		int32_t fd;
		int16_t events, revents;
	} pf = {(int32_t)c->args[0].i, (int16_t)c->args[1].i, 0};
	uaddr_t u = umem_alloc(p, sizeof(pf));
	if (u == 0)
		return -ENOMEM;
	int ms = -1;
	if (c->args[2].given)
		ms = (int)((c->args[2].i + 999999) / 1000000);
	int64_t r = copyout(&pf, u, sizeof(pf)) != 0 ? -EFAULT : simk_poll(u, 1, ms);
	if (r > 0 && copyin(u, &pf, sizeof(pf)) == 0)
		r = (uint16_t)pf.revents;
	umem_free(p, u);
	return r;
}

/* ---- the filesystem, durability and checks ---------------------------------------------- */

static const struct scn_argspec mount_args[] = {
    {"fs", SCN_OBJ, "fs", SCN_OPTIONAL, 0},
    {"path", SCN_STR, NULL, SCN_OPTIONAL, 0},
    {"format", SCN_INT, NULL, SCN_NAMED, 0},
};

/* mount [FS [PATH]] [format=0|1]: FS (default: the first declared) at PATH
 * (default "/"). Without format=, the first mount of FS formats as its
 * declaration says and later ones recover what is on the device. Mounting
 * elsewhere than "/" first mounts "/" if no operation did yet. */
static int64_t op_mount(struct scn_call *c)
{
	struct scn_fs_obj *fs = c->args[0].given ? c->args[0].obj : cur_fs;
	const char *path = c->args[1].given ? c->args[1].str : "/";
	if (fs == NULL)
		scn_call_fail(c, SIMK_FAIL_PANIC, "mount: no `fs` declared");
	(void)wait_first_mount(); /* then this mount comes after it */
	if (strcmp(path, "/") != 0) {
		int r = ensure_fs();
		if (r != 0)
			return r;
	}
	struct vfs_mount_opts o = fs->mo;
	if (c->args[2].given)
		o.format = c->args[2].i != 0;
	else if (fs->mounted_once)
		o.format = false;
	int r = vfs_mount_at(fs->dev->dev, &o, path);
	if (r == 0)
		fs->mounted_once = true; /* a refused mount did not format */
	return r;
}

static const struct scn_argspec unmount_args[] = {
    {"path", SCN_STR, NULL, SCN_OPTIONAL, 0},
};

static int64_t op_unmount(struct scn_call *c)
{
	(void)wait_first_mount(); /* a mount under way is unmounted after it */
	return vfs_unmount_at(c->args[0].given ? c->args[0].str : "/");
}

static const struct scn_argspec cut_args[] = {
    {"tear", SCN_INT, NULL, SCN_NAMED, 0},
    {"states", SCN_INT, NULL, SCN_NAMED, 0},
};

/* power_cut [tear=1] [states=1]: the torn sector, or -1 when none was torn.
 * states=1: a crash state (BLK_CUT_STATES) instead of the worst case. */
static int64_t op_power_cut(struct scn_call *c)
{
	uint64_t torn = BLKDEV_NO_SECTOR;
	unsigned flags = (c->args[0].i ? BLK_CUT_TEAR : 0) | (c->args[1].i ? BLK_CUT_STATES : 0);
	if (vfs_alive()) {
		vfs_power_cut(flags, &torn);
	} else if (cur_fs != NULL) {
		blkdev_power_cut(cur_fs->dev->dev, flags, &torn);
	}
	return torn == BLKDEV_NO_SECTOR ? -1 : (int64_t)torn;
}

/* expect_file PATH "bytes": the whole content; fails the run otherwise. */
static const struct scn_argspec expect_file_args[] = {
    {"path", SCN_STR, NULL, 0, 0},
    {"bytes", SCN_STR, NULL, 0, 0},
};

static int64_t op_expect_file(struct scn_call *c)
{
	int r = ensure_fs();
	struct simk_stat st;
	if (r == 0)
		r = kvfs_stat(c->args[0].str, &st);
	if (r != 0)
		scn_call_fail(c, SIMK_FAIL_EXPECT, "expect_file %s: %s", c->args[0].str,
			      r == -ENOENT ? "no such file" : "cannot stat");
	size_t want = strlen(c->args[1].str);
	char got[256];
	ssize_t n = st.st_size > (int64_t)sizeof(got)
			? -EFBIG
			: kvfs_read_file(c->args[0].str, got, (size_t)st.st_size, 0);
	if (n < 0)
		scn_call_fail(c, SIMK_FAIL_EXPECT, "expect_file %s: read error %zd", c->args[0].str,
			      n);
	if ((size_t)n != want || memcmp(got, c->args[1].str, want) != 0)
		scn_call_fail(c, SIMK_FAIL_EXPECT,
			      "expect_file %s: holds \"%.*s\" (%zd bytes), "
			      "expected \"%s\"",
			      c->args[0].str, (int)n, got, n, c->args[1].str);
	return 0;
}

/* file_sum PATH [len=] [size=VAR]: FNV-1a 32 of the file (or -errno). */
static const struct scn_argspec file_sum_args[] = {
    {"path", SCN_STR, NULL, 0, 0},
    {"size", SCN_OUT, NULL, SCN_NAMED, 0},
};

static int64_t op_file_sum(struct scn_call *c)
{
	int r = ensure_fs();
	struct simk_stat st;
	if (r == 0)
		r = kvfs_stat(c->args[0].str, &st);
	if (r != 0)
		return r;
	uint32_t h = 2166136261u;
	uint8_t chunk[4096];
	for (int64_t off = 0; off < st.st_size;) {
		size_t want = st.st_size - off < (int64_t)sizeof(chunk) ? (size_t)(st.st_size - off)
									: sizeof(chunk);
		ssize_t n = kvfs_read_file(c->args[0].str, chunk, want, off);
		if (n <= 0)
			return n < 0 ? n : -EIO;
		for (ssize_t i = 0; i < n; i++) {
			h ^= chunk[i];
			h *= 16777619u;
		}
		off += n;
	}
	scn_out(&c->args[1], st.st_size);
	return h;
}

static const struct scn_argspec fs_stat_args[] = {
    {"path", SCN_STR, NULL, SCN_OPTIONAL, 0},
};

/* The counters of the filesystem holding PATH (default: the one at "/"). */
static int fs_stats_arg(struct scn_call *c, struct vfs_stats *vs)
{
	return c->args[0].given ? vfs_get_stats_at(c->args[0].str, vs) : vfs_get_stats(vs);
}

static int64_t op_fs_commits(struct scn_call *c)
{
	struct vfs_stats vs;
	int r = fs_stats_arg(c, &vs);
	return r != 0 ? r : (int64_t)vs.commits;
}

static int64_t op_fs_dirty(struct scn_call *c)
{
	struct vfs_stats vs;
	int r = fs_stats_arg(c, &vs);
	return r != 0 ? r : (int64_t)vs.dirty_buffers;
}

/* buf_protect BUF PROT [off=] [len=]: umem_protect of the buffer's pages
 * (off a page multiple, len rounded up to pages) in the calling process
 * when it has the buffer (a forked child), else in the buffer's process. */
static int64_t op_buf_protect(struct scn_call *c)
{
	struct scn_buf_obj *b = c->args[0].obj;
	int64_t off = c->args[2].i, len = buf_range(c, b, off, c->args[3].i);
	struct simk_proc *cur = sim_proc_current();
	bool own = cur != NULL && umem_map_kernel(cur, b->addr, (size_t)b->size) != NULL;
	return umem_protect(own ? cur : b->proc, b->addr + (uaddr_t)off, (size_t)len,
			    (int)c->args[1].i);
}

static const struct scn_op vfs_ops[] = {
    SCN_SYSCALL_OP("open", open_args, op_open, "open PATH FLAGS [MODE]: a descriptor"),
    SCN_SYSCALL_OP("close", fd_args, op_close, "close FD"),
    SCN_SYSCALL_OP("read", rw_args, op_read,
		   "read FD BUF [LEN] [off=]: into BUF+off at the file offset; bytes read"),
    SCN_SYSCALL_OP("write", rw_args, op_write, "write FD BUF [LEN] [off=]: bytes written"),
    SCN_SYSCALL_OP("pread", prw_args, op_pread, "pread FD BUF LEN POS [off=]: bytes read"),
    SCN_SYSCALL_OP("pwrite", prw_args, op_pwrite, "pwrite FD BUF LEN POS [off=]: bytes written"),
    SCN_SYSCALL_OP("readv", rwv_args, op_readv, "readv FD BUF N [len=]: BUF in N vectors"),
    SCN_SYSCALL_OP("writev", rwv_args, op_writev, "writev FD BUF N [len=]: BUF in N vectors"),
    SCN_SYSCALL_OP("lseek", lseek_args, op_lseek, "lseek FD OFFSET [WHENCE]: the new offset"),
    SCN_SYSCALL_OP("fsync", fd_args, op_fsync, "fsync FD: 0 once everything is durable"),
    SCN_SYSCALL_OP("fdatasync", fd_args, op_fdatasync, "fdatasync FD"),
    SCN_SYSCALL_OP("ftruncate", fd_int_args, op_ftruncate, "ftruncate FD LENGTH"),
    SCN_SYSCALL_OP("unlink", path_args, op_unlink, "unlink PATH"),
    SCN_SYSCALL_OP("rename", path2_args, op_rename, "rename OLD NEW"),
    SCN_SYSCALL_OP("link", path2_args, op_link, "link OLD NEW"),
    SCN_SYSCALL_OP("mkdir", mkdir_args, op_mkdir, "mkdir PATH [MODE]"),
    SCN_SYSCALL_OP("rmdir", path_args, op_rmdir, "rmdir PATH"),
    SCN_SYSCALL_OP("chmod", chmod_args, op_chmod, "chmod PATH MODE"),
    SCN_SYSCALL_OP("fchmod", fd_int_args, op_fchmod, "fchmod FD MODE"),
    SCN_SYSCALL_OP("stat", stat_args, op_stat,
		   "stat PATH [size=V] [mode=V] [nlink=V] [ino=V] [mtime=V]: 0 or -errno"),
    SCN_SYSCALL_OP(
	"lstat", stat_args, op_lstat,
	"lstat PATH [size=V] [mode=V] [nlink=V] [ino=V] [mtime=V]: stat of a link itself"),
    SCN_SYSCALL_OP("symlink", symlink_args, op_symlink, "symlink TARGET LINK"),
    SCN_SYSCALL_OP("readlink", readlink_args, op_readlink,
		   "readlink PATH [len=N]: bytes of the target (-EINVAL: not a link)"),
    SCN_SYSCALL_OP("fstat", fstat_args, op_fstat,
		   "fstat FD [size=V] [mode=V] [nlink=V] [ino=V] [mtime=V]"),
    SCN_SYSCALL_OP("pipe", pipe_args, op_pipe, "pipe RD WR [FLAGS]: 0; RD, WR get the ends"),
    SCN_SYSCALL_OP("dup", fd_args, op_dup, "dup FD: the lowest free descriptor"),
    SCN_SYSCALL_OP("dup2", fd_int_args, op_dup2, "dup2 OLD NEW"),
    SCN_SYSCALL_OP("fcntl", fcntl_args, op_fcntl, "fcntl FD CMD [ARG]"),
    SCN_SYSCALL_OP("poll", poll_args, op_poll,
		   "poll FD EVENTS [timeout=DUR]: revents, 0 on timeout"),
    SCN_OP("mount", mount_args, op_mount,
	   "mount [FS [PATH]] [format=0|1]: mount FS (default: the first declared) on the "
	   "directory PATH (default /); the first mount formats as declared, later ones recover"),
    SCN_OP_E("unmount", unmount_args, op_unmount,
	   "unmount [PATH]: commit and detach the filesystem whose root PATH is (default /; "
	   "-EBUSY while open or mounted on, -EINVAL if PATH is no mount root)"),
    SCN_OP("power_cut", cut_args, op_power_cut,
	   "power_cut [tear=1] [states=1]: cut the machine's power (every mounted fs dies); "
	   "states=1: any of the writes not yet stable may have made it (a crash state, "
	   "enumerated by dfs); the torn sector of the device at / or -1"),
    SCN_OP("expect_file", expect_file_args, op_expect_file,
	   "expect_file PATH \"BYTES\": the run fails unless the file holds exactly BYTES"),
    SCN_OP("file_sum", file_sum_args, op_file_sum,
	   "file_sum PATH [size=V]: FNV-1a 32 of the content"),
    SCN_OP("fs_commits", fs_stat_args, op_fs_commits,
	   "fs_commits [\"PATH\"]: successful commits so far (of the fs holding PATH; default /)"),
    SCN_OP("fs_dirty", fs_stat_args, op_fs_dirty,
	   "fs_dirty [\"PATH\"]: dirty buffers in the cache (of the fs holding PATH)"),
    SCN_OP("buf_fill", fill_args, op_buf_fill, "buf_fill BUF BYTE [off=] [len=]"),
    SCN_OP("buf_pattern", fill_args, op_buf_pattern,
	   "buf_pattern BUF SEED [off=] [len=]: deterministic bytes from SEED"),
    SCN_OP("buf_set", set_args, op_buf_set, "buf_set BUF \"BYTES\" [off=]: bytes copied"),
    SCN_OP("buf_eq", set_args, op_buf_eq, "buf_eq BUF \"BYTES\" [off=]: 1 if equal"),
    SCN_OP("buf_cmp", cmp_args, op_buf_cmp,
	   "buf_cmp A B [LEN]: 0 if equal, else 1 + the first differing offset"),
    SCN_OP("buf_sum", sum_args, op_buf_sum, "buf_sum BUF [LEN] [off=]: FNV-1a 32"),
    SCN_OP("buf_byte", byte_args, op_buf_byte, "buf_byte BUF OFF: the byte"),
    SCN_OP("buf_addr", addr_args, op_buf_addr, "buf_addr BUF: its user address"),
    SCN_OP(
	"buf_protect", fill_args, op_buf_protect,
	"buf_protect BUF PROT [off=] [len=]: page protections (PROT_NONE/READ/WRITE); 0 or -errno"),
};

static const struct scn_const vfs_consts[] = {
    SCN_CONST(O_RDONLY),
    SCN_CONST(O_WRONLY),
    SCN_CONST(O_RDWR),
    SCN_CONST(O_CREAT),
    SCN_CONST(O_EXCL),
    SCN_CONST(O_TRUNC),
    SCN_CONST(O_APPEND),
    SCN_CONST(O_NONBLOCK),
    SCN_CONST(O_DIRECT),
    SCN_CONST(O_SYNC),
    SCN_CONST(O_DSYNC),
    SCN_CONST(O_CLOEXEC),
    SCN_CONST(O_NOFOLLOW),
    SCN_CONST(POLLIN),
    SCN_CONST(POLLPRI),
    SCN_CONST(POLLOUT),
    SCN_CONST(POLLERR),
    SCN_CONST(POLLHUP),
    SCN_CONST(POLLNVAL),
    SCN_CONST(POLLRDNORM),
    SCN_CONST(POLLWRNORM),
    {"SEEK_SET", SIMK_SEEK_SET},
    {"SEEK_CUR", SIMK_SEEK_CUR},
    {"SEEK_END", SIMK_SEEK_END},
    {"F_DUPFD", SIMK_F_DUPFD},
    {"F_GETFD", SIMK_F_GETFD},
    {"F_SETFD", SIMK_F_SETFD},
    {"F_GETFL", SIMK_F_GETFL},
    {"F_SETFL", SIMK_F_SETFL},
    {"FD_CLOEXEC", FD_CLOEXEC_FLAG},
    {"S_IFMT", SIMK_S_IFMT},
    {"S_IFREG", SIMK_S_IFREG},
    {"S_IFDIR", SIMK_S_IFDIR},
    {"S_IFIFO", SIMK_S_IFIFO},
    {"S_IFLNK", SIMK_S_IFLNK},
    {"PIPE_BUF", PIPE_BUF_SIZE},
    {"PIPE_CAPACITY", PIPE_CAPACITY},
    {"EUCLEAN", EUCLEAN},
    {"PROT_NONE", UMEM_PROT_NONE},
    {"PROT_READ", UMEM_PROT_READ},
    {"PROT_WRITE", UMEM_PROT_WRITE},
};


/* The operations that work on paths (they mount the filesystem at "/"
 * first): without an `fs` every one would fail with -ENOENT. (unmount,
 * power_cut, fs_commits and fs_dirty have documented results when nothing
 * is mounted.) */
#define FS_HINT "declare a device and a filesystem at the top, for example `device disk` and `fs root disk`"
static const struct scn_needs vfs_needs[] = {
    {"open", "fs", FS_HINT},	 {"unlink", "fs", FS_HINT},   {"rmdir", "fs", FS_HINT},
    {"mkdir", "fs", FS_HINT},	 {"chmod", "fs", FS_HINT},    {"rename", "fs", FS_HINT},
    {"link", "fs", FS_HINT},	 {"stat", "fs", FS_HINT},     {"lstat", "fs", FS_HINT},
    {"symlink", "fs", FS_HINT},	 {"readlink", "fs", FS_HINT}, {"mount", "fs", FS_HINT},
    {"expect_file", "fs", FS_HINT}, {"file_sum", "fs", FS_HINT},
};

void scn_ops_vfs_register(void)
{
	scn_register_kind(&kind_device);
	scn_register_kind(&kind_fs);
	scn_register_kind(&kind_buffer);
	scn_register_ops(vfs_ops, SCN_NARGS(vfs_ops));
	scn_register_needs(vfs_needs, SCN_NARGS(vfs_needs));
	scn_register_consts(vfs_consts, SCN_NARGS(vfs_consts));
}

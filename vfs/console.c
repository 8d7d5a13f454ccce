/*
 * The console: what a guest process finds open as fds 0, 1 and 2
 * (docs/guest.md, "Output"). Reading fd 0 gives end of file; what is
 * written to fds 1 and 2 is the run's output, in simulation order: every
 * write is one vfs:console_write event (stream, bytes, FNV-1a hash of the
 * bytes), so the output is part of the trace hash, and the bytes go to the
 * sink the layer above installed (the guest runtime keeps them for `simk
 * run` to print). A write never blocks and never fails short: the console
 * is as fast as the simulation wants it.
 *
 * Like any file, the console can be dup'ed, closed, dup2'ed over, and
 * inherited; the three descriptors share nothing but the sink.
 */
#include <errno.h>
#include <string.h>

#include "kern/kmem.h"
#include "vfs/vfs.h"
#include "vfs/vfs_priv.h"

static KMEM_TYPE(kt_console_buf, "vfs.console.buf");

#define CONSOLE_CHUNK 4096 /* bytes copied in per step */

static vfs_console_sink_fn console_sink;

void vfs_console_set_sink(vfs_console_sink_fn fn)
{
	console_sink = fn;
}

/* The stream number (1: stdout, 2: stderr) is the file's priv. */
static int stream_of(const struct file *fp)
{
	return (int)(intptr_t)fp->priv;
}

static uint64_t fnv1a(const uint8_t *p, size_t n, uint64_t h)
{
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static ssize_t console_read(struct file *fp, struct uio *uio, int ioflags)
{
	(void)fp;
	(void)uio;
	(void)ioflags;
	return 0; /* end of file: a guest has no terminal to read */
}

static ssize_t console_write(struct file *fp, struct uio *uio, int ioflags)
{
	(void)ioflags;
	size_t total = uio->resid;
	if (total == 0)
		return 0;
	uint8_t *buf = kmem_alloc(&kt_console_buf, total < CONSOLE_CHUNK ? total : CONSOLE_CHUNK);
	if (buf == NULL)
		return -ENOMEM;
	size_t done = 0;
	uint64_t h = 0xcbf29ce484222325ULL;
	while (done < total) {
		size_t n = total - done < CONSOLE_CHUNK ? total - done : CONSOLE_CHUNK;
		if (uiomove(buf, n, uio) != 0)
			break;
		h = fnv1a(buf, n, h);
		if (console_sink != NULL)
			console_sink(stream_of(fp), buf, n);
		done += n;
	}
	kmem_free(&kt_console_buf, buf);
	if (done == 0)
		return -EFAULT;
	vfs_trace("vfs:console_write", stream_of(fp), (int64_t)done, (int64_t)h, 0);
	return (ssize_t)done;
}

static int console_stat(struct file *fp, struct simk_stat *st)
{
	(void)fp;
	memset(st, 0, sizeof(*st));
	st->st_mode = SIMK_S_IFCHR | 0620;
	return 0;
}

static const struct file_ops console_ops = {
    .name = "console",
    .read = console_read,
    .write = console_write,
    .stat = console_stat,
};

int vfs_console_install(struct simk_proc *p)
{
	static const int modes[3] = {O_RDONLY, O_WRONLY, O_WRONLY};
	for (int stream = 0; stream < 3; stream++) {
		int fd = fd_alloc(p, stream);
		if (fd < 0)
			return fd;
		if (fd != stream) {
			fd_unreserve(p, fd);
			return -EBUSY; /* the table was not empty */
		}
		struct file *fp =
		    file_alloc(FT_OTHER, &console_ops, (void *)(intptr_t)stream, modes[stream]);
		if (fp == NULL) {
			fd_unreserve(p, fd);
			return -ENOMEM;
		}
		fd_install(p, fd, fp, 0);
	}
	return 0;
}

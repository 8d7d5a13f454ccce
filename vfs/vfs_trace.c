/*
 * How the file system's trace events read (docs/vfs.md). Files are
 * "file#N", inodes "ino N", direct I/O requests "dio#N".
 */
#include <inttypes.h>
#include <stdio.h>

#include "sim/trace.h"
#include "vfs/file.h"
#include "vfs/fnotify.h"

static const struct trace_desc vfs_events[] = {
    TRACE_DESC("vfs:open", "fd %d ino %d created %d file#%d", TRACE_LEVEL_KERNEL),
    TRACE_DESC("vfs:close", "pid %d fd %d file#%d", TRACE_LEVEL_KERNEL),
    TRACE_DESC("vfs:socketpair", "pid %d fds %d %d", TRACE_LEVEL_KERNEL),
    TRACE_DESC("vfs:pipe", "pipe#%d read file#%d write file#%d", TRACE_LEVEL_KERNEL),
    TRACE_DESC("vfs:pipe_close_end", "pipe#%d readable end %d readers %d writers %d",
	       TRACE_LEVEL_KERNEL),
    TRACE_DESC_LINK("vfs:dio", "dio#%d %K off %d len %d", TRACE_LEVEL_KERNEL, "dio", 0,
		    TRACE_LINK_FROM),
    TRACE_DESC_LINK2("vfs:dio_done", "dio#%d %K %e blk#%d", TRACE_LEVEL_KERNEL, "dio", 0,
		     TRACE_LINK_TO, "blk", 3, TRACE_LINK_TO),
    TRACE_DESC_LINK("vfs:dio_rewrite", "dio#%d %d not read back, round %d", TRACE_LEVEL_KERNEL,
		    "dio", 0, TRACE_LINK_TO),
    TRACE_DESC("vfs:commit", "seq %d dirty %d", TRACE_LEVEL_KERNEL),
    TRACE_DESC("vfs:commit_rewrite", "%d blocks not read back, round %d", TRACE_LEVEL_KERNEL),
    TRACE_DESC("vfs:commit_done", "durable seq %d blocks %d", TRACE_LEVEL_KERNEL),
    TRACE_DESC("vfs:commit_failed", "seq %d %e", TRACE_LEVEL_KERNEL),
    TRACE_DESC("vfs:commit_unknown", "seq %d %e superblock writes %d", TRACE_LEVEL_KERNEL),
    TRACE_DESC("vfs:keep_unknown_tree", "seq %d blocks %d trees %d", TRACE_LEVEL_KERNEL),
    TRACE_DESC("vfs:power_cut", "fs#%d durable seq %d dirty %d", TRACE_LEVEL_KERNEL),
    TRACE_DESC("vfs:mount", "fs#%d seq %d blocks %d on fs#%d", TRACE_LEVEL_KERNEL),
    TRACE_DESC("vfs:unmount", "fs#%d seq %d", TRACE_LEVEL_KERNEL),
    TRACE_DESC("vfs:ifree", "ino %d", TRACE_LEVEL_ALL),
    TRACE_DESC("vfs:orphan", "ino %d", TRACE_LEVEL_KERNEL),
    TRACE_DESC("vfs:fnotify", "ino %d what %x watchers %d", TRACE_LEVEL_KERNEL),
    TRACE_DESC("vfs:fs_event", "%V", TRACE_LEVEL_KERNEL),
    TRACE_DESC("vfs:io_refused", "sector %d refusals %d", TRACE_LEVEL_KERNEL),
    TRACE_DESC("vfs:fsize_exceeded", "pid %d %T", TRACE_LEVEL_KERNEL),
    TRACE_DESC("vfs:console_write", "stream %d %d bytes hash %x", TRACE_LEVEL_KERNEL),
    TRACE_DESC("vfs:dio_irq", "", TRACE_LEVEL_KERNEL),
    TRACE_DESC("vfs:io_retry", "", TRACE_LEVEL_KERNEL),
};

/* A direct I/O request's kind (enum kaio_op): the trace printed "op 1". */
static void fmt_kaio_op(int64_t v, char *buf, size_t len)
{
	static const char *const ops[] = {"read", "write", "fsync", "fdsync"};
	if (v >= 0 && v < 4)
		snprintf(buf, len, "%s", ops[v]);
	else
		snprintf(buf, len, "op %" PRId64, v);
}

/* A file-system event (FSEV_*), by the name of the BSD VQ_ bit it mirrors. */
static void fmt_fs_event(int64_t v, char *buf, size_t len)
{
	static const struct {
		int64_t bit;
		const char *name;
	} evs[] = {{FSEV_NOTRESP, "notresp"}, {FSEV_LOWDISK, "lowdisk"}, {FSEV_MOUNT, "mount"},
		   {FSEV_UNMOUNT, "unmount"}, {FSEV_DEAD, "dead"},	  {FSEV_SPACE_OK, "space_ok"}};
	size_t off = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(evs) / sizeof(evs[0]); i++)
		if ((v & evs[i].bit) != 0 && off + 1 < len) {
			off += (size_t)snprintf(buf + off, len - off, "%s%s", off ? "|" : "", evs[i].name);
			v &= ~evs[i].bit;
		}
	if ((v != 0 || off == 0) && off + 1 < len)
		snprintf(buf + off, len - off, "%s0x%" PRIx64, off ? "|" : "", (uint64_t)v);
}

void vfs_trace_register(void)
{
	trace_describe(vfs_events, (int)(sizeof(vfs_events) / sizeof(vfs_events[0])));
	trace_set_value_fmt('K', fmt_kaio_op);
	trace_set_value_fmt('V', fmt_fs_event);
}

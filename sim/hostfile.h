/*
 * Input files of the host (scenarios, schedule files): opened only when
 * they are regular files. A FIFO, a device or a directory is refused with
 * a message instead of being read: opening a FIFO without a writer blocks
 * forever, a FIFO cannot be read a second time (a schedule is read twice,
 * for its seed and by the replay policy), and the reproducer line of a
 * failure names the file so that it can be run again (docs/scenarios.md,
 * "Errors").
 */
#ifndef SIMK_HOSTFILE_H
#define SIMK_HOSTFILE_H

#include <stddef.h>
#include <stdio.h>

/* The file open for reading, or NULL with "PATH: why" in err. */
FILE *host_open_regular(const char *path, char *err, size_t errlen);

#endif

/* PORT_SOURCE_FILE and mounts (illumos port_associate(3C)): a watched
 * directory that a filesystem is mounted on hears MOUNTEDOVER, a watched
 * file of a filesystem that is unmounted hears UNMOUNTED; both are
 * exception events, reported although not asked for, and end the watch
 * (port_dissociate then says ENOENT). A file inside the covered directory
 * is hidden, not changed: its watch stays armed. simk allows mounting on
 * a directory that is watched or open (Linux's rule; illumos refuses a
 * busy mount point): docs/port.md. */
#include <errno.h>
#include <fcntl.h>
#include <port.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

static int port;

static void watch(file_obj_t *fo, const char *path, int events, void *user)
{
	struct stat st;
	CHECK(stat(path, &st) == 0);
	fo->fo_atime = st.st_atim;
	fo->fo_mtime = st.st_mtim;
	fo->fo_ctime = st.st_ctim;
	fo->fo_name = (char *)path;
	CHECK(port_associate(port, PORT_SOURCE_FILE, (uintptr_t)fo, events, user) == 0);
}

static uint_t queued(void)
{
	uint_t n = 0;
	port_event_t pe;
	CHECK(port_getn(port, &pe, 0, &n, NULL) == 0);
	return n;
}

int main(void)
{
	port = port_create();
	CHECK(port >= 0);
	CHECK(mkdir("/mnt", 0755) == 0);
	int fd = open("/mnt/hidden", O_CREAT | O_RDWR, 0644);
	CHECK(fd >= 0 && close(fd) == 0);
	file_obj_t dir, hidden, over;
	port_event_t pe;
	struct timespec zero = {0, 0};

	watch(&dir, "/mnt", FILE_MODIFIED, (void *)1);
	watch(&hidden, "/mnt/hidden", FILE_MODIFIED, (void *)2);
	CHECK(mount("/dev/sdb", "/mnt", "simfs", 0, NULL) == 0);
	CHECK(port_get(port, &pe, &zero) == 0);
	CHECK(pe.portev_source == PORT_SOURCE_FILE && pe.portev_events == MOUNTEDOVER);
	CHECK(pe.portev_object == (uintptr_t)&dir && pe.portev_user == (void *)1);
	CHECK(queued() == 0); /* the hidden file's watch did not fire */
	CHECK_ERR(port_dissociate(port, PORT_SOURCE_FILE, (uintptr_t)&dir), ENOENT);

	fd = open("/mnt/over", O_CREAT | O_RDWR, 0644);
	CHECK(fd >= 0 && close(fd) == 0);
	watch(&over, "/mnt/over", FILE_ACCESS, (void *)3);
	CHECK(umount("/mnt") == 0);
	CHECK(port_get(port, &pe, &zero) == 0);
	CHECK(pe.portev_events == UNMOUNTED && pe.portev_user == (void *)3);
	CHECK(pe.portev_object == (uintptr_t)&over);
	CHECK_ERR(port_dissociate(port, PORT_SOURCE_FILE, (uintptr_t)&over), ENOENT);
	CHECK(queued() == 0);

	/* the hidden file's watch is still armed: a change fires it */
	usleep(10);
	fd = open("/mnt/hidden", O_RDWR);
	CHECK(fd >= 0 && write(fd, "x", 1) == 1 && close(fd) == 0);
	CHECK(port_get(port, &pe, &zero) == 0);
	CHECK(pe.portev_events == FILE_MODIFIED && pe.portev_user == (void *)2);
	CHECK(close(port) == 0);
	printf("file_mount: ok\n");
	return 0;
}

/* PORT_SOURCE_FILE (port_associate(3C) with a file_obj_t): FILE_MODIFIED on
 * a write, FILE_ACCESS on a read, FILE_ATTRIB on chmod, each reported only
 * if asked for; portev_object is the file_obj_t's address and portev_user
 * the value given. A watch is one-shot: a second write queues nothing until
 * the file is associated again (with fresh times from stat). */
#include <errno.h>
#include <fcntl.h>
#include <port.h>
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
	usleep(10); /* the next change gets a later time stamp */
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
	int fd = open("/data", O_CREAT | O_RDWR, 0644);
	CHECK(fd >= 0);
	file_obj_t fo;
	port_event_t pe;
	struct timespec zero = {0, 0};

	watch(&fo, "/data", FILE_MODIFIED, (void *)1);
	CHECK(queued() == 0);
	CHECK(write(fd, "hello", 5) == 5);
	CHECK(port_get(port, &pe, &zero) == 0);
	CHECK(pe.portev_source == PORT_SOURCE_FILE && pe.portev_events == FILE_MODIFIED);
	CHECK(pe.portev_object == (uintptr_t)&fo && pe.portev_user == (void *)1);
	CHECK(write(fd, "again", 5) == 5);
	CHECK(queued() == 0); /* one-shot */

	watch(&fo, "/data", FILE_ACCESS, (void *)2);
	char buf[16];
	CHECK(pread(fd, buf, sizeof(buf), 0) == 10);
	CHECK(port_get(port, &pe, &zero) == 0 && pe.portev_events == FILE_ACCESS);

	watch(&fo, "/data", FILE_ATTRIB, (void *)3);
	CHECK(write(fd, "x", 1) == 1); /* a write is not asked for */
	CHECK(queued() == 0);
	CHECK(chmod("/data", 0600) == 0);
	CHECK(port_get(port, &pe, &zero) == 0 && pe.portev_events == FILE_ATTRIB);
	CHECK(pe.portev_user == (void *)3);

	/* dissociating a fired watch: ENOENT only once it is gone */
	watch(&fo, "/data", FILE_MODIFIED, NULL);
	CHECK(port_dissociate(port, PORT_SOURCE_FILE, (uintptr_t)&fo) == 0);
	CHECK(write(fd, "y", 1) == 1);
	CHECK(queued() == 0);
	CHECK_ERR(port_dissociate(port, PORT_SOURCE_FILE, (uintptr_t)&fo), ENOENT);
	CHECK(close(fd) == 0 && close(port) == 0);
	return 0;
}

/* PORT_SOURCE_FILE exception events, reported whether asked for or not,
 * and ending the watch (a later port_dissociate says ENOENT): FILE_DELETE
 * when the watched file's last link is removed, FILE_RENAME_FROM when the
 * watched file is renamed, FILE_RENAME_TO when a rename replaces it. */
#include <errno.h>
#include <fcntl.h>
#include <port.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

static int port;

static void watch(file_obj_t *fo, const char *path, int events)
{
	struct stat st;
	CHECK(stat(path, &st) == 0);
	fo->fo_atime = st.st_atim;
	fo->fo_mtime = st.st_mtim;
	fo->fo_ctime = st.st_ctim;
	fo->fo_name = (char *)path;
	CHECK(port_associate(port, PORT_SOURCE_FILE, (uintptr_t)fo, events, NULL) == 0);
	usleep(10);
}

static void create(const char *path)
{
	int fd = open(path, O_CREAT | O_WRONLY, 0644);
	CHECK(fd >= 0 && close(fd) == 0);
}

static int event_of(file_obj_t *fo)
{
	port_event_t pe;
	struct timespec zero = {0, 0};
	CHECK(port_get(port, &pe, &zero) == 0);
	CHECK(pe.portev_source == PORT_SOURCE_FILE && pe.portev_object == (uintptr_t)fo);
	CHECK_ERR(port_dissociate(port, PORT_SOURCE_FILE, (uintptr_t)fo), ENOENT);
	return pe.portev_events;
}

int main(void)
{
	port = port_create();
	CHECK(port >= 0);
	file_obj_t a, b, c;

	create("/a");
	watch(&a, "/a", FILE_MODIFIED); /* FILE_DELETE not asked */
	CHECK(unlink("/a") == 0);
	CHECK(event_of(&a) & FILE_DELETE);

	create("/b");
	watch(&b, "/b", FILE_ACCESS);
	CHECK(rename("/b", "/b2") == 0);
	CHECK(event_of(&b) & FILE_RENAME_FROM);

	create("/c");
	create("/d");
	watch(&c, "/c", 0);
	CHECK(rename("/d", "/c") == 0);
	CHECK(event_of(&c) & FILE_RENAME_TO);

	/* a link that keeps the file: not a deletion */
	create("/e");
	CHECK(link("/e", "/e2") == 0);
	watch(&a, "/e", FILE_MODIFIED);
	CHECK(unlink("/e2") == 0);
	uint_t n = 0;
	port_event_t pe;
	CHECK(port_getn(port, &pe, 0, &n, NULL) == 0);
	if (n == 1) /* a link count change is FILE_ATTRIB, which was not asked */
		CHECK(0);
	CHECK(port_dissociate(port, PORT_SOURCE_FILE, (uintptr_t)&a) == 0);
	CHECK(close(port) == 0);
	return 0;
}

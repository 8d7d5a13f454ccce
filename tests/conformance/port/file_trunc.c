/* PORT_SOURCE_FILE and truncation: truncating a watched file to a smaller
 * size reports FILE_TRUNC when asked; extending it with ftruncate is a
 * modification (FILE_MODIFIED). A watch on a directory hears FILE_MODIFIED
 * when an entry is created in it. */
#include <errno.h>
#include <fcntl.h>
#include <port.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

static int port;

static void watch(file_obj_t *fo, const char *path, int events)
{
	struct stat st;
	CHECK(stat(path, &st) == 0);
	*fo = (file_obj_t){.fo_atime = st.st_atim, .fo_mtime = st.st_mtim,
			   .fo_ctime = st.st_ctim, .fo_name = (char *)path};
	CHECK(port_associate(port, PORT_SOURCE_FILE, (uintptr_t)fo, events, NULL) == 0);
	usleep(10);
}

static int take(void)
{
	port_event_t pe;
	struct timespec zero = {0, 0};
	CHECK(port_get(port, &pe, &zero) == 0);
	return pe.portev_events;
}

int main(void)
{
	port = port_create();
	CHECK(port >= 0);
	int fd = open("/t", O_CREAT | O_RDWR, 0644);
	CHECK(fd >= 0 && write(fd, "0123456789", 10) == 10);
	file_obj_t fo;
	watch(&fo, "/t", FILE_TRUNC);
	CHECK(ftruncate(fd, 4) == 0);
	CHECK(take() & FILE_TRUNC);

	watch(&fo, "/t", FILE_MODIFIED);
	CHECK(ftruncate(fd, 100) == 0);
	CHECK(take() & FILE_MODIFIED);

	CHECK(mkdir("/dir", 0755) == 0);
	watch(&fo, "/dir", FILE_MODIFIED);
	int f2 = open("/dir/new", O_CREAT | O_RDWR, 0644);
	CHECK(f2 >= 0);
	CHECK(take() == FILE_MODIFIED);
	CHECK(close(f2) == 0 && close(fd) == 0 && close(port) == 0);
	return 0;
}

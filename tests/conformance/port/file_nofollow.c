/* PORT_SOURCE_FILE and symbolic links: a watch made through a link
 * watches the file the link points to (a write to the target fires
 * FILE_MODIFIED); with FILE_NOFOLLOW it watches the link itself, which a
 * write to the target does not concern, while removing the link reports
 * FILE_DELETE. A dangling link without FILE_NOFOLLOW is ENOENT. */
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
	if (events & FILE_NOFOLLOW)
		CHECK(lstat(path, &st) == 0);
	else
		CHECK(stat(path, &st) == 0);
	*fo = (file_obj_t){.fo_atime = st.st_atim, .fo_mtime = st.st_mtim,
			   .fo_ctime = st.st_ctim, .fo_name = (char *)path};
	CHECK(port_associate(port, PORT_SOURCE_FILE, (uintptr_t)fo, events, NULL) == 0);
	usleep(10);
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
	int fd = open("/target", O_CREAT | O_RDWR, 0644);
	CHECK(fd >= 0);
	CHECK(symlink("/target", "/link") == 0);
	file_obj_t a, b;
	port_event_t pe;
	struct timespec zero = {0, 0};

	watch(&a, "/link", FILE_MODIFIED);
	watch(&b, "/link", FILE_MODIFIED | FILE_NOFOLLOW);
	CHECK(write(fd, "x", 1) == 1);
	CHECK(queued() == 1);
	CHECK(port_get(port, &pe, &zero) == 0);
	CHECK(pe.portev_object == (uintptr_t)&a && pe.portev_events == FILE_MODIFIED);

	CHECK(unlink("/link") == 0);
	CHECK(port_get(port, &pe, &zero) == 0);
	CHECK(pe.portev_object == (uintptr_t)&b && (pe.portev_events & FILE_DELETE));
	CHECK_ERR(port_dissociate(port, PORT_SOURCE_FILE, (uintptr_t)&b), ENOENT);

	CHECK(symlink("/nowhere", "/dangling") == 0);
	file_obj_t d = {.fo_name = "/dangling"};
	CHECK_ERR(port_associate(port, PORT_SOURCE_FILE, (uintptr_t)&d, FILE_MODIFIED, NULL),
		  ENOENT);
	CHECK(port_associate(port, PORT_SOURCE_FILE, (uintptr_t)&d, FILE_MODIFIED | FILE_NOFOLLOW,
			     NULL) == 0);
	CHECK(port_dissociate(port, PORT_SOURCE_FILE, (uintptr_t)&d) == 0);
	CHECK(close(fd) == 0 && close(port) == 0);
	return 0;
}

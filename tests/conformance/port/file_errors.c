/* port_associate(3C) ERRORS for PORT_SOURCE_FILE: ENOENT for a path that
 * does not exist, EINVAL for event bits outside the FILE_* set, EFAULT for
 * a file_obj_t or a name that is not the caller's memory. Times already
 * stale when associating (the file changed since the caller's stat) fire
 * the event at once; the same path may carry several watches (one per
 * file_obj_t), each firing separately. */
#include <errno.h>
#include <fcntl.h>
#include <port.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
	int port = port_create();
	CHECK(port >= 0);
	int fd = open("/f", O_CREAT | O_RDWR, 0644);
	CHECK(fd >= 0);
	struct stat st;
	CHECK(stat("/f", &st) == 0);
	file_obj_t fo = {.fo_atime = st.st_atim, .fo_mtime = st.st_mtim, .fo_ctime = st.st_ctim};

	fo.fo_name = "/missing";
	CHECK_ERR(port_associate(port, PORT_SOURCE_FILE, (uintptr_t)&fo, FILE_MODIFIED, NULL),
		  ENOENT);
	fo.fo_name = "/f";
	CHECK_ERR(port_associate(port, PORT_SOURCE_FILE, (uintptr_t)&fo, 0x8, NULL), EINVAL);
	CHECK_ERR(port_associate(port, PORT_SOURCE_FILE, 0, FILE_MODIFIED, NULL), EFAULT);
	fo.fo_name = NULL;
	CHECK_ERR(port_associate(port, PORT_SOURCE_FILE, (uintptr_t)&fo, FILE_MODIFIED, NULL),
		  EFAULT);
	CHECK_ERR(port_dissociate(port, PORT_SOURCE_FILE, (uintptr_t)&fo), ENOENT);

	/* stale: the file is written after the stat */
	fo.fo_name = "/f";
	usleep(10);
	CHECK(write(fd, "1", 1) == 1);
	CHECK(port_associate(port, PORT_SOURCE_FILE, (uintptr_t)&fo, FILE_MODIFIED, NULL) == 0);
	port_event_t pe;
	struct timespec zero = {0, 0};
	CHECK(port_get(port, &pe, &zero) == 0 && pe.portev_events == FILE_MODIFIED);

	/* two watches of one file */
	file_obj_t w1, w2;
	CHECK(stat("/f", &st) == 0);
	w1 = (file_obj_t){.fo_atime = st.st_atim, .fo_mtime = st.st_mtim, .fo_ctime = st.st_ctim,
			  .fo_name = "/f"};
	w2 = w1;
	CHECK(port_associate(port, PORT_SOURCE_FILE, (uintptr_t)&w1, FILE_MODIFIED, (void *)1) == 0);
	CHECK(port_associate(port, PORT_SOURCE_FILE, (uintptr_t)&w2, FILE_MODIFIED, (void *)2) == 0);
	usleep(10);
	CHECK(write(fd, "2", 1) == 1);
	port_event_t list[4];
	uint_t n = 2;
	CHECK(port_getn(port, list, 4, &n, &zero) == 0 && n == 2);
	CHECK(list[0].portev_object != list[1].portev_object);
	CHECK((uintptr_t)list[0].portev_user + (uintptr_t)list[1].portev_user == 3);
	CHECK(close(fd) == 0 && close(port) == 0);
	return 0;
}

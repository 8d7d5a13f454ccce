/*
 * Twin of scenarios/port/mountedover-vs-create.scn: PORT_SOURCE_FILE's
 * MOUNTEDOVER. The main thread watches the directory /dir for
 * FILE_MODIFIED; one thread creates /dir/f while another mounts a second
 * disk on /dir. If the create comes first it modifies the watched
 * directory (FILE_MODIFIED) and the mount finds the watch already fired;
 * if the mount comes first the watch hears MOUNTEDOVER (an exception:
 * reported although not asked for, it ends the watch) and the file lands
 * in the mounted filesystem, which nobody watches. Invariant: exactly one
 * event, and the file is in exactly the filesystem the event says.
 *
 * Outcomes (printed; `forbid=NAME` as the argument makes reaching NAME
 * fail the run, so `simk explore` shows that some seed reaches it):
 *   modified     the create came first: FILE_MODIFIED, the file under /dir;
 *   mountedover  the mount came first: MOUNTEDOVER, the file on the disk.
 */
#include <fcntl.h>
#include <port.h>
#include <pthread.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

static void *creator(void *arg)
{
	(void)arg;
	int fd = open("/dir/f", O_CREAT | O_RDWR, 0644);
	CHECK(fd >= 0);
	CHECK(close(fd) == 0);
	return NULL;
}

static void *mounter(void *arg)
{
	(void)arg;
	CHECK(mount("/dev/sdb", "/dir", "simfs", 0, NULL) == 0);
	return NULL;
}

static uint_t queued(int port)
{
	uint_t n = 0;
	port_event_t pe;
	CHECK(port_getn(port, &pe, 0, &n, NULL) == 0);
	return n;
}

int main(int argc, char **argv)
{
	const char *forbid = argc > 1 && strncmp(argv[1], "forbid=", 7) == 0 ? argv[1] + 7 : "";
	CHECK(mkdir("/dir", 0755) == 0);
	int port = port_create();
	CHECK(port >= 0);
	struct stat st;
	CHECK(stat("/dir", &st) == 0);
	file_obj_t fo = {.fo_atime = st.st_atim, .fo_mtime = st.st_mtim, .fo_ctime = st.st_ctim,
			 .fo_name = "/dir"};
	CHECK(port_associate(port, PORT_SOURCE_FILE, (uintptr_t)&fo, FILE_MODIFIED, (void *)7) ==
	      0);
	usleep(10); /* the create gets a later time stamp than the watch's */

	pthread_t c, m;
	CHECK(pthread_create(&c, NULL, creator, NULL) == 0);
	CHECK(pthread_create(&m, NULL, mounter, NULL) == 0);
	CHECK(pthread_join(c, NULL) == 0 && pthread_join(m, NULL) == 0);

	CHECK(queued(port) == 1);
	port_event_t pe;
	struct timespec zero = {0, 0};
	CHECK(port_get(port, &pe, &zero) == 0);
	CHECK(pe.portev_source == PORT_SOURCE_FILE && pe.portev_user == (void *)7);
	CHECK(pe.portev_object == (uintptr_t)&fo);
	int on_disk = stat("/dir/f", &st) == 0;
	CHECK(umount("/dir") == 0);
	int under = stat("/dir/f", &st) == 0;
	const char *outcome;
	if (pe.portev_events == MOUNTEDOVER) {
		CHECK(on_disk && !under);
		outcome = "mountedover";
	} else {
		CHECK(pe.portev_events == FILE_MODIFIED);
		CHECK(!on_disk && under);
		outcome = "modified";
	}
	/* the watch fired once and is gone either way */
	CHECK(queued(port) == 0);
	CHECK(close(port) == 0);

	printf("%s\n", outcome);
	if (!strcmp(forbid, outcome)) {
		printf("outcome %s reached\n", forbid);
		return 1;
	}
	return 0;
}

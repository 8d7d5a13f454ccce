/* <port.h>: every call of illumos event ports once, with the libc
 * convention (-1 and errno) — user events, sendn, alert, PORT_SOURCE_FD on
 * a pipe, PORT_SOURCE_FILE on a file, a SIGEV_PORT timer. The conformance
 * suite (tests/conformance/port/) checks each in depth. */
#include <fcntl.h>
#include <poll.h>
#include <port.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "check.h"

int main(void)
{
	int port = port_create();
	CHECK(port >= 0);
	port_event_t pe;
	struct timespec zero = {0, 0};

	/* user events */
	CHECK(port_send(port, 5, (void *)0x10) == 0);
	CHECK(port_get(port, &pe, NULL) == 0);
	CHECK(pe.portev_source == PORT_SOURCE_USER && pe.portev_events == 5);
	CHECK(pe.portev_user == (void *)0x10);
	CHECK_ERR(port_get(port, &pe, &zero), ETIME);

	/* sendn: one bad entry */
	int ports[2] = {port, 999};
	int errs[2] = {-1, -1};
	CHECK(port_sendn(ports, errs, 2, 7, NULL) == 1);
	CHECK(errs[0] == 0 && errs[1] == EBADF);
	port_event_t list[4];
	uint_t n = 0;
	CHECK(port_getn(port, list, 0, &n, NULL) == 0 && n == 1);
	n = 1;
	CHECK(port_getn(port, list, 4, &n, NULL) == 0 && n == 1);
	CHECK(list[0].portev_events == 7);

	/* alert */
	CHECK(port_alert(port, PORT_ALERT_SET, 9, NULL) == 0);
	CHECK(port_get(port, &pe, NULL) == 0 && pe.portev_source == PORT_SOURCE_ALERT);
	CHECK(port_alert(port, PORT_ALERT_SET, 0, NULL) == 0);

	/* PORT_SOURCE_FD */
	int p[2];
	CHECK(pipe(p) == 0);
	CHECK(port_associate(port, PORT_SOURCE_FD, (uintptr_t)p[1], POLLOUT, (void *)1) == 0);
	CHECK(port_get(port, &pe, &zero) == 0);
	CHECK(pe.portev_source == PORT_SOURCE_FD && pe.portev_object == (uintptr_t)p[1]);
	CHECK(pe.portev_events == POLLOUT);
	CHECK(port_associate(port, PORT_SOURCE_FD, (uintptr_t)p[0], POLLIN, NULL) == 0);
	CHECK(write(p[1], "x", 1) == 1);
	CHECK(port_get(port, &pe, &zero) == 0 && pe.portev_events == POLLIN);
	/* a fired association stays, inactive, until dissociated */
	CHECK(port_dissociate(port, PORT_SOURCE_FD, (uintptr_t)p[1]) == 0);
	CHECK_ERR(port_dissociate(port, PORT_SOURCE_FD, (uintptr_t)p[1]), ENOENT);

	/* PORT_SOURCE_FILE */
	int fd = open("/f", O_CREAT | O_RDWR, 0644);
	CHECK(fd >= 0);
	struct stat st;
	CHECK(stat("/f", &st) == 0);
	file_obj_t fo = {.fo_atime = st.st_atim, .fo_mtime = st.st_mtim, .fo_ctime = st.st_ctim,
			 .fo_name = "/f"};
	CHECK(port_associate(port, PORT_SOURCE_FILE, (uintptr_t)&fo, FILE_MODIFIED, NULL) == 0);
	usleep(10);
	CHECK(write(fd, "abc", 3) == 3);
	CHECK(port_get(port, &pe, &zero) == 0);
	CHECK(pe.portev_source == PORT_SOURCE_FILE && pe.portev_events == FILE_MODIFIED);
	CHECK(pe.portev_object == (uintptr_t)&fo);

	/* a SIGEV_PORT timer */
	port_notify_t pn = {.portnfy_port = port, .portnfy_user = (void *)42};
	struct sigevent sev = {.sigev_notify = SIGEV_PORT, .sigev_value.sival_ptr = &pn};
	timer_t t;
	CHECK(timer_create(CLOCK_REALTIME, &sev, &t) == 0);
	struct itimerspec its = {.it_value = {0, 1000}};
	CHECK(timer_settime(t, 0, &its, NULL) == 0);
	CHECK(port_get(port, &pe, NULL) == 0);
	CHECK(pe.portev_source == PORT_SOURCE_TIMER && pe.portev_user == (void *)42);
	CHECK(pe.portev_object == (uintptr_t)t && pe.portev_events == 1);
	CHECK(timer_getoverrun(t) == 0);
	CHECK(timer_delete(t) == 0);

	CHECK(close(fd) == 0 && close(p[0]) == 0 && close(p[1]) == 0);
	CHECK(close(port) == 0);
	CHECK_ERR(port_send(port, 1, NULL), EBADF);
	puts("port ok");
	return 0;
}

/*
 * Decoding system-call events for people: argument kinds, results and
 * errno names. Everything here is a view of recorded values; nothing is
 * read from the simulation (user memory may be gone when a kept trace is
 * printed), so a call prints the same during and after its run.
 *
 * Values are Linux's (open flags, errnos, signals, poll bits), which are
 * also the values simk's own layers use.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "kern/signal.h"
#include "kern/syscall.h"

struct named_bit {
	int64_t bit;
	const char *name;
};

#define NBITS(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const char *const errno_names[] = {
    [EPERM] = "EPERM",
    [ENOENT] = "ENOENT",
    [ESRCH] = "ESRCH",
    [EINTR] = "EINTR",
    [EIO] = "EIO",
    [ENXIO] = "ENXIO",
    [E2BIG] = "E2BIG",
    [ENOEXEC] = "ENOEXEC",
    [EBADF] = "EBADF",
    [ECHILD] = "ECHILD",
    [EAGAIN] = "EAGAIN",
    [ENOMEM] = "ENOMEM",
    [EACCES] = "EACCES",
    [EFAULT] = "EFAULT",
    [EBUSY] = "EBUSY",
    [EEXIST] = "EEXIST",
    [EXDEV] = "EXDEV",
    [ENODEV] = "ENODEV",
    [ENOTDIR] = "ENOTDIR",
    [EISDIR] = "EISDIR",
    [EINVAL] = "EINVAL",
    [ENFILE] = "ENFILE",
    [EMFILE] = "EMFILE",
    [ENOTTY] = "ENOTTY",
    [EFBIG] = "EFBIG",
    [ENOSPC] = "ENOSPC",
    [ESPIPE] = "ESPIPE",
    [EROFS] = "EROFS",
    [EMLINK] = "EMLINK",
    [EPIPE] = "EPIPE",
    [EDOM] = "EDOM",
    [ERANGE] = "ERANGE",
    [EDEADLK] = "EDEADLK",
    [ENAMETOOLONG] = "ENAMETOOLONG",
    [ENOSYS] = "ENOSYS",
    [ENOTEMPTY] = "ENOTEMPTY",
    [ELOOP] = "ELOOP",
    [ENOMSG] = "ENOMSG",
    [EIDRM] = "EIDRM",
    [ENODATA] = "ENODATA",
    [ETIME] = "ETIME",
    [EBADMSG] = "EBADMSG",
    [EOVERFLOW] = "EOVERFLOW",
    [EBADFD] = "EBADFD",
    [ENOTSOCK] = "ENOTSOCK",
    [EMSGSIZE] = "EMSGSIZE",
    [EPROTONOSUPPORT] = "EPROTONOSUPPORT",
    [EOPNOTSUPP] = "EOPNOTSUPP",
    [EAFNOSUPPORT] = "EAFNOSUPPORT",
    [ENOTCONN] = "ENOTCONN",
    [ECONNRESET] = "ECONNRESET",
    [ETIMEDOUT] = "ETIMEDOUT",
    [EALREADY] = "EALREADY",
    [EINPROGRESS] = "EINPROGRESS",
    [ECANCELED] = "ECANCELED",
};

const char *syscall_errno_name(int e)
{
	if (e > 0 && e < NBITS(errno_names))
		return errno_names[e];
	/* Linux's kernel-internal codes, which the trace shows in events
	 * (laio:retry), never in a system call's result (Linux 2.6 fs/aio.c) */
	if (e == 529)
		return "EIOCBQUEUED";
	if (e == 530)
		return "EIOCBRETRY";
	return NULL;
}

/* Linux's open(2) flags (vfs/file.h asserts the host agrees). */
static const struct named_bit oflag_bits[] = {
    {0100, "O_CREAT"},	      {0200, "O_EXCL"},	       {0400, "O_NOCTTY"},
    {01000, "O_TRUNC"},	      {02000, "O_APPEND"},     {04000, "O_NONBLOCK"},
    {04010000, "O_SYNC"},     {010000, "O_DSYNC"},     {040000, "O_DIRECT"},
    {0200000, "O_DIRECTORY"}, {0400000, "O_NOFOLLOW"}, {02000000, "O_CLOEXEC"},
};

/* Flags of a descriptor made by pipe2 and the like: no access mode, so
 * 0 reads "0", not O_RDONLY. */
static const struct named_bit fd_flag_bits[] = {
    {04000, "O_NONBLOCK"}, {040000, "O_DIRECT"}, {02000000, "O_CLOEXEC"},
};

/* Linux AIO's opcodes (Linux 2.6 include/linux/aio_abi.h's values). */
static const char *const iocb_ops[] = {
    "IOCB_CMD_PREAD", "IOCB_CMD_PWRITE", "IOCB_CMD_FSYNC",  "IOCB_CMD_FDSYNC", "IOCB_CMD_POLL",
    NULL,	      "IOCB_CMD_NOOP",	 "IOCB_CMD_PREADV", "IOCB_CMD_PWRITEV",
};

static const struct named_bit poll_bits[] = {
    {0x1, "POLLIN"},	   {0x2, "POLLPRI"},	  {0x4, "POLLOUT"},	 {0x8, "POLLERR"},
    {0x10, "POLLHUP"},	   {0x20, "POLLNVAL"},	  {0x40, "POLLRDNORM"},	 {0x80, "POLLRDBAND"},
    {0x100, "POLLWRNORM"}, {0x200, "POLLWRBAND"}, {0x2000, "POLLRDHUP"},
};

/* Appends "A|B|0x40" for the bits of v; "0" for none. */
static void format_bits(const struct named_bit *nb, int n, int64_t v, char *buf, size_t len)
{
	uint64_t left = (uint64_t)v;
	size_t off = 0;
	buf[0] = '\0';
	for (int i = 0; i < n && off < len; i++) {
		uint64_t b = (uint64_t)nb[i].bit;
		if ((left & b) != b)
			continue;
		off += (size_t)snprintf(buf + off, len - off, "%s%s", off ? "|" : "", nb[i].name);
		left &= ~b;
	}
	if (left != 0 && off < len)
		off += (size_t)snprintf(buf + off, len - off, "%s0x%" PRIx64, off ? "|" : "", left);
	if (off == 0)
		snprintf(buf, len, "0");
}

static void format_oflags(int64_t v, char *buf, size_t len)
{
	static const char *const acc[4] = {"O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE"};
	char rest[160];
	format_bits(oflag_bits, NBITS(oflag_bits), v & ~(int64_t)3, rest, sizeof(rest));
	if (strcmp(rest, "0") == 0)
		snprintf(buf, len, "%s", acc[v & 3]);
	else
		snprintf(buf, len, "%s|%s", acc[v & 3], rest);
}

/* A name from a small table indexed by value, else the number. */
static void format_enum(const char *const *names, int n, int64_t v, char *buf, size_t len)
{
	if (v >= 0 && v < n && names[v] != NULL)
		snprintf(buf, len, "%s", names[v]);
	else
		snprintf(buf, len, "%" PRId64, v);
}

static void format_fcntl_cmd(int64_t v, char *buf, size_t len)
{
	static const char *const cmds[] = {"F_DUPFD", "F_GETFD", "F_SETFD", "F_GETFL", "F_SETFL"};
	if (v == 1030)
		snprintf(buf, len, "F_DUPFD_CLOEXEC");
	else
		format_enum(cmds, NBITS(cmds), v, buf, len);
}

static void format_ns(int64_t v, char *buf, size_t len)
{
	if (v < 0) { /* no duration: an optional one omitted */
		snprintf(buf, len, "-");
		return;
	}
	static const struct {
		int64_t ns;
		const char *unit;
	} units[] = {{1000000000, "s"}, {1000000, "ms"}, {1000, "us"}};
	for (int i = 0; i < 3; i++) {
		if (v != 0 && v % units[i].ns == 0) {
			snprintf(buf, len, "%" PRId64 "%s", v / units[i].ns, units[i].unit);
			return;
		}
	}
	snprintf(buf, len, "%" PRId64 "ns", v);
}

static syscall_arg_format_fn layer_format[SA_KIND_COUNT];

void syscall_set_arg_format(enum syscall_arg_kind k, syscall_arg_format_fn fn)
{
	KASSERT(k > SA_NONE && k < SA_KIND_COUNT, "bad argument kind %d", (int)k);
	layer_format[k] = fn;
}

void syscall_format_arg(enum syscall_arg_kind k, int64_t v, char *buf, size_t len)
{
	static const char *const whence[] = {"SEEK_SET", "SEEK_CUR", "SEEK_END"};
	static const char *const sources[] = {NULL,
					      "PORT_SOURCE_AIO",
					      "PORT_SOURCE_TIMER",
					      "PORT_SOURCE_USER",
					      "PORT_SOURCE_FD",
					      "PORT_SOURCE_ALERT",
					      "PORT_SOURCE_MQ",
					      "PORT_SOURCE_FILE"};
	static const char *const how[] = {"SIG_BLOCK", "SIG_UNBLOCK", "SIG_SETMASK"};
	static const char *const clocks[] = {"CLOCK_REALTIME", "CLOCK_MONOTONIC"};
	static const char *const lio[] = {"LIO_NOWAIT", "LIO_WAIT"};
	if (len == 0)
		return;
	if (k > SA_NONE && k < SA_KIND_COUNT && layer_format[k] != NULL) {
		layer_format[k](v, buf, len);
		return;
	}
	switch (k) {
	case SA_UINT:
	case SA_SIZE:
		snprintf(buf, len, "%" PRIu64, (uint64_t)v);
		break;
	case SA_HEX:
	case SA_AIO_CTX:
		snprintf(buf, len, "0x%" PRIx64, (uint64_t)v);
		break;
	case SA_UPTR:
	case SA_USTR:
	case SA_UTIMESPEC:
	case SA_IOCB_PTR:
	case SA_IO_EVENT_PTR:
	case SA_KEVENT_PTR:
	case SA_AIOCB_PTR:
	case SA_PORT_EVENT_PTR:
	case SA_SIGSET_PTR:
		if (v == 0)
			snprintf(buf, len, "NULL");
		else
			snprintf(buf, len, "0x%" PRIx64, (uint64_t)v);
		break;
	case SA_NS:
		format_ns(v, buf, len);
		break;
	case SA_SIGNO:
		if (v >= 1 && v <= SIMK_NSIG)
			snprintf(buf, len, "%s", sig_name((int)v));
		else
			snprintf(buf, len, "%" PRId64, v);
		break;
	case SA_OFLAGS:
		format_oflags(v, buf, len);
		break;
	case SA_FD_FLAGS:
		if (v == 0)
			snprintf(buf, len, "0");
		else
			format_bits(fd_flag_bits, NBITS(fd_flag_bits), v, buf, len);
		break;
	case SA_IOCB_OP:
		format_enum(iocb_ops, NBITS(iocb_ops), v, buf, len);
		break;
	case SA_MODE:
		snprintf(buf, len, "0%" PRIo64, (uint64_t)v);
		break;
	case SA_WHENCE:
		format_enum(whence, NBITS(whence), v, buf, len);
		break;
	case SA_FCNTL_CMD:
		format_fcntl_cmd(v, buf, len);
		break;
	case SA_POLL_EVENTS:
		format_bits(poll_bits, NBITS(poll_bits), v, buf, len);
		break;
	case SA_PORT_SOURCE:
		format_enum(sources, NBITS(sources), v, buf, len);
		break;
	case SA_SIGMASK_HOW:
		format_enum(how, NBITS(how), v, buf, len);
		break;
	case SA_CLOCK_ID:
		format_enum(clocks, NBITS(clocks), v, buf, len);
		break;
	case SA_LIO_MODE:
		format_enum(lio, NBITS(lio), v, buf, len);
		break;
	case SA_HOST:
		snprintf(buf, len, "-");
		break;
	case SA_SCN_OBJ:
		snprintf(buf, len, "#%" PRId64, v);
		break;
	default: /* SA_INT, SA_OFF, SA_FD, SA_PID, SA_TID, SA_TIMER_ID, ... */
		snprintf(buf, len, "%" PRId64, v);
		break;
	}
}

void syscall_format_result(const struct syscall_desc *d, int64_t r, char *buf, size_t len)
{
	if (r < 0 && r >= -SYSCALL_ERRNO_MAX &&
	    (!(d->flags & SYSCALL_VALUE) || (d->flags & SYSCALL_VALUE_ERRNO))) {
		const char *n = syscall_errno_name((int)-r);
		if (n != NULL)
			snprintf(buf, len, "-%s", n);
		else
			snprintf(buf, len, "%" PRId64, r);
		return;
	}
	syscall_format_arg(d->res == SA_NONE ? SA_INT : d->res, r, buf, len);
}

/* A call with the strings its entry captured: open("/d/f", O_RDWR, 0644). */
static void format_call_view(const struct syscall_desc *d, const struct trace_ev *e, char *buf,
			     size_t len)
{
	const char *str = e->str;
	size_t off = (size_t)snprintf(buf, len, "%s(", d->name);
	bool first = true;
	for (int i = 0; i < d->nargs && off < len; i++) {
		char one[160];
		const char *name = d->named != NULL ? d->named->name[i] : NULL;
		if (name != NULL && d->arg[i] != SA_USTR) {
			/* as the caller wrote it: sleep(wq, timeout=1ms), not sleep(wq, -, 0, 0) */
			if (e->a[i] == d->named->omitted[i])
				continue;
			syscall_format_arg(d->arg[i], e->a[i], one, sizeof(one));
			off += (size_t)snprintf(buf + off, len - off, "%s%s=%s", first ? "" : ", ",
						name, one);
			first = false;
			continue;
		}
		if (d->arg[i] == SA_USTR && str != NULL) {
			const char *end = strchr(str, SYSCALL_VIEW_SEP);
			int n = end != NULL ? (int)(end - str) : (int)strlen(str);
			snprintf(one, sizeof(one), "\"%.*s\"", n, str);
			str = end != NULL ? end + 1 : NULL;
		} else {
			syscall_format_arg(d->arg[i], e->a[i], one, sizeof(one));
		}
		off += (size_t)snprintf(buf + off, len - off, "%s%s", first ? "" : ", ", one);
		first = false;
	}
	if (off < len)
		snprintf(buf + off, len - off, ")");
}

static const char *call_subsys(const struct trace_ev *e)
{
	return ((const struct syscall_desc *)e->desc)->subsys;
}

/* The trace's view of call events: "open(0x10000, O_RDWR, 0644)" and
 * "open = 3". */
static void call_view(const struct trace_ev *e, char *buf, size_t len)
{
	const struct syscall_desc *d = e->desc;
	if (e->type == TR_SYSCALL_ENTER) {
		format_call_view(d, e, buf, len);
		return;
	}
	char res[96];
	syscall_format_result(d, e->a[0], res, sizeof(res));
	snprintf(buf, len, "%s = %s", d->name, res);
}

void syscall_trace_view_install(void)
{
	trace_set_call_view(call_view);
	trace_set_call_subsys(call_subsys);
}

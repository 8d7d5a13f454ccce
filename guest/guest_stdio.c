/*
 * <stdio.h> for guests: the standard streams. stdout and stderr are the
 * guest's fds 1 and 2 (the console, vfs/console.c, unless the program
 * dup2'ed something else there); every output call is one write(2) of
 * the whole formatted text, so the output is unbuffered, in simulation
 * order, and part of the trace. stdin is fd 0: always at end of file.
 *
 * The FILE objects are the runtime's (zeroed glibc FILEs, so the header's
 * inline putc_unlocked finds no buffer and calls __overflow, which is
 * ours). A FILE the runtime did not make — fopen is not supported — never
 * reaches these functions: the load check refuses fopen.
 *
 * Formatting uses libc's vsnprintf into the calling thread's scratch
 * buffer (user memory at a fixed place of its stack, see guest_thread.c),
 * or into a runtime block of the heap for long texts.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "guest/guest.h"
#include "simk/vfs.h"

#define FAMILY "stdio.h"

static FILE file_stdin, file_stdout, file_stderr;
FILE *__wrap_stdin = &file_stdin;
FILE *__wrap_stdout = &file_stdout;
FILE *__wrap_stderr = &file_stderr;

/* The fd of a runtime FILE; a FILE of anything else fails the run. */
static int fd_of(struct guest_thread *gt, FILE *f)
{
	if (f == &file_stdout)
		return 1;
	if (f == &file_stderr)
		return 2;
	if (f == &file_stdin)
		return 0;
	guest_fail(gt, "%s() on a FILE that is not stdin, stdout or stderr (%p)", gt->call,
		   (void *)f);
}

/* Writes n bytes that are already in user memory; bytes or -1/errno. */
static long write_user(struct guest_thread *gt, int fd, const void *buf, size_t n)
{
	if (n == 0)
		return 0;
	int64_t r = simk_write(fd, (simk_uaddr_t)(uintptr_t)buf, n);
	return guest_ret(gt, r);
}

/* Copies n host bytes into user memory (scratch or a runtime block) and
 * writes them. */
static long write_bytes(struct guest_thread *gt, int fd, const void *bytes, size_t n)
{
	if (n <= GUEST_SCRATCH_SIZE) {
		memcpy(gt->scratch, bytes, n);
		return write_user(gt, fd, gt->scratch, n);
	}
	struct guest_run *r = guest_run_of(gt);
	char *b = r != NULL ? guest_heap_alloc_internal(r, n, 16) : NULL;
	if (b == NULL) {
		gt->err = ENOMEM;
		return -1;
	}
	memcpy(b, bytes, n);
	long w = write_user(gt, fd, b, n);
	guest_heap_free_internal(r, b);
	return w;
}

/* Formats into user memory and writes it: the count printf returns. */
static int vprint_fd(struct guest_thread *gt, int fd, const char *fmt, va_list ap)
{
	va_list again;
	va_copy(again, ap);
	int n = vsnprintf((char *)gt->scratch, GUEST_SCRATCH_SIZE, fmt, ap);
	if (n < 0) {
		va_end(again);
		gt->err = EINVAL;
		return -1;
	}
	long w;
	if ((size_t)n < GUEST_SCRATCH_SIZE) {
		w = write_user(gt, fd, gt->scratch, (size_t)n);
	} else {
		struct guest_run *r = guest_run_of(gt);
		char *b = r != NULL ? guest_heap_alloc_internal(r, (size_t)n + 1, 16) : NULL;
		if (b == NULL) {
			va_end(again);
			gt->err = ENOMEM;
			return -1;
		}
		vsnprintf(b, (size_t)n + 1, fmt, again);
		w = write_user(gt, fd, b, (size_t)n);
		guest_heap_free_internal(r, b);
	}
	va_end(again);
	return w < 0 ? -1 : n;
}

int __wrap_vfprintf(FILE *f, const char *fmt, va_list ap)
{
	GUEST_ENTER("vfprintf");
	int r = vprint_fd(gt_, fd_of(gt_, f), fmt, ap);
	GUEST_LEAVE();
	return r;
}

#define PRINTF_BODY(name, fd_expr)                                                                 \
	GUEST_ENTER(name);                                                                         \
	va_list ap;                                                                                \
	va_start(ap, fmt);                                                                         \
	int r = vprint_fd(gt_, (fd_expr), fmt, ap);                                                \
	va_end(ap);                                                                                \
	GUEST_LEAVE();                                                                             \
	return r

int __wrap_printf(const char *fmt, ...)
{
	PRINTF_BODY("printf", 1);
}

int __wrap_fprintf(FILE *f, const char *fmt, ...)
{
	PRINTF_BODY("fprintf", fd_of(gt_, f));
}

int __wrap_dprintf(int fd, const char *fmt, ...)
{
	PRINTF_BODY("dprintf", fd);
}

int __wrap_vprintf(const char *fmt, va_list ap)
{
	GUEST_ENTER("vprintf");
	int r = vprint_fd(gt_, 1, fmt, ap);
	GUEST_LEAVE();
	return r;
}

int __wrap_vdprintf(int fd, const char *fmt, va_list ap)
{
	GUEST_ENTER("vdprintf");
	int r = vprint_fd(gt_, fd, fmt, ap);
	GUEST_LEAVE();
	return r;
}

/* _FORTIFY_SOURCE's checked forms (the flag only asks for checks libc's
 * own vsnprintf makes anyway). */
int __wrap___printf_chk(int flag, const char *fmt, ...)
{
	(void)flag;
	PRINTF_BODY("printf", 1);
}

int __wrap___fprintf_chk(FILE *f, int flag, const char *fmt, ...)
{
	(void)flag;
	PRINTF_BODY("fprintf", fd_of(gt_, f));
}

int __wrap___dprintf_chk(int fd, int flag, const char *fmt, ...)
{
	(void)flag;
	PRINTF_BODY("dprintf", fd);
}

int __wrap___vprintf_chk(int flag, const char *fmt, va_list ap)
{
	(void)flag;
	GUEST_ENTER("vprintf");
	int r = vprint_fd(gt_, 1, fmt, ap);
	GUEST_LEAVE();
	return r;
}

int __wrap___vfprintf_chk(FILE *f, int flag, const char *fmt, va_list ap)
{
	(void)flag;
	GUEST_ENTER("vfprintf");
	int r = vprint_fd(gt_, fd_of(gt_, f), fmt, ap);
	GUEST_LEAVE();
	return r;
}

static int put_text(struct guest_thread *gt, FILE *f, const char *s, bool newline)
{
	size_t n = strlen(s);
	int fd = fd_of(gt, f);
	long w;
	if (n + 1 <= GUEST_SCRATCH_SIZE) {
		memcpy(gt->scratch, s, n);
		if (newline)
			gt->scratch[n++] = '\n';
		w = write_user(gt, fd, gt->scratch, n);
	} else {
		w = write_bytes(gt, fd, s, n);
		if (w >= 0 && newline)
			w = write_bytes(gt, fd, "\n", 1);
	}
	return w < 0 ? EOF : 1;
}

int __wrap_puts(const char *s)
{
	GUEST_ENTER("puts");
	int r = put_text(gt_, &file_stdout, s, true);
	GUEST_LEAVE();
	return r;
}

int __wrap_fputs(const char *s, FILE *f)
{
	GUEST_ENTER("fputs");
	int r = put_text(gt_, f, s, false);
	GUEST_LEAVE();
	return r;
}

static int put_char(struct guest_thread *gt, int c, FILE *f)
{
	unsigned char ch = (unsigned char)c;
	return write_bytes(gt, fd_of(gt, f), &ch, 1) < 0 ? EOF : ch;
}

#define PUTC_BODY(name, c, f)                                                                      \
	GUEST_ENTER(name);                                                                         \
	int r = put_char(gt_, (c), (f));                                                           \
	GUEST_LEAVE();                                                                             \
	return r

int __wrap_putchar(int c)
{
	PUTC_BODY("putchar", c, &file_stdout);
}

int __wrap_putchar_unlocked(int c)
{
	PUTC_BODY("putchar_unlocked", c, &file_stdout);
}

int __wrap_fputc(int c, FILE *f)
{
	PUTC_BODY("fputc", c, f);
}

int __wrap_putc(int c, FILE *f)
{
	PUTC_BODY("putc", c, f);
}

int __wrap_fputc_unlocked(int c, FILE *f)
{
	PUTC_BODY("fputc_unlocked", c, f);
}

int __wrap_putc_unlocked(int c, FILE *f)
{
	PUTC_BODY("putc_unlocked", c, f);
}

/* The slow path of the header's inline putc_unlocked. */
int __wrap___overflow(FILE *f, int c)
{
	if (c == EOF)
		return 0;
	PUTC_BODY("putc", c, f);
}

size_t __wrap_fwrite(const void *p, size_t size, size_t n, FILE *f)
{
	GUEST_ENTER("fwrite");
	size_t total;
	size_t r = 0;
	if (size != 0 && n != 0 && !__builtin_mul_overflow(size, n, &total)) {
		long w = write_bytes(gt_, fd_of(gt_, f), p, total);
		r = w < 0 ? 0 : (size_t)w / size;
	}
	GUEST_LEAVE();
	return r;
}

void __wrap_perror(const char *s)
{
	GUEST_ENTER("perror");
	char line[512];
	const char *msg = strerror(gt_->err);
	if (s != NULL && s[0] != '\0')
		snprintf(line, sizeof(line), "%s: %s\n", s, msg);
	else
		snprintf(line, sizeof(line), "%s\n", msg);
	int saved = gt_->err;
	(void)write_bytes(gt_, 2, line, strlen(line));
	gt_->err = saved;
	GUEST_LEAVE();
}

int __wrap_fflush(FILE *f)
{
	GUEST_ENTER("fflush");
	if (f != NULL)
		(void)fd_of(gt_, f); /* nothing is buffered */
	GUEST_LEAVE();
	return 0;
}

int __wrap_setvbuf(FILE *f, char *buf, int mode, size_t size)
{
	(void)buf;
	(void)size;
	GUEST_ENTER("setvbuf");
	(void)fd_of(gt_, f);
	GUEST_LEAVE();
	return mode == _IONBF || mode == _IOLBF || mode == _IOFBF ? 0 : -1;
}

void __wrap_setbuf(FILE *f, char *buf)
{
	(void)buf;
	GUEST_ENTER("setbuf");
	(void)fd_of(gt_, f);
	GUEST_LEAVE();
}

int __wrap_fileno(FILE *f)
{
	GUEST_ENTER("fileno");
	int fd = fd_of(gt_, f);
	GUEST_LEAVE();
	return fd;
}

int __wrap_ferror(FILE *f)
{
	GUEST_ENTER("ferror");
	(void)fd_of(gt_, f);
	GUEST_LEAVE();
	return 0;
}

int __wrap_feof(FILE *f)
{
	GUEST_ENTER("feof");
	int fd = fd_of(gt_, f);
	GUEST_LEAVE();
	return fd == 0;
}

void __wrap_clearerr(FILE *f)
{
	GUEST_ENTER("clearerr");
	(void)fd_of(gt_, f);
	GUEST_LEAVE();
}

/* Input: stdin is at end of file. */
static int get_char(struct guest_thread *gt, FILE *f)
{
	if (fd_of(gt, f) != 0)
		gt->err = EBADF;
	return EOF;
}

#define GETC_BODY(name, f)                                                                         \
	GUEST_ENTER(name);                                                                         \
	int r = get_char(gt_, (f));                                                                \
	GUEST_LEAVE();                                                                             \
	return r

int __wrap_getchar(void)
{
	GETC_BODY("getchar", &file_stdin);
}

int __wrap_fgetc(FILE *f)
{
	GETC_BODY("fgetc", f);
}

int __wrap_getc(FILE *f)
{
	GETC_BODY("getc", f);
}

int __wrap___uflow(FILE *f)
{
	GETC_BODY("getc", f);
}

char *__wrap_fgets(char *s, int n, FILE *f)
{
	(void)n;
	GUEST_ENTER("fgets");
	int r = get_char(gt_, f);
	GUEST_LEAVE();
	return r == EOF ? NULL : s;
}

int __wrap_rename(const char *from, const char *to)
{
	GUEST_ENTER("rename");
	int64_t r = simk_rename((simk_uaddr_t)(uintptr_t)from, (simk_uaddr_t)(uintptr_t)to);
	return (int)GUEST_RET(r);
}

const struct guest_call guest_calls_stdio[] = {
    GUEST_WRAP_DATA(stdout, "fd 1; unbuffered: every call is one write(2)"),
    GUEST_WRAP_DATA(stderr, "fd 2"),
    GUEST_WRAP_DATA(stdin, "fd 0: always at end of file"),
    GUEST_WRAP(printf, "one write(2) of the formatted text; %p prints the host pointer"),
    GUEST_WRAP(fprintf, "stdout and stderr only"),
    GUEST_WRAP(dprintf, ""),
    GUEST_WRAP(vprintf, ""),
    GUEST_WRAP(vfprintf, "stdout and stderr only"),
    GUEST_WRAP(vdprintf, ""),
    GUEST_WRAP(__printf_chk, "_FORTIFY_SOURCE form of printf"),
    GUEST_WRAP(__fprintf_chk, "_FORTIFY_SOURCE form of fprintf"),
    GUEST_WRAP(__dprintf_chk, "_FORTIFY_SOURCE form of dprintf"),
    GUEST_WRAP(__vprintf_chk, "_FORTIFY_SOURCE form of vprintf"),
    GUEST_WRAP(__vfprintf_chk, "_FORTIFY_SOURCE form of vfprintf"),
    GUEST_WRAP(puts, ""),
    GUEST_WRAP(fputs, ""),
    GUEST_WRAP(putchar, "one write(2) per character"),
    GUEST_WRAP(putchar_unlocked, ""),
    GUEST_WRAP(fputc, ""),
    GUEST_WRAP(putc, ""),
    GUEST_WRAP(fputc_unlocked, ""),
    GUEST_WRAP(putc_unlocked, ""),
    GUEST_WRAP(__overflow, "the slow path of the inline putc_unlocked"),
    GUEST_WRAP(fwrite, ""),
    GUEST_WRAP(perror, ""),
    GUEST_WRAP(fflush, "nothing is buffered: 0"),
    GUEST_WRAP(setvbuf, "accepted, no effect (unbuffered)"),
    GUEST_WRAP(setbuf, "accepted, no effect"),
    GUEST_WRAP(fileno, ""),
    GUEST_WRAP(ferror, "0"),
    GUEST_WRAP(feof, "stdin: 1"),
    GUEST_WRAP(clearerr, ""),
    GUEST_WRAP(getchar, "EOF: stdin is empty"),
    GUEST_WRAP(fgetc, "EOF"),
    GUEST_WRAP(getc, "EOF"),
    GUEST_WRAP(__uflow, "the slow path of the inline getc_unlocked: EOF"),
    GUEST_WRAP(fgets, "NULL (end of file)"),
    GUEST_WRAP(rename, "through the simulated VFS"),
};
const int guest_calls_stdio_n = GUEST_NCALLS(guest_calls_stdio);

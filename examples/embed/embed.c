/*
 * Embedding simk in a C program with nothing but the public headers: a
 * process makes a pipe and forks; the child reads what the parent writes.
 * Every simk_ call is a system call of the simulated kernel (traced, with
 * a switch point on each side); pointers are simulated user addresses.
 * The program prints what the child read, the outcome and the trace hash.
 * Build (after `make`):
 *   cc -Iinclude examples/embed/embed.c build/libsimk.a -lfiu -lm -o embed
 */
#include <simk/syscalls.h>
#include <stdio.h>
#include <stdlib.h>

static int fds[2];
static char got[64];

static void child(void *arg)
{
	(void)arg;
	simk_uaddr_t buf = simk_umem_alloc(NULL, sizeof(got));
	simk_close(fds[1]);
	int64_t n, total = 0;
	while ((n = simk_read(fds[0], buf + (simk_uaddr_t)total, sizeof(got) - 1 - (size_t)total)) > 0)
		total += n; /* 0: the parent closed its end */
	simk_copyin(NULL, buf, got, (size_t)total);
}

static void parent(void *arg)
{
	(void)arg;
	simk_uaddr_t ufds = simk_umem_alloc(NULL, sizeof(fds));
	if (simk_pipe(ufds) != 0)
		simk_exit(1);
	simk_copyin(NULL, ufds, fds, sizeof(fds));
	int pid = simk_fork("child", child, NULL);
	simk_close(fds[0]);
	const char *words[] = {"ping ", "pong ", "done"};
	for (int i = 0; i < 3; i++) {
		size_t len = 0;
		while (words[i][len] != '\0')
			len++;
		simk_uaddr_t w = simk_umem_alloc(NULL, len);
		simk_copyout(NULL, words[i], w, len);
		simk_write(fds[1], w, len);
		simk_uaddr_t ts = simk_umem_alloc(NULL, sizeof(struct simk_timespec));
		struct simk_timespec us = {0, 1000};
		simk_copyout(NULL, &us, ts, sizeof(us));
		simk_nanosleep(ts, 0); /* a microsecond of virtual time */
	}
	simk_close(fds[1]);
	simk_waitpid(pid, 0, 0);
}

int main(int argc, char **argv)
{
	struct simk_opts o;
	simk_opts_default(&o);
	o.seed = argc > 1 ? strtoull(argv[1], NULL, 10) : 1;
	o.policy = SIMK_POLICY_RANDOM;
	char err[128];
	struct simk *s = simk_create(&o, err, sizeof(err));
	if (s == NULL) {
		fprintf(stderr, "simk_create: %s\n", err);
		return 2;
	}
	simk_thread_create(simk_proc_create(s, "demo"), "parent", parent, NULL);
	enum simk_outcome out = simk_run(s);
	printf("child read \"%s\"\n", got);
	printf("outcome=%d hash=%016llx vtime=%lluns\n", (int)out,
	       (unsigned long long)simk_trace_hash(s), (unsigned long long)simk_vtime_ns(s));
	simk_destroy(s);
	return out == SIMK_PASS ? 0 : 1;
}

/*
 * simk explore --jobs N: the search of cmd_explore.c in N forked worker
 * processes, with the output of the one-process search, byte for byte
 * (but for the wall-clock figures of the summary).
 *
 * The invariant: the search stops at the lowest ordinal that stops it (a
 * failing run, a run that cannot start, a crashed worker) and every ordinal
 * below it is run by some worker. Workers never print; the parent runs the
 * stopping run again itself, through the code of the one-process search
 * (explore_run), so the report is that search's report. Runs are
 * deterministic; one that passes when run again is reported as lost
 * determinism.
 *
 * Seeds mode: workers claim ordinals in increasing order from a counter in
 * shared memory, CHUNK at a time, and publish the lowest stopping ordinal
 * they found (`cutoff`); nobody starts an ordinal above it. Each worker
 * keeps the set of its trace hashes and sends it when it is done; the
 * parent merges the sets.
 *
 * dfs mode (explore_dfs.c): workers search subtrees the parent hands out
 * and give each other; the parent puts their paths in the one-process
 * order.
 *
 * Plumbing: a result pipe per worker (messages below), a command pipe per
 * dfs worker (tasks), shared memory for the claim counter, the cutoff,
 * progress, the run each worker is in (a crash names it) and the parent's
 * requests (give work away, abandon a task that no longer matters). A
 * worker dies with the parent (PR_SET_PDEATHSIG); on SIGINT, SIGTERM or
 * SIGHUP the parent kills its workers and dies of the same signal.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/explore_jobs.h"
#include "sim/ctx.h"
#include "scn/scn.h"

#define CHUNK 8 /* seeds claimed at a time */

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

static const int caught[] = {SIGINT, SIGTERM, SIGHUP};
#define NCAUGHT (int)(sizeof(caught) / sizeof(caught[0]))

/* ---- worker side ---- */

_Noreturn void out_nomem(struct out *o)
{
	struct msg m = {M_NOMEM, 0, 0, 0};
	ssize_t r = write(o->fd, &m, sizeof(m));
	(void)r;
	_exit(EXIT_USAGE);
}

static void out_put(struct out *o, const void *p, size_t n)
{
	if (o->len + n > o->cap) {
		size_t ncap = o->cap ? o->cap : 65536;
		while (ncap < o->len + n)
			ncap *= 2;
		unsigned char *nb = realloc(o->buf, ncap);
		if (nb == NULL)
			out_nomem(o);
		o->buf = nb;
		o->cap = ncap;
	}
	memcpy(o->buf + o->len, p, n);
	o->len += n;
}

static void write_all(int fd, const void *p, size_t n)
{
	const unsigned char *b = p;
	while (n > 0) {
		ssize_t r = write(fd, b, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			_exit(EXIT_USAGE); /* the parent is gone */
		b += r;
		n -= (size_t)r;
	}
}

void out_flush(struct out *o)
{
	write_all(o->fd, o->buf, o->len);
	o->len = 0;
	o->flushed = explore_wall_s();
}

static void out_hashes(struct out *o)
{
	if (o->nhash == 0)
		return;
	struct msg m = {M_HASHES, (uint32_t)o->nhash, 0, 0};
	out_put(o, &m, sizeof(m));
	out_put(o, o->hash, o->nhash * sizeof(uint64_t));
	o->nhash = 0;
}

/* dfs: the parent learns of a task's paths within FLUSH_S (it decides
 * the --runs cap and what no longer matters from them). */
void out_hash(struct out *o, uint64_t h)
{
	o->hash[o->nhash++] = h;
	if (o->nhash == HASH_BATCH || explore_wall_s() - o->flushed >= FLUSH_S) {
		out_hashes(o);
		out_flush(o);
	}
}

/* A message; ch/nc: a path of n decisions (or NULL when n == 0). */
void out_msg(struct out *o, uint32_t kind, size_t n, uint64_t a, uint64_t b, const uint32_t *ch,
	     const uint32_t *nc)
{
	out_hashes(o);
	struct msg m = {kind, (uint32_t)n, a, b};
	out_put(o, &m, sizeof(m));
	if (n > 0) {
		out_put(o, ch, n * sizeof(*ch));
		out_put(o, nc, n * sizeof(*nc));
	}
}

static void lower_cutoff(struct shm *sh, uint64_t ord)
{
	uint64_t cur = atomic_load(&sh->cutoff);
	while (ord < cur && !atomic_compare_exchange_weak(&sh->cutoff, &cur, ord))
		;
}

static int seeds_worker(struct explore *ex, struct shm *sh, int wi, struct out *o)
{
	struct shm_worker *me = &sh->w[wi];
	struct hashset hs = {0};
	struct explore_props props;
	eprops_init(&props, ex->p);
	uint64_t runs = 0;
	bool stopped = false;
	while (!stopped) {
		uint64_t first = atomic_fetch_add(&sh->next, CHUNK);
		if (first >= ex->total)
			break;
		uint64_t end = ex->total - first < CHUNK ? ex->total : first + CHUNK;
		for (uint64_t ord = first; ord < end && !stopped; ord++) {
			if (ord > atomic_load(&sh->cutoff)) {
				stopped = true;
				break;
			}
			struct simk_opts so = explore_seed_opts(ex, ord);
			char err[64];
			atomic_store(&me->cur, ord);
			struct simk *s = cli_start_err(ex->c, ex->p, &so, err, sizeof(err));
			int stop = STOP_NOSTART;
			if (s != NULL) {
				enum simk_outcome out = simk_run(s);
				uint64_t h = simk_trace_hash(s);
				uint64_t hit = scn_props_hit(s);
				simk_destroy(s);
				stop = out == SIMK_PASS ? STOP_NONE : (int)out;
				if (stop == STOP_NONE && hs_add(&hs, h) != 0)
					out_nomem(o);
				if (stop == STOP_NONE)
					eprops_note(&props, hit, ord);
			}
			atomic_store(&me->cur, NO_RUN);
			atomic_fetch_add(&me->done, 1);
			runs++;
			if (stop != STOP_NONE) {
				lower_cutoff(sh, ord);
				out_msg(o, M_STOP, 0, ord, (uint64_t)stop, NULL, NULL);
				stopped = true;
			}
		}
	}
	/* the hashes matter only when every run passed */
	if (atomic_load(&sh->cutoff) == UINT64_MAX) {
		if (hs.has_zero)
			out_hash(o, 0);
		for (size_t i = 0; i < hs.cap; i++)
			if (hs.slot[i] != 0)
				out_hash(o, hs.slot[i]);
		for (int k = 0; k < props.n; k++)
			if (props.count[k] > 0)
				out_msg(o, M_PROP, 0, (uint64_t)k << 56 | props.count[k],
					props.first[k], NULL, NULL);
	}
	out_msg(o, M_END, 0, runs, hs.saturated ? 1 : 0, NULL, NULL); /* b: hashes were lost */
	out_flush(o);
	hs_free(&hs);
	return 0;
}

bool read_all(int fd, void *p, size_t n)
{
	unsigned char *b = p;
	while (n > 0) {
		ssize_t r = read(fd, b, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		b += r;
		n -= (size_t)r;
	}
	return true;
}

static _Noreturn void worker_main(struct jobs *J, int wi, int rfd, int cfd,
				  const struct sigaction *old)
{
	for (int i = 0; i < NCAUGHT; i++)
		sigaction(caught[i], &old[i], NULL);
	signal(SIGPIPE, SIG_DFL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int i = 0; i < wi; i++) { /* the other workers' pipes */
		close(J->w[i].rfd);
		if (J->w[i].wfd >= 0)
			close(J->w[i].wfd);
	}
	struct out o = {.fd = rfd};
	int rc =
	    J->ex->dfs ? dfs_worker(J->ex, J->sh, wi, cfd, &o) : seeds_worker(J->ex, J->sh, wi, &o);
	free(o.buf);
	/* what the parent allocated goes with the process; what a run
	 * allocated was freed by it (LeakSanitizer checks at exit) */
	simk_dfs_destroy(J->ex->base.dfs);
	J->ex->base.dfs = NULL;
	scn_free(J->ex->p);
	ctx_stack_pool_drain();
	exit(rc);
}

/* ---- parent side ---- */

static void describe_status(char *buf, size_t len, int wstatus)
{
	if (WIFSIGNALED(wstatus))
		snprintf(buf, len, "was killed by signal %d (%s)", WTERMSIG(wstatus),
			 strsignal(WTERMSIG(wstatus)));
	else if (WIFEXITED(wstatus))
		snprintf(buf, len, "exited with status %d", WEXITSTATUS(wstatus));
	else
		snprintf(buf, len, "stopped (status %#x)", (unsigned)wstatus);
}

void set_fatal(struct jobs *J, const char *what, int wi, int wstatus)
{
	if (J->fatal == NULL) {
		J->fatal = what;
		J->fatal_worker = wi;
		J->fatal_wstatus = wstatus;
	}
}

static void handle_msg(struct jobs *J, int wi, const struct msg *m, const unsigned char *pl)
{
	struct worker *w = &J->w[wi];
	if (m->kind == M_NOMEM) {
		J->nomem = true;
		return;
	}
	if (J->ex->dfs) {
		dfs_msg(J, wi, m, pl);
		return;
	}
	switch (m->kind) {
	case M_HASHES:
		for (uint32_t i = 0; i < m->n && !J->nomem; i++) {
			uint64_t h;
			memcpy(&h, pl + 8 * (size_t)i, sizeof(h));
			J->nomem = hs_add(&J->hs, h) != 0;
		}
		break;
	case M_STOP:
		if (m->a < J->stop_ord) {
			J->stop_ord = m->a;
			J->stop_kind = (int)m->b;
			J->stop_worker = wi;
		}
		lower_cutoff(J->sh, m->a);
		break;
	case M_PROP:
		eprops_merge(&J->ex->props, (int)(m->a >> 56), m->b, m->a & ((1ull << 56) - 1));
		break;
	case M_END:
		w->ended = true;
		w->runs = m->a;
		if (m->b != 0)
			J->hs.saturated = true; /* its set stopped growing: so does ours */
		break;
	default:
		set_fatal(J, "sent a message the parent does not know", wi, 0);
	}
}

/* Reads what worker wi sent; false at end of file (only then: the worker
 * has exited and can be waited for). Errors set J->fatal or J->nomem,
 * which end the workers. */
static bool worker_read(struct jobs *J, int wi)
{
	struct worker *w = &J->w[wi];
	if (J->fatal == NULL && !J->nomem && w->cap - w->len < 65536) {
		size_t ncap = w->cap ? w->cap * 2 : 131072;
		unsigned char *nb = realloc(w->in, ncap);
		J->nomem = nb == NULL;
		if (nb != NULL) {
			w->in = nb;
			w->cap = ncap;
		}
	}
	if (J->fatal != NULL || J->nomem) { /* nothing matters any more: drain */
		char sink[4096];
		ssize_t r = read(w->rfd, sink, sizeof(sink));
		return r > 0 || (r < 0 && (errno == EINTR || errno == EAGAIN));
	}
	ssize_t r = read(w->rfd, w->in + w->len, w->cap - w->len);
	if (r < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (r <= 0)
		return false;
	w->len += (size_t)r;
	size_t off = 0;
	while (w->len - off >= sizeof(struct msg)) {
		struct msg m;
		memcpy(&m, w->in + off, sizeof(m));
		if (m.n > PATH_MAX_LEN) {
			set_fatal(J, "sent a message too long", wi, 0);
			w->len = 0;
			return true; /* the loop ends the workers */
		}
		size_t need = sizeof(m) + 8 * (size_t)m.n;
		if (w->len - off < need)
			break;
		handle_msg(J, wi, &m, w->in + off + sizeof(m));
		off += need;
	}
	memmove(w->in, w->in + off, w->len - off);
	w->len -= off;
	return true;
}

/* Worker wi closed its pipe: reap it and see what its end means. */
static void worker_gone(struct jobs *J, int wi)
{
	struct worker *w = &J->w[wi];
	int st = 0;
	while (waitpid(w->pid, &st, 0) < 0 && errno == EINTR)
		;
	w->gone = true;
	w->wstatus = st;
	J->nlive--;
	close(w->rfd);
	w->rfd = -1;
	if (w->wfd >= 0) {
		close(w->wfd);
		w->wfd = -1;
	}
	bool clean = WIFEXITED(st) && WEXITSTATUS(st) == 0;
	if (w->killed || J->nomem)
		return;
	uint64_t cur = atomic_load(&J->sh->w[wi].cur);
	if (J->ex->dfs) {
		dfs_worker_died(J, wi, cur, st, clean);
		return;
	}
	if (clean && w->ended)
		return;
	if (cur == NO_RUN) {
		set_fatal(J, "died outside a run", wi, st);
		return;
	}
	if (cur < J->stop_ord) { /* a crash is a stop at the seed it ran */
		J->stop_ord = cur;
		J->stop_kind = STOP_CRASH;
		J->stop_worker = wi;
		J->stop_wstatus = st;
	}
	lower_cutoff(J->sh, cur);
}

static int start_workers(struct jobs *J, struct sigaction *old)
{
	sigset_t block, saved;
	sigemptyset(&block);
	for (int i = 0; i < NCAUGHT; i++)
		sigaddset(&block, caught[i]);
	sigprocmask(SIG_BLOCK, &block, &saved);
	pid_t parent = getpid();
	cli_flush_stdout();
	fflush(stderr);
	int rc = 0;
	for (int i = 0; i < J->nw; i++) {
		struct worker *w = &J->w[i];
		int res[2], cmd[2] = {-1, -1};
		if (pipe(res) != 0) {
			J->start_errno = errno;
			rc = -1;
			break;
		}
		if (J->ex->dfs && pipe(cmd) != 0) {
			J->start_errno = errno;
			close(res[0]);
			close(res[1]);
			rc = -1;
			break;
		}
		pid_t pid = fork();
		if (pid < 0) {
			J->start_errno = errno;
			close(res[0]);
			close(res[1]);
			if (cmd[0] >= 0) {
				close(cmd[0]);
				close(cmd[1]);
			}
			rc = -1;
			break;
		}
		if (pid == 0) {
			close(res[0]);
			if (cmd[1] >= 0)
				close(cmd[1]);
			if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
				_exit(EXIT_USAGE);
			worker_main(J, i, res[1], cmd[0], old);
		}
		close(res[1]);
		if (cmd[0] >= 0)
			close(cmd[0]);
		w->pid = pid;
		w->rfd = res[0];
		w->wfd = cmd[1];
		J->nlive++;
	}
	sigprocmask(SIG_SETMASK, &saved, NULL);
	return rc;
}

/* Ends the workers: an idle dfs worker ends at the end of its command
 * pipe; the others (all of them with `all`) are killed. By pid, and only
 * before they are reaped, so the pid is still theirs. */
void stop_workers(struct jobs *J, bool all)
{
	for (int i = 0; i < J->nw; i++) {
		struct worker *w = &J->w[i];
		if (w->gone)
			continue;
		if (w->wfd >= 0) {
			close(w->wfd);
			w->wfd = -1;
		}
		bool idle = J->ex->dfs && w->task == NULL;
		if (!w->killed && (all || !idle)) {
			kill(w->pid, SIGKILL);
			w->killed = true;
		}
	}
}

void print_crash(struct jobs *J, int wi, int wstatus, uint64_t seed_or_path)
{
	struct explore *ex = J->ex;
	const struct cli_opts *c = ex->c;
	char st[120];
	describe_status(st, sizeof(st), wstatus);
	cli_flush_stdout();
	if (!ex->dfs) {
		struct simk_opts o = explore_seed_opts(ex, seed_or_path);
		fprintf(stderr,
			"simk: explore: worker %d of %d %s while running seed %" PRIu64
			" (run %" PRIu64 " of %" PRIu64 ")\n",
			wi + 1, J->nw, st, o.seed, seed_or_path + 1, ex->total);
		fputs("reproduce: ", stderr);
		cli_repro(stderr, c, &o);
	} else {
		fprintf(stderr,
			"simk: explore: worker %d of %d %s while running path %" PRIu64 " (",
			wi + 1, J->nw, st, seed_or_path);
		explore_dfs_desc(stderr, ex);
		fprintf(stderr, ", seed %" PRIu64 ")\n", ex->start);
		/* the one-process search stops right after that path */
		fputs("reproduce: ", stderr);
		cli_repro_dfs(stderr, c, ex->por, ex->bound, ex->start, seed_or_path);
	}
	fflush(stderr);
}

/* Runs the stopping run of the search again, here, and reports it. */
int rerun_stop(struct jobs *J, const struct simk_opts *o, uint64_t done, int kind)
{
	uint64_t h = 0;
	int rc = explore_run(J->ex, o, done, &h);
	if (rc == 0) {
		fprintf(stderr,
			"simk: explore: run %" PRIu64 " %s in a worker process but passed when "
			"run again: the runs are not deterministic (see docs/determinism.md)\n",
			done, kind == STOP_NOSTART ? "could not start" : "failed");
		rc = EXIT_USAGE;
	}
	return rc;
}

static int finish_seeds(struct jobs *J)
{
	struct explore *ex = J->ex;
	uint64_t claimed = atomic_load(&J->sh->next);
	uint64_t need = J->stop_ord < ex->total ? J->stop_ord : ex->total;
	if (claimed < need) {
		fprintf(stderr,
			"simk: explore: the workers stopped before run %" PRIu64 " of %" PRIu64
			" (see above)\n",
			claimed + 1, ex->total);
		return EXIT_USAGE;
	}
	if (J->stop_kind == STOP_CRASH) {
		if (ex->bar)
			explore_progress(ex, J->stop_ord + 1, true);
		print_crash(J, J->stop_worker, J->stop_wstatus, J->stop_ord);
		return SIMK_FAIL_PANIC;
	}
	if (J->stop_kind != STOP_NONE) {
		struct simk_opts o = explore_seed_opts(ex, J->stop_ord);
		return rerun_stop(J, &o, J->stop_ord + 1, J->stop_kind);
	}
	uint64_t runs = 0;
	for (int i = 0; i < J->nw; i++)
		runs += J->w[i].runs;
	if (runs != ex->total) {
		fprintf(stderr, "simk: explore: the workers ran %" PRIu64 " of %" PRIu64 " runs\n",
			runs, ex->total);
		return EXIT_USAGE;
	}
	explore_summary(ex, ex->total, &J->hs, false);
	return eprops_report(ex, ex->total, false);
}

static void draw_progress(struct jobs *J)
{
	uint64_t done = 0;
	for (int i = 0; i < J->nw; i++)
		done += atomic_load(&J->sh->w[i].done);
	if (done > J->ex->total)
		done = J->ex->total;
	explore_progress(J->ex, done, false);
}

/* Waits for messages and ends of workers until the search is decided and
 * every worker is gone. */
static void event_loop(struct jobs *J)
{
	struct pollfd *pfd = calloc((size_t)J->nw, sizeof(*pfd));
	int *who = calloc((size_t)J->nw, sizeof(*who));
	if (pfd == NULL || who == NULL) {
		J->nomem = true;
		stop_workers(J, true);
	}
	double last = explore_wall_s();
	while (J->nlive > 0) {
		if (got_signal)
			break;
		if (J->fatal != NULL || J->nomem)
			stop_workers(J, true);
		if (J->ex->dfs && !J->resolved && J->fatal == NULL && !J->nomem)
			dfs_step(J);
		if (pfd == NULL)
			break;
		int n = 0;
		for (int i = 0; i < J->nw; i++)
			if (!J->w[i].gone) {
				pfd[n].fd = J->w[i].rfd;
				pfd[n].events = POLLIN;
				who[n++] = i;
			}
		int r = poll(pfd, (nfds_t)n, 100);
		if (r < 0 && errno != EINTR)
			break;
		for (int k = 0; r > 0 && k < n; k++) {
			if (pfd[k].revents == 0)
				continue;
			if (!worker_read(J, who[k]))
				worker_gone(J, who[k]);
		}
		if (J->ex->bar && explore_wall_s() - last >= 0.1) {
			draw_progress(J);
			last = explore_wall_s();
		}
	}
	if (J->nlive > 0) { /* a signal, or no memory to wait with */
		stop_workers(J, true);
		for (int i = 0; i < J->nw; i++)
			if (!J->w[i].gone)
				while (waitpid(J->w[i].pid, NULL, 0) < 0 && errno == EINTR)
					;
	}
	free(pfd);
	free(who);
}

int explore_jobs(struct explore *ex, int jobs)
{
	struct jobs J;
	memset(&J, 0, sizeof(J));
	J.ex = ex;
	J.nw = jobs;
	J.stop_ord = UINT64_MAX;
	J.shm_size = sizeof(struct shm) + (size_t)jobs * sizeof(struct shm_worker);
	void *mem =
	    mmap(NULL, J.shm_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	J.w = calloc((size_t)jobs, sizeof(*J.w));
	if (mem == MAP_FAILED || J.w == NULL) {
		fprintf(stderr, "simk: explore: --jobs: out of memory\n");
		if (mem != MAP_FAILED)
			munmap(mem, J.shm_size);
		free(J.w);
		return EXIT_USAGE;
	}
	J.sh = mem;
	atomic_store(&J.sh->cutoff, UINT64_MAX);
	for (int i = 0; i < jobs; i++) {
		atomic_store(&J.sh->w[i].cur, NO_RUN);
		J.w[i].rfd = J.w[i].wfd = -1;
	}
	int rc = 0;
	if (ex->dfs && dfs_init(&J) != 0) {
		fprintf(stderr, "simk: explore: out of memory\n");
		rc = EXIT_USAGE;
	}
	struct sigaction old[NCAUGHT];
	for (int i = 0; i < NCAUGHT; i++) {
		sigaction(caught[i], NULL, &old[i]);
		if (old[i].sa_handler != SIG_IGN) {
			struct sigaction sa;
			memset(&sa, 0, sizeof(sa));
			sa.sa_handler = on_signal; /* no SA_RESTART: poll() returns */
			sigemptyset(&sa.sa_mask);
			sigaction(caught[i], &sa, NULL);
		}
	}
	struct sigaction old_pipe;
	struct sigaction ign;
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &ign, &old_pipe);
	got_signal = 0;
	if (rc == 0 && start_workers(&J, old) != 0) {
		fprintf(stderr, "simk: explore: --jobs %d: cannot start a worker: %s\n", jobs,
			strerror(J.start_errno));
		rc = EXIT_USAGE;
		stop_workers(&J, true);
	}
	event_loop(&J);
	for (int i = 0; i < NCAUGHT; i++)
		sigaction(caught[i], &old[i], NULL);
	sigaction(SIGPIPE, &old_pipe, NULL);
	if (got_signal) {
		if (ex->bar)
			fputc('\n', stderr);
		raise(got_signal);
		rc = 128 + got_signal; /* only if the signal did not end us */
	} else if (rc == 0 && J.nomem) {
		fprintf(stderr, "simk: explore: out of memory\n");
		rc = EXIT_USAGE;
	} else if (rc == 0 && J.fatal != NULL) {
		char st[120] = "";
		if (J.fatal_wstatus != 0)
			describe_status(st, sizeof(st), J.fatal_wstatus);
		if (J.fatal_worker < 0)
			fprintf(stderr, "simk: explore: %s\n", J.fatal);
		else
			fprintf(stderr, "simk: explore: worker %d of %d %s%s%s\n",
				J.fatal_worker + 1, jobs, J.fatal, st[0] ? ": it " : "", st);
		rc = EXIT_USAGE;
	} else if (rc == 0) {
		rc = ex->dfs ? dfs_finish(&J) : finish_seeds(&J);
	}
	for (int i = 0; i < jobs; i++)
		free(J.w[i].in);
	dfs_free(&J);
	free(J.w);
	hs_free(&J.hs);
	munmap(mem, J.shm_size);
	return rc;
}

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
 * dfs mode: the decision tree is cut into tasks, each the subtree under a
 * path prefix (simk_dfs_restart). The parent hands tasks to idle workers;
 * when a worker is idle and no task waits, it asks the busy ones for work:
 * a worker gives away the untried siblings at the shallowest decision of
 * its remaining paths, one task each, and keeps the subtree it is in.
 * Sorted by prefix, tasks are in the depth-first order of their paths, so
 * the parent numbers the paths as the one-process search does, caps them
 * at --runs and finds the first failing one. Workers send a hash per path
 * (the summary counts the distinct hashes of the first --runs paths).
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
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/explore.h"
#include "sim/ctx.h"
#include "sim/scn.h"

#define CHUNK 8		      /* seeds claimed at a time */
#define PATH_MAX_LEN 1000000u /* longest dfs path (the policy's own bound) */
#define HASH_BATCH 1024	      /* dfs: hashes per message at most */
#define FLUSH_S 0.02	      /* dfs: longest wait before hashes are sent */
#define NO_RUN UINT64_MAX

enum stop_kind {
	STOP_NONE = 0,
	/* 1..4: the run's outcome (enum simk_outcome) */
	STOP_NOSTART = 100, /* cli_start failed */
	STOP_CRASH = 101,   /* the worker died inside the run */
};

/* Worker -> parent. Every payload is n * 8 bytes. */
enum msg_kind {
	M_HASHES = 1, /* n trace hashes (u64) */
	M_STOP,	      /* a = ordinal (seeds) or path number in the task (dfs, from
		       * 1), b = stop kind; dfs: the path (n choices, n counts) */
	M_GIVE,	      /* dfs: a new task, its prefix (n choices, n counts) */
	M_TASK_END,   /* dfs: the current task is over */
	M_END,	      /* seeds: the worker is done, a = runs */
	M_NOMEM,      /* the worker ran out of memory */
};

struct msg {
	uint32_t kind, n;
	uint64_t a, b;
};

/* Parent -> dfs worker: a task, a = its id, the prefix follows. */
struct cmd {
	uint32_t n, pad;
	uint64_t id;
};

struct shm_worker {
	_Alignas(64) _Atomic uint64_t done; /* runs finished, for the progress bar */
	_Atomic uint64_t cur;	/* seeds: ordinal in progress; dfs: path number in
				 * the task (from 1); NO_RUN between runs */
	_Atomic uint64_t split;	  /* dfs: task id the parent wants split */
	_Atomic uint64_t abandon; /* dfs: task id that no longer matters */
};

struct shm {
	_Alignas(64) _Atomic uint64_t next; /* seeds: the next ordinal to claim */
	_Alignas(64) _Atomic uint64_t cutoff; /* seeds: lowest stopping ordinal known */
	struct shm_worker w[];
};

enum task_state { T_QUEUED, T_RUNNING, T_DONE, T_DROPPED };

struct task {
	uint64_t id;
	uint32_t *key; /* the prefix: n choices, then n candidate counts */
	size_t n;
	uint64_t *hash; /* one per passed path, in order */
	size_t nhash, hcap;
	enum task_state state;
	int stop;	  /* enum stop_kind */
	uint64_t stop_at; /* path number in the task (from 1) */
	uint32_t *path;	  /* the stopping path: choices, then counts */
	size_t path_n;
	int worker;	  /* T_RUNNING, and the worker that stopped */
	bool abandoned;	  /* its worker was told to leave it */
	int wstatus;	  /* STOP_CRASH: the worker's wait status */
};

struct worker {
	pid_t pid;
	int rfd, wfd; /* results; tasks (dfs) */
	unsigned char *in;
	size_t len, cap;
	bool ended;  /* seeds: M_END received */
	bool killed; /* by the parent: its death is no news */
	bool gone;   /* EOF seen and reaped */
	int wstatus;
	uint64_t runs;
	struct task *task; /* dfs */
};

struct jobs {
	struct explore *ex;
	struct shm *sh;
	size_t shm_size;
	struct worker *w;
	int nw, nlive;
	/* seeds */
	struct hashset hs;
	uint64_t stop_ord;
	int stop_kind, stop_worker, stop_wstatus;
	/* dfs */
	struct task **t; /* sorted by prefix: depth-first order */
	size_t nt, tcap;
	uint64_t next_id;
	bool resolved;
	/* errors */
	bool nomem;
	const char *fatal; /* an error the search cannot recover from */
	int fatal_worker, fatal_wstatus;
};

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

static const int caught[] = {SIGINT, SIGTERM, SIGHUP};
#define NCAUGHT (int)(sizeof(caught) / sizeof(caught[0]))

/* ---- worker side ---- */

struct out {
	int fd;
	unsigned char *buf;
	size_t len, cap;
	uint64_t hash[HASH_BATCH];
	size_t nhash;
	double flushed; /* wall clock of the last flush */
};

static _Noreturn void worker_nomem(struct out *o)
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
			worker_nomem(o);
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

static void out_flush(struct out *o)
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
static void out_hash(struct out *o, uint64_t h)
{
	o->hash[o->nhash++] = h;
	if (o->nhash == HASH_BATCH || explore_wall_s() - o->flushed >= FLUSH_S) {
		out_hashes(o);
		out_flush(o);
	}
}

/* A message; ch/nc: a path of n decisions (or NULL when n == 0). */
static void out_msg(struct out *o, uint32_t kind, size_t n, uint64_t a, uint64_t b,
		    const uint32_t *ch, const uint32_t *nc)
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
	struct hashset hs = {NULL, 0, 0, false};
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
				simk_destroy(s);
				stop = out == SIMK_PASS ? STOP_NONE : (int)out;
				if (stop == STOP_NONE && hs_add(&hs, h) != 0)
					worker_nomem(o);
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
	}
	out_msg(o, M_END, 0, runs, 0, NULL, NULL);
	out_flush(o);
	hs_free(&hs);
	return 0;
}

static bool read_all(int fd, void *p, size_t n)
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

/*
 * Gives away the untried siblings at the shallowest decision in
 * [*fixed, len) of the next path d will run that may still deviate within
 * the bound, one task each, and keeps the subtree under that decision's
 * current choice. False when there is nothing to give.
 */
static bool dfs_give(struct explore *ex, struct simk_dfs *d, size_t *fixed, struct out *o)
{
	const uint32_t *ch, *nc;
	size_t len = simk_dfs_path(d, &ch, &nc);
	int dev = 0;
	for (size_t k = 0; k < *fixed && k < len; k++)
		dev += ch[k] != 0;
	for (size_t k = *fixed; k < len; k++) {
		if (ch[k] + 1 < nc[k] && dev + 1 <= ex->bound) {
			uint32_t *key = malloc(2 * (k + 1) * sizeof(*key));
			if (key == NULL)
				worker_nomem(o);
			memcpy(key, ch, k * sizeof(*key));
			memcpy(key + k + 1, nc, (k + 1) * sizeof(*key));
			for (uint32_t c = ch[k] + 1; c < nc[k]; c++) {
				key[k] = c;
				out_msg(o, M_GIVE, k + 1, 0, 0, key, key + k + 1);
			}
			free(key);
			out_flush(o);
			if (simk_dfs_restart(d, ch, nc, len, k + 1) != 0)
				worker_nomem(o);
			*fixed = k + 1;
			return true;
		}
		dev += ch[k] != 0;
	}
	return false;
}

/* Runs the paths of one task: the subtree under prefix ch/nc (n). */
static void dfs_task(struct explore *ex, struct shm_worker *me, uint64_t id, const uint32_t *ch,
		     const uint32_t *nc, size_t n, struct out *o)
{
	struct simk_dfs *d = ex->base.dfs;
	if (simk_dfs_restart(d, ch, nc, n, n) != 0)
		worker_nomem(o); /* the parent sent a prefix a run recorded */
	size_t fixed = n;
	for (uint64_t k = 1;; k++) {
		if (atomic_load(&me->abandon) == id)
			break;
		if (atomic_load(&me->split) == id && dfs_give(ex, d, &fixed, o)) {
			uint64_t want = id;
			atomic_compare_exchange_strong(&me->split, &want, 0);
		}
		char err[64];
		atomic_store(&me->cur, k);
		struct simk *s = cli_start_err(ex->c, ex->p, &ex->base, err, sizeof(err));
		int stop = STOP_NOSTART;
		uint64_t h = 0;
		if (s != NULL) {
			enum simk_outcome out = simk_run(s);
			h = simk_trace_hash(s);
			simk_destroy(s);
			stop = out == SIMK_PASS ? STOP_NONE : (int)out;
		}
		atomic_store(&me->cur, NO_RUN);
		atomic_fetch_add(&me->done, 1);
		if (stop != STOP_NONE) {
			const uint32_t *pc = NULL, *pn = NULL;
			size_t len = s != NULL ? simk_dfs_path(d, &pc, &pn) : 0;
			out_msg(o, M_STOP, len, k, (uint64_t)stop, pc, pn);
			break;
		}
		out_hash(o, h);
		if (!simk_dfs_advance(d))
			break;
	}
	out_msg(o, M_TASK_END, 0, 0, 0, NULL, NULL);
	out_flush(o);
}

static int dfs_worker(struct explore *ex, struct shm *sh, int wi, int cfd, struct out *o)
{
	uint32_t *key = NULL;
	size_t kcap = 0;
	struct cmd c;
	while (read_all(cfd, &c, sizeof(c))) {
		if (c.n > PATH_MAX_LEN)
			_exit(EXIT_USAGE);
		if (2 * (size_t)c.n > kcap) {
			kcap = 2 * (size_t)c.n;
			free(key);
			key = malloc(kcap * sizeof(*key));
			if (key == NULL)
				worker_nomem(o);
		}
		if (c.n > 0 && !read_all(cfd, key, 2 * (size_t)c.n * sizeof(*key)))
			break;
		dfs_task(ex, &sh->w[wi], c.id, key, key + c.n, c.n, o);
	}
	free(key);
	return 0;
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
	int rc = J->ex->dfs ? dfs_worker(J->ex, J->sh, wi, cfd, &o)
			    : seeds_worker(J->ex, J->sh, wi, &o);
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

static void set_fatal(struct jobs *J, const char *what, int wi, int wstatus)
{
	if (J->fatal == NULL) {
		J->fatal = what;
		J->fatal_worker = wi;
		J->fatal_wstatus = wstatus;
	}
}

static int key_cmp(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
	size_t n = na < nb ? na : nb;
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return na < nb ? -1 : na > nb ? 1 : 0;
}

/* A new queued task with prefix ch/nc (n), in its place in path order. */
static struct task *task_add(struct jobs *J, const uint32_t *ch, const uint32_t *nc, size_t n)
{
	if (J->nt == J->tcap) {
		size_t ncap = J->tcap ? J->tcap * 2 : 64;
		struct task **nt = realloc(J->t, ncap * sizeof(*nt));
		if (nt == NULL)
			return NULL;
		J->t = nt;
		J->tcap = ncap;
	}
	struct task *t = calloc(1, sizeof(*t));
	uint32_t *key = malloc((2 * n + 1) * sizeof(*key));
	if (t == NULL || key == NULL) {
		free(t);
		free(key);
		return NULL;
	}
	if (n > 0) {
		memcpy(key, ch, n * sizeof(*key));
		memcpy(key + n, nc, n * sizeof(*key));
	}
	t->key = key;
	t->n = n;
	t->id = ++J->next_id;
	t->state = T_QUEUED;
	t->worker = -1;
	size_t lo = 0, hi = J->nt;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (key_cmp(J->t[mid]->key, J->t[mid]->n, key, n) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	memmove(J->t + lo + 1, J->t + lo, (J->nt - lo) * sizeof(*J->t));
	J->t[lo] = t;
	J->nt++;
	return t;
}

static void task_free(struct task *t)
{
	free(t->key);
	free(t->hash);
	free(t->path);
	free(t);
}

static int task_push_hash(struct task *t, uint64_t h)
{
	if (t->nhash == t->hcap) {
		size_t ncap = t->hcap ? t->hcap * 2 : 256;
		uint64_t *nh = realloc(t->hash, ncap * sizeof(*nh));
		if (nh == NULL)
			return -1;
		t->hash = nh;
		t->hcap = ncap;
	}
	t->hash[t->nhash++] = h;
	return 0;
}

static void handle_msg(struct jobs *J, int wi, const struct msg *m, const unsigned char *pl)
{
	struct worker *w = &J->w[wi];
	struct task *t = w->task;
	const uint32_t *ch = (const uint32_t *)(const void *)pl;
	switch (m->kind) {
	case M_HASHES:
		if (J->ex->dfs && t == NULL) {
			set_fatal(J, "sent hashes outside a task", wi, 0);
			break;
		}
		for (uint32_t i = 0; i < m->n && !J->nomem; i++) {
			uint64_t h;
			memcpy(&h, pl + 8 * (size_t)i, sizeof(h));
			J->nomem = J->ex->dfs ? task_push_hash(t, h) != 0 : hs_add(&J->hs, h) != 0;
		}
		break;
	case M_STOP:
		if (!J->ex->dfs) {
			if (m->a < J->stop_ord) {
				J->stop_ord = m->a;
				J->stop_kind = (int)m->b;
				J->stop_worker = wi;
			}
			lower_cutoff(J->sh, m->a);
		} else if (t != NULL) {
			t->stop = (int)m->b;
			t->stop_at = m->a;
			t->worker = wi;
			t->path = malloc((2 * (size_t)m->n + 1) * sizeof(uint32_t));
			if (t->path == NULL) {
				J->nomem = true;
				break;
			}
			memcpy(t->path, ch, 2 * (size_t)m->n * sizeof(uint32_t));
			t->path_n = m->n;
		}
		break;
	case M_GIVE:
		if (t == NULL)
			set_fatal(J, "gave work away outside a task", wi, 0);
		else if (task_add(J, ch, ch + m->n, m->n) == NULL)
			J->nomem = true;
		break;
	case M_TASK_END:
		if (t != NULL) {
			t->state = t->abandoned ? T_DROPPED : T_DONE;
			w->task = NULL;
		}
		break;
	case M_END:
		w->ended = true;
		w->runs = m->a;
		break;
	case M_NOMEM:
		J->nomem = true;
		break;
	default:
		set_fatal(J, "sent a message the parent does not know", wi, 0);
	}
}

/* Reads what worker wi sent; false at end of file. */
static bool worker_read(struct jobs *J, int wi)
{
	struct worker *w = &J->w[wi];
	if (w->cap - w->len < 65536) {
		size_t ncap = w->cap ? w->cap * 2 : 131072;
		unsigned char *nb = realloc(w->in, ncap);
		if (nb == NULL) {
			J->nomem = true;
			return false;
		}
		w->in = nb;
		w->cap = ncap;
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
			return false;
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
	if (!J->ex->dfs) {
		if (clean && w->ended)
			return;
		if (cur == NO_RUN) {
			set_fatal(J, "died outside a run", wi, st);
			return;
		}
		if (cur < J->stop_ord) {
			J->stop_ord = cur;
			J->stop_kind = STOP_CRASH;
			J->stop_worker = wi;
			J->stop_wstatus = st;
		}
		lower_cutoff(J->sh, cur);
		return;
	}
	struct task *t = w->task;
	if (t == NULL) {
		if (!clean)
			set_fatal(J, "died outside a run", wi, st);
		return;
	}
	w->task = NULL;
	if (cur == NO_RUN || t->stop != STOP_NONE) {
		set_fatal(J, "died outside a run", wi, st);
		return;
	}
	t->stop = STOP_CRASH;
	t->stop_at = cur;
	t->worker = wi;
	t->wstatus = st;
	t->state = t->abandoned ? T_DROPPED : T_DONE;
}

static int start_workers(struct jobs *J, struct sigaction *old)
{
	sigset_t block, saved;
	sigemptyset(&block);
	for (int i = 0; i < NCAUGHT; i++)
		sigaddset(&block, caught[i]);
	sigprocmask(SIG_BLOCK, &block, &saved);
	pid_t parent = getpid();
	fflush(stdout);
	fflush(stderr);
	int rc = 0;
	for (int i = 0; i < J->nw; i++) {
		struct worker *w = &J->w[i];
		int res[2], cmd[2] = {-1, -1};
		if (pipe(res) != 0) {
			rc = -1;
			break;
		}
		if (J->ex->dfs && pipe(cmd) != 0) {
			close(res[0]);
			close(res[1]);
			rc = -1;
			break;
		}
		pid_t pid = fork();
		if (pid < 0) {
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
static void stop_workers(struct jobs *J, bool all)
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

/* Hands the first queued task to each idle worker. */
static void dfs_dispatch(struct jobs *J)
{
	size_t next = 0;
	for (int i = 0; i < J->nw; i++) {
		struct worker *w = &J->w[i];
		if (w->gone || w->killed || w->task != NULL || w->wfd < 0)
			continue;
		while (next < J->nt && J->t[next]->state != T_QUEUED)
			next++;
		if (next == J->nt)
			return;
		struct task *t = J->t[next];
		struct cmd c = {(uint32_t)t->n, 0, t->id};
		t->state = T_RUNNING;
		t->worker = i;
		w->task = t;
		/* an idle worker is reading its commands: these writes end */
		bool ok = write(w->wfd, &c, sizeof(c)) == (ssize_t)sizeof(c);
		size_t left = 2 * t->n * sizeof(uint32_t);
		const unsigned char *p = (const unsigned char *)t->key;
		while (ok && left > 0) {
			ssize_t r = write(w->wfd, p, left);
			if (r < 0 && errno == EINTR)
				continue;
			ok = r > 0;
			p += ok ? r : 0;
			left -= ok ? (size_t)r : 0;
		}
		if (!ok) { /* it died; its end of file will tell */
			t->state = T_QUEUED;
			t->worker = -1;
			w->task = NULL;
			close(w->wfd);
			w->wfd = -1;
		}
	}
}

enum { R_OPEN, R_STOP, R_CAP, R_COMPLETE };

/*
 * Walks the tasks in path order: R_STOP (*at: the task, *off: paths
 * before it), R_CAP (--runs paths are known and more exist), R_COMPLETE
 * (every path ran, *off of them) or R_OPEN. Marks the tasks that cannot
 * matter any more: queued ones are dropped, running ones abandoned.
 */
static int dfs_walk(struct jobs *J, size_t *at, uint64_t *off)
{
	uint64_t cap = J->ex->total, before = 0, lower = 0;
	int r = R_OPEN;
	bool decided = false, open = false, irrelevant = false;
	for (size_t i = 0; i < J->nt; i++) {
		struct task *t = J->t[i];
		if (irrelevant || lower >= cap) {
			if (t->state == T_QUEUED)
				t->state = T_DROPPED;
			if (t->state == T_RUNNING && !t->abandoned) {
				t->abandoned = true;
				atomic_store(&J->sh->w[t->worker].abandon, t->id);
			}
		}
		if (decided)
			continue;
		if (t->state == T_DONE && !open) {
			if (t->stop != STOP_NONE) {
				decided = true;
				if (before + t->stop_at <= cap) {
					r = R_STOP;
					*at = i;
					*off = before;
				} else {
					r = R_CAP;
				}
			} else {
				before += t->nhash;
				if (before > cap || (before == cap && i + 1 < J->nt)) {
					decided = true;
					r = R_CAP;
				}
			}
		} else {
			/* known paths only grow: a lower bound of what comes before */
			if (!open && before + t->nhash > cap) {
				decided = true;
				r = R_CAP;
			}
			open = true;
		}
		lower += t->nhash + (t->stop != STOP_NONE ? 1 : 0);
		irrelevant |= t->stop != STOP_NONE;
	}
	if (!decided && !open) {
		r = R_COMPLETE;
		*off = before;
	}
	return r;
}

/* Asks every busy worker to give work away while one is idle and no task
 * waits; withdraws the request once tasks wait. */
static void dfs_balance(struct jobs *J)
{
	bool idle = false, queued = false;
	for (int i = 0; i < J->nw; i++)
		idle |= !J->w[i].gone && !J->w[i].killed && J->w[i].task == NULL;
	for (size_t i = 0; i < J->nt && !queued; i++)
		queued = J->t[i]->state == T_QUEUED;
	for (int i = 0; i < J->nw; i++) {
		struct task *t = J->w[i].task;
		if (t != NULL && !J->w[i].gone)
			atomic_store(&J->sh->w[i].split, idle && !queued ? t->id : 0);
	}
}

/* The first `need` hashes of task t, run here when its worker crashed
 * before sending them (a crash after the --runs cap). */
static int dfs_refill(struct jobs *J, struct task *t, uint64_t need)
{
	struct explore *ex = J->ex;
	struct simk_dfs *d = ex->base.dfs;
	if (simk_dfs_restart(d, t->key, t->key + t->n, t->n, t->n) != 0)
		return EXIT_USAGE;
	t->nhash = 0;
	for (uint64_t k = 0; k < need; k++) {
		uint64_t h = 0;
		int rc = explore_run(ex, &ex->base, 0, &h);
		if (rc != 0)
			return rc;
		if (task_push_hash(t, h) != 0)
			return EXIT_USAGE;
		if (k + 1 < need && !simk_dfs_advance(d))
			break;
	}
	if (t->nhash < need) {
		fprintf(stderr, "simk: explore: a task has fewer paths when run again: the runs "
				"are not deterministic (see docs/determinism.md)\n");
		return EXIT_USAGE;
	}
	return 0;
}

static void print_crash(struct jobs *J, int wi, int wstatus, uint64_t seed_or_path)
{
	struct explore *ex = J->ex;
	const struct cli_opts *c = ex->c;
	char st[120];
	describe_status(st, sizeof(st), wstatus);
	fflush(stdout);
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
			"simk: explore: worker %d of %d %s while running path %" PRIu64
			" (policy dfs, bound %d, seed %" PRIu64 ")\n",
			wi + 1, J->nw, st, seed_or_path, ex->bound, ex->start);
		/* the one-process search stops right after that path */
		fputs("reproduce: ", stderr);
		cli_shell_word(stderr, c->argv0);
		fputs(" explore ", stderr);
		cli_shell_word(stderr, c->file);
		fprintf(stderr, " --policy dfs --bound %d --seed-start %" PRIu64 " --runs %" PRIu64,
			ex->bound, ex->start, seed_or_path);
		if (c->has_max_steps)
			fprintf(stderr, " --max-steps %" PRIu64, c->max_steps);
		for (int i = 0; i < c->nfaults; i++) {
			fputs(" --fault ", stderr);
			cli_shell_word(stderr, c->faults[i]);
		}
		fputc('\n', stderr);
	}
	fflush(stderr);
}

/* Runs the stopping run of the search again, here, and reports it. */
static int rerun_stop(struct jobs *J, const struct simk_opts *o, uint64_t done, int kind)
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
		fprintf(stderr, "simk: explore: the workers stopped before run %" PRIu64
				" of %" PRIu64 " (see above)\n",
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
	explore_summary(ex, ex->total, J->hs.n, false);
	return 0;
}

static int finish_dfs(struct jobs *J)
{
	struct explore *ex = J->ex;
	size_t at = 0;
	uint64_t off = 0;
	int r = dfs_walk(J, &at, &off);
	if (r == R_OPEN) {
		fprintf(stderr, "simk: explore: every worker is gone before the search ended\n");
		return EXIT_USAGE;
	}
	if (r == R_STOP) {
		struct task *t = J->t[at];
		uint64_t done = off + t->stop_at;
		if (t->stop == STOP_CRASH) {
			if (ex->bar)
				explore_progress(ex, done, true);
			print_crash(J, t->worker, t->wstatus, done);
			return SIMK_FAIL_PANIC;
		}
		if (t->path_n > 0 && simk_dfs_restart(ex->base.dfs, t->path, t->path + t->path_n,
						      t->path_n, t->path_n) != 0) {
			fprintf(stderr, "simk: explore: out of memory\n");
			return EXIT_USAGE;
		}
		if (t->path_n == 0 && simk_dfs_restart(ex->base.dfs, t->key, t->key + t->n, t->n,
						       t->n) != 0) {
			fprintf(stderr, "simk: explore: out of memory\n");
			return EXIT_USAGE;
		}
		return rerun_stop(J, &ex->base, done, t->stop);
	}
	/* every path passed: the distinct hashes of the first ones */
	uint64_t want = r == R_CAP ? ex->total : off, have = 0;
	struct hashset hs = {NULL, 0, 0, false};
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < J->nt && have < want; i++) {
		struct task *t = J->t[i];
		uint64_t passed = t->stop != STOP_NONE ? t->stop_at - 1 : t->nhash;
		uint64_t take = passed < want - have ? passed : want - have;
		if (t->nhash < take) /* its worker crashed before sending them */
			rc = dfs_refill(J, t, take);
		for (uint64_t k = 0; rc == 0 && k < take; k++)
			if (hs_add(&hs, t->hash[k]) != 0) {
				fprintf(stderr, "simk: explore: out of memory\n");
				rc = EXIT_USAGE;
			}
		have += take;
	}
	if (rc == 0)
		explore_summary(ex, want, hs.n, r == R_COMPLETE);
	hs_free(&hs);
	return rc;
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
		if (J->ex->dfs && !J->resolved && J->fatal == NULL && !J->nomem) {
			size_t at;
			uint64_t off;
			if (dfs_walk(J, &at, &off) != R_OPEN) {
				J->resolved = true;
				stop_workers(J, false);
			} else {
				dfs_dispatch(J);
				dfs_balance(J);
				bool busy = false;
				for (int i = 0; i < J->nw; i++)
					busy |= J->w[i].task != NULL;
				if (!busy) /* nothing runs and nothing waits: never decided */
					set_fatal(J, "internal error: the search ran out of work", -1, 0);
			}
		}
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
	void *mem = mmap(NULL, J.shm_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
			 -1, 0);
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
	if (ex->dfs && task_add(&J, NULL, NULL, 0) == NULL) {
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
			strerror(errno));
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
		rc = ex->dfs ? finish_dfs(&J) : finish_seeds(&J);
	}
	for (int i = 0; i < jobs; i++)
		free(J.w[i].in);
	for (size_t i = 0; i < J.nt; i++)
		task_free(J.t[i]);
	free(J.t);
	free(J.w);
	hs_free(&J.hs);
	munmap(mem, J.shm_size);
	return rc;
}

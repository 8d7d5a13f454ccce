/*
 * simk explore --policy dfs --jobs N: the bounded exhaustive search cut
 * into subtrees that worker processes search (explore_jobs.c runs the
 * processes).
 *
 * A task is the subtree under a path prefix: simk_dfs_restart() points a
 * search state at the prefix and keeps it inside. The parent hands tasks
 * to idle workers; when a worker is idle and no task waits, it asks the
 * busy ones for work, and a busy worker gives away the untried choices at
 * the shallowest decision still open to it (within the bound), one task
 * each, and keeps the subtree under its current choice there.
 *
 * The invariant that makes the output that of the one-process search:
 * the paths of a task are the paths of the whole search that come at or
 * after its prefix and before the next task's prefix, in depth-first
 * (lexicographic) order, a prefix before its extensions. Given siblings
 * come after everything their giver keeps (they are the last branches of
 * its subtree) and before whatever followed its subtree. So the tasks,
 * sorted by prefix, are consecutive blocks of the one-process order: the
 * parent numbers paths as it does, applies the --runs cap and picks the
 * first failing path. Workers send one hash per passed path, in order.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/explore_jobs.h"

/* ---- worker side ---- */

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
				out_nomem(o);
			memcpy(key, ch, k * sizeof(*key));
			memcpy(key + k + 1, nc, (k + 1) * sizeof(*key));
			for (uint32_t c = ch[k] + 1; c < nc[k]; c++) {
				key[k] = c;
				out_msg(o, M_GIVE, k + 1, 0, 0, key, key + k + 1);
			}
			free(key);
			out_flush(o);
			if (simk_dfs_restart(d, ch, nc, len, k + 1) != 0)
				out_nomem(o);
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
		out_nomem(o); /* the parent sent a prefix a run recorded */
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

int dfs_worker(struct explore *ex, struct shm *sh, int wi, int cfd, struct out *o)
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
				out_nomem(o);
		}
		if (c.n > 0 && !read_all(cfd, key, 2 * (size_t)c.n * sizeof(*key)))
			break;
		dfs_task(ex, &sh->w[wi], c.id, key, key + c.n, c.n, o);
	}
	free(key);
	return 0;
}

/* ---- parent side ---- */

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

/* Folds the finished tasks at the head of the order, while they do not
 * reach the --runs cap, into a count and a hash set: the walk below and
 * the memory stay proportional to the open part of the search. */
static void dfs_fold(struct jobs *J)
{
	size_t k = 0;
	while (k < J->nt && !J->nomem) {
		struct task *t = J->t[k];
		if (t->state != T_DONE || t->stop != STOP_NONE ||
		    J->folded + t->nhash >= J->ex->total)
			break;
		for (size_t i = 0; i < t->nhash && !J->nomem; i++)
			J->nomem = hs_add(&J->folded_hs, t->hash[i]) != 0;
		J->folded += t->nhash;
		task_free(t);
		k++;
	}
	if (k > 0) {
		memmove(J->t, J->t + k, (J->nt - k) * sizeof(*J->t));
		J->nt -= k;
	}
}

/*
 * Walks the tasks in path order: R_STOP (*at: the task, *off: paths
 * before it), R_CAP (--runs paths are known and more exist), R_COMPLETE
 * (every path ran, *off of them) or R_OPEN. Marks the tasks that cannot
 * matter any more: queued ones are dropped, running ones abandoned.
 */
static int dfs_walk(struct jobs *J, size_t *at, uint64_t *off)
{
	dfs_fold(J);
	uint64_t cap = J->ex->total, before = J->folded, lower = J->folded;
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

int dfs_finish(struct jobs *J)
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
		if (t->path_n == 0 &&
		    simk_dfs_restart(ex->base.dfs, t->key, t->key + t->n, t->n, t->n) != 0) {
			fprintf(stderr, "simk: explore: out of memory\n");
			return EXIT_USAGE;
		}
		return rerun_stop(J, &ex->base, done, t->stop);
	}
	/* every path passed: the distinct hashes of the first ones */
	uint64_t want = r == R_CAP ? ex->total : off, have = J->folded;
	struct hashset hs = J->folded_hs;
	memset(&J->folded_hs, 0, sizeof(J->folded_hs));
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
		explore_summary(ex, want, &hs, r == R_COMPLETE);
	hs_free(&hs);
	return rc;
}

int dfs_init(struct jobs *J)
{
	return task_add(J, NULL, NULL, 0) != NULL ? 0 : -1; /* the whole tree */
}

void dfs_free(struct jobs *J)
{
	for (size_t i = 0; i < J->nt; i++)
		task_free(J->t[i]);
	free(J->t);
	J->t = NULL;
	J->nt = J->tcap = 0;
	hs_free(&J->folded_hs);
}

/* A message of dfs worker wi (about its current task). */
void dfs_msg(struct jobs *J, int wi, const struct msg *m, const unsigned char *pl)
{
	struct worker *w = &J->w[wi];
	struct task *t = w->task;
	const uint32_t *ch = (const uint32_t *)(const void *)pl;
	if (t == NULL) {
		set_fatal(J, "sent a message outside a task", wi, 0);
		return;
	}
	switch (m->kind) {
	case M_HASHES:
		for (uint32_t i = 0; i < m->n && !J->nomem; i++) {
			uint64_t h;
			memcpy(&h, pl + 8 * (size_t)i, sizeof(h));
			J->nomem = task_push_hash(t, h) != 0;
		}
		break;
	case M_STOP:
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
		break;
	case M_GIVE:
		if (task_add(J, ch, ch + m->n, m->n) == NULL)
			J->nomem = true;
		break;
	case M_TASK_END:
		t->state = t->abandoned ? T_DROPPED : T_DONE;
		w->task = NULL;
		break;
	default:
		set_fatal(J, "sent a message the parent does not know", wi, 0);
	}
}

/* Worker wi is gone on its own (cur: the path number it was in). */
void dfs_worker_died(struct jobs *J, int wi, uint64_t cur, int wstatus, bool clean)
{
	struct worker *w = &J->w[wi];
	struct task *t = w->task;
	if (t == NULL) {
		if (!clean)
			set_fatal(J, "died outside a run", wi, wstatus);
		return;
	}
	w->task = NULL;
	if (cur == NO_RUN || t->stop != STOP_NONE) {
		set_fatal(J, "died outside a run", wi, wstatus);
		return;
	}
	t->stop = STOP_CRASH;
	t->stop_at = cur;
	t->worker = wi;
	t->wstatus = wstatus;
	t->state = t->abandoned ? T_DROPPED : T_DONE;
}

/* After messages: decided? Else hand out tasks and ask for work. */
void dfs_step(struct jobs *J)
{
	size_t at;
	uint64_t off;
	if (dfs_walk(J, &at, &off) != R_OPEN) {
		J->resolved = true;
		stop_workers(J, false);
		return;
	}
	dfs_dispatch(J);
	dfs_balance(J);
	bool busy = false;
	for (int i = 0; i < J->nw; i++)
		busy |= J->w[i].task != NULL;
	if (!busy) /* nothing runs and nothing waits: never decided */
		set_fatal(J, "internal error: the search ran out of work", -1, 0);
}

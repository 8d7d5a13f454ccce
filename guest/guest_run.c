/*
 * One run of a guest program: the guest's process and main thread, the
 * per-run state every runtime call finds through guest_self(), the
 * output log, and the end-of-run checks (exit status, heap leaks). It is
 * also the guest's face towards the commands: a foreign program kind of
 * the scenario layer (scn.h), so run, explore, check-determinism and the
 * rest take a guest wherever they take a scenario.
 *
 * A run starts from the state the program had right after loading: the
 * writable segments are restored from their snapshot, the heap arena is
 * empty, the process is new (no fds but the console), and every runtime
 * table is fresh. That is what makes `simk explore ./prog` a loop of
 * independent runs in one host process.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest/guest.h"
#include "kern/proc.h"
#include "kern/signal.h"
#include "kern/umem.h"
#include "scn/scn.h"
#include "vfs/vfs.h"

int guest_subsys_slot = -1; /* guest_register() */

#define OUTPUT_CHUNKS_MAX 100000 /* console writes kept per run for printing */

/* The run's output, kept for `simk run` to print (the trace has its hash). */
struct out_chunk {
	int stream;
	size_t len;
	char *bytes;
};

struct guest_out {
	struct out_chunk *c;
	size_t n, cap;
	size_t dropped;
};

static struct guest_run *run_of(const struct simk *s)
{
	return s != NULL ? s->subsys[guest_subsys_slot] : NULL;
}

struct guest_run *guest_run_current(void)
{
	return run_of(sim_cur());
}

struct guest_thread *guest_thread_of(struct guest_run *r, int tid)
{
	if (r == NULL || tid <= 0 || tid >= r->nthreads_cap)
		return NULL;
	return r->threads[tid];
}

extern bool guest_loading;
extern char guest_load_error[256];

/* What a runtime call made outside any guest thread works on: its
 * kernel calls fail (-EPERM from the entry path), its run is NULL. */
static struct guest_thread outsider;

struct guest_thread *guest_self(const char *call)
{
	struct simk *s = sim_cur();
	struct guest_run *r = run_of(s);
	struct simk_thread *t = s != NULL && !s->in_irq ? s->current : NULL;
	struct guest_thread *gt = t != NULL ? guest_thread_of(r, t->tid) : NULL;
	if (gt != NULL)
		return gt;
	if (guest_loading) {
		if (guest_load_error[0] == '\0')
			snprintf(guest_load_error, sizeof(guest_load_error),
				 "calls %s() while it is loaded (a constructor?): guest code runs "
				 "only from main()",
				 call);
	} else if (s != NULL && s->running) {
		sim_fail(SIMK_FAIL_PANIC, "%s() called by %s, which is not a guest thread", call,
			 t != NULL ? t->name : "interrupt context");
	} else {
		fprintf(stderr, "simk: guest called %s() outside a run (a destructor?)\n", call);
	}
	memset(&outsider, 0, sizeof(outsider));
	return &outsider;
}

/* The run of a guest thread (NULL for the outsider). */
struct guest_run *guest_run_of(const struct guest_thread *gt)
{
	return gt == &outsider ? NULL : guest_run_current();
}

/* ---- output -------------------------------------------------------------- */

static struct guest_out *out_of(struct guest_run *r);

static void console_sink(int stream, const void *buf, size_t len)
{
	struct guest_run *r = guest_run_current();
	struct guest_out *o = r != NULL ? out_of(r) : NULL;
	if (o == NULL)
		return;
	if (o->n == o->cap) {
		size_t ncap = o->cap ? o->cap * 2 : 64;
		struct out_chunk *nc =
		    o->n < OUTPUT_CHUNKS_MAX ? realloc(o->c, ncap * sizeof(*nc)) : NULL;
		if (nc == NULL) {
			o->dropped += len;
			return;
		}
		o->c = nc;
		o->cap = ncap;
	}
	char *b = malloc(len);
	if (b == NULL) {
		o->dropped += len;
		return;
	}
	memcpy(b, buf, len);
	o->c[o->n].stream = stream;
	o->c[o->n].len = len;
	o->c[o->n].bytes = b;
	o->n++;
}

static void out_free(struct guest_out *o)
{
	for (size_t i = 0; i < o->n; i++)
		free(o->c[i].bytes);
	free(o->c);
	free(o);
}

/* ---- the main thread --------------------------------------------------------- */

static void main_entry(void *arg)
{
	struct guest_thread *gt = arg;
	struct guest_run *r = guest_run_current();
	int e = vfs_console_install(r->proc);
	if (e != 0)
		sim_fail(SIMK_FAIL_PANIC, "guest: cannot open the console: %s", strerror(-e));
	guest_thread_start(gt, NULL, NULL); /* main() */
}

/* ---- the subsystem ------------------------------------------------------------- */

static int guest_create(struct simk *s)
{
	(void)s;
	return 0;
}

static void guest_thread_exit(struct simk_thread *t)
{
	struct guest_run *r = run_of(sim_cur());
	struct guest_thread *gt = guest_thread_of(r, t->tid);
	if (gt != NULL)
		guest_thread_exited(r, gt);
}

/* Every guest thread has exited: the exit status and the heap decide. */
static void guest_end(struct simk *s)
{
	struct guest_run *r = run_of(s);
	if (r == NULL || s->outcome != SIMK_PASS)
		return;
	/* the verdict is the first process's: its image and state back */
	if (r->main != NULL)
		guest_image_switch(r, r->main);
	int st = proc_wait_status(r->proc); /* SIGKILL ends it in the kernel */
	if (r->termsig == 0 && simk_wifsignaled(st))
		r->termsig = simk_wtermsig(st);
	if (r->termsig != 0) {
		sim_fail_record(SIMK_FAIL_EXPECT, "%s was killed by %s%s", r->prog->name,
				sig_name(r->termsig),
				r->termsig == SIMK_SIGPIPE ? " (a write to a pipe nobody reads: ignore "
							     "SIGPIPE to get EPIPE)"
							   : "");
		return;
	}
	if (r->exit_status != 0) {
		sim_fail_record(SIMK_FAIL_EXPECT, "%s exited with status %d%s", r->prog->name,
				r->exit_status, r->exit_how);
		return;
	}
	char msg[300];
	if (guest_heap_leaks(r, msg, sizeof(msg)) != 0)
		sim_fail_record(SIMK_FAIL_EXPECT, "%s", msg);
}

static void guest_destroy(struct simk *s)
{
	struct guest_run *r = run_of(s);
	if (r == NULL)
		return;
	guest_image_free(r); /* every process's image and state but the resident's */
	guest_objs_free(r);
	guest_heap_run_end(r);
	for (int i = 0; i < r->nthreads_cap; i++)
		free(r->threads[i]);
	free(r->threads);
	out_free(r->out);
	free(r);
	s->subsys[guest_subsys_slot] = NULL;
	guest_sig_hook(false);
	guest_hooks_reset();
}

static const struct sim_subsys guest_subsys = {
    .name = "guest",
    .create = guest_create,
    .thread_exit = guest_thread_exit,
    .end = guest_end,
    .destroy = guest_destroy,
};

static struct guest_out *out_of(struct guest_run *r)
{
	return r->out;
}

struct guest_thread *guest_thread_new(struct guest_run *r, struct simk_thread *t)
{
	if (t->tid >= r->nthreads_cap) {
		int ncap = r->nthreads_cap ? r->nthreads_cap * 2 : 16;
		while (ncap <= t->tid)
			ncap *= 2;
		struct guest_thread **nt = realloc(r->threads, (size_t)ncap * sizeof(*nt));
		if (nt == NULL)
			return NULL;
		memset(nt + r->nthreads_cap, 0, (size_t)(ncap - r->nthreads_cap) * sizeof(*nt));
		r->threads = nt;
		r->nthreads_cap = ncap;
	}
	struct guest_thread *gt = calloc(1, sizeof(*gt));
	if (gt == NULL)
		return NULL;
	gt->tid = t->tid;
	gt->t = t;
	waitq_init(&gt->join_wq, "pthread_join");
	r->threads[t->tid] = gt;
	return gt;
}

/* ---- the program kind ------------------------------------------------------------ */

static bool prog_claims(const char *path)
{
	return guest_is_elf(path);
}

static void *prog_load(const char *path, const char *const *args, int nargs, char *err,
		       size_t errlen)
{
	if (nargs > GUEST_ARGS_MAX) {
		snprintf(err, errlen, "%s: at most %d arguments", path, GUEST_ARGS_MAX);
		return NULL;
	}
	struct guest_prog *g = guest_load(path, err, errlen);
	if (g == NULL)
		return NULL;
	size_t bytes = strlen(g->name) + 1;
	for (int i = 0; i < nargs; i++) {
		g->argv[1 + i] = strdup(args[i]);
		bytes += strlen(args[i]) + 1 + sizeof(char *);
		g->argc++;
	}
	if (bytes + 2 * sizeof(char *) > GUEST_ARGV_BYTES) {
		snprintf(err, errlen, "%s: the arguments take more than %d bytes", path,
			 GUEST_ARGV_BYTES);
		guest_prog_free_args(g);
		guest_unload(g);
		return NULL;
	}
	return g;
}

void guest_prog_free_args(struct guest_prog *g)
{
	for (int i = 1; i < g->argc; i++)
		free(g->argv[i]);
	g->argc = 1;
}

static void prog_free(void *p)
{
	struct guest_prog *g = p;
	guest_prog_free_args(g);
	guest_unload(g);
}

static void prog_apply_options(const void *p, struct simk_opts *o)
{
	(void)p;
	o->stack_size = GUEST_STACK_SIZE;
}

static int prog_instantiate(struct simk *s, const void *p, char *err, size_t errlen)
{
	struct guest_prog *g = (struct guest_prog *)p;
	if (s->subsys[guest_subsys_slot] != NULL) {
		snprintf(err, errlen, "a guest program is already running in this simulation");
		return -1;
	}
	if (s->opts.stack_size < GUEST_STACK_SIZE) {
		snprintf(err, errlen, "guest threads need stacks of %d bytes", GUEST_STACK_SIZE);
		return -1;
	}
	struct guest_run *r = calloc(1, sizeof(*r));
	struct guest_out *o = calloc(1, sizeof(*o));
	if (r == NULL || o == NULL) {
		free(r);
		free(o);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	r->prog = g;
	r->out = o;
	r->exit_how = "";
	waitq_init(&r->fs_wq, "guest_mount");
	s->subsys[guest_subsys_slot] = r;
	guest_sig_hook(true); /* until guest_destroy */
	guest_restore(g);
	guest_hooks_reset();
	guest_race_on = g->race;
	guest_spin_budget = g->spin_budget;
	r->proc = simk_proc_create(s, g->name);
	if (r->proc == NULL || guest_heap_run_init(r) != 0 || guest_objs_init(r) != 0 ||
	    guest_image_main(r) != 0) {
		snprintf(err, errlen, "%s: cannot start its process", g->name);
		return -1;
	}
	guest_sig_run_init(r);
	for (int i = 0; i < g->nsegs; i++) {
		const struct guest_seg *sg = &g->segs[i];
		int e = umem_map_identity(r->proc, (void *)sg->start, sg->len, sg->prot,
					  sg->exec ? "text" : "data", NULL, NULL);
		if (e != 0) {
			snprintf(err, errlen, "%s: cannot map its segment at %#lx: %s", g->name,
				 (unsigned long)sg->start, strerror(-e));
			return -1;
		}
	}
	struct simk_thread *t = sim_thread_spawn(r->proc, "main", main_entry, NULL, false);
	struct guest_thread *gt = t != NULL ? guest_thread_new(r, t) : NULL;
	if (gt == NULL) {
		snprintf(err, errlen, "%s: cannot start its main thread", g->name);
		return -1;
	}
	t->arg = gt;
	gt->argc = g->argc;
	gt->argv_src = g->argv;
	return 0;
}

static void prog_print_blocked(const struct simk *s, void *file)
{
	struct guest_run *r = run_of(s);
	if (r != NULL)
		guest_print_threads(r, s, file);
}

static int prog_failure_site(const struct simk *s, char *buf, size_t len)
{
	struct guest_run *r = run_of(s);
	if (r == NULL || r->fail_site[0] == '\0')
		return -1;
	snprintf(buf, len, "%s", r->fail_site);
	return 0;
}

void guest_print_output(const struct simk *s, void *out, void *err)
{
	struct guest_run *r = run_of(s);
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->out->n; i++) {
		const struct out_chunk *c = &r->out->c[i];
		FILE *f = c->stream == 2 ? err : out;
		if (f != NULL)
			fwrite(c->bytes, 1, c->len, f);
	}
	if (r->out->dropped > 0 && err != NULL)
		fprintf(err, "simk: %zu bytes of output not kept\n", r->out->dropped);
	if (out != NULL)
		fflush(out);
}

static const struct scn_foreign guest_kind = {
    .name = "guest",
    .claims = prog_claims,
    .load = prog_load,
    .free = prog_free,
    .apply_options = prog_apply_options,
    .instantiate = prog_instantiate,
    .print_blocked = prog_print_blocked,
    .failure_site = prog_failure_site,
    .print_output = guest_print_output,
    .thread_site = guest_thread_site,
};

void guest_register(void)
{
	guest_subsys_slot = sim_subsys_register(&guest_subsys);
	guest_image_register();
	scn_register_foreign(&guest_kind);
	vfs_console_set_sink(console_sink);
}

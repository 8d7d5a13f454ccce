/*
 * Happens-before edges of a kept trace and "how we got here"
 * (sim/trace_cause.h). One forward pass finds each event's cross-thread
 * cause with a few maps keyed by what the events name: the thread a
 * wake-up woke, the request id a link carries (trace_desc.link), the
 * process a signal went to, the variable a store wrote. The chain walks
 * those edges backwards from the failure.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sim/engine.h"
#include "sim/trace_cause.h"

#define KEY_MAX 64
#define RACE_LOOKBACK_MAX 64 /* program-order steps back to a store's read */

/* ---- a small map: string key -> event index ------------------------- */

struct kv {
	char key[KEY_MAX];
	int64_t val;
};

struct map {
	struct kv *slots;
	size_t cap, used;
};

static uint64_t key_hash(const char *k)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *k; k++)
		h = (h ^ (unsigned char)*k) * 1099511628211ULL;
	return h;
}

static int map_grow(struct map *m)
{
	size_t ncap = m->cap ? m->cap * 2 : 256;
	struct kv *ns = calloc(ncap, sizeof(*ns));
	if (ns == NULL)
		return -1;
	for (size_t i = 0; i < m->cap; i++) {
		if (m->slots[i].key[0] == '\0')
			continue;
		size_t j = key_hash(m->slots[i].key) & (ncap - 1);
		while (ns[j].key[0] != '\0')
			j = (j + 1) & (ncap - 1);
		ns[j] = m->slots[i];
	}
	free(m->slots);
	m->slots = ns;
	m->cap = ncap;
	return 0;
}

static struct kv *map_slot(struct map *m, const char *key)
{
	size_t j = key_hash(key) & (m->cap - 1);
	while (m->slots[j].key[0] != '\0' && strcmp(m->slots[j].key, key) != 0)
		j = (j + 1) & (m->cap - 1);
	return &m->slots[j];
}

static int64_t map_get(struct map *m, const char *key)
{
	if (m->cap == 0)
		return -1;
	struct kv *s = map_slot(m, key);
	return s->key[0] != '\0' ? s->val : -1;
}

static int map_put(struct map *m, const char *key, int64_t val)
{
	if ((m->used + 1) * 2 > m->cap && map_grow(m) != 0)
		return -1;
	struct kv *s = map_slot(m, key);
	if (s->key[0] == '\0') {
		snprintf(s->key, sizeof(s->key), "%s", key);
		m->used++;
	}
	s->val = val;
	return 0;
}

/* ---- what events name ----------------------------------------------- */

/* A scenario store's variable: "x =" -> "x", "buf[] =" (a1 = index) ->
 * "buf[3]". False for a print. */
static bool store_key(const struct trace_ev *e, char *key, size_t len)
{
	if (e->type != TR_USER || e->name == NULL)
		return false;
	size_t n = strlen(e->name);
	if (n < 2 || strcmp(e->name + n - 2, " =") != 0)
		return false;
	if (n >= 4 && strcmp(e->name + n - 4, "[] =") == 0)
		snprintf(key, len, "v:%.*s[%" PRId64 "]", (int)(n - 4), e->name, e->a[1]);
	else
		snprintf(key, len, "v:%.*s", (int)(n - 2), e->name);
	return true;
}

static void read_key(const struct trace_ev *e, char *key, size_t len)
{
	if (e->a[2] != 0)
		snprintf(key, len, "v:%s[%" PRId64 "]", e->name, e->a[1]);
	else
		snprintf(key, len, "v:%s", e->name);
}

/* A signal's send ("kern:kill", "kern:sigqueue", "kern:tkill") or
 * delivery ("kern:sigdequeue"): signo a0 to pid a1. */
static bool signal_key(const struct trace_ev *e, char *key, size_t len, bool *delivery)
{
	if (e->type != TR_SIGNAL || e->name == NULL)
		return false;
	*delivery = strstr(e->name, "dequeue") != NULL;
	if (!*delivery && e->a[3] != 0)
		return false; /* ignored, coalesced or dropped: nothing to deliver */
	snprintf(key, len, "s:%" PRId64 ":%" PRId64, e->a[1], e->a[0]);
	return true;
}

const char *trace_edge_name(enum trace_edge_kind k)
{
	static const char *const names[EDGE_KIND_COUNT] = {
	    [EDGE_NONE] = "",	     [EDGE_ORDER] = "then",    [EDGE_WAKE] = "woken",
	    [EDGE_LINK] = "carried", [EDGE_SIGNAL] = "signal", [EDGE_VALUE] = "reads"};
	return k < EDGE_KIND_COUNT ? names[k] : "?";
}

void trace_causes_free(struct trace_causes *c)
{
	free(c->from);
	free(c->kind);
	free(c->prev);
	memset(c, 0, sizeof(*c));
}

int trace_causes_build(const struct trace_ev *evs, size_t n, struct trace_causes *c)
{
	memset(c, 0, sizeof(*c));
	c->n = n;
	c->from = malloc((n + 1) * sizeof(*c->from));
	c->kind = calloc(n + 1, sizeof(*c->kind));
	c->prev = malloc((n + 1) * sizeof(*c->prev));
	struct map last = {0}; /* thread -> its last event; "w:T" -> pending wake */
	struct map keys = {0}; /* variables, links, signals -> last source */
	int rc = c->from != NULL && c->kind != NULL && c->prev != NULL ? 0 : -1;
	for (size_t i = 0; i < n && rc == 0; i++) {
		const struct trace_ev *e = &evs[i];
		char k[KEY_MAX];
		c->from[i] = -1;
		c->prev[i] = -1;
		/* program order; an interrupt handler's events follow its
		 * TR_IRQ, and separate handlers are unrelated */
		snprintf(k, sizeof(k), "t:%d", e->tid);
		if (!(e->tid == 0 && e->type == TR_IRQ))
			c->prev[i] = map_get(&last, k);
		rc |= map_put(&last, k, (int64_t)i);
		/* a pending wake-up of this thread */
		if (e->tid != 0) {
			snprintf(k, sizeof(k), "w:%d", e->tid);
			int64_t w = map_get(&last, k);
			if (w >= 0) {
				c->from[i] = w;
				c->kind[i] = EDGE_WAKE;
				rc |= map_put(&last, k, -1);
			}
		}
		if (e->type == TR_WAKE) {
			snprintf(k, sizeof(k), "w:%" PRId64, e->a[0]);
			rc |= map_put(&last, k, (int64_t)i);
			continue;
		}
		bool delivery;
		if (store_key(e, k, sizeof(k))) {
			rc |= map_put(&keys, k, (int64_t)i);
		} else if (e->type == TR_READ) {
			read_key(e, k, sizeof(k));
			int64_t w = map_get(&keys, k);
			if (w >= 0 && evs[w].tid != e->tid && c->from[i] < 0) {
				c->from[i] = w;
				c->kind[i] = EDGE_VALUE;
			}
		} else if (signal_key(e, k, sizeof(k), &delivery)) {
			if (!delivery) {
				rc |= map_put(&keys, k, (int64_t)i);
			} else {
				int64_t s = map_get(&keys, k);
				if (s >= 0 && c->from[i] < 0) {
					c->from[i] = s;
					c->kind[i] = EDGE_SIGNAL;
				}
			}
		} else if (e->type == TR_INFO || e->type == TR_IRQ) {
			const struct trace_desc *d = trace_desc_find(e->name);
			if (d == NULL || d->link == NULL || d->link_arg >= TRACE_ARGS)
				continue;
			const char *ns[2] = {d->link, d->link2};
			uint8_t arg[2] = {d->link_arg, d->link2_arg};
			uint8_t role[2] = {d->link_role, d->link2_role};
			int64_t from = -1;
			for (int l = 0; l < 2; l++) { /* a bridge: the later cause of the two */
				if (ns[l] == NULL || arg[l] >= TRACE_ARGS || role[l] != TRACE_LINK_TO ||
				    (l == 1 && e->a[arg[l]] == 0))
					continue;
				snprintf(k, sizeof(k), "l:%s:%" PRId64, ns[l], e->a[arg[l]]);
				int64_t s = map_get(&keys, k);
				if (s > from)
					from = s;
			}
			if (from >= 0 && c->from[i] < 0) {
				c->from[i] = from;
				c->kind[i] = EDGE_LINK;
			}
			for (int l = 0; l < 2; l++) { /* the chains go on from here */
				/* a second id of 0: the event has none (buffered AIO) */
				if (ns[l] == NULL || arg[l] >= TRACE_ARGS || (l == 1 && e->a[arg[l]] == 0))
					continue;
				snprintf(k, sizeof(k), "l:%s:%" PRId64, ns[l], e->a[arg[l]]);
				rc |= map_put(&keys, k, (int64_t)i);
			}
		}
	}
	free(last.slots);
	free(keys.slots);
	if (rc != 0)
		trace_causes_free(c);
	return rc;
}

/* ---- how we got here ------------------------------------------------ */

/* Events a chain shows: what the program did and what woke or fed it;
 * not bookkeeping. */
static bool shown_in_chain(const struct trace_ev *e)
{
	return e->type != TR_DECISION && e->type != TR_CLOCK && trace_ev_level(e) < TRACE_LEVEL_ALL;
}

static void step_line(const struct simk *s, const struct trace_ev *e, const char *why,
		      const char *src, FILE *f)
{
	char text[256];
	trace_format_ev(e, text, sizeof(text));
	char who[40];
	if (e->tid == 0)
		snprintf(who, sizeof(who), "irq");
	else if (s != NULL && e->tid <= s->nthreads)
		snprintf(who, sizeof(who), "T%d %s", e->tid, s->threads[e->tid - 1]->name);
	else
		snprintf(who, sizeof(who), "T%d", e->tid);
	fprintf(f, "  %12" PRIu64 "ns  %-7s %-14s %s", e->vtime_ns, why, who, text);
	if (e->line != 0)
		fprintf(f, "  [%s:%u]", src != NULL ? src : "line", (unsigned)e->line);
	fputc('\n', f);
}

/* A store w by a thread that read the same variable earlier (load, then
 * store): another thread's store in between was overwritten unseen. */
static void note_lost_update(const struct simk *s, const struct trace_ev *evs,
			     const struct trace_causes *c, int64_t w, const char *src, FILE *f)
{
	char key[KEY_MAX], rk[KEY_MAX];
	if (!store_key(&evs[w], key, sizeof(key)))
		return;
	int64_t r = c->prev[w];
	for (int steps = 0; r >= 0 && steps < RACE_LOOKBACK_MAX; steps++, r = c->prev[r]) {
		if (evs[r].type != TR_READ)
			continue;
		read_key(&evs[r], rk, sizeof(rk));
		if (strcmp(rk, key) == 0)
			break;
	}
	if (r < 0 || evs[r].type != TR_READ)
		return;
	for (int64_t i = r + 1; i < w; i++) {
		char ok[KEY_MAX];
		if (evs[i].tid == evs[w].tid || !store_key(&evs[i], ok, sizeof(ok)) ||
		    strcmp(ok, key) != 0)
			continue;
		fprintf(f,
			"  %14s  !! lost update: this store overwrites, unread, the store below\n",
			"");
		fprintf(f, "  %14s     made after this thread read %s at %" PRIu64 "ns:\n", "",
			key + 2, evs[r].vtime_ns);
		step_line(s, &evs[i], "race", src, f);
	}
}

/* A read r of the chain ending at end: another thread stores the same
 * variable after it but before the reading thread acts (its next store,
 * call or sleep): the thread acts on a stale value (check, then act). A
 * store back to the variable is left to note_lost_update. */
static void note_stale_read(const struct simk *s, const struct trace_ev *evs, int64_t r,
			    int64_t end, const char *src, FILE *f)
{
	char key[KEY_MAX], ok[KEY_MAX];
	read_key(&evs[r], key, sizeof(key));
	int64_t act = r + 1;
	for (; act < end; act++) {
		const struct trace_ev *e = &evs[act];
		if (e->tid != evs[r].tid)
			continue;
		if (e->type == TR_SYSCALL_ENTER || e->type == TR_SLEEP)
			break;
		if (store_key(e, ok, sizeof(ok))) {
			if (strcmp(ok, key) == 0)
				return;
			break;
		}
	}
	for (int64_t i = r + 1; i < act; i++) {
		if (evs[i].tid == evs[r].tid || !store_key(&evs[i], ok, sizeof(ok)) ||
		    strcmp(ok, key) != 0)
			continue;
		fprintf(
		    f,
		    "  %14s  !! stale: another thread stores %s before this thread acts on it:\n",
		    "", key + 2);
		step_line(s, &evs[i], "race", src, f);
		return;
	}
}

/* The first argument of a call, as printed: "wq" of "wake(wq)". */
static bool call_object(const struct trace_ev *e, char *buf, size_t len)
{
	if (e->type != TR_SYSCALL_ENTER)
		return false;
	char text[256];
	trace_format_ev(e, text, sizeof(text));
	const char *open = strchr(text, '(');
	if (open == NULL)
		return false;
	size_t n = strcspn(open + 1, ",)");
	if (n == 0 || n >= len)
		return false;
	memcpy(buf, open + 1, n);
	buf[n] = '\0';
	return true;
}

/* A sleeper that went to sleep forever at sleep: the calls other threads
 * made on the object it sleeps on (its sleep call's first argument)
 * between its last test and its sleep: a wake-up that came too early. */
static void note_missed_wake(const struct simk *s, const struct trace_ev *evs,
			     const struct trace_causes *c, int64_t sleep, const char *src, FILE *f)
{
	int64_t call = c->prev[sleep];
	while (call >= 0 && evs[call].type != TR_SYSCALL_ENTER)
		call = c->prev[call];
	char obj[64];
	if (call < 0 || !call_object(&evs[call], obj, sizeof(obj)))
		return;
	int64_t test = c->prev[call];
	while (test >= 0 && evs[test].type != TR_READ && evs[test].type != TR_BRANCH &&
	       evs[test].type != TR_SYSCALL_EXIT)
		test = c->prev[test];
	for (int64_t i = test + 1; i < call; i++) {
		char other[64];
		if (evs[i].tid == evs[sleep].tid || !call_object(&evs[i], other, sizeof(other)) ||
		    strcmp(other, obj) != 0)
			continue;
		fprintf(f,
			"  %14s  !! missed: between this thread's last test and its sleep on %s,\n",
			"", obj);
		fprintf(f, "  %14s     another thread called:\n", "");
		step_line(s, &evs[i], "race", src, f);
	}
}

/* The chain ending at event end: walks back along cross edges (or program
 * order without one), keeping shown events; prints them oldest first. */
static int explain_from(const struct simk *s, const struct trace_ev *evs,
			const struct trace_causes *c, int64_t end, const char *src, FILE *f,
			int steps_max)
{
	int64_t *chain = malloc((size_t)steps_max * sizeof(*chain));
	uint8_t *why = malloc((size_t)steps_max);
	if (chain == NULL || why == NULL) {
		free(chain);
		free(why);
		return 0;
	}
	int n = 0;
	uint8_t edge = EDGE_NONE; /* the edge from the event found next to the last kept */
	int64_t skipped = 0;
	for (int64_t cur = end; cur >= 0;) {
		if (shown_in_chain(&evs[cur]) || cur == end) {
			if (n == steps_max) {
				skipped++;
			} else {
				chain[n] = cur;
				why[n] = edge;
				n++;
			}
			edge = EDGE_NONE;
		}
		int64_t next;
		uint8_t k;
		if (c->from[cur] >= 0) {
			next = c->from[cur];
			k = c->kind[cur];
		} else {
			next = c->prev[cur];
			k = EDGE_ORDER;
		}
		/* the strongest edge since the last kept event names the step */
		if (edge == EDGE_NONE || (edge == EDGE_ORDER && k != EDGE_ORDER))
			edge = k;
		cur = next;
		if (n == steps_max && skipped > 10000)
			break;
	}
	if (skipped > 0)
		fprintf(f, "  %14s  (%" PRId64 " earlier steps)\n", "", skipped);
	/* why[i] is the edge from chain[i] to chain[i-1] (the later one) */
	for (int i = n - 1; i >= 0; i--) {
		const char *label =
		    i == n - 1 ? "" : trace_edge_name((enum trace_edge_kind)why[i + 1]);
		step_line(s, &evs[chain[i]], label, src, f);
		if (store_key(&evs[chain[i]], (char[KEY_MAX]){0}, KEY_MAX))
			note_lost_update(s, evs, c, chain[i], src, f);
		if (evs[chain[i]].type == TR_READ)
			note_stale_read(s, evs, chain[i], end, src, f);
	}
	free(chain);
	free(why);
	return n;
}

int trace_explain_failure(const struct simk *s, const char *src, FILE *f, int steps_max)
{
	const struct trace_ev *evs = s->trace.evs;
	size_t n = s->trace.len;
	int64_t fail = -1;
	for (size_t i = n; i-- > 0;)
		if (evs[i].type == TR_PANIC) {
			fail = (int64_t)i;
			break;
		}
	if (fail < 0 || steps_max <= 0)
		return 0;
	struct trace_causes c;
	if (trace_causes_build(evs, n, &c) != 0)
		return 0;
	fprintf(f, "how we got here (oldest first; each step names the edge it follows):\n");
	int lines = 0;
	if (evs[fail].a[0] == SIMK_FAIL_DEADLOCK) {
		for (int i = 0; i < s->nthreads; i++) {
			const struct simk_thread *t = s->threads[i];
			if (t->state != TS_SLEEPING || t->daemon)
				continue;
			int64_t last = -1;
			for (size_t j = n; j-- > 0;)
				if (evs[j].tid == t->tid && evs[j].type == TR_SLEEP) {
					last = (int64_t)j;
					break;
				}
			if (last < 0)
				continue;
			fprintf(f, "  T%d %s sleeps on %s forever:\n", t->tid, t->name,
				t->wchan != NULL ? t->wchan : "?");
			lines += explain_from(s, evs, &c, last, src, f, steps_max);
			note_missed_wake(s, evs, &c, last, src, f);
		}
	} else {
		lines = explain_from(s, evs, &c, fail, src, f, steps_max);
	}
	fprintf(f, "  %14s  %s\n", "=>", s->reason);
	trace_causes_free(&c);
	return lines;
}

/*
 * Identity regions of user memory: host memory a process owns at its own
 * host address (kern/umem.h, "Identity regions"). The one tricky
 * invariant: a host address never reaches the trace. Every pointer the
 * system-call entry records goes through umem_trace_addr(), which turns an
 * identity address into its region's alias (fixed by the order of
 * registrations, which a deterministic program repeats) plus its offset.
 */
#include "kern/umem_ident.h"

#include <errno.h>
#include <string.h>

#include "kern/kmem.h"
#include "kern/umem.h"

static KMEM_TYPE(kmt_ident, "kern.umem_ident");
static KMEM_TYPE(kmt_ident_tab, "kern.umem_ident_tab");

struct umem_ident *umem_ident_of(struct simk_proc *p, bool create);

/* The index of the last region whose start is <= addr, or -1. */
static int ident_find(const struct umem_ident *id, uintptr_t addr)
{
	int lo = 0, hi = id->n; /* the answer is in [lo - 1, hi) */
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		if (id->r[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo - 1;
}

static const struct umem_ident_region *ident_region(const struct umem_ident *id, uaddr_t addr)
{
	if (id == NULL || id->n == 0)
		return NULL;
	int i = ident_find(id, (uintptr_t)addr);
	if (i < 0)
		return NULL;
	const struct umem_ident_region *r = &id->r[i];
	return (uintptr_t)addr - r->start < r->len ? r : NULL;
}

void *umem_ident_map(const struct umem_ident *id, uaddr_t addr, size_t len, int need, bool *hit)
{
	const struct umem_ident_region *r = ident_region(id, addr);
	*hit = r != NULL;
	if (r == NULL || len == 0)
		return NULL;
	uintptr_t off = (uintptr_t)addr - r->start;
	if (len > r->len - off || (r->prot & need) != need)
		return NULL;
	if (r->check != NULL && !r->check(r->check_arg, (uintptr_t)addr, len))
		return NULL;
	if (id->view != NULL)
		return id->view(id->view_arg, (uintptr_t)addr, len);
	return (void *)(uintptr_t)addr;
}

struct umem_ident *umem_ident_copy(const struct umem_ident *id)
{
	struct umem_ident *c = kmem_zalloc(&kmt_ident, sizeof(*c));
	if (c == NULL)
		return NULL;
	if (id->n > 0) {
		c->r = kmem_zalloc(&kmt_ident_tab, (size_t)id->n * sizeof(*c->r));
		if (c->r == NULL) {
			kmem_free(&kmt_ident, c);
			return NULL;
		}
		memcpy(c->r, id->r, (size_t)id->n * sizeof(*c->r));
	}
	c->n = c->cap = id->n;
	c->seq = id->seq;
	c->view = id->view;
	c->view_arg = id->view_arg;
	return c;
}

int umem_ident_set_view(struct simk_proc *p, umem_ident_view_fn view, void *arg)
{
	struct umem_ident *id = umem_ident_of(p, true);
	if (id == NULL)
		return -ENOMEM;
	id->view = view;
	id->view_arg = arg;
	return 0;
}

int umem_ident_set_check_arg(struct simk_proc *p, void *host, void *check_arg)
{
	struct umem_ident *id = umem_ident_of(p, false);
	int i = id != NULL ? ident_find(id, (uintptr_t)host) : -1;
	if (i < 0 || id->r[i].start != (uintptr_t)host)
		return -EINVAL;
	id->r[i].check_arg = check_arg;
	return 0;
}

void umem_ident_free(struct umem_ident *id)
{
	if (id == NULL)
		return;
	kmem_free(&kmt_ident_tab, id->r);
	kmem_free(&kmt_ident, id);
}

static bool meets_sim_space(uintptr_t start, size_t len)
{
	return start < UMEM_SIM_LIMIT && start + len > UMEM_SIM_BASE;
}

int umem_map_identity(struct simk_proc *p, void *host, size_t len, int prot, const char *label,
		      umem_ident_check_fn check, void *check_arg)
{
	KASSERT(p != NULL, "umem_map_identity without a process");
	uintptr_t start = (uintptr_t)host;
	if (host == NULL || len == 0 || len > UMEM_IDENT_LEN_MAX || start + len < start)
		return -EINVAL;
	if ((prot & ~(UMEM_PROT_READ | UMEM_PROT_WRITE)) != 0 || meets_sim_space(start, len))
		return -EINVAL;
	struct umem_ident *id = umem_ident_of(p, true);
	if (id == NULL)
		return -ENOMEM;
	int i = ident_find(id, start); /* the new region goes at i + 1 */
	if (i >= 0 && start - id->r[i].start < id->r[i].len)
		return -EEXIST;
	if (i + 1 < id->n && id->r[i + 1].start < start + len)
		return -EEXIST;
	if (id->n >= UMEM_IDENT_MAX)
		return -ENOMEM;
	if (id->n == id->cap) {
		int ncap = id->cap ? id->cap * 2 : 8;
		struct umem_ident_region *nr =
		    kmem_zalloc(&kmt_ident_tab, (size_t)ncap * sizeof(*nr));
		if (nr == NULL)
			return -ENOMEM;
		if (id->n > 0)
			memcpy(nr, id->r, (size_t)id->n * sizeof(*nr));
		kmem_free(&kmt_ident_tab, id->r);
		id->r = nr;
		id->cap = ncap;
	}
	memmove(&id->r[i + 2], &id->r[i + 1], (size_t)(id->n - (i + 1)) * sizeof(id->r[0]));
	struct umem_ident_region *r = &id->r[i + 1];
	r->start = start;
	r->len = len;
	r->prot = prot;
	r->alias = UMEM_ALIAS_BASE + ((uint64_t)id->seq << 32);
	r->check = check;
	r->check_arg = check_arg;
	r->label = label;
	id->seq++;
	id->n++;
	trace_emit(TR_INFO, "kern:umem_map_identity", p->pid, (int64_t)r->alias, (int64_t)len,
		   prot);
	return 0;
}

int umem_unmap_identity(struct simk_proc *p, void *host)
{
	struct umem_ident *id = umem_ident_of(p, false);
	if (id == NULL || id->n == 0)
		return -EINVAL;
	int i = ident_find(id, (uintptr_t)host);
	if (i < 0 || id->r[i].start != (uintptr_t)host)
		return -EINVAL;
	trace_emit(TR_INFO, "kern:umem_unmap_identity", p->pid, (int64_t)id->r[i].alias,
		   (int64_t)id->r[i].len, 0);
	memmove(&id->r[i], &id->r[i + 1], (size_t)(id->n - i - 1) * sizeof(id->r[0]));
	id->n--;
	return 0;
}

uint64_t umem_trace_addr(struct simk_proc *p, uaddr_t a)
{
	if (a < UMEM_SIM_LIMIT || p == NULL)
		return a;
	const struct umem_ident_region *r = ident_region(umem_ident_of(p, false), a);
	if (r == NULL)
		return UMEM_ALIAS_WILD;
	return r->alias + ((uintptr_t)a - r->start);
}

bool umem_ident_describe(struct simk_proc *p, uaddr_t a, const char **label, uint64_t *off)
{
	const struct umem_ident_region *r =
	    p != NULL ? ident_region(umem_ident_of(p, false), a) : NULL;
	if (r == NULL)
		return false;
	*label = r->label;
	*off = (uintptr_t)a - r->start;
	return true;
}

struct umem_ident *umem_ident_new(void)
{
	return kmem_zalloc(&kmt_ident, sizeof(struct umem_ident));
}

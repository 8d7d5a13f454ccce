/*
 * Simulated user memory. Each process has its own address space: a list
 * of regions in address order, each backed by a kmem block. Addresses come
 * from a per-process cursor that starts at UMEM_BASE and only grows: a
 * region takes the next whole pages, then one unmapped guard page is
 * skipped, so an access that runs off the end of a region faults instead
 * of reaching its neighbour. Freed ranges are not reused. Addresses thus
 * depend only on the sequence of allocations: the same on every run.
 *
 * The invariant every access relies on: [addr, addr + len) is usable iff
 * it lies inside one region of the process. Anything else (unowned,
 * partial overlap, wrap-around, another process's region) is -EFAULT.
 *
 * Lookups go through an index sorted by start address, so a scenario that
 * makes thousands of regions does not pay a list walk per access. Because
 * addresses only grow, a new region is always appended; a freed one leaves
 * a hole (its range stays unowned forever) until holes are half the index.
 *
 * Protections: a region keeps one byte per page (prot, allocated on the
 * first umem_protect of the region) and the number of its pages that are
 * not read-write (pages_restricted). The hot path, copyin/copyout of a
 * region nobody protected, pays one test of that count; only a region with
 * a restricted page walks the pages of the range.
 */
#include "kern/umem.h"

#include <errno.h>
#include <string.h>

#include "kern/kmem.h"
#include "kern/umem_ident.h"

#define UMEM_BASE UMEM_SIM_BASE
#define UMEM_LIMIT UMEM_SIM_LIMIT /* top of the simulated user space */
#define UMEM_BYTES_MAX (256ULL << 20) /* per process */
/* Every process of the run together: fork copies a process's memory, so
 * without it a loop of forks would take the host's memory. */
#define UMEM_RUN_BYTES_MAX (1ULL << 30)
#define UMEM_REGIONS_MAX 65536

struct umem_region {
	struct list_node link;
	uaddr_t start;
	size_t len; /* whole pages */
	unsigned char *data;
	unsigned char *prot;	 /* per page, NULL until the first umem_protect */
	size_t pages_restricted; /* pages whose prot is not READ | WRITE */
};

struct umem_slot {
	uaddr_t start;
	struct umem_region *r; /* NULL: freed (a hole) */
};

#define UMEM_PCACHE 64 /* pages remembered by find (a power of two) */

struct umem_space {
	struct list_node regions; /* address order */
	/* The region of recently looked-up pages, direct-mapped by page
	 * number (r NULL: empty): a system call touches a few buffers in turn
	 * (iocbs, the data, the ring, the events), again and again. */
	struct {
		uaddr_t page;
		struct umem_region *r;
	} pcache[UMEM_PCACHE];
	int nregions;
	uaddr_t next; /* where the next region goes */
	uint64_t bytes;
	struct umem_slot *idx; /* every region by start, and holes */
	int nidx, idx_cap, nholes;
	struct umem_ident *ident; /* identity regions (kern/umem_ident.c), or NULL */
};

static KMEM_TYPE(kmt_space, "kern.umem_space");
static KMEM_TYPE(kmt_region, "kern.umem_region");
static KMEM_TYPE(kmt_pages, "kern.umem_pages");
static KMEM_TYPE(kmt_prot, "kern.umem_prot");
static KMEM_TYPE(kmt_index, "kern.umem_index");

#define UMEM_PROT_RW (UMEM_PROT_READ | UMEM_PROT_WRITE)

static struct umem_space *space_of(struct simk_proc *p, bool create)
{
	struct umem_space *sp = p->umem;
	if (sp == NULL && create) {
		sp = kmem_zalloc(&kmt_space, sizeof(*sp));
		if (sp == NULL)
			return NULL;
		list_init(&sp->regions);
		sp->next = UMEM_BASE;
		p->umem = sp;
	}
	return sp;
}

struct umem_ident *umem_ident_new(void);

/* The identity table of p (created on demand), or NULL. */
struct umem_ident *umem_ident_of(struct simk_proc *p, bool create)
{
	struct umem_space *sp = space_of(p, create);
	if (sp == NULL)
		return NULL;
	if (sp->ident == NULL && create)
		sp->ident = umem_ident_new();
	return sp->ident;
}

/* Drops the holes of the index. */
static void index_compact(struct umem_space *sp)
{
	int n = 0;
	for (int i = 0; i < sp->nidx; i++)
		if (sp->idx[i].r != NULL)
			sp->idx[n++] = sp->idx[i];
	KASSERT(n == sp->nregions, "umem index holds %d regions, the space %d", n, sp->nregions);
	sp->nidx = n;
	sp->nholes = 0;
}

/* Room for one more slot. The index is bookkeeping of regions that were
 * already charged: it never injects kmem/alloc/enomem. */
static void index_reserve(struct umem_space *sp)
{
	if (sp->nidx < sp->idx_cap)
		return;
	if (sp->nholes > 0)
		index_compact(sp);
	if (sp->nidx < sp->idx_cap)
		return;
	int ncap = sp->idx_cap ? sp->idx_cap * 2 : 16;
	struct umem_slot *n = kmem_zalloc_nofail(&kmt_index, (size_t)ncap * sizeof(*n));
	if (sp->nidx > 0)
		memcpy(n, sp->idx, (size_t)sp->nidx * sizeof(*n));
	kmem_free(&kmt_index, sp->idx);
	sp->idx = n;
	sp->idx_cap = ncap;
}

/* The index of the last slot whose start is <= addr, or -1. */
static int index_find(const struct umem_space *sp, uaddr_t addr)
{
	int lo = 0, hi = sp->nidx; /* the answer is in [lo - 1, hi) */
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		if (sp->idx[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo - 1;
}

static struct umem_region *region_new(struct umem_space *sp, uaddr_t start, size_t len)
{
	KASSERT(sp->nidx == 0 || sp->idx[sp->nidx - 1].start < start,
		"umem region at %#llx below an existing one", (unsigned long long)start);
	index_reserve(sp);
	struct umem_region *r = kmem_zalloc(&kmt_region, sizeof(*r));
	if (r == NULL)
		return NULL;
	r->data = kmem_zalloc(&kmt_pages, len);
	if (r->data == NULL) {
		kmem_free(&kmt_region, r);
		return NULL;
	}
	r->start = start;
	r->len = len;
	list_push_back(&sp->regions, &r->link);
	sp->nregions++;
	sp->bytes += len;
	sp->idx[sp->nidx].start = start;
	sp->idx[sp->nidx].r = r;
	sp->nidx++;
	return r;
}

static void region_free(struct umem_space *sp, struct umem_region *r)
{
	for (int k = 0; k < UMEM_PCACHE; k++)
		if (sp->pcache[k].r == r)
			sp->pcache[k].r = NULL;
	int i = index_find(sp, r->start);
	KASSERT(i >= 0, "umem region at %#llx is not indexed", (unsigned long long)r->start);
	KASSERT(sp->idx[i].r == r, "umem region at %#llx is not indexed",
		(unsigned long long)r->start);
	sp->idx[i].r = NULL;
	sp->nholes++;
	list_del(&r->link);
	sp->nregions--;
	sp->bytes -= r->len;
	if (r->prot != NULL)
		kmem_free(&kmt_prot, r->prot);
	kmem_free(&kmt_pages, r->data);
	kmem_free(&kmt_region, r);
	if (sp->nholes > sp->nidx / 2)
		index_compact(sp);
}

/* Any context. Returns 0 for len 0, on limits, or under kmem/alloc/enomem. */
uaddr_t umem_alloc(struct simk_proc *p, size_t len)
{
	KASSERT(p != NULL, "umem_alloc without a process");
	if (len == 0 || len > UMEM_BYTES_MAX)
		return 0;
	struct umem_space *sp = space_of(p, true);
	if (sp == NULL)
		return 0;
	size_t pages_len = (len + UMEM_PAGE - 1) / UMEM_PAGE * UMEM_PAGE;
	if (sp->bytes + pages_len > UMEM_BYTES_MAX || sp->nregions >= UMEM_REGIONS_MAX ||
	    sp->next + pages_len + UMEM_PAGE > UMEM_LIMIT ||
	    kmem_live_bytes(&kmt_pages) + pages_len > UMEM_RUN_BYTES_MAX)
		return 0;
	struct umem_region *r = region_new(sp, sp->next, pages_len);
	if (r == NULL)
		return 0;
	sp->next += pages_len + UMEM_PAGE; /* + guard page */
	trace_emit(TR_INFO, "kern:umem_alloc", p->pid, (int64_t)r->start, (int64_t)pages_len, 0);
	return r->start;
}

/* The process whose memory copyin and copyout reach: the current thread's,
 * none in interrupt context (inline: a system call copies a few times). */
static inline struct simk_proc *caller_proc(void)
{
	const struct simk *s = sim_cur();
	return s->in_irq || s->current == NULL ? NULL : s->current->proc;
}

static struct umem_region *find(struct umem_space *sp, uaddr_t addr, size_t len)
{
	if (sp == NULL || len == 0 || addr + len < addr)
		return NULL;
	uaddr_t page = addr / UMEM_PAGE;
	unsigned k = (unsigned)page & (UMEM_PCACHE - 1);
	struct umem_region *r = sp->pcache[k].r;
	if (r != NULL && sp->pcache[k].page == page)
		return len <= r->len - (addr - r->start) ? r : NULL;
	int i = index_find(sp, addr);
	r = i >= 0 ? sp->idx[i].r : NULL;
	if (r == NULL || addr - r->start >= r->len)
		return NULL;
	sp->pcache[k].page = page;
	sp->pcache[k].r = r;
	return len <= r->len - (addr - r->start) ? r : NULL;
}

/* Any context. */
int umem_free(struct simk_proc *p, uaddr_t addr)
{
	struct umem_space *sp = space_of(p, false);
	struct umem_region *r = find(sp, addr, 1);
	if (r == NULL || r->start != addr)
		return -EINVAL;
	trace_emit(TR_INFO, "kern:umem_free", p->pid, (int64_t)addr, (int64_t)r->len, 0);
	region_free(sp, r);
	return 0;
}

/* Whether every page of [addr, addr + len) (inside r, len > 0) allows
 * need. */
static bool region_allows(const struct umem_region *r, uaddr_t addr, size_t len, int need)
{
	if (r->pages_restricted == 0)
		return true;
	size_t first = (size_t)(addr - r->start) / UMEM_PAGE;
	size_t last = (size_t)(addr - r->start + len - 1) / UMEM_PAGE;
	KASSERT(r->prot != NULL, "umem page %zu of %zu", last, r->len / UMEM_PAGE);
	KASSERT(last < r->len / UMEM_PAGE, "umem page %zu of %zu", last, r->len / UMEM_PAGE);
	for (size_t i = first; i <= last; i++)
		if ((r->prot[i] & need) != need)
			return false;
	return true;
}

/* Any context. */
int umem_protect(struct simk_proc *p, uaddr_t addr, size_t len, int prot)
{
	KASSERT(p != NULL, "umem_protect without a process");
	if (addr % UMEM_PAGE != 0)
		return -EINVAL;
	if (len == 0)
		return 0;
	if (len > SIZE_MAX - (UMEM_PAGE - 1))
		return -ENOMEM;
	size_t pages_len = (len + UMEM_PAGE - 1) / UMEM_PAGE * UMEM_PAGE;
	if (addr + pages_len <= addr)
		return -ENOMEM;
	if ((prot & ~UMEM_PROT_RW) != 0)
		return -EINVAL;
	struct umem_space *sp = space_of(p, false);
	struct umem_region *r = find(sp, addr, pages_len);
	if (r == NULL)
		return -ENOMEM; /* a page of the range is not mapped */
	size_t npages = r->len / UMEM_PAGE;
	if (r->prot == NULL && prot != UMEM_PROT_RW) {
		r->prot = kmem_alloc(&kmt_prot, npages);
		if (r->prot == NULL)
			return -ENOMEM;
		memset(r->prot, UMEM_PROT_RW, npages);
	}
	size_t first = (size_t)(addr - r->start) / UMEM_PAGE;
	for (size_t i = first; r->prot != NULL && i < first + pages_len / UMEM_PAGE; i++) {
		r->pages_restricted -= r->prot[i] != UMEM_PROT_RW;
		r->prot[i] = (unsigned char)prot;
		r->pages_restricted += prot != UMEM_PROT_RW;
	}
	KASSERT(r->pages_restricted <= npages, "umem region with %zu of %zu pages restricted",
		r->pages_restricted, npages);
	trace_emit(TR_INFO, "kern:umem_protect", p->pid, (int64_t)addr, (int64_t)pages_len, prot);
	return 0;
}

void *umem_map_kernel(struct simk_proc *p, uaddr_t addr, size_t len)
{
	if (p == NULL)
		return NULL;
	struct umem_space *sp = space_of(p, false);
	if (sp != NULL && sp->ident != NULL && addr >= UMEM_LIMIT) {
		bool hit;
		return umem_ident_map(sp->ident, addr, len, UMEM_PROT_NONE, &hit);
	}
	struct umem_region *r = find(sp, addr, len);
	return r != NULL ? r->data + (addr - r->start) : NULL;
}

static void *map_checked(struct simk_proc *p, uaddr_t addr, size_t len, int need)
{
	if (p == NULL)
		return NULL;
	struct umem_space *sp = space_of(p, false);
	if (sp != NULL && sp->ident != NULL && addr >= UMEM_LIMIT) {
		bool hit;
		return umem_ident_map(sp->ident, addr, len, need, &hit);
	}
	struct umem_region *r = find(sp, addr, len);
	if (r == NULL || !region_allows(r, addr, len, need))
		return NULL;
	return r->data + (addr - r->start);
}

const void *umem_map_read(struct simk_proc *p, uaddr_t addr, size_t len)
{
	return map_checked(p, addr, len, UMEM_PROT_READ);
}

void *umem_map_write(struct simk_proc *p, uaddr_t addr, size_t len)
{
	return map_checked(p, addr, len, UMEM_PROT_WRITE);
}

/* Any context. len 0 always succeeds. */
int copyin_proc(struct simk_proc *p, uaddr_t src, void *dst, size_t len)
{
	if (len == 0)
		return 0;
	const void *h = map_checked(p, src, len, UMEM_PROT_READ);
	if (h == NULL)
		return -EFAULT;
	memcpy(dst, h, len);
	return 0;
}

int copyout_proc(struct simk_proc *p, const void *src, uaddr_t dst, size_t len)
{
	if (len == 0)
		return 0;
	void *h = map_checked(p, dst, len, UMEM_PROT_WRITE);
	if (h == NULL)
		return -EFAULT;
	memcpy(h, src, len);
	return 0;
}

/* Thread context (the current process's memory); -EFAULT elsewhere. */
int copyin(uaddr_t src, void *dst, size_t len)
{
	struct simk_proc *p = caller_proc();
	if (p == NULL)
		return len == 0 ? 0 : -EFAULT;
	return copyin_proc(p, src, dst, len);
}

int copyout(const void *src, uaddr_t dst, size_t len)
{
	struct simk_proc *p = caller_proc();
	if (p == NULL)
		return len == 0 ? 0 : -EFAULT;
	return copyout_proc(p, src, dst, len);
}

/* Any context. child must have no user memory yet. On -ENOMEM the child
 * keeps nothing. */
int umem_fork(struct simk_proc *parent, struct simk_proc *child)
{
	KASSERT(child->umem == NULL, "umem_fork into %s, which has user memory", child->name);
	struct umem_space *ps = space_of(parent, false);
	if (ps == NULL)
		return 0;
	if (ps->ident != NULL && ps->ident->n > 0 && ps->ident->view == NULL)
		return -ENOSYS; /* the child cannot own the same host memory */
	if (kmem_live_bytes(&kmt_pages) + ps->bytes > UMEM_RUN_BYTES_MAX)
		return -ENOMEM;
	struct umem_space *cs = space_of(child, true);
	if (cs == NULL)
		return -ENOMEM;
	for (struct list_node *n = ps->regions.next; n != &ps->regions; n = n->next) {
		struct umem_region *pr = list_entry(n, struct umem_region, link);
		struct umem_region *cr = region_new(cs, pr->start, pr->len);
		if (cr == NULL) {
			umem_release(child);
			return -ENOMEM;
		}
		memcpy(cr->data, pr->data, pr->len);
		if (pr->prot != NULL) {
			cr->prot = kmem_alloc(&kmt_prot, pr->len / UMEM_PAGE);
			if (cr->prot == NULL) {
				umem_release(child);
				return -ENOMEM;
			}
			memcpy(cr->prot, pr->prot, pr->len / UMEM_PAGE);
			cr->pages_restricted = pr->pages_restricted;
		}
	}
	cs->next = ps->next;
	if (ps->ident != NULL && ps->ident->n > 0) { /* per-process images (umem.h) */
		cs->ident = umem_ident_copy(ps->ident);
		if (cs->ident == NULL) {
			umem_release(child);
			return -ENOMEM;
		}
	}
	return 0;
}

/* Any context. */
void umem_release_space(struct simk_proc *p)
{
	struct umem_space *sp = p->umem;
	int bound = 0;
	while (!list_empty(&sp->regions)) {
		KASSERT(++bound <= UMEM_REGIONS_MAX, "umem of %s does not drain", p->name);
		region_free(sp, list_entry(sp->regions.next, struct umem_region, link));
	}
	kmem_free(&kmt_index, sp->idx);
	umem_ident_free(sp->ident);
	kmem_free(&kmt_space, sp);
	p->umem = NULL;
}

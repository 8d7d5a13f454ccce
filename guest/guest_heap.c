/*
 * The guest's heap: malloc and friends (<stdlib.h>) over one arena per
 * host process, emptied at the start of every run.
 *
 * The arena is one identity region of the guest's process (kern/umem.h)
 * whose check callback accepts only the bytes of live blocks: a system
 * call given a freed block, a block's header or bytes past what malloc
 * was asked for fails with EFAULT. Blocks come from a bump pointer and
 * per-size-class free lists (LIFO), so the addresses a run gets depend
 * only on its own sequence of calls: their aliases in the trace are
 * deterministic. A block is zeroed when it is handed out, so reading
 * memory malloc did not initialize gives 0 in every run.
 *
 * Finding the block that holds an address: a bitmap with one bit per
 * 16-byte granule marks where payloads start; the check walks it
 * backwards from the address (64 granules per word).
 *
 * Leaks: at the end of a run (every thread exited, exit status 0), a
 * block the guest allocated and did not free fails the run, naming the
 * line that allocated the first one — like kmem's leak check for the
 * kernel. Blocks the runtime takes for itself (thread-local storage) are
 * not counted.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "guest/guest.h"
#include "kern/umem.h"

#define HEAP_MAX (256ULL << 20) /* bytes of the arena */
#define HEAP_GRANULE 16		/* payload alignment and bitmap unit */
#define HEAP_HDR 32		/* header before every payload */
#define HEAP_SMALL_MAX 1024	/* classes of 16 bytes up to here, then powers of two */
#define HEAP_CLASSES (HEAP_SMALL_MAX / HEAP_GRANULE + 32)
#define HEAP_ALIGN_MAX (1u << 16) /* posix_memalign and friends */

#define MAGIC_LIVE 0x6c697665u
#define MAGIC_FREE 0x66726565u
#define MAGIC_INTERNAL 0x696e746cu /* the runtime's own block */

struct hdr {
	uint32_t magic;
	uint32_t cls;
	uint64_t size; /* bytes asked for */
	uint64_t site; /* return address of the allocating call */
	uint32_t pad;  /* payload - start of the raw block (aligned allocations) */
	uint32_t spare;
};
_Static_assert(sizeof(struct hdr) == HEAP_HDR, "heap header");

struct guest_heap {
	size_t live, live_bytes;
	char *bump;
	void *free_head[HEAP_CLASSES]; /* freed blocks' headers, linked through hdr.site */
};

static char *arena;	    /* HEAP_MAX bytes, reserved once */
static uint64_t *starts;    /* one bit per granule: a payload starts there */
static size_t starts_dirty; /* words of `starts` the last run may have set */

static size_t class_size(unsigned cls)
{
	if (cls < HEAP_SMALL_MAX / HEAP_GRANULE)
		return (size_t)(cls + 1) * HEAP_GRANULE;
	return (size_t)HEAP_SMALL_MAX << (cls - HEAP_SMALL_MAX / HEAP_GRANULE + 1);
}

static int class_of(size_t n, unsigned *cls)
{
	if (n <= HEAP_SMALL_MAX) {
		*cls = n == 0 ? 0 : (unsigned)((n - 1) / HEAP_GRANULE);
		return 0;
	}
	for (unsigned c = HEAP_SMALL_MAX / HEAP_GRANULE; c < HEAP_CLASSES; c++)
		if (class_size(c) >= n)
			return (*cls = c), 0;
	return -1;
}

static size_t granule(const char *p)
{
	return (size_t)(p - arena) / HEAP_GRANULE;
}

static void mark(const char *payload, bool on)
{
	size_t g = granule(payload);
	if (on)
		starts[g / 64] |= 1ULL << (g % 64);
	else
		starts[g / 64] &= ~(1ULL << (g % 64));
	if (g / 64 + 1 > starts_dirty)
		starts_dirty = g / 64 + 1;
}

/* The payload start at or below p (inside the arena), or NULL. */
static char *payload_below(const char *p)
{
	size_t g = granule(p);
	size_t w = g / 64;
	uint64_t bits = starts[w] & (g % 64 == 63 ? ~0ULL : ((2ULL << (g % 64)) - 1));
	for (;;) {
		if (bits != 0)
			return arena + (w * 64 + 63 - (size_t)__builtin_clzll(bits)) * HEAP_GRANULE;
		if (w == 0)
			return NULL;
		bits = starts[--w];
	}
}

static struct hdr *hdr_of(void *payload)
{
	return (struct hdr *)((char *)payload - HEAP_HDR);
}

/* The live block holding [a, a + len) entirely (umem's check). arg is the
 * process whose heap it is (guest_image.c); a process that is not
 * resident (an interrupt's copyout into it) has only its saved image,
 * checked against its used part of the arena. */
static bool heap_check(void *arg, uintptr_t a, size_t len)
{
	const struct guest_process *gp = arg;
	if (gp != NULL && !guest_process_resident(gp)) {
		const struct guest_heap *sh = guest_process_heap(gp);
		return sh != NULL && a + len <= (uintptr_t)sh->bump;
	}
	struct guest_run *r = guest_run_current();
	if (r == NULL || r->heap == NULL || (char *)a >= r->heap->bump)
		return false;
	char *pl = payload_below((const char *)a);
	if (pl == NULL)
		return false;
	const struct hdr *h = hdr_of(pl);
	if (h->magic != MAGIC_LIVE && h->magic != MAGIC_INTERNAL)
		return false;
	uintptr_t off = a - (uintptr_t)pl;
	return off < h->size && len <= h->size - off;
}

/* ---- images (a forked guest: guest_image.c) ---------------------------------- */

int guest_heap_save(const struct guest_heap *h, struct guest_heap_img *img)
{
	size_t len = (size_t)(h->bump - arena);
	if (len > img->cap) {
		unsigned char *nb = realloc(img->bytes, len);
		if (nb == NULL)
			return -1;
		img->bytes = nb;
		img->cap = len;
	}
	if (starts_dirty > img->starts_cap) {
		uint64_t *ns = realloc(img->starts, starts_dirty * sizeof(uint64_t));
		if (ns == NULL)
			return -1;
		img->starts = ns;
		img->starts_cap = starts_dirty;
	}
	if (len > 0)
		memcpy(img->bytes, arena, len);
	if (starts_dirty > 0)
		memcpy(img->starts, starts, starts_dirty * sizeof(uint64_t));
	img->len = len;
	img->nstarts = starts_dirty;
	return 0;
}

void guest_heap_load(const struct guest_heap *h, const struct guest_heap_img *img)
{
	KASSERT(h->bump - arena == (ptrdiff_t)img->len, "heap image of another size");
	if (img->len > 0)
		memcpy(arena, img->bytes, img->len);
	if (img->nstarts > 0)
		memcpy(starts, img->starts, img->nstarts * sizeof(uint64_t));
	if (starts_dirty > img->nstarts)
		memset(starts + img->nstarts, 0, (starts_dirty - img->nstarts) * sizeof(uint64_t));
	starts_dirty = img->nstarts;
}

void *guest_heap_img_at(const struct guest_heap_img *img, uintptr_t addr, size_t len)
{
	uintptr_t a = (uintptr_t)arena;
	if (addr < a || addr - a > img->len || len > img->len - (addr - a))
		return NULL;
	return img->bytes + (addr - a);
}

bool guest_heap_in_arena(uintptr_t addr)
{
	return arena != NULL && addr >= (uintptr_t)arena && addr - (uintptr_t)arena < HEAP_MAX;
}

struct guest_heap *guest_heap_dup(const struct guest_heap *h)
{
	struct guest_heap *c = malloc(sizeof(*c));
	if (c != NULL)
		*c = *h;
	return c;
}

void guest_heap_bind(struct simk_proc *p, struct guest_process *gp)
{
	(void)umem_ident_set_check_arg(p, arena, gp);
}

void guest_heap_state_free(struct guest_heap *h)
{
	free(h);
}

static int arena_reserve(void)
{
	if (arena != NULL)
		return 0;
	void *m = mmap(NULL, HEAP_MAX, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m == MAP_FAILED)
		return -1;
	starts = calloc(HEAP_MAX / HEAP_GRANULE / 64, sizeof(uint64_t));
	if (starts == NULL) {
		munmap(m, HEAP_MAX);
		return -1;
	}
	arena = m;
	return 0;
}

int guest_heap_run_init(struct guest_run *r)
{
	if (arena_reserve() != 0)
		return -1;
	struct guest_heap *h = calloc(1, sizeof(*h));
	if (h == NULL)
		return -1;
	memset(starts, 0, starts_dirty * sizeof(uint64_t));
	starts_dirty = 0;
	h->bump = arena;
	r->heap = h;
	return umem_map_identity(r->proc, arena, HEAP_MAX, UMEM_PROT_READ | UMEM_PROT_WRITE, "heap",
				 heap_check, NULL);
}

void guest_heap_run_end(struct guest_run *r)
{
	free(r->heap);
	r->heap = NULL;
}

static void *take(struct guest_run *r, size_t size, size_t align, uintptr_t site, uint32_t magic)
{
	struct guest_heap *h = r->heap;
	if (h == NULL || align > HEAP_ALIGN_MAX || size > HEAP_MAX)
		return NULL;
	size_t extra = align > HEAP_GRANULE ? align : 0;
	unsigned cls;
	if (class_of(size + extra, &cls) != 0)
		return NULL;
	size_t span = HEAP_HDR + class_size(cls);
	char *raw = NULL;
	struct hdr *old = h->free_head[cls];
	if (old != NULL) { /* a freed block of the class: its header links the list */
		h->free_head[cls] = (void *)(uintptr_t)old->site;
		raw = (char *)old - old->pad;
	} else {
		if ((size_t)(arena + HEAP_MAX - h->bump) < span)
			return NULL;
		raw = h->bump;
		h->bump += span;
	}
	char *payload = raw + HEAP_HDR;
	if (extra > 0)
		payload = (char *)(((uintptr_t)payload + align - 1) & ~(uintptr_t)(align - 1));
	struct hdr *hd = hdr_of(payload);
	hd->magic = magic;
	hd->cls = cls;
	hd->size = size;
	hd->site = site;
	hd->pad = (uint32_t)(payload - (raw + HEAP_HDR));
	memset(payload, 0, size);
	mark(payload, true);
	if (magic == MAGIC_LIVE) {
		h->live++;
		h->live_bytes += size;
	}
	return payload;
}

void *guest_heap_alloc(struct guest_run *r, size_t size, size_t align, uintptr_t site)
{
	return take(r, size, align, site, MAGIC_LIVE);
}

void *guest_heap_alloc_internal(struct guest_run *r, size_t size, size_t align)
{
	return take(r, size, align, 0, MAGIC_INTERNAL);
}

/* The live block whose payload starts at p, or NULL. */
static struct hdr *block_at(struct guest_run *r, const void *p)
{
	const char *c = p;
	if (r->heap == NULL || c < arena + HEAP_HDR || c >= r->heap->bump ||
	    (uintptr_t)c % HEAP_GRANULE != 0)
		return NULL;
	size_t g = granule(c);
	if (!(starts[g / 64] & (1ULL << (g % 64))))
		return NULL;
	return hdr_of((void *)p);
}

/* Whether p is the payload of a block freed in this run (a free of it is
 * a double free). Its header stays whole after the free; a later block
 * that covers it zeroes or overwrites those bytes. */
static bool freed_at(struct guest_run *r, const void *p)
{
	const char *c = p;
	if (r->heap == NULL || c < arena + HEAP_HDR || c >= r->heap->bump ||
	    (uintptr_t)c % HEAP_GRANULE != 0)
		return false;
	return hdr_of((void *)p)->magic == MAGIC_FREE;
}

static void give_back(struct guest_run *r, struct hdr *hd, void *payload)
{
	struct guest_heap *h = r->heap;
	if (hd->magic == MAGIC_LIVE) {
		h->live--;
		h->live_bytes -= hd->size;
	}
	/* The header stays whole (a double free finds MAGIC_FREE); its site
	 * field, no longer needed, links the class's free list. */
	hd->magic = MAGIC_FREE;
	mark(payload, false);
	hd->site = (uint64_t)(uintptr_t)h->free_head[hd->cls];
	h->free_head[hd->cls] = hd;
}

void guest_heap_free(struct guest_run *r, void *p, const char *call, struct guest_thread *gt)
{
	if (p == NULL)
		return;
	struct hdr *hd = block_at(r, p);
	char where[160];
	guest_describe_addr(p, where, sizeof(where));
	if (hd == NULL && freed_at(r, p))
		guest_fail(gt, "%s(): %s was already freed (double free)", call, where);
	if (hd == NULL || hd->magic != MAGIC_LIVE) {
		if ((char *)p >= arena && (char *)p < arena + HEAP_MAX)
			guest_fail(gt,
				   "%s(): %s is not a block malloc returned (a freed block's "
				   "interior, or past one)",
				   call, where);
		guest_fail(gt, "%s(): %s is not a block malloc returned", call, where);
	}
	give_back(r, hd, p);
}

void guest_heap_free_internal(struct guest_run *r, void *p)
{
	struct hdr *hd = block_at(r, p);
	KASSERT(hd != NULL, "guest heap: bad internal free");
	KASSERT(hd->magic == MAGIC_INTERNAL, "guest heap: bad internal free");
	give_back(r, hd, p);
}

size_t guest_heap_size(struct guest_run *r, const void *p)
{
	struct hdr *hd = block_at(r, p);
	return hd != NULL && hd->magic == MAGIC_LIVE ? hd->size : 0;
}

int guest_heap_leaks(struct guest_run *r, char *msg, size_t len)
{
	struct guest_heap *h = r->heap;
	if (h == NULL || h->live == 0 || r->prog->leaks_ok)
		return 0;
	const struct hdr *first = NULL;
	for (size_t w = 0; w < starts_dirty && first == NULL; w++)
		for (uint64_t bits = starts[w]; bits != 0 && first == NULL; bits &= bits - 1) {
			size_t g = w * 64 + (size_t)__builtin_ctzll(bits);
			const struct hdr *hd = hdr_of(arena + g * HEAP_GRANULE);
			if (hd->magic == MAGIC_LIVE)
				first = hd;
		}
	char site[200] = "?";
	if (first != NULL)
		guest_site_format((uintptr_t)first->site, site, sizeof(site));
	snprintf(msg, len,
		 "guest heap leak: %zu block%s (%zu bytes) not freed at exit; the first, of %llu "
		 "bytes, allocated at %s",
		 h->live, h->live == 1 ? "" : "s", h->live_bytes,
		 first != NULL ? (unsigned long long)first->size : 0ULL, site);
	snprintf(r->fail_site, sizeof(r->fail_site), "%s", site);
	return -1;
}

/* ---- <stdlib.h> ----------------------------------------------------------------- */

#define FAMILY "stdlib.h"

static void *alloc_call(const char *call, size_t size, size_t align, uintptr_t site)
{
	struct guest_thread *gt = guest_self(call);
	struct guest_run *r = guest_run_of(gt);
	void *p = r != NULL ? guest_heap_alloc(r, size, align, site) : NULL;
	if (p == NULL)
		gt->err = ENOMEM;
	return p;
}

#define SITE ((uintptr_t)__builtin_return_address(0))

void *__wrap_malloc(size_t size)
{
	return alloc_call("malloc", size, HEAP_GRANULE, SITE);
}

void *__wrap_calloc(size_t n, size_t size)
{
	size_t total;
	if (__builtin_mul_overflow(n, size, &total)) {
		guest_self("calloc")->err = ENOMEM;
		return NULL;
	}
	return alloc_call("calloc", total, HEAP_GRANULE, SITE);
}

void __wrap_free(void *p)
{
	struct guest_thread *gt = guest_self("free");
	struct guest_run *r = guest_run_of(gt);
	gt->site = SITE;
	gt->call = "free";
	if (r != NULL)
		guest_heap_free(r, p, "free", gt);
}

static void *realloc_at(const char *call, void *p, size_t size, uintptr_t site)
{
	struct guest_thread *gt = guest_self(call);
	struct guest_run *r = guest_run_of(gt);
	gt->site = site;
	gt->call = call;
	if (r == NULL)
		return NULL;
	if (p == NULL)
		return alloc_call(call, size, HEAP_GRANULE, site);
	size_t old = guest_heap_size(r, p);
	if (old == 0)
		guest_heap_free(r, p, call, gt); /* fails the run, naming the pointer */
	if (size == 0) {
		guest_heap_free(r, p, call, gt);
		return NULL;
	}
	void *n = guest_heap_alloc(r, size, HEAP_GRANULE, site);
	if (n == NULL) {
		gt->err = ENOMEM;
		return NULL; /* p stays valid */
	}
	memcpy(n, p, old < size ? old : size);
	guest_heap_free(r, p, call, gt);
	return n;
}

void *__wrap_realloc(void *p, size_t size)
{
	return realloc_at("realloc", p, size, SITE);
}

void *__wrap_reallocarray(void *p, size_t n, size_t size)
{
	size_t total;
	if (__builtin_mul_overflow(n, size, &total)) {
		guest_self("reallocarray")->err = ENOMEM;
		return NULL;
	}
	return realloc_at("reallocarray", p, total, SITE);
}

static bool align_ok(size_t align)
{
	return align != 0 && (align & (align - 1)) == 0;
}

int __wrap_posix_memalign(void **out, size_t align, size_t size)
{
	if (!align_ok(align) || align % sizeof(void *) != 0)
		return EINVAL;
	if (align > HEAP_ALIGN_MAX)
		return ENOMEM;
	void *p = alloc_call("posix_memalign", size, align, SITE);
	if (p == NULL)
		return ENOMEM;
	*out = p;
	return 0;
}

void *__wrap_aligned_alloc(size_t align, size_t size)
{
	if (!align_ok(align)) {
		guest_self("aligned_alloc")->err = EINVAL;
		return NULL;
	}
	return alloc_call("aligned_alloc", size, align, SITE);
}

void *__wrap_memalign(size_t align, size_t size)
{
	if (!align_ok(align)) {
		guest_self("memalign")->err = EINVAL;
		return NULL;
	}
	return alloc_call("memalign", size, align, SITE);
}

void *__wrap_valloc(size_t size)
{
	return alloc_call("valloc", size, UMEM_PAGE, SITE);
}

size_t __wrap_malloc_usable_size(void *p)
{
	struct guest_run *r = guest_run_of(guest_self("malloc_usable_size"));
	return r != NULL && p != NULL ? guest_heap_size(r, p) : 0;
}

const struct guest_call guest_calls_heap[] = {
    GUEST_WRAP(malloc, "zeroed memory (deterministic); leak-checked at exit"),
    GUEST_WRAP(calloc, ""),
    GUEST_WRAP(realloc, "always moves the block; realloc(p, 0) frees p and returns NULL"),
    GUEST_WRAP(reallocarray, ""),
    GUEST_WRAP(free, "a pointer malloc did not return, or a double free, fails the run"),
    GUEST_WRAP(posix_memalign, "alignment up to 64 KiB"),
    GUEST_WRAP(aligned_alloc, "alignment up to 64 KiB"),
    GUEST_WRAP(memalign, "alignment up to 64 KiB"),
    GUEST_WRAP(valloc, ""),
    GUEST_WRAP(malloc_usable_size, "the size asked for: bytes past it are not usable"),
};
const int guest_calls_heap_n = GUEST_NCALLS(guest_calls_heap);

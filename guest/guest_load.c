/*
 * Loading a guest program: the shared object simk-cc made from the user's
 * C program (docs/guest.md, "Build").
 *
 * The one rule the loader enforces: every symbol the guest imports is one
 * simk controls. Before dlopen runs a single instruction of the guest, the
 * loader reads the file's dynamic symbols and accepts an import only if it
 * is a runtime entry point (__wrap_<name> of a GC_WRAP call), a compiler
 * hook the runtime defines (__tsan_*, __sanitizer_cov_trace_pc) or a pure
 * libc function (GC_LIBC). Anything else would reach the host — a real
 * open(2), a real thread — so the load stops with the call's name.
 *
 * After dlopen the loader finds the guest's segments, registers nothing
 * yet (memory is registered per run, in the run's process), and copies
 * the writable bytes: every run starts from that snapshot, so globals are
 * reset between the runs of one `simk explore`.
 */
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <limits.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guest/guest.h"
#include "guest/guest_calls.h"
#include "guest/guest_elf.h"
#include "guest/guest_lines.h"
#include "kern/umem.h"

#define LOAD_BAD_MAX 8 /* unsupported imports named in one message */

static struct guest_prog *current;

/* Set while the guest's constructors run (dlopen): a runtime call then
 * has no simulation to run in. */
bool guest_loading;
char guest_load_error[256];

struct guest_prog *guest_prog_current(void)
{
	return current;
}

bool guest_is_elf(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return false;
	unsigned char m[SELFMAG];
	bool elf = fread(m, 1, SELFMAG, f) == SELFMAG && memcmp(m, ELFMAG, SELFMAG) == 0;
	fclose(f);
	return elf;
}

/* Weak references the C runtime's start files make and nobody defines. */
static bool harmless_weak(const char *name)
{
	static const char *const ok[] = {"_ITM_deregisterTMCloneTable", "_ITM_registerTMCloneTable",
					 "__gmon_start__", "__cxa_finalize"};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (strcmp(name, ok[i]) == 0)
			return true;
	return false;
}

/* Why the import name is not acceptable, or NULL when it is. */
static const char *import_problem(const char *name, bool weak, const char **shown)
{
	*shown = name;
	if (strncmp(name, "__wrap_", 7) == 0) {
		const struct guest_call *c = guest_call_find(name + 7);
		*shown = name + 7;
		if (c == NULL || c->kind != GC_WRAP)
			return "is renamed but simk does not implement it";
		if (dlsym(RTLD_DEFAULT, name) == NULL)
			return "is missing from this simk binary (built without the guest "
			       "runtime's "
			       "exports?)";
		return NULL;
	}
	const struct guest_call *c = guest_call_find(name);
	if (c != NULL && (c->kind == GC_LIBC || c->kind == GC_HOOK))
		return NULL;
	if (c != NULL && c->kind == GC_REFUSE)
		return c->note;
	if (c != NULL && c->kind == GC_WRAP)
		return "was not renamed: link the program with simk-cc";
	if (weak && harmless_weak(name))
		return NULL;
	return "is not supported by simk";
}

static int check_imports(const struct guest_elf *e, const char *path, char *err, size_t errlen)
{
	int bad = 0;
	size_t off = 0;
	for (int i = 0; i < guest_elf_dynsym_count(e); i++) {
		struct guest_elf_sym s;
		if (!guest_elf_dynsym(e, i, &s) || s.defined || s.name[0] == '\0')
			continue;
		const char *shown;
		const char *why = import_problem(s.name, s.weak, &shown);
		if (why == NULL)
			continue;
		if (bad++ == 0)
			off = (size_t)snprintf(err, errlen, "%s:", path);
		if (bad <= LOAD_BAD_MAX && off < errlen)
			off += (size_t)snprintf(err + off, errlen - off, " %s() %s;", shown, why);
	}
	if (bad == 0)
		return 0;
	if (off < errlen && bad > LOAD_BAD_MAX)
		off +=
		    (size_t)snprintf(err + off, errlen - off, " and %d more;", bad - LOAD_BAD_MAX);
	if (off < errlen)
		snprintf(err + off, errlen - off, " see docs/guest.md (supported calls)");
	return -1;
}

struct phdr_find {
	uintptr_t base;
	struct guest_prog *g;
	bool found;
};

static uintptr_t page_down(uintptr_t a)
{
	return a & ~(uintptr_t)(UMEM_PAGE - 1);
}

static uintptr_t page_up(uintptr_t a)
{
	return (a + UMEM_PAGE - 1) & ~(uintptr_t)(UMEM_PAGE - 1);
}

static void add_seg(struct guest_prog *g, uintptr_t lo, uintptr_t hi, int prot, bool exec)
{
	if (hi <= lo || g->nsegs >= GUEST_SEGS_MAX)
		return;
	struct guest_seg *s = &g->segs[g->nsegs++];
	s->start = lo;
	s->len = hi - lo;
	s->prot = prot;
	s->exec = exec;
}

static int phdr_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	(void)size;
	struct phdr_find *f = arg;
	if (info->dlpi_addr != f->base)
		return 0;
	struct guest_prog *g = f->g;
	uintptr_t relro_lo = 0, relro_hi = 0;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type == PT_GNU_RELRO) { /* made read-only after relocation */
			relro_lo = page_down(info->dlpi_addr + ph->p_vaddr);
			relro_hi = page_down(info->dlpi_addr + ph->p_vaddr + ph->p_memsz);
		}
		if (ph->p_type == PT_TLS) {
			g->tls_image = (const void *)(info->dlpi_addr + ph->p_vaddr);
			g->tls_filesz = ph->p_filesz;
			g->tls_memsz = ph->p_memsz;
			g->tls_align = ph->p_align ? ph->p_align : 1;
		}
	}
	g->text_lo = UINTPTR_MAX;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_LOAD)
			continue;
		uintptr_t lo = page_down(info->dlpi_addr + ph->p_vaddr);
		uintptr_t hi = page_up(info->dlpi_addr + ph->p_vaddr + ph->p_memsz);
		bool exec = ph->p_flags & PF_X;
		if (exec) {
			if (lo < g->text_lo)
				g->text_lo = lo;
			if (hi > g->text_hi)
				g->text_hi = hi;
		}
		if (!(ph->p_flags & PF_W)) {
			add_seg(g, lo, hi, UMEM_PROT_READ, exec);
			continue;
		}
		uintptr_t rw_lo = lo;
		if (relro_hi > lo && relro_lo < hi) {
			add_seg(g, lo, relro_hi, UMEM_PROT_READ, exec);
			rw_lo = relro_hi;
		}
		add_seg(g, rw_lo, hi, UMEM_PROT_READ | UMEM_PROT_WRITE, exec);
	}
	f->found = true;
	return 1;
}

static int snapshot(struct guest_prog *g)
{
	for (int i = 0; i < g->nsegs; i++) {
		const struct guest_seg *s = &g->segs[i];
		if (!(s->prot & UMEM_PROT_WRITE))
			continue;
		struct guest_snap *sn = &g->snaps[g->nsnaps];
		sn->start = s->start;
		sn->len = s->len;
		sn->init = malloc(s->len);
		if (sn->init == NULL)
			return -1;
		memcpy(sn->init, (const void *)s->start, s->len);
		g->nsnaps++;
	}
	return 0;
}

void guest_restore(struct guest_prog *g)
{
	for (int i = 0; i < g->nsnaps; i++)
		memcpy((void *)g->snaps[i].start, g->snaps[i].init, g->snaps[i].len);
}

static void base_name(const char *path, char *out, size_t len)
{
	const char *b = strrchr(path, '/');
	snprintf(out, len, "%s", b != NULL ? b + 1 : path);
	char *dot = strrchr(out, '.');
	if (dot != NULL && dot != out && strcmp(dot, ".so") == 0)
		*dot = '\0';
}

static int open_module(struct guest_prog *g, char *err, size_t errlen)
{
	guest_loading = true;
	guest_load_error[0] = '\0';
	g->handle = dlopen(g->path, RTLD_NOW | RTLD_LOCAL);
	guest_loading = false;
	if (g->handle == NULL) {
		const char *de = dlerror();
		snprintf(err, errlen, "%s: cannot load: %s", g->path, de != NULL ? de : "?");
		return -1;
	}
	if (guest_load_error[0] != '\0') {
		snprintf(err, errlen, "%s: %s", g->path, guest_load_error);
		return -1;
	}
	void *m = dlsym(g->handle, "main");
	if (m == NULL) {
		snprintf(err, errlen, "%s: has no main()", g->path);
		return -1;
	}
	*(void **)&g->main = m;
	struct link_map *lm = NULL;
	if (dlinfo(g->handle, RTLD_DI_LINKMAP, &lm) != 0 || lm == NULL) {
		snprintf(err, errlen, "%s: cannot find its segments", g->path);
		return -1;
	}
	g->base = (uintptr_t)lm->l_addr;
	struct phdr_find f = {g->base, g, false};
	dl_iterate_phdr(phdr_cb, &f);
	if (!f.found || g->nsegs == 0) {
		snprintf(err, errlen, "%s: cannot find its segments", g->path);
		return -1;
	}
	for (int i = 0; i < g->nsegs; i++)
		if (g->segs[i].start < UMEM_SIM_LIMIT) {
			snprintf(err, errlen,
				 "%s: loaded at %#lx, inside the simulated address space (below "
				 "%#llx)",
				 g->path, (unsigned long)g->segs[i].start,
				 (unsigned long long)UMEM_SIM_LIMIT);
			return -1;
		}
	if (g->tls_memsz > 0 && dlinfo(g->handle, RTLD_DI_TLS_MODID, &g->tls_modid) != 0) {
		snprintf(err, errlen, "%s: cannot find its thread-local storage", g->path);
		return -1;
	}
	if (snapshot(g) != 0) {
		snprintf(err, errlen, "%s: out of memory", g->path);
		return -1;
	}
	return 0;
}

struct guest_prog *guest_load(const char *path, char *err, size_t errlen)
{
	if (current != NULL) {
		snprintf(err, errlen, "%s: a guest program (%s) is already loaded", path,
			 current->path);
		return NULL;
	}
	struct guest_prog *g = calloc(1, sizeof(*g));
	if (g == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	char real[PATH_MAX];
	g->path = strdup(realpath(path, real) != NULL ? real : path);
	base_name(path, g->name, sizeof(g->name));
	g->spin_budget = GUEST_SPIN_BUDGET_DEFAULT;
	g->argv[0] = g->name;
	g->argc = 1;
	g->elf = guest_elf_open(path, err, errlen);
	if (g->path == NULL || g->elf == NULL || check_imports(g->elf, path, err, errlen) != 0) {
		guest_unload(g);
		return NULL;
	}
	g->race = guest_elf_defines(g->elf, "__simk_guest_race");
	g->lines = guest_lines_load(g->elf);
	if (g->lines == NULL || open_module(g, err, errlen) != 0) {
		guest_unload(g);
		return NULL;
	}
	current = g;
	guest_crash_install();
	return g;
}

void guest_unload(struct guest_prog *g)
{
	if (g == NULL)
		return;
	if (current == g)
		current = NULL;
	/* The module stays mapped (dlclose would run its destructors outside
	 * any simulation); the host process is about to end anyway. */
	for (int i = 0; i < g->nsnaps; i++)
		free(g->snaps[i].init);
	guest_lines_free(g->lines);
	guest_elf_close(g->elf);
	free(g->path);
	free(g);
}

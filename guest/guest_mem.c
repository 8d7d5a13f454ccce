/*
 * The runtime's view of the guest's memory: whether a pointer the guest
 * handed to a libc-level call (a struct stat to fill, a pthread object) is
 * memory the guest owns — the same identity regions the kernel checks
 * (kern/umem.h) — and how to name an address in a message: a global by
 * its symbol, anything else by its region and offset.
 */
#include <stdio.h>

#include "guest/guest.h"
#include "guest/guest_elf.h"
#include "guest/guest_lines.h"
#include "kern/umem.h"

bool guest_user_writable(struct guest_run *r, const void *p, size_t n)
{
	return r != NULL && n > 0 && umem_map_write(r->proc, (uaddr_t)(uintptr_t)p, n) != NULL;
}

bool guest_user_readable(struct guest_run *r, const void *p, size_t n)
{
	return r != NULL && n > 0 && umem_map_read(r->proc, (uaddr_t)(uintptr_t)p, n) != NULL;
}

bool guest_is_text(struct guest_run *r, uintptr_t pc)
{
	return r != NULL && pc >= r->prog->text_lo && pc < r->prog->text_hi;
}

bool guest_site_lines(uintptr_t ret_addr, const char **file, int *line)
{
	struct guest_prog *g = guest_prog_current();
	if (g == NULL || ret_addr == 0)
		return false;
	return guest_lines_find(g->lines, (uint64_t)(ret_addr - 1 - g->base), file, line);
}

static void format_at(uintptr_t a, char *buf, size_t len)
{
	struct guest_prog *g = guest_prog_current();
	const char *file;
	int line;
	if (g == NULL || a == 0) {
		snprintf(buf, len, "?");
		return;
	}
	if (guest_lines_find(g->lines, (uint64_t)(a - g->base), &file, &line))
		snprintf(buf, len, "%s:%d", file, line);
	else if (a >= g->text_lo && a < g->text_hi)
		snprintf(buf, len, "%s+%#llx", g->name, (unsigned long long)(a - g->base));
	else
		snprintf(buf, len, "?");
}

void guest_site_format(uintptr_t ret_addr, char *buf, size_t len)
{
	/* the call instruction ends just before its return address */
	format_at(ret_addr != 0 ? ret_addr - 1 : 0, buf, len);
}

void guest_pc_format(uintptr_t pc, char *buf, size_t len)
{
	format_at(pc, buf, len);
}

void guest_describe_addr(const void *addr, char *buf, size_t len)
{
	struct guest_prog *g = guest_prog_current();
	struct guest_run *r = guest_run_current();
	uintptr_t a = (uintptr_t)addr;
	uint64_t off;
	const char *sym = g != NULL ? guest_elf_symbol_at(g->elf, a - g->base, &off) : NULL;
	if (sym != NULL) {
		if (off == 0)
			snprintf(buf, len, "%s", sym);
		else
			snprintf(buf, len, "%s+%llu", sym, (unsigned long long)off);
		return;
	}
	const char *label;
	if (r != NULL && umem_ident_describe(r->proc, a, &label, &off)) {
		snprintf(buf, len, "%s+%#llx", label, (unsigned long long)off);
		return;
	}
	/* Not the guest's memory: a value the program made up (small numbers
	 * print as they are), or a host address, which differs between runs
	 * of simk and must not reach a message that is compared. */
	if (a < (1ULL << 32))
		snprintf(buf, len, "%#llx", (unsigned long long)a);
	else
		snprintf(buf, len, "an address outside the guest's memory");
}

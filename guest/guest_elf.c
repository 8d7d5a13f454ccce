/*
 * The guest's ELF file, read directly (guest_elf.h). Only what the
 * runtime needs: section headers, .dynsym/.dynstr, .symtab/.strtab and
 * named sections. Nothing here trusts the file: every table is bounds-
 * checked once at open, every string is checked to end inside its table.
 */
#include "guest/guest_elf.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

struct symtab {
	const Elf64_Sym *syms;
	size_t n;
	const char *str;
	size_t strlen;
};

struct guest_elf {
	const unsigned char *map;
	size_t len;
	const Elf64_Shdr *sh;
	size_t nsh;
	const char *shstr;
	size_t shstrlen;
	struct symtab dyn, tab;
};

static bool in_file(const struct guest_elf *e, uint64_t off, uint64_t len)
{
	return off <= e->len && len <= e->len - off;
}

static const char *str_at(const char *tab, size_t tablen, uint64_t off)
{
	if (tab == NULL || off >= tablen)
		return NULL;
	return memchr(tab + off, '\0', tablen - off) != NULL ? tab + off : NULL;
}

static void load_symtab(struct guest_elf *e, uint32_t type, struct symtab *st)
{
	for (size_t i = 0; i < e->nsh; i++) {
		const Elf64_Shdr *s = &e->sh[i];
		if (s->sh_type != type || s->sh_entsize != sizeof(Elf64_Sym) ||
		    !in_file(e, s->sh_offset, s->sh_size) || s->sh_link >= e->nsh)
			continue;
		const Elf64_Shdr *strs = &e->sh[s->sh_link];
		if (strs->sh_type != SHT_STRTAB || !in_file(e, strs->sh_offset, strs->sh_size))
			continue;
		st->syms = (const Elf64_Sym *)(e->map + s->sh_offset);
		st->n = s->sh_size / sizeof(Elf64_Sym);
		st->str = (const char *)(e->map + strs->sh_offset);
		st->strlen = strs->sh_size;
		return;
	}
}

struct guest_elf *guest_elf_open(const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < (off_t)sizeof(Elf64_Ehdr)) {
		snprintf(err, errlen, "%s: not an ELF shared object", path);
		close(fd);
		return NULL;
	}
	void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	struct guest_elf *e = calloc(1, sizeof(*e));
	if (e == NULL) {
		munmap(map, (size_t)st.st_size);
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	e->map = map;
	e->len = (size_t)st.st_size;
	const Elf64_Ehdr *h = map;
	const char *why = NULL;
	if (memcmp(h->e_ident, ELFMAG, SELFMAG) != 0)
		why = "not an ELF file";
	else if (h->e_ident[EI_CLASS] != ELFCLASS64 || h->e_ident[EI_DATA] != ELFDATA2LSB)
		why = "not a 64-bit little-endian ELF file";
#if defined(__x86_64__)
	else if (h->e_machine != EM_X86_64)
		why = "built for another machine";
#elif defined(__aarch64__)
	else if (h->e_machine != EM_AARCH64)
		why = "built for another machine";
#endif
	else if (h->e_type != ET_DYN)
		why = "not a shared object (build it with simk-cc, docs/guest.md)";
	else if (h->e_shentsize != sizeof(Elf64_Shdr) ||
		 !in_file(e, h->e_shoff, (uint64_t)h->e_shnum * sizeof(Elf64_Shdr)) ||
		 h->e_shstrndx >= h->e_shnum)
		why = "bad section headers";
	if (why != NULL) {
		snprintf(err, errlen, "%s: %s", path, why);
		guest_elf_close(e);
		return NULL;
	}
	e->sh = (const Elf64_Shdr *)(e->map + h->e_shoff);
	e->nsh = h->e_shnum;
	const Elf64_Shdr *ss = &e->sh[h->e_shstrndx];
	if (in_file(e, ss->sh_offset, ss->sh_size)) {
		e->shstr = (const char *)(e->map + ss->sh_offset);
		e->shstrlen = ss->sh_size;
	}
	load_symtab(e, SHT_DYNSYM, &e->dyn);
	load_symtab(e, SHT_SYMTAB, &e->tab);
	return e;
}

void guest_elf_close(struct guest_elf *e)
{
	if (e == NULL)
		return;
	munmap((void *)e->map, e->len);
	free(e);
}

const void *guest_elf_section(const struct guest_elf *e, const char *name, size_t *len)
{
	for (size_t i = 0; i < e->nsh; i++) {
		const Elf64_Shdr *s = &e->sh[i];
		const char *n = str_at(e->shstr, e->shstrlen, s->sh_name);
		if (n == NULL || strcmp(n, name) != 0 || s->sh_type == SHT_NOBITS ||
		    !in_file(e, s->sh_offset, s->sh_size))
			continue;
		*len = s->sh_size;
		return e->map + s->sh_offset;
	}
	*len = 0;
	return NULL;
}

static bool sym_of(const struct symtab *st, size_t i, struct guest_elf_sym *out)
{
	if (i >= st->n)
		return false;
	const Elf64_Sym *s = &st->syms[i];
	const char *name = str_at(st->str, st->strlen, s->st_name);
	if (name == NULL)
		return false;
	out->name = name;
	out->value = s->st_value;
	out->size = s->st_size;
	out->defined = s->st_shndx != SHN_UNDEF;
	out->weak = ELF64_ST_BIND(s->st_info) == STB_WEAK;
	out->func = ELF64_ST_TYPE(s->st_info) == STT_FUNC;
	return true;
}

int guest_elf_dynsym_count(const struct guest_elf *e)
{
	return (int)e->dyn.n;
}

bool guest_elf_dynsym(const struct guest_elf *e, int i, struct guest_elf_sym *out)
{
	return i >= 0 && sym_of(&e->dyn, (size_t)i, out);
}

static const char *lookup_in(const struct symtab *st, uint64_t a, uint64_t *off)
{
	for (size_t i = 0; i < st->n; i++) {
		const Elf64_Sym *s = &st->syms[i];
		int type = ELF64_ST_TYPE(s->st_info);
		if ((type != STT_FUNC && type != STT_OBJECT) || s->st_shndx == SHN_UNDEF)
			continue;
		if (a < s->st_value || a - s->st_value >= (s->st_size ? s->st_size : 1))
			continue;
		const char *name = str_at(st->str, st->strlen, s->st_name);
		if (name == NULL || name[0] == '\0')
			continue;
		*off = a - s->st_value;
		return name;
	}
	return NULL;
}

const char *guest_elf_symbol_at(const struct guest_elf *e, uint64_t a, uint64_t *off)
{
	const char *n = lookup_in(&e->tab, a, off);
	return n != NULL ? n : lookup_in(&e->dyn, a, off);
}

bool guest_elf_defines(const struct guest_elf *e, const char *name)
{
	const struct symtab *tabs[2] = {&e->tab, &e->dyn};
	for (int t = 0; t < 2; t++)
		for (size_t i = 0; i < tabs[t]->n; i++) {
			struct guest_elf_sym s;
			if (sym_of(tabs[t], i, &s) && s.defined && strcmp(s.name, name) == 0)
				return true;
		}
	return false;
}

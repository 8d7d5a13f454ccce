/*
 * A small reader of the guest's ELF file (64-bit, little-endian): its
 * sections, the symbols it imports (the link check), the names of its own
 * functions and objects (messages) and the raw bytes of its DWARF line
 * tables (guest_lines.c). The file is mapped read-only for as long as the
 * program stays loaded. Every offset and size is checked against the
 * file: a truncated or hostile file gives an error, never a host crash.
 */
#ifndef SIMK_GUEST_ELF_H
#define SIMK_GUEST_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct guest_elf;

struct guest_elf_sym {
	const char *name;
	uint64_t value; /* link-time address (add the load bias) */
	uint64_t size;
	bool defined, weak, func;
};

/* Maps and checks path: NULL with a message in err when it is not a
 * 64-bit little-endian ELF shared object for this machine. */
struct guest_elf *guest_elf_open(const char *path, char *err, size_t errlen);
void guest_elf_close(struct guest_elf *e);

/* A section's bytes by name, or NULL. */
const void *guest_elf_section(const struct guest_elf *e, const char *name, size_t *len);

/* The dynamic symbols (imports and exports), in table order: 0..n-1. */
int guest_elf_dynsym_count(const struct guest_elf *e);
bool guest_elf_dynsym(const struct guest_elf *e, int i, struct guest_elf_sym *out);
/* The symbol (function or object, from .symtab, else .dynsym) whose range
 * holds the link-time address a; NULL if none. */
const char *guest_elf_symbol_at(const struct guest_elf *e, uint64_t a, uint64_t *off);
/* Whether a symbol of that name is defined (.symtab or .dynsym). */
bool guest_elf_defines(const struct guest_elf *e, const char *name);

#endif

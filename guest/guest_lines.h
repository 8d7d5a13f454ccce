/*
 * The guest's DWARF line table (guest_lines.c): link-time address ->
 * source file and line. Strings point into the mapped ELF file, so the
 * table lives no longer than its struct guest_elf.
 */
#ifndef SIMK_GUEST_LINES_H
#define SIMK_GUEST_LINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct guest_elf;
struct guest_lines;

/* Never NULL unless out of memory: a file without .debug_line gives an
 * empty table. */
struct guest_lines *guest_lines_load(const struct guest_elf *e);
void guest_lines_free(struct guest_lines *L);
/* The line of the instruction at link-time address addr. */
bool guest_lines_find(const struct guest_lines *L, uint64_t addr, const char **file, int *line);
size_t guest_lines_count(const struct guest_lines *L);

#endif

/*
 * The guest's line table: which source line each instruction comes from,
 * read from the DWARF .debug_line section (versions 2 to 5) of the guest's
 * file, so a call, a crash or a spin is reported as "racy.c:12". The rows
 * of every sequence are collected once at load and sorted by address; a
 * lookup is a bisection. A file without line information (built without
 * -g) simply has no rows: messages then give "racy.so+0x1234".
 *
 * The reader is defensive: every read is bounds-checked, and a unit it
 * does not understand (a form it does not know, a truncated header) is
 * skipped, never trusted.
 */
#include "guest/guest_lines.h"

#include <stdlib.h>
#include <string.h>

#include "guest/guest_elf.h"

#define LINES_FILES_MAX 4096 /* file entries of one unit */

struct row {
	uint64_t addr;
	const char *file; /* NULL: the end of a sequence (no line here) */
	uint32_t line;
};

struct guest_lines {
	struct row *rows;
	size_t n, cap;
};

struct cursor {
	const unsigned char *p, *end;
	bool bad;
};

static uint64_t rd(struct cursor *c, int n)
{
	if (c->bad || c->end - c->p < n) {
		c->bad = true;
		return 0;
	}
	uint64_t v = 0;
	for (int i = 0; i < n; i++)
		v |= (uint64_t)c->p[i] << (8 * i);
	c->p += n;
	return v;
}

static uint64_t uleb(struct cursor *c)
{
	uint64_t v = 0;
	for (int shift = 0; shift < 64; shift += 7) {
		uint64_t b = rd(c, 1);
		v |= (b & 0x7f) << shift;
		if (!(b & 0x80))
			return v;
	}
	c->bad = true;
	return 0;
}

static int64_t sleb(struct cursor *c)
{
	int64_t v = 0;
	int shift = 0;
	uint64_t b;
	do {
		b = rd(c, 1);
		v |= (int64_t)((b & 0x7f) << shift);
		shift += 7;
	} while ((b & 0x80) && shift < 64 && !c->bad);
	if (shift < 64 && (b & 0x40))
		v |= -((int64_t)1 << shift);
	return v;
}

static const char *cstr(struct cursor *c)
{
	const unsigned char *z = c->bad ? NULL : memchr(c->p, '\0', (size_t)(c->end - c->p));
	if (z == NULL) {
		c->bad = true;
		return NULL;
	}
	const char *s = (const char *)c->p;
	c->p = z + 1;
	return s;
}

static const char *str_in(const char *tab, size_t len, uint64_t off)
{
	if (tab == NULL || off >= len || memchr(tab + off, '\0', len - off) == NULL)
		return NULL;
	return tab + off;
}

struct strtabs {
	const char *line_str, *str;
	size_t line_str_len, str_len;
};

enum {
	FORM_data2 = 0x05,
	FORM_data4 = 0x06,
	FORM_data8 = 0x07,
	FORM_string = 0x08,
	FORM_block = 0x09,
	FORM_data1 = 0x0b,
	FORM_strp = 0x0e,
	FORM_udata = 0x0f,
	FORM_data16 = 0x1e,
	FORM_line_strp = 0x1f,
};

/* Reads one attribute of a DWARF 5 entry: a string (paths) or a number;
 * false for a form this reader does not know. */
static bool read_form(struct cursor *c, uint64_t form, int offsz, const struct strtabs *st,
		      const char **s, uint64_t *v)
{
	*s = NULL;
	*v = 0;
	switch (form) {
	case FORM_string:
		*s = cstr(c);
		return true;
	case FORM_line_strp:
		*s = str_in(st->line_str, st->line_str_len, rd(c, offsz));
		return true;
	case FORM_strp:
		*s = str_in(st->str, st->str_len, rd(c, offsz));
		return true;
	case FORM_udata:
		*v = uleb(c);
		return true;
	case FORM_data1:
		*v = rd(c, 1);
		return true;
	case FORM_data2:
		*v = rd(c, 2);
		return true;
	case FORM_data4:
		*v = rd(c, 4);
		return true;
	case FORM_data8:
		*v = rd(c, 8);
		return true;
	case FORM_data16:
		rd(c, 8);
		rd(c, 8);
		return true;
	case FORM_block: {
		uint64_t n = uleb(c);
		if (n > (uint64_t)(c->end - c->p))
			c->bad = true;
		else
			c->p += n;
		return true;
	}
	default:
		return false;
	}
}

/* DWARF 5 directory or file table: the path of each entry into names. */
static int read_entries5(struct cursor *c, int offsz, const struct strtabs *st, const char **names,
			 int max)
{
	uint64_t fmt[16][2];
	int nfmt = (int)rd(c, 1);
	if (nfmt > 16)
		return -1;
	for (int i = 0; i < nfmt; i++) {
		fmt[i][0] = uleb(c);
		fmt[i][1] = uleb(c);
	}
	uint64_t count = uleb(c);
	if (c->bad || count > (uint64_t)max)
		return -1;
	for (uint64_t k = 0; k < count; k++) {
		names[k] = NULL;
		for (int i = 0; i < nfmt; i++) {
			const char *s;
			uint64_t v;
			if (!read_form(c, fmt[i][1], offsz, st, &s, &v))
				return -1;
			if (fmt[i][0] == 1 /* DW_LNCT_path */)
				names[k] = s;
		}
		if (c->bad)
			return -1;
	}
	return (int)count;
}

static int add_row(struct guest_lines *L, uint64_t addr, const char *file, uint64_t line)
{
	if (L->n == L->cap) {
		size_t ncap = L->cap ? L->cap * 2 : 1024;
		struct row *nr = realloc(L->rows, ncap * sizeof(*nr));
		if (nr == NULL)
			return -1;
		L->rows = nr;
		L->cap = ncap;
	}
	L->rows[L->n].addr = addr;
	L->rows[L->n].file = file;
	L->rows[L->n].line = line > UINT32_MAX ? UINT32_MAX : (uint32_t)line;
	L->n++;
	return 0;
}

struct unit_hdr {
	int version, offsz;
	uint8_t min_inst, line_range, opcode_base;
	int8_t line_base;
	uint8_t std_len[256];
	const char **files;
	int nfiles;
	int file_base; /* the number of the first file: 0 in DWARF 5, 1 before */
};

static const char *file_of(const struct unit_hdr *h, uint64_t f)
{
	if (f < (uint64_t)h->file_base || f - (uint64_t)h->file_base >= (uint64_t)h->nfiles)
		return "?";
	const char *s = h->files[f - (uint64_t)h->file_base];
	return s != NULL ? s : "?";
}

/* Runs the line program of one unit, adding its rows. */
static int run_program(struct guest_lines *L, struct cursor *c, const struct unit_hdr *h)
{
	uint64_t addr = 0, file = 1, line = 1;
	while (c->p < c->end && !c->bad) {
		uint8_t op = (uint8_t)rd(c, 1);
		if (op >= h->opcode_base) {
			unsigned adj = op - h->opcode_base;
			addr += (uint64_t)(adj / h->line_range) * h->min_inst;
			line += (int64_t)h->line_base + (int64_t)(adj % h->line_range);
			if (add_row(L, addr, file_of(h, file), line) != 0)
				return -1;
			continue;
		}
		switch (op) {
		case 0: { /* extended */
			uint64_t len = uleb(c);
			if (len == 0 || len > (uint64_t)(c->end - c->p)) {
				c->bad = true;
				break;
			}
			const unsigned char *next = c->p + len;
			uint8_t sub = (uint8_t)rd(c, 1);
			if (sub == 1) { /* end_sequence */
				if (add_row(L, addr, NULL, 0) != 0)
					return -1;
				addr = 0;
				file = 1;
				line = 1;
			} else if (sub == 2 && len == 9) { /* set_address */
				addr = rd(c, 8);
			}
			c->p = next;
			break;
		}
		case 1: /* copy */
			if (add_row(L, addr, file_of(h, file), line) != 0)
				return -1;
			break;
		case 2:
			addr += uleb(c) * h->min_inst;
			break;
		case 3:
			line += (uint64_t)sleb(c);
			break;
		case 4:
			file = uleb(c);
			break;
		case 8:
			addr += (uint64_t)((255 - h->opcode_base) / h->line_range) * h->min_inst;
			break;
		case 9:
			addr += rd(c, 2);
			break;
		default: /* 5, 6, 7, 10, 11, 12 and unknown: skip the operands */
			for (int i = 0; i < h->std_len[op]; i++)
				uleb(c);
			break;
		}
	}
	return 0;
}

/* One unit starting at c->p; moves c->p past it. */
static int read_unit(struct guest_lines *L, struct cursor *all, const struct strtabs *st)
{
	uint64_t ulen = rd(all, 4);
	int offsz = 4;
	if (ulen == 0xffffffffu) {
		ulen = rd(all, 8);
		offsz = 8;
	}
	if (all->bad || ulen > (uint64_t)(all->end - all->p)) {
		all->bad = true;
		return 0;
	}
	struct cursor c = {all->p, all->p + ulen, false};
	all->p += ulen;
	struct unit_hdr h = {0};
	h.offsz = offsz;
	h.version = (int)rd(&c, 2);
	if (h.version < 2 || h.version > 5)
		return 0; /* not one we know: skip it */
	if (h.version == 5 && (rd(&c, 1) != 8 || rd(&c, 1) != 0))
		return 0; /* address size 8, no segments */
	uint64_t hlen = rd(&c, offsz);
	if (c.bad || hlen > (uint64_t)(c.end - c.p))
		return 0;
	const unsigned char *prog = c.p + hlen;
	h.min_inst = (uint8_t)rd(&c, 1);
	if (h.version >= 4)
		rd(&c, 1); /* maximum operations per instruction (VLIW) */
	rd(&c, 1);	   /* default_is_stmt */
	h.line_base = (int8_t)rd(&c, 1);
	h.line_range = (uint8_t)rd(&c, 1);
	h.opcode_base = (uint8_t)rd(&c, 1);
	if (c.bad || h.line_range == 0 || h.opcode_base == 0)
		return 0;
	for (int i = 1; i < h.opcode_base; i++)
		h.std_len[i] = (uint8_t)rd(&c, 1);
	const char **files = calloc(LINES_FILES_MAX, sizeof(*files));
	if (files == NULL)
		return -1;
	h.files = files;
	if (h.version == 5) {
		const char **dirs = calloc(LINES_FILES_MAX, sizeof(*dirs));
		int nd = dirs != NULL ? read_entries5(&c, offsz, st, dirs, LINES_FILES_MAX) : -1;
		free(dirs);
		h.nfiles = nd >= 0 ? read_entries5(&c, offsz, st, files, LINES_FILES_MAX) : -1;
		h.file_base = 0;
	} else {
		while (!c.bad) { /* include directories */
			const char *d = cstr(&c);
			if (d == NULL || d[0] == '\0')
				break;
		}
		h.nfiles = 0;
		h.file_base = 1;
		while (!c.bad && h.nfiles < LINES_FILES_MAX) {
			const char *f = cstr(&c);
			if (f == NULL || f[0] == '\0')
				break;
			uleb(&c); /* directory */
			uleb(&c); /* mtime */
			uleb(&c); /* length */
			files[h.nfiles++] = f;
		}
	}
	int r = 0;
	if (!c.bad && h.nfiles >= 0 && prog <= c.end) {
		c.p = prog;
		r = run_program(L, &c, &h);
	}
	free(files);
	return r;
}

static int row_cmp(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	/* at one address, an end of sequence before the start of the next */
	return (x->file != NULL) - (y->file != NULL);
}

struct guest_lines *guest_lines_load(const struct guest_elf *e)
{
	struct guest_lines *L = calloc(1, sizeof(*L));
	if (L == NULL)
		return NULL;
	size_t len;
	const unsigned char *sec = guest_elf_section(e, ".debug_line", &len);
	struct strtabs st;
	st.line_str = guest_elf_section(e, ".debug_line_str", &st.line_str_len);
	st.str = guest_elf_section(e, ".debug_str", &st.str_len);
	struct cursor all = {sec, sec + len, sec == NULL};
	while (!all.bad && all.p < all.end)
		if (read_unit(L, &all, &st) != 0)
			break;
	if (L->n > 0)
		qsort(L->rows, L->n, sizeof(L->rows[0]), row_cmp);
	return L;
}

void guest_lines_free(struct guest_lines *L)
{
	if (L == NULL)
		return;
	free(L->rows);
	free(L);
}

bool guest_lines_find(const struct guest_lines *L, uint64_t addr, const char **file, int *line)
{
	if (L == NULL || L->n == 0)
		return false;
	size_t lo = 0, hi = L->n; /* the last row with addr <= addr is lo - 1 */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (L->rows[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return false;
	const struct row *r = &L->rows[lo - 1];
	if (r->file == NULL)
		return false; /* past the end of a sequence */
	*file = r->file;
	*line = (int)r->line;
	return true;
}

size_t guest_lines_count(const struct guest_lines *L)
{
	return L != NULL ? L->n : 0;
}

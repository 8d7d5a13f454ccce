/*
 * Where a scenario thread is, in the words of its source: the statement it
 * is at and the one before, quoted from the file (simk shrink explains a
 * schedule with them: "waiter is preempted after `if flag == 0`").
 */
#include <string.h>

#include "sim/engine.h"
#include "scn/scn_internal.h"

void scn_source_line(const struct scn_prog *p, int line, char *buf, size_t len)
{
	if (len == 0)
		return;
	buf[0] = '\0';
	if (p->src == NULL || line < 1)
		return;
	const char *s = p->src, *end = p->src + p->srclen;
	for (int l = 1; l < line && s < end; l++) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		if (nl == NULL)
			return;
		s = nl + 1;
	}
	const char *e = memchr(s, '\n', (size_t)(end - s));
	if (e == NULL)
		e = end;
	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	/* a comment starts at a '#' outside a string literal */
	bool in_str = false;
	for (const char *c = s; c < e; c++) {
		if (*c == '"' && (c == s || c[-1] != '\\'))
			in_str = !in_str;
		else if (*c == '#' && !in_str) {
			e = c;
			break;
		}
	}
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		e--;
	size_t n = (size_t)(e - s);
	if (n >= len)
		n = len - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
}

bool scn_thread_where(const struct simk_thread *t, struct scn_where *w)
{
	memset(w, 0, sizeof(*w));
	const struct scn_frame *fr = t->scn;
	if (fr == NULL || t->state == TS_ZOMBIE || fr->pc == NULL)
		return false;
	const struct scn_prog *p = fr->prog;
	w->file = p->name;
	w->line = fr->pc->line;
	w->col = fr->pc->col;
	w->call = fr->pc->op == S_CALL;
	scn_source_line(p, w->line, w->text, sizeof(w->text));
	if (fr->prev != NULL) {
		w->prev_line = fr->prev->line;
		scn_source_line(p, w->prev_line, w->prev_text, sizeof(w->prev_text));
	}
	return true;
}

int scn_thread_body_line(const struct scn_prog *p, const char *name)
{
	for (int i = 0; i < p->ndecls; i++) {
		const struct scn_pdecl *d = &p->decls[i];
		if (d->body < 0 || strcmp(d->d.name, name) != 0)
			continue;
		const struct scn_insn *in = &p->code[p->bodies[d->body].start];
		return in->op == S_END ? 0 : in->line;
	}
	return 0;
}

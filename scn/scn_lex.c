/*
 * The scenario lexer: one line at a time into a token array. Columns are
 * 1-based byte offsets (a tab between tokens is one column; tabs in the
 * indentation are rejected by the parser before the lexer sees the line).
 */
#include <string.h>

#include "scn/scn_lex.h"

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alnum(char c)
{
	return is_alpha(c) || is_digit(c);
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* Multiplier of a duration suffix, 0 when unknown. */
static uint64_t suffix_mult(const char *s, int len)
{
	if (len == 2 && memcmp(s, "ns", 2) == 0)
		return 1;
	if (len == 2 && memcmp(s, "us", 2) == 0)
		return 1000;
	if (len == 2 && memcmp(s, "ms", 2) == 0)
		return 1000000;
	if (len == 1 && s[0] == 's')
		return 1000000000;
	return 0;
}

static int lex_error(struct scn_lexline *ll, int col, const char *msg)
{
	ll->err_col = col;
	ll->err = msg;
	return -1;
}

/* Numbers: decimal or 0x hex, '_' separators, an optional fraction only
 * with a duration suffix (1.5ms), or a plain fraction (0.3) as TK_FLOAT. */
static int lex_number(struct scn_lexline *ll, const char *s, int i, int len, struct scn_tok *t)
{
	int start = i;
	uint64_t v = 0;
	bool overflow = false;
	bool hex = s[i] == '0' && i + 1 < len && (s[i + 1] == 'x' || s[i + 1] == 'X');
	if (hex) {
		i += 2;
		int digits = 0;
		for (; i < len; i++) {
			char c = s[i];
			int d;
			if (c >= '0' && c <= '9')
				d = c - '0';
			else if (c >= 'a' && c <= 'f')
				d = c - 'a' + 10;
			else if (c >= 'A' && c <= 'F')
				d = c - 'A' + 10;
			else if (c == '_')
				continue;
			else
				break;
			if (v > (UINT64_MAX >> 4))
				overflow = true;
			v = (v << 4) | (uint64_t)d;
			digits++;
		}
		if (digits == 0)
			return lex_error(ll, start + 1, "bad hexadecimal number");
	} else {
		for (; i < len && (is_digit(s[i]) || s[i] == '_'); i++) {
			if (s[i] == '_')
				continue;
			uint64_t d = (uint64_t)(s[i] - '0');
			if (v > (UINT64_MAX - d) / 10)
				overflow = true;
			v = v * 10 + d;
		}
	}
	/* fraction */
	uint64_t frac = 0, frac_scale = 1;
	bool has_frac = false;
	if (!hex && i + 1 < len && s[i] == '.' && is_digit(s[i + 1])) {
		has_frac = true;
		i++;
		for (; i < len && is_digit(s[i]); i++) {
			if (frac_scale > UINT64_MAX / 10) {
				overflow = true;
				continue;
			}
			frac = frac * 10 + (uint64_t)(s[i] - '0');
			frac_scale *= 10;
		}
	}
	/* suffix */
	int sfx = i;
	while (i < len && is_alnum(s[i]))
		i++;
	t->col = start + 1;
	t->s = s + start;
	t->len = i - start;
	if (overflow)
		return lex_error(ll, start + 1, "number out of range");
	if (sfx == i) {
		if (has_frac) {
			t->type = TK_FLOAT;
			return i;
		}
		if (v > (uint64_t)INT64_MAX)
			return lex_error(ll, start + 1, "number out of range");
		t->type = TK_INT;
		t->v = (int64_t)v;
		return i;
	}
	uint64_t mult = suffix_mult(s + sfx, i - sfx);
	if (mult == 0)
		return lex_error(ll, sfx + 1,
				 "unknown number suffix (durations take ns, us, ms or s)");
	if (v > (uint64_t)INT64_MAX / mult)
		return lex_error(ll, start + 1, "duration out of range");
	uint64_t ns = v * mult;
	if (has_frac) {
		/* frac / frac_scale of the unit must be a whole number of ns */
		if (frac_scale > mult || (frac * mult) % frac_scale != 0)
			return lex_error(ll, start + 1, "duration is not a whole number of ns");
		uint64_t extra = frac * (mult / frac_scale);
		if (ns > (uint64_t)INT64_MAX - extra)
			return lex_error(ll, start + 1, "duration out of range");
		ns += extra;
	}
	t->type = TK_INT;
	t->v = (int64_t)ns;
	return i;
}

static int lex_string(struct scn_lexline *ll, const char *s, int i, int len, struct scn_tok *t)
{
	int start = i;
	t->type = TK_STR;
	t->col = start + 1;
	i++; /* opening quote */
	int n = 0;
	for (;;) {
		if (i >= len)
			return lex_error(ll, start + 1, "unterminated string");
		char c = s[i];
		if (c == '"')
			break;
		if (c == '\\') {
			if (i + 1 >= len)
				return lex_error(ll, start + 1, "unterminated string");
			char e = s[i + 1];
			switch (e) {
			case 'n':
				c = '\n';
				break;
			case 't':
				c = '\t';
				break;
			case '\\':
				c = '\\';
				break;
			case '"':
				c = '"';
				break;
			default:
				return lex_error(
				    ll, i + 1, "unknown escape in string (use \\n \\t \\\\ \\\")");
			}
			i++;
		}
		if (n + 1 >= SCN_STR_MAX)
			return lex_error(ll, start + 1, "string too long");
		/* room for this byte and the terminator in the line's buffer */
		if (ll->strused + n + 2 > (int)sizeof(ll->strbuf))
			return lex_error(ll, start + 1, "too many strings on one line");
		ll->strbuf[ll->strused + n++] = c;
		i++;
	}
	if (ll->strused + n + 1 > (int)sizeof(ll->strbuf))
		return lex_error(ll, start + 1, "too many strings on one line");
	ll->strbuf[ll->strused + n] = '\0';
	t->str = &ll->strbuf[ll->strused];
	t->strlen = n;
	ll->strused += n + 1;
	i++; /* closing quote */
	t->s = s + start;
	t->len = i - start;
	return i;
}

static int two(char a, char b)
{
	return ((int)(unsigned char)a << 8) | (unsigned char)b;
}

int scn_lex_line(struct scn_lexline *ll, const char *s, int len)
{
	ll->ntok = 0;
	ll->strused = 0;
	ll->err = NULL;
	ll->err_col = 0;
	ll->comment_col = 0;
	int i = 0;
	bool space = true;
	for (;;) {
		bool had_space = false;
		while (i < len && is_space(s[i])) {
			i++;
			had_space = true;
		}
		if (ll->ntok > 0)
			ll->tok[ll->ntok - 1].sp_after = had_space || i >= len || s[i] == '#';
		space = space || had_space;
		if (i >= len || s[i] == '#') {
			if (i < len)
				ll->comment_col = i + 1;
			break;
		}
		if (ll->ntok >= SCN_TOK_MAX - 1)
			return lex_error(ll, i + 1, "too many tokens on one line");
		struct scn_tok *t = &ll->tok[ll->ntok];
		memset(t, 0, sizeof(*t));
		t->sp_before = space;
		space = false;
		char c = s[i];
		if (is_alpha(c)) {
			int start = i;
			while (i < len && is_alnum(s[i]))
				i++;
			t->type = TK_IDENT;
			t->col = start + 1;
			t->s = s + start;
			t->len = i - start;
			if (t->len >= SCN_NAME_MAX)
				return lex_error(ll, start + 1, "name too long");
		} else if (is_digit(c)) {
			i = lex_number(ll, s, i, len, t);
			if (i < 0)
				return -1;
			if (i < len && (is_alpha(s[i]) || s[i] == '.'))
				return lex_error(ll, i + 1, "unexpected character after a number");
		} else if (c == '"') {
			i = lex_string(ll, s, i, len, t);
			if (i < 0)
				return -1;
		} else {
			char d = i + 1 < len ? s[i + 1] : '\0';
			int op = 0, n = 1;
			switch (two(c, d)) {
			case ('=' << 8) | '=':
				op = OP_EQ;
				n = 2;
				break;
			case ('!' << 8) | '=':
				op = OP_NE;
				n = 2;
				break;
			case ('<' << 8) | '=':
				op = OP_LE;
				n = 2;
				break;
			case ('>' << 8) | '=':
				op = OP_GE;
				n = 2;
				break;
			case ('&' << 8) | '&':
				op = OP_AND;
				n = 2;
				break;
			case ('|' << 8) | '|':
				op = OP_OR;
				n = 2;
				break;
			case ('+' << 8) | '=':
				op = OP_ADDEQ;
				n = 2;
				break;
			case ('-' << 8) | '=':
				op = OP_SUBEQ;
				n = 2;
				break;
			case ('<' << 8) | '<':
				op = OP_SHL;
				n = 2;
				break;
			case ('>' << 8) | '>':
				op = OP_SHR;
				n = 2;
				break;
			default:
				if (strchr("+-*/%<>!()=&|^~[],", c) != NULL && c != '\0')
					op = c;
				break;
			}
			if (op == 0) {
				if (c == '\t')
					return lex_error(ll, i + 1, "unexpected tab");
				return lex_error(ll, i + 1, "unexpected character");
			}
			t->type = TK_OP;
			t->op = op;
			t->col = i + 1;
			t->s = s + i;
			t->len = n;
			i += n;
		}
		ll->ntok++;
	}
	struct scn_tok *eol = &ll->tok[ll->ntok];
	memset(eol, 0, sizeof(*eol));
	eol->type = TK_EOL;
	eol->col = (ll->comment_col ? ll->comment_col : len + 1);
	/* the end of line column: after the last token */
	if (ll->ntok > 0) {
		const struct scn_tok *last = &ll->tok[ll->ntok - 1];
		eol->col = last->col + last->len;
	}
	eol->sp_before = true;
	return 0;
}

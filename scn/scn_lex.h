/* Private to scn/: the line lexer of the scenario language. */
#ifndef SIMK_SCN_LEX_H
#define SIMK_SCN_LEX_H

#include <stdbool.h>
#include <stdint.h>

#define SCN_TOK_MAX 256
#define SCN_NAME_MAX 64
#define SCN_STR_MAX 1024

enum scn_tk { TK_EOL = 0, TK_IDENT, TK_INT, TK_FLOAT, TK_STR, TK_OP };

/* Two-character operators; one-character ones are their own char. */
enum {
	OP_EQ = 256,
	OP_NE,
	OP_LE,
	OP_GE,
	OP_AND,
	OP_OR,
	OP_ADDEQ,
	OP_SUBEQ,
	OP_SHL,
	OP_SHR,
};

struct scn_tok {
	enum scn_tk type;
	int col;       /* 1-based */
	const char *s; /* the token's text in the line */
	int len;
	int64_t v;	 /* TK_INT (durations already in ns) */
	int op;		 /* TK_OP */
	const char *str; /* TK_STR: the unescaped text (in the line's buffer) */
	int strlen;
	bool sp_before, sp_after; /* whitespace around (for `f -1` vs `a - 1`) */
};

struct scn_lexline {
	struct scn_tok tok[SCN_TOK_MAX]; /* tok[ntok] is TK_EOL */
	int ntok;
	char strbuf[4096];
	int strused;
	int comment_col; /* where a # comment starts, 0 if none */
	const char *err; /* set when scn_lex_line fails */
	int err_col;
};

/* Tokenizes s[0..len) (no newline). Returns 0, or -1 with err/err_col. */
int scn_lex_line(struct scn_lexline *ll, const char *s, int len);

#endif

/*
 * A small JSON reader (cli/json.c), for `simk merge`: a tree of nodes,
 * numbers kept as text (json_u64 reads a 64-bit one exactly).
 */
#ifndef SIMK_CLI_JSON_H
#define SIMK_CLI_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum json_type { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct json {
	enum json_type type;
	char *str;	     /* J_STR: the decoded text; J_NUM: the literal */
	bool b;		     /* J_BOOL */
	struct json **items; /* J_ARR, J_OBJ: n values */
	char **keys;	     /* J_OBJ: their names (J_ARR: NULL each) */
	size_t n;
};

/* NULL with "byte N: what" in err on a syntax error or no memory. */
struct json *json_parse(const char *text, size_t len, char *err, size_t errlen);
/* The value at text[*off], then *off past it and the white space after it:
 * a sequence of values (JSON Lines) is read by calling it until *off ==
 * len. */
struct json *json_parse_next(const char *text, size_t len, size_t *off, char *err, size_t errlen);
void json_free(struct json *j);
/* The member `key` of an object (the first of that name), or NULL. */
const struct json *json_get(const struct json *obj, const char *key);
/* A non-negative integer that fits 64 bits. */
bool json_u64(const struct json *j, uint64_t *v);
/* The text of a string node, or NULL. */
const char *json_string(const struct json *j);

#endif

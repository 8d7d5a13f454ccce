/*
 * A small JSON reader for `simk merge` (RFC 8259: objects, arrays, strings
 * with every escape, numbers kept as their literal text so 64-bit seeds
 * survive, true, false, null). Nesting is limited to JSON_DEPTH_MAX; an
 * error names the byte offset. Only simk's own --json output is read with
 * it, but any well-formed JSON parses.
 */
#include "cli/json.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define JSON_DEPTH_MAX 32

struct reader {
	const char *s, *end;
	const char *start;
	char *err;
	size_t errlen;
	bool failed;
};

static void fail(struct reader *r, const char *what)
{
	if (!r->failed)
		snprintf(r->err, r->errlen, "byte %zu: %s", (size_t)(r->s - r->start), what);
	r->failed = true;
}

static void skip_ws(struct reader *r)
{
	while (r->s < r->end && (*r->s == ' ' || *r->s == '\t' || *r->s == '\n' || *r->s == '\r'))
		r->s++;
}

static struct json *node(struct reader *r, enum json_type t)
{
	struct json *j = calloc(1, sizeof(*j));
	if (j == NULL)
		fail(r, "out of memory");
	else
		j->type = t;
	return j;
}

static int hex4(const char *p)
{
	int v = 0;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		int d = c >= '0' && c <= '9'	 ? c - '0'
			: c >= 'a' && c <= 'f' ? c - 'a' + 10
			: c >= 'A' && c <= 'F' ? c - 'A' + 10
					       : -1;
		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

static void put_utf8(char *out, size_t *n, unsigned cp)
{
	if (cp < 0x80) {
		out[(*n)++] = (char)cp;
	} else if (cp < 0x800) {
		out[(*n)++] = (char)(0xc0 | (cp >> 6));
		out[(*n)++] = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		out[(*n)++] = (char)(0xe0 | (cp >> 12));
		out[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[(*n)++] = (char)(0x80 | (cp & 0x3f));
	} else {
		out[(*n)++] = (char)(0xf0 | (cp >> 18));
		out[(*n)++] = (char)(0x80 | ((cp >> 12) & 0x3f));
		out[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[(*n)++] = (char)(0x80 | (cp & 0x3f));
	}
}

/* A string literal at r->s (the opening quote), decoded. */
static char *string(struct reader *r)
{
	r->s++;
	const char *p = r->s;
	while (p < r->end && *p != '"') /* the decoded text is never longer */
		p += *p == '\\' && p + 1 < r->end ? 2 : 1;
	if (p >= r->end) {
		fail(r, "unterminated string");
		return NULL;
	}
	char *out = malloc((size_t)(p - r->s) + 1);
	if (out == NULL) {
		fail(r, "out of memory");
		return NULL;
	}
	size_t n = 0;
	while (r->s < p) {
		unsigned char c = (unsigned char)*r->s++;
		if (c < 0x20) {
			fail(r, "control character in a string");
			break;
		}
		if (c != '\\') {
			out[n++] = (char)c;
			continue;
		}
		char e = *r->s++;
		switch (e) {
		case '"': out[n++] = '"'; break;
		case '\\': out[n++] = '\\'; break;
		case '/': out[n++] = '/'; break;
		case 'b': out[n++] = '\b'; break;
		case 'f': out[n++] = '\f'; break;
		case 'n': out[n++] = '\n'; break;
		case 'r': out[n++] = '\r'; break;
		case 't': out[n++] = '\t'; break;
		case 'u': {
			int cp = p - r->s >= 4 ? hex4(r->s) : -1;
			if (cp < 0) {
				fail(r, "bad \\u escape");
				break;
			}
			r->s += 4;
			unsigned u = (unsigned)cp;
			if (u >= 0xd800 && u < 0xdc00 && p - r->s >= 6 && r->s[0] == '\\' &&
			    r->s[1] == 'u') {
				int lo = hex4(r->s + 2);
				if (lo >= 0xdc00 && lo < 0xe000) {
					u = 0x10000 + ((u - 0xd800) << 10) + ((unsigned)lo - 0xdc00);
					r->s += 6;
				}
			}
			put_utf8(out, &n, u); /* 6 escaped bytes give at most 4 */
			break;
		}
		default: fail(r, "bad escape in a string");
		}
		if (r->failed)
			break;
	}
	out[n] = '\0';
	r->s = p + 1;
	if (r->failed) {
		free(out);
		return NULL;
	}
	return out;
}

static struct json *value(struct reader *r, int depth);

static bool add_item(struct reader *r, struct json *j, char *key, struct json *v)
{
	if (j->n % 16 == 0) {
		struct json **ni = realloc(j->items, (j->n + 16) * sizeof(*ni));
		char **nk = ni == NULL ? NULL : realloc(j->keys, (j->n + 16) * sizeof(*nk));
		if (ni != NULL)
			j->items = ni;
		if (nk == NULL) {
			fail(r, "out of memory");
			free(key);
			json_free(v);
			return false;
		}
		j->keys = nk;
	}
	j->keys[j->n] = key;
	j->items[j->n++] = v;
	return true;
}

static struct json *container(struct reader *r, int depth, bool obj)
{
	struct json *j = node(r, obj ? J_OBJ : J_ARR);
	if (j == NULL)
		return NULL;
	r->s++;
	skip_ws(r);
	if (r->s < r->end && *r->s == (obj ? '}' : ']')) {
		r->s++;
		return j;
	}
	for (;;) {
		char *key = NULL;
		skip_ws(r);
		if (obj) {
			if (r->s >= r->end || *r->s != '"') {
				fail(r, "expected a member name");
				break;
			}
			if ((key = string(r)) == NULL)
				break;
			skip_ws(r);
			if (r->s >= r->end || *r->s != ':') {
				free(key);
				fail(r, "expected ':'");
				break;
			}
			r->s++;
		}
		struct json *v = value(r, depth + 1);
		if (v == NULL) {
			free(key);
			break;
		}
		if (!add_item(r, j, key, v))
			break;
		skip_ws(r);
		if (r->s < r->end && *r->s == ',') {
			r->s++;
			continue;
		}
		if (r->s < r->end && *r->s == (obj ? '}' : ']')) {
			r->s++;
			return j;
		}
		fail(r, obj ? "expected ',' or '}'" : "expected ',' or ']'");
		break;
	}
	json_free(j);
	return NULL;
}

static struct json *number(struct reader *r)
{
	const char *p = r->s;
	if (p < r->end && *p == '-')
		p++;
	const char *digits = p;
	while (p < r->end && ((*p >= '0' && *p <= '9') || *p == '.' || *p == 'e' || *p == 'E' ||
			      *p == '+' || *p == '-'))
		p++;
	if (p == digits || !(*digits >= '0' && *digits <= '9')) {
		fail(r, "bad value");
		return NULL;
	}
	struct json *j = node(r, J_NUM);
	if (j == NULL)
		return NULL;
	j->str = strndup(r->s, (size_t)(p - r->s));
	if (j->str == NULL) {
		free(j);
		fail(r, "out of memory");
		return NULL;
	}
	r->s = p;
	return j;
}

static bool word(struct reader *r, const char *w)
{
	size_t n = strlen(w);
	if ((size_t)(r->end - r->s) >= n && memcmp(r->s, w, n) == 0) {
		r->s += n;
		return true;
	}
	return false;
}

static struct json *value(struct reader *r, int depth)
{
	if (depth > JSON_DEPTH_MAX) {
		fail(r, "nested too deep");
		return NULL;
	}
	skip_ws(r);
	if (r->s >= r->end) {
		fail(r, "unexpected end");
		return NULL;
	}
	struct json *j;
	switch (*r->s) {
	case '{': return container(r, depth, true);
	case '[': return container(r, depth, false);
	case '"': {
		char *s = string(r);
		if (s == NULL)
			return NULL;
		if ((j = node(r, J_STR)) == NULL) {
			free(s);
			return NULL;
		}
		j->str = s;
		return j;
	}
	default:
		if (word(r, "true") || word(r, "false")) {
			if ((j = node(r, J_BOOL)) != NULL)
				j->b = r->s[-1] == 'e' && r->s[-2] == 'u';
			return j;
		}
		if (word(r, "null"))
			return node(r, J_NULL);
		return number(r);
	}
}

struct json *json_parse(const char *text, size_t len, char *err, size_t errlen)
{
	size_t off = 0;
	struct json *j = json_parse_next(text, len, &off, err, errlen);
	if (j != NULL && off != len) {
		snprintf(err, errlen, "byte %zu: text after the value", off);
		json_free(j);
		j = NULL;
	}
	return j;
}

struct json *json_parse_next(const char *text, size_t len, size_t *off, char *err, size_t errlen)
{
	struct reader r = {text + *off, text + len, text, err, errlen, false};
	struct json *j = value(&r, 0);
	skip_ws(&r);
	*off = (size_t)(r.s - text);
	return j;
}

void json_free(struct json *j)
{
	if (j == NULL)
		return;
	for (size_t i = 0; i < j->n; i++) {
		free(j->keys[i]);
		json_free(j->items[i]);
	}
	free(j->keys);
	free(j->items);
	free(j->str);
	free(j);
}

const struct json *json_get(const struct json *obj, const char *key)
{
	if (obj == NULL || obj->type != J_OBJ)
		return NULL;
	for (size_t i = 0; i < obj->n; i++)
		if (strcmp(obj->keys[i], key) == 0)
			return obj->items[i];
	return NULL;
}

bool json_u64(const struct json *j, uint64_t *v)
{
	if (j == NULL || j->type != J_NUM || j->str[0] < '0' || j->str[0] > '9')
		return false;
	errno = 0;
	char *end;
	unsigned long long x = strtoull(j->str, &end, 10);
	if (errno != 0 || *end != '\0')
		return false;
	*v = x;
	return true;
}

const char *json_string(const struct json *j)
{
	return j != NULL && j->type == J_STR ? j->str : NULL;
}

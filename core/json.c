/* json.c - recursive-descent JSON reader; strict (RFC 8259), bounded depth, one value per call. */
#include "json.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JSON_DEPTH_MAX 64

struct json_in {
	const char *p, *start, *end;
	char *err;
	size_t errlen;
	int failed;
};

static int json_fail(struct json_in *in, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int json_fail(struct json_in *in, const char *fmt, ...)
{
	if (in->failed)
		return -1;
	in->failed = 1;
	char what[160];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	if (in->errlen)
		snprintf(in->err, in->errlen, "at byte %zu: %s", (size_t)(in->p - in->start), what);
	return -1;
}

static void json_blanks(struct json_in *in)
{
	while (in->p < in->end && (*in->p == ' ' || *in->p == '\t' || *in->p == '\n' || *in->p == '\r'))
		in->p++;
}

static int json_literal(struct json_in *in, const char *word)
{
	size_t n = strlen(word);
	if ((size_t)(in->end - in->p) < n || memcmp(in->p, word, n) != 0)
		return json_fail(in, "expected a value");
	in->p += n;
	return 0;
}

/* Append one code point as UTF-8. */
static size_t json_utf8(char *out, unsigned long cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

static int json_hex4(struct json_in *in, unsigned long *out)
{
	if (in->end - in->p < 4)
		return json_fail(in, "a \\u escape needs four hex digits");
	unsigned long v = 0;
	for (int i = 0; i < 4; i++) {
		char c = in->p[i];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
			: c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0)
			return json_fail(in, "a \\u escape needs four hex digits");
		v = v * 16 + (unsigned long)d;
	}
	in->p += 4;
	*out = v;
	return 0;
}

/* After "\u": one code point, joining a surrogate pair. */
static int json_unicode(struct json_in *in, unsigned long *cp)
{
	if (json_hex4(in, cp) < 0)
		return -1;
	if (*cp >= 0xdc00 && *cp <= 0xdfff)
		return json_fail(in, "a lone low surrogate");
	if (*cp < 0xd800 || *cp > 0xdbff)
		return 0;
	unsigned long lo;
	if (in->end - in->p < 2 || in->p[0] != '\\' || in->p[1] != 'u')
		return json_fail(in, "a high surrogate without its low half");
	in->p += 2;
	if (json_hex4(in, &lo) < 0)
		return -1;
	if (lo < 0xdc00 || lo > 0xdfff)
		return json_fail(in, "a high surrogate without its low half");
	*cp = 0x10000 + ((*cp - 0xd800) << 10) + (lo - 0xdc00);
	return 0;
}

static int json_escape(struct json_in *in, char *out, size_t *len)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	if (in->p >= in->end)
		return json_fail(in, "the text ends inside a string");
	char c = *in->p++;
	if (c == 'u') {
		unsigned long cp;
		if (json_unicode(in, &cp) < 0)
			return -1;
		if (cp == 0)
			return json_fail(in, "\\u0000 is not kept in a C string");
		*len += json_utf8(out + *len, cp);
		return 0;
	}
	const char *k = strchr(from, c);
	if (!k || !c)
		return json_fail(in, "an unknown escape \\%c", c);
	out[(*len)++] = to[k - from];
	return 0;
}

/* A string, after its opening quote; the decoded text is never longer than the source. */
static char *json_string(struct json_in *in)
{
	const char *q = in->p;
	while (q < in->end && *q != '"')
		q += (*q == '\\' && q + 1 < in->end) ? 2 : 1;
	if (q >= in->end) {
		json_fail(in, "the text ends inside a string");
		return NULL;
	}
	char *out = malloc((size_t)(q - in->p) + 1);
	if (!out) {
		json_fail(in, "out of memory");
		return NULL;
	}
	size_t len = 0;
	while (*in->p != '"') {
		unsigned char c = (unsigned char)*in->p;
		if (c < 0x20) {
			free(out);
			json_fail(in, "a control character inside a string");
			return NULL;
		}
		in->p++;
		if (c != '\\')
			out[len++] = (char)c;
		else if (json_escape(in, out, &len) < 0) {
			free(out);
			return NULL;
		}
	}
	in->p++;
	out[len] = '\0';
	return out;
}

static int json_digits(struct json_in *in)
{
	const char *s = in->p;
	while (in->p < in->end && *in->p >= '0' && *in->p <= '9')
		in->p++;
	return in->p > s ? 0 : json_fail(in, "expected a digit");
}

static int json_number(struct json_in *in, struct json *j)
{
	const char *s = in->p;
	int is_int = 1;
	if (in->p < in->end && *in->p == '-')
		in->p++;
	if (in->p < in->end && *in->p == '0')
		in->p++;
	else if (json_digits(in) < 0)
		return -1;
	if (in->p < in->end && *in->p == '.') {
		in->p++;
		is_int = 0;
		if (json_digits(in) < 0)
			return -1;
	}
	if (in->p < in->end && (*in->p == 'e' || *in->p == 'E')) {
		in->p++;
		is_int = 0;
		if (in->p < in->end && (*in->p == '+' || *in->p == '-'))
			in->p++;
		if (json_digits(in) < 0)
			return -1;
	}
	char buf[64];
	size_t n = (size_t)(in->p - s);
	if (n >= sizeof buf)
		return json_fail(in, "a number too long");
	memcpy(buf, s, n);
	buf[n] = '\0';
	j->type = JSON_NUM;
	j->num = strtod(buf, NULL);
	if (is_int) {
		errno = 0;
		long long v = strtoll(buf, NULL, 10);
		if (errno == 0) {
			j->i64 = v;
			j->is_int = 1;
		}
	}
	return 0;
}

static int json_value(struct json_in *in, struct json *j, int depth);

static int json_grow(struct json_in *in, struct json *j, size_t *cap, int with_keys)
{
	if (j->n < *cap)
		return 0;
	size_t ncap = *cap ? *cap * 2 : 8;
	struct json *items = realloc(j->items, ncap * sizeof *items);
	if (!items)
		return json_fail(in, "out of memory");
	j->items = items;
	if (with_keys) {
		char **keys = realloc(j->keys, ncap * sizeof *keys);
		if (!keys)
			return json_fail(in, "out of memory");
		j->keys = keys;
	}
	*cap = ncap;
	return 0;
}

/* Expect sep, or close (then *done). */
static int json_next(struct json_in *in, char close, int *done)
{
	json_blanks(in);
	if (in->p < in->end && *in->p == ',') {
		in->p++;
		return 0;
	}
	if (in->p < in->end && *in->p == close) {
		in->p++;
		*done = 1;
		return 0;
	}
	return json_fail(in, "expected ',' or '%c'", close);
}

static int json_array(struct json_in *in, struct json *j, int depth)
{
	size_t cap = 0;
	j->type = JSON_ARR;
	json_blanks(in);
	if (in->p < in->end && *in->p == ']') {
		in->p++;
		return 0;
	}
	for (int done = 0; !done;) {
		if (json_grow(in, j, &cap, 0) < 0)
			return -1;
		memset(&j->items[j->n], 0, sizeof j->items[0]);
		j->n++;
		if (json_value(in, &j->items[j->n - 1], depth + 1) < 0 || json_next(in, ']', &done) < 0)
			return -1;
	}
	return 0;
}

static int json_member(struct json_in *in, struct json *j, size_t *cap, int depth)
{
	json_blanks(in);
	if (in->p >= in->end || *in->p != '"')
		return json_fail(in, "expected a member name");
	in->p++;
	char *key = json_string(in);
	if (!key)
		return -1;
	json_blanks(in);
	if (in->p >= in->end || *in->p != ':') {
		free(key);
		return json_fail(in, "expected ':'");
	}
	in->p++;
	if (json_grow(in, j, cap, 1) < 0) {
		free(key);
		return -1;
	}
	memset(&j->items[j->n], 0, sizeof j->items[0]);
	j->keys[j->n] = key;
	j->n++;
	return json_value(in, &j->items[j->n - 1], depth + 1);
}

static int json_object(struct json_in *in, struct json *j, int depth)
{
	size_t cap = 0;
	j->type = JSON_OBJ;
	json_blanks(in);
	if (in->p < in->end && *in->p == '}') {
		in->p++;
		return 0;
	}
	for (int done = 0; !done;)
		if (json_member(in, j, &cap, depth) < 0 || json_next(in, '}', &done) < 0)
			return -1;
	return 0;
}

static int json_value(struct json_in *in, struct json *j, int depth)
{
	if (depth > JSON_DEPTH_MAX)
		return json_fail(in, "nested deeper than %d", JSON_DEPTH_MAX);
	json_blanks(in);
	if (in->p >= in->end)
		return json_fail(in, "the text ends where a value should be");
	switch (*in->p) {
	case '{':
		in->p++;
		return json_object(in, j, depth);
	case '[':
		in->p++;
		return json_array(in, j, depth);
	case '"':
		in->p++;
		j->type = JSON_STR;
		return (j->str = json_string(in)) ? 0 : -1;
	case 't':
		j->type = JSON_BOOL;
		j->boolean = 1;
		return json_literal(in, "true");
	case 'f':
		j->type = JSON_BOOL;
		return json_literal(in, "false");
	case 'n':
		j->type = JSON_NULL;
		return json_literal(in, "null");
	default:
		if (*in->p == '-' || (*in->p >= '0' && *in->p <= '9'))
			return json_number(in, j);
		return json_fail(in, "expected a value");
	}
}

static void json_clear(struct json *j)
{
	for (size_t i = 0; i < j->n; i++) {
		json_clear(&j->items[i]);
		if (j->keys)
			free(j->keys[i]);
	}
	free(j->items);
	free(j->keys);
	free(j->str);
}

void json_free(struct json *j)
{
	if (!j)
		return;
	json_clear(j);
	free(j);
}

int json_parse(const char *text, size_t len, struct json **out, char *err, size_t errlen)
{
	struct json_in in = { .p = text, .start = text, .end = text + len, .err = err, .errlen = errlen };
	*out = NULL;
	struct json *j = calloc(1, sizeof *j);
	if (!j) {
		json_fail(&in, "out of memory");
		return -1;
	}
	if (json_value(&in, j, 0) == 0) {
		json_blanks(&in);
		if (in.p == in.end) {
			*out = j;
			return 0;
		}
		json_fail(&in, "unexpected text after the value");
	}
	json_free(j);
	return -1;
}

const struct json *json_get(const struct json *j, const char *key)
{
	if (!j || j->type != JSON_OBJ)
		return NULL;
	for (size_t i = 0; i < j->n; i++)
		if (strcmp(j->keys[i], key) == 0)
			return &j->items[i];
	return NULL;
}

double json_num(const struct json *obj, const char *key, double dflt)
{
	const struct json *v = json_get(obj, key);
	return v && v->type == JSON_NUM ? v->num : dflt;
}

int64_t json_i64(const struct json *obj, const char *key, int64_t dflt)
{
	const struct json *v = json_get(obj, key);
	if (!v || v->type != JSON_NUM)
		return dflt;
	if (v->is_int)
		return v->i64;
	if (!(v->num > -9.2e18 && v->num < 9.2e18))
		return dflt;
	return (int64_t)llround(v->num);
}

const char *json_str(const struct json *obj, const char *key, const char *dflt)
{
	const struct json *v = json_get(obj, key);
	return v && v->type == JSON_STR ? v->str : dflt;
}

/* json.h - a small strict JSON reader, enough to read back the lines uksmtop writes. */
#ifndef UKSMTOP_JSON_H
#define UKSMTOP_JSON_H

#include <stddef.h>
#include <stdint.h>

enum json_type { JSON_NULL = 0, JSON_BOOL, JSON_NUM, JSON_STR, JSON_ARR, JSON_OBJ };

struct json {
	enum json_type type;
	int boolean;
	double num;
	int64_t i64;          /* the number as an integer, when is_int */
	int is_int;           /* written without fraction or exponent, and fits int64 */
	char *str;            /* JSON_STR: decoded, NUL-terminated (may hold UTF-8) */
	size_t n;             /* JSON_ARR / JSON_OBJ: number of members */
	struct json *items;   /* their values */
	char **keys;          /* JSON_OBJ: their names */
};

/* Parse exactly one value from text[0..len) (blanks around it allowed). On
 * success 0 and *out (free with json_free). On failure -1, *out NULL, and
 * err says what and at which byte ("at byte 17: expected ':'"). Nesting
 * deeper than 64 is refused. */
int json_parse(const char *text, size_t len, struct json **out, char *err, size_t errlen);
void json_free(struct json *j);

/* The member called key of an object; NULL when j is no object or lacks it. */
const struct json *json_get(const struct json *j, const char *key);
/* A member as a number, an integer, a string: dflt when absent, null or of another type. */
double json_num(const struct json *obj, const char *key, double dflt);
int64_t json_i64(const struct json *obj, const char *key, int64_t dflt);
const char *json_str(const struct json *obj, const char *key, const char *dflt);

#endif

/* The report document as JSON, in cJSON_Print's layout (tabs,
 * "key":<tab>value, arrays on one line with ", "), so a document reads the
 * same whichever printed it; tests/unit/check_json.c compares the two byte
 * for byte. The text is made in one buffer and written with one call:
 * cJSON_Print grows a string of its own by doubling, and a stdio call per
 * piece was slower still (an audit's document is about 9 KB). Not
 * reentrant: the first buffer is static. */
#include <float.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "out_doc.h"

/* The document as it is written: in a buffer that starts in static storage
 * (only the pages used are touched) and moves to the heap if it outgrows it. */
static char first_buffer[64 * 1024];

struct out {
	char *p;
	size_t len, cap;
	bool failed; /* out of memory: nothing is written */
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->failed || n == 0)
		return;
	if (n > o->cap - o->len) {
		size_t cap = o->cap ? o->cap : sizeof(first_buffer);
		char *np;

		while (n > cap - o->len)
			cap *= 2;
		if (!o->p && cap == sizeof(first_buffer)) {
			np = first_buffer;
		} else {
			np = malloc(cap);
			if (!np) {
				o->failed = true;
				return;
			}
			if (o->len)
				memcpy(np, o->p, o->len);
			if (o->p != first_buffer)
				free(o->p);
		}
		o->p = np;
		o->cap = cap;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
}

static void put_str(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static void put_char(struct out *o, char c)
{
	put(o, &c, 1);
}

static void indent(struct out *o, unsigned depth)
{
	static const char tabs[] = "\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t";

	for (; depth > sizeof(tabs) - 1; depth -= sizeof(tabs) - 1)
		put(o, tabs, sizeof(tabs) - 1);
	put(o, tabs, depth);
}

/* Are the 8 bytes at p all to be copied as they are (no NUL, control,
 * quote or backslash)? Reads 8 bytes only when the first 7 are not NUL: a
 * string's end is never passed. */
static bool plain_word(const unsigned char *p)
{
	const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
	uint64_t w, q, b;

	if (!p[0] || !p[1] || !p[2] || !p[3] || !p[4] || !p[5] || !p[6])
		return false;
	memcpy(&w, p, sizeof(w));
	q = w ^ (ones * '"');
	b = w ^ (ones * '\\');
	/* any byte below 0x20 (NUL included), or equal to '"' or '\\' */
	return ((((w - ones * 0x20) & ~w) | ((q - ones) & ~q) | ((b - ones) & ~b)) & highs) == 0;
}

/* A JSON string: quote, backslash and control characters escaped as cJSON
 * escapes them; other bytes as they are (the document holds UTF-8). */
static void put_string(struct out *o, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");

	put_char(o, '"');
	for (;;) {
		const unsigned char *run = p;
		char esc[8];

		while (plain_word(p))
			p += 8;
		while (*p >= 0x20 && *p != '"' && *p != '\\')
			p++;
		put(o, (const char *)run, (size_t)(p - run));
		if (!*p)
			break;
		switch (*p) {
		case '"': put_str(o, "\\\""); break;
		case '\\': put_str(o, "\\\\"); break;
		case '\b': put_str(o, "\\b"); break;
		case '\f': put_str(o, "\\f"); break;
		case '\n': put_str(o, "\\n"); break;
		case '\r': put_str(o, "\\r"); break;
		case '\t': put_str(o, "\\t"); break;
		default:
			snprintf(esc, sizeof(esc), "\\u%04x", *p);
			put_str(o, esc);
			break;
		}
		p++;
	}
	put_char(o, '"');
}

static double magnitude(double d)
{
	return d < 0 ? -d : d;
}

/* cJSON's test of a number read back: equal within a relative epsilon. */
static bool same_double(double a, double b)
{
	double big = magnitude(a) > magnitude(b) ? magnitude(a) : magnitude(b);

	return magnitude(a - b) <= big * DBL_EPSILON;
}

/* As cJSON (1.7.15) prints a double: %1.15g unless that does not read back
 * the same, then %1.17g; not finite: null. The report writes its integers
 * as raw text; this is for any other number. */
static void put_number(struct out *o, const cJSON *item)
{
	double d = item->valuedouble;
	char buf[32];

	if (d != d || d * 0 != 0) {
		put_str(o, "null");
		return;
	}
	snprintf(buf, sizeof(buf), "%1.15g", d);
	if (!same_double(strtod(buf, NULL), d))
		snprintf(buf, sizeof(buf), "%1.17g", d);
	put_str(o, buf);
}

static void put_value(struct out *o, const cJSON *item, unsigned depth)
{
	const cJSON *c;

	switch (item->type & 0xff) {
	case cJSON_False: put_str(o, "false"); break;
	case cJSON_True: put_str(o, "true"); break;
	case cJSON_NULL: put_str(o, "null"); break;
	case cJSON_Number: put_number(o, item); break;
	case cJSON_Raw: put_str(o, item->valuestring ? item->valuestring : ""); break;
	case cJSON_String: put_string(o, item->valuestring); break;
	case cJSON_Array:
		put_char(o, '[');
		for (c = item->child; c; c = c->next) {
			put_value(o, c, depth + 1);
			if (c->next)
				put(o, ", ", 2);
		}
		put_char(o, ']');
		break;
	case cJSON_Object:
		put(o, "{\n", 2);
		for (c = item->child; c; c = c->next) {
			indent(o, depth + 1);
			put_string(o, c->string);
			put(o, ":\t", 2);
			put_value(o, c, depth + 1);
			if (c->next)
				put(o, ",\n", 2);
			else
				put_char(o, '\n');
		}
		indent(o, depth);
		put_char(o, '}');
		break;
	default: /* cJSON_Invalid: refused by printable() */
		break;
	}
}

/* cJSON_Print refuses an invalid item or a raw one without text; so does
 * this, before writing anything. */
static bool printable(const cJSON *item)
{
	if ((item->type & 0xff) == cJSON_Invalid)
		return false;
	if ((item->type & 0xff) == cJSON_Raw && !item->valuestring)
		return false;
	for (const cJSON *c = item->child; c; c = c->next)
		if (!printable(c))
			return false;
	return true;
}

int emit_json(const cJSON *doc, FILE *out)
{
	struct out o = {0};

	if (!doc || !printable(doc))
		return -1;
	put_value(&o, doc, 0);
	put_char(&o, '\n');
	if (!o.failed)
		fwrite(o.p, 1, o.len, out);
	if (o.p != first_buffer)
		free(o.p);
	return o.failed ? -1 : 0;
}

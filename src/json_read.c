#include "json_read.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

struct reader {
	const unsigned char *p, *end, *start;
	char *err;
	size_t errsize;
	bool failed;
};

static void fail(struct reader *r, const char *what)
{
	if (!r->failed)
		snprintf(r->err, r->errsize, "byte %zu: %s", (size_t)(r->p - r->start) + 1, what);
	r->failed = true;
}

static void skip_space(struct reader *r)
{
	while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
		r->p++;
}

static bool take(struct reader *r, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(r->end - r->p) < n || memcmp(r->p, word, n) != 0)
		return false;
	r->p += n;
	return true;
}

static int hex4(const unsigned char *p)
{
	int v = 0;

	for (int i = 0; i < 4; i++) {
		int c = p[i], d = c >= '0' && c <= '9'   ? c - '0'
				  : c >= 'a' && c <= 'f' ? c - 'a' + 10
				  : c >= 'A' && c <= 'F' ? c - 'A' + 10
							 : -1;
		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

/* One \uXXXX escape (a surrogate pair taken whole) at r->p, just past the
 * 'u', as UTF-8 at out; the bytes written, or 0 (failed). */
static size_t unicode_escape(struct reader *r, char *out)
{
	long cp;

	if (r->end - r->p < 4 || (cp = hex4(r->p)) < 0)
		return fail(r, "a \\u escape needs four hex digits"), 0;
	r->p += 4;
	if (cp >= 0xdc00 && cp <= 0xdfff)
		return fail(r, "a lone low surrogate"), 0;
	if (cp >= 0xd800 && cp <= 0xdbff) {
		int lo;

		if (r->end - r->p < 6 || r->p[0] != '\\' || r->p[1] != 'u' ||
		    (lo = hex4(r->p + 2)) < 0xdc00 || lo > 0xdfff)
			return fail(r, "a high surrogate without its low one"), 0;
		r->p += 6;
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	}
	if (cp == 0)
		return fail(r, "a string holds NUL"), 0;
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

/* A string at r->p (on its opening quote), decoded into the arena. A
 * decoded string is never longer than its JSON text, so the text's length
 * bounds the buffer. */
static char *string(struct reader *r)
{
	const unsigned char *close = r->p + 1;
	char *s, *o;

	while (close < r->end && *close != '"')
		close += *close == '\\' && close + 1 < r->end ? 2 : 1;
	if (close >= r->end)
		return fail(r, "a string is not closed"), NULL;
	if (!(s = o = arena_alloc((size_t)(close - r->p))))
		return fail(r, "out of memory"), NULL;
	for (r->p++; r->p < close;) {
		unsigned char c = *r->p++;
		size_t n;

		if (c < 0x20)
			return r->p--, fail(r, "a control character in a string"), NULL;
		if (c != '\\') {
			*o++ = (char)c;
			continue;
		}
		switch (c = *r->p++) {
		case '"': case '\\': case '/': *o++ = (char)c; break;
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u':
			if (!(n = unicode_escape(r, o)))
				return NULL;
			o += n;
			break;
		default: return r->p -= 2, fail(r, "an unknown escape in a string"), NULL;
		}
	}
	*o = '\0';
	r->p = close + 1;
	return s;
}

static bool digits(struct reader *r)
{
	const unsigned char *from = r->p;

	while (r->p < r->end && *r->p >= '0' && *r->p <= '9')
		r->p++;
	return r->p > from;
}

/* A number, checked against the grammar, kept as its text. */
static struct doc *number(struct reader *r)
{
	const unsigned char *from = r->p;
	struct doc *d;
	char *text;

	if (r->p < r->end && *r->p == '-')
		r->p++;
	if (r->p < r->end && *r->p == '0')
		r->p++;
	else if (!digits(r))
		return fail(r, "not a JSON value"), NULL;
	if (r->p < r->end && *r->p == '.' && (r->p++, !digits(r)))
		return fail(r, "a number needs digits after its point"), NULL;
	if (r->p < r->end && (*r->p == 'e' || *r->p == 'E')) {
		r->p++;
		if (r->p < r->end && (*r->p == '+' || *r->p == '-'))
			r->p++;
		if (!digits(r))
			return fail(r, "a number needs digits in its exponent"), NULL;
	}
	if (r->p - from > JSON_READ_MAX_NUMBER)
		return fail(r, "a number is too long"), NULL;
	if (!(text = arena_alloc((size_t)(r->p - from) + 1)))
		return fail(r, "out of memory"), NULL;
	memcpy(text, from, (size_t)(r->p - from));
	text[r->p - from] = '\0';
	d = doc_raw(text);
	if (!d)
		fail(r, "out of memory");
	return d;
}

static struct doc *value(struct reader *r, unsigned depth);

/* An array or an object at r->p (on its bracket). */
static struct doc *container(struct reader *r, unsigned depth)
{
	bool object = *r->p == '{';
	unsigned char closer = object ? '}' : ']';
	struct doc *d = object ? doc_object() : doc_array();

	if (!d)
		return fail(r, "out of memory"), NULL;
	if (depth >= JSON_READ_MAX_DEPTH)
		return fail(r, "nested too deep"), NULL;
	r->p++;
	skip_space(r);
	if (r->p < r->end && *r->p == closer) {
		r->p++;
		return d;
	}
	for (;;) {
		const char *key = NULL;
		struct doc *item;

		skip_space(r);
		if (object) {
			if (r->p >= r->end || *r->p != '"')
				return fail(r, "an object's member needs a string key"), NULL;
			if (!(key = string(r)))
				return NULL;
			skip_space(r);
			if (r->p >= r->end || *r->p != ':')
				return fail(r, "a key needs a ':'"), NULL;
			r->p++;
		}
		if (!(item = value(r, depth + 1)))
			return NULL;
		if (object)
			doc_add(d, key, item);
		else
			doc_push(d, item);
		skip_space(r);
		if (r->p < r->end && *r->p == ',') {
			r->p++;
			continue;
		}
		if (r->p < r->end && *r->p == closer) {
			r->p++;
			return d;
		}
		return fail(r, object ? "an object needs ',' or '}'" : "an array needs ',' or ']'"),
		       NULL;
	}
}

static struct doc *value(struct reader *r, unsigned depth)
{
	struct doc *d = NULL;
	const char *s;

	skip_space(r);
	if (r->p >= r->end)
		return fail(r, "a value is missing"), NULL;
	switch (*r->p) {
	case '{':
	case '[': return container(r, depth);
	case '"':
		if (!(s = string(r)))
			return NULL;
		d = doc_string(s);
		break;
	case 't': d = take(r, "true") ? doc_bool(true) : (fail(r, "not a JSON value"), NULL); break;
	case 'f': d = take(r, "false") ? doc_bool(false) : (fail(r, "not a JSON value"), NULL); break;
	case 'n': d = take(r, "null") ? doc_null() : (fail(r, "not a JSON value"), NULL); break;
	default: return number(r);
	}
	if (!d)
		fail(r, "out of memory");
	return d;
}

struct doc *json_read(const char *text, size_t len, char *err, size_t errsize)
{
	struct reader r = {(const unsigned char *)text, (const unsigned char *)text + len,
			   (const unsigned char *)text, err, errsize, false};
	struct doc *d = value(&r, 0);

	if (!d)
		return NULL;
	skip_space(&r);
	if (r.p < r.end) {
		fail(&r, "text after the value");
		return NULL;
	}
	return d;
}

bool json_number(const struct doc *item, double *value)
{
	const char *t = item ? item->text : NULL;

	if (!item || item->type != DOC_RAW || !t || !(*t == '-' || (*t >= '0' && *t <= '9')))
		return false;
	*value = strtod(t, NULL);
	return true;
}

/* The report document as JSON, in cJSON_Print's layout (tabs,
 * "key":<tab>value, arrays on one line with ", ", control characters
 * escaped as cJSON escapes them), so documents read the same as when
 * libcjson printed them; tests/unit/check_json.c has libcjson parse and
 * print ours again and compares the two byte for byte.
 *
 * Made in one buffer and written with one call. Each node reserves the
 * most it can take first (a string at most 6 bytes a byte, \u00XX), so the
 * bytes themselves are stored without a check each: this writer was a
 * quarter of an audit's instructions when every piece was a checked copy.
 * Not reentrant: the first buffer is static (only the pages used are
 * touched). */
#include <stdbool.h>
#include <stdint.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "out_doc.h"
#include "u64.h"

static char first_buffer[64 * 1024];

struct out {
	char *buf;
	size_t len, cap;
	bool failed; /* out of memory: nothing is written */
};

/* Room for n more bytes at o->buf + o->len, or false (o->failed). */
static bool reserve(struct out *o, size_t n)
{
	size_t cap;
	char *nb;

	if (o->failed)
		return false;
	if (o->buf && n <= o->cap - o->len)
		return true;
	if (!o->buf) {
		o->buf = first_buffer;
		o->cap = sizeof(first_buffer);
		if (n <= o->cap)
			return true;
	}
	for (cap = o->cap; n > cap - o->len; cap *= 2)
		if (cap > SIZE_MAX / 4) {
			o->failed = true;
			return false;
		}
	nb = malloc(cap);
	if (!nb) {
		o->failed = true;
		return false;
	}
	memcpy(nb, o->buf, o->len);
	if (o->buf != first_buffer)
		free(o->buf);
	o->buf = nb;
	o->cap = cap;
	return true;
}

/* How cJSON escapes a byte in a string: 0 as it is, else the letter after
 * the backslash, or 'u' for \u00XX. */
static const char escape[256] = {
	['\b'] = 'b', ['\f'] = 'f', ['\n'] = 'n', ['\r'] = 'r', ['\t'] = 't',
	['"'] = '"', ['\\'] = '\\',
	[0x00] = 'u', [0x01] = 'u', [0x02] = 'u', [0x03] = 'u', [0x04] = 'u', [0x05] = 'u',
	[0x06] = 'u', [0x07] = 'u', [0x0b] = 'u', [0x0e] = 'u', [0x0f] = 'u', [0x10] = 'u',
	[0x11] = 'u', [0x12] = 'u', [0x13] = 'u', [0x14] = 'u', [0x15] = 'u', [0x16] = 'u',
	[0x17] = 'u', [0x18] = 'u', [0x19] = 'u', [0x1a] = 'u', [0x1b] = 'u', [0x1c] = 'u',
	[0x1d] = 'u', [0x1e] = 'u', [0x1f] = 'u',
};

/* Does any of the 8 bytes at s need escaping (below 0x20, '"', '\\')?
 * An exact test of whether any does (bytes above 0x7f never match). */
static bool word_needs_escape(const unsigned char *s)
{
	const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
	uint64_t w, q, b;

	memcpy(&w, s, sizeof(w));
	q = w ^ (ones * '"');
	b = w ^ (ones * '\\');
	return ((((w - ones * 0x20) & ~w) | ((q - ones) & ~q) | ((b - ones) & ~b)) & highs) != 0;
}

#ifdef __SSE2__
/* The same for 16 bytes (SSE2, which every x86-64 has). */
static bool block_needs_escape(const unsigned char *s)
{
	const __m128i below_space = _mm_set1_epi8(0x1f);
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);
	__m128i bad = _mm_or_si128(_mm_cmpeq_epi8(_mm_max_epu8(v, below_space), below_space),
				   _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
						_mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))));

	return _mm_movemask_epi8(bad) != 0;
}
#endif

/* Are the n bytes at s all copied as they are? Most strings are: they are
 * then copied whole (a byte at a time, this writer was a quarter of an
 * audit's instructions). Blocks of 16 (or words of 8), the last one
 * overlapping the one before; shorter strings a byte at a time. Exact:
 * tests/unit/check_json.c puts every byte value at every place of strings
 * of 1 to 17 bytes and of lengths around two and three blocks. */
static bool all_plain(const unsigned char *s, size_t n)
{
	size_t i = 0;

#ifdef __SSE2__
	if (n >= 16) {
		for (; n - i > 16; i += 16)
			if (block_needs_escape(s + i))
				return false;
		return !block_needs_escape(s + n - 16);
	}
#endif
	if (n >= 8) {
		for (; n - i > 8; i += 8)
			if (word_needs_escape(s + i))
				return false;
		return !word_needs_escape(s + n - 8);
	}
	for (; i < n; i++)
		if (escape[s[i]])
			return false;
	return true;
}

/* A string of n bytes, quoted and escaped, at p (room reserved). */
static char *string_at(char *p, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;

	*p++ = '"';
	if (all_plain(u, n)) {
		p = mempcpy(p, u, n);
		n = 0;
	}
	for (size_t i = 0; i < n; i++) {
		char e = escape[u[i]];

		if (!e) {
			*p++ = (char)u[i];
		} else if (e != 'u') {
			*p++ = '\\';
			*p++ = e;
		} else {
			p[0] = '\\';
			p[1] = 'u';
			p[2] = '0';
			p[3] = '0';
			p[4] = hex[u[i] >> 4];
			p[5] = hex[u[i] & 15];
			p += 6;
		}
	}
	*p++ = '"';
	return p;
}

/* At most 6 bytes a byte and the quotes, or 0 when that overflows. */
static size_t string_room(size_t n)
{
	return n > (SIZE_MAX - 2) / 6 ? 0 : n * 6 + 2;
}

static bool put_value(struct out *o, const struct doc *item, unsigned depth);

/* An object's members, one a line, indented one more than depth. */
static bool put_members(struct out *o, const struct doc *object, unsigned depth)
{
	for (const struct doc *c = object->child; c; c = c->next) {
		size_t klen = strlen(c->key), room = string_room(klen);
		char *p;

		if (!room || room > SIZE_MAX - depth - 4 || !reserve(o, depth + 1 + room + 2))
			return false;
		p = o->buf + o->len;
		memset(p, '\t', depth + 1);
		p = string_at(p + depth + 1, c->key, klen);
		*p++ = ':';
		*p++ = '\t';
		o->len = (size_t)(p - o->buf);
		if (!put_value(o, c, depth + 1) || !reserve(o, 2))
			return false;
		if (c->next)
			o->buf[o->len++] = ',';
		o->buf[o->len++] = '\n';
	}
	return true;
}

static bool put_text(struct out *o, const char *s, size_t n)
{
	if (!reserve(o, n))
		return false;
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	return true;
}

static bool put_value(struct out *o, const struct doc *item, unsigned depth)
{
	size_t n;

	switch (item->type) {
	case DOC_NULL: return put_text(o, "null", 4);
	case DOC_FALSE: return put_text(o, "false", 5);
	case DOC_TRUE: return put_text(o, "true", 4);
	case DOC_U64:
		if (!reserve(o, U64_DECIMAL_MAX))
			return false;
		o->len = (size_t)(u64_decimal(o->buf + o->len, item->u64) - o->buf);
		return true;
	case DOC_RAW: return put_text(o, item->text, strlen(item->text));
	case DOC_STRING:
		n = strlen(item->text);
		if (!string_room(n) || !reserve(o, string_room(n)))
			return false;
		o->len = (size_t)(string_at(o->buf + o->len, item->text, n) - o->buf);
		return true;
	case DOC_ARRAY:
		if (!put_text(o, "[", 1))
			return false;
		for (const struct doc *c = item->child; c; c = c->next)
			if (!put_value(o, c, depth + 1) || (c->next && !put_text(o, ", ", 2)))
				return false;
		return put_text(o, "]", 1);
	case DOC_OBJECT:
		if (!put_text(o, "{\n", 2) || !put_members(o, item, depth) || !reserve(o, depth + 1))
			return false;
		memset(o->buf + o->len, '\t', depth);
		o->len += depth;
		o->buf[o->len++] = '}';
		return true;
	}
	return false;
}

/* The text, with its final newline, in o (the static buffer or the heap);
 * false when memory ran out, now or while the document was made. */
static bool write_doc(struct out *o, const struct doc *doc)
{
	if (!doc || arena_failed())
		return false;
	return put_value(o, doc, 0) && put_text(o, "\n", 1);
}

static void release(struct out *o)
{
	if (o->buf != first_buffer)
		free(o->buf);
}

int emit_json(const struct doc *doc, FILE *out)
{
	struct out o = {0};
	bool ok = write_doc(&o, doc);

	if (ok)
		fwrite(o.buf, 1, o.len, out);
	release(&o);
	return ok ? 0 : -1;
}

char *json_text(const struct doc *doc, size_t *len)
{
	struct out o = {0};
	char *text = NULL;

	if (write_doc(&o, doc) && (text = malloc(o.len + 1)) != NULL) {
		memcpy(text, o.buf, o.len);
		text[o.len] = '\0';
		*len = o.len;
	}
	release(&o);
	return text;
}

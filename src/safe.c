#include "safe.h"

#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* The length of the character at s (1 to 4 bytes) when it is valid UTF-8
 * and not a control character, else 0. */
static size_t char_len(const unsigned char *s)
{
	uint32_t cp;
	size_t n;

	if (s[0] < 0x20 || s[0] == 0x7f)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1fu;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0fu;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07u;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3fu);
	}
	/* Overlong forms, surrogates, beyond Unicode, and the C1 controls. */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp <= 0x9f))
		return 0;
	return n;
}

size_t safe_first_bad(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	while (u[i]) {
		size_t n = char_len(u + i);

		if (n == 0)
			return i;
		i += n;
	}
	return i;
}

bool safe_is_text(const char *s)
{
	return s[safe_first_bad(s)] == '\0';
}

char *safe_copy(char *dst, size_t size, const char *src)
{
	const unsigned char *u = (const unsigned char *)src;
	size_t o = 0;

	if (size == 0)
		return dst;
	while (*u) {
		size_t n = char_len(u);

		if (n == 0) {
			n = 1;
			if (o + 1 >= size)
				break;
			dst[o++] = '?';
		} else {
			if (o + n >= size)
				break;
			memcpy(dst + o, u, n);
			o += n;
		}
		u += n;
	}
	dst[o] = '\0';
	return dst;
}

char *safe_quote(char buf[SAFE_QUOTE_MAX], const char *s)
{
	size_t n;

	buf[0] = '\'';
	safe_copy(buf + 1, SAFE_QUOTE_CHARS + 1, s);
	n = strlen(buf);
	if (strlen(s) > n - 1)
		memcpy(buf + n, "...", 3), n += 3;
	buf[n++] = '\'';
	buf[n] = '\0';
	return buf;
}

/* The length of a colour sequence at s (ESC [ digits and ';' m), or 0. */
static size_t sgr_len(const char *s, size_t left)
{
	size_t i = 2;

	if (left < 3 || s[0] != '\033' || s[1] != '[')
		return 0;
	while (i < left && ((s[i] >= '0' && s[i] <= '9') || s[i] == ';'))
		i++;
	return i < left && s[i] == 'm' ? i + 1 : 0;
}

/* The high bit of each byte of x that is zero, exactly (no borrow from a
 * neighbour: "Bit Twiddling Hacks", the exact form of haszero). */
static uint64_t zero_bytes(uint64_t x)
{
	const uint64_t low7 = 0x7f7f7f7f7f7f7f7fULL;

	return ~(((x & low7) + low7) | x | low7);
}

/* Does any byte of the 8 at s need a look: a control character other than
 * tab and newline, or a byte above 0x7e? Exact per byte. */
static bool word_needs_look(const char *s)
{
	const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
	uint64_t w, control, high;

	memcpy(&w, s, sizeof(w));
	control = zero_bytes(w & (ones * 0xe0)) & ~zero_bytes(w ^ (ones * '\t')) &
		  ~zero_bytes(w ^ (ones * '\n'));
	high = (((w & (ones * 0x7f)) + ones) | w) & highs;
	return ((control & highs) | high) != 0;
}

#ifdef __SSE2__
/* The same test for 16 bytes (SSE2, which every x86-64 has): signed, a
 * byte above 0x7e is below 0x20 or is 0x7f. */
static bool block_needs_look(const char *s)
{
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);
	__m128i bad = _mm_or_si128(_mm_cmplt_epi8(v, _mm_set1_epi8(0x20)),
				   _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7f)));
	__m128i ok = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\t')),
				  _mm_cmpeq_epi8(v, _mm_set1_epi8('\n')));

	return _mm_movemask_epi8(_mm_andnot_si128(ok, bad)) != 0;
}
#endif

void safe_terminal(char *data, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned char c;
		size_t n;

		/* Most of a document is printable ASCII, tabs and newlines: skip
		 * it 8 bytes at a time where it can (a call per byte cost an audit
		 * a seventh of its instructions). */
		while (i < len) {
#ifdef __SSE2__
			if (len - i >= 16 && !block_needs_look(data + i)) {
				i += 16;
				continue;
			}
#endif
			if (len - i >= 8 && !word_needs_look(data + i)) {
				i += 8;
				continue;
			}
			c = (unsigned char)data[i];
			if (!((c >= 0x20 && c < 0x7f) || c == '\n' || c == '\t'))
				break;
			i++;
		}
		if (i >= len)
			break;
		c = (unsigned char)data[i];

		if (c == '\n' || c == '\t') {
			i++;
			continue;
		}
		if ((n = sgr_len(data + i, len - i)) > 0) {
			i += n;
			continue;
		}
		/* A NUL inside the document ends char_len's view: a control. Near
		 * the end, char_len looks at a NUL-padded copy: it reads up to
		 * four bytes. */
		if (c && len - i < 4) {
			unsigned char tail[5] = {0};

			memcpy(tail, data + i, len - i);
			n = char_len(tail);
		} else {
			n = c ? char_len((const unsigned char *)data + i) : 0;
		}
		if (n == 0 || i + n > len) {
			data[i++] = '?';
			continue;
		}
		i += n;
	}
}

bool safe_unit_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 255 || s[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      strchr(":-_.\\@", c)))
			return false;
	}
	return true;
}

bool safe_dropin_name(const char *s)
{
	size_t n = strlen(s);

	return n >= 6 && n <= 64 && strcmp(s + n - 5, ".conf") == 0 && s[0] != '.' &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.@-") == n;
}

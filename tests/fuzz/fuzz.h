/* Shared by the fuzz harnesses (tests/fuzz/fuzz_*.c): the libFuzzer entry
 * point, copies of the input shaped the way each parser takes it, and a
 * contract check that aborts (a crash to libFuzzer and to replay.c). */
#ifndef SOCKCAP_FUZZ_H
#define SOCKCAP_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Called once per input by libFuzzer, or by replay.c for each corpus file.
 * Returns 0; a broken contract aborts. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A parser broke its header's contract on this input. */
#define FUZZ_CHECK(cond)                                                                   \
	do {                                                                               \
		if (!(cond)) {                                                             \
			fprintf(stderr, "%s:%d: contract broken: %s\n", __FILE__, __LINE__, \
				#cond);                                                    \
			abort();                                                           \
		}                                                                          \
	} while (0)

static inline void *fuzz_alloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p)
		abort();
	return p;
}

/* An exact-size heap copy without a terminator, for the (text, len) parsers:
 * reading text[len] is a heap overflow AddressSanitizer reports. Free it. */
static inline char *fuzz_exact(const uint8_t *data, size_t size)
{
	char *p = malloc(size);

	/* malloc(0) may be NULL; the parsers may still not dereference it, but
	 * memchr(NULL, c, 0) is undefined, so give them a zero-size block. */
	if (!p && size == 0)
		p = malloc(1);
	if (!p)
		abort();
	if (size)
		memcpy(p, data, size);
	return p;
}

/* A NUL-terminated heap copy, for the string parsers. Free it. */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *p = fuzz_alloc(size + 1);

	if (size)
		memcpy(p, data, size);
	p[size] = '\0';
	return p;
}

/* Is the string s printable ASCII only (what a setting's value or a file
 * name may hold once it has been read)? */
static inline int fuzz_printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return 0;
	return 1;
}

/* Is s[0..size) a NUL-terminated string? (strnlen, spelled out.) */
static inline int fuzz_terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

/* Does text[0..len) spell v (decimal, or hexadecimal in any case)? A parsed
 * number must come from the text: leading zeros only prefix it. */
static inline int fuzz_spells(const char *text, size_t len, uint64_t v, int hex)
{
	char buf[24], *lower;
	int n = snprintf(buf, sizeof(buf), hex ? "%llx" : "%llu", (unsigned long long)v), found;

	if (!hex)
		return memmem(text, len, buf, (size_t)n) != NULL;
	lower = fuzz_alloc(len);
	for (size_t i = 0; i < len; i++)
		lower[i] = text[i] >= 'A' && text[i] <= 'F' ? (char)(text[i] - 'A' + 'a') : text[i];
	found = memmem(lower, len, buf, (size_t)n) != NULL;
	free(lower);
	return found;
}

#endif

/* parse_u64_fields, the reader of every sysctl value: single ("1048576\n")
 * and multi ("4096\t131072\t6291456\n"), for every n from 0 to 9 (1-8 are
 * valid), against a reference. The output array is an exact-size heap block
 * of n values, so writing one too many is an overflow ASan reports. */
#include <stdbool.h>

#include "fuzz.h"
#include "parse.h"
#include "u64.h"

#define NMAX 9

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Exactly n numbers separated by blanks, optionally one newline after. */
static enum parse_result reference(const char *t, size_t len, uint64_t *v, size_t n)
{
	size_t i = 0, got = 0;
	bool bad = false;

	if (n == 0 || n > 8)
		return PARSE_INVALID;
	if (len > 0 && t[len - 1] == '\n')
		len--;
	if (memchr(t, '\n', len) || memchr(t, '\0', len))
		return PARSE_INVALID;
	for (;;) {
		size_t start;

		while (i < len && blank(t[i]))
			i++;
		if (i == len)
			break;
		start = i;
		while (i < len && !blank(t[i]))
			i++;
		if (got < NMAX && !u64_parse(t + start, i - start, &v[got]))
			bad = true;
		got++;
	}
	if (got == 0)
		return PARSE_ABSENT;
	return bad || got != n ? PARSE_INVALID : PARSE_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_exact(data, size);

	for (size_t n = 0; n <= NMAX; n++) {
		uint64_t *out = fuzz_alloc(n * sizeof(*out)), want[NMAX];
		enum parse_result r = parse_u64_fields(text, size, out, n);
		enum parse_result ref = reference(text, size, want, n);

		FUZZ_CHECK(r == ref);
		if (r == PARSE_OK)
			FUZZ_CHECK(memcmp(out, want, n * sizeof(*out)) == 0);
		free(out);
	}
	free(text);
	return 0;
}

/* The command-line number parsers: parse_count_arg ("250k", "1.5M"),
 * parse_size_arg ("8K", "1.5MiB") and parse_kernel_series ("6.1.0-18-amd64"),
 * each over the whole input as a NUL-terminated string, checked against a
 * reference for digits[.digits][suffix] with exact (128-bit) arithmetic. */
#include <stdbool.h>

#include "fuzz.h"
#include "parse.h"

typedef unsigned __int128 u128;

struct suffix {
	const char *text;
	uint64_t mult;
};

static const struct suffix count_sfx[] = {
	{"k", 1000}, {"K", 1000}, {"M", 1000000}, {"G", 1000000000}, {NULL, 0},
};

static const struct suffix size_sfx[] = {
	{"B", 1},
	{"K", 1ULL << 10}, {"k", 1ULL << 10}, {"KiB", 1ULL << 10},
	{"M", 1ULL << 20}, {"MiB", 1ULL << 20},
	{"G", 1ULL << 30}, {"GiB", 1ULL << 30},
	{"T", 1ULL << 40}, {"TiB", 1ULL << 40},
	{NULL, 0},
};

enum verdict { REF_NO, REF_YES, REF_TOO_PRECISE };

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* The documented grammar: digits[.digits] then one suffix or none; the value
 * must be whole and fit 64 bits. More than 9 fractional digits is
 * REF_TOO_PRECISE: the parser may refuse those (it does), but must not
 * accept them with a wrong value. */
static enum verdict reference(const char *s, const struct suffix *sfx, uint64_t *out)
{
	u128 whole = 0, frac = 0, scale = 1, mult = 1, v, f;
	size_t i = 0, nfrac = 0;

	if (!is_digit(s[0]))
		return REF_NO;
	for (; is_digit(s[i]); i++) {
		whole = whole * 10 + (unsigned)(s[i] - '0');
		if (whole > UINT64_MAX)
			return REF_NO; /* the value is at least whole */
	}
	if (s[i] == '.') {
		for (i++; is_digit(s[i]); i++, nfrac++)
			if (nfrac < 30) {
				frac = frac * 10 + (unsigned)(s[i] - '0');
				scale *= 10;
			}
		if (nfrac == 0)
			return REF_NO;
		if (nfrac >= 30)
			return REF_TOO_PRECISE;
	}
	if (s[i] != '\0') {
		for (; sfx->text && strcmp(s + i, sfx->text) != 0; sfx++)
			;
		if (!sfx->text)
			return REF_NO;
		mult = sfx->mult;
	}
	v = whole * mult;
	f = frac * mult;
	if (f % scale != 0)
		return REF_NO;
	v += f / scale;
	if (v > UINT64_MAX)
		return REF_NO;
	*out = (uint64_t)v;
	return nfrac > 9 ? REF_TOO_PRECISE : REF_YES;
}

static void check_scaled(const char *s, bool (*parse)(const char *, uint64_t *),
			 const struct suffix *sfx)
{
	uint64_t got = 0, want = 0;
	bool ok = parse(s, &got);
	enum verdict ref = reference(s, sfx, &want);

	if (ref == REF_YES)
		FUZZ_CHECK(ok);
	if (ref == REF_NO)
		FUZZ_CHECK(!ok);
	if (ok)
		FUZZ_CHECK(got == want);
}

static void check_series(const char *s)
{
	unsigned major = 1234, minor = 1234;
	uint64_t a = 0, b = 0;
	size_t i = 0;

	if (!parse_kernel_series(s, &major, &minor))
		return;
	/* Accepted: it starts with major '.' minor, each at most 1000. */
	for (; is_digit(s[i]) && a <= 1000; i++)
		a = a * 10 + (unsigned)(s[i] - '0');
	FUZZ_CHECK(i > 0 && s[i] == '.');
	for (i++; is_digit(s[i]) && b <= 1000; i++)
		b = b * 10 + (unsigned)(s[i] - '0');
	FUZZ_CHECK(major <= 1000 && minor <= 1000);
	FUZZ_CHECK(a == major && b == minor);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);

	check_scaled(s, parse_count_arg, count_sfx);
	check_scaled(s, parse_size_arg, size_sfx);
	check_series(s);
	free(s);
	return 0;
}

/* u64_parse and u64_parse_str against a reference, and the saturating
 * arithmetic of u64.h against 128-bit results.
 *
 * Input: the text to parse. When it is at least 24 bytes long, its first 24
 * bytes are also read as three native-endian uint64_t operands. */
#include <stdbool.h>

#include "fuzz.h"
#include "u64.h"

typedef unsigned __int128 u128;

/* Digits only, at least one, no overflow. */
static bool reference(const char *s, size_t n, uint64_t *out)
{
	u128 v = 0;

	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned)(s[i] - '0');
		if (v > UINT64_MAX)
			return false;
	}
	*out = (uint64_t)v;
	return true;
}

static uint64_t sat(u128 v)
{
	return v > UINT64_MAX ? UINT64_MAX : (uint64_t)v;
}

static void arithmetic(const uint8_t *data)
{
	uint64_t a, b, c;

	memcpy(&a, data, 8);
	memcpy(&b, data + 8, 8);
	memcpy(&c, data + 16, 8);
	FUZZ_CHECK(u64_sat_add(a, b) == sat((u128)a + b));
	FUZZ_CHECK(u64_sat_sub(a, b) == (b > a ? 0 : a - b));
	FUZZ_CHECK(u64_sat_mul(a, b) == sat((u128)a * b));
	FUZZ_CHECK(u64_min(a, b) == (a < b ? a : b));
	FUZZ_CHECK(u64_max(a, b) == (a > b ? a : b));
	FUZZ_CHECK(u64_div(a, b) == (b == 0 ? UINT64_MAX : a / b));
	FUZZ_CHECK(u64_muldiv(a, b, c) == (c == 0 ? UINT64_MAX : sat((u128)a * b / c)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *exact = fuzz_exact(data, size), *str = fuzz_cstr(data, size);
	const uint64_t untouched = 0x5a5a5a5a5a5a5a5aULL;
	uint64_t got = untouched, want = untouched;
	bool ok = u64_parse(exact, size, &got);

	FUZZ_CHECK(ok == reference(exact, size, &want));
	FUZZ_CHECK(got == want); /* the value, or untouched on failure */

	got = want = untouched;
	ok = u64_parse_str(str, &got);
	FUZZ_CHECK(ok == reference(str, strlen(str), &want));
	FUZZ_CHECK(got == want);

	if (size >= 24)
		arithmetic(data);
	free(exact);
	free(str);
	return 0;
}

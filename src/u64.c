#include "u64.h"

#include <string.h>

bool u64_parse(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;

	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned d = (unsigned char)s[i] - '0';
		if (d > 9)
			return false;
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

bool u64_parse_str(const char *s, uint64_t *out)
{
	return u64_parse(s, strlen(s), out);
}

uint64_t u64_sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

uint64_t u64_sat_sub(uint64_t a, uint64_t b)
{
	return b > a ? 0 : a - b;
}

uint64_t u64_sat_mul(uint64_t a, uint64_t b)
{
	if (a != 0 && b > UINT64_MAX / a)
		return UINT64_MAX;
	return a * b;
}

uint64_t u64_min(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

uint64_t u64_max(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

uint64_t u64_div(uint64_t a, uint64_t b)
{
	return b == 0 ? UINT64_MAX : a / b;
}

uint64_t u64_muldiv(uint64_t a, uint64_t b, uint64_t c)
{
	unsigned __int128 p;

	if (c == 0)
		return UINT64_MAX;
	p = (unsigned __int128)a * b / c;
	return p > UINT64_MAX ? UINT64_MAX : (uint64_t)p;
}

char *u64_decimal(char *p, uint64_t v)
{
	char digits[U64_DECIMAL_MAX];
	size_t n = 0;

	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*p++ = digits[--n];
	return p;
}

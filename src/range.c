#include "range.h"

#include <stdio.h>
#include <string.h>

#define MAX_WHOLE 10000000000000ULL /* 10^13 */
#define MAX_PERCENT 1000000000ULL   /* 10^9 % */

/* Bounds are compared as exact integers in units of 10^-8 (a millionth
 * of a hundredth): a plain bound is micro × 100, a percentage micro ×
 * capacity, a value value × 10^8. The largest, 10^15 × 2^64, fits 127 bits. */
typedef __int128 fixed;
#define FIXED_ONE ((fixed)100000000)

static int bound_parse(const char *s, size_t len, bool is_start, struct range_bound *b)
{
	uint64_t whole = 0, frac = 0;
	unsigned digits = 0, decimals = 0;
	bool dot = false;
	size_t i = 0;

	memset(b, 0, sizeof(*b));
	if (len == 0) {
		/* An empty start is 0, an empty end infinity. */
		b->infinite = !is_start;
		return 0;
	}
	if (is_start && len == 1 && s[0] == '~') {
		b->infinite = true;
		return 0;
	}
	if (s[len - 1] == '%') {
		b->percent = true;
		len--;
	}
	if (i < len && (s[i] == '-' || s[i] == '+'))
		b->negative = s[i++] == '-';
	for (; i < len; i++) {
		if (s[i] == '.' && !dot) {
			dot = true;
		} else if (s[i] >= '0' && s[i] <= '9') {
			if (dot) {
				if (++decimals > 6)
					return -1;
				frac = frac * 10 + (uint64_t)(s[i] - '0');
			} else {
				if (whole > MAX_WHOLE / 10)
					return -1;
				whole = whole * 10 + (uint64_t)(s[i] - '0');
			}
			digits++;
		} else {
			return -1;
		}
	}
	if (digits == 0 || whole > (b->percent ? MAX_PERCENT : MAX_WHOLE))
		return -1;
	for (; decimals < 6; decimals++)
		frac *= 10;
	b->micro = whole * 1000000 + frac;
	if (b->micro == 0)
		b->negative = false;
	return 0;
}

/* A finite bound as an exact fixed number. */
static fixed bound_value(const struct range_bound *b, uint64_t capacity)
{
	fixed v = (fixed)b->micro * (b->percent ? (fixed)capacity : 100);

	return b->negative ? -v : v;
}

/* start <= end, for bounds taken of capacity. */
static bool ordered(const struct range *r, uint64_t capacity)
{
	if (r->start.infinite || r->end.infinite)
		return true;
	return bound_value(&r->start, capacity) <= bound_value(&r->end, capacity);
}

int range_parse(const char *text, struct range *out, char *err, size_t errsize)
{
	const char *s = text, *colon;
	size_t len;

	memset(out, 0, sizeof(*out));
	if (*s == '@') {
		out->inside = true;
		s++;
	}
	len = strlen(s);
	if (len == 0) {
		snprintf(err, errsize, "is empty");
		return -1;
	}
	colon = strchr(s, ':');
	if (colon && strchr(colon + 1, ':')) {
		snprintf(err, errsize, "has more than one ':'");
		return -1;
	}
	if (colon ? bound_parse(s, (size_t)(colon - s), true, &out->start) != 0 ||
			    bound_parse(colon + 1, strlen(colon + 1), false, &out->end) != 0
		  : bound_parse("", 0, true, &out->start) != 0 ||
			    bound_parse(s, len, false, &out->end) != 0) {
		snprintf(err, errsize,
			 "must be [@]start:end with decimal numbers or percentages (10, 10:, ~:10, "
			 "@10:20, 80%%)");
		return -1;
	}
	/* Bounds of the same kind compare now; a percentage against a number
	 * only once the capacity is known (range_valid_for). */
	if (out->start.percent == out->end.percent && !ordered(out, 1)) {
		snprintf(err, errsize, "has its start above its end");
		return -1;
	}
	return 0;
}

bool range_valid_for(const struct range *r, uint64_t capacity)
{
	return ordered(r, capacity);
}

bool range_alerts(const struct range *r, uint64_t value, uint64_t capacity)
{
	fixed v = (fixed)value * FIXED_ONE;
	bool in = (r->start.infinite || v >= bound_value(&r->start, capacity)) &&
		  (r->end.infinite || v <= bound_value(&r->end, capacity));

	return r->inside ? in : !in;
}

/* An exact fixed number as a decimal: sign, whole part, up to 8 places. */
static size_t fixed_text(fixed v, char *buf, size_t size)
{
	char digits[48], *p = digits + sizeof(digits);
	unsigned __int128 u = v < 0 ? (unsigned __int128)-v : (unsigned __int128)v;
	unsigned __int128 whole = u / FIXED_ONE;
	uint64_t frac = (uint64_t)(u % FIXED_ONE);
	int places = 8;

	*--p = '\0';
	while (frac && frac % 10 == 0) {
		frac /= 10;
		places--;
	}
	if (frac) {
		for (int i = 0; i < places; i++, frac /= 10)
			*--p = (char)('0' + frac % 10);
		*--p = '.';
	}
	do {
		*--p = (char)('0' + (int)(whole % 10));
		whole /= 10;
	} while (whole);
	if (v < 0)
		*--p = '-';
	return (size_t)snprintf(buf, size, "%s", p);
}

void range_format(const struct range *r, uint64_t capacity, char *buf, size_t size)
{
	size_t n = 0;

	if (size == 0)
		return;
	buf[0] = '\0';
	if (r->inside)
		n += (size_t)snprintf(buf, size, "@");
	if (n < size && r->start.infinite)
		n += (size_t)snprintf(buf + n, size - n, "~:");
	else if (n < size && (r->start.micro != 0 || r->end.infinite)) {
		n += fixed_text(bound_value(&r->start, capacity), buf + n, size - n);
		if (n < size)
			n += (size_t)snprintf(buf + n, size - n, ":");
	}
	if (n < size && !r->end.infinite)
		fixed_text(bound_value(&r->end, capacity), buf + n, size - n);
}

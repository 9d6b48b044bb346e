/* Exact unsigned 64-bit arithmetic: checked parsing and saturation.
 * Every count and size in sockcap is a uint64_t; nothing here wraps. */
#ifndef SOCKCAP_U64_H
#define SOCKCAP_U64_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Parses the whole of s[0..len) as a decimal unsigned 64-bit number: digits
 * only (no sign, no spaces, no junk), at least one digit, no overflow.
 * Returns true and stores *out on success; false leaves *out untouched. */
bool u64_parse(const char *s, size_t len, uint64_t *out);

/* Same, for a NUL-terminated string. */
bool u64_parse_str(const char *s, uint64_t *out);

/* The most digits u64_decimal writes. */
#define U64_DECIMAL_MAX 20

/* Writes v's decimal digits at p (no NUL) and returns their end: the one
 * integer formatter (snprintf cost a thousand instructions a number). */
char *u64_decimal(char *p, uint64_t v);

uint64_t u64_sat_add(uint64_t a, uint64_t b);
uint64_t u64_sat_sub(uint64_t a, uint64_t b); /* 0 when b > a */
uint64_t u64_sat_mul(uint64_t a, uint64_t b);
uint64_t u64_min(uint64_t a, uint64_t b);
uint64_t u64_max(uint64_t a, uint64_t b);
/* a / b rounded down; UINT64_MAX when b is 0 (nothing divides the budget). */
uint64_t u64_div(uint64_t a, uint64_t b);
/* a * b / c without intermediate overflow (128-bit), saturated; c 0 gives
 * UINT64_MAX. */
uint64_t u64_muldiv(uint64_t a, uint64_t b, uint64_t c);

#endif

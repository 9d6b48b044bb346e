/* Exact 64-bit arithmetic: strict parsing and saturation. */
#include "suite.h"
#include "u64.h"

START_TEST(parse_accepts_zero_and_the_largest_value)
{
	uint64_t v = 7;

	ck_assert(u64_parse_str("0", &v));
	ck_assert_uint_eq(v, 0);
	ck_assert(u64_parse_str("18446744073709551615", &v));
	ck_assert_uint_eq(v, UINT64_MAX);
	ck_assert(u64_parse_str("9223372036854775807", &v));
	ck_assert_uint_eq(v, 9223372036854775807ULL);
}
END_TEST

START_TEST(parse_rejects_overflow_signs_blanks_and_junk)
{
	uint64_t v = 7;

	ck_assert(!u64_parse_str("18446744073709551616", &v));
	ck_assert(!u64_parse_str("99999999999999999999999", &v));
	ck_assert(!u64_parse_str("-1", &v));
	ck_assert(!u64_parse_str("+1", &v));
	ck_assert(!u64_parse_str(" 1", &v));
	ck_assert(!u64_parse_str("1 ", &v));
	ck_assert(!u64_parse_str("1x", &v));
	ck_assert(!u64_parse_str("0x10", &v));
	ck_assert(!u64_parse_str("", &v));
	ck_assert_uint_eq(v, 7); /* untouched on failure */
}
END_TEST

START_TEST(parse_reads_only_the_given_length)
{
	uint64_t v;

	ck_assert(u64_parse("12345", 3, &v));
	ck_assert_uint_eq(v, 123);
	ck_assert(!u64_parse("12345", 0, &v));
}
END_TEST

START_TEST(arithmetic_saturates)
{
	ck_assert_uint_eq(u64_sat_add(UINT64_MAX, 1), UINT64_MAX);
	ck_assert_uint_eq(u64_sat_add(1, 2), 3);
	ck_assert_uint_eq(u64_sat_sub(1, 2), 0);
	ck_assert_uint_eq(u64_sat_sub(5, 2), 3);
	ck_assert_uint_eq(u64_sat_mul(UINT64_MAX / 2, 3), UINT64_MAX);
	ck_assert_uint_eq(u64_sat_mul(0, UINT64_MAX), 0);
	ck_assert_uint_eq(u64_sat_mul(4294967296ULL, 4294967296ULL), UINT64_MAX);
	ck_assert_uint_eq(u64_div(10, 0), UINT64_MAX);
	ck_assert_uint_eq(u64_div(10, 3), 3);
}
END_TEST

START_TEST(muldiv_keeps_the_intermediate_product_exact)
{
	/* LONG_MAX pages × 4096 / 4096 would overflow a plain multiply. */
	ck_assert_uint_eq(u64_muldiv(9223372036854775807ULL, 4096, 4096), 9223372036854775807ULL);
	ck_assert_uint_eq(u64_muldiv(UINT64_MAX, UINT64_MAX, 1), UINT64_MAX);
	ck_assert_uint_eq(u64_muldiv(8 * 4096, 1000, 13), 2520615);
	ck_assert_uint_eq(u64_muldiv(1, 1, 0), UINT64_MAX);
}
END_TEST

/* Every power of ten and its neighbours, and the extremes, read back. */
START_TEST(decimal_writes_exactly_the_digits)
{
	char buf[U64_DECIMAL_MAX + 1];
	uint64_t p10 = 1;

	for (int k = 0; k < 20; k++, p10 *= 10)
		for (uint64_t v = p10 - (k > 0); v <= p10 + 1; v++) {
			char *end = u64_decimal(buf, v);
			uint64_t back;

			ck_assert(u64_parse(buf, (size_t)(end - buf), &back));
			ck_assert_uint_eq(back, v);
			*end = '\0';
			ck_assert_msg(buf[0] != '0' || v == 0, "leading zero: %s", buf);
		}
	*u64_decimal(buf, UINT64_MAX) = '\0';
	ck_assert_str_eq(buf, "18446744073709551615");
	*u64_decimal(buf, 0) = '\0';
	ck_assert_str_eq(buf, "0");
}
END_TEST

Suite *suite(void)
{
	Suite *s = suite_create("u64");
	TCase *t = tcase_create("u64");

	tcase_add_test(t, parse_accepts_zero_and_the_largest_value);
	tcase_add_test(t, parse_rejects_overflow_signs_blanks_and_junk);
	tcase_add_test(t, parse_reads_only_the_given_length);
	tcase_add_test(t, arithmetic_saturates);
	tcase_add_test(t, muldiv_keeps_the_intermediate_product_exact);
	tcase_add_test(t, decimal_writes_exactly_the_digits);
	suite_add_tcase(s, t);
	return s;
}

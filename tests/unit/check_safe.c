/* Text from outside: what is refused where it enters, and what it becomes
 * where it leaves. */
#include <string.h>

#include "safe.h"
#include "suite.h"

START_TEST(printable_utf8_is_text)
{
	ck_assert(safe_is_text(""));
	ck_assert(safe_is_text("chat and push sockets, small messages"));
	ck_assert(safe_is_text("caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x93\xa1"));
}
END_TEST

START_TEST(control_characters_and_bad_utf8_are_not_text)
{
	static const char *const bad[] = {
		"a\nb", "a\rb", "a\tb", "\x1b[31m", "a\x7f", "a\x07",
		"\xc2\x9b" "31m",      /* C1 CSI, obeyed by some terminals */
		"\xc2\x85",            /* C1 NEL: a line break to some readers */
		"\xff", "\xc3", "\xe2\x82", /* not UTF-8, cut sequences */
		"\xc0\x8a",            /* an overlong newline */
		"\xed\xa0\x80",        /* a surrogate */
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!safe_is_text(bad[i]), "case %zu", i);
	ck_assert_uint_eq(safe_first_bad("ok\x1b"), 2);
}
END_TEST

START_TEST(copy_replaces_each_bad_character_and_cuts_at_a_boundary)
{
	char buf[16];

	ck_assert_str_eq(safe_copy(buf, sizeof(buf), "a\nb\x1b[1m\xc2\x9b"), "a?b?[1m??");
	/* "é" does not fit after 14 bytes: it is left out whole. */
	ck_assert_str_eq(safe_copy(buf, sizeof(buf), "aaaaaaaaaaaaaa\xc3\xa9"), "aaaaaaaaaaaaaa");
}
END_TEST

START_TEST(quote_shortens_long_values_the_same_way_everywhere)
{
	char buf[SAFE_QUOTE_MAX], big[300];

	ck_assert_str_eq(safe_quote(buf, "x\ny"), "'x?y'");
	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	safe_quote(buf, big);
	ck_assert_uint_eq(strlen(buf), SAFE_QUOTE_CHARS + 5);
	ck_assert(strcmp(buf + SAFE_QUOTE_CHARS + 1, "...'") == 0);
}
END_TEST

START_TEST(the_terminal_gets_colours_and_newlines_only)
{
	char doc[] = "\x1b[1mbold\x1b[0m\ttab\nnext\x1b]0;title\x07\r\x1b[2J";
	size_t len = strlen(doc);

	safe_terminal(doc, len);
	ck_assert_str_eq(doc, "\x1b[1mbold\x1b[0m\ttab\nnext?]0;title???[2J");
}
END_TEST

/* The filter skips plain text 16 and 8 bytes at a time: every byte value,
 * at every place in and around a block, a word and the tail, is still seen
 * (a lone byte in ASCII text: only tab, newline and printable ASCII stay). */
START_TEST(the_terminal_filter_sees_every_byte_wherever_it_is)
{
	for (int b = 1; b < 256; b++)
		for (size_t at = 0; at < 45; at++) {
			char buf[45];
			size_t len = sizeof(buf);
			bool keep = (b >= 0x20 && b < 0x7f) || b == '\t' || b == '\n';

			memset(buf, 'a', sizeof(buf));
			buf[at] = (char)b;
			safe_terminal(buf, len);
			ck_assert_uint_eq(len, sizeof(buf));
			ck_assert_msg(buf[at] == (keep ? (char)b : '?'), "byte 0x%02x at %zu", b, at);
			for (size_t i = 0; i < sizeof(buf); i++)
				ck_assert(i == at || buf[i] == 'a');
		}
}
END_TEST

START_TEST(unit_names_are_what_systemd_accepts)
{
	ck_assert(safe_unit_name("nginx.service"));
	ck_assert(safe_unit_name("getty@tty1.service"));
	ck_assert(safe_unit_name("system-x\\x2dy.slice"));
	ck_assert(!safe_unit_name(""));
	ck_assert(!safe_unit_name("a b.service"));
	ck_assert(!safe_unit_name("a\n.service"));
	ck_assert(!safe_unit_name("../x.service"));
	ck_assert(!safe_unit_name("a/b.service"));
}
END_TEST

START_TEST(dropin_names_are_conf_file_names_only)
{
	ck_assert(safe_dropin_name("90-sockcap.conf"));
	ck_assert(safe_dropin_name("a.conf"));
	ck_assert(safe_dropin_name("x@y_z.conf"));
	ck_assert(!safe_dropin_name(".conf"));
	ck_assert(!safe_dropin_name(".a.conf"));
	ck_assert(!safe_dropin_name("90-sockcap.cfg"));
	ck_assert(!safe_dropin_name("../x.conf"));
	ck_assert(!safe_dropin_name("a\nb.conf"));
	ck_assert(!safe_dropin_name("a\n.conf"));
	ck_assert(!safe_dropin_name("a b.conf"));
	/* 64 bytes at most */
	ck_assert(safe_dropin_name("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.conf"));
	ck_assert(!safe_dropin_name("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.conf"));
}
END_TEST

Suite *suite(void)
{
	Suite *s = suite_create("safe");
	TCase *t = tcase_create("safe");

	tcase_add_test(t, printable_utf8_is_text);
	tcase_add_test(t, control_characters_and_bad_utf8_are_not_text);
	tcase_add_test(t, copy_replaces_each_bad_character_and_cuts_at_a_boundary);
	tcase_add_test(t, quote_shortens_long_values_the_same_way_everywhere);
	tcase_add_test(t, the_terminal_gets_colours_and_newlines_only);
	tcase_add_test(t, unit_names_are_what_systemd_accepts);
	tcase_add_test(t, dropin_names_are_conf_file_names_only);
	tcase_add_test(t, the_terminal_filter_sees_every_byte_wherever_it_is);
	suite_add_tcase(s, t);
	return s;
}

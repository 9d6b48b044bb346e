/* Profiles: the built-in ones, and strict validation of user files with
 * file, line, column and key in every message. */
#include <stdio.h>
#include <string.h>

#include "profile.h"
#include "suite.h"

static struct profile p;
static char err[512];

static int parse(const char *yaml)
{
	err[0] = '\0';
	return profile_parse(yaml, strlen(yaml), "my.yaml", &p, err, sizeof(err));
}

START_TEST(every_built_in_profile_parses)
{
	static const char *const names[] = {"idle", "websocket", "http", "proxy", "bulk", "threads"};

	for (size_t i = 0; i < 6; i++) {
		ck_assert_int_eq(profile_builtin(names[i], &p), 0);
		ck_assert_str_eq(p.name, names[i]);
		ck_assert_str_eq(p.origin, "built-in");
		ck_assert_str_eq(profile_builtin_name(i), names[i]);
	}
	ck_assert_ptr_null(profile_builtin_name(6));
	ck_assert_int_eq(profile_builtin("nope", &p), -1);
}
END_TEST

/* The compiled-in values are what the parser makes of data/profiles/NAME.yaml
 * (tools/profile_compile writes them at build time): field by field, so a
 * field the compiler forgets to write shows here. */
START_TEST(built_in_profiles_are_their_data_files)
{
	for (size_t i = 0; profile_builtin_name(i); i++) {
		char path[128], text[4096];
		struct profile parsed;
		size_t n;
		FILE *f;

		snprintf(path, sizeof(path), "data/profiles/%s.yaml", profile_builtin_name(i));
		f = fopen(path, "r");
		ck_assert_msg(f != NULL, "cannot open %s (run from the repository root)", path);
		n = fread(text, 1, sizeof(text) - 1, f);
		ck_assert(!ferror(f) && feof(f));
		fclose(f);
		text[n] = '\0';
		ck_assert_int_eq(profile_parse(text, n, path, &parsed, err, sizeof(err)), 0);
		ck_assert_int_eq(profile_builtin(profile_builtin_name(i), &p), 0);
		ck_assert_str_eq(p.name, parsed.name);
		ck_assert_str_eq(p.description, parsed.description);
		ck_assert_str_eq(p.origin, "built-in");
		ck_assert_uint_eq(p.sockets_per_connection, parsed.sockets_per_connection);
		ck_assert_uint_eq(p.outbound_sockets, parsed.outbound_sockets);
		ck_assert_uint_eq(p.rx_bytes, parsed.rx_bytes);
		ck_assert_uint_eq(p.tx_bytes, parsed.tx_bytes);
		ck_assert_int_eq(p.rx_default, parsed.rx_default);
		ck_assert_int_eq(p.tx_default, parsed.tx_default);
		ck_assert_uint_eq(p.app_bytes, parsed.app_bytes);
		ck_assert_int_eq(p.epoll, parsed.epoll);
		ck_assert_int_eq(p.conntrack, parsed.conntrack);
		ck_assert_int_eq(p.thread_per_connection, parsed.thread_per_connection);
		ck_assert_uint_eq(p.reserved_fds, parsed.reserved_fds);
		ck_assert_uint_eq(p.churn_per_second, parsed.churn_per_second);
	}
}
END_TEST

START_TEST(built_in_profiles_say_what_the_design_says)
{
	ck_assert_int_eq(profile_builtin("idle", &p), 0);
	ck_assert_uint_eq(p.sockets_per_connection, 1);
	ck_assert_uint_eq(p.rx_bytes + p.tx_bytes + p.app_bytes, 0);
	ck_assert(p.epoll);
	ck_assert_int_eq(profile_builtin("proxy", &p), 0);
	ck_assert_uint_eq(p.sockets_per_connection, 2);
	ck_assert_uint_eq(p.outbound_sockets, 1);
	ck_assert_int_eq(profile_builtin("bulk", &p), 0);
	ck_assert(p.rx_default && p.tx_default);
}
END_TEST

START_TEST(a_minimal_profile_takes_defaults)
{
	ck_assert_int_eq(parse("name: mine\n"), 0);
	ck_assert_str_eq(p.name, "mine");
	ck_assert_str_eq(p.origin, "my.yaml");
	ck_assert_uint_eq(p.sockets_per_connection, 1);
	ck_assert_uint_eq(p.reserved_fds, 32);
	ck_assert(p.epoll);
	ck_assert(!p.thread_per_connection);
}
END_TEST

START_TEST(sizes_take_suffixes)
{
	ck_assert_int_eq(parse("name: x\nrx_bytes: 16K\ntx_bytes: 1.5MiB\napp_bytes: 4096\n"), 0);
	ck_assert_uint_eq(p.rx_bytes, 16384);
	ck_assert_uint_eq(p.tx_bytes, 1572864);
	ck_assert_uint_eq(p.app_bytes, 4096);
}
END_TEST

START_TEST(an_unknown_key_names_file_line_column_and_key)
{
	ck_assert_int_eq(parse("name: x\nepol: true\n"), -1);
	ck_assert_str_eq(err, "my.yaml:2:1: unknown key 'epol'");
}
END_TEST

START_TEST(a_wrong_type_names_the_key_and_value)
{
	ck_assert_int_eq(parse("name: x\nepoll: 1\n"), -1);
	ck_assert_str_eq(err, "my.yaml:2:8: key 'epoll' must be true or false: '1'");
	ck_assert_int_eq(parse("name: x\nsockets_per_connection: two\n"), -1);
	ck_assert_str_eq(err, "my.yaml:2:25: key 'sockets_per_connection' must be a whole number: 'two'");
	/* a quoted number is a string, not a number */
	ck_assert_int_eq(parse("name: x\nreserved_fds: \"32\"\n"), -1);
	ck_assert_ptr_nonnull(strstr(err, "'reserved_fds'"));
	ck_assert_int_eq(parse("name: x\nrx_bytes: [1, 2]\n"), -1);
	ck_assert_str_eq(err, "my.yaml:2:11: key 'rx_bytes' must be a scalar");
	ck_assert_int_eq(parse("name: x\napp_bytes: {a: 1}\n"), -1);
	ck_assert_ptr_nonnull(strstr(err, "key 'app_bytes' must be a scalar"));
}
END_TEST

START_TEST(an_out_of_range_value_is_rejected)
{
	ck_assert_int_eq(parse("name: x\nsockets_per_connection: 0\n"), -1);
	ck_assert_str_eq(err, "my.yaml:2:25: key 'sockets_per_connection' must be from 1 to 8: '0'");
	ck_assert_int_eq(parse("name: x\nrx_bytes: 2GiB\n"), -1);
	ck_assert_ptr_nonnull(strstr(err, "must be from 0 to 1073741824 bytes"));
	ck_assert_int_eq(parse("name: x\nreserved_fds: 18446744073709551616\n"), -1);
	ck_assert_int_eq(parse("name: x\nsockets_per_connection: 1\noutbound_sockets: 2\n"), -1);
	ck_assert_ptr_nonnull(strstr(err, "'outbound_sockets'"));
	ck_assert_int_eq(parse("name: x\napp_bytes: default\n"), -1);
}
END_TEST

START_TEST(structure_errors_are_located)
{
	ck_assert_int_eq(parse("name: x\nname: y\n"), -1);
	ck_assert_str_eq(err, "my.yaml:2:1: key 'name' appears twice");
	ck_assert_int_eq(parse("- name\n"), -1);
	ck_assert_str_eq(err, "my.yaml:1:1: a profile is a mapping of keys to values");
	ck_assert_int_eq(parse("just text\n"), -1);
	ck_assert_int_eq(parse("epoll: true\n"), -1);
	ck_assert_str_eq(err, "my.yaml: key 'name' is required");
	ck_assert_int_eq(parse("name: x\n---\nname: y\n"), -1);
	ck_assert_ptr_nonnull(strstr(err, "one document"));
	ck_assert_int_eq(parse("name: [x\n"), -1);
	ck_assert_ptr_nonnull(strstr(err, "my.yaml:"));
	ck_assert_int_eq(parse(""), -1);
}
END_TEST

/* Name and description reach comments of files root installs and the
 * terminal: a line break, an escape or a C1 control is refused, and the
 * message shows the value made safe. */
START_TEST(text_fields_refuse_control_characters)
{
	static const char *const bad[] = {
		"name: evil\ndescription: \"x\\nExecStartPre=/bin/sh -c id\"\n",
		"name: \"a\\rb\"\n",
		"name: ok\ndescription: \"\\e[2J\"\n",
		"name: \"\\x85\"\n",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(parse(bad[i]), -1);
		ck_assert_msg(strstr(err, "no control characters") != NULL, "%s", err);
		for (const char *c = err; *c; c++)
			ck_assert_msg((unsigned char)*c >= 0x20, "raw control in: %s", err);
	}
	ck_assert_int_eq(parse("name: caf\xc3\xa9\ndescription: \"\xe6\x97\xa5 ok\"\n"), 0);
}
END_TEST

/* The file's path is the user's: it is kept made safe, never raw. */
START_TEST(the_origin_is_made_safe)
{
	ck_assert_int_eq(profile_parse("name: x\n", 8, "a\nkernel.panic = 1.yaml", &p, err,
				       sizeof(err)), 0);
	ck_assert_str_eq(p.origin, "a?kernel.panic = 1.yaml");
}
END_TEST

Suite *suite(void)
{
	Suite *s = suite_create("profile");
	TCase *t = tcase_create("profile");

	tcase_add_test(t, every_built_in_profile_parses);
	tcase_add_test(t, built_in_profiles_are_their_data_files);
	tcase_add_test(t, built_in_profiles_say_what_the_design_says);
	tcase_add_test(t, a_minimal_profile_takes_defaults);
	tcase_add_test(t, sizes_take_suffixes);
	tcase_add_test(t, an_unknown_key_names_file_line_column_and_key);
	tcase_add_test(t, a_wrong_type_names_the_key_and_value);
	tcase_add_test(t, an_out_of_range_value_is_rejected);
	tcase_add_test(t, structure_errors_are_located);
	tcase_add_test(t, text_fields_refuse_control_characters);
	tcase_add_test(t, the_origin_is_made_safe);
	suite_add_tcase(s, t);
	return s;
}

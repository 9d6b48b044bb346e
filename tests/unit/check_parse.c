/* Parsers of /proc and /sys text and of command-line numbers. */
#include <string.h>

#include <stdlib.h>

#include "fmt.h"
#include "parse.h"
#include "suite.h"

#define LEN(s) (s), strlen(s)

START_TEST(fields_read_single_and_multi_values)
{
	uint64_t v[3];

	ck_assert_int_eq(parse_u64_fields(LEN("1048576\n"), v, 1), PARSE_OK);
	ck_assert_uint_eq(v[0], 1048576);
	ck_assert_int_eq(parse_u64_fields(LEN("4096\t131072\t6291456\n"), v, 3), PARSE_OK);
	ck_assert_uint_eq(v[2], 6291456);
	/* ip_local_port_range: any blanks between the two */
	ck_assert_int_eq(parse_u64_fields(LEN("32768 \t  60999"), v, 2), PARSE_OK);
	ck_assert_uint_eq(v[1], 60999);
	ck_assert_int_eq(parse_u64_fields(LEN("9223372036854775807\n"), v, 1), PARSE_OK);
	ck_assert_uint_eq(v[0], 9223372036854775807ULL);
}
END_TEST

START_TEST(fields_reject_wrong_counts_signs_and_junk)
{
	uint64_t v[3] = {7, 7, 7};

	ck_assert_int_eq(parse_u64_fields(LEN(""), v, 1), PARSE_ABSENT);
	ck_assert_int_eq(parse_u64_fields(LEN("\n"), v, 1), PARSE_ABSENT);
	ck_assert_int_eq(parse_u64_fields(LEN("1 2\n"), v, 1), PARSE_INVALID);
	ck_assert_int_eq(parse_u64_fields(LEN("1 2\n"), v, 3), PARSE_INVALID);
	ck_assert_int_eq(parse_u64_fields(LEN("-1\n"), v, 1), PARSE_INVALID);
	ck_assert_int_eq(parse_u64_fields(LEN("12abc\n"), v, 1), PARSE_INVALID);
	ck_assert_int_eq(parse_u64_fields(LEN("18446744073709551616\n"), v, 1), PARSE_INVALID);
	ck_assert_int_eq(parse_u64_fields(LEN("1\n2\n"), v, 1), PARSE_INVALID);
	ck_assert_int_eq(parse_u64_fields("1\0002", 3, v, 1), PARSE_INVALID);
	ck_assert_uint_eq(v[0], 7);
}
END_TEST

START_TEST(cgroup_value_reads_max_as_unlimited)
{
	uint64_t v;

	ck_assert_int_eq(parse_cgroup_value(LEN("max\n"), &v), PARSE_OK);
	ck_assert_uint_eq(v, U64_UNLIMITED);
	ck_assert_int_eq(parse_cgroup_value(LEN("536870912\n"), &v), PARSE_OK);
	ck_assert_uint_eq(v, 536870912);
	ck_assert_int_eq(parse_cgroup_value(LEN("maximum\n"), &v), PARSE_INVALID);
}
END_TEST

static const char meminfo[] = "MemTotal:       24684100 kB\n"
			      "MemFree:        23000000 kB\n"
			      "MemAvailable:   24033000 kB\n"
			      "Slab:              101234 kB\n"
			      "HugePages_Total:       0\n";

START_TEST(meminfo_finds_keys_in_kb)
{
	uint64_t kb;

	ck_assert_int_eq(parse_meminfo(LEN(meminfo), "MemAvailable", &kb), PARSE_OK);
	ck_assert_uint_eq(kb, 24033000);
	ck_assert_int_eq(parse_meminfo(LEN(meminfo), "HugePages_Total", &kb), PARSE_OK);
	ck_assert_uint_eq(kb, 0);
	/* "Mem" is a prefix of keys but not a key */
	ck_assert_int_eq(parse_meminfo(LEN(meminfo), "Mem", &kb), PARSE_ABSENT);
	ck_assert_int_eq(parse_meminfo(LEN(meminfo), "SUnreclaim", &kb), PARSE_ABSENT);
	ck_assert_int_eq(parse_meminfo(LEN("MemAvailable: lots kB\n"), "MemAvailable", &kb),
			 PARSE_INVALID);
	ck_assert_int_eq(parse_meminfo(LEN("MemAvailable: 5 MB\n"), "MemAvailable", &kb),
			 PARSE_INVALID);
}
END_TEST

static const char limits[] =
	"Limit                     Soft Limit           Hard Limit           Units     \n"
	"Max cpu time              unlimited            unlimited            seconds   \n"
	"Max processes             95664                95664                processes \n"
	"Max open files            1024                 524288               files     \n";

START_TEST(limits_reads_soft_and_hard)
{
	uint64_t s, h;

	ck_assert_int_eq(parse_limits(LEN(limits), "Max open files", &s, &h), PARSE_OK);
	ck_assert_uint_eq(s, 1024);
	ck_assert_uint_eq(h, 524288);
	ck_assert_int_eq(parse_limits(LEN(limits), "Max cpu time", &s, &h), PARSE_OK);
	ck_assert_uint_eq(s, U64_UNLIMITED);
	ck_assert_int_eq(parse_limits(LEN(limits), "Max locked memory", &s, &h), PARSE_ABSENT);
	ck_assert_int_eq(parse_limits(LEN("Max open files  -1  2 files\n"), "Max open files", &s, &h),
			 PARSE_INVALID);
	ck_assert_int_eq(parse_limits(LEN("Max open files  1\n"), "Max open files", &s, &h),
			 PARSE_INVALID);
}
END_TEST

START_TEST(sockstat_reads_named_fields)
{
	const char *t = "sockets: used 290\nTCP: inuse 7 orphan 1 tw 3 alloc 9 mem 2\nUDP: inuse 2 mem 1\n";
	uint64_t v;

	ck_assert_int_eq(parse_sockstat(LEN(t), "TCP:", "mem", &v), PARSE_OK);
	ck_assert_uint_eq(v, 2);
	ck_assert_int_eq(parse_sockstat(LEN(t), "TCP:", "inuse", &v), PARSE_OK);
	ck_assert_uint_eq(v, 7);
	ck_assert_int_eq(parse_sockstat(LEN(t), "UDP:", "mem", &v), PARSE_OK);
	ck_assert_uint_eq(v, 1);
	ck_assert_int_eq(parse_sockstat(LEN(t), "TCP6:", "inuse", &v), PARSE_ABSENT);
	ck_assert_int_eq(parse_sockstat(LEN(t), "TCP:", "bogus", &v), PARSE_ABSENT);
	ck_assert_int_eq(parse_sockstat(LEN("TCP: inuse x\n"), "TCP:", "inuse", &v), PARSE_INVALID);
	ck_assert_int_eq(parse_sockstat(LEN("TCP: inuse\n"), "TCP:", "inuse", &v), PARSE_INVALID);
}
END_TEST

static const char slab[] =
	"slabinfo - version: 2.1\n"
	"# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>\n"
	"TCPv6                 13     13   2496   13    8 : tunables    0    0    0 : slabdata      1      1      0\n"
	"TCP                   26     26   2368   13    8 : tunables    0    0    0 : slabdata      2      2      0\n";

START_TEST(slabinfo_reads_a_cache_row)
{
	struct slab_entry e;

	ck_assert_int_eq(parse_slabinfo(LEN(slab), "TCP", &e), PARSE_OK);
	ck_assert_uint_eq(e.objsize, 2368);
	ck_assert_uint_eq(e.objperslab, 13);
	ck_assert_uint_eq(e.pagesperslab, 8);
	ck_assert_uint_eq(e.num_objs, 26);
	ck_assert_int_eq(parse_slabinfo(LEN(slab), "TCPv6", &e), PARSE_OK);
	ck_assert_uint_eq(e.objsize, 2496);
	ck_assert_int_eq(parse_slabinfo(LEN(slab), "filp", &e), PARSE_ABSENT);
}
END_TEST

START_TEST(slabinfo_rejects_other_versions_and_zero_divisors)
{
	struct slab_entry e;

	ck_assert_int_eq(parse_slabinfo(LEN("slabinfo - version: 1.1\nTCP 1 1 2 3 4\n"), "TCP", &e),
			 PARSE_INVALID);
	ck_assert_int_eq(parse_slabinfo(LEN(""), "TCP", &e), PARSE_INVALID);
	ck_assert_int_eq(parse_slabinfo(LEN("slabinfo - version: 2.1\nTCP 1 1 2368 0 8 :\n"), "TCP", &e),
			 PARSE_INVALID);
	ck_assert_int_eq(parse_slabinfo(LEN("slabinfo - version: 2.1\nTCP 1 1 2368 13\n"), "TCP", &e),
			 PARSE_INVALID);
}
END_TEST

START_TEST(loadavg_reads_threads_in_use)
{
	uint64_t v;

	ck_assert_int_eq(parse_loadavg_threads(LEN("0.08 0.03 0.01 1/245 12345\n"), &v), PARSE_OK);
	ck_assert_uint_eq(v, 245);
	ck_assert_int_eq(parse_loadavg_threads(LEN("0.08 0.03 0.01\n"), &v), PARSE_INVALID);
	ck_assert_int_eq(parse_loadavg_threads(LEN("0.08 0.03 0.01 245 1\n"), &v), PARSE_INVALID);
}
END_TEST

/* Every zone's "low" (pages, boost included), summed; the per-node and
 * per-CPU lines around it do not count. */
START_TEST(zoneinfo_sums_the_low_watermarks)
{
	static const char z[] = "Node 0, zone      DMA\n  per-node stats\n      nr_inactive_anon 540\n"
				"  pages free     3840\n        boost    0\n        min      31\n"
				"        low      38\n        high     45\n        protection: (0, 1, 2)\n"
				"Node 0, zone   Normal\n  pages free     1000\n        boost    2048\n"
				"        min      10508\n        low      15183\n        high     17810\n"
				"  pagesets\n    cpu: 0\n              count: 10\n";
	uint64_t v;

	ck_assert_int_eq(parse_zoneinfo_low(LEN(z), &v), PARSE_OK);
	ck_assert_uint_eq(v, 38 + 15183);
	ck_assert_int_eq(parse_zoneinfo_low(LEN("Node 0, zone DMA\n        min 31\n"), &v), PARSE_ABSENT);
	ck_assert_int_eq(parse_zoneinfo_low(LEN("        low      lots\n"), &v), PARSE_INVALID);
	ck_assert_int_eq(parse_zoneinfo_low(LEN("        low      38 39\n"), &v), PARSE_INVALID);
	/* only the word itself, however indented, before a blank */
	ck_assert_int_eq(parse_zoneinfo_low(LEN("        lowmem 5\n        xlow 6\n"), &v),
			 PARSE_ABSENT);
	ck_assert_int_eq(parse_zoneinfo_low(LEN("  low\n"), &v), PARSE_INVALID);
	ck_assert_int_eq(parse_zoneinfo_low(LEN("low\t7\n\t low 8"), &v), PARSE_OK);
	ck_assert_uint_eq(v, 15);
}
END_TEST

START_TEST(cgroup_path_finds_v1_controllers_and_the_v2_line)
{
	const char *t = "12:pids:/docker/abc\n4:cpu,cpuacct:/docker/abc\n"
			"3:memory:/docker/abc\n0::/system.slice/docker.service\n";
	char p[64];

	ck_assert_int_eq(parse_cgroup_path(LEN(t), "memory", p, sizeof(p)), PARSE_OK);
	ck_assert_str_eq(p, "/docker/abc");
	ck_assert_int_eq(parse_cgroup_path(LEN(t), "cpuacct", p, sizeof(p)), PARSE_OK);
	ck_assert_int_eq(parse_cgroup_path(LEN(t), NULL, p, sizeof(p)), PARSE_OK);
	ck_assert_str_eq(p, "/system.slice/docker.service");
	ck_assert_int_eq(parse_cgroup_path(LEN("0::/\n"), "memory", p, sizeof(p)), PARSE_ABSENT);
	ck_assert_int_eq(parse_cgroup_path(LEN("0::/\n"), NULL, p, sizeof(p)), PARSE_OK);
	ck_assert_str_eq(p, "/");
	/* a path longer than the buffer is invalid, never truncated */
	ck_assert_int_eq(parse_cgroup_path(LEN("0::/abcdefghij\n"), NULL, p, 8), PARSE_INVALID);
	ck_assert_int_eq(parse_cgroup_path(LEN("0::relative\n"), NULL, p, sizeof(p)), PARSE_INVALID);
}
END_TEST

START_TEST(count_arguments_take_decimal_suffixes)
{
	uint64_t v;

	ck_assert(parse_count_arg("250000", &v) && v == 250000);
	ck_assert(parse_count_arg("250k", &v) && v == 250000);
	ck_assert(parse_count_arg("1.5M", &v) && v == 1500000);
	ck_assert(parse_count_arg("2G", &v) && v == 2000000000);
	/* m and g like k: lower case is no less a suffix */
	ck_assert(parse_count_arg("1.5m", &v) && v == 1500000);
	ck_assert(parse_count_arg("2g", &v) && v == 2000000000);
	ck_assert(parse_count_arg("18446744073709551615", &v) && v == UINT64_MAX);
	ck_assert(!parse_count_arg("18446744073709551616", &v));
	ck_assert(!parse_count_arg("1.0005k", &v)); /* not a whole number */
	ck_assert(!parse_count_arg("1.5", &v));
	ck_assert(!parse_count_arg("k", &v));
	ck_assert(!parse_count_arg("-1", &v));
	ck_assert(!parse_count_arg("1e6", &v));
	ck_assert(!parse_count_arg("1.", &v));
	ck_assert(!parse_count_arg("", &v));
	ck_assert(!parse_count_arg("20000000000G", &v));
}
END_TEST

START_TEST(size_arguments_take_binary_suffixes)
{
	uint64_t v;

	ck_assert(parse_size_arg("4096", &v) && v == 4096);
	ck_assert(parse_size_arg("8K", &v) && v == 8192);
	ck_assert(parse_size_arg("8KiB", &v) && v == 8192);
	ck_assert(parse_size_arg("1.5MiB", &v) && v == 1572864);
	ck_assert(parse_size_arg("2G", &v) && v == 2147483648ULL);
	ck_assert(parse_size_arg("0", &v) && v == 0);
	ck_assert(parse_size_arg("8k", &v) && v == 8192);
	ck_assert(parse_size_arg("1.5m", &v) && v == 1572864);
	ck_assert(parse_size_arg("2g", &v) && v == 2147483648ULL);
	ck_assert(parse_share_arg("15%", &v) && v == 150);
	ck_assert(parse_share_arg("12.5%", &v) && v == 125);
	ck_assert(!parse_share_arg("12.55%", &v));
	ck_assert(!parse_share_arg("15", &v));
	ck_assert(!parse_share_arg("%", &v));
	{
		bool share;

		ck_assert(parse_reserve_arg("2G", &share, &v) && !share && v == 2147483648ULL);
		ck_assert(parse_reserve_arg("15%", &share, &v) && share && v == 150);
		ck_assert(parse_reserve_arg("90%", &share, &v) && share && v == 900);
		ck_assert(!parse_reserve_arg("90.1%", &share, &v));
		ck_assert(!parse_reserve_arg("2 G", &share, &v));
	}
	ck_assert(!parse_size_arg("1.1K", &v)); /* 1126.4 bytes */
	ck_assert(!parse_size_arg("8 K", &v));
	ck_assert(!parse_size_arg("8KB", &v));
	ck_assert(!parse_size_arg("16777216T", &v));
}
END_TEST

/* Folding keeps every word, breaks at spaces, indents what goes on, and
 * counts characters, not bytes, nor colour escapes. */
START_TEST(text_folds_to_the_width_without_losing_a_word)
{
	static const char in[] = "  alpha beta gamma delta 1,234,567 epsilon\nshort\n\n"
				 "\033[1m\xe2\x89\x88 12345\033[0m\n"
				 "unbreakable-word-longer-than-the-line\n";
	size_t len;
	char *out = fmt_wrap(in, sizeof(in) - 1, 20, &len);

	ck_assert_ptr_nonnull(out);
	ck_assert_str_eq(out, "  alpha beta gamma\n      delta\n      1,234,567\n      epsilon\nshort\n\n"
			      "\033[1m\xe2\x89\x88 12345\033[0m\n"
			      "unbreakable-word-longer-than-the-line\n");
	ck_assert_uint_eq(len, strlen(out));
	free(out);
	ck_assert_str_eq(fmt_plural(1, "connection", "connections"), "connection");
	ck_assert_str_eq(fmt_plural(0, "connection", "connections"), "connections");
	ck_assert_str_eq(fmt_plural(2, "thread", "threads"), "threads");
}
END_TEST

START_TEST(kernel_series_from_release)
{
	unsigned a, b;

	ck_assert(parse_kernel_series("6.1.0-18-amd64", &a, &b) && a == 6 && b == 1);
	ck_assert(parse_kernel_series("5.14.0-427.13.1.el9_4.x86_64", &a, &b) && a == 5 && b == 14);
	ck_assert(parse_kernel_series("6.18", &a, &b) && a == 6 && b == 18);
	ck_assert(!parse_kernel_series("linux", &a, &b));
	ck_assert(!parse_kernel_series("6.", &a, &b));
}
END_TEST

START_TEST(status_fields_read_decimal_and_hex)
{
	const char *t = "Name:\tnginx\nUid:\t994\t994\t994\t994\nThreads:\t12\nCapEff:\t00000000a80425fb\n";
	uint64_t v;

	ck_assert_int_eq(parse_status_field(LEN(t), "Threads", 10, &v), PARSE_OK);
	ck_assert_uint_eq(v, 12);
	ck_assert_int_eq(parse_status_field(LEN(t), "Uid", 10, &v), PARSE_OK);
	ck_assert_uint_eq(v, 994);
	ck_assert_int_eq(parse_status_field(LEN(t), "CapEff", 16, &v), PARSE_OK);
	ck_assert_uint_eq(v, 0xa80425fbULL);
	ck_assert_int_eq(parse_status_field(LEN(t), "CapBnd", 16, &v), PARSE_ABSENT);
	ck_assert_int_eq(parse_status_field(LEN(t), "Name", 10, &v), PARSE_INVALID);
	ck_assert_int_eq(parse_status_field(LEN("CapEff:\t1ffffffffffffffff\n"), "CapEff", 16, &v),
			 PARSE_INVALID);
}
END_TEST

START_TEST(systemd_unit_from_cgroup_paths)
{
	char u[32];

	ck_assert_int_eq(parse_systemd_unit("/system.slice/nginx.service", u, sizeof(u)), PARSE_OK);
	ck_assert_str_eq(u, "nginx.service");
	ck_assert_int_eq(parse_systemd_unit("/user.slice/user-1000.slice/session-2.scope", u, sizeof(u)),
			 PARSE_OK);
	ck_assert_str_eq(u, "session-2.scope");
	/* a service wins over the scope it sits in */
	ck_assert_int_eq(parse_systemd_unit("/system.slice/app.service/worker.scope", u, sizeof(u)),
			 PARSE_OK);
	ck_assert_str_eq(u, "app.service");
	ck_assert_int_eq(parse_systemd_unit("/", u, sizeof(u)), PARSE_ABSENT);
	ck_assert_int_eq(parse_systemd_unit("/kubepods/burstable/pod1", u, sizeof(u)), PARSE_ABSENT);
	ck_assert_int_eq(parse_systemd_unit("/a-very-long-unit-name-indeed.service", u, 8), PARSE_INVALID);
}
END_TEST

START_TEST(text_from_files_is_made_printable)
{
	char s[] = "6.1\x01-\xff\xfe\tx";

	text_printable(s);
	ck_assert_str_eq(s, "6.1?-???x");
}
END_TEST

Suite *suite(void)
{
	Suite *s = suite_create("parse");
	TCase *t = tcase_create("parse");

	tcase_add_test(t, fields_read_single_and_multi_values);
	tcase_add_test(t, fields_reject_wrong_counts_signs_and_junk);
	tcase_add_test(t, cgroup_value_reads_max_as_unlimited);
	tcase_add_test(t, meminfo_finds_keys_in_kb);
	tcase_add_test(t, limits_reads_soft_and_hard);
	tcase_add_test(t, sockstat_reads_named_fields);
	tcase_add_test(t, slabinfo_reads_a_cache_row);
	tcase_add_test(t, slabinfo_rejects_other_versions_and_zero_divisors);
	tcase_add_test(t, loadavg_reads_threads_in_use);
	tcase_add_test(t, zoneinfo_sums_the_low_watermarks);
	tcase_add_test(t, cgroup_path_finds_v1_controllers_and_the_v2_line);
	tcase_add_test(t, count_arguments_take_decimal_suffixes);
	tcase_add_test(t, size_arguments_take_binary_suffixes);
	tcase_add_test(t, text_folds_to_the_width_without_losing_a_word);
	tcase_add_test(t, kernel_series_from_release);
	tcase_add_test(t, status_fields_read_decimal_and_hex);
	tcase_add_test(t, systemd_unit_from_cgroup_paths);
	tcase_add_test(t, text_from_files_is_made_printable);
	suite_add_tcase(s, t);
	return s;
}

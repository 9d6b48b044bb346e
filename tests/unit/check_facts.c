/* Reading facts through a source: statuses, exact values, cgroups, slab
 * sizes. The host is an in-memory world (world.h). */
#include <stdio.h>

#include "facts.h"
#include "parse.h"
#include "suite.h"
#include "world.h"

static struct world w;
static struct facts f;

static void read_world(void)
{
	ck_assert(world_facts(&w, &f));
}

START_TEST(a_plain_host_reads_every_fact)
{
	world_host(&w);
	read_world();
	ck_assert_int_eq(f.f[F_MEM_AVAILABLE].status, FACT_OK);
	ck_assert_uint_eq(f.f[F_MEM_AVAILABLE].v[0], 7000000);
	ck_assert_uint_eq(f.f[F_NOFILE].v[0], 1024);
	ck_assert_uint_eq(f.f[F_NOFILE].v[1], 524288);
	ck_assert_uint_eq(f.f[F_NPROC].v[0], 31000);
	ck_assert_uint_eq(f.f[F_TCP_MEM].v[1], 120000);
	ck_assert_uint_eq(f.f[F_PORT_RANGE].v[0], 32768);
	ck_assert_uint_eq(f.f[F_PORT_RANGE].v[1], 60999);
	ck_assert_uint_eq(f.f[F_SOCK_TCP_MEM].v[0], 3);
	ck_assert_uint_eq(f.f[F_SOCK_TCP6_INUSE].v[0], 4);
	ck_assert_uint_eq(f.f[F_THREADS_IN_USE].v[0], 300);
	ck_assert_str_eq(f.osrelease, "6.18.44");
	ck_assert_str_eq(f.f[F_FILE_MAX].path, "proc/sys/fs/file-max");
	ck_assert_int_eq(f.f[F_TCP_TW_RECYCLE].status, FACT_MISSING);
}
END_TEST

/* Listening ports of tcp and tcp6, each once and sorted, and the reserved
 * list as the kernel writes it; tcp6 missing is no listener on IPv6. */
START_TEST(listeners_and_reserved_ports_are_read)
{
	struct source src;

	static const char tcp[] =
		"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
		"   0: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 101 1 0 100 0 0 10 0\n"
		"   1: 0100007F:07E8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 102 1 0 100 0 0 10 0\n"
		"   2: 0A00000F:1F90 C0A80105:9C40 01 00000000:00000000 00:00000000 00000000     0        0 103 1 0 100 0 0 10 0\n";
	static const char tcp6[] =
		"  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
		"   0: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 201 1 0 100 0 0 10 0\n";

	world_host(&w);
	world_put(&w, "proc/net/tcp", tcp);
	world_put(&w, "proc/net/tcp6", tcp6);
	world_put(&w, "proc/sys/net/ipv4/ip_local_reserved_ports", "9000-9100,9200\n");
	read_world();
	ck_assert_int_eq(f.listeners.status, FACT_MISSING);
	src = world_source(&w);
	facts_read_listeners(&src, &f);
	ck_assert_int_eq(f.listeners.status, FACT_OK);
	ck_assert_uint_eq(f.listeners.n, 2);
	ck_assert_uint_eq(f.listeners.port[0], 2024);
	ck_assert_uint_eq(f.listeners.port[1], 8080);
	ck_assert_int_eq(f.f[F_RESERVED_PORTS].status, FACT_OK);
	ck_assert_str_eq(f.reserved_ports, "9000-9100,9200");
	world_fail(&w, "proc/net/tcp6", FACT_MISSING);
	facts_read_listeners(&src, &f);
	ck_assert_int_eq(f.listeners.status, FACT_OK);
	world_fail(&w, "proc/net/tcp", FACT_DENIED);
	facts_read_listeners(&src, &f);
	ck_assert_int_eq(f.listeners.status, FACT_DENIED);
	world_put(&w, "proc/sys/net/ipv4/ip_local_reserved_ports", "80; rm -rf /\n");
	read_world();
	ck_assert_int_eq(f.f[F_RESERVED_PORTS].status, FACT_INVALID);
}
END_TEST

START_TEST(text_facts_are_printable_whatever_the_file_holds)
{
	world_host(&w);
	world_put(&w, "proc/sys/kernel/osrelease", "6.1\xff\x1b[31m\n");
	world_put(&w, "proc/self/cgroup", "0::/system.slice/we\x07" "b.service\n");
	read_world();
	ck_assert_str_eq(f.osrelease, "6.1??[31m");
	/* A unit name names a drop-in directory: one systemd would refuse is
	 * no unit at all. */
	ck_assert_str_eq(f.unit, "");
}
END_TEST

START_TEST(a_unit_name_systemd_accepts_is_kept)
{
	world_host(&w);
	world_put(&w, "proc/self/cgroup", "0::/system.slice/system-getty.slice/getty@tty1.service\n");
	read_world();
	ck_assert_str_eq(f.unit, "getty@tty1.service");
	world_put(&w, "proc/self/cgroup", "0::/system.slice/a b.service\n");
	read_world();
	ck_assert_str_eq(f.unit, "");
}
END_TEST

START_TEST(file_max_long_max_is_exact)
{
	world_host(&w);
	read_world();
	ck_assert_uint_eq(f.f[F_FILE_MAX].v[0], 9223372036854775807ULL);
}
END_TEST

START_TEST(statuses_follow_the_file)
{
	world_host(&w);
	world_fail(&w, "proc/sys/fs/nr_open", FACT_DENIED);
	world_fail(&w, "proc/sys/net/ipv4/tcp_mem", FACT_MISSING);
	world_put(&w, "proc/sys/fs/file-max", "lots\n");
	world_put(&w, "proc/sys/net/core/somaxconn", "");
	read_world();
	ck_assert_int_eq(f.f[F_NR_OPEN].status, FACT_DENIED);
	ck_assert_int_eq(f.f[F_TCP_MEM].status, FACT_MISSING);
	ck_assert_int_eq(f.f[F_FILE_MAX].status, FACT_INVALID);
	/* an empty value file: the kernel gave nothing to parse */
	ck_assert_int_eq(f.f[F_SOMAXCONN].status, FACT_MISSING);
	ck_assert_int_eq(f.f[F_FILE_NR].status, FACT_OK);
}
END_TEST

START_TEST(a_key_missing_from_a_shared_file_is_missing_alone)
{
	world_host(&w);
	world_put(&w, "proc/meminfo", "MemTotal: 1000 kB\n");
	read_world();
	ck_assert_int_eq(f.f[F_MEM_TOTAL].status, FACT_OK);
	ck_assert_int_eq(f.f[F_MEM_AVAILABLE].status, FACT_MISSING);
	ck_assert_str_eq(f.f[F_MEM_AVAILABLE].path, "proc/meminfo");
}
END_TEST

START_TEST(denied_limits_file_denies_both_rlimits)
{
	world_host(&w);
	world_fail(&w, "proc/self/limits", FACT_DENIED);
	read_world();
	ck_assert_int_eq(f.f[F_NOFILE].status, FACT_DENIED);
	ck_assert_int_eq(f.f[F_NPROC].status, FACT_DENIED);
}
END_TEST

START_TEST(no_proc_directory_is_an_unreadable_root)
{
	struct source s;

	memset(&w, 0, sizeof(w));
	world_put(&w, "etc/hostname", "x\n");
	s = world_source(&w);
	ck_assert(!facts_read(&s, 4096, &f));
}
END_TEST

START_TEST(a_proc_directory_with_nothing_readable_is_an_unreadable_root)
{
	struct source s;

	memset(&w, 0, sizeof(w));
	world_fail(&w, "proc/meminfo", FACT_DENIED);
	world_fail(&w, "proc/self/limits", FACT_DENIED);
	world_put(&w, "proc/unrelated", "x\n");
	s = world_source(&w);
	ck_assert(!facts_read(&s, 4096, &f));
	/* one readable fact is enough for a (partial) answer */
	world_put(&w, "proc/sys/fs/nr_open", "1048576\n");
	ck_assert(facts_read(&s, 4096, &f));
}
END_TEST

START_TEST(cgroup_v2_takes_the_tightest_ancestor)
{
	world_host(&w);
	world_put(&w, "proc/self/cgroup", "0::/kubepods/pod1/ctr\n");
	world_put(&w, "sys/fs/cgroup/kubepods/pod1/ctr/memory.max", "max\n");
	world_put(&w, "sys/fs/cgroup/kubepods/pod1/memory.max", "536870912\n");
	world_put(&w, "sys/fs/cgroup/kubepods/pod1/memory.current", "100000000\n");
	world_put(&w, "sys/fs/cgroup/kubepods/memory.max", "1073741824\n");
	world_put(&w, "sys/fs/cgroup/kubepods/memory.current", "1000000000\n");
	read_world();
	ck_assert(f.cgroup_v2);
	ck_assert_int_eq(f.f[F_CG_MEM_MAX].status, FACT_OK);
	/* kubepods has 73741824 bytes left, pod1 436870912: kubepods binds */
	ck_assert_uint_eq(f.f[F_CG_MEM_MAX].v[0], 1073741824);
	ck_assert_uint_eq(f.f[F_CG_MEM_CURRENT].v[0], 1000000000);
	ck_assert_str_eq(f.f[F_CG_MEM_MAX].path, "sys/fs/cgroup/kubepods/memory.max");
}
END_TEST

START_TEST(cgroup_v2_without_a_limit_reads_unlimited)
{
	world_host(&w);
	read_world();
	ck_assert_int_eq(f.f[F_CG_MEM_MAX].status, FACT_OK);
	ck_assert_uint_eq(f.f[F_CG_MEM_MAX].v[0], U64_UNLIMITED);
}
END_TEST

START_TEST(cgroup_v1_in_a_container_falls_back_to_the_mount_root)
{
	world_host(&w);
	world_put(&w, "proc/self/cgroup", "5:memory:/docker/0123abcd\n3:pids:/docker/0123abcd\n");
	world_put(&w, "sys/fs/cgroup/memory/memory.limit_in_bytes", "2147483648\n");
	world_put(&w, "sys/fs/cgroup/memory/memory.usage_in_bytes", "314572800\n");
	world_put(&w, "sys/fs/cgroup/pids/pids.max", "4096\n");
	world_put(&w, "sys/fs/cgroup/pids/pids.current", "12\n");
	read_world();
	ck_assert(!f.cgroup_v2);
	ck_assert_uint_eq(f.f[F_CG_MEM_MAX].v[0], 2147483648ULL);
	ck_assert_uint_eq(f.f[F_CG_MEM_CURRENT].v[0], 314572800);
	ck_assert_uint_eq(f.f[F_CG_PIDS_MAX].v[0], 4096);
	ck_assert_uint_eq(f.f[F_CG_PIDS_CURRENT].v[0], 12);
}
END_TEST

START_TEST(cgroup_v1_no_limit_sentinel_is_unlimited)
{
	world_host(&w);
	world_put(&w, "proc/self/cgroup", "4:memory:/\n0::/\n");
	world_put(&w, "sys/fs/cgroup/memory/memory.limit_in_bytes", "9223372036854771712\n");
	read_world();
	ck_assert_uint_eq(f.f[F_CG_MEM_MAX].v[0], U64_UNLIMITED);
}
END_TEST

START_TEST(cgroup_hybrid_host_reads_v2_under_unified)
{
	world_host(&w);
	world_put(&w, "proc/self/cgroup", "1:name=systemd:/x\n0::/x\n");
	world_put(&w, "sys/fs/cgroup/unified/x/memory.max", "1048576\n");
	world_put(&w, "sys/fs/cgroup/unified/x/memory.current", "0\n");
	read_world();
	ck_assert_uint_eq(f.f[F_CG_MEM_MAX].v[0], 1048576);
}
END_TEST

START_TEST(cgroup_missing_membership_marks_cgroup_facts_missing)
{
	world_host(&w);
	world_fail(&w, "proc/self/cgroup", FACT_MISSING);
	read_world();
	ck_assert_int_eq(f.f[F_CG_MEM_MAX].status, FACT_MISSING);
	ck_assert_int_eq(f.f[F_CG_PIDS_MAX].status, FACT_MISSING);
}
END_TEST

START_TEST(cgroup_invalid_limit_is_invalid)
{
	world_host(&w);
	world_put(&w, "sys/fs/cgroup/user.slice/user-1000.slice/session-1.scope/memory.max", "-1\n");
	read_world();
	ck_assert_int_eq(f.f[F_CG_MEM_MAX].status, FACT_INVALID);
}
END_TEST

START_TEST(slab_sizes_come_from_slabinfo_then_sysfs_then_the_table)
{
	world_host(&w);
	read_world();
	ck_assert_int_eq(f.slabinfo_status, FACT_OK);
	ck_assert_int_eq(f.cache[CACHE_TCP].from, SIZE_SLABINFO);
	ck_assert_uint_eq(f.cache[CACHE_TCP].objperslab, 13);
	ck_assert_int_eq(f.cache[CACHE_EPOLL_PWQ].from, SIZE_SYSFS);
	ck_assert_uint_eq(f.cache[CACHE_EPOLL_PWQ].objperslab, 64);
	ck_assert_uint_eq(f.cache[CACHE_EPOLL_PWQ].pagesperslab, 1);
}
END_TEST

START_TEST(denied_slabinfo_falls_back_to_the_table_for_the_series)
{
	world_host(&w);
	world_fail(&w, "proc/slabinfo", FACT_DENIED);
	world_put(&w, "proc/sys/kernel/osrelease", "6.18.2-custom\n");
	read_world();
	ck_assert_int_eq(f.slabinfo_status, FACT_DENIED);
	ck_assert_int_eq(f.cache[CACHE_TCP].from, SIZE_TABLE);
	ck_assert_str_eq(f.table_series, "6.18");
	ck_assert_uint_eq(f.cache[CACHE_TCP].objsize, 2368);
}
END_TEST

START_TEST(malformed_slabinfo_is_invalid_and_falls_back)
{
	world_host(&w);
	world_put(&w, "proc/slabinfo", "slabinfo - version: 2.1\nTCP 1 1 x 13 8\n");
	read_world();
	ck_assert_int_eq(f.slabinfo_status, FACT_INVALID);
	ck_assert_int_eq(f.cache[CACHE_TCP].from, SIZE_TABLE);
}
END_TEST

START_TEST(a_process_is_read_from_its_own_proc_directory)
{
	struct source s;

	world_host(&w);
	world_put(&w, "proc/77/limits", "Max open files            777                  888                  files     \n");
	world_put(&w, "proc/77/cgroup", "0::/system.slice/db.service\n");
	world_put(&w, "proc/77/status", "Threads:\t9\nUid:\t5\t5\t5\t5\n");
	world_put(&w, "proc/77/fd/0", "");
	world_put(&w, "proc/77/fd/1", "");
	s = world_source(&w);
	ck_assert_int_eq(facts_read_pid(&s, 4096, 77, &f), FACTS_OK);
	ck_assert_uint_eq(f.f[F_NOFILE].v[0], 777);
	ck_assert_uint_eq(f.f[F_NOFILE].v[1], 888);
	ck_assert_str_eq(f.f[F_NOFILE].path, "proc/77/limits");
	ck_assert_uint_eq(f.f[F_PROC_THREADS].v[0], 9);
	ck_assert_uint_eq(f.f[F_PROC_FDS].v[0], 2);
	ck_assert_str_eq(f.unit, "db.service");
	ck_assert_int_eq(facts_read_pid(&s, 4096, 78, &f), FACTS_NO_PID);
}
END_TEST

START_TEST(containers_are_told_by_cgroup_markers_and_capabilities)
{
	world_host(&w);
	read_world();
	ck_assert(!f.container.detected);
	world_put(&w, "proc/self/cgroup", "0::/system.slice/docker-0123.scope\n");
	read_world();
	ck_assert(f.container.detected);
	ck_assert_str_eq(f.unit, ""); /* the runtime's unit is not the container's */

	/* a marker file alone is not enough: image builds leave it on VMs */
	world_host(&w);
	world_put(&w, ".dockerenv", "");
	world_put(&w, "proc/self/status", "Uid:\t0\t0\t0\t0\nCapEff:\t000001ffffffffff\n");
	read_world();
	ck_assert(!f.container.detected);
	world_put(&w, "proc/self/status", "Uid:\t0\t0\t0\t0\nCapEff:\t00000000a80425fb\n");
	read_world();
	ck_assert(f.container.detected);
	ck_assert_str_eq(f.container.why, ".dockerenv exists and CAP_SYS_ADMIN is missing");

	world_host(&w);
	w.readonly = true;
	read_world();
	ck_assert(f.container.detected);
	ck_assert_str_eq(f.container.why, "proc/sys is read-only");
}
END_TEST

START_TEST(an_unreadable_cgroup_level_stops_the_walk)
{
	world_host(&w);
	world_put(&w, "proc/self/cgroup", "0::/a/b\n");
	world_fail(&w, "sys/fs/cgroup/a/b/memory.max", FACT_INVALID); /* a directory, a loop */
	world_put(&w, "sys/fs/cgroup/a/memory.max", "1000000\n");
	read_world();
	ck_assert_int_eq(f.f[F_CG_MEM_MAX].status, FACT_INVALID);
	ck_assert_str_eq(f.f[F_CG_MEM_MAX].path, "sys/fs/cgroup/a/b/memory.max");
}
END_TEST

START_TEST(cgroup_usage_has_its_own_status)
{
	world_host(&w);
	world_put(&w, "proc/self/cgroup", "0::/a\n");
	world_put(&w, "sys/fs/cgroup/a/memory.max", "1000000\n");
	world_put(&w, "sys/fs/cgroup/a/memory.current", "lots\n");
	read_world();
	ck_assert_int_eq(f.f[F_CG_MEM_MAX].status, FACT_OK);
	ck_assert_int_eq(f.f[F_CG_MEM_CURRENT].status, FACT_INVALID);
	world_put(&w, "sys/fs/cgroup/a/memory.current", "4242\n");
	world_put(&w, "sys/fs/cgroup/a/memory.max", "max\n");
	read_world();
	/* no limit: the process's own usage is still read, for the record */
	ck_assert_uint_eq(f.f[F_CG_MEM_CURRENT].v[0], 4242);
}
END_TEST

START_TEST(a_cgroup_outside_the_namespace_stays_inside_the_root)
{
	world_host(&w);
	world_put(&w, "proc/self/cgroup", "0::/../../outside\n");
	world_put(&w, "sys/fs/cgroup/memory.max", "536870912\n");
	read_world();
	ck_assert_uint_eq(f.f[F_CG_MEM_MAX].v[0], 536870912);
	ck_assert_str_eq(f.f[F_CG_MEM_MAX].path, "sys/fs/cgroup/memory.max");
}
END_TEST

/* A Kubernetes systemd-driver path takes about 204 bytes; the kernel shows
 * up to PATH_MAX - 1. One of 20 levels of 200 bytes each (4,020 bytes): the
 * walk reads every level and names the binding one in full. */
START_TEST(a_cgroup_path_as_long_as_the_kernel_shows_is_walked_whole)
{
	static char cg[4200], line[4300], deep[4300], mid[4300], deep_cur[4300], mid_cur[4300],
		pids[4300];
	size_t n = 0, mid_len = 0;

	for (int level = 0; level < 20; level++) {
		n += (size_t)snprintf(cg + n, sizeof(cg) - n, "/kubepods-burstable-pod%02d", level);
		memset(cg + n, 'x', 175);
		n += 175;
		cg[n] = '\0';
		if (level == 9)
			mid_len = n;
	}
	ck_assert_uint_eq(n, 4000);
	world_host(&w);
	snprintf(line, sizeof(line), "0::%s\n", cg);
	world_put(&w, "proc/self/cgroup", line);
	snprintf(deep, sizeof(deep), "sys/fs/cgroup%s/memory.max", cg);
	snprintf(deep_cur, sizeof(deep_cur), "sys/fs/cgroup%s/memory.current", cg);
	snprintf(mid, sizeof(mid), "sys/fs/cgroup%.*s/memory.max", (int)mid_len, cg);
	snprintf(mid_cur, sizeof(mid_cur), "sys/fs/cgroup%.*s/memory.current", (int)mid_len, cg);
	snprintf(pids, sizeof(pids), "sys/fs/cgroup%s/pids.max", cg);
	world_put(&w, deep, "4000000000\n");
	world_put(&w, deep_cur, "1000\n");
	world_put(&w, mid, "2000000000\n");
	world_put(&w, mid_cur, "5000\n");
	world_put(&w, pids, "700\n");
	read_world();
	ck_assert_int_eq(f.f[F_CG_MEM_MAX].status, FACT_OK);
	ck_assert_uint_eq(f.f[F_CG_MEM_MAX].v[0], 2000000000);
	ck_assert_str_eq(f.f[F_CG_MEM_MAX].path, mid);
	ck_assert_uint_eq(f.f[F_CG_MEM_CURRENT].v[0], 5000);
	ck_assert_str_eq(f.f[F_CG_MEM_CURRENT].path, mid_cur);
	ck_assert_uint_eq(f.f[F_CG_PIDS_MAX].v[0], 700);
	ck_assert_str_eq(f.f[F_CG_PIDS_MAX].path, pids);
	ck_assert_uint_eq(f.notes.n, 0);
}
END_TEST

/* Longer than any path the kernel shows: not read, and said. */
START_TEST(a_cgroup_path_longer_than_the_kernel_allows_is_a_note)
{
	static char line[8300];

	world_host(&w);
	memcpy(line, "0::/", 4);
	memset(line + 4, 'y', 8200);
	line[8204] = '\n';
	world_put(&w, "proc/self/cgroup", line);
	read_world();
	ck_assert_int_eq(f.f[F_CG_MEM_MAX].status, FACT_INVALID);
	ck_assert_uint_ge(f.notes.n, 1);
	ck_assert_str_eq(f.notes.text[0], "the cgroup2 line of the process's cgroup file does not parse");
}
END_TEST

Suite *suite(void)
{
	Suite *s = suite_create("facts");
	TCase *t = tcase_create("facts");

	tcase_add_test(t, a_plain_host_reads_every_fact);
	tcase_add_test(t, listeners_and_reserved_ports_are_read);
	tcase_add_test(t, file_max_long_max_is_exact);
	tcase_add_test(t, text_facts_are_printable_whatever_the_file_holds);
	tcase_add_test(t, a_unit_name_systemd_accepts_is_kept);
	tcase_add_test(t, statuses_follow_the_file);
	tcase_add_test(t, a_key_missing_from_a_shared_file_is_missing_alone);
	tcase_add_test(t, denied_limits_file_denies_both_rlimits);
	tcase_add_test(t, no_proc_directory_is_an_unreadable_root);
	tcase_add_test(t, a_proc_directory_with_nothing_readable_is_an_unreadable_root);
	tcase_add_test(t, cgroup_v2_takes_the_tightest_ancestor);
	tcase_add_test(t, cgroup_v2_without_a_limit_reads_unlimited);
	tcase_add_test(t, cgroup_v1_in_a_container_falls_back_to_the_mount_root);
	tcase_add_test(t, cgroup_v1_no_limit_sentinel_is_unlimited);
	tcase_add_test(t, cgroup_hybrid_host_reads_v2_under_unified);
	tcase_add_test(t, cgroup_missing_membership_marks_cgroup_facts_missing);
	tcase_add_test(t, cgroup_invalid_limit_is_invalid);
	tcase_add_test(t, slab_sizes_come_from_slabinfo_then_sysfs_then_the_table);
	tcase_add_test(t, denied_slabinfo_falls_back_to_the_table_for_the_series);
	tcase_add_test(t, malformed_slabinfo_is_invalid_and_falls_back);
	tcase_add_test(t, a_process_is_read_from_its_own_proc_directory);
	tcase_add_test(t, containers_are_told_by_cgroup_markers_and_capabilities);
	tcase_add_test(t, an_unreadable_cgroup_level_stops_the_walk);
	tcase_add_test(t, cgroup_usage_has_its_own_status);
	tcase_add_test(t, a_cgroup_outside_the_namespace_stays_inside_the_root);
	tcase_add_test(t, a_cgroup_path_as_long_as_the_kernel_shows_is_walked_whole);
	tcase_add_test(t, a_cgroup_path_longer_than_the_kernel_allows_is_a_note);
	suite_add_tcase(s, t);
	return s;
}

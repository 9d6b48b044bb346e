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

/* The subject of an audit (DESIGN section 8). */
static enum facts_result read_subject(enum subject_kind kind, unsigned pid, const char *name)
{
	struct source s = world_source(&w);
	struct subject_request req = {kind, pid, name};

	return facts_read_subject(&s, 4096, &req, &f);
}

START_TEST(a_new_service_gets_systemds_defaults_not_the_shells_limits)
{
	world_host(&w);
	world_put(&w, "proc/self/limits", "Max open files            20000                20000                files     \n");
	ck_assert_int_eq(read_subject(SUBJECT_SERVICE, 0, NULL), FACTS_OK);
	ck_assert_uint_eq(f.f[F_NOFILE].v[0], 1024);
	ck_assert_uint_eq(f.f[F_NOFILE].v[1], 524288);
	ck_assert_str_eq(f.f[F_NOFILE].path, "systemd's default (DefaultLimitNOFILE= unset)");
	ck_assert(f.subject.cap_sys_admin); /* a service runs as root */
	ck_assert_int_eq(f.f[F_PROC_THREADS].status, FACT_MISSING); /* no process of its own */
	world_put(&w, "etc/systemd/system.conf", "[Manager]\nDefaultLimitNOFILE=4096:65536\n");
	ck_assert_int_eq(read_subject(SUBJECT_SERVICE, 0, NULL), FACTS_OK);
	ck_assert_uint_eq(f.f[F_NOFILE].v[0], 4096);
	ck_assert_uint_eq(f.f[F_NOFILE].v[1], 65536);
	world_put(&w, "etc/systemd/system.conf.d/50-more.conf", "[Manager]\nDefaultLimitNOFILE=8192\n");
	ck_assert_int_eq(read_subject(SUBJECT_SERVICE, 0, NULL), FACTS_OK);
	ck_assert_uint_eq(f.f[F_NOFILE].v[0], 8192);
	ck_assert_uint_eq(f.f[F_NOFILE].v[1], 8192);
	ck_assert_str_eq(f.f[F_NOFILE].path, "etc/systemd/system.conf.d/50-more.conf");
	/* its cgroup is system.slice's, not the shell's session */
	world_put(&w, "sys/fs/cgroup/system.slice/memory.max", "2000000000\n");
	world_put(&w, "sys/fs/cgroup/system.slice/memory.current", "1000000000\n");
	ck_assert_int_eq(read_subject(SUBJECT_SERVICE, 0, NULL), FACTS_OK);
	ck_assert_uint_eq(f.f[F_CG_MEM_MAX].v[0], 2000000000);
	/* in a container a new process starts as sockcap did */
	world_put(&w, "proc/self/cgroup", "0::/system.slice/docker-0123.scope\n");
	ck_assert_int_eq(read_subject(SUBJECT_SERVICE, 0, NULL), FACTS_OK);
	ck_assert_uint_eq(f.f[F_NOFILE].v[0], 20000);
}
END_TEST

START_TEST(a_stopped_unit_gets_its_files)
{
	world_host(&w);
	world_put(&w, "usr/lib/systemd/system/web.service",
		  "[Service]\nExecStart=/usr/bin/web\nUser=www\nLimitNOFILE=2048\n");
	world_put(&w, "etc/systemd/system/web.service.d/10-nofile.conf",
		  "[Service]\nLimitNOFILE=8192:16384\n");
	world_put(&w, "etc/passwd", "root:x:0:0::/root:/bin/sh\nwww:x:33:33::/var/www:/bin/false\n");
	world_put(&w, "sys/fs/cgroup/system.slice/web.service/memory.max", "1000000\n");
	ck_assert_int_eq(read_subject(SUBJECT_UNIT, 0, "web"), FACTS_OK);
	ck_assert_str_eq(f.subject.unit, "web.service");
	ck_assert(!f.subject.active);
	ck_assert_uint_eq(f.f[F_NOFILE].v[0], 8192);
	ck_assert_uint_eq(f.f[F_NOFILE].v[1], 16384);
	ck_assert_str_eq(f.f[F_NOFILE].path, "etc/systemd/system/web.service.d/10-nofile.conf");
	ck_assert_uint_eq(f.f[F_PROC_UID].v[0], 33);
	ck_assert(f.subject.cap_known && !f.subject.cap_sys_admin);
	ck_assert_uint_eq(f.f[F_CG_MEM_MAX].v[0], 1000000);
	ck_assert_str_eq(f.unit, "web.service");
	/* a unit with no file and no cgroup is no subject */
	ck_assert_int_eq(read_subject(SUBJECT_UNIT, 0, "nosuch"), FACTS_NO_UNIT);
}
END_TEST

/* RLIMIT_NPROC as systemd gives it: the kernel's init value (threads-max
 * / 2), else DefaultLimitNPROC=, else the unit's LimitNPROC=. */
START_TEST(a_services_nproc_comes_from_systemd_too)
{
	world_host(&w);
	world_put(&w, "proc/sys/kernel/threads-max", "31108\n");
	ck_assert_int_eq(read_subject(SUBJECT_SERVICE, 0, NULL), FACTS_OK);
	ck_assert_uint_eq(f.f[F_NPROC].v[0], 15554);
	ck_assert_uint_eq(f.f[F_NPROC].v[1], 15554);
	/* one pass over system.conf reads both defaults */
	world_put(&w, "etc/systemd/system.conf",
		  "[Manager]\nDefaultLimitNPROC=4096:8192\nDefaultLimitNOFILE=2048\n");
	ck_assert_int_eq(read_subject(SUBJECT_SERVICE, 0, NULL), FACTS_OK);
	ck_assert_uint_eq(f.f[F_NPROC].v[0], 4096);
	ck_assert_uint_eq(f.f[F_NPROC].v[1], 8192);
	ck_assert_str_eq(f.f[F_NPROC].path, "etc/systemd/system.conf");
	ck_assert_uint_eq(f.f[F_NOFILE].v[0], 2048);
	ck_assert_uint_eq(f.persisted.files, 1);
	/* a unit's LimitNPROC= wins over the default, its drop-in over the unit */
	world_put(&w, "usr/lib/systemd/system/web.service",
		  "[Service]\nExecStart=/usr/bin/web\nLimitNPROC=100\n");
	world_put(&w, "sys/fs/cgroup/system.slice/web.service/memory.max", "1000000\n");
	ck_assert_int_eq(read_subject(SUBJECT_UNIT, 0, "web"), FACTS_OK);
	ck_assert_uint_eq(f.f[F_NPROC].v[0], 100);
	ck_assert_uint_eq(f.f[F_NPROC].v[1], 100);
	world_put(&w, "etc/systemd/system/web.service.d/20-threads.conf",
		  "[Service]\nLimitNPROC=infinity\n");
	ck_assert_int_eq(read_subject(SUBJECT_UNIT, 0, "web"), FACTS_OK);
	ck_assert_uint_eq(f.f[F_NPROC].v[0], U64_UNLIMITED);
	ck_assert_str_eq(f.persisted.unit_nproc.file,
			 "etc/systemd/system/web.service.d/20-threads.conf");
	/* the unit's LimitNOFILE= is not disturbed: the default stays */
	ck_assert_uint_eq(f.f[F_NOFILE].v[0], 2048);
}
END_TEST

START_TEST(a_running_unit_is_read_from_its_workers)
{
	world_host(&w);
	world_put(&w, "sys/fs/cgroup/system.slice/web.service/cgroup.procs", "10\n11\n12\n");
	world_put(&w, "proc/10/comm", "web\n");
	world_put(&w, "proc/10/status", "State:\tS (sleeping)\nPPid:\t1\n");
	world_put(&w, "proc/10/task/10/children", "11 12 ");
	world_put(&w, "proc/10/limits", "Max open files            100                  100                  files     \n");
	world_put(&w, "proc/11/comm", "web\n");
	world_put(&w, "proc/11/status", "PPid:\t10\nThreads:\t4\n");
	world_put(&w, "proc/11/limits", "Max open files            5000                 6000                 files     \n");
	world_put(&w, "proc/12/comm", "web\n");
	ck_assert_int_eq(read_subject(SUBJECT_UNIT, 0, "web.service"), FACTS_OK);
	ck_assert(f.subject.active);
	ck_assert_uint_eq(f.pid, 11);
	ck_assert_uint_eq(f.subject.processes, 2);
	ck_assert_str_eq(f.subject.processes_from, "proc/10/task/10/children");
	ck_assert_uint_eq(f.f[F_NOFILE].v[0], 5000);
	ck_assert_uint_eq(f.f[F_PROC_THREADS].v[0], 4);
	/* a master whose children run another program keeps its own */
	world_put(&w, "proc/12/comm", "logger\n");
	world_put(&w, "proc/11/comm", "logger\n");
	ck_assert_int_eq(read_subject(SUBJECT_PID, 10, NULL), FACTS_OK);
	ck_assert_uint_eq(f.pid, 10);
}
END_TEST

START_TEST(a_login_gets_what_pam_limits_gives_its_user)
{
	world_host(&w);
	world_put(&w, "etc/passwd", "root:x:0:0::/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n");
	world_put(&w, "etc/security/limits.conf", "*  soft  nofile  4096\nalice  hard  nofile  65536\n");
	ck_assert_int_eq(read_subject(SUBJECT_USER, 0, "alice"), FACTS_OK);
	ck_assert_uint_eq(f.f[F_NOFILE].v[0], 4096);
	ck_assert_uint_eq(f.f[F_NOFILE].v[1], 65536);
	ck_assert_uint_eq(f.f[F_PROC_UID].v[0], 1000);
	ck_assert(!f.subject.cap_sys_admin);
	/* a hard limit below the soft one brings the soft one down */
	world_put(&w, "etc/security/limits.conf", "*  soft  nofile  4096\nalice  hard  nofile  2048\n");
	ck_assert_int_eq(read_subject(SUBJECT_USER, 0, "alice"), FACTS_OK);
	ck_assert_uint_eq(f.f[F_NOFILE].v[0], 2048);
	ck_assert_uint_eq(f.f[F_NOFILE].v[1], 2048);
	/* '*' never applies to root */
	ck_assert_int_eq(read_subject(SUBJECT_USER, 0, "root"), FACTS_OK);
	ck_assert_uint_eq(f.f[F_NOFILE].v[0], 1024);
	ck_assert_int_eq(read_subject(SUBJECT_USER, 0, "mallory"), FACTS_NO_USER);
}
END_TEST

START_TEST(kernel_threads_and_zombies_are_no_subject)
{
	world_host(&w);
	world_put(&w, "proc/5/status", "Name:\tweb\nState:\tZ (zombie)\nPPid:\t1\n");
	ck_assert_int_eq(read_subject(SUBJECT_PID, 5, NULL), FACTS_ZOMBIE);
	world_put(&w, "proc/5/status", "State:\tX (dead)\n");
	ck_assert_int_eq(read_subject(SUBJECT_PID, 5, NULL), FACTS_ZOMBIE);
	world_put(&w, "proc/5/status", "Name:\tkworker/0:1\nState:\tI (idle)\nPPid:\t2\nKthread:\t1\n");
	ck_assert_int_eq(read_subject(SUBJECT_PID, 5, NULL), FACTS_KTHREAD);
	/* before Linux 6.0 there is no Kthread: line: kthreadd's children */
	world_put(&w, "proc/5/status", "Name:\tkworker/0:1\nState:\tI (idle)\nPPid:\t2\n");
	ck_assert_int_eq(read_subject(SUBJECT_PID, 5, NULL), FACTS_KTHREAD);
	world_put(&w, "proc/5/status", "Name:\tweb\nState:\tS (sleeping)\nPPid:\t2\nKthread:\t0\n");
	world_put(&w, "proc/5/limits", "Max open files            7                    7                    files     \n");
	ck_assert_int_eq(read_subject(SUBJECT_PID, 5, NULL), FACTS_OK);
}
END_TEST

/* A process that goes away after the first look. */
static int looks;

static bool vanishing_is_dir(const struct source *src, const char *path)
{
	if (strcmp(path, "proc/9") == 0)
		return looks++ == 0;
	return world_is_dir(src, path);
}

START_TEST(a_process_that_exits_during_the_run_is_gone)
{
	struct source s;
	struct subject_request req = {SUBJECT_PID, 9, NULL};

	world_host(&w);
	world_put(&w, "proc/9/cgroup", "0::/\n");
	s = world_source(&w);
	s.is_dir = vanishing_is_dir;
	looks = 0;
	ck_assert_int_eq(facts_read_subject(&s, 4096, &req, &f), FACTS_GONE);
}
END_TEST

/* Namespaces: links are a table; entering one reads "netns/PATH". */
static const char *other_ns = "net:[4026532999]";
static enum fact_status enter_status = FACT_OK;

static enum fact_status links(const struct source *src, const char *path, char *buf, size_t size)
{
	(void)src;
	if (strcmp(path, "proc/self/ns/net") == 0)
		snprintf(buf, size, "net:[4026531840]");
	else if (strcmp(path, "proc/9/ns/net") == 0)
		snprintf(buf, size, "%s", other_ns);
	else
		return FACT_MISSING;
	return FACT_OK;
}

static enum fact_status enter(const struct source *src, unsigned pid, const char *const *paths,
			      size_t n, struct text *out, enum fact_status *st)
{
	char path[128];

	ck_assert_uint_eq(pid, 9);
	for (size_t i = 0; i < n; i++) {
		out[i] = (struct text){NULL, 0};
		st[i] = enter_status;
		if (enter_status != FACT_OK)
			continue;
		snprintf(path, sizeof(path), "netns/%s", paths[i]);
		st[i] = world_read(src, path, &out[i]);
	}
	return enter_status;
}

START_TEST(netns_facts_come_from_the_subjects_namespace)
{
	struct source s;
	struct subject_request req = {SUBJECT_PID, 9, NULL};

	world_host(&w);
	world_put(&w, "proc/9/limits", "Max open files            7                    7                    files     \n");
	world_put(&w, "proc/9/net/sockstat", "TCP: inuse 11 orphan 0 tw 0 alloc 12 mem 1\n");
	world_put(&w, "netns/proc/sys/net/ipv4/ip_local_port_range", "40000\t41000\n");
	world_put(&w, "netns/proc/sys/net/core/somaxconn", "64\n");
	s = world_source(&w);
	s.readlink = links;
	s.read_netns = enter;
	enter_status = FACT_OK;
	ck_assert_int_eq(facts_read_subject(&s, 4096, &req, &f), FACTS_OK);
	ck_assert(f.subject.netns_other);
	ck_assert_str_eq(f.subject.netns, other_ns);
	ck_assert_uint_eq(f.f[F_PORT_RANGE].v[0], 40000);
	ck_assert_str_eq(f.f[F_PORT_RANGE].path,
			 "proc/sys/net/ipv4/ip_local_port_range in net:[4026532999]");
	ck_assert_uint_eq(f.f[F_SOMAXCONN].v[0], 64);
	ck_assert_uint_eq(f.f[F_SOCK_TCP_INUSE].v[0], 11);
	ck_assert_str_eq(f.f[F_SOCK_TCP_INUSE].path, "proc/9/net/sockstat");
	/* node-level keys stay the host's */
	ck_assert_uint_eq(f.f[F_TCP_MEM].v[1], 120000);
	/* a namespace that cannot be entered: denied, never sockcap's own */
	enter_status = FACT_DENIED;
	ck_assert_int_eq(facts_read_subject(&s, 4096, &req, &f), FACTS_OK);
	ck_assert_int_eq(f.f[F_PORT_RANGE].status, FACT_DENIED);
	ck_assert_str_eq(f.f[F_PORT_RANGE].path, "proc/9/ns/net");
	ck_assert_int_eq(f.subject.netns_status, FACT_DENIED);
	/* the same namespace as sockcap's: read as usual */
	other_ns = "net:[4026531840]";
	ck_assert_int_eq(facts_read_subject(&s, 4096, &req, &f), FACTS_OK);
	ck_assert(!f.subject.netns_other);
	ck_assert_uint_eq(f.f[F_PORT_RANGE].v[0], 32768);
	other_ns = "net:[4026532999]";
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
	ck_assert_str_eq(f.container.why, ".dockerenv exists and root lacks CAP_SYS_ADMIN");

	/* a user other than root has no capabilities anywhere: no sign (issue 12) */
	world_host(&w);
	world_put(&w, ".dockerenv", "");
	world_put(&w, "proc/self/status", "Uid:\t33\t33\t33\t33\nCapEff:\t0000000000000000\n");
	read_world();
	ck_assert(!f.container.detected);
	/* a user namespace is */
	world_put(&w, "proc/self/uid_map", "         0     100000      65536\n");
	read_world();
	ck_assert(f.container.detected);
	ck_assert_str_eq(f.container.why,
			 ".dockerenv exists and it runs in a user namespace (proc/self/uid_map)");
	world_put(&w, "proc/self/uid_map", "         0          0 4294967295\n");
	read_world();
	ck_assert(!f.container.detected);

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

/* The page cache charged to a cgroup is reclaimed before a charge fails:
 * the level with the least room counts it (v2: active_file and
 * inactive_file of memory.stat, which are hierarchical). */
START_TEST(cgroup_page_cache_is_room_when_levels_are_compared)
{
	world_host(&w);
	world_put(&w, "proc/self/cgroup", "0::/a/b\n");
	world_put(&w, "sys/fs/cgroup/a/memory.max", "2000000\n");
	world_put(&w, "sys/fs/cgroup/a/memory.current", "1500000\n");
	world_put(&w, "sys/fs/cgroup/a/memory.stat",
		  "anon 1100000\nfile 400000\ninactive_file 300000\nactive_file 100000\n");
	world_put(&w, "sys/fs/cgroup/a/b/memory.max", "1200000\n");
	world_put(&w, "sys/fs/cgroup/a/b/memory.current", "600000\n");
	world_put(&w, "sys/fs/cgroup/a/b/memory.stat", "inactive_file 0\nactive_file 0\n");
	read_world();
	/* a: 2,000,000 - 1,500,000 + 400,000; b: 1,200,000 - 600,000 */
	ck_assert_uint_eq(f.f[F_CG_MEM_MAX].v[0], 1200000);
	ck_assert_int_eq(f.f[F_CG_MEM_FILE].status, FACT_OK);
	ck_assert_uint_eq(f.f[F_CG_MEM_FILE].v[0], 0);
	ck_assert_str_eq(f.f[F_CG_MEM_FILE].path, "sys/fs/cgroup/a/b/memory.stat");
	/* b's cache makes it the roomier (1,200,000): a binds, with its cache */
	world_put(&w, "sys/fs/cgroup/a/b/memory.stat", "inactive_file 500000\nactive_file 100000\n");
	read_world();
	ck_assert_uint_eq(f.f[F_CG_MEM_MAX].v[0], 2000000);
	ck_assert_uint_eq(f.f[F_CG_MEM_FILE].v[0], 400000);
	ck_assert_str_eq(f.f[F_CG_MEM_FILE].path, "sys/fs/cgroup/a/memory.stat");
	/* a statistics file that does not parse counts nothing and says so */
	world_put(&w, "sys/fs/cgroup/a/memory.stat", "inactive_file lots\n");
	read_world();
	ck_assert_int_eq(f.f[F_CG_MEM_FILE].status, FACT_INVALID);
}
END_TEST

/* v1: the total_ keys (the level and its descendants, as its usage is),
 * never the level's own. */
START_TEST(cgroup_v1_page_cache_is_the_hierarchical_total)
{
	world_host(&w);
	world_put(&w, "proc/self/cgroup", "5:memory:/svc\n0::/\n");
	world_put(&w, "sys/fs/cgroup/memory/svc/memory.limit_in_bytes", "100000000\n");
	world_put(&w, "sys/fs/cgroup/memory/svc/memory.usage_in_bytes", "60000000\n");
	world_put(&w, "sys/fs/cgroup/memory/svc/memory.stat",
		  "cache 1\ninactive_file 1\nactive_file 1\ntotal_cache 9000000\n"
		  "total_inactive_file 6000000\ntotal_active_file 2000000\n");
	read_world();
	ck_assert_int_eq(f.f[F_CG_MEM_FILE].status, FACT_OK);
	ck_assert_uint_eq(f.f[F_CG_MEM_FILE].v[0], 8000000);
	/* never more than the usage it is part of */
	world_put(&w, "sys/fs/cgroup/memory/svc/memory.usage_in_bytes", "5000000\n");
	read_world();
	ck_assert_uint_eq(f.f[F_CG_MEM_FILE].v[0], 5000000);
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

/* Every cache in sys/kernel/slab: proc/slabinfo, the costliest file, is
 * not read at all. */
START_TEST(slabinfo_is_read_only_for_caches_sysfs_lacks)
{
	static char paths[CACHE_COUNT][3][96];
	static const char *const files[3] = {"objs_per_slab", "order", "slab_size"};
	static const char *const values[3] = {"21\n", "1\n", "192\n"};

	world_host(&w);
	world_fail(&w, "proc/slabinfo", FACT_DENIED);
	for (int c = 0; c < CACHE_COUNT; c++)
		for (int k = 0; k < 3; k++) {
			snprintf(paths[c][k], sizeof(paths[c][k]), "sys/kernel/slab/%s/%s",
				 slab_cache_name((enum slab_cache)c), files[k]);
			world_put(&w, paths[c][k], values[k]);
		}
	read_world();
	ck_assert(!f.slabinfo_read);
	for (int c = 0; c < CACHE_COUNT; c++) {
		ck_assert_int_eq(f.cache[c].from, SIZE_SYSFS);
		ck_assert_uint_eq(f.cache[c].objsize, 192);
		ck_assert_uint_eq(f.cache[c].pagesperslab, 2);
	}
	/* one cache missing from sysfs: slabinfo is read for it */
	world_fail(&w, paths[CACHE_TCP][0], FACT_MISSING);
	read_world();
	ck_assert(f.slabinfo_read);
	ck_assert_int_eq(f.slabinfo_status, FACT_DENIED);
	ck_assert_int_eq(f.cache[CACHE_TCP].from, SIZE_TABLE);
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
	tcase_add_test(t, a_new_service_gets_systemds_defaults_not_the_shells_limits);
	tcase_add_test(t, a_stopped_unit_gets_its_files);
	tcase_add_test(t, a_services_nproc_comes_from_systemd_too);
	tcase_add_test(t, a_running_unit_is_read_from_its_workers);
	tcase_add_test(t, a_login_gets_what_pam_limits_gives_its_user);
	tcase_add_test(t, kernel_threads_and_zombies_are_no_subject);
	tcase_add_test(t, a_process_that_exits_during_the_run_is_gone);
	tcase_add_test(t, netns_facts_come_from_the_subjects_namespace);
	tcase_add_test(t, a_cgroup_outside_the_namespace_stays_inside_the_root);
	tcase_add_test(t, a_cgroup_path_as_long_as_the_kernel_shows_is_walked_whole);
	tcase_add_test(t, cgroup_page_cache_is_room_when_levels_are_compared);
	tcase_add_test(t, cgroup_v1_page_cache_is_the_hierarchical_total);
	tcase_add_test(t, a_cgroup_path_longer_than_the_kernel_allows_is_a_note);
	tcase_add_test(t, slabinfo_is_read_only_for_caches_sysfs_lacks);
	suite_add_tcase(s, t);
	return s;
}

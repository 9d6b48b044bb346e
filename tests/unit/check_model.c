/* The model, row by row: zero, missing, denied, invalid, LONG_MAX,
 * saturation and ties. Facts are built in memory; no I/O. */
#include <stdio.h>
#include <string.h>

#include "host.h"
#include "model.h"
#include "parse.h"
#include "suite.h"

static struct facts f;
static struct profile p;
static struct model_options opt;
static struct capacity c;

static void set(enum fact_id id, uint64_t a, uint64_t b, uint64_t d)
{
	host_set(&f, id, a, b, d);
}

static void fail_fact(enum fact_id id, enum fact_status st)
{
	host_fail(&f, id, st);
}

static void setup(void)
{
	host_facts(&f);
	ck_assert_int_eq(profile_builtin("idle", &p), 0);
	opt = (struct model_options){.processes = 1, .upstreams = 1};
}

static void run(void)
{
	model_compute(&f, &p, &opt, &c);
}

START_TEST(kernel_bytes_sum_effective_object_sizes)
{
	run();
	/* 2520.615 + 862.315 + 195.047 + 195.047 + 128 + 64 + 16 = 3981.02
	 * -> 3982, + 8 bytes of fd table */
	ck_assert_uint_eq(c.pc.kernel_bytes_per_socket, 3990);
	ck_assert_uint_eq(c.pc.total_bytes, 3990);
	ck_assert_int_eq(c.pc.object_sizes_from, SIZE_SLABINFO);
	ck_assert_uint_eq(c.pc.outbound_extra_bytes, 256);
}
END_TEST

START_TEST(epoll_objects_count_only_for_epoll_profiles)
{
	p.epoll = false;
	run();
	ck_assert_uint_eq(c.pc.kernel_bytes_per_socket, 3990 - 208);
	ck_assert_int_eq(c.rows[ROW_EPOLL_WATCHES].status, ROWS_NA);
}
END_TEST

START_TEST(nofile_subtracts_reserved_and_scales_with_processes)
{
	run();
	ck_assert_int_eq(c.rows[ROW_NOFILE].status, ROWS_OK);
	ck_assert_uint_eq(c.rows[ROW_NOFILE].connections, 1024 - 32);
	ck_assert_uint_eq(c.rows[ROW_NOFILE_HARD].connections, 524288 - 32);
	ck_assert_uint_eq(c.rows[ROW_NR_OPEN].connections, 1048576 - 32);
	opt.processes = 4;
	p.sockets_per_connection = 2;
	run();
	ck_assert_uint_eq(c.rows[ROW_NOFILE].connections, (1024 - 32) * 4 / 2);
	ck_assert_int_eq(c.binding, ROW_NOFILE);
	ck_assert_uint_eq(c.connections, (1024 - 32) * 4 / 2);
}
END_TEST

START_TEST(nofile_zero_and_below_reserved_allows_none)
{
	set(F_NOFILE, 0, 0, 0);
	run();
	ck_assert_uint_eq(c.rows[ROW_NOFILE].connections, 0);
	set(F_NOFILE, 16, 16, 0);
	run();
	ck_assert_uint_eq(c.rows[ROW_NOFILE].connections, 0);
	ck_assert_uint_eq(c.connections, 0);
	ck_assert_int_eq(c.binding, ROW_NOFILE);
}
END_TEST

START_TEST(nofile_unlimited_is_unbounded)
{
	set(F_NOFILE, U64_UNLIMITED, U64_UNLIMITED, 0);
	run();
	ck_assert_int_eq(c.rows[ROW_NOFILE].status, ROWS_UNBOUNDED);
	ck_assert_int_ne(c.binding, ROW_NOFILE);
}
END_TEST

START_TEST(missing_denied_invalid_make_rows_unknown_and_the_answer_partial)
{
	static const enum fact_status bad[] = {FACT_MISSING, FACT_DENIED, FACT_INVALID};

	for (size_t i = 0; i < 3; i++) {
		setup();
		fail_fact(F_NOFILE, bad[i]);
		run();
		ck_assert_int_eq(c.rows[ROW_NOFILE].status, ROWS_UNKNOWN);
		ck_assert_ptr_nonnull(strstr(c.rows[ROW_NOFILE].note, fact_status_name(bad[i])));
		ck_assert(c.partial);
		ck_assert(c.known);
		ck_assert_int_ne(c.binding, ROW_NOFILE);
	}
}
END_TEST

START_TEST(ceilings_never_bind_nor_make_the_answer_partial)
{
	fail_fact(F_NR_OPEN, FACT_DENIED);
	set(F_NOFILE, 100000, 100, 0);
	run();
	ck_assert_int_eq(c.rows[ROW_NR_OPEN].status, ROWS_UNKNOWN);
	ck_assert(!c.partial);
	ck_assert_int_ne(c.binding, ROW_NOFILE_HARD);
}
END_TEST

START_TEST(file_max_long_max_saturates_without_overflow)
{
	set(F_NOFILE, 9223372036854775807ULL, 9223372036854775807ULL, 0);
	opt.processes = 1048576;
	run();
	ck_assert_uint_eq(c.rows[ROW_FILE_MAX].connections, 9223372036854775807ULL - 1000);
	ck_assert_uint_eq(c.rows[ROW_NOFILE].connections, UINT64_MAX);
	ck_assert_int_eq(c.binding, ROW_MEMORY);
}
END_TEST

START_TEST(file_max_below_allocated_allows_none)
{
	set(F_FILE_MAX, 500, 0, 0);
	run();
	ck_assert_uint_eq(c.rows[ROW_FILE_MAX].connections, 0);
	ck_assert_int_eq(c.binding, ROW_FILE_MAX);
}
END_TEST

START_TEST(file_max_without_file_nr_assumes_none_allocated)
{
	set(F_FILE_MAX, 500000, 0, 0);
	fail_fact(F_FILE_NR, FACT_DENIED);
	run();
	ck_assert_uint_eq(c.rows[ROW_FILE_MAX].connections, 500000);
	ck_assert_ptr_nonnull(strstr(c.rows[ROW_FILE_MAX].note, "unknown"));
}
END_TEST

START_TEST(memory_divides_available_bytes)
{
	set(F_NOFILE, 10000000, 10000000, 0);
	run();
	ck_assert_int_eq(c.binding, ROW_MEMORY);
	ck_assert_uint_eq(c.rows[ROW_MEMORY].value, 8000000ULL * 1024);
	ck_assert_uint_eq(c.connections, 8000000ULL * 1024 / 3990);
}
END_TEST

START_TEST(memory_honours_a_lower_cgroup_limit)
{
	set(F_CG_MEM_MAX, 536870912, 0, 0);
	set(F_CG_MEM_CURRENT, 36870912, 0, 0);
	run();
	ck_assert_int_eq(c.rows[ROW_MEMORY].source, F_CG_MEM_MAX);
	ck_assert_uint_eq(c.rows[ROW_MEMORY].value, 500000000);
	/* the cgroup is charged 1480 B a socket (slots + 8, no TCP object on accept) */
	ck_assert_uint_eq(c.rows[ROW_MEMORY].connections, 500000000 / 1480);
	/* a cgroup limit above MemAvailable does not bind */
	set(F_CG_MEM_MAX, 1ULL << 40, 0, 0);
	run();
	ck_assert_int_eq(c.rows[ROW_MEMORY].source, F_MEM_AVAILABLE);
}
END_TEST

/* Page cache charged to the cgroup (its files, read in it) is reclaimed
 * before a charge fails: the room is limit - usage + that cache. */
START_TEST(memory_counts_the_cgroups_page_cache_as_room)
{
	set(F_CG_MEM_MAX, 536870912, 0, 0);
	set(F_CG_MEM_CURRENT, 36870912, 0, 0);
	set(F_CG_MEM_FILE, 20000000, 0, 0);
	run();
	ck_assert_int_eq(c.rows[ROW_MEMORY].source, F_CG_MEM_MAX);
	ck_assert_uint_eq(c.rows[ROW_MEMORY].value, 520000000);
	ck_assert_uint_eq(c.rows[ROW_MEMORY].connections, 520000000 / 1480);
	ck_assert_ptr_nonnull(strstr(c.rows[ROW_MEMORY].note, "20000000 bytes of page cache"));
	/* unread, it counts nothing */
	fail_fact(F_CG_MEM_FILE, FACT_DENIED);
	run();
	ck_assert_uint_eq(c.rows[ROW_MEMORY].value, 500000000);
}
END_TEST

START_TEST(memory_with_usage_over_the_cgroup_limit_allows_none)
{
	set(F_CG_MEM_MAX, 1000, 0, 0);
	set(F_CG_MEM_CURRENT, 5000, 0, 0);
	run();
	ck_assert_uint_eq(c.rows[ROW_MEMORY].connections, 0);
	ck_assert_uint_eq(c.connections, 0);
}
END_TEST

START_TEST(memory_unknown_without_meminfo_or_cgroup)
{
	fail_fact(F_MEM_AVAILABLE, FACT_DENIED);
	run();
	ck_assert_int_eq(c.rows[ROW_MEMORY].status, ROWS_UNKNOWN);
	ck_assert(c.partial);
	/* a cgroup limit alone still answers */
	set(F_CG_MEM_MAX, 4000000, 0, 0);
	set(F_CG_MEM_CURRENT, 0, 0, 0);
	run();
	ck_assert_int_eq(c.rows[ROW_MEMORY].status, ROWS_OK);
	ck_assert_uint_eq(c.rows[ROW_MEMORY].connections, 4000000 / 1480);
}
END_TEST

START_TEST(tcp_mem_is_unbounded_for_idle_and_divides_pressure_for_buffers)
{
	run();
	ck_assert_int_eq(c.rows[ROW_TCP_MEM].status, ROWS_UNBOUNDED);
	p.rx_bytes = 16384;
	run();
	/* truesize(16 KiB) = 16384 + 1024 + 3072 = 20480 */
	ck_assert_uint_eq(c.pc.buffer_bytes, 20480);
	ck_assert_uint_eq(c.rows[ROW_TCP_MEM].connections, 120000ULL * 4096 / 20480);
	fail_fact(F_TCP_MEM, FACT_INVALID);
	run();
	ck_assert_int_eq(c.rows[ROW_TCP_MEM].status, ROWS_UNKNOWN);
}
END_TEST

START_TEST(truesize_fits_the_measured_points)
{
	ck_assert_uint_eq(model_truesize(0), 0);
	ck_assert_uint_eq(model_truesize(16384), 20480);
	/* 256 KiB measured 274 KiB: within 1% */
	ck_assert_uint_eq(model_truesize(262144), 281600);
	ck_assert_uint_eq(model_truesize(UINT64_MAX), UINT64_MAX);
}
END_TEST

START_TEST(default_buffers_take_the_host_defaults)
{
	ck_assert_int_eq(profile_builtin("bulk", &p), 0);
	run();
	ck_assert_uint_eq(c.pc.rx_bytes, 131072);
	ck_assert_uint_eq(c.pc.tx_bytes, 16384);
	fail_fact(F_TCP_RMEM, FACT_DENIED);
	run();
	ck_assert_uint_eq(c.pc.rx_bytes, 131072); /* the kernel's own default */
}
END_TEST

START_TEST(epoll_watches_divide_by_sockets)
{
	set(F_EPOLL_WATCHES, 0, 0, 0);
	run();
	ck_assert_uint_eq(c.rows[ROW_EPOLL_WATCHES].connections, 0);
	ck_assert_int_eq(c.binding, ROW_EPOLL_WATCHES);
}
END_TEST

START_TEST(conntrack_is_na_without_the_module_and_subtracts_tracked)
{
	run();
	ck_assert_int_eq(c.rows[ROW_CONNTRACK].status, ROWS_NA);
	set(F_NOFILE, 1048576, 1048576, 0);
	set(F_CONNTRACK_MAX, 65536, 0, 0);
	set(F_CONNTRACK_COUNT, 52000, 0, 0);
	run();
	ck_assert_uint_eq(c.rows[ROW_CONNTRACK].connections, 13536);
	ck_assert_int_eq(c.binding, ROW_CONNTRACK);
	fail_fact(F_CONNTRACK_MAX, FACT_DENIED);
	run();
	ck_assert_int_eq(c.rows[ROW_CONNTRACK].status, ROWS_UNKNOWN);
	p.conntrack = false;
	run();
	ck_assert_int_eq(c.rows[ROW_CONNTRACK].status, ROWS_NA);
}
END_TEST

/* Loaded but never asked to track: 0 entries while sockets are open. */
START_TEST(conntrack_that_tracks_nothing_is_na)
{
	set(F_CONNTRACK_MAX, 262144, 0, 0);
	set(F_CONNTRACK_COUNT, 0, 0, 0);
	set(F_SOCK_TCP_INUSE, 40005, 0, 0);
	run();
	ck_assert_int_eq(model_conntrack_state(&f), CT_IDLE);
	ck_assert_int_eq(c.rows[ROW_CONNTRACK].status, ROWS_NA);
	ck_assert_ptr_nonnull(strstr(c.rows[ROW_CONNTRACK].note, "tracks nothing"));
	ck_assert_uint_eq(c.pc.conntrack_bytes, 0);
	/* Too few sockets to tell (a fresh host with its listeners): tracking. */
	set(F_SOCK_TCP_INUSE, 5, 0, 0);
	set(F_SOCK_TCP_TW, 3, 0, 0);
	run();
	ck_assert_int_eq(model_conntrack_state(&f), CT_TRACKS);
	ck_assert_int_eq(c.rows[ROW_CONNTRACK].status, ROWS_OK);
	/* An unreadable count or sockstat: tracking, the row still binds. */
	set(F_SOCK_TCP_INUSE, 40005, 0, 0);
	fail_fact(F_CONNTRACK_COUNT, FACT_DENIED);
	ck_assert_int_eq(model_conntrack_state(&f), CT_TRACKS);
	set(F_CONNTRACK_COUNT, 0, 0, 0);
	fail_fact(F_SOCK_TCP_INUSE, FACT_DENIED);
	ck_assert_int_eq(model_conntrack_state(&f), CT_TRACKS);
}
END_TEST

/* Where it tracks, each flow costs its nf_conn (effective slab size) and
 * an 8-byte bucket head per max/buckets entries. */
START_TEST(tracked_flows_cost_their_conntrack_object_and_bucket)
{
	uint64_t without;

	set(F_CONNTRACK_MAX, 65536, 0, 0);
	set(F_CONNTRACK_COUNT, 52000, 0, 0);
	set(F_CONNTRACK_BUCKETS, 16384, 0, 0);
	p.conntrack = false;
	run();
	without = c.pc.total_bytes;
	ck_assert_uint_eq(c.pc.conntrack_bytes, 0);
	p.conntrack = true;
	f.cache[CACHE_NF_CONNTRACK] = (struct cache_size){SIZE_SLABINFO, 256, 16, 1};
	run();
	/* 4096 / 16 = 256 bytes, + 8 x 16384 / 65536 = 2 */
	ck_assert_uint_eq(c.pc.conntrack_bytes, 258);
	ck_assert_uint_eq(c.pc.total_bytes, without + 258);
	/* Not charged to a memory cgroup. */
	p.sockets_per_connection = 2;
	run();
	ck_assert_uint_eq(c.pc.conntrack_bytes, 2 * 258);
	/* No slab figure: the measured 256-byte object. */
	f.cache[CACHE_NF_CONNTRACK].from = SIZE_ABSENT;
	set(F_CONNTRACK_BUCKETS, 65536, 0, 0);
	run();
	ck_assert_uint_eq(c.pc.conntrack_bytes, 2 * (NF_CONN_FALLBACK_BYTES + 8));
}
END_TEST

/* A thread per connection costs a kernel stack and a task_struct, in the
 * host's bytes and in the cgroup's. */
START_TEST(a_thread_per_connection_costs_its_stack_and_task_struct)
{
	uint64_t host, cg;

	run();
	host = c.pc.total_bytes;
	cg = c.pc.memcg_total_bytes;
	ck_assert_uint_eq(c.pc.thread_bytes, 0);
	p.thread_per_connection = true;
	run();
	/* no task_struct figure: the measured 6554 */
	ck_assert_uint_eq(c.pc.thread_bytes, 16384 + 6554);
	f.cache[CACHE_TASK_STRUCT] = (struct cache_size){SIZE_SLABINFO, 5888, 5, 8};
	run();
	/* 8 pages / 5 objects = 6553.6 -> 6554, + the 16 KiB stack */
	ck_assert_uint_eq(c.pc.thread_bytes, 16384 + 6554);
	ck_assert_uint_eq(c.pc.total_bytes, host + c.pc.thread_bytes);
	ck_assert_uint_eq(c.pc.memcg_total_bytes, cg + c.pc.thread_bytes);
	ck_assert_int_eq(profile_builtin("threads", &p), 0);
	ck_assert(p.thread_per_connection);
	ck_assert(!p.epoll);
}
END_TEST

START_TEST(ports_apply_to_outbound_sockets_per_upstream)
{
	run();
	ck_assert_int_eq(c.rows[ROW_PORTS].status, ROWS_NA);
	ck_assert_int_eq(profile_builtin("proxy", &p), 0);
	set(F_NOFILE, 10000000, 10000000, 0);
	set(F_TCP_MEM, 3000000, 4000000, 6000000);
	run();
	ck_assert_uint_eq(c.rows[ROW_PORTS].connections, 28232);
	ck_assert_int_eq(c.binding, ROW_PORTS);
	opt.upstreams = 4;
	run();
	ck_assert_uint_eq(c.rows[ROW_PORTS].connections, 28232 * 4);
	set(F_PORT_RANGE, 60999, 32768, 0);
	run();
	ck_assert_int_eq(c.rows[ROW_PORTS].status, ROWS_UNKNOWN);
}
END_TEST

START_TEST(threads_take_the_smallest_room)
{
	run();
	ck_assert_int_eq(c.rows[ROW_THREADS].status, ROWS_NA);
	p.thread_per_connection = true;
	set(F_THREADS_MAX, 62000, 0, 0);
	set(F_PID_MAX, 4194304, 0, 0);
	set(F_THREADS_IN_USE, 300, 0, 0);
	set(F_NPROC, U64_UNLIMITED, U64_UNLIMITED, 0);
	set(F_CG_PIDS_MAX, 4096, 0, 0);
	set(F_CG_PIDS_CURRENT, 12, 0, 0);
	set(F_NOFILE, 1048576, 1048576, 0);
	run();
	ck_assert_uint_eq(c.rows[ROW_THREADS].connections, 4084);
	ck_assert_int_eq(c.rows[ROW_THREADS].source, F_CG_PIDS_MAX);
	ck_assert_int_eq(c.binding, ROW_THREADS);
	fail_fact(F_THREADS_MAX, FACT_DENIED);
	fail_fact(F_PID_MAX, FACT_DENIED);
	fail_fact(F_CG_PIDS_MAX, FACT_MISSING);
	run();
	ck_assert_int_eq(c.rows[ROW_THREADS].status, ROWS_UNKNOWN);
}
END_TEST

START_TEST(ties_bind_the_first_row_in_table_order)
{
	/* nofile and epoll_watches both allow 1000 */
	set(F_NOFILE, 1032, 1032, 0);
	set(F_EPOLL_WATCHES, 1000, 0, 0);
	run();
	ck_assert_uint_eq(c.connections, 1000);
	ck_assert_int_eq(c.binding, ROW_NOFILE);
}
END_TEST

START_TEST(nothing_known_leaves_the_capacity_unknown)
{
	for (int i = 0; i < FACT_COUNT; i++)
		fail_fact((enum fact_id)i, FACT_DENIED);
	run();
	ck_assert(!c.known);
	ck_assert_int_eq(c.binding, ROW_NONE);
	ck_assert(c.partial);
}
END_TEST

START_TEST(app_bytes_option_overrides_the_profile)
{
	opt.app_bytes_set = true;
	opt.app_bytes = 10000;
	run();
	ck_assert_uint_eq(c.pc.app_bytes, 10000);
	ck_assert_uint_eq(c.pc.total_bytes, 13990);
}
END_TEST

static bool has_warning(const char *id)
{
	for (unsigned i = 0; i < c.nwarnings; i++)
		if (strcmp(c.warnings[i].id, id) == 0)
			return true;
	return false;
}

START_TEST(warnings_name_what_hurts_at_scale)
{
	set(F_SOMAXCONN, 128, 0, 0);
	set(F_TCP_MAX_SYN_BACKLOG, 128, 0, 0);
	set(F_TCP_TW_RECYCLE, 1, 0, 0);
	set(F_FILE_MAX, 100000, 0, 0);
	set(F_SOCK_TCP_MEM, 130000, 0, 0);
	run();
	ck_assert(has_warning("nofile_soft_low"));
	ck_assert(has_warning("somaxconn_small"));
	ck_assert(has_warning("syn_backlog_small"));
	ck_assert(has_warning("tcp_tw_recycle"));
	ck_assert(has_warning("file_max_below_nr_open"));
	ck_assert(has_warning("tcp_mem_pressure"));
	ck_assert(!has_warning("tw_buckets_small"));
	set(F_TCP_MAX_TW_BUCKETS, 1000, 0, 0);
	set(F_TCP_MAX_ORPHANS, 1000, 0, 0);
	p.churn_per_second = 100; /* 6000 closing per minute */
	run();
	ck_assert(has_warning("tw_buckets_small"));
	ck_assert(has_warning("orphans_small"));
}
END_TEST

/* With syncookies on (1, the default, or 2) a full SYN queue answers with
 * cookies instead of dropping: tcp_max_syn_backlog is not worth a warning. */
START_TEST(syn_backlog_warns_only_without_syncookies)
{
	set(F_TCP_MAX_SYN_BACKLOG, 128, 0, 0);
	set(F_TCP_SYNCOOKIES, 1, 0, 0);
	run();
	ck_assert(!has_warning("syn_backlog_small"));
	set(F_TCP_SYNCOOKIES, 2, 0, 0);
	run();
	ck_assert(!has_warning("syn_backlog_small"));
	set(F_TCP_SYNCOOKIES, 0, 0, 0);
	run();
	ck_assert(has_warning("syn_backlog_small"));
	fail_fact(F_TCP_SYNCOOKIES, FACT_DENIED);
	run();
	ck_assert(has_warning("syn_backlog_small"));
}
END_TEST

START_TEST(no_warnings_on_a_tuned_host)
{
	set(F_NOFILE, 1048576, 1048576, 0);
	set(F_SOMAXCONN, 4096, 0, 0);
	set(F_TCP_MAX_SYN_BACKLOG, 4096, 0, 0);
	set(F_SOCK_TCP_MEM, 10, 0, 0);
	run();
	ck_assert_uint_eq(c.nwarnings, 0);
}
END_TEST

START_TEST(persisted_values_that_differ_or_are_overridden_are_warned)
{
	setting_assign(&f.persisted.sysctl[F_NR_OPEN], "2000000", "etc/sysctl.d/10-a.conf", 3, 0);
	setting_assign(&f.persisted.sysctl[F_NR_OPEN], "1048576", "etc/sysctl.d/20-b.conf", 1, 0);
	setting_assign(&f.persisted.sysctl[F_TCP_MEM], "1 2 3", "etc/sysctl.d/30-c.conf", 1, 0);
	f.persisted.files = 3;
	run();
	ck_assert(has_warning("sysctl_overridden"));
	ck_assert(has_warning("sysctl_not_persisted")); /* tcp_mem 90000 120000 180000 live */
	ck_assert_ptr_nonnull(strstr(c.rows[ROW_NR_OPEN].note, "set by etc/sysctl.d/20-b.conf:1"));
	ck_assert_ptr_nonnull(strstr(c.rows[ROW_FILE_MAX].note, "no sysctl.d file sets it"));
}
END_TEST

START_TEST(limits_conf_does_not_reach_a_service)
{
	snprintf(f.unit, sizeof(f.unit), "web.service");
	setting_assign(&f.persisted.soft[0], "65535", "etc/security/limits.d/x.conf", 1, 0);
	setting_assign(&f.persisted.unit_nofile, "4096:8192", "etc/systemd/system/web.service.d/o.conf", 2, 0);
	run();
	ck_assert(has_warning("limits_conf_not_for_services"));
	ck_assert(has_warning("unit_limit_not_applied"));
	ck_assert(!has_warning("limits_not_applied"));
	ck_assert_ptr_nonnull(strstr(c.rows[ROW_NOFILE].note, "LimitNOFILE=4096:8192"));
	f.unit[0] = '\0';
	f.subject.kind = SUBJECT_USER; /* a login: pam_limits applies at the next one */
	run();
	ck_assert(has_warning("limits_not_applied"));
	ck_assert(!has_warning("limits_conf_not_for_services"));
	f.subject.kind = SUBJECT_SERVICE; /* a new service: limits.conf is not its business */
	run();
	ck_assert(!has_warning("limits_not_applied"));
}
END_TEST

START_TEST(memory_subtracts_the_slab_open_sockets_pin)
{
	/* sock_inode_cache 4 pages / 19 = 862.315 B, dentry 1 page / 21 =
	 * 195.047 B: 1057.362 B pinned per open socket. */
	set(F_SOCK_USED, 1000, 0, 0);
	run();
	ck_assert_uint_eq(model_pinned_bytes(&f, &c.pc), 1057362);
	ck_assert_uint_eq(c.pinned_bytes, 1057362);
	/* (8192000000 - 1057362) / 3990, not 8192000000 / 3990 = 2053132 */
	ck_assert_uint_eq(c.rows[ROW_MEMORY].connections, 2052867);
	ck_assert_ptr_nonnull(strstr(c.rows[ROW_MEMORY].note, "1057362 bytes of inode and dentry slab "
							       "pinned by 1000 open sockets"));
	set(F_SOCK_USED, 50000, 0, 0);
	run();
	ck_assert_uint_eq(c.pinned_bytes, 52868100);
	ck_assert_uint_eq(c.rows[ROW_MEMORY].connections, 2039882);
	/* unknown count: nothing subtracted */
	fail_fact(F_SOCK_USED, FACT_DENIED);
	run();
	ck_assert_uint_eq(c.pinned_bytes, 0);
	ck_assert_uint_eq(c.rows[ROW_MEMORY].connections, 2053132);
	/* more pinned than available: none, not a wrap */
	set(F_SOCK_USED, 10000000000ULL, 0, 0);
	run();
	ck_assert_int_eq(c.rows[ROW_MEMORY].status, ROWS_OK);
	ck_assert_uint_eq(c.rows[ROW_MEMORY].connections, 0);
	/* MemAvailable holds back min(SReclaimable / 2, the zones' low
	 * watermarks) of reclaimable slab: only pinned slab beyond that is
	 * counted twice (50000 sockets pin 52868100 bytes) */
	set(F_SOCK_USED, 50000, 0, 0);
	set(F_SRECLAIMABLE, 100000, 0, 0);   /* kB: half is 51200000 bytes */
	set(F_ZONE_LOW, 5000, 0, 0);         /* pages: 20480000 bytes */
	run();
	ck_assert_uint_eq(model_slab_holdback_bytes(&f), 20480000);
	ck_assert_uint_eq(c.rows[ROW_MEMORY].connections, (8192000000ULL - (52868100 - 20480000)) / 3990);
	ck_assert_ptr_nonnull(strstr(c.rows[ROW_MEMORY].note, "20480000 of reclaimable slab"));
	set(F_ZONE_LOW, 500000, 0, 0);       /* the half binds: 51200000 */
	run();
	ck_assert_uint_eq(model_slab_holdback_bytes(&f), 51200000);
	ck_assert_uint_eq(c.rows[ROW_MEMORY].connections, (8192000000ULL - (52868100 - 51200000)) / 3990);
	set(F_SRECLAIMABLE, 1000000, 0, 0);  /* all of the pinned held back: MemAvailable as is */
	run();
	ck_assert_uint_eq(c.rows[ROW_MEMORY].connections, 2053132);
	ck_assert_ptr_nonnull(strstr(c.rows[ROW_MEMORY].note, "are within"));
	fail_fact(F_ZONE_LOW, FACT_MISSING); /* unknown: nothing held back */
	run();
	ck_assert_uint_eq(model_slab_holdback_bytes(&f), 0);
	ck_assert_uint_eq(c.rows[ROW_MEMORY].connections, 2039882);
	/* a cgroup's usage already counts them: its room is not reduced */
	set(F_SOCK_USED, 1000, 0, 0);
	set(F_CG_MEM_MAX, 100000000, 0, 0);
	set(F_CG_MEM_CURRENT, 0, 0, 0);
	run();
	ck_assert_int_eq(c.rows[ROW_MEMORY].source, F_CG_MEM_MAX);
	ck_assert_uint_eq(c.rows[ROW_MEMORY].value, 100000000);
}
END_TEST

START_TEST(file_max_does_not_bind_for_cap_sys_admin)
{
	set(F_FILE_MAX, 500, 0, 0);
	set(F_FILE_NR, 100, 0, 0);
	run();
	ck_assert_int_eq(c.binding, ROW_FILE_MAX); /* capabilities unknown: it binds */
	f.subject.cap_known = true;
	f.subject.cap_sys_admin = false;
	run();
	ck_assert_int_eq(c.binding, ROW_FILE_MAX);
	ck_assert_uint_eq(c.connections, 400);
	ck_assert_ptr_nonnull(strstr(c.rows[ROW_FILE_MAX].note, "lacks CAP_SYS_ADMIN"));
	f.subject.cap_sys_admin = true;
	run();
	ck_assert(c.rows[ROW_FILE_MAX].exempt);
	ck_assert_int_eq(c.rows[ROW_FILE_MAX].status, ROWS_OK); /* still shown */
	ck_assert_uint_eq(c.rows[ROW_FILE_MAX].connections, 400);
	ck_assert_int_eq(c.binding, ROW_NOFILE);
	ck_assert_uint_eq(c.connections, 1024 - 32);
}
END_TEST

START_TEST(usage_compares_like_with_like)
{
	set(F_PROC_SOCKETS, 900, 0, 0);
	set(F_SOCK_TCP_INUSE, 6000, 0, 0);
	set(F_SOCK_TCP6_INUSE, 2, 0, 0);
	set(F_CONNTRACK_MAX, 100000, 0, 0);
	p.conntrack = true;
	run();
	/* the subject's 900 sockets against nofile's 992 */
	ck_assert(c.usage.process.known);
	ck_assert_uint_eq(c.usage.process.connections, 900);
	ck_assert_uint_eq(c.usage.process.capacity, 1024 - 32);
	ck_assert_int_eq(c.usage.process.row, ROW_NOFILE);
	ck_assert_uint_eq(c.usage.process.percent, 90);
	/* the host's 6002 against the least host row, conntrack's 100000 */
	ck_assert(c.usage.host.known);
	ck_assert_uint_eq(c.usage.host.connections, 6002);
	ck_assert_int_eq(c.usage.host.row, ROW_CONNTRACK);
	ck_assert_uint_eq(c.usage.host.percent, 6);
	ck_assert(has_warning("usage_high"));
	ck_assert(!has_warning("usage_at_capacity"));
	set(F_PROC_SOCKETS, 992, 0, 0);
	run();
	ck_assert(has_warning("usage_at_capacity"));
	set(F_PROC_SOCKETS, 793, 0, 0); /* 79%: quiet */
	run();
	ck_assert(!has_warning("usage_high"));
	ck_assert(!has_warning("usage_at_capacity"));
	/* a proxy's connections are two sockets */
	p.sockets_per_connection = 2;
	run();
	ck_assert_uint_eq(c.usage.process.connections, 396);
	ck_assert_uint_eq(c.usage.host.connections, 3001);
	/* without the subject's sockets there is no process view */
	fail_fact(F_PROC_SOCKETS, FACT_MISSING);
	run();
	ck_assert(!c.usage.process.known);
}
END_TEST

START_TEST(more_processes_than_the_host_allows_is_a_warning)
{
	set(F_PID_MAX, 32768, 0, 0);
	opt.processes = 40000;
	run();
	ck_assert(has_warning("processes_beyond_limit"));
	opt.processes = 100;
	set(F_CG_PIDS_MAX, 50, 0, 0);
	run();
	ck_assert(has_warning("processes_beyond_limit"));
	set(F_CG_PIDS_MAX, U64_UNLIMITED, 0, 0);
	run();
	ck_assert(!has_warning("processes_beyond_limit"));
}
END_TEST

START_TEST(a_memory_cgroup_is_charged_slots_not_slabs)
{
	/* v1: an accepted socket's TCP object is allocated in softirq and not
	 * charged; each charged object costs its slot + 8, no slack, no LSM. */
	host_set(&f, F_CG_MEM_MAX, 16777216, 0, 0);
	host_set(&f, F_CG_MEM_CURRENT, 520192, 0, 0);
	snprintf(f.osrelease, sizeof(f.osrelease), "6.18.44");
	host_cache(&f, CACHE_LSM_FILE, 24, 170, 1);
	run();
	/* (832+8) + (192+8) + (192+8) + 8 + (128+8) + (64+8) + (16+8) = 1480 */
	ck_assert_uint_eq(c.pc.memcg_bytes_per_inbound_socket, 1480);
	ck_assert(!c.pc.memcg_tcp_on_accept);
	/* an opened one: + TCP (2368+8) + both bind buckets (128+8 each) */
	ck_assert_uint_eq(c.pc.memcg_bytes_per_outbound_socket, 1480 + 2376 + 272);
	ck_assert_int_eq(c.rows[ROW_MEMORY].source, F_CG_MEM_MAX);
	/* measured on this kernel: 11,130-11,202 held (tests/bench/memcg-capacity.sh) */
	ck_assert_uint_eq(c.rows[ROW_MEMORY].connections, (16777216 - 520192) / 1480);
}
END_TEST

START_TEST(cgroup_v2_charges_the_accepted_sock_from_linux_6_12)
{
	host_set(&f, F_CG_MEM_MAX, 16777216, 0, 0);
	host_set(&f, F_CG_MEM_CURRENT, 0, 0, 0);
	f.cgroup_v2 = true;
	snprintf(f.osrelease, sizeof(f.osrelease), "6.12.5");
	run();
	ck_assert(c.pc.memcg_tcp_on_accept);
	ck_assert(c.pc.memcg_buffers);
	ck_assert_uint_eq(c.pc.memcg_bytes_per_inbound_socket, 1480 + 2376);
	snprintf(f.osrelease, sizeof(f.osrelease), "6.11.9");
	run();
	ck_assert(!c.pc.memcg_tcp_on_accept);
	ck_assert_uint_eq(c.pc.memcg_bytes_per_inbound_socket, 1480);
}
END_TEST

START_TEST(buffers_count_against_a_v2_limit_only)
{
	host_set(&f, F_CG_MEM_MAX, 1ULL << 30, 0, 0);
	host_set(&f, F_CG_MEM_CURRENT, 0, 0, 0);
	p.rx_bytes = 16384;
	run();
	ck_assert_uint_eq(c.pc.memcg_total_bytes, 1480);
	f.cgroup_v2 = true;
	run();
	ck_assert_uint_eq(c.pc.memcg_total_bytes, 1480 + 20480);
}
END_TEST

START_TEST(the_host_binds_when_it_allows_fewer_than_the_cgroup)
{
	/* a cgroup with more room than the host has memory */
	host_set(&f, F_CG_MEM_MAX, 1ULL << 44, 0, 0);
	host_set(&f, F_CG_MEM_CURRENT, 0, 0, 0);
	run();
	ck_assert_int_eq(c.rows[ROW_MEMORY].source, F_MEM_AVAILABLE);
	ck_assert_uint_eq(c.rows[ROW_MEMORY].connections, 8000000ULL * 1024 / 3990);
}
END_TEST

START_TEST(rows_with_an_unreadable_input_make_the_answer_partial)
{
	host_fail(&f, F_CG_MEM_MAX, FACT_INVALID);
	run();
	ck_assert_int_eq(c.rows[ROW_MEMORY].status, ROWS_OK);
	ck_assert(c.rows[ROW_MEMORY].incomplete);
	ck_assert(c.partial);
	setup();
	host_set(&f, F_CG_MEM_MAX, 1000000, 0, 0);
	host_fail(&f, F_CG_MEM_CURRENT, FACT_DENIED);
	run();
	ck_assert(c.rows[ROW_MEMORY].incomplete);
	ck_assert(c.partial);
	setup();
	p.thread_per_connection = true;
	host_set(&f, F_THREADS_MAX, 62000, 0, 0);
	host_fail(&f, F_PID_MAX, FACT_INVALID);
	run();
	ck_assert(c.rows[ROW_THREADS].incomplete);
	ck_assert(c.partial);
	/* missing is not unreadable: a kernel without the file is complete */
	setup();
	host_fail(&f, F_FILE_NR, FACT_MISSING);
	run();
	ck_assert(!c.partial);
}
END_TEST

Suite *suite(void)
{
	Suite *s = suite_create("model");
	TCase *t = tcase_create("model");

	tcase_add_checked_fixture(t, setup, NULL);
	tcase_add_test(t, kernel_bytes_sum_effective_object_sizes);
	tcase_add_test(t, epoll_objects_count_only_for_epoll_profiles);
	tcase_add_test(t, nofile_subtracts_reserved_and_scales_with_processes);
	tcase_add_test(t, nofile_zero_and_below_reserved_allows_none);
	tcase_add_test(t, nofile_unlimited_is_unbounded);
	tcase_add_test(t, missing_denied_invalid_make_rows_unknown_and_the_answer_partial);
	tcase_add_test(t, ceilings_never_bind_nor_make_the_answer_partial);
	tcase_add_test(t, file_max_long_max_saturates_without_overflow);
	tcase_add_test(t, file_max_below_allocated_allows_none);
	tcase_add_test(t, file_max_without_file_nr_assumes_none_allocated);
	tcase_add_test(t, memory_divides_available_bytes);
	tcase_add_test(t, memory_honours_a_lower_cgroup_limit);
	tcase_add_test(t, memory_counts_the_cgroups_page_cache_as_room);
	tcase_add_test(t, memory_with_usage_over_the_cgroup_limit_allows_none);
	tcase_add_test(t, memory_unknown_without_meminfo_or_cgroup);
	tcase_add_test(t, tcp_mem_is_unbounded_for_idle_and_divides_pressure_for_buffers);
	tcase_add_test(t, truesize_fits_the_measured_points);
	tcase_add_test(t, default_buffers_take_the_host_defaults);
	tcase_add_test(t, epoll_watches_divide_by_sockets);
	tcase_add_test(t, conntrack_is_na_without_the_module_and_subtracts_tracked);
	tcase_add_test(t, conntrack_that_tracks_nothing_is_na);
	tcase_add_test(t, a_thread_per_connection_costs_its_stack_and_task_struct);
	tcase_add_test(t, tracked_flows_cost_their_conntrack_object_and_bucket);
	tcase_add_test(t, ports_apply_to_outbound_sockets_per_upstream);
	tcase_add_test(t, threads_take_the_smallest_room);
	tcase_add_test(t, ties_bind_the_first_row_in_table_order);
	tcase_add_test(t, nothing_known_leaves_the_capacity_unknown);
	tcase_add_test(t, app_bytes_option_overrides_the_profile);
	tcase_add_test(t, warnings_name_what_hurts_at_scale);
	tcase_add_test(t, no_warnings_on_a_tuned_host);
	tcase_add_test(t, syn_backlog_warns_only_without_syncookies);
	tcase_add_test(t, persisted_values_that_differ_or_are_overridden_are_warned);
	tcase_add_test(t, limits_conf_does_not_reach_a_service);
	tcase_add_test(t, memory_subtracts_the_slab_open_sockets_pin);
	tcase_add_test(t, file_max_does_not_bind_for_cap_sys_admin);
	tcase_add_test(t, usage_compares_like_with_like);
	tcase_add_test(t, more_processes_than_the_host_allows_is_a_warning);
	tcase_add_test(t, a_memory_cgroup_is_charged_slots_not_slabs);
	tcase_add_test(t, cgroup_v2_charges_the_accepted_sock_from_linux_6_12);
	tcase_add_test(t, buffers_count_against_a_v2_limit_only);
	tcase_add_test(t, the_host_binds_when_it_allows_fewer_than_the_cgroup);
	tcase_add_test(t, rows_with_an_unreadable_input_make_the_answer_partial);
	suite_add_tcase(s, t);
	return s;
}

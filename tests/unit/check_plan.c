/* The planner: what it recommends, the rules it keeps, and that applying a
 * plan and planning again changes nothing. */
#include <string.h>

#include "host.h"
#include "plan.h"
#include "suite.h"

static struct facts f;
static struct profile p;
static struct model_options opt;
static struct plan pl;

static void setup(void)
{
	host_facts(&f);
	ck_assert_int_eq(profile_builtin("idle", &p), 0);
	opt = (struct model_options){.processes = 1, .upstreams = 1};
}

static const struct recommendation *find(const char *key, enum rec_kind kind)
{
	for (unsigned i = 0; i < pl.nrecs; i++)
		if (strcmp(pl.recs[i].key, key) == 0 && pl.recs[i].kind == kind)
			return &pl.recs[i];
	return NULL;
}

/* Applies the plan to the facts, plans again for the same target: nothing
 * more to change, and the capacity reaches the target. */
static void assert_idempotent(void)
{
	struct facts applied = f;
	struct plan again;

	plan_apply(&pl, &applied);
	ck_assert(plan_compute(&applied, &p, &opt, true, pl.target, &again));
	for (unsigned i = 0; i < again.nrecs; i++)
		ck_assert_msg(again.recs[i].kind == REC_HARDWARE, "still recommends %s",
			      again.recs[i].key);
	if (pl.reachable) {
		ck_assert_uint_eq(again.nrecs, 0);
		ck_assert_uint_ge(again.before.connections, pl.target);
	}
}

START_TEST(round_up_keeps_two_significant_digits)
{
	ck_assert_uint_eq(plan_round_up(288358), 290000);
	ck_assert_uint_eq(plan_round_up(290000), 290000);
	ck_assert_uint_eq(plan_round_up(1101), 1200);
	ck_assert_uint_eq(plan_round_up(99), 99);
	ck_assert_uint_eq(plan_round_up(0), 0);
	ck_assert_uint_eq(plan_round_up(UINT64_MAX), UINT64_MAX);
}
END_TEST

START_TEST(nofile_gets_soft_and_hard_lines_and_a_systemd_limit)
{
	const struct recommendation *soft, *hard, *unit;

	ck_assert(plan_compute(&f, &p, &opt, true, 250000, &pl));
	soft = find("soft nofile", REC_LIMITS);
	hard = find("hard nofile", REC_LIMITS);
	unit = find("LimitNOFILE", REC_SYSTEMD);
	ck_assert_ptr_nonnull(soft);
	/* (250000 + 32 reserved) + 10% = 275036 -> 280000 */
	ck_assert_str_eq(soft->recommended, "280000");
	ck_assert_str_eq(soft->current, "1024");
	ck_assert_int_eq(soft->lifts, ROW_NOFILE);
	ck_assert_int_eq(soft->scope, SCOPE_PROCESS);
	/* the hard limit 524288 already covers it: never lowered, not touched */
	ck_assert_ptr_null(hard);
	ck_assert_ptr_nonnull(unit);
	ck_assert_str_eq(unit->current, "1024:524288");
	ck_assert_str_eq(unit->recommended, "280000:524288");
	ck_assert(pl.reachable);
	assert_idempotent();
}
END_TEST

START_TEST(processes_share_the_descriptors)
{
	opt.processes = 4;
	ck_assert(plan_compute(&f, &p, &opt, true, 250000, &pl));
	/* 62500 + 32 = 62532 + 10% -> 69000 */
	ck_assert_str_eq(find("soft nofile", REC_LIMITS)->recommended, "69000");
	assert_idempotent();
}
END_TEST

START_TEST(hard_nofile_above_nr_open_raises_nr_open)
{
	const struct recommendation *nr;

	ck_assert(plan_compute(&f, &p, &opt, true, 1500000, &pl));
	ck_assert_str_eq(find("hard nofile", REC_LIMITS)->recommended, "1700000");
	nr = find("fs.nr_open", REC_SYSCTL);
	ck_assert_ptr_nonnull(nr);
	ck_assert_str_eq(nr->recommended, "1700000");
	ck_assert_int_eq(nr->lifts, ROW_NR_OPEN);
	/* The plan says to load sysctl.d first: limits above nr_open fail. */
	ck_assert_ptr_nonnull(strstr(pl.order, "sysctl.d ('sysctl --system') before limits.d"));
	ck_assert_ptr_nonnull(strstr(pl.order, "fs.nr_open (1048576)"));
	assert_idempotent();
	/* Below nr_open, the order does not matter and nothing is said. */
	ck_assert(plan_compute(&f, &p, &opt, true, 250000, &pl));
	ck_assert_str_eq(pl.order, "");
}
END_TEST

START_TEST(nr_open_never_exceeds_the_kernel_ceiling)
{
	host_set(&f, F_MEM_AVAILABLE, 1ULL << 40, 0, 0);
	ck_assert(plan_compute(&f, &p, &opt, true, 3000000000ULL, &pl));
	ck_assert_str_eq(find("fs.nr_open", REC_SYSCTL)->recommended, "2147483584");
	ck_assert_str_eq(find("soft nofile", REC_LIMITS)->recommended, "2147483584");
	ck_assert(!pl.reachable);
}
END_TEST

START_TEST(nothing_is_ever_lowered)
{
	host_set(&f, F_NOFILE, 4000000, 4000000, 0);
	host_set(&f, F_NR_OPEN, 4000000, 0, 0);
	host_set(&f, F_EPOLL_WATCHES, 100000000, 0, 0);
	ck_assert(plan_compute(&f, &p, &opt, true, 250000, &pl));
	ck_assert_uint_eq(pl.nrecs, 0);
	ck_assert(pl.reachable);
}
END_TEST

START_TEST(file_max_covers_every_process)
{
	host_set(&f, F_FILE_MAX, 100000, 0, 0);
	ck_assert(plan_compute(&f, &p, &opt, true, 250000, &pl));
	/* 250000 + 1000 allocated + 10% = 276100 -> 280000 */
	ck_assert_str_eq(find("fs.file-max", REC_SYSCTL)->recommended, "280000");
	assert_idempotent();
}
END_TEST

START_TEST(tcp_mem_keeps_three_four_six)
{
	const struct recommendation *r;

	ck_assert_int_eq(profile_builtin("http", &p), 0);
	host_set(&f, F_NOFILE, 10000000, 10000000, 0);
	host_set(&f, F_NR_OPEN, 10000000, 0, 0);
	ck_assert(plan_compute(&f, &p, &opt, true, 100000, &pl));
	r = find("net.ipv4.tcp_mem", REC_SYSCTL);
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->values[0] * 4, r->values[1] * 3);
	ck_assert_uint_eq(r->values[2] * 4, r->values[1] * 6);
	ck_assert_uint_eq(r->values[1] % 4, 0);
	ck_assert_int_eq(r->lifts, ROW_TCP_MEM);
	assert_idempotent();
}
END_TEST

START_TEST(tcp_mem_max_stays_under_two_thirds_of_ram)
{
	const struct recommendation *r;

	ck_assert_int_eq(profile_builtin("bulk", &p), 0);
	host_set(&f, F_NOFILE, 10000000, 10000000, 0);
	host_set(&f, F_NR_OPEN, 10000000, 0, 0);
	ck_assert(plan_compute(&f, &p, &opt, true, 1000000, &pl));
	r = find("net.ipv4.tcp_mem", REC_SYSCTL);
	ck_assert_ptr_nonnull(r);
	/* 8 GiB = 2097152 pages; max <= 2/3 of them */
	ck_assert_uint_le(r->values[2], 2097152ULL * 2 / 3);
	ck_assert_uint_eq(r->values[0] * 4, r->values[1] * 3);
	ck_assert(!pl.reachable);
	ck_assert_ptr_nonnull(find("RAM", REC_HARDWARE));
}
END_TEST

START_TEST(memory_below_the_target_is_a_hardware_recommendation)
{
	const struct recommendation *r;

	ck_assert(plan_compute(&f, &p, &opt, true, 10000000, &pl));
	r = find("RAM", REC_HARDWARE);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->lifts, ROW_MEMORY);
	ck_assert_str_eq(r->current, "8 GiB");
	/* 10M x 3990 B = 39.9 GB; 8 GiB total, 8.19 GB available: shortfall 31.7 GB
	 * + 10% on top of 8 GiB -> 41 GiB */
	ck_assert_str_eq(r->recommended, "41 GiB");
	ck_assert(!pl.reachable);
	ck_assert_int_eq(pl.after.binding, ROW_MEMORY);
}
END_TEST

START_TEST(a_cgroup_limit_below_the_target_names_the_cgroup)
{
	const struct recommendation *r;

	host_set(&f, F_CG_MEM_MAX, 536870912, 0, 0);
	host_set(&f, F_CG_MEM_CURRENT, 36870912, 0, 0);
	f.cgroup_v2 = true;
	ck_assert(plan_compute(&f, &p, &opt, true, 500000, &pl));
	r = find("memory.max", REC_HARDWARE);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->current, "536870912");
	ck_assert_int_eq(r->scope, SCOPE_CGROUP);
	/* 500000 x 1480 B charged = 740 MB, 500 MB left: limit + 1.1 x 240 MB
	 * = 800870912 -> 810000000 */
	ck_assert_str_eq(r->recommended, "810000000");
	ck_assert_ptr_null(find("RAM", REC_HARDWARE));
}
END_TEST

START_TEST(without_a_target_the_plan_aims_at_what_memory_carries)
{
	ck_assert(plan_compute(&f, &p, &opt, false, 0, &pl));
	ck_assert(pl.target_is_ceiling);
	/* MemTotal 8 GiB less the default reserve (1 GiB: more than 10%), at
	 * the bytes a connection costs, rounded down to two digits. */
	ck_assert_int_eq(pl.ceiling_from, F_MEM_TOTAL);
	ck_assert_uint_eq(pl.ceiling_memory_bytes, 8ULL << 30);
	ck_assert_uint_eq(pl.reserve_bytes, 1ULL << 30);
	ck_assert_uint_eq(pl.target, plan_round_down((7ULL << 30) / pl.before.pc.total_bytes));
	ck_assert(pl.reachable);
	ck_assert_ptr_null(find("RAM", REC_HARDWARE));
	assert_idempotent();
}
END_TEST

START_TEST(the_reserve_is_ten_percent_at_least_a_gib_at_most_a_quarter)
{
	ck_assert_uint_eq(plan_default_reserve(24ULL << 30), (24ULL << 30) / 10);
	ck_assert_uint_eq(plan_default_reserve(4ULL << 30), 1ULL << 30);
	ck_assert_uint_eq(plan_default_reserve(512ULL << 20), 128ULL << 20);
	opt.reserve_set = true;
	opt.reserve_is_share = true;
	opt.reserve = 500; /* 50% */
	ck_assert(plan_compute(&f, &p, &opt, false, 0, &pl));
	ck_assert_uint_eq(pl.reserve_bytes, 4ULL << 30);
	ck_assert_uint_eq(pl.target, plan_round_down((4ULL << 30) / pl.before.pc.total_bytes));
	opt.reserve_is_share = false;
	opt.reserve = 2ULL << 30;
	ck_assert(plan_compute(&f, &p, &opt, false, 0, &pl));
	ck_assert_uint_eq(pl.reserve_bytes, 2ULL << 30);
	/* A reserve as large as the memory leaves nothing to plan for. */
	opt.reserve = 8ULL << 30;
	ck_assert(!plan_compute(&f, &p, &opt, false, 0, &pl));
}
END_TEST

/* What moves between runs (MemAvailable, allocated files, conntrack
 * entries, threads) moves by 5% both ways: the same recommendations. */
START_TEST(usage_drifting_by_five_percent_changes_no_value)
{
	static const uint64_t base[] = {8000000, 3456, 52000, 700};
	static const enum fact_id ids[] = {F_MEM_AVAILABLE, F_FILE_NR, F_CONNTRACK_COUNT,
					   F_THREADS_IN_USE};
	char first[RECS_MAX][REC_TEXT];
	unsigned n = 0;

	host_set(&f, F_FILE_MAX, 100000, 0, 0);
	host_set(&f, F_CONNTRACK_MAX, 65536, 0, 0);
	host_set(&f, F_THREADS_MAX, 60000, 0, 0);
	ck_assert_int_eq(profile_builtin("proxy", &p), 0);
	p.thread_per_connection = true;
	for (int drift = -5; drift <= 5; drift += 5) {
		for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
			host_set(&f, ids[i], base[i] * (uint64_t)(100 + drift) / 100, 0, 0);
		ck_assert(plan_compute(&f, &p, &opt, false, 0, &pl));
		if (drift == -5) {
			n = pl.nrecs;
			for (unsigned i = 0; i < n; i++)
				memcpy(first[i], pl.recs[i].recommended, REC_TEXT);
			continue;
		}
		ck_assert_uint_eq(pl.nrecs, n);
		for (unsigned i = 0; i < n; i++)
			ck_assert_str_eq(pl.recs[i].recommended, first[i]);
	}
	ck_assert_uint_gt(n, 4);
}
END_TEST

/* -t 18446744073709551615: every value stays inside the kernel's range of
 * its tunable (fs.file-max a long, nf_conntrack_max an int, ...), and the
 * reason says it was clamped. */
START_TEST(absurd_targets_stay_inside_the_kernels_ranges)
{
	const struct recommendation *r;

	host_set(&f, F_FILE_MAX, 100000, 0, 0);
	host_set(&f, F_CONNTRACK_MAX, 65536, 0, 0);
	host_set(&f, F_THREADS_MAX, 60000, 0, 0);
	host_set(&f, F_PID_MAX, 32768, 0, 0);
	host_set(&f, F_NPROC, 1000, 1000, 0);
	ck_assert_int_eq(profile_builtin("proxy", &p), 0);
	p.thread_per_connection = true;
	ck_assert(plan_compute(&f, &p, &opt, true, UINT64_MAX, &pl));
	for (unsigned i = 0; i < pl.nrecs; i++) {
		if (pl.recs[i].kind == REC_HARDWARE)
			continue;
		for (int k = 0; k < 3; k++)
			ck_assert_msg(pl.recs[i].values[k] <= fact_defs[pl.recs[i].fact].max,
				      "%s = %llu", pl.recs[i].key,
				      (unsigned long long)pl.recs[i].values[k]);
	}
	r = find("fs.file-max", REC_SYSCTL);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->recommended, "9223372036854775807");
	ck_assert_ptr_nonnull(strstr(r->reason, "clamped to the kernel's maximum"));
	ck_assert_str_eq(find("net.netfilter.nf_conntrack_max", REC_SYSCTL)->recommended,
			 "2147483647");
	ck_assert_str_eq(find("kernel.pid_max", REC_SYSCTL)->recommended, "4194304");
	ck_assert_str_eq(find("soft nproc", REC_LIMITS)->recommended, "1073741823");
	ck_assert(!pl.reachable);
}
END_TEST

START_TEST(conntrack_that_tracks_nothing_is_left_alone)
{
	host_set(&f, F_NOFILE, 10000000, 10000000, 0);
	host_set(&f, F_CONNTRACK_MAX, 262144, 0, 0);
	host_set(&f, F_CONNTRACK_COUNT, 0, 0, 0);
	host_set(&f, F_CONNTRACK_BUCKETS, 1024, 0, 0);
	host_set(&f, F_SOCK_TCP_INUSE, 40005, 0, 0);
	host_set(&f, F_NF_CONNTRACK_REFCNT, 3, 0, 0);
	ck_assert(plan_compute(&f, &p, &opt, true, 500000, &pl));
	ck_assert_uint_eq(pl.nrecs, 0);
	ck_assert(pl.reachable);
}
END_TEST

/* Buckets follow nf_conntrack_max in the kernel's ratio; where the module
 * is loadable, modules-load.d and modprobe.d make both stick at boot. */
START_TEST(conntrack_buckets_and_module_files)
{
	const struct recommendation *r;

	host_set(&f, F_NOFILE, 10000000, 10000000, 0);
	host_set(&f, F_CONNTRACK_MAX, 65536, 0, 0);
	host_set(&f, F_CONNTRACK_COUNT, 43, 0, 0);
	host_set(&f, F_CONNTRACK_BUCKETS, 65536, 0, 0);
	snprintf(f.osrelease, sizeof(f.osrelease), "6.1.0-18-amd64");
	ck_assert(plan_compute(&f, &p, &opt, true, 250000, &pl));
	ck_assert_str_eq(find("net.netfilter.nf_conntrack_max", REC_SYSCTL)->recommended, "280000");
	r = find("net.netfilter.nf_conntrack_buckets", REC_SYSCTL);
	ck_assert_str_eq(r->recommended, "280000");
	ck_assert_int_eq(r->lifts, ROW_NONE);
	/* Built in (no refcnt): no module files. */
	ck_assert_ptr_null(find("nf_conntrack", REC_MODULES_LOAD));
	host_set(&f, F_NF_CONNTRACK_REFCNT, 5, 0, 0);
	ck_assert(plan_compute(&f, &p, &opt, true, 250000, &pl));
	ck_assert_str_eq(find("nf_conntrack", REC_MODULES_LOAD)->recommended, "nf_conntrack");
	ck_assert_str_eq(find("options nf_conntrack hashsize", REC_MODPROBE)->recommended, "280000");
	assert_idempotent();
	/* Before 5.15 the kernel kept a bucket per 4 entries. */
	snprintf(f.osrelease, sizeof(f.osrelease), "5.10.0-28-amd64");
	host_set(&f, F_CONNTRACK_BUCKETS, 16384, 0, 0);
	ck_assert(plan_compute(&f, &p, &opt, true, 250000, &pl));
	ck_assert_str_eq(find("net.netfilter.nf_conntrack_buckets", REC_SYSCTL)->recommended,
			 "70000");
}
END_TEST

/* Each warning a setting fixes comes with that setting, lifting no row;
 * applied, the warnings and the recommendations are gone. */
START_TEST(warnings_carry_their_fix_without_lifting_a_row)
{
	static const enum fact_id fixes[] = {F_SOMAXCONN, F_TCP_MAX_SYN_BACKLOG,
					     F_TCP_MAX_TW_BUCKETS, F_TCP_MAX_ORPHANS};
	struct facts applied;
	struct capacity c;

	host_set(&f, F_SOMAXCONN, 128, 0, 0);
	host_set(&f, F_TCP_MAX_SYN_BACKLOG, 128, 0, 0);
	host_set(&f, F_TCP_SYNCOOKIES, 0, 0, 0);
	host_set(&f, F_TCP_MAX_TW_BUCKETS, 1000, 0, 0);
	host_set(&f, F_TCP_MAX_ORPHANS, 1000, 0, 0);
	p.churn_per_second = 100;
	ck_assert(plan_compute(&f, &p, &opt, true, 250000, &pl));
	for (size_t i = 0; i < sizeof(fixes) / sizeof(fixes[0]); i++) {
		const struct recommendation *r = find(fact_defs[fixes[i]].name, REC_SYSCTL);

		ck_assert_ptr_nonnull(r);
		ck_assert_int_eq(r->lifts, ROW_NONE);
		ck_assert_ptr_nonnull(strstr(r->reason, "lifts no capacity row"));
	}
	ck_assert_str_eq(find("net.core.somaxconn", REC_SYSCTL)->recommended, "4096");
	/* 100 closes a second x 60 s + 10% */
	ck_assert_str_eq(find("net.ipv4.tcp_max_tw_buckets", REC_SYSCTL)->recommended, "6600");
	assert_idempotent();
	applied = f;
	plan_apply(&pl, &applied);
	model_compute(&applied, &p, &opt, &c);
	for (unsigned i = 0; i < c.nwarnings; i++)
		ck_assert_msg(strstr(c.warnings[i].id, "_small") == NULL, "still warns %s",
			      c.warnings[i].id);
	/* With syncookies on, tcp_max_syn_backlog is left alone. */
	host_set(&f, F_TCP_SYNCOOKIES, 1, 0, 0);
	ck_assert(plan_compute(&f, &p, &opt, true, 250000, &pl));
	ck_assert_ptr_null(find("net.ipv4.tcp_max_syn_backlog", REC_SYSCTL));
}
END_TEST

/* The last LimitNOFILE= a unit's drop-ins set wins: sockcap's drop-in
 * sorts after the one that sets it now, or takes the name --dropin gives. */
START_TEST(the_drop_in_is_read_after_the_one_that_sets_the_limit)
{
	struct setting *s = &f.persisted.unit_nofile;

	snprintf(f.unit, sizeof(f.unit), "nginx.service");
	ck_assert(plan_compute(&f, &p, &opt, true, 250000, &pl));
	ck_assert_str_eq(pl.dropin, "90-sockcap.conf");
	ck_assert_str_eq(pl.dropin_why, "");
	s->set = true;
	snprintf(s->value, sizeof(s->value), "65535");
	snprintf(s->file, sizeof(s->file), "etc/systemd/system/nginx.service.d/override.conf");
	ck_assert(plan_compute(&f, &p, &opt, true, 250000, &pl));
	ck_assert_str_eq(pl.dropin, "zz-sockcap.conf");
	ck_assert_ptr_nonnull(strstr(pl.dropin_why, "override.conf"));
	ck_assert_ptr_null(strstr(find("LimitNOFILE", REC_SYSTEMD)->reason, "change it there"));
	snprintf(s->file, sizeof(s->file), "usr/lib/systemd/system/nginx.service.d/zzz.conf");
	ck_assert(plan_compute(&f, &p, &opt, true, 250000, &pl));
	ck_assert_str_eq(pl.dropin, "zzzz-sockcap.conf");
	snprintf(s->file, sizeof(s->file), "etc/systemd/system/nginx.service.d/50-limits.conf");
	ck_assert(plan_compute(&f, &p, &opt, true, 250000, &pl));
	ck_assert_str_eq(pl.dropin, "90-sockcap.conf");
	/* The unit file itself comes before every drop-in. */
	snprintf(s->file, sizeof(s->file), "usr/lib/systemd/system/nginx.service");
	ck_assert(plan_compute(&f, &p, &opt, true, 250000, &pl));
	ck_assert_str_eq(pl.dropin, "90-sockcap.conf");
	/* --dropin: that name; a later drop-in that still wins is named. */
	snprintf(s->file, sizeof(s->file), "etc/systemd/system/nginx.service.d/override.conf");
	opt.dropin = "50-mine.conf";
	ck_assert(plan_compute(&f, &p, &opt, true, 250000, &pl));
	ck_assert_str_eq(pl.dropin, "50-mine.conf");
	ck_assert_ptr_nonnull(strstr(find("LimitNOFILE", REC_SYSTEMD)->reason, "change it there"));
	opt.dropin = "override.conf";
	ck_assert(plan_compute(&f, &p, &opt, true, 250000, &pl));
	ck_assert_ptr_nonnull(strstr(pl.dropin_why, "takes the place of"));
}
END_TEST

/* Widening the ephemeral range over ports this host listens on reserves
 * them; unknown listeners are said so. */
START_TEST(listeners_in_a_widened_range_are_reserved)
{
	const struct recommendation *r;

	host_set(&f, F_NOFILE, 10000000, 10000000, 0);
	ck_assert_int_eq(profile_builtin("proxy", &p), 0);
	ck_assert(plan_compute(&f, &p, &opt, true, 60000, &pl));
	r = find("net.ipv4.ip_local_port_range", REC_SYSCTL);
	ck_assert_ptr_nonnull(r);
	ck_assert_ptr_nonnull(strstr(r->reason, "the listening ports are unknown"));
	f.listeners = (struct listeners){.status = FACT_OK, .port = {22, 2024, 8080, 9100, 50000},
					 .n = 5};
	host_set(&f, F_RESERVED_PORTS, 0, 0, 0);
	snprintf(f.reserved_ports, sizeof(f.reserved_ports), "9000-9200");
	ck_assert(plan_compute(&f, &p, &opt, true, 60000, &pl));
	r = find("net.ipv4.ip_local_reserved_ports", REC_SYSCTL);
	ck_assert_ptr_nonnull(r);
	/* 22 is below the range, 9100 reserved already */
	ck_assert_str_eq(r->recommended, "9000-9200,2024,8080,50000");
	ck_assert_int_eq(r->lifts, ROW_NONE);
	/* Reserved already: nothing more. */
	snprintf(f.reserved_ports, sizeof(f.reserved_ports), "2024,8080,9000-9200,50000");
	ck_assert(plan_compute(&f, &p, &opt, true, 60000, &pl));
	ck_assert_ptr_null(find("net.ipv4.ip_local_reserved_ports", REC_SYSCTL));
}
END_TEST

START_TEST(usage_is_rounded_up_to_a_power_of_ten)
{
	ck_assert_uint_eq(plan_usage_allowance(0), 0);
	ck_assert_uint_eq(plan_usage_allowance(1), 1);
	ck_assert_uint_eq(plan_usage_allowance(3), 10);
	ck_assert_uint_eq(plan_usage_allowance(1000), 1000);
	ck_assert_uint_eq(plan_usage_allowance(1001), 10000);
	ck_assert_uint_eq(plan_usage_allowance(49400), 100000);
	ck_assert_uint_eq(plan_usage_allowance(52000), 100000);
	ck_assert_uint_eq(plan_usage_allowance(10000000000000000000ULL), 10000000000000000000ULL);
	ck_assert_uint_eq(plan_usage_allowance(UINT64_MAX), UINT64_MAX);
	ck_assert_uint_eq(plan_round_down(6078263), 6000000);
	ck_assert_uint_eq(plan_round_down(99), 99);
}
END_TEST

START_TEST(without_a_target_or_memory_there_is_no_plan)
{
	host_fail(&f, F_MEM_TOTAL, FACT_DENIED);
	ck_assert(!plan_compute(&f, &p, &opt, false, 0, &pl));
	ck_assert(plan_compute(&f, &p, &opt, true, 1000, &pl));
}
END_TEST

START_TEST(conntrack_is_sized_only_where_it_is_loaded)
{
	host_set(&f, F_NOFILE, 10000000, 10000000, 0);
	ck_assert(plan_compute(&f, &p, &opt, true, 500000, &pl));
	ck_assert_ptr_null(find("net.netfilter.nf_conntrack_max", REC_SYSCTL));
	host_set(&f, F_CONNTRACK_MAX, 65536, 0, 0);
	host_set(&f, F_CONNTRACK_COUNT, 52000, 0, 0);
	ck_assert(plan_compute(&f, &p, &opt, true, 500000, &pl));
	/* 500000 + 52000 tracked, rounded up to 100000, + 10% = 660000 */
	ck_assert_str_eq(find("net.netfilter.nf_conntrack_max", REC_SYSCTL)->recommended, "660000");
	assert_idempotent();
}
END_TEST

START_TEST(ports_widen_only_for_outbound_profiles)
{
	const struct recommendation *r;

	host_set(&f, F_NOFILE, 10000000, 10000000, 0);
	host_set(&f, F_TCP_MEM, 3000000, 4000000, 6000000);
	ck_assert(plan_compute(&f, &p, &opt, true, 50000, &pl));
	ck_assert_ptr_null(find("net.ipv4.ip_local_port_range", REC_SYSCTL));
	ck_assert_int_eq(profile_builtin("proxy", &p), 0);
	ck_assert(plan_compute(&f, &p, &opt, true, 50000, &pl));
	r = find("net.ipv4.ip_local_port_range", REC_SYSCTL);
	ck_assert_ptr_nonnull(r);
	/* 55000 ports: 65535 - 55000 + 1 = 10536 -> down to 10000 */
	ck_assert_str_eq(r->recommended, "10000 65535");
	ck_assert_int_eq(r->scope, SCOPE_NETNS);
	assert_idempotent();
	opt.upstreams = 4;
	ck_assert(plan_compute(&f, &p, &opt, true, 50000, &pl));
	ck_assert_ptr_null(find("net.ipv4.ip_local_port_range", REC_SYSCTL));
}
END_TEST

START_TEST(threads_are_planned_for_thread_per_connection)
{
	p.thread_per_connection = true;
	host_set(&f, F_THREADS_MAX, 62000, 0, 0);
	host_set(&f, F_PID_MAX, 32768, 0, 0);
	host_set(&f, F_THREADS_IN_USE, 300, 0, 0);
	host_set(&f, F_NPROC, 31000, 31000, 0);
	ck_assert(plan_compute(&f, &p, &opt, true, 100000, &pl));
	ck_assert_str_eq(find("kernel.threads-max", REC_SYSCTL)->recommended, "120000");
	ck_assert_str_eq(find("kernel.pid_max", REC_SYSCTL)->recommended, "120000");
	ck_assert_str_eq(find("soft nproc", REC_LIMITS)->recommended, "120000");
	ck_assert_ptr_nonnull(find("LimitNPROC", REC_SYSTEMD));
	assert_idempotent();
}
END_TEST

START_TEST(unreadable_tunables_are_not_recommended)
{
	host_fail(&f, F_NOFILE, FACT_DENIED);
	host_fail(&f, F_EPOLL_WATCHES, FACT_MISSING);
	host_set(&f, F_FILE_MAX, 1000, 0, 0);
	ck_assert(plan_compute(&f, &p, &opt, true, 250000, &pl));
	ck_assert_ptr_null(find("soft nofile", REC_LIMITS));
	ck_assert_ptr_null(find("fs.epoll.max_user_watches", REC_SYSCTL));
	ck_assert_ptr_nonnull(find("fs.file-max", REC_SYSCTL));
}
END_TEST

START_TEST(settings_that_would_still_win_are_named)
{
	const struct recommendation *r;

	snprintf(f.unit, sizeof(f.unit), "web.service");
	/* a drop-in read after sockcap's wins; the unit file never does */
	setting_assign(&f.persisted.unit_nofile, "4096", "usr/lib/systemd/system/web.service", 3, 0);
	ck_assert(plan_compute(&f, &p, &opt, true, 250000, &pl));
	r = find("LimitNOFILE", REC_SYSTEMD);
	ck_assert_ptr_null(strstr(r->reason, "change it there"));
	setting_assign(&f.persisted.unit_nofile, "4096", "etc/systemd/system/web.service.d/override.conf",
		       2, 0);
	/* ... so sockcap's drop-in is named to be read after it */
	ck_assert(plan_compute(&f, &p, &opt, true, 250000, &pl));
	r = find("LimitNOFILE", REC_SYSTEMD);
	ck_assert_ptr_null(strstr(r->reason, "change it there"));
	ck_assert_str_eq(pl.dropin, "zz-sockcap.conf");
	/* unless --dropin names one read before it */
	opt.dropin = "10-early.conf";
	ck_assert(plan_compute(&f, &p, &opt, true, 250000, &pl));
	r = find("LimitNOFILE", REC_SYSTEMD);
	ck_assert_ptr_nonnull(strstr(r->reason, "override.conf:2 sets 4096 and is read after"));
	opt.dropin = NULL;
	/* a sysctl.d file named after ours */
	host_set(&f, F_FILE_MAX, 1000, 0, 0);
	setting_assign(&f.persisted.sysctl[F_FILE_MAX], "1000", "etc/sysctl.d/99-local.conf", 1, 0);
	ck_assert(plan_compute(&f, &p, &opt, true, 250000, &pl));
	ck_assert_ptr_nonnull(strstr(find("fs.file-max", REC_SYSCTL)->reason, "99-local.conf:1"));
}
END_TEST

/* LimitNPROC= travels in the same drop-in: one that sets it later than
 * LimitNOFILE's is the one sockcap's must follow, and it is named. */
START_TEST(the_drop_in_follows_a_later_limitnproc_too)
{
	snprintf(f.unit, sizeof(f.unit), "web.service");
	setting_assign(&f.persisted.unit_nofile, "4096", "etc/systemd/system/web.service.d/50-a.conf",
		       2, 0);
	setting_assign(&f.persisted.unit_nproc, "512", "etc/systemd/system/web.service.d/95-b.conf",
		       3, 0);
	ck_assert(plan_compute(&f, &p, &opt, true, 250000, &pl));
	ck_assert_str_eq(pl.dropin, "99-sockcap.conf");
	ck_assert_ptr_nonnull(strstr(pl.dropin_why, "95-b.conf, which sets LimitNPROC=512"));
	/* --dropin before it: a LimitNPROC recommendation says what still wins */
	ck_assert_int_eq(profile_builtin("threads", &p), 0);
	host_set(&f, F_NPROC, 512, 512, 0);
	opt.dropin = "10-early.conf";
	ck_assert(plan_compute(&f, &p, &opt, true, 250000, &pl));
	ck_assert_ptr_nonnull(find("LimitNPROC", REC_SYSTEMD));
	ck_assert_ptr_nonnull(strstr(find("LimitNPROC", REC_SYSTEMD)->reason,
				     "95-b.conf:3 sets 512 and is read after 10-early.conf"));
	opt.dropin = NULL;
}
END_TEST

START_TEST(a_limit_at_the_kernel_ceiling_gets_no_empty_recommendation)
{
	host_set(&f, F_NOFILE, NR_OPEN_MAX, NR_OPEN_MAX, 0);
	host_set(&f, F_NR_OPEN, NR_OPEN_MAX, 0, 0);
	host_set(&f, F_MEM_AVAILABLE, 1ULL << 45, 0, 0);
	ck_assert(plan_compute(&f, &p, &opt, true, 3000000000ULL, &pl));
	for (unsigned i = 0; i < pl.nrecs; i++)
		ck_assert_str_ne(pl.recs[i].current, pl.recs[i].recommended);
	ck_assert_ptr_null(find("LimitNOFILE", REC_SYSTEMD));
	ck_assert(!pl.reachable);
	/* conntrack_max is an int, threads-max at most 0x3fffffff */
	host_set(&f, F_CONNTRACK_MAX, 262144, 0, 0);
	p.thread_per_connection = true;
	host_set(&f, F_THREADS_MAX, 62000, 0, 0);
	ck_assert(plan_compute(&f, &p, &opt, true, 3000000000ULL, &pl));
	ck_assert_uint_le(find("net.netfilter.nf_conntrack_max", REC_SYSCTL)->values[0], 2147483647ULL);
	ck_assert_uint_le(find("kernel.threads-max", REC_SYSCTL)->values[0], 0x3fffffffULL);
}
END_TEST

Suite *suite(void)
{
	Suite *s = suite_create("plan");
	TCase *t = tcase_create("plan");

	tcase_add_checked_fixture(t, setup, NULL);
	tcase_add_test(t, round_up_keeps_two_significant_digits);
	tcase_add_test(t, nofile_gets_soft_and_hard_lines_and_a_systemd_limit);
	tcase_add_test(t, processes_share_the_descriptors);
	tcase_add_test(t, hard_nofile_above_nr_open_raises_nr_open);
	tcase_add_test(t, nr_open_never_exceeds_the_kernel_ceiling);
	tcase_add_test(t, the_reserve_is_ten_percent_at_least_a_gib_at_most_a_quarter);
	tcase_add_test(t, usage_drifting_by_five_percent_changes_no_value);
	tcase_add_test(t, usage_is_rounded_up_to_a_power_of_ten);
	tcase_add_test(t, listeners_in_a_widened_range_are_reserved);
	tcase_add_test(t, the_drop_in_is_read_after_the_one_that_sets_the_limit);
	tcase_add_test(t, warnings_carry_their_fix_without_lifting_a_row);
	tcase_add_test(t, conntrack_that_tracks_nothing_is_left_alone);
	tcase_add_test(t, conntrack_buckets_and_module_files);
	tcase_add_test(t, absurd_targets_stay_inside_the_kernels_ranges);
	tcase_add_test(t, nothing_is_ever_lowered);
	tcase_add_test(t, file_max_covers_every_process);
	tcase_add_test(t, tcp_mem_keeps_three_four_six);
	tcase_add_test(t, tcp_mem_max_stays_under_two_thirds_of_ram);
	tcase_add_test(t, memory_below_the_target_is_a_hardware_recommendation);
	tcase_add_test(t, a_cgroup_limit_below_the_target_names_the_cgroup);
	tcase_add_test(t, without_a_target_the_plan_aims_at_what_memory_carries);
	tcase_add_test(t, without_a_target_or_memory_there_is_no_plan);
	tcase_add_test(t, conntrack_is_sized_only_where_it_is_loaded);
	tcase_add_test(t, ports_widen_only_for_outbound_profiles);
	tcase_add_test(t, threads_are_planned_for_thread_per_connection);
	tcase_add_test(t, unreadable_tunables_are_not_recommended);
	tcase_add_test(t, settings_that_would_still_win_are_named);
	tcase_add_test(t, the_drop_in_follows_a_later_limitnproc_too);
	tcase_add_test(t, a_limit_at_the_kernel_ceiling_gets_no_empty_recommendation);
	suite_add_tcase(s, t);
	return s;
}

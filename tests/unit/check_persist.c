/* Persistent configuration: sysctl.d, pam_limits, systemd files, and the
 * order in which they are read. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "facts.h"
#include "persist.h"
#include "sources.h"
#include "suite.h"
#include "world.h"

#define LEN(s) (s), strlen(s)

struct seen {
	char key[8][64];
	char value[8][64];
	unsigned line[8];
	int n;
};

static void collect(const char *key, const char *value, unsigned line, void *ctx)
{
	struct seen *s = ctx;

	snprintf(s->key[s->n], 64, "%s", key);
	snprintf(s->value[s->n], 64, "%s", value);
	s->line[s->n++] = line;
}

START_TEST(sysctl_text_reads_assignments)
{
	struct seen s = {0};
	const char *t = "# comment\n; also a comment\n\nfs.file-max = 100\n"
			"-net.netfilter.nf_conntrack_max=5\nnet.ipv4.tcp_mem =  1\t2   3 \n"
			"net/ipv4/ip_local_port_range = 1024 65535\nnot an assignment\n";

	persist_sysctl_text(LEN(t), collect, &s);
	ck_assert_int_eq(s.n, 4);
	ck_assert_str_eq(s.key[0], "fs.file-max");
	ck_assert_str_eq(s.value[0], "100");
	ck_assert_uint_eq(s.line[0], 4);
	ck_assert_str_eq(s.key[1], "net.netfilter.nf_conntrack_max");
	ck_assert_str_eq(s.value[2], "1 2 3");
	ck_assert_str_eq(s.key[3], "net.ipv4.ip_local_port_range");
}
END_TEST

START_TEST(sysctl_slash_form_swaps_dots_in_path_parts)
{
	struct seen s = {0};

	persist_sysctl_text(LEN("net/ipv4/conf/eth0.100/rp_filter = 1\n"), collect, &s);
	ck_assert_str_eq(s.key[0], "net.ipv4.conf.eth0/100.rp_filter");
}
END_TEST

static const struct limits_user alice = {"alice", 1000, {"alice", "developers", NULL}};
static const struct limits_user root = {"root", 0, {"root", NULL}};

static void limits(const char *text, const struct limits_user *u, struct setting *soft,
		   struct setting *hard)
{
	persist_limits_text(LEN(text), "f.conf", u, "nofile", soft, hard);
}

START_TEST(limits_user_beats_group_beats_star_whatever_the_order)
{
	struct setting soft = {0}, hard = {0};

	limits("alice soft nofile 100\n@developers soft nofile 200\n* soft nofile 300\n"
	       "* hard nofile 1000\n@developers hard nofile 2000\n", &alice, &soft, &hard);
	ck_assert_str_eq(soft.value, "100");
	ck_assert_uint_eq(soft.line, 1);
	ck_assert_str_eq(hard.value, "2000");
}
END_TEST

START_TEST(limits_later_line_wins_at_equal_specificity)
{
	struct setting soft = {0}, hard = {0};

	limits("* soft nofile 100\n* soft nofile 300 # later\n", &alice, &soft, &hard);
	ck_assert_str_eq(soft.value, "300");
	ck_assert(soft.overrode);
	ck_assert_str_eq(soft.prev_value, "100");
	ck_assert(!hard.set);
}
END_TEST

START_TEST(limits_star_never_matches_root)
{
	struct setting soft = {0}, hard = {0};

	limits("* soft nofile 100\n* - nofile 200\n", &root, &soft, &hard);
	ck_assert(!soft.set && !hard.set);
	limits("root - nofile 4096\n", &root, &soft, &hard);
	ck_assert_str_eq(soft.value, "4096");
	ck_assert_str_eq(hard.value, "4096");
}
END_TEST

START_TEST(limits_ranges_other_items_and_bad_lines)
{
	struct setting soft = {0}, hard = {0};

	limits("1000:1999 soft nofile 111\n2000: soft nofile 222\nalice soft nproc 5\n"
	       "alice soft nofile lots\nalice soft nofile\nbob soft nofile 9\n"
	       "@admins soft nofile 9\n",
	       &alice, &soft, &hard);
	ck_assert_str_eq(soft.value, "111");
	limits("alice hard nofile infinity\n", &alice, &soft, &hard);
	ck_assert_str_eq(hard.value, "unlimited");
}
END_TEST

START_TEST(unit_text_takes_the_last_key_in_its_section)
{
	struct setting s = {0};
	const char *t = "[Unit]\nLimitNOFILE=1\n[Service]\nType=simple\nLimitNOFILE=1024:4096\n"
			"LimitNOFILE = 65535\n[Install]\nLimitNOFILE=7\n";

	persist_unit_text(LEN(t), "u.service", "Service", "LimitNOFILE", &s);
	ck_assert_str_eq(s.value, "65535");
	ck_assert_uint_eq(s.line, 6);
	ck_assert(s.overrode);
}
END_TEST

START_TEST(rlimit_values_parse)
{
	uint64_t s, h;

	ck_assert(persist_parse_rlimit("1024:4096", &s, &h) && s == 1024 && h == 4096);
	ck_assert(persist_parse_rlimit("65535", &s, &h) && s == 65535 && h == 65535);
	ck_assert(persist_parse_rlimit("infinity", &s, &h) && s == UINT64_MAX && h == UINT64_MAX);
	ck_assert(!persist_parse_rlimit("lots", &s, &h));
	ck_assert(!persist_parse_rlimit("1:", &s, &h));
}
END_TEST

static struct world w;
static struct facts f;

static void read_world(void)
{
	ck_assert(world_facts(&w, &f));
}

START_TEST(sysctl_files_apply_in_name_order_and_mask_by_directory)
{
	world_host(&w);
	world_put(&w, "usr/lib/sysctl.d/10-a.conf", "fs.file-max = 1\n");
	world_put(&w, "etc/sysctl.d/10-a.conf", "fs.nr_open = 2\n"); /* masks the one above */
	world_put(&w, "run/sysctl.d/20-b.conf", "fs.nr_open = 3\n");
	world_put(&w, "etc/sysctl.conf", "fs.nr_open = 4\n");
	read_world();
	ck_assert(!f.persisted.sysctl[F_FILE_MAX].set);
	/* etc/sysctl.conf is read last when no 99-sysctl.conf links it */
	ck_assert_str_eq(f.persisted.sysctl[F_NR_OPEN].value, "4");
	ck_assert_str_eq(f.persisted.sysctl[F_NR_OPEN].prev_file, "run/sysctl.d/20-b.conf");
	ck_assert_uint_eq(f.persisted.files, 3);
}
END_TEST

START_TEST(limits_files_follow_pam_order_for_the_process_user)
{
	world_host(&w);
	world_put(&w, "proc/self/status", "Name:\tx\nUid:\t1000\t1000\t1000\t1000\nThreads:\t1\n");
	world_put(&w, "etc/passwd", "root:x:0:0::/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n");
	world_put(&w, "etc/group", "alice:x:1000:\ndevs:x:1001:bob,alice\n");
	world_put(&w, "etc/security/limits.conf", "* soft nofile 100\n");
	world_put(&w, "etc/security/limits.d/50-devs.conf", "@devs soft nofile 200\n");
	world_put(&w, "etc/security/limits.d/10-star.conf", "* soft nofile 300\n");
	read_world();
	ck_assert_str_eq(f.persisted.user, "alice");
	ck_assert_str_eq(f.persisted.soft[0].value, "200");
	ck_assert_str_eq(f.persisted.soft[0].file, "etc/security/limits.d/50-devs.conf");
}
END_TEST

START_TEST(a_service_reads_its_unit_and_drop_ins)
{
	world_host(&w);
	world_put(&w, "proc/self/cgroup", "0::/system.slice/web.service\n");
	world_put(&w, "lib/systemd/system/web.service", "[Service]\nLimitNOFILE=100\n");
	world_put(&w, "etc/systemd/system/web.service.d/b.conf", "[Service]\nLimitNOFILE=300\n");
	world_put(&w, "run/systemd/system/web.service.d/a.conf", "[Service]\nLimitNOFILE=200\n");
	world_put(&w, "etc/systemd/system.conf", "[Manager]\n#DefaultLimitNOFILE=1\n");
	world_put(&w, "etc/systemd/system.conf.d/x.conf", "[Manager]\nDefaultLimitNOFILE=8:9\n");
	read_world();
	ck_assert_str_eq(f.unit, "web.service");
	ck_assert_str_eq(f.persisted.unit_nofile.value, "300");
	ck_assert_str_eq(f.persisted.unit_nofile.prev_file, "run/systemd/system/web.service.d/a.conf");
	ck_assert_str_eq(f.persisted.default_nofile.value, "8:9");
}
END_TEST

/* A configuration tree on disk, read through the root source. */
static char tree[64];

static void tree_file(const char *rel, const char *text)
{
	char path[256];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", tree, rel);
	fp = fopen(path, "w");
	ck_assert_ptr_nonnull(fp);
	ck_assert_int_ge(fputs(text, fp), 0);
	ck_assert_int_eq(fclose(fp), 0);
}

static void tree_dirs(const char *dirs)
{
	char cmd[256];

	snprintf(tree, sizeof(tree), "/tmp/sockcap-persist.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tree));
	snprintf(cmd, sizeof(cmd), "cd '%s' && mkdir -p %s", tree, dirs);
	ck_assert_int_eq(system(cmd), 0);
}

static void tree_remove(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tree);
	ck_assert_int_eq(system(cmd), 0);
}

/* 10,000 names in etc/sysctl.d (the odd ones) and usr/lib/sysctl.d (all):
 * every name is read once, in name order, the etc one where both have it,
 * whatever order the directories list them in. */
START_TEST(ten_thousand_sysctl_files_all_read_in_order_etc_masking_usr_lib)
{
	struct source src;
	char rel[64], text[64];

	tree_dirs("etc/sysctl.d usr/lib/sysctl.d");
	for (int i = 0; i < 10000; i++) {
		snprintf(rel, sizeof(rel), "usr/lib/sysctl.d/%05d-tune.conf", i);
		snprintf(text, sizeof(text), "net.core.somaxconn = %d\n", 100000 + i);
		tree_file(rel, text);
		if (i % 2 == 0)
			continue;
		snprintf(rel, sizeof(rel), "etc/sysctl.d/%05d-tune.conf", i);
		snprintf(text, sizeof(text), "net.core.somaxconn = %d\n", i);
		tree_file(rel, text);
	}
	/* Masked: never read. */
	tree_file("usr/lib/sysctl.d/09999-tune.conf", "fs.file-max = 1\n");
	/* Not a .conf file: not read. */
	tree_file("etc/sysctl.d/99999-tune.conf.dpkg-old", "fs.nr_open = 1\n");
	src = source_root(tree);
	memset(&f, 0, sizeof(f));
	sources_read(&src, &f);
	ck_assert_uint_eq(f.persisted.files, 10000);
	ck_assert_str_eq(f.persisted.sysctl[F_SOMAXCONN].value, "9999");
	ck_assert_str_eq(f.persisted.sysctl[F_SOMAXCONN].file, "etc/sysctl.d/09999-tune.conf");
	ck_assert_str_eq(f.persisted.sysctl[F_SOMAXCONN].prev_value, "109998");
	ck_assert_str_eq(f.persisted.sysctl[F_SOMAXCONN].prev_file, "usr/lib/sysctl.d/09998-tune.conf");
	ck_assert(!f.persisted.sysctl[F_FILE_MAX].set);
	ck_assert(!f.persisted.sysctl[F_NR_OPEN].set);
	ck_assert_uint_eq(f.notes.n, 0);
	tree_remove();
}
END_TEST

/* limits.d and a unit's drop-ins come from the same lister: 10,000 of each. */
START_TEST(ten_thousand_limits_and_drop_in_files_all_read)
{
	struct source src;
	char rel[96], text[96];

	tree_dirs("etc/security/limits.d etc/systemd/system/web.service.d "
		  "lib/systemd/system/web.service.d");
	for (int i = 0; i < 10000; i++) {
		snprintf(rel, sizeof(rel), "etc/security/limits.d/%05d.conf", 9999 - i);
		snprintf(text, sizeof(text), "root soft nofile %d\n", 9999 - i);
		tree_file(rel, text);
		snprintf(rel, sizeof(rel), "%s/systemd/system/web.service.d/%05d.conf",
			 i % 2 ? "etc" : "lib", i);
		snprintf(text, sizeof(text), "[Service]\nLimitNOFILE=%d\n", i);
		tree_file(rel, text);
	}
	tree_file("lib/systemd/system/web.service.d/00001.conf", "[Service]\nLimitNOFILE=1:1\n");
	src = source_root(tree);
	memset(&f, 0, sizeof(f));
	snprintf(f.unit, sizeof(f.unit), "web.service");
	sources_read(&src, &f);
	ck_assert_uint_eq(f.persisted.files, 20000);
	ck_assert_str_eq(f.persisted.soft[0].value, "9999");
	ck_assert_str_eq(f.persisted.soft[0].file, "etc/security/limits.d/09999.conf");
	ck_assert_str_eq(f.persisted.unit_nofile.value, "9999");
	ck_assert_str_eq(f.persisted.unit_nofile.prev_file,
			 "lib/systemd/system/web.service.d/09998.conf");
	tree_remove();
}
END_TEST

/* A file that is listed but cannot be read is a note: what it sets is
 * unknown, and the answer partial. */
START_TEST(an_unreadable_configuration_file_is_a_note)
{
	world_host(&w);
	world_put(&w, "etc/sysctl.d/10-a.conf", "fs.nr_open = 2\n");
	world_fail(&w, "etc/sysctl.d/20-b.conf", FACT_DENIED);
	read_world();
	ck_assert_str_eq(f.persisted.sysctl[F_NR_OPEN].value, "2");
	ck_assert_uint_eq(f.notes.n, 1);
	ck_assert_str_eq(f.notes.text[0],
			 "etc/sysctl.d/20-b.conf: permission denied, what it sets is unknown");
}
END_TEST

Suite *suite(void)
{
	Suite *s = suite_create("persist");
	TCase *t = tcase_create("persist");

	tcase_add_test(t, sysctl_text_reads_assignments);
	tcase_add_test(t, sysctl_slash_form_swaps_dots_in_path_parts);
	tcase_add_test(t, limits_user_beats_group_beats_star_whatever_the_order);
	tcase_add_test(t, limits_later_line_wins_at_equal_specificity);
	tcase_add_test(t, limits_star_never_matches_root);
	tcase_add_test(t, limits_ranges_other_items_and_bad_lines);
	tcase_add_test(t, unit_text_takes_the_last_key_in_its_section);
	tcase_add_test(t, rlimit_values_parse);
	tcase_add_test(t, sysctl_files_apply_in_name_order_and_mask_by_directory);
	tcase_add_test(t, limits_files_follow_pam_order_for_the_process_user);
	tcase_add_test(t, a_service_reads_its_unit_and_drop_ins);
	tcase_add_test(t, an_unreadable_configuration_file_is_a_note);
	suite_add_tcase(s, t);
	t = tcase_create("scale");
	/* 20,000 files are written first; valgrind and sanitizers run slower. */
	tcase_set_timeout(t, 120);
	tcase_add_test(t, ten_thousand_sysctl_files_all_read_in_order_etc_masking_usr_lib);
	tcase_add_test(t, ten_thousand_limits_and_drop_in_files_all_read);
	suite_add_tcase(s, t);
	return s;
}

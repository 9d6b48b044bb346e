/* The tables that drive reading, output and docs stay sound: sorted,
 * without duplicates, and consistent with themselves. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "facts.h"
#include "model.h"
#include "objsize_table.h"
#include "embedded.h"
#include "suite.h"

START_TEST(fact_table_is_sorted_and_free_of_duplicates)
{
	for (int i = 1; i < FACT_COUNT; i++)
		ck_assert_msg(strcmp(fact_defs[i - 1].name, fact_defs[i].name) < 0,
			      "'%s' must come after '%s'", fact_defs[i - 1].name, fact_defs[i].name);
}
END_TEST

START_TEST(sysctl_paths_follow_their_keys)
{
	for (int i = 0; i < FACT_COUNT; i++) {
		const struct fact_def *d = &fact_defs[i];
		char want[128];

		if ((d->read != READ_SYSCTL && d->read != READ_TEXT) ||
		    strncmp(d->path, "proc/sys/", 9) != 0)
			continue;
		snprintf(want, sizeof(want), "proc/sys/%s", d->name);
		for (char *c = want + 9; *c; c++)
			if (*c == '.')
				*c = '/';
		ck_assert_str_eq(d->path, want);
	}
}
END_TEST

START_TEST(every_tunable_has_a_scope_and_values)
{
	for (int i = 0; i < FACT_COUNT; i++) {
		const struct fact_def *d = &fact_defs[i];

		ck_assert_uint_le(d->nvalues, 3);
		if (d->lifts != ROW_NONE)
			ck_assert_msg(d->scope != SCOPE_NONE, "'%s' lifts a row but has no scope", d->name);
	}
}
END_TEST

/* The planner clamps to these: every sysctl it can recommend carries the
 * kernel's range, not the whole of uint64. */
START_TEST(every_tunable_has_the_kernels_range)
{
	for (int i = 0; i < FACT_COUNT; i++) {
		const struct fact_def *d = &fact_defs[i];

		ck_assert_uint_le(d->min, d->max);
		if (d->scope != SCOPE_NONE && d->read == READ_SYSCTL)
			ck_assert_msg(d->max < UINT64_MAX, "'%s' has no kernel maximum", d->name);
	}
	ck_assert_uint_eq(fact_defs[F_FILE_MAX].max, 9223372036854775807ULL);
	ck_assert_uint_eq(fact_defs[F_CONNTRACK_MAX].max, 2147483647ULL);
	ck_assert_uint_eq(fact_defs[F_NR_OPEN].max, 2147483584ULL);
}
END_TEST

/* app is lifted by the server's own directive (a REC_APP recommendation),
 * not by a fact of the table. */
START_TEST(every_row_can_be_lifted_or_is_memory)
{
	for (int r = 0; r < ROW_COUNT; r++) {
		bool lifted = false;

		for (int i = 0; i < FACT_COUNT; i++)
			lifted = lifted || fact_defs[i].lifts == (enum row_id)r;
		ck_assert_msg(lifted || r == ROW_NOFILE_HARD || r == ROW_APP, "nothing lifts row '%s'",
			      row_name((enum row_id)r));
	}
}
END_TEST

START_TEST(option_table_is_free_of_duplicates)
{
	for (unsigned i = 0; i < option_count; i++)
		for (unsigned j = i + 1; j < option_count; j++) {
			ck_assert_str_ne(option_defs[i].long_name, option_defs[j].long_name);
			ck_assert(option_defs[i].short_name == 0 ||
				  option_defs[i].short_name != option_defs[j].short_name);
		}
}
END_TEST

START_TEST(object_size_table_covers_the_core_caches_per_series)
{
	static const char *const core[] = {"TCP", "sock_inode_cache", "filp", "dentry",
					  "eventpoll_epi"};
	const char *p = embedded_objsizes_tsv;
	int series = 0;

	while (*p) {
		char s[16];
		const char *end = strchr(p, '\n');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		if (n > 0 && p[0] != '#' && sscanf(p, "%15[0-9.]", s) == 1) {
			struct slab_entry e;

			for (size_t i = 0; i < 5; i++)
				ck_assert_msg(objsize_table_find(embedded_objsizes_tsv, s, core[i], &e) ==
						      PARSE_OK,
					      "series %s lacks %s", s, core[i]);
			series++;
		}
		p += n + (end ? 1 : 0);
	}
	ck_assert_int_gt(series, 0);
}
END_TEST

/* The compiled table answers exactly as the text it was made from, for
 * every series and cache in the text and for kernels around them. */
START_TEST(compiled_object_sizes_answer_as_the_text_does)
{
	static const unsigned kernels[][2] = {{3, 10}, {4, 18}, {5, 4}, {5, 10}, {5, 15}, {6, 1},
					      {6, 6}, {6, 12}, {6, 18}, {7, 0}, {999, 999}};
	const char *p = embedded_objsizes_tsv;
	size_t rows = 0;

	ck_assert_uint_gt(objsize_nrows, 0);
	for (size_t k = 0; k < sizeof(kernels) / sizeof(kernels[0]); k++) {
		char a[16], b[16];

		ck_assert(objsize_table_series(embedded_objsizes_tsv, kernels[k][0], kernels[k][1], a,
					       sizeof(a)));
		ck_assert(objsize_builtin_series(kernels[k][0], kernels[k][1], b, sizeof(b)));
		ck_assert_str_eq(a, b);
	}
	while (*p) {
		char s[16], cache[64];
		const char *end = strchr(p, '\n');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		if (n > 0 && p[0] != '#' && sscanf(p, "%15[0-9.]\t%63[^\t\n]", s, cache) == 2) {
			struct slab_entry t, c;

			ck_assert_int_eq(objsize_table_find(embedded_objsizes_tsv, s, cache, &t), PARSE_OK);
			ck_assert_int_eq(objsize_builtin_find(s, cache, &c), PARSE_OK);
			ck_assert(memcmp(&t, &c, sizeof(t)) == 0);
			ck_assert_int_eq(objsize_builtin_find(s, "no_such_cache", &c), PARSE_ABSENT);
			rows++;
		}
		p += n + (end ? 1 : 0);
	}
	ck_assert_uint_ge(objsize_nrows, 1);
	ck_assert_uint_le(objsize_nrows, rows);
}
END_TEST

/* The table's "#   SERIES<TAB>CACHE<TAB>WORD: why" comment: WORD is ABSENT for
 * a cache the series' kernels do not have, UNMEASURED for one whose size in
 * that series nobody measured yet. */
static bool table_says(const char *tsv, const char *series, const char *cache, const char *word)
{
	char want[64];
	const char *p = tsv;

	snprintf(want, sizeof(want), "%s\t%s\t%s:", series, cache, word);
	while ((p = strstr(p, want)) != NULL) {
		const char *q = p;

		while (q > tsv && (q[-1] == ' ' || q[-1] == '\t'))
			q--;
		if (q > tsv && q[-1] == '#' && (q - 1 == tsv || q[-2] == '\n'))
			return true;
		p++;
	}
	return false;
}

static bool table_says_absent(const char *tsv, const char *series, const char *cache)
{
	return table_says(tsv, series, cache, "ABSENT") || table_says(tsv, series, cache, "UNMEASURED");
}

START_TEST(object_size_table_is_complete_per_series)
{
	const char *p = embedded_objsizes_tsv;
	char last[16] = "";
	int series = 0;

	while (*p) {
		char s[16];
		const char *end = strchr(p, '\n');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		if (n > 0 && p[0] != '#' && sscanf(p, "%15[0-9.]", s) == 1 && strcmp(s, last) != 0) {
			for (int c = 0; c < CACHE_COUNT; c++) {
				const char *name = slab_cache_name((enum slab_cache)c);
				struct slab_entry e;

				ck_assert_msg(objsize_table_find(embedded_objsizes_tsv, s, name, &e) ==
							      PARSE_OK ||
						      table_says_absent(embedded_objsizes_tsv, s, name),
					      "series %s has neither a row for %s nor says it is ABSENT or UNMEASURED", s,
					      name);
				ck_assert_msg(!(objsize_table_find(embedded_objsizes_tsv, s, name, &e) ==
							PARSE_OK &&
						table_says_absent(embedded_objsizes_tsv, s, name)),
					      "series %s has a row for %s and says it is ABSENT", s, name);
			}
			snprintf(last, sizeof(last), "%s", s);
			series++;
		}
		p += n + (end ? 1 : 0);
	}
	ck_assert_int_ge(series, 5);
}
END_TEST

START_TEST(object_size_table_absence_is_read_from_comment_lines_only)
{
	const char *tsv = "# head\n#   6.1\tep_head\tABSENT: why\n6.1\tTCP\t1\t1\t1\tx src 5.10\tfilp\tABSENT: x\n"
			  "#   5.10\tnf_conntrack\tUNMEASURED: why\n";

	ck_assert(table_says_absent(tsv, "6.1", "ep_head"));
	ck_assert(table_says_absent(tsv, "5.10", "nf_conntrack"));
	ck_assert(!table_says(tsv, "5.10", "nf_conntrack", "ABSENT"));
	ck_assert(!table_says_absent(tsv, "6.1", "TCP"));
	ck_assert(!table_says_absent(tsv, "5.10", "filp"));
	ck_assert(!table_says_absent(tsv, "6.12", "ep_head"));
}
END_TEST

START_TEST(object_size_series_choice)
{
	const char *tsv = "# c\n5.10\tTCP\t1\t1\t1\tx\n6.1\tTCP\t2\t1\t1\tx\n6.12\tTCP\t3\t1\t1\tx\n";
	char s[16];

	ck_assert(objsize_table_series(tsv, 6, 6, s, sizeof(s)));
	ck_assert_str_eq(s, "6.1");
	ck_assert(objsize_table_series(tsv, 6, 12, s, sizeof(s)));
	ck_assert_str_eq(s, "6.12");
	ck_assert(objsize_table_series(tsv, 7, 0, s, sizeof(s)));
	ck_assert_str_eq(s, "6.12");
	/* older than every series: the oldest */
	ck_assert(objsize_table_series(tsv, 4, 18, s, sizeof(s)));
	ck_assert_str_eq(s, "5.10");
	ck_assert(!objsize_table_series("# nothing\n", 6, 1, s, sizeof(s)));
}
END_TEST

Suite *suite(void)
{
	Suite *s = suite_create("tables");
	TCase *t = tcase_create("tables");

	tcase_add_test(t, fact_table_is_sorted_and_free_of_duplicates);
	tcase_add_test(t, sysctl_paths_follow_their_keys);
	tcase_add_test(t, every_tunable_has_a_scope_and_values);
	tcase_add_test(t, every_tunable_has_the_kernels_range);
	tcase_add_test(t, every_row_can_be_lifted_or_is_memory);
	tcase_add_test(t, option_table_is_free_of_duplicates);
	tcase_add_test(t, object_size_table_covers_the_core_caches_per_series);
	tcase_add_test(t, object_size_table_is_complete_per_series);
	tcase_add_test(t, object_size_table_absence_is_read_from_comment_lines_only);
	tcase_add_test(t, object_size_series_choice);
	tcase_add_test(t, compiled_object_sizes_answer_as_the_text_does);
	suite_add_tcase(s, t);
	return s;
}

/* The monitoring outputs: threshold ranges (range.c), the check's
 * decision and status line (plugin.c), and the Prometheus writer's label
 * escaping and absent figures (out_prom.c). The real consumers run in
 * tests/monitor/. */
#include <stdlib.h>
#include <string.h>

#include "host.h"
#include "model.h"
#include "out_prom.h"
#include "plugin.h"
#include "profile.h"
#include "range.h"
#include "suite.h"

static struct range r;
static char err[128];

static int parse(const char *s)
{
	err[0] = '\0';
	return range_parse(s, &r, err, sizeof(err));
}

/* The guidelines' table: what each form alerts on. */
START_TEST(ranges_alert_as_the_guidelines_say)
{
	ck_assert_int_eq(parse("10"), 0); /* outside 0..10 */
	ck_assert(!range_alerts(&r, 0, 1000));
	ck_assert(!range_alerts(&r, 10, 1000));
	ck_assert(range_alerts(&r, 11, 1000));
	ck_assert_int_eq(parse("10:"), 0); /* below 10 */
	ck_assert(range_alerts(&r, 9, 1000));
	ck_assert(!range_alerts(&r, 10, 1000));
	ck_assert(!range_alerts(&r, UINT64_MAX, 1000));
	ck_assert_int_eq(parse("~:10"), 0); /* above 10 */
	ck_assert(!range_alerts(&r, 0, 1000));
	ck_assert(range_alerts(&r, 11, 1000));
	ck_assert_int_eq(parse("10:20"), 0);
	ck_assert(range_alerts(&r, 9, 1000));
	ck_assert(!range_alerts(&r, 15, 1000));
	ck_assert(range_alerts(&r, 21, 1000));
	ck_assert_int_eq(parse("@10:20"), 0); /* inside, inclusive */
	ck_assert(!range_alerts(&r, 9, 1000));
	ck_assert(range_alerts(&r, 10, 1000));
	ck_assert(range_alerts(&r, 20, 1000));
	ck_assert(!range_alerts(&r, 21, 1000));
}
END_TEST

START_TEST(percentages_are_exact_fractions_of_the_capacity)
{
	ck_assert_int_eq(parse("80%"), 0);
	/* 80% of 992 is 793.6: 793 is inside, 794 outside. */
	ck_assert(!range_alerts(&r, 793, 992));
	ck_assert(range_alerts(&r, 794, 992));
	/* Of the largest capacity, without overflow. */
	ck_assert(!range_alerts(&r, UINT64_MAX / 5 * 4, UINT64_MAX));
	ck_assert(range_alerts(&r, UINT64_MAX, UINT64_MAX));
	ck_assert_int_eq(parse("0.000001%"), 0);
	ck_assert(!range_alerts(&r, 0, 100));
	ck_assert(range_alerts(&r, 1, 100)); /* 10^-6 % of 100 is 10^-6 */
	ck_assert(!range_alerts(&r, 1, 100000000));
	ck_assert(range_alerts(&r, 2, 100000000));
}
END_TEST

START_TEST(bad_ranges_are_refused)
{
	static const char *const bad[] = {"", "@", "~", "abc", "1:2:3", "10:5", "@3:2", "1e3",
					  "--5", "1.1234567", "10%%", "%", ".", "10000000000001",
					  "1000000001%", " 10", "10 "};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(parse(bad[i]) == -1, "'%s' was accepted", bad[i]);
	ck_assert_int_eq(parse("10:5"), -1);
	ck_assert_str_eq(err, "has its start above its end");
	/* Mixed kinds compare once the capacity is known. */
	ck_assert_int_eq(parse("50%:100"), 0);
	ck_assert(range_valid_for(&r, 200));
	ck_assert(!range_valid_for(&r, 201));
}
END_TEST

START_TEST(formatted_ranges_are_exact_and_in_the_same_syntax)
{
	static const struct {
		const char *in;
		uint64_t capacity;
		const char *out;
	} cases[] = {
		{"80%", 992, "793.6"},          {"90%", 992, "892.8"},
		{"10", 5, "10"},                {"10:", 5, "10:"},
		{"~:10", 5, "~:10"},            {"@10:20", 5, "@10:20"},
		{"-5:-1.5", 5, "-5:-1.5"},      {"0.000001%", 1, "0.00000001"},
		{"12.5%:87.5%", 8, "1:7"},      {"~:", 5, "~:"},
		{"0:", 5, "0:"},                {"100%", UINT64_MAX, "18446744073709551615"},
	};
	char buf[RANGE_TEXT_MAX];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_int_eq(parse(cases[i].in), 0);
		range_format(&r, cases[i].capacity, buf, sizeof(buf));
		ck_assert_str_eq(buf, cases[i].out);
	}
}
END_TEST

static struct facts f;
static struct profile p;
static struct model_options opt = {.processes = 1, .upstreams = 1};
static struct capacity cap;

/* A host audited into text by a writer: its output in a static buffer. */
static char *capture(void (*write)(FILE *))
{
	static char *buf;
	size_t len;
	FILE *m;

	free(buf);
	buf = NULL;
	m = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(m);
	write(m);
	fclose(m);
	return buf;
}

static struct plugin_options popt;

static bool starts(const char *line, const char *prefix)
{
	return strncmp(line, prefix, strlen(prefix)) == 0;
}

static void check_line(FILE *out)
{
	struct report_input in = {"/", &f, &p, &opt, &cap, NULL};

	plugin_report(&in, &popt, out);
}

static void setup_host(void)
{
	host_facts(&f);
	host_set(&f, F_SOCK_TCP_INUSE, 900, 0, 0);
	host_set(&f, F_SOCK_TCP6_INUSE, 12, 0, 0);
	ck_assert_int_eq(profile_builtin("idle", &p), 0);
	model_compute(&f, &p, &opt, &cap);
	memset(&popt, 0, sizeof(popt));
	range_parse("80%", &popt.warning, err, sizeof(err));
	range_parse("90%", &popt.critical, err, sizeof(err));
	popt.warning_text = "80%";
	popt.critical_text = "90%";
}

START_TEST(the_check_counts_host_sockets_against_the_capacity)
{
	char *line;

	setup_host();
	ck_assert_uint_eq(cap.connections, 992); /* nofile 1024 - 32 reserved */
	line = capture(check_line);
	ck_assert_msg(starts(line, "SOCKCAP CRITICAL - 912 of 992 connections in use (91%), bound by nofile | "
				    "'usage'=912;793.6;892.8;0;992 'capacity'=992;;;0; 'nofile'=992;;;0;"),
		      "%s", line);
	host_set(&f, F_SOCK_TCP_INUSE, 800, 0, 0);
	line = capture(check_line);
	ck_assert_msg(starts(line, "SOCKCAP WARNING - 812 of 992"), "%s", line);
	host_set(&f, F_SOCK_TCP_INUSE, 10, 0, 0);
	popt.has_target = true;
	popt.target = 993;
	line = capture(check_line);
	ck_assert_msg(starts(line, "SOCKCAP CRITICAL - capacity 992 below the target 993, 22 of 992"),
		      "%s", line);
	ck_assert_ptr_nonnull(strstr(line, "'capacity'=992;;993:;0;"));
	popt.target = 992;
	line = capture(check_line);
	ck_assert_msg(starts(line, "SOCKCAP OK - 22 of 992"), "%s", line);
}
END_TEST

START_TEST(the_check_is_unknown_without_usage_or_with_a_partial_answer)
{
	char *line;

	setup_host();
	host_fail(&f, F_SOCK_TCP_INUSE, FACT_DENIED);
	line = capture(check_line);
	ck_assert_msg(starts(line, "SOCKCAP UNKNOWN - connections in use unknown (proc/net/sockstat denied) | "
				    "'usage'=U;"),
		      "%s", line);
	setup_host();
	host_fail(&f, F_MEM_AVAILABLE, FACT_INVALID);
	model_compute(&f, &p, &opt, &cap);
	ck_assert(cap.partial);
	line = capture(check_line);
	ck_assert_msg(starts(line, "SOCKCAP UNKNOWN - partial answer: limit memory is unknown (proc/meminfo invalid)"),
		      "%s", line);
	ck_assert_ptr_nonnull(strstr(line, " 'memory'=U;;;0;"));
}
END_TEST

static void label(FILE *out)
{
	prom_label_value("a\"b\\c\nd Zo\xc3\xab \xff\xc3 \xed\xa0\x80 \xf0\x9f\x98\x80", out);
}

START_TEST(label_values_are_escaped_and_stay_utf8)
{
	/* Quote, backslash and newline escaped; a stray byte, a cut sequence
	 * and a surrogate each become '?'; real letters stay. */
	ck_assert_str_eq(capture(label), "a\\\"b\\\\c\\nd Zo\xc3\xab ?? ??? \xf0\x9f\x98\x80");
}
END_TEST

static void metrics(FILE *out)
{
	struct report_input in = {"/", &f, &p, &opt, &cap, NULL};

	prom_audit(&in, false, 1795982408582ULL, out);
}

START_TEST(metrics_leave_out_what_is_not_known)
{
	char *text;

	setup_host();
	text = capture(metrics);
	ck_assert_ptr_nonnull(strstr(text, "\nsockcap_capacity_connections 992\n"));
	ck_assert_ptr_nonnull(strstr(text, "\nsockcap_limit_connections{limit=\"tcp_mem\"} +Inf\n"));
	ck_assert_ptr_nonnull(strstr(text, "\nsockcap_usage_connections{scope=\"host\"} 912\n"));
	ck_assert_ptr_nonnull(strstr(text, "\nsockcap_run_timestamp_seconds 1795982408.582\n"));
	ck_assert_ptr_null(strstr(text, "\nsockcap_pending_changes "));    /* no plan */
	ck_assert_ptr_null(strstr(text, "\nsockcap_target_connections ")); /* no target */
	ck_assert_ptr_null(strstr(text, "sockcap_limit_connections{limit=\"ports\"}")); /* n/a */
	ck_assert_ptr_nonnull(strstr(text, "sockcap_limit_status{limit=\"ports\",status=\"n/a\"} 1\n"));
	/* Nothing readable: no capacity sample, no binding, no usage. */
	for (int i = 0; i < FACT_COUNT; i++)
		host_fail(&f, (enum fact_id)i, FACT_DENIED);
	model_compute(&f, &p, &opt, &cap);
	text = capture(metrics);
	ck_assert_ptr_null(strstr(text, "\nsockcap_capacity_connections "));
	ck_assert_ptr_null(strstr(text, "\nsockcap_binding_limit_info{"));
	ck_assert_ptr_null(strstr(text, "\nsockcap_usage_connections{"));
	ck_assert_ptr_nonnull(strstr(text, "\nsockcap_capacity_partial 1\n"));
	ck_assert_ptr_nonnull(strstr(text, "# TYPE sockcap_capacity_connections gauge\n"));
}
END_TEST

Suite *suite(void)
{
	Suite *s = suite_create("monitor");
	TCase *t = tcase_create("monitor");

	tcase_add_test(t, ranges_alert_as_the_guidelines_say);
	tcase_add_test(t, percentages_are_exact_fractions_of_the_capacity);
	tcase_add_test(t, bad_ranges_are_refused);
	tcase_add_test(t, formatted_ranges_are_exact_and_in_the_same_syntax);
	tcase_add_test(t, the_check_counts_host_sockets_against_the_capacity);
	tcase_add_test(t, the_check_is_unknown_without_usage_or_with_a_partial_answer);
	tcase_add_test(t, label_values_are_escaped_and_stay_utf8);
	tcase_add_test(t, metrics_leave_out_what_is_not_known);
	suite_add_tcase(s, t);
	return s;
}

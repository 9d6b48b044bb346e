/* Calibration files: what `calibrate --save` writes, read back strictly;
 * and the model's use of a calibration. */
#include <string.h>

#include "calibrate.h"
#include "host.h"
#include "model.h"
#include "suite.h"

static struct calibration cal;
static char err[256];

static int parse(const char *json)
{
	err[0] = '\0';
	return calibration_parse(json, strlen(json), "cal.json", &cal, err, sizeof(err));
}

static const char good[] =
	"{\"kind\": \"sockcap-calibration\", \"schema_version\": 1, \"sockets\": 8000,"
	" \"kernel_bytes_per_socket\": 4071, \"memcg_bytes_per_accepted_socket\": null,"
	" \"memcg_bytes_per_opened_socket\": null, \"buffer_overhead\": 1.234,"
	" \"kernel_release\": \"6.18.44\", \"elapsed_ms\": 300, \"notes\": []}";

START_TEST(a_saved_calibration_reads_back)
{
	ck_assert_int_eq(parse(good), 0);
	ck_assert_uint_eq(cal.sockets, 8000);
	ck_assert_uint_eq(cal.kernel_bytes_per_socket, 4071);
	ck_assert(!cal.memcg_in && !cal.memcg_out);
	ck_assert(!cal.app);
	ck_assert_uint_eq(cal.buffer_overhead_milli, 1234);
	ck_assert_str_eq(cal.kernel_release, "6.18.44");
}
END_TEST

START_TEST(memcg_figures_read_back_when_present)
{
	ck_assert_int_eq(parse("{\"kind\": \"sockcap-calibration\", \"sockets\": 10,"
			       " \"kernel_bytes_per_socket\": 4000,"
			       " \"memcg_bytes_per_accepted_socket\": 1500,"
			       " \"memcg_bytes_per_opened_socket\": 3900, \"buffer_overhead\": 1,"
			       " \"kernel_release\": \"x\", \"elapsed_ms\": 1}"),
			 0);
	ck_assert(cal.memcg_in && cal.memcg_out);
	ck_assert_uint_eq(cal.memcg_bytes_per_accepted_socket, 1500);
	ck_assert_uint_eq(cal.memcg_bytes_per_opened_socket, 3900);
}
END_TEST

START_TEST(bad_files_name_the_field)
{
	ck_assert_int_eq(parse("[]"), -1);
	ck_assert_str_eq(err, "cal.json: not a JSON object");
	ck_assert_int_eq(parse("{\"kind\": \"other\"}"), -1);
	ck_assert_str_eq(err, "cal.json: 'kind' is not \"sockcap-calibration\"");
	ck_assert_int_eq(parse("{\"kind\": \"sockcap-calibration\", \"sockets\": -1}"), -1);
	ck_assert_str_eq(err, "cal.json: 'sockets' must be a whole number");
	ck_assert_int_eq(parse("{\"kind\": \"sockcap-calibration\", \"sockets\": 1.5}"), -1);
	ck_assert_int_eq(parse("{\"kind\": \"sockcap-calibration\", \"sockets\": 10, "
			       "\"kernel_bytes_per_socket\": 0, \"memcg_bytes_per_accepted_socket\": null,"
			       "\"memcg_bytes_per_opened_socket\": null, \"elapsed_ms\": 1,"
			       "\"buffer_overhead\": 1, \"kernel_release\": \"x\"}"),
			 -1);
	ck_assert_ptr_nonnull(strstr(err, "plausible"));
	ck_assert_int_eq(parse("{\"kind\": \"sockcap-calibration\", \"sockets\": 10, "
			       "\"kernel_bytes_per_socket\": 4000, \"memcg_bytes_per_accepted_socket\": null,"
			       "\"memcg_bytes_per_opened_socket\": null, \"elapsed_ms\": 1,"
			       "\"buffer_overhead\": \"lots\", \"kernel_release\": \"x\"}"),
			 -1);
	ck_assert_ptr_nonnull(strstr(err, "'buffer_overhead'"));
	ck_assert_int_eq(parse("{\"kind\": \"sockcap-calibration\""), -1);
}
END_TEST

START_TEST(the_model_uses_a_calibration)
{
	static struct facts f;
	struct profile p;
	struct capacity c;
	struct model_options opt = {.processes = 1, .upstreams = 1};

	host_facts(&f);
	ck_assert_int_eq(profile_builtin("http", &p), 0);
	ck_assert_int_eq(parse(good), 0);
	opt.calibration = &cal;
	model_compute(&f, &p, &opt, &c);
	ck_assert_uint_eq(c.pc.kernel_bytes_per_socket, 4071);
	ck_assert_int_eq(c.pc.object_sizes_from, SIZE_CALIBRATION);
	/* buffers at the measured overhead: 8 KiB × 1.234 and 16 KiB × 1.234 */
	ck_assert_uint_eq(c.pc.buffer_bytes, (8192 * 1234 + 999) / 1000 + (16384 * 1234 + 999) / 1000);
}
END_TEST

START_TEST(a_server_calibration_carries_app_bytes)
{
	static struct facts f;
	struct profile p;
	struct capacity c;
	struct model_options opt = {.processes = 1, .upstreams = 1};

	ck_assert_int_eq(parse("{\"kind\": \"sockcap-calibration\", \"schema_version\": 2,"
			       " \"sockets\": 2000, \"kernel_bytes_per_socket\": 4100,"
			       " \"memcg_bytes_per_accepted_socket\": 1700,"
			       " \"memcg_bytes_per_opened_socket\": null,"
			       " \"app_bytes_per_connection\": 9800, \"buffer_overhead\": 0,"
			       " \"trusted\": true, \"kernel_release\": \"6.18\", \"elapsed_ms\": 1}"),
			 0);
	ck_assert(cal.app && cal.memcg_in && !cal.memcg_out);
	host_facts(&f);
	ck_assert_int_eq(profile_builtin("idle", &p), 0);
	opt.calibration = &cal;
	model_compute(&f, &p, &opt, &c);
	ck_assert_uint_eq(c.pc.app_bytes, 9800);
	ck_assert_int_eq(c.pc.app_bytes_from, APP_BYTES_CALIBRATION);
	ck_assert_uint_eq(c.pc.memcg_bytes_per_inbound_socket, 1700);
	/* --app-bytes still wins */
	opt.app_bytes_set = true;
	opt.app_bytes = 100;
	model_compute(&f, &p, &opt, &c);
	ck_assert_uint_eq(c.pc.app_bytes, 100);
	ck_assert_int_eq(c.pc.app_bytes_from, APP_BYTES_OPTION);
}
END_TEST

/* A cgroup is charged 64 pages per CPU at a time: a measured charge that
 * agrees with the per-object figure within that batch's share per
 * connection cannot tell it better, and the per-object figure stays; one
 * further off (the server charges more per connection) replaces it. */
START_TEST(a_cgroup_charge_within_its_batch_uncertainty_keeps_the_model)
{
	static struct facts f;
	static char json[512];
	struct profile p;
	struct capacity c;
	struct model_options opt = {.processes = 1, .upstreams = 1};
	uint64_t modelled;

	host_facts(&f);
	ck_assert_int_eq(profile_builtin("idle", &p), 0);
	model_compute(&f, &p, &opt, &c);
	modelled = c.pc.memcg_bytes_per_inbound_socket;
	for (int unc = 0; unc <= 2; unc++) {
		static const unsigned uncertainty[] = {500, 200, 0};

		snprintf(json, sizeof(json),
			 "{\"kind\": \"sockcap-calibration\", \"sockets\": 2000,"
			 " \"kernel_bytes_per_socket\": 4100,"
			 " \"memcg_bytes_per_accepted_socket\": %llu,"
			 " \"memcg_bytes_per_opened_socket\": null,"
			 " \"memcg_uncertainty_bytes\": %u,"
			 " \"app_bytes_per_connection\": 500, \"buffer_overhead\": 0,"
			 " \"kernel_release\": \"6.18\", \"elapsed_ms\": 1}",
			 (unsigned long long)modelled + 300, uncertainty[unc]);
		ck_assert_int_eq(parse(json), 0);
		ck_assert_uint_eq(cal.memcg_uncertainty_bytes, uncertainty[unc]);
		opt.calibration = &cal;
		model_compute(&f, &p, &opt, &c);
		/* 300 bytes off: inside ±500, outside ±200; 0 is "not stated" */
		ck_assert_uint_eq(c.pc.memcg_bytes_per_inbound_socket,
				  unc == 0 ? modelled : modelled + 300);
		ck_assert_uint_eq(c.pc.memcg_total_bytes,
				  (unc == 0 ? modelled : modelled + 300) + 500);
	}
}
END_TEST

START_TEST(untrusted_or_implausible_files_are_refused)
{
	ck_assert_int_eq(parse("{\"kind\": \"sockcap-calibration\", \"sockets\": 20,"
			       " \"kernel_bytes_per_socket\": 4100,"
			       " \"memcg_bytes_per_accepted_socket\": null,"
			       " \"memcg_bytes_per_opened_socket\": null, \"buffer_overhead\": 1,"
			       " \"trusted\": false, \"kernel_release\": \"6.18\", \"elapsed_ms\": 1}"),
			 -1);
	ck_assert_ptr_nonnull(strstr(err, "not trusted"));
	ck_assert_int_eq(parse("{\"kind\": \"sockcap-calibration\", \"sockets\": 20,"
			       " \"kernel_bytes_per_socket\": 204,"
			       " \"memcg_bytes_per_accepted_socket\": null,"
			       " \"memcg_bytes_per_opened_socket\": null, \"buffer_overhead\": 1,"
			       " \"kernel_release\": \"6.18\", \"elapsed_ms\": 1}"),
			 -1);
	ck_assert_ptr_nonnull(strstr(err, "plausible"));
}
END_TEST

Suite *suite(void)
{
	Suite *s = suite_create("calibration");
	TCase *t = tcase_create("calibration");

	tcase_add_test(t, a_saved_calibration_reads_back);
	tcase_add_test(t, memcg_figures_read_back_when_present);
	tcase_add_test(t, bad_files_name_the_field);
	tcase_add_test(t, the_model_uses_a_calibration);
	tcase_add_test(t, a_server_calibration_carries_app_bytes);
	tcase_add_test(t, a_cgroup_charge_within_its_batch_uncertainty_keeps_the_model);
	tcase_add_test(t, untrusted_or_implausible_files_are_refused);
	suite_add_tcase(s, t);
	return s;
}

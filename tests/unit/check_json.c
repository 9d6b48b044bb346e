/* The JSON writer lays documents out exactly as cJSON_Print does: the same
 * bytes for every kind of value, nesting and escape. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "out_doc.h"
#include "suite.h"

/* emit_json's output, without its final newline, as a string to free. */
static char *written(const cJSON *doc, int *rc)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	*rc = emit_json(doc, f);
	ck_assert_int_eq(fclose(f), 0);
	if (*rc == 0) {
		ck_assert_uint_ge(len, 1);
		ck_assert_int_eq(buf[len - 1], '\n');
		buf[len - 1] = '\0';
	}
	return buf;
}

static void same_as_cjson(const cJSON *doc)
{
	char *mine, *theirs = cJSON_Print(doc);
	int rc;

	ck_assert_ptr_nonnull(theirs);
	mine = written(doc, &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_str_eq(mine, theirs);
	free(mine);
	cJSON_free(theirs);
}

START_TEST(nesting_is_laid_out_as_cjson_prints_it)
{
	cJSON *doc = cJSON_CreateObject();
	cJSON *rows = cJSON_AddArrayToObject(doc, "rows");
	cJSON *row = cJSON_CreateObject();

	cJSON_AddItemToObject(doc, "schema_version", cJSON_CreateRaw("1"));
	cJSON_AddItemToObject(doc, "file_max", cJSON_CreateRaw("9223372036854775807"));
	cJSON_AddTrueToObject(doc, "yes");
	cJSON_AddFalseToObject(doc, "no");
	cJSON_AddNullToObject(doc, "nothing");
	cJSON_AddObjectToObject(doc, "empty_object");
	cJSON_AddArrayToObject(doc, "empty_array");
	cJSON_AddStringToObject(row, "id", "nofile");
	cJSON_AddItemToObject(row, "nested", cJSON_CreateObject());
	cJSON_AddItemToObject(cJSON_GetObjectItem(row, "nested"), "deeper",
			      cJSON_CreateStringArray((const char *[]){"a", "b"}, 2));
	cJSON_AddItemToArray(rows, row);
	cJSON_AddItemToArray(rows, cJSON_CreateObject());
	cJSON_AddItemToArray(rows, cJSON_CreateString("x"));
	cJSON_AddItemToArray(rows, cJSON_CreateNull());
	same_as_cjson(doc);
	same_as_cjson(rows);
	same_as_cjson(cJSON_GetObjectItem(doc, "empty_object"));
	cJSON_Delete(doc);
}
END_TEST

START_TEST(strings_are_escaped_as_cjson_escapes_them)
{
	char every_byte[256];
	cJSON *doc = cJSON_CreateObject();

	for (int i = 1; i < 256; i++)
		every_byte[i - 1] = (char)i;
	every_byte[255] = '\0';
	cJSON_AddStringToObject(doc, every_byte, every_byte);
	cJSON_AddStringToObject(doc, "utf8", "caf\xc3\xa9 \xe2\x80\x94 \"quoted\" back\\slash");
	same_as_cjson(doc);
	cJSON_Delete(doc);
}
END_TEST

START_TEST(numbers_are_printed_as_cjson_prints_them)
{
	static const double values[] = {0, -0.0, 1, -1, 42, 2147483647.0, 2147483648.0, -2147483648.0,
					0.1, 1.0 / 3, 1e300, -1e-300, 123456789.125, 4046.5};
	cJSON *doc = cJSON_CreateArray();

	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++)
		cJSON_AddItemToArray(doc, cJSON_CreateNumber(values[i]));
	same_as_cjson(doc);
	cJSON_Delete(doc);
}
END_TEST

/* The writer starts in a 64 KiB buffer and moves to the heap beyond it. */
START_TEST(a_document_larger_than_the_first_buffer_is_whole)
{
	char line[101];
	cJSON *doc = cJSON_CreateArray();

	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	for (int i = 0; i < 3000; i++) /* about 300 KB */
		cJSON_AddItemToArray(doc, cJSON_CreateString(line));
	same_as_cjson(doc);
	same_as_cjson(doc); /* and again, from the start of the first buffer */
	cJSON_Delete(doc);
}
END_TEST

START_TEST(an_item_cjson_cannot_print_is_refused)
{
	cJSON *doc = cJSON_CreateObject();
	cJSON *bad = cJSON_CreateRaw("1");
	char *out;
	int rc;

	cJSON_free(bad->valuestring);
	bad->valuestring = NULL;
	cJSON_AddItemToObject(doc, "raw", bad);
	ck_assert_ptr_null(cJSON_Print(doc));
	out = written(doc, &rc);
	ck_assert_int_eq(rc, -1);
	ck_assert_str_eq(out, ""); /* nothing written */
	free(out);
	cJSON_Delete(doc);
	ck_assert_int_eq(emit_json(NULL, stdout), -1);
}
END_TEST

Suite *suite(void)
{
	Suite *s = suite_create("json");
	TCase *t = tcase_create("writer");

	tcase_add_test(t, nesting_is_laid_out_as_cjson_prints_it);
	tcase_add_test(t, strings_are_escaped_as_cjson_escapes_them);
	tcase_add_test(t, numbers_are_printed_as_cjson_prints_them);
	tcase_add_test(t, a_document_larger_than_the_first_buffer_is_whole);
	tcase_add_test(t, an_item_cjson_cannot_print_is_refused);
	suite_add_tcase(s, t);
	return s;
}

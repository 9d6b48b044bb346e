/* The document (doc.h), its JSON writer and its JSON reader. The writer
 * lays documents out exactly as cJSON_Print does, so libcjson, an
 * independent reader, parses what it writes and prints the same bytes
 * again; the reader takes what the writer writes and refuses what RFC 8259
 * refuses. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "arena.h"
#include "json_read.h"
#include "out_doc.h"
#include "suite.h"

/* emit_json's output, without its final newline, as a string to free. */
static char *written(const struct doc *doc, int *rc)
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

/* Ours, parsed by libcjson and printed by it again, is the same text. */
static char *same_as_cjson(const struct doc *doc)
{
	int rc;
	char *mine = written(doc, &rc), *theirs;
	cJSON *parsed;

	ck_assert_int_eq(rc, 0);
	parsed = cJSON_Parse(mine);
	ck_assert_msg(parsed != NULL, "libcjson cannot parse: %s", mine);
	theirs = cJSON_Print(parsed);
	ck_assert_ptr_nonnull(theirs);
	ck_assert_str_eq(mine, theirs);
	cJSON_free(theirs);
	cJSON_Delete(parsed);
	return mine;
}

START_TEST(nesting_is_laid_out_as_cjson_prints_it)
{
	struct doc *doc = doc_object(), *rows = doc_add_array(doc, "rows"), *row = doc_object();
	struct doc *deeper = doc_array();

	doc_add_u64(doc, "schema_version", 1);
	doc_add_bool(doc, "yes", true);
	doc_add_bool(doc, "no", false);
	doc_add_null(doc, "nothing");
	doc_add_object(doc, "empty_object");
	doc_add_array(doc, "empty_array");
	doc_add(doc, "ratio", doc_raw("1.5"));
	doc_add_string(row, "id", "nofile");
	doc_push(deeper, doc_string("a"));
	doc_push(deeper, doc_string("b"));
	doc_add(doc_add_object(row, "nested"), "deeper", deeper);
	doc_push(rows, row);
	doc_push(rows, doc_object());
	doc_push(rows, doc_string("x"));
	doc_push(rows, doc_null());
	free(same_as_cjson(doc));
	free(same_as_cjson(rows));
	free(same_as_cjson(doc_get(doc, "empty_object")));
	arena_release();
}
END_TEST

START_TEST(strings_are_escaped_as_cjson_escapes_them)
{
	char every_byte[256];
	struct doc *doc = doc_object();
	cJSON *parsed;
	char *text;

	for (int i = 1; i < 256; i++)
		every_byte[i - 1] = (char)i;
	every_byte[255] = '\0';
	doc_add_string(doc, every_byte, every_byte);
	doc_add_string(doc, "utf8", "caf\xc3\xa9 \xe2\x80\x94 \"quoted\" back\\slash");
	text = same_as_cjson(doc);
	parsed = cJSON_Parse(text);
	ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(parsed, every_byte)->valuestring,
			 every_byte);
	cJSON_Delete(parsed);
	free(text);
	arena_release();
}
END_TEST

/* Plain strings are found 16 and 8 bytes at a time: every byte value, at
 * every place of every length to 17 and of lengths around two and three
 * blocks (words, blocks, overlapping tails and short strings), is still
 * escaped. */
START_TEST(every_byte_is_escaped_wherever_it_is)
{
	for (int b = 1; b < 256; b++) {
		char one[8];
		const char *esc = b == '"'    ? "\\\""
				  : b == '\\' ? "\\\\"
				  : b == '\b'  ? "\\b"
				  : b == '\f'  ? "\\f"
				  : b == '\n'  ? "\\n"
				  : b == '\r'  ? "\\r"
				  : b == '\t'  ? "\\t"
						: one;

		snprintf(one, sizeof(one), b < 0x20 ? "\\u%04x" : "%c", (unsigned)b);
		static const size_t longer[] = {23, 24, 25, 31, 32, 33, 40, 45};

		for (size_t k = 0; k < 17 + sizeof(longer) / sizeof(longer[0]); k++) {
			size_t len = k < 17 ? k + 1 : longer[k - 17];

			for (size_t at = 0; at < len; at++) {
				char s[46], want[64], *got;
				size_t got_len;

				memset(s, 'a', len);
				s[len] = '\0';
				s[at] = (char)b;
				snprintf(want, sizeof(want), "\"%.*s%s%s\"\n", (int)at, s, esc, s + at + 1);
				got = json_text(doc_string(s), &got_len);
				ck_assert_ptr_nonnull(got);
				ck_assert_msg(strcmp(got, want) == 0, "byte 0x%02x at %zu of %zu: %s", b,
					      at, len, got);
				free(got);
				arena_release();
			}
		}
	}
}
END_TEST

START_TEST(integers_are_exact_to_64_bits)
{
	struct doc *doc = doc_array();
	int rc;
	char *text;

	doc_push(doc, doc_u64(0));
	doc_push(doc, doc_u64(9007199254740993ULL)); /* 2^53 + 1: not a double */
	doc_push(doc, doc_u64(UINT64_MAX));
	text = written(doc, &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_str_eq(text, "[0, 9007199254740993, 18446744073709551615]");
	free(text);
	arena_release();
}
END_TEST

/* The writer starts in a 64 KiB buffer and moves to the heap beyond it. */
START_TEST(a_document_larger_than_the_first_buffer_is_whole)
{
	char line[101];
	struct doc *doc = doc_array();

	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	for (int i = 0; i < 3000; i++) /* about 300 KB */
		doc_push(doc, doc_string(line));
	free(same_as_cjson(doc));
	free(same_as_cjson(doc)); /* and again, from the start of the first buffer */
	arena_release();
}
END_TEST

/* A document made while an allocation failed lacks what failed: it is
 * not printed at all, until the arena is released. */
START_TEST(a_document_made_short_of_memory_is_refused)
{
	struct doc *doc = doc_object();
	char *out;
	size_t len;
	int rc;

	doc_add_string(doc, "kept", "yes");
	ck_assert_ptr_null(arena_alloc(SIZE_MAX));
	ck_assert(arena_failed());
	out = written(doc, &rc);
	ck_assert_int_eq(rc, -1);
	ck_assert_str_eq(out, ""); /* nothing written */
	free(out);
	ck_assert_ptr_null(json_text(doc, &len));
	arena_release();
	ck_assert(!arena_failed());
	ck_assert_int_eq(emit_json(NULL, stdout), -1);
}
END_TEST

START_TEST(the_reader_takes_what_the_writer_writes)
{
	struct doc *doc = doc_object(), *back;
	char every_byte[256], err[128] = "";
	char *first, *second;
	size_t len1, len2;

	for (int i = 1; i < 256; i++)
		every_byte[i - 1] = (char)i;
	every_byte[255] = '\0';
	doc_add_string(doc, "bytes", every_byte);
	doc_add(doc, "ratio", doc_raw("-1.5e+3"));
	doc_add_u64(doc, "max", UINT64_MAX);
	doc_add_null(doc, "none");
	doc_add(doc_add_object(doc, "nested"), "list", doc_array());
	first = json_text(doc, &len1);
	ck_assert_ptr_nonnull(first);
	back = json_read(first, len1, err, sizeof(err));
	ck_assert_msg(back != NULL, "%s", err);
	ck_assert_str_eq(doc_get(back, "bytes")->text, every_byte);
	second = json_text(back, &len2);
	ck_assert_str_eq(second, first); /* integers come back as raw text */
	free(first);
	free(second);
	arena_release();
}
END_TEST

START_TEST(the_reader_decodes_escapes)
{
	static const char text[] = "{\"s\": \"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\\u20ac\\ud83d\\ude00\"}";
	char err[128] = "";
	struct doc *d = json_read(text, sizeof(text) - 1, err, sizeof(err));

	ck_assert_msg(d != NULL, "%s", err);
	ck_assert_str_eq(doc_get(d, "s")->text,
			 "a\"b\\c/d\b\f\n\r\t\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
	arena_release();
}
END_TEST

START_TEST(the_reader_refuses_what_json_refuses)
{
	static const char *const bad[] = {
		"", " ", "{", "}", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "[01]", "[1.]",
		"[.5]", "[1e]", "[-]", "[+1]", "[0x10]", "[NaN]", "[Infinity]", "[tru]", "[nulll]",
		"\"abc", "\"a\\x\"", "\"\\u12\"", "\"\\ud800\"", "\"\\udc00\"", "\"\\u0000\"",
		"\"tab\there\"", "[1] [2]", "{\"a\":1}x", "'single'", "[1,,2]", "{\"a\"::1}",
		"\"a\\", "/* comment */ 1",
		"1234567890123456789012345678901234567890123456789012345678901234",
	};
	char err[128];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		ck_assert_msg(json_read(bad[i], strlen(bad[i]), err, sizeof(err)) == NULL,
			      "accepted: %s", bad[i]);
		ck_assert_msg(strncmp(err, "byte ", 5) == 0, "no reason for %s: %s", bad[i], err);
	}
	/* a NUL inside the text, where its length says there is more */
	ck_assert_ptr_null(json_read("\"a\0b\"", 5, err, sizeof(err)));
	arena_release();
}
END_TEST

START_TEST(the_reader_bounds_nesting)
{
	char deep[2 * JSON_READ_MAX_DEPTH + 3], err[128] = "";
	size_t n = JSON_READ_MAX_DEPTH;

	memset(deep, '[', n);
	memset(deep + n, ']', n);
	ck_assert_ptr_nonnull(json_read(deep, 2 * n, err, sizeof(err)));
	memset(deep, '[', n + 1);
	memset(deep + n + 1, ']', n + 1);
	ck_assert_ptr_null(json_read(deep, 2 * n + 2, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "nested too deep"));
	arena_release();
}
END_TEST

START_TEST(numbers_are_read_as_their_text)
{
	static const char text[] = "[0, -0, 12, 1.25, 1e3, 2E-2, 18446744073709551615]";
	char err[128] = "";
	const struct doc *d = json_read(text, sizeof(text) - 1, err, sizeof(err)), *c;
	double v;

	ck_assert_msg(d != NULL, "%s", err);
	c = d->child;
	ck_assert(json_number(c, &v) && v == 0);
	c = c->next->next;
	ck_assert(json_number(c, &v) && v == 12);
	c = c->next;
	ck_assert(json_number(c, &v) && v == 1.25);
	c = c->next;
	ck_assert(json_number(c, &v) && v == 1000);
	c = c->next;
	ck_assert(json_number(c, &v) && v == 0.02);
	ck_assert_str_eq(c->next->text, "18446744073709551615");
	ck_assert(!json_number(doc_string("12"), &v));
	ck_assert(!json_number(NULL, &v));
	arena_release();
}
END_TEST

Suite *suite(void)
{
	Suite *s = suite_create("json");
	TCase *w = tcase_create("writer"), *r = tcase_create("reader");

	tcase_add_test(w, nesting_is_laid_out_as_cjson_prints_it);
	tcase_add_test(w, strings_are_escaped_as_cjson_escapes_them);
	tcase_add_test(w, every_byte_is_escaped_wherever_it_is);
	tcase_set_timeout(w, 30); /* the every-byte test under ASan on a busy machine */
	tcase_add_test(w, integers_are_exact_to_64_bits);
	tcase_add_test(w, a_document_larger_than_the_first_buffer_is_whole);
	tcase_add_test(w, a_document_made_short_of_memory_is_refused);
	tcase_add_test(r, the_reader_takes_what_the_writer_writes);
	tcase_add_test(r, the_reader_decodes_escapes);
	tcase_add_test(r, the_reader_refuses_what_json_refuses);
	tcase_add_test(r, the_reader_bounds_nesting);
	tcase_add_test(r, numbers_are_read_as_their_text);
	suite_add_tcase(s, w);
	suite_add_tcase(s, r);
	return s;
}

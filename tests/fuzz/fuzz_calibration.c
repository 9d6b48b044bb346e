/* calibration_parse over arbitrary bytes (the file --calibration reads). An
 * accepted calibration has plausible figures and a terminated, printable
 * release; a refused one has a message that starts with the origin. An
 * accepted one is rendered back to JSON, which reads back to the same
 * figures. Whatever the JSON reader takes, libcjson (an independent
 * reader) takes too, and the writer writes it again as libcjson prints it. */
#include <stdbool.h>

#include <cjson/cJSON.h>

#include "arena.h"
#include "json_read.h"

#include "calibrate.h"
#include "fuzz.h"
#include "out_doc.h"
#include "report.h"

static bool has_number(const struct doc *d)
{
	if (d->type == DOC_RAW)
		return true;
	for (const struct doc *c = d->child; c; c = c->next)
		if (has_number(c))
			return true;
	return false;
}

/* What json_read takes, libcjson parses; and json_read's document, written
 * by emit_json, is what libcjson prints of it. */
static void reader_agrees(const uint8_t *data, size_t size)
{
	char err[128];
	const struct doc *doc = json_read((const char *)data, size, err, sizeof(err));
	cJSON *theirs;
	char *mine, *printed;
	size_t len;

	if (!doc)
		return;
	theirs = cJSON_ParseWithLength((const char *)data, size);
	FUZZ_CHECK(theirs != NULL);
	mine = json_text(doc, &len);
	printed = cJSON_Print(theirs);
	FUZZ_CHECK(mine && printed);
	/* Numbers are kept as their text by us, reprinted by libcjson: compare
	 * the layout only where the document holds no number. */
	if (!has_number(doc))
		FUZZ_CHECK(len == strlen(printed) + 1 && memcmp(mine, printed, len - 1) == 0);
	cJSON_free(printed);
	cJSON_Delete(theirs);
	free(mine);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_exact(data, size);
	char err[256] = "";
	struct calibration cal;
	int rc = calibration_parse(text, size, "fuzz", &cal, err, sizeof(err));

	FUZZ_CHECK(rc == 0 || rc == -1);
	if (rc == 0) {
		struct calibration back;
		struct doc *doc;
		size_t len = 0;
		char *json;

		FUZZ_CHECK(cal.sockets > 0);
		FUZZ_CHECK(cal.kernel_bytes_per_socket > 0 && cal.kernel_bytes_per_socket <= (1u << 20));
		FUZZ_CHECK(cal.buffer_overhead_milli <= 100000);
		FUZZ_CHECK(fuzz_terminated(cal.kernel_release, sizeof(cal.kernel_release)));
		for (const char *p = cal.kernel_release; *p; p++)
			FUZZ_CHECK(*p >= 0x20 && *p <= 0x7e);
		doc = report_calibration(&cal);
		json = json_text(doc, &len);
		FUZZ_CHECK(json != NULL);
		FUZZ_CHECK(calibration_parse(json, len, "back", &back, err, sizeof(err)) == 0);
		FUZZ_CHECK(back.sockets == cal.sockets &&
			   back.kernel_bytes_per_socket == cal.kernel_bytes_per_socket &&
			   back.buffer_overhead_milli == cal.buffer_overhead_milli &&
			   strcmp(back.kernel_release, cal.kernel_release) == 0);
		free(json);
	} else {
		FUZZ_CHECK(fuzz_terminated(err, sizeof(err)) && strncmp(err, "fuzz", 4) == 0);
	}
	reader_agrees(data, size);
	arena_release();
	free(text);
	return 0;
}

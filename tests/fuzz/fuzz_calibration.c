/* calibration_parse over arbitrary bytes (the file --calibration reads). An
 * accepted calibration has plausible figures and a terminated, printable
 * release; a refused one has a message that starts with the origin. An
 * accepted one then drives the model and is rendered back to JSON. */
#include <stdbool.h>

#include "calibrate.h"
#include "fuzz.h"
#include "out_doc.h"
#include "report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_exact(data, size);
	char err[256] = "";
	struct calibration cal;
	int rc = calibration_parse(text, size, "fuzz", &cal, err, sizeof(err));

	FUZZ_CHECK(rc == 0 || rc == -1);
	if (rc == 0) {
		static FILE *devnull;
		cJSON *doc;

		FUZZ_CHECK(cal.sockets > 0);
		FUZZ_CHECK(cal.kernel_bytes_per_socket > 0 && cal.kernel_bytes_per_socket <= (1u << 20));
		FUZZ_CHECK(cal.buffer_overhead_milli <= 100000);
		FUZZ_CHECK(fuzz_terminated(cal.kernel_release, sizeof(cal.kernel_release)));
		for (const char *p = cal.kernel_release; *p; p++)
			FUZZ_CHECK(*p >= 0x20 && *p <= 0x7e);
		if (!devnull && !(devnull = fopen("/dev/null", "w")))
			abort();
		doc = report_calibration(&cal);
		if (doc)
			FUZZ_CHECK(emit_json(doc, devnull) == 0);
		cJSON_Delete(doc);
	} else {
		FUZZ_CHECK(fuzz_terminated(err, sizeof(err)) && strncmp(err, "fuzz", 4) == 0);
	}
	free(text);
	return 0;
}

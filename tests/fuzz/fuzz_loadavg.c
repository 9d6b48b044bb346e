/* parse_loadavg_threads over proc/loadavg text ("0.10 0.20 0.30 2/300 4242"). */
#include "fuzz.h"
#include "parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_exact(data, size);
	uint64_t v = 0;

	if (parse_loadavg_threads(text, size, &v) == PARSE_OK)
		FUZZ_CHECK(memchr(text, '/', size) && fuzz_spells(text, size, v, 0));
	free(text);
	return 0;
}

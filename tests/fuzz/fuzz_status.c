/* parse_status_field over proc/PID/status text, for every key facts.def
 * reads (Threads and Uid in decimal, CapEff in hexadecimal), each in both
 * bases. */
#include "facts.h"
#include "fuzz.h"
#include "parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_exact(data, size);

	for (int id = 0; id < FACT_COUNT; id++) {
		enum fact_read r = fact_defs[id].read;

		if (r != READ_STATUS && r != READ_STATUS_HEX)
			continue;
		for (int base = 10; base <= 16; base += 6) {
			uint64_t v = 0;

			if (parse_status_field(text, size, fact_defs[id].arg, base, &v) == PARSE_OK)
				FUZZ_CHECK(fuzz_spells(text, size, v, base == 16));
		}
	}
	free(text);
	return 0;
}

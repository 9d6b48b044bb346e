/* parse_limits over proc/PID/limits text, for every row facts.def reads
 * with READ_LIMITS ("Max open files", "Max processes"). */
#include "facts.h"
#include "fuzz.h"
#include "parse.h"

static int spells_limit(const char *text, size_t len, uint64_t v)
{
	return fuzz_spells(text, len, v, 0) ||
	       (v == U64_UNLIMITED && memmem(text, len, "unlimited", 9));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_exact(data, size);

	for (int id = 0; id < FACT_COUNT; id++) {
		uint64_t soft = 0, hard = 0;

		if (fact_defs[id].read != READ_LIMITS)
			continue;
		if (parse_limits(text, size, fact_defs[id].arg, &soft, &hard) == PARSE_OK)
			FUZZ_CHECK(spells_limit(text, size, soft) && spells_limit(text, size, hard));
	}
	free(text);
	return 0;
}

/* parse_sockstat over proc/net/sockstat and sockstat6 text, for every
 * "proto field" pair facts.def reads with READ_SOCKSTAT. */
#include "facts.h"
#include "fuzz.h"
#include "parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_exact(data, size);

	for (int id = 0; id < FACT_COUNT; id++) {
		const char *arg = fact_defs[id].arg, *space = strchr(arg, ' ');
		char proto[16];
		uint64_t v = 0;

		if (fact_defs[id].read != READ_SOCKSTAT || !space)
			continue;
		snprintf(proto, sizeof(proto), "%.*s", (int)(space - arg), arg);
		if (parse_sockstat(text, size, proto, space + 1, &v) == PARSE_OK)
			FUZZ_CHECK(fuzz_spells(text, size, v, 0));
	}
	free(text);
	return 0;
}

/* parse_meminfo over proc/meminfo text, for every key facts.def reads with
 * READ_MEMINFO (MemTotal, MemAvailable, Slab, SUnreclaim) and a prefix of
 * them ("Mem"), which must not match a longer key. */
#include "facts.h"
#include "fuzz.h"
#include "parse.h"

static void check(const char *text, size_t len, const char *key)
{
	uint64_t kb = 0;

	if (parse_meminfo(text, len, key, &kb) == PARSE_OK)
		FUZZ_CHECK(fuzz_spells(text, len, kb, 0));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_exact(data, size);

	for (int id = 0; id < FACT_COUNT; id++)
		if (fact_defs[id].read == READ_MEMINFO)
			check(text, size, fact_defs[id].arg);
	check(text, size, "Mem");
	free(text);
	return 0;
}

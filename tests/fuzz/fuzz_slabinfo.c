/* parse_slabinfo over proc/slabinfo text, for every cache the model uses
 * (slab_cache_name). A row it accepts has non-zero sizes: the model divides
 * by them. */
#include "facts.h"
#include "fuzz.h"
#include "parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_exact(data, size);

	for (int c = 0; c < CACHE_COUNT; c++) {
		struct slab_entry e;

		memset(&e, 0, sizeof(e));
		if (parse_slabinfo(text, size, slab_cache_name((enum slab_cache)c), &e) != PARSE_OK)
			continue;
		FUZZ_CHECK(e.objsize > 0 && e.objperslab > 0 && e.pagesperslab > 0);
		FUZZ_CHECK(fuzz_spells(text, size, e.objsize, 0) &&
			   fuzz_spells(text, size, e.num_objs, 0));
	}
	free(text);
	return 0;
}

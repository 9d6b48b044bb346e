/* The built-in object size table's parsers over arbitrary TSV text (a
 * NUL-terminated string, as the embedded table is): objsize_table_series for
 * several kernels and series buffer sizes, then objsize_table_find for every
 * cache of the model in the chosen series. The first two input bytes also
 * give one more kernel major.minor. */
#include <stdbool.h>

#include "facts.h"
#include "fuzz.h"
#include "objsize_table.h"

static const unsigned kernels[][2] = {{0, 0}, {4, 18}, {5, 10}, {6, 1}, {6, 12}, {999, 999}, {0, 0}};
static const unsigned long series_sizes[] = {16, 4, 1};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *tsv = fuzz_cstr(data, size);
	size_t nk = sizeof(kernels) / sizeof(kernels[0]);

	for (size_t k = 0; k < nk; k++) {
		unsigned major = kernels[k][0], minor = kernels[k][1];

		if (k == nk - 1 && size >= 2) {
			major = data[0];
			minor = data[1];
		}
		for (size_t s = 0; s < sizeof(series_sizes) / sizeof(series_sizes[0]); s++) {
			unsigned long n = series_sizes[s];
			char *series = fuzz_alloc(n);

			if (objsize_table_series(tsv, major, minor, series, n)) {
				FUZZ_CHECK(fuzz_terminated(series, n));
				if (s == 0)
					FUZZ_CHECK(strchr(series, '.') != NULL);
			} else if (s == 0) {
				snprintf(series, n, "6.1"); /* no rows: look one up anyway */
			}
			if (s == 0)
				for (int c = 0; c < CACHE_COUNT; c++) {
					struct slab_entry e;
					const char *name = slab_cache_name((enum slab_cache)c);

					if (objsize_table_find(tsv, series, name, &e) == PARSE_OK)
						FUZZ_CHECK(e.objsize > 0 && e.objperslab > 0 &&
							   e.pagesperslab > 0 && e.active_objs == 0);
				}
			free(series);
		}
	}
	free(tsv);
	return 0;
}

/* Lookups in the compiled table of slab object sizes (objsize_rows, made
 * from data/objsizes.tsv by tools/objsize_compile at build time). */
#include <stdio.h>
#include <string.h>

#include "objsize_table.h"

bool objsize_builtin_series(unsigned major, unsigned minor, char *series, unsigned long size)
{
	unsigned long best = 0, oldest = ~0UL, want = major * 1000UL + minor;

	if (objsize_nrows == 0)
		return false;
	for (size_t i = 0; i < objsize_nrows; i++) {
		unsigned long key = objsize_rows[i].major * 1000UL + objsize_rows[i].minor;

		if (key <= want && key > best)
			best = key;
		if (key < oldest)
			oldest = key;
	}
	if (best == 0)
		best = oldest;
	snprintf(series, size, "%lu.%lu", best / 1000, best % 1000);
	return true;
}

enum parse_result objsize_builtin_find(const char *series, const char *cache,
				       struct slab_entry *out)
{
	unsigned major = 0, minor = 0;
	const char *p = series;

	/* "6.18" as numbers once: a row of another series costs two compares. */
	while (*p >= '0' && *p <= '9' && major < 100000)
		major = major * 10 + (unsigned)(*p++ - '0');
	if (*p++ != '.')
		return PARSE_ABSENT;
	while (*p >= '0' && *p <= '9' && minor < 100000)
		minor = minor * 10 + (unsigned)(*p++ - '0');
	if (*p)
		return PARSE_ABSENT;
	for (size_t i = 0; i < objsize_nrows; i++) {
		const struct objsize_row *r = &objsize_rows[i];

		if (r->major != major || r->minor != minor || strcmp(r->cache, cache) != 0)
			continue;
		memset(out, 0, sizeof(*out));
		out->objsize = r->objsize;
		out->objperslab = r->objperslab;
		out->pagesperslab = r->pagesperslab;
		return PARSE_OK;
	}
	return PARSE_ABSENT;
}

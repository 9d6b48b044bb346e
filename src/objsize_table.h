/* The built-in table of slab object sizes per kernel series
 * (data/objsizes.tsv, compiled in). Pure: parses the text it is given. */
#ifndef SOCKCAP_OBJSIZE_TABLE_H
#define SOCKCAP_OBJSIZE_TABLE_H

#include <stdbool.h>

#include "parse.h"

/* Chooses the series for kernel major.minor: the newest series in the table
 * not newer than it, or the oldest series when the kernel predates them all.
 * Writes "6.1" into series (size bytes). False when the table has no rows. */
bool objsize_table_series(const char *tsv, unsigned major, unsigned minor, char *series,
			  unsigned long size);

/* The row for cache in series: objsize, objperslab, pagesperslab (the
 * active and total object counts are 0). PARSE_ABSENT when the series has no
 * such cache, PARSE_INVALID on a malformed row. */
enum parse_result objsize_table_find(const char *tsv, const char *series, const char *cache,
				     struct slab_entry *out);

#endif

/* The built-in table of slab object sizes per kernel series
 * (data/objsizes.tsv, compiled in). Pure: parses the text it is given. */
#ifndef SOCKCAP_OBJSIZE_TABLE_H
#define SOCKCAP_OBJSIZE_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

/* The same table compiled at build time (tools/objsize_compile), in the
 * text's order: what an audit uses. */
struct objsize_row {
	unsigned major, minor;
	const char *series; /* "6.1" */
	const char *cache;
	uint64_t objsize, objperslab, pagesperslab;
};

extern const struct objsize_row objsize_rows[];
extern const size_t objsize_nrows;

/* objsize_table_series and objsize_table_find over objsize_rows. */
bool objsize_builtin_series(unsigned major, unsigned minor, char *series, unsigned long size);
enum parse_result objsize_builtin_find(const char *series, const char *cache,
				       struct slab_entry *out);

#endif

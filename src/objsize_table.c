#include "objsize_table.h"

#include <stdio.h>
#include <string.h>

#include "u64.h"

/* Splits the next data line (skipping comments and blanks) into up to
 * nf tab-separated fields. Returns false at the end of text. */
static bool next_row(const char **p, const char *fields[], size_t lens[], size_t nf, size_t *got)
{
	while (**p) {
		const char *line = *p, *end = strchr(line, '\n');
		size_t n = end ? (size_t)(end - line) : strlen(line);

		*p = end ? end + 1 : line + n;
		if (n == 0 || line[0] == '#')
			continue;
		*got = 0;
		for (size_t i = 0; i < n && *got < nf;) {
			size_t j = i;
			while (j < n && line[j] != '\t')
				j++;
			fields[*got] = line + i;
			lens[*got] = j - i;
			(*got)++;
			i = j + 1;
		}
		return true;
	}
	return false;
}

static bool series_of(const char *s, size_t n, unsigned *major, unsigned *minor)
{
	const char *dot = memchr(s, '.', n);
	uint64_t a, b;

	if (!dot || !u64_parse(s, (size_t)(dot - s), &a) ||
	    !u64_parse(dot + 1, (size_t)(s + n - dot - 1), &b) || a > 1000 || b > 1000)
		return false;
	*major = (unsigned)a;
	*minor = (unsigned)b;
	return true;
}

bool objsize_table_series(const char *tsv, unsigned major, unsigned minor, char *series,
			  unsigned long size)
{
	const char *p = tsv, *f[6];
	size_t l[6], got;
	unsigned long best = 0, oldest = ~0UL, want = major * 1000UL + minor;
	bool found = false;

	while (next_row(&p, f, l, 6, &got)) {
		unsigned a, b;
		unsigned long key;

		if (got < 1 || !series_of(f[0], l[0], &a, &b))
			continue;
		key = a * 1000UL + b;
		found = true;
		if (key <= want && key > best)
			best = key;
		if (key < oldest)
			oldest = key;
	}
	if (!found)
		return false;
	if (best == 0)
		best = oldest;
	snprintf(series, size, "%lu.%lu", best / 1000, best % 1000);
	return true;
}

enum parse_result objsize_table_find(const char *tsv, const char *series, const char *cache,
				     struct slab_entry *out)
{
	const char *p = tsv, *f[6];
	size_t l[6], got;

	while (next_row(&p, f, l, 6, &got)) {
		uint64_t v[3];

		if (got < 5 || l[0] != strlen(series) || memcmp(f[0], series, l[0]) != 0 ||
		    l[1] != strlen(cache) || memcmp(f[1], cache, l[1]) != 0)
			continue;
		for (int i = 0; i < 3; i++)
			if (!u64_parse(f[2 + i], l[2 + i], &v[i]))
				return PARSE_INVALID;
		if (v[0] == 0 || v[1] == 0 || v[2] == 0)
			return PARSE_INVALID;
		memset(out, 0, sizeof(*out));
		out->objsize = v[0];
		out->objperslab = v[1];
		out->pagesperslab = v[2];
		return PARSE_OK;
	}
	return PARSE_ABSENT;
}

/* Data files compiled into the binary at build time (tools/embed.sh writes
 * the definitions from data/). */
#ifndef SOCKCAP_EMBEDDED_H
#define SOCKCAP_EMBEDDED_H

#include <stddef.h>

struct embedded_file {
	const char *name; /* "idle" for data/profiles/idle.yaml */
	const char *text; /* the file's bytes, NUL-terminated */
	size_t len;
};

/* data/objsizes.tsv */
extern const char embedded_objsizes_tsv[];

/* data/profiles/NAME.yaml, in the order of the built-in profile list. */
extern const struct embedded_file embedded_profiles[];
extern const size_t embedded_profile_count;

#endif

/* Data files compiled into the binary at build time (tools/embed.sh writes
 * the definition from data/; the profiles are compiled by
 * tools/profile_compile, see profile.h). */
#ifndef SOCKCAP_EMBEDDED_H
#define SOCKCAP_EMBEDDED_H

/* data/objsizes.tsv, NUL-terminated */
extern const char embedded_objsizes_tsv[];

#endif

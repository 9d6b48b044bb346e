/* Reading the persistent configuration of limits into facts->persisted. */
#ifndef SOCKCAP_SOURCES_H
#define SOCKCAP_SOURCES_H

#include "facts.h"
#include "source.h"

/* Reads sysctl.d (systemd-sysctl's order), limits.conf and limits.d for the
 * audited process's user (pam_limits' precedence), system.conf(.d) and, when
 * the process runs in a systemd service, its unit and drop-ins. Needs the
 * process facts (uid, unit) already read. */
void sources_read(const struct source *src, struct facts *out);

/* Is there a unit file (or a drop-in directory) for unit in any of
 * systemd's unit directories? */
bool sources_unit_exists(const struct source *src, const char *unit);

/* User= of unit (its file and drop-ins) into user; false when it sets none
 * (the service runs as root). */
bool sources_unit_user(const struct source *src, const char *unit, char *user, size_t size,
		       struct facts *out);

#endif

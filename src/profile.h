/* Workload profiles: what one connection costs (DESIGN section 5). */
#ifndef SOCKCAP_PROFILE_H
#define SOCKCAP_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROFILE_NAME_MAX 64
#define PROFILE_TEXT_MAX 256

struct profile {
	char name[PROFILE_NAME_MAX];
	char description[PROFILE_TEXT_MAX];
	char origin[PROFILE_TEXT_MAX]; /* "built-in" or the file it came from */
	uint64_t sockets_per_connection;
	uint64_t outbound_sockets; /* of those, opened by this host */
	uint64_t rx_bytes;         /* unread bytes in flight per socket */
	uint64_t tx_bytes;         /* unacknowledged bytes in flight per socket */
	bool rx_default;           /* rx_bytes: default -> the host's tcp_rmem default */
	bool tx_default;           /* tx_bytes: default -> the host's tcp_wmem default */
	uint64_t app_bytes;        /* user-space bytes per connection */
	bool epoll;
	bool conntrack;
	bool thread_per_connection;
	uint64_t reserved_fds;
	uint64_t churn_per_second;
};

/* One profile key: its name, what it holds, and its valid range. The man
 * page's PROFILES section and the validator both follow this table. */
enum profile_type { PTYPE_TEXT, PTYPE_COUNT, PTYPE_BYTES, PTYPE_BOOL };

struct profile_key {
	const char *name;
	enum profile_type type;
	uint64_t min, max; /* for counts and bytes */
	const char *meaning;
};

extern const struct profile_key profile_keys[];
extern const size_t profile_key_count;

/* Parses YAML text into *out. origin names the text in messages (a file
 * name). Returns 0, or -1 with a message "origin:line:column: ..." naming the
 * offending key in err. Pure: no I/O. */
int profile_parse(const char *text, size_t len, const char *origin, struct profile *out,
		  char *err, size_t errsize);

/* The built-in profiles: data/profiles/NAME.yaml, parsed by profile_parse
 * at build time (tools/profile_compile writes the initialisers), in the
 * order of the built-in profile list. */
extern const struct profile profile_builtins[];
extern const size_t profile_builtin_count;

/* Fills *out with the built-in profile called name. Returns 0, or -1 when
 * there is no such built-in profile. */
int profile_builtin(const char *name, struct profile *out);

/* Names of the built-in profiles, in order; NULL after the last. */
const char *profile_builtin_name(size_t i);

#endif

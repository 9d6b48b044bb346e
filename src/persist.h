/* Where limits are set for good: sysctl.d, limits.conf and limits.d,
 * systemd's system.conf and unit files. Pure parsers over file text; the
 * reading (which files, in which order) is in sources.c. */
#ifndef SOCKCAP_PERSIST_H
#define SOCKCAP_PERSIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SETTING_VALUE_MAX 64
#define SETTING_FILE_MAX 256

/* One assignment in a file, and the one it replaced, if any. */
struct setting {
	bool set;
	char value[SETTING_VALUE_MAX]; /* as written, blanks folded to one space */
	char file[SETTING_FILE_MAX];
	unsigned line;
	int rank;                      /* limits.conf: how specific its domain is (lower wins) */
	bool overrode;                 /* it replaced an earlier assignment: */
	char prev_value[SETTING_VALUE_MAX];
	char prev_file[SETTING_FILE_MAX];
	unsigned prev_line;
};

/* Records an assignment: it replaces s unless s was set by a more specific
 * rank (limits.conf). Pass rank 0 where files simply override in order. */
void setting_assign(struct setting *s, const char *value, const char *file, unsigned line,
		    int rank);

/* A sysctl.d or sysctl.conf file: calls found(key, value, line, ctx) for every
 * assignment, key in dotted form (a slash form is converted: the first
 * separator decides, as sysctl.d(5) says), value with blanks folded; a
 * leading '-' (ignore errors) is dropped. */
void persist_sysctl_text(const char *text, size_t len,
			 void (*found)(const char *key, const char *value, unsigned line, void *ctx),
			 void *ctx);

/* Who a limits.conf line may apply to. */
struct limits_user {
	const char *name;     /* "www-data" */
	uint64_t uid;
	const char *groups[16]; /* group names the user is in; NULL-terminated */
};

/* A limits.conf or limits.d file: every "domain type item value" line for
 * item that applies to user goes into soft and hard, with pam_limits'
 * precedence: a user line beats a group line beats '*', which never applies
 * to root; at equal specificity the later line wins. "unlimited", "infinity"
 * and -1 are kept as "unlimited". Returns how many lines applied. */
unsigned persist_limits_text(const char *text, size_t len, const char *file,
			     const struct limits_user *user, const char *item,
			     struct setting *soft, struct setting *hard);

/* A key of a systemd file and where its value goes. */
struct unit_key {
	const char *key;
	struct setting *s;
};

/* An INI-style systemd file (system.conf, a unit, a drop-in), in one pass:
 * for each of keys[0..n), the last "key=value" inside [section] goes into
 * its setting. */
void persist_unit_keys(const char *text, size_t len, const char *file, const char *section,
		       const struct unit_key *keys, size_t n);

/* persist_unit_keys for one key. */
void persist_unit_text(const char *text, size_t len, const char *file, const char *section,
		       const char *key, struct setting *s);

/* "S:H", "N" (both) or "infinity" of LimitNOFILE= and DefaultLimitNOFILE=;
 * infinity is UINT64_MAX. False when malformed. */
bool persist_parse_rlimit(const char *value, uint64_t *soft, uint64_t *hard);

#endif

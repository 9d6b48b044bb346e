/* The parsers of persistent configuration (src/persist.h) over one text:
 * persist_sysctl_text (sysctl.d), persist_limits_text (limits.conf, for
 * nofile and nproc and three users: root, a user with groups, a uid
 * only), persist_unit_text (system.conf's [Manager] DefaultLimitNOFILE=, a
 * unit's [Service] LimitNOFILE=) with persist_parse_rlimit on what it
 * finds, and text_printable and persist_parse_rlimit on the input itself
 * as a string. Every setting recorded must be printable, terminated and
 * from the file named. */
#include <stdbool.h>

#include "fuzz.h"
#include "parse.h"
#include "persist.h"
#include "u64.h"

#define FILE_NAME "etc/fuzz.conf"

static void check_setting(const struct setting *s)
{
	if (!s->set)
		return;
	FUZZ_CHECK(fuzz_terminated(s->value, sizeof(s->value)) && fuzz_printable(s->value));
	FUZZ_CHECK(strcmp(s->file, FILE_NAME) == 0 && s->line > 0);
	if (s->overrode) {
		FUZZ_CHECK(fuzz_terminated(s->prev_value, sizeof(s->prev_value)));
		FUZZ_CHECK(s->prev_line > 0 && s->prev_line <= s->line);
	}
}

struct found {
	unsigned calls, last_line;
};

static void sysctl_found(const char *key, const char *value, unsigned line, void *ctx)
{
	struct found *f = ctx;

	FUZZ_CHECK(key[0] != '\0' && !strchr(key, ' ') && strlen(key) < 128);
	FUZZ_CHECK(strlen(value) < SETTING_VALUE_MAX);
	FUZZ_CHECK(line > f->last_line); /* one assignment a line, in order */
	f->last_line = line;
	f->calls++;
}

static void check_limits(const char *text, size_t len)
{
	static const struct limits_user users[] = {
		{"root", 0, {"root", NULL}},
		{"www-data", 33, {"www-data", "adm", "nginx", NULL}},
		{"#1000", 1000, {NULL}},
	};
	static const char *const items[] = {"nofile", "nproc"};

	for (size_t u = 0; u < sizeof(users) / sizeof(users[0]); u++)
		for (size_t i = 0; i < 2; i++) {
			struct setting soft, hard;
			uint64_t v;

			memset(&soft, 0, sizeof(soft));
			memset(&hard, 0, sizeof(hard));
			persist_limits_text(text, len, FILE_NAME, &users[u], items[i], &soft, &hard);
			check_setting(&soft);
			check_setting(&hard);
			/* Values are kept only when they are numbers or unlimited. */
			if (soft.set)
				FUZZ_CHECK(strcmp(soft.value, "unlimited") == 0 ||
					   u64_parse_str(soft.value, &v));
			if (hard.set)
				FUZZ_CHECK(strcmp(hard.value, "unlimited") == 0 ||
					   u64_parse_str(hard.value, &v));
		}
}

static void check_unit(const char *text, size_t len, const char *section, const char *key)
{
	struct setting s;
	uint64_t soft, hard;

	memset(&s, 0, sizeof(s));
	persist_unit_text(text, len, FILE_NAME, section, key, &s);
	check_setting(&s);
	if (s.set)
		persist_parse_rlimit(s.value, &soft, &hard);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_exact(data, size), *str = fuzz_cstr(data, size);
	struct found f = {0, 0};
	uint64_t soft, hard;

	persist_sysctl_text(text, size, sysctl_found, &f);
	check_limits(text, size);
	check_unit(text, size, "Service", "LimitNOFILE");
	check_unit(text, size, "Manager", "DefaultLimitNOFILE");

	if (persist_parse_rlimit(str, &soft, &hard) && !strchr(str, ':'))
		FUZZ_CHECK(soft == hard);
	text_printable(str);
	FUZZ_CHECK(fuzz_printable(str));
	free(text);
	free(str);
	return 0;
}

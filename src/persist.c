#include "persist.h"

#include <stdio.h>
#include <string.h>

#include "parse.h"
#include "u64.h"

void setting_assign(struct setting *s, const char *value, const char *file, unsigned line,
		    int rank)
{
	if (s->set && s->rank < rank)
		return;
	if (s->set) {
		s->overrode = true;
		memcpy(s->prev_value, s->value, sizeof(s->value));
		memcpy(s->prev_file, s->file, sizeof(s->file));
		s->prev_line = s->line;
	}
	s->set = true;
	s->rank = rank;
	snprintf(s->value, sizeof(s->value), "%s", value);
	snprintf(s->file, sizeof(s->file), "%s", file);
	text_printable(s->value);
	text_printable(s->file);
	s->line = line;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Copies s[0..n) with leading and trailing blanks removed and inner runs
 * folded to one space. */
static void fold(const char *s, size_t n, char *out, size_t size)
{
	size_t o = 0;
	bool pending = false;

	while (n > 0 && blank(*s))
		s++, n--;
	while (n > 0 && blank(s[n - 1]))
		n--;
	for (size_t i = 0; i < n && o + 1 < size; i++) {
		if (blank(s[i])) {
			pending = true;
			continue;
		}
		if (pending && o + 2 < size)
			out[o++] = ' ';
		pending = false;
		out[o++] = s[i];
	}
	out[o] = '\0';
}


struct sysctl_ctx {
	void (*found)(const char *key, const char *value, unsigned line, void *ctx);
	void *ctx;
};

static void sysctl_line(const char *line, size_t n, unsigned no, void *vctx)
{
	struct sysctl_ctx *c = vctx;
	const char *eq;
	char key[128], value[SETTING_VALUE_MAX];
	size_t i = 0;

	while (i < n && blank(line[i]))
		i++;
	if (i == n || line[i] == '#' || line[i] == ';')
		return;
	if (line[i] == '-')
		i++;
	eq = memchr(line + i, '=', n - i);
	if (!eq)
		return;
	fold(line + i, (size_t)(eq - line - i), key, sizeof(key));
	fold(eq + 1, (size_t)(line + n - eq - 1), value, sizeof(value));
	if (key[0] == '\0' || strchr(key, ' '))
		return;
	/* The first separator decides: "net/ipv4/tcp_mem" swaps '/' and '.'. */
	if (key[strcspn(key, "./")] == '/')
		for (char *k = key; *k; k++)
			*k = *k == '/' ? '.' : *k == '.' ? '/' : *k;
	c->found(key, value, no, c->ctx);
}

void persist_sysctl_text(const char *text, size_t len,
			 void (*found)(const char *key, const char *value, unsigned line, void *ctx),
			 void *ctx)
{
	struct sysctl_ctx c = {found, ctx};

	text_lines(text, len, sysctl_line, &c);
}

/* pam_limits' ranks: LIMITS_DEF_USER, _GROUP, _ALL (uid ranges), _DEFAULT ('*'). */
enum { RANK_USER = 0, RANK_GROUP = 1, RANK_RANGE = 3, RANK_DEFAULT = 4, RANK_NONE = 99 };

static int domain_rank(const char *d, const struct limits_user *u)
{
	const char *colon = strchr(d, ':');

	if (strcmp(d, u->name) == 0)
		return RANK_USER;
	if (d[0] == '@' && !colon) {
		for (size_t i = 0; i < 16 && u->groups[i]; i++)
			if (strcmp(d + 1, u->groups[i]) == 0)
				return RANK_GROUP;
		return RANK_NONE;
	}
	if (strcmp(d, "*") == 0)
		return u->uid == 0 ? RANK_NONE : RANK_DEFAULT;
	if (d[0] >= '0' && d[0] <= '9' && !colon) {
		uint64_t uid;
		return u64_parse_str(d, &uid) && uid == u->uid ? RANK_USER : RANK_NONE;
	}
	if (colon && d[0] != '@' && d[0] != '%') {
		uint64_t lo = 0, hi = UINT64_MAX;
		bool ok = (colon == d || u64_parse(d, (size_t)(colon - d), &lo)) &&
			  (colon[1] == '\0' || u64_parse_str(colon + 1, &hi));

		return ok && u->uid >= lo && u->uid <= hi ? RANK_RANGE : RANK_NONE;
	}
	return RANK_NONE;
}

struct limits_ctx {
	const char *file;
	const struct limits_user *user;
	const char *item;
	struct setting *soft, *hard;
	unsigned applied;
};

static void limits_line(const char *line, size_t n, unsigned no, void *vctx)
{
	struct limits_ctx *c = vctx;
	char text[512], dom[128], type[16], item[32], value[SETTING_VALUE_MAX], extra[8];
	const char *hash = memchr(line, '#', n);
	int rank;
	uint64_t v;

	if (hash)
		n = (size_t)(hash - line);
	while (n > 0 && blank(*line))
		line++, n--;
	if (n == 0)
		return;
	fold(line, n, text, sizeof(text));
	if (sscanf(text, "%127s %15s %31s %63s %7s", dom, type, item, value, extra) != 4)
		return;
	if (strcmp(item, c->item) != 0)
		return;
	rank = domain_rank(dom, c->user);
	if (rank == RANK_NONE)
		return;
	if (strcmp(value, "infinity") == 0 || strcmp(value, "-1") == 0)
		snprintf(value, sizeof(value), "unlimited");
	else if (strcmp(value, "unlimited") != 0 && !u64_parse_str(value, &v))
		return;
	if (strcmp(type, "soft") == 0 || strcmp(type, "-") == 0)
		setting_assign(c->soft, value, c->file, no, rank);
	if (strcmp(type, "hard") == 0 || strcmp(type, "-") == 0)
		setting_assign(c->hard, value, c->file, no, rank);
	c->applied++;
}

unsigned persist_limits_text(const char *text, size_t len, const char *file,
			     const struct limits_user *user, const char *item,
			     struct setting *soft, struct setting *hard)
{
	struct limits_ctx c = {file, user, item, soft, hard, 0};

	text_lines(text, len, limits_line, &c);
	return c.applied;
}

struct unit_ctx {
	const char *file, *section;
	const struct unit_key *keys;
	size_t n;
	bool inside;
};

static void unit_line(const char *line, size_t n, unsigned no, void *vctx)
{
	struct unit_ctx *c = vctx;
	char text[512], value[SETTING_VALUE_MAX];
	const char *eq;
	size_t klen;

	/* Most of system.conf is comments: skip them before any copying. */
	while (n > 0 && blank(*line))
		line++, n--;
	if (n == 0 || *line == '#' || *line == ';')
		return;
	fold(line, n, text, sizeof(text));
	if (text[0] == '#' || text[0] == ';' || text[0] == '\0')
		return;
	if (text[0] == '[') {
		size_t sl = strlen(c->section);
		c->inside = strncmp(text + 1, c->section, sl) == 0 && text[sl + 1] == ']';
		return;
	}
	eq = strchr(text, '=');
	if (!c->inside || !eq)
		return;
	klen = (size_t)(eq - text);
	while (klen > 0 && text[klen - 1] == ' ')
		klen--;
	for (size_t k = 0; k < c->n; k++) {
		if (klen != strlen(c->keys[k].key) || memcmp(text, c->keys[k].key, klen) != 0)
			continue;
		fold(eq + 1, strlen(eq + 1), value, sizeof(value));
		setting_assign(c->keys[k].s, value, c->file, no, 0);
		return;
	}
}

void persist_unit_keys(const char *text, size_t len, const char *file, const char *section,
		       const struct unit_key *keys, size_t n)
{
	struct unit_ctx c = {file, section, keys, n, false};

	text_lines(text, len, unit_line, &c);
}

void persist_unit_text(const char *text, size_t len, const char *file, const char *section,
		       const char *key, struct setting *s)
{
	const struct unit_key k = {key, s};

	persist_unit_keys(text, len, file, section, &k, 1);
}

static bool rlimit_value(const char *s, size_t n, uint64_t *v)
{
	if (n == 8 && memcmp(s, "infinity", 8) == 0) {
		*v = UINT64_MAX;
		return true;
	}
	return u64_parse(s, n, v);
}

bool persist_parse_rlimit(const char *value, uint64_t *soft, uint64_t *hard)
{
	const char *colon = strchr(value, ':');

	if (!colon)
		return rlimit_value(value, strlen(value), soft) && (*hard = *soft, true);
	return rlimit_value(value, (size_t)(colon - value), soft) &&
	       rlimit_value(colon + 1, strlen(colon + 1), hard);
}

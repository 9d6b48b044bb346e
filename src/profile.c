#include "profile.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <yaml.h>

#include "parse.h"
#include "safe.h"
#include "u64.h"

#define GiB (1ULL << 30)

const struct profile_key profile_keys[] = {
	{"name", PTYPE_TEXT, 1, PROFILE_NAME_MAX - 1, "the profile's name"},
	{"description", PTYPE_TEXT, 0, PROFILE_TEXT_MAX - 1, "one line on the workload"},
	{"sockets_per_connection", PTYPE_COUNT, 1, 8, "sockets one connection holds (2 for a proxy)"},
	{"outbound_sockets", PTYPE_COUNT, 0, 8, "of those, how many this host opens (ephemeral ports)"},
	{"rx_bytes", PTYPE_BYTES, 0, GiB, "unread bytes in flight per socket, or default (tcp_rmem's)"},
	{"tx_bytes", PTYPE_BYTES, 0, GiB, "unacknowledged bytes in flight per socket, or default (tcp_wmem's)"},
	{"app_bytes", PTYPE_BYTES, 0, 1024 * GiB, "user-space bytes per connection"},
	{"epoll", PTYPE_BOOL, 0, 1, "sockets are registered in epoll"},
	{"conntrack", PTYPE_BOOL, 0, 1, "connections are tracked by nf_conntrack when it is loaded"},
	{"thread_per_connection", PTYPE_BOOL, 0, 1, "one thread per connection"},
	{"reserved_fds", PTYPE_COUNT, 0, 1048576, "descriptors a server keeps for itself"},
	{"churn_per_second", PTYPE_COUNT, 0, 1000000000, "connections closed per second"},
};
const size_t profile_key_count = sizeof(profile_keys) / sizeof(profile_keys[0]);

static void set_err(char *err, size_t size, const char *origin, const yaml_mark_t *m,
		    const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(err, size, "%s:%zu:%zu: ", origin, m->line + 1, m->column + 1);

	if (n < 0 || (size_t)n >= size)
		return;
	va_start(ap, fmt);
	vsnprintf(err + n, size - (size_t)n, fmt, ap);
	va_end(ap);
}

static void defaults(struct profile *p)
{
	memset(p, 0, sizeof(*p));
	p->sockets_per_connection = 1;
	p->epoll = true;
	p->conntrack = true;
	p->reserved_fds = 32;
}

static const struct profile_key *find_key(const char *name)
{
	for (size_t i = 0; i < profile_key_count; i++)
		if (strcmp(profile_keys[i].name, name) == 0)
			return &profile_keys[i];
	return NULL;
}

/* Stores the scalar v for key k. Returns NULL or what is wrong with v
 * (in range, a static buffer). */
static const char *store(struct profile *p, const struct profile_key *k, const char *v,
			 bool plain)
{
	static char range[96];

	uint64_t n = 0;
	bool b = false;

	switch (k->type) {
	case PTYPE_TEXT:
		/* It is written into comments of files root installs, and to
		 * terminals: one line of printable text. */
		if (!safe_is_text(v))
			return "must be one line of printable UTF-8 text (no control characters)";
		if (strlen(v) < k->min || strlen(v) > k->max)
			return "has the wrong length";
		break;
	case PTYPE_BOOL:
		if (!plain || (strcmp(v, "true") != 0 && strcmp(v, "false") != 0))
			return "must be true or false";
		b = strcmp(v, "true") == 0;
		break;
	case PTYPE_BYTES:
		if (plain && strcmp(v, "default") == 0 &&
		    (strcmp(k->name, "rx_bytes") == 0 || strcmp(k->name, "tx_bytes") == 0))
			break;
		if (!plain || !parse_size_arg(v, &n))
			return "must be a size in bytes (4096, 16K, 1.5MiB)";
		if (n < k->min || n > k->max) {
			snprintf(range, sizeof(range), "must be from %llu to %llu bytes",
				 (unsigned long long)k->min, (unsigned long long)k->max);
			return range;
		}
		break;
	case PTYPE_COUNT:
		if (!plain || !u64_parse_str(v, &n))
			return "must be a whole number";
		if (n < k->min || n > k->max) {
			snprintf(range, sizeof(range), "must be from %llu to %llu",
				 (unsigned long long)k->min, (unsigned long long)k->max);
			return range;
		}
		break;
	}
#define IS(s) (strcmp(k->name, s) == 0)
	if (IS("name"))
		snprintf(p->name, sizeof(p->name), "%s", v);
	else if (IS("description"))
		snprintf(p->description, sizeof(p->description), "%s", v);
	else if (IS("sockets_per_connection"))
		p->sockets_per_connection = n;
	else if (IS("outbound_sockets"))
		p->outbound_sockets = n;
	else if (IS("rx_bytes"))
		p->rx_default = strcmp(v, "default") == 0, p->rx_bytes = n;
	else if (IS("tx_bytes"))
		p->tx_default = strcmp(v, "default") == 0, p->tx_bytes = n;
	else if (IS("app_bytes"))
		p->app_bytes = n;
	else if (IS("epoll"))
		p->epoll = b;
	else if (IS("conntrack"))
		p->conntrack = b;
	else if (IS("thread_per_connection"))
		p->thread_per_connection = b;
	else if (IS("reserved_fds"))
		p->reserved_fds = n;
	else if (IS("churn_per_second"))
		p->churn_per_second = n;
#undef IS
	return NULL;
}

/* The parser's state machine: a single mapping of scalar keys to scalar
 * values, each key at most once. */
int profile_parse(const char *text, size_t len, const char *path, struct profile *out,
		  char *err, size_t errsize)
{
	/* The path is the user's, and may hold anything a file name can: it
	 * reaches messages and comments made safe. */
	char origin[PROFILE_TEXT_MAX], quoted[SAFE_QUOTE_MAX];
	yaml_parser_t parser;
	yaml_event_t ev;
	struct profile p;
	bool seen[sizeof(profile_keys) / sizeof(profile_keys[0])] = {false};
	const struct profile_key *key = NULL;
	int depth = 0, docs = 0, rc = -1;
	bool done = false;

	safe_copy(origin, sizeof(origin), path);
	defaults(&p);
	if (!yaml_parser_initialize(&parser)) {
		snprintf(err, errsize, "%s: cannot start the YAML parser", origin);
		return -1;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	while (!done) {
		if (!yaml_parser_parse(&parser, &ev)) {
			set_err(err, errsize, origin, &parser.problem_mark, "%s",
				parser.problem ? parser.problem : "malformed YAML");
			goto out;
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_STREAM_START_EVENT:
		case YAML_DOCUMENT_END_EVENT:
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++docs > 1) {
				set_err(err, errsize, origin, &ev.start_mark,
					"only one document is allowed");
				goto fail;
			}
			break;
		case YAML_MAPPING_START_EVENT:
			if (depth != 0 || key) {
				set_err(err, errsize, origin, &ev.start_mark,
					"key '%s' must be a scalar, not a mapping",
					key ? key->name : "?");
				goto fail;
			}
			depth = 1;
			break;
		case YAML_MAPPING_END_EVENT:
			depth = 0;
			break;
		case YAML_SCALAR_EVENT: {
			const char *v = (const char *)ev.data.scalar.value;
			bool plain = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
			const char *why;

			if (depth != 1) {
				set_err(err, errsize, origin, &ev.start_mark,
					"a profile is a mapping of keys to values");
				goto fail;
			}
			if (!key) {
				key = find_key(v);
				if (!key) {
					set_err(err, errsize, origin, &ev.start_mark,
						"unknown key %s", safe_quote(quoted, v));
					goto fail;
				}
				if (seen[key - profile_keys]) {
					set_err(err, errsize, origin, &ev.start_mark,
						"key '%s' appears twice", v);
					goto fail;
				}
				seen[key - profile_keys] = true;
				break;
			}
			if (strlen(v) != ev.data.scalar.length) {
				why = "holds a NUL byte";
			} else {
				why = store(&p, key, v, plain);
			}
			if (why) {
				set_err(err, errsize, origin, &ev.start_mark, "key '%s' %s: %s",
					key->name, why, safe_quote(quoted, v));
				goto fail;
			}
			key = NULL;
			break;
		}
		case YAML_SEQUENCE_START_EVENT:
		case YAML_SEQUENCE_END_EVENT:
		case YAML_ALIAS_EVENT:
		case YAML_NO_EVENT:
		default:
			set_err(err, errsize, origin, &ev.start_mark,
				key ? "key '%s' must be a scalar" : "a profile is a mapping of keys to values%s",
				key ? key->name : "");
			goto fail;
		}
		yaml_event_delete(&ev);
	}
	if (!seen[0]) {
		snprintf(err, errsize, "%s: key 'name' is required", origin);
		goto out;
	}
	if (p.outbound_sockets > p.sockets_per_connection) {
		snprintf(err, errsize,
			 "%s: key 'outbound_sockets' (%llu) exceeds 'sockets_per_connection' (%llu)",
			 origin, (unsigned long long)p.outbound_sockets,
			 (unsigned long long)p.sockets_per_connection);
		goto out;
	}
	snprintf(p.origin, sizeof(p.origin), "%s", origin);
	*out = p;
	rc = 0;
	goto out;
fail:
	yaml_event_delete(&ev);
out:
	yaml_parser_delete(&parser);
	return rc;
}

/* The server configuration parsers (src/servercfg.h) over one text: as an
 * nginx.conf (includes recorded, not followed), a haproxy.cfg and a
 * redis.conf; the same bytes as a proc/PID/cmdline; and server_cap and
 * server_value_for on what they found. Every value recorded is terminated,
 * printable and from the file named, with a line in the text; a cap never
 * exceeds the directive's own value. */
#include <stdbool.h>

#include "fuzz.h"
#include "servercfg.h"

#define FILE_NAME "etc/fuzz.conf"

static unsigned lines_in(const uint8_t *d, size_t n)
{
	unsigned l = 1;

	for (size_t i = 0; i < n; i++)
		l += d[i] == '\n';
	return l;
}

static void check_value(const struct cfg_value *v, unsigned maxline, bool cmdline_ok)
{
	if (!v->set)
		return;
	FUZZ_CHECK(fuzz_terminated(v->file, sizeof(v->file)) && fuzz_printable(v->file));
	if (strcmp(v->file, "cmdline") == 0) {
		FUZZ_CHECK(cmdline_ok && v->line == 0);
		return;
	}
	FUZZ_CHECK(strcmp(v->file, FILE_NAME) == 0 && v->line >= 1 && v->line <= maxline);
}

static unsigned includes;

static void include(const char *pattern, void *ctx)
{
	(void)ctx;
	FUZZ_CHECK(pattern != NULL && strlen(pattern) < CFG_FILE_MAX);
	includes++;
}

static void check_conf(const struct server_conf *c, unsigned maxline, bool cmdline_ok)
{
	const struct cfg_value *all[] = {&c->workers, &c->connections, &c->rlimit_nofile,
					 &c->maxconn, &c->threads, &c->maxclients};
	static const uint64_t nofiles[] = {0, 1024, 20000, UINT64_MAX};

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		check_value(all[i], maxline, cmdline_ok);
	FUZZ_CHECK(c->npaths <= CFG_PATHS_MAX);
	for (unsigned i = 0; i < c->npaths; i++)
		FUZZ_CHECK(fuzz_terminated(c->paths[i], sizeof(c->paths[i])) && c->paths[i][0]);
	FUZZ_CHECK(fuzz_terminated(c->prefix, sizeof(c->prefix)));
	for (size_t i = 0; i < sizeof(nofiles) / sizeof(nofiles[0]); i++) {
		struct app_cap cap;

		server_cap(c, nofiles[i], 2, 3, &cap);
		FUZZ_CHECK(cap.known == (c->kind != SERVER_NONE));
		if (!cap.known)
			continue;
		FUZZ_CHECK(fuzz_terminated(cap.formula, sizeof(cap.formula)));
		FUZZ_CHECK(cap.directive[0] != '\0');
		if (c->kind == SERVER_REDIS || c->kind == SERVER_MEMCACHED)
			FUZZ_CHECK(cap.connections <= cap.value);
		(void)server_value_for(&cap, 1000000, 2);
		(void)server_value_for(&cap, UINT64_MAX, 1);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_exact(data, size);
	unsigned maxline = lines_in(data, size);
	static struct server_conf c;

	memset(&c, 0, sizeof(c));
	c.kind = SERVER_NGINX;
	nginx_conf_text(text, size, FILE_NAME, &c, include, NULL);
	check_conf(&c, maxline, false);
	memset(&c, 0, sizeof(c));
	c.kind = SERVER_HAPROXY;
	haproxy_conf_text(text, size, FILE_NAME, &c);
	check_conf(&c, maxline, false);
	memset(&c, 0, sizeof(c));
	c.kind = SERVER_REDIS;
	redis_conf_text(text, size, FILE_NAME, &c, include, NULL);
	check_conf(&c, maxline, false);
	server_cmdline(text, size, &c);
	check_conf(&c, maxline, true);
	free(text);
	return 0;
}

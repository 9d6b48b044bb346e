#include "servers.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "safe.h"
#include "u64.h"

#define INCLUDE_DEPTH 8
/* Include patterns followed and files read for one server, at most: a
 * file that includes itself (or a glob matching many) from every level
 * made the work grow as a power of the depth (a redis file of 9 KB took
 * minutes). Past it the app row says not every included file was read. */
#define INCLUDE_STEPS 1024

struct reader {
	const struct source *src;
	struct server_conf *c;
	char base[CFG_FILE_MAX]; /* where relative include paths start */
	unsigned depth;
	unsigned steps;          /* include patterns and files so far */
};

/* One more include pattern or file: false past INCLUDE_STEPS. */
static bool step(struct reader *r)
{
	if (r->steps >= INCLUDE_STEPS) {
		r->c->truncated = true;
		return false;
	}
	r->steps++;
	return true;
}

/* "/etc/nginx/x" -> "etc/nginx/x" (under the root); a relative path is
 * taken from base. */
static void rel_path(const struct reader *r, const char *path, char *out, size_t size)
{
	size_t bn = path[0] == '/' ? 0 : strlen(r->base), pn;

	if (path[0] == '/')
		path++;
	pn = strlen(path);
	if (bn + pn + 2 > size) {
		out[0] = '\0'; /* too long for any file the server could name */
		return;
	}
	memcpy(out, r->base, bn);
	if (bn)
		out[bn++] = '/';
	memcpy(out + bn, path, pn + 1);
}

static void parse_file(struct reader *r, const char *relpath);

/* Every file an include pattern names, in the order the server reads
 * them (sorted by name, as glob(3) gives them). */
static void include_cb(const char *pattern, void *ctx)
{
	struct reader *r = ctx;
	char path[CFG_FILE_MAX * 2], dir[CFG_FILE_MAX * 2];
	const char *slash, *last;
	struct name_list names;

	if (r->depth >= INCLUDE_DEPTH) {
		r->c->truncated = true;
		return;
	}
	if (!step(r))
		return;
	rel_path(r, pattern, path, sizeof(path));
	slash = strrchr(path, '/');
	last = slash ? slash + 1 : path;
	if (!strpbrk(last, "*?[")) {
		parse_file(r, path);
		return;
	}
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) : 0, path);
	/* every entry, sorted (the source reads the whole directory) */
	if (r->src->list(r->src, dir[0] ? dir : ".", &names) != FACT_OK)
		return;
	for (size_t i = 0; i < names.n; i++) {
		char file[CFG_FILE_MAX * 3];

		if (names.names[i][0] == '.' && last[0] != '.')
			continue;
		if (fnmatch(last, names.names[i], 0) != 0)
			continue;
		snprintf(file, sizeof(file), "%s/%s", dir, names.names[i]);
		if (!r->src->is_dir(r->src, file))
			parse_file(r, file);
	}
	name_list_free(&names);
}

static void parse_file(struct reader *r, const char *relpath)
{
	struct text t;
	char shown[CFG_FILE_MAX];

	if (!step(r))
		return;
	if (r->src->read(r->src, relpath, &t) != FACT_OK) {
		if (!r->c->missing[0])
			safe_copy(r->c->missing, sizeof(r->c->missing), relpath);
		text_free(&t);
		return;
	}
	snprintf(shown, sizeof(shown), "%s", relpath);
	r->depth++;
	switch (r->c->kind) {
	case SERVER_NGINX:
		nginx_conf_text(t.data, t.len, shown, r->c, include_cb, r);
		break;
	case SERVER_HAPROXY:
		haproxy_conf_text(t.data, t.len, shown, r->c);
		break;
	case SERVER_REDIS:
		redis_conf_text(t.data, t.len, shown, r->c, include_cb, r);
		break;
	default:
		break;
	}
	r->depth--;
	text_free(&t);
}

static void read_cmdline(const struct source *src, unsigned pid, struct server_conf *c)
{
	char path[48];
	struct text t;

	snprintf(path, sizeof(path), "proc/%u/cmdline", pid);
	if (src->read(src, path, &t) == FACT_OK)
		server_cmdline(t.data, t.len, c);
	else
		memset(c, 0, sizeof(*c));
	text_free(&t);
}

uint64_t servers_cpu_count(const char *text, size_t len)
{
	uint64_t n = 0;
	size_t i = 0;

	while (i < len && text[i] != '\n') {
		uint64_t a, b;
		size_t s = i;

		while (i < len && text[i] >= '0' && text[i] <= '9')
			i++;
		if (!u64_parse(text + s, i - s, &a))
			return 0;
		b = a;
		if (i < len && text[i] == '-') {
			s = ++i;
			while (i < len && text[i] >= '0' && text[i] <= '9')
				i++;
			if (!u64_parse(text + s, i - s, &b) || b < a)
				return 0;
		}
		n += b - a + 1;
		if (i < len && text[i] == ',')
			i++;
		else if (i < len && text[i] != '\n')
			return 0;
	}
	return n;
}

void servers_read(const struct source *src, unsigned pid, struct server_conf *c, uint64_t *cpus)
{
	struct reader r = {src, c, "", 0, 0};
	struct text t;
	char path[CFG_FILE_MAX];

	*cpus = 0;
	if (src->read(src, "sys/devices/system/cpu/online", &t) == FACT_OK)
		*cpus = servers_cpu_count(t.data, t.len);
	text_free(&t);
	read_cmdline(src, pid, c);
	snprintf(c->cmdline, sizeof(c->cmdline), "proc/%u/cmdline", pid);
	if (c->kind == SERVER_NGINX && c->worker) {
		/* a worker: the master's command line names the configuration */
		uint64_t ppid = 0;

		snprintf(path, sizeof(path), "proc/%u/status", pid);
		if (src->read(src, path, &t) == FACT_OK)
			parse_status_field(t.data, t.len, "PPid", 10, &ppid);
		text_free(&t);
		if (ppid > 0 && ppid < 4194304) {
			read_cmdline(src, (unsigned)ppid, c);
			snprintf(c->cmdline, sizeof(c->cmdline), "proc/%u/cmdline", (unsigned)ppid);
		}
		c->worker = true;
	}
	/* A file its command line names but sockcap refused (servercfg.c):
	 * no other file stands in for it. */
	if (c->npaths == 0 && c->missing[0])
		return;
	switch (c->kind) {
	case SERVER_NGINX:
		/* Debian's nginx: conf-path /etc/nginx/nginx.conf; includes are
		 * relative to its directory */
		rel_path(&r, c->npaths ? c->paths[0] : "/etc/nginx/nginx.conf", path, sizeof(path));
		snprintf(r.base, sizeof(r.base), "%.*s",
			 strrchr(path, '/') ? (int)(strrchr(path, '/') - path) : 0, path);
		parse_file(&r, path);
		break;
	case SERVER_HAPROXY:
		if (c->npaths == 0) {
			snprintf(c->paths[0], sizeof(c->paths[0]), "/etc/haproxy/haproxy.cfg");
			c->npaths = 1;
		}
		for (unsigned i = 0; i < c->npaths; i++) {
			rel_path(&r, c->paths[i], path, sizeof(path));
			/* a directory: its *.cfg files in name order */
			if (src->is_dir(src, path)) {
				char pattern[CFG_FILE_MAX + 8];

				snprintf(pattern, sizeof(pattern), "/%.*s/*.cfg", CFG_FILE_MAX - 8, path);
				include_cb(pattern, &r);
			} else {
				parse_file(&r, path);
			}
		}
		break;
	case SERVER_REDIS:
		/* redis rewrites its title and may drop the file it was given:
		 * then Debian's place for it is read */
		if (c->npaths == 0) {
			snprintf(c->paths[0], sizeof(c->paths[0]), "/etc/redis/redis.conf");
			c->npaths = 1;
			c->assumed = true;
		}
		rel_path(&r, c->paths[0], path, sizeof(path));
		parse_file(&r, path);
		break;
	default:
		break;
	}
}

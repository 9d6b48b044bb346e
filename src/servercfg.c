#include "servercfg.h"

#include <stdio.h>
#include <string.h>

#include "parse.h"
#include "safe.h"

#include "u64.h"

#define NGINX_INCLUDE_DEPTH 8

const char *server_kind_name(enum server_kind k)
{
	static const char *const names[] = {"none", "nginx", "haproxy", "redis", "memcached"};
	return names[k];
}

static void set_value(struct cfg_value *v, uint64_t n, bool is_auto, const char *file,
		      unsigned line)
{
	v->set = true;
	v->is_auto = is_auto;
	v->n = n;
	snprintf(v->file, sizeof(v->file), "%s", file);
	text_printable(v->file);
	v->line = line;
}

/* A file named on the command line is read as named, unless its name holds
 * what no output may show (a control character, invalid UTF-8): then it is
 * not read, and is named as unreadable with those characters made '?'. */
static void add_path(struct server_conf *c, const char *p, size_t n)
{
	char name[CFG_FILE_MAX];

	if (c->npaths >= CFG_PATHS_MAX || n == 0 || n >= CFG_FILE_MAX)
		return;
	memcpy(name, p, n);
	name[n] = '\0';
	if (!safe_is_text(name)) {
		if (!c->missing[0])
			safe_copy(c->missing, sizeof(c->missing), name);
		return;
	}
	memcpy(c->paths[c->npaths++], name, n + 1);
}

static const char *base_name(const char *s, size_t n, size_t *bn)
{
	const char *b = s;

	for (size_t i = 0; i < n; i++)
		if (s[i] == '/')
			b = s + i + 1;
	*bn = (size_t)(s + n - b);
	return b;
}

static bool is(const char *s, size_t n, const char *word)
{
	return strlen(word) == n && memcmp(s, word, n) == 0;
}

/* A whole decimal number of n bytes. */
static bool number(const char *s, size_t n, uint64_t *v)
{
	return n > 0 && n < 20 && u64_parse(s, n, v);
}

/* The arguments of cmdline as (pointer, length) pairs; nginx's master
 * rewrites its title into one string ("nginx: master process /usr/sbin/nginx
 * -c FILE -g daemon off;"): split at blanks, the rest after -g is one. */
#define ARGS_MAX 64
struct args {
	const char *a[ARGS_MAX];
	size_t n[ARGS_MAX];
	size_t count;
};

static void split(const char *s, size_t len, bool blanks, struct args *out)
{
	size_t i = 0;

	out->count = 0;
	while (i < len && out->count < ARGS_MAX) {
		size_t start;

		while (i < len && (s[i] == '\0' || (blanks && s[i] == ' ')))
			i++;
		if (i >= len)
			break;
		start = i;
		while (i < len && s[i] != '\0' && !(blanks && s[i] == ' '))
			i++;
		out->a[out->count] = s + start;
		out->n[out->count++] = i - start;
	}
}

static void nginx_args(const struct args *a, size_t from, struct server_conf *c)
{
	for (size_t i = from; i + 1 < a->count; i++) {
		if (is(a->a[i], a->n[i], "-c"))
			add_path(c, a->a[i + 1], a->n[i + 1]);
		else if (is(a->a[i], a->n[i], "-p") && a->n[i + 1] < sizeof(c->prefix)) {
			memcpy(c->prefix, a->a[i + 1], a->n[i + 1]);
			c->prefix[a->n[i + 1]] = '\0';
		}
	}
}

static void haproxy_args(const struct args *a, struct server_conf *c)
{
	for (size_t i = 1; i + 1 < a->count; i++) {
		uint64_t v;

		if (is(a->a[i], a->n[i], "-f"))
			add_path(c, a->a[i + 1], a->n[i + 1]);
		else if (is(a->a[i], a->n[i], "-n") && number(a->a[i + 1], a->n[i + 1], &v))
			set_value(&c->maxconn, v, false, "cmdline", 0);
	}
}

static void redis_args(const struct args *a, struct server_conf *c)
{
	size_t i = 1;
	uint64_t v;

	/* redis-server [/path/to/redis.conf] [--directive value ...] */
	if (a->count > 1 && a->n[1] > 0 && a->a[1][0] != '-' &&
	    memchr(a->a[1], ':', a->n[1]) == NULL) {
		add_path(c, a->a[1], a->n[1]);
		i = 2;
	}
	for (; i + 1 < a->count; i++)
		if (is(a->a[i], a->n[i], "--maxclients") && number(a->a[i + 1], a->n[i + 1], &v))
			set_value(&c->maxclients, v, false, "cmdline", 0);
}

static void memcached_args(const struct args *a, struct server_conf *c)
{
	for (size_t i = 1; i < a->count; i++) {
		const char *s = a->a[i];
		size_t n = a->n[i];
		struct cfg_value *dst = NULL;
		const char *val = NULL;
		size_t vn = 0;
		uint64_t v;

		if (n >= 2 && s[0] == '-' && s[1] != '-' && (s[1] == 'c' || s[1] == 't')) {
			dst = s[1] == 'c' ? &c->connections : &c->threads;
			if (n > 2) {
				val = s + 2, vn = n - 2;
			} else if (i + 1 < a->count) {
				val = a->a[i + 1], vn = a->n[i + 1];
				i++;
			}
		} else if (n > 13 && memcmp(s, "--conn-limit=", 13) == 0) {
			dst = &c->connections, val = s + 13, vn = n - 13;
		} else if (n > 10 && memcmp(s, "--threads=", 10) == 0) {
			dst = &c->threads, val = s + 10, vn = n - 10;
		} else if ((is(s, n, "--conn-limit") || is(s, n, "--threads")) && i + 1 < a->count) {
			dst = s[2] == 'c' ? &c->connections : &c->threads;
			val = a->a[i + 1], vn = a->n[i + 1];
			i++;
		} else if (n >= 2 && s[0] == '-' && s[1] == 'l' && i + 1 < a->count) {
			/* -l ADDR[,ADDR...]: a listener each */
			const char *l = n > 2 ? s + 2 : a->a[i + 1];
			size_t ln = n > 2 ? n - 2 : a->n[i + 1];

			c->listeners = 1;
			for (size_t k = 0; k < ln; k++)
				c->listeners += l[k] == ',';
			if (n == 2)
				i++;
		}
		if (dst && number(val, vn, &v))
			set_value(dst, v, false, "cmdline", 0);
	}
}

void server_cmdline(const char *args, size_t len, struct server_conf *c)
{
	struct args a;
	const char *b;
	size_t bn;

	memset(c, 0, sizeof(*c));
	if (len >= 7 && memcmp(args, "nginx: ", 7) == 0) {
		c->kind = SERVER_NGINX;
		if (len >= 22 && memcmp(args, "nginx: worker process", 21) == 0) {
			c->worker = true;
			return;
		}
		split(args, len, true, &a);
		nginx_args(&a, 1, c);
		return;
	}
	split(args, len, false, &a);
	if (a.count == 0)
		return;
	b = base_name(a.a[0], a.n[0], &bn);
	/* redis rewrites its title to "redis-server 127.0.0.1:6379" */
	if (bn >= 12 && memcmp(b, "redis-server", 12) == 0) {
		if (a.count == 1)
			split(args, len, true, &a);
		c->kind = SERVER_REDIS;
		redis_args(&a, c);
	} else if (is(b, bn, "nginx")) {
		c->kind = SERVER_NGINX;
		nginx_args(&a, 1, c);
	} else if (is(b, bn, "haproxy")) {
		c->kind = SERVER_HAPROXY;
		haproxy_args(&a, c);
	} else if (is(b, bn, "memcached")) {
		c->kind = SERVER_MEMCACHED;
		memcached_args(&a, c);
	}
}

/* nginx's configuration language: words (optionally quoted), ';' ends a
 * directive, '{' opens and '}' closes a block, '#' comments to the end of
 * the line. */
struct nginx_state {
	const char *text;
	size_t len, pos;
	unsigned line;
};

enum { TOK_END, TOK_WORD, TOK_SEMI, TOK_OPEN, TOK_CLOSE };

static int nginx_token(struct nginx_state *s, char *word, size_t size)
{
	size_t o = 0;

	for (;;) {
		while (s->pos < s->len && strchr(" \t\r\n", s->text[s->pos])) {
			if (s->text[s->pos] == '\n')
				s->line++;
			s->pos++;
		}
		if (s->pos < s->len && s->text[s->pos] == '#') {
			while (s->pos < s->len && s->text[s->pos] != '\n')
				s->pos++;
			continue;
		}
		break;
	}
	if (s->pos >= s->len)
		return TOK_END;
	switch (s->text[s->pos]) {
	case ';':
		s->pos++;
		return TOK_SEMI;
	case '{':
		s->pos++;
		return TOK_OPEN;
	case '}':
		s->pos++;
		return TOK_CLOSE;
	case '"':
	case '\'': {
		char q = s->text[s->pos++];

		while (s->pos < s->len && s->text[s->pos] != q) {
			if (s->text[s->pos] == '\\' && s->pos + 1 < s->len)
				s->pos++;
			if (s->text[s->pos] == '\n')
				s->line++;
			if (o + 1 < size)
				word[o++] = s->text[s->pos];
			s->pos++;
		}
		if (s->pos < s->len)
			s->pos++;
		word[o] = '\0';
		return TOK_WORD;
	}
	default:
		while (s->pos < s->len && !strchr(" \t\r\n;{}#", s->text[s->pos])) {
			if (o + 1 < size)
				word[o++] = s->text[s->pos];
			s->pos++;
		}
		word[o] = '\0';
		return TOK_WORD;
	}
}

#define NGINX_WORDS 4
#define NGINX_BLOCK_DEPTH 16

void nginx_conf_text(const char *text, size_t len, const char *file, struct server_conf *c,
		     include_fn include, void *ctx)
{
	struct nginx_state s = {text, len, 0, 1};
	char words[NGINX_WORDS][CFG_FILE_MAX], block[NGINX_BLOCK_DEPTH][16];
	/* an included file continues the block it is included in */
	unsigned nwords = 0, depth = c->nginx_depth, line = 1;
	int t;

	snprintf(block[0], sizeof(block[0]), "%s", depth ? c->nginx_block : "");
	c->files++;
	while ((t = nginx_token(&s, words[nwords < NGINX_WORDS ? nwords : NGINX_WORDS - 1],
				sizeof(words[0]))) != TOK_END) {
		uint64_t v;

		if (t == TOK_WORD) {
			if (nwords == 0)
				line = s.line;
			if (nwords < NGINX_WORDS)
				nwords++;
			continue;
		}
		if (t == TOK_OPEN) {
			if (depth < NGINX_BLOCK_DEPTH)
				snprintf(block[depth], sizeof(block[0]), "%.15s", nwords ? words[0] : "");
			depth++;
			nwords = 0;
			continue;
		}
		if (t == TOK_CLOSE) {
			if (depth > 0)
				depth--;
			nwords = 0;
			continue;
		}
		/* TOK_SEMI: a directive of nwords words */
		if (nwords >= 2) {
			const char *name = words[0], *arg = words[1];
			bool main_ctx = depth == 0;
			bool events = depth == 1 && strcmp(block[0], "events") == 0;

			if (strcmp(name, "include") == 0 && include) {
				unsigned saved_depth = c->nginx_depth;
				char saved_block[sizeof(c->nginx_block)];

				memcpy(saved_block, c->nginx_block, sizeof(saved_block));
				c->nginx_depth = depth;
				snprintf(c->nginx_block, sizeof(c->nginx_block), "%s",
					 depth ? block[0] : "");
				include(arg, ctx);
				c->nginx_depth = saved_depth;
				memcpy(c->nginx_block, saved_block, sizeof(saved_block));
			}
			else if (main_ctx && strcmp(name, "worker_processes") == 0 && !c->workers.set) {
				if (strcmp(arg, "auto") == 0)
					set_value(&c->workers, 0, true, file, line);
				else if (number(arg, strlen(arg), &v))
					set_value(&c->workers, v, false, file, line);
			} else if (main_ctx && strcmp(name, "worker_rlimit_nofile") == 0 &&
				   !c->rlimit_nofile.set && number(arg, strlen(arg), &v)) {
				set_value(&c->rlimit_nofile, v, false, file, line);
			} else if (events && strcmp(name, "worker_connections") == 0 &&
				   !c->connections.set && number(arg, strlen(arg), &v)) {
				set_value(&c->connections, v, false, file, line);
			} else if (depth >= 1 && strcmp(name, "listen") == 0) {
				c->listeners++;
			}
		}
		nwords = 0;
	}
}


/* The blank-separated words of a line up to a '#' (haproxy and redis
 * quote rarely; a quoted word is taken as it is written). */
static size_t words_of(const char *line, size_t n, struct args *w)
{
	const char *hash = memchr(line, '#', n);

	if (hash)
		n = (size_t)(hash - line);
	w->count = 0;
	for (size_t i = 0; i < n && w->count < ARGS_MAX;) {
		size_t start;

		while (i < n && strchr(" \t\r", line[i]))
			i++;
		if (i >= n)
			break;
		start = i;
		while (i < n && !strchr(" \t\r", line[i]))
			i++;
		w->a[w->count] = line + start;
		w->n[w->count++] = i - start;
	}
	return w->count;
}

struct haproxy_ctx {
	const char *file;
	struct server_conf *c;
	enum { SEC_NONE, SEC_GLOBAL, SEC_PROXY, SEC_OTHER } section;
};

static void haproxy_line(const char *line, size_t n, unsigned no, void *vctx)
{
	struct haproxy_ctx *h = vctx;
	struct args w;
	uint64_t v;

	if (words_of(line, n, &w) == 0)
		return;
	if (is(w.a[0], w.n[0], "global")) {
		h->section = SEC_GLOBAL;
		return;
	}
	if (is(w.a[0], w.n[0], "frontend") || is(w.a[0], w.n[0], "listen")) {
		h->section = SEC_PROXY;
		return;
	}
	if (is(w.a[0], w.n[0], "defaults") || is(w.a[0], w.n[0], "backend") ||
	    is(w.a[0], w.n[0], "peers") || is(w.a[0], w.n[0], "resolvers") ||
	    is(w.a[0], w.n[0], "userlist") || is(w.a[0], w.n[0], "mailers") ||
	    is(w.a[0], w.n[0], "program") || is(w.a[0], w.n[0], "cache") ||
	    is(w.a[0], w.n[0], "ring") || is(w.a[0], w.n[0], "http-errors")) {
		h->section = SEC_OTHER;
		return;
	}
	if (h->section == SEC_GLOBAL) {
		if (is(w.a[0], w.n[0], "maxconn") && w.count >= 2 && number(w.a[1], w.n[1], &v))
			set_value(&h->c->maxconn, v, false, h->file, no);
		else if (is(w.a[0], w.n[0], "nbthread") && w.count >= 2 &&
			 number(w.a[1], w.n[1], &v))
			set_value(&h->c->threads, v, false, h->file, no);
		else if (is(w.a[0], w.n[0], "stats") && w.count >= 2 && is(w.a[1], w.n[1], "socket"))
			h->c->stats_sockets++;
	} else if (h->section == SEC_PROXY && is(w.a[0], w.n[0], "bind") && w.count >= 2) {
		/* "bind :80,:81": a listener per address */
		h->c->listeners++;
		for (size_t k = 0; k < w.n[1]; k++)
			h->c->listeners += w.a[1][k] == ',';
	}
}

void haproxy_conf_text(const char *text, size_t len, const char *file, struct server_conf *c)
{
	struct haproxy_ctx h = {file, c, SEC_NONE};

	c->files++;
	text_lines(text, len, haproxy_line, &h);
}

struct redis_ctx {
	const char *file;
	struct server_conf *c;
	include_fn include;
	void *ctx;
};

static void redis_line(const char *line, size_t n, unsigned no, void *vctx)
{
	struct redis_ctx *r = vctx;
	struct args w;
	uint64_t v;
	char path[CFG_FILE_MAX];

	if (words_of(line, n, &w) < 2)
		return;
	/* Directives are case-insensitive in redis. */
	if (w.n[0] == 10 && strncasecmp(w.a[0], "maxclients", 10) == 0 &&
	    number(w.a[1], w.n[1], &v))
		set_value(&r->c->maxclients, v, false, r->file, no);
	else if (w.n[0] == 7 && strncasecmp(w.a[0], "include", 7) == 0 && r->include &&
		 w.n[1] < sizeof(path)) {
		memcpy(path, w.a[1], w.n[1]);
		path[w.n[1]] = '\0';
		r->include(path, r->ctx);
	}
}

void redis_conf_text(const char *text, size_t len, const char *file, struct server_conf *c,
		     include_fn include, void *ctx)
{
	struct redis_ctx r = {file, c, include, ctx};

	c->files++;
	text_lines(text, len, redis_line, &r);
}

static void where(struct app_cap *cap, const char *directive, const char *place)
{
	snprintf(cap->directive, sizeof(cap->directive), "%s", directive);
	snprintf(cap->where, sizeof(cap->where), "%s", place);
}

/* nginx: each worker holds worker_connections, its listeners and its
 * channel to the master among them, and at most its open-files limit;
 * when fewer than a sixteenth are free it closes idle connections that
 * have sent nothing (ngx_drain_connections), so that many stay free. */
static void nginx_cap(const struct server_conf *c, uint64_t nofile, uint64_t cpus,
		      struct app_cap *cap)
{
	uint64_t workers = c->workers.set && !c->workers.is_auto ? c->workers.n : cpus;
	uint64_t wc = c->connections.set ? c->connections.n : 512; /* nginx's default */
	uint64_t files = c->rlimit_nofile.set ? c->rlimit_nofile.n : nofile;
	uint64_t per = u64_min(wc, files), reserved = (uint64_t)c->listeners + 1 + wc / 16;

	if (workers == 0)
		workers = 1;
	where(cap, "worker_connections", "events { }");
	cap->value = wc;
	cap->per = workers;
	cap->reserved = reserved;
	cap->from = c->connections.set ? &c->connections : NULL;
	cap->counts_upstreams = true;
	cap->connections = u64_sat_mul(workers, u64_sat_sub(per, reserved));
	snprintf(cap->formula, sizeof(cap->formula),
		 "%llu workers x (%s %llu - %u listeners - 1 channel - %llu kept free)",
		 (unsigned long long)workers, per < wc ? "open files" : "worker_connections",
		 (unsigned long long)per, c->listeners, (unsigned long long)(wc / 16));
	if (per < wc) {
		/* the open-files limit binds first: worker_rlimit_nofile lifts it */
		where(cap, "worker_rlimit_nofile", "main context");
		cap->value = files;
		cap->from = c->rlimit_nofile.set ? &c->rlimit_nofile : NULL;
	}
}

/* haproxy: global maxconn, else what it derives from RLIMIT_NOFILE (the
 * larger of soft and hard at start): two descriptors per connection after
 * ten reserved, its listeners, ten for the stats frontend and three per
 * thread (compute_ideal_maxconn), at least 100. */
static void haproxy_cap(const struct server_conf *c, uint64_t nofile, uint64_t cpus,
			uint64_t threads, struct app_cap *cap)
{
	uint64_t nbthread = c->threads.set ? c->threads.n : threads ? threads : cpus;
	uint64_t reserved = 10 + c->listeners + c->stats_sockets +
			    (c->stats_sockets ? 10 : 0) + 3 * nbthread;

	where(cap, "maxconn", "global");
	cap->per = 1;
	if (c->maxconn.set) {
		cap->value = cap->connections = c->maxconn.n;
		cap->from = &c->maxconn;
		snprintf(cap->formula, sizeof(cap->formula), "global maxconn %llu",
			 (unsigned long long)c->maxconn.n);
		return;
	}
	cap->connections = u64_max(u64_sat_sub(nofile, reserved) / 2, 100);
	cap->value = cap->connections;
	cap->reserved = reserved;
	snprintf(cap->formula, sizeof(cap->formula),
		 "no maxconn: (RLIMIT_NOFILE %llu - %llu reserved) / 2 descriptors per connection",
		 (unsigned long long)nofile, (unsigned long long)reserved);
}

void server_cap(const struct server_conf *c, uint64_t nofile, uint64_t cpus, uint64_t threads,
		struct app_cap *out)
{
	memset(out, 0, sizeof(*out));
	if (cpus == 0)
		cpus = 1;
	out->known = true;
	switch (c->kind) {
	case SERVER_NONE:
		out->known = false;
		return;
	case SERVER_NGINX:
		nginx_cap(c, nofile, cpus, out);
		return;
	case SERVER_HAPROXY:
		haproxy_cap(c, nofile, cpus, threads, out);
		return;
	case SERVER_REDIS: {
		uint64_t mc = c->maxclients.set ? c->maxclients.n : 10000;

		/* redis keeps 32 descriptors (CONFIG_MIN_RESERVED_FDS) and lowers
		 * maxclients when it cannot raise RLIMIT_NOFILE above maxclients+32 */
		where(out, "maxclients", "redis.conf");
		out->per = 1;
		out->value = mc;
		out->reserved = 32;
		out->from = c->maxclients.set ? &c->maxclients : NULL;
		out->connections = u64_min(mc, u64_sat_sub(nofile, 32));
		snprintf(out->formula, sizeof(out->formula),
			 "min(maxclients %llu, RLIMIT_NOFILE %llu - 32)", (unsigned long long)mc,
			 (unsigned long long)nofile);
		return;
	}
	case SERVER_MEMCACHED: {
		uint64_t conns = c->connections.set ? c->connections.n : 1024;
		uint64_t t = c->threads.set ? c->threads.n : 4;
		uint64_t listeners = c->listeners ? c->listeners : 1;
		uint64_t reserved = 4 * t + 9 + listeners;

		/* memcached refuses a connection whose descriptor would reach
		 * -c: its own descriptors (4 per thread, 9 more, its listeners)
		 * count against it */
		where(out, "-c", "command line");
		out->per = 1;
		out->value = conns;
		out->reserved = reserved;
		out->from = c->connections.set ? &c->connections : NULL;
		out->connections = u64_sat_sub(conns, reserved);
		snprintf(out->formula, sizeof(out->formula),
			 "-c %llu - %llu of its own descriptors (4 x %llu threads + 9 + %llu "
			 "listeners)",
			 (unsigned long long)conns, (unsigned long long)reserved,
			 (unsigned long long)t, (unsigned long long)listeners);
		return;
	}
	}
}

uint64_t server_value_for(const struct app_cap *cap, uint64_t target, uint64_t sockets)
{
	uint64_t per = cap->per ? cap->per : 1;

	if (cap->counts_upstreams)
		target = u64_sat_mul(target, sockets ? sockets : 1);
	/* per worker, rounded up, plus what the server keeps for itself */
	if (strcmp(cap->directive, "worker_connections") == 0 ||
	    strcmp(cap->directive, "worker_rlimit_nofile") == 0) {
		uint64_t need = target / per + (target % per != 0);

		/* x - x/16 >= need + listeners + 1 */
		need = u64_sat_add(need, cap->reserved - cap->value / 16);
		return u64_sat_add(need, need / 15 + 1);
	}
	if (strcmp(cap->directive, "maxclients") == 0)
		return target;
	return u64_sat_add(target, strcmp(cap->directive, "-c") == 0 ? cap->reserved : 0);
}

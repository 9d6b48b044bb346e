/* A server's own connection cap (DESIGN section 11), from its command line
 * and configuration files, never by talking to it: nginx, haproxy, redis,
 * memcached. The parsers and the cap are pure functions over text and
 * numbers; the reading (which files, includes followed) is in servers.c. */
#ifndef SOCKCAP_SERVERCFG_H
#define SOCKCAP_SERVERCFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum server_kind { SERVER_NONE, SERVER_NGINX, SERVER_HAPROXY, SERVER_REDIS, SERVER_MEMCACHED };

const char *server_kind_name(enum server_kind k);

#define CFG_FILE_MAX 256
#define CFG_PATHS_MAX 4

/* One directive as the server reads it: the last (redis, haproxy) or first
 * (nginx rejects duplicates) assignment, where it was made. */
struct cfg_value {
	bool set;
	bool is_auto;            /* nginx "worker_processes auto" */
	uint64_t n;
	char file[CFG_FILE_MAX]; /* "cmdline" for a command-line argument */
	unsigned line;
};

struct server_conf {
	enum server_kind kind;
	/* What the command line names: configuration files (absolute, or
	 * relative to prefix), the nginx prefix. */
	char paths[CFG_PATHS_MAX][CFG_FILE_MAX];
	unsigned npaths;
	char prefix[CFG_FILE_MAX];
	bool worker;             /* nginx: the pid is a worker, its master holds the command line */
	/* nginx: worker_processes, worker_connections, worker_rlimit_nofile;
	 * haproxy: global maxconn (or -n), nbthread; redis: maxclients;
	 * memcached: -c, -t */
	struct cfg_value workers, connections, rlimit_nofile, maxconn, threads, maxclients;
	unsigned listeners;      /* nginx listen directives; haproxy bind lines */
	unsigned stats_sockets;  /* haproxy "stats socket" lines in global */
	unsigned files;          /* configuration files read */
	char missing[CFG_FILE_MAX]; /* a file named that could not be read, or "" */
	bool truncated;          /* includes nested deeper, or more, than sockcap follows */
	unsigned nginx_depth;    /* nginx: the block depth an include is read at, */
	char nginx_block[16];    /* and the outermost block ("events", "http") */
	char cmdline[48];        /* the proc/PID/cmdline it was recognised from */
	bool assumed;            /* the command line names no file: the distribution's is read */
};

/* Recognises the server from proc/PID/cmdline (NUL-separated arguments,
 * len bytes) and fills kind, paths, prefix, worker and the settings given
 * as arguments. An unknown program leaves kind SERVER_NONE. */
void server_cmdline(const char *args, size_t len, struct server_conf *c);

/* Where an include directive points, for the reader to follow; pattern as
 * written (a glob in its last component for nginx). */
typedef void (*include_fn)(const char *pattern, void *ctx);

/* nginx.conf: worker_processes, worker_rlimit_nofile (main), worker_connections
 * (events), listen (any server block); include calls include() at its place. */
void nginx_conf_text(const char *text, size_t len, const char *file, struct server_conf *c,
		     include_fn include, void *ctx);

/* haproxy.cfg: maxconn and nbthread in global (the last wins), stats socket
 * lines, bind lines of every frontend and listen section. */
void haproxy_conf_text(const char *text, size_t len, const char *file, struct server_conf *c);

/* redis.conf: maxclients (the last wins); include calls include(). */
void redis_conf_text(const char *text, size_t len, const char *file, struct server_conf *c,
		     include_fn include, void *ctx);

/* The cap, and how it was reached. */
struct app_cap {
	bool known;
	uint64_t connections;    /* client connections the server accepts at most */
	bool counts_upstreams;   /* nginx: its count includes proxied connections */
	char directive[48];      /* what lifts it: "worker_connections" */
	char where[64];          /* its place: "events { }", "global", "redis.conf", "-c" */
	uint64_t value;          /* the directive's value now (or derived) */
	uint64_t per;            /* nginx: workers the value is per; else 1 */
	uint64_t reserved;       /* per worker (nginx), or in all (redis) */
	const struct cfg_value *from; /* where the value was set; NULL: the default */
	char formula[200];
};

/* The server's cap under soft RLIMIT_NOFILE nofile (UINT64_MAX unlimited or
 * unknown), with cpus online CPUs and threads threads (haproxy's nbthread
 * default). Pure. */
void server_cap(const struct server_conf *c, uint64_t nofile, uint64_t cpus, uint64_t threads,
		struct app_cap *out);

/* The directive's value that lets the server hold target client
 * connections (each costing `sockets` of nginx's connections). */
uint64_t server_value_for(const struct app_cap *cap, uint64_t target, uint64_t sockets);

#endif

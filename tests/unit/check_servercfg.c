/* The server configuration parsers, the command lines they start from, and
 * the caps the servers derive (src/servercfg.h); the listening-socket
 * parser (src/listeners.h). */
#include <stdio.h>
#include <string.h>

#include "listeners.h"
#include "servercfg.h"
#include "servers.h"
#include "suite.h"
#include "world.h"

static struct server_conf c;
static char included[8][64];
static unsigned nincluded;

static void record(const char *pattern, void *ctx)
{
	(void)ctx;
	if (nincluded < 8)
		snprintf(included[nincluded++], sizeof(included[0]), "%s", pattern);
}

static void fresh(enum server_kind k)
{
	memset(&c, 0, sizeof(c));
	c.kind = k;
	nincluded = 0;
}

#define NGINX(text) nginx_conf_text(text, strlen(text), "nginx.conf", &c, record, NULL)

START_TEST(nginx_reads_its_directives_where_nginx_does)
{
	fresh(SERVER_NGINX);
	NGINX("# worker_connections 9999;\n"
	      "worker_processes 3;\n"
	      "events {\n  # a comment { with braces\n  worker_connections   1024; }\n"
	      "http { log_format x '$a {;} \"q\"'; worker_connections 5; \n"
	      "  server { listen 80; listen [::]:80; } include sites/*; }\n"
	      "worker_rlimit_nofile 4096;\n");
	ck_assert(c.workers.set && !c.workers.is_auto);
	ck_assert_uint_eq(c.workers.n, 3);
	ck_assert_uint_eq(c.connections.n, 1024);
	ck_assert_uint_eq(c.connections.line, 5);
	ck_assert_str_eq(c.connections.file, "nginx.conf");
	ck_assert_uint_eq(c.rlimit_nofile.n, 4096);
	ck_assert_uint_eq(c.listeners, 2);
	ck_assert_uint_eq(nincluded, 1);
	ck_assert_str_eq(included[0], "sites/*");
}
END_TEST

START_TEST(nginx_auto_and_the_first_assignment)
{
	fresh(SERVER_NGINX);
	NGINX("worker_processes auto;\nevents { worker_connections 768; }\n"
	      "events { worker_connections 2048; }\n");
	ck_assert(c.workers.is_auto);
	/* nginx refuses a duplicate; the first is the one it would report */
	ck_assert_uint_eq(c.connections.n, 768);
}
END_TEST

START_TEST(an_nginx_include_continues_its_block)
{
	fresh(SERVER_NGINX);
	c.nginx_depth = 1;
	snprintf(c.nginx_block, sizeof(c.nginx_block), "http");
	NGINX("worker_connections 5;\nworker_rlimit_nofile 9;\n");
	ck_assert(!c.connections.set && !c.rlimit_nofile.set);
	fresh(SERVER_NGINX);
	c.nginx_depth = 1;
	snprintf(c.nginx_block, sizeof(c.nginx_block), "events");
	NGINX("worker_connections 5;\n");
	ck_assert_uint_eq(c.connections.n, 5);
}
END_TEST

#define HAPROXY(text) haproxy_conf_text(text, strlen(text), "haproxy.cfg", &c)

START_TEST(haproxy_reads_global_and_counts_binds)
{
	fresh(SERVER_HAPROXY);
	HAPROXY("global\n  maxconn 100 # first\n  nbthread 4\n  stats socket /run/a.sock\n"
		"  maxconn 200\ndefaults\n  maxconn 9\nfrontend f\n  bind :80,:81\n"
		"backend b\n  maxconn 7\n  bind :99\nlisten l\n  bind 127.0.0.1:1\n");
	ck_assert_uint_eq(c.maxconn.n, 200);
	ck_assert_uint_eq(c.maxconn.line, 5);
	ck_assert_uint_eq(c.threads.n, 4);
	ck_assert_uint_eq(c.stats_sockets, 1);
	ck_assert_uint_eq(c.listeners, 3);
}
END_TEST

START_TEST(redis_maxclients_last_wins_any_case)
{
	fresh(SERVER_REDIS);
	static const char conf[] = "maxclients 10\n# maxclients 99\nMAXCLIENTS 20\ninclude /x.conf\n";

	redis_conf_text(conf, strlen(conf), "redis.conf", &c, record, NULL);
	ck_assert_uint_eq(c.maxclients.n, 20);
	ck_assert_uint_eq(c.maxclients.line, 3);
	ck_assert_str_eq(included[0], "/x.conf");
}
END_TEST

static void cmdline(const char *args, size_t len)
{
	server_cmdline(args, len, &c);
}

START_TEST(servers_are_recognised_from_their_command_line)
{
	static const char nginx[] = "nginx: master process /usr/sbin/nginx -c /t/n.conf -g daemon off;";
	static const char worker[] = "nginx: worker process";
	static const char haproxy[] = "/usr/sbin/haproxy\0-Ws\0-f\0/etc/h.cfg\0-f\0/etc/h.d\0-n\0" "300";
	static const char redis_title[] = "/usr/bin/redis-server 127.0.0.1:6379";
	static const char redis[] = "redis-server\0/etc/r.conf\0--maxclients\0" "77";
	static const char mc[] = "/usr/bin/memcached\0-c4096\0--threads=8\0-l\0a,b,c";
	static const char other[] = "/usr/bin/python3\0nginx";

	cmdline(nginx, sizeof(nginx));
	ck_assert_int_eq(c.kind, SERVER_NGINX);
	ck_assert_uint_eq(c.npaths, 1);
	ck_assert_str_eq(c.paths[0], "/t/n.conf");
	cmdline(worker, sizeof(worker));
	ck_assert(c.kind == SERVER_NGINX && c.worker);
	cmdline(haproxy, sizeof(haproxy));
	ck_assert_int_eq(c.kind, SERVER_HAPROXY);
	ck_assert_uint_eq(c.npaths, 2);
	ck_assert_str_eq(c.paths[1], "/etc/h.d");
	ck_assert_uint_eq(c.maxconn.n, 300);
	ck_assert_str_eq(c.maxconn.file, "cmdline");
	cmdline(redis_title, sizeof(redis_title));
	ck_assert_int_eq(c.kind, SERVER_REDIS);
	ck_assert_uint_eq(c.npaths, 0);
	cmdline(redis, sizeof(redis));
	ck_assert_str_eq(c.paths[0], "/etc/r.conf");
	ck_assert_uint_eq(c.maxclients.n, 77);
	cmdline(mc, sizeof(mc));
	ck_assert_int_eq(c.kind, SERVER_MEMCACHED);
	ck_assert_uint_eq(c.connections.n, 4096);
	ck_assert_uint_eq(c.threads.n, 8);
	ck_assert_uint_eq(c.listeners, 3);
	cmdline(other, sizeof(other));
	ck_assert_int_eq(c.kind, SERVER_NONE);
}
END_TEST

/* A configuration file named on the command line whose name holds a
 * control character (or invalid UTF-8) is neither read nor replaced by the
 * default file: it is named unreadable, made printable, for every output. */
START_TEST(a_file_name_no_output_may_show_is_not_read)
{
	static const char redis[] = "redis-server\0/etc/r\n[Service]\nExecStartPre=/bin/sh\033.conf";
	static const char nginx[] = "nginx\0-c\0/etc/n\xff.conf";
	static struct world w;
	struct source src;
	uint64_t cpus;

	cmdline(redis, sizeof(redis));
	ck_assert_int_eq(c.kind, SERVER_REDIS);
	ck_assert_uint_eq(c.npaths, 0);
	ck_assert_str_eq(c.missing, "/etc/r?[Service]?ExecStartPre=/bin/sh?.conf");
	cmdline(nginx, sizeof(nginx));
	ck_assert_int_eq(c.kind, SERVER_NGINX);
	ck_assert_uint_eq(c.npaths, 0);
	ck_assert_str_eq(c.missing, "/etc/n?.conf");

	memset(&w, 0, sizeof(w));
	world_set(&w, "proc/7/cmdline", "redis-server\0/etc/r\nx.conf",
		  sizeof("redis-server\0/etc/r\nx.conf") - 1, FACT_OK);
	world_put(&w, "etc/redis/redis.conf", "maxclients 5\n");
	src = world_source(&w);
	memset(&c, 0, sizeof(c));
	servers_read(&src, 7, &c, &cpus);
	ck_assert_int_eq(c.kind, SERVER_REDIS);
	ck_assert(!c.maxclients.set);
	ck_assert(!c.assumed);
	ck_assert_str_eq(c.missing, "/etc/r?x.conf");
}
END_TEST

/* A configuration that includes itself from every line is read a bounded
 * number of times (at depth 8 and 20 includes a file, 20^8 files without
 * the bound), and the answer says not every included file was read. */
START_TEST(includes_are_followed_a_bounded_number_of_times)
{
	static struct world w;
	static char conf[1024];
	struct source src;
	uint64_t cpus;

	conf[0] = '\0';
	for (int i = 0; i < 20; i++)
		strcat(conf, "include /etc/redis/redis.conf\n");
	strcat(conf, "maxclients 500\n");
	memset(&w, 0, sizeof(w));
	world_set(&w, "proc/7/cmdline", "redis-server\0/etc/redis/redis.conf",
		  sizeof("redis-server\0/etc/redis/redis.conf") - 1, FACT_OK);
	world_put(&w, "etc/redis/redis.conf", conf);
	src = world_source(&w);
	memset(&c, 0, sizeof(c));
	servers_read(&src, 7, &c, &cpus);
	ck_assert_int_eq(c.kind, SERVER_REDIS);
	ck_assert(c.truncated);
	ck_assert(c.maxclients.set);
	ck_assert_uint_eq(c.maxclients.n, 500);
}
END_TEST

START_TEST(caps_follow_each_servers_rule)
{
	struct app_cap cap;

	/* nginx, Debian's default: 2 workers x 768, 2 listeners; measured
	 * 1,412 held on this machine (tests/realsrv) */
	fresh(SERVER_NGINX);
	NGINX("worker_processes auto;\nevents { worker_connections 768; }\n"
	      "http { server { listen 1; listen 2; } }\n");
	server_cap(&c, 20000, 2, 1, &cap);
	ck_assert_uint_eq(cap.connections, 2 * (768 - 2 - 1 - 48));
	ck_assert(cap.counts_upstreams);
	ck_assert_str_eq(cap.directive, "worker_connections");
	/* the open-files limit binds first: worker_rlimit_nofile lifts it */
	server_cap(&c, 500, 2, 1, &cap);
	ck_assert_str_eq(cap.directive, "worker_rlimit_nofile");
	/* haproxy without maxconn: measured Maxconn 9986 at 20000, 498 at 1024 */
	fresh(SERVER_HAPROXY);
	HAPROXY("global\n stats socket /s\nfrontend f\n bind :1\n");
	server_cap(&c, 20000, 2, 2, &cap);
	ck_assert_uint_eq(cap.connections, 9986);
	server_cap(&c, 1024, 2, 2, &cap);
	ck_assert_uint_eq(cap.connections, 498);
	/* redis: RLIMIT_NOFILE - 32 when that is lower */
	fresh(SERVER_REDIS);
	server_cap(&c, 1024, 2, 1, &cap);
	ck_assert_uint_eq(cap.connections, 992);
	server_cap(&c, 10032, 2, 1, &cap);
	ck_assert_uint_eq(cap.connections, 10000);
	/* memcached: -c less its own descriptors; measured 998 (-t 4), 982
	 * (-t 8), 1010 (-t 1) at -c 1024 */
	fresh(SERVER_MEMCACHED);
	server_cap(&c, 1024, 2, 1, &cap);
	ck_assert_uint_eq(cap.connections, 998);
	c.threads.set = true;
	c.threads.n = 8;
	server_cap(&c, 1024, 2, 1, &cap);
	ck_assert_uint_eq(cap.connections, 982);
	c.threads.n = 1;
	server_cap(&c, 1024, 2, 1, &cap);
	ck_assert_uint_eq(cap.connections, 1010);
	fresh(SERVER_NONE);
	server_cap(&c, 1024, 2, 1, &cap);
	ck_assert(!cap.known);
}
END_TEST

START_TEST(the_value_for_a_target_reaches_it)
{
	struct app_cap cap;
	struct server_conf after;

	fresh(SERVER_NGINX);
	NGINX("worker_processes 4;\nevents { worker_connections 768; }\n"
	      "http { server { listen 1; } }\n");
	server_cap(&c, 1u << 20, 4, 1, &cap);
	after = c;
	after.connections.n = server_value_for(&cap, 10000, 2);
	server_cap(&after, 1u << 20, 4, 1, &cap);
	ck_assert_uint_ge(cap.connections / 2, 10000);
	fresh(SERVER_MEMCACHED);
	server_cap(&c, 1u << 20, 4, 1, &cap);
	after = c;
	after.connections.set = true;
	after.connections.n = server_value_for(&cap, 5000, 1);
	server_cap(&after, 1u << 20, 4, 1, &cap);
	ck_assert_uint_ge(cap.connections, 5000);
}
END_TEST

static unsigned nlisteners;
static struct listener last;

static void got(const struct listener *l, void *ctx)
{
	(void)ctx;
	last = *l;
	nlisteners++;
}

START_TEST(listening_sockets_are_read_from_proc_net_tcp)
{
	static const char tcp[] =
		"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
		"   0: 0100007F:1F90 00000000:0000 0A 00000000:00000003 00:00000000 00000000     0        0 4242 1 0 100 0 0 10 0\n"
		"   1: 0100007F:1F90 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 4243 1 0 20 4 30 10 -1\n"
		"   2: 0500000A:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 77 1 0 100 0 0 10 0\n";
	static const char tcp6[] =
		"   0: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 99 1\n";
	char buf[64];

	nlisteners = 0;
	ck_assert_uint_eq(listeners_parse(tcp, sizeof(tcp) - 1, false, got, NULL), 2);
	ck_assert_uint_eq(last.inode, 77);
	ck_assert_uint_eq(last.port, 80);
	ck_assert(!listener_loopback(&last));
	listener_format(&last, buf, sizeof(buf));
	ck_assert_str_eq(buf, "10.0.0.5:80");
	ck_assert_uint_eq(listeners_parse(tcp6, sizeof(tcp6) - 1, true, got, NULL), 1);
	ck_assert(listener_loopback(&last));
	listener_format(&last, buf, sizeof(buf));
	ck_assert_str_eq(buf, "[0:0:0:0:0:0:0:1]:8080");
	ck_assert_uint_eq(listener_socket_inode("socket:[4242]"), 4242);
	ck_assert_uint_eq(listener_socket_inode("pipe:[4242]"), 0);
	ck_assert_uint_eq(servers_cpu_count("0-3,8,10-11\n", 12), 7);
	ck_assert_uint_eq(servers_cpu_count("3-1\n", 4), 0);
}
END_TEST

Suite *suite(void)
{
	Suite *s = suite_create("servercfg");
	TCase *t = tcase_create("servercfg");

	tcase_add_test(t, nginx_reads_its_directives_where_nginx_does);
	tcase_add_test(t, nginx_auto_and_the_first_assignment);
	tcase_add_test(t, an_nginx_include_continues_its_block);
	tcase_add_test(t, haproxy_reads_global_and_counts_binds);
	tcase_add_test(t, redis_maxclients_last_wins_any_case);
	tcase_add_test(t, servers_are_recognised_from_their_command_line);
	tcase_add_test(t, a_file_name_no_output_may_show_is_not_read);
	tcase_add_test(t, includes_are_followed_a_bounded_number_of_times);
	tcase_add_test(t, caps_follow_each_servers_rule);
	tcase_add_test(t, the_value_for_a_target_reaches_it);
	tcase_add_test(t, listening_sockets_are_read_from_proc_net_tcp);
	suite_add_tcase(s, t);
	return s;
}

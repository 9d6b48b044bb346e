/*
 * memcg-client.c - open idle loopback TCP connections to 127.0.0.1:PORT on
 * command and hold them: the client side of tests/bench/memcg-capacity.sh.
 *
 *     cc -O2 -Wall -Wextra -Werror -o /tmp/memcg-client tests/bench/memcg-client.c
 *     (echo "connect 1000"; sleep 5; echo quit) | /tmp/memcg-client -p 24000
 *
 * The script runs it outside the limited cgroup (the server's sockets are
 * measured) and, in its third phase, inside a limited cgroup (the sockets it
 * opens itself are measured).  Like memcg-server.c it allocates nothing per
 * connection and touches all of its memory before it reports "ready", so a
 * cgroup's charge beyond its baseline is the kernel's.
 *
 * Protocol: it raises its soft RLIMIT_NOFILE to the hard limit, prints
 * "ready pid=PID nofile=N", then reads commands on stdin, one a line:
 *   connect N   open connections until it holds N in total, then print
 *               "connected total=T status=S errno=E" where S is
 *                 ok        it holds N
 *                 refused   ECONNREFUSED/ECONNRESET (the server is gone)
 *                 timeout   a connect did not complete within -t ms (the
 *                           server stopped accepting and its queue is full)
 *                 nomem     ENOMEM or ENOBUFS (socket() or connect())
 *                 emfile    EMFILE or ENFILE
 *                 noports   EADDRNOTAVAIL (ephemeral ports exhausted)
 *                 error     anything else
 *               A connection that failed is closed and not counted.
 *   quit / EOF  close every connection, print "bye", exit 0.
 * Every connection gets SO_LINGER {1, 0} as soon as it is established, so
 * that any close, including the kernel's when the client is OOM-killed,
 * sends RST: no TIME_WAIT socket keeps an ephemeral port (and its bind
 * buckets, which a later connect() to another destination would share)
 * after a run.
 * With -e each connection is also registered in an epoll instance
 * (EPOLLIN), like a proxy registers its upstream sockets.  With -s the
 * running total is also kept in a status file (as in memcg-server.c):
 *   "S state=connecting total=0000000123 errno=000 pid=0000012345 E\n"
 * so that the total survives an OOM kill.  At most -m connections
 * (default: the soft RLIMIT_NOFILE minus 64) are ever held.
 *
 * Usage: memcg-client -p PORT [-s STATUS_FILE] [-e] [-t TIMEOUT_MS] [-m MAX]
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define BENCH_NAME "memcg-client"
#include "bench.h"

static char *status_map;
static char inbuf[4096], outbuf[4096];   /* stdio buffers: no malloc */
static long total;
static int last_errno;
static int lo_fd = -1, hi_fd = -1;

static void status(const char *st)
{
	char line[128];
	int n;

	if (!status_map)
		return;
	n = snprintf(line, sizeof(line), "S state=%-10s total=%010ld errno=%03d pid=%010ld E\n",
		     st, total, last_errno, (long)getpid());
	if (n > 0 && n < (int)sizeof(line))
		memcpy(status_map, line, (size_t)n);
}

static const char *classify(int e)
{
	switch (e) {
	case ECONNREFUSED: case ECONNRESET: return "refused";
	case EINPROGRESS: case EAGAIN: case ETIMEDOUT: return "timeout";
	case ENOMEM: case ENOBUFS: return "nomem";
	case EMFILE: case ENFILE: return "emfile";
	case EADDRNOTAVAIL: return "noports";
	default: return "error";
	}
}

int main(int argc, char **argv)
{
	const char *status_path = NULL;
	long port = 0, timeout_ms = 2000, max = -1;
	int use_epoll = 0, opt, epfd = -1;
	struct rlimit rl;
	struct sockaddr_in sa;
	struct timeval tv;
	char cmd[128];

	while ((opt = getopt(argc, argv, "p:s:et:m:h")) != -1) {
		switch (opt) {
		case 'p': port = parse_long(optarg, "port", 1, 65535); break;
		case 's': status_path = optarg; break;
		case 'e': use_epoll = 1; break;
		case 't': timeout_ms = parse_long(optarg, "timeout", 1, 60000); break;
		case 'm': max = parse_long(optarg, "max", 1, 1000000); break;
		default:
			die("usage: memcg-client -p PORT [-s STATUS_FILE] [-e] [-t TIMEOUT_MS] [-m MAX]");
		}
	}
	if (!port || optind != argc)
		die("usage: memcg-client -p PORT [-s STATUS_FILE] [-e] [-t TIMEOUT_MS] [-m MAX]");
	signal(SIGPIPE, SIG_IGN);
	memset(inbuf, 0, sizeof(inbuf));         /* touch them before "ready" */
	memset(outbuf, 0, sizeof(outbuf));
	setvbuf(stdin, inbuf, _IOFBF, sizeof(inbuf));
	setvbuf(stdout, outbuf, _IOLBF, sizeof(outbuf));

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		die("getrlimit: %s", strerror(errno));
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
		die("setrlimit(RLIMIT_NOFILE): %s", strerror(errno));
	if (max < 0 || max > (long)rl.rlim_cur - 64)
		max = (long)rl.rlim_cur - 64;

	if (status_path)
		status_map = map_status_page(status_path);
	if (use_epoll) {
		epfd = epoll_create1(EPOLL_CLOEXEC);
		if (epfd < 0)
			die("epoll_create1: %s", strerror(errno));
	}
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = (timeout_ms % 1000) * 1000;

	status("ready");
	printf("ready pid=%ld nofile=%ld max=%ld\n", (long)getpid(), (long)rl.rlim_cur, max);

	while (fgets(cmd, sizeof(cmd), stdin)) {
		long want;
		const char *st = "ok";

		if (strncmp(cmd, "quit", 4) == 0)
			break;
		if (sscanf(cmd, "connect %ld", &want) != 1) {
			printf("error unknown command\n");
			continue;
		}
		if (want > max)
			want = max;
		last_errno = 0;
		status("connecting");
		while (total < want) {
			int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
			if (fd < 0) {
				last_errno = errno;
				st = classify(errno);
				break;
			}
			if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) != 0)
				die("SO_SNDTIMEO: %s", strerror(errno));
			if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
				struct linger lg = {1, 0};
				last_errno = errno;
				st = classify(errno);
				setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
				close(fd);
				break;
			}
			{
				/* Any close, also the kernel's when we are killed,
				 * sends RST: no TIME_WAIT holding an ephemeral port
				 * (and its bind buckets) after us. */
				struct linger lg = {1, 0};
				setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
			}
			if (use_epoll) {
				struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
				if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
					last_errno = errno;
					st = classify(errno);
					close(fd);
					break;
				}
			}
			if (lo_fd < 0 || fd < lo_fd)
				lo_fd = fd;
			if (fd > hi_fd)
				hi_fd = fd;
			total++;
			status("connecting");
		}
		status(strcmp(st, "ok") == 0 ? "holding" : st);
		printf("connected total=%ld status=%s errno=%d\n", total, st, last_errno);
	}

	/* Close every connection (RST: SO_LINGER was set on each). */
	for (int fd = lo_fd; fd >= 0 && fd <= hi_fd; fd++) {
		if (fd != epfd)
			close(fd);
	}
	status("closed");
	printf("bye\n");
	return 0;
}

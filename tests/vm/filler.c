/*
 * filler.c - opens established, epoll-registered loopback TCP pairs inside a
 * kernel-lab guest (tests/vm/) until the kernel stops it, and says how far
 * it got. Never run on a host: it is built for and copied into the guest's
 * initramfs by tests/vm/lab.sh.
 *
 * usage: filler [-n MAX_PAIRS] [-b BYTES] [-h HALF_PAIRS] [-p EVERY] [-r] [-s STATUS_FILE]
 *               [-w SECONDS]
 *
 *   -n N   stop after N pairs (default: until the kernel refuses)
 *   -b B   the client end of each pair writes B bytes the server end never
 *          reads; a pair whose B bytes are not all queued at the server
 *          (FIONREAD) within 2 s stops the fill: the kernel's tcp_mem limit
 *   -h H   with H pairs open (0: before the first, once the listener and the
 *          epoll instance exist), write state "half" to the status file and
 *          wait until the file STATUS_FILE.go exists (the guest measures or
 *          audits in between); a number in that file is the next pause
 *   -p E   print "LAB step filler pairs=N" on stderr every E pairs
 *   -r     close every socket with a reset (SO_LINGER 0), even when killed, so
 *          that no TIME_WAIT sockets outlive the fill. Not for a fill the OOM
 *          killer ends: a reset is allocated as the victim closes its files,
 *          where an allocation that fails finds nothing left to kill and the
 *          kernel panics; a FIN is allocated atomically and may just fail
 *   -w S   a watchdog: a child, forked before the fill and exempt from the OOM
 *          killer, that asks the kernel for an OOM kill (sysrq f) when no pair
 *          has opened for S seconds while filling. Near the end of memory a
 *          TCG guest can spend many minutes reclaiming slab the open sockets
 *          pin before it declares OOM; the count then is the stop. Root only.
 *   -s F   status file (default /tmp/filler.status), rewritten in place after
 *          every pair with "STATE PAIRS SOCKETS QUEUED_BYTES ERRNO WHERE", so
 *          that the count survives the OOM killer ending this process
 *
 * The pairs are spread over LISTENERS listeners on 127.0.0.1 (audit with
 * --upstreams LISTENERS for the ports row). The soft RLIMIT_NOFILE is raised to the hard one; the guest sets that with
 * prlimit. When the fill stops (limit, refusal, timeout), the line is
 * written with state "stopped", printed to stdout, and the process holds its
 * sockets until stdin reaches EOF (so the guest can audit a full machine),
 * then exits. Both ends of every pair are registered in one epoll instance
 * (EPOLLIN), as an event-driven server holds them.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

/* die() and parse_long(), shared with the bench tools. */
#define BENCH_NAME "filler"
#include "../bench/bench.h"

#define CONNECT_TIMEOUT_MS 5000 /* a SYN the kernel dropped for want of memory */
#define QUEUE_TIMEOUT_MS 2000   /* data the receiver did not take */
/* Listeners the pairs are spread over: connect() looks for a free port per
 * destination, and that search grows slow past half of the ephemeral range
 * (about 14,000 connections to one listener). */
#define LISTENERS 32

static int status_fd = -1;
static const char *status_path = "/tmp/filler.status";
static long pairs;
static long long queued;
static bool reset_on_close;

/* One fixed-width line at offset 0: a reader never sees a torn shorter one. */
static void status(const char *state, int err, const char *where)
{
	char line[128];
	int n = snprintf(line, sizeof(line), "%-8s %10ld %10ld %14lld %-12s %-10s\n", state,
			 pairs, 2 * pairs, queued, err ? strerrorname_np(err) : "-", where);

	if (n < 0 || (size_t)n >= sizeof(line) || pwrite(status_fd, line, (size_t)n, 0) != n)
		die("write %s: %s", status_path, strerror(errno));
}

/* The fill is over: say why, hold every socket until stdin ends, exit. */
__attribute__((noreturn)) static void stop(int err, const char *where)
{
	char buf[64];

	status("stopped", err, where);
	printf("LAB filler stopped pairs=%ld sockets=%ld queued=%lld errno=%s where=%s\n", pairs,
	       2 * pairs, queued, err ? strerrorname_np(err) : "-", where);
	fflush(stdout);
	while (read(0, buf, sizeof(buf)) > 0)
		;
	exit(0);
}

/* The watchdog's loop (-w): reads the status file once a second; while it
 * says "filling" with the same count for `quiet` seconds, writes 'f' to
 * /proc/sysrq-trigger, once per quiet period. Ends with its parent. */
__attribute__((noreturn)) static void watchdog(pid_t parent, long quiet)
{
	char line[128], last[128] = "";
	long still = 0;
	int trigger, fd = open(status_path, O_RDONLY | O_CLOEXEC);
	int oom = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);

	char cmdline[4096];
	int c = open("/proc/cmdline", O_RDONLY | O_CLOEXEC);
	ssize_t cn = c >= 0 ? read(c, cmdline, sizeof(cmdline) - 1) : -1;

	if (c >= 0)
		close(c);
	cmdline[cn > 0 ? cn : 0] = '\0';
	/* Only inside a lab guest (its kernel's command line says lab.test=):
	 * an OOM kill on any other machine is never this tool's to ask for. */
	if (!strstr(cmdline, "lab.test=")) {
		fprintf(stderr, "filler: not in a kernel-lab guest: no watchdog\n");
		_exit(0);
	}
	if (oom >= 0) {
		(void)!write(oom, "-1000", 5);
		close(oom);
	}
	while (fd >= 0 && getppid() == parent) {
		ssize_t n = pread(fd, line, sizeof(line) - 1, 0);

		sleep(1);
		if (n <= 0)
			continue;
		line[n] = '\0';
		if (strncmp(line, "filling", 7) != 0 || strcmp(line, last) != 0) {
			snprintf(last, sizeof(last), "%s", line);
			still = 0;
			continue;
		}
		if (++still < quiet)
			continue;
		still = 0;
		trigger = open("/proc/sysrq-trigger", O_WRONLY);
		if (trigger >= 0) {
			fprintf(stderr, "LAB step watchdog: no pair for %ld s: OOM kill by sysrq\n", quiet);
			(void)!write(trigger, "f", 1);
			close(trigger);
		}
	}
	_exit(0);
}

static int wait_for(int fd, short events, int ms)
{
	struct pollfd p = {.fd = fd, .events = events};
	int r;

	do
		r = poll(&p, 1, ms);
	while (r < 0 && errno == EINTR);
	return r;
}

/* Opens one connected pair on the listener; false (errno set, *where named)
 * when the kernel refuses. */
static bool open_pair(int lfd, const struct sockaddr_in *addr, int ep, int fds[2],
		      const char **where)
{
	static const struct linger reset = {.l_onoff = 1, .l_linger = 0};
	struct epoll_event ev = {.events = EPOLLIN};
	int c, s, err = 0;
	socklen_t len = sizeof(err);

	*where = "socket";
	c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c < 0)
		return false;
	if (reset_on_close)
		(void)setsockopt(c, SOL_SOCKET, SO_LINGER, &reset, sizeof(reset));
	*where = "connect";
	if (connect(c, (const struct sockaddr *)addr, sizeof(*addr)) != 0 && errno != EINPROGRESS)
		return false;
	if (wait_for(c, POLLOUT, CONNECT_TIMEOUT_MS) == 0) {
		errno = ETIMEDOUT;
		return false;
	}
	if (getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
		errno = err ? err : errno;
		return false;
	}
	*where = "accept";
	if (wait_for(lfd, POLLIN, CONNECT_TIMEOUT_MS) == 0) {
		errno = ETIMEDOUT;
		return false;
	}
	s = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (s < 0)
		return false;
	if (reset_on_close)
		(void)setsockopt(s, SOL_SOCKET, SO_LINGER, &reset, sizeof(reset));
	*where = "epoll_ctl";
	ev.data.fd = c;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev) != 0)
		return false;
	ev.data.fd = s;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev) != 0)
		return false;
	fds[0] = c;
	fds[1] = s;
	return true;
}

/* Writes bytes on the client end; true when the server end holds all of it. */
static bool queue_data(int c, int s, long bytes, const char **where)
{
	static char buf[65536];
	long sent = 0;
	int waited = 0, avail = 0;

	*where = "write";
	while (sent < bytes) {
		size_t n = (size_t)(bytes - sent < (long)sizeof(buf) ? bytes - sent : (long)sizeof(buf));
		ssize_t w = write(c, buf, n);

		if (w < 0 && errno == EAGAIN && waited < QUEUE_TIMEOUT_MS) {
			wait_for(c, POLLOUT, 100);
			waited += 100;
			continue;
		}
		if (w < 0) {
			if (errno == EAGAIN)
				errno = ENOBUFS;
			return false;
		}
		sent += w;
	}
	*where = "queue";
	for (waited = 0;; waited += 50) {
		if (ioctl(s, FIONREAD, &avail) != 0)
			return false;
		if (avail >= bytes)
			break;
		if (waited >= QUEUE_TIMEOUT_MS) {
			errno = ENOBUFS;
			return false;
		}
		usleep(50 * 1000);
	}
	queued += avail;
	return true;
}

/* Waits for the go file; returns the next pause count it holds, else -1. */
static long wait_go(const char *go)
{
	char buf[32] = "";
	ssize_t n = -1;
	int fd;

	while ((fd = open(go, O_RDONLY | O_CLOEXEC)) < 0)
		usleep(50 * 1000);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	unlink(go);
	buf[n > 0 ? n : 0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return buf[0] ? parse_long(buf, "next pause", 0, LONG_MAX) : -1;
}

int main(int argc, char **argv)
{
	long max_pairs = -1, bytes = 0, half = -1, every = 0, quiet = 0;
	struct sockaddr_in addr[LISTENERS];
	struct rlimit rl;
	char go[256];
	int opt, lfd[LISTENERS], ep;

	while ((opt = getopt(argc, argv, "n:b:h:p:rs:w:")) != -1) {
		switch (opt) {
		case 'n': max_pairs = parse_long(optarg, "pair count", 0, LONG_MAX); break;
		case 'b': bytes = parse_long(optarg, "byte count", 0, LONG_MAX); break;
		case 'h': half = parse_long(optarg, "half count", 0, LONG_MAX); break;
		case 'p': every = parse_long(optarg, "progress interval", 0, LONG_MAX); break;
		case 'r': reset_on_close = true; break;
		case 's': status_path = optarg; break;
		case 'w': quiet = parse_long(optarg, "watchdog seconds", 1, LONG_MAX); break;
		default:
			fputs("usage: filler [-n MAX_PAIRS] [-b BYTES] [-h HALF_PAIRS] [-p EVERY] [-r] "
			      "[-s STATUS_FILE] [-w SECONDS]\n",
			      stderr);
			return 2;
		}
	}
	snprintf(go, sizeof(go), "%s.go", status_path);
	status_fd = open(status_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (status_fd < 0)
		die("open %s: %s", status_path, strerror(errno));
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	status("filling", 0, "-");
	if (quiet > 0) {
		pid_t parent = getpid(), w = fork();

		if (w < 0)
			die("fork: %s", strerror(errno));
		if (w == 0)
			watchdog(parent, quiet);
	}
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0)
		die("epoll_create1: %s", strerror(errno));
	for (int i = 0; i < LISTENERS; i++) {
		socklen_t alen = sizeof(addr[i]);

		memset(&addr[i], 0, sizeof(addr[i]));
		addr[i].sin_family = AF_INET;
		addr[i].sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		lfd[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (lfd[i] < 0 || bind(lfd[i], (struct sockaddr *)&addr[i], sizeof(addr[i])) != 0 ||
		    listen(lfd[i], 4096) != 0 ||
		    getsockname(lfd[i], (struct sockaddr *)&addr[i], &alen) != 0)
			die("listener: %s", strerror(errno));
	}
	for (;;) {
		const char *where;
		int fds[2];

		if (pairs == half) {
			status("half", 0, "-");
			half = wait_go(go);
			status("filling", 0, "-");
		}
		if (max_pairs >= 0 && pairs >= max_pairs)
			stop(0, "count");
		if (!open_pair(lfd[pairs % LISTENERS], &addr[pairs % LISTENERS], ep, fds, &where))
			stop(errno, where);
		/* A pair whose data the kernel refused is not counted. */
		if (bytes > 0 && !queue_data(fds[0], fds[1], bytes, &where))
			stop(errno, where);
		pairs++;
		status("filling", 0, "-");
		if (every > 0 && pairs % every == 0)
			fprintf(stderr, "LAB step filler pairs=%ld\n", pairs);
	}
}

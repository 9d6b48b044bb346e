/*
 * memcg-server.c - accept idle loopback TCP connections, register each in
 * epoll, and keep them open until killed: the server side of
 * tests/bench/memcg-capacity.sh, which runs it inside a memory cgroup to see
 * how many accepted sockets the cgroup really holds.
 *
 *     cc -O2 -Wall -Wextra -Werror -o /tmp/memcg-server tests/bench/memcg-server.c
 *     /tmp/memcg-server -p 24000 -s /dev/shm/status
 *
 * It is built to charge its memory cgroup as little as possible beyond what
 * the kernel charges for the sockets themselves: no malloc at all (no stdio
 * either: reports are formatted on the stack and written with write(2) or
 * memcpy), nothing stored per connection (the epoll event carries the fd),
 * and every page it uses touched before it reports "ready", so the cgroup's
 * usage at that moment is the server's own baseline.
 *
 * Steps:
 *   1. Raises its soft RLIMIT_NOFILE to the hard limit.
 *   2. Listens on 127.0.0.1:PORT (SO_REUSEADDR; use a port below the
 *      ephemeral range so leftover TIME_WAIT sockets cannot collide),
 *      creates an epoll instance and registers the listener.
 *   3. Maps the status file (-s, at least 4096 bytes, created beforehand by
 *      the caller so that its page is charged to the caller, not to us) and
 *      writes one fixed-width line into it, rewritten after every accept:
 *        "S state=ready     accepted=0000000123 open=0000000123
 *         errors=0000000000 errno=000 eagain=0000000000 pid=0000012345
 *         nofile=0000020000 E\n"   (one line)
 *      state is "ready" (accepting), "full" (accept failed with EMFILE or
 *      ENFILE: it stops accepting), "nomem" (the last accept or epoll_ctl
 *      failed with ENOMEM/ENOBUFS: it backs off 100 ms and retries) or
 *      "error" (another accept error).  A reader checks the leading "S " and
 *      the trailing " E" to reject a torn read.  Without -s the same line is
 *      written to stdout, at most every 100 ms and on every state change.
 *   4. Loops on epoll_wait: accepts one connection per readiness event of
 *      the listener (level triggered, so epoll_wait returns at once while
 *      more are queued; with -m it accepts until accept4 fails with EAGAIN,
 *      like a "multi_accept" server), sets SO_LINGER {1, 0} on it (so that
 *      its close, also by the kernel when the server is killed, sends RST
 *      and leaves no TIME_WAIT behind) and adds it to epoll (EPOLLIN, level
 *      triggered; -n: keep it open but do not register it).  No data is
 *      read or sent.  A registered socket that becomes readable (the peer
 *      closed or reset it) is deregistered and closed, and "open" drops.
 *   5. Runs until killed (SIGTERM, SIGKILL, or the memory cgroup's OOM
 *      killer).  Closing the sockets is left to the kernel.
 *
 * Why one accept per event by default: an accept4() that finds the queue
 * empty still allocates a socket inode, a file and a dentry before it fails
 * with EAGAIN, and frees them; the inode and the dentry go back only after
 * an RCU grace period, and until then they stay charged to the memory
 * cgroup (about 1 KB per EAGAIN).  When the CPUs are busy, grace periods
 * are long and a draining loop can keep a megabyte or more charged, which
 * the cgroup then lacks for sockets.  The status line counts them (eagain=).
 *
 * Usage: memcg-server -p PORT [-s STATUS_FILE] [-b BACKLOG] [-n] [-m]
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
#include <time.h>
#include <unistd.h>

#define BENCH_NAME "memcg-server"
#define BENCH_OWN_DIE
#include "bench.h"

#define NEVENTS 256
#define STATUS_LEN 192

static char *status_map;        /* mapped status file, or NULL: stdout */
static long n_accepted, n_open, n_errors, n_eagain;
static int last_errno;
static const char *state = "ready";
static long nofile;
static struct timespec last_print;

static void die(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n = snprintf(buf, sizeof(buf), "memcg-server: ");
	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof(buf) - (size_t)n - 2, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 2)
		n = (int)sizeof(buf) - 2;
	buf[n++] = '\n';
	if (write(2, buf, (size_t)n) < 0) {
		/* nothing left to report to */
	}
	exit(1);
}

static double since(const struct timespec *t)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

/* Writes the status line; force = print to stdout even if printed < 100 ms ago. */
static void report(int force)
{
	char line[STATUS_LEN];
	int n = snprintf(line, sizeof(line),
			 "S state=%-9s accepted=%010ld open=%010ld errors=%010ld errno=%03d "
			 "eagain=%010ld pid=%010ld nofile=%010ld E\n",
			 state, n_accepted, n_open, n_errors, last_errno, n_eagain, (long)getpid(),
			 nofile);
	if (n <= 0 || n >= (int)sizeof(line))
		die("status line too long");
	if (status_map) {
		/* One memcpy of a fixed-width line: a concurrent reader sees
		 * either the old or the new digits, or a torn line it rejects. */
		memcpy(status_map, line, (size_t)n);
		return;
	}
	if (!force && since(&last_print) < 0.1)
		return;
	clock_gettime(CLOCK_MONOTONIC, &last_print);
	if (write(1, line, (size_t)n) != n)
		_exit(3);
}

int main(int argc, char **argv)
{
	const char *status_path = NULL;
	long port = 0, backlog = 128;
	int use_epoll = 1, multi_accept = 0, opt;
	struct rlimit rl;
	struct sockaddr_in sa;
	struct epoll_event ev, events[NEVENTS];
	struct linger rst = {1, 0};
	int lfd, epfd, one = 1, listening = 1;

	while ((opt = getopt(argc, argv, "p:s:b:nmh")) != -1) {
		switch (opt) {
		case 'p': port = parse_long(optarg, "port", 1, 65535); break;
		case 's': status_path = optarg; break;
		case 'b': backlog = parse_long(optarg, "backlog", 1, 65535); break;
		case 'n': use_epoll = 0; break;
		case 'm': multi_accept = 1; break;
		default:
			die("usage: memcg-server -p PORT [-s STATUS_FILE] [-b BACKLOG] [-n] [-m]");
		}
	}
	if (!port || optind != argc)
		die("usage: memcg-server -p PORT [-s STATUS_FILE] [-b BACKLOG] [-n] [-m]");
	signal(SIGPIPE, SIG_IGN);

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		die("getrlimit: %s", strerror(errno));
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
		die("setrlimit(RLIMIT_NOFILE, %llu): %s", (unsigned long long)rl.rlim_max,
		    strerror(errno));
	nofile = (long)rl.rlim_cur;

	if (status_path)
		status_map = map_status_page(status_path);

	lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (lfd < 0)
		die("socket: %s", strerror(errno));
	if (setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0)
		die("SO_REUSEADDR: %s", strerror(errno));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		die("bind 127.0.0.1:%ld: %s", port, strerror(errno));
	if (listen(lfd, (int)backlog) != 0)
		die("listen: %s", strerror(errno));
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0)
		die("epoll_create1: %s", strerror(errno));
	ev.events = EPOLLIN;
	ev.data.fd = lfd;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, &ev) != 0)
		die("epoll_ctl ADD listener: %s", strerror(errno));

	/* Touch the stack pages epoll_wait and report() will use, now. */
	memset(events, 0, sizeof(events));
	clock_gettime(CLOCK_MONOTONIC, &last_print);
	report(1);

	for (;;) {
		int n = epoll_wait(epfd, events, NEVENTS, 100);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("epoll_wait: %s", strerror(errno));
		}
		for (int i = 0; i < n; i++) {
			int fd = events[i].data.fd;
			if (fd != lfd) {
				/* The peer closed or reset an idle connection. */
				epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL);
				close(fd);
				n_open--;
				report(0);
				continue;
			}
			for (;;) {
				int cfd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
				if (cfd < 0) {
					if (errno == EAGAIN)
						n_eagain++;
					if (errno == EAGAIN || errno == EINTR || errno == ECONNABORTED)
						break;
					n_errors++;
					last_errno = errno;
					if (errno == EMFILE || errno == ENFILE) {
						/* Stop accepting: the queue may hold more. */
						state = "full";
						epoll_ctl(epfd, EPOLL_CTL_DEL, lfd, NULL);
						listening = 0;
					} else if (errno == ENOMEM || errno == ENOBUFS) {
						state = "nomem";
						usleep(100000);
					} else {
						state = "error";
						usleep(100000);
					}
					report(1);
					break;
				}
				/* Closing (also by the kernel when we are killed) sends
				 * RST: no TIME_WAIT or FIN_WAIT2 left behind. */
				setsockopt(cfd, SOL_SOCKET, SO_LINGER, &rst, sizeof(rst));
				if (use_epoll) {
					ev.events = EPOLLIN;
					ev.data.fd = cfd;
					if (epoll_ctl(epfd, EPOLL_CTL_ADD, cfd, &ev) != 0) {
						/* Keep the socket (it is charged) but count the failure. */
						n_errors++;
						last_errno = errno;
						state = (errno == ENOMEM || errno == ENOBUFS) ? "nomem" : "error";
						report(1);
					}
				}
				n_accepted++;
				n_open++;
				report(0);
				if (!multi_accept)
					break;  /* level-triggered: epoll_wait reports the rest */
			}
		}
		if (n == 0 || !listening)
			report(1);
	}
}

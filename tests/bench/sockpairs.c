/*
 * sockpairs.c - hold N idle, established, epoll-registered loopback TCP
 * connection pairs open, for measuring their kernel (slab) memory cost.
 *
 * Used by tests/bench/slab-per-socket.sh, which builds it into a temporary
 * directory.  It can also be run by hand:
 *
 *     cc -O2 -Wall -Wextra -Werror -o /tmp/sockpairs tests/bench/sockpairs.c
 *     /tmp/sockpairs -n 4000
 *
 * Protocol (line based, so a script can take memory snapshots between steps):
 *
 *   1. The parent forks the workers.  Each worker raises its soft
 *      RLIMIT_NOFILE to the hard limit, creates one epoll instance and one
 *      listening socket on 127.0.0.1 (port 0: the kernel picks it) and reports
 *      to the parent through a shared status pipe.  When every worker has
 *      reported, the parent prints "spawned workers=W pairs=N sockets=2N".
 *      Setting the workers up before the sockets are opened keeps the cost of
 *      the processes themselves (task_struct, mm, fdtable, epoll instance,
 *      listener, ...) out of a before/after measurement taken around step 2.
 *   2. The parent reads one line from stdin (e.g. "go"; EOF means: quit now)
 *      and tells each worker to go.  Each worker connect()s its share of
 *      clients to its own listener, accept()s each of them and registers
 *      BOTH ends in its epoll instance (EPOLLIN).  No data is sent.  When
 *      every worker is done the parent prints "ready sockets=2N".
 *   3. The parent waits for EOF (or a line "exit") on stdin, then closes the
 *      workers' control pipes; they set SO_LINGER {1,0} on their sockets (so
 *      closing sends RST and leaves no TIME_WAIT sockets behind to skew the
 *      next measurement) and exit.  The parent reaps them and prints "done".
 *
 * Workers die with the parent (PR_SET_PDEATHSIG and EOF on the control pipe).
 * Errors go to stderr and give a non-zero exit status.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BENCH_NAME "sockpairs"
#include "bench.h"

#define FD_RESERVE 32           /* stdio, epoll, listener, pipes, slack */
#define MAX_PAIRS 50000L        /* keep network experiments bounded */
#define MAX_WORKERS 256
#define STATUS_TIMEOUT_S 60     /* per phase */

struct worker {
	pid_t pid;
	int ctl_w;      /* parent -> worker control pipe, write end */
	long pairs;
	int reaped;
};

static struct worker workers[MAX_WORKERS];
static int nworkers;

static void usage(FILE *f)
{
	fprintf(f,
		"usage: sockpairs [-n PAIRS] [-w MIN_WORKERS] [-p MAX_PAIRS_PER_WORKER]\n"
		"  -n PAIRS   loopback connection pairs to open (default 4000 = 8000 sockets,\n"
		"             at most %ld)\n"
		"  -w N       use at least N worker processes (default 2)\n"
		"  -p N       at most N pairs per worker (default: what the hard\n"
		"             RLIMIT_NOFILE allows)\n"
		"Then: a line on stdin starts opening, EOF on stdin ends.\n", MAX_PAIRS);
}

/* ---------------------------------------------------------------- worker */

static int status_w = -1;

static void report(const char *fmt, ...)
{
	char buf[256];  /* < PIPE_BUF: one write() is atomic */
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		_exit(3);
	if ((size_t)n > sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	if (write(status_w, buf, (size_t)n) != n)
		_exit(3);
}

static void worker_fail(int idx, const char *what)
{
	report("E %d %s: %s", idx, what, strerror(errno));
	_exit(2);
}

/* Read one byte from the control pipe: 1 = got a byte, 0 = EOF. */
static int ctl_read(int fd)
{
	char c;
	for (;;) {
		ssize_t r = read(fd, &c, 1);
		if (r == 1)
			return 1;
		if (r == 0)
			return 0;
		if (errno != EINTR)
			return 0;
	}
}

static void worker_main(int idx, long pairs, int ctl_r)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0)
		worker_fail(idx, "prctl(PR_SET_PDEATHSIG)");
	if (getppid() == 1)
		_exit(1);

	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		worker_fail(idx, "getrlimit");
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
		worker_fail(idx, "setrlimit(RLIMIT_NOFILE)");
	if (rl.rlim_cur != RLIM_INFINITY &&
	    (rlim_t)(2 * pairs + FD_RESERVE) > rl.rlim_cur) {
		errno = EMFILE;
		worker_fail(idx, "too many pairs for RLIMIT_NOFILE");
	}

	int *fds = calloc((size_t)(2 * pairs), sizeof(int));
	if (!fds)
		worker_fail(idx, "calloc");

	int ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0)
		worker_fail(idx, "epoll_create1");

	int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0)
		worker_fail(idx, "socket(listener)");
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = 0;
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		worker_fail(idx, "bind(127.0.0.1:0)");
	if (listen(lfd, 128) != 0)
		worker_fail(idx, "listen");
	socklen_t slen = sizeof(sa);
	if (getsockname(lfd, (struct sockaddr *)&sa, &slen) != 0)
		worker_fail(idx, "getsockname");

	report("S %d port=%u", idx, (unsigned)ntohs(sa.sin_port));

	if (!ctl_read(ctl_r))
		_exit(0);       /* told to quit before opening anything */

	long nfds = 0;
	for (long i = 0; i < pairs; i++) {
		int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (c < 0)
			worker_fail(idx, "socket(client)");
		fds[nfds++] = c;
		while (connect(c, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
			if (errno != EINTR)
				worker_fail(idx, "connect(127.0.0.1)");
		}
		int a;
		while ((a = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) < 0) {
			if (errno != EINTR)
				worker_fail(idx, "accept4");
		}
		fds[nfds++] = a;

		struct epoll_event ev;
		memset(&ev, 0, sizeof(ev));
		ev.events = EPOLLIN;
		ev.data.fd = c;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev) != 0)
			worker_fail(idx, "epoll_ctl(client)");
		ev.data.fd = a;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, a, &ev) != 0)
			worker_fail(idx, "epoll_ctl(accepted)");
	}

	report("R %d sockets=%ld", idx, nfds);

	while (ctl_read(ctl_r))
		;       /* wait for EOF */

	/* Abortive close: no TIME_WAIT leftovers for the next measurement. */
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	for (long i = 0; i < nfds; i++)
		(void)setsockopt(fds[i], SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	_exit(0);
}

/* ---------------------------------------------------------------- parent */

static void kill_workers(void)
{
	for (int i = 0; i < nworkers; i++)
		if (workers[i].pid > 0 && !workers[i].reaped)
			kill(workers[i].pid, SIGKILL);
}

static void fail_parent(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "sockpairs: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	kill_workers();
	while (wait(NULL) > 0)
		;
	exit(1);
}

static void on_signal(int sig)
{
	kill_workers();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Collect one status line of type `want` from every worker. */
static void collect(int status_r, char want)
{
	static char buf[8192];
	static size_t len;
	int got = 0;
	time_t deadline = time(NULL) + STATUS_TIMEOUT_S;
	char *seen = calloc((size_t)nworkers, 1);
	if (!seen)
		fail_parent("calloc");

	while (got < nworkers) {
		/* Any worker gone unexpectedly? */
		int st;
		pid_t p;
		while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
			for (int i = 0; i < nworkers; i++)
				if (workers[i].pid == p)
					workers[i].reaped = 1;
			{
				/* every exit is unexpected here; drain a
				 * pending error message first */
				char tmp[4096];
				struct pollfd dp = { .fd = status_r, .events = POLLIN };
				if (poll(&dp, 1, 100) > 0) {
					ssize_t r = read(status_r, tmp, sizeof(tmp) - 1);
					if (r > 0) {
						tmp[r] = '\0';
						char *e = strstr(tmp, "E ");
						if (e)
							fail_parent("worker error: %s", e + 2);
					}
				}
				fail_parent("worker %d died (status 0x%x)", (int)p, st);
			}
		}

		int left = (int)(deadline - time(NULL));
		if (left <= 0)
			fail_parent("timed out waiting for workers (%d/%d)", got, nworkers);
		struct pollfd pfd = { .fd = status_r, .events = POLLIN };
		int pr = poll(&pfd, 1, left > 1 ? 1000 : left * 1000);
		if (pr < 0) {
			if (errno == EINTR)
				continue;
			fail_parent("poll: %s", strerror(errno));
		}
		if (pr == 0)
			continue;
		ssize_t r = read(status_r, buf + len, sizeof(buf) - 1 - len);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			fail_parent("read(status): %s", strerror(errno));
		}
		if (r == 0)
			fail_parent("all workers closed their status pipe");
		len += (size_t)r;
		buf[len] = '\0';

		char *line = buf, *nl;
		while ((nl = strchr(line, '\n')) != NULL) {
			*nl = '\0';
			char type = line[0];
			int idx = -1;
			if (type == 'E')
				fail_parent("worker error: %s", line + 2);
			if (sscanf(line + 1, " %d", &idx) != 1 || idx < 0 ||
			    idx >= nworkers)
				fail_parent("bad status line '%s'", line);
			if (type != want)
				fail_parent("unexpected status line '%s'", line);
			if (!seen[idx]) {
				seen[idx] = 1;
				got++;
			}
			line = nl + 1;
		}
		len = strlen(line);
		memmove(buf, line, len + 1);
	}
	free(seen);
}

/* Read one line from stdin: 1 = line, 0 = EOF. */
static int stdin_line(char *buf, size_t n)
{
	if (fgets(buf, (int)n, stdin) == NULL)
		return 0;
	return 1;
}

int main(int argc, char **argv)
{
	long pairs = 4000, min_workers = 2, max_per_worker = 0;
	int opt;

	while ((opt = getopt(argc, argv, "n:w:p:h")) != -1) {
		switch (opt) {
		case 'n': pairs = parse_long(optarg, "pair count", 1, MAX_PAIRS); break;
		case 'w': min_workers = parse_long(optarg, "worker count", 1, MAX_WORKERS); break;
		case 'p': max_per_worker = parse_long(optarg, "pairs per worker", 1, MAX_PAIRS); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}

	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		die("getrlimit: %s", strerror(errno));
	long cap;
	if (rl.rlim_max == RLIM_INFINITY || rl.rlim_max > (rlim_t)(2 * MAX_PAIRS + FD_RESERVE))
		cap = MAX_PAIRS;
	else
		cap = ((long)rl.rlim_max - FD_RESERVE) / 2;
	if (cap < 1)
		die("hard RLIMIT_NOFILE %ld is too small", (long)rl.rlim_max);
	if (max_per_worker > 0 && max_per_worker < cap)
		cap = max_per_worker;

	long nw = (pairs + cap - 1) / cap;
	if (nw < min_workers)
		nw = min_workers;
	if (nw > pairs)
		nw = pairs;
	if (nw > MAX_WORKERS)
		die("%ld workers needed, at most %d allowed", nw, MAX_WORKERS);
	nworkers = (int)nw;

	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGHUP, on_signal);

	int sp[2];
	if (pipe2(sp, O_CLOEXEC) != 0)
		die("pipe: %s", strerror(errno));

	for (int i = 0; i < nworkers; i++) {
		long share = pairs / nworkers + (i < pairs % nworkers ? 1 : 0);
		int cp[2];
		if (pipe2(cp, O_CLOEXEC) != 0)
			fail_parent("pipe: %s", strerror(errno));
		fflush(NULL);
		pid_t pid = fork();
		if (pid < 0)
			fail_parent("fork: %s", strerror(errno));
		if (pid == 0) {
			signal(SIGTERM, SIG_DFL);
			signal(SIGINT, SIG_DFL);
			signal(SIGHUP, SIG_DFL);
			close(sp[0]);
			close(cp[1]);
			for (int j = 0; j < i; j++)
				close(workers[j].ctl_w);
			status_w = sp[1];
			worker_main(i, share, cp[0]);
			_exit(0);
		}
		close(cp[0]);
		workers[i].pid = pid;
		workers[i].ctl_w = cp[1];
		workers[i].pairs = share;
	}
	close(sp[1]);

	collect(sp[0], 'S');
	printf("spawned workers=%d pairs=%ld sockets=%ld\n", nworkers, pairs, 2 * pairs);
	fflush(stdout);

	char line[256];
	if (stdin_line(line, sizeof(line)) && strncmp(line, "exit", 4) != 0) {
		for (int i = 0; i < nworkers; i++)
			if (write(workers[i].ctl_w, "g", 1) != 1)
				fail_parent("write(control): %s", strerror(errno));
		collect(sp[0], 'R');
		printf("ready workers=%d pairs=%ld sockets=%ld\n", nworkers, pairs, 2 * pairs);
		fflush(stdout);
		while (stdin_line(line, sizeof(line)) && strncmp(line, "exit", 4) != 0)
			;
	}

	for (int i = 0; i < nworkers; i++)
		close(workers[i].ctl_w);
	int rc = 0;
	for (int i = 0; i < nworkers; i++) {
		int st;
		if (workers[i].reaped)
			continue;
		if (waitpid(workers[i].pid, &st, 0) < 0) {
			fprintf(stderr, "sockpairs: waitpid: %s\n", strerror(errno));
			rc = 1;
			continue;
		}
		workers[i].reaped = 1;
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			fprintf(stderr, "sockpairs: worker %d exited with status 0x%x\n",
				(int)workers[i].pid, st);
			rc = 1;
		}
	}
	printf("done\n");
	fflush(stdout);
	return rc;
}

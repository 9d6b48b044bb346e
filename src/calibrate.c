#include "calibrate.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "json_read.h"
#include "facts.h"
#include "listeners.h"
#include "parse.h"
#include "u64.h"

#define MAX_WORKERS 64
#define FD_RESERVE 16      /* stdio, epoll, listener, control socket, slack */
#define REPLY_TIMEOUT_MS 60000
#define CONNECT_TIMEOUT_MS 10000
#define ACCEPT_WAIT_MS 10000  /* --pid: how long the server may take to accept a step */
#define SETTLE_MS 300         /* --pid: for the server to read what a step sent */
#define HOST_STEPS 4
#define PID_STEPS 5
#define TREE_MAX 512          /* processes of one server */
#define SLAB_CACHES_MAX 1024

/* Commands from the parent to a worker: one byte and a count; a worker
 * answers each with a struct reply. */
enum { CMD_CONNECT = 'c', CMD_ACCEPT = 'a', CMD_WRITE = 'w', CMD_MEMINFO = 'm', CMD_QUIT = 'q' };

struct request {
	unsigned char cmd;
	uint64_t count;
};

struct reply {
	int32_t err;    /* 0 or an errno */
	uint64_t value; /* sockets connected, accepted, or bytes charged */
};

struct worker {
	pid_t pid;
	int ctl;          /* the parent's end of the control socket */
	uint64_t quota;   /* connections it holds at the end */
	uint64_t held;    /* connections it holds now */
};

/* Where workers connect, and what they send. */
struct target {
	bool own;                      /* to a listener of their own (host calibration) */
	struct sockaddr_storage addr;  /* else to this one */
	socklen_t alen;
	const char *send;
	size_t sendlen;
	int netns;                     /* a namespace to enter first, or -1 */
};

/* Workers to kill and reap if a signal ends the parent (read in a handler). */
static volatile sig_atomic_t nworkers_alive;
static pid_t worker_pids[MAX_WORKERS];

static void on_signal(int sig)
{
	for (sig_atomic_t i = 0; i < nworkers_alive; i++)
		kill(worker_pids[i], SIGKILL);
	/* Reaped here, not left to init: a PID 1 that does not reap would keep
	 * them as zombies. waitpid is async-signal-safe. */
	for (sig_atomic_t i = 0; i < nworkers_alive; i++)
		while (waitpid(worker_pids[i], NULL, 0) < 0 && errno == EINTR)
			;
	nworkers_alive = 0;
	/* Blocked while this handler runs: delivered, by default, as it returns. */
	signal(sig, SIG_DFL);
	raise(sig);
}

static bool read_all(int fd, void *buf, size_t n)
{
	for (size_t got = 0; got < n;) {
		ssize_t r = read(fd, (char *)buf + got, n - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		got += (size_t)r;
	}
	return true;
}

static int answer(int ctl, int err, uint64_t value)
{
	struct reply r = {err, value};

	return write(ctl, &r, sizeof(r)) == (ssize_t)sizeof(r) ? 0 : -1;
}

/* Registers fd in ep for input, as a server does each socket it holds:
 * 0, or an errno. */
static int watch(int ep, int fd)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == 0 ? 0 : errno;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Connects n more sockets of fd[] to t (non-blocking, all at once, then
 * waits for them together), registers each in ep and sends t->send.
 * Returns how many connected; *err is the first failure. */
static uint64_t connect_many(const struct target *t, int ep, int *fd, uint64_t n, int *err)
{
	struct pollfd *p = calloc(n ? n : 1, sizeof(*p));
	uint64_t started = 0, done = 0, deadline = now_ms() + CONNECT_TIMEOUT_MS;

	*err = 0;
	if (!p) {
		*err = ENOMEM;
		return 0;
	}
	for (; started < n; started++) {
		int c = socket(t->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

		if (c < 0) {
			*err = errno;
			break;
		}
		fd[started] = c;
		p[started] = (struct pollfd){.fd = c, .events = POLLOUT};
		if (connect(c, (const struct sockaddr *)&t->addr, t->alen) != 0 &&
		    errno != EINPROGRESS) {
			*err = errno;
			close(c);
			break;
		}
	}
	for (uint64_t pending = started; pending > 0 && !*err;) {
		int64_t left = (int64_t)(deadline - now_ms());
		int r;

		if (left <= 0) {
			*err = ETIMEDOUT;
			break;
		}
		r = poll(p, (nfds_t)started, (int)left);
		if (r < 0 && errno != EINTR) {
			*err = errno;
			break;
		}
		for (uint64_t i = 0; i < started && r > 0; i++) {
			int e = 0;
			socklen_t el = sizeof(e);

			if (p[i].fd < 0 || p[i].revents == 0)
				continue;
			getsockopt(p[i].fd, SOL_SOCKET, SO_ERROR, &e, &el);
			if (e && !*err)
				*err = e;
			p[i].fd = -1;
			pending--;
		}
	}
	/* Keep the ones that connected, in order; close the rest. */
	for (uint64_t i = 0; i < started; i++) {
		int e = 0;
		socklen_t el = sizeof(e);

		if (getsockopt(fd[i], SOL_SOCKET, SO_ERROR, &e, &el) != 0 || e != 0 ||
		    p[i].fd >= 0) {
			close(fd[i]);
			continue;
		}
		if (watch(ep, fd[i]) != 0 ||
		    (t->sendlen && send(fd[i], t->send, t->sendlen, MSG_NOSIGNAL) !=
					   (ssize_t)t->sendlen)) {
			if (!*err)
				*err = errno ? errno : EIO;
			close(fd[i]);
			continue;
		}
		fd[done++] = fd[i];
	}
	free(p);
	return done;
}

/* What the kernel charges a socket for its queues: received and queued
 * bytes at truesize plus the memory it has reserved ahead (SO_MEMINFO).
 * Exact per socket, unlike proc/net/sockstat, whose total lags by the
 * per-CPU reserve (net.core.mem_pcpu_rsv) of every CPU. */
static uint64_t charged_bytes(const int *fd, uint64_t n)
{
	uint64_t total = 0;

	for (uint64_t i = 0; i < n; i++) {
		uint32_t m[SK_MEMINFO_VARS];
		socklen_t ml = sizeof(m);

		if (getsockopt(fd[i], SOL_SOCKET, SO_MEMINFO, m, &ml) != 0 || ml < sizeof(m))
			continue;
		total += (uint64_t)m[SK_MEMINFO_RMEM_ALLOC] + m[SK_MEMINFO_WMEM_QUEUED] +
			 m[SK_MEMINFO_FWD_ALLOC];
	}
	return total;
}

static void worker_setup(void)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
	sigset_t all;
	struct rlimit rl;

	nworkers_alive = 0;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		signal(sigs[i], SIG_DFL);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() == 1)
		_exit(1);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* A worker holds up to `quota` connections. With a listener of its own it
 * connects to it and accepts when told, so both ends are its sockets; else
 * it connects to the target. Every socket is registered in one epoll
 * instance, as a server registers the sockets it holds. */
__attribute__((noreturn)) static void worker(int ctl, uint64_t quota, struct target t)
{
	struct sockaddr_in *own = (struct sockaddr_in *)&t.addr;
	int *cl = calloc(quota ? quota : 1, sizeof(int)), *sv = calloc(quota ? quota : 1, sizeof(int));
	uint64_t nc = 0, na = 0;
	static char payload[CALIBRATE_PAYLOAD];
	int ep, ls = -1;
	struct request rq;

	worker_setup();
	if (t.netns >= 0 && setns(t.netns, CLONE_NEWNET) != 0) {
		answer(ctl, errno, 0);
		_exit(1);
	}
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (t.own) {
		socklen_t alen = sizeof(*own);

		memset(&t.addr, 0, sizeof(t.addr));
		own->sin_family = AF_INET;
		own->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		t.alen = sizeof(*own);
		ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (ls < 0 || bind(ls, (struct sockaddr *)own, sizeof(*own)) != 0 ||
		    listen(ls, 4096) != 0 || getsockname(ls, (struct sockaddr *)own, &alen) != 0) {
			answer(ctl, errno ? errno : EIO, 0);
			_exit(1);
		}
	}
	if (!cl || !sv || ep < 0) {
		answer(ctl, errno ? errno : ENOMEM, 0);
		_exit(1);
	}
	answer(ctl, 0, 0);
	while (read_all(ctl, &rq, sizeof(rq)) && rq.cmd != CMD_QUIT) {
		int err = 0;
		uint64_t value = 0;

		if (rq.cmd == CMD_CONNECT) {
			value = connect_many(&t, ep, cl + nc, u64_min(rq.count, quota - nc), &err);
			nc += value;
		} else if (rq.cmd == CMD_ACCEPT) {
			while (na < nc && !err) {
				int s = accept4(ls, NULL, NULL, SOCK_CLOEXEC);

				if (s < 0) {
					err = errno;
					break;
				}
				err = watch(ep, s);
				sv[na++] = s;
			}
			value = na;
		} else if (rq.cmd == CMD_WRITE) {
			for (uint64_t i = 0; i < nc && !err; i++)
				if (write(cl[i], payload, sizeof(payload)) != (ssize_t)sizeof(payload))
					err = errno ? errno : EIO;
		} else if (rq.cmd == CMD_MEMINFO) {
			value = charged_bytes(cl, nc) + charged_bytes(sv, na);
		}
		if (answer(ctl, err, value) != 0)
			break;
	}
	/* Close with a reset: no TIME_WAIT sockets are left behind. */
	for (uint64_t i = 0; i < nc; i++) {
		struct linger lg = {1, 0};
		setsockopt(cl[i], SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	}
	_exit(0);
}

/* Sends each worker cmd with count[i] (or 0) and collects the replies'
 * values into value[i] (or nowhere). */
static int command(struct worker *w, size_t n, unsigned char cmd, const uint64_t *count,
		   uint64_t *value, char *err, size_t errsize)
{
	for (size_t i = 0; i < n; i++) {
		struct request rq = {cmd, count ? count[i] : 0};

		if (write(w[i].ctl, &rq, sizeof(rq)) != (ssize_t)sizeof(rq)) {
			snprintf(err, errsize, "cannot command a calibration worker: %s", strerror(errno));
			return -1;
		}
	}
	for (size_t i = 0; i < n; i++) {
		struct pollfd p = {.fd = w[i].ctl, .events = POLLIN};
		struct reply r;

		if (poll(&p, 1, REPLY_TIMEOUT_MS) != 1 || !read_all(w[i].ctl, &r, sizeof(r))) {
			snprintf(err, errsize, "a calibration worker did not answer within %d s",
				 REPLY_TIMEOUT_MS / 1000);
			return -1;
		}
		if (value)
			value[i] = r.value;
		if (r.err != 0 && cmd != CMD_CONNECT) {
			snprintf(err, errsize, "a calibration worker failed at '%c': %s", cmd,
				 strerror(r.err));
			return -1;
		}
	}
	return 0;
}

/* The slab as /proc/slabinfo tells it: every cache's active objects and
 * slab geometry. */
struct slab_row {
	char name[48];
	uint64_t active, objperslab, pagesperslab;
};

struct counters {
	uint64_t slab_kb;          /* Slab in proc/meminfo */
	bool slabinfo;             /* proc/slabinfo could be read */
	size_t ncaches;
	struct slab_row caches[SLAB_CACHES_MAX];
	bool memcg;
	uint64_t memcg_bytes;
	bool anon;                 /* --pid: the server's anonymous memory */
	uint64_t anon_kb;
};

/* The kernel folds per-CPU statistics into /proc/meminfo only every
 * vm.stat_interval (a second): a write to vm/stat_refresh folds them now
 * (root only); otherwise wait for the next fold. */
static void refresh_stats(void)
{
	int fd = open("/proc/sys/vm/stat_refresh", O_WRONLY | O_CLOEXEC);

	if (fd >= 0 && write(fd, "1\n", 2) == 2) {
		close(fd);
		return;
	}
	if (fd >= 0)
		close(fd);
	sleep_ms(1100);
}

/* SLUB counts every object of a per-CPU slab as active: objects freed just
 * before (sockets another program closed) wait there, and new sockets take
 * them without the active count rising, so the figure under-counts (by a
 * fifth measured here right after 32,000 sockets were closed). Shrinking
 * each cache the model counts (root only: sys/kernel/slab/NAME/shrink)
 * moves them to the node's lists, where slabinfo counts them free. Only
 * the host's own caches, and only memory released: failures are ignored
 * (SLAB and unprivileged runs have no such file; the per-CPU slab's
 * uncertainty is in the figure's). */
static void flush_cpu_slabs(void)
{
	for (int c = 0; c < CACHE_COUNT; c++) {
		char path[128];
		int fd;
		ssize_t n;

		snprintf(path, sizeof(path), "/sys/kernel/slab/%s/shrink",
			 slab_cache_name((enum slab_cache)c));
		if ((fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
			continue;
		n = write(fd, "1\n", 2); /* failed: the cache is as it was */

		(void)n;
		close(fd);
	}
}

static void parse_caches(const char *text, size_t len, struct counters *c)
{
	c->ncaches = 0;
	for (size_t pos = 0; pos < len && c->ncaches < SLAB_CACHES_MAX;) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		char line[256];
		struct slab_row *r = &c->caches[c->ncaches];
		unsigned long long a, num, osz, per, pages;

		snprintf(line, sizeof(line), "%.*s", (int)(n < 255 ? n : 255), text + pos);
		pos += n + 1;
		if (line[0] == '#' || strncmp(line, "slabinfo", 8) == 0)
			continue;
		if (sscanf(line, "%47s %llu %llu %llu %llu %llu", r->name, &a, &num, &osz, &per,
			   &pages) != 6 || per == 0)
			continue;
		r->active = a;
		r->objperslab = per;
		r->pagesperslab = pages;
		c->ncaches++;
	}
	c->slabinfo = c->ncaches > 0;
}

static uint64_t effective_milli(const struct slab_row *r, uint64_t page_size)
{
	return u64_muldiv(r->pagesperslab * page_size, 1000, r->objperslab);
}

static const struct slab_row *find_cache(const struct counters *c, size_t hint, const char *name)
{
	if (hint < c->ncaches && strcmp(c->caches[hint].name, name) == 0)
		return &c->caches[hint];
	for (size_t j = 0; j < c->ncaches; j++)
		if (strcmp(c->caches[j].name, name) == 0)
			return &c->caches[j];
	return NULL;
}

/* Objects of the model's caches that changed between two snapshots, in
 * all (a merged cache counts once per name: an upper bound is enough). */
static uint64_t caches_moved(const struct counters *a, const struct counters *b)
{
	uint64_t moved = 0;

	for (int c = 0; c < CACHE_COUNT; c++) {
		const char *name = slab_cache_name((enum slab_cache)c);
		const struct slab_row *x = find_cache(a, 0, name), *y = find_cache(b, 0, name);

		if (x && y)
			moved += x->active > y->active ? x->active - y->active : y->active - x->active;
	}
	return moved;
}

static int64_t active_change(const struct counters *a, const struct counters *b, size_t i)
{
	const struct slab_row *o = find_cache(a, i, b->caches[i].name);

	return (int64_t)b->caches[i].active - (int64_t)(o ? o->active : 0);
}

static int cmp_i64(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;

	return (a > b) - (a < b);
}

/* What the slab's active objects say a socket costs over the steps of c[]
 * (c[i] before step i, c[steps] after the last; sockets[i] added by step
 * i), in bytes: for each cache, the median over the steps of its change
 * per socket, at its effective size (free slots in partly used slabs
 * cannot hide an object; one burst elsewhere on the host, such as dentries
 * reclaimed, moves one step, not the median). /proc readers' inodes, and a
 * dentry each, are left out and their bytes added to *proc. Only the
 * caches that grew by a quarter object per socket or more count: the
 * sockets' own. *grown: their slab bytes, for the uncertainty. */
static int64_t active_per_socket(const struct counters *c, const uint64_t *sockets, size_t steps,
				 uint64_t ps, uint64_t *proc, uint64_t *grown)
{
	const struct counters *last = &c[steps];
	int64_t milli = 0, dentry_milli = 0, proc_milli = 0;
	uint64_t total = 0;

	*grown = 0;
	for (size_t s = 0; s < steps; s++)
		total += sockets[s];
	for (size_t i = 0; i < last->ncaches; i++) {
		const struct slab_row *r = &last->caches[i];
		int64_t per[PID_STEPS + HOST_STEPS], all = active_change(&c[0], last, i), med;

		size_t n = 0;

		for (size_t s = 0; s < steps; s++)
			if (sockets[s])
				per[n++] = active_change(&c[s], &c[s + 1], i) * 1000000 /
					   (int64_t)sockets[s];
		if (n == 0)
			continue;
		qsort(per, n, sizeof(per[0]), cmp_i64);
		med = n % 2 ? per[n / 2] : (per[n / 2 - 1] + per[n / 2]) / 2; /* micro-objects */
		if (strcmp(r->name, "dentry") == 0)
			dentry_milli = (int64_t)effective_milli(r, ps);
		if (strcmp(r->name, "proc_inode_cache") == 0) {
			proc_milli = all > 0 ? all : 0;
			continue;
		}
		/* A cache the sockets do not use is left out: it only moves with
		 * the rest of the host (TIME_WAIT sockets expiring, reclaim). */
		if (med < 250000)
			continue;
		*grown += r->pagesperslab * ps;
		milli += med * (int64_t)effective_milli(r, ps) / 1000000;
	}
	if (proc)
		*proc += (uint64_t)(proc_milli * dentry_milli) / 1000;
	milli -= total ? proc_milli * dentry_milli / (int64_t)total : 0;
	return milli / 1000;
}

/* The server measured by --pid: its processes (it and its descendants),
 * its cgroup's charge, and the listener the workers connect to. */
struct server {
	unsigned pid;
	pid_t tree[TREE_MAX];
	size_t ntree;
	struct listener listener;
	bool found;
	const char *memcg_file; /* its cgroup's charge, under the root */
	uint64_t inodes[4096];  /* its socket inodes */
	size_t ninodes;
};

static int read_counters(const struct source *src, const char *memcg_file,
			 const struct server *s, struct counters *c, char *err, size_t errsize)
{
	struct text t;

	c->memcg = c->anon = c->slabinfo = false;
	c->memcg_bytes = c->anon_kb = 0;
	refresh_stats();
	if (src->read(src, "proc/meminfo", &t) != FACT_OK ||
	    parse_meminfo(t.data, t.len, "Slab", &c->slab_kb) != PARSE_OK) {
		text_free(&t);
		snprintf(err, errsize, "cannot read 'Slab' in 'proc/meminfo'");
		return -1;
	}
	text_free(&t);
	if (src->read(src, "proc/slabinfo", &t) == FACT_OK)
		parse_caches(t.data, t.len, c);
	text_free(&t);
	if (memcg_file && src->read(src, memcg_file, &t) == FACT_OK)
		c->memcg = parse_cgroup_value(t.data, t.len, &c->memcg_bytes) == PARSE_OK;
	text_free(&t);
	for (size_t i = 0; s && i < s->ntree; i++) {
		char path[64];
		uint64_t kb;

		snprintf(path, sizeof(path), "proc/%d/smaps_rollup", (int)s->tree[i]);
		if (src->read(src, path, &t) == FACT_OK &&
		    parse_meminfo(t.data, t.len, "Anonymous", &kb) == PARSE_OK) {
			c->anon = true;
			c->anon_kb += kb;
		}
		text_free(&t);
	}
	return 0;
}

__attribute__((format(printf, 2, 3))) static void note(struct calibration *c, const char *fmt, ...)
{
	va_list ap;

	if (c->nnotes >= CALIBRATION_NOTES)
		return;
	va_start(ap, fmt);
	vsnprintf(c->notes[c->nnotes++], sizeof(c->notes[0]), fmt, ap);
	va_end(ap);
}

/* A bar on a terminal: what is being done and how far. */
static void progress(const struct calibrate_options *opt, const char *what, uint64_t done,
		     uint64_t total)
{
	char bar[31];
	uint64_t fill = total ? u64_min(done, total) * 30 / total : 0;

	if (!opt->progress)
		return;
	for (uint64_t i = 0; i < 30; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[30] = '\0';
	fprintf(stderr, "\rcalibrate [%s] %-28s", bar, what);
}

static void stop_workers(struct worker *w, size_t n)
{
	struct request q = {CMD_QUIT, 0};

	for (size_t i = 0; i < n; i++)
		if (write(w[i].ctl, &q, sizeof(q)) != (ssize_t)sizeof(q))
			kill(w[i].pid, SIGKILL);
	for (size_t i = 0; i < n; i++) {
		close(w[i].ctl);
		while (waitpid(w[i].pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	nworkers_alive = 0;
}

/* Starts workers for `total` connections, each holding at most what its
 * descriptors allow (each connection costs `fds_each` of them). Signals
 * are blocked while a worker is forked and registered, so the handler
 * always knows every worker there is. */
static int start_workers(uint64_t total, uint64_t fds_each, const struct target *t,
			 struct worker *w, size_t *nw, char *err, size_t errsize)
{
	struct rlimit rl;
	uint64_t per, left = total;
	sigset_t block, old;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_max <= FD_RESERVE + 2) {
		snprintf(err, errsize, "RLIMIT_NOFILE is too small to calibrate");
		return -1;
	}
	per = (u64_min(rl.rlim_max, 1u << 20) - FD_RESERVE) / fds_each;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	*nw = 0;
	while (left > 0) {
		int sv[2];
		pid_t pid;

		if (*nw == MAX_WORKERS) {
			snprintf(err, errsize, "%llu connections need more than %d workers",
				 (unsigned long long)total, MAX_WORKERS);
			return -1;
		}
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
			snprintf(err, errsize, "cannot start a calibration worker: %s", strerror(errno));
			return -1;
		}
		w[*nw] = (struct worker){.quota = u64_min(per, left)};
		sigprocmask(SIG_BLOCK, &block, &old);
		pid = fork();
		if (pid == 0) {
			close(sv[0]);
			worker(sv[1], w[*nw].quota, *t);
		}
		if (pid > 0) {
			worker_pids[*nw] = pid;
			nworkers_alive = (sig_atomic_t)(*nw + 1);
		}
		sigprocmask(SIG_SETMASK, &old, NULL);
		close(sv[1]);
		if (pid < 0) {
			snprintf(err, errsize, "cannot start a calibration worker: %s", strerror(errno));
			close(sv[0]);
			return -1;
		}
		w[*nw].pid = pid;
		w[*nw].ctl = sv[0];
		left -= w[*nw].quota;
		(*nw)++;
	}
	/* Every worker answers once it is ready. */
	for (size_t i = 0; i < *nw; i++) {
		struct pollfd p = {.fd = w[i].ctl, .events = POLLIN};
		struct reply r = {0, 0};

		if (poll(&p, 1, REPLY_TIMEOUT_MS) != 1 || !read_all(w[i].ctl, &r, sizeof(r)) ||
		    r.err != 0) {
			snprintf(err, errsize, "a calibration worker could not start: %s",
				 r.err ? strerror(r.err) : "no answer");
			return -1;
		}
	}
	return 0;
}

/* Sets trusted and the notes that say why not: a figure outside what any
 * TCP socket costs, or one whose uncertainty is above
 * CALIBRATE_TRUSTED_PERCENT of it. */
static void judge(struct calibration *out)
{
	uint64_t k = out->kernel_bytes_per_socket;

	out->trusted = true;
	if (k < CALIBRATE_MIN_SOCKET_BYTES || k > CALIBRATE_MAX_SOCKET_BYTES) {
		out->trusted = false;
		note(out, "implausible: %llu B per socket is outside %u..%u B, what a TCP socket's "
			  "objects can cost; not saved",
		     (unsigned long long)k, CALIBRATE_MIN_SOCKET_BYTES, CALIBRATE_MAX_SOCKET_BYTES);
	} else if (out->kernel_uncertainty_bytes * 100 > k * CALIBRATE_TRUSTED_PERCENT) {
		out->trusted = false;
		note(out, "uncertain: %llu +/- %llu B per socket (more than %d%%) with %llu sockets; "
			  "use more --connections; not saved",
		     (unsigned long long)k, (unsigned long long)out->kernel_uncertainty_bytes,
		     CALIBRATE_TRUSTED_PERCENT, (unsigned long long)out->sockets);
	}
}

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;

	return (a > b) - (a < b);
}

/* The range of v[0..n) without its highest and lowest value (all of it
 * for fewer than four). Sorts v. */
static uint64_t inner_range(uint64_t *v, size_t n)
{
	if (n == 0)
		return 0;
	qsort(v, n, sizeof(v[0]), cmp_u64);
	return n >= 4 ? v[n - 2] - v[1] : v[n - 1] - v[0];
}

/* CPUs online, at least 1: each keeps its own free slab slots and its own
 * stock of charged pages. */
static uint64_t online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (uint64_t)n : 1;
}

/* What the slab says per socket over steps [from, to) of snapshots c[]:
 * the figure, its spread over the steps, its uncertainty (one slab per CPU
 * per cache that grew, over the sockets, or the steps' scatter, whichever
 * is more) and the Slab total's growth as a cross-check. sockets[i] is how many sockets step i added. */
static void kernel_figures(const struct counters *c, const uint64_t *sockets, size_t steps,
			   uint64_t ps, struct calibration *out)
{
	uint64_t total = 0, after_fill = 0, grown = 0, proc = 0;
	uint64_t per_step[HOST_STEPS + PID_STEPS];
	size_t nsteps = 0;
	uint64_t ncpu = online_cpus();

	for (size_t i = 0; i < steps; i++)
		total += sockets[i];
	for (size_t i = 1; i < steps; i++)
		after_fill += sockets[i];
	if (total == 0)
		return;
	out->kernel_bytes_min = UINT64_MAX;
	if (c[0].slabinfo && c[steps].slabinfo) {
		int64_t bytes = active_per_socket(c, sockets, steps, ps, &proc, &grown);

		out->proc_inode_bytes = proc;
		out->kernel_bytes_per_socket = bytes > 0 ? (uint64_t)bytes : 0;
		out->kernel_uncertainty_bytes = ncpu * grown / total;
		for (size_t i = 0; i < steps; i++) {
			uint64_t g;
			int64_t b = sockets[i] ? active_per_socket(&c[i], &sockets[i], 1, ps, NULL, &g)
					       : 0;
			uint64_t per = b > 0 ? (uint64_t)b : 0;

			out->kernel_bytes_min = u64_min(out->kernel_bytes_min, per);
			out->kernel_bytes_max = u64_max(out->kernel_bytes_max, per);
			per_step[nsteps++] = per;
		}
	} else {
		/* Without slabinfo (unprivileged) only the Slab total: the first
		 * step fills free slots of partly used slabs and is left out. */
		out->kernel_bytes_per_socket =
			after_fill ? u64_sat_sub(c[steps].slab_kb, c[1].slab_kb) * 1024 / after_fill : 0;
		out->kernel_uncertainty_bytes =
			ncpu * 6 * 32768 / (after_fill ? after_fill : 1);
		for (size_t i = 1; i < steps; i++) {
			uint64_t per = sockets[i] ? u64_sat_sub(c[i + 1].slab_kb, c[i].slab_kb) * 1024 /
							     sockets[i]
						  : 0;

			out->kernel_bytes_min = u64_min(out->kernel_bytes_min, per);
			out->kernel_bytes_max = u64_max(out->kernel_bytes_max, per);
			per_step[nsteps++] = per;
		}
		note(out, "proc/slabinfo is not readable (run as root for that): the Slab total "
			  "only, after a first step that fills free slots; more free slots than "
			  "that step fills still under-count");
	}
	if (out->kernel_bytes_min == UINT64_MAX)
		out->kernel_bytes_min = 0;
	/* The steps' own scatter counts too, when that is more: half the range
	 * of the steps without the highest and the lowest (one burst elsewhere
	 * on the host moves one step, and the figure, a median per cache,
	 * leaves it out as well). */
	out->kernel_uncertainty_bytes = u64_max(out->kernel_uncertainty_bytes,
						inner_range(per_step, nsteps) / 2);
	/* Whatever grew or not: each of the four caches every socket holds
	 * (TCP, sock_inode_cache, filp, dentry) may hide up to a page of free
	 * slots per CPU, so so few sockets can never be told closer than that. */
	out->kernel_uncertainty_bytes = u64_max(out->kernel_uncertainty_bytes,
						ncpu * 4 * ps / total);
	if (after_fill)
		out->slab_bytes_per_socket =
			u64_sat_sub(c[steps].slab_kb, c[1].slab_kb) * 1024 / after_fill;
	if (c[0].slabinfo && out->slab_bytes_per_socket * 100 < out->kernel_bytes_per_socket * 85)
		note(out, "the Slab total grew only %llu B per socket: new sockets filled free "
			  "slots of slabs other sockets had left (counted by active objects)",
		     (unsigned long long)out->slab_bytes_per_socket);
}

static void install_handlers(struct sigaction *old)
{
	static const int sigs[3] = {SIGINT, SIGTERM, SIGHUP};
	struct sigaction sa = {.sa_handler = on_signal};

	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < 3; i++)
		sigaction(sigs[i], &sa, &old[i]);
}

static void restore_handlers(const struct sigaction *old)
{
	static const int sigs[3] = {SIGINT, SIGTERM, SIGHUP};

	for (size_t i = 0; i < 3; i++)
		sigaction(sigs[i], &old[i], NULL);
}

static uint64_t sum(const uint64_t *v, size_t n)
{
	uint64_t s = 0;

	for (size_t i = 0; i < n; i++)
		s += v[i];
	return s;
}

/* Frees still in flight elsewhere on the host (sockets closed just before,
 * inodes and dentries reclaimed after a large build) lower the active
 * objects while the steps add theirs, and the figure under-counts: wait,
 * at most SETTLE_TRIES times SETTLE_GAP_MS, until the model's caches move
 * by less than a fiftieth of the sockets to come between two snapshots;
 * a host that never settles is said in a note. */
#define SETTLE_TRIES 15
#define SETTLE_GAP_MS 200
static bool settle_slab(const struct source *src, uint64_t sockets, struct calibration *out)
{
	static struct counters a, b;
	char err[128];
	uint64_t moved = 0;

	if (read_counters(src, NULL, NULL, &a, err, sizeof(err)) != 0 || !a.slabinfo)
		return true;
	for (int i = 0; i < SETTLE_TRIES; i++) {
		sleep_ms(SETTLE_GAP_MS);
		if (read_counters(src, NULL, NULL, &b, err, sizeof(err)) != 0)
			return true;
		moved = caches_moved(&a, &b);
		if (moved * 50 < sockets)
			return true;
		a = b;
	}
	note(out, "unsettled: the slab caches a socket uses still moved by %llu objects in %d "
		  "ms before the measurement (other work on the host); not saved",
	     (unsigned long long)moved, SETTLE_GAP_MS);
	return false;
}

/* The kernel alone: pairs of loopback sockets, both ends the workers'. */
static enum calibrate_result run_host(const struct source *src, const struct facts *f,
				      const struct calibrate_options *opt, struct calibration *out,
				      char *err, size_t errsize)
{
	static struct worker w[MAX_WORKERS];
	static struct counters c[HOST_STEPS + 1], mid;
	static uint64_t want[MAX_WORKERS], got[MAX_WORKERS];
	struct target t = {.own = true, .netns = -1};
	const char *memcg_file = NULL;
	uint64_t batch, opened = 0, accepted = 0, sockets[HOST_STEPS] = {0}, before, after, last;
	size_t nw = 0;
	enum calibrate_result rc = CALIBRATE_FAILED;
	bool settled;

	if (fact_ok(f, F_CG_MEM_MAX) && f->f[F_CG_MEM_MAX].v[0] != U64_UNLIMITED &&
	    fact_ok(f, F_CG_MEM_CURRENT))
		memcg_file = f->f[F_CG_MEM_CURRENT].path;
	/* The accept queue holds at most somaxconn: connect in batches. */
	batch = fact_ok(f, F_SOMAXCONN) ? u64_min(u64_max(f->f[F_SOMAXCONN].v[0], 16), 4096) - 1
					: 127;
	progress(opt, "starting workers", 0, 1);
	if (start_workers(opt->pairs, 2, &t, w, &nw, err, errsize) != 0)
		goto out;
	flush_cpu_slabs();
	settled = settle_slab(src, 2 * opt->pairs, out);
	if (read_counters(src, memcg_file, NULL, &c[0], err, errsize) != 0)
		goto out;
	last = c[0].memcg_bytes;
	for (size_t s = 0; s < HOST_STEPS; s++) {
		for (;;) {
			bool more = false;

			for (size_t i = 0; i < nw; i++) {
				uint64_t goal = w[i].quota * (s + 1) / HOST_STEPS;

				want[i] = u64_min(batch, u64_sat_sub(goal, w[i].held));
				more |= want[i] > 0;
			}
			if (!more)
				break;
			progress(opt, "connecting", sum(sockets, HOST_STEPS) / 2, opt->pairs);
			if (command(w, nw, CMD_CONNECT, want, got, err, errsize) != 0 ||
			    read_counters(src, memcg_file, NULL, &mid, err, errsize) != 0)
				goto out;
			for (size_t i = 0; i < nw; i++) {
				if (got[i] < want[i]) {
					snprintf(err, errsize, "a calibration worker could connect only "
							       "%llu of %llu sockets",
						 (unsigned long long)got[i], (unsigned long long)want[i]);
					goto out;
				}
				w[i].held += got[i];
				sockets[s] += 2 * got[i];
			}
			opened += u64_sat_sub(mid.memcg_bytes, last);
			if (command(w, nw, CMD_ACCEPT, NULL, NULL, err, errsize) != 0 ||
			    read_counters(src, memcg_file, NULL, &c[s + 1], err, errsize) != 0)
				goto out;
			accepted += u64_sat_sub(c[s + 1].memcg_bytes, mid.memcg_bytes);
			last = c[s + 1].memcg_bytes;
		}
	}
	out->sockets = sum(sockets, HOST_STEPS);
	kernel_figures(c, sockets, HOST_STEPS, f->page_size, out);
	if (memcg_file && c[0].memcg) {
		out->memcg_in = out->memcg_out = true;
		out->memcg_bytes_per_opened_socket = opened / opt->pairs;
		out->memcg_bytes_per_accepted_socket = accepted / opt->pairs;
	} else {
		note(out, "not in a memory-limited cgroup: no per-cgroup charge measured");
	}
	progress(opt, "queueing unread data", 1, 1);
	if (command(w, nw, CMD_MEMINFO, NULL, got, err, errsize) != 0)
		goto out;
	before = sum(got, nw);
	if (command(w, nw, CMD_WRITE, NULL, NULL, err, errsize) != 0 ||
	    command(w, nw, CMD_MEMINFO, NULL, got, err, errsize) != 0)
		goto out;
	after = sum(got, nw);
	out->buffer_payload_bytes = CALIBRATE_PAYLOAD;
	out->buffer_truesize_bytes = u64_sat_sub(after, before) / opt->pairs;
	out->buffer_overhead_milli = u64_muldiv(out->buffer_truesize_bytes, 1000, CALIBRATE_PAYLOAD);
	judge(out);
	if (!settled)
		out->trusted = false;
	rc = CALIBRATE_OK;
out:
	progress(opt, "closing", 1, 1);
	stop_workers(w, nw);
	return rc;
}

/* The processes of the server: pid and every descendant (nginx's and
 * haproxy's workers hold the connections, the master the listener). */
static void server_tree(struct server *s)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	static pid_t pids[1 << 16], ppids[1 << 16];
	size_t n = 0;

	s->ntree = 0;
	s->tree[s->ntree++] = (pid_t)s->pid;
	while (d && (e = readdir(d)) && n < sizeof(pids) / sizeof(pids[0])) {
		char path[300], buf[512];
		const char *paren;
		int fd, p, pp;
		ssize_t r;

		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		r = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (r <= 0)
			continue;
		buf[r] = '\0';
		paren = strrchr(buf, ')');
		if (!paren || sscanf(buf, "%d", &p) != 1 || sscanf(paren + 2, "%*c %d", &pp) != 1)
			continue;
		pids[n] = p;
		ppids[n++] = pp;
	}
	if (d)
		closedir(d);
	/* Breadth first from pid: each found process adds its children. */
	for (size_t k = 0; k < s->ntree; k++)
		for (size_t i = 0; i < n && s->ntree < TREE_MAX; i++)
			if (ppids[i] == s->tree[k])
				s->tree[s->ntree++] = pids[i];
}

/* The socket inodes the server's processes hold, and how many
 * descriptors they hold in all. */
static uint64_t server_fds(struct server *s, bool collect)
{
	uint64_t total = 0;

	if (collect)
		s->ninodes = 0;
	for (size_t k = 0; k < s->ntree; k++) {
		char dir[64];
		DIR *d;
		struct dirent *e;

		snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)s->tree[k]);
		d = opendir(dir);
		while (d && (e = readdir(d))) {
			char path[400], target[64];
			ssize_t r;
			uint64_t ino;

			if (e->d_name[0] == '.')
				continue;
			total++;
			if (!collect || s->ninodes >= sizeof(s->inodes) / sizeof(s->inodes[0]))
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			r = readlink(path, target, sizeof(target) - 1);
			if (r <= 0)
				continue;
			target[r] = '\0';
			ino = listener_socket_inode(target);
			if (ino)
				s->inodes[s->ninodes++] = ino;
		}
		if (d)
			closedir(d);
	}
	return total;
}

/* The parent of pid, from proc/PID/stat; 0 when unknown. */
static unsigned parent_of(unsigned pid)
{
	char path[48], buf[512];
	const char *paren;
	int fd, pp;
	ssize_t r;

	snprintf(path, sizeof(path), "/proc/%u/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	r = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (r <= 0)
		return 0;
	buf[r] = '\0';
	paren = strrchr(buf, ')');
	if (!paren || sscanf(paren + 2, "%*c %d", &pp) != 1 || pp < 0)
		return 0;
	return (unsigned)pp;
}

struct pick {
	struct server *s;
	struct listener unreachable; /* a listener of the server it cannot reach */
	bool any_unreachable;
	struct listener *query;      /* for the accept queue: the one to look up */
};

static bool owns(const struct server *s, uint64_t inode)
{
	for (size_t i = 0; i < s->ninodes; i++)
		if (s->inodes[i] == inode)
			return true;
	return false;
}

/* The first reachable listener of the server, preferring IPv4. */
static void pick_listener(const struct listener *l, void *ctx)
{
	struct pick *p = ctx;

	if (p->query) {
		if (l->inode == p->query->inode)
			p->query->accept_queue = l->accept_queue;
		return;
	}
	if (!owns(p->s, l->inode))
		return;
	if (!listener_loopback(l)) {
		p->unreachable = *l;
		p->any_unreachable = true;
		return;
	}
	if (!p->s->found || (p->s->listener.v6 && !l->v6)) {
		p->s->listener = *l;
		p->s->found = true;
	}
}

static void scan_listeners(const struct source *src, struct pick *p)
{
	static const char *const files[2] = {"tcp", "tcp6"};

	for (int v6 = 0; v6 < 2; v6++) {
		char path[64];

		snprintf(path, sizeof(path), "proc/%u/net/%s", p->s->pid, files[v6]);
		(void)facts_scan_listeners(src, path, v6 != 0, pick_listener, p);
	}
}

/* The target the workers connect to: the listener's port on the loopback
 * address of its family. */
static void loopback_target(const struct listener *l, struct target *t)
{
	memset(&t->addr, 0, sizeof(t->addr));
	if (!l->v6) {
		struct sockaddr_in *a = (struct sockaddr_in *)&t->addr;

		a->sin_family = AF_INET;
		a->sin_port = htons(l->port);
		memcpy(&a->sin_addr, l->addr, 4);
		if (l->addr[0] != 127)
			a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		t->alen = sizeof(*a);
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&t->addr;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons(l->port);
		if (l->addr[10] == 0xff && l->addr[11] == 0xff)
			memcpy(&a->sin6_addr, l->addr, 16);
		else
			a->sin6_addr = in6addr_loopback;
		t->alen = sizeof(*a);
	}
}

/* The namespace to enter: the server's, when it is not ours. */
static int server_netns(unsigned pid, char *err, size_t errsize)
{
	char path[64];
	struct stat mine, theirs;
	int fd;

	snprintf(path, sizeof(path), "/proc/%u/ns/net", pid);
	if (stat("/proc/self/ns/net", &mine) != 0 || stat(path, &theirs) != 0) {
		snprintf(err, errsize, "cannot read the network namespace of process '%u': %s", pid,
			 strerror(errno));
		return -2;
	}
	if (mine.st_ino == theirs.st_ino && mine.st_dev == theirs.st_dev)
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errsize, "cannot open the network namespace of process '%u': %s", pid,
			 strerror(errno));
		return -2;
	}
	return fd;
}

/* Waits until the server holds `want` more descriptors than at `base`,
 * or ACCEPT_WAIT_MS pass: how many more it holds. */
static uint64_t wait_accepted(struct server *s, uint64_t base, uint64_t want)
{
	uint64_t deadline = now_ms() + ACCEPT_WAIT_MS, have;

	while ((have = u64_sat_sub(server_fds(s, false), base)) < want && now_ms() < deadline)
		sleep_ms(20);
	return have;
}

static enum calibrate_result run_pid(const struct source *src, const struct calibrate_options *opt,
				     struct calibration *out, char *err, size_t errsize)
{
	static struct worker w[MAX_WORKERS];
	static struct counters c[PID_STEPS + 1];
	static struct server s;
	static struct facts sf;
	static uint64_t want[MAX_WORKERS], got[MAX_WORKERS];
	struct target t = {.own = false, .netns = -1, .send = opt->send,
			   .sendlen = opt->send ? strlen(opt->send) : 0};
	struct pick pk = {.s = &s};
	uint64_t base_fds, held = 0, sockets[PID_STEPS] = {0}, conns[PID_STEPS] = {0};
	uint64_t app_total = 0, app_conns = 0, cg_total = 0;
	size_t nw = 0, steps = 0;
	enum calibrate_result rc = CALIBRATE_FAILED;
	bool settled;
	char addr[64];

	memset(&s, 0, sizeof(s));
	s.pid = opt->pid;
	switch (facts_read_pid(src, (uint64_t)sysconf(_SC_PAGESIZE), opt->pid, &sf)) {
	case FACTS_OK:
		break;
	case FACTS_NO_PID:
		snprintf(err, errsize, "no process '%u'", opt->pid);
		return CALIBRATE_REFUSED;
	default:
		snprintf(err, errsize, "cannot read this host's proc");
		return CALIBRATE_FAILED;
	}
	if (fact_ok(&sf, F_CG_MEM_CURRENT))
		s.memcg_file = sf.f[F_CG_MEM_CURRENT].path;
	server_tree(&s);
	server_fds(&s, true);
	scan_listeners(src, &pk);
	if (!s.found) {
		if (pk.any_unreachable) {
			listener_format(&pk.unreachable, addr, sizeof(addr));
			snprintf(err, errsize, "process '%u' listens on %s only, which is not "
					       "reachable over loopback", opt->pid, addr);
		} else {
			snprintf(err, errsize, "process '%u' holds no listening TCP socket%s", opt->pid,
				 s.ninodes ? "" : " (or its descriptors cannot be read)");
		}
		return CALIBRATE_REFUSED;
	}
	listener_format(&s.listener, out->listener, sizeof(out->listener));
	{
		/* A worker (nginx's, haproxy's): its parent holds the same
		 * listener and shares the connections among all its workers,
		 * so the parent's whole tree is measured. */
		static struct server parent;
		unsigned pp = parent_of(opt->pid);

		memset(&parent, 0, sizeof(parent));
		parent.pid = pp;
		parent.tree[0] = (pid_t)pp;
		parent.ntree = 1;
		if (pp > 1 && (server_fds(&parent, true), owns(&parent, s.listener.inode))) {
			s.pid = pp;
			server_tree(&s);
			server_fds(&s, true);
			note(out, "process %u is a worker of %u, which shares its listener: the "
				  "connections and memory of all its workers are counted", opt->pid, pp);
		}
	}
	{
		char path[64];
		struct text tx;

		snprintf(path, sizeof(path), "proc/%u/comm", opt->pid);
		if (src->read(src, path, &tx) == FACT_OK) {
			snprintf(out->server, sizeof(out->server), "%.*s",
				 (int)strcspn(tx.data, "\n"), tx.data);
			text_printable(out->server);
		}
		text_free(&tx);
	}
	out->app = true;
	out->pid = opt->pid;
	loopback_target(&s.listener, &t);
	t.netns = server_netns(opt->pid, err, errsize);
	if (t.netns == -2)
		return CALIBRATE_FAILED;
	progress(opt, "starting workers", 0, 1);
	if (start_workers(opt->pairs, 1, &t, w, &nw, err, errsize) != 0)
		goto out;
	/* One connection first: a listener that refuses it is not measured. */
	want[0] = 1;
	for (size_t i = 1; i < nw; i++)
		want[i] = 0;
	base_fds = server_fds(&s, false);
	if (command(w, nw, CMD_CONNECT, want, got, err, errsize) != 0)
		goto out;
	if (got[0] != 1) {
		snprintf(err, errsize, "cannot connect to %s of process '%u' over loopback",
			 out->listener, opt->pid);
		rc = CALIBRATE_REFUSED;
		goto out;
	}
	w[0].held = 1;
	held = 1;
	if (wait_accepted(&s, base_fds, 1) < 1) {
		snprintf(err, errsize, "process '%u' did not accept a connection on %s within %d s",
			 opt->pid, out->listener, ACCEPT_WAIT_MS / 1000);
		rc = CALIBRATE_REFUSED;
		goto out;
	}
	sleep_ms(SETTLE_MS);
	base_fds = server_fds(&s, false);
	flush_cpu_slabs();
	settled = settle_slab(src, 2 * opt->pairs, out);
	if (read_counters(src, s.memcg_file, &s, &c[0], err, errsize) != 0)
		goto out;
	for (size_t st = 0; st < PID_STEPS; st++) {
		uint64_t asked = 0, connected = 0, accepted;

		for (size_t i = 0; i < nw; i++) {
			want[i] = u64_sat_sub(w[i].quota * (st + 1) / PID_STEPS, w[i].held);
			asked += want[i];
		}
		progress(opt, "connecting", held, opt->pairs);
		if (command(w, nw, CMD_CONNECT, want, got, err, errsize) != 0)
			goto out;
		for (size_t i = 0; i < nw; i++) {
			w[i].held += got[i];
			connected += got[i];
		}
		held += connected;
		accepted = u64_min(wait_accepted(&s, base_fds, connected), connected);
		base_fds += accepted;
		sleep_ms(SETTLE_MS);
		if (read_counters(src, s.memcg_file, &s, &c[st + 1], err, errsize) != 0)
			goto out;
		conns[st] = accepted;
		sockets[st] = 2 * accepted;
		steps = st + 1;
		if (accepted < asked) {
			note(out, "the server accepted %llu of %llu connections in step %zu and no "
				  "more: its own cap (see the app row) or its descriptors; measured up "
				  "to there",
			     (unsigned long long)(sum(conns, st + 1)), (unsigned long long)(held - 1),
			     st + 1);
			break;
		}
	}
	progress(opt, "measured", 1, 1);
	out->connections = sum(conns, steps);
	out->sockets = sum(sockets, steps);
	if (steps < 2 || out->connections == 0) {
		snprintf(err, errsize, "process '%u' accepted too few connections to measure (%llu)",
			 opt->pid, (unsigned long long)out->connections);
		rc = CALIBRATE_REFUSED;
		goto out;
	}
	kernel_figures(c, sockets, steps, sf.page_size, out);
	/* The server's own memory, after the first step, which fills what its
	 * allocator had free (as free slab slots for the kernel). */
	out->app_bytes_min = UINT64_MAX;
	for (size_t st = 1; st < steps; st++) {
		uint64_t d = u64_sat_sub(c[st + 1].anon_kb, c[st].anon_kb) * 1024;

		if (!c[st + 1].anon || conns[st] == 0)
			continue;
		app_total += d;
		app_conns += conns[st];
		out->app_bytes_min = u64_min(out->app_bytes_min, d / conns[st]);
		out->app_bytes_max = u64_max(out->app_bytes_max, d / conns[st]);
		cg_total += u64_sat_sub(c[st + 1].memcg_bytes, c[st].memcg_bytes);
	}
	if (app_conns == 0) {
		snprintf(err, errsize, "cannot read the memory of process '%u' (proc/%u/smaps_rollup)",
			 opt->pid, opt->pid);
		rc = CALIBRATE_FAILED;
		goto out;
	}
	out->app_bytes_per_connection = app_total / app_conns;
	if (c[0].memcg && c[steps].memcg) {
		out->server_cgroup = true;
		out->cgroup_bytes_per_connection = cg_total / app_conns;
		out->memcg_in = true;
		out->memcg_bytes_per_accepted_socket =
			u64_sat_sub(out->cgroup_bytes_per_connection, out->app_bytes_per_connection);
		/* Two readings (the growth telescopes from c[1] to c[steps]),
		 * each with up to a batch per CPU charged ahead. */
		out->memcg_uncertainty_bytes = u64_sat_mul(u64_sat_mul(online_cpus(),
			MEMCG_CHARGE_BATCH_PAGES), sf.page_size) / app_conns;
	} else {
		note(out, "the server's cgroup charge is not readable (%s): not measured",
		     s.memcg_file ? s.memcg_file : "no memory controller");
	}
	judge(out);
	if (!settled)
		out->trusted = false;
	if (app_conns < 100) {
		out->trusted = false;
		note(out, "uncertain: the server's memory grew over %llu connections only; not saved",
		     (unsigned long long)app_conns);
	}
	rc = CALIBRATE_OK;
out:
	progress(opt, "closing", 1, 1);
	stop_workers(w, nw);
	if (t.netns >= 0)
		close(t.netns);
	return rc;
}

enum calibrate_result calibrate_run(const struct source *src, const struct calibrate_options *opt,
				    struct calibration *out, char *err, size_t errsize)
{
	static struct facts f;
	uint64_t start = now_ms();
	struct sigaction old[3];
	enum calibrate_result rc;

	memset(out, 0, sizeof(*out));
	if (opt->pairs == 0 || opt->pairs > CALIBRATE_MAX_PAIRS) {
		snprintf(err, errsize, "connections must be from 1 to %d", CALIBRATE_MAX_PAIRS);
		return CALIBRATE_REFUSED;
	}
	if (facts_read_pid(src, (uint64_t)sysconf(_SC_PAGESIZE), 0, &f) != FACTS_OK) {
		snprintf(err, errsize, "cannot read this host's proc");
		return CALIBRATE_FAILED;
	}
	snprintf(out->kernel_release, sizeof(out->kernel_release), "%s", f.osrelease);
	install_handlers(old);
	rc = opt->pid ? run_pid(src, opt, out, err, errsize) : run_host(src, &f, opt, out, err, errsize);
	restore_handlers(old);
	if (opt->progress)
		fputc('\n', stderr);
	out->elapsed_ms = now_ms() - start;
	return rc;
}

static bool get_u64(const struct doc *doc, const char *key, bool nullable, uint64_t *v, bool *null)
{
	const struct doc *x = doc_get(doc, key);
	double d;

	if (null)
		*null = false;
	if (nullable && (!x || x->type == DOC_NULL)) {
		if (null)
			*null = true;
		return true;
	}
	if (!json_number(x, &d) || d < 0 || d > 1e15 || d != (double)(uint64_t)d)
		return false;
	*v = (uint64_t)d;
	return true;
}

/* A calibration file's figures. Its document lives in the arena; the
 * caller's own documents there are kept (nothing is released here). */
int calibration_parse(const char *text, size_t len, const char *origin, struct calibration *out,
		      char *err, size_t errsize)
{
	char why[128];
	const struct doc *doc = json_read(text, len, why, sizeof(why));
	const struct doc *kind, *rel, *ovh, *trusted;
	bool null_a, null_o, null_app;
	double overhead;

	memset(out, 0, sizeof(*out));
	if (!doc) {
		snprintf(err, errsize, "%s: not a JSON object (%s)", origin, why);
		return -1;
	}
	if (doc->type != DOC_OBJECT) {
		snprintf(err, errsize, "%s: not a JSON object", origin);
		return -1;
	}
	kind = doc_get(doc, "kind");
	if (!kind || kind->type != DOC_STRING || strcmp(kind->text, "sockcap-calibration") != 0) {
		snprintf(err, errsize, "%s: 'kind' is not \"sockcap-calibration\"", origin);
		return -1;
	}
#define FIELD(key, nullable, dst, null)                                                    \
	if (!get_u64(doc, key, nullable, dst, null)) {                                     \
		snprintf(err, errsize, "%s: '%s' must be a whole number%s", origin, key,    \
			 (nullable) ? " or null" : "");                                     \
		return -1;                                                                 \
	}
	FIELD("sockets", false, &out->sockets, NULL)
	FIELD("kernel_bytes_per_socket", false, &out->kernel_bytes_per_socket, NULL)
	FIELD("memcg_bytes_per_accepted_socket", true, &out->memcg_bytes_per_accepted_socket, &null_a)
	FIELD("memcg_bytes_per_opened_socket", true, &out->memcg_bytes_per_opened_socket, &null_o)
	FIELD("app_bytes_per_connection", true, &out->app_bytes_per_connection, &null_app)
	/* Absent (files before it) or null: not stated, the figure is taken as is. */
	FIELD("memcg_uncertainty_bytes", true, &out->memcg_uncertainty_bytes, NULL)
	FIELD("elapsed_ms", false, &out->elapsed_ms, NULL)
#undef FIELD
	out->memcg_in = !null_a;
	out->memcg_out = !null_o;
	out->app = !null_app;
	ovh = doc_get(doc, "buffer_overhead");
	if (!json_number(ovh, &overhead) || !(overhead >= 0 && overhead <= 100)) {
		snprintf(err, errsize, "%s: 'buffer_overhead' must be a number from 0 to 100", origin);
		return -1;
	}
	out->buffer_overhead_milli = (uint64_t)(overhead * 1000 + 0.5);
	rel = doc_get(doc, "kernel_release");
	if (!rel || rel->type != DOC_STRING || strlen(rel->text) >= sizeof(out->kernel_release)) {
		snprintf(err, errsize, "%s: 'kernel_release' must be a string", origin);
		return -1;
	}
	snprintf(out->kernel_release, sizeof(out->kernel_release), "%s", rel->text);
	text_printable(out->kernel_release);
	/* Files before schema 2 carry no verdict; a measurement judged
	 * untrusted is never used (calibrate does not save one either). */
	trusted = doc_get(doc, "trusted");
	if (trusted && trusted->type != DOC_TRUE && trusted->type != DOC_FALSE) {
		snprintf(err, errsize, "%s: 'trusted' must be true or false", origin);
		return -1;
	}
	if (trusted && trusted->type == DOC_FALSE) {
		snprintf(err, errsize, "%s: the measurement was not trusted when it was made "
				       "(see its notes): calibrate again", origin);
		return -1;
	}
	out->trusted = true;
	if (out->sockets == 0 || out->kernel_bytes_per_socket < CALIBRATE_MIN_SOCKET_BYTES ||
	    out->kernel_bytes_per_socket > CALIBRATE_MAX_SOCKET_BYTES) {
		snprintf(err, errsize, "%s: 'sockets' and 'kernel_bytes_per_socket' must be positive "
				       "and plausible (%u to %u bytes per socket)",
			 origin, CALIBRATE_MIN_SOCKET_BYTES, CALIBRATE_MAX_SOCKET_BYTES);
		return -1;
	}
	if (out->app && out->app_bytes_per_connection > (1ULL << 40)) {
		snprintf(err, errsize, "%s: 'app_bytes_per_connection' must be at most 1 TiB", origin);
		return -1;
	}
	return 0;
}

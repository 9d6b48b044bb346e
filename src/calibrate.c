#include "calibrate.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
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

#include "cJSON.h"
#include "facts.h"
#include "parse.h"
#include "u64.h"

#define MAX_WORKERS 64
#define FD_RESERVE 16     /* stdio, epoll, listener, control socket, slack */
#define REPLY_TIMEOUT_MS 60000

/* Commands from the parent to a worker, one byte each. */
enum { CMD_CONNECT = 'c', CMD_ACCEPT = 'a', CMD_WRITE = 'w', CMD_QUIT = 'q' };

struct worker {
	pid_t pid;
	int ctl;          /* the parent's end of the control socket */
	uint64_t pairs;
};

/* Workers to kill if a signal ends the parent (read in a handler). */
static volatile sig_atomic_t nworkers_alive;
static pid_t worker_pids[MAX_WORKERS];

static void on_signal(int sig)
{
	for (sig_atomic_t i = 0; i < nworkers_alive; i++)
		kill(worker_pids[i], SIGKILL);
	signal(sig, SIG_DFL);
	raise(sig);
}

static int reply(int ctl, int err)
{
	unsigned char b = (unsigned char)(err > 255 ? 255 : err);
	return write(ctl, &b, 1) == 1 ? 0 : -1;
}

/* Registers fd in ep for input, as a server does each socket it holds:
 * 0, or an errno. */
static int watch(int ep, int fd)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == 0 ? 0 : errno;
}

/* A worker holds `pairs` loopback connections: it connects them in batches
 * of `batch` to its own listener and accepts them when told, registering
 * every socket in one epoll instance, then queues unread data on demand.
 * It answers each command with one byte: 0, or an errno. */
__attribute__((noreturn)) static void worker(int ctl, uint64_t pairs, uint64_t batch)
{
	struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t alen = sizeof(addr);
	struct rlimit rl;
	int *cl = calloc(pairs, sizeof(int)), *sv = calloc(pairs, sizeof(int));
	uint64_t nc = 0, na = 0;
	static char payload[CALIBRATE_PAYLOAD];
	int ep, ls;
	unsigned char cmd;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	ep = epoll_create1(EPOLL_CLOEXEC);
	ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (!cl || !sv || ep < 0 || ls < 0 || bind(ls, (struct sockaddr *)&addr, sizeof(addr)) != 0 ||
	    listen(ls, (int)batch) != 0 || getsockname(ls, (struct sockaddr *)&addr, &alen) != 0) {
		reply(ctl, errno ? errno : ENOMEM);
		_exit(1);
	}
	reply(ctl, 0);
	while (read(ctl, &cmd, 1) == 1 && cmd != CMD_QUIT) {
		int err = 0;

		if (cmd == CMD_CONNECT) {
			for (uint64_t i = 0; i < batch && nc < pairs && !err; i++) {
				int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

				if (c < 0 || connect(c, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
					err = errno;
					break;
				}
				err = watch(ep, c);
				cl[nc++] = c;
			}
		} else if (cmd == CMD_ACCEPT) {
			while (na < nc && !err) {
				int s = accept4(ls, NULL, NULL, SOCK_CLOEXEC);

				if (s < 0) {
					err = errno;
					break;
				}
				err = watch(ep, s);
				sv[na++] = s;
			}
		} else if (cmd == CMD_WRITE) {
			for (uint64_t i = 0; i < nc && !err; i++)
				if (write(cl[i], payload, sizeof(payload)) != (ssize_t)sizeof(payload))
					err = errno ? errno : EIO;
		}
		if (reply(ctl, err) != 0)
			break;
	}
	/* Close with a reset: no TIME_WAIT sockets are left behind. */
	for (uint64_t i = 0; i < nc; i++) {
		struct linger lg = {1, 0};
		setsockopt(cl[i], SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	}
	_exit(0);
}

/* Sends cmd to every worker and waits for all replies. */
static int command(struct worker *w, size_t n, unsigned char cmd, char *err, size_t errsize)
{
	for (size_t i = 0; i < n; i++)
		if (write(w[i].ctl, &cmd, 1) != 1) {
			snprintf(err, errsize, "cannot command a calibration worker: %s", strerror(errno));
			return -1;
		}
	for (size_t i = 0; i < n; i++) {
		struct pollfd p = {.fd = w[i].ctl, .events = POLLIN};
		unsigned char r;

		if (poll(&p, 1, REPLY_TIMEOUT_MS) != 1 || read(w[i].ctl, &r, 1) != 1) {
			snprintf(err, errsize, "a calibration worker did not answer within %d s",
				 REPLY_TIMEOUT_MS / 1000);
			return -1;
		}
		if (r != 0) {
			snprintf(err, errsize, "a calibration worker failed at '%c': %s", cmd,
				 r == 255 ? "error" : strerror(r));
			return -1;
		}
	}
	return 0;
}

/* The counters read between phases. */
struct counters {
	uint64_t slab_kb;
	bool inodes;              /* proc_inode_cache could be read */
	uint64_t proc_inodes;     /* active proc_inode_cache objects */
	uint64_t tcp_mem_pages;
	bool memcg;
	uint64_t memcg_bytes;
};

/* Effective sizes of the objects a /proc/PID/fd reader leaves behind. */
struct discount {
	uint64_t proc_inode_milli, dentry_milli;
};

/* The kernel folds per-CPU statistics into /proc/meminfo only every
 * vm.stat_interval (a second): a write to vm/stat_refresh folds them now
 * (root only); otherwise wait for the next fold. */
static void refresh_stats(const struct source *src)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/proc/sys/vm/stat_refresh",
		 strcmp(src->root, "/") == 0 ? "" : src->root);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd >= 0 && write(fd, "1\n", 2) == 2) {
		close(fd);
		return;
	}
	if (fd >= 0)
		close(fd);
	nanosleep(&(struct timespec){1, 100000000}, NULL);
}

static int read_counters(const struct source *src, const char *memcg_file, uint64_t page_size,
			 struct counters *c, struct discount *d, char *err, size_t errsize)
{
	static const char *const caches[] = {"proc_inode_cache", "dentry"};
	struct slab_entry e[2];
	enum parse_result r[2];
	struct text t;

	memset(c, 0, sizeof(*c));
	refresh_stats(src);
	if (src->read(src, "proc/meminfo", &t) != FACT_OK ||
	    parse_meminfo(t.data, t.len, "Slab", &c->slab_kb) != PARSE_OK) {
		text_free(&t);
		snprintf(err, errsize, "cannot read 'Slab' in 'proc/meminfo'");
		return -1;
	}
	text_free(&t);
	if (slabinfo_read(src, caches, 2, e, r) == FACT_OK) {
		if (r[0] == PARSE_OK && r[1] == PARSE_OK) {
			c->inodes = true;
			c->proc_inodes = e[0].active_objs;
			d->proc_inode_milli = u64_muldiv(e[0].pagesperslab * page_size, 1000, e[0].objperslab);
			d->dentry_milli = u64_muldiv(e[1].pagesperslab * page_size, 1000, e[1].objperslab);
		}
	}
	if (src->read(src, "proc/net/sockstat", &t) == FACT_OK)
		parse_sockstat(t.data, t.len, "TCP:", "mem", &c->tcp_mem_pages);
	text_free(&t);
	if (memcg_file && src->read(src, memcg_file, &t) == FACT_OK)
		c->memcg = parse_cgroup_value(t.data, t.len, &c->memcg_bytes) == PARSE_OK;
	text_free(&t);
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

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void progress(const struct calibrate_options *opt, const char *what)
{
	if (opt->progress)
		fprintf(stderr, "\rcalibrate: %-40s", what);
}

static void stop_workers(struct worker *w, size_t n)
{
	unsigned char q = CMD_QUIT;

	for (size_t i = 0; i < n; i++)
		if (write(w[i].ctl, &q, 1) != 1)
			kill(w[i].pid, SIGKILL);
	for (size_t i = 0; i < n; i++) {
		close(w[i].ctl);
		waitpid(w[i].pid, NULL, 0);
	}
	nworkers_alive = 0;
}

static int start_workers(const struct calibrate_options *opt, uint64_t batch, struct worker *w,
			 size_t *nw, char *err, size_t errsize)
{
	struct rlimit rl;
	uint64_t per, left = opt->pairs;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_max <= FD_RESERVE + 2) {
		snprintf(err, errsize, "RLIMIT_NOFILE is too small to calibrate");
		return -1;
	}
	per = (u64_min(rl.rlim_max, 1u << 20) - FD_RESERVE) / 2;
	*nw = 0;
	while (left > 0) {
		int sv[2];
		pid_t pid;

		if (*nw == MAX_WORKERS) {
			snprintf(err, errsize, "%llu pairs need more than %d workers",
				 (unsigned long long)opt->pairs, MAX_WORKERS);
			return -1;
		}
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
			snprintf(err, errsize, "cannot start a calibration worker: %s", strerror(errno));
			return -1;
		}
		w[*nw].pairs = u64_min(per, left);
		pid = fork();
		if (pid < 0) {
			snprintf(err, errsize, "cannot start a calibration worker: %s", strerror(errno));
			close(sv[0]);
			close(sv[1]);
			return -1;
		}
		if (pid == 0) {
			close(sv[0]);
			worker(sv[1], w[*nw].pairs, u64_min(batch, w[*nw].pairs));
		}
		close(sv[1]);
		w[*nw].pid = pid;
		w[*nw].ctl = sv[0];
		worker_pids[*nw] = pid;
		(*nw)++;
		nworkers_alive = (sig_atomic_t)*nw;
		left -= w[*nw - 1].pairs;
	}
	/* Every worker answers once it listens. */
	for (size_t i = 0; i < *nw; i++) {
		struct pollfd p = {.fd = w[i].ctl, .events = POLLIN};
		unsigned char r;

		if (poll(&p, 1, REPLY_TIMEOUT_MS) != 1 || read(w[i].ctl, &r, 1) != 1 || r != 0) {
			snprintf(err, errsize, "a calibration worker could not listen on 127.0.0.1");
			return -1;
		}
	}
	return 0;
}

int calibrate_run(const struct source *src, const struct calibrate_options *opt,
		  struct calibration *out, char *err, size_t errsize)
{
	static struct facts f;
	static struct worker w[MAX_WORKERS];
	struct counters base, c1, c2, c3;
	struct discount d = {0, 0};
	const char *memcg_file = NULL;
	uint64_t start = now_ms(), batch, opened = 0, accepted = 0, rounds, per_worker_max = 0;
	uint64_t slab_bytes, discount = 0;
	size_t nw = 0;
	struct sigaction sa = {.sa_handler = on_signal}, old[3];
	static const int sigs[3] = {SIGINT, SIGTERM, SIGHUP};
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (opt->pairs == 0 || opt->pairs > CALIBRATE_MAX_PAIRS) {
		snprintf(err, errsize, "connection pairs must be from 1 to %d", CALIBRATE_MAX_PAIRS);
		return -1;
	}
	if (facts_read_pid(src, (uint64_t)sysconf(_SC_PAGESIZE), 0, &f) != FACTS_OK) {
		snprintf(err, errsize, "cannot read this host's proc");
		return -1;
	}
	snprintf(out->kernel_release, sizeof(out->kernel_release), "%s", f.osrelease);
	if (fact_ok(&f, F_CG_MEM_MAX) && f.f[F_CG_MEM_MAX].v[0] != U64_UNLIMITED &&
	    fact_ok(&f, F_CG_MEM_CURRENT))
		memcg_file = f.f[F_CG_MEM_CURRENT].path;
	/* The accept queue holds at most somaxconn: connect in batches. */
	batch = fact_ok(&f, F_SOMAXCONN) ? u64_max(f.f[F_SOMAXCONN].v[0], 16) - 1 : 127;
	for (size_t i = 0; i < 3; i++)
		sigaction(sigs[i], &sa, &old[i]);
	progress(opt, "starting workers");
	if (start_workers(opt, batch, w, &nw, err, errsize) != 0)
		goto out;
	for (size_t i = 0; i < nw; i++)
		per_worker_max = u64_max(per_worker_max, w[i].pairs);
	rounds = (per_worker_max + batch - 1) / batch;
	if (read_counters(src, memcg_file, f.page_size, &base, &d, err, errsize) != 0)
		goto out;
	c2 = base;
	for (uint64_t r = 0; r < rounds; r++) {
		char what[64];

		snprintf(what, sizeof(what), "connecting, round %llu of %llu",
			 (unsigned long long)r + 1, (unsigned long long)rounds);
		progress(opt, what);
		if (command(w, nw, CMD_CONNECT, err, errsize) != 0 ||
		    read_counters(src, memcg_file, f.page_size, &c1, &d, err, errsize) != 0)
			goto out;
		opened += u64_sat_sub(c1.memcg_bytes, c2.memcg_bytes);
		if (command(w, nw, CMD_ACCEPT, err, errsize) != 0 ||
		    read_counters(src, memcg_file, f.page_size, &c2, &d, err, errsize) != 0)
			goto out;
		accepted += u64_sat_sub(c2.memcg_bytes, c1.memcg_bytes);
	}
	progress(opt, "queueing unread data");
	if (command(w, nw, CMD_WRITE, err, errsize) != 0 ||
	    read_counters(src, memcg_file, f.page_size, &c3, &d, err, errsize) != 0)
		goto out;
	out->sockets = 2 * opt->pairs;
	slab_bytes = u64_sat_sub(c2.slab_kb, base.slab_kb) * 1024;
	if (base.inodes && c2.inodes) {
		uint64_t n = u64_sat_sub(c2.proc_inodes, base.proc_inodes);

		discount = (n * (d.proc_inode_milli + d.dentry_milli) + 999) / 1000;
		out->proc_inode_bytes = discount;
	} else {
		note(out, "proc_inode_cache not discounted: proc/slabinfo is not readable "
			  "(run as root for that)");
	}
	out->kernel_bytes_per_socket = u64_sat_sub(slab_bytes, discount) / out->sockets;
	if (opt->pairs < 2000)
		note(out, "fewer than 2000 pairs: new sockets first fill free slots of existing "
			  "slabs, so a small run under-counts");
	if (memcg_file && base.memcg) {
		out->memcg = true;
		out->memcg_bytes_per_opened_socket = opened / opt->pairs;
		out->memcg_bytes_per_accepted_socket = accepted / opt->pairs;
	} else {
		note(out, "not in a memory-limited cgroup: no per-cgroup charge measured");
	}
	out->buffer_payload_bytes = CALIBRATE_PAYLOAD;
	out->buffer_truesize_bytes =
		u64_sat_sub(c3.tcp_mem_pages, c2.tcp_mem_pages) * f.page_size / opt->pairs;
	out->buffer_overhead_milli =
		u64_muldiv(out->buffer_truesize_bytes, 1000, CALIBRATE_PAYLOAD);
	if (out->buffer_truesize_bytes == 0)
		note(out, "TCP memory did not grow: proc/net/sockstat is unreadable or shared");
	rc = 0;
out:
	progress(opt, "closing");
	stop_workers(w, nw);
	for (size_t i = 0; i < 3; i++)
		sigaction(sigs[i], &old[i], NULL);
	if (opt->progress)
		fputc('\n', stderr);
	out->elapsed_ms = now_ms() - start;
	return rc;
}

static bool get_u64(const cJSON *doc, const char *key, bool nullable, uint64_t *v, bool *null)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(doc, key);

	if (null)
		*null = false;
	if (nullable && cJSON_IsNull(x)) {
		*null = true;
		return true;
	}
	if (!cJSON_IsNumber(x) || x->valuedouble < 0 || x->valuedouble > 1e15 ||
	    x->valuedouble != (double)(uint64_t)x->valuedouble)
		return false;
	*v = (uint64_t)x->valuedouble;
	return true;
}

int calibration_parse(const char *text, size_t len, const char *origin, struct calibration *out,
		      char *err, size_t errsize)
{
	cJSON *doc = cJSON_ParseWithLength(text, len);
	const cJSON *kind, *rel, *ovh;
	bool null_a, null_o;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (!doc || !cJSON_IsObject(doc)) {
		snprintf(err, errsize, "%s: not a JSON object", origin);
		goto out;
	}
	kind = cJSON_GetObjectItemCaseSensitive(doc, "kind");
	if (!cJSON_IsString(kind) || strcmp(kind->valuestring, "sockcap-calibration") != 0) {
		snprintf(err, errsize, "%s: 'kind' is not \"sockcap-calibration\"", origin);
		goto out;
	}
#define FIELD(key, nullable, dst, null)                                                    \
	if (!get_u64(doc, key, nullable, dst, null)) {                                     \
		snprintf(err, errsize, "%s: '%s' must be a whole number%s", origin, key,    \
			 (nullable) ? " or null" : "");                                     \
		goto out;                                                                  \
	}
	FIELD("sockets", false, &out->sockets, NULL)
	FIELD("kernel_bytes_per_socket", false, &out->kernel_bytes_per_socket, NULL)
	FIELD("memcg_bytes_per_accepted_socket", true, &out->memcg_bytes_per_accepted_socket, &null_a)
	FIELD("memcg_bytes_per_opened_socket", true, &out->memcg_bytes_per_opened_socket, &null_o)
	FIELD("elapsed_ms", false, &out->elapsed_ms, NULL)
#undef FIELD
	out->memcg = !null_a && !null_o;
	ovh = cJSON_GetObjectItemCaseSensitive(doc, "buffer_overhead");
	if (!cJSON_IsNumber(ovh) || ovh->valuedouble < 0 || ovh->valuedouble > 100) {
		snprintf(err, errsize, "%s: 'buffer_overhead' must be a number from 0 to 100", origin);
		goto out;
	}
	out->buffer_overhead_milli = (uint64_t)(ovh->valuedouble * 1000 + 0.5);
	rel = cJSON_GetObjectItemCaseSensitive(doc, "kernel_release");
	if (!cJSON_IsString(rel) || strlen(rel->valuestring) >= sizeof(out->kernel_release)) {
		snprintf(err, errsize, "%s: 'kernel_release' must be a string", origin);
		goto out;
	}
	snprintf(out->kernel_release, sizeof(out->kernel_release), "%s", rel->valuestring);
	text_printable(out->kernel_release);
	if (out->sockets == 0 || out->kernel_bytes_per_socket == 0 ||
	    out->kernel_bytes_per_socket > (1u << 20)) {
		snprintf(err, errsize, "%s: 'sockets' and 'kernel_bytes_per_socket' must be positive "
				       "and plausible", origin);
		goto out;
	}
	rc = 0;
out:
	cJSON_Delete(doc);
	return rc;
}

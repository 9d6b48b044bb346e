#include "model.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "parse.h"
#include "persist.h"
#include "u64.h"

/* Kernel defaults used when "default" buffers meet an unreadable
 * tcp_rmem/tcp_wmem (net/ipv4/tcp.c: 131072 and 16384). */
#define TCP_RMEM_DEFAULT 131072
#define TCP_WMEM_DEFAULT 16384
/* One slot of the fd table per descriptor (struct file *). */
#define FD_SLOT_BYTES 8
/* Seconds a closed connection lingers in TIME_WAIT (TCP_TIMEWAIT_LEN) and,
 * at most, as an orphan in FIN_WAIT2 (tcp_fin_timeout's default). */
#define LINGER_SECONDS 60
/* The listen backlog a reconnect storm wants: the kernel's default somaxconn
 * since 5.4. */
#define BACKLOG_WANTED 4096

static const char *const row_names[ROW_COUNT] = {
	[ROW_NOFILE] = "nofile",
	[ROW_NOFILE_HARD] = "nofile_hard",
	[ROW_NR_OPEN] = "nr_open",
	[ROW_FILE_MAX] = "file_max",
	[ROW_MEMORY] = "memory",
	[ROW_TCP_MEM] = "tcp_mem",
	[ROW_EPOLL_WATCHES] = "epoll_watches",
	[ROW_CONNTRACK] = "conntrack",
	[ROW_PORTS] = "ports",
	[ROW_THREADS] = "threads",
	[ROW_APP] = "app",
};

const char *row_name(enum row_id id)
{
	return id < ROW_COUNT ? row_names[id] : "none";
}

const char *row_status_name(enum row_status s)
{
	static const char *const names[] = {"ok", "unbounded", "unknown", "n/a"};
	return names[s];
}

const char *app_bytes_from_name(enum app_bytes_from f)
{
	static const char *const names[] = {"profile", "option", "calibration"};
	return names[f];
}

bool row_can_bind(enum row_id id)
{
	return id != ROW_NOFILE_HARD && id != ROW_NR_OPEN && id < ROW_COUNT;
}

bool row_per_process(enum row_id id)
{
	return id == ROW_NOFILE || id == ROW_NOFILE_HARD || id == ROW_NR_OPEN ||
	       id == ROW_EPOLL_WATCHES || id == ROW_THREADS || id == ROW_APP;
}

static void note(struct row *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->note, sizeof(r->note), fmt, ap);
	va_end(ap);
}

/* Was fact id there but unreadable (denied or invalid, not missing)? */
static bool unreadable(const struct facts *f, enum fact_id id)
{
	return f->f[id].status == FACT_DENIED || f->f[id].status == FACT_INVALID;
}

/* Appends to a row's note. */
static void note_append(struct row *r, const char *fmt, ...)
{
	size_t n = strlen(r->note);
	va_list ap;

	if (n >= sizeof(r->note) - 1)
		return;
	va_start(ap, fmt);
	vsnprintf(r->note + n, sizeof(r->note) - n, fmt, ap);
	va_end(ap);
}

static void set_ok(struct row *r, uint64_t value, enum unit unit, uint64_t connections)
{
	r->status = ROWS_OK;
	r->has_value = true;
	r->value = value;
	r->unit = unit;
	r->connections = connections;
}

/* Marks r unknown when fact id was not read; returns true if so. */
static bool unknown_unless_ok(const struct facts *f, enum fact_id id, struct row *r)
{
	const struct fact *x = &f->f[id];

	r->source = id;
	if (x->status == FACT_OK)
		return false;
	r->status = ROWS_UNKNOWN;
	note(r, "%s is %s", x->path, fact_status_name(x->status));
	return true;
}

uint64_t model_truesize(uint64_t payload)
{
	/* A fit of two measurements on Linux 6.18 (DESIGN section 3): 16 KiB
	 * queued cost 20 KiB, 256 KiB cost 274 KiB. Per skb the kernel adds
	 * struct sk_buff and skb_shared_info to page-rounded data. */
	if (payload == 0)
		return 0;
	return u64_sat_add(u64_sat_add(payload, payload / 16), 3072);
}

/* The measured overhead when there is a calibration, else the fit. */
static uint64_t truesize(uint64_t payload, const struct model_options *opt)
{
	if (opt->calibration && opt->calibration->buffer_overhead_milli > 0)
		return (u64_muldiv(payload, opt->calibration->buffer_overhead_milli, 1) + 999) / 1000;
	return model_truesize(payload);
}

static uint64_t effective_millibytes(const struct cache_size *c, uint64_t page_size)
{
	if (c->from == SIZE_ABSENT || c->objperslab == 0)
		return 0;
	return u64_muldiv(u64_sat_mul(c->pagesperslab, page_size), 1000, c->objperslab);
}

/* The bytes a memory cgroup is charged for one object of cache c: its slot
 * (slabinfo's objsize; for a cache read from sysfs or merged away, the
 * effective size, which is the slot for the power-of-two caches SLUB merges)
 * plus the obj_cgroup pointer kept beside it (mm/slub.c obj_full_size). */
static uint64_t charged(const struct facts *f, enum slab_cache c)
{
	const struct cache_size *cs = &f->cache[c];

	if (cs->from == SIZE_ABSENT)
		return 0;
	if (cs->objsize)
		return cs->objsize + 8;
	return u64_muldiv(cs->pagesperslab * f->page_size, 1, cs->objperslab) + 8;
}

static void memcg_costs(const struct facts *f, const struct profile *p,
			const struct model_options *opt, struct per_connection *pc)
{
	unsigned major = 0, minor = 0;
	uint64_t common, in, out, inbound;

	/* Since 6.12 accept() charges the child sock (kmem_cache_charge in
	 * __inet_accept) when socket accounting is on, as it always is on v2. */
	pc->memcg_tcp_on_accept = f->cgroup_v2 && parse_kernel_series(f->osrelease, &major, &minor) &&
				  (major > 6 || (major == 6 && minor >= 12));
	pc->memcg_buffers = f->cgroup_v2;
	common = charged(f, CACHE_SOCK_INODE) + charged(f, CACHE_FILP) + charged(f, CACHE_DENTRY) +
		 FD_SLOT_BYTES;
	if (p->epoll)
		common += charged(f, CACHE_EPOLL_EPI) + charged(f, CACHE_EPOLL_PWQ) +
			  charged(f, CACHE_EP_HEAD);
	in = common + (pc->memcg_tcp_on_accept ? charged(f, CACHE_TCP) : 0);
	out = common + charged(f, CACHE_TCP) + charged(f, CACHE_BIND_BUCKET) +
	      charged(f, CACHE_BIND2_BUCKET);
	/* A measured charge replaces the per-object figure unless it agrees
	 * with it within what the kernel's charge batches let it tell: then
	 * the per-object figure is the closer one. */
	if (opt->calibration && opt->calibration->memcg_in) {
		uint64_t m = opt->calibration->memcg_bytes_per_accepted_socket;
		uint64_t u = opt->calibration->memcg_uncertainty_bytes;

		if (u == 0 || (m > in ? m - in : in - m) > u)
			in = m;
	}
	if (opt->calibration && opt->calibration->memcg_out)
		out = opt->calibration->memcg_bytes_per_opened_socket;
	pc->memcg_bytes_per_inbound_socket = in;
	pc->memcg_bytes_per_outbound_socket = out;
	inbound = u64_sat_sub(pc->sockets, pc->outbound_sockets);
	pc->memcg_total_bytes = u64_sat_add(
		u64_sat_add(u64_sat_mul(inbound, in), u64_sat_mul(pc->outbound_sockets, out)),
		u64_sat_add(u64_sat_add(pc->memcg_buffers ? pc->buffer_bytes : 0, pc->app_bytes),
			    pc->thread_bytes));
}

/* TCP sockets in use and in TIME_WAIT, IPv4 and IPv6 (sockstat). */
static uint64_t tcp_sockets_seen(const struct facts *f)
{
	uint64_t sockets = f->f[F_SOCK_TCP_INUSE].v[0];

	if (fact_ok(f, F_SOCK_TCP6_INUSE))
		sockets = u64_sat_add(sockets, f->f[F_SOCK_TCP6_INUSE].v[0]);
	if (fact_ok(f, F_SOCK_TCP_TW))
		sockets = u64_sat_add(sockets, f->f[F_SOCK_TCP_TW].v[0]);
	return sockets;
}

enum conntrack_state model_conntrack_state(const struct facts *f)
{
	if (f->f[F_CONNTRACK_MAX].status == FACT_MISSING)
		return CT_ABSENT;
	if (!fact_ok(f, F_CONNTRACK_COUNT) || f->f[F_CONNTRACK_COUNT].v[0] != 0 ||
	    !fact_ok(f, F_SOCK_TCP_INUSE))
		return CT_TRACKS;
	return tcp_sockets_seen(f) >= CONNTRACK_IDLE_EVIDENCE ? CT_IDLE : CT_TRACKS;
}

/* One tracked flow: its nf_conn (slab slack included) and its share of the
 * hash table, one 8-byte bucket head per nf_conntrack_max / buckets
 * entries, rounded up. */
static uint64_t conntrack_flow_bytes(const struct facts *f, const struct per_connection *pc)
{
	uint64_t obj = pc->cache_millibytes[CACHE_NF_CONNTRACK];
	uint64_t buckets = fact_ok(f, F_CONNTRACK_BUCKETS) ? f->f[F_CONNTRACK_BUCKETS].v[0] : 0;
	uint64_t max = fact_ok(f, F_CONNTRACK_MAX) ? f->f[F_CONNTRACK_MAX].v[0] : 0;

	obj = obj ? u64_sat_add(obj, 999) / 1000 : NF_CONN_FALLBACK_BYTES;
	/* At the kernel's own ratio (one bucket per entry) that is 8 bytes. */
	if (max == 0 || buckets == 0)
		return u64_sat_add(obj, 8);
	return u64_sat_add(obj, u64_sat_add(u64_sat_mul(8, buckets), max - 1) / max);
}

static void per_connection(const struct facts *f, const struct profile *p,
			   const struct model_options *opt, struct per_connection *pc)
{
	static const enum slab_cache always[] = {CACHE_TCP, CACHE_SOCK_INODE, CACHE_FILP,
						 CACHE_DENTRY, CACHE_LSM_FILE, CACHE_LSM_INODE};
	uint64_t milli = 0, extra = 0;

	memset(pc, 0, sizeof(*pc));
	pc->object_sizes_from = f->cache[CACHE_TCP].from;
	pc->sockets = p->sockets_per_connection;
	pc->outbound_sockets = p->outbound_sockets;
	for (int c = 0; c < CACHE_COUNT; c++)
		pc->cache_millibytes[c] = effective_millibytes(&f->cache[c], f->page_size);
	for (size_t i = 0; i < sizeof(always) / sizeof(always[0]); i++)
		pc->cache_used[always[i]] = true;
	pc->cache_used[CACHE_EPOLL_EPI] = p->epoll;
	pc->cache_used[CACHE_EPOLL_PWQ] = p->epoll;
	pc->cache_used[CACHE_EP_HEAD] = p->epoll;
	for (int c = 0; c < CACHE_COUNT; c++)
		if (pc->cache_used[c])
			milli = u64_sat_add(milli, pc->cache_millibytes[c]);
	pc->kernel_bytes_per_socket = u64_sat_add(milli, 999) / 1000 + FD_SLOT_BYTES;
	if (opt->calibration) {
		/* Measured on this kernel: the slab growth of a real socket. */
		pc->kernel_bytes_per_socket = opt->calibration->kernel_bytes_per_socket;
		pc->object_sizes_from = SIZE_CALIBRATION;
	}
	extra = u64_sat_add(pc->cache_millibytes[CACHE_BIND_BUCKET],
			    pc->cache_millibytes[CACHE_BIND2_BUCKET]);
	pc->outbound_extra_bytes = u64_sat_add(extra, 999) / 1000;

	pc->rx_bytes = p->rx_bytes;
	if (p->rx_default)
		pc->rx_bytes = fact_ok(f, F_TCP_RMEM) ? f->f[F_TCP_RMEM].v[1] : TCP_RMEM_DEFAULT;
	pc->tx_bytes = p->tx_bytes;
	if (p->tx_default)
		pc->tx_bytes = fact_ok(f, F_TCP_WMEM) ? f->f[F_TCP_WMEM].v[1] : TCP_WMEM_DEFAULT;
	pc->buffer_bytes = u64_sat_mul(pc->sockets, u64_sat_add(truesize(pc->rx_bytes, opt),
								 truesize(pc->tx_bytes, opt)));
	/* --app-bytes, else what calibrate --pid measured, else the profile. */
	pc->app_bytes = p->app_bytes;
	pc->app_bytes_from = APP_BYTES_PROFILE;
	if (opt->app_bytes_set) {
		pc->app_bytes = opt->app_bytes;
		pc->app_bytes_from = APP_BYTES_OPTION;
	} else if (opt->calibration && opt->calibration->app) {
		pc->app_bytes = opt->calibration->app_bytes_per_connection;
		pc->app_bytes_from = APP_BYTES_CALIBRATION;
	}
	if (p->conntrack && model_conntrack_state(f) == CT_TRACKS)
		pc->conntrack_bytes = u64_sat_mul(pc->sockets, conntrack_flow_bytes(f, pc));
	if (p->thread_per_connection) {
		uint64_t task = pc->cache_millibytes[CACHE_TASK_STRUCT];

		task = task ? u64_sat_add(task, 999) / 1000 : TASK_STRUCT_FALLBACK_BYTES;
		pc->thread_bytes = KERNEL_STACK_BYTES + task;
	}
	pc->total_bytes = u64_sat_add(
		u64_sat_add(u64_sat_mul(pc->sockets, pc->kernel_bytes_per_socket),
			    u64_sat_mul(pc->outbound_sockets, pc->outbound_extra_bytes)),
		u64_sat_add(u64_sat_add(pc->buffer_bytes, pc->app_bytes),
			    u64_sat_add(pc->conntrack_bytes, pc->thread_bytes)));
	memcg_costs(f, p, opt, pc);
}

/* nofile, nofile_hard and nr_open share one formula. */
static void descriptor_row(uint64_t limit, enum unit unit, const struct profile *p,
			   const struct model_options *opt, struct row *r, const char *what)
{
	uint64_t usable = u64_sat_sub(limit, p->reserved_fds);

	if (limit == U64_UNLIMITED) {
		r->status = ROWS_UNBOUNDED;
		note(r, "%s is unlimited", what);
		return;
	}
	set_ok(r, limit, unit,
	       u64_sat_mul(usable, opt->processes) / p->sockets_per_connection);
	note(r, "(%s %llu - %llu reserved) x %llu processes / %llu sockets", what,
	     (unsigned long long)limit, (unsigned long long)p->reserved_fds,
	     (unsigned long long)opt->processes, (unsigned long long)p->sockets_per_connection);
}

static void row_nofile(const struct facts *f, const struct profile *p,
		       const struct model_options *opt, struct capacity *c)
{
	struct row *soft = &c->rows[ROW_NOFILE], *hard = &c->rows[ROW_NOFILE_HARD];

	if (!unknown_unless_ok(f, F_NOFILE, soft))
		descriptor_row(f->f[F_NOFILE].v[0], UNIT_COUNT, p, opt, soft, "soft");
	if (!unknown_unless_ok(f, F_NOFILE, hard))
		descriptor_row(f->f[F_NOFILE].v[1], UNIT_COUNT, p, opt, hard, "hard");
}

static void row_nr_open(const struct facts *f, const struct profile *p,
			const struct model_options *opt, struct capacity *c)
{
	struct row *r = &c->rows[ROW_NR_OPEN];

	if (!unknown_unless_ok(f, F_NR_OPEN, r))
		descriptor_row(f->f[F_NR_OPEN].v[0], UNIT_COUNT, p, opt, r, "fs.nr_open");
}

static void row_file_max(const struct facts *f, const struct profile *p, struct capacity *c)
{
	struct row *r = &c->rows[ROW_FILE_MAX];
	uint64_t max, used = 0;

	if (unknown_unless_ok(f, F_FILE_MAX, r))
		return;
	max = f->f[F_FILE_MAX].v[0];
	if (fact_ok(f, F_FILE_NR))
		used = f->f[F_FILE_NR].v[0];
	set_ok(r, max, UNIT_COUNT, u64_sat_sub(max, used) / p->sockets_per_connection);
	if (fact_ok(f, F_FILE_NR))
		note(r, "(fs.file-max %llu - %llu allocated) / %llu sockets",
		     (unsigned long long)max, (unsigned long long)used,
		     (unsigned long long)p->sockets_per_connection);
	else {
		r->incomplete = unreadable(f, F_FILE_NR);
		note(r, "fs.file-max %llu / %llu sockets; allocated files unknown (%s %s)",
		     (unsigned long long)max, (unsigned long long)p->sockets_per_connection,
		     f->f[F_FILE_NR].path, fact_status_name(f->f[F_FILE_NR].status));
	}
	/* alloc_empty_file() lets CAP_SYS_ADMIN past files_stat.max_files
	 * (fs/file_table.c): for such a subject the row does not bind. */
	if (f->subject.cap_known && f->subject.cap_sys_admin) {
		r->exempt = true;
		note_append(r, "; does not bind: the subject has CAP_SYS_ADMIN, which passes "
			       "fs.file-max");
	} else if (f->subject.cap_known) {
		note_append(r, "; binds: the subject lacks CAP_SYS_ADMIN");
	}
}

uint64_t model_pinned_bytes(const struct facts *f, const struct per_connection *pc)
{
	uint64_t milli = u64_sat_add(pc->cache_millibytes[CACHE_SOCK_INODE],
				     pc->cache_millibytes[CACHE_DENTRY]);

	if (!fact_ok(f, F_SOCK_USED))
		return 0;
	return u64_muldiv(f->f[F_SOCK_USED].v[0], milli, 1000);
}

uint64_t model_slab_holdback_bytes(const struct facts *f)
{
	uint64_t half, low;

	if (!fact_ok(f, F_SRECLAIMABLE) || !fact_ok(f, F_ZONE_LOW))
		return 0;
	half = u64_sat_mul(f->f[F_SRECLAIMABLE].v[0], 1024) / 2;
	low = u64_sat_mul(f->f[F_ZONE_LOW].v[0], f->page_size);
	return u64_min(half, low);
}

/* Memory binds at whichever allows fewer connections: the host's
 * MemAvailable at what the slab grows by, or a cgroup's room at what the
 * cgroup is charged. */
static void row_memory(const struct facts *f, struct capacity *c)
{
	struct row *r = &c->rows[ROW_MEMORY];
	const struct fact *lim = &f->f[F_CG_MEM_MAX];
	bool cg = lim->status == FACT_OK && lim->v[0] != U64_UNLIMITED;
	/* The cgroup's page cache is reclaimed before a charge fails (a
	 * server's binary and logs, read in its cgroup): it is room. */
	uint64_t file = fact_ok(f, F_CG_MEM_FILE) ? f->f[F_CG_MEM_FILE].v[0] : 0;
	uint64_t kept = u64_sat_sub(f->f[F_CG_MEM_CURRENT].v[0], file);
	uint64_t room = cg ? u64_sat_sub(lim->v[0], kept) : 0;
	uint64_t avail = u64_sat_mul(f->f[F_MEM_AVAILABLE].v[0], 1024);
	uint64_t per = c->pc.total_bytes, cg_per = c->pc.memcg_total_bytes;
	/* An open socket's inode and dentry are reclaimable slab, which
	 * MemAvailable counts as free, yet they stay while the socket does;
	 * MemAvailable already holds back part of reclaimable slab (the low
	 * watermarks, boost included): only the rest of the pinned slab is
	 * counted twice. */
	uint64_t pinned = model_pinned_bytes(f, &c->pc);
	uint64_t held = model_slab_holdback_bytes(f);
	uint64_t usable = u64_sat_sub(avail, u64_sat_sub(pinned, held));
	uint64_t host_conns = per ? usable / per : UINT64_MAX;
	uint64_t cg_conns = cg_per ? room / cg_per : UINT64_MAX;

	r->source = F_MEM_AVAILABLE;
	c->pinned_bytes = pinned;
	if (!fact_ok(f, F_MEM_AVAILABLE) && !cg) {
		unknown_unless_ok(f, F_MEM_AVAILABLE, r);
		return;
	}
	if (cg && (!fact_ok(f, F_MEM_AVAILABLE) || cg_conns < host_conns)) {
		r->source = F_CG_MEM_MAX;
		set_ok(r, room, UNIT_BYTES, cg_conns);
		if (file > 0)
			note(r, "(cgroup limit %llu - usage %llu bytes + %llu bytes of page cache it "
				"reclaims) / %llu bytes the cgroup is charged per connection",
			     (unsigned long long)lim->v[0],
			     (unsigned long long)f->f[F_CG_MEM_CURRENT].v[0],
			     (unsigned long long)file, (unsigned long long)cg_per);
		else
			note(r, "(cgroup limit %llu - usage %llu bytes) / %llu bytes the cgroup is "
				"charged per connection",
			     (unsigned long long)lim->v[0],
			     (unsigned long long)f->f[F_CG_MEM_CURRENT].v[0], (unsigned long long)cg_per);
		if (!fact_ok(f, F_CG_MEM_CURRENT)) {
			r->incomplete = true;
			note_append(r, "; usage unknown (%s %s), taken as 0", f->f[F_CG_MEM_CURRENT].path,
				    fact_status_name(f->f[F_CG_MEM_CURRENT].status));
		}
		return;
	}
	set_ok(r, avail, UNIT_BYTES, host_conns);
	if (c->pinned_bytes > 0 && held >= c->pinned_bytes)
		note(r, "MemAvailable %llu bytes / %llu bytes per connection (the %llu bytes of inode "
			"and dentry slab %llu open sockets pin are within the %llu MemAvailable holds "
			"back)",
		     (unsigned long long)avail, (unsigned long long)per,
		     (unsigned long long)c->pinned_bytes, (unsigned long long)f->f[F_SOCK_USED].v[0],
		     (unsigned long long)held);
	else if (c->pinned_bytes > 0 && held > 0)
		note(r, "(MemAvailable %llu - (%llu bytes of inode and dentry slab pinned by %llu open "
			"sockets - %llu of reclaimable slab MemAvailable holds back)) / %llu bytes per "
			"connection",
		     (unsigned long long)avail, (unsigned long long)c->pinned_bytes,
		     (unsigned long long)f->f[F_SOCK_USED].v[0], (unsigned long long)held,
		     (unsigned long long)per);
	else if (c->pinned_bytes > 0)
		note(r, "(MemAvailable %llu - %llu bytes of inode and dentry slab pinned by %llu open "
			"sockets) / %llu bytes per connection",
		     (unsigned long long)avail, (unsigned long long)c->pinned_bytes,
		     (unsigned long long)f->f[F_SOCK_USED].v[0], (unsigned long long)per);
	else
		note(r, "MemAvailable %llu bytes / %llu bytes per connection",
		     (unsigned long long)avail, (unsigned long long)per);
	/* A cgroup limit that could not be read may be lower. */
	if (unreadable(f, F_CG_MEM_MAX)) {
		r->incomplete = true;
		note_append(r, "; the cgroup limit is unknown (%s %s)", lim->path,
			    fact_status_name(lim->status));
	}
}

static void row_tcp_mem(const struct facts *f, struct capacity *c)
{
	struct row *r = &c->rows[ROW_TCP_MEM];
	uint64_t pressure, bytes, per = c->pc.buffer_bytes;

	if (per == 0) {
		r->source = F_TCP_MEM;
		r->status = ROWS_UNBOUNDED;
		note(r, "the profile keeps no data in flight; idle sockets use no tcp_mem");
		return;
	}
	if (unknown_unless_ok(f, F_TCP_MEM, r))
		return;
	pressure = f->f[F_TCP_MEM].v[1];
	bytes = u64_sat_mul(pressure, f->page_size);
	set_ok(r, pressure, UNIT_PAGES, bytes / per);
	note(r, "pressure %llu pages x %llu bytes / %llu buffer bytes per connection",
	     (unsigned long long)pressure, (unsigned long long)f->page_size,
	     (unsigned long long)per);
}

static void row_epoll(const struct facts *f, const struct profile *p, struct capacity *c)
{
	struct row *r = &c->rows[ROW_EPOLL_WATCHES];
	uint64_t max;

	r->source = F_EPOLL_WATCHES;
	if (!p->epoll) {
		r->status = ROWS_NA;
		note(r, "the profile does not use epoll");
		return;
	}
	if (unknown_unless_ok(f, F_EPOLL_WATCHES, r))
		return;
	max = f->f[F_EPOLL_WATCHES].v[0];
	set_ok(r, max, UNIT_COUNT, max / p->sockets_per_connection);
	note(r, "%llu watches per user / %llu sockets", (unsigned long long)max,
	     (unsigned long long)p->sockets_per_connection);
}

static void row_conntrack(const struct facts *f, const struct profile *p, struct capacity *c)
{
	struct row *r = &c->rows[ROW_CONNTRACK];
	const struct fact *max = &f->f[F_CONNTRACK_MAX];
	uint64_t count = 0;

	r->source = F_CONNTRACK_MAX;
	if (!p->conntrack) {
		r->status = ROWS_NA;
		note(r, "the profile's connections are not tracked");
		return;
	}
	switch (model_conntrack_state(f)) {
	case CT_ABSENT:
		r->status = ROWS_NA;
		note(r, "nf_conntrack is not loaded");
		return;
	case CT_IDLE:
		r->status = ROWS_NA;
		note(r, "nf_conntrack is loaded but tracks nothing here: 0 entries while %llu TCP "
			"sockets are open or in TIME_WAIT (no rule asks for connection tracking in "
			"this network namespace)", (unsigned long long)tcp_sockets_seen(f));
		return;
	case CT_TRACKS:
		break;
	}
	if (unknown_unless_ok(f, F_CONNTRACK_MAX, r))
		return;
	if (fact_ok(f, F_CONNTRACK_COUNT))
		count = f->f[F_CONNTRACK_COUNT].v[0];
	r->incomplete = unreadable(f, F_CONNTRACK_COUNT);
	set_ok(r, max->v[0], UNIT_COUNT,
	       u64_sat_sub(max->v[0], count) / p->sockets_per_connection);
	note(r, "(nf_conntrack_max %llu - %llu tracked) / %llu flows per connection",
	     (unsigned long long)max->v[0], (unsigned long long)count,
	     (unsigned long long)p->sockets_per_connection);
}

static void row_ports(const struct facts *f, const struct profile *p,
		      const struct model_options *opt, struct capacity *c)
{
	struct row *r = &c->rows[ROW_PORTS];
	uint64_t lo, hi, size;

	r->source = F_PORT_RANGE;
	if (p->outbound_sockets == 0) {
		r->status = ROWS_NA;
		note(r, "the profile opens no outbound sockets");
		return;
	}
	if (unknown_unless_ok(f, F_PORT_RANGE, r))
		return;
	lo = f->f[F_PORT_RANGE].v[0];
	hi = f->f[F_PORT_RANGE].v[1];
	if (hi < lo || hi > 65535) {
		r->status = ROWS_UNKNOWN;
		note(r, "ip_local_port_range %llu %llu is not a range", (unsigned long long)lo,
		     (unsigned long long)hi);
		return;
	}
	size = hi - lo + 1;
	set_ok(r, size, UNIT_COUNT,
	       u64_sat_mul(size, opt->upstreams) / p->outbound_sockets);
	note(r, "%llu ports x %llu upstreams / %llu outbound sockets", (unsigned long long)size,
	     (unsigned long long)opt->upstreams, (unsigned long long)p->outbound_sockets);
}

/* Room under one thread limit: limit − in use. */
static void thread_room(const struct facts *f, enum fact_id lim, unsigned idx, enum fact_id used,
			bool *any, uint64_t *best, enum fact_id *src)
{
	uint64_t room;

	if (!fact_ok(f, lim) || f->f[lim].v[idx] == U64_UNLIMITED)
		return;
	room = u64_sat_sub(f->f[lim].v[idx], fact_ok(f, used) ? f->f[used].v[0] : 0);
	if (!*any || room < *best) {
		*best = room;
		*src = lim;
	}
	*any = true;
}

static void row_threads(const struct facts *f, const struct profile *p, struct capacity *c)
{
	struct row *r = &c->rows[ROW_THREADS];
	uint64_t best = 0;
	bool any = false;
	enum fact_id src = F_THREADS_MAX;

	r->source = F_THREADS_MAX;
	if (!p->thread_per_connection) {
		r->status = ROWS_NA;
		note(r, "the profile does not use a thread per connection");
		return;
	}
	thread_room(f, F_THREADS_MAX, 0, F_THREADS_IN_USE, &any, &best, &src);
	thread_room(f, F_PID_MAX, 0, F_THREADS_IN_USE, &any, &best, &src);
	thread_room(f, F_NPROC, 0, F_THREADS_IN_USE, &any, &best, &src);
	thread_room(f, F_CG_PIDS_MAX, 0, F_CG_PIDS_CURRENT, &any, &best, &src);
	if (!any) {
		unknown_unless_ok(f, F_THREADS_MAX, r);
		if (r->status != ROWS_UNKNOWN) {
			r->status = ROWS_UNBOUNDED;
			note(r, "no thread limit applies");
		}
		return;
	}
	r->source = src;
	set_ok(r, f->f[src].v[0], UNIT_COUNT, best);
	r->incomplete = unreadable(f, F_THREADS_MAX) || unreadable(f, F_PID_MAX) ||
			unreadable(f, F_NPROC) || unreadable(f, F_CG_PIDS_MAX) ||
			unreadable(f, F_THREADS_IN_USE);
	note(r, "%s %llu minus threads in use", fact_defs[src].name,
	     (unsigned long long)f->f[src].v[0]);
}

static void warn(struct capacity *c, const char *id, const char *fmt, ...)
{
	va_list ap;
	struct warning *w;

	if (c->nwarnings >= WARNINGS_MAX)
		return;
	w = &c->warnings[c->nwarnings++];
	w->id = id;
	va_start(ap, fmt);
	vsnprintf(w->message, sizeof(w->message), fmt, ap);
	va_end(ap);
}

uint64_t model_backlog_wanted(uint64_t connections)
{
	return u64_min(BACKLOG_WANTED, connections);
}

bool model_syn_backlog_matters(const struct facts *f)
{
	return !fact_ok(f, F_TCP_SYNCOOKIES) || f->f[F_TCP_SYNCOOKIES].v[0] == 0;
}

uint64_t model_lingering(const struct profile *p)
{
	return u64_sat_mul(p->churn_per_second, LINGER_SECONDS);
}

static void warnings(const struct facts *f, const struct profile *p, struct capacity *c)
{
	uint64_t want = model_backlog_wanted(c->known ? c->connections : BACKLOG_WANTED);
	uint64_t lingering = model_lingering(p);
	unsigned long long v;

	if (fact_ok(f, F_NOFILE) && f->f[F_NOFILE].v[0] <= 1024 &&
	    f->f[F_NOFILE].v[1] > f->f[F_NOFILE].v[0])
		warn(c, "nofile_soft_low",
		     "soft RLIMIT_NOFILE is %llu under a hard limit of %llu: a server that does "
		     "not raise its own soft limit stops there",
		     (unsigned long long)f->f[F_NOFILE].v[0], (unsigned long long)f->f[F_NOFILE].v[1]);
	if (fact_ok(f, F_SOMAXCONN) && (v = f->f[F_SOMAXCONN].v[0]) < want)
		warn(c, "somaxconn_small",
		     "net.core.somaxconn is %llu: a reconnect storm overflows accept queues "
		     "shorter than %llu", v, (unsigned long long)want);
	if (fact_ok(f, F_TCP_MAX_SYN_BACKLOG) && (v = f->f[F_TCP_MAX_SYN_BACKLOG].v[0]) < want &&
	    model_syn_backlog_matters(f))
		warn(c, "syn_backlog_small",
		     "net.ipv4.tcp_max_syn_backlog is %llu and net.ipv4.tcp_syncookies %s: a "
		     "reconnect storm needs %llu half-open connections per listener, and SYNs "
		     "beyond the queue are dropped",
		     v, fact_ok(f, F_TCP_SYNCOOKIES) ? "0" : "unknown", (unsigned long long)want);
	if (fact_ok(f, F_TCP_MAX_TW_BUCKETS) && (v = f->f[F_TCP_MAX_TW_BUCKETS].v[0]) < lingering)
		warn(c, "tw_buckets_small",
		     "net.ipv4.tcp_max_tw_buckets is %llu, below the %llu TIME_WAIT sockets that "
		     "%llu closes per second leave for 60 s",
		     v, (unsigned long long)lingering, (unsigned long long)p->churn_per_second);
	if (fact_ok(f, F_TCP_MAX_ORPHANS) && (v = f->f[F_TCP_MAX_ORPHANS].v[0]) < lingering)
		warn(c, "orphans_small",
		     "net.ipv4.tcp_max_orphans is %llu, below the %llu orphans that %llu closes "
		     "per second can leave for up to 60 s",
		     v, (unsigned long long)lingering, (unsigned long long)p->churn_per_second);
	if (fact_ok(f, F_SOCK_TCP_MEM) && fact_ok(f, F_TCP_MEM) &&
	    f->f[F_SOCK_TCP_MEM].v[0] >= f->f[F_TCP_MEM].v[1])
		warn(c, "tcp_mem_pressure",
		     "TCP is under memory pressure now: %llu pages in use, pressure at %llu",
		     (unsigned long long)f->f[F_SOCK_TCP_MEM].v[0],
		     (unsigned long long)f->f[F_TCP_MEM].v[1]);
	if (fact_ok(f, F_FILE_MAX) && fact_ok(f, F_NR_OPEN) &&
	    f->f[F_FILE_MAX].v[0] < f->f[F_NR_OPEN].v[0])
		warn(c, "file_max_below_nr_open",
		     "fs.file-max (%llu) is below fs.nr_open (%llu): one process may exhaust "
		     "the system's file table",
		     (unsigned long long)f->f[F_FILE_MAX].v[0],
		     (unsigned long long)f->f[F_NR_OPEN].v[0]);
	if (fact_ok(f, F_TCP_TW_RECYCLE) && f->f[F_TCP_TW_RECYCLE].v[0] != 0)
		warn(c, "tcp_tw_recycle",
		     "net.ipv4.tcp_tw_recycle is on: it drops connections from clients behind "
		     "NAT and was removed in Linux 4.12; set it to 0");
}

/* --processes beyond what the host lets the subject run. */
static void processes_warnings(const struct facts *f, const struct model_options *opt,
			       struct capacity *c)
{
	static const struct {
		enum fact_id id;
		unsigned idx;
	} caps[] = {{F_PID_MAX, 0}, {F_NPROC, 0}, {F_CG_PIDS_MAX, 0}};

	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		const struct fact *x = &f->f[caps[i].id];

		if (x->status == FACT_OK && x->v[caps[i].idx] != U64_UNLIMITED &&
		    opt->processes > x->v[caps[i].idx]) {
			warn(c, "processes_beyond_limit",
			     "%llu processes cannot run: %s is %llu (%s)",
			     (unsigned long long)opt->processes, fact_defs[caps[i].id].name,
			     (unsigned long long)x->v[caps[i].idx], x->path);
			return;
		}
	}
}

static void usage_view(const struct capacity *c, bool process, uint64_t sockets,
		       uint64_t per_conn, struct usage_view *v)
{
	v->sockets = sockets;
	v->connections = sockets / per_conn;
	v->row = ROW_NONE;
	for (int i = 0; i < ROW_COUNT; i++) {
		const struct row *r = &c->rows[i];

		if (!row_can_bind((enum row_id)i) || row_per_process((enum row_id)i) != process ||
		    r->status != ROWS_OK || r->exempt)
			continue;
		if (v->row == ROW_NONE || r->connections < v->capacity) {
			v->row = (enum row_id)i;
			v->capacity = r->connections;
		}
	}
	v->known = v->row != ROW_NONE;
	v->percent = v->known && v->capacity ? u64_muldiv(v->connections, 100, v->capacity)
					     : v->known && v->connections ? 100 : 0;
}

static void usage(const struct facts *f, const struct profile *p, struct capacity *c)
{
	struct usage *u = &c->usage;

	memset(u, 0, sizeof(*u));
	u->process.row = u->host.row = ROW_NONE;
	if (fact_ok(f, F_PROC_SOCKETS))
		usage_view(c, true, f->f[F_PROC_SOCKETS].v[0], p->sockets_per_connection,
			   &u->process);
	if (fact_ok(f, F_SOCK_TCP_INUSE))
		usage_view(c, false,
			   u64_sat_add(f->f[F_SOCK_TCP_INUSE].v[0],
				       fact_ok(f, F_SOCK_TCP6_INUSE) ? f->f[F_SOCK_TCP6_INUSE].v[0] : 0),
			   p->sockets_per_connection, &u->host);
}

static void usage_warnings(struct capacity *c)
{
	const struct usage_view *views[2] = {&c->usage.process, &c->usage.host};

	for (int i = 0; i < 2; i++) {
		const struct usage_view *v = views[i];

		if (!v->known || v->percent < 80)
			continue;
		warn(c, v->percent >= 100 ? "usage_at_capacity" : "usage_high",
		     "%s %llu connections, %llu%% of the %s capacity of %llu (%s)%s",
		     i == 0 ? "the subject holds" : "the host's TCP sockets make",
		     (unsigned long long)v->connections, (unsigned long long)v->percent,
		     i == 0 ? "per-process" : "host", (unsigned long long)v->capacity,
		     row_name(v->row), v->percent >= 100 ? ": it is full" : "");
	}
}

static bool is_service(const char *unit)
{
	size_t n = strlen(unit);
	return n > 8 && strcmp(unit + n - 8, ".service") == 0;
}

/* Does the persisted text "a b c" hold the live values of fact id? */
static bool same_values(const struct facts *f, enum fact_id id, const char *value)
{
	uint64_t v[3] = {0, 0, 0};
	unsigned n = fact_defs[id].nvalues;

	if (parse_u64_fields(value, strlen(value), v, n) != PARSE_OK)
		return false;
	return memcmp(v, f->f[id].v, n * sizeof(v[0])) == 0;
}

static void sources_in_notes(const struct facts *f, struct capacity *c)
{
	const struct persisted *p = &f->persisted;

	for (int i = 0; i < ROW_COUNT; i++) {
		struct row *r = &c->rows[i];
		const struct setting *s = &p->sysctl[r->source];

		if (fact_defs[r->source].read != READ_SYSCTL || r->status == ROWS_NA)
			continue;
		if (s->set)
			note_append(r, "; set by %s:%u", s->file, s->line);
		else if (p->files > 0)
			note_append(r, "; no sysctl.d file sets it");
	}
	for (int i = ROW_NOFILE; i <= ROW_NOFILE_HARD; i++) {
		struct row *r = &c->rows[i];
		const struct setting *s = i == ROW_NOFILE ? &p->soft[0] : &p->hard[0];
		/* A new service is a service too, unless in a container. */
		bool service = is_service(f->unit) ||
			       (f->subject.kind == SUBJECT_SERVICE && !f->container.detected);

		if (is_service(f->unit) && p->unit_nofile.set)
			note_append(r, "; LimitNOFILE=%s in %s:%u", p->unit_nofile.value,
				    p->unit_nofile.file, p->unit_nofile.line);
		else if (service && p->default_nofile.set)
			note_append(r, "; DefaultLimitNOFILE=%s in %s:%u", p->default_nofile.value,
				    p->default_nofile.file, p->default_nofile.line);
		else if (!service && s->set)
			note_append(r, "; %s nofile %s for %s in %s:%u", i == ROW_NOFILE ? "soft" : "hard",
				    s->value, p->user, s->file, s->line);
	}
}

static void persistence_warnings(const struct facts *f, struct capacity *c)
{
	const struct persisted *p = &f->persisted;
	uint64_t soft, hard;

	for (int id = 0; id < FACT_COUNT; id++) {
		const struct setting *s = &p->sysctl[id];

		if (!s->set)
			continue;
		if (s->overrode)
			warn(c, "sysctl_overridden", "%s: %s:%u sets %s, but %s:%u, read later, sets %s",
			     fact_defs[id].name, s->prev_file, s->prev_line, s->prev_value, s->file,
			     s->line, s->value);
		if (fact_ok(f, (enum fact_id)id) && !same_values(f, (enum fact_id)id, s->value)) {
			char live[80];
			size_t o = 0;

			for (unsigned k = 0; k < fact_defs[id].nvalues && o < sizeof(live); k++)
				o += (size_t)snprintf(live + o, sizeof(live) - o, "%s%llu", k ? " " : "",
						      (unsigned long long)f->f[id].v[k]);
			warn(c, "sysctl_not_persisted",
			     "%s is %s now, but %s:%u sets %s: the next boot brings that back",
			     fact_defs[id].name, live, s->file, s->line, s->value);
		}
	}
	if (is_service(f->unit) && (p->soft[0].set || p->hard[0].set))
		warn(c, "limits_conf_not_for_services",
		     "%s sets nofile for %s, but the process runs in %s: pam_limits does not reach "
		     "systemd services; use LimitNOFILE= ('sockcap systemd')",
		     p->soft[0].set ? p->soft[0].file : p->hard[0].file, p->user, f->unit);
	if (is_service(f->unit) && p->unit_nofile.set && fact_ok(f, F_NOFILE) &&
	    persist_parse_rlimit(p->unit_nofile.value, &soft, &hard) &&
	    (soft != f->f[F_NOFILE].v[0] || hard != f->f[F_NOFILE].v[1]))
		warn(c, "unit_limit_not_applied",
		     "%s:%u sets LimitNOFILE=%s, but the process runs with %llu:%llu: restart %s",
		     p->unit_nofile.file, p->unit_nofile.line, p->unit_nofile.value,
		     (unsigned long long)f->f[F_NOFILE].v[0], (unsigned long long)f->f[F_NOFILE].v[1],
		     f->unit);
	/* A login's limits: not for a new service. */
	if (!is_service(f->unit) && !(f->subject.kind == SUBJECT_SERVICE && !f->container.detected) &&
	    p->soft[0].set && fact_ok(f, F_NOFILE) &&
	    u64_parse_str(p->soft[0].value, &soft) && soft != f->f[F_NOFILE].v[0])
		warn(c, "limits_not_applied",
		     "%s:%u sets soft nofile %s for %s, but the process runs with %llu: it applies "
		     "at the next login",
		     p->soft[0].file, p->soft[0].line, p->soft[0].value, p->user,
		     (unsigned long long)f->f[F_NOFILE].v[0]);
}

void model_server_cap(const struct facts *f, struct app_cap *cap)
{
	const struct server_conf *s = &f->server;
	uint64_t nofile = U64_UNLIMITED, threads = 0;

	if (fact_ok(f, F_NOFILE))
		/* haproxy takes the larger of soft and hard and raises its soft
		 * limit to it; the others run with the soft one */
		nofile = s->kind == SERVER_HAPROXY ? u64_max(f->f[F_NOFILE].v[0], f->f[F_NOFILE].v[1])
						   : f->f[F_NOFILE].v[0];
	if (fact_ok(f, F_PROC_THREADS))
		threads = f->f[F_PROC_THREADS].v[0];
	server_cap(s, nofile, f->cpus, threads, cap);
}

/* The server's own cap (section 11): nginx counts every socket it holds,
 * proxied upstreams too; haproxy's maxconn, redis's and memcached's caps
 * count client connections. */
static void row_app(const struct facts *f, const struct profile *p, struct capacity *c)
{
	struct row *r = &c->rows[ROW_APP];
	const struct server_conf *s = &f->server;
	struct app_cap cap;

	r->source = F_NOFILE;
	r->source_path = s->cmdline[0] ? s->cmdline : "--pid";
	if (s->kind == SERVER_NONE) {
		r->status = ROWS_NA;
		if (f->pid)
			note(r, "process %u is no server sockcap knows (nginx, haproxy, redis, "
				"memcached)", f->pid);
		else
			note(r, "no server: --pid names one (nginx, haproxy, redis, memcached)");
		return;
	}
	model_server_cap(f, &cap);
	/* nginx closes idle connections that sent nothing to keep 1/16 free;
	 * connections with requests in flight are not closed */
	if (s->kind == SERVER_NGINX && (p->rx_bytes || p->tx_bytes || p->rx_default || p->tx_default))
		cap.connections = u64_sat_add(cap.connections,
					      u64_sat_mul(cap.per, cap.value / 16));
	set_ok(r, cap.value, UNIT_COUNT,
	       cap.counts_upstreams ? cap.connections / p->sockets_per_connection : cap.connections);
	note(r, "%s: %s%s", server_kind_name(s->kind), cap.formula,
	     cap.counts_upstreams && p->sockets_per_connection > 1 ? ", / sockets per connection"
								   : "");
	if (cap.from && strcmp(cap.from->file, "cmdline") == 0) {
		note_append(r, "; %s on the command line", cap.directive);
		r->source_path = s->cmdline;
	} else if (cap.from) {
		note_append(r, "; %s in %s:%u", cap.directive, cap.from->file, cap.from->line);
		r->source_path = cap.from->file;
	} else {
		note_append(r, "; %s not set: the default", cap.directive);
		r->source_path = s->npaths ? s->paths[0] : s->cmdline;
	}
	if (!fact_ok(f, F_NOFILE) && s->kind != SERVER_MEMCACHED)
		r->incomplete = true;
	if (s->missing[0]) {
		r->incomplete = true;
		note_append(r, "; %s is unreadable", s->missing);
	}
	if (s->assumed)
		note_append(r, "; its command line names no file: %s assumed", s->paths[0]);
	if (s->truncated) {
		r->incomplete = true;
		note_append(r, "; not every included file was read");
	}
}

void model_compute(const struct facts *f, const struct profile *p,
		   const struct model_options *opt, struct capacity *out)
{
	memset(out, 0, offsetof(struct capacity, warnings));
	out->binding = ROW_NONE;
	per_connection(f, p, opt, &out->pc);
	row_nofile(f, p, opt, out);
	row_nr_open(f, p, opt, out);
	row_file_max(f, p, out);
	row_memory(f, out);
	row_tcp_mem(f, out);
	row_epoll(f, p, out);
	row_conntrack(f, p, out);
	row_ports(f, p, opt, out);
	row_threads(f, p, out);
	row_app(f, p, out);
	for (int i = 0; i < ROW_COUNT; i++) {
		const struct row *r = &out->rows[i];

		if (!row_can_bind((enum row_id)i))
			continue;
		if (r->status == ROWS_UNKNOWN || r->incomplete)
			out->partial = true;
		if (r->status == ROWS_OK && !r->exempt &&
		    (!out->known || r->connections < out->connections)) {
			out->known = true;
			out->connections = r->connections;
			out->binding = (enum row_id)i;
		}
	}
	/* Something the facts could not cover may hold what binds. */
	if (f->notes.n > 0)
		out->partial = true;
	usage(f, p, out);
	if (opt->numbers_only)
		return;
	for (unsigned i = 0; i < f->notes.n; i++)
		warn(out, "incomplete", "%s", f->notes.text[i]);
	if (f->notes.dropped > 0)
		warn(out, "incomplete", "%u more like these", f->notes.dropped);
	warnings(f, p, out);
	processes_warnings(f, opt, out);
	usage_warnings(out);
	sources_in_notes(f, out);
	persistence_warnings(f, out);
}

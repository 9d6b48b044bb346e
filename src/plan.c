#include "plan.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "parse.h"
#include "u64.h"

/* tcp_mem max stays at or below this share of RAM: socket buffers beyond it
 * would push the host towards the OOM killer. */
#define TCP_MEM_MAX_NUM 2
#define TCP_MEM_MAX_DEN 3

const char *rec_kind_name(enum rec_kind k)
{
	static const char *const names[] = {"sysctl", "limits", "systemd", "modules-load",
					    "modprobe", "hardware", "app"};
	return names[k];
}

uint64_t plan_round_up(uint64_t v)
{
	uint64_t unit = 1;

	while (v / unit >= 100)
		unit *= 10;
	if (v % unit == 0)
		return v;
	return u64_sat_mul(v / unit + 1, unit);
}

uint64_t plan_round_down(uint64_t v)
{
	uint64_t unit = 1;

	while (v / unit >= 100)
		unit *= 10;
	return v / unit * unit;
}

uint64_t plan_usage_allowance(uint64_t used)
{
	uint64_t decade = 1;

	while (decade < used && decade <= UINT64_MAX / 10)
		decade *= 10;
	return used == 0 ? 0 : decade < used ? UINT64_MAX : decade;
}

/* A fact's live usage as an allowance (0 when unread). */
static uint64_t allowance_of(const struct facts *f, enum fact_id id)
{
	return fact_ok(f, id) ? plan_usage_allowance(f->f[id].v[0]) : 0;
}

/* 10% headroom, then a readable number. */
static uint64_t with_headroom(uint64_t v)
{
	return plan_round_up(u64_sat_add(v, u64_sat_add(v, 9) / 10));
}

static uint64_t ceil_div(uint64_t a, uint64_t b)
{
	return b == 0 ? UINT64_MAX : a / b + (a % b != 0);
}

/* The values separated by spaces, cut to fit size as snprintf cuts. */
static void values_text(char *buf, size_t size, const uint64_t *v, unsigned n)
{
	char text[3 * (U64_DECIMAL_MAX + 1)] = "", *p = text;
	size_t len;

	for (unsigned i = 0; i < n && i < 3; i++) {
		if (i)
			*p++ = ' ';
		p = u64_decimal(p, v[i]);
	}
	len = (size_t)(p - text) < size ? (size_t)(p - text) : size - 1;
	memcpy(buf, text, len);
	buf[len] = '\0';
}

/* Appends a recommendation; cur and rec (either may be NULL) hold the
 * fact's nvalues values each. */
__attribute__((format(printf, 7, 8))) static struct recommendation *
add(struct plan *pl, enum rec_kind kind, enum fact_id fact, const char *key, const uint64_t *cur,
    const uint64_t *rec, const char *fmt, ...)
{
	const struct fact_def *d = &fact_defs[fact];
	struct recommendation *r;
	unsigned n = d->nvalues ? d->nvalues : 1;
	va_list ap;

	if (pl->nrecs >= RECS_MAX)
		return NULL;
	r = &pl->recs[pl->nrecs++];
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->fact = fact;
	r->slot = -1;
	r->scope = d->scope;
	r->lifts = d->lifts;
	snprintf(r->key, sizeof(r->key), "%s", key);
	if (cur)
		values_text(r->current, sizeof(r->current), cur, n);
	if (rec) {
		values_text(r->recommended, sizeof(r->recommended), rec, n);
		memcpy(r->values, rec, n * sizeof(*rec));
	}
	va_start(ap, fmt);
	vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
	va_end(ap);
	return r;
}

/* v kept inside the kernel's range of fact id (the tunables table);
 * *clamped says whether it had to be. */
static uint64_t in_range(enum fact_id id, uint64_t v, bool *clamped)
{
	const struct fact_def *d = &fact_defs[id];

	*clamped = v > d->max;
	return u64_max(u64_min(v, d->max), d->min);
}

/* Says in r's reason that its value is the kernel's maximum. */
static void say_clamped(struct recommendation *r, enum fact_id id)
{
	size_t n;

	if (!r)
		return;
	n = strlen(r->reason);
	snprintf(r->reason + n, sizeof(r->reason) - n, "; clamped to the kernel's maximum %llu",
		 (unsigned long long)fact_defs[id].max);
}

/* A single-valued sysctl raised to at least need (with headroom), never
 * lowered, kept inside the kernel's range. */
static struct recommendation *sysctl_at_least(struct plan *pl, const struct facts *f,
					      enum fact_id id, uint64_t need, const char *why)
{
	uint64_t cur, rec;
	struct recommendation *r;
	bool clamped;

	if (!fact_ok(f, id))
		return NULL;
	cur = f->f[id].v[0];
	rec = in_range(id, with_headroom(need), &clamped);
	if (rec <= cur || need <= cur)
		return NULL;
	r = add(pl, REC_SYSCTL, id, fact_defs[id].name, &cur, &rec,
		"%s: %llu needed, +10%% headroom", why, (unsigned long long)need);
	if (clamped)
		say_clamped(r, id);
	return r;
}

/* soft and hard RLIMIT_NOFILE (or NPROC): limits.d lines and LimitNOFILE=. */
static void rlimit_at_least(struct plan *pl, const struct facts *f, enum fact_id id,
			    uint64_t need, const char *item, const char *directive,
			    const char *why, uint64_t *hard_out)
{
	uint64_t cur_s, cur_h, soft, hard, pair[2], cur[2];
	struct recommendation *r;
	char key[REC_TEXT];
	bool clamped;

	*hard_out = 0;
	if (!fact_ok(f, id))
		return;
	cur_s = f->f[id].v[0];
	cur_h = f->f[id].v[1];
	if (need <= cur_s || cur_s == U64_UNLIMITED)
		return;
	soft = in_range(id, with_headroom(need), &clamped);
	hard = cur_h == U64_UNLIMITED ? soft : u64_max(cur_h, soft);
	*hard_out = hard;
	/* Both values travel together (the fact holds soft and hard); the
	 * recommendation's slot says which one it sets. */
	cur[0] = cur_s;
	cur[1] = cur_h;
	pair[0] = soft;
	pair[1] = hard;
	if (soft > cur_s) {
		snprintf(key, sizeof(key), "soft %s", item);
		r = add(pl, REC_LIMITS, id, key, cur, pair, "%s: %llu needed, +10%% headroom",
			why, (unsigned long long)need);
		if (r) {
			snprintf(r->current, sizeof(r->current), "%llu", (unsigned long long)cur_s);
			snprintf(r->recommended, sizeof(r->recommended), "%llu", (unsigned long long)soft);
			r->slot = 0;
		}
		if (clamped)
			say_clamped(r, id);
	}
	if (hard > cur_h && cur_h != U64_UNLIMITED) {
		snprintf(key, sizeof(key), "hard %s", item);
		r = add(pl, REC_LIMITS, id, key, cur, pair,
			"the hard limit must be at least the soft one");
		if (r) {
			snprintf(r->current, sizeof(r->current), "%llu", (unsigned long long)cur_h);
			snprintf(r->recommended, sizeof(r->recommended), "%llu", (unsigned long long)hard);
			r->slot = 1;
		}
	}
	pair[1] = cur_h == U64_UNLIMITED ? cur_h : hard;
	/* At the kernel's ceiling already: nothing a setting can change. */
	if (soft <= cur_s && (cur_h == U64_UNLIMITED || hard <= cur_h))
		return;
	r = add(pl, REC_SYSTEMD, id, directive, NULL, pair,
		"%s: limits.conf does not reach systemd services", why);
	if (r) {
		snprintf(r->current, sizeof(r->current), "%llu:%llu", (unsigned long long)cur[0],
			 (unsigned long long)cur[1]);
		if (pair[1] == U64_UNLIMITED)
			snprintf(r->recommended, sizeof(r->recommended), "%llu:infinity",
				 (unsigned long long)soft);
		else
			snprintf(r->recommended, sizeof(r->recommended), "%llu:%llu",
				 (unsigned long long)soft, (unsigned long long)hard);
		if (cur[1] == U64_UNLIMITED)
			snprintf(r->current, sizeof(r->current), "%llu:infinity",
				 (unsigned long long)cur[0]);
	}
}

static void advise_descriptors(struct plan *pl, const struct facts *f, const struct profile *p,
			       const struct model_options *opt)
{
	uint64_t sockets = u64_sat_mul(pl->target, p->sockets_per_connection);
	uint64_t per_process = u64_sat_add(ceil_div(sockets, opt->processes), p->reserved_fds);
	uint64_t hard = 0;

	rlimit_at_least(pl, f, F_NOFILE, per_process, "nofile", "LimitNOFILE",
			"descriptors per process", &hard);
	/* The hard limit cannot exceed fs.nr_open. */
	if (hard > 0 && fact_ok(f, F_NR_OPEN) && hard > f->f[F_NR_OPEN].v[0]) {
		bool clamped;
		uint64_t cur = f->f[F_NR_OPEN].v[0];
		uint64_t rec = in_range(F_NR_OPEN, plan_round_up(hard), &clamped);

		if (rec > cur) {
			struct recommendation *r =
				add(pl, REC_SYSCTL, F_NR_OPEN, fact_defs[F_NR_OPEN].name, &cur, &rec,
				    "RLIMIT_NOFILE's hard limit (%llu) may not exceed fs.nr_open",
				    (unsigned long long)hard);
			if (clamped)
				say_clamped(r, F_NR_OPEN);
		}
	}
	sysctl_at_least(pl, f, F_FILE_MAX, u64_sat_add(sockets, allowance_of(f, F_FILE_NR)),
			"open files of every process on the host (allocated now, rounded up)");
	if (p->epoll)
		sysctl_at_least(pl, f, F_EPOLL_WATCHES, sockets,
				"epoll watches of the user the server runs as");
}

/* A setting that fixes a warning (model.c) but lifts no capacity row:
 * raised to need exactly, the value the warning asks for. */
static void fix_warning(struct plan *pl, const struct facts *f, enum fact_id id, uint64_t need,
			const char *warning, const char *why)
{
	uint64_t cur, rec;
	struct recommendation *r;
	bool clamped;

	if (!fact_ok(f, id) || f->f[id].v[0] >= need)
		return;
	cur = f->f[id].v[0];
	rec = in_range(id, need, &clamped);
	r = add(pl, REC_SYSCTL, id, fact_defs[id].name, &cur, &rec,
		"%s (warning %s); lifts no capacity row", why, warning);
	if (r)
		r->lifts = ROW_NONE;
	if (clamped)
		say_clamped(r, id);
}

/* The warnings a setting fixes, with the rules the warnings use. */
static void advise_warnings(struct plan *pl, const struct facts *f, const struct profile *p)
{
	uint64_t want = model_backlog_wanted(pl->target);
	uint64_t lingering = model_lingering(p);
	char why[160];

	snprintf(why, sizeof(why), "accept queues that hold a reconnect storm of %llu",
		 (unsigned long long)want);
	fix_warning(pl, f, F_SOMAXCONN, want, "somaxconn_small", why);
	if (model_syn_backlog_matters(f)) {
		snprintf(why, sizeof(why), "%llu half-open connections per listener while "
			 "tcp_syncookies is %s", (unsigned long long)want,
			 fact_ok(f, F_TCP_SYNCOOKIES) ? "0" : "unknown");
		fix_warning(pl, f, F_TCP_MAX_SYN_BACKLOG, want, "syn_backlog_small", why);
	}
	if (lingering == 0)
		return;
	snprintf(why, sizeof(why), "the TIME_WAIT sockets %llu closes per second leave for 60 s, "
		 "+10%% headroom", (unsigned long long)p->churn_per_second);
	fix_warning(pl, f, F_TCP_MAX_TW_BUCKETS, with_headroom(lingering), "tw_buckets_small", why);
	snprintf(why, sizeof(why), "the orphans %llu closes per second can leave, +10%% headroom",
		 (unsigned long long)p->churn_per_second);
	fix_warning(pl, f, F_TCP_MAX_ORPHANS, with_headroom(lingering), "orphans_small", why);
}

/* nf_conntrack_max / nf_conntrack_buckets as the kernel sizes them by
 * default: 1 since Linux 5.15 ("sanitize table size default settings":
 * average chains of two, each entry hashed twice), 4 before. */
static uint64_t conntrack_ratio(const struct facts *f)
{
	unsigned major = 0, minor = 0;

	if (parse_kernel_series(f->osrelease, &major, &minor) &&
	    (major < 5 || (major == 5 && minor < 15)))
		return 4;
	return 1;
}

/* nf_conntrack_max for every tracked flow (only where conntrack tracks:
 * the row is n/a otherwise), its hash table in the kernel's ratio, and what
 * makes both stick at boot where nf_conntrack is a module. */
static void advise_conntrack(struct plan *pl, const struct facts *f, const struct profile *p)
{
	uint64_t sockets = u64_sat_mul(pl->target, p->sockets_per_connection);
	const struct recommendation *max_rec, *buckets_rec = NULL;
	struct recommendation *r;
	uint64_t max;

	if (!p->conntrack || pl->before.rows[ROW_CONNTRACK].status != ROWS_OK)
		return;
	max_rec = sysctl_at_least(pl, f, F_CONNTRACK_MAX,
				  u64_sat_add(sockets, allowance_of(f, F_CONNTRACK_COUNT)),
				  "tracked flows, one per socket, and those tracked now (rounded up)");
	max = max_rec ? max_rec->values[0] : f->f[F_CONNTRACK_MAX].v[0];
	if (fact_ok(f, F_CONNTRACK_BUCKETS)) {
		uint64_t cur = f->f[F_CONNTRACK_BUCKETS].v[0], ratio = conntrack_ratio(f);
		bool clamped;
		uint64_t rec = in_range(F_CONNTRACK_BUCKETS, ceil_div(max, ratio), &clamped);

		if (rec > cur) {
			r = add(pl, REC_SYSCTL, F_CONNTRACK_BUCKETS, fact_defs[F_CONNTRACK_BUCKETS].name,
				&cur, &rec,
				"the hash table for %llu entries, in the kernel's own ratio (%s): "
				"chains would average %llu when full; lifts no row, keeps lookups short",
				(unsigned long long)max,
				ratio == 1 ? "a bucket per entry since Linux 5.15"
					   : "a bucket per 4 entries before Linux 5.15",
				(unsigned long long)ceil_div(u64_sat_mul(2, max), cur));
			if (clamped)
				say_clamped(r, F_CONNTRACK_BUCKETS);
			buckets_rec = r;
		}
	}
	/* A module loaded after systemd-sysctl ran never sees sysctl.d's
	 * net.netfilter lines: load it at boot, size its table when it loads.
	 * A built-in nf_conntrack has no refcnt file and needs neither. */
	if ((!max_rec && !buckets_rec) || !fact_ok(f, F_NF_CONNTRACK_REFCNT))
		return;
	r = add(pl, REC_MODULES_LOAD, F_NF_CONNTRACK_REFCNT, "nf_conntrack", NULL, NULL,
		"loaded at boot by systemd-modules-load, before systemd-sysctl applies the "
		"net.netfilter lines; loaded later, the module starts with its defaults");
	if (r) {
		r->scope = SCOPE_NODE;
		r->lifts = ROW_CONNTRACK;
		snprintf(r->current, sizeof(r->current), "loaded now");
		snprintf(r->recommended, sizeof(r->recommended), "nf_conntrack");
	}
	if (!buckets_rec)
		return;
	r = add(pl, REC_MODPROBE, F_CONNTRACK_BUCKETS, "options nf_conntrack hashsize", NULL,
		&buckets_rec->values[0],
		"the module sizes its hash table when it loads: no resize at boot");
	if (r) {
		r->lifts = ROW_NONE;
		snprintf(r->current, sizeof(r->current), "%s", buckets_rec->current);
	}
}

/* Largest tcp_mem pressure sockcap recommends: max (1.5 × pressure) at most
 * 2/3 of RAM. A multiple of 4 keeps min:pressure:max at exactly 3:4:6. */
static uint64_t tcp_mem_pressure_cap(const struct facts *f)
{
	uint64_t ram_pages, max;

	if (!fact_ok(f, F_MEM_TOTAL) || f->page_size == 0)
		return UINT64_MAX;
	ram_pages = u64_sat_mul(f->f[F_MEM_TOTAL].v[0], 1024) / f->page_size;
	max = ram_pages / TCP_MEM_MAX_DEN * TCP_MEM_MAX_NUM;
	return max / 6 * 4;
}

static uint64_t tcp_mem_pages_needed(const struct facts *f, uint64_t target, uint64_t buffer_bytes)
{
	return ceil_div(u64_sat_mul(target, buffer_bytes), f->page_size ? f->page_size : 4096);
}

static void advise_tcp_mem(struct plan *pl, const struct facts *f)
{
	uint64_t need, pressure, cap, cur[3], rec[3];
	bool capped;

	if (pl->before.pc.buffer_bytes == 0 || !fact_ok(f, F_TCP_MEM))
		return;
	memcpy(cur, f->f[F_TCP_MEM].v, sizeof(cur));
	need = tcp_mem_pages_needed(f, pl->target, pl->before.pc.buffer_bytes);
	if (need <= cur[1])
		return;
	pressure = with_headroom(need);
	pressure = u64_sat_add(pressure, (4 - pressure % 4) % 4);
	cap = tcp_mem_pressure_cap(f);
	capped = pressure > cap;
	if (capped)
		pressure = cap;
	if (pressure <= cur[1])
		return;
	rec[0] = u64_max(cur[0], pressure / 4 * 3);
	rec[1] = pressure;
	rec[2] = u64_max(cur[2], pressure / 4 * 6);
	add(pl, REC_SYSCTL, F_TCP_MEM, fact_defs[F_TCP_MEM].name, cur, rec,
	    capped ? "buffers in flight need %llu pages at pressure; capped so that max stays "
		     "at 2/3 of RAM (min:pressure:max 3:4:6)"
		   : "buffers in flight need %llu pages at pressure, +10%% headroom; "
		     "min:pressure:max kept at 3:4:6",
	    (unsigned long long)need);
}

/* Is port in an ip_local_reserved_ports list ("8080,9000-9100")? */
static bool port_reserved(const char *list, unsigned port)
{
	while (*list) {
		unsigned long a = strtoul(list, (char **)&list, 10), b = a;

		if (*list == '-')
			b = strtoul(list + 1, (char **)&list, 10);
		if (port >= a && port <= b)
			return true;
		if (*list != ',')
			break;
		list++;
	}
	return false;
}

/* Listening ports inside the widened range [lo, hi] go into
 * ip_local_reserved_ports, so that no outbound socket takes one (a listener
 * started later, or restarted, would fail to bind). */
static void reserve_listeners(struct plan *pl, const struct facts *f, uint64_t lo, uint64_t hi,
			      struct recommendation *range)
{
	const struct listeners *l = &f->listeners;
	char list[REC_TEXT];
	size_t o, n = strlen(range->reason);
	unsigned added = 0, left = 0;
	struct recommendation *r;

	if (l->status != FACT_OK || !fact_ok(f, F_RESERVED_PORTS)) {
		snprintf(range->reason + n, sizeof(range->reason) - n,
			 "; the listening ports are unknown (proc/net/tcp %s): keep them out of "
			 "the range with net.ipv4.ip_local_reserved_ports",
			 fact_status_name(l->status != FACT_OK ? l->status
							       : f->f[F_RESERVED_PORTS].status));
		return;
	}
	o = (size_t)snprintf(list, sizeof(list), "%s", f->reserved_ports);
	for (unsigned i = 0; i < l->n; i++) {
		unsigned port = l->port[i];
		int w;

		if (port < lo || port > hi || port_reserved(f->reserved_ports, port))
			continue;
		w = snprintf(list + o, sizeof(list) - o, "%s%u", o ? "," : "", port);
		if (w < 0 || (size_t)w >= sizeof(list) - o) {
			list[o] = '\0';
			left++;
			continue;
		}
		o += (size_t)w;
		added++;
	}
	if (added == 0 && left == 0)
		return;
	r = add(pl, REC_SYSCTL, F_RESERVED_PORTS, fact_defs[F_RESERVED_PORTS].name, NULL, NULL,
		"%u port%s this host listens on (proc/net/tcp, tcp6) lie in the widened range: "
		"reserved, no outbound socket takes them%s; lifts no row",
		added + left, added + left == 1 ? "" : "s",
		left || l->truncated ? " (more than fit: reserve the rest by hand)" : "");
	if (r) {
		r->lifts = ROW_NONE;
		snprintf(r->current, sizeof(r->current), "%s", f->reserved_ports);
		snprintf(r->recommended, sizeof(r->recommended), "%s", list);
	}
}

static void advise_ports(struct plan *pl, const struct facts *f, const struct profile *p,
			 const struct model_options *opt)
{
	uint64_t lo, hi, need, size, cur[2], rec[2];
	struct recommendation *r;

	if (p->outbound_sockets == 0 || !fact_ok(f, F_PORT_RANGE))
		return;
	lo = f->f[F_PORT_RANGE].v[0];
	hi = f->f[F_PORT_RANGE].v[1];
	need = ceil_div(u64_sat_mul(pl->target, p->outbound_sockets), opt->upstreams);
	if (hi < lo || need <= hi - lo + 1)
		return;
	size = u64_sat_add(need, u64_sat_add(need, 9) / 10);
	rec[1] = 65535;
	/* The low end goes down to a round thousand, never below 1024. */
	rec[0] = size >= 65535 - 1024 + 1 ? 1024 : (65535 - size + 1) / 1000 * 1000;
	rec[0] = u64_min(u64_max(rec[0], 1024), lo);
	cur[0] = lo;
	cur[1] = hi;
	if (rec[0] == lo && rec[1] == hi)
		return;
	r = add(pl, REC_SYSCTL, F_PORT_RANGE, fact_defs[F_PORT_RANGE].name, cur, rec,
		"%llu outbound sockets per upstream need as many ephemeral ports%s",
		(unsigned long long)need,
		need > 65535 - 1024 + 1 ? " (more than any range holds: add --upstreams)" : "");
	if (r)
		reserve_listeners(pl, f, rec[0], rec[1], r);
}

static void advise_threads(struct plan *pl, const struct facts *f, const struct profile *p)
{
	uint64_t need = u64_sat_add(pl->target, allowance_of(f, F_THREADS_IN_USE)), hard;

	if (!p->thread_per_connection)
		return;
	sysctl_at_least(pl, f, F_THREADS_MAX, need, "one thread per connection");
	sysctl_at_least(pl, f, F_PID_MAX, need, "one thread id per connection");
	rlimit_at_least(pl, f, F_NPROC, need, "nproc", "LimitNPROC",
			"threads of the user", &hard);
	if (fact_ok(f, F_CG_PIDS_MAX) && f->f[F_CG_PIDS_MAX].v[0] != U64_UNLIMITED) {
		uint64_t cur = f->f[F_CG_PIDS_MAX].v[0];
		uint64_t cgneed = u64_sat_add(pl->target, allowance_of(f, F_CG_PIDS_CURRENT));
		bool clamped;
		uint64_t rec = in_range(F_CG_PIDS_MAX, with_headroom(cgneed), &clamped);

		if (cgneed > cur && rec > cur) {
			struct recommendation *r =
				add(pl, REC_SYSTEMD, F_CG_PIDS_MAX, "TasksMax", &cur, &rec,
				    "the cgroup's pids.max counts every thread");
			if (clamped)
				say_clamped(r, F_CG_PIDS_MAX);
		}
	}
}

/* Rounds bytes up to whole GiB. */
static uint64_t gib_up(uint64_t bytes)
{
	return ceil_div(bytes, 1ULL << 30);
}

static void advise_hardware(struct plan *pl, const struct facts *f)
{
	const struct row *mem = &pl->after.rows[ROW_MEMORY];
	const struct row *tcp = &pl->after.rows[ROW_TCP_MEM];
	uint64_t per = mem->source == F_CG_MEM_MAX ? pl->before.pc.memcg_total_bytes
						    : pl->before.pc.total_bytes;
	uint64_t need = u64_sat_mul(pl->target, per);
	uint64_t ram_need = 0;
	struct recommendation *r;

	if (mem->status == ROWS_OK && mem->connections < pl->target && !pl->target_is_ceiling) {
		uint64_t shortfall = u64_sat_sub(need, mem->value);

		if (mem->source == F_CG_MEM_MAX) {
			const struct fact *lim = &f->f[F_CG_MEM_MAX];
			uint64_t rec = plan_round_up(u64_sat_add(
				lim->v[0], u64_sat_add(shortfall, u64_sat_add(shortfall, 9) / 10)));

			r = add(pl, REC_HARDWARE, F_CG_MEM_MAX,
				f->cgroup_v2 ? "memory.max" : "memory.limit_in_bytes", &lim->v[0], &rec,
				"%llu %s x %llu bytes need %llu bytes more than the cgroup "
				"leaves",
				(unsigned long long)pl->target,
				fmt_plural(pl->target, "connection", "connections"), (unsigned long long)per,
				(unsigned long long)shortfall);
		} else {
			ram_need = u64_sat_add(u64_sat_mul(f->f[F_MEM_TOTAL].v[0], 1024),
					       u64_sat_add(shortfall, u64_sat_add(shortfall, 9) / 10));
		}
	}
	if (tcp->status == ROWS_OK && tcp->connections < pl->target) {
		/* RAM at which tcp_mem's cap carries the target. */
		uint64_t pages = tcp_mem_pages_needed(f, pl->target, pl->before.pc.buffer_bytes);
		uint64_t bytes = u64_sat_mul(u64_sat_mul(pages, f->page_size),
					     6ULL * TCP_MEM_MAX_DEN) / (4ULL * TCP_MEM_MAX_NUM);

		ram_need = u64_max(ram_need, bytes);
	}
	if (ram_need > 0 && fact_ok(f, F_MEM_TOTAL)) {
		uint64_t cur = gib_up(u64_sat_mul(f->f[F_MEM_TOTAL].v[0], 1024)),
			 rec = gib_up(ram_need);

		r = add(pl, REC_HARDWARE, F_MEM_TOTAL, "RAM", NULL, NULL,
			"%llu %s x %llu bytes (kernel objects, buffers, application) do "
			"not fit in the memory this host has",
			(unsigned long long)pl->target,
			fmt_plural(pl->target, "connection", "connections"), (unsigned long long)per);
		if (r) {
			r->scope = SCOPE_NODE;
			r->lifts = ROW_MEMORY;
			r->values[0] = rec << 20; /* kB */
			snprintf(r->current, sizeof(r->current), "%llu GiB", (unsigned long long)cur);
			snprintf(r->recommended, sizeof(r->recommended), "%llu GiB",
				 (unsigned long long)rec);
		}
	}
	(void)r;
}

/* The server's own cap below the target: the directive that lifts it, in
 * the file where it is set (or the server's main file, or its command
 * line), as the server reads it. */
static void advise_app(struct plan *pl, const struct facts *f, const struct profile *p)
{
	const struct row *row = &pl->before.rows[ROW_APP];
	const struct server_conf *s = &f->server;
	struct app_cap cap;
	struct recommendation *r;
	uint64_t want;
	const char *file;

	if (row->status != ROWS_OK || row->connections >= pl->target || pl->nrecs >= RECS_MAX)
		return;
	model_server_cap(f, &cap);
	want = with_headroom(server_value_for(&cap, pl->target, p->sockets_per_connection));
	if (want <= cap.value && strcmp(cap.directive, "maxclients") != 0)
		return;
	r = &pl->recs[pl->nrecs++];
	memset(r, 0, sizeof(*r));
	r->kind = REC_APP;
	r->fact = F_NOFILE; /* none of the facts: plan_apply sets the server's value */
	r->slot = -1;
	r->scope = SCOPE_PROCESS;
	r->lifts = ROW_APP;
	r->values[0] = u64_max(want, cap.value);
	snprintf(r->key, sizeof(r->key), "%s", cap.directive);
	snprintf(r->current, sizeof(r->current), "%llu%s", (unsigned long long)cap.value,
		 cap.from ? "" : " (default)");
	snprintf(r->recommended, sizeof(r->recommended), "%llu", (unsigned long long)r->values[0]);
	file = cap.from ? cap.from->file : s->npaths ? s->paths[0] : "cmdline";
	if (strcmp(file, "cmdline") == 0)
		snprintf(r->file, sizeof(r->file), "the command line of %s (%s)",
			 server_kind_name(s->kind), s->cmdline);
	else
		snprintf(r->file, sizeof(r->file), "%s", file);
	if (strcmp(cap.directive, "maxclients") == 0 && want <= cap.value)
		snprintf(r->reason, sizeof(r->reason),
			 "redis lowers maxclients to RLIMIT_NOFILE - 32 (%llu): raise the process's "
			 "nofile (LimitNOFILE=) above %llu",
			 (unsigned long long)cap.connections,
			 (unsigned long long)cap.value + 32);
	else if (strcmp(file, "cmdline") == 0)
		snprintf(r->reason, sizeof(r->reason),
			 "%s: %s %llu on its command line (where it is started); %llu connections "
			 "needed, +10%% headroom",
			 server_kind_name(s->kind), cap.directive, (unsigned long long)r->values[0],
			 (unsigned long long)pl->target);
	else {
		char loc[96];

		if (cap.from)
			snprintf(loc, sizeof(loc), "%.80s:%u", file, cap.from->line);
		else
			snprintf(loc, sizeof(loc), "%.80s", file);
		snprintf(r->reason, sizeof(r->reason),
			 "%s: '%.30s %llu%s' in %.20s of %s; %llu connections needed, +10%% headroom; "
			 "sockcap rewrites no file",
			 server_kind_name(s->kind), cap.directive, (unsigned long long)r->values[0],
			 s->kind == SERVER_NGINX ? ";" : "", cap.where, loc,
			 (unsigned long long)pl->target);
	}
}

__attribute__((format(printf, 2, 3))) static void form(struct recommendation *r, const char *fmt, ...)
{
	va_list ap;

	if (r->nforms >= 2)
		return;
	va_start(ap, fmt);
	vsnprintf(r->forms[r->nforms++], sizeof(r->forms[0]), fmt, ap);
	va_end(ap);
}

/* Inside a container the files on the host are not the place: what the
 * runtime and Kubernetes take instead, and which keys only the node sets. */
static void container_forms(struct plan *pl)
{
	for (unsigned i = 0; i < pl->nrecs; i++) {
		struct recommendation *r = &pl->recs[i];
		const struct fact_def *d = &fact_defs[r->fact];

		switch (r->kind) {
		case REC_SYSCTL:
			if (r->scope == SCOPE_NODE) {
				form(r, "node-level: set it on the host, not in the container");
				break;
			}
			form(r, "docker run --sysctl %s=\"%s\"", r->key, r->recommended);
			form(r, "pod securityContext.sysctls: [{name: %s, value: \"%s\"}]%s", r->key,
			     r->recommended,
			     d->pod == POD_SAFE ? ""
						: " (unsafe: the kubelet needs --allowed-unsafe-sysctls)");
			break;
		case REC_LIMITS:
			form(r, "processes in a container do not pass through pam_limits: "
				"use the runtime's ulimit");
			break;
		case REC_SYSTEMD:
			if (r->fact == F_NOFILE || r->fact == F_NPROC) {
				const char *item = r->fact == F_NOFILE ? "nofile" : "nproc";

				form(r, "docker run --ulimit %s=%llu:%llu", item,
				     (unsigned long long)r->values[0], (unsigned long long)r->values[1]);
				form(r, "daemon.json \"default-ulimits\": {\"%s\": {\"Name\": \"%s\", "
					"\"Soft\": %llu, \"Hard\": %llu}}",
				     item, item, (unsigned long long)r->values[0],
				     (unsigned long long)r->values[1]);
			} else {
				form(r, "docker run --pids-limit %s", r->recommended);
			}
			break;
		case REC_APP:
			form(r, "the server's configuration is the container's: change it in its "
				"image or volume");
			break;
		case REC_MODULES_LOAD:
		case REC_MODPROBE:
			form(r, "node-level: the host's kernel loads modules, not the container");
			break;
		case REC_HARDWARE:
			if (r->scope == SCOPE_CGROUP) {
				form(r, "docker run --memory %s", r->recommended);
				form(r, "pod resources.limits.memory: \"%s\"", r->recommended);
			}
			break;
		}
	}
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/* A persisted setting that would still win over sockcap's file once it is
 * installed: a later file name, or a more specific pam_limits domain. */
static void masking_settings(struct plan *pl, const struct facts *f)
{
	const struct persisted *p = &f->persisted;

	for (unsigned i = 0; i < pl->nrecs; i++) {
		struct recommendation *r = &pl->recs[i];
		const struct setting *s = NULL;
		size_t n = strlen(r->reason);
		bool later;

		if (r->kind == REC_SYSCTL)
			s = &p->sysctl[r->fact];
		else if (r->kind == REC_SYSTEMD && r->fact == F_NOFILE)
			s = &p->unit_nofile;
		else if (r->kind == REC_SYSTEMD && r->fact == F_NPROC)
			s = &p->unit_nproc;
		else if (r->kind == REC_LIMITS && (r->fact == F_NOFILE || r->fact == F_NPROC))
			s = &(r->slot == 1 ? p->hard : p->soft)[r->fact == F_NPROC];
		if (!s || !s->set)
			continue;
		/* sysctl.d files and unit drop-ins apply in file-name order; the
		 * unit file itself comes before every drop-in. */
		later = (strcmp(base_name(s->file),
				r->kind == REC_SYSTEMD ? pl->dropin : "90-sockcap.conf") > 0 &&
			 (r->kind == REC_SYSCTL || strstr(s->file, ".d/") != NULL)) ||
			strcmp(s->file, "etc/sysctl.conf") == 0;
		if (r->kind == REC_LIMITS && s->rank < 4)
			snprintf(r->reason + n, sizeof(r->reason) - n,
				 "; %s:%u sets %s for %s itself, which beats '*': change it there",
				 s->file, s->line, s->value, p->user);
		else if (r->kind != REC_LIMITS && later)
			snprintf(r->reason + n, sizeof(r->reason) - n,
				 "; %s:%u sets %s and is read after %s: change it there", s->file,
				 s->line, s->value,
				 r->kind == REC_SYSTEMD ? pl->dropin : "90-sockcap.conf");
	}
}

/* The drop-in that sets LimitNOFILE= or LimitNPROC= now, the later one in
 * systemd's order when both do: its setting, and *key which it is. */
static const struct setting *last_dropin(const struct persisted *p, const char **key)
{
	const struct setting *s = NULL;

	*key = NULL;
	for (int k = 0; k < 2; k++) {
		const struct setting *x = k == 0 ? &p->unit_nofile : &p->unit_nproc;

		if (x->set && strstr(x->file, ".d/") &&
		    (!s || strcmp(base_name(x->file), base_name(s->file)) > 0)) {
			s = x;
			*key = k == 0 ? "LimitNOFILE" : "LimitNPROC";
		}
	}
	return s;
}

/* The unit drop-in's name. systemd reads a unit's drop-ins in file-name
 * order, whatever their directory, and the last LimitNOFILE= (LimitNPROC=)
 * wins: unless --dropin names the file, sockcap's sorts after the drop-in
 * that sets either now (90-sockcap.conf, else 99-, else zz-, zzz-... until
 * it does). */
static void name_dropin(struct plan *pl, const struct facts *f, const char *given)
{
	const char *key;
	const struct setting *s = last_dropin(&f->persisted, &key);
	const char *winner = s ? base_name(s->file) : NULL;
	char prefix[48] = "90";

	pl->dropin_why[0] = '\0';
	if (given) {
		snprintf(pl->dropin, sizeof(pl->dropin), "%s", given);
		if (winner && strcmp(winner, given) > 0)
			snprintf(pl->dropin_why, sizeof(pl->dropin_why),
				 "--dropin %.64s: %.160s, read after it, sets %s=%.32s too", given,
				 s->file, key, s->value);
		else if (winner && strcmp(winner, given) == 0)
			snprintf(pl->dropin_why, sizeof(pl->dropin_why),
				 "--dropin %.64s: it takes the place of %.160s (copy its other "
				 "settings over)", given, s->file);
		else
			snprintf(pl->dropin_why, sizeof(pl->dropin_why), "--dropin %.64s", given);
		return;
	}
	snprintf(pl->dropin, sizeof(pl->dropin), "%s-sockcap.conf", prefix);
	if (!winner || strcmp(pl->dropin, winner) > 0)
		return;
	snprintf(prefix, sizeof(prefix), "99");
	for (;;) {
		snprintf(pl->dropin, sizeof(pl->dropin), "%s-sockcap.conf", prefix);
		if (strcmp(pl->dropin, winner) > 0 || strlen(prefix) + 1 >= sizeof(prefix))
			break;
		if (strcmp(prefix, "99") == 0)
			snprintf(prefix, sizeof(prefix), "zz");
		else
			strcat(prefix, "z");
	}
	snprintf(pl->dropin_why, sizeof(pl->dropin_why),
		 "named to be read after %.160s, which sets %s=%.32s", s->file, key, s->value);
}

uint64_t plan_default_reserve(uint64_t total_bytes)
{
	uint64_t tenth = total_bytes / 10, quarter = total_bytes / 4;

	return u64_max(tenth, u64_min(1ULL << 30, quarter));
}

static uint64_t reserve_of(uint64_t total_bytes, const struct model_options *opt)
{
	if (!opt->reserve_set)
		return plan_default_reserve(total_bytes);
	if (opt->reserve_is_share)
		return u64_muldiv(total_bytes, opt->reserve, 1000);
	return u64_min(opt->reserve, total_bytes);
}

bool plan_ceiling(const struct facts *f, const struct capacity *c,
		  const struct model_options *opt, struct plan *pl, uint64_t *target)
{
	const struct fact *lim = &f->f[F_CG_MEM_MAX];
	bool host = fact_ok(f, F_MEM_TOTAL) && c->pc.total_bytes > 0;
	bool cg = lim->status == FACT_OK && lim->v[0] != U64_UNLIMITED && c->pc.memcg_total_bytes > 0;
	uint64_t t = UINT64_MAX;

	if (!host && !cg)
		return false;
	if (host) {
		uint64_t total = u64_sat_mul(f->f[F_MEM_TOTAL].v[0], 1024);
		uint64_t reserve = reserve_of(total, opt);

		t = u64_sat_sub(total, reserve) / c->pc.total_bytes;
		pl->ceiling_from = F_MEM_TOTAL;
		pl->ceiling_memory_bytes = total;
		pl->reserve_bytes = reserve;
	}
	if (cg) {
		uint64_t reserve = reserve_of(lim->v[0], opt);
		uint64_t n = u64_sat_sub(lim->v[0], reserve) / c->pc.memcg_total_bytes;

		if (n < t) {
			t = n;
			pl->ceiling_from = F_CG_MEM_MAX;
			pl->ceiling_memory_bytes = lim->v[0];
			pl->reserve_bytes = reserve;
		}
	}
	if (c->pc.buffer_bytes > 0 && tcp_mem_pressure_cap(f) != UINT64_MAX)
		t = u64_min(t, u64_muldiv(tcp_mem_pressure_cap(f), f->page_size, c->pc.buffer_bytes));
	*target = plan_round_down(t);
	return *target > 0;
}

void plan_apply(const struct plan *pl, struct facts *f)
{
	for (unsigned i = 0; i < pl->nrecs; i++) {
		const struct recommendation *r = &pl->recs[i];
		struct fact *x = &f->f[r->fact];

		/* Files for the next boot: nothing live changes. A port list is
		 * text, not a value the model counts. */
		if (r->kind == REC_HARDWARE || r->kind == REC_MODULES_LOAD ||
		    r->kind == REC_MODPROBE || r->fact == F_RESERVED_PORTS)
			continue;
		if (r->kind == REC_APP) {
			struct server_conf *s = &f->server;
			struct cfg_value *v = strcmp(r->key, "worker_connections") == 0 ? &s->connections
					      : strcmp(r->key, "worker_rlimit_nofile") == 0 ? &s->rlimit_nofile
					      : strcmp(r->key, "maxconn") == 0		     ? &s->maxconn
					      : strcmp(r->key, "maxclients") == 0	     ? &s->maxclients
											     : &s->connections;

			v->set = true;
			v->n = r->values[0];
			continue;
		}
		if (r->slot >= 0)
			x->v[r->slot] = r->values[r->slot];
		else
			memcpy(x->v, r->values, sizeof(x->v));
	}
}

static bool has_kind(const struct plan *pl, enum rec_kind k)
{
	for (unsigned i = 0; i < pl->nrecs; i++)
		if (pl->recs[i].kind == k)
			return true;
	return false;
}

/* The order the files go in, and why. */
static void state_order(struct plan *pl)
{
	const struct recommendation *nr_open = NULL;
	size_t n = 0;

	pl->order[0] = '\0';
	for (unsigned i = 0; i < pl->nrecs; i++)
		if (pl->recs[i].kind == REC_SYSCTL && pl->recs[i].fact == F_NR_OPEN)
			nr_open = &pl->recs[i];
	if (has_kind(pl, REC_MODULES_LOAD) || has_kind(pl, REC_MODPROBE))
		n += (size_t)snprintf(pl->order + n, sizeof(pl->order) - n,
				      "modules-load.d and modprobe.d first (a net.netfilter key "
				      "exists only with its module loaded); ");
	if (nr_open && (has_kind(pl, REC_LIMITS) || has_kind(pl, REC_SYSTEMD)) &&
	    n < sizeof(pl->order))
		snprintf(pl->order + n, sizeof(pl->order) - n,
			 "sysctl.d ('sysctl --system') before limits.d and the unit drop-in: a "
			 "nofile limit above the current fs.nr_open (%.24s) fails until fs.nr_open "
			 "is %.24s",
			 nr_open->current, nr_open->recommended);
	else if (n > 0 && n < sizeof(pl->order))
		snprintf(pl->order + n, sizeof(pl->order) - n, "then sysctl.d ('sysctl --system')");
}

/* Does the capacity after the changes reach the target? Without --target
 * the target is what memory carries once the reserve is kept, so the
 * memory row (MemAvailable, which moves) is left out. */
static bool reaches(const struct plan *pl, uint64_t target)
{
	const struct capacity *c = &pl->after;

	if (!c->known)
		return false;
	if (!pl->target_is_ceiling)
		return c->connections >= target;
	for (int i = 0; i < ROW_COUNT; i++) {
		const struct row *r = &c->rows[i];

		if (i == ROW_MEMORY || !row_can_bind((enum row_id)i))
			continue;
		if (r->status == ROWS_OK && r->connections < target)
			return false;
	}
	return true;
}

bool plan_compute(const struct facts *f, const struct profile *p,
		  const struct model_options *opt, bool has_target, uint64_t target,
		  struct plan *out)
{
	struct facts after;

	/* Field by field: a memset would touch the unused recs and warnings
	 * (see struct plan), and model_compute sets each capacity. */
	out->target = 0;
	out->target_is_ceiling = false;
	out->nrecs = 0;
	out->reachable = false;
	out->unit[0] = '\0';
	out->order[0] = '\0';
	out->ceiling_from = F_MEM_TOTAL;
	out->ceiling_memory_bytes = 0;
	out->reserve_bytes = 0;
	memset(&out->after, 0, offsetof(struct capacity, warnings));
	model_compute(f, p, opt, &out->before);
	if (!has_target) {
		if (!plan_ceiling(f, &out->before, opt, out, &target))
			return false;
		out->target_is_ceiling = true;
	}
	out->target = target;
	snprintf(out->unit, sizeof(out->unit), "%s", f->unit);
	advise_descriptors(out, f, p, opt);
	advise_tcp_mem(out, f);
	advise_ports(out, f, p, opt);
	advise_threads(out, f, p);
	advise_conntrack(out, f, p);
	advise_warnings(out, f, p);
	name_dropin(out, f, opt->dropin);
	advise_app(out, f, p);
	memcpy(&after, f, offsetof(struct facts, persisted));
	plan_apply(out, &after);
	{
		/* The capacity after the changes; its warnings are not shown. */
		struct model_options numbers = *opt;

		numbers.numbers_only = true;
		model_compute(&after, p, &numbers, &out->after);
	}
	advise_hardware(out, f);
	masking_settings(out, f);
	if (f->container.detected)
		container_forms(out);
	out->reachable = reaches(out, target);
	state_order(out);
	return true;
}

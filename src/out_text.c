#include "out_text.h"

#include <string.h>

#include "fmt.h"
#include "out_config.h"
#include "parse.h"
#include "subject.h"
#include "u64.h"

#define BAR_MAX 24

static bool ascii_only;
static int bar_width = 20;

void text_set_look(bool ascii, unsigned columns)
{
	/* The table without its bar: name, value, connections, the tag. */
	int room = columns > 70 ? (int)columns - 60 : 10;

	ascii_only = ascii;
	bar_width = room > BAR_MAX ? BAR_MAX : room;
}

static const char *approx_sign(void) { return ascii_only ? "~" : "≈"; }

struct style {
	const char *bold, *warn, *mark, *dim, *reset;
};

static struct style style_of(bool color)
{
	struct style on = {"\033[1m", "\033[33m", "\033[1;31m", "\033[2m", "\033[0m"};
	struct style off = {"", "", "", "", ""};
	return color ? on : off;
}

/* Exact up to a trillion; beyond that (fs.file-max at LONG_MAX) the table
 * shows three digits and JSON keeps the exact figure. */
static const char *count_text(char *buf, size_t size, uint64_t v)
{
	return v < 1000000000000ULL ? fmt_count(buf, size, v) : fmt_approx(buf, size, v);
}

static const char *value_text(const struct row *r, char *buf, size_t size)
{
	char n[FMT_MAX];

	if (!r->has_value)
		return "-";
	switch (r->unit) {
	case UNIT_BYTES:
		return fmt_bytes(buf, size, r->value);
	case UNIT_PAGES:
		snprintf(buf, size, "%s pages", fmt_count(n, sizeof(n), r->value));
		return buf;
	case UNIT_KB:
		return fmt_bytes(buf, size, u64_sat_mul(r->value, 1024));
	case UNIT_COUNT:
	case UNIT_TEXT:
	case UNIT_MASK:
		break;
	}
	if (r->value == U64_UNLIMITED)
		return "unlimited";
	return count_text(buf, size, r->value);
}

/* log2(v) × 256, with the mantissa interpolated linearly: exact at powers
 * of two, within 9% of a bit between them; enough to draw a bar. */
static uint64_t log2_256(uint64_t v)
{
	unsigned e = 63u - (unsigned)__builtin_clzll(v);
	uint64_t frac = e >= 8 ? (v >> (e - 8)) & 0xff : (v << (8 - e)) & 0xff;

	return (uint64_t)e * 256 + frac;
}

/* Bar length on a log scale where `top` fills the width. */
static int bar_length(uint64_t v, uint64_t top)
{
	uint64_t len;

	if (v == 0 || top == 0)
		return 0;
	if (top <= 1)
		return bar_width;
	len = ((uint64_t)bar_width * log2_256(v) + log2_256(top) / 2) / log2_256(top);
	return len < 1 ? 1 : len > (uint64_t)bar_width ? bar_width : (int)len;
}

static void headline(const struct report_input *in, const struct style *s, FILE *out)
{
	const struct capacity *c = in->capacity;
	const struct row *b;
	char n[FMT_MAX], who[200];

	subject_describe(in->facts, who, sizeof(who));
	if (!c->known) {
		fprintf(out, "%s%s: capacity unknown: no limit could be read%s\n", s->bold, who,
			s->reset);
		return;
	}
	b = &c->rows[c->binding];
	fprintf(out, "%s%s: %s %s concurrent %s; bound by %s%s", s->bold, who, approx_sign(),
		fmt_approx(n, sizeof(n), c->connections),
		fmt_plural(c->connections, "connection", "connections"), row_name(c->binding),
		s->reset);
	if (c->binding == ROW_APP)
		fprintf(out, " (%s's own cap)", server_kind_name(in->facts->server.kind));
	else
		fprintf(out, " (%s)", fact_defs[b->source].name);
	if (c->partial)
		fprintf(out, "; partial: some limits could not be read");
	fputc('\n', out);
}

static void cost_line(const struct report_input *in, FILE *out)
{
	const struct per_connection *pc = &in->capacity->pc;
	const struct profile *p = in->profile;
	char k[FMT_MAX], b[FMT_MAX], a[FMT_MAX], t[FMT_MAX];

	fprintf(out, "profile %s (%s): %llu socket%s per connection x %s kernel",
		p->name, p->origin, (unsigned long long)pc->sockets, pc->sockets == 1 ? "" : "s",
		fmt_bytes(k, sizeof(k), pc->kernel_bytes_per_socket));
	if (pc->outbound_sockets && pc->outbound_extra_bytes)
		fprintf(out, " (+%llu B port buckets per outbound socket)",
			(unsigned long long)pc->outbound_extra_bytes);
	fprintf(out, " + %s buffers + %s app%s", fmt_bytes(b, sizeof(b), pc->buffer_bytes),
		fmt_bytes(a, sizeof(a), pc->app_bytes),
		pc->app_bytes_from == APP_BYTES_CALIBRATION ? " (measured)" : "");
	if (pc->conntrack_bytes)
		fprintf(out, " + %s conntrack", fmt_bytes(b, sizeof(b), pc->conntrack_bytes));
	if (pc->thread_bytes)
		fprintf(out, " + %s thread", fmt_bytes(b, sizeof(b), pc->thread_bytes));
	fprintf(out, " = %s per connection\n", fmt_bytes(t, sizeof(t), pc->total_bytes));
	fprintf(out, "kernel object sizes from %s", size_from_name(pc->object_sizes_from));
	if (pc->object_sizes_from == SIZE_TABLE)
		fprintf(out, " (built-in, Linux %s series)", in->facts->table_series);
	if (pc->object_sizes_from == SIZE_TABLE && in->facts->slabinfo_status == FACT_DENIED)
		fprintf(out, ": proc/slabinfo%s %s readable by root only",
			in->facts->slab_denied ? " and sys/kernel/slab" : "",
			in->facts->slab_denied ? "are" : "is");
	fputc('\n', out);
	if (in->capacity->rows[ROW_MEMORY].source == F_CG_MEM_MAX)
		fprintf(out, "the memory cgroup is charged %s per connection (%llu B per accepted "
			     "socket, %llu B per opened one)\n",
			fmt_bytes(k, sizeof(k), pc->memcg_total_bytes),
			(unsigned long long)pc->memcg_bytes_per_inbound_socket,
			(unsigned long long)pc->memcg_bytes_per_outbound_socket);
	if (in->facts->container.detected)
		fprintf(out, "in a container: %s\n", in->facts->container.why);
}

static void rows(const struct report_input *in, const struct style *s, FILE *out)
{
	const struct capacity *c = in->capacity;
	uint64_t top = 0;

	for (int i = 0; i < ROW_COUNT; i++)
		if (c->rows[i].status == ROWS_OK)
			top = u64_max(top, c->rows[i].connections);
	fprintf(out, "\n%-14s %-17s %15s  %s\n", "limit", "value", "connections", "(log scale)");
	for (int i = 0; i < ROW_COUNT; i++) {
		const struct row *r = &c->rows[i];
		char v[FMT_MAX + 8], n[FMT_MAX];
		const char *conn = row_status_name(r->status);
		bool binding = c->known && c->binding == (enum row_id)i;
		int len = r->status == ROWS_OK ? bar_length(r->connections, top) : 0;

		const char *tag = binding                          ? (ascii_only ? "< binding" : "◀ binding")
				  : !row_can_bind((enum row_id)i) ? "ceiling"
				  : r->exempt                     ? "does not bind"
								  : "";

		if (r->status == ROWS_OK)
			conn = count_text(n, sizeof(n), r->connections);
		fprintf(out, "%s%-14s %-17s %15s%s", binding ? s->mark : "",
			row_name((enum row_id)i), value_text(r, v, sizeof(v)), conn,
			len > 0 || *tag ? "  " : "");
		for (int k = 0; k < (*tag ? bar_width : len); k++)
			fputs(k < len ? (ascii_only ? "#" : "█") : " ", out);
		if (*tag)
			fprintf(out, " %s%s%s", binding ? "" : s->dim, tag, s->reset);
		else if (binding)
			fputs(s->reset, out);
		fputc('\n', out);
	}
}

static void notes(const struct report_input *in, const struct style *s, FILE *out)
{
	const struct capacity *c = in->capacity;

	fprintf(out, "\nhow each row is reached:\n");
	for (int i = 0; i < ROW_COUNT; i++)
		fprintf(out, "  %s%-14s%s %s  [%s]\n", s->dim, row_name((enum row_id)i), s->reset,
			c->rows[i].note,
			c->rows[i].source_path ? c->rows[i].source_path
					       : in->facts->f[c->rows[i].source].path);
}

/* ": N connections of M <what> capacity (P%, row)" and the line's end;
 * whole percent, rounded down. */
static void usage_against(const struct usage_view *v, const char *what, FILE *out)
{
	char a[FMT_MAX], b[FMT_MAX];

	if (v->known)
		fprintf(out, ": %s %s of %s %s capacity (%llu%%, %s)",
			fmt_count(a, sizeof(a), v->connections),
			fmt_plural(v->connections, "connection", "connections"),
			fmt_approx(b, sizeof(b), v->capacity),
			what, (unsigned long long)v->percent, row_name(v->row));
	fputc('\n', out);
}

static void live(const struct report_input *in, FILE *out)
{
	const struct facts *f = in->facts;
	const struct capacity *c = in->capacity;
	char a[FMT_MAX], b[FMT_MAX];

	fprintf(out, "\nlive usage:\n");
	if (f->pid) {
		fprintf(out, "  process %u%s%s%s", f->pid, f->unit[0] ? " (" : "", f->unit,
			f->unit[0] ? ")" : "");
		if (fact_ok(f, F_PROC_FDS))
			fprintf(out, ": %llu descriptors open", (unsigned long long)f->f[F_PROC_FDS].v[0]);
		if (fact_ok(f, F_PROC_FDS) && fact_ok(f, F_NOFILE))
			fprintf(out, " of %llu", (unsigned long long)f->f[F_NOFILE].v[0]);
		if (fact_ok(f, F_PROC_THREADS))
			fprintf(out, ", %llu %s", (unsigned long long)f->f[F_PROC_THREADS].v[0],
				fmt_plural(f->f[F_PROC_THREADS].v[0], "thread", "threads"));
		fputc('\n', out);
	}
	if (f->subject.processes > 1)
		fprintf(out, "  worker processes    %u (%s)%s\n", f->subject.processes,
			f->subject.processes_from,
			in->options->processes == f->subject.processes ? ", counted for --processes"
								       : ", --processes overrides");
	/* Like with like: the subject's sockets against its per-process rows. */
	if (fact_ok(f, F_PROC_SOCKETS)) {
		const struct usage_view *v = &c->usage.process;

		fprintf(out, "  its sockets         %s socket descriptors%s",
			fmt_count(a, sizeof(a), v->sockets),
			f->sockets_estimated ? " (estimated: see facts)" : "");
		usage_against(v, "per-process", out);
	}
	if (fact_ok(f, F_SOCK_TCP_INUSE)) {
		uint64_t v6 = fact_ok(f, F_SOCK_TCP6_INUSE) ? f->f[F_SOCK_TCP6_INUSE].v[0] : 0;
		uint64_t all = u64_sat_add(f->f[F_SOCK_TCP_INUSE].v[0], v6);
		const struct usage_view *v = &c->usage.host;

		fprintf(out, "  TCP sockets in use  %s (IPv4 %llu, IPv6 %llu)", fmt_count(a, sizeof(a), all),
			(unsigned long long)f->f[F_SOCK_TCP_INUSE].v[0], (unsigned long long)v6);
		/* Both ends of a local connection count: they are the host's. */
		usage_against(v, "host", out);
		if (fact_ok(f, F_SOCK_TCP_TW) && fact_ok(f, F_SOCK_TCP_ORPHAN))
			fprintf(out, "  TIME_WAIT           %s, orphans %llu\n",
				fmt_count(a, sizeof(a), f->f[F_SOCK_TCP_TW].v[0]),
				(unsigned long long)f->f[F_SOCK_TCP_ORPHAN].v[0]);
	} else {
		fprintf(out, "  TCP sockets in use  unknown (%s %s)\n", f->f[F_SOCK_TCP_INUSE].path,
			fact_status_name(f->f[F_SOCK_TCP_INUSE].status));
	}
	if (fact_ok(f, F_FILE_NR) && fact_ok(f, F_FILE_MAX))
		fprintf(out, "  files allocated     %s of fs.file-max %s\n",
			fmt_count(a, sizeof(a), f->f[F_FILE_NR].v[0]),
			fmt_count(b, sizeof(b), f->f[F_FILE_MAX].v[0]));
	if (fact_ok(f, F_SOCK_TCP_MEM) && fact_ok(f, F_TCP_MEM))
		fprintf(out, "  TCP buffer memory   %s pages of %s at pressure\n",
			fmt_count(a, sizeof(a), f->f[F_SOCK_TCP_MEM].v[0]),
			fmt_count(b, sizeof(b), f->f[F_TCP_MEM].v[1]));
	if (fact_ok(f, F_CONNTRACK_COUNT) && fact_ok(f, F_CONNTRACK_MAX))
		fprintf(out, "  conntrack entries   %s of %s\n",
			fmt_count(a, sizeof(a), f->f[F_CONNTRACK_COUNT].v[0]),
			fmt_count(b, sizeof(b), f->f[F_CONNTRACK_MAX].v[0]));
}

static void warnings_and_errors(const struct report_input *in, const struct style *s, FILE *out)
{
	const struct capacity *c = in->capacity;
	const struct facts *f = in->facts;
	bool header = false;

	if (c->nwarnings > 0) {
		fprintf(out, "\n%swarnings:%s\n", s->warn, s->reset);
		for (unsigned i = 0; i < c->nwarnings; i++)
			fprintf(out, "  - %s\n", c->warnings[i].message);
	}
	/* One line per file, naming the facts it held. */
	for (int i = 0; i < FACT_COUNT; i++) {
		bool seen = false;
		const char *sep = " (";

		if (f->f[i].status != FACT_DENIED && f->f[i].status != FACT_INVALID)
			continue;
		for (int j = 0; j < i; j++)
			seen = seen || (f->f[j].status == f->f[i].status &&
					strcmp(f->f[j].path, f->f[i].path) == 0);
		if (seen)
			continue;
		if (!header)
			fprintf(out, "\nnot read:\n");
		header = true;
		fprintf(out, "  - %s: %s", f->f[i].path, fact_status_name(f->f[i].status));
		for (int j = i; j < FACT_COUNT; j++)
			if (f->f[j].status == f->f[i].status && strcmp(f->f[j].path, f->f[i].path) == 0) {
				fprintf(out, "%s%s", sep, fact_defs[j].name);
				sep = ", ";
			}
		fputs(")\n", out);
	}
	if (f->slabinfo_status == FACT_DENIED || f->slabinfo_status == FACT_INVALID) {
		if (!header)
			fprintf(out, "\nnot read:\n");
		fprintf(out, "  - proc/slabinfo: %s (object sizes from %s)\n",
			fact_status_name(f->slabinfo_status),
			size_from_name(in->capacity->pc.object_sizes_from));
	}
}

/* Every change, grouped by the file it belongs in. */
static void recommendations(const struct plan *pl, const struct style *s, FILE *out)
{
	static const enum rec_kind order[] = {REC_SYSCTL,	REC_LIMITS,   REC_SYSTEMD,
					      REC_MODULES_LOAD, REC_MODPROBE, REC_APP,
					      REC_HARDWARE};

	for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
		bool header = false;

		for (unsigned i = 0; i < pl->nrecs; i++) {
			const struct recommendation *r = &pl->recs[i];

			if (r->kind != order[k])
				continue;
			if (!header)
				fprintf(out, "\n%s%s%s\n", s->bold,
					r->kind == REC_HARDWARE ? "hardware (no setting lifts these)"
								: config_file_of(pl, r),
					s->reset);
			header = true;
			fprintf(out, "  %s  %s -> %s  (lifts %s)\n", r->key, r->current,
				r->recommended, r->lifts == ROW_NONE ? "no row" : row_name(r->lifts));
			fprintf(out, "    %s%s%s\n", s->dim, r->reason, s->reset);
			for (unsigned j = 0; j < r->nforms; j++)
				fprintf(out, "    in a container: %s\n", r->forms[j]);
		}
	}
}

static void capacity_line(const char *label, const struct capacity *c, FILE *out)
{
	char n[FMT_MAX];

	if (c->known)
		fprintf(out, "%-6s %s %s, bound by %s%s\n", label, approx_sign(),
			fmt_approx(n, sizeof(n), c->connections), row_name(c->binding),
			c->partial ? " (partial)" : "");
	else
		fprintf(out, "%-6s unknown\n", label);
}

void text_plan(const struct report_input *in, bool color, FILE *out)
{
	const struct plan *pl = in->plan;
	struct style s = style_of(color);
	char n[FMT_MAX];

	char who[200];

	subject_describe(in->facts, who, sizeof(who));
	fprintf(out, "%splan for %s concurrent %s%s; %s; profile %s%s\n", s.bold,
		fmt_count(n, sizeof(n), pl->target), fmt_plural(pl->target, "connection", "connections"),
		pl->target_is_ceiling ? " (what memory can carry)" : "", who, in->profile->name,
		s.reset);
	if (pl->target_is_ceiling) {
		char m[FMT_MAX], r[FMT_MAX];

		fprintf(out, "ceiling %s %s less a reserve of %s (--reserve) for the system and the "
			     "application\n",
			pl->ceiling_from == F_CG_MEM_MAX ? "the cgroup limit" : "MemTotal",
			fmt_bytes(m, sizeof(m), pl->ceiling_memory_bytes),
			fmt_bytes(r, sizeof(r), pl->reserve_bytes));
	}
	capacity_line("now", &pl->before, out);
	capacity_line("after", &pl->after, out);
	if (pl->reachable)
		fprintf(out, "the target is reached%s\n",
			pl->nrecs == 0 ? " already: nothing to change" : " with the changes below");
	else
		fprintf(out, "%sthe target is not reached by settings alone%s\n", s.warn, s.reset);
	if (pl->order[0])
		fprintf(out, "apply in order: %s\n", pl->order);
	recommendations(pl, &s, out);
}

void text_audit(const struct report_input *in, bool color, FILE *out)
{
	struct style s = style_of(color);
	char n[FMT_MAX];

	headline(in, &s, out);
	cost_line(in, out);
	rows(in, &s, out);
	notes(in, &s, out);
	live(in, out);
	warnings_and_errors(in, &s, out);
	if (in->plan && in->plan->nrecs > 0) {
		if (in->plan->target_is_ceiling)
			fprintf(out, "\nto carry what memory allows (%s %s, 'sockcap plan'):\n",
				fmt_approx(n, sizeof(n), in->plan->target),
				fmt_plural(in->plan->target, "connection", "connections"));
		else
			fprintf(out, "\nto carry %s %s ('sockcap plan --target %llu'):\n",
				fmt_approx(n, sizeof(n), in->plan->target),
				fmt_plural(in->plan->target, "connection", "connections"),
				(unsigned long long)in->plan->target);
		recommendations(in->plan, &s, out);
	}
}

void text_facts(const struct facts *f, FILE *out)
{
	fprintf(out, "%-36s %-8s %-32s %s\n", "fact", "status", "value", "path");
	for (int i = 0; i < FACT_COUNT; i++) {
		const struct fact_def *d = &fact_defs[i];
		const struct fact *x = &f->f[i];
		char v[sizeof(f->reserved_ports) + 8] = "-";

		if (x->status == FACT_OK && d->unit == UNIT_TEXT) {
			snprintf(v, sizeof(v), "%s", i == F_RESERVED_PORTS ? f->reserved_ports : f->osrelease);
		} else if (x->status == FACT_OK) {
			size_t o = 0;
			for (unsigned k = 0; k < d->nvalues && o < sizeof(v); k++) {
				if (d->unit == UNIT_MASK) /* a capability set, as proc/PID/status writes it */
					o += (size_t)snprintf(v + o, sizeof(v) - o, "%s0x%016llx", k ? " " : "",
							      (unsigned long long)x->v[k]);
				else if (x->v[k] == U64_UNLIMITED)
					o += (size_t)snprintf(v + o, sizeof(v) - o, "%sunlimited", k ? " " : "");
				else
					o += (size_t)snprintf(v + o, sizeof(v) - o, "%s%llu", k ? " " : "",
							      (unsigned long long)x->v[k]);
			}
			if (o < sizeof(v) && d->unit != UNIT_COUNT)
				snprintf(v + o, sizeof(v) - o, " %s", unit_name(d->unit));
		}
		fprintf(out, "%-36s %-8s %-32s %s\n", d->name, fact_status_name(x->status), v, x->path);
	}
	if (f->fds_from != COUNT_NONE)
		fprintf(out, "process.fds counted by %s\n",
			f->fds_from == COUNT_STAT_SIZE ? "stat (the size of the fd directory, Linux 6.2+)"
						       : "reading the fd directory");
	if (fact_ok(f, F_PROC_SOCKETS) && f->sockets_estimated)
		fprintf(out, "process.sockets counted by reading the links of each process's first %u "
			"descriptors; every later descriptor taken as a socket\n", SOCKETS_READ_MAX);
	else if (fact_ok(f, F_PROC_SOCKETS))
		fprintf(out, "process.sockets counted by reading each descriptor's link\n");
	fprintf(out, "\n%-20s %-9s %8s %10s %12s %s\n", "slab cache", "from", "objsize",
		"objperslab", "pagesperslab", "");
	for (int c = 0; c < CACHE_COUNT; c++) {
		const struct cache_size *cs = &f->cache[c];

		if (cs->from == SIZE_ABSENT)
			fprintf(out, "%-20s %-9s %8s %10s %12s\n", slab_cache_name((enum slab_cache)c),
				"absent", "-", "-", "-");
		else
		{
			char objsize[FMT_MAX] = "-";

			if (cs->objsize)
				snprintf(objsize, sizeof(objsize), "%llu", (unsigned long long)cs->objsize);
			fprintf(out, "%-20s %-9s %8s %10llu %12llu\n",
				slab_cache_name((enum slab_cache)c), size_from_name(cs->from), objsize,
				(unsigned long long)cs->objperslab, (unsigned long long)cs->pagesperslab);
		}
	}
	fprintf(out, "proc/slabinfo: %s; built-in table series %s\n",
		f->slabinfo_read ? fact_status_name(f->slabinfo_status) : "unused", f->table_series);
}

void text_profiles(const struct profile *profiles, size_t n, FILE *out)
{
	fprintf(out, "%-10s %7s %8s %8s %8s %8s %5s %9s  %s\n", "profile", "sockets", "outbound",
		"rx", "tx", "app", "epoll", "conntrack", "description");
	for (size_t i = 0; i < n; i++) {
		const struct profile *p = &profiles[i];
		char rx[FMT_MAX], tx[FMT_MAX], app[FMT_MAX];

		if (p->rx_default)
			snprintf(rx, sizeof(rx), "default");
		else
			fmt_bytes(rx, sizeof(rx), p->rx_bytes);
		if (p->tx_default)
			snprintf(tx, sizeof(tx), "default");
		else
			fmt_bytes(tx, sizeof(tx), p->tx_bytes);
		fprintf(out, "%-10s %7llu %8llu %8s %8s %8s %5s %9s  %s\n", p->name,
			(unsigned long long)p->sockets_per_connection,
			(unsigned long long)p->outbound_sockets, rx, tx,
			fmt_bytes(app, sizeof(app), p->app_bytes), p->epoll ? "yes" : "no",
			p->conntrack ? "yes" : "no", p->description);
	}
}

void text_calibration(const struct calibration *c, FILE *out)
{
	char a[FMT_MAX], b[FMT_MAX], d[FMT_MAX], e[FMT_MAX];

	if (c->app)
		fprintf(out, "calibrated %s (pid %llu) on %s with %s idle connections on Linux %s "
			     "in %llu ms\n",
			c->server, (unsigned long long)c->pid, c->listener,
			fmt_count(a, sizeof(a), c->connections), c->kernel_release,
			(unsigned long long)c->elapsed_ms);
	else
		fprintf(out, "calibrated on Linux %s with %s loopback sockets in %llu ms\n",
			c->kernel_release, fmt_count(a, sizeof(a), c->sockets),
			(unsigned long long)c->elapsed_ms);
	fprintf(out, "kernel bytes per socket       %s +/- %s (steps %s..%s; active slab objects)\n",
		fmt_count(a, sizeof(a), c->kernel_bytes_per_socket),
		fmt_count(b, sizeof(b), c->kernel_uncertainty_bytes),
		fmt_count(d, sizeof(d), c->kernel_bytes_min),
		fmt_count(e, sizeof(e), c->kernel_bytes_max));
	fprintf(out, "slab total per socket         %s (cross-check: Slab in proc/meminfo",
		fmt_count(a, sizeof(a), c->slab_bytes_per_socket));
	if (c->proc_inode_bytes)
		fprintf(out, "; %s B of /proc readers' objects discounted",
			fmt_count(b, sizeof(b), c->proc_inode_bytes));
	fputs(")\n", out);
	if (c->app) {
		fprintf(out, "app bytes per connection      %s (steps %s..%s; the server's anonymous "
			     "memory)\n",
			fmt_count(a, sizeof(a), c->app_bytes_per_connection),
			fmt_count(b, sizeof(b), c->app_bytes_min),
			fmt_count(d, sizeof(d), c->app_bytes_max));
		if (c->server_cgroup)
			fprintf(out, "cgroup bytes per connection   %s +/- %s (the server's cgroup "
				     "charge, made in batches of %u pages per CPU)\n",
				fmt_count(a, sizeof(a), c->cgroup_bytes_per_connection),
				fmt_count(b, sizeof(b), c->memcg_uncertainty_bytes),
				MEMCG_CHARGE_BATCH_PAGES);
	}
	if (c->memcg_in)
		fprintf(out, "cgroup bytes per accepted     %s\n",
			fmt_count(a, sizeof(a), c->memcg_bytes_per_accepted_socket));
	if (c->memcg_out)
		fprintf(out, "cgroup bytes per opened       %s\n",
			fmt_count(a, sizeof(a), c->memcg_bytes_per_opened_socket));
	if (!c->app)
		fprintf(out, "buffers                       %s B unread cost %s B each: overhead "
			     "%llu.%03llu\n",
			fmt_count(a, sizeof(a), c->buffer_payload_bytes),
			fmt_count(b, sizeof(b), c->buffer_truesize_bytes),
			(unsigned long long)(c->buffer_overhead_milli / 1000),
			(unsigned long long)(c->buffer_overhead_milli % 1000));
	fprintf(out, "trusted                       %s\n", c->trusted ? "yes" : "no: not saved");
	for (unsigned i = 0; i < c->nnotes; i++)
		fprintf(out, "note: %s\n", c->notes[i]);
}

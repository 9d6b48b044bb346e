#include "out_prom.h"

#include "u64.h"
#include "version.h"

/* Length of the well-formed UTF-8 sequence at s (1 to 4), or 0 when the
 * bytes there are not one (overlong forms, surrogates, past U+10FFFF). */
static size_t utf8_len(const unsigned char *s)
{
	size_t n;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

void prom_label_value(const char *s, FILE *out)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		size_t n = utf8_len(p);

		if (*p == '\\')
			fputs("\\\\", out);
		else if (*p == '"')
			fputs("\\\"", out);
		else if (*p == '\n')
			fputs("\\n", out);
		else if (n == 0)
			fputc('?', out);
		else
			fwrite(p, 1, n, out);
		p += n ? n : 1;
	}
}

/* HELP and TYPE of one gauge; every metric here is a gauge (a level, not
 * a count since start: sockcap runs and exits). */
static void gauge(FILE *out, const char *name, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

static void sample(FILE *out, const char *name, uint64_t v)
{
	fprintf(out, "%s %llu\n", name, (unsigned long long)v);
}

/* name{label="value"} v, the value escaped. */
static void labelled(FILE *out, const char *name, const char *label, const char *value,
		     uint64_t v)
{
	fprintf(out, "%s{%s=\"", name, label);
	prom_label_value(value, out);
	fprintf(out, "\"} %llu\n", (unsigned long long)v);
}

static void limits(const struct capacity *c, FILE *out)
{
	static const enum row_status statuses[] = {ROWS_OK, ROWS_UNBOUNDED, ROWS_UNKNOWN, ROWS_NA};

	gauge(out, "sockcap_limit_connections",
	      "Connections each limit allows; +Inf when it allows any number, absent when unknown or not applicable.");
	for (int i = 0; i < ROW_COUNT; i++) {
		const struct row *r = &c->rows[i];

		if (r->status == ROWS_OK)
			labelled(out, "sockcap_limit_connections", "limit", row_name((enum row_id)i),
				 r->connections);
		else if (r->status == ROWS_UNBOUNDED)
			fprintf(out, "sockcap_limit_connections{limit=\"%s\"} +Inf\n",
				row_name((enum row_id)i));
	}
	gauge(out, "sockcap_limit_status",
	      "Status of each limit's figure: 1 for the current one of ok, unbounded, unknown, n/a.");
	for (int i = 0; i < ROW_COUNT; i++)
		for (size_t s = 0; s < sizeof(statuses) / sizeof(statuses[0]); s++)
			fprintf(out, "sockcap_limit_status{limit=\"%s\",status=\"%s\"} %d\n",
				row_name((enum row_id)i), row_status_name(statuses[s]),
				c->rows[i].status == statuses[s]);
	gauge(out, "sockcap_limit_can_bind",
	      "1 when the limit can bind today, 0 for ceilings a process may raise itself to.");
	for (int i = 0; i < ROW_COUNT; i++)
		labelled(out, "sockcap_limit_can_bind", "limit", row_name((enum row_id)i),
			 row_can_bind((enum row_id)i));
}

/* Live usage in connections of this profile: the host's TCP sockets, and
 * with --pid the process's open descriptors (sockets among them). */
static void usage(const struct report_input *in, FILE *out)
{
	const struct facts *f = in->facts;
	uint64_t spc = in->capacity->pc.sockets ? in->capacity->pc.sockets : 1;
	bool host = fact_ok(f, F_SOCK_TCP_INUSE), proc = f->pid && fact_ok(f, F_PROC_FDS);

	gauge(out, "sockcap_usage_connections",
	      "Connections of this profile in use: scope host from the TCP sockets in use (sockstat, sockstat6), scope process from the audited process's open descriptors (an upper bound); divided by sockets per connection.");
	if (host) {
		uint64_t v6 = fact_ok(f, F_SOCK_TCP6_INUSE) ? f->f[F_SOCK_TCP6_INUSE].v[0] : 0;

		labelled(out, "sockcap_usage_connections", "scope", "host",
			 u64_sat_add(f->f[F_SOCK_TCP_INUSE].v[0], v6) / spc);
	}
	if (proc)
		labelled(out, "sockcap_usage_connections", "scope", "process",
			 f->f[F_PROC_FDS].v[0] / spc);
}

static void per_connection(const struct per_connection *pc, FILE *out)
{
	gauge(out, "sockcap_connection_sockets", "Sockets one connection holds (2 for a proxy).");
	sample(out, "sockcap_connection_sockets", pc->sockets);
	gauge(out, "sockcap_socket_kernel_bytes",
	      "Kernel bytes one established socket holds: slab objects and descriptor slot.");
	sample(out, "sockcap_socket_kernel_bytes", pc->kernel_bytes_per_socket);
	gauge(out, "sockcap_connection_buffer_bytes",
	      "In-flight data one connection queues, at skb truesize, all its sockets.");
	sample(out, "sockcap_connection_buffer_bytes", pc->buffer_bytes);
	gauge(out, "sockcap_connection_app_bytes", "User-space bytes per connection.");
	sample(out, "sockcap_connection_app_bytes", pc->app_bytes);
	gauge(out, "sockcap_connection_bytes",
	      "Memory one connection costs in all: kernel, buffers and application.");
	sample(out, "sockcap_connection_bytes", pc->total_bytes);
}

void prom_audit(const struct report_input *in, bool has_target, uint64_t now_ms, FILE *out)
{
	const struct capacity *c = in->capacity;

	gauge(out, "sockcap_build_info", "The sockcap that wrote these metrics.");
	labelled(out, "sockcap_build_info", "version", SOCKCAP_VERSION, 1);
	gauge(out, "sockcap_profile_info", "The workload profile of the audit.");
	labelled(out, "sockcap_profile_info", "profile", in->profile->name, 1);
	gauge(out, "sockcap_capacity_connections",
	      "Concurrent TCP connections the host can sustain for the profile: the lowest limit that can bind; absent when no limit is known.");
	if (c->known)
		sample(out, "sockcap_capacity_connections", c->connections);
	gauge(out, "sockcap_capacity_partial",
	      "1 when a limit that can bind could not be read, so the capacity may be lower.");
	sample(out, "sockcap_capacity_partial", c->partial);
	gauge(out, "sockcap_binding_limit_info", "The limit that binds first (the capacity's).");
	if (c->known)
		labelled(out, "sockcap_binding_limit_info", "limit", row_name(c->binding), 1);
	limits(c, out);
	usage(in, out);
	per_connection(&c->pc, out);
	if (has_target && in->plan) {
		gauge(out, "sockcap_target_connections", "The target given with --target.");
		sample(out, "sockcap_target_connections", in->plan->target);
	}
	gauge(out, "sockcap_pending_changes",
	      "Changes the plan recommends: toward --target, else toward what memory can carry; absent when neither is known.");
	if (in->plan)
		sample(out, "sockcap_pending_changes", in->plan->nrecs);
	gauge(out, "sockcap_warnings", "Warnings of the audit: settings that hurt at scale.");
	sample(out, "sockcap_warnings", c->nwarnings);
	gauge(out, "sockcap_run_timestamp_seconds", "When sockcap ran, seconds since the epoch.");
	fprintf(out, "sockcap_run_timestamp_seconds %llu.%03llu\n",
		(unsigned long long)(now_ms / 1000), (unsigned long long)(now_ms % 1000));
}

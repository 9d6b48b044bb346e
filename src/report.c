#include "report.h"

#include "subject.h"

#include <stdio.h>

#include "version.h"

static void add_u64_or_null(struct doc *obj, const char *key, bool known, uint64_t v)
{
	if (known)
		doc_add_u64(obj, key, v);
	else
		doc_add_null(obj, key);
}

static void add_header(struct doc *doc, const char *root)
{
	struct doc *tool;

	doc_add_u64(doc, "schema_version", SCHEMA_VERSION);
	tool = doc_add_object(doc, "tool");
	doc_add_string(tool, "name", "sockcap");
	doc_add_string(tool, "version", SOCKCAP_VERSION);
	doc_add_string(doc, "root", root);
}

static void add_fact(struct doc *o, const char *key, const struct facts *f, enum fact_id id,
		     unsigned idx)
{
	add_u64_or_null(o, key, fact_ok(f, id), f->f[id].v[idx]);
}

static struct doc *profile_object(const struct profile *p)
{
	struct doc *o = doc_object();

	doc_add_string(o, "name", p->name);
	doc_add_string(o, "description", p->description);
	doc_add_string(o, "origin", p->origin);
	doc_add_u64(o, "sockets_per_connection", p->sockets_per_connection);
	doc_add_u64(o, "outbound_sockets", p->outbound_sockets);
	add_u64_or_null(o, "rx_bytes", !p->rx_default, p->rx_bytes);
	add_u64_or_null(o, "tx_bytes", !p->tx_default, p->tx_bytes);
	doc_add_u64(o, "app_bytes", p->app_bytes);
	doc_add_bool(o, "epoll", p->epoll);
	doc_add_bool(o, "conntrack", p->conntrack);
	doc_add_bool(o, "thread_per_connection", p->thread_per_connection);
	doc_add_u64(o, "reserved_fds", p->reserved_fds);
	doc_add_u64(o, "churn_per_second", p->churn_per_second);
	return o;
}

/* One slab cache: its name, where its size came from, its slab geometry. */
static struct doc *cache_object(const struct facts *f, enum slab_cache c)
{
	const struct cache_size *cs = &f->cache[c];
	struct doc *x = doc_object();

	doc_add_string(x, "cache", slab_cache_name(c));
	doc_add_string(x, "from", size_from_name(cs->from));
	add_u64_or_null(x, "objsize", cs->objsize != 0, cs->objsize);
	add_u64_or_null(x, "objperslab", cs->from != SIZE_ABSENT, cs->objperslab);
	add_u64_or_null(x, "pagesperslab", cs->from != SIZE_ABSENT, cs->pagesperslab);
	return x;
}

static struct doc *per_connection_object(const struct facts *f, const struct per_connection *pc)
{
	struct doc *o = doc_object(), *objs;

	doc_add_u64(o, "sockets", pc->sockets);
	doc_add_u64(o, "outbound_sockets", pc->outbound_sockets);
	doc_add_u64(o, "kernel_bytes_per_socket", pc->kernel_bytes_per_socket);
	doc_add_u64(o, "outbound_extra_bytes", pc->outbound_extra_bytes);
	doc_add_u64(o, "rx_bytes", pc->rx_bytes);
	doc_add_u64(o, "tx_bytes", pc->tx_bytes);
	doc_add_u64(o, "buffer_bytes", pc->buffer_bytes);
	doc_add_u64(o, "app_bytes", pc->app_bytes);
	doc_add_string(o, "app_bytes_from", app_bytes_from_name(pc->app_bytes_from));
	doc_add_u64(o, "total_bytes", pc->total_bytes);
	doc_add_u64(o, "memcg_bytes_per_inbound_socket", pc->memcg_bytes_per_inbound_socket);
	doc_add_u64(o, "memcg_bytes_per_outbound_socket", pc->memcg_bytes_per_outbound_socket);
	doc_add_bool(o, "memcg_tcp_on_accept", pc->memcg_tcp_on_accept);
	doc_add_bool(o, "memcg_buffers", pc->memcg_buffers);
	doc_add_u64(o, "memcg_total_bytes", pc->memcg_total_bytes);
	doc_add_u64(o, "conntrack_bytes", pc->conntrack_bytes);
	doc_add_u64(o, "thread_bytes", pc->thread_bytes);
	doc_add_string(o, "object_sizes_from", size_from_name(pc->object_sizes_from));
	if (pc->object_sizes_from == SIZE_TABLE)
		doc_add_string(o, "table_series", f->table_series);
	else
		doc_add_null(o, "table_series");
	/* Why the table: slabinfo and sys/kernel/slab are root's only. */
	doc_add_bool(o, "slab_root_only", pc->object_sizes_from == SIZE_TABLE &&
							   f->slabinfo_status == FACT_DENIED);
	objs = doc_add_array(o, "objects");
	for (int c = 0; c < CACHE_COUNT; c++) {
		struct doc *x = cache_object(f, (enum slab_cache)c);

		doc_add_u64(x, "effective_millibytes", pc->cache_millibytes[c]);
		doc_add_string(x, "counted",
					pc->cache_used[c] ? "every socket"
					: c == CACHE_BIND_BUCKET || c == CACHE_BIND2_BUCKET
						? "outbound sockets"
					: c == CACHE_NF_CONNTRACK && pc->conntrack_bytes > 0
						? "tracked flows"
					: c == CACHE_TASK_STRUCT && pc->thread_bytes > 0
						? "threads"
						: "no");
		doc_push(objs, x);
	}
	return o;
}

static struct doc *limits_array(const struct facts *f, const struct capacity *c)
{
	struct doc *a = doc_array();

	for (int i = 0; i < ROW_COUNT; i++) {
		const struct row *r = &c->rows[i];
		struct doc *x = doc_object();

		doc_add_string(x, "id", row_name((enum row_id)i));
		add_u64_or_null(x, "value", r->has_value, r->value);
		if (r->has_value)
			doc_add_string(x, "unit", unit_name(r->unit));
		else
			doc_add_null(x, "unit");
		add_u64_or_null(x, "connections", r->status == ROWS_OK, r->connections);
		doc_add_string(x, "status", row_status_name(r->status));
		doc_add_bool(x, "binding", c->known && c->binding == (enum row_id)i);
		doc_add_bool(x, "can_bind", row_can_bind((enum row_id)i));
		doc_add_bool(x, "binds_for_subject", row_can_bind((enum row_id)i) && !r->exempt);
		doc_add_string(x, "source", r->source_path ? r->source_path : f->f[r->source].path);
		doc_add_string(x, "note", r->note);
		doc_push(a, x);
	}
	return a;
}

static struct doc *usage_view_object(const struct usage_view *v, bool counted)
{
	struct doc *o;

	if (!counted)
		return doc_null();
	o = doc_object();
	doc_add_u64(o, "sockets", v->sockets);
	doc_add_u64(o, "connections", v->connections);
	add_u64_or_null(o, "capacity", v->known, v->capacity);
	if (v->known)
		doc_add_string(o, "row", row_name(v->row));
	else
		doc_add_null(o, "row");
	add_u64_or_null(o, "percent", v->known, v->percent);
	return o;
}

static struct doc *usage_object(const struct facts *f, const struct capacity *c)
{
	struct doc *o = doc_object();

	/* Like with like: the subject's sockets against its per-process rows,
	 * the host's against the host's. */
	doc_add(o, "subject", usage_view_object(&c->usage.process,
							       fact_ok(f, F_PROC_SOCKETS)));
	doc_add(o, "host", usage_view_object(&c->usage.host,
							    fact_ok(f, F_SOCK_TCP_INUSE)));
	add_fact(o, "sockets_used", f, F_SOCK_USED, 0);
	doc_add_u64(o, "pinned_slab_bytes", c->pinned_bytes);

	add_fact(o, "tcp_inuse", f, F_SOCK_TCP_INUSE, 0);
	add_fact(o, "tcp6_inuse", f, F_SOCK_TCP6_INUSE, 0);
	add_fact(o, "tcp_orphan", f, F_SOCK_TCP_ORPHAN, 0);
	add_fact(o, "tcp_tw", f, F_SOCK_TCP_TW, 0);
	add_fact(o, "tcp_alloc", f, F_SOCK_TCP_ALLOC, 0);
	add_fact(o, "tcp_mem_pages", f, F_SOCK_TCP_MEM, 0);
	add_fact(o, "files_allocated", f, F_FILE_NR, 0);
	add_fact(o, "conntrack_count", f, F_CONNTRACK_COUNT, 0);
	add_fact(o, "threads", f, F_THREADS_IN_USE, 0);
	return o;
}

/* Facts that were there but could not be read: denied or invalid. */
static struct doc *errors_array(const struct facts *f)
{
	struct doc *a = doc_array();

	for (int i = 0; i < FACT_COUNT; i++) {
		const struct fact *x = &f->f[i];
		struct doc *e;

		if (x->status != FACT_DENIED && x->status != FACT_INVALID)
			continue;
		e = doc_object();
		doc_add_string(e, "fact", fact_defs[i].name);
		doc_add_string(e, "path", x->path);
		doc_add_string(e, "status", fact_status_name(x->status));
		doc_push(a, e);
	}
	if (f->slabinfo_status == FACT_DENIED || f->slabinfo_status == FACT_INVALID) {
		struct doc *e = doc_object();

		doc_add_string(e, "fact", "slabinfo");
		doc_add_string(e, "path", "proc/slabinfo");
		doc_add_string(e, "status", fact_status_name(f->slabinfo_status));
		doc_push(a, e);
	}
	return a;
}

static struct doc *setting_object(const struct setting *s)
{
	struct doc *o, *prev;

	if (!s->set)
		return doc_null();
	o = doc_object();
	doc_add_string(o, "value", s->value);
	doc_add_string(o, "file", s->file);
	doc_add_u64(o, "line", s->line);
	if (!s->overrode) {
		doc_add_null(o, "overrides");
		return o;
	}
	prev = doc_add_object(o, "overrides");
	doc_add_string(prev, "value", s->prev_value);
	doc_add_string(prev, "file", s->prev_file);
	doc_add_u64(prev, "line", s->prev_line);
	return o;
}

/* What the configuration files say: sysctl.d, limits.d, systemd. */
static struct doc *persisted_object(const struct facts *f)
{
	const struct persisted *p = &f->persisted;
	struct doc *o = doc_object(), *sysctl;

	doc_add_string(o, "user", p->user);
	doc_add_u64(o, "files_read", p->files);
	sysctl = doc_add_array(o, "sysctl");
	for (int id = 0; id < FACT_COUNT; id++) {
		struct doc *x;

		if (!p->sysctl[id].set)
			continue;
		x = setting_object(&p->sysctl[id]);
		doc_add_string(x, "key", fact_defs[id].name);
		doc_push(sysctl, x);
	}
	for (int k = 0; k < 2; k++) {
		struct doc *x = doc_add_object(o, k == 0 ? "nofile" : "nproc");

		doc_add(x, "limits_soft", setting_object(&p->soft[k]));
		doc_add(x, "limits_hard", setting_object(&p->hard[k]));
		doc_add(x, "unit",
				      setting_object(k == 0 ? &p->unit_nofile : &p->unit_nproc));
		doc_add(x, "default",
				      setting_object(k == 0 ? &p->default_nofile : &p->default_nproc));
	}
	return o;
}

static struct doc *process_object(const struct facts *f)
{
	struct doc *o = doc_object();

	add_u64_or_null(o, "pid", f->pid != 0, f->pid);
	if (f->unit[0])
		doc_add_string(o, "unit", f->unit);
	else
		doc_add_null(o, "unit");
	add_fact(o, "fds", f, F_PROC_FDS, 0);
	add_fact(o, "threads", f, F_PROC_THREADS, 0);
	return o;
}

static struct doc *subject_object(const struct facts *f, const struct model_options *opt)
{
	const struct subject *s = &f->subject;
	struct doc *o = doc_object();
	char who[200];

	subject_describe(f, who, sizeof(who));
	doc_add_string(o, "kind", subject_kind_name(s->kind));
	doc_add_string(o, "description", who);
	add_u64_or_null(o, "pid", s->pid != 0, s->pid);
	add_u64_or_null(o, "process", f->pid != 0, f->pid);
	if (f->unit[0])
		doc_add_string(o, "unit", f->unit);
	else
		doc_add_null(o, "unit");
	if (s->user[0])
		doc_add_string(o, "user", s->user);
	else
		doc_add_null(o, "user");
	if (s->netns[0])
		doc_add_string(o, "netns", s->netns);
	else
		doc_add_null(o, "netns");
	doc_add_bool(o, "netns_other", s->netns_other);
	doc_add_string(o, "netns_status", fact_status_name(s->netns_status));
	add_u64_or_null(o, "workers", s->processes != 0, s->processes);
	if (s->processes_from[0])
		doc_add_string(o, "workers_from", s->processes_from);
	else
		doc_add_null(o, "workers_from");
	doc_add_bool(o, "workers_counted",
			      s->processes > 1 && opt->processes == s->processes);
	if (s->cap_known)
		doc_add_bool(o, "cap_sys_admin", s->cap_sys_admin);
	else
		doc_add_null(o, "cap_sys_admin");
	return o;
}

static struct doc *container_object(const struct container *c)
{
	struct doc *o = doc_object();

	doc_add_bool(o, "detected", c->detected);
	if (c->detected)
		doc_add_string(o, "why", c->why);
	else
		doc_add_null(o, "why");
	return o;
}

static struct doc *capacity_object(const struct capacity *c)
{
	struct doc *o = doc_object();

	add_u64_or_null(o, "connections", c->known, c->connections);
	if (c->known)
		doc_add_string(o, "binding", row_name(c->binding));
	else
		doc_add_null(o, "binding");
	doc_add_bool(o, "partial", c->partial);
	return o;
}

static struct doc *plan_object(const struct plan *pl)
{
	struct doc *o;

	if (!pl)
		return doc_null();
	o = doc_object();
	doc_add_u64(o, "target", pl->target);
	doc_add_bool(o, "target_is_ceiling", pl->target_is_ceiling);
	doc_add_bool(o, "reachable", pl->reachable);
	if (pl->target_is_ceiling) {
		struct doc *c = doc_add_object(o, "ceiling");

		doc_add_string(c, "from", fact_defs[pl->ceiling_from].name);
		doc_add_u64(c, "memory_bytes", pl->ceiling_memory_bytes);
		doc_add_u64(c, "reserve_bytes", pl->reserve_bytes);
	} else {
		doc_add_null(o, "ceiling");
	}
	doc_add_string(o, "order", pl->order);
	doc_add(o, "after", capacity_object(&pl->after));
	return o;
}

static struct doc *recommendations_array(const struct plan *pl)
{
	struct doc *a = doc_array();

	for (unsigned i = 0; pl && i < pl->nrecs; i++) {
		const struct recommendation *r = &pl->recs[i];
		struct doc *x = doc_object(), *forms;

		doc_add_string(x, "kind", rec_kind_name(r->kind));
		doc_add_string(x, "key", r->key);
		doc_add_string(x, "current", r->current);
		doc_add_string(x, "recommended", r->recommended);
		doc_add_string(x, "scope", scope_name(r->scope));
		doc_add_string(x, "lifts", row_name(r->lifts));
		doc_add_string(x, "reason", r->reason);
		forms = doc_add_array(x, "container_forms");
		for (unsigned k = 0; k < r->nforms; k++)
			doc_push(forms, doc_string(r->forms[k]));
		doc_push(a, x);
	}
	return a;
}

struct doc *report_audit(const struct report_input *in)
{
	const struct capacity *c = in->capacity;
	const struct facts *f = in->facts;
	struct doc *doc = doc_object(), *kernel, *warns;

	if (!doc)
		return NULL;
	add_header(doc, in->root);
	doc_add(doc, "profile", profile_object(in->profile));
	add_u64_or_null(doc, "target", in->plan != NULL, in->plan ? in->plan->target : 0);
	doc_add_u64(doc, "processes", in->options->processes);
	doc_add_u64(doc, "upstreams", in->options->upstreams);
	doc_add(doc, "subject", subject_object(f, in->options));
	doc_add(doc, "process", process_object(f));
	doc_add(doc, "container", container_object(&f->container));
	doc_add(doc, "persisted", persisted_object(f));
	kernel = doc_add_object(doc, "kernel");
	if (fact_ok(f, F_OSRELEASE))
		doc_add_string(kernel, "release", f->osrelease);
	else
		doc_add_null(kernel, "release");
	doc_add_u64(kernel, "page_size", f->page_size);
	doc_add(doc, "capacity", capacity_object(c));
	doc_add(doc, "per_connection", per_connection_object(f, &c->pc));
	doc_add(doc, "limits", limits_array(f, c));
	doc_add(doc, "usage", usage_object(f, c));
	warns = doc_add_array(doc, "warnings");
	for (unsigned i = 0; i < c->nwarnings; i++) {
		struct doc *w = doc_object();
		doc_add_string(w, "id", c->warnings[i].id);
		doc_add_string(w, "message", c->warnings[i].message);
		doc_push(warns, w);
	}
	doc_add(doc, "plan", plan_object(in->plan));
	doc_add(doc, "recommendations", recommendations_array(in->plan));
	doc_add(doc, "errors", errors_array(f));
	return doc;
}

struct doc *report_facts(const char *root, const struct facts *f)
{
	struct doc *doc = doc_object(), *arr, *objs;

	if (!doc)
		return NULL;
	add_header(doc, root);
	arr = doc_add_array(doc, "facts");
	for (int i = 0; i < FACT_COUNT; i++) {
		const struct fact_def *d = &fact_defs[i];
		const struct fact *x = &f->f[i];
		struct doc *o = doc_object(), *vals;
		bool unlimited = false;

		doc_add_string(o, "name", d->name);
		doc_add_string(o, "path", x->path);
		doc_add_string(o, "status", fact_status_name(x->status));
		doc_add_string(o, "unit", unit_name(d->unit));
		doc_add_string(o, "scope", scope_name(d->scope));
		if (d->unit == UNIT_TEXT || x->status != FACT_OK) {
			doc_add_null(o, "values");
		} else {
			vals = doc_add_array(o, "values");
			for (unsigned k = 0; k < d->nvalues; k++) {
				if (x->v[k] == UINT64_MAX) {
					unlimited = true;
					doc_push(vals, doc_null());
				} else {
					doc_push(vals, doc_u64(x->v[k]));
				}
			}
		}
		doc_add_bool(o, "unlimited", unlimited);
		if (d->unit == UNIT_TEXT && x->status == FACT_OK)
			doc_add_string(o, "text", i == F_RESERVED_PORTS ? f->reserved_ports : f->osrelease);
		else
			doc_add_null(o, "text");
		doc_push(arr, o);
	}
	doc_add_string(doc, "fds_counted_by", count_from_name(f->fds_from));
	doc_add_string(doc, "sockets_counted_by",
				!fact_ok(f, F_PROC_SOCKETS) ? "none"
				: f->sockets_estimated   ? "estimate"
							 : "readlink");
	doc_add_string(doc, "slabinfo_status",
				f->slabinfo_read ? fact_status_name(f->slabinfo_status) : "unused");
	doc_add_string(doc, "table_series", f->table_series);
	objs = doc_add_array(doc, "object_sizes");
	for (int c = 0; c < CACHE_COUNT; c++)
		doc_push(objs, cache_object(f, (enum slab_cache)c));
	return doc;
}

struct doc *report_profiles(const struct profile *profiles, size_t n)
{
	struct doc *doc = doc_object(), *arr;

	if (!doc)
		return NULL;
	doc_add_u64(doc, "schema_version", SCHEMA_VERSION);
	arr = doc_add_array(doc, "profiles");
	for (size_t i = 0; i < n; i++)
		doc_push(arr, profile_object(&profiles[i]));
	return doc;
}

static struct doc *spread_object(uint64_t min, uint64_t max)
{
	struct doc *o = doc_object();

	doc_add_u64(o, "min", min);
	doc_add_u64(o, "max", max);
	return o;
}

struct doc *report_calibration(const struct calibration *c)
{
	struct doc *doc = doc_object(), *notes;
	char ratio[32];

	if (!doc)
		return NULL;
	doc_add_string(doc, "kind", "sockcap-calibration");
	doc_add_u64(doc, "schema_version", CALIBRATION_SCHEMA_VERSION);
	doc_add_u64(doc, "sockets", c->sockets);
	doc_add_u64(doc, "kernel_bytes_per_socket", c->kernel_bytes_per_socket);
	doc_add(doc, "kernel_bytes_spread",
			      spread_object(c->kernel_bytes_min, c->kernel_bytes_max));
	doc_add_u64(doc, "kernel_uncertainty_bytes", c->kernel_uncertainty_bytes);
	doc_add_u64(doc, "slab_bytes_per_socket", c->slab_bytes_per_socket);
	doc_add_u64(doc, "proc_inode_bytes_discounted", c->proc_inode_bytes);
	add_u64_or_null(doc, "memcg_bytes_per_accepted_socket", c->memcg_in,
			c->memcg_bytes_per_accepted_socket);
	add_u64_or_null(doc, "memcg_bytes_per_opened_socket", c->memcg_out,
			c->memcg_bytes_per_opened_socket);
	add_u64_or_null(doc, "memcg_uncertainty_bytes", c->memcg_uncertainty_bytes > 0,
			c->memcg_uncertainty_bytes);
	add_u64_or_null(doc, "app_bytes_per_connection", c->app, c->app_bytes_per_connection);
	if (c->app) {
		struct doc *s = doc_add_object(doc, "server");

		doc_add_u64(s, "pid", c->pid);
		doc_add_string(s, "name", c->server);
		doc_add_string(s, "listener", c->listener);
		doc_add_u64(s, "connections", c->connections);
		doc_add(s, "app_bytes_spread",
				      spread_object(c->app_bytes_min, c->app_bytes_max));
		add_u64_or_null(s, "cgroup_bytes_per_connection", c->server_cgroup,
				c->cgroup_bytes_per_connection);
	} else {
		doc_add_null(doc, "server");
	}
	doc_add_u64(doc, "buffer_payload_bytes", c->buffer_payload_bytes);
	doc_add_u64(doc, "buffer_truesize_bytes", c->buffer_truesize_bytes);
	/* A ratio with three decimals, exactly as measured. */
	snprintf(ratio, sizeof(ratio), "%llu.%03llu",
		 (unsigned long long)(c->buffer_overhead_milli / 1000),
		 (unsigned long long)(c->buffer_overhead_milli % 1000));
	doc_add(doc, "buffer_overhead", doc_raw(ratio));
	doc_add_bool(doc, "trusted", c->trusted);
	doc_add_string(doc, "kernel_release", c->kernel_release);
	doc_add_u64(doc, "elapsed_ms", c->elapsed_ms);
	notes = doc_add_array(doc, "notes");
	for (unsigned i = 0; i < c->nnotes; i++)
		doc_push(notes, doc_string(c->notes[i]));
	return doc;
}

#include "report.h"

#include "subject.h"

#include <stdio.h>

#include "version.h"

cJSON *json_u64(uint64_t v)
{
	char buf[24], *p = buf + sizeof(buf) - 1;

	/* Digits by hand: an audit prints a few hundred integers. */
	*p = '\0';
	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return cJSON_CreateRaw(p);
}

static void add_u64(cJSON *obj, const char *key, uint64_t v)
{
	cJSON_AddItemToObject(obj, key, json_u64(v));
}

static void add_u64_or_null(cJSON *obj, const char *key, bool known, uint64_t v)
{
	if (known)
		add_u64(obj, key, v);
	else
		cJSON_AddNullToObject(obj, key);
}

static void add_header(cJSON *doc, const char *root)
{
	cJSON *tool;

	add_u64(doc, "schema_version", SCHEMA_VERSION);
	tool = cJSON_AddObjectToObject(doc, "tool");
	cJSON_AddStringToObject(tool, "name", "sockcap");
	cJSON_AddStringToObject(tool, "version", SOCKCAP_VERSION);
	cJSON_AddStringToObject(doc, "root", root);
}

static void add_fact(cJSON *o, const char *key, const struct facts *f, enum fact_id id,
		     unsigned idx)
{
	add_u64_or_null(o, key, fact_ok(f, id), f->f[id].v[idx]);
}

static cJSON *profile_object(const struct profile *p)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "name", p->name);
	cJSON_AddStringToObject(o, "description", p->description);
	cJSON_AddStringToObject(o, "origin", p->origin);
	add_u64(o, "sockets_per_connection", p->sockets_per_connection);
	add_u64(o, "outbound_sockets", p->outbound_sockets);
	add_u64_or_null(o, "rx_bytes", !p->rx_default, p->rx_bytes);
	add_u64_or_null(o, "tx_bytes", !p->tx_default, p->tx_bytes);
	add_u64(o, "app_bytes", p->app_bytes);
	cJSON_AddBoolToObject(o, "epoll", p->epoll);
	cJSON_AddBoolToObject(o, "conntrack", p->conntrack);
	cJSON_AddBoolToObject(o, "thread_per_connection", p->thread_per_connection);
	add_u64(o, "reserved_fds", p->reserved_fds);
	add_u64(o, "churn_per_second", p->churn_per_second);
	return o;
}

/* One slab cache: its name, where its size came from, its slab geometry. */
static cJSON *cache_object(const struct facts *f, enum slab_cache c)
{
	const struct cache_size *cs = &f->cache[c];
	cJSON *x = cJSON_CreateObject();

	cJSON_AddStringToObject(x, "cache", slab_cache_name(c));
	cJSON_AddStringToObject(x, "from", size_from_name(cs->from));
	add_u64_or_null(x, "objsize", cs->objsize != 0, cs->objsize);
	add_u64_or_null(x, "objperslab", cs->from != SIZE_ABSENT, cs->objperslab);
	add_u64_or_null(x, "pagesperslab", cs->from != SIZE_ABSENT, cs->pagesperslab);
	return x;
}

static cJSON *per_connection_object(const struct facts *f, const struct per_connection *pc)
{
	cJSON *o = cJSON_CreateObject(), *objs;

	add_u64(o, "sockets", pc->sockets);
	add_u64(o, "outbound_sockets", pc->outbound_sockets);
	add_u64(o, "kernel_bytes_per_socket", pc->kernel_bytes_per_socket);
	add_u64(o, "outbound_extra_bytes", pc->outbound_extra_bytes);
	add_u64(o, "rx_bytes", pc->rx_bytes);
	add_u64(o, "tx_bytes", pc->tx_bytes);
	add_u64(o, "buffer_bytes", pc->buffer_bytes);
	add_u64(o, "app_bytes", pc->app_bytes);
	cJSON_AddStringToObject(o, "app_bytes_from", app_bytes_from_name(pc->app_bytes_from));
	add_u64(o, "total_bytes", pc->total_bytes);
	add_u64(o, "memcg_bytes_per_inbound_socket", pc->memcg_bytes_per_inbound_socket);
	add_u64(o, "memcg_bytes_per_outbound_socket", pc->memcg_bytes_per_outbound_socket);
	cJSON_AddBoolToObject(o, "memcg_tcp_on_accept", pc->memcg_tcp_on_accept);
	cJSON_AddBoolToObject(o, "memcg_buffers", pc->memcg_buffers);
	add_u64(o, "memcg_total_bytes", pc->memcg_total_bytes);
	add_u64(o, "conntrack_bytes", pc->conntrack_bytes);
	add_u64(o, "thread_bytes", pc->thread_bytes);
	cJSON_AddStringToObject(o, "object_sizes_from", size_from_name(pc->object_sizes_from));
	if (pc->object_sizes_from == SIZE_TABLE)
		cJSON_AddStringToObject(o, "table_series", f->table_series);
	else
		cJSON_AddNullToObject(o, "table_series");
	/* Why the table: slabinfo and sys/kernel/slab are root's only. */
	cJSON_AddBoolToObject(o, "slab_root_only", pc->object_sizes_from == SIZE_TABLE &&
							   f->slabinfo_status == FACT_DENIED);
	objs = cJSON_AddArrayToObject(o, "objects");
	for (int c = 0; c < CACHE_COUNT; c++) {
		cJSON *x = cache_object(f, (enum slab_cache)c);

		add_u64(x, "effective_millibytes", pc->cache_millibytes[c]);
		cJSON_AddStringToObject(x, "counted",
					pc->cache_used[c] ? "every socket"
					: c == CACHE_BIND_BUCKET || c == CACHE_BIND2_BUCKET
						? "outbound sockets"
					: c == CACHE_NF_CONNTRACK && pc->conntrack_bytes > 0
						? "tracked flows"
					: c == CACHE_TASK_STRUCT && pc->thread_bytes > 0
						? "threads"
						: "no");
		cJSON_AddItemToArray(objs, x);
	}
	return o;
}

static cJSON *limits_array(const struct facts *f, const struct capacity *c)
{
	cJSON *a = cJSON_CreateArray();

	for (int i = 0; i < ROW_COUNT; i++) {
		const struct row *r = &c->rows[i];
		cJSON *x = cJSON_CreateObject();

		cJSON_AddStringToObject(x, "id", row_name((enum row_id)i));
		add_u64_or_null(x, "value", r->has_value, r->value);
		if (r->has_value)
			cJSON_AddStringToObject(x, "unit", unit_name(r->unit));
		else
			cJSON_AddNullToObject(x, "unit");
		add_u64_or_null(x, "connections", r->status == ROWS_OK, r->connections);
		cJSON_AddStringToObject(x, "status", row_status_name(r->status));
		cJSON_AddBoolToObject(x, "binding", c->known && c->binding == (enum row_id)i);
		cJSON_AddBoolToObject(x, "can_bind", row_can_bind((enum row_id)i));
		cJSON_AddBoolToObject(x, "binds_for_subject", row_can_bind((enum row_id)i) && !r->exempt);
		cJSON_AddStringToObject(x, "source", r->source_path ? r->source_path : f->f[r->source].path);
		cJSON_AddStringToObject(x, "note", r->note);
		cJSON_AddItemToArray(a, x);
	}
	return a;
}

static cJSON *usage_view_object(const struct usage_view *v, bool counted)
{
	cJSON *o;

	if (!counted)
		return cJSON_CreateNull();
	o = cJSON_CreateObject();
	add_u64(o, "sockets", v->sockets);
	add_u64(o, "connections", v->connections);
	add_u64_or_null(o, "capacity", v->known, v->capacity);
	if (v->known)
		cJSON_AddStringToObject(o, "row", row_name(v->row));
	else
		cJSON_AddNullToObject(o, "row");
	add_u64_or_null(o, "percent", v->known, v->percent);
	return o;
}

static cJSON *usage_object(const struct facts *f, const struct capacity *c)
{
	cJSON *o = cJSON_CreateObject();

	/* Like with like: the subject's sockets against its per-process rows,
	 * the host's against the host's. */
	cJSON_AddItemToObject(o, "subject", usage_view_object(&c->usage.process,
							       fact_ok(f, F_PROC_SOCKETS)));
	cJSON_AddItemToObject(o, "host", usage_view_object(&c->usage.host,
							    fact_ok(f, F_SOCK_TCP_INUSE)));
	add_fact(o, "sockets_used", f, F_SOCK_USED, 0);
	add_u64(o, "pinned_slab_bytes", c->pinned_bytes);

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
static cJSON *errors_array(const struct facts *f)
{
	cJSON *a = cJSON_CreateArray();

	for (int i = 0; i < FACT_COUNT; i++) {
		const struct fact *x = &f->f[i];
		cJSON *e;

		if (x->status != FACT_DENIED && x->status != FACT_INVALID)
			continue;
		e = cJSON_CreateObject();
		cJSON_AddStringToObject(e, "fact", fact_defs[i].name);
		cJSON_AddStringToObject(e, "path", x->path);
		cJSON_AddStringToObject(e, "status", fact_status_name(x->status));
		cJSON_AddItemToArray(a, e);
	}
	if (f->slabinfo_status == FACT_DENIED || f->slabinfo_status == FACT_INVALID) {
		cJSON *e = cJSON_CreateObject();

		cJSON_AddStringToObject(e, "fact", "slabinfo");
		cJSON_AddStringToObject(e, "path", "proc/slabinfo");
		cJSON_AddStringToObject(e, "status", fact_status_name(f->slabinfo_status));
		cJSON_AddItemToArray(a, e);
	}
	return a;
}

static cJSON *setting_object(const struct setting *s)
{
	cJSON *o, *prev;

	if (!s->set)
		return cJSON_CreateNull();
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "value", s->value);
	cJSON_AddStringToObject(o, "file", s->file);
	add_u64(o, "line", s->line);
	if (!s->overrode) {
		cJSON_AddNullToObject(o, "overrides");
		return o;
	}
	prev = cJSON_AddObjectToObject(o, "overrides");
	cJSON_AddStringToObject(prev, "value", s->prev_value);
	cJSON_AddStringToObject(prev, "file", s->prev_file);
	add_u64(prev, "line", s->prev_line);
	return o;
}

/* What the configuration files say: sysctl.d, limits.d, systemd. */
static cJSON *persisted_object(const struct facts *f)
{
	const struct persisted *p = &f->persisted;
	cJSON *o = cJSON_CreateObject(), *sysctl;

	cJSON_AddStringToObject(o, "user", p->user);
	add_u64(o, "files_read", p->files);
	sysctl = cJSON_AddArrayToObject(o, "sysctl");
	for (int id = 0; id < FACT_COUNT; id++) {
		cJSON *x;

		if (!p->sysctl[id].set)
			continue;
		x = setting_object(&p->sysctl[id]);
		cJSON_AddStringToObject(x, "key", fact_defs[id].name);
		cJSON_AddItemToArray(sysctl, x);
	}
	for (int k = 0; k < 2; k++) {
		cJSON *x = cJSON_AddObjectToObject(o, k == 0 ? "nofile" : "nproc");

		cJSON_AddItemToObject(x, "limits_soft", setting_object(&p->soft[k]));
		cJSON_AddItemToObject(x, "limits_hard", setting_object(&p->hard[k]));
		cJSON_AddItemToObject(x, "unit",
				      setting_object(k == 0 ? &p->unit_nofile : &p->unit_nproc));
		cJSON_AddItemToObject(x, "default",
				      setting_object(k == 0 ? &p->default_nofile : &p->default_nproc));
	}
	return o;
}

static cJSON *process_object(const struct facts *f)
{
	cJSON *o = cJSON_CreateObject();

	add_u64_or_null(o, "pid", f->pid != 0, f->pid);
	if (f->unit[0])
		cJSON_AddStringToObject(o, "unit", f->unit);
	else
		cJSON_AddNullToObject(o, "unit");
	add_fact(o, "fds", f, F_PROC_FDS, 0);
	add_fact(o, "threads", f, F_PROC_THREADS, 0);
	return o;
}

static cJSON *subject_object(const struct facts *f, const struct model_options *opt)
{
	const struct subject *s = &f->subject;
	cJSON *o = cJSON_CreateObject();
	char who[200];

	subject_describe(f, who, sizeof(who));
	cJSON_AddStringToObject(o, "kind", subject_kind_name(s->kind));
	cJSON_AddStringToObject(o, "description", who);
	add_u64_or_null(o, "pid", s->pid != 0, s->pid);
	add_u64_or_null(o, "process", f->pid != 0, f->pid);
	if (f->unit[0])
		cJSON_AddStringToObject(o, "unit", f->unit);
	else
		cJSON_AddNullToObject(o, "unit");
	if (s->user[0])
		cJSON_AddStringToObject(o, "user", s->user);
	else
		cJSON_AddNullToObject(o, "user");
	if (s->netns[0])
		cJSON_AddStringToObject(o, "netns", s->netns);
	else
		cJSON_AddNullToObject(o, "netns");
	cJSON_AddBoolToObject(o, "netns_other", s->netns_other);
	cJSON_AddStringToObject(o, "netns_status", fact_status_name(s->netns_status));
	add_u64_or_null(o, "workers", s->processes != 0, s->processes);
	if (s->processes_from[0])
		cJSON_AddStringToObject(o, "workers_from", s->processes_from);
	else
		cJSON_AddNullToObject(o, "workers_from");
	cJSON_AddBoolToObject(o, "workers_counted",
			      s->processes > 1 && opt->processes == s->processes);
	if (s->cap_known)
		cJSON_AddBoolToObject(o, "cap_sys_admin", s->cap_sys_admin);
	else
		cJSON_AddNullToObject(o, "cap_sys_admin");
	return o;
}

static cJSON *container_object(const struct container *c)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddBoolToObject(o, "detected", c->detected);
	if (c->detected)
		cJSON_AddStringToObject(o, "why", c->why);
	else
		cJSON_AddNullToObject(o, "why");
	return o;
}

static cJSON *capacity_object(const struct capacity *c)
{
	cJSON *o = cJSON_CreateObject();

	add_u64_or_null(o, "connections", c->known, c->connections);
	if (c->known)
		cJSON_AddStringToObject(o, "binding", row_name(c->binding));
	else
		cJSON_AddNullToObject(o, "binding");
	cJSON_AddBoolToObject(o, "partial", c->partial);
	return o;
}

static cJSON *plan_object(const struct plan *pl)
{
	cJSON *o;

	if (!pl)
		return cJSON_CreateNull();
	o = cJSON_CreateObject();
	add_u64(o, "target", pl->target);
	cJSON_AddBoolToObject(o, "target_is_ceiling", pl->target_is_ceiling);
	cJSON_AddBoolToObject(o, "reachable", pl->reachable);
	if (pl->target_is_ceiling) {
		cJSON *c = cJSON_AddObjectToObject(o, "ceiling");

		cJSON_AddStringToObject(c, "from", fact_defs[pl->ceiling_from].name);
		add_u64(c, "memory_bytes", pl->ceiling_memory_bytes);
		add_u64(c, "reserve_bytes", pl->reserve_bytes);
	} else {
		cJSON_AddNullToObject(o, "ceiling");
	}
	cJSON_AddStringToObject(o, "order", pl->order);
	cJSON_AddItemToObject(o, "after", capacity_object(&pl->after));
	return o;
}

static cJSON *recommendations_array(const struct plan *pl)
{
	cJSON *a = cJSON_CreateArray();

	for (unsigned i = 0; pl && i < pl->nrecs; i++) {
		const struct recommendation *r = &pl->recs[i];
		cJSON *x = cJSON_CreateObject(), *forms;

		cJSON_AddStringToObject(x, "kind", rec_kind_name(r->kind));
		cJSON_AddStringToObject(x, "key", r->key);
		cJSON_AddStringToObject(x, "current", r->current);
		cJSON_AddStringToObject(x, "recommended", r->recommended);
		cJSON_AddStringToObject(x, "scope", scope_name(r->scope));
		cJSON_AddStringToObject(x, "lifts", row_name(r->lifts));
		cJSON_AddStringToObject(x, "reason", r->reason);
		forms = cJSON_AddArrayToObject(x, "container_forms");
		for (unsigned k = 0; k < r->nforms; k++)
			cJSON_AddItemToArray(forms, cJSON_CreateString(r->forms[k]));
		cJSON_AddItemToArray(a, x);
	}
	return a;
}

cJSON *report_audit(const struct report_input *in)
{
	const struct capacity *c = in->capacity;
	const struct facts *f = in->facts;
	cJSON *doc = cJSON_CreateObject(), *kernel, *warns;

	if (!doc)
		return NULL;
	add_header(doc, in->root);
	cJSON_AddItemToObject(doc, "profile", profile_object(in->profile));
	add_u64_or_null(doc, "target", in->plan != NULL, in->plan ? in->plan->target : 0);
	add_u64(doc, "processes", in->options->processes);
	add_u64(doc, "upstreams", in->options->upstreams);
	cJSON_AddItemToObject(doc, "subject", subject_object(f, in->options));
	cJSON_AddItemToObject(doc, "process", process_object(f));
	cJSON_AddItemToObject(doc, "container", container_object(&f->container));
	cJSON_AddItemToObject(doc, "persisted", persisted_object(f));
	kernel = cJSON_AddObjectToObject(doc, "kernel");
	if (fact_ok(f, F_OSRELEASE))
		cJSON_AddStringToObject(kernel, "release", f->osrelease);
	else
		cJSON_AddNullToObject(kernel, "release");
	add_u64(kernel, "page_size", f->page_size);
	cJSON_AddItemToObject(doc, "capacity", capacity_object(c));
	cJSON_AddItemToObject(doc, "per_connection", per_connection_object(f, &c->pc));
	cJSON_AddItemToObject(doc, "limits", limits_array(f, c));
	cJSON_AddItemToObject(doc, "usage", usage_object(f, c));
	warns = cJSON_AddArrayToObject(doc, "warnings");
	for (unsigned i = 0; i < c->nwarnings; i++) {
		cJSON *w = cJSON_CreateObject();
		cJSON_AddStringToObject(w, "id", c->warnings[i].id);
		cJSON_AddStringToObject(w, "message", c->warnings[i].message);
		cJSON_AddItemToArray(warns, w);
	}
	cJSON_AddItemToObject(doc, "plan", plan_object(in->plan));
	cJSON_AddItemToObject(doc, "recommendations", recommendations_array(in->plan));
	cJSON_AddItemToObject(doc, "errors", errors_array(f));
	return doc;
}

cJSON *report_facts(const char *root, const struct facts *f)
{
	cJSON *doc = cJSON_CreateObject(), *arr, *objs;

	if (!doc)
		return NULL;
	add_header(doc, root);
	arr = cJSON_AddArrayToObject(doc, "facts");
	for (int i = 0; i < FACT_COUNT; i++) {
		const struct fact_def *d = &fact_defs[i];
		const struct fact *x = &f->f[i];
		cJSON *o = cJSON_CreateObject(), *vals;
		bool unlimited = false;

		cJSON_AddStringToObject(o, "name", d->name);
		cJSON_AddStringToObject(o, "path", x->path);
		cJSON_AddStringToObject(o, "status", fact_status_name(x->status));
		cJSON_AddStringToObject(o, "unit", unit_name(d->unit));
		cJSON_AddStringToObject(o, "scope", scope_name(d->scope));
		if (d->unit == UNIT_TEXT || x->status != FACT_OK) {
			cJSON_AddNullToObject(o, "values");
		} else {
			vals = cJSON_AddArrayToObject(o, "values");
			for (unsigned k = 0; k < d->nvalues; k++) {
				if (x->v[k] == UINT64_MAX) {
					unlimited = true;
					cJSON_AddItemToArray(vals, cJSON_CreateNull());
				} else {
					cJSON_AddItemToArray(vals, json_u64(x->v[k]));
				}
			}
		}
		cJSON_AddBoolToObject(o, "unlimited", unlimited);
		if (d->unit == UNIT_TEXT && x->status == FACT_OK)
			cJSON_AddStringToObject(o, "text", i == F_RESERVED_PORTS ? f->reserved_ports : f->osrelease);
		else
			cJSON_AddNullToObject(o, "text");
		cJSON_AddItemToArray(arr, o);
	}
	cJSON_AddStringToObject(doc, "fds_counted_by", count_from_name(f->fds_from));
	cJSON_AddStringToObject(doc, "sockets_counted_by",
				!fact_ok(f, F_PROC_SOCKETS) ? "none"
				: f->sockets_estimated   ? "estimate"
							 : "readlink");
	cJSON_AddStringToObject(doc, "slabinfo_status",
				f->slabinfo_read ? fact_status_name(f->slabinfo_status) : "unused");
	cJSON_AddStringToObject(doc, "table_series", f->table_series);
	objs = cJSON_AddArrayToObject(doc, "object_sizes");
	for (int c = 0; c < CACHE_COUNT; c++)
		cJSON_AddItemToArray(objs, cache_object(f, (enum slab_cache)c));
	return doc;
}

cJSON *report_profiles(const struct profile *profiles, size_t n)
{
	cJSON *doc = cJSON_CreateObject(), *arr;

	if (!doc)
		return NULL;
	add_u64(doc, "schema_version", SCHEMA_VERSION);
	arr = cJSON_AddArrayToObject(doc, "profiles");
	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(arr, profile_object(&profiles[i]));
	return doc;
}

static cJSON *spread_object(uint64_t min, uint64_t max)
{
	cJSON *o = cJSON_CreateObject();

	add_u64(o, "min", min);
	add_u64(o, "max", max);
	return o;
}

cJSON *report_calibration(const struct calibration *c)
{
	cJSON *doc = cJSON_CreateObject(), *notes;
	char ratio[32];

	if (!doc)
		return NULL;
	cJSON_AddStringToObject(doc, "kind", "sockcap-calibration");
	add_u64(doc, "schema_version", CALIBRATION_SCHEMA_VERSION);
	add_u64(doc, "sockets", c->sockets);
	add_u64(doc, "kernel_bytes_per_socket", c->kernel_bytes_per_socket);
	cJSON_AddItemToObject(doc, "kernel_bytes_spread",
			      spread_object(c->kernel_bytes_min, c->kernel_bytes_max));
	add_u64(doc, "kernel_uncertainty_bytes", c->kernel_uncertainty_bytes);
	add_u64(doc, "slab_bytes_per_socket", c->slab_bytes_per_socket);
	add_u64(doc, "proc_inode_bytes_discounted", c->proc_inode_bytes);
	add_u64_or_null(doc, "memcg_bytes_per_accepted_socket", c->memcg_in,
			c->memcg_bytes_per_accepted_socket);
	add_u64_or_null(doc, "memcg_bytes_per_opened_socket", c->memcg_out,
			c->memcg_bytes_per_opened_socket);
	add_u64_or_null(doc, "memcg_uncertainty_bytes", c->memcg_uncertainty_bytes > 0,
			c->memcg_uncertainty_bytes);
	add_u64_or_null(doc, "app_bytes_per_connection", c->app, c->app_bytes_per_connection);
	if (c->app) {
		cJSON *s = cJSON_AddObjectToObject(doc, "server");

		add_u64(s, "pid", c->pid);
		cJSON_AddStringToObject(s, "name", c->server);
		cJSON_AddStringToObject(s, "listener", c->listener);
		add_u64(s, "connections", c->connections);
		cJSON_AddItemToObject(s, "app_bytes_spread",
				      spread_object(c->app_bytes_min, c->app_bytes_max));
		add_u64_or_null(s, "cgroup_bytes_per_connection", c->server_cgroup,
				c->cgroup_bytes_per_connection);
	} else {
		cJSON_AddNullToObject(doc, "server");
	}
	add_u64(doc, "buffer_payload_bytes", c->buffer_payload_bytes);
	add_u64(doc, "buffer_truesize_bytes", c->buffer_truesize_bytes);
	/* A ratio with three decimals, exactly as measured. */
	snprintf(ratio, sizeof(ratio), "%llu.%03llu",
		 (unsigned long long)(c->buffer_overhead_milli / 1000),
		 (unsigned long long)(c->buffer_overhead_milli % 1000));
	cJSON_AddItemToObject(doc, "buffer_overhead", cJSON_CreateRaw(ratio));
	cJSON_AddBoolToObject(doc, "trusted", c->trusted);
	cJSON_AddStringToObject(doc, "kernel_release", c->kernel_release);
	add_u64(doc, "elapsed_ms", c->elapsed_ms);
	notes = cJSON_AddArrayToObject(doc, "notes");
	for (unsigned i = 0; i < c->nnotes; i++)
		cJSON_AddItemToArray(notes, cJSON_CreateString(c->notes[i]));
	return doc;
}

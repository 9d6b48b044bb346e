#include "facts.h"
#include "servers.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "embedded.h"
#include "listeners.h"
#include "objsize_table.h"
#include "parse.h"
#include "safe.h"
#include "sources.h"
#include "subject.h"
#include "u64.h"

const struct fact_def fact_defs[FACT_COUNT] = {
#define X(id, name, read, path, arg, n, unit, scope, lifts, pod, min, max) \
	[id] = {name, read, path, arg, n, unit, scope, lifts, pod, min, max},
#include "facts.def"
#undef X
};

const char *unit_name(enum unit u)
{
	static const char *const names[] = {"count", "kB", "bytes", "pages", "text", "mask"};
	return names[u];
}

const char *scope_name(enum scope s)
{
	static const char *const names[] = {"none", "node", "netns", "process", "cgroup"};
	return names[s];
}

static const char *const cache_names[CACHE_COUNT] = {
	[CACHE_TCP] = "TCP",
	[CACHE_SOCK_INODE] = "sock_inode_cache",
	[CACHE_FILP] = "filp",
	[CACHE_DENTRY] = "dentry",
	[CACHE_EPOLL_EPI] = "eventpoll_epi",
	[CACHE_EPOLL_PWQ] = "eventpoll_pwq",
	[CACHE_EP_HEAD] = "ep_head",
	[CACHE_LSM_FILE] = "lsm_file_cache",
	[CACHE_LSM_INODE] = "lsm_inode_cache",
	[CACHE_BIND_BUCKET] = "tcp_bind_bucket",
	[CACHE_BIND2_BUCKET] = "tcp_bind2_bucket",
	[CACHE_NF_CONNTRACK] = "nf_conntrack",
	[CACHE_TASK_STRUCT] = "task_struct",
};

const char *slab_cache_name(enum slab_cache c)
{
	return cache_names[c];
}

const char *size_from_name(enum size_from f)
{
	static const char *const names[] = {"absent", "slabinfo", "sysfs", "table", "calibration"};
	return names[f];
}

bool facts_proc_hides_pids(const struct source *src, char *option, size_t size)
{
	struct text t;
	bool hides = false;

	if (src->read(src, "proc/self/mountinfo", &t) != FACT_OK)
		return false;
	/* "36 25 0:5 / /proc rw,nosuid shared:12 - proc proc rw,hidepid=invisible" */
	for (char *line = t.data, *next; line && *line && !hides; line = next) {
		char *opts, *h;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!strstr(line, " /proc ") || !(opts = strstr(line, " - proc ")))
			continue;
		h = strstr(opts, "hidepid=");
		if (h && strncmp(h, "hidepid=0", 9) != 0 && strncmp(h, "hidepid=off", 11) != 0) {
			size_t n = strcspn(h, ", \n");

			snprintf(option, size, "%.*s", (int)n, h);
			hides = true;
		}
	}
	text_free(&t);
	return hides;
}

bool fact_ok(const struct facts *f, enum fact_id id)
{
	return f->f[id].status == FACT_OK;
}

void facts_note(struct facts *out, const char *fmt, ...)
{
	struct facts_notes *n = &out->notes;
	va_list ap;

	if (n->n == FACTS_NOTES_MAX) {
		n->dropped++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(n->text[n->n], sizeof(n->text[0]), fmt, ap);
	va_end(ap);
	text_printable(n->text[n->n++]);
}

/* Points f->path at a copy of path kept in out->paths (the last one kept
 * again when it is the same: facts that share a file), printable. */
void facts_set_path(struct facts *out, struct fact *f, const char *path)
{
	size_t n = strlen(path), used = out->paths.used;
	char *dst = out->paths.buf + used;
	static const char not_kept[] = "(path not kept)";

	if (used > 0 && strcmp(out->paths.buf + out->paths.last, path) == 0) {
		f->path = out->paths.buf + out->paths.last;
		return;
	}
	if (n + 1 > sizeof(out->paths.buf) - used) {
		/* Not reached by the reads of facts.c; a safeguard, not silent. */
		f->path = not_kept;
		facts_note(out, "%.64s...: path not kept", path);
		return;
	}
	memcpy(dst, path, n + 1);
	text_printable(dst);
	out->paths.last = used;
	out->paths.used += n + 1;
	f->path = dst;
}

/* proc/self/NAME as proc/PID/NAME when a process is named. */
static const char *proc_path(unsigned pid, const char *path, char *buf, size_t size)
{
	if (pid == 0 || strncmp(path, "proc/self/", 10) != 0)
		return path;
	snprintf(buf, size, "proc/%u/%s", pid, path + 10);
	return buf;
}

/* Reads a file once for all facts that share it. */
struct file_cache {
	const char *path; /* a fact's path; NULL: the slot is free */
	enum fact_status status;
	struct text text;
};

static const struct text *cached(const struct source *src, struct file_cache *fc, size_t nfc,
				 const char *path, enum fact_status *st)
{
	for (size_t i = 0; i < nfc; i++) {
		if (!fc[i].path) {
			fc[i].path = path;
			fc[i].status = src->read(src, path, &fc[i].text);
		}
		if (strcmp(fc[i].path, path) == 0) {
			*st = fc[i].status;
			return &fc[i].text;
		}
	}
	*st = FACT_INVALID;
	return NULL;
}

static enum fact_status from_parse(enum parse_result r, enum fact_status absent)
{
	return r == PARSE_OK ? FACT_OK : r == PARSE_ABSENT ? absent : FACT_INVALID;
}

void facts_parse(enum fact_id id, const char *path, enum fact_status st, const struct text *t,
		 struct facts *out)
{
	const struct fact_def *d = &fact_defs[id];
	struct fact *f = &out->f[id];
	enum parse_result r = PARSE_INVALID;
	char proto[16];
	const char *field;

	/* The table's own path, or one kept already, needs no copy. */
	if (path == d->path || path == f->path)
		f->path = path;
	else
		facts_set_path(out, f, path);
	f->status = st;
	if (st != FACT_OK)
		return;
	switch (d->read) {
	case READ_MEMINFO:
		r = parse_meminfo(t->data, t->len, d->arg, &f->v[0]);
		break;
	case READ_LIMITS:
		r = parse_limits(t->data, t->len, d->arg, &f->v[0], &f->v[1]);
		break;
	case READ_SYSCTL:
		r = parse_u64_fields(t->data, t->len, f->v, d->nvalues);
		break;
	case READ_SOCKSTAT:
		field = strchr(d->arg, ' ');
		snprintf(proto, sizeof(proto), "%.*s", (int)(field - d->arg), d->arg);
		r = parse_sockstat(t->data, t->len, proto, field + 1, &f->v[0]);
		break;
	case READ_LOADAVG:
		r = parse_loadavg_threads(t->data, t->len, &f->v[0]);
		break;
	case READ_ZONEINFO:
		r = parse_zoneinfo_low(t->data, t->len, &f->v[0]);
		break;
	case READ_TEXT: {
		size_t n = t->len;
		if (n > 0 && t->data[n - 1] == '\n')
			n--;
		r = (n > 0 && n < sizeof(out->osrelease) && !memchr(t->data, '\n', n) &&
		     !memchr(t->data, '\0', n))
			    ? PARSE_OK
			    : PARSE_INVALID;
		if (r == PARSE_OK) {
			snprintf(out->osrelease, sizeof(out->osrelease), "%.*s", (int)n, t->data);
			text_printable(out->osrelease);
		}
		break;
	}
	case READ_STATUS:
	case READ_STATUS_HEX:
		r = parse_status_field(t->data, t->len, d->arg, d->read == READ_STATUS_HEX ? 16 : 10,
				       &f->v[0]);
		break;
	case READ_PORT_LIST: {
		size_t n = t->len;

		if (n > 0 && t->data[n - 1] == '\n')
			n--;
		r = n < sizeof(out->reserved_ports) && strspn(t->data, "0123456789,-") == n
			    ? PARSE_OK
			    : PARSE_INVALID;
		if (r == PARSE_OK)
			snprintf(out->reserved_ports, sizeof(out->reserved_ports), "%.*s", (int)n,
				 t->data);
		break;
	}
	case READ_CGROUP_MEMORY:
	case READ_CGROUP_PIDS:
	case READ_FD_COUNT:
	case READ_FD_SOCKETS:
		break;
	}
	/* A key missing from a file that exists: the kernel lacks that field. */
	f->status = from_parse(r, FACT_MISSING);
}

static void read_simple(const struct source *src, struct file_cache *fc, size_t nfc,
			enum fact_id id, struct facts *out)
{
	const struct fact_def *d = &fact_defs[id];
	struct fact *f = &out->f[id];
	enum fact_status st;
	char buf[64];
	const char *path = proc_path(out->pid, d->path, buf, sizeof(buf));
	const struct text *t;

	/* The subject's sockets are counted over its workers (subject.c). */
	if (d->read == READ_FD_SOCKETS)
		return;
	/* The table's own path needs no copy; the cache keeps the kept one. */
	if (path == d->path)
		f->path = d->path;
	else
		facts_set_path(out, f, path);
	path = f->path;
	if (d->read == READ_FD_COUNT) {
		/* sockcap's own descriptors say nothing: counted for a subject's process only. */
		f->status = out->pid ? src->count(src, path, &f->v[0], &out->fds_from) : FACT_MISSING;
		return;
	}
	t = cached(src, fc, nfc, path, &st);
	facts_parse(id, path, st, t, out);
}

/* A cgroup v1 memory limit at or above 2^62 is the "no limit" sentinel
 * (PAGE_COUNTER_MAX pages, which depends on the page size). */
static uint64_t normalise_limit(uint64_t v)
{
	return v >= (1ULL << 62) ? U64_UNLIMITED : v;
}

struct cgroup_files {
	const char *limit; /* "memory.max" */
	const char *usage; /* "memory.current" */
	enum fact_id limit_id, usage_id;
	/* Memory only: the statistics file, whose two keys sum the page cache
	 * the kernel reclaims before it fails a charge, and its fact. */
	const char *stat;
	const char *file_keys[2];
	enum fact_id file_id;
};

/* The page cache charged to the level d (the sum of cf->file_keys in its
 * statistics file), in bytes: FACT_OK, or why not. */
static enum fact_status read_cgroup_file_pages(const struct source_dir *d,
					       const struct cgroup_files *cf, uint64_t *bytes)
{
	struct text t;
	enum fact_status st = source_dir_read(d, cf->stat, &t);
	uint64_t a = 0, b = 0;

	*bytes = 0;
	if (st == FACT_OK) {
		if (parse_stat_field(t.data, t.len, cf->file_keys[0], &a) != PARSE_OK ||
		    parse_stat_field(t.data, t.len, cf->file_keys[1], &b) != PARSE_OK)
			st = FACT_INVALID;
		else
			*bytes = u64_sat_add(a, b);
	}
	text_free(&t);
	return st;
}

/* One cgroup file's value: the status of reading and parsing it; *bad
 * when it was read but does not parse. */
static enum fact_status read_cgroup_file(const struct source_dir *d, const char *name,
					 uint64_t *v, bool *bad)
{
	struct text t;
	enum fact_status st = source_dir_read(d, name, &t);

	*v = 0;
	*bad = st == FACT_OK && parse_cgroup_value(t.data, t.len, v) != PARSE_OK;
	if (*bad)
		st = FACT_INVALID;
	text_free(&t);
	return st;
}

/* dir[0..len) + "/" + name into file (FACT_PATH_MAX bytes). */
static void level_file(const char *dir, size_t len, const char *name, char *file)
{
	size_t nl = strlen(name);

	memcpy(file, dir, len);
	file[len] = '/';
	memcpy(file + len + 1, name, nl + 1);
}

/* What one level of the hierarchy holds. */
struct cgroup_level {
	size_t len;                       /* dir[0..len) names it */
	enum fact_status st;              /* of its limit */
	bool bad;                         /* its limit was read but does not parse */
	bool usage_read;
	uint64_t limit;                   /* normalised */
	enum fact_status use_st, file_st; /* of its usage and page cache */
	uint64_t usage, file_bytes;       /* usage 0 when unread; page cache <= usage */
};

/* Reads lv's usage and page cache from its directory d. */
static void read_level_usage(const struct source_dir *d, const struct cgroup_files *cf,
			     struct cgroup_level *lv)
{
	bool bad;

	lv->usage_read = true;
	lv->use_st = read_cgroup_file(d, cf->usage, &lv->usage, &bad);
	if (lv->use_st != FACT_OK)
		lv->usage = 0;
	lv->file_st = FACT_MISSING;
	lv->file_bytes = 0;
	/* Page cache is reclaimed before a charge fails: room. */
	if (cf->stat) {
		lv->file_st = read_cgroup_file_pages(d, cf, &lv->file_bytes);
		lv->file_bytes = u64_min(lv->file_bytes, lv->usage);
	}
}

/* Reads every level of dir's hierarchy from the top down, each from its
 * parent's open directory (one lookup a file however deep the level: the
 * walk is linear in the depth): lv[0..n), whose lengths the caller set.
 * A level under a limit gets its usage too. */
static void read_cgroup_levels(const struct source *src, const char *dir,
			       const struct cgroup_files *cf, struct cgroup_level *lv, size_t n)
{
	struct source_dir d;

	source_dir_open(src, dir, lv[0].len, &d);
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			source_dir_down(&d, dir + lv[i - 1].len + 1, lv[i].len - lv[i - 1].len - 1);
		lv[i].st = read_cgroup_file(&d, cf->limit, &lv[i].limit, &lv[i].bad);
		lv[i].limit = normalise_limit(lv[i].limit);
		lv[i].usage_read = false;
		if (lv[i].st == FACT_OK && lv[i].limit != U64_UNLIMITED)
			read_level_usage(&d, cf, &lv[i]);
	}
	/* The process's own level is judged first, limit or not. */
	if (d.st == FACT_OK && lv[n - 1].st == FACT_OK && !lv[n - 1].usage_read)
		read_level_usage(&d, cf, &lv[n - 1]);
	source_dir_close(&d);
}

/* Walks from the process's cgroup up to the root of the hierarchy at base
 * and keeps the level with the least headroom (limit − usage): a parent's
 * limit binds its children. A cgroup path that does not exist under base
 * (a container without a cgroup namespace sees its own cgroup at the top of
 * the mount) simply walks up to base. The levels are read from the top
 * down (read_cgroup_levels), then judged from the bottom up. Every level is
 * a prefix of the process's own directory: the facts' paths are made once,
 * at the end. */
static void read_cgroup_walk(const struct source *src, const char *base, const char *cgpath,
			     const struct cgroup_files *cf, struct facts *out)
{
	char dir[FACT_PATH_MAX], file[FACT_PATH_MAX];
	struct fact *lim = &out->f[cf->limit_id], *use = &out->f[cf->usage_id];
	struct fact *pages = cf->stat ? &out->f[cf->file_id] : NULL;
	uint64_t best_room = U64_UNLIMITED, limit = 0, usage = 0, file_bytes = 0;
	enum fact_status lim_st = FACT_MISSING, file_st = FACT_MISSING;
	size_t bl = strlen(base), cl = strcmp(cgpath, "/") == 0 ? 0 : strlen(cgpath);
	size_t len = bl + cl, lim_at = len, use_at = 0; /* the levels the paths name */
	size_t longest = strlen(cf->limit) > strlen(cf->usage) ? strlen(cf->limit) : strlen(cf->usage);
	size_t n = 0;
	struct cgroup_level *lv;
	bool any = false;

	if (cf->stat && strlen(cf->stat) > longest)
		longest = strlen(cf->stat);
	lim->status = FACT_MISSING;
	use->status = FACT_MISSING;
	if (pages)
		pages->status = FACT_MISSING;
	if (len + 1 + longest >= sizeof(dir)) {
		/* Longer than any path the kernel shows: a fixture's. */
		lim->status = FACT_INVALID;
		facts_note(out, "%s: a cgroup path of %zu bytes, longer than the system allows",
			   fact_defs[cf->limit_id].name, cl);
		return;
	}
	memcpy(dir, base, bl);
	memcpy(dir + bl, cgpath, cl);
	dir[len] = '\0';
	/* The levels: base + each prefix of cgpath that ends before a slash,
	 * and the whole. */
	for (size_t i = 0; i < cl; i++)
		n += cgpath[i] == '/';
	lv = calloc(n + 1, sizeof(*lv));
	n = 0;
	if (!lv) {
		lim->status = FACT_INVALID;
		facts_note(out, "%s: out of memory", fact_defs[cf->limit_id].name);
		return;
	}
	for (size_t i = 0; i < cl; i++)
		if (cgpath[i] == '/')
			lv[n++].len = bl + i;
	lv[n++].len = len;
	read_cgroup_levels(src, dir, cf, lv, n);
	for (size_t i = n; i-- > 0;) {
		struct cgroup_level *l = &lv[i];

		if (l->st == FACT_OK) {
			/* Usage matters under a limit; without one, the process's own
			 * level is read once, for the record. */
			if (l->limit == U64_UNLIMITED && any)
				continue;
			if (!l->usage_read) {
				struct source_dir d;

				source_dir_open(src, dir, l->len, &d);
				read_level_usage(&d, cf, l);
				source_dir_close(&d);
			}
			if (!any || (l->limit != U64_UNLIMITED &&
				     u64_sat_sub(l->limit, l->usage - l->file_bytes) < best_room)) {
				limit = l->limit;
				lim_st = FACT_OK;
				lim_at = l->len;
				usage = l->usage;
				use->status = l->use_st;
				use_at = l->len;
				file_bytes = l->file_bytes;
				file_st = l->file_st;
				if (l->limit != U64_UNLIMITED)
					best_room = u64_sat_sub(l->limit, l->usage - l->file_bytes);
				any = true;
			}
		} else if (l->st != FACT_MISSING) {
			/* A level that is there but unreadable (or a limit that does not
			 * parse) may hold the binding limit: the walk cannot see past it. */
			if (!any || l->bad) {
				lim_st = l->st;
				lim_at = l->len;
			}
			break;
		} else if (!any) {
			lim_at = l->len;
		}
	}
	free(lv);
	level_file(dir, lim_at, cf->limit, file);
	facts_set_path(out, lim, file);
	lim->status = lim_st;
	lim->v[0] = limit;
	if (any) {
		level_file(dir, use_at, cf->usage, file);
		facts_set_path(out, use, file);
		use->v[0] = usage;
		if (pages) {
			level_file(dir, use_at, cf->stat, file);
			facts_set_path(out, pages, file);
			pages->status = file_st;
			pages->v[0] = file_bytes;
		}
	} else {
		use->status = FACT_MISSING;
	}
}

/* What container runtimes and orchestrators put in a container's cgroup
 * path (the daemons' own units, docker.service, do not match). */
static const char *const container_words[] = {"/docker/", "docker-",  "kubepods", "libpod-",
					      "crio-",    "/lxc/",    "lxc.payload", "/garden/"};

/* The systemd unit and the container evidence of the cgroup file. */
static void read_membership(const char *text, size_t len, struct facts *out)
{
	char path[FACT_PATH_MAX];

	if (parse_cgroup_path(text, len, NULL, path, sizeof(path)) == PARSE_OK ||
	    parse_cgroup_path(text, len, "name=systemd", path, sizeof(path)) == PARSE_OK)
		if (parse_systemd_unit(path, out->unit, sizeof(out->unit)) != PARSE_OK)
			out->unit[0] = '\0';
	/* It names a drop-in directory and a restart: only what systemd
	 * accepts in a unit name, or none. */
	if (!safe_unit_name(out->unit))
		out->unit[0] = '\0';
	for (size_t i = 0; i < sizeof(container_words) / sizeof(container_words[0]); i++) {
		const char *w = container_words[i];
		size_t n = strlen(w);

		for (const char *p = text; (p = memmem(p, (size_t)(text + len - p), w, n)) != NULL; p += n)
			if (!out->container.detected) {
				out->container.detected = true;
				snprintf(out->container.why, sizeof(out->container.why),
					 "the cgroup path names '%s'", w);
			}
	}
}

/* Container evidence beyond the cgroup path, from sockcap's own view. A
 * runtime's marker file counts only with a sign of confinement (image builds
 * leave /.dockerenv behind on VMs): a read-only proc/sys, a user namespace,
 * or root without CAP_SYS_ADMIN. Those count alone as well. Lacking
 * capabilities as a user other than root is no sign: every login has none. */
static void detect_container(const struct source *src, struct facts *out)
{
	static const char *const markers[] = {".dockerenv", "run/.containerenv",
					       "var/run/secrets/kubernetes.io/serviceaccount/namespace"};
	const uint64_t admin = 1ULL << 21, resource = 1ULL << 24; /* CAP_SYS_ADMIN, CAP_SYS_RESOURCE */
	bool caps = fact_ok(out, F_PROC_CAPEFF);
	uint64_t eff = out->f[F_PROC_CAPEFF].v[0];
	bool root = fact_ok(out, F_PROC_UID) && out->f[F_PROC_UID].v[0] == 0;
	bool ro = src->readonly(src, "proc/sys");
	bool userns = false, root_no_admin = root && caps && (eff & admin) == 0;
	const char *why = ro ? "proc/sys is read-only"
			     : root_no_admin ? "root lacks CAP_SYS_ADMIN" : NULL;
	struct text t;

	if (out->container.detected)
		return;
	/* Outside a user namespace uid_map maps all 2^32 - 1 ids to themselves. */
	if (src->read(src, "proc/self/uid_map", &t) == FACT_OK) {
		unsigned long long inside, outside, count;

		userns = sscanf(t.data, "%llu %llu %llu", &inside, &outside, &count) != 3 ||
			 inside != 0 || outside != 0 || count != 4294967295ULL;
		if (userns && !why)
			why = "it runs in a user namespace (proc/self/uid_map)";
	}
	text_free(&t);
	for (size_t i = 0; i < sizeof(markers) / sizeof(markers[0]) && why; i++) {
		bool there = src->read(src, markers[i], &t) == FACT_OK;

		text_free(&t);
		if (there) {
			out->container.detected = true;
			snprintf(out->container.why, sizeof(out->container.why), "%s exists and %s",
				 markers[i], why);
			return;
		}
	}
	if (root && caps && (eff & (admin | resource)) == 0) {
		out->container.detected = true;
		snprintf(out->container.why, sizeof(out->container.why),
			 "root without CAP_SYS_ADMIN and CAP_SYS_RESOURCE");
	} else if (ro || userns) {
		out->container.detected = true;
		snprintf(out->container.why, sizeof(out->container.why), "%s", why);
	}
}

/* The kernel shows a cgroup outside the reader's cgroup namespace as
 * "/../..": such a path leads out of the mount (and out of --root). Its
 * files are not visible; the namespace's root, the top of the mount, is. */
static char *inside_namespace(char *path)
{
	for (const char *p = path; (p = strstr(p, "..")) != NULL; p += 2)
		if ((p == path || p[-1] == '/') && (p[2] == '/' || p[2] == '\0')) {
			snprintf(path, 2, "/");
			break;
		}
	return path;
}

/* parse_cgroup_path into path (FACT_PATH_MAX bytes); a line that does not
 * parse (or is longer than any the kernel writes) is a note. */
static enum parse_result cgroup_line(const char *text, size_t len, const char *controller,
				     char *path, struct facts *out)
{
	enum parse_result r = parse_cgroup_path(text, len, controller, path, FACT_PATH_MAX);

	if (r == PARSE_INVALID)
		facts_note(out, "the %s line of the process's cgroup file does not parse",
			   controller ? controller : "cgroup2");
	return r;
}

static void read_cgroups(const struct source *src, struct facts *out)
{
	/* v1's total_ keys count the level's descendants, as its usage does;
	 * v2's statistics are hierarchical. */
	static const struct cgroup_files mem_v2 = {
		"memory.max", "memory.current", F_CG_MEM_MAX, F_CG_MEM_CURRENT,
		"memory.stat", {"inactive_file", "active_file"}, F_CG_MEM_FILE};
	static const struct cgroup_files mem_v1 = {
		"memory.limit_in_bytes", "memory.usage_in_bytes", F_CG_MEM_MAX, F_CG_MEM_CURRENT,
		"memory.stat", {"total_inactive_file", "total_active_file"}, F_CG_MEM_FILE};
	static const struct cgroup_files pids = {"pids.max", "pids.current", F_CG_PIDS_MAX,
						 F_CG_PIDS_CURRENT, NULL, {NULL, NULL}, F_CG_MEM_FILE};
	const char *v2base = "sys/fs/cgroup";
	char path[FACT_PATH_MAX], buf[64], over[FACT_PATH_MAX];
	const char *override;
	const char *file = proc_path(out->pid, "proc/self/cgroup", buf, sizeof(buf));
	struct text t;
	enum fact_status st = src->read(src, file, &t);
	enum parse_result r;

	for (enum fact_id id = F_CG_MEM_CURRENT; id <= F_CG_PIDS_MAX; id++) {
		out->f[id].status = st == FACT_OK ? FACT_MISSING : st;
		facts_set_path(out, &out->f[id], file);
	}
	if (st != FACT_OK) {
		detect_container(src, out);
		return;
	}
	read_membership(t.data, t.len, out);
	detect_container(src, out);
	override = subject_cgroup(out, over, sizeof(over));
	if (override) {
		/* The subject has no process here: the cgroup it would run in. */
		char tmp[FACT_PATH_MAX + 64];
		bool v1 = parse_cgroup_path(t.data, t.len, "memory", path, sizeof(path)) == PARSE_OK;
		bool v1pids = parse_cgroup_path(t.data, t.len, "pids", path, sizeof(path)) == PARSE_OK;

		snprintf(tmp, sizeof(tmp), "%s%s%s0::%s\n", v1 ? "5:memory:" : "", v1 ? override : "",
			 v1 ? "\n" : "", override);
		if (v1pids)
			snprintf(tmp + strlen(tmp), sizeof(tmp) - strlen(tmp), "6:pids:%s\n", override);
		text_free(&t);
		t.len = strlen(tmp);
		t.data = strdup(tmp);
		if (!t.data)
			return;
		out->unit[0] = '\0';
	}
	/* Hybrid hosts mount the unified hierarchy at sys/fs/cgroup/unified. */
	if (src->is_dir(src, "sys/fs/cgroup/unified"))
		v2base = "sys/fs/cgroup/unified";
	if ((r = cgroup_line(t.data, t.len, "memory", path, out)) == PARSE_OK) {
		inside_namespace(path);
		read_cgroup_walk(src, "sys/fs/cgroup/memory", path, &mem_v1, out);
	} else if (r == PARSE_ABSENT && (r = cgroup_line(t.data, t.len, NULL, path, out)) == PARSE_OK) {
		inside_namespace(path);
		out->cgroup_v2 = true;
		read_cgroup_walk(src, v2base, path, &mem_v2, out);
	}
	if (r == PARSE_INVALID)
		out->f[F_CG_MEM_MAX].status = FACT_INVALID;
	if ((r = cgroup_line(t.data, t.len, "pids", path, out)) == PARSE_OK)
		read_cgroup_walk(src, "sys/fs/cgroup/pids", inside_namespace(path), &pids, out);
	else if (r == PARSE_ABSENT && (r = cgroup_line(t.data, t.len, NULL, path, out)) == PARSE_OK)
		read_cgroup_walk(src, v2base, inside_namespace(path), &pids, out);
	if (r == PARSE_INVALID)
		out->f[F_CG_PIDS_MAX].status = FACT_INVALID;
	text_free(&t);
}

/* One number from sys/kernel/slab/<cache>/<name>. */
static enum fact_status sysfs_slab_value(const struct source *src, const char *cache,
					 const char *name, uint64_t *v)
{
	static const char dir[] = "sys/kernel/slab/";
	char path[FACT_PATH_MAX];
	size_t cl = strlen(cache), nl = strlen(name);
	struct text t;
	enum fact_status st;

	/* Joined by hand: snprintf cost a thousand instructions a file. */
	if (sizeof(dir) + cl + 1 + nl > sizeof(path))
		return FACT_INVALID;
	memcpy(path, dir, sizeof(dir));
	memcpy(path + sizeof(dir) - 1, cache, cl + 1);
	path[sizeof(dir) - 1 + cl] = '/';
	memcpy(path + sizeof(dir) + cl, name, nl + 1);
	if ((st = src->read(src, path, &t)) != FACT_OK)
		return st;
	/* objs_per_slab and order are plain numbers; ignore per-node detail. */
	if (parse_u64_fields(t.data, t.len, v, 1) != PARSE_OK)
		st = FACT_INVALID;
	text_free(&t);
	return st;
}

/* One cache's geometry from sysfs; *st the status of its first file (a
 * denied one is denied for every cache: since 6.x they are root's only). */
static bool read_sysfs_cache(const struct source *src, const char *cache, struct cache_size *cs,
			     enum fact_status *st)
{
	uint64_t per, order, slot;

	if ((*st = sysfs_slab_value(src, cache, "objs_per_slab", &per)) != FACT_OK ||
	    sysfs_slab_value(src, cache, "order", &order) != FACT_OK || per == 0 || order > 10)
		return false;
	cs->from = SIZE_SYSFS;
	/* slab_size is slabinfo's objsize: the slot an object takes. */
	cs->objsize = sysfs_slab_value(src, cache, "slab_size", &slot) == FACT_OK ? slot : 0;
	cs->objperslab = per;
	cs->pagesperslab = 1ULL << order;
	return true;
}

static bool slabinfo_line(void *ctx, const char *line, size_t n)
{
	return slabinfo_scan_line(ctx, line, n);
}

enum fact_status slabinfo_read(const struct source *src, const char *const *names, size_t n,
			       struct slab_entry *rows, enum parse_result *results)
{
	struct slabinfo_scan scan;
	enum fact_status st;

	slabinfo_scan_begin(&scan, names, n, rows, results);
	st = source_lines(src, "proc/slabinfo", slabinfo_line, &scan);
	slabinfo_scan_end(&scan);
	for (size_t i = 0; i < n && st != FACT_OK; i++)
		results[i] = PARSE_ABSENT;
	return st;
}

/* Each cache's size from sys/kernel/slab (three small reads, readable
 * without root, and merged caches such as eventpoll_pwq are there too),
 * else from proc/slabinfo, read only when a cache is missing from sysfs
 * (the kernel writes every cache of the host into it, under the slab
 * mutex: the costliest file of an audit, and it grows with the host), else
 * from the built-in table for the kernel series. Both slabinfo and
 * sys/kernel/slab are mode 0400 on Linux 6.1, 6.12 and 6.18: without root
 * the table is all there is, and out->slab_denied says so. */
static void read_cache_sizes(const struct source *src, struct facts *out)
{
	struct slab_entry rows[CACHE_COUNT];
	enum parse_result results[CACHE_COUNT];
	unsigned major = 0, minor = 0;
	bool have_series = fact_ok(out, F_OSRELEASE) &&
			   parse_kernel_series(out->osrelease, &major, &minor);
	bool need_slabinfo = false, denied = false;

	for (int c = 0; c < CACHE_COUNT; c++) {
		enum fact_status st = FACT_MISSING;

		out->cache[c].from = SIZE_ABSENT;
		results[c] = PARSE_ABSENT;
		if (denied || !read_sysfs_cache(src, cache_names[c], &out->cache[c], &st))
			need_slabinfo = true;
		denied = denied || st == FACT_DENIED;
	}
	out->slab_denied = denied;
	out->slabinfo_read = need_slabinfo;
	out->slabinfo_status = FACT_MISSING;
	if (need_slabinfo) {
		out->slabinfo_status = slabinfo_read(src, cache_names, CACHE_COUNT, rows, results);
		if (out->slabinfo_status == FACT_INVALID)
			facts_note(out, "proc/slabinfo: not a readable file, or a line longer than %d bytes",
				   SOURCE_LINE_MAX);
	}
	for (int c = 0; c < CACHE_COUNT; c++) {
		struct cache_size *cs = &out->cache[c];
		struct slab_entry e;

		if (cs->from != SIZE_ABSENT)
			continue;
		if (out->slabinfo_status == FACT_OK && results[c] == PARSE_OK) {
			cs->from = SIZE_SLABINFO;
			cs->objsize = rows[c].objsize;
			cs->objperslab = rows[c].objperslab;
			cs->pagesperslab = rows[c].pagesperslab;
			continue;
		}
		if (out->slabinfo_status == FACT_OK && results[c] == PARSE_INVALID)
			out->slabinfo_status = FACT_INVALID;
		/* The table only when it is needed: choosing the series scans it. */
		if (out->table_series[0] == '\0' &&
		    (!have_series || !objsize_builtin_series(major, minor, out->table_series,
							    sizeof(out->table_series))))
			/* Without a release, the newest series is the best guess. */
			objsize_builtin_series(999, 999, out->table_series, sizeof(out->table_series));
		if (objsize_builtin_find(out->table_series, cache_names[c], &e) == PARSE_OK) {
			cs->from = SIZE_TABLE;
			cs->objsize = e.objsize;
			cs->objperslab = e.objperslab;
			cs->pagesperslab = e.pagesperslab;
		}
	}
}

bool facts_read(const struct source *src, uint64_t page_size, struct facts *out)
{
	return facts_read_pid(src, page_size, 0, out) == FACTS_OK;
}

/* Inserts port into the sorted set ports[0..*n). */
static void add_port(uint16_t port, uint16_t *ports, unsigned max, unsigned *n, bool *truncated)
{
	unsigned i = 0;

	while (i < *n && ports[i] < port)
		i++;
	if (i < *n && ports[i] == port)
		return;
	if (*n >= max) {
		*truncated = true;
		return;
	}
	memmove(ports + i + 1, ports + i, (*n - i) * sizeof(*ports));
	ports[i] = port;
	(*n)++;
}

static void found_listener(const struct listener *l, void *ctx)
{
	struct listeners *out = ctx;

	if (l->port > 0)
		add_port(l->port, out->port, LISTEN_PORTS_MAX, &out->n, &out->truncated);
}

struct listener_scan {
	bool v6;
	void (*found)(const struct listener *l, void *ctx);
	void *ctx;
};

static bool scan_line(void *ctx, const char *s, size_t n)
{
	const struct listener_scan *sc = ctx;

	listeners_parse(s, n, sc->v6, sc->found, sc->ctx);
	return true;
}

enum fact_status facts_scan_listeners(const struct source *src, const char *relpath, bool v6,
				      void (*found)(const struct listener *l, void *ctx), void *ctx)
{
	struct listener_scan sc = {v6, found, ctx};

	return source_lines(src, relpath, scan_line, &sc);
}

void facts_read_listeners(const struct source *src, struct facts *f)
{
	static const char *const files[] = {"proc/net/tcp", "proc/net/tcp6"};
	struct listeners *l = &f->listeners;
	unsigned seen = 0;

	memset(l, 0, sizeof(*l));
	l->status = FACT_MISSING;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char buf[FACT_PATH_MAX];
		const char *path = files[i];
		enum fact_status st;

		/* The process's own network namespace under --pid. */
		if (f->pid) {
			snprintf(buf, sizeof(buf), "proc/%u/%s", f->pid, files[i] + 5);
			path = buf;
		}
		/* Line by line: the file holds every socket of the namespace
		 * (tens of thousands in TIME_WAIT on a busy server). */
		st = facts_scan_listeners(src, path, i == 1, found_listener, l);
		if (st != FACT_OK) {
			/* No IPv6 is no listener on it; anything else is unknown. */
			if (st != FACT_MISSING || i == 0)
				l->status = st;
			continue;
		}
		seen++;
	}
	if (seen > 0 && l->status == FACT_MISSING)
		l->status = FACT_OK;
}

enum facts_result facts_read_pid(const struct source *src, uint64_t page_size, unsigned pid,
				 struct facts *out)
{
	struct subject_request req = {pid ? SUBJECT_PID : SUBJECT_SELF, pid, NULL};

	return facts_read_subject(src, page_size, &req, out);
}

enum facts_result facts_read_subject(const struct source *src, uint64_t page_size,
				     const struct subject_request *req, struct facts *out)
{
	struct file_cache fc[FACT_COUNT];
	enum facts_result r;
	char dir[32];

	/* Not the kept paths: only what is used of them is written. */
	memset(out, 0, offsetof(struct facts, paths));
	out->paths.used = 0;
	out->paths.last = 0;
	memset(fc, 0, sizeof(fc));
	out->listeners.status = FACT_MISSING; /* until facts_read_listeners */
	out->page_size = page_size;
	if ((r = subject_resolve(src, req, out)) != FACTS_OK)
		return r;
	for (int id = 0; id < FACT_COUNT; id++) {
		enum fact_read rd = fact_defs[id].read;
		if (rd != READ_CGROUP_MEMORY && rd != READ_CGROUP_PIDS)
			read_simple(src, fc, sizeof(fc) / sizeof(fc[0]), (enum fact_id)id, out);
	}
	for (size_t i = 0; i < sizeof(fc) / sizeof(fc[0]); i++)
		text_free(&fc[i].text);
	/* The process was there a moment ago: it exited while it was read. */
	snprintf(dir, sizeof(dir), "proc/%u", out->pid);
	if (out->pid != 0 && out->f[F_NOFILE].status != FACT_OK && !src->is_dir(src, dir))
		return FACTS_GONE;
	read_cgroups(src, out);
	read_cache_sizes(src, out);
	r = FACTS_NO_ROOT;
	/* A container's unit, if any, is the host's runtime: not for its drop-ins. */
	if (out->container.detected)
		out->unit[0] = '\0';
	if (out->subject.kind == SUBJECT_UNIT)
		snprintf(out->unit, sizeof(out->unit), "%s", out->subject.unit);
	/* A proc directory in which nothing at all can be read is no host; a
	 * fact from sys (a module's state) alone does not make one. */
	for (int id = 0; id < FACT_COUNT && r != FACTS_OK; id++)
		if (out->f[id].status == FACT_OK && strncmp(fact_defs[id].path, "sys/", 4) != 0)
			r = FACTS_OK;
	if (r != FACTS_OK && out->slabinfo_status != FACT_OK)
		return FACTS_NO_ROOT;
	subject_identity(src, out);
	sources_read(src, out);
	/* Whom limits.conf lines were matched for: the subject's user. */
	if (!out->subject.user[0])
		snprintf(out->subject.user, sizeof(out->subject.user), "%s", out->persisted.user);
	subject_limits(out);
	subject_netns(src, out);
	if (out->pid != 0)
		servers_read(src, out->pid, &out->server, &out->cpus);
	return FACTS_OK;
}

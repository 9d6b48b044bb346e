#include "subject.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "persist.h"
#include "sources.h"
#include "u64.h"

/* systemd's DefaultLimitNOFILE= when system.conf says nothing (since v240). */
#define SYSTEMD_NOFILE_SOFT 1024
#define SYSTEMD_NOFILE_HARD 524288
/* Every capability up to CAP_CHECKPOINT_RESTORE (40): what root gets. */
#define CAP_ALL 0x1ffffffffffULL
#define CAP_SYS_ADMIN_BIT (1ULL << 21)

const char *subject_kind_name(enum subject_kind k)
{
	static const char *const names[] = {"new_service", "pid", "unit", "user", "self"};
	return names[k];
}

/* A list of process ids, owned by the caller (free). */
struct pids {
	unsigned *v;
	size_t n;
};

static bool pids_add(struct pids *p, unsigned pid)
{
	unsigned *nv = realloc(p->v, (p->n + 1) * sizeof(*nv));

	if (!nv)
		return false;
	p->v = nv;
	p->v[p->n++] = pid;
	return true;
}

/* The decimal ids of a cgroup.procs or children file; false when the file
 * holds anything else. */
static bool parse_pids(const char *text, size_t len, struct pids *out)
{
	size_t i = 0;

	while (i < len) {
		uint64_t v = 0;
		size_t start;

		while (i < len && (text[i] == ' ' || text[i] == '\n'))
			i++;
		if (i == len)
			break;
		start = i;
		while (i < len && text[i] >= '0' && text[i] <= '9' && i - start < 8)
			v = v * 10 + (uint64_t)(text[i++] - '0');
		if (i == start || v == 0 || v > 4194304 ||
		    (i < len && text[i] != ' ' && text[i] != '\n'))
			return false;
		if (!pids_add(out, (unsigned)v))
			return false;
	}
	return true;
}

static enum fact_status read_pid_file(const struct source *src, unsigned pid, const char *name,
				      struct text *t)
{
	char path[FACT_PATH_MAX];

	snprintf(path, sizeof(path), "proc/%u/%s", pid, name);
	return src->read(src, path, t);
}

static bool same_comm(const struct source *src, unsigned a, const char *comm)
{
	struct text t;
	bool same;

	if (read_pid_file(src, a, "comm", &t) != FACT_OK)
		return false;
	same = strcmp(t.data, comm) == 0;
	text_free(&t);
	return same;
}

static uint64_t parent_of(const struct source *src, unsigned pid)
{
	struct text t;
	uint64_t ppid = 0;

	if (read_pid_file(src, pid, "status", &t) == FACT_OK &&
	    parse_status_field(t.data, t.len, "PPid", 10, &ppid) != PARSE_OK)
		ppid = 0;
	text_free(&t);
	return ppid;
}

/* The children of pid that run the same program (its comm): a master's
 * workers (nginx, haproxy, apache2). */
static void same_program_children(const struct source *src, unsigned pid, struct pids *out)
{
	struct text t, comm;
	char path[64];
	struct pids all = {NULL, 0};

	snprintf(path, sizeof(path), "task/%u/children", pid);
	if (read_pid_file(src, pid, path, &t) != FACT_OK)
		return;
	if (parse_pids(t.data, t.len, &all) && read_pid_file(src, pid, "comm", &comm) == FACT_OK) {
		for (size_t i = 0; i < all.n; i++)
			if (same_comm(src, all.v[i], comm.data) && !pids_add(out, all.v[i]))
				break;
		text_free(&comm);
	}
	free(all.v);
	text_free(&t);
}

/* The members of a unit's cgroup that are children of another member (a
 * master's workers), else every member. */
static void cgroup_workers(const struct source *src, const struct pids *members, struct pids *out)
{
	for (size_t i = 0; i < members->n; i++) {
		uint64_t ppid = parent_of(src, members->v[i]);

		for (size_t j = 0; j < members->n; j++)
			if (members->v[j] == ppid) {
				pids_add(out, members->v[i]);
				break;
			}
	}
	for (size_t i = 0; out->n == 0 && i < members->n; i++)
		pids_add(out, members->v[i]);
}

/* The cgroup.procs of the unit's cgroup, in the unified hierarchy or
 * systemd's v1 one. */
static enum fact_status unit_members(const struct source *src, const char *cgpath,
				     struct pids *out, char *from, size_t size)
{
	static const char *const bases[] = {"sys/fs/cgroup/unified", "sys/fs/cgroup",
					    "sys/fs/cgroup/systemd"};
	enum fact_status st = FACT_MISSING;

	for (size_t i = 0; i < sizeof(bases) / sizeof(bases[0]); i++) {
		struct text t;

		snprintf(from, size, "%s%s/cgroup.procs", bases[i], cgpath);
		st = src->read(src, from, &t);
		if (st == FACT_MISSING)
			continue;
		if (st == FACT_OK && !parse_pids(t.data, t.len, out))
			st = FACT_INVALID;
		text_free(&t);
		return st;
	}
	return st;
}

/* The unit cgroup of a process ("/system.slice/nginx.service"), or false. */
static bool process_unit_cgroup(const struct source *src, unsigned pid, char *path, size_t size)
{
	struct text t;
	char unit[UNIT_NAME_MAX];
	bool ok;

	if (read_pid_file(src, pid, "cgroup", &t) != FACT_OK)
		return false;
	ok = (parse_cgroup_path(t.data, t.len, NULL, path, size) == PARSE_OK ||
	      parse_cgroup_path(t.data, t.len, "name=systemd", path, size) == PARSE_OK) &&
	     parse_systemd_unit(path, unit, sizeof(unit)) == PARSE_OK && strstr(path, ".service") &&
	     !strstr(path, "..");
	text_free(&t);
	return ok;
}

/* A running process: not a kernel thread, not a zombie. */
static enum facts_result check_process(const struct source *src, unsigned pid)
{
	struct text t;
	uint64_t kthread = 0, ppid = 0;
	const char *state;
	enum facts_result r = FACTS_OK;
	char dir[32];

	snprintf(dir, sizeof(dir), "proc/%u", pid);
	if (!src->is_dir(src, dir))
		return src->is_dir(src, "proc") ? FACTS_NO_PID : FACTS_NO_ROOT;
	if (read_pid_file(src, pid, "status", &t) != FACT_OK)
		return src->is_dir(src, dir) ? FACTS_OK : FACTS_GONE;
	/* "State:\tZ (zombie)", or X (dead) on its way out. */
	state = strncmp(t.data, "State:", 6) == 0 ? t.data + 6 : strstr(t.data, "\nState:");
	if (state && state != t.data + 6)
		state += 7;
	if (state)
		state += strspn(state, " \t");
	if (state && (*state == 'Z' || *state == 'X'))
		r = FACTS_ZOMBIE;
	/* Kthread: since Linux 6.0; before it, kthreadd and its children. */
	else if ((parse_status_field(t.data, t.len, "Kthread", 10, &kthread) == PARSE_OK && kthread) ||
		 (parse_status_field(t.data, t.len, "Kthread", 10, &kthread) == PARSE_ABSENT &&
		  (pid == 2 || (parse_status_field(t.data, t.len, "PPid", 10, &ppid) == PARSE_OK &&
				ppid == 2))))
		r = FACTS_KTHREAD;
	text_free(&t);
	return r;
}

/* The uid of user name in etc/passwd (a number is taken as it is). */
static bool passwd_uid(const struct source *src, const char *name, uint64_t *uid)
{
	struct text t;
	size_t n = strlen(name);
	bool found = false;

	if (src->read(src, "etc/passwd", &t) == FACT_OK) {
		for (char *line = strtok(t.data, "\n"); line && !found; line = strtok(NULL, "\n")) {
			unsigned long long u;

			if (strncmp(line, name, n) == 0 && line[n] == ':' &&
			    sscanf(line + n, ":%*[^:]:%llu:", &u) == 1) {
				*uid = u;
				found = true;
			}
		}
		text_free(&t);
	}
	return found || u64_parse_str(name, uid);
}

static void workers_of(const struct source *src, unsigned pid, const struct pids *members,
		       const char *members_from, struct facts *out)
{
	struct subject *s = &out->subject;
	struct pids w = {NULL, 0};
	char path[64];
	bool master;

	same_program_children(src, pid, &w);
	master = w.n > 0;
	if (master) {
		snprintf(s->processes_from, sizeof(s->processes_from), "proc/%u/task/%u/children", pid,
			 pid);
	} else if (members && members->n > 0) {
		cgroup_workers(src, members, &w);
		snprintf(s->processes_from, sizeof(s->processes_from), "%s", members_from);
	}
	out->pid = pid;
	if (w.n > 0) {
		bool in = false;

		for (size_t i = 0; i < w.n; i++)
			in = in || w.v[i] == pid;
		/* A master's workers stand for it; a process asked for by --pid
		 * that is not their master is read itself. */
		if (!in && (s->kind == SUBJECT_UNIT || master))
			out->pid = w.v[0];
		s->processes = (unsigned)w.n;
	}
	/* The subject's sockets: every worker's socket descriptors. */
	out->f[F_PROC_SOCKETS].status = FACT_MISSING;
	snprintf(path, sizeof(path), "proc/%u/fd", out->pid);
	facts_set_path(out, &out->f[F_PROC_SOCKETS], path);
	out->sockets_estimated = false;
	if (src->count_links) {
		uint64_t total = 0;
		enum fact_status st = FACT_OK;

		for (size_t i = 0; i < (w.n ? w.n : 1) && st == FACT_OK; i++) {
			uint64_t n = 0, seen = 0, fds = 0;
			enum count_from from;

			snprintf(path, sizeof(path), "proc/%u/fd", w.n ? w.v[i] : pid);
			st = src->count_links(src, path, "socket:", SOCKETS_READ_MAX, &n, &seen);
			/* Past the first SOCKETS_READ_MAX descriptors (the program's
			 * own files come first), every descriptor is taken as a
			 * socket: a readlink each would grow with the load. */
			if (st == FACT_OK && seen == SOCKETS_READ_MAX &&
			    src->count(src, path, &fds, &from) == FACT_OK && fds > seen) {
				n = u64_sat_add(n, fds - seen);
				out->sockets_estimated = true;
			}
			total = u64_sat_add(total, n);
		}
		out->f[F_PROC_SOCKETS].status = st;
		out->f[F_PROC_SOCKETS].v[0] = total;
	}
	free(w.v);
}

/* "nginx" is nginx.service, as systemctl reads it. */
static void unit_name_of(const char *name, char *unit, size_t size)
{
	snprintf(unit, size, "%s%s", name, strchr(name, '.') ? "" : ".service");
}

enum facts_result subject_resolve(const struct source *src, const struct subject_request *req,
				  struct facts *out)
{
	struct subject *s = &out->subject;
	struct pids members = {NULL, 0};
	char cg[FACT_PATH_MAX], from[FACT_PATH_MAX];
	enum facts_result r;

	memset(s, 0, sizeof(*s));
	s->kind = req->kind;
	out->pid = 0;
	out->f[F_PROC_SOCKETS].status = FACT_MISSING;
	out->f[F_PROC_SOCKETS].path = fact_defs[F_PROC_SOCKETS].path;
	switch (req->kind) {
	case SUBJECT_SELF:
	case SUBJECT_SERVICE:
		break;
	case SUBJECT_USER:
		snprintf(s->user, sizeof(s->user), "%s", req->name);
		text_printable(s->user);
		if (!passwd_uid(src, req->name, &s->uid))
			return src->is_dir(src, "proc") ? FACTS_NO_USER : FACTS_NO_ROOT;
		s->has_uid = true;
		break;
	case SUBJECT_UNIT:
		unit_name_of(req->name, s->unit, sizeof(s->unit));
		text_printable(s->unit);
		snprintf(cg, sizeof(cg), "/system.slice/%s", s->unit);
		if (unit_members(src, cg, &members, from, sizeof(from)) == FACT_OK && members.n > 0) {
			s->active = true;
			workers_of(src, members.v[0], &members, from, out);
			if (s->processes == 0)
				s->processes = (unsigned)members.n;
		}
		free(members.v);
		if (!s->active && !sources_unit_exists(src, s->unit))
			return src->is_dir(src, "proc") ? FACTS_NO_UNIT : FACTS_NO_ROOT;
		break;
	case SUBJECT_PID:
		s->pid = req->pid;
		if ((r = check_process(src, req->pid)) != FACTS_OK)
			return r;
		if (process_unit_cgroup(src, req->pid, cg, sizeof(cg)))
			unit_members(src, cg, &members, from, sizeof(from));
		workers_of(src, req->pid, members.n > 1 ? &members : NULL, from, out);
		free(members.v);
		break;
	}
	return FACTS_OK;
}

/* Does the subject have a process whose files say it all? */
static bool has_process(const struct facts *f)
{
	return f->subject.kind == SUBJECT_PID || f->subject.kind == SUBJECT_SELF ||
	       (f->subject.kind == SUBJECT_UNIT && f->subject.active);
}

const char *subject_cgroup(const struct facts *f, char *buf, size_t size)
{
	const struct subject *s = &f->subject;

	if (has_process(f))
		return NULL;
	switch (s->kind) {
	case SUBJECT_SERVICE:
		/* In a container a new process joins the container's cgroup. */
		if (f->container.detected)
			return NULL;
		snprintf(buf, size, "/system.slice");
		return buf;
	case SUBJECT_UNIT:
		snprintf(buf, size, "/system.slice/%s", s->unit);
		return buf;
	case SUBJECT_USER:
		snprintf(buf, size, "/user.slice/user-%llu.slice", (unsigned long long)s->uid);
		return buf;
	default:
		return NULL;
	}
}

static void set_fact(struct facts *out, struct fact *x, uint64_t a, uint64_t b, const char *path)
{
	x->status = FACT_OK;
	x->v[0] = a;
	x->v[1] = b;
	facts_set_path(out, x, path);
}

static void set_status(struct facts *out, struct fact *x, enum fact_status st, const char *path)
{
	x->status = st;
	facts_set_path(out, x, path);
}

void subject_identity(const struct source *src, struct facts *out)
{
	struct subject *s = &out->subject;
	char user[SUBJECT_USER_MAX] = "";

	if (has_process(out)) {
		s->cap_known = fact_ok(out, F_PROC_CAPEFF);
		s->cap_sys_admin = s->cap_known && (out->f[F_PROC_CAPEFF].v[0] & CAP_SYS_ADMIN_BIT);
		return;
	}
	if (s->kind == SUBJECT_SERVICE && out->container.detected) {
		/* A new process in a container starts as sockcap's own did. */
		s->cap_known = fact_ok(out, F_PROC_CAPEFF);
		s->cap_sys_admin = s->cap_known && (out->f[F_PROC_CAPEFF].v[0] & CAP_SYS_ADMIN_BIT);
		return;
	}
	/* No process: no descriptors, threads or sockets of its own. */
	for (enum fact_id id = F_PROC_FDS; id <= F_PROC_THREADS; id++) {
		out->f[id].status = FACT_MISSING;
		out->f[id].path = fact_defs[id].path;
	}
	if (s->kind == SUBJECT_UNIT && sources_unit_user(src, s->unit, user, sizeof(user), out)) {
		snprintf(s->user, sizeof(s->user), "%s", user);
		text_printable(s->user);
		s->has_uid = passwd_uid(src, user, &s->uid);
		if (!s->has_uid) {
			/* DynamicUser= or a user this tree lacks: not root, at least. */
			set_status(out, &out->f[F_PROC_UID], FACT_MISSING, "etc/passwd");
			set_fact(out, &out->f[F_PROC_CAPEFF], 0, 0, "User= of the unit");
			s->cap_known = true;
			return;
		}
	} else if (s->kind != SUBJECT_USER) {
		snprintf(s->user, sizeof(s->user), "root");
		s->uid = 0;
		s->has_uid = true;
	}
	set_fact(out, &out->f[F_PROC_UID], s->uid, 0,
		 s->kind == SUBJECT_USER || user[0] ? "etc/passwd" : "a service runs as root");
	set_fact(out, &out->f[F_PROC_CAPEFF], s->uid == 0 ? CAP_ALL : 0, 0,
		 s->uid == 0 ? "root's capabilities" : "no capabilities (not root)");
	s->cap_known = true;
	s->cap_sys_admin = s->uid == 0;
}

/* An "S:H" systemd value into x; false when it does not parse. */
static bool from_setting(struct facts *out, const struct setting *st, struct fact *x)
{
	uint64_t soft, hard;

	if (!st->set)
		return false;
	if (!persist_parse_rlimit(st->value, &soft, &hard)) {
		set_status(out, x, FACT_INVALID, st->file);
		return true;
	}
	set_fact(out, x, soft, hard, st->file);
	return true;
}

void subject_limits(struct facts *out)
{
	const struct subject *s = &out->subject;
	const struct persisted *p = &out->persisted;
	struct fact *nofile = &out->f[F_NOFILE], *nproc = &out->f[F_NPROC];
	struct fact def;
	uint64_t v;

	if (has_process(out) || (s->kind == SUBJECT_SERVICE && out->container.detected))
		return;
	/* What systemd gives a service: its LimitNOFILE=, else
	 * DefaultLimitNOFILE=, else 1024:524288. A login session starts from
	 * the same (its getty or sshd is such a service), then pam_limits. */
	if (!from_setting(out, &p->default_nofile, &def))
		set_fact(out, &def, SYSTEMD_NOFILE_SOFT, SYSTEMD_NOFILE_HARD,
			 "systemd's default (DefaultLimitNOFILE= unset)");
	*nofile = def;
	if (s->kind == SUBJECT_UNIT)
		from_setting(out, &p->unit_nofile, nofile);
	/* The kernel gives init RLIMIT_NPROC = threads-max / 2; systemd keeps it
	 * unless DefaultLimitNPROC= says otherwise; the unit's LimitNPROC= wins. */
	if (from_setting(out, &p->default_nproc, nproc)) {
		/* DefaultLimitNPROC= */
	} else if (fact_ok(out, F_THREADS_MAX)) {
		set_fact(out, nproc, out->f[F_THREADS_MAX].v[0] / 2, out->f[F_THREADS_MAX].v[0] / 2,
			 out->f[F_THREADS_MAX].path);
	} else {
		set_status(out, nproc, out->f[F_THREADS_MAX].status, out->f[F_THREADS_MAX].path);
	}
	if (s->kind == SUBJECT_UNIT)
		from_setting(out, &p->unit_nproc, nproc);
	if (s->kind != SUBJECT_USER)
		return;
	for (int k = 0; k < 2; k++) {
		struct fact *x = k == 0 ? nofile : nproc;

		if (x->status != FACT_OK)
			continue;
		if (p->soft[k].set && u64_parse_str(p->soft[k].value, &v)) {
			x->v[0] = v;
			facts_set_path(out, x, p->soft[k].file);
		} else if (p->soft[k].set && strcmp(p->soft[k].value, "unlimited") == 0) {
			x->v[0] = U64_UNLIMITED;
		}
		if (p->hard[k].set && u64_parse_str(p->hard[k].value, &v)) {
			x->v[1] = v;
			if (!p->soft[k].set)
				facts_set_path(out, x, p->hard[k].file);
		} else if (p->hard[k].set && strcmp(p->hard[k].value, "unlimited") == 0) {
			x->v[1] = U64_UNLIMITED;
		}
		/* pam_limits lowers a soft limit above the hard one to it. */
		if (x->v[0] > x->v[1])
			x->v[0] = x->v[1];
	}
}

bool fact_per_netns(enum fact_id id)
{
	const struct fact_def *d = &fact_defs[id];

	if (strncmp(d->path, "proc/net/", 9) == 0)
		return true;
	return strncmp(d->path, "proc/sys/net/", 13) == 0 && d->scope != SCOPE_NODE &&
	       id != F_CONNTRACK_BUCKETS;
}

void subject_netns(const struct source *src, struct facts *out)
{
	struct subject *s = &out->subject;
	char mine[NETNS_MAX], path[64], where[128];
	const char *paths[FACT_COUNT];
	enum fact_id ids[FACT_COUNT];
	struct text texts[FACT_COUNT];
	enum fact_status sts[FACT_COUNT];
	size_t n = 0;
	enum fact_status st;

	s->netns_status = FACT_OK;
	if (!src->readlink || src->readlink(src, "proc/self/ns/net", mine, sizeof(mine)) != FACT_OK)
		mine[0] = '\0';
	if (out->pid == 0) {
		snprintf(s->netns, sizeof(s->netns), "%s", mine);
		text_printable(s->netns);
		return;
	}
	snprintf(path, sizeof(path), "proc/%u/ns/net", out->pid);
	st = src->readlink ? src->readlink(src, path, s->netns, sizeof(s->netns)) : FACT_MISSING;
	if (st != FACT_OK)
		s->netns[0] = '\0';
	text_printable(s->netns);
	/* The same as sockcap's, or no namespaces to tell (an old kernel, a
	 * copied tree): the facts read are the subject's. */
	if ((st == FACT_OK && (!mine[0] || strcmp(mine, s->netns) == 0)) || st == FACT_MISSING)
		return;
	/* Another namespace, or one sockcap may not look at (another user's
	 * process): never sockcap's own values in the subject's place. */
	s->netns_other = st == FACT_OK;
	for (int id = 0; id < FACT_COUNT; id++) {
		if (!fact_per_netns((enum fact_id)id))
			continue;
		if (strncmp(fact_defs[id].path, "proc/net/", 9) == 0) {
			/* The kernel shows each process its own namespace's proc/PID/net. */
			struct text t;

			snprintf(path, sizeof(path), "proc/%u/%s", out->pid, fact_defs[id].path + 5);
			facts_parse((enum fact_id)id, path, src->read(src, path, &t), &t, out);
			text_free(&t);
			continue;
		}
		paths[n] = fact_defs[id].path;
		ids[n++] = (enum fact_id)id;
	}
	if (n == 0)
		return;
	snprintf(path, sizeof(path), "proc/%u/ns/net", out->pid);
	if (!src->read_netns) {
		for (size_t i = 0; i < n; i++)
			set_status(out, &out->f[ids[i]], FACT_MISSING, path);
		s->netns_status = FACT_MISSING;
		return;
	}
	s->netns_status = st == FACT_OK ? src->read_netns(src, out->pid, paths, n, texts, sts) : st;
	for (size_t i = 0; i < n; i++) {
		if (s->netns_status != FACT_OK) {
			/* Never sockcap's own values in their place. */
			set_status(out, &out->f[ids[i]], s->netns_status, path);
			continue;
		}
		snprintf(where, sizeof(where), "%s in %s", paths[i], s->netns);
		facts_parse(ids[i], where, sts[i], &texts[i], out);
		text_free(&texts[i]);
	}
}

void subject_describe(const struct facts *f, char *buf, size_t size)
{
	const struct subject *s = &f->subject;
	int n = 0;

	switch (s->kind) {
	case SUBJECT_SERVICE:
		n = snprintf(buf, size, "%s", f->container.detected ? "a new process in this container"
								     : "a new service on this host");
		break;
	case SUBJECT_SELF:
		n = snprintf(buf, size, "sockcap itself");
		break;
	case SUBJECT_USER:
		n = snprintf(buf, size, "a login session of %s", s->user);
		break;
	case SUBJECT_UNIT:
		if (s->active)
			n = snprintf(buf, size, "%s (running, %u %sprocess%s)", s->unit, s->processes,
				     s->processes_from[0] ? "worker " : "", s->processes == 1 ? "" : "es");
		else
			n = snprintf(buf, size, "%s (not running: its unit files)", s->unit);
		break;
	case SUBJECT_PID:
		if (s->processes > 0 && f->pid != s->pid)
			n = snprintf(buf, size, "process %u's %u workers", s->pid, s->processes);
		else if (s->processes > 1)
			n = snprintf(buf, size, "process %u, 1 of %u", s->pid, s->processes);
		else
			n = snprintf(buf, size, "process %u", s->pid);
		if (n > 0 && (size_t)n < size && f->unit[0])
			n += snprintf(buf + n, size - (size_t)n, " (%s)", f->unit);
		break;
	}
	if (n > 0 && (size_t)n < size && s->netns_other)
		snprintf(buf + n, size - (size_t)n, " in network namespace %s", s->netns);
	else if (n > 0 && (size_t)n < size && s->netns_status == FACT_DENIED)
		snprintf(buf + n, size - (size_t)n, " in a network namespace sockcap may not see");
}

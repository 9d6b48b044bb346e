/* Reads the configuration that sets limits for good, in the order the
 * programs that apply it read it, through the root-prefixing source. */
#include "sources.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "persist.h"
#include "u64.h"

/* sysctl.d directories, most important first (sysctl.d(5)). */
static const char *const sysctl_dirs[] = {"etc/sysctl.d", "run/sysctl.d", "usr/local/lib/sysctl.d",
					  "usr/lib/sysctl.d", "lib/sysctl.d"};
/* Unit directories, most important first (systemd.unit(5)). */
static const char *const unit_dirs[] = {"etc/systemd/system", "run/systemd/system",
					"usr/local/lib/systemd/system", "usr/lib/systemd/system",
					"lib/systemd/system"};
/* system.conf drop-in directories, most important first (systemd-system.conf(5)). */
static const char *const manager_dirs[] = {"etc/systemd/system.conf.d", "run/systemd/system.conf.d",
					   "usr/local/lib/systemd/system.conf.d",
					   "usr/lib/systemd/system.conf.d"};

#define NDIRS(a) (sizeof(a) / sizeof((a)[0]))

struct conf_file {
	char *path;  /* "dir/name" under the root; owned */
	size_t name; /* offset of the file name in path */
	size_t rank; /* the directory's place in dirs: 0 is the most important */
};

/* The files of a configuration, every one of them. */
struct conf_files {
	struct conf_file *f;
	size_t n, cap;
};

static void conf_files_free(struct conf_files *cf)
{
	for (size_t i = 0; i < cf->n; i++)
		free(cf->f[i].path);
	free(cf->f);
	memset(cf, 0, sizeof(*cf));
}

static bool conf_files_add(struct conf_files *cf, const char *dir, const char *name, size_t rank)
{
	size_t dl = strlen(dir), nl = strlen(name);
	char *path;

	if (cf->n == cf->cap) {
		size_t cap = cf->cap ? cf->cap * 2 : 16;
		struct conf_file *f = realloc(cf->f, cap * sizeof(*f));

		if (!f)
			return false;
		cf->f = f;
		cf->cap = cap;
	}
	if (!(path = malloc(dl + nl + 2)))
		return false;
	memcpy(path, dir, dl);
	path[dl] = '/';
	memcpy(path + dl + 1, name, nl + 1);
	cf->f[cf->n].path = path;
	cf->f[cf->n].name = dl + 1;
	cf->f[cf->n].rank = rank;
	cf->n++;
	return true;
}

/* By file name, then by directory, most important first. */
static int by_name_then_rank(const void *a, const void *b)
{
	const struct conf_file *x = a, *y = b;
	int c = strcmp(x->path + x->name, y->path + y->name);

	return c != 0 ? c : x->rank < y->rank ? -1 : x->rank > y->rank;
}

static bool has_suffix(const char *name, const char *suffix)
{
	size_t len = strlen(name), sl = strlen(suffix);

	return len > sl && strcmp(name + len - sl, suffix) == 0;
}

/* The files ending in suffix in dirs/sub (sub may be ""): where two
 * directories hold the same name, the more important one masks the other;
 * the result is in file-name order, the order they are applied in. One sort
 * over all of them (O(n log n)), then the masked ones drop out as the
 * neighbours they have become. A directory that cannot be listed whole, or
 * no memory for the list, is a note in out: never a shorter list. */
static void conf_files(const struct source *src, const char *const *dirs, size_t ndirs,
		       const char *sub, const char *suffix, struct conf_files *cf, struct facts *out)
{
	char dir[SETTING_FILE_MAX];
	size_t kept = 0;

	memset(cf, 0, sizeof(*cf));
	for (size_t d = 0; d < ndirs; d++) {
		struct name_list list;
		enum fact_status st;
		int w = snprintf(dir, sizeof(dir), "%s%s", dirs[d], sub);

		if (w < 0 || (size_t)w >= sizeof(dir)) {
			facts_note(out, "%s%s: path too long, not read", dirs[d], sub);
			continue;
		}
		st = src->list(src, dir, &list);
		if (st != FACT_OK) {
			if (st != FACT_MISSING)
				facts_note(out, "%s: %s, its files not read", dir, fact_status_reason(st));
			continue;
		}
		for (size_t i = 0; i < list.n; i++)
			if (has_suffix(list.names[i], suffix) && !conf_files_add(cf, dir, list.names[i], d)) {
				facts_note(out, "%s: out of memory listing its files", dir);
				break;
			}
		name_list_free(&list);
	}
	if (cf->n == 0)
		return;
	qsort(cf->f, cf->n, sizeof(cf->f[0]), by_name_then_rank);
	for (size_t i = 0; i < cf->n; i++) {
		if (kept > 0 && strcmp(cf->f[kept - 1].path + cf->f[kept - 1].name,
				       cf->f[i].path + cf->f[i].name) == 0) {
			free(cf->f[i].path);
			continue;
		}
		cf->f[kept++] = cf->f[i];
	}
	cf->n = kept;
}

/* Reads one configuration file; one that is listed but cannot be read is
 * a note, since what it sets is unknown. */
static bool conf_read(const struct source *src, const char *path, struct text *t,
		      struct facts *out)
{
	enum fact_status st = src->read(src, path, t);

	if (st != FACT_OK && st != FACT_MISSING)
		facts_note(out, "%s: %s, what it sets is unknown", path, fact_status_reason(st));
	/* Its settings name it in a field of SETTING_FILE_MAX bytes. */
	if (st == FACT_OK && strlen(path) >= SETTING_FILE_MAX)
		facts_note(out, "%.64s...: a path this long is shown shortened", path);
	return st == FACT_OK;
}

struct sysctl_ctx {
	struct persisted *p;
	const char *file;
};

static void sysctl_found(const char *key, const char *value, unsigned line, void *vctx)
{
	struct sysctl_ctx *c = vctx;

	for (int id = 0; id < FACT_COUNT; id++)
		if (fact_defs[id].read == READ_SYSCTL && strcmp(fact_defs[id].name, key) == 0)
			setting_assign(&c->p->sysctl[id], value, c->file, line, 0);
}

static void read_sysctl(const struct source *src, struct facts *out)
{
	struct persisted *p = &out->persisted;
	struct conf_files files;
	bool debian_link = false;
	struct text t;

	conf_files(src, sysctl_dirs, NDIRS(sysctl_dirs), "", ".conf", &files, out);
	for (size_t i = 0; i < files.n; i++) {
		struct sysctl_ctx c = {p, files.f[i].path};

		debian_link = debian_link || strcmp(files.f[i].path + files.f[i].name, "99-sysctl.conf") == 0;
		if (!conf_read(src, files.f[i].path, &t, out))
			continue;
		persist_sysctl_text(t.data, t.len, sysctl_found, &c);
		text_free(&t);
		p->files++;
	}
	conf_files_free(&files);
	/* systemd-sysctl reads /etc/sysctl.conf only through Debian's
	 * 99-sysctl.conf link; procps' sysctl --system reads it last. */
	if (!debian_link && conf_read(src, "etc/sysctl.conf", &t, out)) {
		struct sysctl_ctx c = {p, "etc/sysctl.conf"};

		persist_sysctl_text(t.data, t.len, sysctl_found, &c);
		text_free(&t);
		p->files++;
	}
}

/* Ends the line at s (NUL for its newline); returns the next one, or NULL. */
static char *next_line(char *s)
{
	char *nl = strchr(s, '\n');

	if (!nl)
		return NULL;
	*nl = '\0';
	return nl + 1;
}

/* Splits line at ':' in place into at most max fields; returns how many. */
static size_t colon_fields(char *line, char **f, size_t max)
{
	size_t n = 0;

	while (n < max) {
		char *c = strchr(line, ':');

		f[n++] = line;
		if (!c)
			break;
		*c = '\0';
		line = c + 1;
	}
	return n;
}

/* Is name in the comma-separated list? */
static bool in_list(const char *list, const char *name)
{
	size_t nl = strlen(name);

	for (const char *m = list; *m;) {
		size_t len = strcspn(m, ",");

		if (len == nl && strncmp(m, name, len) == 0)
			return true;
		m += len + (m[len] == ',');
	}
	return false;
}

#define USER_GROUPS_MAX 15

/* The user's name and groups from etc/passwd and etc/group (fields split
 * by hand: sscanf cost an unprivileged audit a tenth of its instructions).
 * A user in more groups than struct limits_user holds is a note. */
static void read_user(const struct source *src, uint64_t uid, struct limits_user *u,
		      char *name, size_t size, char groups[16][64], struct facts *out)
{
	struct text t;
	uint64_t gid = UINT64_MAX;
	size_t ng = 0;

	snprintf(name, size, uid == 0 ? "root" : "#%llu", (unsigned long long)uid);
	u->name = name;
	u->uid = uid;
	u->groups[0] = NULL;
	/* Root is root: '*' never applies to it, and @group lines for root's
	 * groups are rare enough not to cost every audit two more reads. */
	if (uid == 0)
		return;
	if (src->read(src, "etc/passwd", &t) == FACT_OK) {
		for (char *line = t.data, *next; line; line = next) {
			char *f[5];
			uint64_t pu, pg;

			next = next_line(line);
			if (colon_fields(line, f, 5) >= 4 && u64_parse(f[2], strlen(f[2]), &pu) &&
			    pu == uid && u64_parse(f[3], strlen(f[3]), &pg)) {
				snprintf(name, size, "%s", f[0]);
				text_printable(name);
				gid = pg;
				break;
			}
		}
		text_free(&t);
	}
	if (src->read(src, "etc/group", &t) == FACT_OK) {
		for (char *line = t.data, *next; line; line = next) {
			char *f[4];
			size_t nf;
			uint64_t gg;

			next = next_line(line);
			nf = colon_fields(line, f, 4);
			if (nf < 3 || !u64_parse(f[2], strlen(f[2]), &gg) ||
			    !(gg == gid || (nf == 4 && in_list(f[3], name))))
				continue;
			if (ng == USER_GROUPS_MAX) {
				facts_note(out, "etc/group: %s is in more than %d groups; "
					   "@group lines for the others are not matched", name,
					   USER_GROUPS_MAX);
				break;
			}
			snprintf(groups[ng], 64, "%s", f[0]);
			if (strlen(f[0]) >= 64)
				facts_note(out, "etc/group: a group name over 63 bytes is not matched");
			ng++;
		}
		text_free(&t);
	}
	u->name = name;
	u->uid = uid;
	for (size_t i = 0; i < 16; i++)
		u->groups[i] = i < ng ? groups[i] : NULL;
}

static void read_limits(const struct source *src, struct facts *out)
{
	static const char *const items[] = {"nofile", "nproc"};
	struct conf_files files;
	static const char *const dir[] = {"etc/security/limits.d"};
	struct persisted *p = &out->persisted;
	struct limits_user user;
	char groups[16][64];
	uint64_t uid = fact_ok(out, F_PROC_UID) ? out->f[F_PROC_UID].v[0] : 0;
	struct text t;

	read_user(src, uid, &user, p->user, sizeof(p->user), groups, out);
	conf_files(src, dir, 1, "", ".conf", &files, out);
	/* pam_limits reads limits.conf first, then limits.d in name order. */
	for (size_t i = 0; i <= files.n; i++) {
		const char *path = i == 0 ? "etc/security/limits.conf" : files.f[i - 1].path;

		if (!conf_read(src, path, &t, out))
			continue;
		for (size_t k = 0; k < 2; k++)
			persist_limits_text(t.data, t.len, path, &user, items[k], &p->soft[k],
					    &p->hard[k]);
		text_free(&t);
		p->files++;
	}
	conf_files_free(&files);
}

/* The last KEY= in [section] of path and its drop-ins, for each of keys. */
static void read_unit_settings(const struct source *src, const char *const *dirs, size_t ndirs,
			       const char *main_file, const char *dropin_sub, const char *section,
			       const struct unit_key *keys, size_t nkeys, struct facts *out)
{
	struct conf_files dropins;
	struct text t;
	char path[SETTING_FILE_MAX];

	for (size_t d = 0; d < ndirs && main_file; d++) {
		snprintf(path, sizeof(path), "%s/%s", dirs[d], main_file);
		if (!conf_read(src, path, &t, out))
			continue;
		persist_unit_keys(t.data, t.len, path, section, keys, nkeys);
		text_free(&t);
		out->persisted.files++;
		break;
	}
	conf_files(src, dirs, ndirs, dropin_sub, ".conf", &dropins, out);
	for (size_t i = 0; i < dropins.n; i++) {
		if (!conf_read(src, dropins.f[i].path, &t, out))
			continue;
		persist_unit_keys(t.data, t.len, dropins.f[i].path, section, keys, nkeys);
		text_free(&t);
		out->persisted.files++;
	}
	conf_files_free(&dropins);
}

bool sources_unit_exists(const struct source *src, const char *unit)
{
	char path[SETTING_FILE_MAX];
	struct text t;

	for (size_t d = 0; d < NDIRS(unit_dirs); d++) {
		enum fact_status st;

		snprintf(path, sizeof(path), "%s/%s", unit_dirs[d], unit);
		st = src->read(src, path, &t);
		text_free(&t);
		/* A unit masked with a link to /dev/null is there too. */
		snprintf(path, sizeof(path), "%s/%s.d", unit_dirs[d], unit);
		if (st != FACT_MISSING || src->is_dir(src, path))
			return true;
	}
	return false;
}

bool sources_unit_user(const struct source *src, const char *unit, char *user, size_t size,
		       struct facts *out)
{
	struct setting s;
	const struct unit_key key = {"User", &s};
	char sub[UNIT_NAME_MAX + 8];
	unsigned files = out->persisted.files;

	memset(&s, 0, sizeof(s));
	snprintf(sub, sizeof(sub), "/%s.d", unit);
	read_unit_settings(src, unit_dirs, NDIRS(unit_dirs), unit, sub, "Service", &key, 1, out);
	out->persisted.files = files; /* counted when LimitNOFILE= is read from them */
	if (!s.set || !s.value[0])
		return false;
	snprintf(user, size, "%s", s.value);
	return true;
}

static void read_systemd(const struct source *src, struct facts *out)
{
	struct persisted *p = &out->persisted;
	const struct unit_key defaults[] = {{"DefaultLimitNOFILE", &p->default_nofile},
					    {"DefaultLimitNPROC", &p->default_nproc}};
	const struct unit_key limits[] = {{"LimitNOFILE", &p->unit_nofile},
					  {"LimitNPROC", &p->unit_nproc}};
	struct text t;
	size_t n = strlen(out->unit);
	bool service = n > 8 && strcmp(out->unit + n - 8, ".service") == 0;

	/* DefaultLimit*= and Limit*= apply to services only: to the process's
	 * unit, or to the new service or the login a subject without a process
	 * stands for. */
	if (!service && out->pid != 0)
		return;
	if (conf_read(src, "etc/systemd/system.conf", &t, out)) {
		persist_unit_keys(t.data, t.len, "etc/systemd/system.conf", "Manager", defaults, 2);
		text_free(&t);
		p->files++;
	}
	read_unit_settings(src, manager_dirs, NDIRS(manager_dirs), NULL, "", "Manager", defaults, 2,
			   out);
	if (!service)
		return;
	{
		char sub[UNIT_NAME_MAX + 8];

		snprintf(sub, sizeof(sub), "/%s.d", out->unit);
		read_unit_settings(src, unit_dirs, NDIRS(unit_dirs), out->unit, sub, "Service", limits,
				   2, out);
	}
}

void sources_read(const struct source *src, struct facts *out)
{
	read_sysctl(src, out);
	read_limits(src, out);
	read_systemd(src, out);
	if (out->subject.kind == SUBJECT_USER && out->subject.user[0])
		snprintf(out->persisted.user, sizeof(out->persisted.user), "%s", out->subject.user);
}

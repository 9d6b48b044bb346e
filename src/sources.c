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
#define CONF_FILES_MAX 96

struct conf_file {
	char path[SETTING_FILE_MAX];
	size_t name; /* offset of the file name in path */
};

struct conf_files {
	struct conf_file f[CONF_FILES_MAX];
	size_t n;
};

static int by_file_name(const void *a, const void *b)
{
	const struct conf_file *x = a, *y = b;
	return strcmp(x->path + x->name, y->path + y->name);
}

/* The files ending in suffix in dirs/sub (sub may be ""): where two
 * directories hold the same name, the more important one masks the other;
 * the result is in file-name order, the order they are applied in. */
static void conf_files(const struct source *src, const char *const *dirs, size_t ndirs,
		       const char *sub, const char *suffix, struct conf_files *out)
{
	static struct name_list list;
	char dir[SETTING_FILE_MAX];

	out->n = 0;
	for (size_t d = 0; d < ndirs; d++) {
		snprintf(dir, sizeof(dir), "%s%s", dirs[d], sub);
		if (src->list(src, dir, &list) != FACT_OK)
			continue;
		for (size_t i = 0; i < list.n && out->n < CONF_FILES_MAX; i++) {
			const char *nm = list.names[i];
			size_t len = strlen(nm), sl = strlen(suffix);
			bool masked = false;
			int w;

			if (len <= sl || strcmp(nm + len - sl, suffix) != 0)
				continue;
			for (size_t j = 0; j < out->n && !masked; j++)
				masked = strcmp(out->f[j].path + out->f[j].name, nm) == 0;
			if (masked)
				continue;
			w = snprintf(out->f[out->n].path, SETTING_FILE_MAX, "%s/%s", dir, nm);
			if (w < 0 || (size_t)w >= SETTING_FILE_MAX)
				continue;
			out->f[out->n].name = strlen(dir) + 1;
			out->n++;
		}
	}
	qsort(out->f, out->n, sizeof(out->f[0]), by_file_name);
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

static void read_sysctl(const struct source *src, struct persisted *p)
{
	static struct conf_files files;
	bool debian_link = false;
	struct text t;

	conf_files(src, sysctl_dirs, NDIRS(sysctl_dirs), "", ".conf", &files);
	for (size_t i = 0; i < files.n; i++) {
		struct sysctl_ctx c = {p, files.f[i].path};

		debian_link = debian_link || strcmp(files.f[i].path + files.f[i].name, "99-sysctl.conf") == 0;
		if (src->read(src, files.f[i].path, &t) != FACT_OK)
			continue;
		persist_sysctl_text(t.data, t.len, sysctl_found, &c);
		text_free(&t);
		p->files++;
	}
	/* systemd-sysctl reads /etc/sysctl.conf only through Debian's
	 * 99-sysctl.conf link; procps' sysctl --system reads it last. */
	if (!debian_link && src->read(src, "etc/sysctl.conf", &t) == FACT_OK) {
		struct sysctl_ctx c = {p, "etc/sysctl.conf"};

		persist_sysctl_text(t.data, t.len, sysctl_found, &c);
		text_free(&t);
		p->files++;
	}
}

/* The user's name and groups from etc/passwd and etc/group. */
static void read_user(const struct source *src, uint64_t uid, struct limits_user *u,
		      char *name, size_t size, char groups[16][64])
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
		for (char *line = strtok(t.data, "\n"); line; line = strtok(NULL, "\n")) {
			char n[64];
			unsigned long long pu, pg;

			if (sscanf(line, "%63[^:]:%*[^:]:%llu:%llu", n, &pu, &pg) == 3 && pu == uid) {
				snprintf(name, size, "%s", n);
				text_printable(name);
				gid = pg;
				break;
			}
		}
		text_free(&t);
	}
	if (src->read(src, "etc/group", &t) == FACT_OK) {
		for (char *line = strtok(t.data, "\n"); line && ng < 15; line = strtok(NULL, "\n")) {
			char g[64], members[512] = "";
			unsigned long long gg;
			bool in;

			if (sscanf(line, "%63[^:]:%*[^:]:%llu:%511s", g, &gg, members) < 2)
				continue;
			in = gg == gid;
			for (char *m = members; *m && !in;) {
				size_t len = strcspn(m, ",");
				in = len == strlen(name) && strncmp(m, name, len) == 0;
				m += len + (m[len] == ',');
			}
			if (in)
				snprintf(groups[ng++], 64, "%s", g);
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
	static struct conf_files files;
	static const char *const dir[] = {"etc/security/limits.d"};
	struct persisted *p = &out->persisted;
	struct limits_user user;
	char groups[16][64];
	uint64_t uid = fact_ok(out, F_PROC_UID) ? out->f[F_PROC_UID].v[0] : 0;
	struct text t;

	read_user(src, uid, &user, p->user, sizeof(p->user), groups);
	conf_files(src, dir, 1, "", ".conf", &files);
	/* pam_limits reads limits.conf first, then limits.d in name order. */
	for (size_t i = 0; i <= files.n; i++) {
		const char *path = i == 0 ? "etc/security/limits.conf" : files.f[i - 1].path;

		if (src->read(src, path, &t) != FACT_OK)
			continue;
		for (size_t k = 0; k < 2; k++)
			persist_limits_text(t.data, t.len, path, &user, items[k], &p->soft[k],
					    &p->hard[k]);
		text_free(&t);
		p->files++;
	}
}

/* The last KEY= in [section] of path and its drop-ins. */
static void read_unit_setting(const struct source *src, const char *const *dirs, size_t ndirs,
			      const char *main_file, const char *dropin_sub, const char *section,
			      const char *key, struct setting *s, unsigned *files)
{
	static struct conf_files dropins;
	struct text t;
	char path[SETTING_FILE_MAX];

	for (size_t d = 0; d < ndirs && main_file; d++) {
		snprintf(path, sizeof(path), "%s/%s", dirs[d], main_file);
		if (src->read(src, path, &t) != FACT_OK)
			continue;
		persist_unit_text(t.data, t.len, path, section, key, s);
		text_free(&t);
		(*files)++;
		break;
	}
	conf_files(src, dirs, ndirs, dropin_sub, ".conf", &dropins);
	for (size_t i = 0; i < dropins.n; i++) {
		if (src->read(src, dropins.f[i].path, &t) != FACT_OK)
			continue;
		persist_unit_text(t.data, t.len, dropins.f[i].path, section, key, s);
		text_free(&t);
		(*files)++;
	}
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

bool sources_unit_user(const struct source *src, const char *unit, char *user, size_t size)
{
	struct setting s;
	unsigned files = 0;
	char sub[UNIT_NAME_MAX + 8];

	memset(&s, 0, sizeof(s));
	snprintf(sub, sizeof(sub), "/%s.d", unit);
	read_unit_setting(src, unit_dirs, NDIRS(unit_dirs), unit, sub, "Service", "User", &s,
			  &files);
	if (!s.set || !s.value[0])
		return false;
	snprintf(user, size, "%s", s.value);
	return true;
}

static void read_systemd(const struct source *src, struct facts *out)
{
	struct persisted *p = &out->persisted;
	struct text t;
	size_t n = strlen(out->unit);
	bool service = n > 8 && strcmp(out->unit + n - 8, ".service") == 0;

	/* DefaultLimitNOFILE= and LimitNOFILE= apply to services only: to the
	 * process's unit, or to the new service or the login a subject without
	 * a process stands for. */
	if (!service && out->pid != 0)
		return;
	if (src->read(src, "etc/systemd/system.conf", &t) == FACT_OK) {
		persist_unit_text(t.data, t.len, "etc/systemd/system.conf", "Manager",
				  "DefaultLimitNOFILE", &p->default_nofile);
		text_free(&t);
		p->files++;
	}
	read_unit_setting(src, manager_dirs, NDIRS(manager_dirs), NULL, "", "Manager",
			  "DefaultLimitNOFILE", &p->default_nofile, &p->files);
	if (!service)
		return;
	{
		char sub[UNIT_NAME_MAX + 8];

		snprintf(sub, sizeof(sub), "/%s.d", out->unit);
		read_unit_setting(src, unit_dirs, NDIRS(unit_dirs), out->unit, sub, "Service",
				  "LimitNOFILE", &p->unit_nofile, &p->files);
	}
}

void sources_read(const struct source *src, struct facts *out)
{
	read_sysctl(src, &out->persisted);
	read_limits(src, out);
	read_systemd(src, out);
	if (out->subject.kind == SUBJECT_USER && out->subject.user[0])
		snprintf(out->persisted.user, sizeof(out->persisted.user), "%s", out->subject.user);
}

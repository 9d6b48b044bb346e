#include "source.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <linux/magic.h>
#include <unistd.h>

const char *fact_status_name(enum fact_status st)
{
	switch (st) {
	case FACT_OK: return "ok";
	case FACT_MISSING: return "missing";
	case FACT_DENIED: return "denied";
	case FACT_INVALID: return "invalid";
	}
	return "invalid";
}

const char *fact_status_reason(enum fact_status st)
{
	switch (st) {
	case FACT_OK: return "ok";
	case FACT_MISSING: return "no such file";
	case FACT_DENIED: return "permission denied";
	case FACT_INVALID: return "not a readable file, or too large";
	}
	return "unreadable";
}

void text_free(struct text *t)
{
	free(t->data);
	t->data = NULL;
	t->len = 0;
}

enum fact_status fact_status_from_errno(int err)
{
	switch (err) {
	case ENOENT:
	case ENOTDIR:
		return FACT_MISSING;
	case EACCES:
	case EPERM:
		return FACT_DENIED;
	default:
		return FACT_INVALID;
	}
}

static bool root_path(const struct source *src, const char *relpath, char *buf, size_t size)
{
	size_t rl = strlen(src->root), pl = strlen(relpath);
	bool slash = rl > 0 && src->root[rl - 1] == '/';

	/* Called for every file read: joined by hand, not with snprintf. */
	if (rl + !slash + pl + 1 > size)
		return false;
	memcpy(buf, src->root, rl);
	if (!slash)
		buf[rl++] = '/';
	memcpy(buf + rl, relpath, pl + 1);
	return true;
}

/* Appends n bytes to *buf (length *len, room *cap). The first chunk gets
 * exactly its size: most files here are one short read, and a buffer as
 * large as the read would touch a fresh heap page per file kept. A file
 * that goes on (slabinfo: tens of kB) gets room for 64 kB at once: only the
 * pages written are touched, and it is not copied at every doubling. */
#define LONG_FILE_BYTES ((size_t)64 * 1024)

static bool append(char **buf, size_t *len, size_t *cap, const char *chunk, size_t n)
{
	if (*len + n > *cap) {
		size_t want = *cap == 0 ? n : *cap < LONG_FILE_BYTES ? LONG_FILE_BYTES : *cap * 2;
		char *nb;

		if (want < *len + n)
			want = *len + n;
		nb = realloc(*buf, want + 1);
		if (!nb)
			return false;
		*buf = nb;
		*cap = want;
	}
	memcpy(*buf + *len, chunk, n);
	*len += n;
	return true;
}

/* Opens path for reading; -1 with errno. */
static int open_file(const char *path)
{
	/* O_NONBLOCK: a FIFO planted in a fixture must not hang us. */
	return open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
}

/* Reads path to EOF, or with one_record to its first short read.
 * /proc files report st_size 0, so st_size is never trusted. Reads are at
 * most a page: /proc/sys allocates (and zeroes) a kernel buffer of the size
 * asked for. */
static enum fact_status read_file(const char *path, bool one_record, struct text *out)
{
	char chunk[4096];
	size_t cap = 0, len = 0;
	char *buf = NULL;
	int fd;

	out->data = NULL;
	out->len = 0;
	fd = open_file(path);
	if (fd < 0)
		return fact_status_from_errno(errno);
	for (;;) {
		ssize_t r = read(fd, chunk, sizeof(chunk));

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int err = errno;
			free(buf);
			close(fd);
			return err == EISDIR ? FACT_INVALID : fact_status_from_errno(err);
		}
		if (r == 0)
			break;
		if (len + (size_t)r >= SOURCE_MAX_BYTES || !append(&buf, &len, &cap, chunk, (size_t)r)) {
			free(buf);
			close(fd);
			return FACT_INVALID;
		}
		if (one_record && (size_t)r < sizeof(chunk))
			break;
	}
	close(fd);
	if (!buf && !(buf = malloc(1)))
		return FACT_INVALID;
	buf[len] = '\0';
	out->data = buf;
	out->len = len;
	return FACT_OK;
}

enum fact_status file_read(const char *path, struct text *out)
{
	return read_file(path, false, out);
}

/* A file the kernel writes as one record comes whole from one read that
 * asks for more than it holds: a /proc/sys value, a sysfs attribute, the
 * single_open files (meminfo, limits, status, sockstat, cgroup, loadavg),
 * and so does a regular file; the read that would say EOF is saved (about
 * a microsecond a file). A file of many records may stop short of a page
 * in the middle: those are read to EOF. */
static bool many_records(const char *relpath)
{
	return strcmp(relpath, "proc/slabinfo") == 0;
}

static enum fact_status root_read(const struct source *src, const char *relpath, struct text *out)
{
	char path[PATH_MAX];

	out->data = NULL;
	out->len = 0;
	if (!root_path(src, relpath, path, sizeof(path)))
		return FACT_INVALID;
	return read_file(path, !many_records(relpath), out);
}

/* Holds at most two lines' worth: the kernel hands out whole lines of
 * slabinfo, so a read rarely leaves more than a line's tail behind. */
static enum fact_status root_lines(const struct source *src, const char *relpath,
				   bool (*line)(void *ctx, const char *s, size_t n), void *ctx)
{
	char path[PATH_MAX], buf[2 * SOURCE_LINE_MAX];
	size_t have = 0;
	enum fact_status st = FACT_OK;
	int fd;

	if (!root_path(src, relpath, path, sizeof(path)))
		return FACT_INVALID;
	if ((fd = open_file(path)) < 0)
		return fact_status_from_errno(errno);
	for (bool more = true; more;) {
		ssize_t r = read(fd, buf + have, sizeof(buf) - have);
		size_t start = 0;
		const char *nl;

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			st = errno == EISDIR ? FACT_INVALID : fact_status_from_errno(errno);
			break;
		}
		if (r == 0) {
			if (have > SOURCE_LINE_MAX)
				st = FACT_INVALID;
			else if (have > 0)
				line(ctx, buf, have);
			break;
		}
		have += (size_t)r;
		while (more && (nl = memchr(buf + start, '\n', have - start)) != NULL) {
			size_t n = (size_t)(nl - buf - start);

			if (n > SOURCE_LINE_MAX) {
				st = FACT_INVALID;
				more = false;
				break;
			}
			more = line(ctx, buf + start, n);
			start = (size_t)(nl - buf) + 1;
		}
		if (st != FACT_OK)
			break;
		memmove(buf, buf + start, have - start);
		have -= start;
		if (more && have > SOURCE_LINE_MAX) {
			st = FACT_INVALID;
			break;
		}
	}
	close(fd);
	return st;
}

enum fact_status source_lines(const struct source *src, const char *relpath,
			      bool (*line)(void *ctx, const char *s, size_t n), void *ctx)
{
	struct text t;
	enum fact_status st;

	if (src->lines)
		return src->lines(src, relpath, line, ctx);
	if ((st = src->read(src, relpath, &t)) != FACT_OK)
		return st;
	for (size_t pos = 0; pos < t.len;) {
		const char *nl = memchr(t.data + pos, '\n', t.len - pos);
		size_t n = nl ? (size_t)(nl - t.data - pos) : t.len - pos;

		if (n > SOURCE_LINE_MAX) {
			st = FACT_INVALID;
			break;
		}
		if (!line(ctx, t.data + pos, n))
			break;
		pos += n + 1;
	}
	text_free(&t);
	return st;
}

static bool root_is_dir(const struct source *src, const char *relpath)
{
	char path[PATH_MAX];
	struct stat st;

	return root_path(src, relpath, path, sizeof(path)) && stat(path, &st) == 0 &&
	       S_ISDIR(st.st_mode);
}

const char *count_from_name(enum count_from c)
{
	static const char *const names[] = {"none", "stat", "readdir"};
	return names[c];
}

/* Since Linux 6.2, stat of proc/PID/fd gives the number of open
 * descriptors in st_size; before, st_size is 0, and a copied tree's
 * directory is no procfs. A directory that holds nothing reads in one
 * getdents anyway. */
static bool procfs_count(const char *path, uint64_t *n)
{
	struct statfs sfs;
	struct stat st;

	if (statfs(path, &sfs) != 0 || sfs.f_type != PROC_SUPER_MAGIC || stat(path, &st) != 0 ||
	    !S_ISDIR(st.st_mode) || st.st_size <= 0)
		return false;
	*n = (uint64_t)st.st_size;
	return true;
}

static enum fact_status root_count(const struct source *src, const char *relpath, uint64_t *n,
				   enum count_from *from)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d;

	*n = 0;
	*from = COUNT_NONE;
	if (!root_path(src, relpath, path, sizeof(path)))
		return FACT_INVALID;
	if (procfs_count(path, n)) {
		*from = COUNT_STAT_SIZE;
		return FACT_OK;
	}
	d = opendir(path);
	if (!d)
		return fact_status_from_errno(errno);
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			(*n)++;
	closedir(d);
	*from = COUNT_READDIR;
	return FACT_OK;
}

bool name_list_add(struct name_list *l, const char *name, size_t len)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		size_t *off = realloc(l->off, cap * sizeof(*off));

		if (!off)
			return false;
		l->off = off;
		l->cap = cap;
	}
	if (l->used + len + 1 > l->room) {
		size_t room = l->room ? l->room * 2 : 4096;
		char *pool;

		while (room < l->used + len + 1)
			room *= 2;
		if (!(pool = realloc(l->pool, room)))
			return false;
		l->pool = pool;
		l->room = room;
	}
	memcpy(l->pool + l->used, name, len);
	l->pool[l->used + len] = '\0';
	l->off[l->n++] = l->used;
	l->used += len + 1;
	return true;
}

static int by_offset(const void *a, const void *b, void *pool)
{
	return strcmp((const char *)pool + *(const size_t *)a, (const char *)pool + *(const size_t *)b);
}

bool name_list_sort(struct name_list *l)
{
	free(l->names);
	l->names = NULL;
	if (l->n == 0)
		return true;
	qsort_r(l->off, l->n, sizeof(l->off[0]), by_offset, l->pool);
	/* The pool is final: the names may point into it now. */
	l->names = malloc(l->n * sizeof(l->names[0]));
	if (!l->names)
		return false;
	for (size_t i = 0; i < l->n; i++)
		l->names[i] = l->pool + l->off[i];
	return true;
}

void name_list_free(struct name_list *l)
{
	free(l->names);
	free(l->off);
	free(l->pool);
	memset(l, 0, sizeof(*l));
}

static enum fact_status root_list(const struct source *src, const char *relpath,
				  struct name_list *out)
{
	char path[PATH_MAX];
	struct dirent *e;
	bool ok = true;
	DIR *d;

	memset(out, 0, sizeof(*out));
	if (!root_path(src, relpath, path, sizeof(path)))
		return FACT_INVALID;
	d = opendir(path);
	if (!d)
		return fact_status_from_errno(errno);
	while (ok && (e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			ok = name_list_add(out, e->d_name, strlen(e->d_name));
	closedir(d);
	if (!ok || !name_list_sort(out)) {
		name_list_free(out);
		return FACT_INVALID;
	}
	return FACT_OK;
}

static bool root_readonly(const struct source *src, const char *relpath)
{
	char path[PATH_MAX];
	struct statvfs sv;

	return root_path(src, relpath, path, sizeof(path)) && statvfs(path, &sv) == 0 &&
	       (sv.f_flag & ST_RDONLY) != 0;
}

struct source source_root(const char *root)
{
	struct source s = {.read = root_read,
			   .lines = root_lines,
			   .is_dir = root_is_dir,
			   .count = root_count,
			   .list = root_list,
			   .readonly = root_readonly,
			   .root = root,
			   .ctx = NULL};
	return s;
}

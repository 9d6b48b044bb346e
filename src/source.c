#include "source.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <sched.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
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
	/* O_NONBLOCK: a FIFO planted in a fixture must not hang us. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
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

static bool root_is_dir(const struct source *src, const char *relpath)
{
	char path[PATH_MAX];
	struct stat st;

	return root_path(src, relpath, path, sizeof(path)) && stat(path, &st) == 0 &&
	       S_ISDIR(st.st_mode);
}

static enum fact_status root_count(const struct source *src, const char *relpath, uint64_t *n)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d;

	*n = 0;
	if (!root_path(src, relpath, path, sizeof(path)))
		return FACT_INVALID;
	d = opendir(path);
	if (!d)
		return fact_status_from_errno(errno);
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			(*n)++;
	closedir(d);
	return FACT_OK;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(a, b);
}

static enum fact_status root_list(const struct source *src, const char *relpath,
				  struct name_list *out)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d;

	out->n = 0;
	if (!root_path(src, relpath, path, sizeof(path)))
		return FACT_INVALID;
	d = opendir(path);
	if (!d)
		return fact_status_from_errno(errno);
	while ((e = readdir(d)) != NULL && out->n < NAME_LIST_MAX)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
		    strlen(e->d_name) < NAME_MAX_LEN)
			memcpy(out->names[out->n++], e->d_name, strlen(e->d_name) + 1);
	closedir(d);
	qsort(out->names, out->n, sizeof(out->names[0]), by_name);
	return FACT_OK;
}

static bool root_readonly(const struct source *src, const char *relpath)
{
	char path[PATH_MAX];
	struct statvfs sv;

	return root_path(src, relpath, path, sizeof(path)) && statvfs(path, &sv) == 0 &&
	       (sv.f_flag & ST_RDONLY) != 0;
}

static enum fact_status root_readlink(const struct source *src, const char *relpath, char *buf,
				      size_t size)
{
	char path[PATH_MAX];
	ssize_t n;

	if (size == 0 || !root_path(src, relpath, path, sizeof(path)))
		return FACT_INVALID;
	n = readlink(path, buf, size - 1);
	if (n < 0)
		return fact_status_from_errno(errno);
	buf[n] = '\0';
	return FACT_OK;
}

static enum fact_status root_count_links(const struct source *src, const char *relpath,
					 const char *prefix, uint64_t *n)
{
	char path[PATH_MAX], target[64];
	size_t pl = strlen(prefix);
	struct dirent *e;
	DIR *d;

	*n = 0;
	if (!root_path(src, relpath, path, sizeof(path)))
		return FACT_INVALID;
	d = opendir(path);
	if (!d)
		return fact_status_from_errno(errno);
	while ((e = readdir(d)) != NULL) {
		ssize_t len = readlinkat(dirfd(d), e->d_name, target, sizeof(target));

		if (len >= (ssize_t)pl && memcmp(target, prefix, pl) == 0)
			(*n)++;
	}
	closedir(d);
	return FACT_OK;
}

/* The child's report, per file: status (1 byte), length (size_t), bytes. */
static bool write_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n > 0) {
		ssize_t w = write(fd, c, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		c += w;
		n -= (size_t)w;
	}
	return true;
}

static bool read_all(int fd, void *p, size_t n)
{
	char *c = p;

	while (n > 0) {
		ssize_t r = read(fd, c, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		c += r;
		n -= (size_t)r;
	}
	return true;
}

static void netns_child(const struct source *src, unsigned pid, const char *const *relpaths,
			size_t n, int out)
{
	char path[PATH_MAX], rel[64];
	unsigned char entered;
	int fd;

	snprintf(rel, sizeof(rel), "proc/%u/ns/net", pid);
	fd = root_path(src, rel, path, sizeof(path)) ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	entered = (unsigned char)(fd < 0 ? fact_status_from_errno(errno) : FACT_OK);
	if (fd >= 0 && setns(fd, CLONE_NEWNET) != 0)
		entered = (unsigned char)fact_status_from_errno(errno);
	if (!write_all(out, &entered, 1) || entered != FACT_OK)
		_exit(0);
	for (size_t i = 0; i < n; i++) {
		struct text t;
		unsigned char st = (unsigned char)root_read(src, relpaths[i], &t);

		if (!write_all(out, &st, 1) || !write_all(out, &t.len, sizeof(t.len)) ||
		    !write_all(out, t.data ? t.data : "", t.len))
			_exit(1);
		text_free(&t);
	}
	_exit(0);
}

static enum fact_status root_read_netns(const struct source *src, unsigned pid,
					const char *const *relpaths, size_t n, struct text *out,
					enum fact_status *st)
{
	unsigned char entered = FACT_INVALID;
	int pipefd[2], status;
	pid_t child;

	for (size_t i = 0; i < n; i++) {
		out[i] = (struct text){NULL, 0};
		st[i] = FACT_INVALID;
	}
	if (pipe2(pipefd, O_CLOEXEC) != 0)
		return FACT_INVALID;
	child = fork();
	if (child < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return FACT_INVALID;
	}
	if (child == 0) {
		close(pipefd[0]);
		netns_child(src, pid, relpaths, n, pipefd[1]);
	}
	close(pipefd[1]);
	if (read_all(pipefd[0], &entered, 1) && entered == FACT_OK) {
		for (size_t i = 0; i < n; i++) {
			unsigned char s;
			size_t len;

			if (!read_all(pipefd[0], &s, 1) || !read_all(pipefd[0], &len, sizeof(len)) ||
			    len >= SOURCE_MAX_BYTES || !(out[i].data = malloc(len + 1)) ||
			    !read_all(pipefd[0], out[i].data, len)) {
				text_free(&out[i]);
				break;
			}
			out[i].data[len] = '\0';
			out[i].len = len;
			st[i] = (enum fact_status)s;
			if (st[i] != FACT_OK)
				text_free(&out[i]);
		}
	} else if (entered > FACT_INVALID) {
		entered = FACT_INVALID;
	}
	close(pipefd[0]);
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	for (size_t i = 0; i < n && entered != FACT_OK; i++)
		st[i] = (enum fact_status)entered;
	return (enum fact_status)entered;
}

struct source source_root(const char *root)
{
	struct source s = {.read = root_read,
			   .is_dir = root_is_dir,
			   .count = root_count,
			   .list = root_list,
			   .readonly = root_readonly,
			   .readlink = root_readlink,
			   .count_links = root_count_links,
			   .read_netns = root_read_netns,
			   .root = root,
			   .ctx = NULL};
	return s;
}

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
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <sys/syscall.h>
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

/* Opens relpath (no leading slash) resolved inside the root: every
 * symbolic link, absolute or relative, and every ".." stays under it, as if
 * the root were "/" (RESOLVE_IN_ROOT), and no magic link (/proc/PID/fd/N)
 * is followed. The host's root "/" is opened plainly: everything is inside
 * it. Returns a descriptor or -1 with errno set. */
static int root_open(const struct source *src, const char *relpath, int flags)
{
	char path[PATH_MAX];
	size_t pl = strlen(relpath);

	if (src->root_errno) {
		errno = src->root_errno;
		return -1;
	}
	if (src->root_fd < 0) {
		if (pl + 2 > sizeof(path)) {
			errno = ENAMETOOLONG;
			return -1;
		}
		path[0] = '/';
		memcpy(path + 1, relpath, pl + 1);
		return open(path, flags | O_CLOEXEC | O_NOCTTY);
	}
	return in_root_open(src->root_fd, relpath, flags);
}

#ifndef RESOLVE_IN_ROOT
#define RESOLVE_NO_MAGICLINKS 0x02
#define RESOLVE_IN_ROOT 0x10
#endif

struct how {
	uint64_t flags, mode, resolve;
};

static int walk_open(int root_fd, const char *relpath, int flags);

int in_root_open(int root_fd, const char *relpath, int flags)
{
	static bool no_openat2;
	/* openat2 refuses O_NOCTTY beside O_PATH. */
	struct how how = {.flags = (uint64_t)(flags | O_CLOEXEC | ((flags & O_PATH) ? 0 : O_NOCTTY)),
			  .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};

	if (!no_openat2) {
		long fd = syscall(SYS_openat2, root_fd, relpath, &how, sizeof(how));

		if (fd >= 0 || (errno != ENOSYS && errno != EPERM))
			return (int)fd;
		/* ENOSYS before Linux 5.6; EPERM from a seccomp filter that does
		 * not know the call. */
		no_openat2 = true;
	}
	return walk_open(root_fd, relpath, flags);
}

/* Symbolic links followed in one lookup at most, as the kernel's MAXSYMLINKS. */
#define WALK_MAX_LINKS 40

/* Drops the last component of a path relative to the root: ".." at the
 * root stays at the root. */
static void walk_up(char *resolved)
{
	char *slash = strrchr(resolved, '/');

	if (slash)
		*slash = '\0';
	else
		resolved[0] = '\0';
}

/* dst = a "/" b (just b when a is empty); false when it does not fit. */
static bool join(char *dst, size_t size, const char *a, const char *b)
{
	int n = snprintf(dst, size, "%s%s%s", a, *a ? "/" : "", b);

	return n >= 0 && (size_t)n < size;
}

int in_root_walk_open(int root_fd, const char *relpath, int flags)
{
	return walk_open(root_fd, relpath, flags);
}

/* The same resolution as RESOLVE_IN_ROOT, one component at a time, for
 * kernels without openat2: a symbolic link's target is read and walked in
 * its place (an absolute one from the root), ".." never climbs above the
 * root, and the final path, free of links but the last, is opened with
 * O_NOFOLLOW. Unlike openat2 this is not atomic against a tree that changes
 * while it is walked; the trees sockcap reads under --root are copies. */
static int walk_open(int root_fd, const char *relpath, int flags)
{
	char resolved[PATH_MAX] = "", todo[PATH_MAX], step[PATH_MAX];
	unsigned links = 0;
	size_t n = strlen(relpath);

	if (n >= sizeof(todo)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(todo, relpath, n + 1);
	for (;;) {
		char *rest = todo, *comp;
		struct stat st;

		while (*rest == '/')
			rest++;
		if (!*rest)
			break;
		comp = rest;
		rest = strchr(comp, '/');
		if (rest)
			*rest++ = '\0';
		else
			rest = comp + strlen(comp);
		if (strcmp(comp, ".") == 0) {
			memmove(todo, rest, strlen(rest) + 1);
			continue;
		}
		if (strcmp(comp, "..") == 0) {
			walk_up(resolved);
			memmove(todo, rest, strlen(rest) + 1);
			continue;
		}
		if (!join(step, sizeof(step), resolved, comp)) {
			errno = ENAMETOOLONG;
			return -1;
		}
		if (fstatat(root_fd, step, &st, AT_SYMLINK_NOFOLLOW) != 0) {
			if (errno != ENOENT || *rest)
				return -1;
			/* The last component may be created by the open (it never is
			 * here, but the walk does not assume it). */
			memcpy(resolved, step, strlen(step) + 1);
			memmove(todo, rest, strlen(rest) + 1);
			continue;
		}
		if (S_ISLNK(st.st_mode)) {
			char target[PATH_MAX];
			ssize_t tl = readlinkat(root_fd, step, target, sizeof(target) - 1);

			if (++links > WALK_MAX_LINKS) {
				errno = ELOOP;
				return -1;
			}
			if (tl < 0)
				return -1;
			target[tl] = '\0';
			if (target[0] == '/')
				resolved[0] = '\0';
			if (!join(step, sizeof(step), target, rest)) {
				errno = ENAMETOOLONG;
				return -1;
			}
			memcpy(todo, step, strlen(step) + 1);
			continue;
		}
		memcpy(resolved, step, strlen(step) + 1);
		memmove(todo, rest, strlen(rest) + 1);
	}
	return openat(root_fd, resolved[0] ? resolved : ".",
		      flags | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
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

/* Reads the open file fd to EOF, or with one_record to its first short
 * read, and closes it. Only a regular file is read (procfs and sysfs files
 * are regular files too), and, when fifo_ok, a FIFO or pipe named on the
 * command line: never a device, a socket or a directory, which are
 * FACT_INVALID before the first read. /proc files report st_size 0, so
 * st_size is never trusted. Reads are at most a page: /proc/sys allocates
 * (and zeroes) a kernel buffer of the size asked for. */
/* A regular file (procfs and sysfs files are), or when fifo_ok a FIFO. */
static bool readable_type(int fd, bool fifo_ok)
{
	struct stat st;

	return fstat(fd, &st) == 0 && (S_ISREG(st.st_mode) || (fifo_ok && S_ISFIFO(st.st_mode)));
}

enum fact_status read_fd(int fd, bool one_record, bool fifo_ok, struct text *out)
{
	char chunk[4096];
	size_t cap = 0, len = 0;
	char *buf = NULL;

	out->data = NULL;
	out->len = 0;
	if (fd < 0)
		return fact_status_from_errno(errno);
	if (!readable_type(fd, fifo_ok)) {
		close(fd);
		return FACT_INVALID;
	}
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
	/* O_NONBLOCK: opening a FIFO without a writer must not hang, nor a
	 * read from one whose writer waits. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	return read_fd(fd, false, true, out);
}

/* A file the kernel writes as one record comes whole from one read that
 * asks for more than it holds: a /proc/sys value, a sysfs attribute, the
 * single_open files (meminfo, limits, status, sockstat, cgroup, loadavg),
 * and so does a regular file; the read that would say EOF is saved (about
 * a microsecond a file). A file of many records may stop short of a page
 * in the middle: those are read to EOF. */
static bool many_records(const char *relpath)
{
	size_t n = strlen(relpath);

	return strcmp(relpath, "proc/slabinfo") == 0 || strcmp(relpath, "proc/zoneinfo") == 0 ||
	       (n > 8 && strcmp(relpath + n - 8, "/net/tcp") == 0) ||
	       (n > 9 && strcmp(relpath + n - 9, "/net/tcp6") == 0);
}

static enum fact_status root_read(const struct source *src, const char *relpath, struct text *out)
{
	/* O_NONBLOCK: a FIFO planted in a tree must not hang the open. */
	return read_fd(root_open(src, relpath, O_RDONLY | O_NONBLOCK), !many_records(relpath),
		       false, out);
}

/* One component opened in dirfd, following nothing: a plain name there is
 * inside whatever holds dirfd, so it stays inside the root. A link (ELOOP
 * for a file, a non-directory for O_PATH | O_DIRECTORY, which opens the
 * link itself), ".", ".." or a name with a slash is resolved from the root
 * by its whole path instead, as root_read would. */
static int root_open_at(const struct source *src, int dirfd, const char *name,
			const char *relpath, int flags)
{
	if (dirfd >= 0 && name[0] && !strchr(name, '/') && strcmp(name, ".") != 0 &&
	    strcmp(name, "..") != 0) {
		int fd = openat(dirfd, name, flags | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
		struct stat st;

		if (fd >= 0 && !(flags & O_PATH))
			return fd;
		if (fd >= 0 && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode))
			return fd;
		if (fd >= 0)
			close(fd);
		else if (errno != ELOOP && errno != ENOTDIR)
			return -1;
	}
	return root_open(src, relpath, flags);
}

enum fact_status source_dir_open(const struct source *src, const char *relpath, size_t len,
				 struct source_dir *d)
{
	d->src = src;
	d->fd = -1;
	d->len = len;
	if (len >= sizeof(d->path)) {
		d->len = 0;
		d->path[0] = '\0';
		return d->st = FACT_INVALID;
	}
	memcpy(d->path, relpath, len);
	d->path[len] = '\0';
	if (!src->open_at)
		return d->st = src->is_dir(src, d->path) ? FACT_OK : FACT_MISSING;
	d->fd = src->open_at(src, -1, "", d->path, O_PATH | O_DIRECTORY);
	return d->st = d->fd >= 0 ? FACT_OK : fact_status_from_errno(errno);
}

enum fact_status source_dir_down(struct source_dir *d, const char *name, size_t n)
{
	int fd;

	if (d->len + 1 + n >= sizeof(d->path))
		d->st = FACT_INVALID;
	if (d->st != FACT_OK)
		return d->st;
	d->path[d->len] = '/';
	memcpy(d->path + d->len + 1, name, n);
	d->len += 1 + n;
	d->path[d->len] = '\0';
	if (!d->src->open_at)
		return d->st = d->src->is_dir(d->src, d->path) ? FACT_OK : FACT_MISSING;
	fd = d->src->open_at(d->src, d->fd, d->path + d->len - n, d->path, O_PATH | O_DIRECTORY);
	if (fd < 0)
		d->st = fact_status_from_errno(errno);
	close(d->fd);
	d->fd = fd;
	return d->st;
}

enum fact_status source_dir_read(const struct source_dir *d, const char *name, struct text *out)
{
	char path[sizeof(d->path)];
	size_t n = strlen(name);

	out->data = NULL;
	out->len = 0;
	if (d->st != FACT_OK)
		return d->st;
	if (d->len + 1 + n >= sizeof(path))
		return FACT_INVALID;
	memcpy(path, d->path, d->len);
	path[d->len] = '/';
	memcpy(path + d->len + 1, name, n + 1);
	if (!d->src->open_at)
		return d->src->read(d->src, path, out);
	/* O_NONBLOCK: a FIFO planted in a tree must not hang the open. */
	return read_fd(d->src->open_at(d->src, d->fd, name, path, O_RDONLY | O_NONBLOCK),
		       !many_records(path), false, out);
}

void source_dir_close(struct source_dir *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
	d->st = FACT_MISSING;
}

/* Holds at most two lines' worth: the kernel hands out whole lines of
 * slabinfo, so a read rarely leaves more than a line's tail behind. */
static enum fact_status root_lines(const struct source *src, const char *relpath,
				   bool (*line)(void *ctx, const char *s, size_t n), void *ctx)
{
	char buf[2 * SOURCE_LINE_MAX];
	size_t have = 0;
	enum fact_status st = FACT_OK;
	int fd = root_open(src, relpath, O_RDONLY | O_NONBLOCK);

	if (fd < 0)
		return fact_status_from_errno(errno);
	if (!readable_type(fd, false)) {
		close(fd);
		return FACT_INVALID;
	}
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
	int fd = root_open(src, relpath, O_PATH | O_DIRECTORY);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* The directory relpath, open for reading its entries, or NULL (errno). */
static DIR *root_opendir(const struct source *src, const char *relpath)
{
	int fd = root_open(src, relpath, O_RDONLY | O_DIRECTORY);
	DIR *d;

	if (fd < 0)
		return NULL;
	d = fdopendir(fd);
	if (!d)
		close(fd);
	return d;
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
static bool procfs_count(int fd, uint64_t *n)
{
	struct statfs sfs;
	struct stat st;

	if (fstatfs(fd, &sfs) != 0 || sfs.f_type != PROC_SUPER_MAGIC || fstat(fd, &st) != 0 ||
	    !S_ISDIR(st.st_mode) || st.st_size <= 0)
		return false;
	*n = (uint64_t)st.st_size;
	return true;
}

static enum fact_status root_count(const struct source *src, const char *relpath, uint64_t *n,
				   enum count_from *from)
{
	struct dirent *e;
	int fd = root_open(src, relpath, O_RDONLY | O_DIRECTORY);
	DIR *d;

	*n = 0;
	*from = COUNT_NONE;
	if (fd < 0)
		return fact_status_from_errno(errno);
	if (procfs_count(fd, n)) {
		close(fd);
		*from = COUNT_STAT_SIZE;
		return FACT_OK;
	}
	if (!(d = fdopendir(fd))) {
		int err = errno;

		close(fd);
		return fact_status_from_errno(err);
	}
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
	struct dirent *e;
	bool ok = true;
	DIR *d = root_opendir(src, relpath);

	memset(out, 0, sizeof(*out));
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
	int fd = root_open(src, relpath, O_PATH);
	struct statvfs sv;
	bool ro;

	if (fd < 0)
		return false;
	ro = fstatvfs(fd, &sv) == 0 && (sv.f_flag & ST_RDONLY) != 0;
	close(fd);
	return ro;
}

static enum fact_status root_readlink(const struct source *src, const char *relpath, char *buf,
				      size_t size)
{
	/* The link is read from its directory, never followed (a magic one,
	 * proc/PID/ns/net, too). */
	char dir[PATH_MAX];
	const char *slash = strrchr(relpath, '/');
	size_t dl = slash ? (size_t)(slash - relpath) : 0;
	int fd;
	ssize_t n;

	if (!slash || dl >= sizeof(dir) || size == 0)
		return FACT_INVALID;
	memcpy(dir, relpath, dl);
	dir[dl] = '\0';
	fd = root_open(src, dir, O_PATH | O_DIRECTORY);
	if (fd < 0)
		return fact_status_from_errno(errno);
	n = readlinkat(fd, slash + 1, buf, size - 1);
	if (n < 0) {
		int err = errno;

		close(fd);
		return err == EINVAL ? FACT_MISSING : fact_status_from_errno(err);
	}
	close(fd);
	buf[n] = '\0';
	return FACT_OK;
}

static enum fact_status root_count_links(const struct source *src, const char *relpath,
					 const char *prefix, uint64_t max, uint64_t *n,
					 uint64_t *seen)
{
	char target[64];
	size_t pl = strlen(prefix);
	struct dirent *e;
	DIR *d = root_opendir(src, relpath);

	*n = 0;
	*seen = 0;
	if (!d)
		return fact_status_from_errno(errno);
	while (*seen < max && (e = readdir(d)) != NULL) {
		ssize_t len;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		(*seen)++;
		len = readlinkat(dirfd(d), e->d_name, target, sizeof(target));
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
	char rel[64];
	unsigned char entered;
	int fd;

	snprintf(rel, sizeof(rel), "proc/%u/ns/net", pid);
	fd = root_open(src, rel, O_RDONLY);
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
			   .lines = root_lines,
			   .is_dir = root_is_dir,
			   .count = root_count,
			   .list = root_list,
			   .readonly = root_readonly,
			   .readlink = root_readlink,
			   .count_links = root_count_links,
			   .read_netns = root_read_netns,
			   .open_at = root_open_at,
			   .root = root,
			   .root_fd = -1,
			   .ctx = NULL};

	/* The host's own root needs no confinement; any other is opened once
	 * and every path is resolved inside it. A root that cannot be opened
	 * gives every read its errno. */
	if (strcmp(root, "/") != 0) {
		s.root_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (s.root_fd < 0)
			s.root_errno = errno;
	}
	return s;
}

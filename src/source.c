#include "source.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
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
enum fact_status read_fd(int fd, bool one_record, bool fifo_ok, struct text *out)
{
	char chunk[4096];
	size_t cap = 0, len = 0;
	char *buf = NULL;
	struct stat st;

	out->data = NULL;
	out->len = 0;
	if (fd < 0)
		return fact_status_from_errno(errno);
	if (fstat(fd, &st) != 0 || !(S_ISREG(st.st_mode) || (fifo_ok && S_ISFIFO(st.st_mode)))) {
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

	return strcmp(relpath, "proc/slabinfo") == 0 ||
	       (n > 8 && strcmp(relpath + n - 8, "/net/tcp") == 0) ||
	       (n > 9 && strcmp(relpath + n - 9, "/net/tcp6") == 0);
}

static enum fact_status root_read(const struct source *src, const char *relpath, struct text *out)
{
	/* O_NONBLOCK: a FIFO planted in a tree must not hang the open. */
	return read_fd(root_open(src, relpath, O_RDONLY | O_NONBLOCK), !many_records(relpath),
		       false, out);
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

static enum fact_status root_count(const struct source *src, const char *relpath, uint64_t *n)
{
	struct dirent *e;
	DIR *d = root_opendir(src, relpath);

	*n = 0;
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
	struct dirent *e;
	DIR *d = root_opendir(src, relpath);

	out->n = 0;
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
	int fd = root_open(src, relpath, O_PATH);
	struct statvfs sv;
	bool ro;

	if (fd < 0)
		return false;
	ro = fstatvfs(fd, &sv) == 0 && (sv.f_flag & ST_RDONLY) != 0;
	close(fd);
	return ro;
}

struct source source_root(const char *root)
{
	struct source s = {.read = root_read,
			   .is_dir = root_is_dir,
			   .count = root_count,
			   .list = root_list,
			   .readonly = root_readonly,
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

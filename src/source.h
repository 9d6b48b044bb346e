/* Where facts come from. Every read of /proc and /sys goes through a
 * struct source: the real one prefixes a root directory (so --root can point
 * at a fixture tree); tests supply an in-memory one. */
#ifndef SOCKCAP_SOURCE_H
#define SOCKCAP_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum fact_status {
	FACT_OK,
	FACT_MISSING, /* ENOENT, ENOTDIR: the host does not have it */
	FACT_DENIED,  /* EACCES, EPERM: we may not read it */
	FACT_INVALID, /* unreadable otherwise, too large, or not parsable */
};

const char *fact_status_name(enum fact_status st);
/* The status in words, for messages: "no such file", "permission denied". */
const char *fact_status_reason(enum fact_status st);

/* File contents, NUL-terminated for convenience; len excludes the NUL.
 * Owned by the caller of source_read; free with text_free. */
struct text {
	char *data;
	size_t len;
};

void text_free(struct text *t);

/* The longest relative path a struct source_dir holds: any the kernel
 * shows, and a file name more. */
#define SOURCE_DIR_PATH_MAX (4096 + 256)

/* src->read reads at most this much of one file; more is FACT_INVALID.
 * proc/slabinfo, which grows with the host, is read a line at a time
 * (src->lines) instead. */
#define SOURCE_MAX_BYTES (1u << 20)

/* The entries of a directory, every one of them, sorted by name (C order).
 * Owned by the caller of list; free with name_list_free. */
struct name_list {
	char **names; /* n names, each NUL-terminated, after name_list_sort */
	size_t n;
	size_t *off;  /* where each name starts in pool */
	size_t cap;   /* room in off */
	char *pool;   /* the names' bytes */
	size_t used, room;
};

/* Appends the first len bytes of name (a copy); false when out of memory. */
bool name_list_add(struct name_list *l, const char *name, size_t len);
/* Sorts the names (C order) and makes l->names point at them: call after
 * the last name_list_add. False when out of memory. */
bool name_list_sort(struct name_list *l);
void name_list_free(struct name_list *l);

/* How a directory's entries were counted. */
enum count_from {
	COUNT_NONE,      /* not counted */
	COUNT_STAT_SIZE, /* st_size of a procfs directory that keeps its count there */
	COUNT_READDIR,   /* by reading the directory */
};

const char *count_from_name(enum count_from c);

struct source {
	/* Reads relpath (no leading slash, e.g. "proc/meminfo") whole into *out:
	 * the root source stops at the first short read, which ends a file the
	 * kernel writes as one record and a regular file, and reads
	 * proc/slabinfo (many records) to EOF. On anything but FACT_OK, *out is
	 * empty. */
	enum fact_status (*read)(const struct source *src, const char *relpath, struct text *out);
	/* Calls line(ctx, s, n) for each line of relpath (s[0..n), without its
	 * newline) while it returns true, holding one line at a time: for
	 * files of any size (proc/slabinfo). A line longer than
	 * SOURCE_LINE_MAX bytes stops the reading with FACT_INVALID. NULL in a
	 * source that has no streaming: source_lines reads the file whole. */
	enum fact_status (*lines)(const struct source *src, const char *relpath,
				  bool (*line)(void *ctx, const char *s, size_t n), void *ctx);
	/* Is relpath an existing directory? */
	bool (*is_dir)(const struct source *src, const char *relpath);
	/* How many entries the directory relpath holds (not . and ..), and
	 * *from how that was learnt: a procfs directory that states its count
	 * in its size (proc/PID/fd since Linux 6.2) costs one stat whatever it
	 * holds; any other is read, and costs what is there. */
	enum fact_status (*count)(const struct source *src, const char *relpath, uint64_t *n,
				  enum count_from *from);
	/* Every name in directory relpath (not . and ..), sorted; *out is
	 * empty on anything but FACT_OK, and is the caller's to free. Running
	 * out of memory is FACT_INVALID, never a shorter list. */
	enum fact_status (*list)(const struct source *src, const char *relpath,
				 struct name_list *out);
	/* Is the file system holding relpath mounted read-only? */
	bool (*readonly)(const struct source *src, const char *relpath);
	/* The target of the symbolic link relpath ("net:[4026531840]") into
	 * buf, NUL-terminated. Optional: NULL where a source has no links. */
	enum fact_status (*readlink)(const struct source *src, const char *relpath, char *buf,
				     size_t size);
	/* How many of the first max entries of directory relpath (in the
	 * directory's order: ascending descriptors in proc/PID/fd) are links
	 * whose target starts with prefix (the "socket:" descriptors), and in
	 * *seen how many entries were looked at: a readlink each, so the cost
	 * is bounded by max, not by what the directory holds. Optional. */
	enum fact_status (*count_links)(const struct source *src, const char *relpath,
					const char *prefix, uint64_t max, uint64_t *n,
					uint64_t *seen);
	/* Reads files relpaths[0..n) as a process inside the network namespace
	 * of process pid sees them (proc/sys/net is per namespace): a
	 * short-lived child enters proc/PID/ns/net, reads, and reports back; it
	 * writes nothing. out[i] and st[i] as read would give them; every st[i]
	 * is FACT_DENIED when the namespace cannot be entered. Returns the
	 * status of entering it. Optional. */
	enum fact_status (*read_netns)(const struct source *src, unsigned pid,
				       const char *const *relpaths, size_t n, struct text *out,
				       enum fact_status *st);
	/* Opens name, one path component, in the directory dirfd (a
	 * descriptor this op returned) without the kernel walking the whole
	 * path again; where that cannot be done as read would resolve it (a
	 * link, "." or "..", dirfd < 0), opens relpath, the same file's whole
	 * path, as read does. flags are open(2)'s. Returns a descriptor or -1
	 * with errno set. Optional: a source without it is read by path (see
	 * struct source_dir). */
	int (*open_at)(const struct source *src, int dirfd, const char *name, const char *relpath,
		       int flags);
	const char *root; /* for the root source: the directory, "/" for the host */
	int root_fd;      /* the root directory opened (O_PATH), or -1 for the host's "/" */
	int root_errno;   /* why the root could not be opened, or 0 */
	const void *ctx;  /* for test sources */
};

#define SOURCE_LINE_MAX 4096

/* A directory held open to read the files in it and to step into its
 * subdirectories by name: each step and each read costs one lookup however
 * deep the directory is (a cgroup 100 levels down costs what one 1 level
 * down does, not 100 times more). Through a source without open_at, the
 * same by whole paths. */
struct source_dir {
	const struct source *src;
	int fd;              /* the directory, or -1: by path */
	enum fact_status st; /* FACT_OK, or why the directory cannot be read */
	size_t len;          /* path[0..len) names it */
	char path[SOURCE_DIR_PATH_MAX];
};

/* Opens relpath[0..len) (a directory). d->st says whether it is there. */
enum fact_status source_dir_open(const struct source *src, const char *relpath, size_t len,
				 struct source_dir *d);
/* Steps into the subdirectory name[0..n): d names it afterwards, and
 * d->st says whether it is there (once not, every later step is not
 * either). */
enum fact_status source_dir_down(struct source_dir *d, const char *name, size_t n);
/* Reads the file name in d, as src->read would read d's path + "/" +
 * name. */
enum fact_status source_dir_read(const struct source_dir *d, const char *name, struct text *out);
void source_dir_close(struct source_dir *d);

/* src->lines, or for a source without it, src->read and one call per line. */
enum fact_status source_lines(const struct source *src, const char *relpath,
			      bool (*line)(void *ctx, const char *s, size_t n), void *ctx);

/* A source reading the files under root ("/" for this host). Under any
 * other root, every path resolves inside it (symbolic links and ".."
 * included), and only regular files (procfs and sysfs files are) are read:
 * a device, FIFO, socket or directory in place of a file is FACT_INVALID,
 * never opened for reading. The root's descriptor lives as long as the
 * process. */
struct source source_root(const char *root);

/* Opens relpath under the directory root_fd as openat2's RESOLVE_IN_ROOT
 * does (with RESOLVE_NO_MAGICLINKS); without openat2 (before Linux 5.6),
 * with in_root_walk_open. flags are open(2)'s; O_CLOEXEC and O_NOCTTY are
 * added. Returns a descriptor, or -1 with errno set. */
int in_root_open(int root_fd, const char *relpath, int flags);

/* The fallback of in_root_open, one path component at a time; exposed for
 * the unit tests, which run it on kernels that have openat2. */
int in_root_walk_open(int root_fd, const char *relpath, int flags);

/* Reads the file at path (absolute, or relative to the working directory)
 * to EOF, at most SOURCE_MAX_BYTES. For files named on the command line;
 * host facts go through a struct source. */
enum fact_status file_read(const char *path, struct text *out);

/* Reads the open file fd to EOF, or with one_record to its first short
 * read, and closes it (fd < 0: the status of errno). Only a regular file
 * is read, and a FIFO or pipe when fifo_ok; anything else is FACT_INVALID
 * before the first read. The readers above are built on it. */
enum fact_status read_fd(int fd, bool one_record, bool fifo_ok, struct text *out);

/* Maps an errno from open or read to a status. */
enum fact_status fact_status_from_errno(int err);

#endif

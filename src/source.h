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

/* Reads at most this much of one file; more is FACT_INVALID. /proc/slabinfo
 * is the largest file read (tens of kB). */
#define SOURCE_MAX_BYTES (1u << 20)

#define NAME_LIST_MAX 64
#define NAME_MAX_LEN 256

/* The entries of a directory, sorted by name (C order). */
struct name_list {
	char names[NAME_LIST_MAX][NAME_MAX_LEN];
	size_t n;
};

struct source {
	/* Reads relpath (no leading slash, e.g. "proc/meminfo") whole into *out:
	 * the root source stops at the first short read, which ends a file the
	 * kernel writes as one record and a regular file, and reads
	 * proc/slabinfo (many records) to EOF. On anything but FACT_OK, *out is
	 * empty. */
	enum fact_status (*read)(const struct source *src, const char *relpath, struct text *out);
	/* Is relpath an existing directory? */
	bool (*is_dir)(const struct source *src, const char *relpath);
	/* How many entries the directory relpath holds (not . and ..); reads
	 * the directory, so it costs what is there, not what could be. */
	enum fact_status (*count)(const struct source *src, const char *relpath, uint64_t *n);
	/* The names in directory relpath (not . and ..), sorted; at most
	 * NAME_LIST_MAX of them. */
	enum fact_status (*list)(const struct source *src, const char *relpath,
				 struct name_list *out);
	/* Is the file system holding relpath mounted read-only? */
	bool (*readonly)(const struct source *src, const char *relpath);
	const char *root; /* for the root source: the directory, "/" for the host */
	int root_fd;      /* the root directory opened (O_PATH), or -1 for the host's "/" */
	int root_errno;   /* why the root could not be opened, or 0 */
	const void *ctx;  /* for test sources */
};

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

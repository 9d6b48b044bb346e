/* An in-memory host for unit tests and the facts fuzzer: a struct source
 * whose files are a table of {path, bytes} or {path, status}. Directories
 * are implied by the paths of the files below them. Paths and bytes are not
 * copied: they must outlive the world. */
#ifndef SOCKCAP_TEST_WORLD_H
#define SOCKCAP_TEST_WORLD_H

#include <stdlib.h>
#include <string.h>

#include "facts.h"
#include "source.h"

struct world_file {
	const char *path;
	const char *text;        /* NULL: the file answers with status */
	size_t len;              /* of text, which may hold NUL bytes */
	enum fact_status status; /* used when text is NULL */
};

/* Files of one host: the largest fixture (nginx-service, 179) and the
 * fuzzers' options fit; tests/fuzz/mkseeds.sh refuses a fixture that would
 * not. */
#define WORLD_MAX 320

struct world {
	struct world_file files[WORLD_MAX];
	size_t n;
	bool readonly; /* every file system read-only, as /proc/sys in a container */
};

static inline struct world_file *world_find(const struct world *w, const char *path)
{
	for (size_t i = 0; i < w->n; i++)
		if (strcmp(w->files[i].path, path) == 0)
			return (struct world_file *)&w->files[i];
	return NULL;
}

/* Sets path's contents (len bytes), or its status when text is NULL; a
 * path already there is replaced. A full world takes no more files. */
static inline void world_set(struct world *w, const char *path, const char *text, size_t len,
			     enum fact_status st)
{
	struct world_file *f = world_find(w, path);

	if (!f) {
		if (w->n == WORLD_MAX)
			return;
		f = &w->files[w->n++];
	}
	*f = (struct world_file){path, text, text ? len : 0, st};
}

static inline void world_put(struct world *w, const char *path, const char *text)
{
	world_set(w, path, text, strlen(text), FACT_OK);
}

static inline void world_fail(struct world *w, const char *path, enum fact_status st)
{
	world_set(w, path, NULL, 0, st);
}

static inline enum fact_status world_read(const struct source *src, const char *path,
					  struct text *out)
{
	const struct world_file *f = world_find(src->ctx, path);

	out->data = NULL;
	out->len = 0;
	if (!f)
		return FACT_MISSING;
	if (!f->text)
		return f->status;
	/* NUL-terminated, as struct text promises. */
	out->data = malloc(f->len + 1);
	if (!out->data)
		return FACT_INVALID;
	memcpy(out->data, f->text, f->len);
	out->data[f->len] = '\0';
	out->len = f->len;
	return FACT_OK;
}

static inline bool world_is_dir(const struct source *src, const char *path)
{
	const struct world *w = src->ctx;
	size_t n = strlen(path);

	for (size_t i = 0; i < w->n; i++)
		if (strncmp(w->files[i].path, path, n) == 0 && w->files[i].path[n] == '/')
			return true;
	return false;
}

/* Direct children of a directory: distinct next path components. */
static inline enum fact_status world_count(const struct source *src, const char *path,
					   uint64_t *count, enum count_from *from)
{
	const struct world *w = src->ctx;
	size_t n = strlen(path);

	*count = 0;
	*from = COUNT_READDIR;
	if (!world_is_dir(src, path))
		return FACT_MISSING;
	for (size_t i = 0; i < w->n; i++) {
		const char *rest, *slash;
		bool seen = false;

		if (strncmp(w->files[i].path, path, n) != 0 || w->files[i].path[n] != '/')
			continue;
		rest = w->files[i].path + n + 1;
		slash = strchr(rest, '/');
		for (size_t j = 0; j < i && !seen; j++)
			seen = strncmp(w->files[j].path, w->files[i].path,
				       (size_t)((slash ? slash : rest + strlen(rest)) -
						w->files[i].path)) == 0;
		*count += !seen;
	}
	return FACT_OK;
}

static inline enum fact_status world_list(const struct source *src, const char *path,
					  struct name_list *out)
{
	const struct world *w = src->ctx;
	size_t n = strlen(path);

	memset(out, 0, sizeof(*out));
	if (!world_is_dir(src, path))
		return FACT_MISSING;
	for (size_t i = 0; i < w->n; i++) {
		const char *rest;
		size_t len;
		bool seen = false;

		if (strncmp(w->files[i].path, path, n) != 0 || w->files[i].path[n] != '/')
			continue;
		rest = w->files[i].path + n + 1;
		len = strcspn(rest, "/");
		for (size_t j = 0; j < out->n && !seen; j++)
			seen = strlen(out->pool + out->off[j]) == len &&
			       strncmp(out->pool + out->off[j], rest, len) == 0;
		if (!seen && !name_list_add(out, rest, len)) {
			name_list_free(out);
			return FACT_INVALID;
		}
	}
	if (!name_list_sort(out)) {
		name_list_free(out);
		return FACT_INVALID;
	}
	return FACT_OK;
}

static inline bool world_readonly(const struct source *src, const char *path)
{
	(void)path;
	return ((const struct world *)src->ctx)->readonly;
}

static inline struct source world_source(const struct world *w)
{
	struct source s = {.read = world_read,
			   .is_dir = world_is_dir,
			   .count = world_count,
			   .list = world_list,
			   .readonly = world_readonly,
			   .root = "(world)",
			   .ctx = w};
	return s;
}

/* Reads every fact of the world into *f as sockcap reads a host (4 KiB
 * pages); false when the world has nothing readable. */
static inline bool world_facts(const struct world *w, struct facts *f)
{
	struct source s = world_source(w);

	return facts_read(&s, 4096, f);
}

/* A plain host: 8 GiB, nofile 1024/524288, cgroup v2 without limits,
 * slabinfo of Linux 6.18. Tests change what they need. */
static inline void world_host(struct world *w)
{
	memset(w, 0, sizeof(*w));
	world_put(w, "proc/meminfo",
		  "MemTotal:        8000000 kB\nMemFree:         6000000 kB\n"
		  "MemAvailable:    7000000 kB\nSlab:             200000 kB\n"
		  "SUnreclaim:        80000 kB\n");
	world_put(w, "proc/self/limits",
		  "Limit                     Soft Limit           Hard Limit           Units     \n"
		  "Max processes             31000                31000                processes \n"
		  "Max open files            1024                 524288               files     \n");
	world_put(w, "proc/self/cgroup", "0::/user.slice/user-1000.slice/session-1.scope\n");
	world_put(w, "sys/fs/cgroup/cgroup.controllers", "cpu memory pids\n");
	world_put(w, "sys/fs/cgroup/user.slice/user-1000.slice/session-1.scope/memory.max", "max\n");
	world_put(w, "proc/loadavg", "0.10 0.20 0.30 2/300 4242\n");
	world_put(w, "proc/sys/fs/file-max", "9223372036854775807\n");
	world_put(w, "proc/sys/fs/nr_open", "1048576\n");
	world_put(w, "proc/sys/fs/file-nr", "1000\t0\t9223372036854775807\n");
	world_put(w, "proc/sys/fs/epoll/max_user_watches", "1000000\n");
	world_put(w, "proc/sys/net/ipv4/tcp_mem", "90000\t120000\t180000\n");
	world_put(w, "proc/sys/net/ipv4/tcp_rmem", "4096\t131072\t6291456\n");
	world_put(w, "proc/sys/net/ipv4/tcp_wmem", "4096\t16384\t4194304\n");
	world_put(w, "proc/sys/net/ipv4/ip_local_port_range", "32768\t60999\n");
	world_put(w, "proc/sys/net/ipv4/tcp_max_orphans", "65536\n");
	world_put(w, "proc/sys/net/ipv4/tcp_max_tw_buckets", "65536\n");
	world_put(w, "proc/sys/net/ipv4/tcp_max_syn_backlog", "4096\n");
	world_put(w, "proc/sys/net/core/somaxconn", "4096\n");
	world_put(w, "proc/sys/net/netfilter/nf_conntrack_max", "262144\n");
	world_put(w, "proc/sys/net/netfilter/nf_conntrack_count", "144\n");
	world_put(w, "proc/sys/kernel/threads-max", "62000\n");
	world_put(w, "proc/sys/kernel/pid_max", "4194304\n");
	world_put(w, "proc/sys/kernel/osrelease", "6.18.44\n");
	world_put(w, "proc/net/sockstat",
		  "sockets: used 100\nTCP: inuse 10 orphan 0 tw 2 alloc 12 mem 3\n"
		  "UDP: inuse 1 mem 0\n");
	world_put(w, "proc/net/sockstat6", "TCP6: inuse 4\nUDP6: inuse 1\n");
	world_put(w, "proc/slabinfo",
		  "slabinfo - version: 2.1\n"
		  "# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>\n"
		  "TCP                   26     26   2368   13    8 : tunables    0    0    0 : slabdata      2      2      0\n"
		  "eventpoll_epi        224    224    128   32    1 : tunables    0    0    0 : slabdata      7      7      0\n"
		  "sock_inode_cache      95     95    832   19    4 : tunables    0    0    0 : slabdata      5      5      0\n"
		  "filp                 367    462    192   21    1 : tunables    0    0    0 : slabdata     22     22      0\n"
		  "dentry              7476   7476    192   21    1 : tunables    0    0    0 : slabdata    356    356      0\n"
		  "lsm_inode_cache    27904  27904     32  128    1 : tunables    0    0    0 : slabdata    218    218      0\n"
		  "lsm_file_cache       680    680     24  170    1 : tunables    0    0    0 : slabdata      4      4      0\n");
	world_put(w, "sys/kernel/slab/eventpoll_pwq/objs_per_slab", "64\n");
	world_put(w, "sys/kernel/slab/eventpoll_pwq/order", "0\n");
}

#endif

/* Parsers for the text of /proc and /sys files and for command-line numbers.
 * Pure functions over memory: no I/O. Each returns a parse_result so a caller
 * can tell a value that is absent from one that is malformed. */
#ifndef SOCKCAP_PARSE_H
#define SOCKCAP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum parse_result {
	PARSE_OK,
	PARSE_ABSENT,  /* the key, line or cache is not in the text */
	PARSE_INVALID, /* present but not a well-formed value */
};

/* "unlimited" in proc/PID/limits, "max" in cgroup files. */
#define U64_UNLIMITED UINT64_MAX

/* Exactly n unsigned numbers separated by spaces or tabs, optionally followed
 * by one newline (a sysctl value such as "4096\t131072\t6291456\n"). */
enum parse_result parse_u64_fields(const char *text, size_t len, uint64_t *out, size_t n);

/* A cgroup limit file: a number or "max" (stored as U64_UNLIMITED). */
enum parse_result parse_cgroup_value(const char *text, size_t len, uint64_t *out);

/* "Key:   123 kB" in proc/meminfo; *kb in kB. */
enum parse_result parse_meminfo(const char *text, size_t len, const char *key, uint64_t *kb);

/* The soft and hard columns of one row of proc/PID/limits, by its name
 * ("Max open files"); "unlimited" is U64_UNLIMITED. */
enum parse_result parse_limits(const char *text, size_t len, const char *name,
			       uint64_t *soft, uint64_t *hard);

/* proc/net/sockstat: the number after `field` on the line starting with
 * `proto` ("TCP:", "inuse"). */
enum parse_result parse_sockstat(const char *text, size_t len, const char *proto,
				 const char *field, uint64_t *out);

struct slab_entry {
	uint64_t active_objs;
	uint64_t num_objs;
	uint64_t objsize;
	uint64_t objperslab;
	uint64_t pagesperslab;
};

/* proc/slabinfo a line at a time, for files of any size: begin, then
 * slabinfo_scan_line for each line (without its newline) while it returns
 * true (false: every cache found, or not slabinfo), then end. results[i]
 * and out[i] as parse_slabinfo gives them for names[i]; more than
 * SLABINFO_SCAN_MAX names are PARSE_INVALID. names, out and results must
 * outlive the scan. */
#define SLABINFO_SCAN_MAX 64

struct slabinfo_scan {
	const char *const *names;
	size_t n, found, lines;
	size_t nlen[SLABINFO_SCAN_MAX];
	struct slab_entry *out;
	enum parse_result *results;
};

void slabinfo_scan_begin(struct slabinfo_scan *s, const char *const *names, size_t n,
			 struct slab_entry *out, enum parse_result *results);
bool slabinfo_scan_line(struct slabinfo_scan *s, const char *line, size_t len);
void slabinfo_scan_end(struct slabinfo_scan *s);

/* The row of proc/slabinfo (version 2.x) named `cache`. */
enum parse_result parse_slabinfo(const char *text, size_t len, const char *cache,
				 struct slab_entry *out);

/* One pass over proc/slabinfo for n caches: results[i] and out[i] as
 * parse_slabinfo would give them for names[i]. A malformed header makes
 * every result PARSE_INVALID. */
void parse_slabinfo_many(const char *text, size_t len, const char *const *names, size_t n,
			 struct slab_entry *out, enum parse_result *results);

/* proc/loadavg: the total after the slash in the fourth field (kernel
 * scheduling entities, i.e. threads in use). */
enum parse_result parse_loadavg_threads(const char *text, size_t len, uint64_t *out);

/* proc/PID/cgroup: the path of the v1 hierarchy that lists `controller`, or
 * of the v2 ("0::") line when controller is NULL. Copies at most size-1
 * bytes into path; a path that does not fit is PARSE_INVALID. */
enum parse_result parse_cgroup_path(const char *text, size_t len, const char *controller,
				    char *path, size_t size);

/* proc/PID/status: the first number after "Key:" (Threads, Uid), read in
 * base 10, or base 16 for the capability masks (CapEff). */
enum parse_result parse_status_field(const char *text, size_t len, const char *key, int base,
				     uint64_t *out);

/* proc/zoneinfo: the sum of every zone's "low" watermark, in pages (it
 * includes the zone's watermark boost). PARSE_ABSENT when no zone has one. */
enum parse_result parse_zoneinfo_low(const char *text, size_t len, uint64_t *pages);

/* A cgroup's memory.stat: the number after "key " (total_active_file). */
enum parse_result parse_stat_field(const char *text, size_t len, const char *key, uint64_t *out);

/* The systemd unit of a cgroup path: its last component ending in
 * ".service" ("/system.slice/nginx.service" -> "nginx.service"), else the
 * last ending in ".scope". PARSE_ABSENT when there is none. */
enum parse_result parse_systemd_unit(const char *cgpath, char *unit, size_t size);

/* Replaces every byte of s that is not printable ASCII with '?': text that
 * came from a file (a release string, a cgroup path, a configuration value)
 * goes into JSON, YAML and terminals, which want valid UTF-8 and no control
 * characters. */
void text_printable(char *s);

/* Calls each(line, n, lineno, ctx) for every line of text[0..len) (the
 * line without its newline; numbers from 1). */
void text_lines(const char *text, size_t len,
		void (*each)(const char *line, size_t n, unsigned no, void *ctx), void *ctx);

/* A command-line count: "250000", "250k", "1.5M" or "1.5m", "2G" or "2g"
 * (powers of 1000). The result must be a whole number. */
bool parse_count_arg(const char *s, uint64_t *out);

/* A command-line size in bytes: "4096", "8K", "8k", "8KiB", "1.5MiB", "1.5m",
 * "2G", "2g" (powers of 1024, as ulimit and systemd read them). The result
 * must be whole. */
bool parse_size_arg(const char *s, uint64_t *out);

/* A command-line share: "10%", "12.5%" as permille (100, 125); whole
 * permille only. */
bool parse_share_arg(const char *s, uint64_t *permille);

/* --reserve: a size in bytes (parse_size_arg) or, with a '%', a share of the
 * memory up to 90% in permille (*is_share set). */
bool parse_reserve_arg(const char *s, bool *is_share, uint64_t *out);

/* "6.1.0-18-amd64" -> 6, 1. */
bool parse_kernel_series(const char *release, unsigned *major, unsigned *minor);

#endif

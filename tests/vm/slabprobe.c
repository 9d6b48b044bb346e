/*
 * slabprobe.c - the kernel lab's view of the slab allocator inside a guest
 * (tests/vm/), printed as "LAB ..." lines on the serial console for
 * tests/vm/lab.sh to read back. Runs as root in the guest.
 *
 * usage: slabprobe caches NAME...   one line per cache:
 *            LAB slab NAME OBJSIZE OBJPERSLAB PAGESPERSLAB SOURCE
 *        where SOURCE is "slabinfo" (its /proc/slabinfo line), "sysfs:ALIAS"
 *        (SLUB merged it: no slabinfo line of its own; the figures are
 *        /sys/kernel/slab/NAME/{slab_size,objs_per_slab,order} and ALIAS the
 *        merged cache it links to) or "absent" (the kernel has no such
 *        cache; the figures are 0)
 *        slabprobe slab LABEL  the kernel's slab memory in bytes after the
 *        per-CPU counters are folded (vm/stat_refresh): LAB slab_bytes LABEL N
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* die(), shared with the bench tools. */
#define BENCH_NAME "slabprobe"
#include "../bench/bench.h"

/* The first number in a sysfs file (order, objs_per_slab: "N" or "N N=..."). */
static int sysfs_number(const char *cache, const char *attr, unsigned long *out)
{
	char path[PATH_MAX];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "/sys/kernel/slab/%s/%s", cache, attr);
	f = fopen(path, "re");
	if (!f)
		return -1;
	ok = fscanf(f, "%lu", out) == 1;
	fclose(f);
	return ok ? 0 : -1;
}

static int from_slabinfo(const char *cache)
{
	char line[1024], name[256];
	unsigned long objsize, perslab, pages;
	FILE *f = fopen("/proc/slabinfo", "re");
	int found = 0;

	if (!f)
		die("open /proc/slabinfo: %s", strerror(errno));
	while (!found && fgets(line, sizeof(line), f))
		if (sscanf(line, "%255s %*u %*u %lu %lu %lu", name, &objsize, &perslab, &pages) == 4 &&
		    strcmp(name, cache) == 0) {
			printf("LAB slab %s %lu %lu %lu slabinfo\n", cache, objsize, perslab, pages);
			found = 1;
		}
	fclose(f);
	return found;
}

static void probe_cache(const char *cache)
{
	char path[PATH_MAX], alias[PATH_MAX];
	unsigned long size, perslab, order;
	ssize_t n;

	if (from_slabinfo(cache))
		return;
	if (sysfs_number(cache, "slab_size", &size) != 0 ||
	    sysfs_number(cache, "objs_per_slab", &perslab) != 0 ||
	    sysfs_number(cache, "order", &order) != 0 || order > 10) {
		printf("LAB slab %s 0 0 0 absent\n", cache);
		return;
	}
	snprintf(path, sizeof(path), "/sys/kernel/slab/%s", cache);
	n = readlink(path, alias, sizeof(alias) - 1);
	alias[n > 0 ? n : 0] = '\0';
	printf("LAB slab %s %lu %lu %lu sysfs:%s\n", cache, size, perslab, 1UL << order,
	       n > 0 ? (strrchr(alias, '/') ? strrchr(alias, '/') + 1 : alias) : "own");
}

static void slab_bytes(const char *label)
{
	char line[256];
	unsigned long kb;
	int fd = open("/proc/sys/vm/stat_refresh", O_WRONLY | O_CLOEXEC);
	FILE *f;

	/* Folds the per-CPU vmstat deltas; without it Slab lags by up to a few pages per CPU. */
	if (fd >= 0) {
		if (write(fd, "1\n", 2) != 2 && errno != EINVAL)
			die("write vm/stat_refresh: %s", strerror(errno));
		close(fd);
	}
	f = fopen("/proc/meminfo", "re");
	if (!f)
		die("open /proc/meminfo: %s", strerror(errno));
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Slab: %lu kB", &kb) == 1) {
			printf("LAB slab_bytes %s %lu\n", label, kb * 1024);
			fclose(f);
			return;
		}
	die("no Slab line in /proc/meminfo");
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "caches") == 0) {
		for (int i = 2; i < argc; i++)
			probe_cache(argv[i]);
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "slab") == 0) {
		slab_bytes(argv[2]);
		return 0;
	}
	fputs("usage: slabprobe caches NAME... | slabprobe slab LABEL\n", stderr);
	return 2;
}

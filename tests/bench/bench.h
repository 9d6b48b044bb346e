/* What the bench tools (sockpairs, memcg-server, memcg-client, spawntimer)
 * share. Each is one C file that its script builds on its own; define
 * BENCH_NAME, the tool's name in messages, before including this. A tool
 * that must report differently (memcg-server: one write(2), safe where stdio
 * is not) defines BENCH_OWN_DIE and its own die(). */
#ifndef SOCKCAP_BENCH_H
#define SOCKCAP_BENCH_H

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* "NAME: message" on stderr, then exit status 1. */
__attribute__((format(printf, 1, 2), noreturn)) static void die(const char *fmt, ...);

#ifndef BENCH_OWN_DIE
static void die(const char *fmt, ...)
{
	va_list ap;

	fputs(BENCH_NAME ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}
#endif

/* s as a decimal number in min..max, or die naming what it is. */
__attribute__((unused)) static long parse_long(const char *s, const char *what, long min,
					       long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *s == '\0' || *end != '\0' || v < min || v > max)
		die("bad %s '%s' (expected %ld..%ld)", what, s, min, max);
	return v;
}

/* The page of path mapped shared, for counts that survive the tool being
 * killed (the memcg tools' status file), or die. */
__attribute__((unused)) static char *map_status_page(const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);
	char *map;

	if (fd < 0)
		die("open %s: %s", path, strerror(errno));
	map = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		die("mmap %s: %s", path, strerror(errno));
	close(fd);
	return map;
}

#endif

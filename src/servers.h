/* The server behind a process: recognised from proc/PID/cmdline, its
 * configuration read through a struct source (includes followed in the
 * server's own order), never by talking to it. */
#ifndef SOCKCAP_SERVERS_H
#define SOCKCAP_SERVERS_H

#include <stdint.h>

#include "servercfg.h"
#include "source.h"

/* Fills *c for process pid (kind SERVER_NONE for a program sockcap does not
 * know, or an unreadable command line) and *cpus with the CPUs online
 * (sys/devices/system/cpu/online; 0 when unreadable). */
void servers_read(const struct source *src, unsigned pid, struct server_conf *c, uint64_t *cpus);

/* "0-3,8,10-11" -> 7; 0 when malformed. Pure. */
uint64_t servers_cpu_count(const char *text, size_t len);

#endif

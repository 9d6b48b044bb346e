/* The listening TCP sockets of a network namespace, from the text of
 * proc/PID/net/tcp and tcp6. Pure: no I/O. */
#ifndef SOCKCAP_LISTENERS_H
#define SOCKCAP_LISTENERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct listener {
	bool v6;
	uint8_t addr[16];       /* network byte order; the first 4 for IPv4 */
	uint16_t port;
	uint64_t inode;         /* the socket's inode, as in proc/PID/fd's socket:[N] */
	uint64_t accept_queue;  /* connections waiting for accept() (rx_queue of a listener) */
};

/* Calls found(l, ctx) for every LISTEN entry (state 0A) of a proc/net/tcp
 * (v6 false) or tcp6 (v6 true) text. Malformed lines are skipped. Returns
 * how many entries were found. */
size_t listeners_parse(const char *text, size_t len, bool v6,
		       void (*found)(const struct listener *l, void *ctx), void *ctx);

/* May a client in the listener's namespace reach it over loopback? True for
 * the wildcard and loopback addresses (0.0.0.0, 127/8, ::, ::1, and
 * ::ffff:127/104). */
bool listener_loopback(const struct listener *l);

/* "127.0.0.1:8080" or "[::1]:8080" into buf. */
void listener_format(const struct listener *l, char *buf, size_t size);

/* The inode of a proc/PID/fd link target "socket:[12345]", or 0. */
uint64_t listener_socket_inode(const char *target);

#endif

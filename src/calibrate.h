/* sockcap calibrate: what a socket costs on this very kernel, measured with
 * real loopback connections; with --pid, what one more idle connection costs
 * a running server. The only part of sockcap that changes the host: it opens
 * sockets (loopback only, ports the kernel picks) and closes them again on
 * every exit path, and its worker processes are reaped on every exit path. */
#ifndef SOCKCAP_CALIBRATE_H
#define SOCKCAP_CALIBRATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "source.h"

#define CALIBRATE_DEFAULT_PAIRS 4000
#define CALIBRATE_DEFAULT_CONNECTIONS 1000 /* --pid */
#define CALIBRATE_MAX_PAIRS 50000
#define CALIBRATE_PAYLOAD 16384 /* bytes left unread per socket for the buffer test */
#define CALIBRATE_SEND_MAX 4096 /* --send TEXT */
/* The size that can be trusted (man page, CALIBRATION): a figure whose
 * uncertainty exceeds this share of it, or that falls outside the plausible
 * range, is reported with its uncertainty and never saved. */
#define CALIBRATE_TRUSTED_PERCENT 10
#define CALIBRATE_MIN_SOCKET_BYTES 1024u /* below any TCP socket's objects */
#define CALIBRATE_MAX_SOCKET_BYTES (1u << 20)
#define CALIBRATION_NOTES 6
#define CALIBRATION_SCHEMA_VERSION 2

/* mm/memcontrol.c charges a cgroup's page counter MEMCG_CHARGE_BATCH (64)
 * pages at a time per CPU and keeps the rest as a per-CPU stock: between
 * two readings of its usage, up to that much per CPU is charged ahead. */
#define MEMCG_CHARGE_BATCH_PAGES 64u

struct calibration {
	uint64_t sockets;                  /* both ends of every connection */
	uint64_t kernel_bytes_per_socket;  /* slab objects' growth per socket */
	uint64_t kernel_bytes_min, kernel_bytes_max; /* spread over the measured steps */
	uint64_t kernel_uncertainty_bytes; /* how far the figure can be off, per socket */
	uint64_t slab_bytes_per_socket;    /* cross-check: Slab in proc/meminfo, after the fill */
	uint64_t proc_inode_bytes;         /* /proc readers' objects discounted, in all */
	bool memcg_in, memcg_out;          /* the two cgroup charges below were measured */
	uint64_t memcg_bytes_per_accepted_socket;
	uint64_t memcg_bytes_per_opened_socket;
	/* How far memcg_bytes_per_accepted_socket can be off, 0 when not
	 * stated: the kernel charges a cgroup in batches of
	 * MEMCG_CHARGE_BATCH_PAGES per CPU, so its usage moves in steps. */
	uint64_t memcg_uncertainty_bytes;
	uint64_t buffer_payload_bytes;     /* unread bytes queued per socket */
	uint64_t buffer_truesize_bytes;    /* what the sockets were charged for them */
	uint64_t buffer_overhead_milli;    /* truesize / payload × 1000 */
	bool trusted;                      /* plausible and precise enough to be saved */
	/* calibrate --pid: the server measured */
	bool app;
	uint64_t pid;
	char server[32];                   /* its comm */
	char listener[64];                 /* "127.0.0.1:8080" */
	uint64_t connections;              /* idle connections it accepted */
	uint64_t app_bytes_per_connection; /* its anonymous memory's growth */
	uint64_t app_bytes_min, app_bytes_max;
	bool server_cgroup;
	uint64_t cgroup_bytes_per_connection; /* its cgroup's charge growth, all of it */
	char kernel_release[128];
	uint64_t elapsed_ms;
	char notes[CALIBRATION_NOTES][240]; /* what could not be measured, and why */
	unsigned nnotes;
};

struct calibrate_options {
	uint64_t pairs;      /* connection pairs to open (or connections, with pid) */
	unsigned pid;        /* measure this server instead of the kernel alone; 0: none */
	const char *send;    /* with pid: text each connection sends, or NULL */
	bool progress;       /* a progress bar on stderr */
};

/* Why calibrate_run failed: its exit status tells a refusal (a process with
 * no listener sockcap can reach, bad options) from a failing host. */
enum calibrate_result { CALIBRATE_OK, CALIBRATE_REFUSED, CALIBRATE_FAILED };

/* Runs the measurement on the host under src (its proc is read before and
 * after each step). Returns CALIBRATE_OK, or another result with a message
 * in err. Every worker it started is reaped before it returns, and a signal
 * that ends the process first kills and reaps them. */
enum calibrate_result calibrate_run(const struct source *src, const struct calibrate_options *opt,
				    struct calibration *out, char *err, size_t errsize);

/* Parses a file written by `calibrate --save`. Pure. Returns 0, or -1 with
 * a message naming origin and the bad field in err. */
int calibration_parse(const char *text, size_t len, const char *origin, struct calibration *out,
		      char *err, size_t errsize);

#endif

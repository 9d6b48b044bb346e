/* sockcap calibrate: what a socket costs on this very kernel, measured with
 * real loopback connections. The only part of sockcap that changes the
 * host: it opens sockets (loopback only, ports the kernel picks) and closes
 * them again on every exit path. */
#ifndef SOCKCAP_CALIBRATE_H
#define SOCKCAP_CALIBRATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "source.h"

#define CALIBRATE_DEFAULT_PAIRS 4000
#define CALIBRATE_MAX_PAIRS 50000
#define CALIBRATE_PAYLOAD 16384 /* bytes left unread per socket for the buffer test */
#define CALIBRATION_NOTES 4

struct calibration {
	uint64_t sockets;                  /* both ends of every pair */
	uint64_t kernel_bytes_per_socket;  /* Slab growth per socket, proc readers discounted */
	uint64_t proc_inode_bytes;         /* what was discounted, in all */
	bool memcg;                        /* measured inside a memory-limited cgroup */
	uint64_t memcg_bytes_per_accepted_socket;
	uint64_t memcg_bytes_per_opened_socket;
	uint64_t buffer_payload_bytes;     /* unread bytes queued per socket */
	uint64_t buffer_truesize_bytes;    /* what tcp_mem grew by per socket for them */
	uint64_t buffer_overhead_milli;    /* truesize / payload × 1000 */
	char kernel_release[128];
	uint64_t elapsed_ms;
	char notes[CALIBRATION_NOTES][200]; /* what could not be measured, and why */
	unsigned nnotes;
};

struct calibrate_options {
	uint64_t pairs;      /* connection pairs to open */
	bool progress;       /* report phases on stderr */
};

/* Runs the measurement on the host under src (its proc is read before and
 * after each phase). Returns 0, or -1 with a message in err when the
 * sockets could not be opened or the counters read at all. */
int calibrate_run(const struct source *src, const struct calibrate_options *opt,
		  struct calibration *out, char *err, size_t errsize);

/* Parses a file written by `calibrate --save`. Pure. Returns 0, or -1 with
 * a message naming origin and the bad field in err. */
int calibration_parse(const char *text, size_t len, const char *origin, struct calibration *out,
		      char *err, size_t errsize);

#endif

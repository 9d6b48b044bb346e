/* The planner (DESIGN section 4): the changes that lift every limit to a
 * target. Pure: facts, a profile and a target in, recommendations and the
 * capacity before and after them out. */
#ifndef SOCKCAP_PLAN_H
#define SOCKCAP_PLAN_H

#include <stdbool.h>
#include <stdint.h>

#include "facts.h"
#include "model.h"
#include "profile.h"

/* REC_APP: a directive of the server's own configuration (section 11); sockcap
 * names it and its file, and rewrites nothing. */
/* modules-load.d and modprobe.d: what makes net.netfilter settings stick
 * at boot where nf_conntrack is a module. */
enum rec_kind { REC_SYSCTL, REC_LIMITS, REC_SYSTEMD, REC_MODULES_LOAD, REC_MODPROBE, REC_HARDWARE,
	       REC_APP };

const char *rec_kind_name(enum rec_kind k);

#define REC_TEXT 128
#define RECS_MAX 24

struct recommendation {
	enum rec_kind kind;
	enum fact_id fact;             /* the fact it changes */
	char key[REC_TEXT];            /* "fs.file-max", "soft nofile", "LimitNOFILE", "memory" */
	char current[REC_TEXT];        /* as written in its file: "786432 1048576 1572864" */
	char recommended[REC_TEXT];
	uint64_t values[3];            /* the recommended values, in the fact's unit */
	int slot;                      /* the one value it sets (soft 0, hard 1), or -1 for all */
	enum scope scope;
	enum row_id lifts;
	char reason[256];
	char forms[2][192];            /* in a container: how to apply it there */
	char file[CFG_FILE_MAX];       /* REC_APP: the configuration file it belongs in */
	unsigned nforms;
};

struct plan {
	uint64_t target;
	bool target_is_ceiling;        /* no --target: what memory can carry */
	struct capacity before;
	struct capacity after;         /* the model over the facts with every change applied */
	unsigned nrecs;
	bool reachable;                /* after.connections >= target (without --target:
					* every row but memory, which the target is) */
	/* Without --target: the memory the ceiling is carved from (MemTotal, or
	 * the cgroup limit when that carries fewer connections), in bytes, and
	 * the reserve left out of it. */
	enum fact_id ceiling_from;
	uint64_t ceiling_memory_bytes;
	uint64_t reserve_bytes;
	/* The order to apply the files in, and why ("" with nothing to apply):
	 * modules first, sysctl.d before limits.d and the unit drop-in when a
	 * limit exceeds the current fs.nr_open. */
	char order[320];
	/* The unit drop-in's file name: --dropin, else 90-sockcap.conf, else a
	 * name read after every drop-in that sets LimitNOFILE; and why. */
	char dropin[72];
	char dropin_why[320];
	char unit[UNIT_NAME_MAX];      /* the audited process's systemd unit, or "" */
	/* Last, and not zeroed past nrecs (as warnings in struct capacity):
	 * plan_compute sets each field above by name, so a new one needs a line
	 * there. */
	struct recommendation recs[RECS_MAX];
};

/* The default reserve out of total bytes of memory: the larger of 10% and
 * 1 GiB, but at most a quarter of it (small machines). */
uint64_t plan_default_reserve(uint64_t total_bytes);

/* The default target: the connections that memory (MemTotal, or the cgroup
 * limit) less the reserve can carry at c's per-connection bytes, with
 * tcp_mem at the largest value sockcap will recommend, rounded down to two
 * significant digits. Only quantities that do not move between runs enter
 * it (never MemAvailable or usage). Sets pl's ceiling_from,
 * ceiling_memory_bytes and reserve_bytes. False when memory is unknown. */
bool plan_ceiling(const struct facts *f, const struct capacity *c,
		  const struct model_options *opt, struct plan *pl, uint64_t *target);

/* Plans for target connections (has_target) or for the ceiling. Returns
 * false only when there is no target: no --target and memory unknown. */
bool plan_compute(const struct facts *f, const struct profile *p,
		  const struct model_options *opt, bool has_target, uint64_t target,
		  struct plan *out);

/* Writes every recommended value of pl into *f, as if applied to the host. */
void plan_apply(const struct plan *pl, struct facts *f);

/* Rounds v up to two significant digits (288358 -> 290000). */
uint64_t plan_round_up(uint64_t v);
/* Rounds v down to two significant digits (6078263 -> 6000000). */
uint64_t plan_round_down(uint64_t v);
/* Live usage as the planner counts it: rounded up to a power of ten (1234
 * -> 10000), so that usage drifting by a few percent between runs leaves
 * the recommended values alone (unless it crosses a power of ten). */
uint64_t plan_usage_allowance(uint64_t used);

#endif

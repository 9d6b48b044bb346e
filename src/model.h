/* The capacity model (DESIGN section 3). Pure: facts and a profile in, a
 * struct capacity out; no I/O, no allocation. */
#ifndef SOCKCAP_MODEL_H
#define SOCKCAP_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "facts.h"
#include "calibrate.h"
#include "profile.h"

enum row_status {
	ROWS_OK,        /* connections is set */
	ROWS_UNBOUNDED, /* this limit allows any number */
	ROWS_UNKNOWN,   /* a fact it needs could not be read */
	ROWS_NA,        /* does not apply to this profile or host */
};

const char *row_status_name(enum row_status s);
const char *row_name(enum row_id id);
/* Rows that can bind today; nofile_hard and nr_open are ceilings only. */
bool row_can_bind(enum row_id id);

#define NOTE_MAX 200

struct row {
	enum row_status status;
	bool has_value;
	uint64_t value; /* the limit itself, in unit */
	enum unit unit;
	uint64_t connections;  /* when status is ROWS_OK */
	enum fact_id source;   /* the fact the value came from */
	bool incomplete;       /* a number, but an input it could use was unreadable */
	bool exempt;           /* the subject's credentials pass this limit: it does not bind */
	char note[NOTE_MAX];   /* how the figure was reached, or why there is none */
	const char *source_path; /* where the value was read when not a fact's file, or NULL */
};

/* Where the per-connection application bytes came from. */
enum app_bytes_from { APP_BYTES_PROFILE, APP_BYTES_OPTION, APP_BYTES_CALIBRATION };

const char *app_bytes_from_name(enum app_bytes_from f);

/* What MemAvailable leaves out of reclaimable slab (si_mem_available):
 * min(SReclaimable / 2, the zones' low watermarks, boost included), in
 * bytes; 0 when either is unknown. */
uint64_t model_slab_holdback_bytes(const struct facts *f);

struct app_cap;
/* The subject's server's own cap (servercfg.c's server_cap) with the
 * descriptors it runs with: the app row and the plan's app advice. */
void model_server_cap(const struct facts *f, struct app_cap *cap);

struct per_connection {
	uint64_t sockets;                 /* sockets_per_connection */
	uint64_t outbound_sockets;
	uint64_t kernel_bytes_per_socket; /* slab objects + fd slot, rounded up */
	uint64_t outbound_extra_bytes;    /* port bind buckets per outbound socket */
	uint64_t buffer_bytes;            /* in-flight data at truesize, all sockets */
	uint64_t app_bytes;
	enum app_bytes_from app_bytes_from;
	/* Where conntrack tracks (model_conntrack_state): per connection, an
	 * nf_conn object and its share of the hash table for each flow. Not
	 * charged to a memory cgroup (the cache is not accounted). */
	uint64_t conntrack_bytes;
	/* Thread-per-connection profiles: the thread's kernel stack and its
	 * task_struct (both charged to a memory cgroup). */
	uint64_t thread_bytes;
	uint64_t total_bytes;
	uint64_t rx_bytes, tx_bytes;      /* payload per socket after "default" */
	enum size_from object_sizes_from; /* where the TCP object's size came from */
	/* What a memory cgroup is charged, which is not what the slab grows by:
	 * each charged object at its slot size + 8 (its obj_cgroup pointer),
	 * no slab slack; an accepted socket's TCP object only where socket
	 * accounting charges it on accept; no LSM blobs. */
	uint64_t memcg_bytes_per_inbound_socket;
	uint64_t memcg_bytes_per_outbound_socket;
	bool memcg_tcp_on_accept;         /* cgroup v2 on Linux 6.12 or later */
	bool memcg_buffers;               /* socket buffers count against the limit (v2) */
	uint64_t memcg_total_bytes;       /* per connection, as the cgroup sees it */
	bool cache_used[CACHE_COUNT];     /* counted for every socket */
	uint64_t cache_millibytes[CACHE_COUNT]; /* effective bytes × 1000 */
};

/* Live usage, like with like (DESIGN section 8): the subject's own sockets
 * against its per-process rows, the host's TCP sockets against the host's
 * rows. Connections are sockets / sockets_per_connection. */
struct usage_view {
	bool known;            /* the sockets were counted and some row gives a number */
	uint64_t sockets;
	uint64_t connections;
	uint64_t capacity;     /* the least of the view's rows */
	enum row_id row;       /* that row */
	uint64_t percent;      /* connections × 100 / capacity, rounded down */
};

struct usage {
	struct usage_view process; /* nofile, epoll_watches, threads, app */
	struct usage_view host;    /* file_max, memory, tcp_mem, conntrack, ports */
};

/* Rows about one process (or its user), as against the host's. */
bool row_per_process(enum row_id id);

#define WARNINGS_MAX 24

struct warning {
	const char *id;
	char message[320];
};

struct model_options {
	uint64_t processes;     /* worker processes sharing the connections, ≥ 1 */
	uint64_t processes_found; /* the subject's workers found (0: none looked for) */
	uint64_t upstreams;     /* distinct upstream address:port pairs, ≥ 1 */
	bool app_bytes_set;     /* --app-bytes given: overrides the profile */
	uint64_t app_bytes;
	const struct calibration *calibration; /* measured costs, or NULL */
	bool numbers_only;      /* skip warnings and source notes (the plan's "after") */
	/* --reserve: memory the default plan leaves to the system and the
	 * application; reserve is in bytes, or in permille of the memory when
	 * reserve_is_share. Without it the planner's default applies. */
	bool reserve_set;
	bool reserve_is_share;
	uint64_t reserve;
	/* --dropin NAME: the unit drop-in's file name (validated: a *.conf
	 * name, no slash), or NULL for the planner's choice. */
	const char *dropin;
};

struct capacity {
	struct row rows[ROW_COUNT];
	bool known;             /* some row gave a number */
	uint64_t connections;   /* minimum over the rows that can bind */
	enum row_id binding;    /* that row (first in table order on a tie); ROW_NONE if !known */
	bool partial;           /* a row that can bind is unknown */
	struct per_connection pc;
	struct usage usage;
	uint64_t pinned_bytes;  /* slab that open sockets pin and MemAvailable counts free */
	unsigned nwarnings;
	/* Last, and not zeroed past nwarnings: most of it is never used, and
	 * zeroing it would touch pages that nothing else does. */
	struct warning warnings[WARNINGS_MAX];
};

enum conntrack_state {
	CT_ABSENT,  /* nf_conntrack is not loaded (no nf_conntrack_max) */
	CT_IDLE,    /* loaded, but tracks nothing in this network namespace */
	CT_TRACKS,  /* tracks, or cannot be told apart from tracking */
};

/* TCP sockets (in use and in TIME_WAIT, IPv4 and IPv6) with no conntrack
 * entry at all that mean nothing here is tracked. */
#define CONNTRACK_IDLE_EVIDENCE 16

/* Does conntrack track this network namespace's connections? From /proc
 * alone: nf_conntrack_count is 0 while sockstat shows at least
 * CONNTRACK_IDLE_EVIDENCE TCP sockets (both are per namespace). Anything
 * less certain counts as tracking, so the row never drops a real limit. */
enum conntrack_state model_conntrack_state(const struct facts *f);

/* A thread's kernel stack: THREAD_SIZE on x86_64 (16 KiB, without KASAN). */
#define KERNEL_STACK_BYTES 16384
/* task_struct's effective size when no slab figure is readable: 5888-byte
 * objects, 5 to an 8-page slab (proc/slabinfo, Linux 6.18 x86_64). */
#define TASK_STRUCT_FALLBACK_BYTES 6554

/* nf_conn's effective size when no slab figure is readable: 256-byte
 * objects, 16 to a one-page slab (proc/slabinfo, Linux 6.18 x86_64). */
#define NF_CONN_FALLBACK_BYTES 256

/* The listen backlog a reconnect storm of up to `connections` wants: at most
 * the kernel's default somaxconn since 5.4 (4096). For somaxconn and
 * tcp_max_syn_backlog, in the warnings and in the plan alike. */
uint64_t model_backlog_wanted(uint64_t connections);

/* Does tcp_max_syn_backlog drop SYNs? Only with tcp_syncookies 0: at 1 (the
 * default) the kernel answers with a cookie once the SYN queue is full, at 2
 * always. Unknown counts as mattering. */
bool model_syn_backlog_matters(const struct facts *f);

/* TIME_WAIT sockets (and, at most, orphans) the profile's churn leaves. */
uint64_t model_lingering(const struct profile *p);

/* Skb truesize of payload bytes queued on one socket (0 for 0). */
uint64_t model_truesize(uint64_t payload);

/* Bytes of sock_inode_cache and dentry slab that the open sockets
 * (sockstat's "sockets: used") pin: reclaimable, so counted in MemAvailable,
 * but not freed while the sockets stay open. 0 when the count is unknown. */
uint64_t model_pinned_bytes(const struct facts *f, const struct per_connection *pc);

void model_compute(const struct facts *f, const struct profile *p,
		   const struct model_options *opt, struct capacity *out);

#endif

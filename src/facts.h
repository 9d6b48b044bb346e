/* The facts of one host, as read through a struct source. Reading never
 * fails as a whole: each fact carries its own status. */
#ifndef SOCKCAP_FACTS_H
#define SOCKCAP_FACTS_H

#include <stdbool.h>
#include <limits.h>
#include <stdint.h>

#include "parse.h"
#include "persist.h"
#include "servercfg.h"
#include "source.h"

enum row_id {
	ROW_NOFILE,
	ROW_NOFILE_HARD,
	ROW_NR_OPEN,
	ROW_FILE_MAX,
	ROW_MEMORY,
	ROW_TCP_MEM,
	ROW_EPOLL_WATCHES,
	ROW_CONNTRACK,
	ROW_PORTS,
	ROW_THREADS,
	ROW_APP,
	ROW_COUNT,
	ROW_NONE = ROW_COUNT,
};

enum fact_read {
	READ_MEMINFO,
	READ_LIMITS,
	READ_SYSCTL,
	READ_TEXT,
	READ_SOCKSTAT,
	READ_LOADAVG,
	READ_CGROUP_MEMORY,
	READ_CGROUP_PIDS,
	READ_STATUS,     /* "Key:" in proc/PID/status, decimal */
	READ_STATUS_HEX, /* "Key:" in proc/PID/status, hexadecimal */
	READ_FD_COUNT,   /* the entries of proc/PID/fd */
	READ_PORT_LIST,  /* "8080,9000-9100" into facts.reserved_ports */
	READ_FD_SOCKETS, /* the socket descriptors of proc/PID/fd, over the subject's workers */
	READ_ZONEINFO,   /* the zones' "low" watermarks of proc/zoneinfo, summed */
};

enum unit { UNIT_COUNT, UNIT_KB, UNIT_BYTES, UNIT_PAGES, UNIT_TEXT, UNIT_MASK };
enum scope { SCOPE_NONE, SCOPE_NODE, SCOPE_NETNS, SCOPE_PROCESS, SCOPE_CGROUP };
enum pod { POD_NO, POD_SAFE, POD_UNSAFE };

/* Kernel ranges the tunables table names (its min and max columns). */
/* The kernel's ceiling for fs.nr_open on 64-bit (fs/file.c sysctl_nr_open_max). */
#define NR_OPEN_MAX 2147483584ULL
/* kernel.threads-max tops out at FUTEX_TID_MASK (kernel/fork.c). */
#define THREADS_MAX_LIMIT 0x3fffffffULL
/* PID_MAX_LIMIT on 64-bit. */
#define PID_MAX_LIMIT 4194304ULL
/* An int sysctl (proc_dointvec): nf_conntrack_max, somaxconn, tcp_max_*. */
#define INT_MAX_U64 2147483647ULL
/* A long sysctl (proc_doulongvec_minmax): fs.file-max, tcp_mem. */
#define LONG_MAX_U64 9223372036854775807ULL
/* nf_conntrack_buckets: nf_ct_alloc_hashtable refuses more than INT_MAX
 * bytes of 8-byte bucket heads. */
#define CONNTRACK_BUCKETS_LIMIT 268435455ULL

enum fact_id {
#define X(id, name, read, path, arg, n, unit, scope, lifts, pod, min, max) id,
#include "facts.def"
#undef X
	FACT_COUNT
};

struct fact_def {
	const char *name;
	enum fact_read read;
	const char *path;
	const char *arg;
	unsigned nvalues;
	enum unit unit;
	enum scope scope;
	enum row_id lifts;
	enum pod pod;
	uint64_t min, max;      /* the kernel's range of each value */
};

/* The table of facts.def, indexed by enum fact_id. */
extern const struct fact_def fact_defs[FACT_COUNT];

const char *unit_name(enum unit u);
const char *scope_name(enum scope s);

/* The longest path a fact's file may have under the root: a cgroup path
 * the kernel shows (up to PATH_MAX - 1 bytes) under sys/fs/cgroup/unified
 * with a file name, or proc/PID/... */
#define FACT_PATH_MAX (PATH_MAX + 64)

struct fact {
	uint64_t v[3];           /* nvalues of them; U64_UNLIMITED for "unlimited"/"max" */
	enum fact_status status; /* FACT_MISSING until read */
	/* The file it came from, under the root: a static string or one kept in
	 * the struct facts it was read into (it lives as long as that). */
	const char *path;
};

/* The slab caches a socket's kernel objects live in. */
enum slab_cache {
	CACHE_TCP,
	CACHE_SOCK_INODE,
	CACHE_FILP,
	CACHE_DENTRY,
	CACHE_EPOLL_EPI,
	CACHE_EPOLL_PWQ,
	CACHE_EP_HEAD, /* struct epitems_head: one per file first added to epoll (5.11+) */
	CACHE_LSM_FILE,
	CACHE_LSM_INODE,
	CACHE_BIND_BUCKET,
	CACHE_BIND2_BUCKET,
	CACHE_NF_CONNTRACK, /* struct nf_conn: one per tracked flow */
	CACHE_TASK_STRUCT,  /* one per thread */
	CACHE_COUNT
};

enum size_from {
	SIZE_ABSENT,   /* this kernel has no such cache */
	SIZE_SLABINFO, /* proc/slabinfo */
	SIZE_SYSFS,    /* sys/kernel/slab/<cache>/ (caches SLUB merged) */
	SIZE_TABLE,    /* data/objsizes.tsv for the kernel series */
	SIZE_CALIBRATION, /* measured by `sockcap calibrate` (per socket, not per object) */
};

const char *slab_cache_name(enum slab_cache c);
const char *size_from_name(enum size_from f);

struct cache_size {
	enum size_from from;
	uint64_t objsize;
	uint64_t objperslab;
	uint64_t pagesperslab;
};

/* What configuration files say, for comparison with the live values. */
struct persisted {
	struct setting sysctl[FACT_COUNT]; /* by fact id: sysctl.d and sysctl.conf */
	struct setting soft[2], hard[2];   /* limits.conf and limits.d: [0] nofile, [1] nproc */
	struct setting default_nofile;     /* DefaultLimitNOFILE= in system.conf(.d) */
	struct setting unit_nofile;        /* LimitNOFILE= in the unit and its drop-ins */
	struct setting default_nproc;      /* DefaultLimitNPROC= in system.conf(.d) */
	struct setting unit_nproc;         /* LimitNPROC= in the unit and its drop-ins */
	char user[64];                     /* whom limits.conf lines were matched for */
	unsigned files;                    /* configuration files read */
};

/* The subject's socket descriptors are told by reading each link, for at
 * most this many descriptors a process; past them, every descriptor counts
 * as a socket (the count then costs the same at 300 or a million). */
#define SOCKETS_READ_MAX 256u

#define OSRELEASE_MAX 128
#define UNIT_NAME_MAX 128

/* Whom an audit is about (DESIGN section 8). */
enum subject_kind {
	SUBJECT_SERVICE, /* none given: a new service on this host */
	SUBJECT_PID,     /* --pid: a running process (its workers, when it is their master) */
	SUBJECT_UNIT,    /* --unit: a systemd service, running or not */
	SUBJECT_USER,    /* --user: a login session of that user */
	SUBJECT_SELF,    /* sockcap itself (calibrate) */
};

const char *subject_kind_name(enum subject_kind k);

struct subject_request {
	enum subject_kind kind;
	unsigned pid;     /* SUBJECT_PID */
	const char *name; /* SUBJECT_UNIT: the unit; SUBJECT_USER: the user */
};

#define SUBJECT_USER_MAX 64
#define NETNS_MAX 40

struct subject {
	enum subject_kind kind;
	unsigned pid;                /* as asked with --pid; 0 otherwise */
	char unit[UNIT_NAME_MAX];    /* --unit, completed to NAME.service */
	char user[SUBJECT_USER_MAX]; /* --user, or the user a unit runs as */
	bool active;                 /* --unit: it has processes now */
	unsigned processes;          /* worker processes found; 0 when none were looked for */
	char processes_from[FACT_PATH_MAX]; /* where they were found */
	char netns[NETNS_MAX];       /* "net:[4026531840]", "" when unknown */
	bool netns_other;            /* a network namespace other than sockcap's */
	enum fact_status netns_status; /* of the per-namespace facts read there */
	bool cap_sys_admin;          /* the subject passes fs.file-max */
	bool cap_known;
	bool has_uid;                /* uid is known (--user; a unit's User=) */
	uint64_t uid;
};

/* Why sockcap thinks it looks at a container, or nothing. */
struct container {
	bool detected;
	char why[160];
};

#define LISTEN_PORTS_MAX 128

/* The TCP ports this host listens on (IPv4 and IPv6), from the listening
 * entries of proc/net/tcp and tcp6 (listeners.c). Read only where ephemeral
 * ports matter, never to count connections. */
struct listeners {
	enum fact_status status; /* FACT_MISSING until facts_read_listeners */
	uint16_t port[LISTEN_PORTS_MAX]; /* sorted, each once */
	unsigned n;
	bool truncated;          /* more than LISTEN_PORTS_MAX ports */
};

#define FACTS_NOTES_MAX 8

/* What reading could not cover: a file listed but unreadable, a bound hit.
 * Any note makes the answer partial; past FACTS_NOTES_MAX they are
 * counted in dropped. */
struct facts_notes {
	unsigned n, dropped;
	char text[FACTS_NOTES_MAX][200];
};

struct facts {
	struct fact f[FACT_COUNT];
	char osrelease[OSRELEASE_MAX];
	struct cache_size cache[CACHE_COUNT];
	enum fact_status slabinfo_status; /* of proc/slabinfo itself, when read: */
	bool slabinfo_read;               /* only when a cache is missing from sys/kernel/slab */
	bool slab_denied;                 /* sys/kernel/slab was there but root-only */
	char table_series[16];            /* "6.1" when sizes came from the table */
	uint64_t page_size;               /* bytes */
	bool cgroup_v2;                   /* memory limit read from the unified hierarchy */
	unsigned pid;                     /* the process audited; 0 for sockcap itself */
	enum count_from fds_from;         /* how F_PROC_FDS was counted */
	bool sockets_estimated;           /* F_PROC_SOCKETS: past SOCKETS_READ_MAX, descriptors */
	char unit[UNIT_NAME_MAX];         /* its systemd unit ("nginx.service"), or "" */
	struct container container;
	char reserved_ports[120];         /* ip_local_reserved_ports, as the kernel writes it */
	struct listeners listeners;       /* read for profiles with outbound sockets only */
	struct subject subject;
	struct server_conf server;        /* --pid: the server it is (section 11), if known */
	uint64_t cpus;                    /* online CPUs (sys/devices/system/cpu/online), 0 unknown */
	struct facts_notes notes;
	/* What model_compute reads for numbers only (the plan's "after") lies
	 * above: the planner copies no more (a whole copy moved 50 KB). */
	struct persisted persisted;
	/* The facts' paths that are not fixed strings (proc/PID/..., cgroup
	 * files): at most one per fact, and at most four as long as
	 * FACT_PATH_MAX. Last, and only the bytes used are written. */
	struct {
		size_t used, last; /* bytes used; where the last path kept starts */
		char buf[FACT_COUNT * 64 + 4 * FACT_PATH_MAX];
	} paths;
};

enum facts_result {
	FACTS_OK,
	FACTS_NO_ROOT, /* no readable proc directory under the root */
	FACTS_NO_PID,  /* no proc/PID directory: no such process */
	FACTS_KTHREAD, /* the PID is a kernel thread: it has no limits to audit */
	FACTS_ZOMBIE,  /* the PID has exited and not been reaped */
	FACTS_GONE,    /* the process went away while it was read */
	FACTS_NO_USER, /* --user names no user of etc/passwd */
	FACTS_NO_UNIT, /* --unit names a unit with no file and no cgroup */
};

/* Reads every fact of the subject of an audit through src. page_size is
 * the host's (sysconf). Per-process limits are the subject's: the process's
 * (--pid, an active --unit), the unit's files, pam_limits for a user,
 * systemd's defaults for a new service. */
enum facts_result facts_read_subject(const struct source *src, uint64_t page_size,
				     const struct subject_request *req, struct facts *out);

/* Reads every fact of process pid (0: the reading process, proc/self)
 * through src. page_size is the host's (sysconf). */
enum facts_result facts_read_pid(const struct source *src, uint64_t page_size, unsigned pid,
				 struct facts *out);

/* Reads every fact through src. page_size is the host's (sysconf). Returns
 * false only when the root itself is unreadable: no proc directory, or one
 * in which not a single fact could be read. */
bool facts_read(const struct source *src, uint64_t page_size, struct facts *out);

/* Streams proc/slabinfo through src for the n caches names (at most
 * SLABINFO_SCAN_MAX): results[i] and rows[i] as parse_slabinfo gives them.
 * Returns the status of reading the file (FACT_INVALID for a line longer
 * than SOURCE_LINE_MAX); on anything but FACT_OK every result is
 * PARSE_ABSENT. */
enum fact_status slabinfo_read(const struct source *src, const char *const *names, size_t n,
			       struct slab_entry *rows, enum parse_result *results);

/* Records a note (printf format) in out->notes: see struct facts_notes. */
void facts_note(struct facts *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Parses the text of fact id's file (read with status st from path) into
 * out->f[id]: its values, status and path. t may be NULL unless st is
 * FACT_OK. */
void facts_parse(enum fact_id id, const char *path, enum fact_status st, const struct text *t,
		 struct facts *out);

/* Points f->path at a copy of path kept in out (see struct facts' paths). */
void facts_set_path(struct facts *out, struct fact *f, const char *path);

/* True when the /proc of src is mounted with hidepid (other users'
 * processes hidden); option gets the mount option ("hidepid=invisible"). */
bool facts_proc_hides_pids(const struct source *src, char *option, size_t size);

/* Reads the listening ports of the audited process's network namespace
 * (proc/net/tcp and tcp6, or proc/PID/net/...) into f->listeners. */
void facts_read_listeners(const struct source *src, struct facts *f);

struct listener;

/* Calls found(l, ctx) for every LISTEN entry of relpath (a proc/net/tcp or
 * tcp6 file: v6 for tcp6), read line by line through src, whatever its
 * size. Returns the file's status. */
enum fact_status facts_scan_listeners(const struct source *src, const char *relpath, bool v6,
				      void (*found)(const struct listener *l, void *ctx), void *ctx);

/* True when fact id was read and parsed. */
bool fact_ok(const struct facts *f, enum fact_id id);

#endif

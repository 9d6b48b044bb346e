/* The subject of an audit (DESIGN section 8): which process, unit, user or
 * new service the per-process limits, the workers and the network namespace
 * come from. Readers only: every read goes through a struct source. */
#ifndef SOCKCAP_SUBJECT_H
#define SOCKCAP_SUBJECT_H

#include <stddef.h>

#include "facts.h"
#include "source.h"

/* Checks the subject asked for and picks the process whose proc files are
 * read (out->pid; 0 for proc/self): a master's first worker, an active
 * unit's process. Fills out->subject. FACTS_NO_PID, FACTS_KTHREAD,
 * FACTS_ZOMBIE and FACTS_NO_USER say why there is nothing to audit. */
enum facts_result subject_resolve(const struct source *src, const struct subject_request *req,
				  struct facts *out);

/* The cgroup a subject without a process would run in
 * ("/system.slice/nginx.service"), written to buf; NULL when the subject's
 * own cgroup file is to be read. */
const char *subject_cgroup(const struct facts *f, char *buf, size_t size);

/* The credentials of a subject without a process (uid, CapEff): root for a
 * new service, the unit's User=, the user's own. Before the configuration
 * is read: limits.conf lines are matched for that user. */
void subject_identity(const struct source *src, struct facts *out);

/* RLIMIT_NOFILE and RLIMIT_NPROC of a subject without a process, from what
 * the configuration read says (systemd's defaults when it says nothing).
 * After the configuration is read. */
void subject_limits(struct facts *out);

/* The per-network-namespace facts, re-read in the subject's namespace when
 * it is not sockcap's own; FACT_DENIED where it cannot be entered. */
void subject_netns(const struct source *src, struct facts *out);

/* The subject in words, for the first line of text output: "a new service
 * on this host", "process 4242's 2 workers (nginx.service)". */
void subject_describe(const struct facts *f, char *buf, size_t size);

/* Whether fact id is kept per network namespace. */
bool fact_per_netns(enum fact_id id);

#endif

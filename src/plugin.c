#include "plugin.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "u64.h"

const char *plugin_state_name(enum plugin_state s)
{
	static const char *const names[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};

	return names[s];
}

/* The subject's connections in use; false when it could not be read (then
 * *why names the fact). */
static bool in_use(const struct report_input *in, uint64_t *out, const struct fact **why)
{
	const struct facts *f = in->facts;
	uint64_t spc = in->capacity->pc.sockets ? in->capacity->pc.sockets : 1;

	if (f->pid) {
		*why = &f->f[F_PROC_FDS];
		if (!fact_ok(f, F_PROC_FDS))
			return false;
		*out = f->f[F_PROC_FDS].v[0] / spc;
		return true;
	}
	*why = &f->f[F_SOCK_TCP_INUSE];
	if (!fact_ok(f, F_SOCK_TCP_INUSE))
		return false;
	*out = u64_sat_add(f->f[F_SOCK_TCP_INUSE].v[0],
			   fact_ok(f, F_SOCK_TCP6_INUSE) ? f->f[F_SOCK_TCP6_INUSE].v[0] : 0) /
	       spc;
	return true;
}

/* Performance data: 'usage' against the thresholds, 'capacity' against
 * the target, every row's connections (U when unknown; none when
 * unbounded or not applicable), and the bytes one connection costs. */
static void perfdata(const struct report_input *in, const struct plugin_options *o,
		     bool have_usage, uint64_t usage, FILE *out)
{
	const struct capacity *c = in->capacity;
	char w[RANGE_TEXT_MAX] = "", cr[RANGE_TEXT_MAX] = "";

	if (c->known) {
		range_format(&o->warning, c->connections, w, sizeof(w));
		range_format(&o->critical, c->connections, cr, sizeof(cr));
	}
	fputs(" | 'usage'=", out);
	if (have_usage)
		fprintf(out, "%llu", (unsigned long long)usage);
	else
		fputc('U', out);
	fprintf(out, ";%s;%s;0;", w, cr);
	if (c->known)
		fprintf(out, "%llu", (unsigned long long)c->connections);
	fputs(" 'capacity'=", out);
	if (c->known)
		fprintf(out, "%llu", (unsigned long long)c->connections);
	else
		fputc('U', out);
	fputs(";;", out);
	if (o->has_target)
		fprintf(out, "%llu:", (unsigned long long)o->target);
	fputs(";0;", out);
	for (int i = 0; i < ROW_COUNT; i++) {
		const struct row *r = &c->rows[i];

		if (r->status == ROWS_OK)
			fprintf(out, " '%s'=%llu;;;0;", row_name((enum row_id)i),
				(unsigned long long)r->connections);
		else if (r->status == ROWS_UNKNOWN)
			fprintf(out, " '%s'=U;;;0;", row_name((enum row_id)i));
	}
	fprintf(out, " 'connection_bytes'=%lluB;;;0;\n", (unsigned long long)c->pc.total_bytes);
}

/* Why a partial answer is partial: the first limit that can bind and is
 * unknown (with the fact it lacks) or incomplete. */
static void partial_reason(const struct report_input *in, FILE *out)
{
	const struct capacity *c = in->capacity;

	for (int i = 0; i < ROW_COUNT; i++) {
		const struct row *r = &c->rows[i];

		if (row_can_bind((enum row_id)i) && r->status == ROWS_UNKNOWN) {
			fprintf(out, "partial answer: limit %s is unknown (%s %s)",
				row_name((enum row_id)i), in->facts->f[r->source].path,
				fact_status_name(in->facts->f[r->source].status));
			return;
		}
		if (row_can_bind((enum row_id)i) && r->incomplete) {
			fprintf(out, "partial answer: an input of limit %s could not be read",
				row_name((enum row_id)i));
			return;
		}
	}
	fputs("partial answer", out);
}

enum plugin_state plugin_report(const struct report_input *in, const struct plugin_options *o,
			      FILE *out)
{
	const struct capacity *c = in->capacity;
	const struct fact *missing = NULL;
	uint64_t usage = 0;
	bool have_usage = in_use(in, &usage, &missing);
	enum plugin_state st;

	fputs("SOCKCAP ", out);
	if (!c->known || c->partial) {
		fprintf(out, "%s - ", plugin_state_name(PLUGIN_UNKNOWN));
		if (c->known)
			partial_reason(in, out);
		else
			fputs("no limit could be read", out);
		st = PLUGIN_UNKNOWN;
	} else if (!have_usage) {
		fprintf(out, "%s - connections in use unknown (%s %s)",
			plugin_state_name(PLUGIN_UNKNOWN), missing->path,
			fact_status_name(missing->status));
		st = PLUGIN_UNKNOWN;
	} else if (!range_valid_for(&o->warning, c->connections) ||
		   !range_valid_for(&o->critical, c->connections)) {
		fprintf(out, "%s - range '%s' has its start above its end for a capacity of %llu",
			plugin_state_name(PLUGIN_UNKNOWN),
			range_valid_for(&o->warning, c->connections) ? o->critical_text
								      : o->warning_text,
			(unsigned long long)c->connections);
		st = PLUGIN_UNKNOWN;
	} else {
		bool below = o->has_target && c->connections < o->target;

		st = below || range_alerts(&o->critical, usage, c->connections) ? PLUGIN_CRITICAL
		     : range_alerts(&o->warning, usage, c->connections)       ? PLUGIN_WARNING
									       : PLUGIN_OK;
		fprintf(out, "%s - ", plugin_state_name(st));
		if (below)
			fprintf(out, "capacity %llu below the target %llu, ",
				(unsigned long long)c->connections, (unsigned long long)o->target);
		fprintf(out, "%llu of %llu connections in use (%llu%%), bound by %s",
			(unsigned long long)usage, (unsigned long long)c->connections,
			(unsigned long long)u64_muldiv(usage, 100, c->connections),
			row_name(c->binding));
	}
	perfdata(in, o, have_usage, usage, out);
	return st;
}

void plugin_unknown(const char *why, FILE *out)
{
	fprintf(out, "SOCKCAP UNKNOWN - %s\n", why);
}

static char timeout_line[80];
static size_t timeout_len;

static void on_alarm(int sig)
{
	(void)sig;
	/* Only async-signal-safe calls here. */
	if (write(STDOUT_FILENO, timeout_line, timeout_len) < 0)
		_exit(PLUGIN_UNKNOWN);
	_exit(PLUGIN_UNKNOWN);
}

void plugin_arm_timeout(unsigned seconds)
{
	struct sigaction sa;

	timeout_len = (size_t)snprintf(timeout_line, sizeof(timeout_line),
				       "SOCKCAP UNKNOWN - timed out after %u second%s\n", seconds,
				       seconds == 1 ? "" : "s");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	alarm(seconds);
}

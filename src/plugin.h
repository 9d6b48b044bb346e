/* The check mode (DESIGN section 10): the audit as a monitoring plugin, in
 * the Monitoring Plugins Development Guidelines' form. One status line,
 * "SOCKCAP OK - ..." with performance data after a "|", and the state as
 * the exit status (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN). */
#ifndef SOCKCAP_PLUGIN_H
#define SOCKCAP_PLUGIN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "range.h"
#include "report.h"

enum plugin_state { PLUGIN_OK = 0, PLUGIN_WARNING = 1, PLUGIN_CRITICAL = 2, PLUGIN_UNKNOWN = 3 };

struct plugin_options {
	struct range warning, critical; /* over the connections in use */
	const char *warning_text, *critical_text; /* as given, for messages */
	bool has_target;
	uint64_t target; /* CRITICAL when the capacity is below it */
};

/* The defaults when -w and -c are not given: 80% and 90% of the capacity. */
#define PLUGIN_DEFAULT_WARNING "80%"
#define PLUGIN_DEFAULT_CRITICAL "90%"

const char *plugin_state_name(enum plugin_state s);

/* Decides the state of the audit in `in` and writes its status line and
 * performance data to out. The value checked is the subject's connections
 * in use: the audited process's open descriptors with --pid, the host's
 * TCP sockets otherwise, divided by sockets per connection. UNKNOWN when
 * that value, the capacity, or a limit that can bind is unknown, or when a
 * range is inverted once its percentages are taken of the capacity.
 * Returns the state. */
enum plugin_state plugin_report(const struct report_input *in, const struct plugin_options *o,
			      FILE *out);

/* The status line of a check that could not run (a usage error, a host
 * that cannot be read, a timeout): "SOCKCAP UNKNOWN - why". */
void plugin_unknown(const char *why, FILE *out);

/* -t/--timeout: after seconds (1 or more), writes "SOCKCAP UNKNOWN - timed
 * out after N seconds" to standard output and ends the process with status
 * 3, from a SIGALRM handler (the one exit outside main(): a check that
 * hangs must still answer). */
void plugin_arm_timeout(unsigned seconds);

#endif

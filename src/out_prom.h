/* The audit as Prometheus metrics: the text exposition format 0.0.4 that
 * node_exporter's textfile collector reads (DESIGN section 10). */
#ifndef SOCKCAP_OUT_PROM_H
#define SOCKCAP_OUT_PROM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "report.h"

/* Writes every sockcap_* metric of the audit in `in` to out: HELP and TYPE
 * for each, base units, no timestamps, a final newline. has_target: the
 * plan aims at --target (not the memory ceiling). now_ms is the time of the
 * run, milliseconds since the epoch (the caller reads the clock). */
void prom_audit(const struct report_input *in, bool has_target, uint64_t now_ms, FILE *out);

/* Writes s as the inside of a label value: backslash, double quote and
 * newline escaped as the format requires, bytes that are not UTF-8 as '?'. */
void prom_label_value(const char *s, FILE *out);

#endif

/* The text renderers: what a person reads. They format; they decide
 * nothing the model has not decided. */
#ifndef SOCKCAP_OUT_TEXT_H
#define SOCKCAP_OUT_TEXT_H

#include <stdbool.h>
#include <stdio.h>

#include "report.h"

/* How text is drawn where it is read: ASCII ("~", "#", "<") instead of
 * "≈", "█", "◀" where the locale is not UTF-8 or TERM is dumb, and a bar
 * that leaves the table within columns. Defaults: UTF-8, 80 columns. */
void text_set_look(bool ascii, unsigned columns);

/* The audit: the answer on the first line, the rows with a log-scale bar,
 * live usage, warnings and unreadable facts. */
void text_audit(const struct report_input *in, bool color, FILE *out);

/* The plan: capacity now and after, and every change grouped by file. */
void text_plan(const struct report_input *in, bool color, FILE *out);

/* A calibration: what a socket costs on this kernel. */
void text_calibration(const struct calibration *c, FILE *out);

/* Every fact with its status, values and path. */
void text_facts(const struct facts *f, FILE *out);

/* The profiles, one block each. */
void text_profiles(const struct profile *profiles, size_t n, FILE *out);

#endif

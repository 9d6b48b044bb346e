/* The document every structured format prints: one tree (doc.h) built from
 * the facts and the model, emitted as JSON (out_json.c) or YAML
 * (out_yaml.c). Integers are exact unsigned 64-bit items. */
#ifndef SOCKCAP_REPORT_H
#define SOCKCAP_REPORT_H

#include <stdint.h>

#include "doc.h"
#include "calibrate.h"
#include "facts.h"
#include "model.h"
#include "plan.h"
#include "profile.h"

#define SCHEMA_VERSION 1

struct report_input {
	const char *root;
	const struct facts *facts;
	const struct profile *profile;
	const struct model_options *options;
	const struct capacity *capacity;
	const struct plan *plan; /* the recommendations; NULL when there is no target */
};

/* The audit document (and the plan document: the same with "plan" set).
 * Every document here lives in the arena until arena_release; NULL, or an
 * unprintable document (arena_failed), when memory ran out. */
struct doc *report_audit(const struct report_input *in);

/* The facts document: every fact with its path and status. */
struct doc *report_facts(const char *root, const struct facts *f);

/* The profiles document: the given profiles with every key. */
struct doc *report_profiles(const struct profile *profiles, size_t n);

/* The calibration document; also the file `calibrate --save` writes. */
struct doc *report_calibration(const struct calibration *c);

#endif

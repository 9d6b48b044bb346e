/* The document every structured format prints: one cJSON tree built from
 * the facts and the model, emitted as JSON (out_json.c) or YAML
 * (out_yaml.c). 64-bit integers are raw cJSON items so they stay exact. */
#ifndef SOCKCAP_REPORT_H
#define SOCKCAP_REPORT_H

#include <stdint.h>

#include "cJSON.h"
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

/* The audit document (and the plan document: the same with "plan" set). The caller owns the tree (cJSON_Delete); NULL when
 * memory ran out. */
cJSON *report_audit(const struct report_input *in);

/* The facts document: every fact with its path and status. */
cJSON *report_facts(const char *root, const struct facts *f);

/* The profiles document: the given profiles with every key. */
cJSON *report_profiles(const struct profile *profiles, size_t n);

/* The calibration document; also the file `calibrate --save` writes. */
cJSON *report_calibration(const struct calibration *c);

/* An exact unsigned integer item. */
cJSON *json_u64(uint64_t v);

#endif

/* Emitters for the report document: JSON and YAML. Each writes the whole
 * document to out and returns 0, or -1 when memory ran out or the emitter
 * failed (the caller checks out for write errors). */
#ifndef SOCKCAP_OUT_DOC_H
#define SOCKCAP_OUT_DOC_H

#include <stdio.h>

#include "cJSON.h"

int emit_json(const cJSON *doc, FILE *out);
int emit_yaml(const cJSON *doc, FILE *out);

#endif

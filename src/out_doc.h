/* Emitters for the report document (doc.h): JSON and YAML. Each writes the
 * whole document to out and returns 0, or -1 when memory ran out (now, or
 * while the document was made: see arena_failed) or the emitter failed
 * (the caller checks out for write errors). */
#ifndef SOCKCAP_OUT_DOC_H
#define SOCKCAP_OUT_DOC_H

#include <stddef.h>
#include <stdio.h>

#include "doc.h"

int emit_json(const struct doc *doc, FILE *out);
int emit_yaml(const struct doc *doc, FILE *out);

/* The document as JSON, with its final newline, NUL-terminated, in a buffer
 * to free(); *len is its length without the NUL. NULL when memory ran out. */
char *json_text(const struct doc *doc, size_t *len);

#endif

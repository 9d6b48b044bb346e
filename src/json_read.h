/* A strict JSON reader (RFC 8259) for the one JSON input sockcap takes, a
 * calibration file: the text becomes a document (doc.h) in the arena.
 * Numbers are DOC_RAW items holding their JSON text (checked against the
 * grammar); strings are decoded to UTF-8. Refused: anything RFC 8259
 * refuses, a string holding NUL (\u0000), a lone surrogate, nesting deeper
 * than JSON_READ_MAX_DEPTH, and a number longer than JSON_READ_MAX_NUMBER
 * characters (RFC 8259 section 9 lets a reader set such limits; libcjson
 * reads no longer number either). */
#ifndef SOCKCAP_JSON_READ_H
#define SOCKCAP_JSON_READ_H

#include <stdbool.h>
#include <stddef.h>

#include "doc.h"

#define JSON_READ_MAX_DEPTH 64
#define JSON_READ_MAX_NUMBER 63

/* The document len bytes of text hold, or NULL with a reason in err
 * ("byte N: ...") when they hold no JSON value or memory ran out. */
struct doc *json_read(const char *text, size_t len, char *err, size_t errsize);

/* A number item's value as a double (strtod of its text, whose grammar is
 * checked: LC_NUMERIC is never set, so the decimal point is '.'), or false
 * when item is not a number. */
bool json_number(const struct doc *item, double *value);

#endif

/* The report document: a tree of JSON values that every structured format
 * prints (out_json.c, out_yaml.c) and the one JSON input (a calibration
 * file) is read into (json_read.c). Nodes, copied strings and values live
 * in the arena (arena.h) and go all at once with arena_release.
 *
 * Contracts:
 * - a constructor returns NULL when memory ran out, and every function
 *   takes NULL for a document or an item and does nothing then; a failed
 *   allocation is remembered by the arena (arena_failed), and the emitters
 *   refuse a document made while one failed, so a document is printed
 *   whole or not at all;
 * - strings are copied; member keys are not: they must outlive the
 *   document (the report's keys are literals; the reader's are in the
 *   arena);
 * - an item belongs to one parent, added once;
 * - integers are exact unsigned 64-bit values (DOC_U64); a number in any
 *   other form is DOC_RAW, its JSON text kept as it is. */
#ifndef SOCKCAP_DOC_H
#define SOCKCAP_DOC_H

#include <stdbool.h>
#include <stdint.h>

enum doc_type { DOC_NULL, DOC_FALSE, DOC_TRUE, DOC_U64, DOC_RAW, DOC_STRING, DOC_ARRAY, DOC_OBJECT };

struct doc {
	struct doc *next;  /* the next member or element of the parent */
	struct doc *child; /* an object's first member, an array's first element */
	struct doc *last;  /* and its last: adding is O(1) */
	const char *key;   /* a member's name; NULL in an array and at the top */
	const char *text;  /* DOC_STRING (UTF-8, NUL-terminated), DOC_RAW */
	uint64_t u64;      /* DOC_U64 */
	enum doc_type type;
};

struct doc *doc_object(void);
struct doc *doc_array(void);
struct doc *doc_null(void);
struct doc *doc_bool(bool b);
struct doc *doc_u64(uint64_t v);
struct doc *doc_string(const char *s);
/* s must be a JSON number's text: the emitters write it as it is. */
struct doc *doc_raw(const char *s);

/* Appends item to array. */
void doc_push(struct doc *array, struct doc *item);
/* Appends item to object as member key (not checked for duplicates). */
void doc_add(struct doc *object, const char *key, struct doc *item);

/* Shorthands: make the item, add it as member key, return it. */
struct doc *doc_add_object(struct doc *object, const char *key);
struct doc *doc_add_array(struct doc *object, const char *key);
void doc_add_string(struct doc *object, const char *key, const char *s);
void doc_add_u64(struct doc *object, const char *key, uint64_t v);
void doc_add_null(struct doc *object, const char *key);
void doc_add_bool(struct doc *object, const char *key, bool b);

/* An object's first member named key (case-sensitive), or NULL. */
const struct doc *doc_get(const struct doc *object, const char *key);

#endif

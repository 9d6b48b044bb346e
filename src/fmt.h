/* Number formatting for people: thousands separators, approximate counts,
 * binary byte sizes. Each writes a NUL-terminated string into buf (size
 * bytes) and returns buf. */
#ifndef SOCKCAP_FMT_H
#define SOCKCAP_FMT_H

#include <stddef.h>
#include <stdint.h>

#define FMT_MAX 32

char *fmt_count(char *buf, size_t size, uint64_t v);  /* 1234567 -> "1,234,567" */
char *fmt_approx(char *buf, size_t size, uint64_t v); /* 2912345 -> "2.91M"; exact below 10,000 */
char *fmt_bytes(char *buf, size_t size, uint64_t v);  /* 25769803776 -> "24.0 GiB"; "512 B" */

/* "connection" or "connections" after n. */
const char *fmt_plural(uint64_t n, const char *one, const char *many);

/* Folds text (len bytes) to lines of at most columns characters (UTF-8
 * characters, colour escapes not counted): a longer line breaks at its last
 * space that fits, and goes on indented four more than it began. Nothing is
 * dropped: a word longer than a line stays whole. Returns a malloc'd,
 * NUL-terminated copy and its length in *out_len, or NULL (out of memory). */
char *fmt_wrap(const char *text, size_t len, unsigned columns, size_t *out_len);

#endif

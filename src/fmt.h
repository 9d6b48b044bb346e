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

#endif

/* Delivering a rendered document: to stdout, or atomically to a file. */
#ifndef SOCKCAP_OUTPUT_H
#define SOCKCAP_OUTPUT_H

#include <stddef.h>

/* Writes data to path atomically: a temporary file in the same directory,
 * fsync, rename. Refuses when path is a symbolic link. On failure the
 * original file is untouched, the temporary is removed, and err holds a
 * message naming what failed. Returns 0 or -1. */
int output_to_file(const char *path, const char *data, size_t len, char *err, size_t errsize);

/* Writes data to stdout and flushes. Returns 0, or -1 with err set. */
int output_to_stdout(const char *data, size_t len, char *err, size_t errsize);

#endif

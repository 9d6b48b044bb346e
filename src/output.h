/* Delivering a rendered document: to stdout, or atomically to a file. */
#ifndef SOCKCAP_OUTPUT_H
#define SOCKCAP_OUTPUT_H

#include <stddef.h>

/* Writes data to path. A regular file (or a new one) is replaced
 * atomically: a temporary file in the same directory, fsync, rename. An
 * existing character device or FIFO is written to directly, never
 * replaced. "-" is standard output. A symbolic link, a directory, a socket
 * or a block device is refused. On failure the original file is
 * untouched, the temporary is removed, and err holds a message naming
 * what failed. Returns 0 or -1. */
int output_to_file(const char *path, const char *data, size_t len, char *err, size_t errsize);

/* Writes data to stdout and flushes. Returns 0, or -1 with err set. */
int output_to_stdout(const char *data, size_t len, char *err, size_t errsize);

#endif

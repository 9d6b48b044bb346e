/* Command-line options: one table feeds the parser, --help and the tests
 * that keep the man page and completions in step. */
#ifndef SOCKCAP_CLI_H
#define SOCKCAP_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum out_format { FORMAT_TEXT, FORMAT_JSON, FORMAT_YAML };
enum color_mode { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER };

struct cli {
	const char *command; /* NULL: the default command */
	const char *root;
	const char *profile;
	enum out_format format;
	uint64_t processes;
	uint64_t upstreams;
	bool app_bytes_set;
	uint64_t app_bytes;
	const char *output;
	enum color_mode color;
	unsigned pid;        /* --pid; 0 for sockcap itself */
	bool has_target;
	uint64_t target;
	bool check;
	bool has_connections;
	uint64_t connections; /* calibrate: connection pairs */
	const char *save;     /* calibrate: where to write the calibration */
	const char *send;     /* calibrate --pid: what each connection sends */
	const char *calibration; /* a calibration file for the model */
	bool help;
	bool version;
};

struct option_def {
	char short_name;     /* 0 when there is none */
	const char *long_name;
	const char *metavar; /* NULL for flags */
	const char *help;
};

extern const struct option_def option_defs[];
extern const unsigned option_count;

/* Parses argv into *out. Returns 0, or -1 with a message (naming the bad
 * option or value) in err. Does not print or exit. */
int cli_parse(int argc, char **argv, struct cli *out, char *err, size_t errsize);

/* The OPTIONS part of --help. */
void cli_print_options(FILE *out);

#endif

/* Command-line options: one table feeds the parser, --help and the tests
 * that keep the man page and completions in step. */
#ifndef SOCKCAP_CLI_H
#define SOCKCAP_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "range.h"

enum out_format { FORMAT_TEXT, FORMAT_JSON, FORMAT_YAML, FORMAT_PROMETHEUS };
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
	unsigned pid;        /* --pid; 0 when the subject is not a process */
	const char *unit;    /* --unit; NULL when not given */
	const char *user;    /* --user; NULL when not given */
	bool processes_set;  /* --processes given: overrides the workers found */
	bool has_target;
	uint64_t target;
	bool check;
	const char *dropin;  /* --dropin NAME, or NULL */
	bool reserve_set;    /* --reserve */
	bool reserve_is_share; /* reserve is permille of the memory, else bytes */
	uint64_t reserve;
	bool has_connections;
	uint64_t connections; /* calibrate: connection pairs */
	const char *save;     /* calibrate: where to write the calibration */
	const char *send;     /* calibrate --pid: what each connection sends */
	const char *calibration; /* a calibration file for the model */
	bool plugin;          /* run as check_sockcap: the plugin's letters, nagios by default */
	const char *warning;  /* nagios: -w RANGE as given, NULL for the default */
	const char *critical; /* nagios: -c RANGE */
	struct range warning_range, critical_range;
	unsigned timeout;     /* nagios: seconds, 0 when not given */
	bool help;
	bool version;
};

struct option_def {
	char short_name;     /* 0 when there is none */
	const char *long_name;
	const char *metavar; /* NULL for flags */
	const char *help;
	/* Its letter when sockcap runs as check_sockcap, where the monitoring
	 * plugins' conventions give -t to the timeout: 0 for the same letter
	 * as short_name, '-' for none. */
	char plugin_short;
};

/* The name under which sockcap is a monitoring plugin. */
#define PLUGIN_NAME "check_sockcap"

/* True when argv0's last component is PLUGIN_NAME. */
bool cli_is_plugin(const char *argv0);

/* An option's short letter under the given personality; 0 for none. */
char option_short(const struct option_def *o, bool plugin);

extern const struct option_def option_defs[];
extern const unsigned option_count;

/* Parses argv into *out. Returns 0, or -1 with a message (naming the bad
 * option or value) in err. Does not print or exit. */
int cli_parse(int argc, char **argv, struct cli *out, char *err, size_t errsize);

/* The OPTIONS part of --help, with the letters of the personality. */
void cli_print_options(FILE *out, bool plugin);

#endif

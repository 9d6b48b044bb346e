#include "cli.h"
#include "safe.h"

#include <getopt.h>
#include <string.h>

#include "parse.h"
#include "u64.h"

#define MAX_PROCESSES 1048576ULL
#define MAX_UPSTREAMS 16777216ULL

const struct option_def option_defs[] = {
	{'r', "root", "DIR", "read DIR/proc and DIR/sys instead of /proc and /sys", 0},
	{'p', "profile", "NAME|FILE", "workload profile: a built-in name or a YAML file (default idle)", 0},
	{'t', "target", "N", "connections to plan for (250000, 250k, 1.5M; default: what memory can carry)", '-'},
	{'f', "format", "FORMAT", "output format: text, json, yaml or prometheus (default text)", 0},
	{0, "pid", "PID", "subject: running process PID (a master's workers when it has them); calibrate: measure that server", 0},
	{0, "unit", "NAME", "subject: systemd service NAME, running or not (its unit file and drop-ins)", 0},
	{0, "user", "NAME", "subject: a login session of user NAME (pam_limits)", 0},
	{0, "processes", "N", "worker processes sharing the connections (default: those found, else 1)", 0},
	{0, "app-bytes", "SIZE", "user-space bytes per connection, overriding the profile (4096, 8K, 1.5MiB)", 0},
	{0, "upstreams", "N", "distinct upstream address:port pairs for outbound sockets (default 1)", 0},
	{0, "reserve", "SIZE|PCT", "memory the default plan leaves to the system and the application (2G, 15%; default: 10%, at least 1GiB, at most a quarter)", 0},
	{0, "dropin", "NAME", "the unit drop-in's file name (default: 90-sockcap.conf, or one read after the drop-in that sets LimitNOFILE=)", 0},
	{0, "calibration", "FILE", "use the per-socket costs measured by 'calibrate --save FILE'", 0},
	{0, "connections", "N", "calibrate: connection pairs to open (default 4000; with --pid, idle connections, default 1000)", 0},
	{0, "send", "TEXT", "calibrate --pid: text each connection sends and leaves unanswered, as a slow client", 0},
	{0, "save", "FILE", "calibrate: write the calibration to FILE (JSON, atomically)", 0},
	{'o', "output", "FILE", "write to FILE atomically instead of standard output", 0},
	{0, "check", NULL, "exit 1 when the capacity is below the target or changes are pending", 0},
	{0, "color", "WHEN", "colour the text output: auto, always or never (default auto)", 0},
	{'w', "warning", "RANGE", "nagios: WARNING when the connections in use are outside RANGE (default 80%)", 0},
	{'c', "critical", "RANGE", "nagios: CRITICAL when the connections in use are outside RANGE (default 90%)", 0},
	{0, "timeout", "SECONDS", "nagios: UNKNOWN after SECONDS (default 10; -t as check_sockcap)", 't'},
	{'h', "help", NULL, "print this help and exit", 0},
	{'V', "version", NULL, "print the version and exit", 0},
};
const unsigned option_count = sizeof(option_defs) / sizeof(option_defs[0]);

static int bad(char *err, size_t size, const char *opt, const char *value, const char *why)
{
	snprintf(err, size, "invalid --%s value %s: %s", opt, QUOTED(value), why);
	return -1;
}

static int number_in(const char *v, uint64_t lo, uint64_t hi, uint64_t *out)
{
	uint64_t n;

	if (!parse_count_arg(v, &n) || n < lo || n > hi)
		return -1;
	*out = n;
	return 0;
}

static int apply(struct cli *c, const char *name, const char *v, char *err, size_t size)
{
	char why[128];

	if (strcmp(name, "root") == 0) {
		if (*v == '\0')
			return bad(err, size, name, v, "must name a directory");
		c->root = v;
	} else if (strcmp(name, "profile") == 0) {
		if (*v == '\0')
			return bad(err, size, name, v, "must name a profile or a file");
		c->profile = v;
	} else if (strcmp(name, "format") == 0) {
		if (strcmp(v, "text") == 0)
			c->format = FORMAT_TEXT;
		else if (strcmp(v, "json") == 0)
			c->format = FORMAT_JSON;
		else if (strcmp(v, "yaml") == 0)
			c->format = FORMAT_YAML;
		else if (strcmp(v, "prometheus") == 0)
			c->format = FORMAT_PROMETHEUS;
		else
			return bad(err, size, name, v, "must be text, json, yaml or prometheus");
	} else if (strcmp(name, "target") == 0) {
		if (!parse_count_arg(v, &c->target) || c->target == 0)
			return bad(err, size, name, v,
				   "must be a whole number of connections (250000, 250k, 1.5M)");
		c->has_target = true;
	} else if (strcmp(name, "connections") == 0) {
		if (number_in(v, 10, 50000, &c->connections) != 0)
			return bad(err, size, name, v, "must be a whole number from 10 to 50000");
		c->has_connections = true;
	} else if (strcmp(name, "send") == 0) {
		if (*v == '\0' || strlen(v) > 4096)
			return bad(err, size, name, v, "must be text of 1 to 4096 bytes");
		c->send = v;
	} else if (strcmp(name, "save") == 0 || strcmp(name, "calibration") == 0) {
		if (*v == '\0')
			return bad(err, size, name, v, "must name a file");
		if (strcmp(name, "save") == 0)
			c->save = v;
		else
			c->calibration = v;
	} else if (strcmp(name, "check") == 0) {
		c->check = true;
	} else if (strcmp(name, "pid") == 0) {
		uint64_t pid;

		if (!u64_parse_str(v, &pid) || pid == 0 || pid > 4194304)
			return bad(err, size, name, v, "must be a process id from 1 to 4194304");
		c->pid = (unsigned)pid;
	} else if (strcmp(name, "unit") == 0 || strcmp(name, "user") == 0) {
		/* Names become paths (unit) and are matched in files (user). */
		size_t n = strlen(v);
		bool ok = n > 0 && n < 100 && v[0] != '.' && v[0] != '-';

		for (size_t i = 0; ok && i < n; i++)
			ok = (v[i] >= 'a' && v[i] <= 'z') || (v[i] >= 'A' && v[i] <= 'Z') ||
			     (v[i] >= '0' && v[i] <= '9') || strchr("._-@:\\", v[i]);
		if (!ok)
			return bad(err, size, name, v,
				   name[1] == 'n' ? "must be a unit name (letters, digits, ._-@:\\)"
						  : "must be a user name (letters, digits, ._-@:\\)");
		if (name[1] == 'n')
			c->unit = v;
		else
			c->user = v;
	} else if (strcmp(name, "processes") == 0) {
		snprintf(why, sizeof(why), "must be a whole number from 1 to %llu", MAX_PROCESSES);
		if (number_in(v, 1, MAX_PROCESSES, &c->processes) != 0)
			return bad(err, size, name, v, why);
		c->processes_set = true;
	} else if (strcmp(name, "upstreams") == 0) {
		snprintf(why, sizeof(why), "must be a whole number from 1 to %llu", MAX_UPSTREAMS);
		if (number_in(v, 1, MAX_UPSTREAMS, &c->upstreams) != 0)
			return bad(err, size, name, v, why);
	} else if (strcmp(name, "app-bytes") == 0) {
		if (!parse_size_arg(v, &c->app_bytes) || c->app_bytes > (1ULL << 40))
			return bad(err, size, name, v, "must be a size up to 1TiB (4096, 8K, 1.5MiB)");
		c->app_bytes_set = true;
	} else if (strcmp(name, "dropin") == 0) {
		if (!safe_dropin_name(v))
			return bad(err, size, name, v,
				   "must be a file name ending in .conf (letters, digits, _ . @ -; "
				   "up to 64 characters)");
		c->dropin = v;
	} else if (strcmp(name, "reserve") == 0) {
		c->reserve_set = true;
		if (!parse_reserve_arg(v, &c->reserve_is_share, &c->reserve))
			return bad(err, size, name, v,
				   "must be a size (2G, 512MiB) or a share up to 90% (15%, 12.5%)");
	} else if (strcmp(name, "output") == 0) {
		if (*v == '\0')
			return bad(err, size, name, v, "must name a file");
		c->output = v;
	} else if (strcmp(name, "color") == 0) {
		if (strcmp(v, "auto") == 0)
			c->color = COLOR_AUTO;
		else if (strcmp(v, "always") == 0)
			c->color = COLOR_ALWAYS;
		else if (strcmp(v, "never") == 0)
			c->color = COLOR_NEVER;
		else
			return bad(err, size, name, v, "must be auto, always or never");
	} else if (strcmp(name, "warning") == 0 || strcmp(name, "critical") == 0) {
		bool w = strcmp(name, "warning") == 0;

		if (range_parse(v, w ? &c->warning_range : &c->critical_range, why, sizeof(why)) != 0)
			return bad(err, size, name, v, why);
		if (w)
			c->warning = v;
		else
			c->critical = v;
	} else if (strcmp(name, "timeout") == 0) {
		uint64_t s;

		if (!u64_parse_str(v, &s) || s == 0 || s > 86400)
			return bad(err, size, name, v, "must be a whole number of seconds from 1 to 86400");
		c->timeout = (unsigned)s;
	} else if (strcmp(name, "help") == 0) {
		c->help = true;
	} else if (strcmp(name, "version") == 0) {
		c->version = true;
	}
	return 0;
}

bool cli_is_plugin(const char *argv0)
{
	const char *base = argv0 ? strrchr(argv0, '/') : NULL;

	return argv0 && strcmp(base ? base + 1 : argv0, PLUGIN_NAME) == 0;
}

char option_short(const struct option_def *o, bool plugin)
{
	if (!plugin || o->plugin_short == 0)
		return o->short_name;
	return o->plugin_short == '-' ? 0 : o->plugin_short;
}

int cli_parse(int argc, char **argv, struct cli *out, char *err, size_t errsize)
{
	struct option longopts[sizeof(option_defs) / sizeof(option_defs[0]) + 1];
	char shortopts[3 * sizeof(option_defs) / sizeof(option_defs[0]) + 3] = "+:";
	size_t so = 2;
	int ch, idx;

	memset(out, 0, sizeof(*out));
	out->root = "/";
	out->profile = "idle";
	out->processes = 1;
	out->upstreams = 1;
	out->plugin = argc > 0 && cli_is_plugin(argv[0]);
	if (out->plugin)
		out->command = "nagios";
	for (unsigned i = 0; i < option_count; i++) {
		char letter = option_short(&option_defs[i], out->plugin);

		longopts[i] = (struct option){option_defs[i].long_name,
					      option_defs[i].metavar ? required_argument : no_argument,
					      NULL, 0};
		if (letter) {
			shortopts[so++] = letter;
			if (option_defs[i].metavar)
				shortopts[so++] = ':';
		}
	}
	longopts[option_count] = (struct option){NULL, 0, NULL, 0};
	shortopts[so] = '\0';
	optind = 1;
	opterr = 0;
	/* Options may come before and after the command: parse in rounds. */
	while (optind < argc) {
		idx = -1;
		ch = getopt_long(argc, argv, shortopts, longopts, &idx);
		if (ch == -1) {
			if (out->command) {
				snprintf(err, errsize, "unexpected argument %s", QUOTED(argv[optind]));
				return -1;
			}
			out->command = argv[optind++];
			continue;
		}
		if (ch == '?') {
			if (optopt)
				snprintf(err, errsize, "unknown option '-%c'", optopt);
			else
				snprintf(err, errsize, "unknown option %s", QUOTED(argv[optind - 1]));
			return -1;
		}
		if (ch == ':') {
			snprintf(err, errsize, "option %s needs a value", QUOTED(argv[optind - 1]));
			return -1;
		}
		if (ch != 0)
			for (unsigned i = 0; i < option_count; i++)
				if (option_short(&option_defs[i], out->plugin) == ch)
					idx = (int)i;
		if (idx < 0 || (unsigned)idx >= option_count) {
			snprintf(err, errsize, "unknown option %s", QUOTED(argv[optind - 1]));
			return -1;
		}
		if (apply(out, option_defs[idx].long_name, optarg ? optarg : "", err, errsize) != 0)
			return -1;
	}
	if ((out->pid != 0) + (out->unit != NULL) + (out->user != NULL) > 1) {
		snprintf(err, errsize, "--pid, --unit and --user name different subjects: give one");
		return -1;
	}
	return 0;
}

void cli_print_options(FILE *out, bool plugin)
{
	for (unsigned i = 0; i < option_count; i++) {
		const struct option_def *o = &option_defs[i];
		char left[48], letter = option_short(o, plugin);

		if (letter)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", letter, o->long_name,
				 o->metavar ? " " : "", o->metavar ? o->metavar : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", o->long_name,
				 o->metavar ? " " : "", o->metavar ? o->metavar : "");
		fprintf(out, "  %-26s %s\n", left, o->help);
	}
}

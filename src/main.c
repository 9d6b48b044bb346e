/* sockcap: how many concurrent TCP connections can this host sustain, what
 * stops it, and what lifts it. main() parses, dispatches through the command
 * table, and is the only place that exits. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <langinfo.h>
#include <locale.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "arena.h"
#include "calibrate.h"
#include "plugin.h"
#include "cli.h"
#include "embedded.h"
#include "facts.h"
#include "fmt.h"
#include "model.h"
#include "out_doc.h"
#include "out_prom.h"
#include "out_text.h"
#include "out_config.h"
#include "output.h"
#include "plan.h"
#include "profile.h"
#include "report.h"
#include "safe.h"
#include "source.h"
#include "u64.h"
#include "version.h"

enum exit_status { EXIT_OK = 0, EXIT_CHECK = 1, EXIT_USAGE = 2, EXIT_SYSTEM = 3 };

struct command {
	const char *name;
	enum exit_status (*run)(const struct cli *, FILE *out);
	const char *summary;
};

static enum exit_status cmd_audit(const struct cli *c, FILE *out);
static enum exit_status cmd_plan(const struct cli *c, FILE *out);
static enum exit_status cmd_sysctl(const struct cli *c, FILE *out);
static enum exit_status cmd_limits(const struct cli *c, FILE *out);
static enum exit_status cmd_systemd(const struct cli *c, FILE *out);
static enum exit_status cmd_modules_load(const struct cli *c, FILE *out);
static enum exit_status cmd_modprobe(const struct cli *c, FILE *out);
static enum exit_status cmd_ansible(const struct cli *c, FILE *out);
static enum exit_status cmd_facts(const struct cli *c, FILE *out);
static enum exit_status cmd_profiles(const struct cli *c, FILE *out);
static enum exit_status cmd_calibrate(const struct cli *c, FILE *out);
static enum exit_status cmd_nagios(const struct cli *c, FILE *out);

/* The first command is the default. */
static const struct command commands[] = {
	{"audit", cmd_audit, "capacity, every limit, the binding one, live usage, warnings, advice"},
	{"plan", cmd_plan, "the changes that reach --target N (default: what memory can carry)"},
	{"sysctl", cmd_sysctl, "the plan as " SYSCTL_D_PATH},
	{"limits", cmd_limits, "the plan as " LIMITS_D_PATH},
	{"systemd", cmd_systemd, "the plan as a unit drop-in ([Service] LimitNOFILE=)"},
	{"modules-load", cmd_modules_load, "the plan's modules to load at boot, as " MODULES_LOAD_PATH},
	{"modprobe", cmd_modprobe, "the plan's module options, as " MODPROBE_D_PATH},
	{"ansible", cmd_ansible, "the plan as an Ansible task list"},
	{"facts", cmd_facts, "every fact read, with its source path and status"},
	{"profiles", cmd_profiles, "the workload profiles, built in and from --profile FILE"},
	{"calibrate", cmd_calibrate, "measure what a socket costs on this kernel with loopback sockets"},
	{"nagios", cmd_nagios, "a monitoring-plugins check: status line, perfdata, exit 0-3 (-w, -c)"},
};

#define USAGE_LINE "usage: sockcap [options] [command]\n"

/* What a usage error prints after its message: the usage line and where
 * the rest is. */
static void short_usage(void)
{
	fputs(USAGE_LINE "Try 'sockcap --help'.\n", stderr);
}

static void usage(FILE *out, bool plugin)
{
	if (plugin) {
		fprintf(out, "usage: " PLUGIN_NAME " [options]\n\n"
			     "sockcap's nagios command as a monitoring plugin: the connections in use\n"
			     "against the capacity, and the capacity against --target.\n\noptions:\n");
		cli_print_options(out, true);
		fprintf(out, "\nexit status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN\n");
		return;
	}
	fprintf(out, USAGE_LINE "\n"
		     "How many concurrent TCP connections this host can sustain, which limit\n"
		     "binds first, and what lifts it.\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-12s %s%s\n", commands[i].name, commands[i].summary,
			i == 0 ? " (default)" : "");
	fprintf(out, "\noptions:\n");
	cli_print_options(out, plugin);
	fprintf(out, "\nexit status: 0 success, 1 --check failed, 2 usage error, 3 the host or "
		     "the output could not be read or written\n");
}

/* A message on stderr, made safe for the terminal as a whole: the values
 * in it come from the command line and the files read. */
__attribute__((format(printf, 1, 2))) static void complain(const char *fmt, ...)
{
	char msg[1024], safe[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "sockcap: %s\n", safe_copy(safe, sizeof(safe), msg));
}

static bool looks_like_file(const char *s)
{
	size_t n = strlen(s);

	return strchr(s, '/') || (n > 5 && strcmp(s + n - 5, ".yaml") == 0) ||
	       (n > 4 && strcmp(s + n - 4, ".yml") == 0);
}

/* A file named on the command line (what: "profile", "calibration"), read
 * and handed to its parser; an unreadable or bad file is a usage error. */
typedef int (*file_parser)(const char *text, size_t len, const char *origin, void *out,
			   char *err, size_t errsize);

static enum exit_status load_file(const char *what, const char *path, file_parser parse,
				  void *out)
{
	char err[512];
	struct text t;
	enum fact_status st = file_read(path, &t);
	int rc;

	if (st != FACT_OK) {
		complain("cannot read %s %s: %s", what, QUOTED(path), fact_status_reason(st));
		return EXIT_USAGE;
	}
	rc = parse(t.data, t.len, path, out, err, sizeof(err));
	text_free(&t);
	if (rc != 0) {
		complain("bad %s: %s", what, err);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

static int parse_profile(const char *text, size_t len, const char *origin, void *out, char *err,
			 size_t errsize)
{
	return profile_parse(text, len, origin, out, err, errsize);
}

static int parse_calibration(const char *text, size_t len, const char *origin, void *out,
			     char *err, size_t errsize)
{
	return calibration_parse(text, len, origin, out, err, errsize);
}

/* The profile named by --profile: a built-in name or a YAML file. */
static enum exit_status load_profile(const char *spec, struct profile *p)
{
	if (looks_like_file(spec))
		return load_file("profile", spec, parse_profile, p);
	if (profile_builtin(spec, p) == 0)
		return EXIT_OK;
	{
		char names[256];
		size_t o = 0;

		names[0] = '\0';
		for (size_t i = 0; profile_builtin_name(i) && o < sizeof(names); i++)
			o += (size_t)snprintf(names + o, sizeof(names) - o, "%s%s", o ? " " : "",
					      profile_builtin_name(i));
		complain("unknown profile %s; built-in profiles: %s", QUOTED(spec), names);
	}
	return EXIT_USAGE;
}

static bool want_color(const struct cli *c)
{
	const char *term = getenv("TERM"), *no = getenv("NO_COLOR");

	if (c->color != COLOR_AUTO)
		return c->color == COLOR_ALWAYS;
	return (!c->output || strcmp(c->output, "-") == 0) && isatty(STDOUT_FILENO) && !(no && *no) &&
	       !(term && strcmp(term, "dumb") == 0);
}

/* Why nothing could be read at root, in words for a message. */
static const char *root_problem(const char *root)
{
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int proc;

	if (fd < 0)
		return errno == EACCES || errno == EPERM ? "permission denied"
		       : errno == ENOTDIR		  ? "not a directory"
		       : errno == ENOENT		  ? "no such directory"
							  : strerror(errno);
	proc = openat(fd, "proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	close(fd);
	if (proc < 0)
		return errno == EACCES || errno == EPERM ? "permission denied on its proc directory"
							  : "no readable proc directory there";
	close(proc);
	return "nothing under its proc directory could be read";
}

/* ASCII where the locale's characters are not UTF-8 (C, POSIX,
 * ISO-8859-1), or TERM is dumb. */
static bool want_ascii(void)
{
	const char *term = getenv("TERM"), *codeset;

	if (term && strcmp(term, "dumb") == 0)
		return true;
	if (!setlocale(LC_CTYPE, ""))
		return true;
	codeset = nl_langinfo(CODESET);
	return !codeset || strcmp(codeset, "UTF-8") != 0;
}

/* The width text is folded to: COLUMNS, else the terminal's, else 80. */
static unsigned want_columns(const struct cli *c)
{
	const char *env = getenv("COLUMNS");
	uint64_t v;
	struct winsize ws;

	if (env && u64_parse_str(env, &v) && v >= 20 && v <= 1000)
		return (unsigned)v;
	if (!c->output && isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 &&
	    ws.ws_col >= 20)
		return ws.ws_col;
	return 80;
}

/* Text for a person (not a file to install, not a plugin's line): folded
 * to the width. */
static bool folded(const struct cli *c, const struct command *cmd)
{
	return c->format == FORMAT_TEXT &&
	       (cmd->run == cmd_audit || cmd->run == cmd_plan || cmd->run == cmd_facts ||
		cmd->run == cmd_profiles);
}

static enum exit_status read_host(const struct cli *c, struct facts *f)
{
	struct source src = source_root(c->root);
	long ps = sysconf(_SC_PAGESIZE);
	char hide[32];
	struct subject_request req = {SUBJECT_SERVICE, 0, NULL};
	enum facts_result r;

	if (c->pid)
		req = (struct subject_request){SUBJECT_PID, c->pid, NULL};
	else if (c->unit)
		req = (struct subject_request){SUBJECT_UNIT, 0, c->unit};
	else if (c->user)
		req = (struct subject_request){SUBJECT_USER, 0, c->user};
	r = facts_read_subject(&src, ps > 0 ? (uint64_t)ps : 4096, &req, f);
	if (r == FACTS_NO_ROOT) {
		complain("cannot read the host at %s: %s", QUOTED(c->root), root_problem(c->root));
		return EXIT_SYSTEM;
	}
	/* hidepid hides another user's process (some kernels still let its
	 * directory be opened, never its files). */
	if ((r == FACTS_NO_PID || (c->pid && f->f[F_NOFILE].status == FACT_MISSING)) &&
	    geteuid() != 0 && facts_proc_hides_pids(&src, hide, sizeof(hide))) {
		complain("no process '%u' visible: %s/proc is mounted with %s, which hides other "
			 "users' processes; run as root or as the process's user",
			 c->pid, strcmp(c->root, "/") == 0 ? "" : c->root, hide);
		return EXIT_USAGE;
	}
	if (r == FACTS_NO_PID) {
		complain("no process '%u': %s has no proc/%u", c->pid, QUOTED(c->root), c->pid);
		return EXIT_USAGE;
	}
	switch (r) {
	case FACTS_KTHREAD:
		complain("process '%u' is a kernel thread: it opens no sockets and has no limits to "
			 "audit", c->pid);
		return EXIT_USAGE;
	case FACTS_ZOMBIE:
		complain("process '%u' is a zombie: it has exited and holds nothing; audit its "
			 "parent or its service", c->pid);
		return EXIT_USAGE;
	case FACTS_GONE:
		complain("process '%u' exited during the run: proc/%u/limits could not be read",
			 f->pid, f->pid);
		return EXIT_SYSTEM;
	case FACTS_NO_USER:
		complain("no user %s: %s has no such user in etc/passwd", QUOTED(c->user),
			 QUOTED(c->root));
		return EXIT_USAGE;
	case FACTS_NO_UNIT:
		complain("no unit %s: %s has neither its unit file (etc/systemd/system, "
			 "usr/lib/systemd/system, ...) nor its cgroup", QUOTED(f->subject.unit),
			 QUOTED(c->root));
		return EXIT_USAGE;
	default:
		break;
	}
	if (f->pid && f->f[F_NOFILE].status != FACT_OK) {
		complain("cannot read the limits of process '%u': %s is %s", f->pid,
			 f->f[F_NOFILE].path, fact_status_reason(f->f[F_NOFILE].status));
		return EXIT_SYSTEM;
	}
	return EXIT_OK;
}

static enum exit_status emit(const struct doc *doc, const struct cli *c, FILE *out)
{
	int rc;

	if (!doc || arena_failed()) {
		complain("%s", "out of memory");
		return EXIT_SYSTEM;
	}
	rc = c->format == FORMAT_YAML ? emit_yaml(doc, out) : emit_json(doc, out);
	if (rc != 0) {
		complain("%s", "cannot format the output");
		return EXIT_SYSTEM;
	}
	return EXIT_OK;
}

/* What audit, plan and the config writers share: a profile, the host's
 * facts, the model and a plan (toward --target or the memory ceiling). */
struct analysis {
	struct calibration calibration;
	struct profile profile;
	struct facts facts;
	struct model_options options;
	struct plan plan;
	bool has_plan;
	struct report_input in;
};

static enum exit_status analyse(const struct cli *c, bool need_plan, struct analysis *a)
{
	enum exit_status st;

	if ((st = load_profile(c->profile, &a->profile)) != EXIT_OK)
		return st;
	if (c->calibration &&
	    (st = load_file("calibration", c->calibration, parse_calibration,
			    &a->calibration)) != EXIT_OK)
		return st;
	if ((st = read_host(c, &a->facts)) != EXIT_OK)
		return st;
	a->options = (struct model_options){
		/* A unit's (or a master's) workers share its connections. */
		.processes = !c->processes_set && a->facts.subject.processes > 1
				     ? a->facts.subject.processes
				     : c->processes,
		.processes_found = a->facts.subject.processes,
		.upstreams = c->upstreams,
		.app_bytes_set = c->app_bytes_set,
		.app_bytes = c->app_bytes,
		.calibration = c->calibration ? &a->calibration : NULL,
		.reserve_set = c->reserve_set,
		.reserve_is_share = c->reserve_is_share,
		.reserve = c->reserve,
		.dropin = c->dropin,
	};
	/* Listening ports matter where the plan may widen the ephemeral
	 * range: proc/net/tcp is read for them then, and only then. */
	if (a->profile.outbound_sockets > 0) {
		struct source src = source_root(c->root);

		facts_read_listeners(&src, &a->facts);
	}
	a->has_plan = plan_compute(&a->facts, &a->profile, &a->options, c->has_target, c->target,
				   &a->plan);
	if (!a->has_plan && need_plan) {
		complain("no target: the memory ceiling is unknown (%s is %s); give --target N",
			 a->facts.f[F_MEM_TOTAL].path,
			 fact_status_name(a->facts.f[F_MEM_TOTAL].status));
		return EXIT_USAGE;
	}
	a->in = (struct report_input){c->root, &a->facts, &a->profile, &a->options,
				      &a->plan.before, a->has_plan ? &a->plan : NULL};
	return EXIT_OK;
}

/* Why --check fails, or NULL when it passes: an answer that cannot be
 * trusted (a row that could bind is unknown, a capacity of 0) fails as
 * surely as one below the target or with changes pending. */
static const char *check_failure(const struct analysis *a, char *buf, size_t size)
{
	const struct capacity *b = &a->plan.before;
	char n[FMT_MAX], t[FMT_MAX];

	/* plan_compute made the capacity before it looked for a target. */
	for (int i = 0; i < ROW_COUNT; i++)
		if (row_can_bind((enum row_id)i) && b->rows[i].status == ROWS_UNKNOWN) {
			snprintf(buf, size, "the %s row could bind and is unknown: %s",
				 row_name((enum row_id)i), b->rows[i].note);
			return buf;
		}
	if (!b->known || b->connections == 0) {
		snprintf(buf, size, "the capacity is 0 connections (bound by %s)",
			 b->known ? row_name(b->binding) : "nothing known");
		return buf;
	}
	if (!a->has_plan)
		return "there is no target: the memory ceiling is unknown";
	if (b->connections < a->plan.target) {
		snprintf(buf, size, "the capacity, %s connections (bound by %s), is below the "
				    "target of %s",
			 fmt_count(n, sizeof(n), b->connections), row_name(b->binding),
			 fmt_count(t, sizeof(t), a->plan.target));
		return buf;
	}
	if (!a->plan.reachable)
		return "the target is not reached by settings alone";
	if (a->plan.nrecs > 0) {
		snprintf(buf, size, "%u change%s pending ('sockcap plan')", a->plan.nrecs,
			 a->plan.nrecs == 1 ? " is" : "s are");
		return buf;
	}
	return NULL;
}

/* --check: exit 1, saying why on stderr, when check_failure finds a reason. */
static enum exit_status check_status(const struct cli *c, const struct analysis *a)
{
	char buf[400];
	const char *why;

	if (!c->check || !(why = check_failure(a, buf, sizeof(buf))))
		return EXIT_OK;
	complain("check failed: %s", why);
	return EXIT_CHECK;
}

static enum exit_status render(const struct cli *c, struct analysis *a, bool plan_view,
			       FILE *out)
{
	enum exit_status st;
	struct doc *doc;

	if (c->format == FORMAT_TEXT) {
		if (plan_view)
			text_plan(&a->in, want_color(c), out);
		else
			text_audit(&a->in, want_color(c), out);
		return check_status(c, a);
	}
	if (c->format == FORMAT_PROMETHEUS) {
		struct timespec now;

		clock_gettime(CLOCK_REALTIME, &now);
		prom_audit(&a->in, c->has_target, (uint64_t)now.tv_sec * 1000 +
						      (uint64_t)now.tv_nsec / 1000000, out);
		return check_status(c, a);
	}
	doc = report_audit(&a->in);
	st = emit(doc, c, out);
	/* The document's memory is the arena's: main releases it. */
	return st == EXIT_OK ? check_status(c, a) : st;
}

static enum exit_status cmd_audit(const struct cli *c, FILE *out)
{
	static struct analysis a;
	enum exit_status st = analyse(c, false, &a);

	return st == EXIT_OK ? render(c, &a, false, out) : st;
}

static enum exit_status cmd_plan(const struct cli *c, FILE *out)
{
	static struct analysis a;
	enum exit_status st = analyse(c, true, &a);

	return st == EXIT_OK ? render(c, &a, true, out) : st;
}

/* The config writers print one file; --format does not apply. */
static enum exit_status config_command(const struct cli *c, FILE *out,
				       void (*write)(const struct plan *, const struct profile *,
						     FILE *))
{
	static struct analysis a;
	enum exit_status st = analyse(c, true, &a);

	if (st != EXIT_OK)
		return st;
	write(&a.plan, &a.profile, out);
	return check_status(c, &a);
}

static enum exit_status cmd_sysctl(const struct cli *c, FILE *out)
{
	return config_command(c, out, config_sysctl);
}

static enum exit_status cmd_limits(const struct cli *c, FILE *out)
{
	return config_command(c, out, config_limits);
}

static enum exit_status cmd_systemd(const struct cli *c, FILE *out)
{
	return config_command(c, out, config_systemd);
}

static enum exit_status cmd_modules_load(const struct cli *c, FILE *out)
{
	return config_command(c, out, config_modules_load);
}

static enum exit_status cmd_modprobe(const struct cli *c, FILE *out)
{
	return config_command(c, out, config_modprobe);
}

static enum exit_status cmd_ansible(const struct cli *c, FILE *out)
{
	return config_command(c, out, config_ansible);
}

static enum exit_status cmd_facts(const struct cli *c, FILE *out)
{
	struct facts f;
	enum exit_status st;
	struct doc *doc;

	if ((st = read_host(c, &f)) != EXIT_OK)
		return st;
	if (c->format == FORMAT_TEXT) {
		text_facts(&f, out);
		return EXIT_OK;
	}
	doc = report_facts(c->root, &f);
	st = emit(doc, c, out);
	return st;
}

static enum exit_status cmd_profiles(const struct cli *c, FILE *out)
{
	struct profile list[16];
	size_t n = 0;
	enum exit_status st;
	struct doc *doc;

	for (size_t i = 0; profile_builtin_name(i) && n < 15; i++)
		if (profile_builtin(profile_builtin_name(i), &list[n]) == 0)
			n++;
	/* A file given with --profile is shown after the built-in ones. */
	if (looks_like_file(c->profile)) {
		if ((st = load_profile(c->profile, &list[n])) != EXIT_OK)
			return st;
		n++;
	}
	if (c->format == FORMAT_TEXT) {
		text_profiles(list, n, out);
		return EXIT_OK;
	}
	doc = report_profiles(list, n);
	st = emit(doc, c, out);
	return st;
}

/* Measures this host, so it reads the real /proc: --root does not apply. */
static enum exit_status cmd_calibrate(const struct cli *c, FILE *out)
{
	static struct calibration cal;
	struct calibrate_options opt = {
		.pairs = c->has_connections ? c->connections
			 : c->pid	    ? CALIBRATE_DEFAULT_CONNECTIONS
					    : CALIBRATE_DEFAULT_PAIRS,
		.pid = c->pid,
		.send = c->send,
		.progress = isatty(STDERR_FILENO) != 0,
	};
	struct source src = source_root("/");
	char err[512];
	enum exit_status st = EXIT_OK;
	struct doc *doc;

	if (strcmp(c->root, "/") != 0) {
		complain("%s", "calibrate measures this host: --root does not apply");
		return EXIT_USAGE;
	}
	if (c->send && !c->pid) {
		complain("%s", "--send applies to 'calibrate --pid' only");
		return EXIT_USAGE;
	}
	switch (calibrate_run(&src, &opt, &cal, err, sizeof(err))) {
	case CALIBRATE_OK:
		break;
	case CALIBRATE_REFUSED:
		complain("calibration refused: %s", err);
		return EXIT_USAGE;
	case CALIBRATE_FAILED:
		complain("calibration failed: %s", err);
		return EXIT_SYSTEM;
	}
	doc = report_calibration(&cal);
	/* An untrusted figure is shown with its uncertainty, never saved. */
	if (c->save && !cal.trusted) {
		complain("not saved to '%s': %s", c->save,
			 cal.nnotes ? cal.notes[cal.nnotes - 1] : "the measurement is not trusted");
		st = EXIT_USAGE;
	} else if (c->save) {
		size_t len = 0;
		char *json = json_text(doc, &len);

		if (!json || output_to_file(c->save, json, len, err, sizeof(err)) != 0) {
			complain("%s", json ? err : "out of memory");
			st = EXIT_SYSTEM;
		}
		free(json);
	}
	if (c->format == FORMAT_TEXT) {
		text_calibration(&cal, out);
	} else {
		enum exit_status e = emit(doc, c, out);

		st = st == EXIT_OK ? e : st;
	}
	return st;
}

/* The check mode: never exit 2 (CRITICAL) for a usage error, always one
 * status line on stdout. */
static enum exit_status cmd_nagios(const struct cli *c, FILE *out)
{
	static struct analysis a;
	struct plugin_options o = {
		.warning_text = c->warning ? c->warning : PLUGIN_DEFAULT_WARNING,
		.critical_text = c->critical ? c->critical : PLUGIN_DEFAULT_CRITICAL,
		.has_target = c->has_target,
		.target = c->target,
	};
	char err[128];
	enum exit_status st;

	plugin_arm_timeout(c->timeout ? c->timeout : 10);
	if (c->warning)
		o.warning = c->warning_range;
	else
		range_parse(PLUGIN_DEFAULT_WARNING, &o.warning, err, sizeof(err));
	if (c->critical)
		o.critical = c->critical_range;
	else
		range_parse(PLUGIN_DEFAULT_CRITICAL, &o.critical, err, sizeof(err));
	if ((st = analyse(c, false, &a)) != EXIT_OK) {
		plugin_unknown(st == EXIT_USAGE ? "usage error (see standard error)"
					       : "the host could not be read (see standard error)",
			      out);
		return (enum exit_status)PLUGIN_UNKNOWN;
	}
	return (enum exit_status)plugin_report(&a.in, &o, out);
}

/* A usage error of the check mode is UNKNOWN: the command may come after
 * the bad option, which the parser never reached. */
static bool names_nagios(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "nagios") == 0)
			return true;
	return false;
}

static const struct command *find_command(const char *name)
{
	if (!name)
		return &commands[0];
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

int main(int argc, char **argv)
{
	struct cli c;
	char err[512];
	const struct command *cmd;
	char *buf = NULL;
	size_t len = 0;
	FILE *mem;
	enum exit_status st;

	if (cli_parse(argc, argv, &c, err, sizeof(err)) != 0) {
		complain("%s", err);
		short_usage();
		if (c.plugin || names_nagios(argc, argv)) {
			plugin_unknown(err, stdout);
			return (int)PLUGIN_UNKNOWN;
		}
		return EXIT_USAGE;
	}
	if (c.help || c.version) {
		if (c.help)
			usage(stdout, c.plugin);
		else
			printf("sockcap %s\n", SOCKCAP_VERSION);
		if (fflush(stdout) != 0 || ferror(stdout)) {
			complain("cannot write to standard output: %s", strerror(errno));
			return EXIT_SYSTEM;
		}
		return EXIT_OK;
	}
	cmd = find_command(c.command);
	if (!cmd) {
		complain("unknown command %s", QUOTED(c.command));
		short_usage();
		return EXIT_USAGE;
	}
	if ((c.has_connections || c.save || c.send) && cmd->run != cmd_calibrate) {
		complain("--%s applies to 'calibrate' only",
			 c.save ? "save" : c.send ? "send" : "connections");
		short_usage();
		return EXIT_USAGE;
	}
	if ((c.warning || c.critical || c.timeout) && cmd->run != cmd_nagios) {
		fprintf(stderr, "sockcap: --%s applies to 'nagios' only\n",
			c.warning ? "warning" : c.critical ? "critical" : "timeout");
		short_usage();
		return EXIT_USAGE;
	}
	if (c.format == FORMAT_PROMETHEUS && cmd->run != cmd_audit && cmd->run != cmd_plan) {
		fprintf(stderr, "sockcap: --format prometheus applies to 'audit' and 'plan' only\n");
		short_usage();
		return cmd->run == cmd_nagios ? (int)PLUGIN_UNKNOWN : EXIT_USAGE;
	}
	/* Render into memory first: nothing reaches stdout or the -o file
	 * unless the whole document was made. */
	mem = open_memstream(&buf, &len);
	if (!mem) {
		complain("%s", "out of memory");
		return EXIT_SYSTEM;
	}
	/* Only text draws bars and signs: JSON, YAML and the rest need no
	 * locale (loading a UTF-8 one costs more than some audits' reads). */
	if (c.format == FORMAT_TEXT)
		text_set_look(want_ascii(), want_columns(&c));
	st = cmd->run(&c, mem);
	if (fclose(mem) != 0) {
		free(buf);
		complain("%s", "out of memory");
		return EXIT_SYSTEM;
	}
	if (folded(&c, cmd)) {
		size_t wlen;
		char *wrapped = fmt_wrap(buf, len, want_columns(&c), &wlen);

		free(buf);
		if (!wrapped) {
			complain("%s", "out of memory");
			return EXIT_SYSTEM;
		}
		buf = wrapped;
		len = wlen;
	}
	/* A check's every state has its status line; a refused save still
	 * shows the measurement it did not save. */
	if (st == EXIT_OK || st == EXIT_CHECK || cmd->run == cmd_nagios ||
	    (st == EXIT_USAGE && cmd->run == cmd_calibrate && len)) {
		int rc;

		/* Whatever the format, no control character but the colours
		 * reaches a terminal or a file. */
		safe_terminal(buf, len);
		rc = c.output ? output_to_file(c.output, buf, len, err, sizeof(err))
				  : output_to_stdout(buf, len, err, sizeof(err));
		if (rc != 0) {
			complain("%s", err);
			st = EXIT_SYSTEM;
		}
	}
	free(buf);
	arena_release();
	return (int)st;
}

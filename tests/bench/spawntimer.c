/*
 * spawntimer.c - time whole commands (fork + exec + exit + wait), several
 * commands interleaved, with CLOCK_MONOTONIC; used by tests/bench/speed.sh,
 * which builds it into a temporary directory.
 *
 * usage: spawntimer [-n RUNS] [-w WARMUP] [-o RAWFILE] SPEC [:: SPEC ...]
 *   SPEC = [--label=NAME] [--nofile=SOFT] PROGRAM [ARGS...]
 *
 * Every run executes each SPEC once; the order alternates (forward on even
 * runs, backward on odd ones) so that drift hits every command alike.  The
 * child's stdin, stdout and stderr are /dev/null.  --nofile sets the child's
 * soft RLIMIT_NOFILE just before exec (no wrapper process to time).  WARMUP
 * untimed runs come first (default 3); the first one checks that exec works.
 * A command that fails to exec, dies from a signal or exits non-zero is an
 * error (exit status 1).
 *
 * Output: one line per SPEC, "LABEL median_ns=N min_ns=N max_ns=N runs=N";
 * with -o, every timed sample as "run LABEL ns" lines in RAWFILE.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BENCH_NAME "spawntimer"
#include "bench.h"

#define MAX_SPECS 8
#define MAX_RUNS 100000

struct spec {
	const char *label;
	long nofile;    /* -1: inherit */
	char **argv;
	uint64_t *ns;
};

static struct spec specs[MAX_SPECS];
static int nspecs;
static int devnull = -1;

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Run one spec; return elapsed ns.  check_exec: detect exec failure. */
static uint64_t run_one(const struct spec *s, int check_exec)
{
	int ep[2] = { -1, -1 };
	if (check_exec && pipe2(ep, O_CLOEXEC) != 0)
		die("pipe: %s", strerror(errno));

	uint64_t t0 = now_ns();
	pid_t pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		if (s->nofile >= 0) {
			struct rlimit rl;
			if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
				rl.rlim_cur = (rlim_t)s->nofile;
				if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
					int e = errno;
					if (check_exec)
						(void)!write(ep[1], &e, sizeof(e));
					_exit(126);
				}
			}
		}
		dup2(devnull, 0);
		dup2(devnull, 1);
		dup2(devnull, 2);
		execvp(s->argv[0], s->argv);
		int e = errno;
		if (check_exec)
			(void)!write(ep[1], &e, sizeof(e));
		_exit(127);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			die("waitpid: %s", strerror(errno));
	uint64_t t1 = now_ns();

	if (check_exec) {
		int e = 0;
		close(ep[1]);
		if (read(ep[0], &e, sizeof(e)) == (ssize_t)sizeof(e))
			die("%s: cannot run '%s'%s: %s", s->label, s->argv[0],
			    st == 126 << 8 ? " (setrlimit)" : "", strerror(e));
		close(ep[0]);
	}
	if (WIFSIGNALED(st))
		die("%s: '%s' killed by signal %d", s->label, s->argv[0], WTERMSIG(st));
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		die("%s: '%s' exited with status %d", s->label, s->argv[0],
		    WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	return t1 - t0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	long runs = 40, warmup = 3;
	const char *rawfile = NULL;
	int i = 1;

	for (; i < argc; i++) {
		if (!strcmp(argv[i], "-n") && i + 1 < argc)
			runs = parse_long(argv[++i], "run count", 1, MAX_RUNS);
		else if (!strcmp(argv[i], "-w") && i + 1 < argc)
			warmup = parse_long(argv[++i], "warmup count", 0, 1000);
		else if (!strcmp(argv[i], "-o") && i + 1 < argc)
			rawfile = argv[++i];
		else if (!strcmp(argv[i], "--")) {
			i++;
			break;
		} else if (argv[i][0] == '-' && argv[i][1] != '-')
			die("unknown option '%s'", argv[i]);
		else
			break;
	}

	/* Specs, separated by "::". */
	while (i < argc) {
		if (nspecs == MAX_SPECS)
			die("too many commands (max %d)", MAX_SPECS);
		struct spec *s = &specs[nspecs];
		s->nofile = -1;
		s->label = NULL;
		for (; i < argc; i++) {
			if (!strncmp(argv[i], "--label=", 8))
				s->label = argv[i] + 8;
			else if (!strncmp(argv[i], "--nofile=", 9))
				s->nofile = parse_long(argv[i] + 9, "nofile", 1, 1L << 30);
			else
				break;
		}
		int start = i;
		while (i < argc && strcmp(argv[i], "::") != 0)
			i++;
		if (i == start)
			die("empty command");
		s->argv = calloc((size_t)(i - start + 1), sizeof(char *));
		s->ns = calloc((size_t)runs, sizeof(uint64_t));
		if (!s->argv || !s->ns)
			die("out of memory");
		for (int k = start; k < i; k++)
			s->argv[k - start] = argv[k];
		if (!s->label) {
			static char buf[MAX_SPECS][16];
			snprintf(buf[nspecs], sizeof(buf[nspecs]), "cmd%d", nspecs + 1);
			s->label = buf[nspecs];
		}
		nspecs++;
		if (i < argc)
			i++;    /* skip "::" */
	}
	if (nspecs == 0)
		die("usage: spawntimer [-n RUNS] [-w WARMUP] [-o RAWFILE] "
		    "[--label=L] [--nofile=N] CMD [ARGS...] [:: ...]");

	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull < 0)
		die("/dev/null: %s", strerror(errno));
	/* The child gets fds 0-2 through dup2 (which clears O_CLOEXEC). */

	for (long r = 0; r < warmup; r++)
		for (int k = 0; k < nspecs; k++)
			(void)run_one(&specs[k], r == 0);
	if (warmup == 0)
		for (int k = 0; k < nspecs; k++)
			(void)run_one(&specs[k], 1);

	for (long r = 0; r < runs; r++)
		for (int j = 0; j < nspecs; j++) {
			int k = (r % 2 == 0) ? j : nspecs - 1 - j;
			specs[k].ns[r] = run_one(&specs[k], 0);
		}

	if (rawfile) {
		FILE *f = fopen(rawfile, "w");
		if (!f)
			die("%s: %s", rawfile, strerror(errno));
		for (long r = 0; r < runs; r++)
			for (int k = 0; k < nspecs; k++)
				fprintf(f, "%ld %s %llu\n", r, specs[k].label,
					(unsigned long long)specs[k].ns[r]);
		if (fclose(f) != 0)
			die("%s: %s", rawfile, strerror(errno));
	}

	for (int k = 0; k < nspecs; k++) {
		struct spec *s = &specs[k];
		qsort(s->ns, (size_t)runs, sizeof(uint64_t), cmp_u64);
		uint64_t med = runs % 2 ? s->ns[runs / 2]
				       : (s->ns[runs / 2 - 1] + s->ns[runs / 2]) / 2;
		printf("%s median_ns=%llu min_ns=%llu max_ns=%llu runs=%ld\n", s->label,
		       (unsigned long long)med, (unsigned long long)s->ns[0],
		       (unsigned long long)s->ns[runs - 1], runs);
	}
	return 0;
}

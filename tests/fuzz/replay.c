/* Replays inputs through one harness without libFuzzer, for compilers that
 * have none: each file named on the command line, and each file in (and
 * below) each directory named, runs LLVMFuzzerTestOneInput in a child
 * process of its own, so one crash or hang fails that file only.
 *
 * usage: replay_NAME FILE|DIR...
 * Prints each failure, then "NAME: N passed, M failed"; exits 1 when any
 * failed or could not be read. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuzz.h"

#define REPLAY_TIMEOUT 20 /* seconds for one input */

static unsigned passed, failed;

static void run_one(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data = NULL;
	size_t size = 0, cap = 0, n;
	pid_t pid;
	int status;

	if (!f) {
		fprintf(stderr, "replay: cannot open '%s': %s\n", path, strerror(errno));
		failed++;
		return;
	}
	do {
		if (size == cap) {
			uint8_t *p = realloc(data, cap = cap ? 2 * cap : 4096);
			if (!p)
				abort();
			data = p;
		}
		n = fread(data + size, 1, cap - size, f);
		size += n;
	} while (n > 0);
	if (ferror(f)) {
		fprintf(stderr, "replay: cannot read '%s': %s\n", path, strerror(errno));
		fclose(f);
		free(data);
		failed++;
		return;
	}
	fclose(f);
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "replay: cannot fork: %s\n", strerror(errno));
		exit(2);
	}
	if (pid == 0) {
		/* An exact-size copy, as libFuzzer gives it. */
		uint8_t *copy = malloc(size ? size : 1);
		if (!copy)
			abort();
		if (size)
			memcpy(copy, data, size);
		alarm(REPLAY_TIMEOUT);
		LLVMFuzzerTestOneInput(copy, size);
		free(copy);
		/* exit, not _exit: coverage and leak checkers report at exit
		 * (stdio was flushed before the fork). */
		exit(0);
	}
	free(data);
	if (waitpid(pid, &status, 0) < 0) {
		fprintf(stderr, "replay: cannot wait: %s\n", strerror(errno));
		exit(2);
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		passed++;
	} else {
		failed++;
		if (WIFSIGNALED(status))
			fprintf(stderr, "replay: FAILED '%s': %s\n", path,
				WTERMSIG(status) == SIGALRM ? "timed out"
							    : strsignal(WTERMSIG(status)));
		else
			fprintf(stderr, "replay: FAILED '%s': exit status %d\n", path,
				WEXITSTATUS(status));
	}
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void run_path(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0;

	if (stat(path, &st) != 0) {
		fprintf(stderr, "replay: cannot stat '%s': %s\n", path, strerror(errno));
		failed++;
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		run_one(path);
		return;
	}
	if (!(d = opendir(path))) {
		fprintf(stderr, "replay: cannot open '%s': %s\n", path, strerror(errno));
		failed++;
		return;
	}
	/* In name order, so runs are repeatable. */
	while ((e = readdir(d)) != NULL) {
		size_t len;

		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **p = realloc(names, (cap = cap ? 2 * cap : 64) * sizeof(*names));
			if (!p)
				abort();
			names = p;
		}
		len = strlen(path) + strlen(e->d_name) + 2;
		if (!(names[n] = malloc(len)))
			abort();
		snprintf(names[n++], len, "%s/%s", path, e->d_name);
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof(*names), by_name);
	for (size_t i = 0; i < n; i++) {
		run_path(names[i]);
		free(names[i]);
	}
	free(names);
}

int main(int argc, char **argv)
{
	const char *name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", name);
		return 2;
	}
	for (int i = 1; i < argc; i++)
		run_path(argv[i]);
	printf("%s: %u passed, %u failed\n", name, passed, failed);
	return failed ? 1 : 0;
}

/*
 * maxrss.c - runs a command (stdin, stdout and stderr to /dev/null) and
 * prints its peak resident set in KiB (getrusage of the child), for
 * tests/bench/scale.sh. The child is forked from this small program, whose
 * own pages before exec count too (about a megabyte, less than sockcap's).
 *
 * usage: maxrss PROGRAM [ARGS...]
 * Exit status: 0, or 1 when the command cannot run or fails.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct rusage ru;
	int status;
	pid_t pid;

	if (argc < 2) {
		fprintf(stderr, "usage: maxrss PROGRAM [ARGS...]\n");
		return 1;
	}
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
			_exit(127);
		execvp(argv[1], argv + 1);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return 1;
	printf("%ld\n", ru.ru_maxrss);
	return 0;
}

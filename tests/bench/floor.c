/*
 * floor.c - the physical floor of an audit: opens and reads exactly the
 * files `sockcap audit` reads (the list comes from strace, see speed.sh),
 * in its order, and writes nothing. Built static (no shared libraries to
 * load), so what it costs is the kernel's work of producing those files
 * plus a process's start and exit: sockcap / floor is what sockcap adds.
 *
 * usage: floor ITEM...
 *   PATH    open, read(4096) until a short read (a file the kernel writes
 *           as one record, as sockcap reads it), close
 *   +PATH   the same, read to EOF (proc/slabinfo)
 *   /PATH/  open the directory, getdents64 until the end, close
 *   @PATH   open with O_PATH (a test of a directory's existence), close
 *   %PATH   statfs (proc/sys: is it read-only?)
 * A PATH that does not exist costs its failed open, as it costs sockcap.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

static char buf[65536];

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		size_t n = strlen(a);
		int fd;

		if (a[0] == '%') {
			struct statfs sfs;

			statfs(a + 1, &sfs);
		} else if (a[0] == '@') {
			if ((fd = open(a + 1, O_PATH | O_CLOEXEC)) >= 0)
				close(fd);
		} else if (n > 1 && a[n - 1] == '/') {
			if ((fd = open(a, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
				while (syscall(SYS_getdents64, fd, buf, sizeof(buf)) > 0)
					;
				close(fd);
			}
		} else {
			int to_eof = a[0] == '+';
			ssize_t r;

			if ((fd = open(a + to_eof, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) < 0)
				continue;
			while ((r = read(fd, buf, 4096)) > 0 && (to_eof || r == 4096))
				;
			close(fd);
		}
	}
	return 0;
}

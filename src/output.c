#include "output.h"
#include "safe.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, data, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		data += w;
		len -= (size_t)w;
	}
	return 0;
}

/* What an existing path is, for messages about writing to it. */
static const char *kind_of(mode_t mode)
{
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISSOCK(mode))
		return "a socket";
	if (S_ISBLK(mode))
		return "a block device";
	if (S_ISLNK(mode))
		return "a symbolic link";
	return "not a regular file";
}

/* A character device (/dev/null, a terminal) or a FIFO is written to as
 * it is, like a shell redirection: it is never replaced by a file. The
 * open does not follow a link put there since the lstat, and what it
 * opened must still be of the same kind. */
static int write_in_place(const char *path, mode_t kind, const char *data, size_t len,
			  char *err, size_t errsize)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
	struct stat st;

	if (fd < 0) {
		snprintf(err, errsize, "cannot write %s: %s", QUOTED(path), strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || (st.st_mode & S_IFMT) != kind) {
		snprintf(err, errsize, "refusing to write %s: it changed while it was opened",
			 QUOTED(path));
		close(fd);
		return -1;
	}
	if (write_all(fd, data, len) != 0) {
		snprintf(err, errsize, "cannot write %s: %s", QUOTED(path), strerror(errno));
		close(fd);
		return -1;
	}
	if (close(fd) != 0) {
		snprintf(err, errsize, "cannot write %s: %s", QUOTED(path), strerror(errno));
		return -1;
	}
	return 0;
}

int output_to_file(const char *path, const char *data, size_t len, char *err, size_t errsize)
{
	char tmp[PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t pl = strlen(path);
	struct stat st;
	int fd, n;

	if (strcmp(path, "-") == 0)
		return output_to_stdout(data, len, err, errsize);
	if (lstat(path, &st) == 0) {
		if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode))
			return write_in_place(path, st.st_mode & S_IFMT, data, len, err, errsize);
		if (!S_ISREG(st.st_mode)) {
			snprintf(err, errsize, "refusing to write %s: it is %s", QUOTED(path),
				 kind_of(st.st_mode));
			return -1;
		}
	} else if (pl > 0 && path[pl - 1] == '/') {
		snprintf(err, errsize, "cannot write %s: it names a directory, not a file", QUOTED(path));
		return -1;
	}
	if (slash)
		n = snprintf(tmp, sizeof(tmp), "%.*s/.sockcap.XXXXXX", (int)(slash - path), path);
	else
		n = snprintf(tmp, sizeof(tmp), ".sockcap.XXXXXX");
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		snprintf(err, errsize, "cannot write %s: path too long", QUOTED(path));
		return -1;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		snprintf(err, errsize, "cannot write %s: %s", QUOTED(path), strerror(errno));
		return -1;
	}
	if (write_all(fd, data, len) != 0 || fchmod(fd, 0644) != 0 || fsync(fd) != 0) {
		snprintf(err, errsize, "cannot write %s: %s", QUOTED(path), strerror(errno));
		close(fd);
		unlink(tmp);
		return -1;
	}
	if (close(fd) != 0 || rename(tmp, path) != 0) {
		snprintf(err, errsize, "cannot write %s: %s", QUOTED(path), strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

int output_to_stdout(const char *data, size_t len, char *err, size_t errsize)
{
	if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0 || ferror(stdout)) {
		snprintf(err, errsize, "cannot write to standard output: %s", strerror(errno));
		return -1;
	}
	return 0;
}

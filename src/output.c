#include "output.h"

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

int output_to_file(const char *path, const char *data, size_t len, char *err, size_t errsize)
{
	char tmp[PATH_MAX];
	const char *slash = strrchr(path, '/');
	struct stat st;
	int fd, n;

	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
		snprintf(err, errsize, "refusing to write '%s': it is a symbolic link", path);
		return -1;
	}
	if (slash)
		n = snprintf(tmp, sizeof(tmp), "%.*s/.sockcap.XXXXXX", (int)(slash - path), path);
	else
		n = snprintf(tmp, sizeof(tmp), ".sockcap.XXXXXX");
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		snprintf(err, errsize, "cannot write '%s': path too long", path);
		return -1;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		snprintf(err, errsize, "cannot write '%s': %s", path, strerror(errno));
		return -1;
	}
	if (write_all(fd, data, len) != 0 || fchmod(fd, 0644) != 0 || fsync(fd) != 0) {
		snprintf(err, errsize, "cannot write '%s': %s", path, strerror(errno));
		close(fd);
		unlink(tmp);
		return -1;
	}
	if (close(fd) != 0 || rename(tmp, path) != 0) {
		snprintf(err, errsize, "cannot write '%s': %s", path, strerror(errno));
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

/* listeners_parse over a proc/net/tcp and a tcp6 text, and
 * listener_socket_inode over the bytes as a link target: every listener
 * found has an inode, formats terminated, and is counted. */
#include <stdbool.h>

#include "fuzz.h"
#include "listeners.h"

static size_t seen;

static void found(const struct listener *l, void *ctx)
{
	char buf[64];

	(void)ctx;
	FUZZ_CHECK(l->inode != 0);
	listener_format(l, buf, sizeof(buf));
	FUZZ_CHECK(fuzz_terminated(buf, sizeof(buf)) && strchr(buf, ':'));
	(void)listener_loopback(l);
	seen++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_exact(data, size), *s = fuzz_cstr(data, size);

	for (int v6 = 0; v6 < 2; v6++) {
		seen = 0;
		FUZZ_CHECK(listeners_parse(text, size, v6 != 0, found, NULL) == seen);
	}
	(void)listener_socket_inode(s);
	free(text);
	free(s);
	return 0;
}

/* The cgroup files: parse_cgroup_value (memory.max, pids.max, ...: a number
 * or "max"), parse_cgroup_path (proc/PID/cgroup, for the v2 line and for the
 * v1 controllers sockcap looks up) and parse_systemd_unit over every path
 * found and over the input itself. Output buffers are exact-size heap blocks
 * of several sizes, down to 0 and 1, so a write past size is reported. */
#include <stdbool.h>

#include "fuzz.h"
#include "parse.h"

static const char *const controllers[] = {NULL, "memory", "pids", "name=systemd", "cpu"};
static const size_t path_sizes[] = {256, 24, 2, 1, 0};
static const size_t unit_sizes[] = {128, 12, 1, 0};

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n > k && strcmp(s + n - k, suffix) == 0;
}

static void check_unit(const char *cgpath)
{
	for (size_t i = 0; i < sizeof(unit_sizes) / sizeof(unit_sizes[0]); i++) {
		size_t size = unit_sizes[i];
		char *unit = fuzz_alloc(size);
		enum parse_result r = parse_systemd_unit(cgpath, unit, size);

		if (r == PARSE_OK) {
			FUZZ_CHECK(size > 0 && fuzz_terminated(unit, size));
			FUZZ_CHECK(ends_with(unit, ".service") || ends_with(unit, ".scope"));
			FUZZ_CHECK(!strchr(unit, '/') && strstr(cgpath, unit));
		}
		free(unit);
	}
}

static void check_value(const char *text, size_t len)
{
	uint64_t v = 0, plain = 0;
	enum parse_result r = parse_cgroup_value(text, len, &v);
	size_t n = len > 0 && text[len - 1] == '\n' ? len - 1 : len;

	if (n == 3 && memcmp(text, "max", 3) == 0) {
		FUZZ_CHECK(r == PARSE_OK && v == U64_UNLIMITED);
		return;
	}
	/* Otherwise it is a one-number sysctl value. */
	FUZZ_CHECK(r == parse_u64_fields(text, n, &plain, 1));
	if (r == PARSE_OK)
		FUZZ_CHECK(v == plain);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_exact(data, size), *str = fuzz_cstr(data, size);

	check_value(text, size);
	for (size_t c = 0; c < sizeof(controllers) / sizeof(controllers[0]); c++)
		for (size_t i = 0; i < sizeof(path_sizes) / sizeof(path_sizes[0]); i++) {
			size_t psize = path_sizes[i];
			char *path = fuzz_alloc(psize);
			enum parse_result r =
				parse_cgroup_path(text, size, controllers[c], path, psize);

			if (r == PARSE_OK) {
				FUZZ_CHECK(psize > 0 && fuzz_terminated(path, psize));
				FUZZ_CHECK(path[0] == '/' && !strchr(path, '\n'));
				if (i == 0)
					check_unit(path);
			}
			free(path);
		}
	check_unit(str);
	free(text);
	free(str);
	return 0;
}

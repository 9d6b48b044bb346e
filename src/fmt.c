#include "fmt.h"

#include <stdio.h>
#include <string.h>

char *fmt_count(char *buf, size_t size, uint64_t v)
{
	char digits[24], out[FMT_MAX];
	size_t n = (size_t)snprintf(digits, sizeof(digits), "%llu", (unsigned long long)v), o = 0;

	for (size_t i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = digits[i];
	}
	out[o] = '\0';
	snprintf(buf, size, "%s", out);
	return buf;
}

/* Three significant digits, rounded down: a capacity is never overstated. */
char *fmt_approx(char *buf, size_t size, uint64_t v)
{
	static const struct {
		uint64_t unit;
		const char *suffix;
	} units[] = {{1000000000000000000ULL, "E"}, {1000000000000000ULL, "P"},
		     {1000000000000ULL, "T"},       {1000000000ULL, "G"},
		     {1000000ULL, "M"},             {1000ULL, "k"}};

	if (v < 10000)
		return fmt_count(buf, size, v);
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		uint64_t u = units[i].unit, whole = v / u;

		if (whole == 0)
			continue;
		if (whole >= 100)
			snprintf(buf, size, "%llu%s", (unsigned long long)whole, units[i].suffix);
		else if (whole >= 10)
			snprintf(buf, size, "%llu.%llu%s", (unsigned long long)whole,
				 (unsigned long long)(v % u / (u / 10)), units[i].suffix);
		else
			snprintf(buf, size, "%llu.%02llu%s", (unsigned long long)whole,
				 (unsigned long long)(v % u / (u / 100)), units[i].suffix);
		return buf;
	}
	return fmt_count(buf, size, v);
}

char *fmt_bytes(char *buf, size_t size, uint64_t v)
{
	static const char *const units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
	uint64_t u = 1024;
	size_t i = 0;

	if (v < 1024) {
		snprintf(buf, size, "%llu B", (unsigned long long)v);
		return buf;
	}
	while (i + 1 < sizeof(units) / sizeof(units[0]) && v / u >= 1024) {
		u *= 1024;
		i++;
	}
	/* One decimal, rounded down. */
	snprintf(buf, size, "%llu.%llu %s", (unsigned long long)(v / u),
		 (unsigned long long)(v % u * 10 / u), units[i]);
	return buf;
}

#include "fmt.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
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

const char *fmt_plural(uint64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* Display width of s[0..n): UTF-8 continuation bytes and colour escapes
 * take no column. */
static bool room_for(char **out, size_t *cap, size_t need)
{
	char *bigger;

	if (need <= *cap)
		return true;
	bigger = realloc(*out, need * 2);
	if (!bigger)
		return false;
	*out = bigger;
	*cap = need * 2;
	return true;
}

static size_t columns_of(const char *s, size_t n)
{
	size_t w = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\033') {
			while (i < n && s[i] != 'm')
				i++;
			continue;
		}
		w += (c & 0xc0) != 0x80;
	}
	return w;
}

char *fmt_wrap(const char *text, size_t len, unsigned columns, size_t *out_len)
{
	size_t cap = len + len / 4 + 16, o = 0;
	char *out = malloc(cap);

	if (!out)
		return NULL;
	for (size_t start = 0; start < len;) {
		const char *line = text + start;
		const char *nl = memchr(line, '\n', len - start);
		size_t n = nl ? (size_t)(nl - line) : len - start;
		size_t indent = strspn(line, " ");
		size_t pos = 0, more = indent + 4 > 64 ? 64 : indent + 4;
		bool first = true;

		while (pos < n) {
			size_t lead = first ? 0 : more, room = columns > lead + 8 ? columns - lead : 8;
			size_t end = n, brk = 0;

			if (columns_of(line + pos, n - pos) > room) {
				/* The last space at which the piece still fits. */
				for (size_t k = pos; k < n; k++)
					if (line[k] == ' ' && k > pos + (first ? indent : 0) &&
					    columns_of(line + pos, k - pos) <= room)
						brk = k;
				/* A run of spaces breaks at its first one. */
				while (brk > pos + 1 && line[brk - 1] == ' ')
					brk--;
				if (brk)
					end = brk;
			}
			if (!room_for(&out, &cap, o + lead + (end - pos) + 3)) {
				free(out);
				return NULL;
			}
			if (!first) {
				memset(out + o, ' ', lead);
				o += lead;
			}
			memcpy(out + o, line + pos, end - pos);
			o += end - pos;
			pos = end;
			while (pos < n && line[pos] == ' ' && end != n)
				pos++;
			if (pos < n)
				out[o++] = '\n';
			first = false;
		}
		if (!room_for(&out, &cap, o + 2)) {
			free(out);
			return NULL;
		}
		if (nl)
			out[o++] = '\n';
		start += n + (nl != NULL);
	}
	out[o] = '\0';
	*out_len = o;
	return out;
}

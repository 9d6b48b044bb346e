#include "listeners.h"

#include <stdio.h>
#include <string.h>

#include "u64.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* n hex digits at s into *v; false unless all are hex. */
static bool hex(const char *s, size_t n, uint64_t *v)
{
	*v = 0;
	for (size_t i = 0; i < n; i++) {
		int h = hexval(s[i]);

		if (h < 0)
			return false;
		*v = *v << 4 | (uint64_t)h;
	}
	return true;
}

/* The kernel prints each 32-bit word of the address as a host-order
 * integer (%08X): on a little-endian host the bytes come out reversed per
 * word. */
static bool address(const char *s, size_t n, bool v6, uint8_t *out)
{
	size_t words = v6 ? 4 : 1;

	if (n != words * 8)
		return false;
	for (size_t w = 0; w < words; w++) {
		uint64_t v;
		uint32_t word;

		if (!hex(s + 8 * w, 8, &v))
			return false;
		word = (uint32_t)v;
		memcpy(out + 4 * w, &word, 4); /* host order, as the kernel wrote it */
	}
	return true;
}

/* The next blank-separated token of line[0..n) from *p. */
static bool token(const char *line, size_t n, size_t *p, const char **tok, size_t *tn)
{
	while (*p < n && (line[*p] == ' ' || line[*p] == '\t'))
		(*p)++;
	if (*p >= n)
		return false;
	*tok = line + *p;
	while (*p < n && line[*p] != ' ' && line[*p] != '\t')
		(*p)++;
	*tn = (size_t)(line + *p - *tok);
	return true;
}

static bool parse_line(const char *line, size_t n, bool v6, struct listener *l)
{
	const char *t[10], *colon;
	size_t tn[10], p = 0;
	uint64_t v;

	for (int i = 0; i < 10; i++)
		if (!token(line, n, &p, &t[i], &tn[i]))
			return false;
	/* sl local rem st tx:rx tr:when retrnsmt uid timeout inode */
	if (tn[3] != 2 || memcmp(t[3], "0A", 2) != 0)
		return false;
	colon = memchr(t[1], ':', tn[1]);
	if (!colon)
		return false;
	memset(l, 0, sizeof(*l));
	l->v6 = v6;
	if (!address(t[1], (size_t)(colon - t[1]), v6, l->addr))
		return false;
	if ((size_t)(t[1] + tn[1] - colon - 1) != 4 || !hex(colon + 1, 4, &v))
		return false;
	l->port = (uint16_t)v;
	colon = memchr(t[4], ':', tn[4]);
	if (!colon || !hex(colon + 1, (size_t)(t[4] + tn[4] - colon - 1), &l->accept_queue) ||
	    (size_t)(t[4] + tn[4] - colon - 1) > 16)
		return false;
	return u64_parse(t[9], tn[9], &l->inode) && l->inode != 0;
}

size_t listeners_parse(const char *text, size_t len, bool v6,
		       void (*found)(const struct listener *l, void *ctx), void *ctx)
{
	size_t count = 0;

	for (size_t pos = 0; pos < len;) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		struct listener l;

		if (parse_line(text + pos, n, v6, &l)) {
			found(&l, ctx);
			count++;
		}
		pos += n + 1;
	}
	return count;
}

bool listener_loopback(const struct listener *l)
{
	static const uint8_t zero[16], v6loop[16] = {[15] = 1};
	static const uint8_t mapped[12] = {[10] = 0xff, [11] = 0xff};

	if (!l->v6)
		return memcmp(l->addr, zero, 4) == 0 || l->addr[0] == 127;
	return memcmp(l->addr, zero, 16) == 0 || memcmp(l->addr, v6loop, 16) == 0 ||
	       (memcmp(l->addr, mapped, 12) == 0 && l->addr[12] == 127);
}

void listener_format(const struct listener *l, char *buf, size_t size)
{
	if (!l->v6) {
		snprintf(buf, size, "%u.%u.%u.%u:%u", l->addr[0], l->addr[1], l->addr[2],
			 l->addr[3], l->port);
		return;
	}
	snprintf(buf, size, "[%x:%x:%x:%x:%x:%x:%x:%x]:%u", l->addr[0] << 8 | l->addr[1],
		 l->addr[2] << 8 | l->addr[3], l->addr[4] << 8 | l->addr[5],
		 l->addr[6] << 8 | l->addr[7], l->addr[8] << 8 | l->addr[9],
		 l->addr[10] << 8 | l->addr[11], l->addr[12] << 8 | l->addr[13],
		 l->addr[14] << 8 | l->addr[15], l->port);
}

uint64_t listener_socket_inode(const char *target)
{
	size_t n = strlen(target);
	uint64_t v;

	if (n < 10 || strncmp(target, "socket:[", 8) != 0 || target[n - 1] != ']')
		return 0;
	return u64_parse(target + 8, n - 9, &v) ? v : 0;
}

#include "parse.h"

#include <string.h>

#include "u64.h"

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Walks text line by line: *line and *n describe the next line without its
 * newline. Returns false at the end. */
static bool next_line(const char *text, size_t len, size_t *pos, const char **line, size_t *n)
{
	size_t start = *pos, end;

	if (start >= len)
		return false;
	end = start;
	while (end < len && text[end] != '\n')
		end++;
	*line = text + start;
	*n = end - start;
	*pos = end < len ? end + 1 : end;
	return true;
}

/* The next blank-separated token of s[0..n) from *pos. */
static bool next_token(const char *s, size_t n, size_t *pos, const char **tok, size_t *tn)
{
	size_t i = *pos, start;

	while (i < n && is_blank(s[i]))
		i++;
	if (i >= n)
		return false;
	start = i;
	while (i < n && !is_blank(s[i]))
		i++;
	*tok = s + start;
	*tn = i - start;
	*pos = i;
	return true;
}

static bool token_is(const char *tok, size_t tn, const char *word)
{
	return strlen(word) == tn && memcmp(tok, word, tn) == 0;
}

enum parse_result parse_u64_fields(const char *text, size_t len, uint64_t *out, size_t n)
{
	size_t pos = 0, tn, got = 0;
	const char *tok;
	uint64_t tmp[8];

	if (n == 0 || n > 8)
		return PARSE_INVALID;
	if (len > 0 && text[len - 1] == '\n')
		len--;
	if (memchr(text, '\n', len) || memchr(text, '\0', len))
		return PARSE_INVALID;
	while (next_token(text, len, &pos, &tok, &tn)) {
		if (got == n || !u64_parse(tok, tn, &tmp[got]))
			return PARSE_INVALID;
		got++;
	}
	if (got == 0)
		return PARSE_ABSENT;
	if (got != n)
		return PARSE_INVALID;
	memcpy(out, tmp, n * sizeof(*out));
	return PARSE_OK;
}

enum parse_result parse_cgroup_value(const char *text, size_t len, uint64_t *out)
{
	if (len > 0 && text[len - 1] == '\n')
		len--;
	if (len == 3 && memcmp(text, "max", 3) == 0) {
		*out = U64_UNLIMITED;
		return PARSE_OK;
	}
	return parse_u64_fields(text, len, out, 1);
}

enum parse_result parse_meminfo(const char *text, size_t len, const char *key, uint64_t *kb)
{
	size_t pos = 0, n, klen = strlen(key);
	const char *line;

	while (next_line(text, len, &pos, &line, &n)) {
		size_t p = klen + 1, tn;
		const char *tok;

		if (n <= klen || memcmp(line, key, klen) != 0 || line[klen] != ':')
			continue;
		if (!next_token(line, n, &p, &tok, &tn) || !u64_parse(tok, tn, kb))
			return PARSE_INVALID;
		if (next_token(line, n, &p, &tok, &tn) && !token_is(tok, tn, "kB"))
			return PARSE_INVALID;
		if (next_token(line, n, &p, &tok, &tn))
			return PARSE_INVALID;
		return PARSE_OK;
	}
	return PARSE_ABSENT;
}

static bool limit_value(const char *tok, size_t tn, uint64_t *out)
{
	if (token_is(tok, tn, "unlimited")) {
		*out = U64_UNLIMITED;
		return true;
	}
	return u64_parse(tok, tn, out);
}

enum parse_result parse_limits(const char *text, size_t len, const char *name,
			       uint64_t *soft, uint64_t *hard)
{
	size_t pos = 0, n, nlen = strlen(name);
	const char *line;

	while (next_line(text, len, &pos, &line, &n)) {
		size_t p = nlen, tn;
		const char *tok;
		uint64_t s, h;

		/* The name column is followed by at least one blank. */
		if (n <= nlen || memcmp(line, name, nlen) != 0 || !is_blank(line[nlen]))
			continue;
		if (!next_token(line, n, &p, &tok, &tn) || !limit_value(tok, tn, &s))
			return PARSE_INVALID;
		if (!next_token(line, n, &p, &tok, &tn) || !limit_value(tok, tn, &h))
			return PARSE_INVALID;
		*soft = s;
		*hard = h;
		return PARSE_OK;
	}
	return PARSE_ABSENT;
}

enum parse_result parse_sockstat(const char *text, size_t len, const char *proto,
				 const char *field, uint64_t *out)
{
	size_t pos = 0, n;
	const char *line;

	while (next_line(text, len, &pos, &line, &n)) {
		size_t p = 0, tn;
		const char *tok;

		if (!next_token(line, n, &p, &tok, &tn) || !token_is(tok, tn, proto))
			continue;
		while (next_token(line, n, &p, &tok, &tn)) {
			bool match = token_is(tok, tn, field);

			if (!next_token(line, n, &p, &tok, &tn))
				return PARSE_INVALID;
			if (match)
				return u64_parse(tok, tn, out) ? PARSE_OK : PARSE_INVALID;
		}
		return PARSE_ABSENT;
	}
	return PARSE_ABSENT;
}

/* The five numbers after the name of a slabinfo row. */
static enum parse_result slab_row(const char *line, size_t n, size_t p, struct slab_entry *out)
{
	const char *tok;
	size_t tn;
	uint64_t v[5];

	for (int i = 0; i < 5; i++)
		if (!next_token(line, n, &p, &tok, &tn) || !u64_parse(tok, tn, &v[i]))
			return PARSE_INVALID;
	if (v[3] == 0 || v[4] == 0 || v[2] == 0)
		return PARSE_INVALID;
	out->active_objs = v[0];
	out->num_objs = v[1];
	out->objsize = v[2];
	out->objperslab = v[3];
	out->pagesperslab = v[4];
	return PARSE_OK;
}

void slabinfo_scan_begin(struct slabinfo_scan *s, const char *const *names, size_t n,
			 struct slab_entry *out, enum parse_result *results)
{
	s->names = names;
	s->n = n < SLABINFO_SCAN_MAX ? n : SLABINFO_SCAN_MAX;
	s->out = out;
	s->results = results;
	s->found = 0;
	s->lines = 0;
	for (size_t i = 0; i < n; i++) {
		results[i] = n > SLABINFO_SCAN_MAX ? PARSE_INVALID : PARSE_ABSENT;
		if (i < SLABINFO_SCAN_MAX)
			s->nlen[i] = strlen(names[i]);
	}
	if (n > SLABINFO_SCAN_MAX)
		s->found = s->n;
}

/* Finds each row's name with one scan and compares it only with names of
 * its length: a few hundred rows, or tens of thousands on large hosts. */
bool slabinfo_scan_line(struct slabinfo_scan *s, const char *line, size_t ln)
{
	size_t w = 0;

	if (s->found == s->n)
		return false;
	if (s->lines++ == 0) {
		if (ln < 22 || memcmp(line, "slabinfo - version: 2.", 22) != 0) {
			for (size_t i = 0; i < s->n; i++)
				s->results[i] = PARSE_INVALID;
			s->found = s->n;
			return false;
		}
		return true;
	}
	while (w < ln && !is_blank(line[w]))
		w++;
	for (size_t i = 0; i < s->n; i++)
		if (s->results[i] == PARSE_ABSENT && s->nlen[i] == w && memcmp(line, s->names[i], w) == 0) {
			s->results[i] = slab_row(line, ln, w, &s->out[i]);
			s->found++;
			break;
		}
	return s->found < s->n;
}

void slabinfo_scan_end(struct slabinfo_scan *s)
{
	/* No header at all: an empty file is no slabinfo. */
	if (s->lines == 0)
		for (size_t i = 0; i < s->n; i++)
			s->results[i] = PARSE_INVALID;
}

void parse_slabinfo_many(const char *text, size_t len, const char *const *names, size_t n,
			 struct slab_entry *out, enum parse_result *results)
{
	struct slabinfo_scan s;

	slabinfo_scan_begin(&s, names, n, out, results);
	for (size_t pos = 0; pos < len;) {
		const char *line = text + pos, *nl = memchr(line, '\n', len - pos);
		size_t ln = nl ? (size_t)(nl - line) : len - pos;

		pos += ln + 1;
		if (!slabinfo_scan_line(&s, line, ln))
			break;
	}
	slabinfo_scan_end(&s);
}

enum parse_result parse_slabinfo(const char *text, size_t len, const char *cache,
				 struct slab_entry *out)
{
	const char *names[1] = {cache};
	enum parse_result r;

	parse_slabinfo_many(text, len, names, 1, out, &r);
	return r;
}

enum parse_result parse_loadavg_threads(const char *text, size_t len, uint64_t *out)
{
	size_t p = 0, tn;
	const char *tok = NULL, *slash;

	if (len > 0 && text[len - 1] == '\n')
		len--;
	for (int i = 0; i < 4; i++)
		if (!next_token(text, len, &p, &tok, &tn))
			return PARSE_INVALID;
	slash = memchr(tok, '/', tn);
	if (!slash)
		return PARSE_INVALID;
	return u64_parse(slash + 1, (size_t)(tok + tn - slash - 1), out) ? PARSE_OK
									   : PARSE_INVALID;
}

enum parse_result parse_zoneinfo_low(const char *text, size_t len, uint64_t *pages)
{
	size_t pos = 0, n;
	const char *line;
	bool any = false;

	*pages = 0;
	while (next_line(text, len, &pos, &line, &n)) {
		size_t p = 0, tn;
		const char *tok;
		uint64_t v;

		/* "low" and a blank, after the indent: looked at without taking
		 * each line's first word (a few hundred lines a node). */
		while (p < n && is_blank(line[p]))
			p++;
		if (p + 3 > n || memcmp(line + p, "low", 3) != 0 ||
		    (p + 3 < n && !is_blank(line[p + 3])))
			continue;
		p += 3;
		if (!next_token(line, n, &p, &tok, &tn) || !u64_parse(tok, tn, &v) ||
		    next_token(line, n, &p, &tok, &tn))
			return PARSE_INVALID;
		*pages = u64_sat_add(*pages, v);
		any = true;
	}
	return any ? PARSE_OK : PARSE_ABSENT;
}

/* Does the comma-separated list s[0..n) contain word? */
static bool list_has(const char *s, size_t n, const char *word)
{
	size_t wl = strlen(word), i = 0;

	while (i <= n) {
		size_t j = i;
		while (j < n && s[j] != ',')
			j++;
		if (j - i == wl && memcmp(s + i, word, wl) == 0)
			return true;
		i = j + 1;
	}
	return false;
}

enum parse_result parse_cgroup_path(const char *text, size_t len, const char *controller,
				    char *path, size_t size)
{
	size_t pos = 0, n;
	const char *line;

	while (next_line(text, len, &pos, &line, &n)) {
		const char *c1 = memchr(line, ':', n), *c2, *p;
		size_t plen;

		if (!c1)
			continue;
		c2 = memchr(c1 + 1, ':', (size_t)(line + n - c1 - 1));
		if (!c2)
			continue;
		if (controller ? !list_has(c1 + 1, (size_t)(c2 - c1 - 1), controller)
			       : !(c1 - line == 1 && line[0] == '0' && c2 == c1 + 1))
			continue;
		p = c2 + 1;
		plen = (size_t)(line + n - p);
		if (plen == 0 || p[0] != '/' || plen >= size || memchr(p, '\0', plen))
			return PARSE_INVALID;
		memcpy(path, p, plen);
		path[plen] = '\0';
		return PARSE_OK;
	}
	return PARSE_ABSENT;
}

/* Hexadecimal digits only, at most 16 of them. */
static bool hex_parse(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;

	if (n == 0 || n > 16)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		unsigned d = c >= '0' && c <= '9'   ? (unsigned)(c - '0')
			     : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
			     : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10)
						    : 16;
		if (d > 15)
			return false;
		v = v << 4 | d;
	}
	*out = v;
	return true;
}

/* The first number after "KEY" and sep on a line of its own. */
static enum parse_result keyed_field(const char *text, size_t len, const char *key, char sep,
				     int base, uint64_t *out)
{
	size_t pos = 0, n, klen = strlen(key);
	const char *line;

	while (next_line(text, len, &pos, &line, &n)) {
		size_t p = klen + 1, tn;
		const char *tok;
		bool ok;

		if (n <= klen || memcmp(line, key, klen) != 0 || line[klen] != sep)
			continue;
		if (!next_token(line, n, &p, &tok, &tn))
			return PARSE_INVALID;
		ok = base == 16 ? hex_parse(tok, tn, out) : u64_parse(tok, tn, out);
		return ok ? PARSE_OK : PARSE_INVALID;
	}
	return PARSE_ABSENT;
}

enum parse_result parse_status_field(const char *text, size_t len, const char *key, int base,
				     uint64_t *out)
{
	return keyed_field(text, len, key, ':', base, out);
}

enum parse_result parse_stat_field(const char *text, size_t len, const char *key, uint64_t *out)
{
	return keyed_field(text, len, key, ' ', 10, out);
}

static bool ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n > k && memcmp(s + n - k, suffix, k) == 0;
}

enum parse_result parse_systemd_unit(const char *cgpath, char *unit, size_t size)
{
	static const char *const kinds[] = {".service", ".scope"};

	for (size_t k = 0; k < 2; k++) {
		const char *end = cgpath + strlen(cgpath);

		/* From the last component back to the first. */
		while (end > cgpath) {
			const char *start = end;
			size_t n;

			while (start > cgpath && start[-1] != '/')
				start--;
			n = (size_t)(end - start);
			if (ends_with(start, n, kinds[k])) {
				if (n >= size)
					return PARSE_INVALID;
				memcpy(unit, start, n);
				unit[n] = '\0';
				return PARSE_OK;
			}
			end = start > cgpath ? start - 1 : cgpath;
		}
	}
	return PARSE_ABSENT;
}

void text_lines(const char *text, size_t len,
		  void (*each)(const char *line, size_t n, unsigned no, void *ctx), void *ctx)
{
	unsigned no = 0;

	for (size_t pos = 0; pos < len;) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;

		each(text + pos, n, ++no, ctx);
		pos += n + 1;
	}
}

void text_printable(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			*s = '?';
}

struct suffix {
	const char *text;
	uint64_t mult;
};

/* digits[.digits] then one of the suffixes (or none); whole results only. */
static bool parse_scaled(const char *s, const struct suffix *sfx, uint64_t *out)
{
	uint64_t whole = 0, frac = 0, scale = 1, mult = 1;
	size_t i = 0, nd;
	bool found = false;

	for (nd = 0; s[i] >= '0' && s[i] <= '9'; i++, nd++)
		;
	if (nd == 0 || !u64_parse(s, nd, &whole))
		return false;
	if (s[i] == '.') {
		size_t start = ++i;
		for (; s[i] >= '0' && s[i] <= '9'; i++)
			;
		if (i == start || i - start > 9 || !u64_parse(s + start, i - start, &frac))
			return false;
		for (size_t k = start; k < i; k++)
			scale *= 10;
	}
	if (s[i] != '\0') {
		for (; sfx->text; sfx++)
			if (strcmp(s + i, sfx->text) == 0) {
				mult = sfx->mult;
				found = true;
				break;
			}
		if (!found)
			return false;
	}
	{
		/* frac < scale <= 1e9 and mult <= 2^40 keep these in 128 bits. */
		unsigned __int128 v = (unsigned __int128)whole * mult;
		unsigned __int128 f = (unsigned __int128)frac * mult;

		if (f % scale != 0)
			return false;
		v += f / scale;
		if (v > UINT64_MAX)
			return false;
		*out = (uint64_t)v;
	}
	return true;
}

bool parse_count_arg(const char *s, uint64_t *out)
{
	static const struct suffix sfx[] = {
		{"k", 1000}, {"K", 1000}, {"m", 1000000}, {"M", 1000000},
		{"g", 1000000000}, {"G", 1000000000}, {NULL, 0},
	};
	return parse_scaled(s, sfx, out);
}

bool parse_size_arg(const char *s, uint64_t *out)
{
	static const struct suffix sfx[] = {
		{"B", 1},
		{"K", 1ULL << 10}, {"k", 1ULL << 10}, {"KiB", 1ULL << 10},
		{"M", 1ULL << 20}, {"m", 1ULL << 20}, {"MiB", 1ULL << 20},
		{"G", 1ULL << 30}, {"g", 1ULL << 30}, {"GiB", 1ULL << 30},
		{"T", 1ULL << 40}, {"t", 1ULL << 40}, {"TiB", 1ULL << 40},
		{NULL, 0},
	};
	return parse_scaled(s, sfx, out);
}

bool parse_share_arg(const char *s, uint64_t *permille)
{
	static const struct suffix sfx[] = {{"%", 10}, {NULL, 0}};
	size_t n = strlen(s);

	return n > 1 && s[n - 1] == '%' && parse_scaled(s, sfx, permille);
}

bool parse_reserve_arg(const char *s, bool *is_share, uint64_t *out)
{
	*is_share = strchr(s, '%') != NULL;
	if (*is_share)
		return parse_share_arg(s, out) && *out <= 900;
	return parse_size_arg(s, out);
}

bool parse_kernel_series(const char *release, unsigned *major, unsigned *minor)
{
	uint64_t a, b;
	const char *dot = strchr(release, '.'), *end;

	if (!dot)
		return false;
	end = dot + 1;
	while (*end >= '0' && *end <= '9')
		end++;
	if (!u64_parse(release, (size_t)(dot - release), &a) ||
	    !u64_parse(dot + 1, (size_t)(end - dot - 1), &b) || a > 1000 || b > 1000)
		return false;
	*major = (unsigned)a;
	*minor = (unsigned)b;
	return true;
}

/* The monitoring writers against whatever the host and the profile hold
 * (DESIGN sections 9 and 10):
 *  - --format prometheus is exposition format 0.0.4 line by line: "# HELP
 *    name text", "# TYPE name gauge" before the samples of name, samples
 *    "name{label="value",...} number" with a number, +Inf or a decimal, no
 *    timestamp; label values escaped (no raw quote, backslash or newline)
 *    and valid UTF-8; a final newline;
 *  - the check is one line "SOCKCAP STATE - text | perfdata" whose STATE
 *    is the state returned, with 'label'=value[UOM];warn;crit;min;max items
 *    whose thresholds are in the range syntax.
 *
 * Input: a host and options as for fuzz_writers.c (vhost.h), and
 * #raw_name (raw bytes as the profile's name, past validation), #warning
 * and #critical (ranges; the defaults when absent or refused). */
#include "out_prom.h"
#include "plan.h"
#include "plugin.h"
#include "report.h"
#include "vhost.h"

static char *capture(void (*write)(const struct report_input *, const void *, FILE *),
		     const struct report_input *in, const void *arg, size_t *len)
{
	char *buf = NULL;
	FILE *m = open_memstream(&buf, len);

	if (!m)
		abort();
	write(in, arg, m);
	if (fclose(m) != 0)
		abort();
	return buf;
}

static void prom(const struct report_input *in, const void *arg, FILE *out)
{
	prom_audit(in, *(const bool *)arg, 1795982408582ULL, out);
}

static enum plugin_state last_state;

static void plugin(const struct report_input *in, const void *arg, FILE *out)
{
	last_state = plugin_report(in, arg, out);
}

/* Length of a UTF-8 sequence at s that is well formed, or 0. */
static size_t utf8_ok(const unsigned char *s, const unsigned char *end)
{
	size_t n = s[0] < 0x80 ? 1 : s[0] >= 0xc2 && s[0] <= 0xdf ? 2 : s[0] >= 0xe0 && s[0] <= 0xef ? 3
					 : s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : 0;

	if (n == 0 || (size_t)(end - s) < n)
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

static bool metric_name(const char *s, size_t n)
{
	if (n < 9 || strncmp(s, "sockcap_", 8) != 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(s[i] == '_' || (s[i] >= 'a' && s[i] <= 'z')))
			return false;
	return true;
}

#define NAMES_MAX 64

static void check_prom(const char *doc, size_t len)
{
	char typed[NAMES_MAX][64];
	unsigned ntyped = 0;
	char helped[64] = "";

	FUZZ_CHECK(len > 0 && doc[len - 1] == '\n');
	for (const char *line = doc; line < doc + len;) {
		const char *nl = memchr(line, '\n', (size_t)(doc + len - line)), *p;
		size_t n = (size_t)(nl - line), name_len;

		FUZZ_CHECK(nl != NULL);
		if (strncmp(line, "# HELP ", 7) == 0) {
			p = line + 7;
			name_len = strcspn(p, " \n");
			FUZZ_CHECK(metric_name(p, name_len) && name_len < sizeof(helped));
			memcpy(helped, p, name_len);
			helped[name_len] = '\0';
		} else if (strncmp(line, "# TYPE ", 7) == 0) {
			p = line + 7;
			name_len = strcspn(p, " \n");
			FUZZ_CHECK(strlen(helped) == name_len && memcmp(p, helped, name_len) == 0);
			FUZZ_CHECK(n == 7 + name_len + 6 && memcmp(p + name_len, " gauge", 6) == 0);
			FUZZ_CHECK(ntyped < NAMES_MAX);
			memcpy(typed[ntyped], p, name_len);
			typed[ntyped++][name_len] = '\0';
		} else {
			const unsigned char *q, *end = (const unsigned char *)nl;
			bool known = false;

			name_len = strcspn(line, "{ \n");
			FUZZ_CHECK(metric_name(line, name_len));
			for (unsigned i = 0; i < ntyped; i++)
				known |= strlen(typed[i]) == name_len && memcmp(typed[i], line, name_len) == 0;
			FUZZ_CHECK(known);
			q = (const unsigned char *)line + name_len;
			if (*q == '{') {
				q++;
				for (;;) {
					while (*q >= 'a' && *q <= 'z')
						q++;
					FUZZ_CHECK(q[0] == '=' && q[1] == '"');
					for (q += 2; *q != '"'; ) {
						size_t u;

						FUZZ_CHECK(q < end);
						if (*q == '\\') {
							FUZZ_CHECK(q[1] == '\\' || q[1] == '"' || q[1] == 'n');
							q += 2;
							continue;
						}
						u = utf8_ok(q, end);
						FUZZ_CHECK(u > 0);
						q += u;
					}
					q++;
					if (*q == ',') {
						q++;
						continue;
					}
					FUZZ_CHECK(*q == '}');
					q++;
					break;
				}
			}
			/* One value, no timestamp: digits, a decimal, or +Inf. */
			FUZZ_CHECK(*q == ' ');
			q++;
			if (end - q == 4 && memcmp(q, "+Inf", 4) == 0)
				q += 4;
			else {
				FUZZ_CHECK(*q >= '0' && *q <= '9');
				while (*q >= '0' && *q <= '9')
					q++;
				if (*q == '.') {
					q++;
					FUZZ_CHECK(*q >= '0' && *q <= '9');
					while (*q >= '0' && *q <= '9')
						q++;
				}
			}
			FUZZ_CHECK(q == end);
		}
		line = nl + 1;
	}
}

/* A decimal as range_format writes it: -?digits(.digits)?; returns the
 * length, 0 when there is none. */
static size_t decimal(const char *s)
{
	size_t n = *s == '-', d = strspn(s + n, "0123456789");

	if (d == 0)
		return 0;
	n += d;
	if (s[n] == '.') {
		d = strspn(s + n + 1, "0123456789");
		FUZZ_CHECK(d > 0 && d <= 8 && s[n + d] != '0');
		n += 1 + d;
	}
	return n;
}

/* A threshold field of the perfdata: empty, or [@][~:|start:][end] with at
 * least one bound. */
static void check_threshold(const char *s, size_t n)
{
	size_t i = 0, d;

	if (n == 0)
		return;
	if (s[i] == '@')
		i++;
	if (s[i] == '~') {
		FUZZ_CHECK(s[i + 1] == ':');
		i += 2;
	} else if ((d = decimal(s + i)) > 0) {
		i += d;
		if (i == n)
			return;
		FUZZ_CHECK(s[i] == ':');
		i++;
	}
	i += decimal(s + i);
	FUZZ_CHECK(i == n);
}

__attribute__((noinline)) static void check_plugin(const char *doc, size_t len,
						 enum plugin_state st)
{
	static const char *const states[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};
	const char *bar, *p;
	char head[40];

	FUZZ_CHECK(len > 0 && doc[len - 1] == '\n' && memchr(doc, '\n', len) == doc + len - 1);
	snprintf(head, sizeof(head), "SOCKCAP %s - ", states[st]);
	FUZZ_CHECK(strncmp(doc, head, strlen(head)) == 0);
	for (size_t i = 0; i + 1 < len; i++)
		FUZZ_CHECK((unsigned char)doc[i] >= 0x20 && doc[i] != 0x7f);
	bar = strstr(doc, " | ");
	FUZZ_CHECK(bar && !strstr(bar + 3, " | "));
	for (p = bar + 3; *p != '\n';) {
		const char *field[5];
		size_t flen[5];

		FUZZ_CHECK(*p == '\'');
		p = strchr(p + 1, '\'');
		FUZZ_CHECK(p && p[1] == '=');
		p += 2;
		FUZZ_CHECK(*p == 'U' || (*p >= '0' && *p <= '9'));
		p += strspn(p, "U0123456789");
		p += strspn(p, "B");
		for (int k = 0; k < 4; k++) {
			FUZZ_CHECK(*p == ';');
			field[k] = ++p;
			flen[k] = strcspn(p, "; \n");
			p += flen[k];
		}
		field[4] = p;
		flen[4] = 0;
		check_threshold(field[0], flen[0]);
		check_threshold(field[1], flen[1]);
		FUZZ_CHECK(flen[2] == strspn(field[2], "0123456789"));
		FUZZ_CHECK(flen[3] == strspn(field[3], "0123456789"));
		FUZZ_CHECK(*p == ' ' || *p == '\n');
		if (*p == ' ')
			p++;
	}
}

static void range_option(const struct vhost *h, const char *name, const char *fallback,
			 struct range *r)
{
	char *s = option(h, name), err[128];

	if (!s || range_parse(s, r, err, sizeof(err)) != 0)
		if (range_parse(fallback, r, err, sizeof(err)) != 0)
			abort();
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vhost host;
	static struct facts f;
	static struct plan pl;
	struct source src = world_source(&host.w);
	const struct world_file *raw;
	struct plugin_options po = {.warning_text = "w", .critical_text = "c"};
	struct report_input in;
	struct run r;
	char *doc;
	size_t len;

	vhost_load(&host, data, size);
	options(&host, &r);
	if ((raw = world_find(&host.w, "#raw_name")) != NULL && raw->text) {
		size_t n = raw->len < sizeof(r.profile.name) - 1 ? raw->len : sizeof(r.profile.name) - 1;

		memcpy(r.profile.name, raw->text, n);
		r.profile.name[n] = '\0';
	}
	if (facts_read_pid(&src, r.page_size, r.pid, &f) != FACTS_OK)
		return 0;
	read_listeners(&src, &r, &f);
	if (!plan_compute(&f, &r.profile, &r.opt, r.has_target, r.target, &pl))
		return 0;
	in = (struct report_input){"(fuzz)", &f, &r.profile, &r.opt, &pl.before, &pl};

	doc = capture(prom, &in, &r.has_target, &len);
	check_prom(doc, len);
	free(doc);

	range_option(&host, "#warning", PLUGIN_DEFAULT_WARNING, &po.warning);
	range_option(&host, "#critical", PLUGIN_DEFAULT_CRITICAL, &po.critical);
	po.has_target = r.has_target;
	po.target = r.target;
	doc = capture(plugin, &in, &po, &len);
	check_plugin(doc, len, last_state);
	free(doc);
	return 0;
}

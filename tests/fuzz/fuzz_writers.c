/* Every writer of a file root installs, and the text renderers, against
 * whatever the host and the profile hold (DESIGN section 9): the sysctl.d
 * file has exactly the planned keys, limits.d exactly domain-type-item-value
 * lines, the drop-in exactly [Service] and the planned Limit*= / TasksMax=
 * lines, the Ansible file loads as YAML to exactly the planned tasks, and
 * no control character but newlines reaches any of them or, after main's
 * filter, a terminal.
 *
 * Input: a host and options as for fuzz_facts.c (vhost.h), plus options
 * that put raw bytes where validation would never let them, so that the
 * writers are tested on their own: #raw_name, #raw_description and
 * #raw_origin (the profile's fields), #raw_unit (the plan's unit) and
 * #raw_dropin (the drop-in's file name). The listening ports are read as
 * main reads them (for a profile with outbound sockets). */
#include <yaml.h>

#include "out_config.h"
#include "out_text.h"
#include "plan.h"
#include "report.h"
#include "safe.h"
#include "vhost.h"

/* Copies the raw contents of option name (up to a NUL) into dst. */
static bool raw(const struct vhost *h, const char *name, char *dst, size_t size)
{
	const struct world_file *f = world_find(&h->w, name);
	size_t n;

	if (!f || !f->text)
		return false;
	n = f->len < size - 1 ? f->len : size - 1;
	memcpy(dst, f->text, n);
	dst[n] = '\0';
	return true;
}

/* The document one writer makes, NUL-terminated (free it). */
static char *render(void (*write)(const struct plan *, const struct profile *, FILE *),
		    const struct plan *pl, const struct profile *p, size_t *len)
{
	char *buf = NULL;
	FILE *m = open_memstream(&buf, len);

	if (!m)
		abort();
	write(pl, p, m);
	if (fclose(m) != 0)
		abort();
	return buf;
}

static void no_controls(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		FUZZ_CHECK(s[i] == '\n' || ((unsigned char)s[i] >= 0x20 && s[i] != 0x7f));
}

static unsigned count_kind(const struct plan *pl, enum rec_kind k)
{
	unsigned n = 0;

	for (unsigned i = 0; i < pl->nrecs; i++)
		n += pl->recs[i].kind == k;
	return n;
}

/* The next line of *s (NUL-terminated in place), or NULL at the end. */
static char *next_line(char **s)
{
	char *line = *s, *nl;

	if (!line || !*line)
		return NULL;
	nl = strchr(line, '\n');
	if (nl) {
		*nl = '\0';
		*s = nl + 1;
	} else {
		*s = NULL;
	}
	return line;
}

static bool is_setting(const char *line)
{
	return line[0] != '\0' && line[0] != '#';
}

static void check_sysctl(const struct plan *pl, char *doc)
{
	unsigned seen[RECS_MAX] = {0}, lines = 0;
	char *line;

	while ((line = next_line(&doc)) != NULL) {
		const char *eq;
		bool found = false;

		if (!is_setting(line))
			continue;
		lines++;
		eq = strstr(line, " = ");
		FUZZ_CHECK(eq != NULL);
		for (unsigned i = 0; i < pl->nrecs && !found; i++) {
			const struct recommendation *r = &pl->recs[i];
			const char *slash = fact_defs[r->fact].path + strlen("proc/sys/");
			size_t kl = (size_t)(eq - line);

			if (r->kind != REC_SYSCTL || strcmp(eq + 3, r->recommended) != 0)
				continue;
			if ((strlen(r->key) == kl && strncmp(line, r->key, kl) == 0) ||
			    (strlen(slash) == kl && strncmp(line, slash, kl) == 0))
				found = true, seen[i]++;
		}
		FUZZ_CHECK(found);
	}
	FUZZ_CHECK(lines == count_kind(pl, REC_SYSCTL));
	for (unsigned i = 0; i < pl->nrecs; i++)
		FUZZ_CHECK(pl->recs[i].kind != REC_SYSCTL || seen[i] == 1);
}

/* Returns how many lines limits.d holds. */
static unsigned check_limits(const struct plan *pl, char *doc)
{
	unsigned lines = 0, star = 0;
	char *line;

	while ((line = next_line(&doc)) != NULL) {
		char domain[8], type[8], item[8], value[32], extra[2];

		if (!is_setting(line))
			continue;
		lines++;
		FUZZ_CHECK(sscanf(line, "%7s %7s %7s %31s %1s", domain, type, item, value, extra) == 4);
		FUZZ_CHECK(strcmp(domain, "*") == 0 || strcmp(domain, "root") == 0);
		star += strcmp(domain, "*") == 0;
		FUZZ_CHECK(strcmp(type, "soft") == 0 || strcmp(type, "hard") == 0);
		FUZZ_CHECK(strcmp(item, "nofile") == 0 || strcmp(item, "nproc") == 0);
		FUZZ_CHECK(value[strspn(value, "0123456789")] == '\0');
	}
	/* Every line for '*' again for root, and every planned limit there. */
	FUZZ_CHECK(lines == 2 * star && star >= count_kind(pl, REC_LIMITS));
	return lines;
}

static void check_systemd(const struct plan *pl, char *doc)
{
	unsigned next = 0, lines = 0;
	char *line;

	while ((line = next_line(&doc)) != NULL) {
		char want[2 * REC_TEXT + 2];

		if (!is_setting(line))
			continue;
		if (lines++ == 0) {
			FUZZ_CHECK(strcmp(line, "[Service]") == 0);
			continue;
		}
		while (next < pl->nrecs && pl->recs[next].kind != REC_SYSTEMD)
			next++;
		FUZZ_CHECK(next < pl->nrecs);
		snprintf(want, sizeof(want), "%s=%s", pl->recs[next].key, pl->recs[next].recommended);
		FUZZ_CHECK(strcmp(line, want) == 0);
		FUZZ_CHECK(strncmp(line, "Limit", 5) == 0 || strncmp(line, "TasksMax=", 9) == 0);
		next++;
	}
	FUZZ_CHECK(lines == (count_kind(pl, REC_SYSTEMD) ? count_kind(pl, REC_SYSTEMD) + 1 : 0));
}

/* modules-load.d: comments and module names; modprobe.d: comments, blank
 * lines and "options MODULE param=value", one per planned option. */
static void check_modules(const struct plan *pl, char *doc, bool modprobe)
{
	unsigned n = 0;

	for (char *line = strtok(doc, "\n"); line; line = strtok(NULL, "\n")) {
		if (line[0] == '#')
			continue;
		if (modprobe) {
			char m[64], kv[128];

			FUZZ_CHECK(sscanf(line, "options %63s %127s", m, kv) == 2 && strchr(kv, '='));
		} else {
			FUZZ_CHECK(strspn(line, "abcdefghijklmnopqrstuvwxyz"
						"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == strlen(line));
		}
		n++;
	}
	FUZZ_CHECK(n == count_kind(pl, modprobe ? REC_MODPROBE : REC_MODULES_LOAD));
}

/* The task list loads as YAML: one sequence of mappings, one per planned
 * sysctl and one per limits.d line, each naming its module. */
static void check_ansible(const struct plan *pl, const char *doc, size_t len, unsigned limits)
{
	yaml_parser_t parser;
	yaml_document_t d;
	yaml_node_t *root;
	unsigned sysctl = 0, pam = 0, lines = 0, modprobe = 0;

	FUZZ_CHECK(yaml_parser_initialize(&parser));
	yaml_parser_set_input_string(&parser, (const unsigned char *)doc, len);
	FUZZ_CHECK(yaml_parser_load(&parser, &d));
	root = yaml_document_get_root_node(&d);
	FUZZ_CHECK(root && root->type == YAML_SEQUENCE_NODE);
	for (yaml_node_item_t *it = root->data.sequence.items.start;
	     it < root->data.sequence.items.top; it++) {
		yaml_node_t *task = yaml_document_get_node(&d, *it);

		FUZZ_CHECK(task && task->type == YAML_MAPPING_NODE);
		FUZZ_CHECK(task->data.mapping.pairs.top - task->data.mapping.pairs.start == 2);
		for (yaml_node_pair_t *p = task->data.mapping.pairs.start;
		     p < task->data.mapping.pairs.top; p++) {
			yaml_node_t *k = yaml_document_get_node(&d, p->key);
			const char *key = (const char *)k->data.scalar.value;

			FUZZ_CHECK(k->type == YAML_SCALAR_NODE);
			FUZZ_CHECK(strcmp(key, "name") == 0 || strcmp(key, "ansible.posix.sysctl") == 0 ||
				   strcmp(key, "community.general.pam_limits") == 0 ||
				   strcmp(key, "ansible.builtin.lineinfile") == 0 ||
				   strcmp(key, "community.general.modprobe") == 0);
			sysctl += strcmp(key, "ansible.posix.sysctl") == 0;
			pam += strcmp(key, "community.general.pam_limits") == 0;
			lines += strcmp(key, "ansible.builtin.lineinfile") == 0;
			modprobe += strcmp(key, "community.general.modprobe") == 0;
		}
	}
	FUZZ_CHECK(sysctl == count_kind(pl, REC_SYSCTL) && pam == limits);
	/* A modules-load.d line and a load-now task per module; a modprobe.d line per option. */
	FUZZ_CHECK(modprobe == count_kind(pl, REC_MODULES_LOAD));
	FUZZ_CHECK(lines == count_kind(pl, REC_MODULES_LOAD) + count_kind(pl, REC_MODPROBE));
	yaml_document_delete(&d);
	yaml_parser_delete(&parser);
}

/* A text renderer's output after main's filter: colours and newlines, no
 * other control character; before it, none either unless raw bytes were
 * put past validation. */
static void check_text(void (*write)(const struct report_input *, bool, FILE *),
		       const struct report_input *in, bool color, bool injected)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	if (!m)
		abort();
	write(in, color, m);
	if (fclose(m) != 0)
		abort();
	if (!color && !injected)
		no_controls(buf, len);
	safe_terminal(buf, len);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)buf[i];

		if (c == '\033') {
			FUZZ_CHECK(buf[i + 1] == '[');
			i += 2 + strspn(buf + i + 2, "0123456789;");
			FUZZ_CHECK(buf[i] == 'm');
			continue;
		}
		FUZZ_CHECK(c == '\n' || c == '\t' || (c >= 0x20 && c != 0x7f));
	}
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vhost host;
	static struct facts f;
	static struct plan pl;
	struct source src = world_source(&host.w);
	struct report_input in;
	struct run r;
	bool injected = false;
	char *doc;
	size_t len;
	unsigned limits;

	vhost_load(&host, data, size);
	options(&host, &r);
	injected |= raw(&host, "#raw_name", r.profile.name, sizeof(r.profile.name));
	injected |= raw(&host, "#raw_description", r.profile.description,
			sizeof(r.profile.description));
	injected |= raw(&host, "#raw_origin", r.profile.origin, sizeof(r.profile.origin));
	if (facts_read_pid(&src, r.page_size, r.pid, &f) != FACTS_OK)
		return 0;
	read_listeners(&src, &r, &f);
	if (!plan_compute(&f, &r.profile, &r.opt, r.has_target, r.target, &pl))
		return 0;
	injected |= raw(&host, "#raw_unit", pl.unit, sizeof(pl.unit));
	injected |= raw(&host, "#raw_dropin", pl.dropin, sizeof(pl.dropin));

	doc = render(config_sysctl, &pl, &r.profile, &len);
	no_controls(doc, len);
	check_sysctl(&pl, doc);
	free(doc);
	doc = render(config_limits, &pl, &r.profile, &len);
	no_controls(doc, len);
	limits = check_limits(&pl, doc);
	free(doc);
	doc = render(config_systemd, &pl, &r.profile, &len);
	no_controls(doc, len);
	check_systemd(&pl, doc);
	free(doc);
	doc = render(config_modules_load, &pl, &r.profile, &len);
	no_controls(doc, len);
	check_modules(&pl, doc, false);
	free(doc);
	doc = render(config_modprobe, &pl, &r.profile, &len);
	no_controls(doc, len);
	check_modules(&pl, doc, true);
	free(doc);
	doc = render(config_ansible, &pl, &r.profile, &len);
	no_controls(doc, len);
	check_ansible(&pl, doc, len, limits);
	free(doc);

	in = (struct report_input){"(fuzz)", &f, &r.profile, &r.opt, &pl.before, &pl};
	check_text(text_audit, &in, r.color, injected);
	check_text(text_plan, &in, r.color, injected);
	return 0;
}

/* The fuzzed host shared by fuzz_facts.c and fuzz_writers.c: the input is
 * split into files of an in-memory host (the unit tests' world.h) and
 * options that stand for the command line. The format is described at the
 * top of fuzz_facts.c. */
#ifndef SOCKCAP_FUZZ_VHOST_H
#define SOCKCAP_FUZZ_VHOST_H

#include <stdbool.h>

#include "calibrate.h"
#include "fuzz.h"
#include "model.h"
#include "parse.h"
#include "profile.h"
#include "safe.h"
#include "u64.h"
#include "../unit/world.h"

#define SEP 0x1f
#define PATH_MAX_LEN 256

/* The in-memory host of the unit tests, with the paths it points to. */
struct vhost {
	struct world w;
	char paths[WORLD_MAX][PATH_MAX_LEN];
};

static void add_file(struct vhost *h, const uint8_t *p, size_t n)
{
	static const struct {
		const char *suffix;
		enum fact_status status;
	} statuses[] = {{" !denied", FACT_DENIED}, {" !invalid", FACT_INVALID}, {" !missing", FACT_MISSING}};
	const uint8_t *nl = memchr(p, '\n', n);
	size_t hn = nl ? (size_t)(nl - p) : n;
	enum fact_status st = FACT_OK;
	char *path;

	if (h->w.n == WORLD_MAX || hn == 0 || hn >= PATH_MAX_LEN || memchr(p, '\0', hn))
		return;
	path = h->paths[h->w.n];
	memcpy(path, p, hn);
	path[hn] = '\0';
	for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
		size_t sl = strlen(statuses[i].suffix);

		if (hn > sl && strcmp(path + hn - sl, statuses[i].suffix) == 0) {
			path[hn - sl] = '\0';
			st = statuses[i].status;
		}
	}
	if (world_find(&h->w, path)) /* the first file of a path wins */
		return;
	if (st != FACT_OK)
		world_fail(&h->w, path, st);
	else /* a header alone is an empty file */
		world_set(&h->w, path, nl ? (const char *)nl + 1 : "", nl ? n - hn - 1 : 0, st);
}

/* An option's contents without one trailing newline, NUL-terminated (free
 * it), or NULL when the option is not given. */
static char *option(const struct vhost *h, const char *name)
{
	const struct world_file *f = world_find(&h->w, name);
	size_t n;

	if (!f || !f->text)
		return NULL;
	n = f->len > 0 && f->text[f->len - 1] == '\n' ? f->len - 1 : f->len;
	return fuzz_cstr((const uint8_t *)f->text, n);
}

static bool option_number(const struct vhost *h, const char *name, uint64_t min, uint64_t max,
			  uint64_t *v)
{
	char *s = option(h, name);
	uint64_t n;
	bool ok = s && u64_parse_str(s, &n) && n >= min && n <= max;

	if (ok)
		*v = n;
	free(s);
	return ok;
}

struct run {
	struct profile profile;
	struct calibration calibration;
	struct model_options opt;
	bool has_target, color;
	uint64_t target, page_size;
	unsigned pid;
	char unit[100], user[100]; /* --unit, --user: "" when not given */
	char dropin[72];           /* --dropin: "" when not given */
};

/* What the command line would have given, from the options. */
static void options(const struct vhost *h, struct run *r)
{
	const struct world_file *f;
	char *s;
	uint64_t v;

	memset(r, 0, sizeof(*r));
	r->opt.processes = 1;
	r->opt.upstreams = 1;
	r->page_size = 4096;
	if (profile_builtin("idle", &r->profile) != 0)
		abort();
	if ((s = option(h, "#profile")) != NULL) {
		char err[256];

		f = world_find(&h->w, "#profile"); /* with text: option() found it */
		if (profile_builtin(s, &r->profile) != 0 &&
		    profile_parse(f->text, f->len, "#profile", &r->profile, err,
				  sizeof(err)) != 0 &&
		    profile_builtin("idle", &r->profile) != 0)
			abort();
		free(s);
	}
	if ((s = option(h, "#target")) != NULL) {
		r->has_target = parse_count_arg(s, &r->target) && r->target > 0;
		free(s);
	}
	option_number(h, "#processes", 1, 1048576, &r->opt.processes);
	option_number(h, "#upstreams", 1, 16777216, &r->opt.upstreams);
	if ((s = option(h, "#app_bytes")) != NULL) {
		r->opt.app_bytes_set = parse_size_arg(s, &r->opt.app_bytes) &&
				       r->opt.app_bytes <= (1ULL << 40);
		free(s);
	}
	if (option_number(h, "#pid", 1, 4194304, &v))
		r->pid = (unsigned)v;
	/* As cli.c takes them: letters, digits and ._-@:\ only. */
	for (int k = 0; k < 2; k++) {
		char *dst = k == 0 ? r->unit : r->user;

		if ((s = option(h, k == 0 ? "#unit" : "#user")) == NULL)
			continue;
		if (*s && strlen(s) < 100 && s[0] != '.' && s[0] != '-' &&
		    strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-@:\\") ==
			    strlen(s))
			snprintf(dst, 100, "%s", s);
		free(s);
	}
	if ((s = option(h, "#dropin")) != NULL) {
		if (safe_dropin_name(s)) {
			snprintf(r->dropin, sizeof(r->dropin), "%s", s);
			r->opt.dropin = r->dropin;
		}
		free(s);
	}
	if ((s = option(h, "#reserve")) != NULL) {
		r->opt.reserve_set = parse_reserve_arg(s, &r->opt.reserve_is_share, &r->opt.reserve);
		free(s);
	}
	if (option_number(h, "#page_size", 4096, 65536, &v) &&
	    (v == 4096 || v == 16384 || v == 65536))
		r->page_size = v;
	r->color = world_find(&h->w, "#color") != NULL;
	if ((f = world_find(&h->w, "#calibration")) != NULL && f->text) {
		char err[256];

		if (calibration_parse(f->text, f->len, "#calibration", &r->calibration,
				      err, sizeof(err)) == 0)
			r->opt.calibration = &r->calibration;
	}
}

/* The listening ports, read where main reads them: for a profile with
 * outbound sockets, whose plan may widen the ephemeral range. */
static void read_listeners(const struct source *src, const struct run *r, struct facts *f)
{
	if (r->profile.outbound_sockets > 0)
		facts_read_listeners(src, f);
}

/* Builds the host of one input. */
static void vhost_load(struct vhost *h, const uint8_t *data, size_t size)
{
	size_t start = 0;

	memset(h, 0, sizeof(*h));
	for (size_t i = 0; i <= size; i++)
		if (i == size || data[i] == SEP) {
			add_file(h, data + start, i - start);
			start = i + 1;
		}
	h->w.readonly = world_find(&h->w, "#readonly") != NULL;
}

#endif

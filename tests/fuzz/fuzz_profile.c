/* profile_parse over arbitrary YAML. An accepted profile has every key in
 * its range (profile_keys) and outbound_sockets <= sockets_per_connection; a
 * refused one has a message that starts with the origin and fits the error
 * buffer, whose size also goes down to 7 and 0 bytes (exact-size blocks).
 * Accepted profiles are then rendered by report_profiles and emit_yaml. */
#include <stdbool.h>

#include "arena.h"
#include "fuzz.h"
#include "out_doc.h"
#include "profile.h"
#include "report.h"

static const struct profile_key *key(const char *name)
{
	for (size_t i = 0; i < profile_key_count; i++)
		if (strcmp(profile_keys[i].name, name) == 0)
			return &profile_keys[i];
	abort();
}

static bool in_range(const char *name, uint64_t v)
{
	const struct profile_key *k = key(name);

	return v >= k->min && v <= k->max;
}

static void check_profile(const struct profile *p)
{
	FUZZ_CHECK(fuzz_terminated(p->name, sizeof(p->name)) && p->name[0] != '\0');
	FUZZ_CHECK(fuzz_terminated(p->description, sizeof(p->description)));
	FUZZ_CHECK(strcmp(p->origin, "fuzz") == 0);
	FUZZ_CHECK(in_range("sockets_per_connection", p->sockets_per_connection));
	FUZZ_CHECK(in_range("outbound_sockets", p->outbound_sockets));
	FUZZ_CHECK(p->outbound_sockets <= p->sockets_per_connection);
	FUZZ_CHECK(p->rx_default ? p->rx_bytes == 0 : in_range("rx_bytes", p->rx_bytes));
	FUZZ_CHECK(p->tx_default ? p->tx_bytes == 0 : in_range("tx_bytes", p->tx_bytes));
	FUZZ_CHECK(in_range("app_bytes", p->app_bytes));
	FUZZ_CHECK(in_range("reserved_fds", p->reserved_fds));
	FUZZ_CHECK(in_range("churn_per_second", p->churn_per_second));
}

static void render(const struct profile *p)
{
	static FILE *devnull;
	struct doc *doc;

	if (!devnull && !(devnull = fopen("/dev/null", "w")))
		abort();
	doc = report_profiles(p, 1);
	if (doc) {
		FUZZ_CHECK(emit_json(doc, devnull) == 0);
		FUZZ_CHECK(emit_yaml(doc, devnull) == 0);
	}
	arena_release();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t err_sizes[] = {256, 7, 0};
	char *text = fuzz_exact(data, size);

	for (size_t i = 0; i < sizeof(err_sizes) / sizeof(err_sizes[0]); i++) {
		size_t esize = err_sizes[i];
		char *err = fuzz_alloc(esize);
		struct profile p;
		int rc;

		if (esize)
			err[0] = '\0';
		rc = profile_parse(text, size, "fuzz", &p, err, esize);
		FUZZ_CHECK(rc == 0 || rc == -1);
		if (rc == 0) {
			if (i == 0) {
				check_profile(&p);
				render(&p);
			}
			free(err);
			break; /* the error buffer plays no part */
		}
		if (esize >= 5)
			FUZZ_CHECK(fuzz_terminated(err, esize) && strncmp(err, "fuzz", 4) == 0);
		free(err);
	}
	free(text);
	return 0;
}

/* The whole reader and everything after it: facts_read_subject over an
 * in-memory host built from the input, then model_compute, plan_compute (and
 * planning again after applying the plan), report_audit and report_facts
 * emitted as JSON and YAML, the text renderers and the config writers, all
 * to /dev/null, checking the planner's rules (DESIGN section 4) on the way:
 * a change never lowers a value and keeps the kernel's ceilings, and a plan
 * applied and made again changes nothing. This reaches every parser through
 * the paths sockcap really reads, including the cgroup walk, the slab size
 * fallbacks, container detection and the persistent configuration
 * (sysctl.d, limits.conf, units).
 *
 * Input: files separated by the byte 0x1f (ASCII unit separator). Each file
 * is a header line, its path under the root ("proc/meminfo"), then its
 * contents up to the next 0x1f or the end:
 *
 *     proc/meminfo\nMemTotal: 8000000 kB\n...<0x1f>proc/self/limits\n...
 *
 * A header ending in " !denied", " !invalid" or " !missing" makes the file
 * answer with that status instead. The first file of a path wins. Directories
 * are implied by the paths below them. Headers starting with '#' are
 * options, their contents read as the command line would read them:
 *   #profile    a built-in profile's name, or a profile's YAML (default idle)
 *   #target     --target (parse_count_arg); without it, the memory ceiling
 *   #processes  --processes, #upstreams --upstreams, #app_bytes --app-bytes
 *   #pid        --pid: proc/PID/... instead of proc/self/...
 *   #unit       --unit NAME, #user --user NAME (without #pid, #unit or
 *               #user the subject is a new service on the host)
 *   #dropin     --dropin NAME, #reserve --reserve SIZE|PCT
 *   #page_size  4096, 16384 or 65536 (default 4096)
 *   #readonly   present: every file system is read-only
 *   #color      present: the text renderers use colour
 *   #calibration  --calibration: a calibration file's JSON
 *   #arena      ignored (once: cJSON allocating from the arena; the
 *               document is now always the arena's, doc.h)
 * tests/fuzz/mkseeds.sh writes seeds in this form from tests/fixtures/. */
#include <stdbool.h>

#include "arena.h"
#include "calibrate.h"
#include "facts.h"
#include "fuzz.h"
#include "model.h"
#include "out_config.h"
#include "out_doc.h"
#include "out_text.h"
#include "parse.h"
#include "plan.h"
#include "profile.h"
#include "report.h"
#include "u64.h"
#include "vhost.h"

static void check_facts(const struct facts *f)
{
	for (int id = 0; id < FACT_COUNT; id++) {
		FUZZ_CHECK(f->f[id].status <= FACT_INVALID);
		FUZZ_CHECK(f->f[id].path && strnlen(f->f[id].path, FACT_PATH_MAX) < FACT_PATH_MAX);
	}
	FUZZ_CHECK(f->notes.n <= FACTS_NOTES_MAX);
	for (unsigned i = 0; i < f->notes.n; i++)
		FUZZ_CHECK(fuzz_terminated(f->notes.text[i], sizeof(f->notes.text[i])));
	for (int c = 0; c < CACHE_COUNT; c++) {
		const struct cache_size *cs = &f->cache[c];

		FUZZ_CHECK(cs->from <= SIZE_TABLE);
		/* The model divides by these. */
		if (cs->from != SIZE_ABSENT)
			FUZZ_CHECK(cs->objperslab > 0 && cs->pagesperslab > 0);
	}
	FUZZ_CHECK(fuzz_terminated(f->osrelease, sizeof(f->osrelease)));
	FUZZ_CHECK(fuzz_terminated(f->table_series, sizeof(f->table_series)));
	FUZZ_CHECK(fuzz_terminated(f->unit, sizeof(f->unit)));
	FUZZ_CHECK(fuzz_terminated(f->container.why, sizeof(f->container.why)));
}

/* struct capacity's own promises (model.h). */
static void check_capacity(const struct capacity *c)
{
	FUZZ_CHECK(c->nwarnings <= WARNINGS_MAX);
	for (unsigned i = 0; i < c->nwarnings; i++)
		FUZZ_CHECK(fuzz_terminated(c->warnings[i].message, sizeof(c->warnings[i].message)));
	for (int i = 0; i < ROW_COUNT; i++) {
		const struct row *r = &c->rows[i];

		FUZZ_CHECK(r->status <= ROWS_NA);
		FUZZ_CHECK(fuzz_terminated(r->note, sizeof(r->note)));
		/* connections is the minimum over the rows that can bind, for the
		 * subject's credentials (file_max passes CAP_SYS_ADMIN). */
		FUZZ_CHECK(!r->exempt || i == ROW_FILE_MAX);
		if (c->known && r->status == ROWS_OK && row_can_bind((enum row_id)i) && !r->exempt)
			FUZZ_CHECK(r->connections >= c->connections);
	}
	if (c->known) {
		FUZZ_CHECK(c->binding < ROW_COUNT && row_can_bind(c->binding));
		FUZZ_CHECK(c->rows[c->binding].status == ROWS_OK && !c->rows[c->binding].exempt);
		FUZZ_CHECK(c->rows[c->binding].connections == c->connections);
	} else {
		FUZZ_CHECK(c->binding == ROW_NONE);
	}
}

/* What the kernel itself guarantees about the facts: soft <= hard <= nr_open
 * <= NR_OPEN_MAX, tcp_mem min <= pressure <= max, a port range within
 * 65535. The planner's ceilings are checked only on hosts like that. */
static bool sane(const struct facts *f)
{
	const uint64_t *nofile = f->f[F_NOFILE].v, *nproc = f->f[F_NPROC].v;
	const uint64_t *mem = f->f[F_TCP_MEM].v, *ports = f->f[F_PORT_RANGE].v;
	uint64_t nr_open = fact_ok(f, F_NR_OPEN) ? f->f[F_NR_OPEN].v[0] : NR_OPEN_MAX;

	if (nr_open > NR_OPEN_MAX)
		return false;
	if (fact_ok(f, F_NOFILE) && (nofile[0] > nofile[1] || nofile[1] > nr_open))
		return false;
	if (fact_ok(f, F_NPROC) && nproc[0] > nproc[1])
		return false;
	if (fact_ok(f, F_TCP_MEM) && (mem[0] > mem[1] || mem[1] > mem[2]))
		return false;
	if (fact_ok(f, F_PORT_RANGE) && (ports[0] > ports[1] || ports[1] > 65535))
		return false;
	return !fact_ok(f, F_PID_MAX) || f->f[F_PID_MAX].v[0] <= PID_MAX_LIMIT;
}

/* DESIGN section 4: a change changes something and never lowers a value
 * (the port range widens downwards); the kernel's ceilings hold after it. */
static void check_changes(const struct plan *pl, const struct facts *f, const struct facts *after)
{
	for (unsigned i = 0; i < pl->nrecs; i++) {
		const struct recommendation *rec = &pl->recs[i];
		const struct fact *x = &f->f[rec->fact];
		unsigned n = fact_defs[rec->fact].nvalues ? fact_defs[rec->fact].nvalues : 1;

		if (rec->kind == REC_HARDWARE)
			continue;
		FUZZ_CHECK(strcmp(rec->current, rec->recommended) != 0);
		/* A module to load at boot changes no value: its fact (the
		 * module's refcnt) only says whether it is loaded now. */
		if (x->status != FACT_OK || rec->kind == REC_MODULES_LOAD)
			continue;
		for (unsigned v = 0; v < n && v < 3; v++)
			if ((rec->slot < 0 || (unsigned)rec->slot == v) &&
			    !(rec->fact == F_PORT_RANGE && v == 0))
				FUZZ_CHECK(rec->values[v] >= x->v[v]);
	}
	if (fact_ok(after, F_NR_OPEN))
		FUZZ_CHECK(after->f[F_NR_OPEN].v[0] <= NR_OPEN_MAX);
	if (fact_ok(after, F_NOFILE)) {
		const uint64_t *nofile = after->f[F_NOFILE].v;

		FUZZ_CHECK(nofile[0] <= nofile[1]);
		if (fact_ok(after, F_NR_OPEN))
			FUZZ_CHECK(nofile[1] <= after->f[F_NR_OPEN].v[0]);
	}
	if (fact_ok(after, F_TCP_MEM)) {
		const uint64_t *mem = after->f[F_TCP_MEM].v;

		FUZZ_CHECK(mem[0] <= mem[1] && mem[1] <= mem[2]);
	}
	if (fact_ok(after, F_PORT_RANGE))
		FUZZ_CHECK(after->f[F_PORT_RANGE].v[0] <= after->f[F_PORT_RANGE].v[1] &&
			   after->f[F_PORT_RANGE].v[1] <= 65535);
	if (fact_ok(after, F_PID_MAX))
		FUZZ_CHECK(after->f[F_PID_MAX].v[0] <= PID_MAX_LIMIT);
}

static void check_plan(const struct plan *pl, const struct run *r)
{
	check_capacity(&pl->before);
	check_capacity(&pl->after);
	FUZZ_CHECK(pl->nrecs <= RECS_MAX);
	if (r->has_target)
		FUZZ_CHECK(pl->target == r->target && !pl->target_is_ceiling);
	if (!pl->target_is_ceiling) {
		FUZZ_CHECK(pl->reachable == (pl->after.known && pl->after.connections >= pl->target));
	} else {
		/* The ceiling is what memory less the reserve carries: reached when
		 * every other row that can bind carries it. */
		bool others = pl->after.known;

		for (int i = 0; i < ROW_COUNT; i++)
			if (i != ROW_MEMORY && row_can_bind((enum row_id)i) &&
			    pl->after.rows[i].status == ROWS_OK &&
			    pl->after.rows[i].connections < pl->target)
				others = false;
		FUZZ_CHECK(pl->reachable == others);
	}
	for (unsigned i = 0; i < pl->nrecs; i++) {
		const struct recommendation *rec = &pl->recs[i];

		FUZZ_CHECK(rec->kind <= REC_HARDWARE && rec->fact < FACT_COUNT);
		FUZZ_CHECK(rec->nforms <= 2);
		FUZZ_CHECK(fuzz_terminated(rec->key, sizeof(rec->key)) &&
			   fuzz_terminated(rec->current, sizeof(rec->current)) &&
			   fuzz_terminated(rec->recommended, sizeof(rec->recommended)) &&
			   fuzz_terminated(rec->reason, sizeof(rec->reason)));
	}
}

/* DESIGN section 4: applying a plan and planning again yields no changes
 * but hardware, and none at all once the target is reached. */
static void check_idempotent(const struct plan *pl, const struct plan *again)
{
	for (unsigned i = 0; i < again->nrecs; i++)
		FUZZ_CHECK(again->recs[i].kind == REC_HARDWARE);
	if (pl->reachable && !pl->target_is_ceiling) {
		FUZZ_CHECK(again->nrecs == 0);
		FUZZ_CHECK(again->before.known && again->before.connections >= pl->target);
	}
	/* The ceiling comes from MemTotal less the reserve, which what is in
	 * use now may not leave (a hardware line says so): every other row
	 * carries it. */
	if (pl->reachable && pl->target_is_ceiling)
		for (int i = 0; i < ROW_COUNT; i++)
			if (i != ROW_MEMORY && row_can_bind((enum row_id)i) &&
			    again->before.rows[i].status == ROWS_OK)
				FUZZ_CHECK(again->before.rows[i].connections >= pl->target);
}

static FILE *devnull(void)
{
	static FILE *f;

	if (!f && !(f = fopen("/dev/null", "w")))
		abort();
	return f;
}

static void emit(const struct doc *doc)
{
	/* NULL only when memory ran out. */
	if (!doc)
		return;
	FUZZ_CHECK(emit_json(doc, devnull()) == 0);
	FUZZ_CHECK(emit_yaml(doc, devnull()) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vhost host;
	static struct facts f, applied;
	static struct capacity cap;
	static struct plan pl, again;
	struct source src = world_source(&host.w);
	struct report_input in;
	struct run r;
	bool has_plan;

	vhost_load(&host, data, size);
	options(&host, &r);

	{
		struct subject_request req = {SUBJECT_SERVICE, 0, NULL};

		if (r.pid)
			req = (struct subject_request){SUBJECT_PID, r.pid, NULL};
		else if (r.unit[0])
			req = (struct subject_request){SUBJECT_UNIT, 0, r.unit};
		else if (r.user[0])
			req = (struct subject_request){SUBJECT_USER, 0, r.user};
		switch (facts_read_subject(&src, r.page_size, &req, &f)) {
		case FACTS_OK:
			break;
		case FACTS_NO_ROOT:
		case FACTS_NO_PID:
		case FACTS_KTHREAD:
		case FACTS_ZOMBIE:
		case FACTS_GONE:
		case FACTS_NO_USER:
		case FACTS_NO_UNIT:
			goto out;
		default:
			FUZZ_CHECK(!"facts_read_subject returned no facts_result");
		}
	}
	read_listeners(&src, &r, &f);
	check_facts(&f);

	model_compute(&f, &r.profile, &r.opt, &cap);
	check_capacity(&cap);
	has_plan = plan_compute(&f, &r.profile, &r.opt, r.has_target, r.target, &pl);
	/* The model is pure: the planner's "before" is the same capacity. */
	FUZZ_CHECK(memcmp(&cap, &pl.before, sizeof(cap)) == 0);
	if (r.has_target)
		FUZZ_CHECK(has_plan);
	if (has_plan) {
		check_plan(&pl, &r);
		/* Applied and planned again, only hardware is left to change. */
		applied = f;
		plan_apply(&pl, &applied);
		if (sane(&f))
			check_changes(&pl, &f, &applied);
		FUZZ_CHECK(plan_compute(&applied, &r.profile, &r.opt, true, pl.target, &again));
		check_idempotent(&pl, &again);
	}

	in = (struct report_input){"(fuzz)", &f, &r.profile, &r.opt, &pl.before,
				   has_plan ? &pl : NULL};
	emit(report_audit(&in));
	emit(report_facts("(fuzz)", &f));
	text_audit(&in, r.color, devnull());
	text_facts(&f, devnull());
	if (has_plan) {
		text_plan(&in, r.color, devnull());
		config_sysctl(&pl, &r.profile, devnull());
		config_limits(&pl, &r.profile, devnull());
		config_systemd(&pl, &r.profile, devnull());
		config_ansible(&pl, &r.profile, devnull());
	}
out:
	/* The documents (and a calibration file's) go with the arena. */
	arena_release();
	return 0;
}

# Fuzz harnesses (tests/fuzz/README): included by the Makefile.
#   make fuzz          build every harness with clang's libFuzzer, ASan and UBSan
#   make fuzz-replay   build every harness with $(CC) and replay every corpus file
#   make fuzz-run      run every fuzzer FUZZ_TIME seconds on its corpus (new inputs
#                      go to build/fuzz/new/NAME); FUZZERS=... picks some
#   make fuzz-merge    add to tests/fuzz/corpus/NAME the fewest inputs of
#                      build/fuzz/new/NAME that reach new edges (cmin.sh)
#   make fuzz-crashes  run the saved crashes (tests/fuzz/crashes/NAME) under the
#                      sanitizers: which still crash, which are fixed
# Uses CC, ALL_CFLAGS, LDLIBS, BUILD (default build) and the $(BUILD)/libsockcap.a,
# $(BUILD)/embedded.c, $(BUILD)/objsizes_builtin.c and $(BUILD)/profiles_builtin.c rules of the Makefile; everything it makes is under
# $(BUILD)/fuzz.

# Targets here must not become the default goal wherever this is included.
FUZZ_SAVED_GOAL := $(.DEFAULT_GOAL)

FUZZ_DIR     = tests/fuzz
FUZZ_B       = $(if $(BUILD),$(BUILD),build)
FUZZ_OUT     = $(FUZZ_B)/fuzz
FUZZ_NAMES   = $(patsubst $(FUZZ_DIR)/fuzz_%.c,%,$(wildcard $(FUZZ_DIR)/fuzz_*.c))
FUZZERS     ?= $(FUZZ_NAMES)
FUZZ_TIME   ?= 120
FUZZ_JOBS   ?= 2

FUZZ_CC      = clang
FUZZ_SAN     = -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS  = -g -O1 -std=c11 -Wall -Wextra -D_GNU_SOURCE -Isrc -I$(FUZZ_B) \
               $(shell pkg-config --cflags libcjson yaml-0.1 2>/dev/null)
FUZZ_LIBS    = $(shell pkg-config --libs libcjson yaml-0.1 2>/dev/null)
# The library again, instrumented: libsockcap.a is built without sanitizers.
FUZZ_LIB_SRC = $(filter-out src/main.c,$(wildcard src/*.c))
FUZZ_GEN_OBJ = $(FUZZ_OUT)/obj/embedded.o $(FUZZ_OUT)/obj/profiles_builtin.o \
               $(FUZZ_OUT)/obj/objsizes_builtin.o
FUZZ_LIB_OBJ = $(patsubst src/%.c,$(FUZZ_OUT)/obj/%.o,$(FUZZ_LIB_SRC)) $(FUZZ_GEN_OBJ)
FUZZ_DEPS    = $(wildcard src/*.h) src/facts.def $(FUZZ_DIR)/fuzz.h $(FUZZ_DIR)/vhost.h $(FUZZ_B)/version.h

FUZZ_BIN     = $(patsubst %,$(FUZZ_OUT)/fuzz_%,$(FUZZ_NAMES))
FUZZ_REPLAY  = $(patsubst %,$(FUZZ_OUT)/replay_%,$(FUZZ_NAMES))

.PHONY: fuzz fuzz-replay fuzz-run fuzz-merge fuzz-crashes fuzz-clang

fuzz: $(FUZZ_BIN)

fuzz-clang:
	@command -v $(FUZZ_CC) >/dev/null 2>&1 || { \
		echo "fuzz: needs $(FUZZ_CC) and libFuzzer:" \
		     "apt-get install -y clang libclang-rt-14-dev" >&2; exit 1; }

$(FUZZ_OUT) $(FUZZ_OUT)/obj:
	mkdir -p $@

$(filter-out $(FUZZ_GEN_OBJ),$(FUZZ_LIB_OBJ)): $(FUZZ_OUT)/obj/%.o: src/%.c $(FUZZ_DEPS) | fuzz-clang $(FUZZ_OUT)/obj
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link $(FUZZ_SAN) -c -o $@ $<

$(FUZZ_GEN_OBJ): $(FUZZ_OUT)/obj/%.o: $(FUZZ_B)/%.c $(FUZZ_DEPS) | fuzz-clang $(FUZZ_OUT)/obj
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link $(FUZZ_SAN) -c -o $@ $<

$(FUZZ_OUT)/fuzz_%: $(FUZZ_DIR)/fuzz_%.c $(FUZZ_LIB_OBJ) $(FUZZ_DEPS) | fuzz-clang $(FUZZ_OUT)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $(FUZZ_SAN) -o $@ $< $(FUZZ_LIB_OBJ) $(FUZZ_LIBS)

# The same harnesses without libFuzzer, over the ordinary library (and
# libcjson, the independent reader fuzz_calibration checks ours against).
$(FUZZ_OUT)/replay_%: $(FUZZ_DIR)/fuzz_%.c $(FUZZ_DIR)/replay.c $(FUZZ_DIR)/fuzz.h $(FUZZ_DIR)/vhost.h $(FUZZ_B)/libsockcap.a | $(FUZZ_OUT)
	$(CC) $(ALL_CFLAGS) -o $@ $(FUZZ_DIR)/replay.c $< $(FUZZ_B)/libsockcap.a $(LDLIBS) \
		$(shell pkg-config --libs libcjson 2>/dev/null)

# Every file of tests/fuzz/corpus/NAME through harness NAME, each in a
# process of its own; failures are named on stderr.
fuzz-replay: $(FUZZ_REPLAY)
	@pass=0; fail=0; \
	for n in $(FUZZ_NAMES); do \
		r=$$($(FUZZ_OUT)/replay_$$n $(FUZZ_DIR)/corpus/$$n); \
		case "$$r" in \
		*" passed, "*" failed") \
			p=$${r##*: }; p=$${p%% passed*}; f=$${r##*passed, }; f=$${f%% failed}; \
			pass=$$((pass + p)); fail=$$((fail + f)); \
			[ "$$f" -eq 0 ] || echo "$$r" >&2 ;; \
		*) echo "fuzz-replay: replay_$$n did not finish" >&2; fail=$$((fail + 1)) ;; \
		esac; \
	done; \
	echo "fuzz-replay: $$pass passed, $$fail failed"; \
	[ "$$fail" -eq 0 ]

# Runs FUZZ_JOBS fuzzers at a time, each for FUZZ_TIME seconds, reading
# tests/fuzz/corpus/NAME and writing what it finds to $(FUZZ_OUT)/new/NAME;
# crashes land in $(FUZZ_OUT)/crashes/NAME, logs in $(FUZZ_OUT)/log/NAME.
fuzz-run: $(patsubst %,$(FUZZ_OUT)/fuzz_%,$(FUZZERS))
	@mkdir -p $(FUZZ_OUT)/log
	@printf '%s\n' $(FUZZERS) | xargs -P $(FUZZ_JOBS) -I{} sh -c '\
		mkdir -p $(FUZZ_OUT)/new/{} $(FUZZ_OUT)/crashes/{}; \
		dict=; [ -f $(FUZZ_DIR)/dict/{}.dict ] && dict=-dict=$(FUZZ_DIR)/dict/{}.dict; \
		$(FUZZ_OUT)/fuzz_{} $$dict -max_total_time=$(FUZZ_TIME) -print_final_stats=1 \
			-artifact_prefix=$(FUZZ_OUT)/crashes/{}/ \
			$(FUZZ_OUT)/new/{} $(FUZZ_DIR)/corpus/{} >$(FUZZ_OUT)/log/{} 2>&1; \
		echo "{}: exit $$?, $$(grep -E "^#[0-9]+" $(FUZZ_OUT)/log/{} | tail -n 1)"'

# Adds to tests/fuzz/corpus/NAME, beside its seeds, the fewest inputs of
# $(FUZZ_OUT)/new/NAME (and of the corpus) that reach edges the seeds miss.
fuzz-merge: $(patsubst %,$(FUZZ_OUT)/fuzz_%,$(FUZZERS))
	@for n in $(FUZZERS); do \
		[ -d $(FUZZ_OUT)/new/$$n ] || continue; \
		sh $(FUZZ_DIR)/cmin.sh $(FUZZ_OUT)/fuzz_$$n $(FUZZ_DIR)/corpus/$$n $(FUZZ_OUT)/new/$$n || exit 1; \
	done

# Crashes found and not yet fixed stay out of corpus/ (make check would fail);
# once one is fixed, move it to corpus/NAME so it is replayed for good.
fuzz-crashes: $(FUZZ_BIN)
	@for f in $$(find $(FUZZ_DIR)/crashes -type f 2>/dev/null | LC_ALL=C sort); do \
		n=$${f#$(FUZZ_DIR)/crashes/}; n=$${n%%/*}; \
		if $(FUZZ_OUT)/fuzz_$$n $$f >/dev/null 2>&1; then echo "fixed:   $$f"; \
		else echo "crashes: $$f"; fi; \
	done

.DEFAULT_GOAL := $(FUZZ_SAVED_GOAL)

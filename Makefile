# sockcap: build, test, install.
#   make          build ./sockcap
#   make run      install missing Debian packages (as root), build, audit this host
#   make check    install missing Debian packages (as root), build, run every test

CC      ?= cc
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
# Where bash-completion, zsh (Debian's vendor-completions) and fish look.
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(PREFIX)/share/zsh/vendor-completions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d
PKGS     = libcjson yaml-0.1
TESTPKGS = check
# Debian packages the build and the tests need.
DEB_BUILD = build-essential pkg-config libcjson-dev libyaml-dev
DEB_TEST  = check python3 python3-jsonschema python3-yaml util-linux procps ansible \
            mandoc groff-base bsdextrautils zsh fish

CFLAGS  ?= -O2 -g
WARN     = -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wformat=2 -Wpointer-arith -Wvla -Wundef \
           -Wcast-align -Wnull-dereference
CPPFLAGS += -D_GNU_SOURCE -Isrc -Ibuild
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# libyaml is linked statically where Debian ships the archive: one shared
# library fewer to load makes an audit measurably faster (tests/bench/speed.sh).
YAML_STATIC = $(wildcard $(shell pkg-config --variable=libdir yaml-0.1 2>/dev/null)/libyaml.a)
PKG_LIBS   = $(shell pkg-config --libs libcjson 2>/dev/null) \
             $(if $(YAML_STATIC),$(YAML_STATIC),$(shell pkg-config --libs yaml-0.1 2>/dev/null))
ALL_CFLAGS = $(WARN) $(CFLAGS) $(CPPFLAGS) $(PKG_CFLAGS)
LDLIBS   = $(PKG_LIBS)

PROFILES = data/profiles/idle.yaml data/profiles/websocket.yaml \
           data/profiles/http.yaml data/profiles/proxy.yaml data/profiles/bulk.yaml
LIB_SRC  = $(filter-out src/main.c,$(wildcard src/*.c))
LIB_OBJ  = $(patsubst src/%.c,build/%.o,$(LIB_SRC)) build/embedded.o
HEADERS  = $(wildcard src/*.h) src/facts.def

UNIT_SRC = $(wildcard tests/unit/check_*.c)
UNIT_BIN = $(patsubst tests/unit/%.c,build/tests/%,$(UNIT_SRC))

.PHONY: all run check bench deps deps-test unit cli schema docs install uninstall clean

all: sockcap

sockcap: build/main.o build/libsockcap.a
	$(CC) $(CFLAGS) -o $@ build/main.o build/libsockcap.a $(LDLIBS)

build/libsockcap.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $(LIB_OBJ)

build/%.o: src/%.c $(HEADERS) | build
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

build/embedded.c: tools/embed.sh data/objsizes.tsv $(PROFILES) | build
	sh tools/embed.sh data/objsizes.tsv $(PROFILES) > $@.tmp
	mv $@.tmp $@

build/embedded.o: build/embedded.c src/embedded.h
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

build build/tests:
	mkdir -p $@

# Installs what is missing when run as root, else says exactly what to run.
deps:
	@sh tools/deps.sh $(DEB_BUILD)

deps-test:
	@sh tools/deps.sh $(DEB_BUILD) $(DEB_TEST)

run: deps
	@$(MAKE) --no-print-directory sockcap
	./sockcap audit

build/tests/%: tests/unit/%.c tests/unit/world.h tests/unit/suite.h tests/unit/host.h build/libsockcap.a | build/tests
	$(CC) $(ALL_CFLAGS) $$(pkg-config --cflags $(TESTPKGS)) -Itests/unit -o $@ $< \
		build/libsockcap.a $(LDLIBS) $$(pkg-config --libs $(TESTPKGS))

unit: $(UNIT_BIN)
	@sh tests/unit/run.sh $(UNIT_BIN)

cli: sockcap
	@sh tests/cli/run.sh
	@sh tests/cli/output.sh
	@sh tests/cli/plan.sh
	@sh tests/cli/pid.sh
	@sh tests/cli/calibrate.sh

schema: sockcap
	@sh tests/schema/run.sh

docs: sockcap
	@bash tests/docs/run.sh
	@sh tests/docs/install.sh

install: sockcap
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(BASHCOMPDIR) \
		$(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(FISHCOMPDIR)
	install -m 755 sockcap $(DESTDIR)$(BINDIR)/sockcap
	install -m 644 man/sockcap.8 $(DESTDIR)$(MANDIR)/man8/sockcap.8
	install -m 644 completions/sockcap.bash $(DESTDIR)$(BASHCOMPDIR)/sockcap
	install -m 644 completions/_sockcap $(DESTDIR)$(ZSHCOMPDIR)/_sockcap
	install -m 644 completions/sockcap.fish $(DESTDIR)$(FISHCOMPDIR)/sockcap.fish

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/sockcap $(DESTDIR)$(MANDIR)/man8/sockcap.8 \
		$(DESTDIR)$(BASHCOMPDIR)/sockcap $(DESTDIR)$(ZSHCOMPDIR)/_sockcap \
		$(DESTDIR)$(FISHCOMPDIR)/sockcap.fish

check: deps-test
	@$(MAKE) --no-print-directory sockcap
	@$(MAKE) --no-print-directory unit cli schema docs

clean:
	rm -rf build sockcap

# Measurements on this machine (root for the slab one): the model's per-socket
# bytes against real sockets, and an audit's cost against sysctl(8).
bench: sockcap
	@if [ "$$(id -u)" -eq 0 ] && [ -r /proc/slabinfo ]; then \
		bash tests/bench/slab-per-socket.sh --sockcap ./sockcap; \
	else echo "bench: slab-per-socket needs root and /proc/slabinfo: skipped"; fi
	@bash tests/bench/speed.sh --sockcap ./sockcap

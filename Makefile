# e2e-profile: build, test and install the pprof filters and the wrapper.
#
#   make            build every program into bin/
#   make deps       install missing build and test packages (apt-get, root)
#   make test       deps + build + the whole suite (TAP through prove)
#   make check      the same suite on an ASan+UBSan build
#   make test-lint  fail when two test scripts share a number (test and
#                   check run it first)
#   make fuzz       libFuzzer runs of the decoder and stream reader
#                   (FUZZ_SECONDS=60 in total, split between the two)
#   make install    PREFIX=/usr/local DESTDIR=
#   make demo       deps + build, then profile the Go workload for a minute
#                   (DEMO_SECONDS) with e2e-profile and print analysis.md

PREFIX ?= /usr/local
BINDIR = $(PREFIX)/bin
MANDIR = $(PREFIX)/share/man/man1
DATADIR = $(PREFIX)/share/e2e-profile
CC ?= cc
CFLAGS ?= -O2 -g
WARN = -std=c11 -Wall -Wextra -pedantic -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes
# The generated protobuf code is not ours to fix; it gets the basic set.
GENWARN = -std=c11 -Wall
CPPFLAGS += -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Ilib -I$(B)/gen
# prof.c inflates on a thread of its own.
LIBS_PB = -lprotobuf-c -lz -pthread
LIBS_CURL = -lcurl

# B is the build directory: build/ normally, build/san for `make check`.
B ?= build
BIN ?= bin

PROGS = pprof-decode pprof-top pprof-fetch pprof-series pprof-diff md-report \
	pprof-encode set-stats pprof-memstats test-events phase-split leak-verdict \
	line-stamp
LIBSRC = $(wildcard lib/*.c)
LIBOBJ = $(LIBSRC:lib/%.c=$(B)/lib/%.o) $(B)/gen/profile.pb-c.o
UNIT = $(patsubst tests/unit/%.c,$(B)/tests/%,$(wildcard tests/unit/*.c)) \
	$(patsubst tests/tools/%.c,$(B)/tests/%,$(wildcard tests/tools/*.c))

all: $(PROGS:%=$(BIN)/%) $(UNIT)

$(B)/gen/profile.pb-c.c $(B)/gen/profile.pb-c.h: lib/profile.proto
	@mkdir -p $(B)/gen
	protoc-c --c_out=$(B)/gen --proto_path=lib lib/profile.proto

$(B)/gen/profile.pb-c.o: $(B)/gen/profile.pb-c.c
	$(CC) $(CPPFLAGS) $(GENWARN) $(CFLAGS) -c -o $@ $<

$(B)/lib/%.o: lib/%.c $(wildcard lib/*.h) $(B)/gen/profile.pb-c.h
	@mkdir -p $(B)/lib
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) -c -o $@ $<

$(B)/cmd/%.o: cmd/%/main.c $(wildcard lib/*.h) $(B)/gen/profile.pb-c.h
	@mkdir -p $(B)/cmd
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) -c -o $@ $<

$(B)/libe2e.a: $(LIBOBJ)
	rm -f $@
	ar rcs $@ $(LIBOBJ)

$(BIN)/%: $(B)/cmd/%.o $(B)/libe2e.a
	@mkdir -p $(BIN)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(B)/libe2e.a $(LIBS_PB) -lm

# test-events's built-in patterns are lib/phases.tsv, made a C string.
$(B)/gen/phases.h: lib/phases.tsv
	@mkdir -p $(B)/gen
	{ echo 'static const char phases_tsv[] ='; \
	sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/\t/\\t/g' \
	    -e 's/^/	"/' -e 's/$$/\\n"/' lib/phases.tsv; echo '	;'; } >$@.tmp
	mv $@.tmp $@

$(B)/cmd/test-events.o: $(B)/gen/phases.h

# pprof-fetch is two files (the schedule, the transfers) and links libcurl.
$(B)/cmd/pprof-fetch-fetch.o: cmd/pprof-fetch/fetch.c cmd/pprof-fetch/fetch.h \
		$(wildcard lib/*.h) $(B)/gen/profile.pb-c.h
	@mkdir -p $(B)/cmd
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) -c -o $@ $<

$(B)/cmd/pprof-fetch.o: cmd/pprof-fetch/fetch.h

$(BIN)/pprof-fetch: $(B)/cmd/pprof-fetch.o $(B)/cmd/pprof-fetch-fetch.o \
		$(B)/libe2e.a
	@mkdir -p $(BIN)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(B)/cmd/pprof-fetch.o \
		$(B)/cmd/pprof-fetch-fetch.o $(B)/libe2e.a $(LIBS_PB) \
		$(LIBS_CURL) -lm

# pprof-series is two files (the series, the growth table).
$(B)/cmd/pprof-series-growth.o: cmd/pprof-series/growth.c \
		cmd/pprof-series/series.h $(wildcard lib/*.h) \
		$(B)/gen/profile.pb-c.h
	@mkdir -p $(B)/cmd
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) -c -o $@ $<

$(B)/cmd/pprof-series.o: cmd/pprof-series/series.h

$(BIN)/pprof-series: $(B)/cmd/pprof-series.o $(B)/cmd/pprof-series-growth.o \
		$(B)/libe2e.a
	@mkdir -p $(BIN)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(B)/cmd/pprof-series.o \
		$(B)/cmd/pprof-series-growth.o $(B)/libe2e.a $(LIBS_PB) -lm

$(B)/tests/%: tests/unit/%.c $(B)/libe2e.a $(wildcard lib/*.h)
	@mkdir -p $(B)/tests
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) $(LDFLAGS) -o $@ $< \
		$(B)/libe2e.a $(LIBS_PB) -lm

# Debian package names; each is installed only when missing.
DEPS = libprotobuf-c-dev protobuf-c-compiler zlib1g-dev \
	libcurl4-openssl-dev golang-go pkg-config clang-14 libclang-rt-14-dev \
	chromium

deps:
	@sh scripts/deps.sh $(DEPS)

# The browser test's npm packages (mermaid, marked, playwright-core), as
# pinned by tests/render/package-lock.json, with the machine's Node.js
# (Debian's npm package would fight a NodeSource nodejs); never fetched
# at run time.
render-deps: deps
	@if [ ! -d tests/render/node_modules/mermaid ]; then \
		command -v npm >/dev/null || \
		{ echo "render-deps: npm missing: install Node.js" >&2; exit 1; }; \
		cd tests/render && npm ci --no-audit --no-fund --loglevel=error; \
	fi

# The suite: shell tests (git's t/ style) and C unit tests, all TAP.
test: test-lint deps render-deps all go-progs
	BIN=$(CURDIR)/$(BIN) UNITBIN=$(CURDIR)/$(B)/tests GOBIN=$(CURDIR)/$(GOBIN) \
		prove -f tests/t[0-9]*.sh

check: test-lint deps render-deps go-progs
	$(MAKE) B=build/san BIN=build/san/bin \
		CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
		LDFLAGS="-fsanitize=address,undefined" all
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	BIN=$(CURDIR)/build/san/bin UNITBIN=$(CURDIR)/build/san/tests \
	GOBIN=$(CURDIR)/build/go \
		prove -f tests/t[0-9]*.sh

# The CLI tests again with every program under valgrind's memcheck.
valgrind: all
	UNITBIN=$(CURDIR)/$(B)/tests GOBIN=$(CURDIR)/$(GOBIN) \
		sh tests/valgrind.sh

# Every test script has a number of its own, like git's
# test-lint-duplicates: two of one number are run in an order nobody chose
# and are named ambiguously in messages and notes.
test-lint:
	@dups=$$(ls tests/t[0-9]*.sh | sed 's|^tests/||; s|-.*||' | sort | uniq -d); \
	test -z "$$dups" || { echo "test-lint: test numbers used by two scripts or more: $$dups" >&2; exit 1; }

install: all
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR) $(DESTDIR)$(DATADIR)
	for p in $(PROGS); do \
		install -m 755 $(BIN)/$$p $(DESTDIR)$(BINDIR)/$$p && \
		install -m 644 cmd/$$p/$$p.1 $(DESTDIR)$(MANDIR)/$$p.1; \
	done
	install -m 644 lib/categories.tsv $(DESTDIR)$(DATADIR)/categories.tsv
	install -m 644 lib/phases.tsv $(DESTDIR)$(DATADIR)/phases.tsv
	install -m 755 scripts/e2e-profile $(DESTDIR)$(BINDIR)/e2e-profile
	for f in scripts/e2e-profile.d/*.sh; do \
		install -m 644 $$f $(DESTDIR)$(DATADIR)/ || exit 1; \
	done
	install -m 644 scripts/e2e-profile.1 $(DESTDIR)$(MANDIR)/e2e-profile.1

uninstall:
	for p in $(PROGS); do \
		rm -f $(DESTDIR)$(BINDIR)/$$p $(DESTDIR)$(MANDIR)/$$p.1; \
	done
	rm -f $(DESTDIR)$(DATADIR)/categories.tsv $(DESTDIR)$(DATADIR)/phases.tsv
	rm -f $(DESTDIR)$(BINDIR)/e2e-profile $(DESTDIR)$(MANDIR)/e2e-profile.1
	for f in scripts/e2e-profile.d/*.sh; do \
		rm -f $(DESTDIR)$(DATADIR)/$${f##*/}; \
	done

clean:
	rm -rf build bin tests/trash

# The demo (tests/demo/run.sh): the Go workload, which leaks, profiled by
# e2e-profile while demo-test, the stand-in for an e2e test, drives it for
# DEMO_SECONDS; the report lands in e2e-profiles/demo/analysis.md, an
# earlier one moved aside to demo.N.
DEMO_SECONDS ?= 60

demo: deps all go-progs
	@sh tests/demo/run.sh

demo-test:
	@sh tests/demo/drive.sh $(DEMO_SECONDS)

.PHONY: demo demo-test

.PHONY: all deps render-deps test test-lint check valgrind install uninstall clean \
	go-progs fuzz fuzz-build
.SECONDARY:

$(B)/tests/%: tests/tools/%.c
	@mkdir -p $(B)/tests
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) $(LDFLAGS) -o $@ $<

# The Go test programs (a pprof-serving workload, a fault-injecting server
# and a fake Kubernetes API server), one module under tests/go with no
# dependencies outside Go's standard library, so nothing is downloaded;
# built only for the tests that need them, with Debian's golang-go.
GOBIN = $(B)/go
GOPROGS = $(GOBIN)/workload $(GOBIN)/faultsrv $(GOBIN)/fakekube
GOENV = GOFLAGS= GOCACHE=$(CURDIR)/$(B)/gocache GO111MODULE=on GOPROXY=off \
	GOWORK=off

go-progs: $(GOPROGS)

$(GOBIN)/%: tests/go/%/main.go tests/go/internal/local/local.go tests/go/go.mod
	@mkdir -p $(GOBIN)
	cd tests/go && $(GOENV) go build -o $(CURDIR)/$@ ./$*

# fakekube is in parts, each of them its source.
$(GOBIN)/fakekube: $(wildcard tests/go/fakekube/*.go)

# Fuzzing: libFuzzer targets for the decoder and the stream reader
# (tests/fuzz/), built with clang into build/fuzz/ beside, not instead of,
# the normal build, then run for FUZZ_SECONDS in total, half each, from
# seeds made at run time (see tests/fuzz/run.sh). Working corpora and
# crash artifacts stay under build/fuzz/.
FUZZ_SECONDS ?= 60
FUZZ_CC = clang-14
FUZZ = build/fuzz
FUZZ_CFLAGS = -O1 -g -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CPPFLAGS = -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Ilib -Ibuild/gen
FUZZ_LIBOBJ = $(LIBSRC:lib/%.c=$(FUZZ)/lib/%.o) $(FUZZ)/gen/profile.pb-c.o
FUZZ_PROGS = $(FUZZ)/fuzz-decode $(FUZZ)/fuzz-stream

$(FUZZ)/gen/profile.pb-c.o: build/gen/profile.pb-c.c
	@mkdir -p $(FUZZ)/gen
	$(FUZZ_CC) $(FUZZ_CPPFLAGS) $(GENWARN) $(FUZZ_CFLAGS) \
		-fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ)/lib/%.o: lib/%.c $(wildcard lib/*.h) build/gen/profile.pb-c.h
	@mkdir -p $(FUZZ)/lib
	$(FUZZ_CC) $(FUZZ_CPPFLAGS) $(WARN) $(FUZZ_CFLAGS) \
		-fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ)/fuzz-%: tests/fuzz/fuzz-%.c $(FUZZ_LIBOBJ) $(wildcard lib/*.h)
	$(FUZZ_CC) $(FUZZ_CPPFLAGS) $(WARN) $(FUZZ_CFLAGS) -fsanitize=fuzzer \
		-o $@ $< $(FUZZ_LIBOBJ) $(LIBS_PB) -lm

fuzz-build: $(FUZZ_PROGS)

fuzz: deps all fuzz-build
	FUZZ=$(CURDIR)/$(FUZZ) BIN=$(CURDIR)/$(BIN) \
	UNITBIN=$(CURDIR)/$(B)/tests GOBIN=$(CURDIR)/$(GOBIN) \
		sh tests/fuzz/run.sh $(FUZZ_SECONDS)

# set-stats is two files: the figures (and --figures), the statistics.
$(B)/cmd/set-stats-figures.o: cmd/set-stats/figures.c cmd/set-stats/set-stats.h \
		$(wildcard lib/*.h) $(B)/gen/profile.pb-c.h
	@mkdir -p $(B)/cmd
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) -c -o $@ $<

$(B)/cmd/set-stats.o: cmd/set-stats/set-stats.h

$(BIN)/set-stats: $(B)/cmd/set-stats.o $(B)/cmd/set-stats-figures.o \
		$(B)/libe2e.a
	@mkdir -p $(BIN)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(B)/cmd/set-stats.o \
		$(B)/cmd/set-stats-figures.o $(B)/libe2e.a $(LIBS_PB) -lm

# md-report: the CLI, the run model, the two reports (the analysis in four
# files), markdown.
MDREPORT_OBJ = $(B)/cmd/md-report.o $(B)/cmd/md-report-md.o \
	$(B)/cmd/md-report-run.o $(B)/cmd/md-report-analysis.o \
	$(B)/cmd/md-report-tables.o $(B)/cmd/md-report-advice.o \
	$(B)/cmd/md-report-health.o $(B)/cmd/md-report-compare.o \
	$(B)/cmd/md-report-sets.o $(B)/cmd/md-report-phases.o \
	$(B)/cmd/md-report-runtime.o

$(B)/cmd/md-report-%.o: cmd/md-report/%.c $(wildcard cmd/md-report/*.h) \
		$(wildcard lib/*.h) $(B)/gen/profile.pb-c.h
	@mkdir -p $(B)/cmd
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) -c -o $@ $<

$(B)/cmd/md-report.o: $(wildcard cmd/md-report/*.h)

$(BIN)/md-report: $(MDREPORT_OBJ) $(B)/libe2e.a
	@mkdir -p $(BIN)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(MDREPORT_OBJ) $(B)/libe2e.a \
		$(LIBS_PB) -lm

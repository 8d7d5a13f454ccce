# simk — one entry point. `make help` lists the targets.
#
# -fno-strict-aliasing: like the kernels we model, the code reaches
# containing objects from embedded list nodes (list_entry); we do not want
# type-based alias analysis to reorder those accesses.
#
# Variants build into their own folders so that -O2, -O0, sanitizer and
# clang builds can sit side by side (the determinism tests compare them):
#   build/        default (gcc -O2)        VARIANT=
#   build/O0/     gcc -O0                  VARIANT=O0
#   build/asan/   ASan + UBSan, SIMK_DEBUG_CHECKS (consistency checks at every system-call exit)  VARIANT=asan
#   build/clang/  clang -O2                VARIANT=clang
#   build/fuzz/   clang, libFuzzer + ASan + UBSan (`make fuzz`)  VARIANT=fuzz
#   build/fuzzcov/ clang, source coverage of the fuzz corpora (fuzz/coverage.sh)  VARIANT=fuzzcov

VARIANT ?=
# The version, from one place: `simk --version`, simk.pc and the man page.
VERSION := $(shell cat VERSION)
PYTHON ?= /usr/bin/python3
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

ifeq ($(VARIANT),)
  B := build
  CC ?= gcc
  OPT := -O2
else ifeq ($(VARIANT),O0)
  B := build/O0
  OPT := -O0
else ifeq ($(VARIANT),asan)
  B := build/asan
  OPT := -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined \
	-DSIMK_DEBUG_CHECKS
  SANLD := -fsanitize=address,undefined
else ifeq ($(VARIANT),clang)
  B := build/clang
  CC := clang
  OPT := -O2
else ifeq ($(VARIANT),fuzz)
  B := build/fuzz
  CC := clang
  OPT := -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined
  SANLD := -fsanitize=address,undefined
else ifeq ($(VARIANT),fuzzcov)
  B := build/fuzzcov
  CC := clang
  OPT := -O1 -fprofile-instr-generate -fcoverage-mapping
  SANLD := -fprofile-instr-generate
else ifeq ($(VARIANT),ucontext)
  B := build/ucontext
  OPT := -O2 -DSIMK_CTX_UCONTEXT
else
  $(error unknown VARIANT=$(VARIANT): use O0, asan, clang, fuzz, fuzzcov or ucontext)
endif
ifeq ($(origin CC),default)
  CC := gcc
endif

# Link-time optimisation for the default build with gcc: the hot path of a
# run crosses files (a scenario's statement -> the system-call entry -> the
# scheduler's switch point -> the context switch), and inlining across them
# is worth about a tenth of a small run's CPU (docs/bench.md). The objects
# are fat (native code beside the IR), so libsimk.a still links with any
# compiler, and without -flto. LTO= turns it off.
ifeq ($(VARIANT),)
  ifneq ($(findstring gcc,$(notdir $(CC))),)
    LTO ?= -flto=auto
  endif
endif
ifneq ($(LTO),)
  LTO_CFLAGS := $(LTO) -ffat-lto-objects
  LTO_LDFLAGS := $(LTO) $(OPT)
  # The unit tests' binary links the fat objects' native code: its speed is
  # not measured, and an LTO link of it would cost half a minute a change.
  UNIT_NO_LTO := -fno-lto
else
  # Objects left by an LTO build carry their IR, and gcc's linker plugin
  # optimises whatever carries IR unless told not to (a 10 s link).
  LTO_LDFLAGS := -fno-lto
endif

CFLAGS_BASE := -std=c17 -Wall -Wextra -Werror -g -fno-strict-aliasing -D_GNU_SOURCE -DFIU_ENABLE \
	-DSIMK_VERSION='"$(VERSION)"' -Iinclude -I. -MMD -MP
CFLAGS := $(CFLAGS_BASE) $(OPT) $(LTO_CFLAGS) $(EXTRA_CFLAGS)
# ccache, when installed, makes the rebuilds that a Makefile change forces
# (objects depend on it) and the sibling worktrees' builds cheap; CCACHE= disables it.
CCACHE ?= $(shell command -v ccache 2>/dev/null)
LDLIBS := -lfiu -lm
LDFLAGS := $(SANLD) $(LTO_LDFLAGS)

LIB_DIRS := sim scn kern drivers vfs syscalls guest
LIB_C := $(filter-out guest/cc/%,$(sort $(shell find $(LIB_DIRS) -name '*.c')))
LIB_S := $(sort $(shell find $(LIB_DIRS) -name '*.S'))
LIB_O := $(patsubst %.c,$(B)/obj/%.o,$(LIB_C)) $(patsubst %.S,$(B)/obj/%.o,$(LIB_S))
CLI_C := $(sort $(wildcard cli/*.c))
CLI_O := $(patsubst %.c,$(B)/obj/%.o,$(CLI_C))
UNIT_C := $(sort $(wildcard tests/unit/*.c))
UNIT_O := $(patsubst %.c,$(B)/obj/%.o,$(UNIT_C))
BENCH_C := $(sort $(wildcard bench/*.c))
BENCH_BIN := $(patsubst bench/%.c,$(B)/bench/%,$(BENCH_C))
FUZZ_C := $(sort $(wildcard fuzz/*.c))
FUZZ_BIN := $(patsubst fuzz/%.c,$(B)/%,$(FUZZ_C))
FUZZ_SECONDS ?= 60

.PHONY: all lib cli unit help run test check unit-test pytest deps clean bench guest-tests \
	explore-long variants format tidy fuzz fuzzers install uninstall grade handout

all: $(B)/libsimk.a $(B)/simk $(B)/simk-cc guest-tests

lib: $(B)/libsimk.a
cli: $(B)/simk
unit: $(B)/tests/unit

$(B)/obj/%.o: %.c Makefile
	@mkdir -p $(dir $@)
	@echo "  CC $(B)/$<"
	@$(CCACHE) $(CC) $(CFLAGS) -c $< -o $@

$(B)/obj/%.o: %.S Makefile
	@mkdir -p $(dir $@)
	@echo "  AS $(B)/$<"
	@$(CCACHE) $(CC) $(CFLAGS) -c $< -o $@

$(B)/obj/cli/main.o: VERSION

$(B)/libsimk.a: $(LIB_O)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

# The guest runtime's entry points (__wrap_*, the compiler hooks) are
# exported from the simk binary: a guest program, loaded with dlopen,
# binds to them (docs/guest.md).
GUEST_EXPORTS := -Wl,--dynamic-list=guest/guest.dynlist

$(B)/simk: $(CLI_O) $(B)/libsimk.a guest/guest.dynlist
	$(CC) $(LDFLAGS) $(GUEST_EXPORTS) -o $@ $(CLI_O) $(B)/libsimk.a $(LDLIBS)

# Guest programs (docs/guest.md): simk-cc and the data it reads, made from
# the runtime's table of calls (guest/guest_calls.c).
$(B)/guest-calls-list: guest/cc/calls_list.c $(B)/libsimk.a
	@mkdir -p $(dir $@)
	@echo "  LD $@"
	@$(CC) $(filter-out -MMD -MP,$(CFLAGS)) $(LDFLAGS) -o $@ $< $(B)/libsimk.a $(LDLIBS)

$(B)/share/simk/guest.wrap: $(B)/guest-calls-list
	@mkdir -p $(dir $@)
	$(B)/guest-calls-list wrap > $@.tmp && mv $@.tmp $@

$(B)/share/simk/guest-calls.txt: $(B)/guest-calls-list
	@mkdir -p $(dir $@)
	$(B)/guest-calls-list table > $@.tmp && mv $@.tmp $@

# The headers guests compile against before the host's (guest/include/:
# <libaio.h>, <sys/event.h>, <port.h>...; simk-cc passes -isystem).
GUEST_INCLUDE_H := $(sort $(shell cd guest/include && find . -name '*.h' | sed 's|^\./||'))
GUEST_INCLUDE_OUT := $(addprefix $(B)/share/simk/include/,$(GUEST_INCLUDE_H))

$(B)/share/simk/include/%.h: guest/include/%.h
	@mkdir -p $(dir $@)
	@cp $< $@

$(B)/simk-cc: guest/cc/simk-cc $(B)/share/simk/guest.wrap $(B)/share/simk/guest-calls.txt \
		$(GUEST_INCLUDE_OUT)
	install -m 755 $< $@

# The conformance suite (tests/conformance/<subsystem>/*.c, run by
# tests/py/test_conformance.py): plain programs written for each system,
# built once, by the default build's simk-cc (a guest does not depend on
# the simk variant that runs it; test_conformance.py also runs them under
# the ASan build).
# The same for the guest twins of the scenario races (tests/twins/<subsystem>/,
# run by tests/py/test_twins_<subsystem>.py) and the guest examples (examples/guest/).
CONFORMANCE_C := $(sort $(wildcard tests/conformance/*/*.c tests/twins/*/*.c))
# fileaio (examples/guest/fileaio/): one library, three backends, one
# program per backend (run by tests/py/test_fileaio.py).
FILEAIO_BACKENDS := laio kq port
FILEAIO_SRC := examples/guest/fileaio/workloads.c examples/guest/fileaio/fileaio_common.c
CONFORMANCE_BIN := $(if $(VARIANT),,$(patsubst tests/%.c,$(B)/tests/%,$(CONFORMANCE_C)) \
	$(patsubst examples/guest/%.c,$(B)/examples/guest/%,$(wildcard examples/guest/*.c)) \
	$(patsubst %,$(B)/examples/guest/fileaio_%,$(FILEAIO_BACKENDS)))

# The guest test programs (tests/guest/*.c, run by tests/py/test_guest.py),
# compiled by this build's simk-cc with this build's compiler; race_*.c
# with --race (every shared load and store a switch point).
GUEST_TEST_C := $(sort $(wildcard tests/guest/*.c))
GUEST_TEST_BIN := $(patsubst tests/guest/%.c,$(B)/tests/guest/%,$(GUEST_TEST_C))
guest-tests: $(GUEST_TEST_BIN) $(CONFORMANCE_BIN)

$(B)/tests/guest/%: tests/guest/%.c tests/guest/check.h $(B)/simk-cc
	@mkdir -p $(dir $@)
	@echo "  GUEST $@"
	@CC=$(CC) $(B)/simk-cc $(if $(filter race_%,$*),--race) -O1 -Wall -Wextra -Werror -o $@ $<

$(B)/tests/conformance/%: tests/conformance/%.c tests/guest/check.h $(B)/simk-cc
	@mkdir -p $(dir $@)
	@echo "  GUEST $@"
	@CC=$(CC) $(B)/simk-cc -O1 -Wall -Wextra -Werror -Itests/guest -o $@ $<

$(B)/tests/twins/%: tests/twins/%.c tests/guest/check.h $(B)/simk-cc
	@mkdir -p $(dir $@)
	@echo "  GUEST $@"
	@CC=$(CC) $(B)/simk-cc -O1 -Wall -Wextra -Werror -Itests/guest -o $@ $<

$(B)/examples/guest/fileaio_%: examples/guest/fileaio/fileaio_%.c $(FILEAIO_SRC) \
		$(wildcard examples/guest/fileaio/*.h) $(B)/simk-cc
	@mkdir -p $(dir $@)
	@echo "  GUEST $@"
	@CC=$(CC) $(B)/simk-cc -O1 -Wall -Wextra -Werror -o $@ $(FILEAIO_SRC) $<

$(B)/examples/guest/%: examples/guest/%.c $(B)/simk-cc
	@mkdir -p $(dir $@)
	@echo "  GUEST $@"
	@CC=$(CC) $(B)/simk-cc -O1 -Wall -Wextra -Werror -o $@ $<

$(B)/tests/unit: $(UNIT_O) $(B)/libsimk.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $(UNIT_NO_LTO) -o $@ $(UNIT_O) $(B)/libsimk.a -lcriterion $(LDLIBS)

$(B)/bench/%: bench/%.c bench/bench.h bench/bench_sim.h $(B)/libsimk.a
	@mkdir -p $(dir $@)
	@echo "  LD $@"
	@$(CC) $(filter-out -MMD -MP,$(CFLAGS)) $(LDFLAGS) $(GUEST_EXPORTS) -o $@ $< $(B)/libsimk.a $(LDLIBS) -laio

# The guest benchmarks' programs: each built by simk-cc (the guest) and by
# plain cc (a real process per run, the baseline).
BENCH_GUEST_C := $(sort $(wildcard bench/guest/*.c))
BENCH_GUEST_BIN := $(patsubst bench/guest/%.c,$(B)/bench/guest/%,$(BENCH_GUEST_C)) \
	$(patsubst bench/guest/%.c,$(B)/bench/native/%,$(BENCH_GUEST_C))

$(B)/bench/guest/%: bench/guest/%.c $(B)/simk-cc
	@mkdir -p $(dir $@)
	@echo "  GUEST $@"
	@CC=$(CC) $(B)/simk-cc -O2 -o $@ $<

$(B)/bench/native/%: bench/guest/%.c
	@mkdir -p $(dir $@)
	@echo "  CC $@"
	@$(CC) -O2 -pthread -o $@ $< $(if $(filter laio_%,$*),-laio)

# libFuzzer harnesses (VARIANT=fuzz or fuzzcov; `make fuzz` sets it)
ifneq ($(filter fuzzers,$(MAKECMDGOALS)),)
ifeq ($(filter fuzz fuzzcov,$(VARIANT)),)
$(error the fuzzers build with VARIANT=fuzz or fuzzcov: run `make fuzz`)
endif
endif
fuzzers: $(FUZZ_BIN)

$(FUZZ_BIN): $(B)/%: fuzz/%.c $(wildcard fuzz/*.h) $(B)/libsimk.a
	@mkdir -p $(dir $@)
	@echo "  LD $@"
	@$(CC) $(filter-out -MMD -MP,$(CFLAGS)) -fsanitize=fuzzer -o $@ $< $(B)/libsimk.a $(LDLIBS)

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)

help:
	@echo "make            build build/simk and build/libsimk.a (headers: include/simk/)"
	@echo "make run        install the missing build/run packages (as root), build, run scenarios/demo.scn"
	@echo "make test       install the missing test packages (as root), then the whole suite:"
	@echo "                Criterion (-O2, ASan+UBSan, clang), pytest, determinism, install"
	@echo "make unit-test  Criterion unit tests only (VARIANT=asan for the sanitizer build)"
	@echo "make pytest     scenario and CLI tests only"
	@echo "make bench      benchmarks, each against a baseline measured in the same run"
	@echo "make explore-long  long seed explorations (not in CI)"
	@echo "make fuzz       build the libFuzzer harnesses (build/fuzz/) and run each FUZZ_SECONDS=60 (not in CI;"
	@echo "                FUZZERS='scn_parse_fuzz' picks some; see docs/fuzzing.md)"
	@echo "make grade LAB=NN [SRC=dir|file.patch] [JSON=results.json]  grade a kernel lab (docs/labs.md)"
	@echo "make handout LAB=NN [OUT=dir]  a kernel lab's handout: simk with the lab's stubs, no solutions"
	@echo "make install    install simk, libsimk.a, include/simk/*.h, simk.pc and simk(1)"
	@echo "                (PREFIX=/usr/local, DESTDIR= for staging); make uninstall removes them"
	@echo "make deps       install every Debian package simk uses (as root; scripts/deps.sh"
	@echo "                groups: run, test, bench, fuzz; each target installs its own)"
	@echo "make clean      remove build/"
	@echo "variants: VARIANT=O0 | asan | clang | ucontext (portable context switch; output in build/<variant>/)"
	@echo "LTO=            the default build without link-time optimisation (a quicker link, a slower run)"

# Debian packages, one group per purpose (scripts/deps.sh): `make run` needs
# only the build and run ones; `make test`, `make bench` and `make fuzz` add
# theirs; `make deps` (and .ci/run) installs every group.
deps:
	@bash scripts/deps.sh all

run:
	@bash scripts/deps.sh run
	@$(MAKE) --no-print-directory all
	./build/simk run scenarios/demo.scn

# The sanitizer pass and the other variants are part of `make test`.
variants:
	@$(MAKE) --no-print-directory -j$(JOBS) VARIANT=asan all unit
	@$(MAKE) --no-print-directory -j$(JOBS) VARIANT=O0 all
	@$(MAKE) --no-print-directory -j$(JOBS) VARIANT=clang all unit
	@$(MAKE) --no-print-directory -j$(JOBS) VARIANT=ucontext all

pytest: all
	@# one pytest worker per CPU (pytest-xdist): the tests are independent processes
	SIMK_ROOT=$(CURDIR) $(PYTHON) -m pytest -q -n $(JOBS) tests/py

unit-test: unit
	./$(B)/tests/unit --jobs=$(JOBS)

test: check

check:
	@bash scripts/deps.sh test
	@# the benchmarks are built, not run: `make bench` must not rot unseen
	@$(MAKE) --no-print-directory -j$(JOBS) all unit $(BENCH_BIN) $(BENCH_GUEST_BIN)
	@$(MAKE) --no-print-directory variants
	./build/tests/unit --jobs=$(JOBS)
	ASAN_OPTIONS=detect_leaks=0 ./build/asan/tests/unit --jobs=$(JOBS)
	./build/clang/tests/unit --jobs=$(JOBS)
	@# one pytest worker per CPU (pytest-xdist): the tests are independent processes
	SIMK_ROOT=$(CURDIR) $(PYTHON) -m pytest -q -n $(JOBS) tests/py

# Kernel labs (labs/kernel/, docs/labs.md): LAB=NN picks the lab.
#   make grade LAB=02 [SRC=submission] [JSON=results.json] [GRADE_FLAGS='--grading-seed 7']
#   make handout LAB=02 [OUT=dir]
grade: all
	@test -n "$(LAB)" || { echo "make grade: say which lab, e.g. make grade LAB=01" >&2; exit 2; }
	$(PYTHON) labs/tools/grade.py $(LAB) $(if $(SRC),--src $(SRC)) $(if $(JSON),--json $(JSON)) \
		$(if $(VARIANT),--variant $(VARIANT)) $(GRADE_FLAGS)

handout:
	@test -n "$(LAB)" || { echo "make handout: say which lab, e.g. make handout LAB=01" >&2; exit 2; }
	$(PYTHON) labs/tools/handout.py $(LAB) $(if $(OUT),--out $(OUT))

bench:
	@bash scripts/deps.sh bench
	@$(MAKE) --no-print-directory all $(BENCH_BIN) $(BENCH_GUEST_BIN)
	@bash bench/run.sh $(B)

explore-long: all unit
	@bash scripts/explore-long.sh

fuzz:
	@bash scripts/deps.sh fuzz
	@$(MAKE) --no-print-directory -j$(JOBS) VARIANT=fuzz fuzzers
	@FUZZ_SECONDS=$(FUZZ_SECONDS) bash fuzz/run.sh $(FUZZERS)

format:
	clang-format -i $(LIB_C) $(CLI_C) $(UNIT_C) $(BENCH_C) $(shell find $(LIB_DIRS) cli tests bench include -name "*.h")

tidy:
	clang-tidy $(LIB_C) $(CLI_C) -- $(CFLAGS_BASE)

# `make install` (PREFIX=/usr/local, DESTDIR for staging): the program, the
# library, the public headers (include/simk/, tree kept), the man page and
# simk.pc, so that `cc $$(pkg-config --cflags simk) prog.c $$(pkg-config --libs
# simk)` builds an embedding program. libsimk.a is static: its own
# dependencies (-lfiu -lm) are in Libs, not Libs.private.
# tests/py/test_install.py checks it in a DESTDIR.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR ?= $(PREFIX)/share/man
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
DATADIR ?= $(PREFIX)/share
PUBLIC_H := $(sort $(shell cd include && find simk -name '*.h'))

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PKGCONFIGDIR) \
		$(DESTDIR)$(MANDIR)/man1
	install -m 755 $(B)/simk $(DESTDIR)$(BINDIR)/simk
	install -d $(DESTDIR)$(DATADIR)/simk
	install -m 644 $(B)/share/simk/guest.wrap $(B)/share/simk/guest-calls.txt \
		$(DESTDIR)$(DATADIR)/simk/
	for h in $(GUEST_INCLUDE_H); do \
		install -D -m 644 guest/include/$$h $(DESTDIR)$(DATADIR)/simk/include/$$h || exit 1; \
	done
	# simk-cc looks for its data where it was installed first, then next to itself
	sed 's|^for d in "$$here/share/simk" "$$here/../share/simk"; do$$|for d in "$(DATADIR)/simk" "$$here/share/simk" "$$here/../share/simk"; do|' \
		guest/cc/simk-cc > $(DESTDIR)$(BINDIR)/simk-cc
	chmod 755 $(DESTDIR)$(BINDIR)/simk-cc
	install -m 644 $(B)/libsimk.a $(DESTDIR)$(LIBDIR)/libsimk.a
	for h in $(PUBLIC_H); do \
		install -D -m 644 include/$$h $(DESTDIR)$(INCLUDEDIR)/$$h || exit 1; \
	done
	sed 's/^\.TH SIMK 1 "" "simk"/.TH SIMK 1 "" "simk $(VERSION)"/' docs/simk.1 \
		> $(DESTDIR)$(MANDIR)/man1/simk.1
	chmod 644 $(DESTDIR)$(MANDIR)/man1/simk.1
	printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$(LIBDIR)' 'includedir=$(INCLUDEDIR)' '' \
		'Name: simk' \
		'Description: deterministic simulation of a small kernel (embedding library)' \
		'Version: $(VERSION)' \
		'Cflags: -I$${includedir}' \
		'Libs: -L$${libdir} -lsimk $(LDLIBS)' > $(DESTDIR)$(PKGCONFIGDIR)/simk.pc
	chmod 644 $(DESTDIR)$(PKGCONFIGDIR)/simk.pc

# Removes what `make install` put there (the headers this tree has), then
# the header folders it leaves empty.
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/simk $(DESTDIR)$(BINDIR)/simk-cc $(DESTDIR)$(LIBDIR)/libsimk.a \
		$(DESTDIR)$(DATADIR)/simk/guest.wrap $(DESTDIR)$(DATADIR)/simk/guest-calls.txt \
		$(DESTDIR)$(MANDIR)/man1/simk.1 $(DESTDIR)$(PKGCONFIGDIR)/simk.pc \
		$(addprefix $(DESTDIR)$(INCLUDEDIR)/,$(PUBLIC_H))
	if [ -d $(DESTDIR)$(INCLUDEDIR)/simk ]; then \
		find $(DESTDIR)$(INCLUDEDIR)/simk -depth -type d -empty -delete; fi
	rm -f $(addprefix $(DESTDIR)$(DATADIR)/simk/include/,$(GUEST_INCLUDE_H))
	if [ -d $(DESTDIR)$(DATADIR)/simk/include ]; then \
		find $(DESTDIR)$(DATADIR)/simk/include -depth -type d -empty -delete; fi
	if [ -d $(DESTDIR)$(DATADIR)/simk ]; then rmdir $(DESTDIR)$(DATADIR)/simk; fi

clean:
	rm -rf build

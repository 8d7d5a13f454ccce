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

CFLAGS_BASE := -std=c17 -Wall -Wextra -Werror -g -fno-strict-aliasing -D_GNU_SOURCE -DFIU_ENABLE \
	-DSIMK_VERSION='"$(VERSION)"' -Iinclude -I. -MMD -MP
CFLAGS := $(CFLAGS_BASE) $(OPT) $(EXTRA_CFLAGS)
LDLIBS := -lfiu -lm
LDFLAGS := $(SANLD)

LIB_DIRS := sim scn kern drivers vfs syscalls
LIB_C := $(sort $(shell find $(LIB_DIRS) -name '*.c'))
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

.PHONY: all lib cli unit help run test check unit-test pytest deps clean bench \
	explore-long variants format tidy fuzz fuzzers

all: $(B)/libsimk.a $(B)/simk

lib: $(B)/libsimk.a
cli: $(B)/simk
unit: $(B)/tests/unit

$(B)/obj/%.o: %.c Makefile
	@mkdir -p $(dir $@)
	@echo "  CC $(B)/$<"
	@$(CC) $(CFLAGS) -c $< -o $@

$(B)/obj/%.o: %.S Makefile
	@mkdir -p $(dir $@)
	@echo "  AS $(B)/$<"
	@$(CC) $(CFLAGS) -c $< -o $@

$(B)/obj/cli/main.o: VERSION

$(B)/libsimk.a: $(LIB_O)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

$(B)/simk: $(CLI_O) $(B)/libsimk.a
	$(CC) $(LDFLAGS) -o $@ $(CLI_O) $(B)/libsimk.a $(LDLIBS)

$(B)/tests/unit: $(UNIT_O) $(B)/libsimk.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(UNIT_O) $(B)/libsimk.a -lcriterion $(LDLIBS)

$(B)/bench/%: bench/%.c bench/bench.h $(B)/libsimk.a
	@mkdir -p $(dir $@)
	@echo "  LD $@"
	@$(CC) $(filter-out -MMD -MP,$(CFLAGS)) -o $@ $< $(B)/libsimk.a $(LDLIBS) -laio

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
	@echo "make run        install missing Debian packages (as root), build, run scenarios/demo.scn"
	@echo "make test       the whole suite: Criterion (-O2 and ASan+UBSan), pytest, determinism"
	@echo "make unit-test  Criterion unit tests only (VARIANT=asan for the sanitizer build)"
	@echo "make pytest     scenario and CLI tests only"
	@echo "make bench      benchmarks, each against a baseline measured in the same run"
	@echo "make explore-long  long seed explorations (not in CI)"
	@echo "make fuzz       build the libFuzzer harnesses (build/fuzz/) and run each FUZZ_SECONDS=60 (not in CI;"
	@echo "                FUZZERS='scn_parse_fuzz' picks some; see docs/fuzzing.md)"
	@echo "make deps       check/install build dependencies"
	@echo "make clean      remove build/"
	@echo "variants: VARIANT=O0 | asan | clang | ucontext (portable context switch; output in build/<variant>/)"

deps:
	@bash scripts/deps.sh

run: deps
	@$(MAKE) --no-print-directory all
	./build/simk run scenarios/demo.scn

# The sanitizer pass and the other variants are part of `make test`.
variants:
	@$(MAKE) --no-print-directory -j$(JOBS) VARIANT=asan all unit
	@$(MAKE) --no-print-directory -j$(JOBS) VARIANT=O0 all
	@$(MAKE) --no-print-directory -j$(JOBS) VARIANT=clang all unit
	@$(MAKE) --no-print-directory -j$(JOBS) VARIANT=ucontext all

unit-test: unit
	./$(B)/tests/unit --jobs=$(JOBS)

test: check

check:
	@bash scripts/deps.sh --check
	@$(MAKE) --no-print-directory -j$(JOBS) all unit
	@$(MAKE) --no-print-directory variants
	./build/tests/unit --jobs=$(JOBS)
	ASAN_OPTIONS=detect_leaks=0 ./build/asan/tests/unit --jobs=$(JOBS)
	./build/clang/tests/unit --jobs=$(JOBS)
	SIMK_ROOT=$(CURDIR) $(PYTHON) -m pytest -q tests/py

bench: deps
	@$(MAKE) --no-print-directory all $(BENCH_BIN)
	@bash bench/run.sh $(B)

explore-long: all
	@bash scripts/explore-long.sh

fuzz:
	@$(MAKE) --no-print-directory -j$(JOBS) VARIANT=fuzz fuzzers
	@FUZZ_SECONDS=$(FUZZ_SECONDS) bash fuzz/run.sh $(FUZZERS)

format:
	clang-format -i $(LIB_C) $(CLI_C) $(UNIT_C) $(BENCH_C) $(shell find $(LIB_DIRS) cli tests bench include -name "*.h")

tidy:
	clang-tidy $(LIB_C) $(CLI_C) -- $(CFLAGS_BASE)

clean:
	rm -rf build

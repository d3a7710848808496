# dmasim — GNU make build.  `make help` lists the targets.
#
# VARIANT=release (default, -O2 -g and GCC's -flto, output in build/)
#        =debug   (-O0 -g3, output in build/debug/)
#        =san     (ASan + UBSan, output in build/san/)
#        =fuzz    (clang, libFuzzer + ASan + UBSan, build/fuzz/; make fuzz)

VARIANT ?= release
CC ?= cc
# Link-time optimisation where the compiler is GCC (its archiver keeps the
# objects' intermediate code): the hot path crosses files in many small
# calls (docs/performance.md).  LTO=0 turns it off.
ifndef LTO
  LTO := $(if $(shell $(CC) -v 2>&1 | grep '^gcc version'),1,0)
endif
AR_LTO := $(if $(filter 1,$(LTO)),gcc-ar,ar)
ifeq ($(VARIANT),release)
  BUILD := build
  VFLAGS := -O2 -g $(if $(filter 1,$(LTO)),-flto=auto)
else ifeq ($(VARIANT),debug)
  BUILD := build/debug
  VFLAGS := -O0 -g3
else ifeq ($(VARIANT),san)
  BUILD := build/san
  VFLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
            -fno-sanitize-recover=all
else ifeq ($(VARIANT),fuzz)
  BUILD := build/fuzz
  CC := clang
  VFLAGS := -O1 -g -fsanitize=fuzzer-no-link,address,undefined \
            -fno-omit-frame-pointer -fno-sanitize-recover=all
else
  $(error VARIANT must be release, debug, san or fuzz, not '$(VARIANT)')
endif
# Recursive (=) on purpose: pkg-config runs when a recipe needs the flags,
# which is after the deps stamp has installed the packages.
PKG_CFLAGS = $(shell pkg-config --cflags yaml-0.1)
# libfdt (Debian libfdt-dev) has no pkg-config file
PKG_LIBS = $(shell pkg-config --libs yaml-0.1) -lfdt
TEST_CFLAGS = $(shell pkg-config --cflags check json-c)
TEST_LIBS = $(shell pkg-config --libs check json-c)

CFLAGS_ALL = -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Wshadow \
             -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter \
             -Werror=implicit-function-declaration \
             $(VFLAGS) -I. $(PKG_CFLAGS) $(CFLAGS)
LDFLAGS_ALL = $(VFLAGS) $(LDFLAGS)

# ---- sources, listed explicitly, layer by layer ----------------------------
# Each layer includes only its own headers and those of the layers above it
# in this list, and the schemes and the kernel no hardware or oracle header
# (mk/check_layers.sh, run by make test).
CORE_SRCS := \
	sim/core/tempfile.c \
	sim/core/arena.c \
	sim/core/sim.c \
	sim/core/store.c \
	sim/core/diag.c \
	sim/core/units.c \
	sim/core/yaml_load.c \
	sim/core/yaml_fields.c \
	sim/core/yaml_override.c \
	sim/core/text.c \
	sim/core/hist.c \
	sim/core/json.c \
	sim/core/junit.c \
	sim/core/outfile.c

HW_SRCS := \
	sim/hw/topology.c \
	sim/hw/topo_parse.c \
	sim/hw/topo_resolve.c \
	sim/hw/addrmap.c \
	sim/hw/addrmap_build.c \
	sim/hw/route.c \
	sim/hw/lint.c \
	sim/hw/platform.c \
	sim/hw/reads.c \
	sim/hw/arbiter.c

MODEL_SRCS := \
	models/registry.c \
	models/bus.c \
	models/cpu.c \
	models/dcache.c \
	models/cpu_cache.c \
	models/memory.c \
	models/dma.c \
	models/device.c \
	models/bridge.c \
	models/bridge_flow.c \
	models/regions.c

KERNEL_SRCS := \
	models/kernel/kmem.c \
	models/kernel/swview.c \
	models/kernel/swiotlb.c \
	models/kernel/winalloc.c

API_SRCS := \
	models/dma_api/plan.c \
	models/dma_api/flat.c \
	models/dma_api/struct.c \
	models/dma_api/linux.c \
	models/dma_api/linux_dev.c

RUN_SRCS := \
	sim/run/scenario.c \
	sim/run/scenario_resolve.c \
	sim/run/oracle.c \
	sim/run/runner.c \
	sim/run/run_ops.c \
	sim/run/run_cache.c \
	sim/run/run_judge.c \
	sim/run/report.c \
	sim/run/plot.c \
	sim/run/trace.c \
	sim/run/csvlines.c \
	sim/run/pool.c \
	sim/run/html.c

CLI_SRCS := \
	sim/cli/main.c \
	sim/cli/progress.c \
	sim/cli/cmd_check.c \
	sim/cli/cmd_route.c \
	sim/cli/cmd_run.c \
	sim/cli/cmd_sweep.c \
	sim/cli/cmd_report.c \
	sim/cli/dt_import.c \
	sim/cli/cmd_import.c

TEST_SRCS := \
	tests/check_main.c \
	tests/testutil.c \
	tests/check_units.c \
	tests/check_sim.c \
	tests/check_outfile.c \
	tests/check_store.c \
	tests/check_yaml_load.c \
	tests/check_topology.c \
	tests/check_route.c \
	tests/check_lint.c \
	tests/check_platform.c \
	tests/check_dma.c \
	tests/check_swview.c \
	tests/check_scheme.c \
	tests/check_scenario.c \
	tests/check_cpu.c \
	tests/check_pool.c \
	tests/check_html.c \
	tests/check_cli.c \
	tests/check_contention.c

BENCH_SRCS := tests/bench_route.c tests/bench_kernel.c tests/bench_scenario.c
FUZZ_NAMES := topology scenario merge import
FUZZ_SRCS := tests/fuzz/fuzz_files.c $(patsubst %,tests/fuzz/fuzz_%.c,$(FUZZ_NAMES))
FUZZ_SECONDS ?= 60

LIB_SRCS := $(CORE_SRCS) $(HW_SRCS) $(MODEL_SRCS) $(KERNEL_SRCS) $(API_SRCS) \
            $(RUN_SRCS)
LIB_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(LIB_SRCS))
CLI_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(CLI_SRCS))
TEST_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(TEST_SRCS))
BENCH_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(BENCH_SRCS))
FUZZ_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(FUZZ_SRCS))
LIB := $(BUILD)/libdmasim.a
BIN := $(BUILD)/dmasim
TESTBIN := $(BUILD)/check_dmasim
DEPS_STAMP := build/.deps-ok

# make install: where (DESTDIR for staging, as Debian packaging does)
PREFIX ?= /usr/local
DESTDIR ?=
BINDIR = $(DESTDIR)$(PREFIX)/bin
DATADIR = $(DESTDIR)$(PREFIX)/share/dmasim
MANDIR = $(DESTDIR)$(PREFIX)/share/man/man1
COMPDIR = $(DESTDIR)$(PREFIX)/share/bash-completion/completions

.PHONY: all test validate demo bench bench-instructions contention fuzz deps clean help install uninstall
all: $(BIN)

help:
	@echo "make              build build/dmasim (VARIANT=release|debug|san;"
	@echo "                  release uses GCC's -flto unless LTO=0)"
	@echo "make test         the Check suites, CLI tests, scenario library, validation,"
	@echo "                  README examples, install and rendered report"
	@echo "make demo         the headline scenario, the library, a sweep plot, a report"
	@echo "make validate     the simulator against published measurements"
	@echo "make bench        event kernel, saturated board and router speed figures"
	@echo "make bench-instructions  instructions per simulated burst (valgrind)"
	@echo "make contention   CONTENTION=100 random contention scenarios per board,"
	@echo "                  each run every way (coalesced or not, traced, again)"
	@echo "make fuzz         libFuzzer on the loaders, merge and import (FUZZ_SECONDS=60 each)"
	@echo "make install      dmasim, its plots, boards, scenarios, man page and bash"
	@echo "                  completion under PREFIX=$(PREFIX) (DESTDIR= to stage)"
	@echo "make uninstall    remove what make install put there"
	@echo "make deps         install missing Debian packages"
	@echo "make clean        remove build/ and out/"

deps: $(DEPS_STAMP)
$(DEPS_STAMP): mk/deps.sh
	@sh mk/deps.sh
	@mkdir -p build && touch $@

$(BUILD)/obj/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

$(BUILD)/obj/tests/%.o: tests/%.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(TEST_CFLAGS) -MMD -MP -c $< -o $@

$(LIB): $(LIB_OBJS)
	@rm -f $@
	$(if $(filter release,$(VARIANT)),$(AR_LTO),ar) rcs $@ $^

$(BIN): $(CLI_OBJS) $(LIB)
	$(CC) $(LDFLAGS_ALL) -o $@ $(CLI_OBJS) $(LIB) $(PKG_LIBS)

$(TESTBIN): $(TEST_OBJS) $(LIB)
	$(CC) $(LDFLAGS_ALL) -o $@ $(TEST_OBJS) $(LIB) $(PKG_LIBS) $(TEST_LIBS)

$(BUILD)/bench_%: $(BUILD)/obj/tests/bench_%.o $(LIB)
	$(CC) $(LDFLAGS_ALL) -o $@ $< $(LIB) $(PKG_LIBS)

# libFuzzer targets (VARIANT=fuzz); merge's takes the commands but main.
$(BUILD)/fuzz_%: $(BUILD)/obj/tests/fuzz/fuzz_%.o $(BUILD)/obj/tests/fuzz/fuzz_files.o \
                 $(filter-out %/main.o,$(CLI_OBJS)) $(LIB)
	$(CC) $(LDFLAGS_ALL) -fsanitize=fuzzer -o $@ $^ $(PKG_LIBS)

# The CLI tests run the dmasim of the same variant.
test: $(BIN) $(TESTBIN) $(BUILD)/bench_scenario
	sh mk/check_layers.sh "$(CC)" "$(PKG_CFLAGS)"
	DMASIM=$(BIN) $(TESTBIN)
	$(BIN) regress scenarios/ tests/scenarios/
	sh mk/validate.sh $(BIN) $(BUILD)/bench_scenario
	sh mk/check_readme.sh $(BIN)
	sh mk/check_install.sh $(VARIANT)
	sh mk/check_report.sh $(BIN)

# The simulator against published measurements (docs/validation.md).
validate: $(BIN) $(BUILD)/bench_scenario
	sh mk/validate.sh $(BIN) $(BUILD)/bench_scenario

demo: $(BIN)
	@sh mk/demo.sh $(BIN)

bench: $(BUILD)/bench_route $(BUILD)/bench_kernel $(BUILD)/bench_scenario
	$(BUILD)/bench_kernel
	$(BUILD)/bench_scenario
	$(BUILD)/bench_route topologies/p2p-tree.yaml

# Instructions per simulated burst of the ioremap workload (callgrind).
bench-instructions: $(BUILD)/bench_scenario
	@sh mk/deps.sh valgrind
	sh mk/instructions.sh $(BUILD)/bench_scenario

# The exactness harness at length: CONTENTION random scenarios per board
# (make test runs 2), each every way, byte-identical (tests/check_contention.c).
CONTENTION ?= 100
contention: $(BIN) $(TESTBIN)
	DMASIM=$(BIN) DMASIM_CONTENTION=$(CONTENTION) CK_RUN_SUITE=contention \
	    $(TESTBIN)

# Coverage-guided (libFuzzer, with ASan and UBSan: a crash is not the only
# bug), each target for FUZZ_SECONDS; corpora and findings in build/fuzz/.
fuzz:
	@sh mk/deps.sh clang
	$(MAKE) VARIANT=fuzz $(patsubst %,build/fuzz/fuzz_%,$(FUZZ_NAMES))
	sh mk/fuzz.sh $(FUZZ_SECONDS) $(FUZZ_NAMES)

install: $(BIN)
	install -d $(BINDIR) $(DATADIR)/plots $(DATADIR)/topologies \
	    $(DATADIR)/scenarios $(MANDIR) $(COMPDIR)
	install -m 755 $(BIN) $(BINDIR)/dmasim
	install -m 644 plots/*.gp $(DATADIR)/plots/
	install -m 644 topologies/*.yaml $(DATADIR)/topologies/
	install -m 644 scenarios/*.yaml $(DATADIR)/scenarios/
	install -m 644 docs/dmasim.1 $(MANDIR)/dmasim.1
	install -m 644 sim/cli/dmasim.bash $(COMPDIR)/dmasim

uninstall:
	rm -f $(BINDIR)/dmasim $(MANDIR)/dmasim.1 $(COMPDIR)/dmasim
	rm -rf $(DATADIR)

clean:
	rm -rf build out

.SECONDARY: $(FUZZ_OBJS)

-include $(LIB_OBJS:.o=.d) $(CLI_OBJS:.o=.d) $(TEST_OBJS:.o=.d) \
	$(BENCH_OBJS:.o=.d) $(FUZZ_OBJS:.o=.d)

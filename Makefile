# Kettle — build an asyncio-style runtime in C, one graded lab at a time.
#
#   make test            grade your labs (labs/), one table per lab
#   make test LAB=01     grade one lab
#   make test MINE=1     build every module from labs/ (your whole runtime)
#   make check           prove the kit: solutions pass, starters fail, book builds
#
# Other targets: starters, book, apps, run, trace, bench, clean, help.
# Instructors: handout, submission, gradescope, grade-all (README, "For instructors").
# Read CONTRIBUTING.md for how the pieces fit.

.DEFAULT_GOAL := help
SHELL := /bin/sh
CC ?= cc
PYTHON ?= python3
BUILD ?= build
NPROC := $(shell nproc 2>/dev/null || echo 2)

# ---------------------------------------------------------------- what is built from where
# MODE decides where each lab's modules come from (CONTRIBUTING.md, "Which file is compiled"):
#   student    the graded lab from labs/, every other lab from solutions/ when present, else labs/
#   mine       every lab from labs/                        (make test MINE=1)
#   solutions  every lab from solutions/                   (make test SOLUTIONS=1, make check)
#   starters   the graded lab from $(BUILD)/starters/, the others from solutions/ (make check)
#   patched    the graded lab from GRADED_ROOT (a patched copy of solutions/), the others
#              from solutions/ (tools/bugs.py: a common bug must fail its tests)
ifeq ($(MINE),1)
MODE ?= mine
else ifeq ($(SOLUTIONS),1)
MODE ?= solutions
else
MODE ?= student
endif

LAB_IDS := $(sort $(notdir $(wildcard labs/[0-9][0-9]-* solutions/[0-9][0-9]-*)))
# LAB=01 (or LAB=01-callbacks) selects one lab; LAB="01 02" several.
SEL_LABS := $(if $(LAB),$(foreach l,$(LAB),$(filter $(l) $(l)-%,$(LAB_IDS))),$(filter $(notdir $(wildcard tests/[0-9][0-9]-*)),$(LAB_IDS)))

ifeq ($(MODE),starters)
GRADED_ROOT := $(BUILD)/starters
else ifeq ($(MODE),patched)
GRADED_ROOT ?= $(error MODE=patched needs GRADED_ROOT=<copy of solutions/>)
else ifeq ($(MODE),solutions)
GRADED_ROOT := solutions
else
GRADED_ROOT := labs
endif

other_dir = $(if $(filter mine,$(MODE)),labs/$(1),$(if $(wildcard solutions/$(1)),solutions/$(1),labs/$(1)))
# lab_dir GRADED,LAB: the directory LAB's modules come from when GRADED is graded
lab_dir = $(if $(filter $(1),$(2)),$(GRADED_ROOT)/$(2),$(call other_dir,$(2)))
runtime_srcs = $(foreach l,$(LAB_IDS),$(wildcard $(call lab_dir,$(1),$(l))/*.c))

# ---------------------------------------------------------------- flags
WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-missing-field-initializers
WERROR ?=
INCLUDES := -Ilib/include -Itests/harness
SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
SAN_TAG := asan
# TSAN=1: ThreadSanitizer instead (it cannot be combined with ASan); Lab 08's grader variant.
ifeq ($(TSAN),1)
SAN := -fsanitize=thread -fno-omit-frame-pointer
SAN_TAG := tsan
endif
# FASTSWITCH=1: every swapcontext/setcontext goes through lib's signal-mask-free switch
# (kettle/fastctx.h; the bench build's setting), with objects and binaries of its own.
ifeq ($(FASTSWITCH),1)
SWITCH_FLAGS := -DKETTLE_FAST_SWITCH -include lib/include/kettle/fastctx.h
SWITCH_TAG := -fastswitch
endif
CFLAGS_GRADE := -std=c11 -g -O1 $(WARN) $(WERROR) $(SAN) $(INCLUDES) $(SWITCH_FLAGS) -MMD -MP
LDLIBS_GRADE := $(SAN) -lcmocka -lm -pthread
CFLAGS_FAST := -std=c11 -g -O2 -DNDEBUG $(WARN) $(WERROR) -Ilib/include -MMD -MP
LDLIBS_FAST := -lm -pthread

CCNAME := $(notdir $(firstword $(CC)))
OBJ := $(BUILD)/obj/$(CCNAME)-$(SAN_TAG)$(SWITCH_TAG)
FASTOBJ := $(BUILD)/obj/$(CCNAME)-fast
GDIR := $(BUILD)/grade/$(MODE)-$(CCNAME)$(SWITCH_TAG)$(if $(filter 1,$(TSAN)),-tsan)

LIB_SRCS := $(sort $(wildcard lib/src/*.c))
LIB_OBJS := $(LIB_SRCS:%.c=$(OBJ)/%.o)
HARNESS_OBJ := $(OBJ)/tests/harness/ktest.o
GRADER := $(BUILD)/tools/kt-grade

$(OBJ)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_GRADE) -c $< -o $@

$(FASTOBJ)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_FAST) -c $< -o $@

# ---------------------------------------------------------------- test binaries, one per tests/NN-*/test_*.c
# Hidden tests (an instructor's): tests/NN-topic/hidden/test_*.c, and with HIDDEN=dir the
# test_*.c there join the one lab named by LAB. Their binaries are named hidden_*, which
# the grader marks hidden in results.json. Never in a handout (make handout).
HIDDEN ?=
hidden_srcs = $(sort $(wildcard tests/$(1)/hidden/test_*.c) $(if $(and $(HIDDEN),$(filter 1,$(words $(SEL_LABS)))),$(wildcard $(abspath $(HIDDEN))/test_*.c)))
# tests/NN-topic/order (optional) lists the test programs in the order of the chapter's steps,
# one name a line (test_poller, ...); programs it does not name follow, sorted.
listed_srcs = $(foreach t,$(shell sed -n 's/^\(test_[A-Za-z0-9_]*\).*/\1/p' tests/$(1)/order 2>/dev/null),tests/$(1)/$(t).c)
all_test_srcs = $(listed_srcs) $(filter-out $(listed_srcs),$(sort $(wildcard tests/$(1)/test_*.c))) $(call hidden_srcs,$(1))
# ONLY="test_io test_echo" builds and grades only these test programs (tools/bugs.py uses it).
test_srcs = $(if $(ONLY),$(filter $(foreach t,$(ONLY),tests/$(1)/$(t).c),$(all_test_srcs)),$(all_test_srcs))
test_bin = $(GDIR)/$(1)/$(if $(filter $(call hidden_srcs,$(1)),$(2)),hidden_)$(basename $(notdir $(2)))
lab_bins = $(foreach t,$(call test_srcs,$(1)),$(call test_bin,$(1),$(t)))
ldflags_for = $(shell cat $(basename $(1)).ldflags 2>/dev/null)

define TEST_RULE
$(call test_bin,$(1),$(2)): $(OBJ)/$(2:.c=.o) $(patsubst %.c,$(OBJ)/%.o,$(call runtime_srcs,$(1))) $(LIB_OBJS) $(HARNESS_OBJ)
	@mkdir -p $$(@D)
	$$(CC) -o $$@ $$^ $(call ldflags_for,$(2)) $$(LDLIBS_GRADE)
endef
$(foreach l,$(SEL_LABS),$(foreach t,$(call test_srcs,$(l)),$(eval $(call TEST_RULE,$(l),$(t)))))

ALL_BINS := $(foreach l,$(SEL_LABS),$(call lab_bins,$(l)))

$(GRADER): $(wildcard tools/grader/*.c tools/grader/*.h)
	@mkdir -p $(@D)
	$(CC) -std=c11 -O1 -g $(WARN) -Werror -o $@ $(filter %.c,$^)

# The grader's arguments for one lab: number, title (first heading of the lab's README.md),
# the student's files, the variants, the binaries.
lab_readme = $(firstword $(wildcard labs/$(1)/README.md solutions/$(1)/README.md))
lab_title = $(shell sed -n '1s/^# *Lab [0-9]* *[—-]* *//p' $(call lab_readme,$(1)) 2>/dev/null)
lab_files = $(wildcard $(GRADED_ROOT)/$(1)/*.c $(GRADED_ROOT)/$(1)/apps/*.c)
lab_variants = $(shell [ -f tests/$(1)/variants ] && sed -n 's/^\([^#].*\)$$/--variant "\1"/p' tests/$(1)/variants)
grade_args = $(foreach l,$(SEL_LABS),--lab $(firstword $(subst -, ,$(l))) --title "$(call lab_title,$(l))" --files "$(call lab_files,$(l))" $(call lab_variants,$(l)) $(call lab_bins,$(l)))

EXPECT ?= pass
# GRADE_FLAGS: more options for kt-grade, e.g. --timeout-scale 0.5 (tools/bugs.py)
GRADE_FLAGS ?=

.PHONY: help test grade build-tests check starters book apps run trace bench clean deps deps-book handout submission gradescope grade-all

help:
	@sed -n '2,9p' Makefile | sed 's/^# \{0,1\}//'

deps:
	@sh tools/setup.sh

deps-book:
	@sh tools/setup.sh --book

## make test: grade the labs (LAB=NN for one, MINE=1 for your whole runtime)
test: deps
	@$(MAKE) --no-print-directory grade

build-tests: $(GRADER) $(ALL_BINS)

grade: build-tests
	@mkdir -p $(GDIR)
	@$(GRADER) --jobs $(NPROC) --expect $(EXPECT) $(GRADE_FLAGS) --json $(GDIR)/results.json --junit $(GDIR)/junit.xml $(grade_args)

## make starters: regenerate labs/ from solutions/
starters:
	$(PYTHON) tools/starters.py solutions labs

## make check: everything CI proves (tools/check.sh)
check: deps
	@sh tools/check.sh

## make book: the book in build/book (WALKTHROUGHS=0 leaves the solutions out)
book: deps-book
	@KETTLE_WALKTHROUGHS=$(or $(WALKTHROUGHS),1) sh tools/book/build.sh $(BUILD)/book

# ---------------------------------------------------------------- demo programs (labs/NN-*/apps/*.c)
APP_SRCS := $(foreach l,$(LAB_IDS),$(wildcard $(call lab_dir,$(l),$(l))/apps/*.c))
APP_BINS := $(foreach s,$(APP_SRCS),$(BUILD)/apps/$(MODE)/$(basename $(notdir $(s))))
define APP_RULE
$(BUILD)/apps/$(MODE)/$(basename $(notdir $(1))): $(FASTOBJ)/$(1:.c=.o) $(patsubst %.c,$(FASTOBJ)/%.o,$(call runtime_srcs,$(2)) $(LIB_SRCS))
	@mkdir -p $$(@D)
	$$(CC) -o $$@ $$^ $$(LDLIBS_FAST)
endef
$(foreach l,$(LAB_IDS),$(foreach s,$(wildcard $(call lab_dir,$(l),$(l))/apps/*.c),$(eval $(call APP_RULE,$(s),$(l)))))

apps: $(APP_BINS)

## make run LAB=02 APP=echo_server [ARGS=...]
run: apps
	@test -n "$(APP)" || { echo "make run: say which program, e.g. make run LAB=02 APP=echo_server"; exit 2; }
	$(BUILD)/apps/$(MODE)/$(APP) $(ARGS)

## make trace LAB=05 APP=sleepers [ARGS=...]: run a demo with KETTLE_TRACE and draw its timeline
trace: apps
	@test -n "$(APP)" || { echo "make trace: say which program, e.g. make trace LAB=05 APP=sleepers"; exit 2; }
	@mkdir -p $(BUILD)/trace
	@KETTLE_TRACE=$(BUILD)/trace/$(APP).json $(BUILD)/apps/$(MODE)/$(APP) $(ARGS)
	@echo "trace:    $(BUILD)/trace/$(APP).json (open it in ui.perfetto.dev or chrome://tracing)"
	@printf 'timeline: '; $(PYTHON) tools/trace/timeline.py $(BUILD)/trace/$(APP).json --title "$(APP)"

# ---------------------------------------------------------------- instructors (tools/instructor/)
## make handout RELEASED="00 01": the students' copy: build/handout/kettle (+ .tar.gz, -book)
handout: deps-book
	@$(PYTHON) tools/instructor/handout.py $(or $(HANDOUT),$(BUILD)/handout/kettle) --released "$(RELEASED)"

## make submission LAB=NN: an archive of exactly your files of lab NN
submission:
	@$(PYTHON) tools/instructor/submission.py "$(LAB)"

## make gradescope LAB=NN [HIDDEN=dir]: Gradescope's autograder zip
gradescope:
	@$(PYTHON) tools/instructor/gradescope.py "$(LAB)" $(BUILD)/gradescope/kettle-lab$(LAB).zip $(if $(HIDDEN),--hidden "$(HIDDEN)")

## make grade-all SUBMISSIONS=dir LAB=NN [JOBS=n] [TIMEOUT=s] [HIDDEN=dir]: a class, a gradebook
grade-all: deps
	@$(PYTHON) tools/instructor/grade_all.py "$(SUBMISSIONS)" "$(LAB)" --jobs $(or $(JOBS),$(NPROC)) --timeout $(or $(TIMEOUT),300) $(if $(HIDDEN),--hidden "$(HIDDEN)")

bench:
	@sh bench/run.sh

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

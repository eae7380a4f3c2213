# Kettle — build an asyncio-style runtime in C, one graded lab at a time.
#
#   make test            grade your labs (labs/), one table per lab
#   make test LAB=01     grade one lab
#   make test MINE=1     build every module from labs/ (your whole runtime)
#   make test LAB=05 MYLAB=01   Lab 05's tests on your own labs/01 (the rest from solutions/)
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

# Lab names come from tests/ (the kit), never from labs/: nothing a student
# puts under labs/ is ever expanded by make or a shell (tools/grader/grade.py
# reads labs/ itself, file by file, and owns every compile of lab code).
LAB_IDS := $(sort $(notdir $(wildcard tests/[0-9][0-9]-*)))

# grade.py's options from make's variables: V=1 full compiler lines, HIDDEN=DIR hidden tests,
# TSAN=1 ThreadSanitizer instead of ASan+UBSan, FASTSWITCH=1 lib's fast context switch,
# COPYSTACK=1 generators on copied stacks (kettle/copystack.h; the bench build's setting).
# For tools/bugs.py: MODE=patched GRADED_ROOT=dir, GDIR=dir (where results.json goes),
# ONLY="test_a test_b" (only these test programs), GRADE_FLAGS (more options for kt-grade).
GRADE_OPTS = --mode $(MODE) --cc "$(CC)" --build "$(BUILD)" --jobs $(NPROC) \
    $(if $(LAB),--labs "$(LAB)") $(if $(WERROR),--werror) $(if $(filter 1,$(FASTSWITCH)),--fastswitch) \
    $(if $(filter 1,$(V)),--verbose) $(if $(HIDDEN),--hidden "$(HIDDEN)") $(if $(MYLAB),--mylabs "$(MYLAB)") \
    $(if $(filter 1,$(TSAN)),--tsan) $(if $(filter 1,$(COPYSTACK)),--copystack) \
    $(if $(GRADED_ROOT),--graded-root "$(GRADED_ROOT)") $(if $(GDIR),--gdir "$(GDIR)") \
    $(if $(ONLY),--only "$(ONLY)") $(if $(GRADE_FLAGS),--kt-flags "$(GRADE_FLAGS)")
EXPECT ?= pass

.PHONY: help test grade build-tests check starters manifests book apps run trace bench clean deps deps-book \
    handout submission gradescope grade-all

help:
	@sed -n '2,11p' Makefile | sed 's/^# \{0,1\}//'

deps:
	@sh tools/setup.sh

deps-book:
	@sh tools/setup.sh --book

## make test: grade the labs (LAB=NN for one, MINE=1 for your whole runtime, V=1 full compiler lines)
test: deps
	@$(MAKE) --no-print-directory grade $(if $(LAB),,BRIEF=1)

# The one entry point of a grading (a submission copied over a pristine kit): tools/grader/grade.py.
grade:
	@$(PYTHON) tools/grader/grade.py grade $(GRADE_OPTS) --expect $(EXPECT) $(if $(BRIEF),--brief)

# Everything a grading needs, compiled and linked, without running a test (tools/instructor).
build-tests:
	@$(PYTHON) tools/grader/grade.py grade $(GRADE_OPTS) --build-only >/dev/null

## make starters: regenerate labs/ from solutions/
starters:
	$(PYTHON) tools/starters.py solutions labs

## make manifests: regenerate tests/NN-topic/lab.manifest from solutions/ (what each lab owns and may use)
manifests:
	@$(PYTHON) tools/grader/grade.py manifests --cc "$(CC)" --build "$(BUILD)"

## make check: everything CI proves (tools/check.sh)
check: deps
	@sh tools/check.sh

## make book: the book in build/book (WALKTHROUGHS=0 leaves the solutions out)
book: deps-book
	@KETTLE_WALKTHROUGHS=$(or $(WALKTHROUGHS),1) sh tools/book/build.sh $(BUILD)/book

# ---------------------------------------------------------------- demo programs (labs/NN-*/apps/*.c)
## make apps: build every demo; make run LAB=05 [APP=sleepers] [ARGS=...]: build only that demo, run it
apps:
	@$(PYTHON) tools/grader/grade.py apps $(GRADE_OPTS)

run:
	@$(PYTHON) tools/grader/grade.py apps $(GRADE_OPTS) --app "$(APP)" --run $(ARGS)

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


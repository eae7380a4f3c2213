#!/bin/sh
# selftest.sh — prove the book hooks work and fail loudly, on a scratch
# repository in a temporary directory (the real book is not touched).
#
# Checks: @code of a whole file and of nested/overlapping regions (markers
# stripped, indentation removed), @grading over multi-line KT_TEST entries,
# the total of a lab with variants, ```dot rendered to inline SVG,
# walkthroughs dropped with KETTLE_WALKTHROUGHS=0, "book §N.M" in a grading
# table linked to its heading; and that a missing file, a missing region, a
# missing test directory, a directory without tests, a dot syntax error and
# a drawing wider than the column each fail the build with a message naming
# the page and line.
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT INT TERM
PY=/usr/bin/python3

mkdir -p "$T/book/docs/walkthroughs" "$T/src" "$T/tests/99-demo" "$T/tests/98-empty"
cp -r "$ROOT/book/hooks" "$T/book/hooks"
cat >"$T/book/mkdocs.yml" <<'YML'
site_name: selftest
docs_dir: docs
theme:
  name: mkdocs
markdown_extensions:
  - tables
  - pymdownx.highlight
  - pymdownx.superfences
hooks:
  - hooks/kettle_book.py
nav:
  - Home: index.md
  - Walkthroughs:
      - walkthroughs/w.md
YML
cat >"$T/src/demo.c" <<'C'
int outside;
/* [book:outer] */
int outer_a;
    /* [book:inner] */
    int inner;
    // [book:overlap]
    /* [/book:inner] */
int outer_b;
/* [/book:outer] */
int after;
    # [/book:overlap]
C
cat >"$T/tests/99-demo/test_demo.c" <<'C'
/* KT_TEST(commented_out, 9, "not a test") */
static const kt_test_case tests[] = {
    KT_TEST(first_rule, 2, "callbacks run in FIFO order (book §1.3)"),
    KT_TEST_TIMEOUT(second_rule, 3, 1.5,
                    "a long rule that "
                    "spans | two lines (book §1.4)"),
};
C
echo "int nothing;" >"$T/tests/98-empty/test_none.c"
printf '# Walkthrough\n' >"$T/book/docs/walkthroughs/w.md"

page() { printf '%s\n' "$@" >"$T/book/docs/index.md"; }
build() { (cd "$T" && "$PY" -m mkdocs build --strict -q -f book/mkdocs.yml -d "$T/site") >"$T/log" 2>&1; }
fails=0
expect_ok() {
    if ! build; then echo "selftest FAIL: $1 did not build:"; cat "$T/log"; fails=$((fails + 1)); fi
}
expect_error() { # name, text the error must contain
    if build; then
        echo "selftest FAIL: $1 built but should have failed"; fails=$((fails + 1))
    elif ! grep -qF "$2" "$T/log"; then
        echo "selftest FAIL: $1 failed without saying '$2':"; cat "$T/log"; fails=$((fails + 1))
    fi
}
html_has() { # name, fixed text that must (or with !, must not) appear in index.html
    if [ "$2" = "!" ]; then
        ! grep -qF "$3" "$T/site/index.html" || { echo "selftest FAIL: $1: found '$3'"; fails=$((fails + 1)); }
    else
        grep -qF "$2" "$T/site/index.html" || { echo "selftest FAIL: $1: no '$2'"; fails=$((fails + 1)); }
    fi
}

page '# Home' '' '@code src/demo.c#outer' '' '@code src/demo.c#inner' '' \
     '@grading tests/99-demo' '' '```dot' 'digraph { a -> b }' '```' '' \
     '```text' '@code not/a/directive.c' '```'
expect_ok "the directives page"
html_has "@code region" "outer_a"
html_has "@code markers stripped" ! "[book:"
html_has "@code outside the region" ! "outside"
html_has "@code title" 'src/demo.c'
html_has "@code dedent" '<span class="kt">int</span><span class="w"> </span><span class="n">inner</span>'
html_has "@grading row" "first_<wbr>rule"
html_has "@grading concatenation" "a long rule that spans | two lines (book §1.4)"
html_has "@grading total" "<strong>5</strong>"
html_has "@grading comments skipped" ! "commented_out"
html_has "dot svg" "<svg"
html_has "dot prolog gone" ! "<?xml"
html_has "directive inside a fence is left alone" "@code not/a/directive.c"
[ -f "$T/site/walkthroughs/w/index.html" ] || { echo "selftest FAIL: walkthrough missing"; fails=$((fails + 1)); }

printf 'select KT_POLLER=select\nepoll KT_POLLER=epoll\n' >"$T/tests/99-demo/variants"
page '# Home' '' '@grading tests/99-demo'
expect_ok "grading with variants"
html_has "@grading variants total" "<strong>10</strong>"
html_has "@grading variants named" "once per variant: select, epoll"

page '# Home' '' '## 1.3 Callbacks' '' '@grading tests/99-demo'
expect_ok "grading with a section to link"
html_has "@grading links book §N.M" '<a href="#13-callbacks">book §1.3</a>'

page '# Home' '' 'intro' '@code src/missing.c'
expect_error "missing file" "index.md:4"
page '# Home' '@code src/demo.c#nosuch'
expect_error "missing region" "region 'nosuch' not found in src/demo.c"
page '# Home' '@grading tests/00-nothing'
expect_error "missing test dir" "test directory not found: tests/00-nothing"
page '# Home' '@grading tests/98-empty'
expect_error "no tests" "no KT_TEST entries"
page '# Home' '' '```dot' 'digraph { a -> }' '```'
expect_error "dot syntax error" "index.md:3: dot diagram"
page '# Home' '' '```dot' 'digraph { rankdir=LR; a [width=9]; a -> b }' '```'
expect_error "dot wider than the column" "Draw it tall"

page '# Home'
KETTLE_WALKTHROUGHS=0 expect_ok "without walkthroughs"
[ ! -e "$T/site/walkthroughs" ] || { echo "selftest FAIL: walkthroughs still built"; fails=$((fails + 1)); }

if [ "$fails" -ne 0 ]; then
    echo "book selftest: $fails failures"
    exit 1
fi
echo "book selftest: ok"

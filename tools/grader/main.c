/* main.c — kt-grade: grade the labs' test binaries and report.
 *
 *   kt-grade [--json FILE] [--junit FILE] [--jobs N] [--timeout-scale X] [--expect pass|fail]
 *            [--brief] [--sandbox auto|off] [--kit DIR] [--hide DIR]... [--only-tests A,B...]
 *            --lab NN --title TITLE --files FILES [--variant "label KEY=VAL ..."]...
 *            [--lab-error TEXT] [--hidden] [--lister LISTBIN] BIN...
 *            [--lab MM ... BIN...]...
 *
 * Every test of every BIN runs alone (`BIN --run NAME`), once per variant of
 * its lab, up to N at a time; the results are printed in the order of the
 * lists. The list comes from `LISTBIN --list` when given: a binary built
 * from the pristine tests without the student's code (tools/grader/grade.py),
 * so that code cannot answer it. --lab-error: the lab could not be built;
 * its tests (listed by LISTBIN) all fail with TEXT. --hidden: the next BIN's
 * tests are hidden tests (verdict only in the reports). --brief: a lab whose
 * every test fails is one line. --only-tests: grade only the tests named
 * (tools/bugs.py runs just a patch's caught-by tests). As root (--sandbox auto), tests run as
 * unprivileged users in namespaces of their own (runner.c): --kit is made
 * read-only for them and each --hide DIR covered.
 * Exit status 0 when every test passed; with --expect fail (the starter
 * check), 0 when every test failed.
 */
#define _POSIX_C_SOURCE 200809L
#include "grader.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define DEFAULT_LIMIT 10.0 /* seconds, for a test that names none */
#define MAX_JOBS 1024
#define MAX_MESSAGE_LINES 12
#define MAX_SHOWN_WIDTH 400
#define INDENT "           "

typedef struct options {
    const char *json, *junit;
    int jobs;
    double scale;
    bool expect_fail;
    bool color;
    bool brief;
    const char *only; /* --only-tests a,b,c: grade just these (tools/bugs.py) */
} options;

static options opt = {NULL, NULL, 1, 1.0, false, false, false, NULL};
static sandbox_config sandbox_opt;

static void usage(void)
{
    fputs("usage: kt-grade [--json FILE] [--junit FILE] [--jobs N] [--timeout-scale X] [--expect pass|fail]\n"
          "                [--only-tests NAME,NAME...]\n"
          "                --lab NN --title TITLE --files FILES [--variant \"label KEY=VAL ...\"]... BIN...\n"
          "                [--lab MM ... BIN...]...\n",
          stderr);
    exit(2);
}

static void die_usage(const char *what, const char *arg)
{
    fprintf(stderr, "kt-grade: %s%s%s\n", what, arg != NULL ? ": " : "", arg != NULL ? arg : "");
    usage();
}

/* ---- the command line ------------------------------------------------ */

static void parse_variant(variant *v, const char *spec)
{
    char *copy = xstrdup(spec);
    char *save = NULL;
    char *word = strtok_r(copy, " \t", &save);
    if (word == NULL)
        die_usage("--variant needs a label", spec);
    v->label = xstrdup(word);
    v->vars = NULL;
    v->nvars = 0;
    while ((word = strtok_r(NULL, " \t", &save)) != NULL) {
        if (strchr(word, '=') == NULL || word[0] == '=')
            die_usage("--variant: not KEY=VALUE", word);
        v->vars = xrealloc(v->vars, (v->nvars + 1) * sizeof *v->vars);
        v->vars[v->nvars++] = xstrdup(word);
    }
    free(copy);
}

static lab *parse_args(int argc, char **argv, size_t *nlabs)
{
    lab *labs = NULL;
    size_t n = 0;
    const char *lister = NULL;
    bool hidden = false;
    sandbox_opt.enabled = geteuid() == 0;
    sandbox_opt.namespaces = true;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        bool takes = strcmp(a, "--json") == 0 || strcmp(a, "--junit") == 0 || strcmp(a, "--jobs") == 0 ||
                     strcmp(a, "--timeout-scale") == 0 || strcmp(a, "--expect") == 0 ||
                     strcmp(a, "--lab") == 0 || strcmp(a, "--title") == 0 || strcmp(a, "--files") == 0 ||
                     strcmp(a, "--variant") == 0 || strcmp(a, "--lister") == 0 ||
                     strcmp(a, "--lab-error") == 0 || strcmp(a, "--sandbox") == 0 || strcmp(a, "--kit") == 0 ||
                     strcmp(a, "--hide") == 0 || strcmp(a, "--only-tests") == 0;
        if (takes && val == NULL)
            die_usage("missing value after", a);
        lab *cur = n > 0 ? &labs[n - 1] : NULL;
        if (strcmp(a, "--json") == 0) {
            opt.json = val;
        } else if (strcmp(a, "--junit") == 0) {
            opt.junit = val;
        } else if (strcmp(a, "--jobs") == 0) {
            char *end;
            long j = strtol(val, &end, 10);
            if (*end != '\0' || j < 1)
                die_usage("--jobs needs a positive number", val);
            opt.jobs = j > MAX_JOBS ? MAX_JOBS : (int)j;
        } else if (strcmp(a, "--timeout-scale") == 0) {
            char *end;
            double s = strtod(val, &end);
            if (*end != '\0' || !(s > 0) || s > 1000)
                die_usage("--timeout-scale needs a positive number", val);
            opt.scale = s;
        } else if (strcmp(a, "--expect") == 0) {
            if (strcmp(val, "fail") == 0)
                opt.expect_fail = true;
            else if (strcmp(val, "pass") == 0)
                opt.expect_fail = false;
            else
                die_usage("--expect takes pass or fail", val);
        } else if (strcmp(a, "--lab") == 0) {
            labs = xrealloc(labs, (n + 1) * sizeof *labs);
            memset(&labs[n], 0, sizeof labs[n]);
            labs[n].num = xstrdup(val);
            labs[n].title = xstrdup("");
            labs[n].files = xstrdup("");
            n++;
        } else if (strcmp(a, "--brief") == 0) {
            opt.brief = true;
        } else if (strcmp(a, "--only-tests") == 0) {
            opt.only = val;
        } else if (strcmp(a, "--sandbox") == 0) {
            if (strcmp(val, "off") == 0)
                sandbox_opt.enabled = false;
            else if (strcmp(val, "nons") == 0)
                sandbox_opt.namespaces = false;
            else if (strcmp(val, "auto") != 0)
                die_usage("--sandbox takes auto, nons or off", val);
        } else if (strcmp(a, "--kit") == 0) {
            sandbox_opt.kit = val;
        } else if (strcmp(a, "--hide") == 0) {
            sandbox_opt.hide = xrealloc(sandbox_opt.hide, (sandbox_opt.nhide + 1) * sizeof *sandbox_opt.hide);
            sandbox_opt.hide[sandbox_opt.nhide++] = xstrdup(val);
        } else if (strcmp(a, "--lister") == 0) {
            lister = val;
        } else if (strcmp(a, "--hidden") == 0) {
            hidden = true;
        } else if (strcmp(a, "--lab-error") == 0) {
            if (cur == NULL)
                die_usage("this option belongs after --lab", a);
            free(cur->error);
            cur->error = xstrdup(val);
        } else if (strcmp(a, "--title") == 0 || strcmp(a, "--files") == 0 || strcmp(a, "--variant") == 0) {
            if (cur == NULL)
                die_usage("this option belongs after --lab", a);
            if (strcmp(a, "--title") == 0) {
                free(cur->title);
                cur->title = xstrdup(val);
            } else if (strcmp(a, "--files") == 0) {
                free(cur->files);
                cur->files = xstrdup(val);
            } else {
                cur->variants = xrealloc(cur->variants, (cur->nvariants + 1) * sizeof *cur->variants);
                parse_variant(&cur->variants[cur->nvariants++], val);
            }
        } else if (strncmp(a, "--", 2) == 0 && a[2] != '\0') {
            die_usage("unknown option", a);
        } else {
            if (cur == NULL)
                die_usage("a test binary must come after --lab", a);
            cur->bins = xrealloc(cur->bins, (cur->nbins + 1) * sizeof *cur->bins);
            cur->listers = xrealloc(cur->listers, (cur->nbins + 1) * sizeof *cur->listers);
            cur->hidden = xrealloc(cur->hidden, (cur->nbins + 1) * sizeof *cur->hidden);
            cur->listers[cur->nbins] = lister != NULL ? xstrdup(lister) : NULL;
            cur->hidden[cur->nbins] = hidden;
            cur->bins[cur->nbins++] = xstrdup(a);
            lister = NULL;
            hidden = false;
        }
        if (takes)
            i++;
    }
    if (n == 0)
        die_usage("nothing to grade: no --lab", NULL);
    for (size_t i = 0; i < n; i++)
        if (labs[i].nbins == 0)
            die_usage("no test binary given for lab", labs[i].num);
    *nlabs = n;
    return labs;
}

/* ---- listing the tests of a binary ----------------------------------- */

typedef struct listed {
    char *name, *rule;
    int points;
    double timeout;
} listed;

/* The path to exec and to show: "./x" for a bare name. */
static char *exec_path(const char *bin)
{
    if (strchr(bin, '/') != NULL)
        return xstrdup(bin);
    str s = {0};
    str_addf(&s, "./%s", bin);
    return str_take(&s);
}

/* Whether --only-tests (a comma-separated list) keeps this test; no list keeps all. */
static bool only_wanted(const char *name)
{
    if (opt.only == NULL)
        return true;
    size_t len = strlen(name);
    for (const char *p = opt.only; *p != '\0';) {
        const char *comma = strchr(p, ',');
        size_t n = comma != NULL ? (size_t)(comma - p) : strlen(p);
        if (n == len && strncmp(p, name, n) == 0)
            return true;
        p += n + (comma != NULL);
    }
    return false;
}

/* Run BIN --list. Returns the number of tests, or 0 with *err set. */
static size_t list_tests(const char *bin, listed **out, char **err)
{
    *out = NULL;
    *err = NULL;
    char *path = exec_path(bin);
    str e = {0};
    if (access(path, F_OK) != 0) {
        str_addf(&e, "%s does not exist: did it fail to build? (look for compiler or linker errors above)",
                 bin);
        *err = str_take(&e);
        free(path);
        return 0;
    }
    if (access(path, X_OK) != 0) {
        str_addf(&e, "%s is not an executable program", bin);
        *err = str_take(&e);
        free(path);
        return 0;
    }
    const char *argv[] = {path, "--list", NULL};
    proc p;
    char *serr = NULL;
    if (proc_start(&p, argv, NULL, 0, DEFAULT_LIMIT * opt.scale, true, 0, &serr) != 0) {
        *err = serr;
        free(path);
        return 0;
    }
    proc *ps[1] = {&p};
    while (p.running)
        procs_wait(ps, 1);
    char *output = proc_output(&p);
    char *text = clean_text(str_get(&p.res), p.res.len);
    size_t n = 0;
    bool ok = WIFEXITED(p.status) && WEXITSTATUS(p.status) == 0 && !p.timed_out;
    if (!ok) {
        str_addf(&e, "could not list the tests of %s (%s --list): ", bin, path);
        if (p.timed_out)
            str_add(&e, "it did not finish");
        else if (WIFSIGNALED(p.status))
            describe_signal(WTERMSIG(p.status), &e);
        else
            str_addf(&e, "it exited with status %d", WEXITSTATUS(p.status));
        if (output[0] != '\0') {
            size_t len = strlen(output);
            str_add(&e, "\n");
            str_addn(&e, output, len > 1500 ? 1500 : len);
        }
    } else {
        char *save = NULL;
        for (char *line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
            char *f[4] = {line, NULL, NULL, NULL};
            for (int k = 1; k < 4; k++) {
                char *tab = f[k - 1] != NULL ? strchr(f[k - 1], '\t') : NULL;
                if (tab != NULL) {
                    *tab = '\0';
                    f[k] = tab + 1;
                }
            }
            char *end1 = NULL, *end2 = NULL;
            long pts = f[1] != NULL ? strtol(f[1], &end1, 10) : 0;
            double tmo = f[2] != NULL ? strtod(f[2], &end2) : 0;
            if (f[3] == NULL || f[0][0] == '\0' || *end1 != '\0' || *end2 != '\0' || pts < 0 ||
                pts > 100000 || !(tmo >= 0)) {
                str_addf(&e, "%s --list printed a line that is not name<TAB>points<TAB>time limit<TAB>rule: %s",
                         bin, line);
                break;
            }
            if (!only_wanted(f[0]))
                continue;
            *out = xrealloc(*out, (n + 1) * sizeof **out);
            (*out)[n].name = xstrdup(f[0]);
            (*out)[n].points = (int)pts;
            (*out)[n].timeout = tmo;
            (*out)[n].rule = xstrdup(f[3]);
            n++;
        }
        if (e.len == 0 && n == 0)
            str_addf(&e, "no tests found in %s (its --list printed nothing)", bin);
    }
    if (e.len > 0) {
        for (size_t i = 0; i < n; i++) {
            free((*out)[i].name);
            free((*out)[i].rule);
        }
        free(*out);
        *out = NULL;
        n = 0;
        *err = str_take(&e);
    }
    free(text);
    free(output);
    proc_close(&p);
    free(path);
    return n;
}

/* An instructor's hidden test binary is named hidden_* (grade.py, tools/instructor). */
static bool hidden_name(const char *bin)
{
    const char *base = strrchr(bin, '/');
    return strncmp(base != NULL ? base + 1 : bin, "hidden_", 7) == 0;
}

/* Build the flat list of tests, in order: lab, binary, listed test, variant. */
static test *collect(lab *labs, size_t nlabs, size_t *ntests)
{
    test *tests = NULL;
    size_t n = 0;
    for (size_t i = 0; i < nlabs; i++) {
        lab *l = &labs[i];
        l->first = n;
        int number = 0;
        for (size_t b = 0; b < l->nbins; b++) {
            listed *ls;
            char *err;
            const char *lister = l->listers[b] != NULL ? l->listers[b] : l->bins[b];
            size_t count = list_tests(lister, &ls, &err);
            if (count > 0 && l->error != NULL) {
                /* Listed, but nothing to run them against. */
                for (size_t k = 0; k < count; k++) {
                    tests = xrealloc(tests, (n + 1) * sizeof *tests);
                    test *t = &tests[n++];
                    memset(t, 0, sizeof *t);
                    t->lab = l;
                    t->bin = l->bins[b];
                    t->name = xstrdup(ls[k].name);
                    t->display = xstrdup(ls[k].name);
                    t->rule = xstrdup(ls[k].rule);
                    t->points = ls[k].points;
                    t->number = ++number;
                    t->hidden = l->hidden[b] || hidden_name(l->bins[b]);
                    t->done = true;
                    t->reason = xstrdup(l->error);
                    l->max_points += t->points;
                    free(ls[k].name);
                    free(ls[k].rule);
                }
                free(ls);
                continue;
            }
            if (count == 0) {
                /* One failed entry stands for the whole binary. */
                tests = xrealloc(tests, (n + 1) * sizeof *tests);
                test *t = &tests[n++];
                memset(t, 0, sizeof *t);
                t->lab = l;
                t->bin = l->bins[b];
                t->number = ++number;
                t->done = true;
                t->reason = err;
                continue;
            }
            size_t nv = l->nvariants > 0 ? l->nvariants : 1;
            for (size_t k = 0; k < count; k++) {
                for (size_t v = 0; v < nv; v++) {
                    tests = xrealloc(tests, (n + 1) * sizeof *tests);
                    test *t = &tests[n++];
                    memset(t, 0, sizeof *t);
                    t->lab = l;
                    t->bin = l->bins[b];
                    t->name = xstrdup(ls[k].name);
                    t->rule = xstrdup(ls[k].rule);
                    t->points = ls[k].points;
                    t->limit = (ls[k].timeout > 0 ? ls[k].timeout : DEFAULT_LIMIT) * opt.scale;
                    t->number = ++number;
                    t->hidden = l->hidden[b] || hidden_name(l->bins[b]);
                    str d = {0};
                    str_add(&d, ls[k].name);
                    if (l->nvariants > 0) {
                        t->variant = &l->variants[v];
                        str_addf(&d, " [%s]", t->variant->label);
                    }
                    t->display = str_take(&d);
                    l->max_points += t->points;
                }
            }
            for (size_t k = 0; k < count; k++) {
                free(ls[k].name);
                free(ls[k].rule);
            }
            free(ls);
        }
        l->count = n - l->first;
    }
    *ntests = n;
    return tests;
}

/* ---- printing ----------------------------------------------------------- */

static const char *paint(const char *code)
{
    return opt.color ? code : "";
}
#define GREEN paint("\033[32m")
#define RED paint("\033[31m")
#define BOLD paint("\033[1m")
#define RESET paint("\033[0m")

static int points_width(const lab *l, const test *tests)
{
    int w = 3;
    for (size_t i = l->first; i < l->first + l->count; i++) {
        char buf[32];
        int n = snprintf(buf, sizeof buf, "%d/%d", tests[i].points, tests[i].points);
        if (n > w)
            w = n;
    }
    return w;
}

/* Print text under a result, indented, at most max_lines lines. */
static void print_block(const char *text, const char *indent, int max_lines)
{
    int shown = 0, total = 0;
    const char *p = text;
    while (*p != '\0') {
        const char *nl = strchr(p, '\n');
        size_t n = nl != NULL ? (size_t)(nl - p) : strlen(p);
        if (shown < max_lines) {
            size_t cut = n > MAX_SHOWN_WIDTH ? MAX_SHOWN_WIDTH : n;
            while (cut < n && cut > 0 && ((unsigned char)p[cut] & 0xc0) == 0x80)
                cut--;
            printf("%s%.*s%s\n", indent, (int)cut, p, cut < n ? "..." : "");
            shown++;
        }
        total++;
        p = nl != NULL ? nl + 1 : p + n;
    }
    if (total > shown)
        printf("%s... (%d more lines: rerun the test to see everything)\n", indent, total - shown);
}

static void print_rerun(const test *t)
{
    char *path = exec_path(t->bin);
    str env = {0};
    if (t->variant != NULL)
        for (size_t i = 0; i < t->variant->nvars; i++)
            str_addf(&env, "%s ", t->variant->vars[i]);
    printf(INDENT "rerun: %s%s --run %s\n", str_get(&env), path, t->name);
    printf(INDENT "debug: %s%sgdb --args %s --run %s\n", env.len > 0 ? "env " : "", str_get(&env), path,
           t->name);
    /* An order test (an expected/got pair of event logs): a picture of the
     * run shows which iteration each step ran in (tools/trace, trace.h). */
    if (t->reason != NULL && strstr(t->reason, "expected: \"") != NULL && strstr(t->reason, "got:") != NULL)
        printf(INDENT "picture: sh tools/trace/show.sh %s %s %s\n", path, t->name, str_get(&env));
    str_free(&env);
    free(path);
}

static void print_lab_header(const lab *l)
{
    printf("%sLab %s — %s%s", BOLD, l->num, l->title, RESET); /* title: the kit's, never labs/ */
    if (opt.expect_fail)
        printf("   (starter check)\n");
    else if (l->files[0] != '\0')
        printf("   (your files: %s)\n", l->files);
    else
        printf("\n");
}

static void print_test(const test *t, int width)
{
    if (opt.expect_fail) {
        if (t->name == NULL) {
            printf("  %sERROR%s  %s: no test could run\n", RED, RESET, t->bin);
            print_block(t->reason, INDENT, MAX_MESSAGE_LINES);
        } else if (t->passed) {
            printf("  %sdoes not bite%s: test %s passes on the starter; a test must fail until the student "
                   "writes the code\n",
                   RED, RESET, t->display);
        } else {
            const char *nl = strchr(t->reason, '\n');
            int n = nl != NULL ? (int)(nl - t->reason) : (int)strlen(t->reason);
            if (n > 120)
                n = 120;
            printf("  fails  %s: %.*s\n", t->display, n, t->reason);
        }
        return;
    }
    char pts[32];
    snprintf(pts, sizeof pts, "%d/%d", t->passed ? t->points : 0, t->points);
    if (t->passed) {
        printf("  %sPASS%s   %-*s   %s\n", GREEN, RESET, width, pts, t->display);
        return;
    }
    if (t->name == NULL) {
        printf("  %sFAIL%s   %-*s   %s (no test could run)\n", RED, RESET, width, pts, t->bin);
        print_block(t->reason, INDENT, MAX_MESSAGE_LINES + 8);
        return;
    }
    printf("  %sFAIL%s   %-*s   %s\n", RED, RESET, width, pts, t->display);
    print_block(t->reason, INDENT, MAX_MESSAGE_LINES);
    if (t->location != NULL)
        printf(INDENT "at %s\n", t->location);
    if (t->tail != NULL) {
        printf(INDENT "last lines of output:\n");
        print_block(t->tail, INDENT "  ", 6);
    }
    print_rerun(t);
}

static void print_lab_footer(const lab *l)
{
    if (!opt.expect_fail) {
        printf("  Lab %s: %d/%d points, %d passed, %d failed\n\n", l->num, l->points, l->max_points, l->passed,
               l->failed);
        return;
    }
    if (l->passed == 0)
        printf("  starter check: all %zu tests of lab %s fail on the starter: %sOK%s\n\n", l->count, l->num,
               GREEN, RESET);
    else
        printf("  starter check: %d of %zu tests of lab %s pass on the starter: %sFAILED%s\n\n", l->passed,
               l->count, l->num, RED, RESET);
}

/* A whole lab in one go: one that could not be built, or (with --brief)
 * one where every test fails. Returns false if the lab is printed test by
 * test. */
static bool print_lab_short(test *tests, lab *l)
{
    int passed = 0;
    for (size_t i = l->first; i < l->first + l->count; i++)
        passed += tests[i].passed;
    bool all_listed = true;
    for (size_t i = l->first; i < l->first + l->count; i++)
        all_listed &= tests[i].name != NULL;
    if (opt.expect_fail || !all_listed || l->count == 0)
        return false;
    if (l->error == NULL && (!opt.brief || passed > 0))
        return false;
    l->failed = (int)l->count;
    if (l->error == NULL) {
        printf("%sLab %s — %s%s: not started, 0/%d points (all %zu tests fail; make test LAB=%s shows each one)\n\n",
               BOLD, l->num, l->title, RESET, l->max_points, l->count, l->num);
        return true;
    }
    print_lab_header(l);
    {
        printf("  %sFAIL%s   0/%d   the lab could not be built, so none of its %zu tests ran:\n", RED, RESET,
               l->max_points, l->count);
        print_block(l->error, INDENT, MAX_MESSAGE_LINES + 8);
    }
    print_lab_footer(l);
    return true;
}

/* Print every finished test from *next on, in order; a lab that is printed
 * whole waits until all its tests are done. */
static void print_ready(test *tests, size_t ntests, size_t *next)
{
    while (*next < ntests && tests[*next].done) {
        test *t = &tests[*next];
        lab *l = t->lab;
        if (*next == l->first) {
            bool all_done = true;
            for (size_t i = l->first; i < l->first + l->count; i++)
                all_done &= tests[i].done;
            if (!all_done && (opt.brief || l->error != NULL))
                return;
            if (all_done && print_lab_short(tests, l)) {
                *next = l->first + l->count;
                fflush(stdout);
                continue;
            }
            print_lab_header(l);
        }
        if (t->passed) {
            l->passed++;
            l->points += t->points;
        } else {
            l->failed++;
        }
        print_test(t, points_width(l, tests));
        (*next)++;
        if (*next == l->first + l->count)
            print_lab_footer(l);
        fflush(stdout);
    }
}

/* ---- running ------------------------------------------------------------ */

static void finish_test(test *t, proc *p)
{
    char *output = proc_output(p);
    judge(t, p, output);
    t->seconds = now_seconds() - p->started;
    t->done = true;
    free(output);
    proc_close(p);
}

static void start_test(test *t, proc *p, int slot)
{
    char *path = exec_path(t->bin);
    const char *argv[] = {path, "--run", t->name, NULL};
    char *err = NULL;
    char *const *extra = t->variant != NULL ? t->variant->vars : NULL;
    size_t nextra = t->variant != NULL ? t->variant->nvars : 0;
    if (proc_start(p, argv, extra, nextra, t->limit, false, slot, &err) != 0) {
        t->reason = err;
        t->done = true;
    }
    free(path);
}

static void run_all(test *tests, size_t ntests)
{
    size_t jobs = (size_t)opt.jobs;
    proc *slots = xcalloc(jobs, sizeof *slots);
    test **owner = xcalloc(jobs, sizeof *owner);
    proc **ptrs = xcalloc(jobs, sizeof *ptrs);
    size_t next = 0, printed = 0;
    for (;;) {
        for (size_t s = 0; s < jobs; s++) {
            while (owner[s] == NULL && next < ntests) {
                test *t = &tests[next++];
                if (t->done)
                    continue; /* a binary that could not be listed */
                start_test(t, &slots[s], (int)s);
                if (!t->done)
                    owner[s] = t;
            }
        }
        print_ready(tests, ntests, &printed);
        size_t busy = 0;
        for (size_t s = 0; s < jobs; s++) {
            ptrs[s] = owner[s] != NULL ? &slots[s] : NULL;
            busy += owner[s] != NULL;
        }
        if (busy == 0 && next >= ntests)
            break;
        procs_wait(ptrs, jobs);
        for (size_t s = 0; s < jobs; s++) {
            if (owner[s] != NULL && !slots[s].running) {
                finish_test(owner[s], &slots[s]);
                owner[s] = NULL;
            }
        }
    }
    print_ready(tests, ntests, &printed);
    free(slots);
    free(owner);
    free(ptrs);
}

/* ---- main ------------------------------------------------------------- */

static void free_all(lab *labs, size_t nlabs, test *tests, size_t ntests)
{
    for (size_t i = 0; i < ntests; i++) {
        free(tests[i].name);
        free(tests[i].display);
        free(tests[i].rule);
        free(tests[i].reason);
        free(tests[i].location);
        free(tests[i].tail);
    }
    free(tests);
    for (size_t i = 0; i < nlabs; i++) {
        lab *l = &labs[i];
        free(l->num);
        free(l->title);
        free(l->files);
        for (size_t v = 0; v < l->nvariants; v++) {
            free(l->variants[v].label);
            for (size_t k = 0; k < l->variants[v].nvars; k++)
                free(l->variants[v].vars[k]);
            free(l->variants[v].vars);
        }
        free(l->variants);
        for (size_t b = 0; b < l->nbins; b++) {
            free(l->bins[b]);
            free(l->listers[b]);
        }
        free(l->bins);
        free(l->listers);
        free(l->hidden);
        free(l->error);
    }
    free(labs);
}

int main(int argc, char **argv)
{
    size_t nlabs = 0, ntests = 0;
    lab *labs = parse_args(argc, argv, &nlabs);
    const char *no_color = getenv("NO_COLOR");
    opt.color = isatty(STDOUT_FILENO) && no_color == NULL;
    setvbuf(stdout, NULL, _IOLBF, 0);
    runner_sandbox(&sandbox_opt);
    runner_init();

    test *tests = collect(labs, nlabs, &ntests);
    run_all(tests, ntests);
    runner_done();

    int points = 0, max = 0, passed = 0, failed = 0;
    bool broken = false; /* a binary that could not run */
    for (size_t i = 0; i < nlabs; i++) {
        points += labs[i].points;
        max += labs[i].max_points;
        passed += labs[i].passed;
        failed += labs[i].failed;
    }
    for (size_t i = 0; i < ntests; i++)
        broken |= tests[i].name == NULL;
    printf("Total: %d/%d points\n", points, max);
    printf("%d passed, %d failed\n", passed, failed);

    int status;
    if (opt.expect_fail)
        status = passed == 0 && !broken ? 0 : 1;
    else
        status = failed == 0 && passed > 0 ? 0 : 1;
    if (opt.json != NULL && write_json(opt.json, labs, nlabs, tests, ntests) != 0)
        status = 2;
    if (opt.junit != NULL && write_junit(opt.junit, labs, nlabs, tests, ntests) != 0)
        status = 2;
    free_all(labs, nlabs, tests, ntests);
    return status;
}

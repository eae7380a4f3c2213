/* grader.h — what the grader's files share: labs, tests, results, text.
 *
 * The grader (kt-grade) runs every test of every lab in its own process
 * (runner.c), turns what happened into a verdict with a readable reason
 * (verdict.c, sanitizer.c), and reports it on the terminal (main.c), in
 * Gradescope's results.json and in JUnit XML (reports.c).
 */
#ifndef KT_GRADER_H
#define KT_GRADER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* ---- text -------------------------------------------------------------- */

/* A growable string; always NUL-terminated once anything was added. */
typedef struct str {
    char *buf;
    size_t len, cap;
} str;

void str_add(str *s, const char *text);
void str_addn(str *s, const char *text, size_t n);
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void str_addf(str *s, const char *fmt, ...);
const char *str_get(const str *s); /* "" when empty */
char *str_take(str *s);            /* hand the buffer over; s is empty again */
void str_free(str *s);

char *xstrdup(const char *s);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);

/* Make text from a child safe for any report: valid UTF-8 (bad bytes become
 * U+FFFD), no control characters but newline and tab (others become '?'),
 * CR LF becomes LF. Returns a new string. */
char *clean_text(const char *data, size_t len);

/* ---- labs and tests -------------------------------------------------- */

typedef struct variant {
    char *label;
    char **vars; /* "KEY=VALUE" */
    size_t nvars;
} variant;

typedef struct lab {
    char *num; /* "01", as given */
    char *title;
    char *files;
    variant *variants;
    size_t nvariants;
    char **bins;
    char **listers;  /* per bin: the binary that lists its tests (NULL: the bin) */
    bool *hidden;    /* per bin: its tests are hidden tests */
    size_t nbins;
    char *error;     /* the lab could not be built: why (every test fails) */
    /* filled in by main.c */
    size_t first, count; /* its tests: tests[first .. first+count) */
    int points, max_points, passed, failed;
} lab;

typedef struct test {
    lab *lab;
    const char *bin;
    char *name;     /* as listed; NULL when the binary could not be listed */
    char *display;  /* name, plus " [label]" for a variant */
    int points;
    double limit;   /* seconds, scaled */
    char *rule;
    const variant *variant;
    int number;     /* 1-based within its lab */
    bool hidden;    /* a hidden test: verdict only in the reports */
    /* the result */
    bool done, passed;
    char *reason;   /* NULL when passed: headline line, then detail lines */
    char *location; /* "file:line" of a failed check, or NULL */
    char *tail;     /* the last lines of the output, when they help; or NULL */
    double seconds;
} test;

/* ---- running a process (runner.c) -------------------------------------- */

typedef struct proc {
    pid_t pid;
    int res_fd;         /* read end of the result pipe (stdout for --list) */
    int out_fd;         /* unlinked temp file with the child's stdout+stderr */
    double started, deadline;
    bool running, timed_out, leftover;
    int status;         /* the test's wait status, valid when !running */
    int status_fd;      /* read end of the keeper's report */
    char token[33];     /* the secret the harness echoes with PASS */
    str res;            /* what came on the pipe */
} proc;

/* Grading as root: each test as its own unprivileged uid, in its own
 * namespaces when the kernel allows (runner.c). */
typedef struct sandbox_config {
    bool enabled, namespaces;
    const char *kit;    /* made read-only for the tests */
    char **hide;        /* covered for the tests (hidden tests) */
    size_t nhide;
} sandbox_config;
void runner_sandbox(const sandbox_config *cfg);
bool runner_sandboxed(void);

/* Options the runner applies to every child. */
void runner_init(void);
/* Reap whatever the tests left behind, before the grader exits. */
void runner_done(void);
/* Start argv with the clean environment plus extra vars. With list_mode the
 * child's stdout goes to the pipe (for --list); otherwise the pipe is the
 * result channel named by KT_RESULT_FD. Returns 0, or -1 with *err set. */
int proc_start(proc *p, const char *const argv[], char *const extra_env[], size_t nextra,
               double limit, bool list_mode, int slot, char **err);
/* Wait until at least one of the running procs ends (or times out and is
 * killed); returns after handling any that did. */
void procs_wait(proc **procs, size_t n);
/* The child's output, cleaned, possibly cut in the middle when huge. */
char *proc_output(proc *p);
void proc_close(proc *p);
double now_seconds(void);

/* ---- verdicts (verdict.c, sanitizer.c) ------------------------------- */

/* Fill t->passed, t->reason, t->location from how p ended. */
void judge(test *t, proc *p, const char *output);

/* If the output holds a sanitizer report, write a one-line headline and a few
 * detail lines (each starting with no indentation) and return true. */
bool sanitizer_reason(const char *output, str *headline, str *details);

/* "crashed: SIGSEGV (segmentation fault)" and the like. */
void describe_signal(int sig, str *out);

/* Make a path from a report relative to the current directory. */
void short_location(const char *loc, str *out);

/* ---- reports (reports.c) ------------------------------------------------ */

int write_json(const char *path, lab *labs, size_t nlabs, test *tests, size_t ntests);
int write_junit(const char *path, lab *labs, size_t nlabs, test *tests, size_t ntests);

#endif

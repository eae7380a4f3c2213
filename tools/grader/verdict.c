/* verdict.c — from how a test process ended to "passed" or a reason.
 *
 * Only two things decide: what came on the grader's private pipe and how the
 * process ended. A test passes when the pipe says PASS, the process exited
 * with status 0, and it left no process behind. Everything the test printed
 * is only used to explain a failure.
 */
#define _POSIX_C_SOURCE 200809L
#include "grader.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#define TAIL_LINES 6
#define TAIL_WIDTH 200

void describe_signal(int sig, str *out)
{
    static const struct {
        int sig;
        const char *text;
    } table[] = {
        {SIGSEGV, "crashed: SIGSEGV (segmentation fault)"},
        {SIGBUS, "crashed: SIGBUS (bus error: a bad or misaligned address)"},
        {SIGFPE, "crashed: SIGFPE (arithmetic error, e.g. an integer division by zero)"},
        {SIGILL, "crashed: SIGILL (illegal instruction)"},
        {SIGTRAP, "crashed: SIGTRAP (a trap: __builtin_trap() or a breakpoint)"},
        {SIGABRT, "aborted: SIGABRT (abort() or a failed assert())"},
        {SIGKILL, "killed: SIGKILL (killed from outside: out of memory?)"},
        {SIGTERM, "killed: SIGTERM (terminated from outside)"},
        {SIGINT, "killed: SIGINT (interrupted)"},
        {SIGHUP, "killed: SIGHUP (hang-up)"},
        {SIGPIPE, "killed: SIGPIPE (wrote to a pipe or socket that nobody reads)"},
        {SIGXFSZ, "killed: SIGXFSZ (wrote more than 16 MiB of output: a print in a loop?)"},
        {SIGXCPU, "killed: SIGXCPU (used up its CPU time)"},
        {SIGALRM, "killed: SIGALRM (an alarm() went off and nothing handled it)"},
        {SIGUSR1, "killed: SIGUSR1 (a signal that nothing handled)"},
        {SIGUSR2, "killed: SIGUSR2 (a signal that nothing handled)"},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        if (table[i].sig == sig) {
            str_add(out, table[i].text);
            return;
        }
    }
    str_addf(out, "killed by signal %d", sig);
}

/* The last few non-empty lines of the output, each cut to a sane width. */
static char *output_tail(const char *output)
{
    const char *starts[TAIL_LINES];
    size_t lens[TAIL_LINES];
    int count = 0;
    const char *end = output + strlen(output);
    while (end > output && count < TAIL_LINES) {
        const char *e = end;
        while (e > output && e[-1] == '\n')
            e--;
        if (e == output)
            break;
        const char *b = e;
        while (b > output && b[-1] != '\n')
            b--;
        starts[count] = b;
        lens[count] = (size_t)(e - b);
        count++;
        end = b;
    }
    if (count == 0)
        return NULL;
    str s = {0};
    for (int i = count - 1; i >= 0; i--) {
        size_t n = lens[i];
        if (n > TAIL_WIDTH) {
            n = TAIL_WIDTH;
            while (n > 0 && ((unsigned char)starts[i][n] & 0xc0) == 0x80)
                n--;
        }
        str_addn(&s, starts[i], n);
        str_add(&s, n < lens[i] ? "...\n" : "\n");
    }
    return str_take(&s);
}

/* libc's "prog: file.c:12: fn: Assertion `x' failed." line, if any. */
static void assertion_line(const char *output, str *det)
{
    const char *a = strstr(output, "Assertion `");
    if (a == NULL)
        return;
    const char *b = a;
    while (b > output && b[-1] != '\n')
        b--;
    const char *e = strchr(a, '\n');
    size_t n = e != NULL ? (size_t)(e - b) : strlen(b);
    if (n > TAIL_WIDTH)
        n = TAIL_WIDTH;
    str_addn(det, b, n);
    str_add(det, "\n");
}

/* cmocka's assert_*() outside its runner (ktest sets CMOCKA_TEST_ABORT):
 *     0x1 != 0x2
 *     [   LINE   ] --- tests/x.c:9: error: Failure!
 * then abort(). Returns true and fills the headline and location. */
static bool cmocka_assert(const char *output, str *head, char **location)
{
    const char *mark = "[   LINE   ] --- ";
    const char *l = strstr(output, mark);
    if (l == NULL)
        return false;
    const char *b = l;
    if (b > output && b[-1] == '\n') {
        b--;
        while (b > output && b[-1] != '\n')
            b--;
    }
    size_t n = (size_t)(l - b);
    while (n > 0 && (b[n - 1] == '\n' || b[n - 1] == ' '))
        n--;
    if (strncmp(b, "[  ERROR   ] --- ", 17) == 0 && n >= 17) {
        b += 17;
        n -= 17;
    }
    str_add(head, "a cmocka assertion failed");
    if (n > 0) {
        str_add(head, ": ");
        str_addn(head, b, n > TAIL_WIDTH ? TAIL_WIDTH : n);
    }
    const char *loc = l + strlen(mark);
    const char *end = strstr(loc, ": error:");
    const char *nl = strchr(loc, '\n');
    if (end != NULL && (nl == NULL || end < nl)) {
        str raw = {0}, s = {0};
        str_addn(&raw, loc, (size_t)(end - loc));
        short_location(str_get(&raw), &s);
        *location = str_take(&s);
        str_free(&raw);
    }
    return true;
}

typedef struct pipe_verdict {
    bool pass, fail, forged;
    char *location; /* from "FAIL file:line" */
    char *message;
} pipe_verdict;

static void read_pipe(const str *res, const char *token, pipe_verdict *v)
{
    memset(v, 0, sizeof *v);
    char *text = clean_text(str_get(res), res->len);
    size_t tl = strlen(token);
    if (strncmp(text, "PASS", 4) == 0) {
        /* Only the harness knows the token; anything else wrote this. */
        if (text[4] == ' ' && tl > 0 && strncmp(text + 5, token, tl) == 0 && text[5 + tl] == '\n')
            v->pass = true;
        else
            v->forged = true;
    } else if (strncmp(text, "FAIL", 4) == 0 && (text[4] == ' ' || text[4] == '\n' || text[4] == '\0')) {
        v->fail = true;
        char *nl = strchr(text, '\n');
        char *loc_end = nl != NULL ? nl : text + strlen(text);
        if (text[4] == ' ' && loc_end > text + 5) {
            str l = {0};
            str_addn(&l, text + 5, (size_t)(loc_end - text - 5));
            str s = {0};
            short_location(str_get(&l), &s);
            v->location = str_take(&s);
            str_free(&l);
        }
        const char *msg = nl != NULL ? nl + 1 : "";
        size_t n = strlen(msg);
        while (n > 0 && msg[n - 1] == '\n')
            n--;
        str m = {0};
        str_addn(&m, msg, n);
        if (n == 0)
            str_add(&m, "the test failed (without a message)");
        v->message = str_take(&m);
    }
    free(text);
}

void judge(test *t, proc *p, const char *output)
{
    pipe_verdict v;
    read_pipe(&p->res, p->token, &v);
    int st = p->status;
    bool exited = WIFEXITED(st);
    int code = exited ? WEXITSTATUS(st) : -1;
    bool clean_exit = exited && code == 0;
    str head = {0}, det = {0};
    bool show_rule = true, show_tail = false;

    t->passed = false;
    if (v.forged) {
        str_add(&head, "a verdict not written by the test harness came on the grader's channel: "
                       "the code under test wrote it, and it earns nothing");
        show_tail = true;
    } else if (p->timed_out) {
        str_addf(&head, "timed out after %g s: an infinite loop, or waiting for something that never comes",
                 t->limit);
        show_tail = true;
    } else if (v.fail) {
        /* The test's own message: the rule, expected and got. */
        str_add(&head, v.message);
        show_rule = false;
        t->location = v.location;
        v.location = NULL;
    } else if (!clean_exit && sanitizer_reason(output, &head, &det)) {
        /* reported above */
    } else if (WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT && cmocka_assert(output, &head, &t->location)) {
        /* the assertion is the reason; the rule says what it checks */
    } else if (WIFSIGNALED(st)) {
        describe_signal(WTERMSIG(st), &head);
        size_t before = det.len;
        if (WTERMSIG(st) == SIGABRT)
            assertion_line(output, &det);
        show_tail = det.len == before; /* the assertion says it better */
    } else if (code >= 86 && code <= 89) {
        str_addf(&head, "a sanitizer stopped the test (exit status %d), but its report is not in the output",
                 code);
        show_tail = true;
    } else if (v.pass && code == 0) {
        t->passed = true;
        show_rule = false;
    } else if (v.pass) {
        str_addf(&head, "exited with status %d after the test passed", code);
        str_add(&det, "something failed after the test: an atexit() handler, or a destructor?\n");
        show_tail = true;
    } else if (code == 0) {
        str_add(&head, "the test process exited before the test finished (does the code call exit()?)");
        show_tail = true;
    } else if (code == 127 && strstr(output, "kt-grade: cannot run") != NULL) {
        str_add(&head, "the test binary could not be started");
        show_tail = true;
    } else {
        str_addf(&head,
                 "the test process exited with status %d before the test finished "
                 "(does the code call exit(%d)?)",
                 code, code);
        show_tail = true;
    }

    if (p->leftover) {
        if (t->passed) {
            t->passed = false;
            str_add(&head, "left a process running (a child not reaped?)");
            str_add(&det, "every process a test starts must have ended and been waited for "
                          "(waitpid) before the test returns; the grader killed it\n");
            show_rule = true;
        } else {
            str_add(&det, "also left a process running (a child not reaped?); the grader killed it\n");
        }
    }

    if (!t->passed) {
        if (show_rule && t->rule != NULL && t->rule[0] != '\0')
            str_addf(&det, "rule: %s\n", t->rule);
        str r = {0};
        str_add(&r, str_get(&head));
        if (det.len > 0) {
            str_add(&r, "\n");
            size_t n = det.len;
            while (n > 0 && det.buf[n - 1] == '\n')
                n--;
            str_addn(&r, det.buf, n);
        }
        t->reason = str_take(&r);
        if (show_tail)
            t->tail = output_tail(output);
    }
    str_free(&head);
    str_free(&det);
    free(v.location);
    free(v.message);
}

/* sanitizer.c — read a sanitizer report and say in one line what went
 * wrong and where: the kind of error and the first stack frame that is the
 * student's (or the lab's) code, not the sanitizer's, libc's or the
 * harness's. The whole report is one rerun away; this line is for the table.
 */
#define _POSIX_C_SOURCE 200809L
#include "grader.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_LINE 200

typedef struct lines {
    char *copy;
    char **v;
    size_t n;
} lines;

static void split_lines(const char *text, lines *ls)
{
    ls->copy = xstrdup(text);
    size_t cap = 16;
    ls->v = xcalloc(cap, sizeof *ls->v);
    ls->n = 0;
    char *p = ls->copy;
    while (*p != '\0') {
        char *nl = strchr(p, '\n');
        if (ls->n == cap) {
            cap *= 2;
            ls->v = xrealloc(ls->v, cap * sizeof *ls->v);
        }
        ls->v[ls->n++] = p;
        if (nl == NULL)
            break;
        *nl = '\0';
        p = nl + 1;
    }
}

static void free_lines(lines *ls)
{
    free(ls->copy);
    free(ls->v);
}

static const char *skip_space(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/* Add at most max bytes of text (cut at a character boundary). */
static void add_cut(str *out, const char *text, size_t n, size_t max)
{
    if (n <= max) {
        str_addn(out, text, n);
        return;
    }
    while (max > 0 && ((unsigned char)text[max] & 0xc0) == 0x80)
        max--;
    str_addn(out, text, max);
    str_add(out, "...");
}

void short_location(const char *loc, str *out)
{
    static char cwd[4096];
    static bool have_cwd;
    if (!have_cwd) {
        if (getcwd(cwd, sizeof cwd - 1) == NULL)
            cwd[0] = '\0';
        size_t n = strlen(cwd);
        if (n > 0 && cwd[n - 1] != '/')
            strcat(cwd, "/");
        have_cwd = true;
    }
    size_t cl = strlen(cwd);
    if (cl > 1 && strncmp(loc, cwd, cl) == 0)
        loc += cl;
    while (strncmp(loc, "./", 2) == 0)
        loc += 2;
    /* file:line:column -> file:line */
    size_t n = strlen(loc);
    const char *last = strrchr(loc, ':');
    if (last != NULL && last[1] >= '0' && last[1] <= '9' && strspn(last + 1, "0123456789") == strlen(last + 1)) {
        const char *p = last;
        while (p > loc && p[-1] >= '0' && p[-1] <= '9')
            p--;
        if (p > loc && p[-1] == ':' && p < last)
            n = (size_t)(last - loc);
    }
    add_cut(out, loc, n, MAX_LINE);
}

/* "    #3 0x55d... in fn file.c:12:5" -> fn, "file.c:12:5" */
static bool parse_frame(const char *line, str *func, str *loc)
{
    const char *p = skip_space(line);
    if (*p != '#' || p[1] < '0' || p[1] > '9')
        return false;
    p++;
    while (*p >= '0' && *p <= '9')
        p++;
    p = skip_space(p);
    if (strncmp(p, "0x", 2) == 0) {
        p += 2;
        while ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'))
            p++;
        p = skip_space(p);
    }
    if (strncmp(p, "in ", 3) == 0) {
        p += 3;
        const char *sp = strchr(p, ' ');
        size_t n = sp != NULL ? (size_t)(sp - p) : strlen(p);
        str_addn(func, p, n);
        p = sp != NULL ? skip_space(sp) : p + n;
    }
    const char *end = strstr(p, " (BuildId");
    size_t n = end != NULL ? (size_t)(end - p) : strlen(p);
    while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
        n--;
    str_addn(loc, p, n);
    return true;
}

static bool has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Is this frame the code being graded (or the lab's given code), rather than
 * the sanitizer, libc, cmocka or the harness? */
static bool frame_relevant(const char *func, const char *loc)
{
    static const char *const bad_func[] = {"__interceptor_", "___interceptor_", "__asan", "__lsan",
                                           "__ubsan", "__sanitizer", "__tsan", "__libc_", "_start",
                                           "__wrap_malloc"};
    static const char *const bad_loc[] = {"sanitizer", "compiler-rt", "sysdeps/", "csu/", "libc.so",
                                          "libc-", "glibc", "tests/harness/ktest.c", "cmocka",
                                          "nptl/", "stdlib/", "assert/"};
    if (loc[0] == '\0' || loc[0] == '(' || loc[0] == '<')
        return false;
    for (size_t i = 0; i < sizeof bad_func / sizeof bad_func[0]; i++)
        if (has_prefix(func, bad_func[i]))
            return false;
    for (size_t i = 0; i < sizeof bad_loc / sizeof bad_loc[0]; i++)
        if (strstr(loc, bad_loc[i]) != NULL)
            return false;
    return true;
}

/* Find the stack frames that follow line `from` (within a few lines) and
 * write "fn file:line" of the first relevant one. Returns the index after
 * the block, or `from` if there was none. */
static size_t pick_frame(const lines *ls, size_t from, str *out)
{
    size_t i = from;
    while (i < ls->n && i < from + 6) {
        str f = {0}, l = {0};
        bool is = parse_frame(ls->v[i], &f, &l);
        str_free(&f);
        str_free(&l);
        if (is)
            break;
        i++;
    }
    if (i >= ls->n || i >= from + 6)
        return from;
    str best_f = {0}, best_l = {0}, any_f = {0}, any_l = {0};
    bool have_best = false, have_any = false;
    /* The student's own code first: the first frame in a file under labs/,
     * even when kit code (lib/src, a given module) sits above it. */
    for (size_t k = i; k < ls->n; k++) {
        str f = {0}, l = {0}, sl = {0};
        if (!parse_frame(ls->v[k], &f, &l)) {
            str_free(&f);
            str_free(&l);
            break;
        }
        short_location(str_get(&l), &sl);
        if (strncmp(str_get(&sl), "labs/", 5) == 0 && !have_best) {
            best_f = f;
            best_l = l;
            have_best = true;
        } else {
            str_free(&f);
            str_free(&l);
        }
        str_free(&sl);
    }
    for (; i < ls->n; i++) {
        str f = {0}, l = {0};
        if (!parse_frame(ls->v[i], &f, &l)) {
            str_free(&f);
            str_free(&l);
            break;
        }
        if (!have_best && frame_relevant(str_get(&f), str_get(&l))) {
            best_f = f;
            best_l = l;
            have_best = true;
            continue;
        }
        if (!have_any && str_get(&l)[0] != '(' && str_get(&f)[0] != '\0') {
            any_f = f;
            any_l = l;
            have_any = true;
            continue;
        }
        str_free(&f);
        str_free(&l);
    }
    str *fn = have_best ? &best_f : &any_f;
    str *loc = have_best ? &best_l : &any_l;
    if (have_best || have_any) {
        str_add(out, str_get(fn)[0] != '\0' ? str_get(fn) : "?");
        str_add(out, " ");
        short_location(str_get(loc), out);
    }
    str_free(&best_f);
    str_free(&best_l);
    str_free(&any_f);
    str_free(&any_l);
    return i;
}

static const char *after(const char *line, const char *marker)
{
    const char *p = strstr(line, marker);
    return p != NULL ? p + strlen(marker) : NULL;
}

static int signal_from_name(const char *kind)
{
    static const struct {
        const char *name;
        int sig;
    } map[] = {{"SEGV", SIGSEGV}, {"BUS", SIGBUS}, {"FPE", SIGFPE},
               {"ILL", SIGILL},   {"ABRT", SIGABRT}, {"TRAP", SIGTRAP}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(kind, map[i].name) == 0)
            return map[i].sig;
    return 0;
}

/* An AddressSanitizer error (or a deadly signal caught by a sanitizer). */
static void asan_report(const lines *ls, size_t at, const char *text, str *head, str *det)
{
    /* "heap-use-after-free on address 0x..." -> "heap-use-after-free" */
    str kind = {0};
    size_t n = strlen(text);
    const char *cut = strstr(text, " on ");
    if (cut != NULL)
        n = (size_t)(cut - text);
    const char *colon = memchr(text, ':', n);
    if (colon != NULL)
        n = (size_t)(colon - text);
    add_cut(&kind, text, n, 80);

    str where = {0};
    size_t next = pick_frame(ls, at + 1, &where);
    int sig = signal_from_name(str_get(&kind));
    if (strcmp(str_get(&kind), "stack-overflow") == 0) {
        str_add(head, "stack overflow (unbounded recursion, or a coroutine stack too small)");
    } else if (sig != 0) {
        describe_signal(sig, head);
    } else {
        str_add(head, "AddressSanitizer: ");
        str_add(head, str_get(&kind));
    }
    if (where.len > 0) {
        str_add(head, " in ");
        str_add(head, str_get(&where));
    }

    /* The details that make the report readable in three lines. */
    for (size_t i = at + 1; i < ls->n && i < at + 4; i++) {
        const char *l = skip_space(ls->v[i]);
        if (has_prefix(l, "READ of size") || has_prefix(l, "WRITE of size")) {
            const char *a = strstr(l, " at ");
            add_cut(det, l, a != NULL ? (size_t)(a - l) : strlen(l), MAX_LINE);
            str_add(det, "\n");
        }
    }
    for (size_t i = next; i < ls->n; i++) {
        const char *l = skip_space(ls->v[i]);
        if (has_prefix(l, "SUMMARY:") || has_prefix(l, "Shadow bytes"))
            break;
        if (strstr(l, "freed by thread") != NULL) {
            str w = {0};
            pick_frame(ls, i + 1, &w);
            if (w.len > 0)
                str_addf(det, "freed at %s\n", str_get(&w));
            str_free(&w);
        } else if (strstr(l, "allocated by thread") != NULL) {
            str w = {0};
            pick_frame(ls, i + 1, &w);
            if (w.len > 0)
                str_addf(det, "allocated at %s\n", str_get(&w));
            str_free(&w);
        } else if (has_prefix(l, "0x") && strstr(l, " is located ") != NULL) {
            const char *s = strstr(l, " is located ") + 1;
            const char *br = strstr(s, " [");
            str_add(det, "the address ");
            add_cut(det, s, br != NULL ? (size_t)(br - s) : strlen(s), MAX_LINE);
            str_add(det, "\n");
        } else if (strstr(l, "<== Memory access") != NULL) {
            add_cut(det, l, strlen(l), MAX_LINE);
            str_add(det, "\n");
        } else if (has_prefix(l, "The signal is caused by") || has_prefix(l, "Hint:")) {
            add_cut(det, l, strlen(l), MAX_LINE);
            if (strstr(l, "zero page") != NULL)
                str_add(det, " (a NULL pointer?)");
            str_add(det, "\n");
        }
    }
    str_free(&kind);
    str_free(&where);
}

static void leak_report(const lines *ls, size_t at, str *head, str *det)
{
    long long total = 0, allocs = 0, sum_bytes = 0, sum_objects = 0;
    int leaks = 0;
    str first = {0};
    for (size_t i = at + 1; i < ls->n; i++) {
        const char *l = skip_space(ls->v[i]);
        const char *s = after(l, "Sanitizer: ");
        if (has_prefix(l, "SUMMARY:") && s != NULL) {
            sscanf(s, "%lld byte(s) leaked in %lld allocation(s)", &total, &allocs);
            continue;
        }
        bool direct = has_prefix(l, "Direct leak of ");
        if (!direct && !has_prefix(l, "Indirect leak of "))
            continue;
        long long bytes = 0, objects = 0;
        sscanf(l + (direct ? 15 : 17), "%lld byte(s) in %lld object(s)", &bytes, &objects);
        sum_bytes += bytes;
        sum_objects += objects;
        str w = {0};
        pick_frame(ls, i + 1, &w);
        leaks++;
        if (leaks == 1)
            str_add(&first, w.len > 0 ? str_get(&w) : "?");
        else if (leaks <= 4)
            str_addf(det, "also %lld bytes allocated at %s%s\n", bytes, w.len > 0 ? str_get(&w) : "?",
                     direct ? "" : " (reachable only from leaked memory)");
        str_free(&w);
    }
    if (total == 0) {
        total = sum_bytes;
        allocs = sum_objects;
    }
    if (leaks == 0)
        str_add(head, "LeakSanitizer: memory leaked");
    else if (allocs > 1)
        str_addf(head, "LeakSanitizer: %lld bytes leaked in %lld allocations, one allocated at %s", total,
                 allocs, str_get(&first));
    else
        str_addf(head, "LeakSanitizer: %lld bytes leaked, allocated at %s", total, str_get(&first));
    if (leaks > 4)
        str_addf(det, "and %d more leaks (rerun the test for the whole report)\n", leaks - 4);
    str_add(det, "memory allocated during the test was never freed\n");
    str_free(&first);
}

static void ubsan_report(const lines *ls, size_t at, str *head, str *det)
{
    const char *l = ls->v[at];
    const char *m = strstr(l, ": runtime error: ");
    const char *msg = m + strlen(": runtime error: ");
    str_add(head, "UBSan: runtime error: ");
    add_cut(head, msg, strlen(msg), MAX_LINE);
    const char *loc = skip_space(l);
    if (m > loc) {
        str place = {0};
        str_addn(&place, loc, (size_t)(m - loc));
        str_add(head, " at ");
        short_location(str_get(&place), head);
        str_free(&place);
    }
    str w = {0};
    pick_frame(ls, at + 1, &w);
    if (w.len > 0)
        str_addf(det, "in %s\n", str_get(&w));
    str_free(&w);
}

static void tsan_report(const lines *ls, size_t at, const char *text, str *head, str *det)
{
    const char *paren = strstr(text, " (");
    str_add(head, "ThreadSanitizer: ");
    add_cut(head, text, paren != NULL ? (size_t)(paren - text) : strlen(text), 80);
    int blocks = 0;
    for (size_t i = at + 1; i < ls->n && blocks < 2; i++) {
        const char *l = skip_space(ls->v[i]);
        if (has_prefix(l, "SUMMARY:"))
            break;
        if (strstr(l, " by thread ") == NULL && strstr(l, " by main thread") == NULL)
            continue;
        str w = {0};
        pick_frame(ls, i + 1, &w);
        if (w.len > 0) {
            if (blocks == 0)
                str_addf(head, " in %s", str_get(&w));
            else
                str_addf(det, "and in %s\n", str_get(&w));
        }
        blocks++;
        str_free(&w);
    }
}

bool sanitizer_reason(const char *output, str *head, str *det)
{
    lines ls;
    split_lines(output, &ls);
    bool found = true;
    size_t i;
    for (i = 0; i < ls.n; i++) {
        const char *l = ls.v[i];
        const char *t;
        if ((t = after(l, "ERROR: LeakSanitizer: ")) != NULL) {
            leak_report(&ls, i, head, det);
        } else if ((t = after(l, "ERROR: AddressSanitizer: ")) != NULL ||
                   (t = after(l, "ERROR: UndefinedBehaviorSanitizer: ")) != NULL ||
                   (t = after(l, "ERROR: ThreadSanitizer: ")) != NULL ||
                   (t = after(l, "ERROR: HWAddressSanitizer: ")) != NULL) {
            asan_report(&ls, i, t, head, det);
        } else if (strstr(l, ": runtime error: ") != NULL) {
            ubsan_report(&ls, i, head, det);
        } else if ((t = after(l, "WARNING: ThreadSanitizer: ")) != NULL) {
            tsan_report(&ls, i, t, head, det);
        } else if (has_prefix(l, "SUMMARY: ") && strstr(l, "Sanitizer") != NULL) {
            const char *s = l + 9;
            add_cut(head, s, strlen(s), MAX_LINE);
        } else {
            continue;
        }
        break;
    }
    if (i == ls.n)
        found = false;
    free_lines(&ls);
    return found;
}

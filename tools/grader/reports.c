/* reports.c — results.json (Gradescope's format) and JUnit XML.
 *
 * Both files are written whole, fresh each run. All text in them went
 * through clean_text() when it came from a child (valid UTF-8, no control
 * characters), and is escaped here once more for the format.
 */
#define _POSIX_C_SOURCE 200809L
#include "grader.h"

#include <fcntl.h>
#include <unistd.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        switch (*p) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\t': fputs("\\t", f); break;
        case '\r': fputs("\\r", f); break;
        default:
            if (*p < 0x20 || *p == 0x7f)
                fprintf(f, "\\u%04x", *p);
            else
                fputc(*p, f);
        }
    }
    fputc('"', f);
}

static void xml_text(FILE *f, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        switch (*p) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&apos;", f); break;
        case '\n': fputs("&#10;", f); break;
        case '\t': fputs("&#9;", f); break;
        default:
            /* XML 1.0 allows no other control character, even escaped. */
            if (*p < 0x20 || *p == 0x7f)
                fputc('?', f);
            else
                fputc(*p, f);
        }
    }
}

/* Text that may hold anything (names, titles given on the command line). */
static char *safe(const char *s)
{
    return clean_text(s, strlen(s));
}

/* The whole reason of a failed test, as one text. */
static char *full_reason(const test *t)
{
    str s = {0};
    str_add(&s, t->reason != NULL ? t->reason : "");
    if (t->location != NULL)
        str_addf(&s, "\nat %s", t->location);
    if (t->tail != NULL)
        str_addf(&s, "\n\nlast lines of output:\n%s", t->tail);
    char *r = safe(str_get(&s));
    str_free(&s);
    return r;
}

static const char *base_name(const char *path)
{
    const char *b = strrchr(path, '/');
    return b != NULL ? b + 1 : path;
}

/* A report is written once, whole: into PATH.tmp (made fresh, never
 * followed through a link), then renamed over PATH. A reader sees the old
 * report or the new one, never half of one. */
static FILE *open_fresh(const char *path)
{
    str tmp = {0};
    str_addf(&tmp, "%s.tmp", path);
    unlink(tmp.buf);
    int fd = open(tmp.buf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (f == NULL) {
        fprintf(stderr, "kt-grade: cannot write %s: %s\n", tmp.buf, strerror(errno));
        if (fd >= 0)
            close(fd);
    }
    str_free(&tmp);
    return f;
}

static int close_checked(FILE *f, const char *path)
{
    str tmp = {0};
    str_addf(&tmp, "%s.tmp", path);
    int bad = fflush(f) != 0 || ferror(f) || fsync(fileno(f)) != 0;
    bad |= fclose(f) != 0;
    if (!bad && rename(tmp.buf, path) != 0)
        bad = 1;
    if (bad) {
        fprintf(stderr, "kt-grade: error writing %s\n", path);
        unlink(tmp.buf);
    }
    str_free(&tmp);
    return bad ? -1 : 0;
}

int write_json(const char *path, lab *labs, size_t nlabs, test *tests, size_t ntests)
{
    FILE *f = open_fresh(path);
    if (f == NULL)
        return -1;
    int score = 0, max = 0, passed = 0, failed = 0;
    str summary = {0};
    for (size_t i = 0; i < nlabs; i++) {
        lab *l = &labs[i];
        score += l->points;
        max += l->max_points;
        passed += l->passed;
        failed += l->failed;
        str_addf(&summary, "Lab %s — %s: %d/%d points, %d passed, %d failed\n", l->num, l->title, l->points,
                 l->max_points, l->passed, l->failed);
    }
    str_addf(&summary, "Total: %d/%d points\n%d passed, %d failed", score, max, passed, failed);
    char *sum = safe(str_get(&summary));
    fprintf(f, "{\n  \"score\": %d,\n  \"max_score\": %d,\n  \"output\": ", score, max);
    json_string(f, sum);
    fputs(",\n  \"tests\": [", f);
    for (size_t i = 0; i < ntests; i++) {
        const test *t = &tests[i];
        str name = {0}, number = {0};
        if (t->name != NULL)
            str_addf(&name, "Lab %s › %s", t->lab->num, t->display);
        else
            str_addf(&name, "Lab %s › %s (could not run)", t->lab->num, t->bin);
        str_addf(&number, "%s.%d", t->lab->num, t->number);
        char *n = safe(str_get(&name));
        /* A hidden test shows its verdict and nothing of its source. */
        char *r = t->passed ? xstrdup("") : t->hidden ? xstrdup("failed (a hidden test)") : full_reason(t);
        fputs(i > 0 ? ",\n    {" : "\n    {", f);
        fputs("\"name\": ", f);
        json_string(f, n);
        fputs(", \"number\": ", f);
        json_string(f, str_get(&number));
        fprintf(f, ", \"score\": %d, \"max_score\": %d, \"status\": \"%s\", \"output\": ",
                t->passed ? t->points : 0, t->points, t->passed ? "passed" : "failed");
        json_string(f, r);
        fprintf(f, ", \"visibility\": \"%s\"}", t->hidden ? "hidden" : "visible");
        free(n);
        free(r);
        str_free(&name);
        str_free(&number);
    }
    fputs(ntests > 0 ? "\n  ]\n}\n" : "]\n}\n", f);
    free(sum);
    str_free(&summary);
    return close_checked(f, path);
}

int write_junit(const char *path, lab *labs, size_t nlabs, test *tests, size_t ntests)
{
    (void)ntests;
    FILE *f = open_fresh(path);
    if (f == NULL)
        return -1;
    int all = 0, failures = 0;
    double time = 0;
    for (size_t i = 0; i < nlabs; i++) {
        all += (int)labs[i].count;
        failures += labs[i].failed;
        for (size_t j = labs[i].first; j < labs[i].first + labs[i].count; j++)
            time += tests[j].seconds;
    }
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
    fprintf(f, "<testsuites name=\"Kettle\" tests=\"%d\" failures=\"%d\" errors=\"0\" time=\"%.3f\">\n", all,
            failures, time);
    for (size_t i = 0; i < nlabs; i++) {
        lab *l = &labs[i];
        double lt = 0;
        for (size_t j = l->first; j < l->first + l->count; j++)
            lt += tests[j].seconds;
        str name = {0};
        str_addf(&name, "Lab %s — %s", l->num, l->title);
        char *n = safe(str_get(&name));
        fputs("  <testsuite name=\"", f);
        xml_text(f, n);
        fprintf(f, "\" tests=\"%zu\" failures=\"%d\" errors=\"0\" skipped=\"0\" time=\"%.3f\">\n", l->count,
                l->failed, lt);
        free(n);
        str_free(&name);
        for (size_t j = l->first; j < l->first + l->count; j++) {
            const test *t = &tests[j];
            str cls = {0};
            str_addf(&cls, "lab%s.%s", l->num, base_name(t->bin));
            char *c = safe(str_get(&cls));
            char *tn = safe(t->name != NULL ? t->display : "(could not run)");
            fputs("    <testcase name=\"", f);
            xml_text(f, tn);
            fputs("\" classname=\"", f);
            xml_text(f, c);
            fprintf(f, "\" time=\"%.3f\"", t->seconds);
            if (t->passed) {
                fputs("/>\n", f);
            } else {
                char *r = t->hidden ? xstrdup("failed (a hidden test)") : full_reason(t);
                const char *nl = strchr(r, '\n');
                str first = {0};
                str_addn(&first, r, nl != NULL ? (size_t)(nl - r) : strlen(r));
                fputs(">\n      <failure message=\"", f);
                xml_text(f, str_get(&first));
                fputs("\" type=\"failure\">", f);
                xml_text(f, r);
                fputs("</failure>\n    </testcase>\n", f);
                str_free(&first);
                free(r);
            }
            free(c);
            free(tn);
            str_free(&cls);
        }
        fputs("  </testsuite>\n", f);
    }
    fputs("</testsuites>\n", f);
    return close_checked(f, path);
}

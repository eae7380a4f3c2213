/* text.c — growable strings, and cleaning text that came from a child. */
#define _POSIX_C_SOURCE 200809L
#include "grader.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void out_of_memory(void)
{
    fputs("kt-grade: out of memory\n", stderr);
    exit(2);
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n > 0 ? n : 1, size > 0 ? size : 1);
    if (p == NULL)
        out_of_memory();
    return p;
}

void *xrealloc(void *p, size_t size)
{
    void *q = realloc(p, size > 0 ? size : 1);
    if (q == NULL)
        out_of_memory();
    return q;
}

char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = xcalloc(n, 1);
    memcpy(d, s, n);
    return d;
}

static void str_reserve(str *s, size_t more)
{
    if (s->len + more + 1 <= s->cap)
        return;
    size_t cap = s->cap > 0 ? s->cap : 64;
    while (cap < s->len + more + 1)
        cap *= 2;
    s->buf = xrealloc(s->buf, cap);
    s->cap = cap;
    s->buf[s->len] = '\0';
}

void str_addn(str *s, const char *text, size_t n)
{
    str_reserve(s, n);
    memcpy(s->buf + s->len, text, n);
    s->len += n;
    s->buf[s->len] = '\0';
}

void str_add(str *s, const char *text)
{
    str_addn(s, text, strlen(text));
}

void str_addf(str *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    str_reserve(s, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(s->buf + s->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    s->len += (size_t)n;
}

const char *str_get(const str *s)
{
    return s->buf != NULL ? s->buf : "";
}

char *str_take(str *s)
{
    char *b = s->buf != NULL ? s->buf : xstrdup("");
    s->buf = NULL;
    s->len = s->cap = 0;
    return b;
}

void str_free(str *s)
{
    free(s->buf);
    s->buf = NULL;
    s->len = s->cap = 0;
}

/* Length of the valid UTF-8 sequence at p (1..4), or 0 if invalid. */
static size_t utf8_seq(const unsigned char *p, size_t left)
{
    unsigned char c = p[0];
    size_t n;
    unsigned min;
    unsigned cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
        cp = c & 0x1fu;
        min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        cp = c & 0x0fu;
        min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        cp = c & 0x07u;
        min = 0x10000;
    } else {
        return 0;
    }
    if (left < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3fu);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    /* Non-characters U+FFFE/U+FFFF are invalid in XML too. */
    if (cp == 0xfffe || cp == 0xffff)
        return 0;
    return n;
}

char *clean_text(const char *data, size_t len)
{
    str s = {0};
    str_reserve(&s, len);
    const unsigned char *p = (const unsigned char *)data;
    size_t i = 0;
    while (i < len) {
        unsigned char c = p[i];
        if (c == '\r' && i + 1 < len && p[i + 1] == '\n') {
            i++;
            continue;
        }
        if (c == '\n' || c == '\t') {
            str_addn(&s, (const char *)&p[i], 1);
            i++;
            continue;
        }
        if (c < 0x20 || c == 0x7f) {
            str_add(&s, "?");
            i++;
            continue;
        }
        size_t n = utf8_seq(p + i, len - i);
        if (n == 0) {
            str_add(&s, "\xef\xbf\xbd"); /* U+FFFD */
            i++;
            continue;
        }
        str_addn(&s, (const char *)p + i, n);
        i += n;
    }
    return str_take(&s);
}

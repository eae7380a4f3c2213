/* kettle_httpd — Capstone A of Lab 09: an HTTP/1.1 server on Kettle's
 * streams (book §9.6).
 *
 *     kettle_httpd [-H host] [-p port] [-r root] [-t seconds] [-l ms] [-v]
 *
 * Serves the files under `root` (default: the current directory) on
 * host:port (default 127.0.0.1:8080; port 0 picks a free one, printed on
 * the first line), with keep-alive (-l ms: wait that long before sending
 * each file, as a slow disk or a far-away server would), plus three
 * endpoints:
 *
 *     GET /sleep?ms=N   answers after N ms (at most 60000): many at once
 *                       show that one thread serves them all concurrently
 *     GET /hello        "Hello, World!\n", the benchmark's plain-text answer
 *     POST /echo        the request body back (at most 1 MiB)
 *
 * What makes it safe to point at the internet:
 *   - paths outside the root are refused: ".." segments (also as %2e%2e or
 *     %2E%2e), NUL bytes (%00), and symbolic links that lead out (realpath);
 *   - a malformed request gets 400 and the connection is closed; headers
 *     larger than 8 KiB get 431 (the reader's limit, readuntil's overrun);
 *   - a client gets `-t` seconds (default 10) to send a whole request head,
 *     and to take each chunk of a response: an idle keep-alive connection,
 *     a client trickling one byte at a time, or one that stops reading is
 *     dropped (kt_timeout_enter from Lab 06);
 *   - a client that vanishes mid-response costs an error code, never a
 *     signal: SIGPIPE is ignored and every send uses MSG_NOSIGNAL;
 *   - SIGINT or SIGTERM stops it cleanly: no new connections, idle ones are
 *     closed, requests in progress finish, then it exits 0.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kettle/kettle.h"

#define HEAD_LIMIT 8192          /* request line + headers (431 beyond) */
#define HEAD_MAX 256             /* a response head (format_head) */
#define BODY_LIMIT (1024 * 1024) /* POST /echo (413 beyond) */
#define CHUNK (64 * 1024)        /* file bytes per write + drain */
#define MAX_SLEEP_MS 60000

/* One connection being served, linked into the server's list while its
 * handler runs, so that a shutdown can find the idle ones. */
typedef struct conn {
    struct conn *prev, *next;
    kt_task *task;
    int idle; /* waiting for a request head */
} conn;

typedef struct httpd {
    char root[PATH_MAX]; /* realpath of the document root */
    size_t rootlen;
    double timeout;
    double latency; /* -l: seconds to wait before each file, a slow disk or network */
    int verbose;
    int stopping;
    kt_server *srv;
    int sigfd;
    conn conns; /* list head */
    unsigned long requests;
} httpd;

typedef struct request {
    char method[16];
    char target[2048];
    int minor;      /* HTTP/1.minor */
    int keep_alive; /* what the client asked for */
    long content_length;
} request;

/* ------------------------------------------------------------ responses */

static const char *reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Content Too Large";
    case 431: return "Request Header Fields Too Large";
    case 501: return "Not Implemented";
    case 505: return "HTTP Version Not Supported";
    default: return "Internal Server Error";
    }
}

/* Write and drain with the connection's deadline: a client that stops
 * reading holds the connection at most `timeout` seconds per call. */
static int send_all(httpd *h, kt_stream_writer *w, const void *p, size_t n)
{
    int rc = kt_stream_write(w, p, n);
    if (rc < 0 || kt_stream_write_buffer_size(w) == 0)
        return rc;
    kt_timeout *cm = NULL;
    if ((rc = kt_timeout_enter(&cm, h->timeout)) < 0)
        return rc;
    rc = kt_timeout_exit(cm, kt_stream_drain(w));
    kt_timeout_release(cm);
    return rc;
}

/* Append the string s at *p (room checked by the caller). */
static char *put(char *p, const char *s)
{
    size_t n = strlen(s);
    memcpy(p, s, n);
    return p + n;
}

/* The response head into out[HEAD_MAX]; returns its length. By hand, not
 * with snprintf: it is on every request's path, where printf's format
 * parsing cost more than the rest of the head (perf). The status, reason
 * and type are this file's own short constants, so HEAD_MAX is plenty. */
static size_t format_head(char *out, int status, const char *type, size_t length, int keep, int minor)
{
    char *p = put(out, "HTTP/1.1 ");
    *p++ = (char)('0' + status / 100);
    *p++ = (char)('0' + status / 10 % 10);
    *p++ = (char)('0' + status % 10);
    *p++ = ' ';
    p = put(p, reason(status));
    p = put(p, "\r\nServer: kettle_httpd\r\nContent-Type: ");
    p = put(p, type);
    p = put(p, "\r\nContent-Length: ");
    char digits[24], *d = digits + sizeof digits;
    *--d = '\0';
    do
        *--d = (char)('0' + length % 10);
    while ((length /= 10) > 0);
    p = put(p, d);
    p = put(p, "\r\n");
    p = put(p, !keep ? "Connection: close\r\n" : (minor == 0 ? "Connection: keep-alive\r\n" : ""));
    p = put(p, "\r\n");
    return (size_t)(p - out);
}

static int send_head(httpd *h, kt_stream_writer *w, int status, const char *type, size_t length, int keep,
                     int minor)
{
    char head[HEAD_MAX];
    return send_all(h, w, head, format_head(head, status, type, length, keep, minor));
}

/* A whole short answer: head and body in one write. (Its buffer stays in
 * its own frame, never inlined into a caller that waits: see answer().) */
static __attribute__((noinline)) int respond(httpd *h, kt_stream_writer *w, int status, const char *type,
                                             const char *body, size_t len, int keep, int minor, int head_only)
{
    char buf[4096]; /* head and a short body go out in one send */
    size_t n = format_head(buf, status, type, len, keep, minor);
    if (!head_only && n + len <= sizeof buf) {
        memcpy(buf + n, body, len);
        return send_all(h, w, buf, n + len);
    }
    int rc = send_all(h, w, buf, n);
    if (rc == 0 && !head_only)
        rc = send_all(h, w, body, len);
    return rc;
}

static int respond_error(httpd *h, kt_stream_writer *w, int status)
{
    char body[64];
    int n = snprintf(body, sizeof body, "%d %s\n", status, reason(status));
    return respond(h, w, status, "text/plain; charset=utf-8", body, (size_t)n, 0, 1, 0);
}

/* ------------------------------------------------------------ parsing */

static int is_tchar(int c)
{
    return isalnum(c) || (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* Where the line starting at p ends: its CR of CRLF, or NULL when its
 * first LF has no CR before it (a bare LF is a 400 anywhere in a head). */
static const char *line_end(const char *p, const char *end)
{
    const char *lf = memchr(p, '\n', (size_t)(end - p));
    return lf != NULL && lf > p && lf[-1] == '\r' ? lf - 1 : NULL;
}

/* Parse the head (request line and headers, ending in CRLF CRLF).
 * Returns 0, or the status to answer with (400, 501, 505). */
static int parse_head(const char *p, size_t len, request *rq)
{
    rq->method[0] = rq->target[0] = '\0';
    rq->minor = rq->keep_alive = 0;
    rq->content_length = 0;
    const char *end = p + len;
    /* request line: METHOD SP target SP HTTP/1.x CRLF */
    const char *eol = line_end(p, end);
    if (eol == NULL)
        return 400;
    const char *sp1 = memchr(p, ' ', (size_t)(eol - p));
    if (sp1 == NULL || sp1 == p || (size_t)(sp1 - p) >= sizeof rq->method)
        return 400;
    const char *sp2 = memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1));
    if (sp2 == NULL || sp2 == sp1 + 1 || (size_t)(sp2 - sp1 - 1) >= sizeof rq->target)
        return 400;
    for (const char *q = p; q < sp1; q++)
        if (!isupper((unsigned char)*q))
            return 400;
    for (const char *q = sp1 + 1; q < sp2; q++)
        if ((unsigned char)*q <= 0x20 || *q == 0x7f)
            return 400;
    memcpy(rq->method, p, (size_t)(sp1 - p));
    rq->method[sp1 - p] = '\0';
    memcpy(rq->target, sp1 + 1, (size_t)(sp2 - sp1 - 1));
    rq->target[sp2 - sp1 - 1] = '\0';
    size_t vlen = (size_t)(eol - sp2 - 1);
    if (vlen != 8 || memcmp(sp2 + 1, "HTTP/", 5) != 0 || !isdigit((unsigned char)sp2[6]) || sp2[7] != '.' ||
        !isdigit((unsigned char)sp2[8]))
        return 400;
    if (sp2[6] != '1')
        return 505;
    rq->minor = sp2[8] - '0';
    rq->keep_alive = rq->minor >= 1;
    rq->content_length = 0;
    int seen_length = 0;
    /* header lines: name ":" OWS value OWS CRLF, until the empty line */
    for (p = eol + 2; p < end;) {
        eol = line_end(p, end);
        if (eol == NULL)
            return 400;
        if (eol == p)
            break; /* the empty line */
        const char *colon = memchr(p, ':', (size_t)(eol - p));
        if (colon == NULL || colon == p)
            return 400; /* also catches obsolete line folding (a line starting with a space) */
        for (const char *q = p; q < colon; q++)
            if (!is_tchar((unsigned char)*q))
                return 400;
        const char *v = colon + 1, *vend = eol;
        for (const char *q = v; q < vend; q++)
            if ((*q == '\r' || *q == '\n' || *q == 0))
                return 400;
        while (v < vend && (*v == ' ' || *v == '\t'))
            v++;
        while (vend > v && (vend[-1] == ' ' || vend[-1] == '\t'))
            vend--;
        size_t nlen = (size_t)(colon - p), vl = (size_t)(vend - v);
        if (nlen == 10 && strncasecmp(p, "Connection", 10) == 0) {
            if (vl == 5 && strncasecmp(v, "close", 5) == 0)
                rq->keep_alive = 0;
            else if (vl == 10 && strncasecmp(v, "keep-alive", 10) == 0)
                rq->keep_alive = 1;
        } else if (nlen == 14 && strncasecmp(p, "Content-Length", 14) == 0) {
            long n = 0;
            if (vl == 0 || vl > 9)
                return vl > 9 ? 413 : 400;
            for (const char *q = v; q < vend; q++) {
                if (!isdigit((unsigned char)*q))
                    return 400;
                n = n * 10 + (*q - '0');
            }
            if (seen_length && n != rq->content_length)
                return 400; /* two different lengths: a smuggling attempt */
            seen_length = 1;
            rq->content_length = n;
        } else if (nlen == 17 && strncasecmp(p, "Transfer-Encoding", 17) == 0) {
            return 501;
        }
        p = eol + 2;
    }
    return 0;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Decode the path of a target into out: "%xx" escapes, no NUL, and no
 * ".." segment after decoding. Returns 0, 400 or 403. */
static int decode_path(const char *target, char *out, size_t cap)
{
    if (target[0] != '/')
        return 400; /* only origin-form targets */
    size_t n = 0;
    for (const char *p = target; *p && *p != '?' && *p != '#'; p++) {
        int c = (unsigned char)*p;
        if (c == '%') {
            int hi = hexval((unsigned char)p[1]), lo = hi < 0 ? -1 : hexval((unsigned char)p[2]);
            if (lo < 0)
                return 400;
            c = hi * 16 + lo;
            p += 2;
            if (c == 0)
                return 400;
        }
        if (n + 1 >= cap)
            return 400;
        out[n++] = (char)c;
    }
    out[n] = '\0';
    /* look at each segment: ".." climbs out of the root */
    for (char *seg = out; seg != NULL;) {
        char *next = strchr(seg, '/');
        size_t slen = next ? (size_t)(next - seg) : strlen(seg);
        if (slen == 2 && seg[0] == '.' && seg[1] == '.')
            return 403;
        seg = next ? next + 1 : NULL;
    }
    return 0;
}

static const char *content_type(const char *path)
{
    const char *dot = strrchr(path, '.');
    static const char *const map[][2] = {
        {".html", "text/html; charset=utf-8"}, {".htm", "text/html; charset=utf-8"},
        {".txt", "text/plain; charset=utf-8"}, {".css", "text/css"},
        {".js", "text/javascript"},           {".json", "application/json"},
        {".png", "image/png"},                {".jpg", "image/jpeg"},
        {".svg", "image/svg+xml"},
    };
    for (size_t i = 0; dot && i < sizeof map / sizeof map[0]; i++)
        if (strcmp(dot, map[i][0]) == 0)
            return map[i][1];
    return "application/octet-stream";
}

/* ------------------------------------------------------------ routes */

/* Not inlined: its 12 KiB of path buffers stay off the stack of the
 * requests that wait (/sleep, a body still on its way; see answer()). */
static __attribute__((noinline)) int serve_file(httpd *h, kt_stream_writer *w, const request *rq, const char *path,
                                                int head_only)
{
    char full[PATH_MAX * 2], real[PATH_MAX];
    snprintf(full, sizeof full, "%s%s", h->root, path);
    struct stat st;
    if (stat(full, &st) == 0 && S_ISDIR(st.st_mode))
        strncat(full, full[strlen(full) - 1] == '/' ? "index.html" : "/index.html", sizeof full - strlen(full) - 1);
    /* Symbolic links may point anywhere: what counts is where the path
     * really leads, which must be inside the root. */
    if (realpath(full, real) == NULL)
        return respond_error(h, w, errno == ENOENT || errno == ENOTDIR ? 404 : 403) < 0 ? -1 : 0;
    if (strncmp(real, h->root, h->rootlen) != 0 || (real[h->rootlen] != '/' && real[h->rootlen] != '\0'))
        return respond_error(h, w, 403) < 0 ? -1 : 0;
    int fd = open(real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return respond_error(h, w, 404) < 0 ? -1 : 0;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return respond_error(h, w, 403) < 0 ? -1 : 0;
    }
    if (h->latency > 0 && kt_sleep(h->latency) < 0) {
        close(fd);
        return -1;
    }
    int keep = rq->keep_alive && !h->stopping;
    int rc = send_head(h, w, 200, content_type(real), (size_t)st.st_size, keep, rq->minor);
    /* A regular file never answers EAGAIN: reading it here blocks the loop
     * for a disk read at worst (asyncio's sendfile fallback does the same). */
    char *buf = head_only ? NULL : malloc(CHUNK);
    off_t left = head_only ? 0 : st.st_size;
    while (rc == 0 && left > 0) {
        ssize_t n = read(fd, buf, left < CHUNK ? (size_t)left : CHUNK);
        if (n <= 0) {
            rc = -1; /* the file shrank: the length is wrong now, so close */
            break;
        }
        rc = send_all(h, w, buf, (size_t)n);
        left -= n;
    }
    free(buf);
    close(fd);
    return rc < 0 ? -1 : keep;
}

/* The query value of `name` as a number, or -1. */
static long query_number(const char *target, const char *name)
{
    const char *q = strchr(target, '?');
    size_t nl = strlen(name);
    for (q = q ? q + 1 : NULL; q && *q;) {
        if (strncmp(q, name, nl) == 0 && q[nl] == '=') {
            const char *v = q + nl + 1;
            long n = 0;
            int digits = 0;
            for (; isdigit((unsigned char)*v) && n <= MAX_SLEEP_MS; v++, digits++)
                n = n * 10 + (*v - '0');
            return digits && (*v == '\0' || *v == '&') ? n : -1;
        }
        q = strchr(q, '&');
        q = q ? q + 1 : NULL;
    }
    return -1;
}

/* Answer one request. Returns 1 to keep the connection, 0 to close it,
 * -1 when it is broken. */
static int handle(httpd *h, kt_stream_reader *r, kt_stream_writer *w, const request *rq)
{
    int head_only = strcmp(rq->method, "HEAD") == 0;
    int is_get = head_only || strcmp(rq->method, "GET") == 0;
    int keep = rq->keep_alive && !h->stopping;
    char path[2048];
    int st = decode_path(rq->target, path, sizeof path);
    if (st != 0)
        return respond_error(h, w, st) < 0 ? -1 : 0;
    if (strcmp(path, "/echo") == 0 && strcmp(rq->method, "POST") == 0) {
        if (rq->content_length > BODY_LIMIT)
            return respond_error(h, w, 413) < 0 ? -1 : 0;
        kt_chunk body = {0};
        int rc;
        if (kt_stream_reader_buffered(r) >= (size_t)rq->content_length) {
            /* all there already: no wait, so no deadline to arm */
            rc = kt_stream_readexactly(r, (size_t)rq->content_length, &body);
        } else {
            kt_timeout *cm = NULL;
            if ((rc = kt_timeout_enter(&cm, h->timeout)) == 0) {
                rc = kt_timeout_exit(cm, kt_stream_readexactly(r, (size_t)rq->content_length, &body));
                kt_timeout_release(cm);
            }
        }
        if (rc < 0) {
            kt_chunk_free(&body);
            return -1;
        }
        rc = respond(h, w, 200, "application/octet-stream", body.data, body.len, keep, rq->minor, 0);
        kt_chunk_free(&body);
        return rc < 0 ? -1 : keep;
    }
    if (rq->content_length > 0) /* a body we have no use for: skipping it is not worth the risk */
        return respond_error(h, w, 400) < 0 ? -1 : 0;
    if (!is_get) {
        return respond_error(h, w, strcmp(rq->method, "POST") == 0 || strcmp(rq->method, "PUT") == 0 ||
                                           strcmp(rq->method, "DELETE") == 0 ? 405 : 501) < 0 ? -1 : 0;
    }
    if (strcmp(path, "/hello") == 0) {
        static const char hello[] = "Hello, World!\n";
        return respond(h, w, 200, "text/plain", hello, sizeof hello - 1, keep, rq->minor, head_only) < 0 ? -1 : keep;
    }
    if (strcmp(path, "/sleep") == 0) {
        long ms = query_number(rq->target, "ms");
        if (ms < 0 || ms > MAX_SLEEP_MS)
            return respond_error(h, w, 400) < 0 ? -1 : 0;
        int rc = kt_sleep((double)ms / 1000.0);
        if (rc < 0)
            return -1;
        char body[64];
        int n = snprintf(body, sizeof body, "slept %ld ms\n", ms);
        keep = rq->keep_alive && !h->stopping;
        return respond(h, w, 200, "text/plain", body, (size_t)n, keep, rq->minor, head_only) < 0 ? -1 : keep;
    }
    return serve_file(h, w, rq, path, head_only);
}

/* Parse one request head and answer it. Returns 1 to keep the connection,
 * 0 to close it, -1 when it is broken. Not inlined, on purpose: the request
 * and the buffers of handle() take kilobytes of stack, and the handler's
 * loop below waits for the next head with as little stack as it can, since
 * a build on copied stacks (book §3.14) copies a waiting task's stack out
 * and back in at every switch to another connection's task. */
static __attribute__((noinline)) int answer(httpd *h, kt_stream_reader *r, kt_stream_writer *w,
                                            const kt_chunk *head)
{
    request rq;
    int st = parse_head(head->data, head->len, &rq);
    h->requests++;
    if (st != 0) {
        respond_error(h, w, st);
        return 0;
    }
    int keep = handle(h, r, w, &rq);
    if (h->verbose)
        fprintf(stderr, "kettle_httpd: %s %s -> %s\n", rq.method, rq.target, keep < 0 ? "broken" : "ok");
    return keep;
}

/* ------------------------------------------------------------ one connection */

/* [book:httpd_handler] */
static int client(kt_stream_reader *r, kt_stream_writer *w, void *arg)
{
    httpd *h = arg;
    conn *me = calloc(1, sizeof *me);
    if (me == NULL)
        return 0; /* the server closes the connection */
    me->task = kt_current_task(kt_get_running_loop());
    me->next = h->conns.next;
    me->prev = &h->conns;
    h->conns.next->prev = me;
    h->conns.next = me;
    for (int keep = 1; keep == 1 && !h->stopping;) {
        /* the whole head within the deadline: idle and trickling clients go */
        kt_chunk head = {0};
        kt_timeout *cm = NULL;
        me->idle = 1;
        int rc = kt_timeout_enter(&cm, h->timeout);
        if (rc == 0) {
            rc = kt_timeout_exit(cm, kt_stream_readuntil(r, "\r\n\r\n", 4, &head));
            kt_timeout_release(cm);
        }
        me->idle = 0;
        if (rc == KT_ELIMITOVERRUN) {
            respond_error(h, w, 431);
            break;
        }
        if (rc == KT_ETIMEDOUT && kt_stream_reader_buffered(r) > 0) {
            respond_error(h, w, 408); /* started a request and never finished it */
            break;
        }
        if (rc < 0) { /* end of file, reset, idle timeout, shutdown */
            kt_chunk_free(&head);
            break;
        }
        keep = answer(h, r, w, &head);
        kt_chunk_free(&head);
    }
    me->prev->next = me->next;
    me->next->prev = me->prev;
    free(me);
    return 0; /* the server closes the connection (after sending what is buffered) */
}
/* [/book:httpd_handler] */

/* ------------------------------------------------------------ start and stop */

/* SIGINT/SIGTERM arrive on a signalfd the loop watches like any socket. */
static void on_signal(kt_loop *loop, void *arg)
{
    httpd *h = arg;
    struct signalfd_siginfo si;
    if (read(h->sigfd, &si, sizeof si) != (ssize_t)sizeof si)
        return;
    kt_remove_reader(loop, h->sigfd);
    fprintf(stderr, "kettle_httpd: signal %u, stopping\n", si.ssi_signo);
    h->stopping = 1;
    kt_server_close(h->srv); /* serve_forever returns */
    for (conn *c = h->conns.next; c != &h->conns; c = c->next)
        if (c->idle)
            kt_task_cancel(c->task, "server stopping");
}

typedef struct options {
    const char *host, *root;
    int port;
    double timeout, latency;
    int verbose;
} options;

static int main_task(void *arg, void **result)
{
    (void)result;
    options *o = arg;
    httpd *h = calloc(1, sizeof *h);
    if (h == NULL)
        return KT_ENOMEM;
    h->conns.next = h->conns.prev = &h->conns;
    h->timeout = o->timeout;
    h->latency = o->latency;
    h->verbose = o->verbose;
    if (realpath(o->root, h->root) == NULL) {
        fprintf(stderr, "kettle_httpd: %s: %s\n", o->root, strerror(errno));
        free(h);
        return KT_EINVAL;
    }
    h->rootlen = strlen(h->root);
    if (h->rootlen == 1) /* the root is "/": every path is under it */
        h->rootlen = 0;
    kt_loop *loop = kt_get_running_loop();
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    h->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    kt_stream_options so = {HEAD_LIMIT, 512};
    int rc = kt_start_server(loop, client, h, o->host, o->port, &so, &h->srv);
    if (rc < 0) {
        fprintf(stderr, "kettle_httpd: cannot listen on %s:%d: %s\n", o->host, o->port, kt_strerror(rc));
        close(h->sigfd);
        free(h);
        return rc;
    }
    kt_add_reader(loop, h->sigfd, on_signal, h);
    printf("kettle_httpd: serving %s on http://%s:%d/ (pid %d)\n", h->root, o->host, kt_server_port(h->srv),
           (int)getpid());
    fflush(stdout);
    kt_server_serve_forever(h->srv); /* KT_ECANCELLED once closed */
    kt_server_wait_closed(h->srv);   /* requests in progress finish */
    kt_remove_reader(loop, h->sigfd);
    close(h->sigfd);
    fprintf(stderr, "kettle_httpd: stopped after %lu requests\n", h->requests);
    kt_server_release(h->srv);
    free(h);
    return 0;
}

int main(int argc, char **argv)
{
    options o = {"127.0.0.1", ".", 8080, 10.0, 0.0, 0};
    int opt;
    while ((opt = getopt(argc, argv, "H:p:r:t:l:v")) != -1) {
        switch (opt) {
        case 'H': o.host = optarg; break;
        case 'p': o.port = atoi(optarg); break;
        case 'r': o.root = optarg; break;
        case 't': o.timeout = atof(optarg); break;
        case 'l': o.latency = atof(optarg) / 1000.0; break;
        case 'v': o.verbose = 1; break;
        default:
            fprintf(stderr, "usage: %s [-H host] [-p port] [-r root] [-t seconds] [-l ms] [-v]\n", argv[0]);
            return 2;
        }
    }
    if (o.port < 0 || o.port > 65535 || !(o.timeout > 0) || !isfinite(o.timeout)) {
        fprintf(stderr, "kettle_httpd: bad port or timeout\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN); /* a vanished client is an error code, not a death */
    /* SIGINT and SIGTERM are read from a signalfd by the loop, so they must
     * be blocked: here, before kt_run, since a coroutine's context switch
     * (swapcontext) restores the signal mask it was created with. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigprocmask(SIG_BLOCK, &set, NULL);
    int rc = kt_run(main_task, &o, NULL, NULL);
    return rc == 0 ? 0 : 1;
}

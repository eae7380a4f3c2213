/* crawler — Capstone B of Lab 09: a web crawler on Kettle (book §9.7).
 *
 *     crawler [-w workers] [-d depth] [-T] http://127.0.0.1:PORT/path
 *
 * N worker tasks take URLs from a queue (Lab 07's kt_queue), fetch each
 * page with kt_open_connection (HTTP/1.1, one request per connection),
 * collect the href="..." links that stay on the same host and port, and put
 * the new ones back in the queue: a set of every URL ever queued makes each
 * page fetched once, and a depth limit bounds the walk. N workers are at
 * most N connections at once: the queue is the bound. The main task waits
 * with kt_queue_join until every queued URL is done, then cancels the
 * workers, which are all waiting in kt_queue_get.
 *
 * It crawls twice: with N workers, then with one (the same crawl,
 * sequential), and prints pages, bytes and wall time for both. -T also
 * draws each worker's fetches on a time line.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kettle/kettle.h"

#define MAX_EVENTS 4096
#define FETCH_TIMEOUT 10.0       /* seconds for one whole fetch */
#define MAX_PAGE (8 * 1024 * 1024)

typedef struct job {
    char *path; /* "/a/b.html" on the crawled host */
    int depth;
} job;

typedef struct event {
    int worker;
    double start, end;
} event;

typedef struct crawl {
    kt_loop *loop;
    const char *host;
    int port;
    const char *root; /* where the crawl starts */
    int max_depth;
    int nworkers;
    kt_queue *queue;
    char **seen; /* a hash set of every path ever queued */
    size_t seen_cap, seen_n;
    size_t pages, bytes, errors, max_queue;
    double t0;
    event events[MAX_EVENTS];
    size_t nevents;
} crawl;

typedef struct worker_arg {
    crawl *c;
    int id;
} worker_arg;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t hash(const char *s)
{
    size_t h = 1469598103934665603u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

/* Add path to the set: 1 if it is new, 0 if it was there, -1 if out of memory. */
static int seen_add(crawl *c, const char *path)
{
    if (2 * (c->seen_n + 1) > c->seen_cap) {
        size_t cap = c->seen_cap ? 2 * c->seen_cap : 256;
        char **t = calloc(cap, sizeof *t);
        if (t == NULL)
            return -1;
        for (size_t i = 0; i < c->seen_cap; i++)
            if (c->seen[i]) {
                size_t j = hash(c->seen[i]) & (cap - 1);
                while (t[j])
                    j = (j + 1) & (cap - 1);
                t[j] = c->seen[i];
            }
        free(c->seen);
        c->seen = t;
        c->seen_cap = cap;
    }
    size_t j = hash(path) & (c->seen_cap - 1);
    for (; c->seen[j]; j = (j + 1) & (c->seen_cap - 1))
        if (strcmp(c->seen[j], path) == 0)
            return 0;
    if ((c->seen[j] = strdup(path)) == NULL)
        return -1;
    c->seen_n++;
    return 1;
}

/* Queue path at depth unless it was queued before or is too deep. */
static void enqueue(crawl *c, const char *path, int depth)
{
    if (depth > c->max_depth || seen_add(c, path) != 1)
        return;
    job *j = malloc(sizeof *j);
    if (j == NULL || (j->path = strdup(path)) == NULL) {
        free(j);
        c->errors++;
        return;
    }
    j->depth = depth;
    if (kt_queue_put_nowait(c->queue, j) < 0) { /* unbounded: only out of memory */
        free(j->path);
        free(j);
        c->errors++;
        return;
    }
    if (kt_queue_qsize(c->queue) > c->max_queue)
        c->max_queue = kt_queue_qsize(c->queue);
}

/* Resolve link against the page at base into out ("/dir/page"), collapsing
 * "." and ".." segments. 0, or -1 for a link to elsewhere. */
static int resolve(const crawl *c, const char *base, const char *link, char *out, size_t cap)
{
    char prefix[64], tmp[2048];
    snprintf(prefix, sizeof prefix, "http://%s:%d/", c->host, c->port);
    if (strncmp(link, prefix, strlen(prefix)) == 0)
        link += strlen(prefix) - 1; /* same host: keep the path */
    else if (strstr(link, "://") != NULL || strncmp(link, "//", 2) == 0 || strchr(link, ':') != NULL)
        return -1; /* another host, or mailto:, javascript:, ... */
    if (link[0] == '/') {
        snprintf(tmp, sizeof tmp, "%s", link);
    } else {
        const char *slash = strrchr(base, '/');
        int dirlen = slash ? (int)(slash - base + 1) : 1;
        snprintf(tmp, sizeof tmp, "%.*s%s", dirlen, slash ? base : "/", link);
    }
    tmp[strcspn(tmp, "#?")] = '\0';
    size_t tl = strlen(tmp);
    int dir = tl > 0 && tmp[tl - 1] == '/';
    /* collapse the segments into out */
    size_t n = 0;
    out[0] = '\0';
    for (char *seg = strtok(tmp + 1, "/"); seg; seg = strtok(NULL, "/")) {
        if (strcmp(seg, ".") == 0)
            continue;
        if (strcmp(seg, "..") == 0) {
            while (n > 0 && out[--n] != '/')
                ;
            out[n] = '\0';
            continue;
        }
        int w = snprintf(out + n, cap - n, "/%s", seg);
        if (w < 0 || (size_t)w >= cap - n)
            return -1;
        n += (size_t)w;
    }
    if (n == 0 || dir) /* a directory: keep its slash */
        snprintf(out + n, cap - n, "/");
    return 0;
}

/* Fetch one page: status, body. Returns 0 or an error. */
static int fetch(crawl *c, const char *path, int *status, kt_chunk *body)
{
    kt_stream_reader *r = NULL;
    kt_stream_writer *w = NULL;
    int rc = kt_open_connection(c->loop, c->host, c->port, NULL, &r, &w);
    if (rc < 0)
        return rc;
    char req[2300];
    int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: %s:%d\r\nConnection: close\r\n\r\n", path,
                     c->host, c->port);
    kt_chunk head = {0};
    kt_timeout *cm = NULL; /* a server that stalls cannot stall the crawl */
    if ((rc = kt_timeout_enter(&cm, FETCH_TIMEOUT)) == 0) {
        if ((rc = kt_stream_write(w, req, (size_t)n)) == 0 && (rc = kt_stream_drain(w)) == 0 &&
            (rc = kt_stream_readuntil(r, "\r\n\r\n", 4, &head)) == 0) {
            *status = 0;
            sscanf(head.data, "HTTP/1.%*d %d", status);
            const char *cl = strcasestr(head.data, "\r\nContent-Length:");
            long len = cl ? strtol(cl + 17, NULL, 10) : -1;
            if (len >= 0 && len <= MAX_PAGE)
                rc = kt_stream_readexactly(r, (size_t)len, body);
            else if (len < 0)
                rc = kt_stream_read_all(r, body); /* no length: the body ends at end of file */
            else
                rc = KT_EINVAL; /* too big to be a page worth crawling */
        }
        rc = kt_timeout_exit(cm, rc);
        kt_timeout_release(cm);
    }
    kt_chunk_free(&head);
    kt_stream_close(w);
    kt_stream_writer_release(w);
    kt_stream_reader_release(r);
    return rc;
}

/* Every href="..." of an HTML page, queued one level deeper. */
static void collect_links(crawl *c, const job *j, const kt_chunk *body)
{
    char target[2048];
    for (const char *p = body->data; (p = strstr(p, "href=\"")) != NULL;) {
        p += 6;
        const char *end = strchr(p, '"');
        if (end == NULL || end - p >= 1024)
            break;
        char link[1024];
        memcpy(link, p, (size_t)(end - p));
        link[end - p] = '\0';
        if (resolve(c, j->path, link, target, sizeof target) == 0)
            enqueue(c, target, j->depth + 1);
        p = end;
    }
}

/* [book:crawler_worker] */
static int worker(void *arg, void **result)
{
    (void)result;
    worker_arg *wa = arg;
    crawl *c = wa->c;
    for (;;) {
        void *item = NULL;
        int rc = kt_queue_get(c->queue, &item);
        if (rc < 0)
            return rc == KT_ECANCELLED ? 0 : rc; /* cancelled: the crawl is over */
        job *j = item;
        double t = now();
        int status = 0;
        kt_chunk body = {0};
        rc = fetch(c, j->path, &status, &body);
        if (rc == 0 && status == 200) {
            c->pages++;
            c->bytes += body.len;
            collect_links(c, j, &body);
        } else {
            c->errors++;
        }
        if (c->nevents < MAX_EVENTS)
            c->events[c->nevents++] = (event){wa->id, t - c->t0, now() - c->t0};
        kt_chunk_free(&body);
        free(j->path);
        free(j);
        kt_queue_task_done(c->queue);
    }
}
/* [/book:crawler_worker] */

static int crawl_main(void *arg, void **result)
{
    (void)result;
    crawl *c = arg;
    c->loop = kt_get_running_loop();
    int rc = kt_queue_new(c->loop, 0, &c->queue);
    if (rc < 0)
        return rc;
    c->t0 = now();
    kt_task **tasks = calloc((size_t)c->nworkers, sizeof *tasks);
    worker_arg *args = calloc((size_t)c->nworkers, sizeof *args);
    for (int i = 0; i < c->nworkers; i++) {
        args[i] = (worker_arg){c, i};
        kt_create_task(c->loop, worker, &args[i], &tasks[i]);
    }
    enqueue(c, c->root, 0);
    rc = kt_queue_join(c->queue); /* every queued URL fetched, and its links queued */
    for (int i = 0; i < c->nworkers; i++)
        kt_task_cancel(tasks[i], NULL);
    for (int i = 0; i < c->nworkers; i++) {
        kt_await_task(tasks[i], NULL);
        kt_task_release(tasks[i]);
    }
    free(tasks);
    free(args);
    kt_queue_free(c->queue);
    return rc;
}

static void draw_timeline(const crawl *c, double wall)
{
    const int width = 64;
    printf("  time line: one row per worker, one column = %.1f ms, a letter per fetch\n", wall * 1000 / width);
    for (int wk = 0; wk < c->nworkers && wk < 16; wk++) {
        char row[65];
        memset(row, '.', (size_t)width);
        row[width] = '\0';
        int k = 0;
        for (size_t i = 0; i < c->nevents; i++) {
            if (c->events[i].worker != wk)
                continue;
            int a = (int)(c->events[i].start / wall * width), b = (int)(c->events[i].end / wall * width);
            for (int x = a; x <= b && x < width; x++)
                row[x] = (char)('a' + k % 26);
            k++;
        }
        printf("  worker %2d |%s|\n", wk, row);
    }
}

static int run_crawl(const char *host, int port, const char *path, int workers, int depth, int timeline,
                     double *wall_out)
{
    crawl *c = calloc(1, sizeof *c);
    if (c == NULL)
        return 1;
    c->host = host;
    c->port = port;
    c->max_depth = depth;
    c->nworkers = workers;
    c->root = path;
    double t = now();
    int rc = kt_run(crawl_main, c, NULL, NULL);
    double wall = now() - t;
    printf("%2d worker%s: %zu pages, %zu bytes, %zu errors, %.3f s wall, queue at most %zu\n", workers,
           workers == 1 ? " " : "s", c->pages, c->bytes, c->errors, wall, c->max_queue);
    if (timeline)
        draw_timeline(c, wall);
    for (size_t i = 0; i < c->seen_cap; i++)
        free(c->seen[i]);
    free(c->seen);
    int bad = rc < 0 || c->errors > 0 || c->pages == 0;
    free(c);
    *wall_out = wall;
    return bad;
}

int main(int argc, char **argv)
{
    int workers = 8, depth = 3, timeline = 0, opt;
    while ((opt = getopt(argc, argv, "w:d:T")) != -1) {
        switch (opt) {
        case 'w': workers = atoi(optarg); break;
        case 'd': depth = atoi(optarg); break;
        case 'T': timeline = 1; break;
        default: goto usage;
        }
    }
    char host[64];
    int port = 0, off = 0;
    if (optind != argc - 1 || workers < 1 || workers > 1000 || depth < 0 ||
        sscanf(argv[optind], "http://%63[0-9.]:%d%n", host, &port, &off) != 2)
        goto usage;
    const char *path = argv[optind][off] == '/' ? argv[optind] + off : "/";
    double par = 0, seq = 0;
    printf("crawling http://%s:%d%s, depth %d\n", host, port, path, depth);
    int bad = run_crawl(host, port, path, workers, depth, timeline, &par);
    bad |= run_crawl(host, port, path, 1, depth, 0, &seq);
    printf("speed-up with %d workers: %.1fx\n", workers, par > 0 ? seq / par : 0);
    return bad;
usage:
    fprintf(stderr, "usage: crawler [-w workers] [-d depth] [-T] http://127.0.0.1:PORT/path\n");
    return 2;
}

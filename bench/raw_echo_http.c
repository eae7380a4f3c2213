/* raw_echo_http.c — the floor of `make bench`'s echo row: what one thread
 * does with epoll and nothing else (no loop, no tasks, no futures, no
 * buffers beyond one per connection). Same protocol as kettle_httpd's
 * POST /echo: the request body comes back as the response body; GET
 * answers "Hello, World!\n". Level-triggered epoll, one read per readiness,
 * keep-alive. Prints its port, exits after argv[1] seconds (bounded).
 *
 *     raw_echo_http [seconds]
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"

#define CAP (64 * 1024)

typedef struct conn {
    int fd;
    size_t len;     /* bytes in in[] */
    char *out;      /* unsent response bytes, if the socket was full */
    size_t outlen, outoff;
    char in[CAP];
} conn;

static void drop(int ep, conn *c)
{
    epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    free(c->out);
    free(c);
}

/* Answer every complete request in c->in. Returns -1 to drop c. */
static int serve(int ep, conn *c)
{
    char resp[CAP + 256];
    size_t used = 0, rlen = 0;
    for (;;) {
        char *end = memmem(c->in + used, c->len - used, "\r\n\r\n", 4);
        if (end == NULL)
            break;
        size_t headlen = (size_t)(end + 4 - (c->in + used));
        long body = 0;
        char *cl = memmem(c->in + used, headlen, "Content-Length:", 15);
        if (cl != NULL)
            body = strtol(cl + 15, NULL, 10);
        if (body < 0 || body > CAP / 2)
            return -1;
        if (c->len - used < headlen + (size_t)body)
            break; /* the body is not all here yet */
        int n;
        if (body > 0)
            n = snprintf(resp + rlen, sizeof resp - rlen,
                         "HTTP/1.1 200 OK\r\nServer: raw\r\nContent-Type: application/octet-stream\r\n"
                         "Content-Length: %ld\r\n\r\n", body);
        else
            n = snprintf(resp + rlen, sizeof resp - rlen,
                         "HTTP/1.1 200 OK\r\nServer: raw\r\nContent-Type: text/plain\r\nContent-Length: 14\r\n\r\n"
                         "Hello, World!\n");
        if ((size_t)n + (size_t)body > sizeof resp - rlen)
            break;
        rlen += (size_t)n;
        memcpy(resp + rlen, c->in + used + headlen, (size_t)body);
        rlen += (size_t)body;
        used += headlen + (size_t)body;
    }
    memmove(c->in, c->in + used, c->len - used);
    c->len -= used;
    if (rlen == 0)
        return 0;
    ssize_t put = send(c->fd, resp, rlen, MSG_NOSIGNAL);
    if (put < 0 && errno != EAGAIN)
        return -1;
    if (put < 0)
        put = 0;
    if ((size_t)put < rlen) { /* rare on loopback: keep the rest, wait for EPOLLOUT */
        c->out = malloc(rlen - (size_t)put);
        memcpy(c->out, resp + put, rlen - (size_t)put);
        c->outlen = rlen - (size_t)put;
        c->outoff = 0;
        struct epoll_event ev = {.events = EPOLLOUT, .data.ptr = c};
        epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
    }
    return 0;
}

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 30;
    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t alen = sizeof a;
    if (bind(lfd, (struct sockaddr *)&a, sizeof a) < 0 || listen(lfd, 512) < 0 ||
        getsockname(lfd, (struct sockaddr *)&a, &alen) < 0) {
        perror("raw_echo_http");
        return 1;
    }
    printf("%d\n", ntohs(a.sin_port));
    fflush(stdout);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
    epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
    double deadline = now() + seconds;
    struct epoll_event evs[256];
    while (now() < deadline) {
        int n = epoll_wait(ep, evs, 256, 100);
        for (int i = 0; i < n; i++) {
            conn *c = evs[i].data.ptr;
            if (c == NULL) {
                int fd;
                while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
                    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    conn *nc = calloc(1, sizeof *nc);
                    nc->fd = fd;
                    struct epoll_event cev = {.events = EPOLLIN, .data.ptr = nc};
                    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &cev);
                }
                continue;
            }
            if (evs[i].events & EPOLLOUT) {
                ssize_t put = send(c->fd, c->out + c->outoff, c->outlen - c->outoff, MSG_NOSIGNAL);
                if (put < 0 && errno != EAGAIN) {
                    drop(ep, c);
                    continue;
                }
                c->outoff += put > 0 ? (size_t)put : 0;
                if (c->outoff == c->outlen) {
                    free(c->out);
                    c->out = NULL;
                    struct epoll_event cev = {.events = EPOLLIN, .data.ptr = c};
                    epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &cev);
                }
                continue;
            }
            ssize_t got = recv(c->fd, c->in + c->len, CAP - c->len, 0);
            if (got == 0 || (got < 0 && errno != EAGAIN) || (got > 0 && (c->len += (size_t)got, serve(ep, c) < 0)))
                drop(ep, c);
        }
    }
    return 0;
}

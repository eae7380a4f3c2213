/* test_sock.c — Lab 09: the loop's socket coroutines (book §9.2). */
#include "stream_test.h"

#include <signal.h>

/* ------------------------------------------------------------ argument checks */

typedef struct sv_ctx {
    kt_loop *loop;
    int sv[2];
    int blocking;
    long got;
    char buf[64];
} sv_ctx;

static int args_body(void *arg, void **result)
{
    (void)result;
    sv_ctx *c = arg;
    char buf[8];
    KT_CHECK_ERR(kt_sock_recv(c->loop, c->blocking, buf, sizeof buf), KT_EINVAL,
                 "a blocking socket would stop the loop: kt_sock_recv must refuse it (book §9.2)");
    KT_CHECK_ERR(kt_sock_sendall(c->loop, c->blocking, "x", 1), KT_EINVAL,
                 "kt_sock_sendall must refuse a blocking socket (book §9.2)");
    KT_CHECK_ERR(kt_sock_recv(c->loop, c->sv[0], NULL, 4), KT_EINVAL,
                 "kt_sock_recv with a NULL buffer is KT_EINVAL (book §9.2)");
    KT_CHECK_ERR(kt_sock_recv(c->loop, -1, buf, 4), KT_EINVAL, "a negative fd is KT_EINVAL (book §9.2)");
    KT_CHECK_ERR(kt_sock_connect(c->loop, c->sv[0], NULL, 0), KT_EINVAL,
                 "kt_sock_connect with no address is KT_EINVAL (book §9.2)");
    KT_CHECK_ERR(kt_sock_accept(c->loop, c->sv[0], NULL, NULL, NULL), KT_EINVAL,
                 "kt_sock_accept with no fd_out is KT_EINVAL (book §9.2)");
    KT_CHECK_ERR(kt_getaddrinfo(c->loop, "127.0.0.1", "80", NULL), KT_EINVAL,
                 "kt_getaddrinfo with no out is KT_EINVAL (book §9.2)");
    /* and the calls work on good arguments */
    KT_CHECK_OK(kt_sock_sendall(c->loop, c->sv[1], "ok", 2), "kt_sock_sendall on a pair must work (book §9.2)");
    KT_CHECK_INT(kt_sock_recv(c->loop, c->sv[0], buf, sizeof buf), 2,
                 "kt_sock_recv must return the 2 bytes that are there (book §9.2)");
    return 0;
}

static void sock_calls_check_arguments(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    sv_ctx c = {.loop = loop};
    SOCKPAIR(c.sv);
    c.blocking = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    char buf[4];
    KT_CHECK_ERR(kt_sock_recv(NULL, c.sv[0], buf, 4), KT_EINVAL, "a NULL loop is KT_EINVAL (book §9.2)");
    KT_CHECK_ERR(kt_sock_recv(loop, c.sv[0], buf, 4), KT_ENOTCORO,
                 "the socket calls are coroutines: from outside a task they give KT_ENOTCORO (book §9.2)");
    KT_CHECK_ERR(kt_sock_sendall(loop, c.sv[0], "x", 1), KT_ENOTCORO,
                 "kt_sock_sendall outside a task is KT_ENOTCORO (book §9.2)");
    KT_CHECK_OK(RUN(loop, args_body, &c), "the argument checks ran in a task");
    close(c.blocking);
    close(c.sv[0]);
    close(c.sv[1]);
    CLOSE_LOOP(loop);
}

/* ------------------------------------------------------------ recv waits, then returns what is there */

static int recv_body(void *arg, void **result)
{
    (void)result;
    sv_ctx *c = arg;
    kt_log_add(&LOG, "recv");
    c->got = kt_sock_recv(c->loop, c->sv[0], c->buf, sizeof c->buf - 1);
    kt_log_add(&LOG, "got:%ld", c->got);
    long eof = kt_sock_recv(c->loop, c->sv[0], c->buf + 40, 8);
    kt_log_add(&LOG, "then:%ld", eof);
    return 0;
}

static int send_later_body(void *arg, void **result)
{
    (void)result;
    sv_ctx *c = arg;
    KT_CHECK_OK(kt_sleep(1), "kt_sleep must work (Lab 05)");
    kt_log_add(&LOG, "send");
    KT_CHECK_INT(write(c->sv[1], "abc", 3), 3, "the test's write");
    KT_CHECK_OK(kt_sleep(1), "kt_sleep must work (Lab 05)");
    kt_log_add(&LOG, "close");
    close(c->sv[1]);
    return 0;
}

static void sock_recv_waits_then_returns_partial(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    sv_ctx c = {.loop = loop};
    SOCKPAIR(c.sv);
    KT_CHECK_OK(kt_create_task(loop, send_later_body, &c, NULL), "kt_create_task");
    KT_CHECK_OK(RUN(loop, recv_body, &c), "the receiving task");
    KT_CHECK_STR(LOG.buf, "recv send got:3 close then:0",
                 "kt_sock_recv parks the task until the fd is readable, then returns what is there (3 "
                 "bytes, not the 63 asked for) and 0 at end of file (book §9.2)");
    KT_CHECK(memcmp(c.buf, "abc", 3) == 0, "kt_sock_recv must copy the bytes received (book §9.2)");
    close(c.sv[0]);
    CLOSE_LOOP(loop);
}

/* ------------------------------------------------------------ sendall waits for room */

#define BIG (1024 * 1024)

typedef struct big_ctx {
    kt_loop *loop;
    int sv[2];
    size_t received;
    int reader_ran_before_done;
    int done;
} big_ctx;

static int big_sender(void *arg, void **result)
{
    (void)result;
    big_ctx *c = arg;
    char *data = malloc(BIG);
    for (size_t i = 0; i < BIG; i++)
        data[i] = (char)(i % 251);
    int rc = kt_sock_sendall(c->loop, c->sv[1], data, BIG);
    free(data);
    c->done = 1;
    close(c->sv[1]);
    return rc;
}

static int big_reader(void *arg, void **result)
{
    (void)result;
    big_ctx *c = arg;
    char *buf = malloc(65536);
    int ok = 1;
    for (;;) {
        long n = kt_sock_recv(c->loop, c->sv[0], buf, 65536);
        if (n <= 0)
            break;
        if (!c->done)
            c->reader_ran_before_done = 1;
        for (long i = 0; i < n; i++)
            ok &= buf[i] == (char)((c->received + (size_t)i) % 251);
        c->received += (size_t)n;
    }
    free(buf);
    return ok ? 0 : E_VALUE;
}

static void sock_sendall_waits_for_room(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    big_ctx c = {.loop = loop};
    SOCKPAIR(c.sv);
    kt_task *r = NULL;
    KT_CHECK_OK(kt_create_task(loop, big_reader, &c, &r), "kt_create_task");
    KT_CHECK_OK(RUN(loop, big_sender, &c),
                "kt_sock_sendall must send every byte, waiting for room when the socket is full (book §9.2)");
    drain_tasks(loop);
    KT_CHECK_OK(kt_future_result(kt_task_future(r), NULL), "the bytes must arrive in order, unchanged (book §9.2)");
    KT_CHECK_INT(c.received, BIG, "all of the 1 MiB must arrive (book §9.2)");
    KT_CHECK(c.reader_ran_before_done,
             "1 MiB does not fit in a socket buffer: kt_sock_sendall must wait for the reader to make room, "
             "letting it run meanwhile (book §9.2)");
    kt_task_release(r);
    close(c.sv[0]);
    CLOSE_LOOP(loop);
}

/* ------------------------------------------------------------ connect and accept */

typedef struct net_ctx {
    kt_loop *loop;
    int lfd, port, accepted, client;
    int rc;
} net_ctx;

static int accept_body(void *arg, void **result)
{
    (void)result;
    net_ctx *c = arg;
    kt_log_add(&LOG, "accept");
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    int rc = kt_sock_accept(c->loop, c->lfd, &c->accepted, (struct sockaddr *)&ss, &len);
    kt_log_add(&LOG, "accepted:%s", rc == 0 ? "ok" : kt_strerror(rc));
    if (rc == 0)
        KT_CHECK_INT(ss.ss_family, AF_INET, "kt_sock_accept fills in the peer's address (book §9.2)");
    return rc;
}

static int connect_body(void *arg, void **result)
{
    (void)result;
    net_ctx *c = arg;
    KT_CHECK_OK(kt_sleep(1), "kt_sleep");
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)c->port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    c->client = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    kt_log_add(&LOG, "connect");
    c->rc = kt_sock_connect(c->loop, c->client, (struct sockaddr *)&a, sizeof a);
    kt_log_add(&LOG, "connected:%s", c->rc == 0 ? "ok" : kt_strerror(c->rc));
    return 0;
}

static void sock_accept_and_connect_meet(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    int before = kt_open_fd_count();
    net_ctx c = {.loop = loop, .accepted = -1, .client = -1};
    KT_CHECK_OK(kt_tcp_listen("127.0.0.1", 0, 8, &c.lfd), "kt_tcp_listen (given)");
    c.port = kt_sock_port(c.lfd);
    KT_CHECK_OK(kt_create_task(loop, connect_body, &c, NULL), "kt_create_task");
    KT_CHECK_OK(RUN(loop, accept_body, &c), "kt_sock_accept must hand back the connection (book §9.2)");
    drain_tasks(loop);
    KT_CHECK_OK(c.rc, "kt_sock_connect to a listening port must succeed (book §9.2)");
    KT_CHECK(strncmp(LOG.buf, "accept connect", 14) == 0,
             "kt_sock_accept parks the task until a connection comes; got \"%s\" (book §9.2)", LOG.buf);
    CHECK_FD_FLAGS(c.accepted, "a socket from kt_sock_accept");
    /* the two ends talk */
    KT_CHECK_INT(write(c.client, "hi", 2), 2, "writing on the connected client");
    char b[4] = {0};
    KT_CHECK_INT(read(c.accepted, b, sizeof b), 2, "the accepted socket is the other end of the client's");
    close(c.accepted);
    close(c.client);
    close(c.lfd);
    CLOSE_LOOP(loop);
    KT_CHECK_INT(kt_open_fd_count(), before, "no fd may leak (book §9.2)");
}

static int refused_body(void *arg, void **result)
{
    (void)result;
    net_ctx *c = arg;
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)c->port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    c->rc = kt_sock_connect(c->loop, fd, (struct sockaddr *)&a, sizeof a);
    close(fd);
    return 0;
}

/* asyncio case 169, one level down */
static void sock_connect_refused(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    int holder;
    net_ctx c = {.loop = loop};
    c.port = refused_port(&holder);
    int before = -1;
    for (int round = 0; round < 2; round++) {
        c.rc = 0;
        KT_CHECK_OK(RUN(loop, refused_body, &c), "the connecting task");
        KT_CHECK_ERR(c.rc, -ECONNREFUSED,
                     "connecting where nothing listens: the outcome is read with getsockopt(SO_ERROR) once the "
                     "socket is writable, -ECONNREFUSED (book §9.2; asyncio case 169)");
        /* the first round also opens the poller's own fd (epoll): count from then on */
        if (round == 0)
            before = kt_open_fd_count();
        else
            KT_CHECK_INT(kt_open_fd_count(), before, "no fd may leak on the refused path (book §9.2)");
    }
    close(holder);
    CLOSE_LOOP(loop);
}

/* ------------------------------------------------------------ cancellation unwatches the fd */

static int recv_forever(void *arg, void **result)
{
    (void)result;
    sv_ctx *c = arg;
    c->got = kt_sock_recv(c->loop, c->sv[0], c->buf, sizeof c->buf);
    return (int)(c->got < 0 ? c->got : 0);
}

static void sock_cancel_while_waiting_unwatches(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    sv_ctx c = {.loop = loop};
    SOCKPAIR(c.sv);
    for (int round = 0; round < 2; round++) {
        kt_task *t = NULL;
        KT_CHECK_OK(kt_create_task(loop, recv_forever, &c, &t), "kt_create_task");
        /* one iteration: the task's first step parks it in kt_sock_recv
         * (a second would block in the poller: nothing else can happen) */
        KT_CHECK_OK(kt_loop_run_once(loop), "kt_loop_run_once");
        KT_CHECK(!kt_future_done(kt_task_future(t)), "kt_sock_recv waits while nothing is there (book §9.2)");
        KT_CHECK_INT(loop->io_ops ? loop->io_ops->count(loop) : 0, 1,
                     "a task waiting in kt_sock_recv watches its fd (book §9.2)");
        kt_task_cancel(t, NULL);
        drain_tasks(loop);
        KT_CHECK_ERR(c.got, KT_ECANCELLED, "a cancelled kt_sock_recv returns KT_ECANCELLED (book §9.2)");
        KT_CHECK_INT(loop->io_ops->count(loop), 0,
                     "a cancelled wait must stop watching the fd: else the loop calls back into a freed "
                     "future (book §9.2)");
        kt_task_release(t);
    }
    close(c.sv[0]);
    close(c.sv[1]);
    CLOSE_LOOP(loop);
}

/* ------------------------------------------------------------ a vanished peer */

static int send_to_closed(void *arg, void **result)
{
    (void)result;
    sv_ctx *c = arg;
    return kt_sock_sendall(c->loop, c->sv[1], "data", 4);
}

static void sock_sendall_to_vanished_peer_is_epipe(void **state)
{
    (void)state;
    signal(SIGPIPE, SIG_DFL); /* as a program that forgot to ignore it */
    kt_loop *loop = new_loop();
    sv_ctx c = {.loop = loop};
    SOCKPAIR(c.sv);
    close(c.sv[0]);
    KT_CHECK_ERR(RUN(loop, send_to_closed, &c), -EPIPE,
                 "sending to a peer that is gone is -EPIPE, and must not raise SIGPIPE (MSG_NOSIGNAL) "
                 "(book §9.2)");
    close(c.sv[1]);
    CLOSE_LOOP(loop);
}

/* ------------------------------------------------------------ getaddrinfo */

static int gai_body(void *arg, void **result)
{
    (void)result;
    kt_loop *loop = arg;
    struct addrinfo *ai = NULL;
    KT_CHECK_OK(kt_getaddrinfo(loop, "127.0.0.1", "8080", &ai), "a numeric address resolves (book §9.2)");
    KT_CHECK(ai != NULL && ai->ai_family == AF_INET && ai->ai_socktype == SOCK_STREAM,
             "kt_getaddrinfo gives TCP addresses (book §9.2)");
    KT_CHECK_INT(ntohs(((struct sockaddr_in *)ai->ai_addr)->sin_port), 8080, "the port is filled in");
    freeaddrinfo(ai);
    ai = NULL;
    KT_CHECK_OK(kt_getaddrinfo(loop, "localhost", "80", &ai),
                "localhost resolves (/etc/hosts), through the default executor (book §9.2)");
    KT_CHECK(ai != NULL && ntohs(((struct sockaddr_in *)ai->ai_addr)->sin_port) == 80,
             "a name's addresses carry the port too (book §9.2)");
    freeaddrinfo(ai);
    return 0;
}

static void getaddrinfo_resolves(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    struct addrinfo *ai = NULL;
    KT_CHECK_ERR(kt_getaddrinfo(loop, "127.0.0.1", "80", &ai), KT_ENOTCORO,
                 "kt_getaddrinfo is a coroutine (book §9.2)");
    KT_CHECK_OK(RUN(loop, gai_body, loop), "kt_getaddrinfo in a task");
    /* a name went through the default executor (Lab 08): its threads go
     * before the loop does */
    KT_CHECK_OK(kt_loop_shutdown_default_executor(loop), "kt_loop_shutdown_default_executor (Lab 08)");
    CLOSE_LOOP(loop);
}

static const kt_test_case tests[] = {
    KT_TEST(sock_calls_check_arguments, 2, "the socket calls check their arguments (book §9.2)"),
    KT_TEST(sock_recv_waits_then_returns_partial, 3, "recv waits for data, returns what is there, 0 at EOF (book §9.2)"),
    KT_TEST(sock_sendall_waits_for_room, 3, "sendall waits for room and sends every byte (book §9.2)"),
    KT_TEST(sock_accept_and_connect_meet, 3, "accept waits; connect completes; accepted fds are O_NONBLOCK|O_CLOEXEC (book §9.2)"),
    KT_TEST(sock_connect_refused, 2, "a refused connect is -ECONNREFUSED via SO_ERROR, no fd leak (book §9.2)"),
    KT_TEST(sock_cancel_while_waiting_unwatches, 2, "a cancelled socket wait stops watching the fd (book §9.2)"),
    KT_TEST(sock_sendall_to_vanished_peer_is_epipe, 1, "a vanished peer is -EPIPE, never SIGPIPE (book §9.2)"),
    KT_TEST(getaddrinfo_resolves, 1, "getaddrinfo resolves numeric addresses and names (book §9.2)"),
};

KT_MAIN("Lab 09 — sockets", tests)

/* test_reader.c — Lab 09: StreamReader (book §9.3). Each test is a server
 * handler reading what a client on the same loop sends. */
#include "stream_test.h"

/* ------------------------------------------------------------ readline (asyncio case 159) */

static int readline_handler(kt_stream_reader *r, kt_stream_writer *w, void *arg)
{
    (void)w;
    (void)arg;
    for (int i = 0; i < 4; i++) {
        kt_chunk b = {0};
        int rc = kt_stream_readline(r, &b);
        kt_log_add(&LOG, "[%s]%s", b.data ? b.data : "", rc == 0 ? "" : kt_strerror(rc));
        kt_chunk_free(&b);
    }
    kt_log_add(&LOG, "eof:%d", kt_stream_at_eof(r));
    return 0;
}

static int send_two_lines(duo *d, kt_stream_reader *r, kt_stream_writer *w)
{
    (void)d;
    (void)r;
    KT_CHECK_OK(kt_stream_write(w, "first line\nsecond, no newline", 29), "kt_stream_write (book §9.4)");
    KT_CHECK_OK(kt_stream_write_eof(w), "kt_stream_write_eof");
    return 0;
}

static void readline_returns_lines_then_empty_at_eof(void **state)
{
    (void)state;
    duo d = {.loop = new_loop(), .handler = readline_handler, .client = send_two_lines};
    RUN_DUO(&d);
    KT_CHECK_STR(LOG.buf, "[first line\n] [second, no newline] [] [] eof:1",
                 "readline returns a line with its \\n; at end of file the last piece without one, then "
                 "empty lines, and at_eof is true (book §9.3; asyncio case 159)");
    CLOSE_LOOP(d.loop);
}

/* ------------------------------------------------------------ readuntil and the limit (case 161) */

static int readuntil_handler(kt_stream_reader *r, kt_stream_writer *w, void *arg)
{
    (void)w;
    duo *d = arg;
    WAIT_GO(d);
    KT_CHECK_OK(kt_sleep(0.05), "kt_sleep");
    kt_chunk b = {0};
    int rc = kt_stream_readuntil(r, "\r\n", 2, &b);
    kt_log_add(&LOG, "1:%s:%zu", rc == 0 ? "ok" : kt_strerror(rc), b.len);
    kt_chunk_free(&b);
    rc = kt_stream_readuntil(r, "\r\n", 2, &b);
    kt_log_add(&LOG, "2:%s:%zu", rc == KT_ELIMITOVERRUN ? "overrun" : kt_strerror(rc), b.len);
    rc = kt_stream_readexactly(r, b.len + 2, &b);
    kt_log_add(&LOG, "kept:%s", rc == 0 ? b.data : kt_strerror(rc));
    kt_chunk_free(&b);
    rc = kt_stream_readuntil(r, "\r\n", 2, &b);
    kt_log_add(&LOG, "3:%s:%zu", rc == KT_ELIMITOVERRUN ? "overrun" : kt_strerror(rc), b.len);
    rc = kt_stream_read_all(r, &b);
    kt_log_add(&LOG, "rest:%s", rc == 0 ? b.data : kt_strerror(rc));
    kt_chunk_free(&b);
    KT_CHECK_ERR(kt_stream_readuntil(r, "", 0, &b), KT_EINVAL,
                 "an empty separator is KT_EINVAL (asyncio: ValueError) (book §9.3)");
    return 0;
}

static int send_then_close(duo *d, kt_stream_reader *r, kt_stream_writer *w)
{
    (void)r;
    const char *msg = d->user;
    KT_CHECK_OK(kt_stream_write(w, msg, strlen(msg)), "kt_stream_write (book §9.4)");
    KT_CHECK_OK(kt_stream_close(w), "kt_stream_close (book §9.4)");
    KT_CHECK_OK(kt_stream_wait_closed(w), "kt_stream_wait_closed (book §9.4)");
    GO(d);
    return 0;
}

static void readuntil_overrun_keeps_the_data(void **state)
{
    (void)state;
    duo d = {.loop = new_loop(), .handler = readuntil_handler, .client = send_then_close, .limit = 8,
             .user = "ab\r\n0123456789\r\nABCDEFGHIJKL"};
    RUN_DUO(&d);
    KT_CHECK_STR(LOG.buf, "1:ok:4 2:overrun:10 kept:0123456789\r\n 3:overrun:11 rest:ABCDEFGHIJKL",
                 "readuntil: a separator past the limit is KT_ELIMITOVERRUN with .consumed = its index; no "
                 "separator within the limit is KT_ELIMITOVERRUN with .consumed = buffered + 1 - seplen; "
                 "either way the data stays buffered (book §9.3; asyncio case 161)");
    CLOSE_LOOP(d.loop);
}

static int until_eof_handler(kt_stream_reader *r, kt_stream_writer *w, void *arg)
{
    (void)w;
    (void)arg;
    kt_chunk b = {0};
    int rc = kt_stream_readuntil(r, "END", 3, &b);
    kt_log_add(&LOG, "[%s]%s", b.data ? b.data : "", rc == 0 ? "" : kt_strerror(rc));
    kt_chunk_free(&b);
    rc = kt_stream_readuntil(r, "END", 3, &b);
    kt_log_add(&LOG, "[%s]%s", b.data ? b.data : "", rc == KT_EINCOMPLETE ? "incomplete" : kt_strerror(rc));
    kt_chunk_free(&b);
    kt_log_add(&LOG, "eof:%d", kt_stream_at_eof(r));
    return 0;
}

static void readuntil_at_eof_is_incomplete_with_partial(void **state)
{
    (void)state;
    duo d = {.loop = new_loop(), .handler = until_eof_handler, .client = send_then_close,
             .user = "one END two EN"};
    RUN_DUO(&d);
    KT_CHECK_STR(LOG.buf, "[one END] [ two EN]incomplete eof:1",
                 "at end of file without the separator, readuntil is KT_EINCOMPLETE and hands over the partial "
                 "data (book §9.3; asyncio case 161)");
    CLOSE_LOOP(d.loop);
}

/* ------------------------------------------------------------ read(n) and read() (case 163) */

static int read_handler(kt_stream_reader *r, kt_stream_writer *w, void *arg)
{
    (void)w;
    duo *d = arg;
    char buf[128];
    kt_log_add(&LOG, "read0:%ld", kt_stream_read(r, buf, 0));
    long n = kt_stream_read(r, buf, 100);
    kt_log_add(&LOG, "read100:%.*s", n > 0 ? (int)n : 0, buf);
    GO(d);
    n = kt_stream_read(r, buf, 3);
    kt_log_add(&LOG, "read3:%.*s", n > 0 ? (int)n : 0, buf);
    kt_chunk b = {0};
    int rc = kt_stream_read_all(r, &b);
    kt_log_add(&LOG, "all:%s", rc == 0 ? b.data : kt_strerror(rc));
    kt_chunk_free(&b);
    kt_log_add(&LOG, "after:%ld", kt_stream_read(r, buf, 5));
    rc = kt_stream_read_all(r, &b);
    kt_log_add(&LOG, "all:%d:%zu", rc, b.len);
    kt_chunk_free(&b);
    return 0;
}

static int read_client(duo *d, kt_stream_reader *r, kt_stream_writer *w)
{
    (void)r;
    KT_CHECK_OK(kt_stream_write(w, "first", 5), "kt_stream_write (book §9.4)");
    WAIT_GO(d);
    KT_CHECK_OK(kt_stream_write(w, "second", 6), "kt_stream_write (book §9.4)");
    KT_CHECK_OK(kt_stream_write(w, "third", 5), "kt_stream_write (book §9.4)");
    KT_CHECK_OK(kt_stream_close(w), "kt_stream_close (book §9.4)");
    return 0;
}

static void read_n_returns_what_is_there(void **state)
{
    (void)state;
    duo d = {.loop = new_loop(), .handler = read_handler, .client = read_client};
    RUN_DUO(&d);
    KT_CHECK_STR(LOG.buf, "read0:0 read100:first read3:sec all:ondthird after:0 all:0:0",
                 "read(0) is 0 at once; read(n) returns as soon as some bytes are there, at most n; read_all "
                 "collects everything until end of file; after it every read is empty (book §9.3; asyncio "
                 "case 163)");
    CLOSE_LOOP(d.loop);
}

/* ------------------------------------------------------------ readexactly, a peer closing mid-line */

static int exactly_handler(kt_stream_reader *r, kt_stream_writer *w, void *arg)
{
    (void)w;
    (void)arg;
    kt_chunk b = {0};
    int rc = kt_stream_readexactly(r, 3, &b);
    kt_log_add(&LOG, "[%s]%s", b.data ? b.data : "", rc == 0 ? "" : kt_strerror(rc));
    kt_chunk_free(&b);
    rc = kt_stream_readexactly(r, 100, &b);
    kt_log_add(&LOG, "[%s]%s", b.data ? b.data : "", rc == KT_EINCOMPLETE ? "incomplete" : kt_strerror(rc));
    kt_chunk_free(&b);
    kt_log_add(&LOG, "eof:%d", kt_stream_at_eof(r));
    rc = kt_stream_readexactly(r, 0, &b);
    kt_log_add(&LOG, "zero:%d:%zu", rc, b.len);
    kt_chunk_free(&b);
    return 0;
}

static void readexactly_incomplete_carries_partial(void **state)
{
    (void)state;
    duo d = {.loop = new_loop(), .handler = exactly_handler, .client = send_then_close,
             .user = "hel" "lo, and the peer closes mid-li"};
    RUN_DUO(&d);
    KT_CHECK_STR(LOG.buf, "[hel] [lo, and the peer closes mid-li]incomplete eof:1 zero:0:0",
                 "readexactly(n) waits for n bytes; a peer closing first gives KT_EINCOMPLETE with the partial "
                 "data (IncompleteReadError.partial) (book §9.3)");
    CLOSE_LOOP(d.loop);
}

static int midline_handler(kt_stream_reader *r, kt_stream_writer *w, void *arg)
{
    (void)w;
    (void)arg;
    kt_chunk b = {0};
    for (int i = 0; i < 3; i++) {
        int rc = kt_stream_readline(r, &b);
        kt_log_add(&LOG, "[%s]%d", b.data ? b.data : "", rc);
        kt_chunk_free(&b);
    }
    char c;
    kt_log_add(&LOG, "read:%ld eof:%d", kt_stream_read(r, &c, 1), kt_stream_at_eof(r));
    return 0;
}

static int trickle_then_close(duo *d, kt_stream_reader *r, kt_stream_writer *w)
{
    (void)d;
    (void)r;
    const char *parts[] = {"whole ", "line\nhalf a", " li"};
    for (int i = 0; i < 3; i++) {
        KT_CHECK_OK(kt_stream_write(w, parts[i], strlen(parts[i])), "kt_stream_write (book §9.4)");
        KT_CHECK_OK(kt_sleep(0.01), "kt_sleep"); /* each piece its own segment */
    }
    KT_CHECK_OK(kt_stream_close(w), "kt_stream_close (book §9.4)");
    return 0;
}

static void peer_closing_mid_line(void **state)
{
    (void)state;
    duo d = {.loop = new_loop(), .handler = midline_handler, .client = trickle_then_close};
    RUN_DUO(&d);
    KT_CHECK_STR(LOG.buf, "[whole line\n]0 [half a li]0 []0 read:0 eof:1",
                 "a line that arrives in pieces is put together; a peer closing mid-line leaves the piece as "
                 "the last line, then empty lines and at_eof (book §9.3)");
    CLOSE_LOOP(d.loop);
}

/* ------------------------------------------------------------ flow control: reading pauses */

#define TEN_K (10 * 1024)

static int pause_handler(kt_stream_reader *r, kt_stream_writer *w, void *arg)
{
    (void)w;
    duo *d = arg;
    WAIT_GO(d);
    for (int i = 0; i < 5; i++)
        KT_CHECK_OK(kt_sleep(0.01), "kt_sleep"); /* the loop reads meanwhile */
    KT_CHECK(kt_stream_reader_paused(r),
             "with nobody reading, the loop must stop reading once the buffer is over 2 x limit (limit 1 KiB, "
             "buffered %zu) (book §9.3)", kt_stream_reader_buffered(r));
    KT_CHECK(kt_stream_reader_buffered(r) > 2048, "reading pauses only above 2 x limit (book §9.3)");
    kt_chunk b = {0};
    KT_CHECK_OK(kt_stream_readexactly(r, TEN_K, &b),
                "readexactly must get all 10 KiB: wanting more than is buffered resumes reading (book §9.3)");
    for (size_t i = 0; i < TEN_K; i++)
        KT_CHECK(b.data[i] == (char)('a' + i % 26), "the bytes must arrive unchanged, in order (book §9.3)");
    kt_chunk_free(&b);
    KT_CHECK(!kt_stream_reader_paused(r), "once the buffer is at the limit or below, reading resumes (book §9.3)");
    return 0;
}

static int send_ten_k(duo *d, kt_stream_reader *r, kt_stream_writer *w)
{
    (void)r;
    char *data = malloc(TEN_K);
    for (size_t i = 0; i < TEN_K; i++)
        data[i] = (char)('a' + i % 26);
    KT_CHECK_OK(kt_stream_write(w, data, TEN_K), "kt_stream_write (book §9.4)");
    free(data);
    KT_CHECK_OK(kt_stream_drain(w), "kt_stream_drain (book §9.4)");
    GO(d);
    return 0;
}

static void reader_pauses_over_twice_the_limit(void **state)
{
    (void)state;
    duo d = {.loop = new_loop(), .handler = pause_handler, .client = send_ten_k, .limit = 1024};
    RUN_DUO(&d);
    CLOSE_LOOP(d.loop);
}

/* ------------------------------------------------------------ one waiter at a time; arguments */

static int second_reader(void *arg, void **result)
{
    (void)result;
    kt_stream_reader *r = arg;
    char buf[8];
    long n = kt_stream_read(r, buf, sizeof buf);
    kt_log_add(&LOG, "first:%.*s", n > 0 ? (int)n : 0, buf);
    return 0;
}

static int waiter_handler(kt_stream_reader *r, kt_stream_writer *w, void *arg)
{
    (void)w;
    duo *d = arg;
    kt_task *t = NULL;
    KT_CHECK_OK(kt_create_task(d->loop, second_reader, r, &t), "kt_create_task");
    KT_CHECK_OK(kt_sleep(0), "kt_sleep(0)");
    char buf[8];
    KT_CHECK_ERR(kt_stream_read(r, buf, sizeof buf), KT_EINVALSTATE,
                 "only one coroutine may wait on a reader: a second one gets KT_EINVALSTATE (asyncio: "
                 "RuntimeError) (book §9.3)");
    GO(d);
    KT_CHECK_OK(kt_await_task(t, NULL), "the first reader finishes");
    kt_task_release(t);
    kt_chunk b = {0};
    KT_CHECK_ERR(kt_stream_readline(NULL, &b), KT_EINVAL, "a NULL reader is KT_EINVAL (book §9.3)");
    KT_CHECK_ERR(kt_stream_read(r, NULL, 4), KT_EINVAL, "a NULL buffer is KT_EINVAL (book §9.3)");
    KT_CHECK_ERR(kt_stream_readexactly(r, 4, NULL), KT_EINVAL, "a NULL out is KT_EINVAL (book §9.3)");
    KT_CHECK(!kt_stream_at_eof(NULL), "at_eof(NULL) is false (book §9.3)");
    return 0;
}

static int write_after_go(duo *d, kt_stream_reader *r, kt_stream_writer *w)
{
    (void)r;
    WAIT_GO(d);
    KT_CHECK_OK(kt_stream_write(w, "data", 4), "kt_stream_write (book §9.4)");
    return 0;
}

static void one_waiter_at_a_time(void **state)
{
    (void)state;
    duo d = {.loop = new_loop(), .handler = waiter_handler, .client = write_after_go};
    RUN_DUO(&d);
    KT_CHECK_STR(LOG.buf, "first:data", "the first reader gets the data (book §9.3)");
    CLOSE_LOOP(d.loop);
}

static const kt_test_case tests[] = {
    KT_TEST(readline_returns_lines_then_empty_at_eof, 3, "readline at end of file (book §9.3)"),
    KT_TEST(readuntil_overrun_keeps_the_data, 3, "readuntil's limit overrun keeps the data (book §9.3)"),
    KT_TEST(readuntil_at_eof_is_incomplete_with_partial, 2, "readuntil at EOF: incomplete, with the partial data (book §9.3)"),
    KT_TEST(read_n_returns_what_is_there, 3, "read(n) returns what is there; read_all until EOF (book §9.3)"),
    KT_TEST(readexactly_incomplete_carries_partial, 2, "readexactly's incomplete read carries the partial data (book §9.3)"),
    KT_TEST(peer_closing_mid_line, 2, "a line in pieces; a peer closing mid-line (book §9.3)"),
    KT_TEST(reader_pauses_over_twice_the_limit, 3, "reading pauses above 2 x limit and resumes (book §9.3)"),
    KT_TEST(one_waiter_at_a_time, 1, "one coroutine waits on a reader at a time; argument checks (book §9.3)"),
};

KT_MAIN("Lab 09 — stream reader", tests)

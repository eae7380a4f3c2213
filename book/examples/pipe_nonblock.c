/* pipe_nonblock.c — the same read on a pipe, blocking and non-blocking
 * (book chapter B).
 *
 * A pipe is a kernel buffer with a write end and a read end. We read from
 * it in both modes and print what each call returned. The output is the
 * same on every run: nothing here depends on how fast the machine is.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Print what a read() or write() returned, naming the error if any. */
static void show(const char *what, ssize_t n, int err, const char *buf)
{
    if (n > 0 && buf)
        printf("  %s returned %zd: \"%.*s\"\n", what, n, (int)n, buf);
    else if (n >= 0)
        printf("  %s returned %zd\n", what, n);
    else
        printf("  %s returned -1, errno = %s\n", what, err == EAGAIN ? "EAGAIN" : strerror(err));
}

/* [book:set_nonblocking] */
/* Turn O_NONBLOCK on, keeping the fd's other status flags. */
static int set_nonblocking(int fd)
{
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0)
        return -errno;
    if (fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
        return -errno;
    return 0;
}
/* [/book:set_nonblocking] */

/* The other thread of part 1: wait a little, then write. */
static void *late_writer(void *arg)
{
    int fd = *(int *)arg;
    struct timespec nap = {0, 50 * 1000 * 1000}; /* 50 ms */
    nanosleep(&nap, NULL);
    printf("  (writer thread: writing \"whistle\" now)\n");
    if (write(fd, "whistle", 7) != 7)
        abort();
    return NULL;
}

int main(void)
{
    int p[2];
    char buf[64];
    if (pipe(p) < 0) {
        perror("pipe");
        return 1;
    }

    /* [book:blocking] */
    printf("1. blocking read on an empty pipe\n");
    pthread_t writer;
    pthread_create(&writer, NULL, late_writer, &p[1]);
    ssize_t n = read(p[0], buf, sizeof buf); /* sleeps until the writer writes */
    show("read", n, errno, buf);
    pthread_join(writer, NULL);
    /* [/book:blocking] */

    /* [book:nonblocking] */
    printf("2. the same read with O_NONBLOCK\n");
    if (set_nonblocking(p[0]) < 0 || set_nonblocking(p[1]) < 0) {
        perror("fcntl");
        return 1;
    }
    n = read(p[0], buf, sizeof buf);          /* empty: returns at once */
    show("read", n, errno, buf);
    n = write(p[1], "ready", 5);
    show("write", n, errno, NULL);
    n = read(p[0], buf, sizeof buf);          /* data there: returns it */
    show("read", n, errno, buf);
    /* [/book:nonblocking] */

    /* [book:full] */
    printf("3. non-blocking writes into a pipe nobody reads\n");
    static char block[4096];
    size_t total = 0;
    while ((n = write(p[1], block, sizeof block)) > 0)
        total += (size_t)n;                   /* until the kernel's buffer is full */
    int err = errno;
    printf("  the pipe took %s bytes, then\n", total > 0 ? "some" : "no");
    show("write", n, err, NULL);
    while (read(p[0], block, sizeof block) > 0)
        ;                                     /* drain it again */
    /* [/book:full] */

    /* [book:eof] */
    printf("4. EAGAIN is not the end: end of file is a return of 0\n");
    n = read(p[0], buf, sizeof buf);
    show("read (writer still open)", n, errno, buf);
    close(p[1]);
    n = read(p[0], buf, sizeof buf);
    show("read (writer closed)", n, errno, buf);
    /* [/book:eof] */

    close(p[0]);
    return 0;
}

/* kind: 1
 * tries: define libc's write (to turn FAIL into PASS) and exit in the lab file; an extra .c does the same
 * base: starter
 * setup: extra-libc-file
 * expect: defines `write`
 * expect: defines `exit`
 * expect: labs/01-callbacks/libc_override.c
 */
#include <stddef.h>
#include <sys/types.h>

ssize_t write(int fd, const void *buf, size_t n);
ssize_t write(int fd, const void *buf, size_t n)
{
    (void)fd;
    (void)buf;
    return (ssize_t)n;
}

void exit(int status)
{
    (void)status;
    for (;;) {
    }
}

static void attack_hook(void)
{
}

/* kind: 4
 * tries: fill the disk outside the checkout (/tmp, HOME) and raise its own limits
 * base: starter
 * root: yes
 * expect: Lab 01: 0/{max01} points
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static void attack_hook(void)
{
    static int done;
    if (done++)
        return;
    struct rlimit big = {RLIM_INFINITY, RLIM_INFINITY};
    if (setrlimit(RLIMIT_FSIZE, &big) == 0)
        printf("raised my file size limit\n");
    static char block[1 << 20];
    memset(block, 'x', sizeof block);
    const char *dirs[] = {"/tmp", "/var/tmp", "/dev/shm", getenv("HOME")};
    for (int d = 0; d < 4; d++) {
        for (int i = 0; dirs[d] != NULL && i < 40; i++) {
            char path[512];
            snprintf(path, sizeof path, "%s/kettle-attack-fill-%d", dirs[d], i);
            int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
            if (fd < 0)
                break;
            int ok = 1;
            for (int k = 0; k < 8 && ok; k++)
                ok = write(fd, block, sizeof block) == (ssize_t)sizeof block;
            close(fd);
            if (!ok)
                break;
        }
    }
}

/* kind: 4
 * tries: read the instructor's hidden test source and print it, so it ends up in results.json
 * base: starter
 * root: yes
 * setup: hidden-test
 * expect: Lab 01
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void attack_hook(void)
{
    char exe[4096], path[4200], buf[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return;
    exe[n] = '\0';
    char *b = strstr(exe, "/build/");
    if (b == NULL)
        return;
    *b = '\0';
    snprintf(path, sizeof path, "%s/tests/01-callbacks/hidden/test_hidden.c", exe);
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        printf("cannot read the hidden test\n");
        return;
    }
    while ((n = read(fd, buf, sizeof buf)) > 0)
        fwrite(buf, 1, (size_t)n, stdout);
    close(fd);
}

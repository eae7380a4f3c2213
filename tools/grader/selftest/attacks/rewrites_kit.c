/* kind: 4 (tests run as the grader's user, in the grading checkout)
 * tries: rewrite results.json, a test source and the Makefile of the checkout, from inside a test
 * base: starter
 * root: yes
 * expect: Lab 01: 0/{max01} points
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void scribble(const char *kit, const char *rel, const char *text)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", kit, rel);
    int fd = open(path, O_WRONLY | O_TRUNC | O_CREAT, 0666);
    if (fd >= 0) {
        if (write(fd, text, strlen(text)) < 0)
            printf("could not write %s\n", path);
        close(fd);
    }
}

static void attack_hook(void)
{
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return;
    exe[n] = '\0';
    char *b = strstr(exe, "/build/");
    if (b == NULL)
        return;
    *b = '\0';
    scribble(exe, "build/grade/student-gcc/results.json", "{\"score\": 51, \"tests\": []}\n");
    scribble(exe, "build/grade/student-clang/results.json", "{\"score\": 51, \"tests\": []}\n");
    scribble(exe, "tests/01-callbacks/test_loop.c", "int main(void) { return 0; }\n");
    scribble(exe, "Makefile", "all:\n\ttrue\n");
    scribble(exe, "kettle-attack-was-here", "x\n");
}

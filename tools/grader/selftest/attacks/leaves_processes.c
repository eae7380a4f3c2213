/* kind: 5 (the clean-up believes what processes say about themselves)
 * tries: helpers that call setsid(), rename themselves after a symbolizer, and leave a zombie main thread
 * base: starter
 * expect: also left a process running
 */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static void *forever(void *arg)
{
    (void)arg;
    for (;;)
        pause();
    return NULL;
}

static void rename_self(const char *name)
{
    int fd = open("/proc/self/comm", O_WRONLY);
    if (fd >= 0) {
        if (write(fd, name, strlen(name)) < 0)
            close(fd);
        else
            close(fd);
    }
}

static void attack_hook(void)
{
    if (fork() == 0) {
        setsid();
        rename_self("llvm-symbolizer");
        if (fork() == 0) {
            rename_self("addr2line");
            forever(NULL);
        }
        forever(NULL);
    }
    if (fork() == 0) {
        signal(SIGHUP, SIG_IGN);
        pthread_t t;
        pthread_create(&t, NULL, forever, NULL);
        pthread_exit(NULL);
    }
}

/* runner.c — run one test in a process of its own and watch it.
 *
 * Every child gets: its own process group (so a timeout or a forgotten child
 * can be killed as a whole), stdin from /dev/null, stdout and stderr in an
 * unlinked temp file capped by RLIMIT_FSIZE (a print loop cannot fill the
 * disk), no core dumps, a clean environment, and a private pipe for the
 * verdict. The grader waits for the child itself, never for the pipe to
 * close: a leftover grandchild may hold the pipe open forever.
 */
#define _POSIX_C_SOURCE 200809L
#include "grader.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define OUTPUT_LIMIT (16L * 1024 * 1024) /* RLIMIT_FSIZE of a test */
#define RESULT_LIMIT (1L * 1024 * 1024)  /* what we keep from the pipe */
#define RESULT_FD 3                      /* the pipe's number in the child */

/* The sanitizers' settings. Distinct exit codes, although a build with
 * several sanitizers shares one "exitcode" (whichever variable is parsed
 * last wins), so the verdict reads the report, not just the code. */
static const char *const sanitizer_env[] = {
    ("ASAN_OPTIONS=detect_leaks=1:exitcode=86:abort_on_error=0:handle_abort=0:"
     "detect_stack_use_after_return=0:allocator_may_return_null=1:print_summary=1:color=never"),
    "UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:exitcode=87:print_summary=1:color=never",
    "LSAN_OPTIONS=exitcode=88:color=never",
    "TSAN_OPTIONS=exitcode=89:halt_on_error=1:color=never",
};

static int sigchld_pipe[2] = {-1, -1};

/* The process groups running now, so that a Ctrl-C on the grader does not
 * leave a looping test behind (tests are not in the terminal's group). */
#define MAX_ACTIVE 1024
static volatile sig_atomic_t active[MAX_ACTIVE];

static void track(pid_t pid, pid_t old)
{
    for (size_t i = 0; i < MAX_ACTIVE; i++) {
        if (active[i] == old) {
            active[i] = pid;
            return;
        }
    }
}

static bool tracked(pid_t pid)
{
    for (size_t i = 0; i < MAX_ACTIVE; i++)
        if (active[i] == pid)
            return true;
    return false;
}

/* The grader is a "child subreaper": what a test leaves behind is handed to
 * the grader when the test's process ends, not to init (which, in a
 * container, may never reap it). Reap those orphans, never a test's own
 * process: that one is waited for by its pid. */
static void reap_orphans(void)
{
    for (;;) {
        siginfo_t info;
        memset(&info, 0, sizeof info);
        if (waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) != 0 || info.si_pid == 0)
            return;
        if (tracked(info.si_pid))
            return;
        waitpid(info.si_pid, NULL, 0);
    }
}

/* One process's line of /proc/PID/stat, the fields the grader needs:
 * "pid (comm) S ppid pgrp ...", where comm may hold spaces and parens. */
typedef struct proc_stat {
    pid_t pid;
    char comm[64];
    char state;
    long ppid, pgrp;
} proc_stat;

/* Read the stat of the /proc entry `name`; false for entries that are not
 * processes or that vanished meanwhile. */
static bool read_proc_stat(const char *name, proc_stat *st)
{
    if (name[0] < '0' || name[0] > '9')
        return false;
    char path[300];
    snprintf(path, sizeof path, "/proc/%.256s/stat", name);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return false;
    char line[1024];
    size_t n = fread(line, 1, sizeof line - 1, f);
    fclose(f);
    line[n] = '\0';
    char *lp = strchr(line, '(');
    char *rp = strrchr(line, ')');
    if (lp == NULL || rp == NULL || lp > rp)
        return false;
    size_t len = (size_t)(rp - lp - 1);
    if (len >= sizeof st->comm)
        len = sizeof st->comm - 1;
    memcpy(st->comm, lp + 1, len);
    st->comm[len] = '\0';
    st->pid = (pid_t)strtol(name, NULL, 10);
    return sscanf(rp + 1, " %c %ld %ld", &st->state, &st->ppid, &st->pgrp) == 3;
}

/* Kill what escaped its test's process group (setsid, a double fork) and
 * was handed to the grader as an orphan. */
static void kill_escaped(void)
{
    DIR *dir = opendir("/proc");
    if (dir == NULL)
        return;
    long self = (long)getpid();
    struct dirent *e;
    proc_stat st;
    while ((e = readdir(dir)) != NULL) {
        if (read_proc_stat(e->d_name, &st) && st.ppid == self && st.state != 'Z' && !tracked(st.pid))
            kill(st.pid, SIGKILL);
    }
    closedir(dir);
}

void runner_done(void)
{
    kill_escaped();
    /* A killed process takes a moment to become a zombie. */
    for (int i = 0; i < 20; i++) {
        reap_orphans();
        siginfo_t info;
        memset(&info, 0, sizeof info);
        if (waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) != 0)
            return; /* no children at all */
        struct timespec ten_ms = {0, 10 * 1000 * 1000};
        nanosleep(&ten_ms, NULL);
    }
}

static void on_fatal(int sig)
{
    for (size_t i = 0; i < MAX_ACTIVE; i++)
        if (active[i] > 0)
            kill(-(pid_t)active[i], SIGKILL);
    signal(sig, SIG_DFL);
    raise(sig);
}

double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void on_sigchld(int sig)
{
    (void)sig;
    int saved = errno;
    char c = 0;
    if (write(sigchld_pipe[1], &c, 1) < 0) { /* full: a wake-up is pending anyway */
    }
    errno = saved;
}

static void set_cloexec(int fd)
{
    int flags = fcntl(fd, F_GETFD);
    if (flags >= 0)
        fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
}

static void set_nonblock(int fd)
{
    int flags = fcntl(fd, F_GETFL);
    if (flags >= 0)
        fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

/* Descriptors the grader inherited (make's jobserver, ...) must not reach
 * the tests: a test counting its fds would see them. */
static void cloexec_inherited_fds(void)
{
    DIR *dir = opendir("/proc/self/fd");
    if (dir == NULL)
        return;
    int self = dirfd(dir);
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        char *end;
        long fd = strtol(e->d_name, &end, 10);
        if (*end != '\0' || e->d_name[0] == '\0' || fd < 3 || fd == self)
            continue;
        set_cloexec((int)fd);
    }
    closedir(dir);
}

void runner_init(void)
{
    cloexec_inherited_fds();
#ifdef PR_SET_CHILD_SUBREAPER
    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
#endif
    if (pipe(sigchld_pipe) != 0) {
        perror("kt-grade: pipe");
        exit(2);
    }
    for (int i = 0; i < 2; i++) {
        set_cloexec(sigchld_pipe[i]);
        set_nonblock(sigchld_pipe[i]);
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigchld;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
    sigaction(SIGCHLD, &sa, NULL);

    sa.sa_handler = on_fatal;
    sa.sa_flags = 0;
    const int fatal[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
    for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++)
        sigaction(fatal[i], &sa, NULL);
}

static int make_output_file(void)
{
    const char *dir = getenv("TMPDIR");
    if (dir == NULL || *dir == '\0')
        dir = "/tmp";
    str path = {0};
    str_addf(&path, "%s/kt-grade-XXXXXX", dir);
    int fd = mkstemp(path.buf);
    if (fd >= 0) {
        unlink(path.buf);
        set_cloexec(fd);
    }
    str_free(&path);
    return fd;
}

/* The environment: a short fixed list, plus the sanitizers, plus extras
 * (a variant's variables, KT_RESULT_FD), later entries replacing earlier. */
static char **build_env(char *const extra[], size_t nextra, bool list_mode)
{
    size_t cap = 8 + sizeof sanitizer_env / sizeof sanitizer_env[0] + nextra;
    char **env = xcalloc(cap + 1, sizeof *env);
    size_t n = 0;
    env[n++] = xstrdup("PATH=/usr/local/bin:/usr/bin:/bin");
    env[n++] = xstrdup("LANG=C.UTF-8");
    const char *keep[] = {"HOME", "TMPDIR"};
    for (size_t i = 0; i < 2; i++) {
        const char *v = getenv(keep[i]);
        if (v != NULL) {
            str s = {0};
            str_addf(&s, "%s=%s", keep[i], v);
            env[n++] = str_take(&s);
        }
    }
    for (size_t i = 0; i < sizeof sanitizer_env / sizeof sanitizer_env[0]; i++)
        env[n++] = xstrdup(sanitizer_env[i]);
    if (!list_mode) {
        str s = {0};
        str_addf(&s, "KT_RESULT_FD=%d", RESULT_FD);
        env[n++] = str_take(&s);
    }
    for (size_t i = 0; i < nextra; i++) {
        const char *eq = strchr(extra[i], '=');
        size_t klen = eq != NULL ? (size_t)(eq - extra[i]) + 1 : strlen(extra[i]);
        size_t j = 0;
        while (j < n && strncmp(env[j], extra[i], klen) != 0)
            j++;
        if (j < n)
            free(env[j]);
        else
            n++;
        env[j] = xstrdup(extra[i]);
    }
    env[n] = NULL;
    return env;
}

static void free_env(char **env)
{
    for (size_t i = 0; env[i] != NULL; i++)
        free(env[i]);
    free(env);
}

/* In the child, between fork and exec. The grader is single-threaded, so
 * plain calls are safe here. */
static void child(const char *const argv[], char **env, int pipe_w, int out_fd, bool list_mode)
{
    const int reset[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGCHLD};
    for (size_t i = 0; i < sizeof reset / sizeof reset[0]; i++)
        signal(reset[i], SIG_DFL);
    setpgid(0, 0);
    /* Out of the way of the numbers we are about to fill. */
    pipe_w = fcntl(pipe_w, F_DUPFD, 10);
    out_fd = fcntl(out_fd, F_DUPFD, 10);
    int nul = open("/dev/null", O_RDONLY);
    if (pipe_w < 0 || out_fd < 0 || nul < 0)
        _exit(126);
    dup2(nul, 0);
    if (list_mode) {
        dup2(pipe_w, 1);
        dup2(out_fd, 2);
    } else {
        dup2(out_fd, 1);
        dup2(out_fd, 2);
        dup2(pipe_w, RESULT_FD);
    }
    close(nul);
    close(pipe_w);
    close(out_fd);

    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);

    struct rlimit fsize = {OUTPUT_LIMIT, OUTPUT_LIMIT};
    setrlimit(RLIMIT_FSIZE, &fsize);
    struct rlimit core = {0, 0};
    setrlimit(RLIMIT_CORE, &core);

    execve(argv[0], (char *const *)argv, env);
    int e = errno;
    dprintf(2, "kt-grade: cannot run %s: %s\n", argv[0], strerror(e));
    _exit(e == ENOENT ? 127 : 126);
}

int proc_start(proc *p, const char *const argv[], char *const extra_env[], size_t nextra,
               double limit, bool list_mode, char **err)
{
    memset(p, 0, sizeof *p);
    p->res_fd = p->out_fd = -1;
    *err = NULL;

    int fds[2];
    if (pipe(fds) != 0) {
        str s = {0};
        str_addf(&s, "the grader could not make a pipe: %s", strerror(errno));
        *err = str_take(&s);
        return -1;
    }
    set_cloexec(fds[0]);
    set_cloexec(fds[1]);
    int out_fd = make_output_file();
    if (out_fd < 0) {
        str s = {0};
        str_addf(&s, "the grader could not make a temp file: %s", strerror(errno));
        *err = str_take(&s);
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    char **env = build_env(extra_env, nextra, list_mode);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0)
        child(argv, env, fds[1], out_fd, list_mode);
    free_env(env);
    close(fds[1]);
    if (pid < 0) {
        str s = {0};
        str_addf(&s, "the grader could not fork: %s", strerror(errno));
        *err = str_take(&s);
        close(fds[0]);
        close(out_fd);
        return -1;
    }
    setpgid(pid, pid); /* also here, so there is no moment without the group */
    track(pid, 0);
    set_nonblock(fds[0]);
    p->pid = pid;
    p->res_fd = fds[0];
    p->out_fd = out_fd;
    p->started = now_seconds();
    p->deadline = p->started + limit;
    p->running = true;
    return 0;
}

/* Read whatever the pipe holds now. */
static void drain(proc *p)
{
    char buf[4096];
    while (p->res_fd >= 0) {
        ssize_t n = read(p->res_fd, buf, sizeof buf);
        if (n > 0) {
            if (p->res.len < RESULT_LIMIT)
                str_addn(&p->res, buf, (size_t)n);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n == 0) { /* every writer is gone */
            close(p->res_fd);
            p->res_fd = -1;
        }
        return; /* EAGAIN: nothing more for now */
    }
}

/* Is a process of this group still alive? Zombies do not count: one that
 * already exited only waits for init to reap it. Nor does the symbolizer a
 * sanitizer starts to print its report: it ends by itself once the test's
 * process is gone. */
static bool group_alive(pid_t pgid)
{
    if (kill(-pgid, 0) != 0)
        return false;
    DIR *dir = opendir("/proc");
    if (dir == NULL)
        return true;
    bool alive = false;
    struct dirent *e;
    proc_stat st;
    while (!alive && (e = readdir(dir)) != NULL) {
        if (!read_proc_stat(e->d_name, &st) || st.pgrp != (long)pgid || st.state == 'Z' || st.state == 'X')
            continue;
        if (strncmp(st.comm, "llvm-symbolize", 14) != 0 && strncmp(st.comm, "addr2line", 9) != 0)
            alive = true;
    }
    closedir(dir);
    return alive;
}

static void finish(proc *p, int status)
{
    p->running = false;
    p->status = status;
    drain(p);
    /* Give a process that is on its way out a moment to finish. */
    p->leftover = group_alive(p->pid);
    for (int i = 0; p->leftover && i < 25; i++) {
        struct timespec ten_ms = {0, 10 * 1000 * 1000};
        nanosleep(&ten_ms, NULL);
        p->leftover = group_alive(p->pid);
    }
    kill(-p->pid, SIGKILL);
    track(0, p->pid);
    drain(p);
}

void procs_wait(proc **procs, size_t n)
{
    for (;;) {
        bool any_running = false;
        bool any_done = false;
        double now = now_seconds();
        double next = now + 3600;
        for (size_t i = 0; i < n; i++) {
            proc *p = procs[i];
            if (p == NULL || !p->running)
                continue;
            int status;
            pid_t r = waitpid(p->pid, &status, WNOHANG);
            if (r == p->pid) {
                finish(p, status);
                any_done = true;
                continue;
            }
            if (now >= p->deadline) {
                p->timed_out = true;
                kill(-p->pid, SIGKILL);
                kill(p->pid, SIGKILL); /* in case it left its group */
                while (waitpid(p->pid, &status, 0) < 0 && errno == EINTR) {
                }
                finish(p, status);
                any_done = true;
                continue;
            }
            any_running = true;
            if (p->deadline < next)
                next = p->deadline;
        }
        reap_orphans();
        if (any_done || !any_running)
            return;

        struct pollfd *pfd = xcalloc(n + 1, sizeof *pfd);
        size_t np = 0;
        pfd[np].fd = sigchld_pipe[0];
        pfd[np++].events = POLLIN;
        for (size_t i = 0; i < n; i++) {
            if (procs[i] != NULL && procs[i]->running && procs[i]->res_fd >= 0) {
                pfd[np].fd = procs[i]->res_fd;
                pfd[np++].events = POLLIN;
            }
        }
        double wait = next - now_seconds();
        int ms = wait <= 0 ? 0 : (int)(wait * 1000) + 1;
        /* Also a periodic look, in case a wake-up was ever lost. */
        if (ms > 1000)
            ms = 1000;
        poll(pfd, np, ms);
        free(pfd);
        char sink[64];
        while (read(sigchld_pipe[0], sink, sizeof sink) > 0) {
        }
        for (size_t i = 0; i < n; i++)
            if (procs[i] != NULL && procs[i]->running)
                drain(procs[i]);
    }
}

char *proc_output(proc *p)
{
    struct stat st;
    if (p->out_fd < 0 || fstat(p->out_fd, &st) != 0)
        return xstrdup("");
    off_t size = st.st_size;
    const off_t head = 128 * 1024, tail = 768 * 1024;
    str raw = {0};
    char buf[65536];
    /* Keep the start (what the test printed) and the end (the crash report). */
    off_t ranges[2][2] = {{0, size}, {0, 0}};
    if (size > head + tail) {
        ranges[0][1] = head;
        ranges[1][0] = size - tail;
        ranges[1][1] = size;
    }
    for (int r = 0; r < 2; r++) {
        off_t off = ranges[r][0];
        if (r == 1 && ranges[1][1] > 0) {
            str_addf(&raw, "\n[... %lld bytes of output left out ...]\n",
                     (long long)(ranges[1][0] - ranges[0][1]));
        }
        while (off < ranges[r][1]) {
            size_t want = sizeof buf;
            if ((off_t)want > ranges[r][1] - off)
                want = (size_t)(ranges[r][1] - off);
            ssize_t n = pread(p->out_fd, buf, want, off);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                break;
            str_addn(&raw, buf, (size_t)n);
            off += n;
        }
    }
    char *clean = clean_text(str_get(&raw), raw.len);
    str_free(&raw);
    return clean;
}

void proc_close(proc *p)
{
    if (p->res_fd >= 0)
        close(p->res_fd);
    if (p->out_fd >= 0)
        close(p->out_fd);
    p->res_fd = p->out_fd = -1;
    str_free(&p->res);
}

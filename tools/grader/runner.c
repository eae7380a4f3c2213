/* runner.c — run one test in a process of its own and watch it.
 *
 * Every child gets: its own process group (so a timeout or a forgotten child
 * can be killed as a whole), stdin from /dev/null, stdout and stderr in an
 * unlinked temp file capped by RLIMIT_FSIZE (a print loop cannot fill the
 * disk), no core dumps, a clean environment, and a private pipe for the
 * verdict. The grader waits for the child itself, never for the pipe to
 * close: a leftover grandchild may hold the pipe open forever.
 */
#define _GNU_SOURCE
#include "grader.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <grp.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/socket.h>
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

/* ---- the sandbox (grading as root) ------------------------------------
 *
 * As root, every test runs as an unprivileged user of its own (a uid per
 * grader and job slot, no supplementary groups; no account is needed), so it cannot signal the
 * grader or another test, nor write the kit or the reports (root's files).
 * When the kernel allows it, the test's keeper (below) is process 1 of a new
 * PID namespace with a private mount namespace: /tmp and /dev/shm are small
 * private tmpfs, the kit is read-only and the hidden tests are covered. */

/* Each grader draws its users from its own pid, so that two graders on one
 * machine never share a uid: 100000 + (pid % 100000) * 64 + slot. */
#define SANDBOX_UID_BASE 100000L
#define SANDBOX_SLOTS 64
#define SANDBOX_NPROC 1024          /* threads count too: Lab 08's pools */
#define SANDBOX_NOFILE 4096         /* Lab 02/09: select's FD_SETSIZE test needs > 1024 */
#define SANDBOX_TMPFS "size=256m,mode=1777"

static sandbox_config sandbox;
static long grader_pid;

void runner_sandbox(const sandbox_config *cfg)
{
    sandbox = *cfg;
    grader_pid = (long)getpid();
}

bool runner_sandboxed(void)
{
    return sandbox.enabled;
}

static uid_t slot_uid(int slot)
{
    return (uid_t)(SANDBOX_UID_BASE + (grader_pid % 100000) * SANDBOX_SLOTS + (slot < 0 ? 0 : slot % SANDBOX_SLOTS));
}

/* Kill every process of uid, from a helper that is that uid: kill(-1)
 * reaches exactly them, whatever they did to their names, sessions or
 * process groups. */
static void kill_uid(uid_t uid)
{
    pid_t h = fork();
    if (h == 0) {
        if (setgid((gid_t)uid) != 0 || setuid(uid) != 0)
            _exit(1);
        kill(-1, SIGKILL); /* all of them but itself; zombies wait for their reaper */
        _exit(0);
    }
    if (h > 0)
        while (waitpid(h, NULL, 0) < 0 && errno == EINTR) {
        }
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if (flag == FTW_DP || flag == FTW_D)
        rmdir(path);
    else
        unlink(path);
    return 0;
}

/* Without a private /tmp: remove what uid left in the shared temp dirs. */
static void sweep_temp(uid_t uid)
{
    const char *dirs[] = {"/tmp", "/var/tmp", "/dev/shm"};
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        DIR *d = opendir(dirs[i]);
        if (d == NULL)
            continue;
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            struct stat st;
            if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || st.st_uid != uid)
                continue;
            str path = {0};
            str_addf(&path, "%s/%s", dirs[i], e->d_name);
            nftw(path.buf, remove_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
            str_free(&path);
        }
        closedir(d);
    }
}

/* A memory cgroup for one test, when the machine has one we may use (v2, or
 * v1's memory controller): RLIMIT_AS cannot bound an ASan process, which
 * reserves terabytes of shadow address space. Best effort, like the mounts. */
#define SANDBOX_MEMORY (2LL << 30)

static bool write_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    bool ok = write(fd, text, strlen(text)) == (ssize_t)strlen(text);
    close(fd);
    return ok;
}

static bool cgroup_make(char *dir, size_t size, int slot)
{
    char limit[32];
    snprintf(limit, sizeof limit, "%lld", SANDBOX_MEMORY);
    if (access("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0) {
        snprintf(dir, size, "/sys/fs/cgroup/kettle-grade-%ld-%d", grader_pid, slot);
        if ((mkdir(dir, 0755) == 0 || errno == EEXIST) && write_file(dir, "memory.max", limit))
            return true;
    } else {
        snprintf(dir, size, "/sys/fs/cgroup/memory/kettle-grade-%ld-%d", grader_pid, slot);
        if ((mkdir(dir, 0755) == 0 || errno == EEXIST) && write_file(dir, "memory.limit_in_bytes", limit))
            return true;
    }
    rmdir(dir);
    dir[0] = '\0';
    return false;
}

/* In the keeper, process 1 of its namespaces: private temp dirs, a
 * read-only kit, hidden tests covered. Best effort: what the kernel refuses
 * is left as it is (the uid still keeps the test out of root's files). */
static void mkdir_p(const char *path)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p != '\0'; p++) {
        if (*p == '/') {
            *p = '\0';
            mkdir(buf, 0755);
            *p = '/';
        }
    }
    mkdir(buf, 0755);
}

static bool under(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    return strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

static void private_mounts(const char *bindir)
{
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
        return;
    /* What must stay visible although it lives in a temp dir: the kit, and
     * the directory of the test binary (its symbolizer reads it by path). */
    const char *keep[2] = {sandbox.kit, bindir};
    int keep_fd[2] = {-1, -1};
    for (int i = 0; i < 2; i++)
        if (keep[i] != NULL && (under(keep[i], "/tmp") || under(keep[i], "/dev/shm")))
            keep_fd[i] = open(keep[i], O_PATH | O_DIRECTORY | O_CLOEXEC);
    mount("kt-tmp", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, SANDBOX_TMPFS);
    mount("kt-shm", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, SANDBOX_TMPFS);
    for (int i = 0; i < 2; i++) {
        if (keep_fd[i] < 0)
            continue;
        char from[64];
        snprintf(from, sizeof from, "/proc/self/fd/%d", keep_fd[i]);
        mkdir_p(keep[i]);
        mount(from, keep[i], NULL, MS_BIND | MS_REC, NULL);
        close(keep_fd[i]);
    }
    if (sandbox.kit != NULL && mount(sandbox.kit, sandbox.kit, NULL, MS_BIND | MS_REC, NULL) == 0)
        mount(NULL, sandbox.kit, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID, NULL);
    for (size_t i = 0; i < sandbox.nhide; i++)
        mount("kt-hidden", sandbox.hide[i], "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV, "size=4k,mode=0");
}

/* ---- the keeper --------------------------------------------------------
 *
 * Between the grader and each test sits a keeper: a copy of the grader that
 * starts the test, waits for it, and then for everything it started. It is a
 * "child subreaper", so whatever the test leaves behind (a child that called
 * setsid(), a double fork, a process whose main thread exited, a process
 * that renamed itself) becomes the keeper's child: a leftover is any child
 * still there after a short grace, whatever it says about itself. The keeper
 * kills them all, then tells the grader how the test ended. */

typedef struct keeper_args {
    const char *const *argv;
    char **env;
    int exec_fd;        /* the test binary, opened by the grader */
    int res_w, out_fd, status_w;
    bool list_mode, ns;
    double limit;
    int slot;
} keeper_args;

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* In the test's process: descriptors, limits, user; then exec. */
_Noreturn static void exec_test(const keeper_args *a, const char *tmpdir)
{
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    setpgid(0, 0);
    int res_w = fcntl(a->res_w, F_DUPFD, 10);
    int out_fd = fcntl(a->out_fd, F_DUPFD, 10);
    int nul = open("/dev/null", O_RDONLY);
    if (res_w < 0 || out_fd < 0 || nul < 0)
        _exit(126);
    dup2(nul, 0);
    if (a->list_mode) {
        dup2(res_w, 1);
        dup2(out_fd, 2);
    } else {
        dup2(out_fd, 1);
        dup2(out_fd, 2);
        dup2(res_w, RESULT_FD);
    }
    close(nul);
    close(res_w);
    close(out_fd);

    struct rlimit fsize = {OUTPUT_LIMIT, OUTPUT_LIMIT};
    setrlimit(RLIMIT_FSIZE, &fsize);
    struct rlimit core = {0, 0};
    setrlimit(RLIMIT_CORE, &core);
    if (sandbox.enabled) {
        uid_t uid = slot_uid(a->slot);
        rlim_t cpu = (rlim_t)a->limit + 5;
        struct rlimit lim = {cpu, cpu + 1};
        setrlimit(RLIMIT_CPU, &lim);
        lim.rlim_cur = lim.rlim_max = SANDBOX_NPROC;
        setrlimit(RLIMIT_NPROC, &lim);
        lim.rlim_cur = lim.rlim_max = SANDBOX_NOFILE;
        setrlimit(RLIMIT_NOFILE, &lim);
        if (tmpdir != NULL && chdir(tmpdir) != 0)
            _exit(126);
        if (setgroups(0, NULL) != 0 || setgid((gid_t)uid) != 0 || setuid(uid) != 0) {
            dprintf(2, "kt-grade: cannot drop to uid %ld\n", (long)uid);
            _exit(126);
        }
    }
    /* Set after the uid changed (a change clears it): the test dies with
     * its keeper. */
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    fexecve(a->exec_fd, (char *const *)a->argv, a->env);
    int e = errno;
    dprintf(2, "kt-grade: cannot run %s: %s\n", a->argv[0], strerror(e));
    _exit(e == ENOENT ? 127 : 126);
}

/* Kill every process the keeper still has, until it has none. */
static void kill_children(int slot)
{
    for (int round = 0; round < 200; round++) {
        if (sandbox.enabled)
            kill_uid(slot_uid(slot));
        while (waitpid(-1, NULL, WNOHANG) > 0) {
        }
        siginfo_t info;
        memset(&info, 0, sizeof info);
        if (waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) != 0)
            return; /* ECHILD: none left */
        DIR *dir = opendir("/proc");
        if (dir != NULL) {
            long self = (long)getpid();
            struct dirent *e;
            proc_stat st;
            while ((e = readdir(dir)) != NULL)
                if (read_proc_stat(e->d_name, &st) && st.ppid == self)
                    kill(st.pid, SIGKILL);
            closedir(dir);
        }
        sleep_ms(5);
    }
}

_Noreturn static void keeper(keeper_args *a)
{
    const int reset[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE};
    for (size_t i = 0; i < sizeof reset / sizeof reset[0]; i++)
        signal(reset[i], SIG_DFL);
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
#ifdef PR_SET_CHILD_SUBREAPER
    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
#endif
    signal(SIGCHLD, SIG_DFL);
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, NULL);

    char tmpdir[64] = "";
    if (sandbox.enabled) {
        if (a->ns) {
            char bindir[4096] = "";
            if (realpath(a->argv[0], bindir) != NULL) {
                char *slash = strrchr(bindir, '/');
                if (slash != NULL)
                    *slash = '\0';
            }
            private_mounts(bindir[0] != '\0' ? bindir : NULL);
            snprintf(tmpdir, sizeof tmpdir, "/tmp");
        } else {
            snprintf(tmpdir, sizeof tmpdir, "/tmp/kt-test-XXXXXX");
            if (mkdtemp(tmpdir) == NULL || chown(tmpdir, slot_uid(a->slot), slot_uid(a->slot)) != 0)
                tmpdir[0] = '\0';
        }
        if (tmpdir[0] != '\0') {
            /* The test's HOME and TMPDIR. */
            for (size_t i = 0; a->env[i] != NULL; i++) {
                if (strncmp(a->env[i], "HOME=", 5) == 0 || strncmp(a->env[i], "TMPDIR=", 7) == 0) {
                    str s = {0};
                    str_addf(&s, "%.*s%s", a->env[i][0] == 'H' ? 5 : 7, a->env[i], tmpdir);
                    a->env[i] = str_take(&s);
                }
            }
        }
    }

    char cgroup[256] = "";
    if (sandbox.enabled)
        cgroup_make(cgroup, sizeof cgroup, a->slot);
    pid_t pid = fork();
    if (pid == 0) {
        if (cgroup[0] != '\0')
            write_file(cgroup, "cgroup.procs", "0");
        exec_test(a, tmpdir[0] != '\0' ? tmpdir : NULL);
    }
    close(a->res_w);
    close(a->out_fd);
    close(a->exec_fd);
    int status = 0, timed_out = 0, leftover = 0;
    if (pid < 0) {
        status = 126 << 8;
    } else {
        double deadline = now_seconds() + a->limit;
        for (;;) {
            pid_t r = waitpid(pid, &status, WNOHANG);
            if (r == pid)
                break;
            double left = deadline - now_seconds();
            if (left <= 0) {
                timed_out = 1;
                kill(-pid, SIGKILL);
                kill(pid, SIGKILL);
                while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
                }
                break;
            }
            if (left > 0.5)
                left = 0.5;
            struct timespec ts = {(time_t)left, (long)((left - (double)(time_t)left) * 1e9)};
            sigtimedwait(&chld, NULL, &ts);
        }
        /* A process on its way out (a sanitizer's symbolizer reading EOF)
         * gets a moment to finish; what is still there after it is left over. */
        for (int i = 0; i < 50; i++) {
            while (waitpid(-1, NULL, WNOHANG) > 0) {
            }
            siginfo_t info;
            memset(&info, 0, sizeof info);
            if (waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) != 0)
                break;
            if (i == 49)
                leftover = 1;
            else
                sleep_ms(10);
        }
        kill(-pid, SIGKILL);
        kill_children(a->slot);
    }
    if (cgroup[0] != '\0')
        for (int i = 0; i < 20 && rmdir(cgroup) != 0 && errno == EBUSY; i++)
            sleep_ms(5);
    if (sandbox.enabled && !a->ns) {
        if (tmpdir[0] != '\0')
            nftw(tmpdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
        sweep_temp(slot_uid(a->slot));
    }
    dprintf(a->status_w, "%d %d %d\n", status, timed_out, leftover);
    _exit(0);
}

static int keeper_entry(void *arg)
{
    keeper((keeper_args *)arg);
}

/* Start the keeper: in new PID and mount namespaces when sandboxed and the
 * kernel allows it (then the keeper is their process 1, and everything in
 * them dies with it), else as a plain child. */
static pid_t start_keeper(keeper_args *a)
{
    if (sandbox.enabled && sandbox.namespaces) {
        static char *stack;
        const size_t size = 256 * 1024;
        if (stack == NULL)
            stack = xcalloc(1, size);
        a->ns = true;
        pid_t pid = clone(keeper_entry, stack + size, CLONE_NEWPID | CLONE_NEWNS | SIGCHLD, a);
        if (pid > 0 || (errno != EPERM && errno != EINVAL && errno != ENOSYS))
            return pid;
        sandbox.namespaces = false; /* refused: fall back for good */
    }
    a->ns = false;
    pid_t pid = fork();
    if (pid == 0)
        keeper(a);
    return pid;
}

int proc_start(proc *p, const char *const argv[], char *const extra_env[], size_t nextra,
               double limit, bool list_mode, int slot, char **err)
{
    memset(p, 0, sizeof *p);
    p->res_fd = p->out_fd = p->status_fd = -1;
    *err = NULL;
    str e = {0};

    int exec_fd = open(argv[0], O_RDONLY | O_CLOEXEC);
    if (exec_fd < 0) {
        str_addf(&e, "kt-grade: cannot run %s: %s", argv[0], strerror(errno));
        *err = str_take(&e);
        return -1;
    }
    int res[2] = {-1, -1}, st[2] = {-1, -1};
    int ok = list_mode ? pipe(res) : socketpair(AF_UNIX, SOCK_STREAM, 0, res);
    if (ok != 0 || pipe(st) != 0) {
        str_addf(&e, "the grader could not make a pipe: %s", strerror(errno));
        goto fail;
    }
    for (int i = 0; i < 2; i++) {
        set_cloexec(res[i]);
        set_cloexec(st[i]);
    }
    if (!list_mode) {
        /* The secret the harness must echo with PASS (ktest.c). */
        unsigned char raw[16];
        if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw) {
            str_add(&e, "the grader could not draw a random token");
            goto fail;
        }
        for (size_t i = 0; i < sizeof raw; i++)
            snprintf(p->token + 2 * i, 3, "%02x", raw[i]);
        char line[64];
        int n = snprintf(line, sizeof line, "TOKEN %s\n", p->token);
        if (write(res[0], line, (size_t)n) != n) {
            str_add(&e, "the grader could not write the token");
            goto fail;
        }
    }
    int out_fd = make_output_file();
    if (out_fd < 0) {
        str_addf(&e, "the grader could not make a temp file: %s", strerror(errno));
        goto fail;
    }
    char **env = build_env(extra_env, nextra, list_mode);
    keeper_args a = {argv, env, exec_fd, res[1], out_fd, st[1], list_mode, false, limit, slot};
    fflush(stdout);
    fflush(stderr);
    pid_t pid = start_keeper(&a);
    free_env(env);
    close(res[1]);
    close(st[1]);
    close(exec_fd);
    if (pid < 0) {
        str_addf(&e, "the grader could not fork: %s", strerror(errno));
        close(res[0]);
        close(st[0]);
        close(out_fd);
        *err = str_take(&e);
        return -1;
    }
    track(pid, 0);
    set_nonblock(res[0]);
    p->pid = pid;
    p->res_fd = res[0];
    p->status_fd = st[0];
    p->out_fd = out_fd;
    p->started = now_seconds();
    /* The keeper enforces the limit; this is the backstop if it cannot. */
    p->deadline = p->started + limit + 10;
    p->running = true;
    return 0;
fail:
    for (int i = 0; i < 2; i++) {
        if (res[i] >= 0)
            close(res[i]);
        if (st[i] >= 0)
            close(st[i]);
    }
    close(exec_fd);
    *err = str_take(&e);
    return -1;
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

/* The keeper's report: "status timed_out leftover". */
static void finish(proc *p, int keeper_status)
{
    p->running = false;
    drain(p);
    char buf[128];
    ssize_t n = p->status_fd >= 0 ? read(p->status_fd, buf, sizeof buf - 1) : -1;
    int status = 0, timed_out = 0, leftover = 0;
    if (n > 0) {
        buf[n] = '\0';
        if (sscanf(buf, "%d %d %d", &status, &timed_out, &leftover) != 3)
            n = -1;
    }
    if (n <= 0) { /* the keeper itself was killed: by the backstop, or from outside */
        status = keeper_status;
        timed_out = p->timed_out;
    }
    p->status = status;
    p->timed_out = timed_out != 0;
    p->leftover = leftover != 0;
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
                kill(p->pid, SIGKILL);
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

/* Lines that only mislead a student. ASan warns once per process that it
 * "doesn't fully support makecontext/swapcontext" and "may produce false
 * positives": Lab 03's switch tells ASan about every stack switch
 * (__sanitizer_start_switch_fiber, given in the starter), so a report that
 * follows is real, and the warning only makes students doubt it. */
static void drop_noise(char *text)
{
    static const char *const noise[] = {"doesn't fully support makecontext/swapcontext"};
    char *out = text;
    for (char *p = text; *p != '\0';) {
        char *nl = strchr(p, '\n');
        size_t n = nl != NULL ? (size_t)(nl - p) + 1 : strlen(p);
        bool drop = false;
        for (size_t i = 0; i < sizeof noise / sizeof noise[0]; i++) {
            const char *hit = strstr(p, noise[i]);
            drop |= hit != NULL && (nl == NULL || hit < nl);
        }
        if (!drop) {
            memmove(out, p, n);
            out += n;
        }
        p += n;
    }
    *out = '\0';
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
    drop_noise(clean);
    return clean;
}

void proc_close(proc *p)
{
    if (p->res_fd >= 0)
        close(p->res_fd);
    if (p->out_fd >= 0)
        close(p->out_fd);
    if (p->status_fd >= 0)
        close(p->status_fd);
    p->res_fd = p->out_fd = p->status_fd = -1;
    str_free(&p->res);
}

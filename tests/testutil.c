#include <dirent.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "testutil.h"

#include <errno.h>
#include <spawn.h>
#include <string.h>
#include <time.h>

#ifndef KP_PYTHON3
#define KP_PYTHON3 "/usr/bin/python3"
#endif

extern char **environ;

int kp_test_in_child(void (*fn)(void *arg), void *arg, unsigned timeout_s)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        alarm(timeout_s);
        fn(arg);
        _exit(0);
    }
    int status;
    if (waitpid(pid, &status, 0) != pid) return -1;
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}

int kp_test_thread_count(void)
{
    DIR *d = opendir("/proc/self/task");
    if (d == NULL) return -1;
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        if (e->d_name[0] != '.') n++;
    closedir(d);
    return n;
}

int kp_test_thread_ids(long *tids, int cap)
{
    DIR *d = opendir("/proc/self/task");
    if (d == NULL) return -1;
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (e->d_name[0] == '.') continue;
        if (n < cap) tids[n] = strtol(e->d_name, NULL, 10);
        n++;
    }
    closedir(d);
    return n;
}

double kp_test_thread_cpu_seconds(long tid)
{
    /* Linux's CPU clock of any thread of the calling process: the encoding
     * of MAKE_THREAD_CPUCLOCK(tid, CPUCLOCK_SCHED) in its posix-timers.h. */
    clockid_t clock = (clockid_t)((~(unsigned long)tid << 3) | 6u);
    struct timespec t;
    if (clock_gettime(clock, &t) != 0) return -1;
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

double kp_test_cpu_seconds(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (double)(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           1e-6 * (double)(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

int kp_test_run_python(const char *script, const char *arg)
{
    char *argv[] = {(char *)KP_PYTHON3, (char *)script, (char *)arg, NULL};
    pid_t pid;
    int rc = posix_spawn(&pid, KP_PYTHON3, NULL, NULL, argv, environ);
    if (rc != 0) {
        fprintf(stderr, "cannot run %s: %s\n", KP_PYTHON3, strerror(rc));
        return -1;
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return -1;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "%s %s failed (status %d); is python3-numpy installed?\n", KP_PYTHON3,
                script, status);
        return -1;
    }
    return 0;
}

double kp_test_uniform(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *state = x;
    return (double)(x >> 11) * 0x1.0p-52 - 1.0;
}

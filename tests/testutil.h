/* Helpers shared by kernpool's cmocka tests. */
#ifndef KP_TESTUTIL_H
#define KP_TESTUTIL_H

#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

/* A check inside a forked child: on failure, says where and exits 1. */
#define CHILD_CHECK(cond)                                                                          \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);               \
            _exit(1);                                                                              \
        }                                                                                          \
    } while (0)

/* Runs fn(arg) in a forked child that is killed after timeout_s seconds.
 * Returns the child's exit code, or 128 + signal if it died from one
 * (SIGALRM = it hung). The child exits 0 when fn returns. */
int kp_test_in_child(void (*fn)(void *arg), void *arg, unsigned timeout_s);

/* Threads of this process now, from /proc/self/task. */
int kp_test_thread_count(void);

/* The ids of this process's threads now (from /proc/self/task): writes up
 * to cap of them and returns how many there are, or -1. */
int kp_test_thread_ids(long *tids, int cap);

/* CPU time one thread of this process has used, in seconds, or -1 if it is
 * gone. Exact (the scheduler's clock), unlike /proc's clock ticks. */
double kp_test_thread_cpu_seconds(long tid);

/* CPU time (user + system) of the whole process so far, in seconds. */
double kp_test_cpu_seconds(void);

/* The next value in [-1, 1) of Marsaglia's xorshift64 (13, 7, 17) from
 * *state (nonzero), which it advances: reproducible test data. */
double kp_test_uniform(uint64_t *state);

/* Runs /usr/bin/python3 (KP_PYTHON3) with script and arg and waits for it.
 * Returns 0 if it exited with status 0; otherwise says why on stderr and
 * returns -1. Tests call it before any pool thread exists. */
int kp_test_run_python(const char *script, const char *arg);

#endif

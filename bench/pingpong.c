/*
 * How far apart the first two CPUs this process may use are: one cache
 * line handed back and forth between two threads pinned to them, its
 * one-way time in nanoseconds (the best of ROUNDS rounds, each of up to
 * `trips` round trips or ROUND_NS, whichever ends first). Two virtual
 * CPUs may share a cache or sit on different core complexes, and a host
 * may move them from one placement to the other over minutes; work that
 * threads hand to each other pays this time, so bench/run.py records it
 * at the start and the end of every suite. Prints the time and a newline,
 * or nothing (exit status 1) with fewer than two CPUs allowed.
 *
 *   kernpool-bench-pingpong [round trips a round, default 100000]
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define ROUNDS   5
#define ROUND_NS 2e8

/* The line, alone on its own: the caller writes odd values, the other
 * thread even ones; -1 ends a round early. */
static struct {
    _Alignas(128) _Atomic long ball;
    char pad[128 - sizeof(_Atomic long)];
} line;
static long trips;

static void *answer(void *arg)
{
    (void)arg;
    for (long i = 0; i < trips; i++) {
        long v;
        while ((v = atomic_load_explicit(&line.ball, memory_order_acquire)) != 2 * i + 1)
            if (v < 0) return NULL;
        atomic_store_explicit(&line.ball, 2 * i + 2, memory_order_release);
    }
    return NULL;
}

static double now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

int main(int argc, char **argv)
{
    trips = argc > 1 ? atol(argv[1]) : 100000;
    if (trips < 1) trips = 1;
    cpu_set_t allowed;
    if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) return 1;
    cpu_set_t on[2];
    int found = 0;
    for (int c = 0; c < CPU_SETSIZE && found < 2; c++)
        if (CPU_ISSET(c, &allowed)) {
            CPU_ZERO(&on[found]);
            CPU_SET(c, &on[found++]);
        }
    pthread_attr_t attr;
    if (found < 2 || pthread_setaffinity_np(pthread_self(), sizeof on[0], &on[0]) != 0 ||
        pthread_attr_init(&attr) != 0 || pthread_attr_setaffinity_np(&attr, sizeof on[1], &on[1]))
        return 1;
    double best = -1;
    for (int r = 0; r < ROUNDS; r++) {
        atomic_store(&line.ball, 0);
        pthread_t t;
        if (pthread_create(&t, &attr, answer, NULL) != 0) return 1;
        const double t0 = now_ns();
        long done = 0;
        for (; done < trips; done++) {
            atomic_store_explicit(&line.ball, 2 * done + 1, memory_order_release);
            while (atomic_load_explicit(&line.ball, memory_order_acquire) != 2 * done + 2)
                ;
            if (done % 1024 == 1023 && now_ns() - t0 > ROUND_NS) {
                done++;
                break;
            }
        }
        const double one_way = (now_ns() - t0) / (2.0 * (double)done);
        atomic_store_explicit(&line.ball, -1, memory_order_release);
        pthread_join(t, NULL);
        if (best < 0 || one_way < best) best = one_way;
    }
    pthread_attr_destroy(&attr);
    printf("%.1f\n", best);
    return 0;
}

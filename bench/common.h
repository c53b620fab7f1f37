/*
 * Helpers shared by the benchmark programs: input arrays, option lists and
 * the facts every report records. Nothing here uses kernpool, so a peer's
 * program (OpenBLAS) can run in a process without it.
 */
#ifndef KP_BENCH_COMMON_H
#define KP_BENCH_COMMON_H

#include <stddef.h>
#include <stdint.h>

/* Memory for n elements of `size` bytes, 64-byte aligned, freed with free().
 * Blocks of 4 MiB or more are advised into transparent huge pages, as numpy
 * does for its arrays, so every peer reads memory mapped the same way.
 * NULL if the size overflows or memory ran out. */
void *bench_alloc(size_t n, size_t size);

/* Deterministic input in [-0.5, 0.5): x_i depends only on i and seed, so
 * every program and every size reads the same values. */
void bench_fill_d(double *x, size_t n, uint64_t seed);
void bench_fill_s(float *x, size_t n, uint64_t seed);

/* Parses a comma-separated list of integers, each may be written as 1e6 or
 * 2^20. Returns how many were stored (at most max), or -1 if the text is
 * malformed or holds more than max. */
int bench_parse_list(const char *text, int64_t *out, int max);

/* Parses a comma-separated list of names from table[0 .. count) into their
 * indices; returns how many, or -1 for an unknown name or more than count. */
int bench_parse_names(const char *text, const char *const *table, int count, int *out);

/* Adds the CPU model, family/model numbers, the SIMD flags that matter and
 * the compiler to the report's context. */
void bench_context_machine(void);

/* The STREAM-like read (bench/stream.c): the sum of x[0..n) with sixteen
 * independent accumulators, built like the rest of kernpool without any
 * -march flag (SSE2 on x86-64). It only reads, so from memory it runs at the
 * machine's read bandwidth: the limit a reduction can reach. */
double bench_read_sum(const double *x, size_t n);
/* The same loop with the widest SIMD the CPU offers, chosen at load time
 * (AVX-512, AVX2 or SSE2). */
double bench_read_sum_wide(const double *x, size_t n);

/* Nonzero if argv[i] is "--name=..."; then *value points past the '='. */
int bench_option(const char *arg, const char *name, const char **value);

#endif

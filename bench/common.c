#define _GNU_SOURCE
#include "common.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "harness.h"

#define HUGE_ADVICE_MIN ((size_t)4 << 20)

void *bench_alloc(size_t n, size_t size)
{
    if (size != 0 && n > (SIZE_MAX - 4096) / size) return NULL;
    size_t bytes = n * size;
    bytes = (bytes + 63) / 64 * 64;
    if (bytes == 0) bytes = 64;
    void *p = aligned_alloc(bytes >= HUGE_ADVICE_MIN ? 4096 : 64, (bytes + 4095) / 4096 * 4096);
    if (p != NULL && bytes >= HUGE_ADVICE_MIN)
        madvise(p, (bytes + 4095) / 4096 * 4096, MADV_HUGEPAGE);
    return p;
}

/* splitmix64's finaliser (Steele, Lea, Flood 2014): a bijection of 64-bit
 * words whose outputs look independent. */
static uint64_t mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

void bench_fill_d(double *x, size_t n, uint64_t seed)
{
    for (size_t i = 0; i < n; i++)
        x[i] = (double)(mix(seed * 0x9e3779b97f4a7c15u + i) >> 11) * 0x1p-53 - 0.5;
}

void bench_fill_s(float *x, size_t n, uint64_t seed)
{
    for (size_t i = 0; i < n; i++)
        x[i] = (float)(mix(seed * 0x9e3779b97f4a7c15u + i) >> 40) * 0x1p-24f - 0.5f;
}

static int parse_one(const char *s, size_t len, int64_t *out)
{
    char buf[64];
    if (len == 0 || len >= sizeof buf) return -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    char *end;
    double v;
    if (buf[0] == '2' && buf[1] == '^') {
        errno = 0;
        double e = strtod(buf + 2, &end);
        if (*end != '\0' || errno != 0 || e < 0 || e > 62) return -1;
        v = floor(pow(2.0, e) + 0.5);
    } else {
        errno = 0;
        v = strtod(buf, &end);
        if (*end != '\0' || errno != 0) return -1;
    }
    if (!(v >= -1e18 && v <= 1e18) || v != floor(v)) return -1;
    *out = (int64_t)v;
    return 0;
}

int bench_parse_list(const char *text, int64_t *out, int max)
{
    int count = 0;
    const char *s = text;
    for (;;) {
        size_t len = strcspn(s, ",");
        if (count == max || parse_one(s, len, &out[count]) != 0) return -1;
        count++;
        if (s[len] == '\0') return count;
        s += len + 1;
    }
}

int bench_parse_names(const char *text, const char *const *table, int count, int *out)
{
    int n = 0;
    while (*text != '\0') {
        size_t len = strcspn(text, ",");
        int found = -1;
        for (int i = 0; i < count; i++)
            if (strlen(table[i]) == len && strncmp(table[i], text, len) == 0) found = i;
        if (found < 0 || n == count) return -1;
        out[n++] = found;
        text += len + (text[len] == ',');
    }
    return n;
}

static void cpuinfo_field(const char *key, char *buf, size_t size)
{
    snprintf(buf, size, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (f == NULL) return;
    char line[4096];
    size_t klen = strlen(key);
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, key, klen) != 0) continue;
        char *v = strchr(line, ':');
        /* the key must be the whole name: "model" is not "model name" */
        if (v == NULL || strspn(line + klen, " \t") != (size_t)(v - line) - klen) continue;
        v += v[1] == ' ' ? 2 : 1;
        v[strcspn(v, "\n")] = '\0';
        snprintf(buf, size, "%s", v);
        break;
    }
    fclose(f);
}

void bench_context_machine(void)
{
    char buf[4096], text[512];
    cpuinfo_field("model name", buf, sizeof buf);
    kpb_context("cpu_model", buf);
    char family[32], model[32];
    cpuinfo_field("cpu family", family, sizeof family);
    cpuinfo_field("model", model, sizeof model);
    snprintf(text, sizeof text, "family %s model %s", family, model);
    kpb_context("cpu_family_model", text);
    cpuinfo_field("flags", buf, sizeof buf);
    static const char *const wanted[] = {"sse2",     "avx",        "avx2",     "fma",
                                         "avx512f",  "avx512dq",   "avx512bw", "avx512vl",
                                         "avx512cd", "avx512_bf16"};
    text[0] = '\0';
    for (size_t i = 0; i < sizeof wanted / sizeof wanted[0]; i++) {
        /* whole words only: " avx " must not match inside " avx2 " */
        char word[32];
        snprintf(word, sizeof word, " %s ", wanted[i]);
        char padded[4100];
        snprintf(padded, sizeof padded, " %s ", buf);
        if (strstr(padded, word) != NULL) {
            strncat(text, wanted[i], sizeof text - strlen(text) - 2);
            strcat(text, " ");
        }
    }
    kpb_context("cpu_flags", text);
    kpb_context("compiler", "gcc " __VERSION__);
#ifdef KPB_C_FLAGS
    kpb_context("c_flags", KPB_C_FLAGS);
#endif
}

int bench_option(const char *arg, const char *name, const char **value)
{
    size_t len = strlen(name);
    if (strncmp(arg, "--", 2) != 0 || strncmp(arg + 2, name, len) != 0 || arg[2 + len] != '=')
        return 0;
    *value = arg + 3 + len;
    return 1;
}

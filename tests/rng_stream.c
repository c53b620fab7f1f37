/* Writes the interleaved output of four related generators to stdout as raw
 * 64-bit words (little-endian, so also a stream of 32-bit words, low half
 * first), for dieharder -g 200 (tests/rng_dieharder.sh): word i comes from
 * stream i mod 4. Correlated streams show up as structure in the mix.
 *
 *   rng_stream KIND HOW [WORDS]
 *     KIND  pcg64 | dxsm | philox
 *     HOW   jumped  kp_rng_jumped(g, 1..4) of one seeded generator
 *           spawn   kp_seedseq_spawn(4) of one seed, each child seeded
 *           blocks  g advanced by j * 2**64, j = 0..3: the substreams of
 *                   consecutive blocks of a normal, exponential or integer
 *                   fill (include/kernpool.h)
 *           seeds   the integer seeds 0, 1, 2, 3 (neighbouring seeds)
 *           same    four copies of one generator: the negative control,
 *                   which dieharder must fail
 *     WORDS the number of 64-bit words to write; without it, until the
 *           reader closes the pipe.
 * Exits 0 when done or when the reader has gone, 2 on bad arguments. */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kernpool.h"

#define NSTREAMS 4
#define SEED     UINT64_C(0x5eed2024)

static int usage(void)
{
    fprintf(stderr, "usage: rng_stream pcg64|dxsm|philox jumped|spawn|blocks|seeds|same [words]\n");
    return 2;
}

static int make_streams(kp_bitgen kind, const char *how, kp_rng g[NSTREAMS])
{
    kp_seedseq ss;
    if (kp_seedseq_init_u64(&ss, SEED) != KP_OK) return -1;
    if (strcmp(how, "spawn") == 0) {
        kp_seedseq child[NSTREAMS];
        if (kp_seedseq_spawn(&ss, child, NSTREAMS) != KP_OK) return -1;
        for (int i = 0; i < NSTREAMS; i++)
            if (kp_rng_init(&g[i], kind, &child[i]) != KP_OK) return -1;
        return 0;
    }
    if (strcmp(how, "seeds") == 0) {
        for (int i = 0; i < NSTREAMS; i++) {
            if (kp_seedseq_init_u64(&ss, (uint64_t)i) != KP_OK) return -1;
            if (kp_rng_init(&g[i], kind, &ss) != KP_OK) return -1;
        }
        return 0;
    }
    kp_rng base;
    if (kp_rng_init(&base, kind, &ss) != KP_OK) return -1;
    for (int i = 0; i < NSTREAMS; i++) {
        if (strcmp(how, "jumped") == 0) {
            if (kp_rng_jumped(&base, (uint64_t)i + 1, &g[i]) != KP_OK) return -1;
        } else if (strcmp(how, "same") == 0) {
            g[i] = base;
        } else if (strcmp(how, "blocks") == 0) {
            g[i] = base;
            if (kp_rng_advance(&g[i], (uint64_t)i, 0) != KP_OK) return -1;
        } else {
            return -1;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 4) return usage();
    kp_bitgen kind;
    if (strcmp(argv[1], "pcg64") == 0)
        kind = KP_PCG64;
    else if (strcmp(argv[1], "dxsm") == 0)
        kind = KP_PCG64DXSM;
    else if (strcmp(argv[1], "philox") == 0)
        kind = KP_PHILOX;
    else
        return usage();
    unsigned long long words = 0;
    if (argc == 4) {
        char *end;
        words = strtoull(argv[3], &end, 10);
        if (*end != '\0' || words == 0) return usage();
    }
    kp_rng g[NSTREAMS];
    if (make_streams(kind, argv[2], g) != 0) return usage();

    /* A reader that stops early (dieharder has read enough) is the normal
     * end: see EPIPE instead of dying of SIGPIPE. */
    signal(SIGPIPE, SIG_IGN);
    enum { CHUNK = 8192 }; /* words per write, a multiple of NSTREAMS */
    static uint64_t part[NSTREAMS][CHUNK / NSTREAMS], buf[CHUNK];
    for (unsigned long long done = 0; words == 0 || done < words; done += CHUNK) {
        for (int s = 0; s < NSTREAMS; s++)
            if (kp_random_raw(&g[s], CHUNK / NSTREAMS, part[s], 1) != KP_OK) return 1;
        for (size_t i = 0; i < CHUNK; i++)
            buf[i] = part[i % NSTREAMS][i / NSTREAMS];
        size_t n = CHUNK;
        if (words != 0 && words - done < CHUNK) n = (size_t)(words - done);
        const char *p = (const char *)buf;
        size_t left = n * sizeof *buf;
        while (left > 0) {
            ssize_t w = write(STDOUT_FILENO, p, left);
            if (w < 0 && errno == EINTR) continue;
            if (w < 0) return errno == EPIPE ? 0 : 1;
            p += w;
            left -= (size_t)w;
        }
    }
    return 0;
}

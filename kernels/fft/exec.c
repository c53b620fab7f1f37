/*
 * Executing a transform: one step per transformed axis, each over every
 * line along its axis, lines cut into chunks that the pool runs.
 *
 * Order of the steps: c2c from the last transformed axis to the first;
 * r2c the real (last) axis first, from the input into the output, then the
 * other axes in place in the output; c2r the other axes first, in a complex
 * array of the input's shape (the input itself when in place, else a
 * contiguous copy made by the first step, so the input is never written),
 * then the real axis into the output.
 *
 * A step's lines are cut into at most `workers` contiguous chunks, each
 * with its own work space, allocated before anything is written. Every line
 * is computed whole by one thread in one order, so the bits do not depend
 * on workers.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/fft/fft.h"
#include "kernels/fft/plan.h"
#include "sched/internal.h"

/* A chunk of lines should hold at least this many points before a second
 * thread is worth waking. */
#define CHUNK_POINTS 32768

/* An array the steps read or write: base and byte strides per dimension. */
typedef struct array {
    char *base;
    ptrdiff_t stride[KP_FFT_MAX_DIMS];
} array;

typedef struct step {
    const kp__fft_plan_shape *sh;
    const kp__fft_line *line;
    kp_fft_kind kind; /* of this step: c2c, or the real axis's r2c or c2r */
    size_t axis;
    const array *src, *dst;
    ptrdiff_t ss, ds;            /* strides along the axis, in elements of
                                    each side (complex, or real on the real
                                    side of r2c and c2r) */
    size_t lines, chunks;        /* lines along the axis, cut into chunks */
    size_t split;                /* > 1: lines one after another, each shared
                                    by the threads in this many parts (few long
                                    lines, kp__fft_shareable), where that is
                                    measured to pay (run_measured) */
    kp__fft_share_record *share; /* the line's */
    int lanes;                   /* several lines in vector lanes (kp__fft_lanes_ok) */
    int group;                   /* else GROUP lines at a time (grouped) */
    double scale;
    char *work; /* chunk c's work space at work + c * work_bytes */
    size_t work_bytes;
} step;

static void run_line(const step *st, const char *src, char *dst, void *buf)
{
    const kp__fft_plan_shape *sh = st->sh;
    const ptrdiff_t ss = st->ss, ds = st->ds;
    const kp__fft_line *line = st->line;
    const double scale = st->scale;
    if (st->kind == KP_FFT_C2C) {
        if (sh->single)
            kp__fft_c2c_s(line, sh->fwd, src, ss, dst, ds, scale, buf);
        else
            kp__fft_c2c_d(line, sh->fwd, src, ss, dst, ds, scale, buf);
    } else if (st->kind == KP_FFT_R2C) {
        if (sh->single)
            kp__fft_r2c_s(line, src, ss, dst, ds, scale, buf);
        else
            kp__fft_r2c_d(line, src, ss, dst, ds, scale, buf);
    } else {
        if (sh->single)
            kp__fft_c2r_s(line, src, ss, dst, ds, scale, buf);
        else
            kp__fft_c2r_d(line, src, ss, dst, ds, scale, buf);
    }
}

/* Length of dimension d in the complex array the c2c steps work on: n/2 + 1
 * along the real axis of r2c and c2r. */
static size_t complex_len(const kp__fft_plan_shape *sh, size_t d)
{
    size_t n = sh->dim[d].n;
    return sh->kind != KP_FFT_C2C && d == sh->rank - 1 ? n / 2 + 1 : n;
}

/* Lines [begin, end) of the step: line l is the index tuple of the other
 * dimensions, the last dimension varying fastest. */
/* Strided complex lines, and strided even real lines, are gathered GROUP
 * at a time, element j of each in turn, so that lines lying side by side (a
 * column pass) read whole cache lines; the chunk's work space holds GROUP
 * lines' values then, and one execution's work space that they take in
 * turn (kp__fft_group_space; r2c along the first axis of a 2048 x 2048
 * array ran 2.4x faster than a line at a time). Sixteen double lines read
 * four cache lines a row: the 2048 x 2048 c2c ran 2-14% faster than with 8
 * at one thread, in every one of nine paired runs (Zen 4; 12 as fast, 24
 * and 32 slower, their lines outgrowing the level-2 cache). */
#define GROUP 16

static int grouped(const step *st)
{
    const kp__fft_line *line = st->line;
    const size_t es = st->sh->single ? 2 * sizeof(float) : 2 * sizeof(double);
    const ptrdiff_t ss = st->src->stride[st->axis], ds = st->dst->stride[st->axis];
    if (st->kind == KP_FFT_C2C)
        return line->col == NULL && (ss != (ptrdiff_t)es || ds != (ptrdiff_t)es);
    /* even real lines whose complex line is mixed radix */
    if (line->n % 2 != 0 || line->split != 0 || line->sub->col != NULL) return 0;
    if (st->kind == KP_FFT_R2C) return ss != (ptrdiff_t)es / 2 || ds != (ptrdiff_t)es;
    return ss != (ptrdiff_t)es || ds != (ptrdiff_t)es / 2;
}

/* Bytes in reals of the step's precision (a multiple of their size). */
static ptrdiff_t reals(const step *st, ptrdiff_t bytes)
{
    return st->sh->single ? bytes / (ptrdiff_t)sizeof(float) : bytes / (ptrdiff_t)sizeof(double);
}

/* count lines, one stride apart (bytes: sf, df), in vector lanes. */
static void run_lanes(const step *st, const char *src, ptrdiff_t sf, char *dst, ptrdiff_t df,
                      size_t count, void *buf)
{
    const kp__fft_line *line = st->line;
    const ptrdiff_t ss = st->ss, ds = st->ds, sr = reals(st, sf), dr = reals(st, df);
    switch (st->kind) {
    case KP_FFT_C2C:
        line->lanes(line, st->sh->fwd, src, ss, sr, dst, ds, dr, count, st->scale, buf);
        break;
    case KP_FFT_R2C:
        (st->sh->single ? kp__fft_r2c_lanes_s : kp__fft_r2c_lanes_d)(line, src, ss, sr, dst, ds, dr,
                                                                     count, st->scale, buf);
        break;
    default:
        (st->sh->single ? kp__fft_c2r_lanes_s : kp__fft_c2r_lanes_d)(line, src, ss, sr, dst, ds, dr,
                                                                     count, st->scale, buf);
        break;
    }
}

static void run_group(const step *st, const char *const *src, char *const *dst, size_t count,
                      void *buf)
{
    const kp__fft_plan_shape *sh = st->sh;
    const ptrdiff_t ss = st->ss, ds = st->ds;
    const void *const *s = (const void *const *)src;
    void *const *d = (void *const *)dst;
    switch (st->kind) {
    case KP_FFT_C2C:
        (sh->single ? kp__fft_c2c_group_s : kp__fft_c2c_group_d)(st->line, sh->fwd, s, ss, d, ds,
                                                                 count, st->scale, buf);
        break;
    case KP_FFT_R2C:
        (sh->single ? kp__fft_r2c_group_s : kp__fft_r2c_group_d)(st->line, s, ss, d, ds, count,
                                                                 st->scale, buf);
        break;
    default:
        (sh->single ? kp__fft_c2r_group_s : kp__fft_c2r_group_d)(st->line, s, ss, d, ds, count,
                                                                 st->scale, buf);
        break;
    }
}

static void run_lines(const step *st, size_t begin, size_t end, void *buf)
{
    const kp__fft_plan_shape *sh = st->sh;
    const ptrdiff_t *ss = st->src->stride, *ds = st->dst->stride;
    size_t idx[KP_FFT_MAX_DIMS], len[KP_FFT_MAX_DIMS];
    for (size_t d = 0; d < sh->ndim; d++)
        len[d] = d == st->axis ? 1 : complex_len(sh, d);
    size_t rest = begin; /* no division where it is below the length */
    for (size_t d = sh->ndim; d-- > 0;) {
        idx[d] = rest < len[d] ? rest : rest % len[d];
        rest = rest < len[d] ? 0 : rest / len[d];
    }
    /* the lines' byte offsets in the arrays; along the dimension f that
       varies fastest they come in runs, one stride apart */
    ptrdiff_t so = 0, doff = 0;
    for (size_t d = 0; d < sh->ndim; d++) {
        so += (ptrdiff_t)idx[d] * ss[d];
        doff += (ptrdiff_t)idx[d] * ds[d];
    }
    size_t f = sh->ndim - 1;
    while (f > 0 && len[f] == 1)
        f--;
    const int group = st->group;
    const char *srcs[GROUP];
    char *dsts[GROUP];
    size_t count = 0;
    for (size_t l = begin; l < end;) {
        size_t run = len[f] - idx[f];
        if (run > end - l) run = end - l;
        if (st->lanes) {
            run_lanes(st, st->src->base + so, ss[f], st->dst->base + doff, ds[f], run, buf);
        } else {
            for (size_t r = 0; r < run; r++) {
                const char *s = st->src->base + so + (ptrdiff_t)r * ss[f];
                char *t = st->dst->base + doff + (ptrdiff_t)r * ds[f];
                if (!group) {
                    run_line(st, s, t, buf);
                    continue;
                }
                srcs[count] = s;
                dsts[count] = t;
                if (++count == GROUP) {
                    run_group(st, srcs, dsts, count, buf);
                    count = 0;
                }
            }
        }
        so += (ptrdiff_t)run * ss[f];
        doff += (ptrdiff_t)run * ds[f];
        l += run;
        if (l == end) break;
        /* f wrapped: carry into the dimensions before it */
        so -= (ptrdiff_t)len[f] * ss[f];
        doff -= (ptrdiff_t)len[f] * ds[f];
        idx[f] = 0;
        for (size_t d = f; d-- > 0;) {
            if (++idx[d] < len[d]) {
                so += ss[d];
                doff += ds[d];
                break;
            }
            idx[d] = 0;
            so -= (ptrdiff_t)(len[d] - 1) * ss[d];
            doff -= (ptrdiff_t)(len[d] - 1) * ds[d];
        }
    }
    if (count > 0) run_group(st, srcs, dsts, count, buf);
}

static void run_chunk(void *ctx, size_t begin, size_t end)
{
    const step *st = ctx;
    for (size_t c = begin; c < end; c++) {
        size_t a = st->lines * c / st->chunks, b = st->lines * (c + 1) / st->chunks;
        run_lines(st, a, b, st->work + c * st->work_bytes);
    }
}

/* A long line shared by `parts` threads: its operations in turn, each cut
 * into parts that the threads claim (kp__fft_shared in fft.h). */
typedef struct shared_line {
    kp__fft_shared sh;
    int single;
    size_t op, parts;
    char *work; /* each part's work space, work_bytes apart */
    size_t work_bytes;
} shared_line;

static void run_part(void *ctx, size_t begin, size_t end)
{
    const shared_line *j = ctx;
    const kp__fft_op *op = &j->sh.op[j->op];
    for (size_t c = begin; c < end; c++) {
        size_t a = kp__fft_shared_cut(op, c, j->parts), b = kp__fft_shared_cut(op, c + 1, j->parts);
        char *w = j->work + c * j->work_bytes;
        if (j->single)
            kp__fft_shared_run_s(&j->sh, j->op, a, b, w);
        else
            kp__fft_shared_run_d(&j->sh, j->op, a, b, w);
    }
}

/* A step of few long lines: each line in turn, on all the threads. */
static void run_shared(const step *st, int workers)
{
    const kp__fft_plan_shape *sh = st->sh;
    const kp__fft_line *line = st->line;
    const size_t es = sh->single ? 2 * sizeof(float) : 2 * sizeof(double);
    shared_line j = {.single = sh->single, .parts = st->split};
    j.work = st->work + kp__fft_shared_space(line, st->kind) * es;
    j.work_bytes = kp__fft_shared_part_space(line, st->kind) * es;
    const ptrdiff_t ss = st->ss, ds = st->ds;
    for (size_t l = 0; l < st->lines; l++) {
        size_t rest = l;
        const char *src = st->src->base;
        char *dst = st->dst->base;
        for (size_t d = sh->ndim; d-- > 0;) {
            if (d == st->axis) continue;
            size_t len = complex_len(sh, d), i = rest % len;
            rest /= len;
            src += (ptrdiff_t)i * st->src->stride[d];
            dst += (ptrdiff_t)i * st->dst->stride[d];
        }
        if (sh->single)
            kp__fft_shared_make_s(&j.sh, line, st->kind, sh->fwd, src, ss, dst, ds, st->scale,
                                  st->work);
        else
            kp__fft_shared_make_d(&j.sh, line, st->kind, sh->fwd, src, ss, dst, ds, st->scale,
                                  st->work);
        for (j.op = 0; j.op < j.sh.nops; j.op++)
            kp_parallel_for(j.parts, 1, run_part, &j, workers);
    }
}

/* ------------------------------------------------ sharing by measurement */

/* Whether sharing a step's lines among the threads pays is measured, not
 * assumed. A shared line's data cross between the cores once, and what
 * that costs depends on where the threads run: on two virtual CPUs placed
 * far apart (a cache line's round trip 373 ns, against 53-85 ns close) a
 * shared c2c line of 2^16 took 2-2.7x the time of one thread, where close
 * it took 0.55x. A line keeps the time per line of the last LAST steps
 * that shared it and of the last LAST that ran it whole, one thread a line
 * (kp__fft_share_record), and a way costs the least of its LAST times: page
 * faults or a preempted thread count little, and the way in use (timed at
 * every step) and the other (timed in bursts, its older times kept) are
 * judged by the same figure. A time that fell to a faster step at once and
 * rose a quarter of the way to a slower one sat lower for the way timed in
 * bursts, and the least of the last three alone rose above the other way's
 * now and then: on a host where sharing a c2c line of 2^16 was 15% slower,
 * measured steps shared 44% of the time and ran 8% slower than whole ones
 * (the least of eight: 2%, and 2% slower); test_fft_share.c's noisy steps
 * lost 2.1% (2.4% with three, 0.5% with eight).
 * The first BURST + 1 steps share, the next BURST run whole; then a step
 * shares its lines while that was the faster, and BURST steps take the
 * other way again (a probe) after PROBE_COST times as many steps as such a
 * probe costs, but at least PROBE_MIN, so that the choice follows a change
 * of placement. A probe costs BURST times the difference of the two times
 * (over the faster) plus about SWITCH steps: the first step of each way
 * after a change finds the data in the other way's caches (shared 2^16
 * after whole steps, 1.7x; a whole step after shared ones less); hence
 * bursts: one step alone would take that for the way's cost. The probes
 * cost about 1 / PROBE_COST of the time (the first two, which come 4 and 2
 * times as soon, 1/25 and 1/50). A first measure spoilt by the pool's
 * start or first page faults (a shared 2^16 line's first steps took 5x its
 * later ones) is taken again at the first probe. Both ways compute every
 * butterfly alike: the bits do not depend on the choice. */
#define BURST      3
#define LAST       KP__FFT_SHARE_LAST
#define SWITCH     1.0
#define PROBE_COST 100
#define PROBE_MIN  16

static _Atomic int share_mode = KP__FFT_SHARE_MEASURED;

int kp__fft_share_mode(int mode)
{
    return atomic_exchange(&share_mode, mode);
}

#define RELAXED memory_order_relaxed

/* A way's cost: the least of its last LAST times; 0 if it has none. */
static unsigned long long way_ns(kp__fft_share_way *w)
{
    unsigned long long least = 0;
    for (int i = 0; i < LAST; i++) {
        const unsigned long long t = atomic_load_explicit(&w->ns[i], RELAXED);
        if (t != 0 && (least == 0 || t < least)) least = t;
    }
    return least;
}

int kp__fft_share_choose(kp__fft_share_record *r, unsigned long long key)
{
    const int mode = atomic_load_explicit(&share_mode, RELAXED);
    if (mode != KP__FFT_SHARE_MEASURED) return mode == KP__FFT_SHARE_ALWAYS;
    const unsigned long long shared = way_ns(&r->way[1]), whole = way_ns(&r->way[0]);
    if (shared == 0 || atomic_load_explicit(&r->key, RELAXED) != key) return 1;
    const unsigned long long k = atomic_fetch_add_explicit(&r->steps, 1, RELAXED);
    if (k < 2 * BURST || whole == 0) return k < BURST;
    unsigned long long probe = atomic_load_explicit(&r->probe, RELAXED);
    const unsigned long long end = probe / 2; /* the step after the last probe */
    if (k < end) return (int)(probe % 2);     /* in a probe: its way */
    const int faster = shared <= whole;
    const unsigned long long fast = faster ? shared : whole, slow = faster ? whole : shared;
    /* steps between probes (in double: the product could overflow) */
    const unsigned long long probes = atomic_load_explicit(&r->probes, RELAXED);
    const double cost = probes < 2 ? PROBE_COST / (double)(4 >> probes) : PROBE_COST;
    const double gap = cost * (BURST * (double)(slow - fast) / (double)fast + SWITCH);
    const unsigned long long since = k - (end > 2 * BURST ? end : 2 * BURST);
    if (since < PROBE_MIN || (double)since < gap) return faster;
    /* one thread begins the probe; the others take the way it takes. A
       record reset for another shape since the key was read keeps its
       fresh probe (a reset in the instant before the exchange can still
       give the new shape this probe: a few steps of one way, no harm). */
    const unsigned long long begun = 2 * (k + BURST) + (unsigned long long)!faster;
    if (atomic_load_explicit(&r->key, RELAXED) != key) return faster;
    if (!atomic_compare_exchange_strong_explicit(&r->probe, &probe, begun, RELAXED, RELAXED))
        return (int)(probe % 2);
    atomic_fetch_add_explicit(&r->probes, 1, RELAXED);
    return !faster;
}

void kp__fft_share_note(kp__fft_share_record *r, int shared, unsigned long long key,
                        unsigned long long ns)
{
    if (ns == 0) ns = 1;                                          /* 0 means none */
    if (atomic_exchange_explicit(&r->key, key, RELAXED) != key) { /* another shape: again */
        for (int w = 0; w < 2; w++) {
            for (int i = 0; i < LAST; i++)
                atomic_store_explicit(&r->way[w].ns[i], 0, RELAXED);
            atomic_store_explicit(&r->way[w].count, 0, RELAXED);
        }
        atomic_store_explicit(&r->probe, 0, RELAXED);
        atomic_store_explicit(&r->probes, 0, RELAXED);
        atomic_store_explicit(&r->steps, 0, RELAXED);
    }
    kp__fft_share_way *w = &r->way[shared != 0];
    const unsigned long long i = atomic_fetch_add_explicit(&w->count, 1, RELAXED) % LAST;
    atomic_store_explicit(&w->ns[i], ns, RELAXED);
}

/* A step whose lines can be shared: shared or whole, as kp__fft_share_choose
 * says for steps of its shape (lines < split), timed. */
static void run_measured(step *st, int workers)
{
    const unsigned long long key = (unsigned long long)st->lines << 32 | st->split;
    const int shared = kp__fft_share_choose(st->share, key);
    const long long t0 = kp__now_ns();
    if (shared)
        run_shared(st, workers);
    else
        kp_parallel_for(st->chunks, 1, run_chunk, st, workers);
    kp__fft_share_note(st->share, shared, key, (unsigned long long)(kp__now_ns() - t0) / st->lines);
}

/* Lines along dimension a (the product of the other lengths). */
static size_t count_lines(const kp__fft_plan_shape *sh, size_t a)
{
    size_t lines = 1;
    for (size_t d = 0; d < sh->ndim; d++)
        if (d != a) lines *= complex_len(sh, d);
    return lines;
}

static size_t chunk_count(size_t lines, size_t n, int threads)
{
    size_t by_work = lines * n / CHUNK_POINTS, c = (size_t)threads;
    if (c > lines) c = lines;
    if (c > by_work) c = by_work;
    return c ? c : 1;
}

/* Work space blocks start with their size, HEAD bytes to keep alignment,
 * and have a page of slack (below). */
#define HEAD 64
#define PAGE 4096
/* Work space up to this many bytes lives on the caller's stack. */
#define SMALL_WORK 8192

/* Where in a page the work space starts: a quarter, half or three quarters
 * of a page from out's offset in it, whichever lies farthest from in's.
 * The passes read and write the work space and the arrays at strides of
 * whole pages; with the work space at out's and in's offset within a page
 * (or 64 bytes from it), c2c of 1024 points took 1.45x and of 4096 points
 * 1.55x the time it took at any offset from 512 bytes away (Zen 4, in and
 * out page-aligned), most likely loads held back by earlier stores whose
 * addresses match theirs in the low 12 bits. */
static size_t work_offset(const void *in, const void *out)
{
    const size_t o = (uintptr_t)out % PAGE, i = (uintptr_t)in % PAGE;
    size_t best = 0, best_gap = 0;
    for (size_t k = 1; k < 4; k++) {
        const size_t t = (o + k * PAGE / 4) % PAGE / HEAD * HEAD;
        const size_t d = t > i ? t - i : i - t, gap = d < PAGE - d ? d : PAGE - d;
        if (k == 1 || gap > best_gap) {
            best = t;
            best_gap = gap;
        }
    }
    return best;
}

/* Work space blocks from KP_HUGE_PAGE on are whole huge pages
 * (kp__huge_alloc). A four-step line writes its T (and a multi-dimensional
 * transform its columns) rows of a few cache lines at strides of whole
 * pages: with 4 KiB pages nearly every row is a TLB miss. */

/* The block's address sits just below the work space. */
static char *work_take(_Atomic(void *) *spare, size_t bytes, const void *in, const void *out)
{
    char *mem = spare ? atomic_exchange(spare, NULL) : NULL;
    if (mem == NULL || *(size_t *)mem < bytes) {
        free(mem);
        if (bytes > SIZE_MAX - HEAD - PAGE || (mem = kp__huge_alloc(bytes + HEAD + PAGE)) == NULL)
            return NULL;
        *(size_t *)mem = bytes;
    }
    char *base = mem + HEAD;
    char *work = base + (work_offset(in, out) - (uintptr_t)base % PAGE + PAGE) % PAGE;
    memcpy(work - sizeof mem, &mem, sizeof mem);
    return work;
}

static void work_give(_Atomic(void *) *spare, char *work)
{
    char *mem;
    memcpy(&mem, work - sizeof mem, sizeof mem);
    if (spare != NULL) mem = atomic_exchange(spare, mem);
    free(mem);
}

void kp__fft_spare_free(_Atomic(void *) *spare)
{
    free(atomic_exchange(spare, NULL));
}

/* One short contiguous line runs straight, nothing to set up: the way is
 * chosen when the plan is made (kp__fft_direct_way), so that an execution
 * pays two tests for it (the way, in != out). A line of one point is
 * contiguous whatever its strides (the plan sets them to 0). */
kp__fft_direct kp__fft_direct_way(const kp__fft_plan_shape *sh, const kp__fft_axis *axis)
{
    if (sh->ndim != 1 || sh->empty) return KP__FFT_DIRECT_NONE;
    const kp__fft_line *line = axis[0].line;
    const size_t real = sh->single ? sizeof(float) : sizeof(double);
    const int unit = sh->dim[0].n == 1 || (sh->dim[0].is == 1 && sh->dim[0].os == 1);
    if (!unit || kp__fft_line_space(line) * 2 * real > SMALL_WORK) return KP__FFT_DIRECT_NONE;
    switch (sh->kind) {
    case KP_FFT_C2C: return sh->scale == 1.0 ? KP__FFT_DIRECT_EXEC : KP__FFT_DIRECT_C2C;
    case KP_FFT_R2C: return KP__FFT_DIRECT_R2C;
    default: return KP__FFT_DIRECT_C2R;
    }
}

/* The short line of a shape whose direct way is not NONE, out of place.
 * Kept out of line so its stack buffer is not added to kp__fft_execute's;
 * returns KP_OK, so that kp__fft_execute can end in a tail call to it. */
static __attribute__((noinline)) int short_line(const kp__fft_plan_shape *sh,
                                                const kp__fft_line *line, const void *in, void *out)
{
    _Alignas(64) char small[SMALL_WORK];
    const double scale = sh->scale;
    switch (sh->direct) {
    case KP__FFT_DIRECT_EXEC: /* what kp__fft_c2c does for it, without its tests */
        line->exec(line, sh->fwd, in, out, small);
        break;
    case KP__FFT_DIRECT_C2C:
        if (sh->single)
            kp__fft_c2c_s(line, sh->fwd, in, 1, out, 1, scale, small);
        else
            kp__fft_c2c_d(line, sh->fwd, in, 1, out, 1, scale, small);
        break;
    case KP__FFT_DIRECT_R2C:
        if (sh->single)
            kp__fft_r2c_s(line, in, 1, out, 1, scale, small);
        else
            kp__fft_r2c_d(line, in, 1, out, 1, scale, small);
        break;
    case KP__FFT_DIRECT_C2R:
        if (sh->single)
            kp__fft_c2r_s(line, in, 1, out, 1, scale, small);
        else
            kp__fft_c2r_d(line, in, 1, out, 1, scale, small);
        break;
    case KP__FFT_DIRECT_NONE: break; /* never called for it */
    }
    return KP_OK;
}

/* The steps of a transform, in the order of the file comment, into
 * steps[]; returns their count. tmp is c2r's complex copy of the input when
 * it needs one, *tmp_bytes its size (its base is set later). */
static size_t plan_steps(const kp__fft_plan_shape *sh, const kp__fft_axis *axis, int inplace,
                         const array *ain, const array *aout, array *tmp, size_t *tmp_bytes,
                         step *steps)
{
    const size_t rank = sh->rank, ndim = sh->ndim, last = rank - 1;
    const size_t real = sh->single ? sizeof(float) : sizeof(double);
    *tmp_bytes = 0;
    if (sh->kind == KP_FFT_C2R && rank > 1 && !inplace) {
        size_t s = 2 * real; /* contiguous, the input's shape */
        for (size_t d = ndim; d-- > 0;) {
            tmp->stride[d] = (ptrdiff_t)s;
            s *= d == last ? sh->dim[d].n / 2 + 1 : sh->dim[d].n;
        }
        *tmp_bytes = s;
    }
    const array *work_array = inplace ? ain : tmp; /* c2r's complex steps */
    const array *cur = ain;                        /* where the next step reads */
    for (size_t k = 0; k < rank; k++) {
        step *st = &steps[k];
        /* field by field: a compound literal zeroed the whole step with a
           string store first, 10-20 ns of a small transform */
        st->sh = sh;
        st->kind = KP_FFT_C2C;
        st->scale = 1.0;
        st->src = cur;
        st->dst = aout;
        st->chunks = st->split = st->work_bytes = 0;
        st->work = NULL;
        if (sh->kind == KP_FFT_C2C || sh->kind == KP_FFT_R2C) {
            st->axis = last - k;
            if (sh->kind == KP_FFT_R2C && k == 0) st->kind = KP_FFT_R2C;
        } else if (k + 1 < rank) { /* c2r: the complex axes first */
            st->axis = last - 1 - k;
            st->dst = work_array;
        } else {
            st->axis = last;
            st->kind = KP_FFT_C2R;
        }
        cur = st->dst;
        st->ss = reals(st, st->src->stride[st->axis]) / (st->kind == KP_FFT_R2C ? 1 : 2);
        st->ds = reals(st, st->dst->stride[st->axis]) / (st->kind == KP_FFT_C2R ? 1 : 2);
        st->line = axis[st->axis].line;
        st->share = &axis[st->axis].line->share;
        st->lines = count_lines(sh, st->axis);
        /* in lanes only with others: a line alone gives the bits of a
           one-line plan in every layout */
        st->lanes = st->lines >= 2 && kp__fft_lanes_ok(st->line, st->kind);
        st->group = !st->lanes && grouped(st);
    }
    steps[rank - 1].scale = sh->scale;
    return rank;
}

/* Chunks (or shared parts) and work space of each step; returns the bytes
 * the hungriest step needs. The threads that workers names are counted
 * only where a step could take more than one (the budget is read then). */
static size_t size_work(step *steps, size_t nsteps, int workers)
{
    size_t need = 0;
    int threads = 0;
    for (size_t k = 0; k < nsteps; k++) {
        step *st = &steps[k];
        const kp__fft_line *line = st->line;
        const size_t es = st->sh->single ? 2 * sizeof(float) : 2 * sizeof(double);
        const int shareable = kp__fft_shareable(line, st->kind);
        size_t bytes;
        if (threads == 0 && (shareable || st->lines * st->sh->dim[st->axis].n >= 2 * CHUNK_POINTS))
            threads = kp_workers_resolve(workers);
        st->chunks = threads ? chunk_count(st->lines, st->sh->dim[st->axis].n, threads) : 1;
        st->work_bytes = st->lanes   ? kp__fft_lanes_space(line) * es
                         : st->group ? kp__fft_group_space(line, GROUP) * es
                                     : kp__fft_line_space(line) * es;
        bytes = st->chunks * st->work_bytes;
        if (shareable && st->lines < (size_t)threads) {
            /* either way (run_measured): the line's memory, then each part's space */
            st->split = (size_t)threads;
            const size_t shared = (kp__fft_shared_space(line, st->kind) +
                                   st->split * kp__fft_shared_part_space(line, st->kind)) *
                                  es;
            if (shared > bytes) bytes = shared;
        }
        if (bytes > need) need = bytes;
    }
    return need;
}

/* Every transform but a short line: the steps, on the pool. Kept out of
 * line so that a short line does not set up its stack frame. */
static __attribute__((noinline)) int run_steps(const kp__fft_plan_shape *sh,
                                               const kp__fft_axis *axis, const void *in, void *out,
                                               int workers, _Atomic(void *) *spare)
{
    const int inplace = in == out;
    array ain, aout, tmp; /* only the first ndim strides are read */
    ain.base = (char *)(uintptr_t)in;
    aout.base = out;
    for (size_t d = 0; d < sh->ndim; d++) {
        ain.stride[d] = sh->dim[d].is * (ptrdiff_t)sh->in_es;
        aout.stride[d] = sh->dim[d].os * (ptrdiff_t)sh->out_es;
    }
    step steps[KP_FFT_MAX_DIMS];
    size_t tmp_bytes;
    size_t nsteps = plan_steps(sh, axis, inplace, &ain, &aout, &tmp, &tmp_bytes, steps);
    size_t need = size_work(steps, nsteps, workers);
    if (tmp_bytes > SIZE_MAX - need) return KP_ENOMEM;

    /* Small transforms work on the stack: no allocation, no atomics. */
    _Alignas(64) char small[SMALL_WORK];
    const int on_stack = need + tmp_bytes <= sizeof small;
    char *mem = on_stack ? small : work_take(spare, need + tmp_bytes, in, out);
    if (mem == NULL) return KP_ENOMEM;
    tmp.base = mem + need;
    for (size_t k = 0; k < nsteps; k++) {
        step *st = &steps[k];
        st->work = mem;
        if (st->split > 1)
            run_measured(st, workers);
        else if (st->chunks == 1) /* on this thread: what kp_parallel_for does */
            run_lines(st, 0, st->lines, st->work);
        else
            kp_parallel_for(st->chunks, 1, run_chunk, st, workers);
    }
    if (!on_stack) work_give(spare, mem);
    return KP_OK;
}

int kp__fft_execute(const kp__fft_plan_shape *sh, const kp__fft_axis *axis, const void *in,
                    void *out, int workers, _Atomic(void *) *spare)
{
    if (sh->empty) return KP_OK;
    if (in == NULL || out == NULL) return KP_ENULL;
    if (in == out ? !sh->inplace_ok : kp__fft_overlap(sh, in, out)) return KP_EOVERLAP;
    if (sh->direct != KP__FFT_DIRECT_NONE && in != out)
        return short_line(sh, axis[0].line, in, out);
    return run_steps(sh, axis, in, out, workers, spare);
}

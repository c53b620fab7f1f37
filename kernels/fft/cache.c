/*
 * The lines of plans, and kp_fftn's bounded cache of them.
 *
 * Lines are the costly part of a plan (twiddles, Bluestein kernels) and
 * depend only on (length, precision, real or complex). kp_fftn borrows them
 * from a cache of at most `limit` lines, least recently used evicted first;
 * a borrowed line is never freed under its user (a count of borrowers),
 * and a line the cache cannot keep is owned by the call. One mutex guards
 * the cache; it is taken around fork() so a child finds it free.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "kernels/fft/fft.h"
#include "kernels/fft/plan.h"

typedef struct entry {
    kp__fft_line *line;
    size_t n;
    int single, real;
    unsigned users;          /* calls borrowing it now */
    unsigned long long used; /* clock of its last borrowing */
    struct entry *next;
} entry;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;
static entry *head;
static size_t count, limit = 16;
static unsigned long long clock_now;

static void fork_prepare(void)
{
    pthread_mutex_lock(&lock);
}
static void fork_release(void)
{
    pthread_mutex_unlock(&lock);
}
static void register_atfork(void)
{
    pthread_atfork(fork_prepare, fork_release, fork_release);
}

static int line_make(size_t n, int single, int real, kp__fft_line **out)
{
    return real ? kp__fft_real_line_make(n, single, out) : kp__fft_line_make(n, single, out);
}

/* The dimension's line: real for the real axis of r2c and c2r. */
static int is_real_axis(const kp__fft_plan_shape *sh, size_t d)
{
    return sh->kind != KP_FFT_C2C && d == sh->rank - 1;
}

int kp__fft_axis_make(const kp__fft_plan_shape *sh, size_t d, kp__fft_axis *ax)
{
    ax->borrowed = 0;
    return line_make(sh->dim[d].n, sh->single, is_real_axis(sh, d), &ax->line);
}

/* Frees unborrowed entries, oldest first, until at most `keep` remain.
 * Called with the lock held. */
static void trim(size_t keep)
{
    while (count > keep) {
        entry **victim = NULL;
        for (entry **e = &head; *e != NULL; e = &(*e)->next)
            if ((*e)->users == 0 && (victim == NULL || (*e)->used < (*victim)->used)) victim = e;
        if (victim == NULL) return; /* all in use: they go when released */
        entry *v = *victim;
        *victim = v->next;
        kp__fft_line_destroy(v->line);
        free(v);
        count--;
    }
}

int kp__fft_axis_borrow(const kp__fft_plan_shape *sh, size_t d, kp__fft_axis *ax)
{
    const size_t n = sh->dim[d].n;
    const int single = sh->single, real = is_real_axis(sh, d);
    pthread_once(&atfork_once, register_atfork);
    pthread_mutex_lock(&lock);
    for (entry *e = head; e != NULL; e = e->next)
        if (e->n == n && e->single == single && e->real == real) {
            e->users++;
            e->used = ++clock_now;
            ax->line = e->line;
            ax->borrowed = 1;
            pthread_mutex_unlock(&lock);
            return KP_OK;
        }
    int keep = limit > 0;
    pthread_mutex_unlock(&lock);

    kp__fft_line *line;
    int rc = line_make(n, single, real, &line);
    if (rc != KP_OK) return rc;
    entry *e = keep ? malloc(sizeof *e) : NULL;
    ax->line = line;
    ax->borrowed = e != NULL;
    if (e == NULL) return KP_OK; /* owned by the call */
    /* Another call may have made the same line meanwhile: both are valid,
     * and the cache keeps the newer. */
    pthread_mutex_lock(&lock);
    *e = (entry){.line = line,
                 .n = n,
                 .single = single,
                 .real = real,
                 .users = 1,
                 .used = ++clock_now,
                 .next = head};
    head = e;
    count++;
    trim(limit);
    pthread_mutex_unlock(&lock);
    return KP_OK;
}

void kp__fft_axis_free(kp__fft_axis *ax)
{
    if (ax->line == NULL) return;
    if (!ax->borrowed) {
        kp__fft_line_destroy(ax->line);
    } else {
        pthread_mutex_lock(&lock);
        for (entry *e = head; e != NULL; e = e->next)
            if (e->line == ax->line) {
                e->users--;
                break;
            }
        trim(limit);
        pthread_mutex_unlock(&lock);
    }
    ax->line = NULL;
}

size_t kp_fft_cache_set_size(size_t lines)
{
    pthread_once(&atfork_once, register_atfork);
    pthread_mutex_lock(&lock);
    size_t old = limit;
    limit = lines;
    trim(limit);
    pthread_mutex_unlock(&lock);
    return old;
}

/* C-contiguous strides, in elements, of an array of these lengths. One
 * that does not fit in ptrdiff_t is PTRDIFF_MAX: the plan's checks then
 * find the array's extent too large (KP_EOVERFLOW). */
static void contiguous(size_t ndim, const size_t *len, ptrdiff_t *stride)
{
    size_t s = 1;
    int over = 0;
    for (size_t d = ndim; d-- > 0;) {
        stride[d] = over || s > PTRDIFF_MAX ? PTRDIFF_MAX : (ptrdiff_t)s;
        const size_t l = len[d] ? len[d] : 1;
        if (s > SIZE_MAX / l)
            over = 1;
        else
            s *= l;
    }
}

int kp_fftn(kp_fft_kind kind, kp_fft_precision precision, int direction, kp_fft_norm norm,
            size_t ndim, const size_t *shape, const ptrdiff_t *in_strides,
            const ptrdiff_t *out_strides, size_t naxes, const size_t *axes, const void *in,
            void *out, int workers)
{
    if (ndim > 0 && shape == NULL) return KP_ENULL;
    if (ndim == 0 || ndim > KP_FFT_MAX_DIMS) return KP_EINVAL;
    size_t order[KP_FFT_MAX_DIMS]; /* the transformed axes, then the others */
    int taken[KP_FFT_MAX_DIMS] = {0};
    if (axes == NULL) naxes = ndim;
    if (naxes == 0 || naxes > ndim) return KP_EINVAL;
    for (size_t k = 0; k < naxes; k++) {
        size_t a = axes ? axes[k] : k;
        if (a >= ndim || taken[a]) return KP_EINVAL;
        taken[a] = 1;
        order[k] = a;
    }
    for (size_t a = 0, k = naxes; a < ndim; a++)
        if (!taken[a]) order[k++] = a;

    /* lengths of the input and output arrays, for contiguous strides */
    const size_t real_axis = order[naxes - 1];
    size_t in_len[KP_FFT_MAX_DIMS], out_len[KP_FFT_MAX_DIMS];
    for (size_t a = 0; a < ndim; a++) {
        size_t n = shape[a], half = n / 2 + 1;
        in_len[a] = kind == KP_FFT_C2R && a == real_axis ? half : n;
        out_len[a] = kind == KP_FFT_R2C && a == real_axis ? half : n;
    }
    ptrdiff_t is[KP_FFT_MAX_DIMS], os[KP_FFT_MAX_DIMS];
    contiguous(ndim, in_len, is);
    contiguous(ndim, out_len, os);
    kp_fft_dim dims[KP_FFT_MAX_DIMS];
    for (size_t k = 0; k < ndim; k++) {
        size_t a = order[k];
        dims[k] = (kp_fft_dim){.n = shape[a],
                               .is = in_strides ? in_strides[a] : is[a],
                               .os = out_strides ? out_strides[a] : os[a]};
    }

    kp_fft_plan plan = {0};
    int rc = kp__fft_plan_init(&plan.shape, kind, precision, direction, norm, naxes, dims,
                               ndim - naxes, dims + naxes);
    for (size_t k = 0; rc == KP_OK && !plan.shape.empty && k < naxes; k++)
        rc = kp__fft_axis_borrow(&plan.shape, k, &plan.axis[k]);
    if (rc == KP_OK) plan.shape.direct = kp__fft_direct_way(&plan.shape, plan.axis);
    if (rc == KP_OK) rc = kp__fft_execute(&plan.shape, plan.axis, in, out, workers, NULL);
    for (size_t k = 0; k < naxes; k++)
        kp__fft_axis_free(&plan.axis[k]);
    return rc;
}

/*
 * kernpool's own packed GEMM engine: the real kernels one instruction set
 * provides, and what the driver (engine_native.c) asks of them; complex
 * products run on the same kernels, as real products of twice the size.
 *
 * The driver follows the layered loops of Goto and van de Geijn ("Anatomy
 * of high-performance matrix multiplication", ACM TOMS 34(3), 2008) as
 * BLIS names them: columns of C in blocks of nc, k in blocks of kc (a panel
 * of op(B), kc x nc, packed once), rows in blocks of mc (a block of op(A),
 * mc x kc, packed once), and a micro-kernel that updates an mr x nr piece
 * of C from an mr-row sliver of packed A and an nr-column sliver of packed
 * B, all of its kc steps in registers.
 *
 * An element of C is the same sum whichever tile, block or sliver holds it:
 * products accumulated in order of l within each block of kc (one fused
 * multiply-add per step, from zero), the blocks applied in order as
 * C = alpha * acc + beta' * C with beta' = beta for the first and 1 after.
 * Its bits depend on k, kc and the instruction set only, never on where
 * the element lies or on the threads.
 */
#ifndef KP_GEMM_NATIVE_H
#define KP_GEMM_NATIVE_H

#include <stddef.h>

/* dst[p * width + i] = src[(i * si + p * sp) elements] for i < w and
 * p < kc; zero for w <= i < width (the kernel's width: mr or nr). One of
 * si, sp is 1. */
typedef void (*kp__gemm_pack_fn)(size_t kc, size_t w, const void *src, size_t si, size_t sp,
                                 void *dst);

/* C (mr x nr, column-major, ldc) = alpha * sum over l < kc of a[l mr + i]
 * b[l nr + j] + beta * C; with beta == 0 C is not read. a and b are packed
 * slivers; a is 64-byte aligned (b is read by broadcasts and need not be). */
typedef void (*kp__gemm_micro_fn)(size_t kc, const void *a, const void *b, const void *alpha,
                                  const void *beta, void *c, size_t ldc);

/* A complex sliver of alpha A (A not transposed: element (i, l) at complex
 * offset i + l ld of src; w <= mr / 2 rows, kc steps) expanded for the 1m
 * method (engine_native.c): real steps 2l and 2l + 1 hold, for each row,
 * (re, im) and (-im, re) of alpha a_il, rounded as (ar re - ai im,
 * ar im + ai re) in the type's precision, or (ar re, ar im) where ai is
 * zero; rows past w are zero. */
typedef void (*kp__gemm_pack_complex_fn)(size_t kc, size_t w, const void *src, size_t ld,
                                         const void *alpha, void *dst);

/* The micro-kernel's product on operands where they lie, for small
 * products: C (h x w of the mr x nr piece, column-major, ldc) = alpha *
 * sum over l < kc of a[l lda + i] b[l bl + j bj] + beta * C, with
 * 1 <= h <= mr, 1 <= w <= nr, bl == 1 or bj == 1; A in place or a packed
 * sliver (lda = mr), B in place; with beta == 0 C is not read. The same
 * operations in the same order as micro on packed copies, so the same bits;
 * nothing outside the h x w piece of C, the h rows of A or the w columns of
 * B is read or written. */
typedef void (*kp__gemm_direct_fn)(size_t kc, size_t h, size_t w, const void *a, size_t lda,
                                   const void *b, size_t bl, size_t bj, const void *alpha,
                                   const void *beta, void *c, size_t ldc);

typedef struct kp__gemm_native_kernels {
    size_t mr, nr;     /* the micro-kernel's piece of C */
    size_t kc, mc, nc; /* blocks: mc a multiple of mr, nc of nr */
    kp__gemm_pack_fn pack_a, pack_b;
    kp__gemm_pack_complex_fn pack_a_complex;
    kp__gemm_micro_fn micro;
    kp__gemm_direct_fn direct;
} kp__gemm_native_kernels;

/* The work space a thread packs into: an mc x kc block of A, a kc x nc
 * panel of B and one mr x nr piece of C, in this order, for every kernel
 * table (each kernels file checks its blocks fit). */
#define KP_GEMM_NATIVE_WORK ((size_t)2 << 20)

/* Indexed by the real type: [KP_GEMM_S] float, [KP_GEMM_D] double. */
extern const kp__gemm_native_kernels kp__gemm_native_avx512[2];

#endif

/*
 * A block's pairwise tree of leaves (reduce.h) with every subtree in
 * registers, written once for every instruction set that has the
 * registers for it.
 *
 * Included by a kern_*.c file after it defines
 *   KP_TREE_VEC   the vector type of its constant c
 *   lanes         its 32 lanes, in named registers
 *   lanes leaf(kp__op, const void *x, const void *y, size_t base, c, int f32)
 *   lanes leaf_any(..., size_t base, size_t m, c, int f32) (a partial leaf too)
 *   void add_lanes_here(lanes *a, const lanes *b)   a += b where it stands
 */
#ifndef KP_TREE_VEC
#error "define KP_TREE_VEC before including kern_tree.h"
#endif

/* The trees over 2, 4 and 8 whole leaves from base. */
INLINE lanes tree2(kp__op o, const void *x, const void *y, size_t base, KP_TREE_VEC c, int f32)
{
    lanes a = leaf(o, x, y, base, c, f32), b = leaf(o, x, y, base + KP_LEAF, c, f32);
    add_lanes_here(&a, &b);
    return a;
}

INLINE lanes tree4(kp__op o, const void *x, const void *y, size_t base, KP_TREE_VEC c, int f32)
{
    lanes a = tree2(o, x, y, base, c, f32), b = tree2(o, x, y, base + 2 * KP_LEAF, c, f32);
    add_lanes_here(&a, &b);
    return a;
}

INLINE lanes tree8(kp__op o, const void *x, const void *y, size_t base, KP_TREE_VEC c, int f32)
{
    lanes a = tree4(o, x, y, base, c, f32), b = tree4(o, x, y, base + 4 * KP_LEAF, c, f32);
    add_lanes_here(&a, &b);
    return a;
}

/* The tree over the last 1 to 4 leaves, from base to m (the last one may be
 * partial): L0, L0 + L1, (L0 + L1) + L2 or (L0 + L1) + (L2 + L3), as the
 * tree combines them. */
INLINE lanes leaves_last(kp__op o, const void *x, const void *y, size_t base, size_t m,
                         KP_TREE_VEC c, int f32)
{
    lanes t = leaf_any(o, x, y, base, m, c, f32);
    if (m - base <= KP_LEAF) return t;
    lanes u = leaf_any(o, x, y, base + KP_LEAF, m, c, f32);
    add_lanes_here(&t, &u);
    if (m - base <= 2 * KP_LEAF) return t;
    lanes v = leaf_any(o, x, y, base + 2 * KP_LEAF, m, c, f32);
    if (m - base > 3 * KP_LEAF) {
        lanes w = leaf_any(o, x, y, base + 3 * KP_LEAF, m, c, f32);
        add_lanes_here(&v, &w);
    }
    add_lanes_here(&t, &v);
    return t;
}

/* A block of m elements, 1 <= m <= KP_BLOCK: the tree T(N) = T(P) + T(N - P)
 * over its N leaves (P the largest power of two below N) is a whole subtree
 * of 8 leaves if N > 8, then one of 4 if N mod 8 is 0 or above 4, then the
 * last 1 to 4 leaves (leaves_last). Each part is written once, so that the
 * code stays small. */
INLINE lanes tree_block(kp__op o, const void *x, const void *y, size_t m, KP_TREE_VEC c, int f32)
{
    _Static_assert(KP_BLOCK == 16 * KP_LEAF, "a block is 16 leaves");
    const size_t last = (m - 1) / (4 * KP_LEAF) * (4 * KP_LEAF); /* the last 1 to 4 leaves */
    const int has8 = last >= 8 * KP_LEAF, has4 = last % (8 * KP_LEAF) != 0;
    lanes t8 = {0}, t4 = {0};
    if (has8) t8 = tree8(o, x, y, 0, c, f32);
    if (has4) t4 = tree4(o, x, y, last - 4 * KP_LEAF, c, f32);
    lanes t = leaves_last(o, x, y, last, m, c, f32);
    if (has4) add_lanes_here(&t, &t4);
    if (has8) add_lanes_here(&t, &t8);
    return t;
}

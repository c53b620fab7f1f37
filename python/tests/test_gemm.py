"""gemm and matmul against numpy over every dtype, layout, transpose and
stride pattern, with workers-invariant bits and bad input. The bound is the
classic |C - C_ref| <= 2 k eps (|A| |B|) (+ |beta| |C| terms), doubled."""
import numpy as np
import pytest

import kernpool as kp
from conftest import WORKERS, same_bits

DTYPES = [np.float32, np.float64, np.complex64, np.complex128]
EPS = {np.float32: 2.0**-24, np.float64: 2.0**-53, np.complex64: 2.0**-24,
       np.complex128: 2.0**-53}
SHAPES = [(0, 3, 4), (3, 0, 4), (3, 4, 0), (1, 1, 1), (7, 5, 3), (13, 17, 11), (64, 1, 64),
          (129, 67, 131)]


def rand(rng, shape, dtype):
    x = rng.standard_normal(shape)
    if np.dtype(dtype).kind == "c":
        x = x + 1j * rng.standard_normal(shape)
    return x.astype(dtype)


def check(got, a_op, b_op, dtype, extra=None, extra_abs=None):
    """got against op(a) op(b) (+ extra) computed in double precision."""
    wide = np.complex128 if np.dtype(dtype).kind == "c" else np.float64
    ref = a_op.astype(wide) @ b_op.astype(wide)
    bound = np.abs(a_op).astype(np.float64) @ np.abs(b_op).astype(np.float64)
    if extra is not None:
        ref = ref + extra
        bound = bound + extra_abs
    k = a_op.shape[1]
    tol = 4 * (k + 2) * EPS[dtype] * bound + 1e-30
    assert got.dtype == dtype
    assert got.shape == ref.shape
    assert np.all(np.abs(got - ref) <= tol)


def views(x):
    """x (m x n) in layouts kp reads in place or must copy: C, Fortran, a
    transposed view, a strided slice, negative strides, a broadcast."""
    m, n = x.shape
    big = np.zeros((2 * m + 1, 3 * n + 2), x.dtype)
    sl = big[1::2, 2::3][:m, :n]
    sl[...] = x
    yield "C", np.ascontiguousarray(x)
    yield "F", np.asfortranarray(x)
    yield "T-view", np.ascontiguousarray(x.T).T
    yield "ld>n", np.pad(x, ((0, 0), (0, 3)))[:, :n]
    yield "slice", sl
    yield "neg", x[::-1, ::-1].copy()[::-1, ::-1]
    yield "negrow", np.ascontiguousarray(x[::-1])[::-1]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("m,k,n", SHAPES)
def test_matmul_layouts(rng, m, k, n, dtype):
    a, b = rand(rng, (m, k), dtype), rand(rng, (k, n), dtype)
    ref = kp.matmul(a, b)
    check(ref, a, b, dtype)
    for (na, av) in views(a):
        for (nb, bv) in views(b):
            got = kp.matmul(av, bv)
            assert got.flags.c_contiguous
            check(got, a, b, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("ta", ["N", "T", "C"])
@pytest.mark.parametrize("tb", ["N", "T", "C"])
def test_gemm_trans_alpha_beta(rng, dtype, ta, tb):
    m, k, n = 9, 14, 6
    op = {"N": lambda x: x, "T": lambda x: x.T, "C": lambda x: x.conj().T}
    a = rand(rng, (m, k) if ta == "N" else (k, m), dtype)
    b = rand(rng, (k, n) if tb == "N" else (n, k), dtype)
    c = rand(rng, (m, n), dtype)
    cplx = np.dtype(dtype).kind == "c"
    alpha, beta = (0.5 - 2j, 1.5 + 0.25j) if cplx else (-0.5, 2.0)
    for _, av in views(a):
        got = kp.gemm(av, b, c, alpha=alpha, beta=beta, trans_a=ta, trans_b=tb)
        check(got, alpha * op[ta](a), op[tb](b), dtype, beta * c.astype(np.complex128),
              abs(beta) * np.abs(c))
    # SciPy's integer spelling of the transposes
    codes = {"N": 0, "T": 1, "C": 2}
    assert same_bits(kp.gemm(a, b, trans_a=codes[ta], trans_b=codes[tb]),
                     kp.gemm(a, b, trans_a=ta, trans_b=tb))


@pytest.mark.parametrize("dtype", DTYPES)
def test_gemm_c_and_out(rng, dtype):
    a, b, c = rand(rng, (8, 5), dtype), rand(rng, (5, 7), dtype), rand(rng, (8, 7), dtype)
    # beta defaults to 1 with c: a @ b + c
    check(kp.gemm(a, b, c), a, b, dtype, c, np.abs(c))
    # without c the product alone; beta has nothing to scale
    assert same_bits(kp.gemm(a, b, beta=3.0), kp.matmul(a, b))
    # beta = 0 never reads c: a NaN in c does not propagate
    cn = c.copy()
    cn[0, 0] = np.nan
    assert np.all(np.isfinite(kp.gemm(a, b, cn, beta=0.0)))
    # out: C-, Fortran-ordered and strided outputs, in place on c. A
    # Fortran-ordered out makes the call column-major (the engine may then
    # round differently: the bits are fixed per layout, not across them).
    for order in ("C", "F"):
        out = np.zeros((8, 7), dtype, order=order)
        r = kp.gemm(a, b, out=out)
        assert r is out
        check(out, a, b, dtype)
    out = np.zeros((8, 7), dtype)
    kp.matmul(a, b, out=out)
    assert same_bits(out, kp.matmul(a, b))
    big = np.zeros((16, 21), dtype)
    out = big[::2, ::3]
    assert kp.matmul(a, b, out=out) is out
    assert same_bits(np.ascontiguousarray(out), kp.matmul(a, b))
    assert np.count_nonzero(big) == np.count_nonzero(out)  # nothing outside out
    cc = c.copy()
    r = kp.gemm(a, b, cc, out=cc)
    assert r is cc
    check(cc, a, b, dtype, c, np.abs(c))


def test_out_overlapping_inputs_is_correct(rng):
    a = rng.standard_normal((6, 6))
    b = rng.standard_normal((6, 6))
    ref = a @ b
    a2 = a.copy()
    kp.matmul(a2, b, out=a2)  # computed aside, then copied: like numpy
    assert np.allclose(a2, ref, rtol=1e-13, atol=1e-13)
    b2 = b.copy()
    kp.gemm(a, b2, b2, beta=1.0, out=b2)
    assert np.allclose(b2, ref + b, rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("dtype", DTYPES)
def test_same_bits_for_every_workers(rng, dtype):
    # large enough for several tiles (two tiles from 512 Ki multiply-adds)
    a, b = rand(rng, (301, 257), dtype), rand(rng, (257, 263), dtype)
    ref = kp.matmul(a, b, workers=1)
    for w in WORKERS:
        assert same_bits(kp.matmul(a, b, workers=w), ref)
        with kp.set_workers(w):
            assert same_bits(kp.matmul(a, b), ref)
    # and a layout the call reads flipped, or copies, gives the same values
    check(kp.matmul(np.asfortranarray(a), b[:, ::-1], workers=-1), a, b[:, ::-1], dtype)


def test_bad_input_raises(rng):
    a = np.ones((3, 4))
    b = np.ones((4, 2))
    with pytest.raises(ValueError):
        kp.matmul(a, a)  # inner dimensions differ
    with pytest.raises(ValueError, match="2-D"):
        kp.matmul(np.ones(4), b)
    with pytest.raises(ValueError, match="2-D"):
        kp.matmul(np.ones((2, 3, 4)), b)
    with pytest.raises(TypeError):
        kp.matmul(a, b.astype(np.float32))
    with pytest.raises(TypeError):
        kp.matmul(a.astype(int), b.astype(int))
    with pytest.raises(TypeError):
        kp.gemm(a, b, alpha=1j)  # complex alpha for a real product
    with pytest.raises(ValueError):
        kp.gemm(a, b, trans_a="X")
    with pytest.raises(ValueError):
        kp.gemm(a, b, trans_a=3)
    with pytest.raises(ValueError):
        kp.gemm(a, b, np.ones((3, 3)))  # c of the wrong shape
    with pytest.raises(TypeError):
        kp.gemm(a, b, np.ones((3, 2), np.float32))
    with pytest.raises(ValueError):
        kp.matmul(a, b, out=np.zeros((2, 3)))
    with pytest.raises(TypeError):
        kp.matmul(a, b, out=np.zeros((3, 2), np.float32))
    with pytest.raises(TypeError):
        kp.matmul(a, b, out=[[0.0, 0.0]] * 3)
    ro = np.zeros((3, 2))
    ro.flags.writeable = False
    with pytest.raises(ValueError):
        kp.matmul(a, b, out=ro)
    assert np.all(ro == 0)

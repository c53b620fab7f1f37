"""Reductions against numpy and exact references, with workers, strides and
bad input. Bounds come from include/kernpool.h: a sum's rounding error is at
most about (13 + log2(n / 256)) eps sum |x_i|; float32 input adds one float
rounding of the result."""
import math

import numpy as np
import pytest

import kernpool as kp
from conftest import WORKERS, same_bits

SIZES = [0, 1, 2, 7, 31, 97, 4096, 4099, 65537, 300007]
STRIDES = [1, 3, -1, -2]
EPS = {np.float32: 2.0**-24, np.float64: 2.0**-53}


def sum_bound(n, abs_sum, dtype):
    c = 13 + max(0.0, math.log2(max(n, 1) / 256))
    b = 2 * c * 2.0**-53 * abs_sum  # twice the stated bound: room, never laxness
    if dtype == np.float32:
        b += EPS[np.float32] * abs_sum
    return b + 1e-300


def vector(rng, n, stride, dtype):
    """n elements with the given stride (a view into a larger array), values
    of mixed sign and magnitude so that rounding matters."""
    base = (rng.standard_normal(n * abs(stride) + 3) * 10.0 ** rng.integers(-3, 4, n * abs(stride) + 3))
    base = base.astype(dtype)
    v = base[1:1 + n * abs(stride):abs(stride)]
    return v[::-1] if stride < 0 else v


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("stride", STRIDES)
@pytest.mark.parametrize("n", SIZES)
def test_sum_accuracy_and_bits(rng, n, stride, dtype):
    x = vector(rng, n, stride, dtype)
    assert x.shape == (n,)
    exact = math.fsum(x.astype(np.float64))
    got = kp.sum(x)
    assert got.dtype == dtype
    assert abs(float(got) - exact) <= sum_bound(n, float(np.abs(x.astype(np.float64)).sum()), dtype)
    # the same bits for every workers value, and for a contiguous copy
    for w in WORKERS:
        assert same_bits(kp.sum(x, workers=w), got)
    assert same_bits(kp.sum(np.ascontiguousarray(x)), got)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("stride", STRIDES)
@pytest.mark.parametrize("n", [0, 1, 5, 4097, 100003])
def test_dot_asum_nrm2(rng, n, stride, dtype):
    x = vector(rng, n, stride, dtype)
    y = vector(rng, n, -stride, dtype)
    x64, y64 = x.astype(np.float64), y.astype(np.float64)
    # products of float32 are exact in double; for double, np.dot rounds too
    prods = x64 * y64
    ab = float(np.abs(prods).sum())
    d = kp.dot(x, y)
    assert d.dtype == dtype
    assert abs(float(d) - math.fsum(prods)) <= sum_bound(n, ab, dtype) + 2 * EPS[dtype] * ab
    a = kp.asum(x)
    assert abs(float(a) - math.fsum(np.abs(x64))) <= sum_bound(n, float(np.abs(x64).sum()), dtype)
    r = kp.nrm2(x)
    ref = float(np.linalg.norm(x64))
    assert abs(float(r) - ref) <= 8 * EPS[dtype] * ref + 1e-300
    for w in WORKERS:
        assert same_bits(kp.dot(x, y, workers=w), d)
        assert same_bits(kp.asum(x, workers=w), a)
        assert same_bits(kp.nrm2(x, workers=w), r)


@pytest.mark.parametrize("dtype", [np.complex64, np.complex128])
@pytest.mark.parametrize("stride", STRIDES)
@pytest.mark.parametrize("n", [0, 1, 6, 4099, 50021])
def test_complex_sum_dot_nrm2(rng, n, stride, dtype):
    re = vector(rng, n, stride, np.float64)
    im = vector(rng, n, stride, np.float64)
    z = (re + 1j * im).astype(dtype)
    z = z[::-1] if stride < 0 else z  # a negative-stride complex view too
    u = np.conj(z[::-1]).copy()[::-1]
    real = np.float32 if dtype == np.complex64 else np.float64
    tol = sum_bound(n, float(np.abs(z).sum()) * 2, real) + 1e-6 * (real == np.float32)
    s = kp.sum(z)
    assert s.dtype == dtype
    assert abs(complex(s) - complex(np.sum(z.astype(np.complex128)))) <= tol * 2
    d = kp.dot(z, u)
    ref = np.dot(z.astype(np.complex128), u.astype(np.complex128))
    ab = float(np.abs(z).astype(np.float64) @ np.abs(u).astype(np.float64))
    assert abs(complex(d) - ref) <= 4 * (sum_bound(n, ab, real) + EPS[real] * ab)
    r = kp.nrm2(z)
    assert r.dtype == real
    ref_n = float(np.linalg.norm(z.astype(np.complex128)))
    assert abs(float(r) - ref_n) <= 8 * EPS[real] * ref_n + 1e-300
    for w in WORKERS:
        assert same_bits(kp.sum(z, workers=w), s)
        assert same_bits(kp.dot(z, u, workers=w), d)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("stride", STRIDES)
@pytest.mark.parametrize("n", [1, 2, 33, 4097, 100003])
def test_minmax_matches_numpy(rng, n, stride, dtype):
    x = vector(rng, n, stride, dtype)
    if n > 4:  # ties: the first occurrence wins, as numpy.argmin
        x[n // 2] = x[1] = x.min()
        x[n - 1] = x[n // 3] = x.max()
    lo, ilo, hi, ihi = kp.minmax(x)
    assert (lo, ilo, hi, ihi) == (x.min(), np.argmin(x), x.max(), np.argmax(x))
    assert lo.dtype == dtype and isinstance(ilo, int)
    for w in WORKERS:
        assert same_bits(kp.minmax(x, workers=w), (lo, ilo, hi, ihi))


def test_minmax_nan_first_occurrence():
    x = np.array([3.0, np.nan, -1.0, np.nan, 7.0])
    lo, ilo, hi, ihi = kp.minmax(x[::-1])
    assert math.isnan(lo) and math.isnan(hi)
    assert ilo == ihi == np.argmin(x[::-1]) == 1


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("stride", STRIDES)
@pytest.mark.parametrize("n", [2, 3, 101, 4096, 120011])
@pytest.mark.parametrize("ddof", [0, 1])
def test_mean_var(rng, n, stride, dtype, ddof):
    x = vector(rng, n, stride, dtype) + dtype(1000)  # an offset: the two-pass matters
    mean, var = kp.mean_var(x, ddof)
    x64 = x.astype(np.float64)
    rm, rv = np.mean(x64), np.var(x64, ddof=ddof)
    eps = EPS[dtype]
    assert mean.dtype == dtype and var.dtype == dtype
    assert abs(float(mean) - rm) <= 4 * eps * abs(rm) + sum_bound(n, float(np.abs(x64).sum()), np.float64) / n
    assert abs(float(var) - rv) <= 64 * eps * rv + 1e-300
    for w in WORKERS:
        assert same_bits(kp.mean_var(x, ddof=ddof, workers=w), (mean, var))


def test_nrm2_no_overflow():
    x = np.full(1000, 1e300)
    assert float(kp.nrm2(x)) == pytest.approx(1e300 * math.sqrt(1000), rel=1e-15)
    assert float(kp.nrm2(np.full(10, 1e-300))) == pytest.approx(1e-300 * math.sqrt(10), rel=1e-15)
    assert kp.nrm2(np.array([np.inf, np.nan])) == np.inf


def test_empty_and_single():
    e = np.zeros(0)
    assert kp.sum(e) == 0 and math.copysign(1, kp.sum(e)) == 1
    assert kp.dot(e, e) == 0 and kp.asum(e) == 0 and kp.nrm2(e) == 0
    with pytest.raises(kp.ArgumentError, match="empty"):
        kp.minmax(e)
    with pytest.raises(kp.ArgumentError):
        kp.mean_var(e)
    one = np.array([-2.5])
    assert kp.sum(one) == -2.5 and kp.minmax(one) == (-2.5, 0, -2.5, 0)
    assert kp.mean_var(one) == (-2.5, 0.0)
    with pytest.raises(kp.ArgumentError):
        kp.mean_var(one, ddof=1)  # ddof >= n


def test_odd_memory_layouts(rng):
    x = rng.standard_normal(1001)
    ref = kp.sum(x)
    # broadcast (stride 0), byte-swapped, unaligned and record-field views
    b = np.broadcast_to(np.float64(1.5), (1001,))
    assert kp.sum(b) == 1.5 * 1001
    assert same_bits(kp.sum(x.astype(">f8")), ref)
    raw = np.zeros(1001 * 8 + 1, np.uint8)
    un = raw[1:].view(np.float64)
    un[:] = x
    assert not un.flags.aligned
    assert same_bits(kp.sum(un), ref)
    rec = np.zeros(1001, dtype=[("a", np.float64), ("b", np.int8)])
    rec["a"] = x
    assert rec["a"].strides[0] % 8 != 0
    assert same_bits(kp.sum(rec["a"]), ref)
    assert same_bits(kp.sum(list(x)), ref)  # a list becomes float64


def test_bad_input_raises():
    f = np.ones(4)
    for bad in (np.arange(4), np.ones(4, np.float16), np.array(["a"]), np.ones(4, object),
                np.ones(4, np.longdouble), None, "abc"):
        with pytest.raises(TypeError):
            kp.sum(bad)
    with pytest.raises(ValueError, match="1-D"):
        kp.sum(np.ones((2, 2)))
    with pytest.raises(ValueError, match="1-D"):
        kp.sum(np.float64(3.0))
    with pytest.raises(ValueError):
        kp.dot(f, np.ones(5))
    with pytest.raises(TypeError):
        kp.dot(f, f.astype(np.float32))
    for fn in (kp.asum, kp.minmax, kp.mean_var):
        with pytest.raises(TypeError):
            fn(f.astype(np.complex128))
    with pytest.raises(ValueError):
        kp.mean_var(f, ddof=-1)
    with pytest.raises(TypeError):
        kp.sum()

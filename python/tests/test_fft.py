"""The FFT functions against numpy.fft: every function, lengths odd, even
and prime, n and s cropping and padding, axes in any order (negative too),
every norm, float32 and float64, strided, negative-stride and copied views,
out=, the same bits for every workers value, bad input, the GIL released,
no leaks.

numpy.fft computes in double, so the bound is ours plus numpy's, as in
tests/test_fft_numpy.c: C_BOUND (eps + 2**-53) log2 N in relative RMS error,
eps the unit roundoff of the precision computed in and N the number of
points per transform."""
import gc
import sys
import time
import tracemalloc

import numpy as np
import pytest

import kernpool as kp
from conftest import WORKERS, ran_during, run_python, same_bits

C_BOUND = 1.0
EPS = {"single": 2.0**-24, "double": 2.0**-53}
NORMS = [None, "backward", "ortho", "forward"]
LENGTHS = [1, 2, 3, 4, 5, 7, 8, 12, 15, 16, 17, 31, 64, 97, 100, 127, 128, 360, 1009, 4096]
FUNCS_1D = ["fft", "ifft", "rfft", "irfft"]
FUNCS_ND = ["fftn", "ifftn", "rfftn", "irfftn"]
AxisError = getattr(getattr(np, "exceptions", np), "AxisError")


def precision(dtype):
    return "single" if np.dtype(dtype) in (np.float32, np.complex64) else "double"


def rand(rng, shape, dtype):
    x = rng.standard_normal(shape)
    if np.dtype(dtype).kind == "c":
        x = x + 1j * rng.standard_normal(shape)
    return x.astype(dtype)


def input_for(func, rng, shape, prec):
    """A random input for func: real for rfft*, complex otherwise."""
    real = np.float32 if prec == "single" else np.float64
    cplx = np.complex64 if prec == "single" else np.complex128
    return rand(rng, shape, real if func.startswith("rfft") else cplx)


def reference(func, x, *args, **kw):
    """numpy.fft's answer for x widened exactly to double."""
    wide = x.astype(np.complex128 if x.dtype.kind == "c" else np.float64)
    return getattr(np.fft, func)(wide, *args, **kw)


def result_dtype(func, prec):
    if func.startswith("irfft"):
        return np.dtype(np.float32 if prec == "single" else np.float64)
    return np.dtype(np.complex64 if prec == "single" else np.complex128)


def npoints(func, x, ref, s=None, axes=None):
    """Points per transform: the real lengths along the transformed axes
    (numpy's defaults for s and axes)."""
    if axes is None:
        axes = range(-len(s), 0) if s is not None else range(x.ndim)
    if s is not None and not func.startswith("irfft"):
        return int(np.prod(s))
    shape = ref.shape if func.startswith("irfft") else x.shape
    return int(np.prod([shape[a] for a in axes]))


def check(got, ref, prec, npoints):
    assert got.shape == ref.shape
    num = np.sum(np.abs(got.astype(ref.dtype) - ref) ** 2)
    den = np.sum(np.abs(ref) ** 2)
    err = np.sqrt(num / den) if den > 0 else np.sqrt(num)
    bound = C_BOUND * (EPS[prec] + 2.0**-53) * (np.log2(npoints) if npoints > 2 else 1.0)
    assert err <= bound, f"relative RMS error {err:.3g} above {bound:.3g} (N = {npoints})"


# ------------------------------------------------------------ against numpy

@pytest.mark.parametrize("prec", ["single", "double"])
@pytest.mark.parametrize("n", LENGTHS)
@pytest.mark.parametrize("func", FUNCS_1D)
def test_1d_lengths(rng, func, n, prec):
    m = n // 2 + 1 if func == "irfft" else n
    x = input_for(func, rng, (3, m), prec)
    kw = {"n": n} if func == "irfft" else {}
    got = getattr(kp, func)(x, **kw)
    ref = reference(func, x, **kw)
    assert got.dtype == result_dtype(func, prec)
    check(got, ref, prec, n)


@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("prec", ["single", "double"])
@pytest.mark.parametrize("func", FUNCS_1D)
def test_1d_n_axis_norm(rng, func, prec, norm):
    x = input_for(func, rng, (6, 10, 7), prec)
    for axis in (0, 1, 2, -1, -2, -3):
        for n in (None, 1, 3, 6, 11, 16, 23):  # default, crops and pads
            if func == "irfft" and n is None and x.shape[axis] == 1:
                continue
            got = getattr(kp, func)(x, n, axis, norm)
            ref = reference(func, x, n, axis, norm)
            assert got.dtype == result_dtype(func, prec)
            check(got, ref, prec, npoints(func, x, ref, None if n is None else [n], [axis]))


def test_irfft_odd_and_even_lengths(rng):
    x = rand(rng, (4, 9), np.complex128)
    for n in (15, 16, 17, 18, 19, 2, 3):  # 9 points suit 16 and 17; others crop or pad
        check(kp.irfft(x, n), reference("irfft", x, n), "double", n)
    check(kp.irfft(x), reference("irfft", x), "double", 16)  # default 2 (m - 1)


ND_CASES = [  # shape, s, axes
    ((5, 6, 7), None, None),
    ((5, 6, 7), None, (0,)),
    ((5, 6, 7), None, (2, 0)),
    ((5, 6, 7), None, (-1, -3)),
    ((5, 6, 7), None, (1, -1, 0)),
    ((5, 6, 7), (4, 9), None),  # s alone: the last two axes
    ((5, 6, 7), (8, 3), (2, 0)),
    ((5, 6, 7), (3, 12, 5), (-2, 0, -1)),
    ((4, 3, 2, 5), (7,), (-3,)),
    ((17, 13), None, None),
    ((1, 8), None, None),
]


@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("prec", ["single", "double"])
@pytest.mark.parametrize("shape,s,axes", ND_CASES)
@pytest.mark.parametrize("func", FUNCS_ND)
def test_nd_s_axes_norm(rng, func, shape, s, axes, prec, norm):
    x = input_for(func, rng, shape, prec)
    if func == "irfftn" and s is None:
        last = (axes or [-1])[-1]
        if x.shape[last] == 1:
            pytest.skip("the default length 2 (1 - 1) is invalid; tested with bad input")
    got = getattr(kp, func)(x, s, axes, norm)
    ref = reference(func, x, s, axes, norm)
    assert got.dtype == result_dtype(func, prec)
    check(got, ref, prec, npoints(func, x, ref, s, axes))


@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("func", ["fft2", "ifft2", "rfft2", "irfft2"])
def test_2d_wrappers(rng, func, norm):
    x = input_for(func, rng, (3, 10, 12), "double")
    for s, axes in ((None, None), ((7, 9), None), (None, (0, 2)), ((4, 6), (-1, 0))):
        kw = {} if axes is None else {"axes": axes}
        got = getattr(kp, func)(x, s, norm=norm, **kw)
        ref = reference(func, x, s, norm=norm, **kw)
        check(got, ref, "double", npoints(func, x, ref, s, axes or (-2, -1)))
    # axes=None explicitly means every axis, as numpy.fft.fftn
    ref = reference(func, x, axes=None)
    check(getattr(kp, func)(x, axes=None), ref, "double", npoints(func, x, ref))


def test_real_input_to_complex_transforms(rng):
    x = rng.standard_normal((5, 12))
    for dt, prec in ((np.float32, "single"), (np.float64, "double")):
        xs = x.astype(dt)
        for func in ("fft", "ifft", "fftn", "ifftn", "irfft", "irfftn"):
            got = getattr(kp, func)(xs)
            assert got.dtype == result_dtype(func, prec)
            ref = reference(func, xs)
            check(got, ref, prec, npoints(func, xs, ref, None, None if func.endswith("n") else [-1]))


def test_int_bool_and_half_inputs(rng):
    xi = rng.integers(-50, 50, (4, 9))
    assert same_bits(kp.fft(xi), kp.fft(xi.astype(np.float64)))
    assert same_bits(kp.rfftn(xi), kp.rfftn(xi.astype(np.float64)))
    assert same_bits(kp.irfft(xi.astype(np.uint8)), kp.irfft(xi.astype(np.uint8).astype(float)))
    assert same_bits(kp.fft(xi > 0), kp.fft((xi > 0).astype(np.float64)))
    assert same_bits(kp.fft([1, 2, 3]), kp.fft(np.array([1.0, 2.0, 3.0])))  # a list of ints
    check(kp.fft([[1, 2j], [3, 4]]), np.fft.fft([[1, 2j], [3, 4]]), "double", 2)
    h = rng.standard_normal(16).astype(np.float16)
    assert same_bits(kp.rfft(h), kp.rfft(h.astype(np.float32)))


def test_empty_batches_and_padding_from_nothing():
    z = kp.fft(np.zeros((0, 8)))
    assert z.shape == (0, 8) and z.dtype == np.complex128
    assert kp.rfft(np.zeros((3, 0, 8), np.float32)).shape == (3, 0, 5)
    assert kp.irfftn(np.zeros((0, 5), np.complex64), s=(4, 8)).shape == (4, 8)
    p = kp.fft(np.zeros(0), n=4)
    assert same_bits(p, np.zeros(4, np.complex128))


# -------------------------------------------------------------- strides

def strided_views(x):
    """x (3-D) as views kernpool reads in place, and ones it must copy."""
    a, b, c = x.shape
    sl = np.zeros((2 * a, b + 3, 3 * c), x.dtype)[::2, 1:-2, ::3]
    sl[...] = x
    neg = np.zeros((2 * a, b + 3, 3 * c), x.dtype)[::-2, 1:-2, ::-3]
    neg[...] = x
    yield "C", np.ascontiguousarray(x)
    yield "F", np.asfortranarray(x)
    yield "transposed", np.ascontiguousarray(x.transpose(2, 0, 1)).transpose(1, 2, 0)
    yield "slice", sl
    yield "negative", np.ascontiguousarray(x[::-1, :, ::-1])[::-1, :, ::-1]
    yield "negative slice", neg
    yield "broadcast", np.broadcast_to(x[:1], x.shape)
    rec = np.zeros(x.shape, [("a", x.dtype), ("pad", np.int8)])
    rec["a"] = x
    yield "record field", rec["a"]  # strides not whole elements: copied
    yield "byteswapped", x.astype(x.dtype.newbyteorder())
    raw = np.zeros(x.size * x.itemsize + 1, np.uint8)
    un = raw[1:].view(x.dtype).reshape(x.shape)
    un[...] = x
    yield "unaligned", un


@pytest.mark.parametrize("prec", ["single", "double"])
@pytest.mark.parametrize("func", FUNCS_ND)
def test_strided_views(rng, func, prec):
    x = input_for(func, rng, (4, 6, 10), prec)
    for name, v in strided_views(x):
        for axes in (None, (2,), (0, -1), (-1, 1)):
            got = getattr(kp, func)(v, axes=axes)
            ref = reference(func, np.array(v), axes=axes)
            check(got, ref, prec, npoints(func, v, ref, None, axes))
            # the same bits as from a C-ordered copy: one code path
            assert same_bits(got, getattr(kp, func)(np.ascontiguousarray(v), axes=axes)), name


def test_strided_inputs_are_read_in_place(rng):
    # numpy reports its buffers to tracemalloc: a copy of the input would
    # double the peak beyond the output alone.
    x = rand(rng, (64, 2048), np.complex128)
    for v in (x[::-1], x.T, x[:, ::-2]):
        out_bytes = v.size * 16
        tracemalloc.start()
        try:
            kp.fftn(v, axes=(0, 1))
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert peak < 1.5 * out_bytes
    # real input to fft: converted once and transformed in that copy
    r = x.real.copy()
    tracemalloc.start()
    try:
        kp.fft(r)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1.5 * x.nbytes


# ----------------------------------------------------------------- out=

@pytest.mark.parametrize("func", FUNCS_ND)
def test_out(rng, func):
    x = input_for(func, rng, (6, 8), "double")
    want = getattr(kp, func)(x)
    for layout in ("C", "F", "strided", "negative"):
        if layout == "C":
            out = np.empty_like(want)
        elif layout == "F":
            out = np.empty_like(want, order="F")
        elif layout == "strided":
            out = np.empty((want.shape[0], 2 * want.shape[1]), want.dtype)[:, ::2]
        else:
            out = np.empty_like(want)[::-1, ::-1]
        r = getattr(kp, func)(x, out=out)
        assert r is out
        assert same_bits(np.ascontiguousarray(out), want), layout
    # an out kernpool cannot write in place gets the result copied in
    raw = np.zeros(want.nbytes + 1, np.uint8)
    un = raw[1:].view(want.dtype).reshape(want.shape)
    assert getattr(kp, func)(x, out=un) is un
    assert same_bits(np.ascontiguousarray(un), want)


def test_out_in_place_and_overlapping(rng):
    x = rand(rng, (8, 12), np.complex128)
    want = kp.fft(x)
    y = x.copy()
    assert kp.fft(y, out=y) is y  # in place
    assert same_bits(y, want)
    y = x.copy()[::-1, ::-1]
    kp.fftn(y, out=y)
    assert same_bits(y, kp.fftn(x[::-1, ::-1]))
    # out overlapping the input differently: computed aside, then copied
    buf = np.concatenate([x, x], axis=1).copy()
    src = buf[:, :12]
    kp.fft(src, out=buf[:, 6:18])
    assert same_bits(buf[:, 6:18], want)
    r = rng.standard_normal((4, 16))
    buf = r.copy()
    out = buf.view(np.complex128)[:, :4]  # shares memory with the real input
    want_r = kp.rfft(r, n=6)
    kp.rfft(buf, n=6, out=out)
    assert same_bits(out, want_r)
    # column into the next column: interleaved, no shared byte
    c = x.copy()
    kp.fft(c[:, 0], out=c[:, 1])
    assert same_bits(c[:, 1], kp.fft(x[:, 0]))
    rc = np.zeros((9, 2))
    rc[:, 0] = r[0, :9]
    want_c = kp.rfft(r[0, :8])
    col = rc.view(np.complex128)[:5, 0]  # its bytes interleave with rc[:8, 0]'s rows
    kp.rfft(rc[:8, 0], out=col)
    assert same_bits(col, want_c)
    # an out whose dimensions interleave (3 x 3 at strides of 2 and 3
    # elements: no shared byte, but they do not nest)
    z = x[:3, :3].copy()
    base = np.zeros(16, np.complex128)
    inter = np.lib.stride_tricks.as_strided(base, (3, 3), (32, 48))
    kp.fft2(z, out=inter)
    assert same_bits(inter, kp.fft2(z))


def test_out_errors(rng):
    x = rand(rng, (4, 6), np.complex128)
    with pytest.raises(TypeError):
        kp.fft(x, out=np.empty((4, 6), np.complex64))
    with pytest.raises(TypeError):
        kp.rfft(x.real, out=np.empty((4, 4), np.float64))
    with pytest.raises(TypeError):
        kp.fft(x, out=[0] * 6)
    with pytest.raises(ValueError):
        kp.fft(x, out=np.empty((4, 7), np.complex128))
    with pytest.raises(ValueError):
        kp.fft(x, out=np.empty((24,), np.complex128))
    ro = np.empty((4, 6), np.complex128)
    ro.flags.writeable = False
    with pytest.raises(ValueError):
        kp.fft(x, out=ro)


# -------------------------------------------------------------- workers

@pytest.mark.parametrize("prec", ["single", "double"])
def test_same_bits_for_every_workers(rng, prec):
    cases = [("fft", {}), ("ifft", {"axis": 0}), ("rfft", {}), ("irfft", {"n": 4095}),
             ("fftn", {}), ("rfftn", {"axes": (1, 0)}), ("irfftn", {"s": (64, 4096)})]
    for func, kw in cases:
        x = input_for(func, rng, (64, 4096) if func != "irfftn" else (64, 2049), prec)
        base = getattr(kp, func)(x, workers=1, **kw)
        for w in WORKERS:
            assert same_bits(getattr(kp, func)(x, workers=w, **kw), base), (func, w)
        with kp.set_workers(-1):  # workers=None follows the thread's default
            assert same_bits(getattr(kp, func)(x, **kw), base), func


def test_the_workers_batch_is_threaded():
    # In a fresh process with a budget of 4, the batch above starts pool
    # threads: the invariance test compares threaded runs, not serial ones.
    out = run_python("""
        import numpy as np, kernpool as kp
        for dt in (np.complex64, np.complex128):
            kp.fft(np.ones((64, 4096), dt), workers=-1)
            print(kp.pool_info()["threads_alive"])
    """, env={"KERNPOOL_CPU_BUDGET": "4"})
    assert all(int(n) >= 1 for n in out.split())


# ------------------------------------------------------------ bad input

def test_bad_input():
    x = np.ones((4, 6))
    c = x.astype(np.complex128)
    for call in (lambda: kp.fft(x, axis=2), lambda: kp.fft(x, axis=-3),
                 lambda: kp.fftn(x, axes=(0, 5)), lambda: kp.rfftn(x, s=(2, 2, 2)),
                 lambda: kp.fft(np.float64(3.0))):
        with pytest.raises(AxisError):
            call()
    for call in (lambda: kp.fft(x, 0), lambda: kp.fft(x, -2), lambda: kp.rfft(x, n=0),
                 lambda: kp.irfft(c[:, :1]),  # default n = 2 (1 - 1) = 0
                 lambda: kp.fftn(x, s=(0, 3)), lambda: kp.fftn(x, s=(3,), axes=(0, 1)),
                 lambda: kp.fftn(x, axes=(0, 0)), lambda: kp.fftn(x, axes=(1, -1)),
                 lambda: kp.fftn(x, axes=()), lambda: kp.fft(x, norm="bad"),
                 lambda: kp.fft(x, norm=1)):
        with pytest.raises(ValueError):
            call()
    for call in (lambda: kp.fft(x.astype(np.longdouble)), lambda: kp.fft(x.astype(object)),
                 lambda: kp.fft(np.array(["a", "b"])), lambda: kp.rfft(c),
                 lambda: kp.fft(x, n=2.5), lambda: kp.fftn(x, s="ab"),
                 lambda: kp.fftn(x, axes=1.0), lambda: kp.fft(x, workers="all"),
                 lambda: kp.fft(x, axis=None), lambda: kp.fft(x, 4, -1, None, x)):
        with pytest.raises(TypeError):
            call()


def test_cache_size():
    old = kp.set_fft_cache_size(3)
    try:
        assert kp.set_fft_cache_size(0) == 3
        x = np.arange(30.0)
        assert same_bits(kp.fft(x), kp.fft(x))  # with the cache off
        assert kp.set_fft_cache_size(5) == 0
        with pytest.raises(OverflowError):
            kp.set_fft_cache_size(10**30)
        with pytest.raises(ValueError):
            kp.set_fft_cache_size(-1)
        with pytest.raises(TypeError):
            kp.set_fft_cache_size(1.5)
    finally:
        kp.set_fft_cache_size(old)


# -------------------------------------------------------- GIL and leaks

def long_fft():
    """An input whose fft takes at least 0.2 s at workers = 1."""
    x = rand(np.random.default_rng(0), (64, 65536), np.complex128)
    while True:
        t = time.monotonic()
        kp.fft(x, workers=1)
        if time.monotonic() - t >= 0.2 or x.shape[0] >= 512:
            return x
        x = np.vstack([x, x])


def test_gil_released_during_fft():
    x = long_fft()
    assert ran_during(lambda: kp.fft(x, workers=1))


def test_no_leaks():
    x = np.ones((5, 8))
    c = x.astype(np.complex64)[::-1]
    out = np.empty((5, 8), np.complex128)
    calls = [
        lambda: kp.fft(x), lambda: kp.ifftn(c, s=(7, 3)), lambda: kp.rfft2(x, (3, 11)),
        lambda: kp.irfftn(c, axes=(0,)), lambda: kp.fft(x, out=out),
        lambda: kp.fft(out, out=out), lambda: kp.fft(x.astype(int)),
        lambda: kp.fft(x, out=out[::-1]), lambda: kp.set_fft_cache_size(16),
        # failures
        lambda: kp.fft(x, axis=3), lambda: kp.fft(x, 0), lambda: kp.rfft(c),
        lambda: kp.fft(x, out=np.empty(3)), lambda: kp.fftn(x, axes=(1, 1)),
        lambda: kp.fft(x.astype(object)), lambda: kp.fftn(x, s=[1, "a"]),
        lambda: kp.fft(x, norm="x"),
    ]

    def run_all():
        for call in calls:
            try:
                call()
            except (TypeError, ValueError, IndexError):
                pass

    refs = [sys.getrefcount(o) for o in (x, c, out)]
    run_all()
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(300):
            run_all()
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert [sys.getrefcount(o) for o in (x, c, out)] == refs
    assert grown < 64 * 1024, f"{grown} bytes kept after 300 rounds"

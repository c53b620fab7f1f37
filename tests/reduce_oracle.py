"""numpy's answers for kernpool's reduction tests (tests/test_reduce_numpy.c).

usage: /usr/bin/python3 reduce_oracle.py MANIFEST

Each line of MANIFEST is: IN OUT DTYPE N INCX INCY DDOF
  IN     raw native-endian elements: the buffer of x ((N-1)*|INCX|+1 elements),
         then the buffer of y ((N-1)*|INCY|+1 elements)
  OUT    receives 10 float64: sum, dot, nrm2, asum, min, argmin, max, argmax,
         mean, var (ddof = DDOF)
  DTYPE  f4 or f8

The vectors are read with BLAS's meaning of an increment, written here
independently of kernpool: x_i = buf[i*inc] for inc > 0, and
x_i = buf[(N-1-i)*|inc|] for inc < 0 (the buffer starts at the lowest address).

kernpool accumulates float input in double, so float32 vectors are widened
to float64 (exactly) before the sums; min/max and their indices are taken on
the float32 values themselves. The sums run on contiguous float64 copies, so
numpy uses its pairwise summation (the C test's tolerances assume it); np.dot
and np.linalg.norm go through BLAS, in an order the C test does not assume.
"""
import sys

import numpy as np


def logical(buf, n, inc):
    v = buf[:: abs(inc)][:n]
    return v[::-1] if inc < 0 else v


def answer(x, y, ddof):
    x64 = np.ascontiguousarray(x, dtype=np.float64)
    y64 = np.ascontiguousarray(y, dtype=np.float64)
    with np.errstate(all="ignore"):
        return [
            np.sum(x64),
            np.dot(x64, y64),
            np.linalg.norm(x64),
            np.abs(x64).sum(),
            float(np.min(x)),
            float(np.argmin(x)),
            float(np.max(x)),
            float(np.argmax(x)),
            np.mean(x64),
            np.var(x64, ddof=ddof),
        ]


def main(manifest):
    with open(manifest) as f:
        for line in f:
            if not line.strip():
                continue
            src, dst, dtype, n, incx, incy, ddof = line.split()
            n, incx, incy, ddof = int(n), int(incx), int(incy), int(ddof)
            dt = {"f4": np.float32, "f8": np.float64}[dtype]
            raw = np.fromfile(src, dtype=dt)
            spanx = (n - 1) * abs(incx) + 1
            spany = (n - 1) * abs(incy) + 1
            if raw.size != spanx + spany:
                sys.exit("%s: %d elements, expected %d" % (src, raw.size, spanx + spany))
            x = logical(raw[:spanx], n, incx)
            y = logical(raw[spanx:], n, incy)
            np.array(answer(x, y, ddof), dtype=np.float64).tofile(dst)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])

"""numpy's answers for kernpool's FFT tests (tests/test_fft_numpy.c).

usage: /usr/bin/python3 fft_oracle.py MANIFEST

Each line of MANIFEST is   IN|OUT|KIND|DTYPE|NORM|SHAPE|AXES
  IN     file holding the input array, C order, little-endian: float64 or
         float32 values, complex ones as (re, im) pairs
  OUT    file that receives numpy's result as complex128 or float64, C order
  KIND   fft, ifft (complex in), rfft (real in), irfft (complex in)
  DTYPE  float64 or float32: the precision of IN (numpy computes in double)
  NORM   backward, ortho or forward
  SHAPE  the array's shape, comma-separated (the real array's for rfft and
         irfft)
  AXES   the axes transformed, comma-separated; the last is irfft's real axis
Every answer comes from numpy.fft alone; nothing here knows kernpool.
"""
import sys

import numpy as np


def main(manifest):
    with open(manifest) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            src, dst, kind, dtype, norm, shape, axes = line.split("|")
            shape = tuple(int(v) for v in shape.split(","))
            axes = tuple(int(v) for v in axes.split(","))
            real = np.dtype(dtype)
            cplx = np.complex64 if real == np.float32 else np.complex128
            if kind == "irfft":
                in_shape = list(shape)
                in_shape[axes[-1]] = shape[axes[-1]] // 2 + 1
                x = np.fromfile(src, dtype=cplx).reshape(in_shape)
                s = [shape[a] for a in axes]
                y = np.fft.irfftn(x, s=s, axes=axes, norm=norm)
            elif kind == "rfft":
                x = np.fromfile(src, dtype=real).reshape(shape)
                y = np.fft.rfftn(x, axes=axes, norm=norm)
            else:
                x = np.fromfile(src, dtype=cplx).reshape(shape)
                fn = np.fft.fftn if kind == "fft" else np.fft.ifftn
                y = fn(x, axes=axes, norm=norm)
            out = y.astype(np.float64 if kind == "irfft" else np.complex128)
            np.ascontiguousarray(out).tofile(dst)


if __name__ == "__main__":
    main(sys.argv[1])

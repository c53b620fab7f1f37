"""Writes rng/ziggurat_tables.c: kernpool's 256-layer ziggurat tables.

usage: python3 rng/gen_ziggurat.py > rng/ziggurat_tables.c
       python3 rng/gen_ziggurat.py --check rng/ziggurat_tables.c

The method is Marsaglia and Tsang's ("The Ziggurat Method for Generating
Random Variables", J. Stat. Software 5(8), 2000), laid out as numpy lays its
tables out (numpy/random/src/distributions/ziggurat_constants.h), so that the
samplers read a 64-bit draw the way numpy's do. The tables are computed here,
in 60-digit decimal arithmetic, from nothing but the density:

  f(x) = exp(-x^2 / 2) (normal, 52-bit magnitudes) or exp(-x) (exponential,
  53-bit magnitudes); 256 layers of equal area V: the base strip (the
  rectangle [0, R] x [0, f(R)] plus the tail beyond R) and 255 rectangles
  x_i x [f(x_i), f(x_{i-1})], x_255 = R, x_0 = 0. R is the root of
  f(x_1) + V(R) / x_1 = 1, x_1 reached by x_{i-1} = f^-1(f(x_i) + V / x_i):
  the top layer then has area V too. It agrees with Marsaglia and Tsang's
  published r to the 17 digits they give (checked below).

Layer i of a table:
  k[i] = floor(2^b x_{i-1} / x_i), k[0] = floor(2^b R f(R) / V): a magnitude
         below k[i] lies under the curve (floor keeps the test conservative:
         a magnitude in the rounding gap goes to the exact wedge test);
  w[i] = x_i / 2^b, w[0] = V / f(R) / 2^b: magnitude to abscissa;
  f[i] = f(x_i), f[0] = 1.
"""
import decimal
import sys
from decimal import Decimal as D

decimal.getcontext().prec = 60
LAYERS = 256


def pi():
    """Machin's formula, pi = 16 atan(1/5) - 4 atan(1/239)."""
    def atan_inv(k):
        x, term, total, n = D(1) / k, D(1) / k, D(1) / k, 1
        while True:
            term *= -x * x
            add = term / (2 * n + 1)
            if abs(add) < D(10) ** -70:
                return total
            total += add
            n += 1
    return 16 * atan_inv(5) - 4 * atan_inv(239)


def erfc(z):
    """1 - erf(z), erf by its Taylor series (z < 3 here: ~3 digits lost)."""
    term, total, n = z, z, 0
    while True:
        n += 1
        term *= -z * z / n
        add = term / (2 * n + 1)
        total += add
        if abs(add) < D(10) ** -70:
            break
    return 1 - 2 * total / pi().sqrt()


class Normal:
    bits = 52
    name = "norm"
    published_r = D("3.6541528853610088")  # Marsaglia and Tsang (2000), 17 digits

    @staticmethod
    def f(x):
        return (-x * x / 2).exp()

    @staticmethod
    def finv(y):
        return (-2 * y.ln()).sqrt()

    @classmethod
    def area(cls, r):
        return r * cls.f(r) + (pi() / 2).sqrt() * erfc(r / D(2).sqrt())


class Exponential:
    bits = 53
    name = "exp"
    published_r = D("7.69711747013104972")  # Marsaglia and Tsang (2000)

    @staticmethod
    def f(x):
        return (-x).exp()

    @staticmethod
    def finv(y):
        return -y.ln()

    @classmethod
    def area(cls, r):
        return r * cls.f(r) + cls.f(r)


def layers(dist, r):
    """x_0..x_255 and V for the base radius r; None if the layers run out
    before x_1 (r too small)."""
    v = dist.area(r)
    x = [D(0)] * LAYERS
    x[LAYERS - 1] = r
    for i in range(LAYERS - 1, 1, -1):
        y = dist.f(x[i]) + v / x[i]
        if y >= 1:
            return None, v
        x[i - 1] = dist.finv(y)
    return x, v


def closing_error(dist, r):
    """f(x_1) + V / x_1 - 1: zero when the top layer has area V."""
    x, v = layers(dist, r)
    if x is None:
        return D(1)
    return dist.f(x[1]) + v / x[1] - 1


def solve_r(dist):
    lo, hi = dist.published_r - D("1e-6"), dist.published_r + D("1e-6")
    assert closing_error(dist, lo) > 0 > closing_error(dist, hi)
    for _ in range(200):
        mid = (lo + hi) / 2
        if closing_error(dist, mid) > 0:
            lo = mid
        else:
            hi = mid
    assert abs(lo - dist.published_r) < D("1e-15"), (lo, dist.published_r)
    return lo


def tables(dist):
    r = solve_r(dist)
    x, v = layers(dist, r)
    scale = D(2) ** dist.bits
    fr = dist.f(r)
    k = [int((scale * r * fr / v).to_integral_value(rounding=decimal.ROUND_FLOOR))]
    w = [v / fr / scale]
    f = [D(1)]
    for i in range(1, LAYERS):
        k.append(int((scale * x[i - 1] / x[i]).to_integral_value(rounding=decimal.ROUND_FLOOR)))
        w.append(x[i] / scale)
        f.append(dist.f(x[i]))
    return r, k, w, f


def emit_array(out, ctype, name, values, fmt, per_line):
    out.append(f"const {ctype} kp__zig_{name}[256] = {{")
    for i in range(0, LAYERS, per_line):
        out.append("    " + " ".join(fmt(v) + "," for v in values[i:i + per_line]))
    out.append("};")


def source():
    out = [
        "/* kernpool's ziggurat tables: written by rng/gen_ziggurat.py, which says",
        " * how they are built. Do not edit; run the script. */",
        '#include "rng/rng.h"',
        "",
    ]
    for dist in (Normal, Exponential):
        r, k, w, f = tables(dist)
        out.append(f"const double kp__zig_{dist.name}_r = {float(r).hex()}; /* {r:.30f} */")
        if dist is Normal:  # the tail sampler multiplies by 1 / R
            out.append(f"const double kp__zig_{dist.name}_rinv = {float(1 / r).hex()}; /* 1 / r */")
        emit_array(out, "uint64_t", dist.name + "_k", k, lambda v: f"UINT64_C({v:#018x})", 3)
        emit_array(out, "double", dist.name + "_w", w, lambda v: float(v).hex(), 3)
        emit_array(out, "double", dist.name + "_f", f, lambda v: float(v).hex(), 3)
        out.append("")
    return "\n".join(out)


def main():
    text = source()
    if len(sys.argv) == 3 and sys.argv[1] == "--check":
        with open(sys.argv[2]) as fh:
            if fh.read() != text:
                sys.exit(f"{sys.argv[2]} is not what rng/gen_ziggurat.py writes")
        return
    sys.stdout.write(text)


if __name__ == "__main__":
    main()

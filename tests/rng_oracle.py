"""numpy's answers for kernpool's RNG tests (tests/test_rng_numpy.c).

usage: /usr/bin/python3 rng_oracle.py MANIFEST

Each line of MANIFEST is   OUT|SEED|KIND|OPS
  OUT   file that receives the answers: little-endian 64-bit words, in order
  SEED  u64:N              SeedSequence(N)
        words:A,B,..;key:C,..   SeedSequence([A, B, ..], spawn_key=(C, ..));
                           either list may be empty
  KIND  seedseq, PCG64, PCG64DXSM or Philox
  OPS   operations separated by ';', each "name arg ...":
    seedseq:  pool                 the 4 pool words
              state32 N, state64 N generate_state(N, uint32 / uint64)
              spawn N              spawn(N); per child its pool and
                                   generate_state(4, uint64), then the
                                   parent's n_children_spawned
    generators (a Generator shares the bit generator's state):
              raw N                random_raw(N)
              next32 N             N x ctypes.next_uint32 (one word each)
              double N             N x ctypes.next_double (float64 bits)
              random N             Generator.random(N)
              uniform LO HI N      Generator.uniform(LO, HI, N); LO, HI are
                                   float.hex strings
              integers LO HI N     Generator.integers(LO, HI, N) (int64)
              normal N             Generator.standard_normal(N)
              exponential N        Generator.standard_exponential(N)
              advance HI LO        advance(d), d the signed 128-bit HI:LO
              jumped K             the generator becomes jumped(K)
              state                the state words: PCG s hi, s lo, inc hi,
                                   inc lo; Philox counter[4], key[2],
                                   buffer[4], buffer_pos; then has_uint32
                                   and uinteger
Every operation is carried out by numpy alone; nothing here knows kernpool.
"""
import sys

import numpy as np

KINDS = {"PCG64": np.random.PCG64, "PCG64DXSM": np.random.PCG64DXSM, "Philox": np.random.Philox}
M64 = (1 << 64) - 1


def seed_sequence(spec):
    if spec.startswith("u64:"):
        return np.random.SeedSequence(int(spec[4:]))
    words, key = spec.split(";")
    assert words.startswith("words:") and key.startswith("key:")

    def ints(s):
        return [int(t) for t in s.split(",") if t]

    entropy = np.array(ints(words[6:]), dtype=np.uint32)
    return np.random.SeedSequence(entropy, spawn_key=tuple(ints(key[4:])))


def halves(x):
    return [x >> 64, x & M64]


def seedseq_ops(ss, ops):
    out = []
    for name, *args in ops:
        if name == "pool":
            out += [int(w) for w in ss.pool]
        elif name == "state32":
            out += [int(w) for w in ss.generate_state(int(args[0]), np.uint32)]
        elif name == "state64":
            out += [int(w) for w in ss.generate_state(int(args[0]), np.uint64)]
        elif name == "spawn":
            for child in ss.spawn(int(args[0])):
                out += [int(w) for w in child.pool]
                out += [int(w) for w in child.generate_state(4, np.uint64)]
            out.append(ss.n_children_spawned)
        else:
            raise ValueError(name)
    return out


def state_words(bg):
    st = bg.state
    if st["bit_generator"] == "Philox":
        inner = st["state"]
        words = [int(w) for w in inner["counter"]] + [int(w) for w in inner["key"]]
        words += [int(w) for w in st["buffer"]] + [st["buffer_pos"]]
    else:
        words = halves(st["state"]["state"]) + halves(st["state"]["inc"])
    return words + [st["has_uint32"], st["uinteger"]]


def bits(a):
    return [int(w) for w in np.asarray(a, dtype=np.float64).view(np.uint64)]


def generator_ops(bg, ops):
    out = []
    gen = np.random.Generator(bg)
    for name, *args in ops:
        if name == "raw":
            out += [int(w) for w in bg.random_raw(int(args[0]))]
        elif name == "next32":
            out += [bg.ctypes.next_uint32(bg.ctypes.state) for _ in range(int(args[0]))]
        elif name == "double":
            out += bits([bg.ctypes.next_double(bg.ctypes.state) for _ in range(int(args[0]))])
        elif name == "random":
            out += bits(gen.random(int(args[0])))
        elif name == "uniform":
            lo, hi = float.fromhex(args[0]), float.fromhex(args[1])
            out += bits(gen.uniform(lo, hi, int(args[2])))
        elif name == "integers":
            v = gen.integers(int(args[0]), int(args[1]), int(args[2]), dtype=np.int64)
            out += [int(w) & M64 for w in v]
        elif name == "normal":
            out += bits(gen.standard_normal(int(args[0])))
        elif name == "exponential":
            out += bits(gen.standard_exponential(int(args[0])))
        elif name == "advance":
            d = int(args[0]) << 64 | int(args[1])
            bg.advance(d - (1 << 128) if d >> 127 else d)
        elif name == "jumped":
            bg = bg.jumped(int(args[0]))
            gen = np.random.Generator(bg)
        elif name == "state":
            out += state_words(bg)
        else:
            raise ValueError(name)
    return out


def main():
    with open(sys.argv[1]) as manifest:
        for line in manifest:
            path, seed, kind, ops = line.rstrip("\n").split("|")
            ops = [op.split() for op in ops.split(";") if op.strip()]
            ss = seed_sequence(seed)
            if kind == "seedseq":
                words = seedseq_ops(ss, ops)
            else:
                words = generator_ops(KINDS[kind](ss), ops)
            np.array(words, dtype="<u8").tofile(path)


if __name__ == "__main__":
    main()

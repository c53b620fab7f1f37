"""The Generator and SeedSequence against numpy 1.24, bit for bit where the
C contract says so: random, uniform and random_raw always; integers up to
RNG_BLOCK values per call; state, advance, jumped and spawn."""
import pickle
import threading

import numpy as np
import pytest

import kernpool as kp
from conftest import WORKERS, ran_during, same_bits

KINDS = ["PCG64", "PCG64DXSM", "Philox"]
SEEDS = [0, 12345, 2**64 + 7, [1, 2, 3], 2**200 + 5]
SIZES = [0, 1, 7, 1000, 100003]


def numpy_pair(kind, seed):
    """A kernpool Generator and numpy's Generator(kind(SeedSequence(seed)))."""
    bg = getattr(np.random, kind)(np.random.SeedSequence(seed))
    return kp.Generator(seed, bit_generator=kind), np.random.Generator(bg)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("seed", SEEDS)
def test_exact_streams_match_numpy(kind, seed):
    g, n = numpy_pair(kind, seed)
    for size in SIZES:
        assert same_bits(g.random(size), n.random(size))
        assert same_bits(g.uniform(-3.0, 5.5, size), n.uniform(-3.0, 5.5, size))
        assert same_bits(g.random_raw(size), n.bit_generator.random_raw(size))
    assert g.random() == n.random() and isinstance(g.random(), float) and n.random() >= 0
    assert g.random_raw() == n.bit_generator.random_raw()
    assert g.uniform(2, 3) == n.uniform(2, 3)
    assert g.random((3, 4)).shape == (3, 4) and n.random((3, 4)) is not None
    assert same_state(g.state, n.bit_generator.state)


def same_state(a, b):
    if a.keys() != b.keys():
        return False
    for k in a:
        if isinstance(a[k], dict):
            if not same_state(a[k], b[k]):
                return False
        elif not np.array_equal(a[k], b[k]):
            return False
    return True


INT_RANGES = [(0, 10), (-5, 5), (0, 2**32 - 1), (0, 2**32), (7, 2**32 + 9), (0, 2**40),
              (-(2**62), 2**62), (-(2**63), 2**63 - 1), (5, 6)]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("low,high", INT_RANGES)
def test_integers_match_numpy(kind, low, high):
    g, n = numpy_pair(kind, 99)
    for size in [1, 5, 1001, kp.RNG_BLOCK]:
        assert same_bits(g.integers(low, high, size), n.integers(low, high, size))
        # a draw split across the pending half-word stays in step
        assert g.random() == n.random()
    assert g.integers(low, high) == n.integers(low, high)
    assert same_bits(g.integers(low, high - 1, 9, endpoint=True),
                     n.integers(low, high - 1, 9, endpoint=True))
    if low == 0:
        assert same_bits(g.integers(high, size=17), n.integers(high, size=17))
    assert same_state(g.state, n.bit_generator.state)


def test_interleaved_calls_match_numpy():
    g, n = numpy_pair("PCG64", 2024)
    for i in range(50):
        assert g.integers(0, 1000 + i) == n.integers(0, 1000 + i)
        assert g.random() == n.random()
        assert same_bits(g.integers(-3, 2**33, i), n.integers(-3, 2**33, i))
        assert same_bits(g.random(i), n.random(i))
        assert g.random_raw() == n.bit_generator.random_raw()


@pytest.mark.parametrize("kind", KINDS)
def test_fills_same_bits_for_every_workers(kind):
    def draws(w):
        g = kp.Generator(7, bit_generator=kind)
        out = [g.random(200003, workers=w), g.standard_normal(200003, workers=w),
               g.standard_exponential(150001, workers=w),
               g.integers(-10, 10**12, 3 * kp.RNG_BLOCK + 5, workers=w),
               g.uniform(1, 2, 70001, workers=w), g.random_raw(99991, workers=w)]
        return out, g.state

    ref, ref_state = draws(1)
    for w in WORKERS:
        got, state = draws(w)
        assert all(same_bits(a, b) for a, b in zip(got, ref))
        assert same_state(state, ref_state)
        with kp.set_workers(w):  # workers=None follows set_workers
            assert same_bits(kp.Generator(7, bit_generator=kind).random(200003), ref[0])


@pytest.mark.parametrize("kind", KINDS)
def test_normal_and_exponential_distribution(kind):
    g = kp.Generator(3, bit_generator=kind)
    n = 1_000_000
    z = g.standard_normal(n)
    se = 1 / np.sqrt(n)
    assert abs(z.mean()) < 6 * se and abs(z.var() - 1) < 6 * np.sqrt(2) * se
    assert abs(np.mean(np.abs(z) > 3) - 0.0026998) < 6 * np.sqrt(0.0027 / n)
    e = g.standard_exponential(n)
    assert e.min() >= 0 and abs(e.mean() - 1) < 6 * se and abs(e.var() - 1) < 6 * 3 * se
    assert isinstance(g.standard_normal(), float)


def test_out_arguments():
    g, n = numpy_pair("PCG64", 5)
    out = np.empty((4, 25))
    assert g.random(out=out) is out
    assert same_bits(out, n.random((4, 25)))
    assert g.random(size=(4, 25), out=out) is out
    g.standard_normal(out=out)
    g.standard_exponential(out=out)
    with pytest.raises(ValueError):
        g.random(size=(5, 20), out=out)
    with pytest.raises(TypeError):
        g.random(out=np.empty(4, np.float32))
    with pytest.raises(TypeError):
        g.random(out=np.empty((4, 4))[:, ::2])
    for fill in (g.random, g.standard_normal, g.standard_exponential):
        with pytest.raises(ValueError):  # a 0-d out and a size
            fill(3, out=np.empty(()))


@pytest.mark.parametrize("kind", KINDS)
def test_state_moves_between_numpy_and_kernpool(kind):
    g, n = numpy_pair(kind, 31)
    n.random(13)
    n.integers(0, 5, 3)  # leaves a pending half-word
    g.state = n.bit_generator.state
    assert same_bits(g.random(10), n.random(10))
    assert same_bits(g.integers(0, 9, 7), n.integers(0, 9, 7))
    g.random_raw(5)
    n.bit_generator.state = g.state
    assert same_bits(g.random(10), n.random(10))
    assert g.bit_generator == kind


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("delta", [1, 2, 1000, 2**64 + 3, 2**100])
def test_advance_matches_numpy(kind, delta):
    g, n = numpy_pair(kind, 8)
    g.random(3)
    n.random(3)
    assert g.advance(delta) is g
    n.bit_generator.advance(delta)
    assert same_state(g.state, n.bit_generator.state)
    assert same_bits(g.random(5), n.random(5))
    # a negative delta goes back (Philox drops its buffered block: compare
    # the counter)
    s = g.state
    g.advance(123)
    assert not same_state(g.state, s)
    g.advance(-123)
    if kind == "Philox":
        assert np.array_equal(g.state["state"]["counter"], s["state"]["counter"])
    else:
        assert same_state(g.state, s)


def test_philox_advance_range():
    g = kp.Generator(1, bit_generator="Philox")
    g.advance(2**127 - 1)
    g.advance(-(2**127))
    with pytest.raises(ValueError):
        g.advance(2**127)


@pytest.mark.parametrize("kind", KINDS)
def test_jumped_and_spawn_match_numpy(kind):
    g = kp.Generator(77, bit_generator=kind)
    bg = getattr(np.random, kind)(np.random.SeedSequence(77))
    for jumps in (1, 3):
        assert same_bits(g.jumped(jumps).random(6),
                         np.random.Generator(bg.jumped(jumps)).random(6))
    assert same_bits(g.random(4), np.random.Generator(bg).random(4))  # g itself unchanged
    ss = np.random.SeedSequence(77)
    kids = g.spawn(3)
    more = g.spawn(2)  # the counter goes on
    ref = [np.random.Generator(getattr(np.random, kind)(c)) for c in ss.spawn(5)]
    for k, r in zip(kids + more, ref):
        assert k.bit_generator == kind
        assert same_bits(k.random(5), r.random(5))
    assert g.seed_seq.n_children_spawned == 5
    grand = kids[0].spawn(1)[0]
    ref_grand = getattr(np.random, kind)(np.random.SeedSequence(77, spawn_key=(0, 0)))
    assert same_bits(grand.random(3), np.random.Generator(ref_grand).random(3))


def test_seed_sequence_matches_numpy():
    cases = [dict(entropy=0), dict(entropy=2**128 - 1), dict(entropy=[5, 2**40, 0]),
             dict(entropy=123, spawn_key=(4, 2**33)), dict(entropy=np.arange(6, dtype=np.uint32)),
             dict(entropy=9, n_children_spawned=7)]
    for c in cases:
        ours, ref = kp.SeedSequence(**c), np.random.SeedSequence(**c)
        for dt in (np.uint32, np.uint64):
            assert same_bits(ours.generate_state(9, dt), ref.generate_state(9, dt))
        assert ours.spawn_key == ref.spawn_key
        assert ours.n_children_spawned == ref.n_children_spawned
        for a, b in zip(ours.spawn(3), ref.spawn(3)):
            assert a.spawn_key == b.spawn_key
            assert same_bits(a.generate_state(4), b.generate_state(4))
        assert ours.n_children_spawned == ref.n_children_spawned
    fresh = kp.SeedSequence()
    assert isinstance(fresh.entropy, int) and fresh.entropy != kp.SeedSequence().entropy
    assert kp.SeedSequence(5).generate_state(0).shape == (0,)


def test_numpy_seed_sequence_interop():
    ss = np.random.SeedSequence(2**70 + 1, spawn_key=(3, 1))
    ss.spawn(2)
    for kind in KINDS:
        g = kp.Generator(ss, bit_generator=kind)
        n = np.random.Generator(getattr(np.random, kind)(ss))
        assert same_bits(g.random(100), n.random(100))
        assert same_bits(g.integers(0, 10**9, 100), n.integers(0, 10**9, 100))
        assert g.seed_seq.spawn_key == (3, 1) and g.seed_seq.n_children_spawned == 2
    kss = kp.SeedSequence(11)
    g1 = kp.Generator(kss)
    g1.spawn(4)
    assert kss.n_children_spawned == 4  # a kernpool SeedSequence is shared, not copied


def test_pickle_round_trips():
    for kind in KINDS:
        g = kp.Generator(5, bit_generator=kind)
        g.random(3)
        g.integers(0, 3)  # a pending half-word must survive
        h = pickle.loads(pickle.dumps(g))
        assert type(h) is kp.Generator and h.bit_generator == kind
        assert same_bits(h.random(20), g.random(20))
        assert same_bits(h.integers(0, 7, 9), g.integers(0, 7, 9))
        assert same_bits(h.spawn(1)[0].random(3), g.spawn(1)[0].random(3))
    s = kp.SeedSequence([1, 2], spawn_key=(9,), n_children_spawned=3)
    t = pickle.loads(pickle.dumps(s))
    assert (t.entropy, t.spawn_key, t.n_children_spawned) == ([1, 2], (9,), 3)
    assert same_bits(t.generate_state(5), s.generate_state(5))
    assert "SeedSequence(" in repr(s) and repr(kp.Generator(1)) == "Generator(PCG64)"


def test_shared_generator_hands_out_each_draw_once():
    g = kp.Generator(42)
    ref = kp.Generator(42).random_raw(4 * 300 * 250)
    got = []

    def work():
        for _ in range(300):
            got.append(g.random_raw(250, workers=2))

    ts = [threading.Thread(target=work) for _ in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert np.array_equal(np.sort(np.concatenate(got)), np.sort(ref))


def test_unseeded_objects_are_safe():
    g = kp.Generator.__new__(kp.Generator)
    g.random(3)
    with pytest.raises(TypeError):
        g.spawn(1)
    s = kp.SeedSequence.__new__(kp.SeedSequence)
    repr(s)
    s.generate_state(2)


def test_generate_state_releases_the_gil():
    s = kp.SeedSequence(5)
    assert ran_during(lambda: s.generate_state(4_000_000))


def test_bad_input_raises():
    g = kp.Generator(1)
    with pytest.raises(ValueError):
        kp.Generator(1, bit_generator="MT19937")
    with pytest.raises(ValueError):
        g.integers(5, 5)
    with pytest.raises(ValueError):
        g.integers(5, 4, endpoint=True)
    with pytest.raises(ValueError):
        g.integers(0, 2**63)
    with pytest.raises(TypeError):
        g.integers(0, 5, dtype=np.int32)
    with pytest.raises(TypeError):
        g.random(dtype=np.float32)
    with pytest.raises(ValueError, match="state must be for a PCG64 RNG"):
        g.state = kp.Generator(1, bit_generator="Philox").state
    assert g.state["bit_generator"] == "PCG64"
    n = np.random.default_rng(1)
    for low, high in ((0, np.inf), (0, np.nan), (1, 0)):  # numpy's errors
        with pytest.raises(Exception) as want:
            n.uniform(low, high, 3)
        with pytest.raises(want.type, match=str(want.value)):
            g.uniform(low, high, 3)
    with pytest.raises(ValueError):
        g.random(-1)
    with pytest.raises(ValueError):
        kp.Generator(-1)
    with pytest.raises(TypeError):
        kp.Generator(1.5)
    with pytest.raises(kp.ArgumentError):
        kp.SeedSequence(2**1100)  # more entropy than a kp_seedseq holds
    with pytest.raises(ValueError):
        kp.SeedSequence(1, pool_size=8)
    with pytest.raises(TypeError):
        kp.SeedSequence(1).generate_state(3, np.int8)
    s = g.state
    bad = dict(s, state=dict(s["state"], inc=2))  # an even increment
    with pytest.raises(kp.ArgumentError):
        g.state = bad
    with pytest.raises(ValueError):
        g.state = {"bit_generator": "PCG64"}
    with pytest.raises(TypeError):
        g.state = 5
    with pytest.raises(ValueError):
        g.state = dict(s, bit_generator="MT19937")
    assert same_state(g.state, s)  # failed sets changed nothing
    with pytest.raises(ValueError):
        g.jumped(-1)
    deep = kp.SeedSequence(1, spawn_key=tuple(range(16)))
    with pytest.raises(kp.ArgumentError):
        deep.spawn(1)
    assert deep.n_children_spawned == 0

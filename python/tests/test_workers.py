"""The workers functions, set_workers, pool_info and the exceptions."""
import os
import threading

import pytest

import kernpool as kp
from conftest import run_python


def test_budget_and_resolve():
    b = kp.cpu_budget()
    assert b >= 1
    env = os.environ.get("KERNPOOL_CPU_BUDGET", "")
    if env.isdigit() and int(env) >= 1:
        assert b == int(env)
    else:
        assert b <= len(os.sched_getaffinity(0))
    assert kp.workers_resolve(-1) == b
    assert kp.workers_resolve(1) == 1
    assert kp.workers_resolve(10**6) == b
    assert kp.workers_resolve(-(10**30)) == 1  # beyond a C int: same rule
    assert kp.workers_resolve(None) == kp.workers_resolve(kp.get_workers())


def default_workers():
    """The process default: KERNPOOL_WORKERS when it is a nonzero int, else 1."""
    try:
        return int(os.environ.get("KERNPOOL_WORKERS", "")) or 1
    except ValueError:
        return 1


def test_default_is_serial_or_env():
    assert kp.get_workers() == default_workers()


def test_set_workers_context_restores_and_nests():
    before = kp.get_workers()
    with kp.set_workers(3):
        assert kp.get_workers() == 3
        with kp.set_workers(-1):
            assert kp.get_workers() == -1  # kept unresolved, as kp_set_workers
        assert kp.get_workers() == 3
    assert kp.get_workers() == before


def test_set_workers_cannot_be_reinitialised_inside():
    before = kp.get_workers()
    ctx = kp.set_workers(4)
    with ctx:
        with pytest.raises(RuntimeError):
            ctx.__init__(2)
        assert kp.get_workers() == 4
    assert kp.get_workers() == before


def test_set_workers_restores_on_exception():
    before = kp.get_workers()
    with pytest.raises(RuntimeError):
        with kp.set_workers(2):
            raise RuntimeError("boom")
    assert kp.get_workers() == before


def test_set_workers_is_per_thread():
    seen = {}
    inside = threading.Event()
    done = threading.Event()

    def other():
        inside.wait()
        seen["other"] = kp.get_workers()
        done.set()

    t = threading.Thread(target=other)
    t.start()
    with kp.set_workers(5):
        inside.set()
        done.wait()
        seen["main"] = kp.get_workers()
    t.join()
    assert seen["main"] == 5
    assert seen["other"] == default_workers()


def test_set_workers_rejects_bad_values():
    with pytest.raises(TypeError):
        kp.set_workers("4")
    with pytest.raises(TypeError):
        kp.set_workers(2.0)
    ctx = kp.set_workers(2)
    with ctx:
        with pytest.raises(RuntimeError):
            ctx.__enter__()


def test_workers_keyword_type_checked():
    with pytest.raises(TypeError):
        kp.sum([1.0, 2.0], workers="all")
    with pytest.raises(TypeError):
        kp.sum([1.0, 2.0], 2)  # workers is keyword-only


def test_env_default():
    out = run_python("import kernpool; print(kernpool.get_workers(), kernpool.cpu_budget())",
                     env={"KERNPOOL_WORKERS": "-1", "KERNPOOL_CPU_BUDGET": "6"})
    assert out.split() == ["-1", "6"]


def test_pool_info():
    info = kp.pool_info()
    assert info["cpu_budget"] == kp.cpu_budget()
    assert info["threads_max"] == kp.cpu_budget() - 1
    assert 0 <= info["threads_alive"] <= info["threads_max"]
    assert info["isa_selected"] in ("portable", "avx2", "avx512")
    with kp.set_workers(2):
        info = kp.pool_info()
        assert info["default_workers"] == 2 and info["default_source"] == "thread"


def test_exception_hierarchy_and_messages():
    assert issubclass(kp.ArgumentError, kp.Error) and issubclass(kp.ArgumentError, ValueError)
    assert issubclass(kp.OutOfMemoryError, kp.Error)
    assert issubclass(kp.OutOfMemoryError, MemoryError)
    with pytest.raises(kp.ArgumentError) as e:
        kp.minmax([])
    assert e.value.status == -7
    assert e.value.reason == kp.strerror(-7)
    assert str(e.value) == "minmax: " + kp.strerror(-7)
    assert kp.strerror(0) == "success"
    assert kp.strerror(-1000) == kp.strerror(2**70) == "unknown status code"

"""The benchmark harness: every case measures a figure AND a floor in the same run and reports
their ratio, so results compare across machines. Cases live in bench/cases_*.py and register
with @case."""

from __future__ import annotations

import gc
import statistics
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass

CASES: dict[str, Callable] = {}


def case(name: str):
    def register(func):
        CASES[name] = func
        return func

    return register


@dataclass
class Result:
    name: str
    figure: str  # e.g. "812 req/s", "41 ms median"
    floor: str
    ratio: float  # figure relative to the floor, >1 = better than the floor for throughput cases
    target: str
    ok: bool
    note: str = ""


def throughput(func, *, seconds: float = 3.0, warmup: int = 5) -> float:
    """Calls per second of `func` over about `seconds`."""
    for _ in range(warmup):
        func()
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        func()
        n += 1
    return n / (time.perf_counter() - start)


def interleaved_throughput(func_a, func_b, *, rounds: int = 5, seconds: float = 0.6) -> tuple[float, float]:
    """Throughput of a and b measured in alternating slices, so machine noise hits both alike."""
    a, b = [], []
    throughput(func_a, seconds=0.2)
    throughput(func_b, seconds=0.2)
    for _ in range(rounds):
        a.append(throughput(func_a, seconds=seconds, warmup=1))
        b.append(throughput(func_b, seconds=seconds, warmup=1))
    return statistics.median(a), statistics.median(b)


def median_ms(func, *, repeat: int = 15, warmup: int = 2) -> float:
    for _ in range(warmup):
        func()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def peak_memory_mb(func) -> tuple[float, float]:
    """(seconds, peak MiB of Python allocations) for one call of func."""
    gc.collect()
    tracemalloc.start()
    start = time.perf_counter()
    func()
    elapsed = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return elapsed, peak / (1024 * 1024)

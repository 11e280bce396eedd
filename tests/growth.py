"""One linear-growth check for the adversarial-input tests.

Ten times the input may cost at most GROWTH times the CPU time. Quadratic cost gives 100x for a
10x step and n log n about 12x; 25x (an exponent of 1.4) separates them while leaving room for
what a busy shared machine adds to the bigger run (caches evicted by other processes, a heap
that outgrows them). The two sizes are measured interleaved -- small, big, small, big -- so a
burst of load elsewhere lands on both, and the fastest of each is compared; a few rounds are
taken only while the bound is not yet met.
"""

from __future__ import annotations

from collections.abc import Callable

GROWTH = 25  # per 10x input


def assert_linear(cost: Callable[[int], float], small: int, big: int, *, floor: float, label: str, rounds: int = 5) -> tuple[float, float]:
    """cost(n) -> CPU seconds for input size n. floor: seconds below which the small run is timer noise."""
    allowed = GROWTH * (big / small) / 10
    t_small = t_big = float("inf")
    for _ in range(rounds):
        t_small = min(t_small, cost(small))
        t_big = min(t_big, cost(big))
        if t_big <= allowed * max(t_small, floor):
            return t_small, t_big
    raise AssertionError(f"{label}: {small:,} B took {t_small * 1000:.1f} ms, {big:,} B took {t_big * 1000:.1f} ms (more than {allowed:.0f}x)")

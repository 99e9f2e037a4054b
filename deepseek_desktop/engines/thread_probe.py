"""How many threads generate fastest here and now: measured on the loaded model, not assumed.

One thread per physical core is llama.cpp's usual choice, and on an idle machine often the right one. On a
machine whose cores are busy with other work it is not: ggml's threads wait for each other at every step,
and one descheduled thread stalls them all. Measured on the project's 2-core machine while other jobs ran:
2 threads gave 1.6-3.2 tokens/s where 1 thread gave 14.2. So after a load, a few single-token decodes are
timed with each candidate count, alternating so that a change of load hits every candidate alike, and the
fastest wins (``bench/bench_backends.py`` shows the chosen count beside fixed counts).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

TOKENS_PER_TRY = 3  # decodes per candidate and round; the first of a round is not counted (a warm-up)
MAX_ROUNDS = 3
BUDGET_S = 2.5  # stop starting new rounds after this long
NEAR = 1.05  # a count this close to the fastest counts as as fast; the fewest such threads win


@dataclass(frozen=True)
class ThreadChoice:
    threads: int
    measured: dict[int, float] = field(default_factory=dict)  # threads -> median ms per token
    reason: str = "measured"  # "measured" | "setting" | "gpu" (every layer on the GPU: not measured)

    def to_dict(self) -> dict[str, object]:
        return {"threads": self.threads, "reason": self.reason,
                "ms_per_token": {str(k): round(v, 2) for k, v in sorted(self.measured.items())}}


def candidates(physical_cores: int) -> list[int]:
    """A handful of counts worth timing: all cores, one fewer, half, and for small machines every count."""
    n = max(1, physical_cores)
    chosen = {n, max(1, n - 1), max(1, n // 2)}
    if n <= 4:
        chosen.update(range(1, n + 1))
    return sorted(chosen)


def choose_threads(decode_one: Callable[[int], None], counts: list[int], *,
                   clock: Callable[[], float] = time.perf_counter) -> ThreadChoice:
    """Time ``decode_one(threads)`` (one token) for each count; return the fastest count.

    ``decode_one`` must leave the model as it found it, apart from what a reset undoes."""
    if len(counts) == 1:
        return ThreadChoice(counts[0], {}, "measured")
    samples: dict[int, list[float]] = {n: [] for n in counts}
    started = clock()
    for round_no in range(MAX_ROUNDS):
        order = counts if round_no % 2 == 0 else list(reversed(counts))
        for n in order:
            for i in range(TOKENS_PER_TRY):
                t0 = clock()
                decode_one(n)
                if i:
                    samples[n].append((clock() - t0) * 1000.0)
        if clock() - started > BUDGET_S:
            break
    medians = {n: statistics.median(s) for n, s in samples.items() if s}
    fastest = min(medians.values())
    best = min(n for n, ms in medians.items() if ms <= fastest * NEAR)
    return ThreadChoice(best, medians, "measured")

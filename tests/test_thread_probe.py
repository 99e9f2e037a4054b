"""Choosing the thread count by measuring: the choice logic on a decode whose cost is known.

The real probe runs on the Gemma GGUF in tests/test_gpu_devices.py; here the decode is a stand-in whose
time per token depends on the thread count, as on a busy machine, to pin down what "fastest" means."""

from __future__ import annotations

from deepseek_desktop.engines.thread_probe import candidates, choose_threads


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_candidates_cover_small_machines_and_stay_few_on_big_ones():
    assert candidates(1) == [1]
    assert candidates(2) == [1, 2]
    assert candidates(4) == [1, 2, 3, 4]
    assert candidates(16) == [8, 15, 16]


def test_the_fastest_count_wins():
    clock = Clock()
    ms_per_token = {1: 70.0, 2: 400.0}  # two threads on two busy cores: they wait for each other

    def decode(threads: int) -> None:
        clock.now += ms_per_token[threads] / 1000

    choice = choose_threads(decode, [1, 2], clock=clock)
    assert choice.threads == 1 and choice.reason == "measured"
    assert {n: round(ms, 6) for n, ms in choice.measured.items()} == {1: 70.0, 2: 400.0}


def test_nearly_as_fast_prefers_fewer_threads():
    clock = Clock()

    def decode(threads: int) -> None:
        clock.now += {1: 0.051, 2: 0.050}[threads]

    assert choose_threads(decode, [1, 2], clock=clock).threads == 1


def test_a_clear_win_for_more_threads():
    clock = Clock()

    def decode(threads: int) -> None:
        clock.now += 0.1 / threads

    assert choose_threads(decode, [1, 2, 4], clock=clock).threads == 4


def test_the_probe_stops_within_its_budget():
    clock = Clock()
    calls = []

    def decode(threads: int) -> None:
        calls.append(threads)
        clock.now += 1.0  # a slow model: one round is already past the budget

    choose_threads(decode, [1, 2], clock=clock)
    assert len(calls) == 6  # one round: three decodes per count

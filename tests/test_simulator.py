"""The offline simulator: both languages, deterministic, reasoning first, honest about itself."""

from __future__ import annotations

import threading

import pytest

from deepseek_desktop.core.events import Finished, ReasoningDelta, Stats, TextDelta
from deepseek_desktop.core.requests import ChatMessage, ChatRequest, GenerationParams, LoadParams
from deepseek_desktop.engines.simulator import SimulatorEngine, detect_language, load_topics


def ask(question: str, pace: float = 10_000.0, **params):
    engine = SimulatorEngine()
    engine.load(LoadParams(words_per_second=pace))
    req = ChatRequest([ChatMessage("user", question)], GenerationParams(**params))
    return list(engine.chat(req, threading.Event()))


def split(events):
    reasoning = "".join(e.text for e in events if isinstance(e, ReasoningDelta))
    text = "".join(e.text for e in events if isinstance(e, TextDelta))
    return reasoning, text


@pytest.mark.parametrize(
    "question,lang,needle",
    [
        ("Was ist DeepSeek-R1?", "de", "Reasoning-Modell"),
        ("What is DeepSeek-R1?", "en", "reasoning model"),
        ("Welches Modell passt auf meinen Rechner mit 16 GB RAM?", "de", "Gewichte"),
        ("Which model fits on a laptop with 16 GB of RAM?", "en", "Weights"),
        ("Erkläre mir Multi-head Latent Attention", "de", "Latentvektor"),
        ("Explain mixture of experts", "en", "experts"),
        ("Wie viel Qualität kostet Q2_K?", "de", "Q4_K_M"),
        ("How do I run DeepSeek on my Mac with MLX?", "en", "unified memory"),
        ("Welche llama.cpp Optionen gibt es?", "de", "GPU-Layer"),
    ],
)
def test_answers_topics_in_the_language_of_the_question(question, lang, needle):
    assert detect_language(question) == lang
    events = ask(question)
    reasoning, text = split(events)
    assert reasoning.strip(), "opens with a reasoning block"
    assert needle in text
    assert isinstance(events[-1], Finished) and events[-1].reason == "stop"
    stats = [e for e in events if isinstance(e, Stats)][0]
    assert stats.completion_tokens > 10


@pytest.mark.parametrize(
    "question,needle",
    [("What is the capital of France?", "simulator"), ("Wie wird das Wetter morgen in Berlin?", "Simulator")],
)
def test_says_it_is_the_simulator_outside_its_topics(question, needle):
    _, text = split(ask(question))
    assert needle in text


def test_deterministic():
    assert split(ask("Tell me about quantization")) == split(ask("Tell me about quantization"))


def test_reasoning_comes_before_the_answer():
    events = ask("hello")
    kinds = [type(e) for e in events if isinstance(e, (ReasoningDelta, TextDelta))]
    assert kinds.index(TextDelta) > kinds.index(ReasoningDelta)
    assert ReasoningDelta not in kinds[kinds.index(TextDelta):]


class _RecordingCancel(threading.Event):
    """The real cancel flag, noting how long each wait on it was allowed to take."""

    def __init__(self) -> None:
        super().__init__()
        self.waits: list[float | None] = []

    def wait(self, timeout: float | None = None) -> bool:
        self.waits.append(timeout)
        return super().wait(timeout)


def test_pace_is_configurable():
    engine = SimulatorEngine()
    engine.load(LoadParams(words_per_second=200.0))
    cancel = _RecordingCancel()
    events = list(engine.chat(ChatRequest([ChatMessage("user", "hello")], GenerationParams(max_tokens=40)), cancel))
    assert events[-1].reason == "length"
    # it really waits between words, on the cancel flag so that a stop cuts the wait short
    assert cancel.waits == [pytest.approx(1 / 200.0)] * 40


def test_cancel_is_immediate_even_at_a_slow_pace():
    engine = SimulatorEngine()
    engine.load(LoadParams(words_per_second=0.001))  # one word every quarter of an hour
    cancel = _RecordingCancel()
    events: list = []
    worker = threading.Thread(
        target=lambda: events.extend(engine.chat(ChatRequest([ChatMessage("user", "hi")]), cancel)), daemon=True)
    worker.start()
    while not cancel.waits:  # the engine is waiting for its first word
        worker.join(timeout=0.01)
    cancel.set()
    worker.join(timeout=60)  # only guards against a hang: without the cut-short wait this takes 1000 s
    assert not worker.is_alive()
    assert events[-1] == Finished("cancelled")


def test_every_topic_has_both_languages():
    data = load_topics()
    for topic in data["topics"] + [data["fallback"]]:
        for part in ("reasoning", "answer"):
            assert topic[part]["en"].strip() and topic[part]["de"].strip()


def test_which_model_fits_answers_with_the_recommendation_for_this_computer():
    from deepseek_desktop.engine_host.device_query import probe_here
    from deepseek_desktop.models.catalogue.catalogue import load_catalogue
    from deepseek_desktop.models.catalogue.recommend import recommend

    rec = recommend(load_catalogue(), probe_here())
    engine = SimulatorEngine()
    engine.load(LoadParams(model="simulator", words_per_second=1e6))
    for question, lang in (("Which model fits my computer?", "en"), ("Welches Modell passt auf meinen Rechner?", "de")):
        events = list(engine.chat(ChatRequest([ChatMessage("user", question)]), threading.Event()))
        text = "".join(e.text for e in events if isinstance(e, TextDelta))
        assert "{this_computer}" not in text and "| 32 GB |" not in text, "no fixed table"
        if rec.best is not None:
            assert f"{rec.best.model.name} {rec.best.quant}" in text
        wanted = {"en": ("This computer:", "tokens/s", "Recommended"),
                  "de": ("Dieser Rechner:", "Token/s", "Empfohlen")}
        if rec.best is None:
            wanted = {"en": ("This computer:",), "de": ("Dieser Rechner:",)}
        assert all(w in text for w in wanted[lang]), text


def test_the_simulators_advice_follows_the_memory_it_is_given():
    from deepseek_desktop.engines.simulator_advice import machine_advice
    from deepseek_desktop.models.hardware import HardwareInfo

    gib = 1024**3
    words = load_topics()["machine_advice"]
    small = machine_advice("en", words, HardwareInfo("Linux", "x86_64", 2, 2, 24 * gib, 23 * gib))
    assert "no GPU" in small and "Q4_K_M" in small and ("fast:" in small or "usable:" in small)
    assert "DeepSeek-R1-Distill-Qwen-32B" not in small, "0.9 tokens/s is not advice a person would follow"
    german = machine_advice("de", words, HardwareInfo("Linux", "x86_64", 2, 2, 24 * gib, 23 * gib))
    assert "keine GPU" in german and "Token/s" in german and "für 1.000 Token" in german
    tiny = machine_advice("en", words, HardwareInfo("Linux", "x86_64", 2, 2, 2 * gib, 1 * gib))
    assert "None of the catalogue's models fits" in tiny

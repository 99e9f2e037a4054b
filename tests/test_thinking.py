"""The thinking budget's one mapping (settings, conversation choice, API effort) and the simulator honouring it."""

from __future__ import annotations

import threading

from deepseek_desktop.core import thinking
from deepseek_desktop.core.events import ReasoningDelta, Stats, TextDelta
from deepseek_desktop.core.requests import ChatMessage, ChatRequest, LoadParams
from deepseek_desktop.core.settings.store import SettingsStore
from deepseek_desktop.engines.simulator import SimulatorEngine


def test_values_map_to_the_request_fields():
    assert thinking.from_value(thinking.OFF) == thinking.Thinking(think=False)
    assert thinking.from_value(thinking.UNLIMITED) == thinking.Thinking()
    assert thinking.from_value(1024) == thinking.Thinking(budget=1024)


def test_settings_and_efforts(tmp_path):
    settings = SettingsStore(tmp_path / "settings.json")
    assert thinking.setting_value(settings) == thinking.UNLIMITED
    settings.set("thinking.mode", "budget")
    settings.set("thinking.budget_tokens", 300)
    assert thinking.setting_value(settings) == 300
    assert thinking.conversation_value(settings, None) == 300
    assert thinking.conversation_value(settings, thinking.OFF) == thinking.OFF
    settings.set("thinking.mode", "off")
    assert thinking.setting_value(settings) == thinking.OFF
    assert thinking.effort_value(settings, "none") == thinking.OFF
    assert [thinking.effort_value(settings, e) for e in ("minimal", "low", "medium", "high")] == [1024, 1024, 4096, 0]
    settings.set("thinking.effort_medium", 2000)
    assert thinking.effort_value(settings, "medium") == 2000


def simulate(**request):
    engine = SimulatorEngine()
    engine.load(LoadParams(words_per_second=0.0))
    events = list(engine.chat(ChatRequest([ChatMessage("user", "Why is the sky blue?")], **request),
                              threading.Event()))
    reasoning = "".join(e.text for e in events if isinstance(e, ReasoningDelta))
    answer = "".join(e.text for e in events if isinstance(e, TextDelta))
    return reasoning, answer, next(e for e in events if isinstance(e, Stats))


def test_the_simulator_closes_its_thinking_at_the_budget():
    full, answer, stats = simulate()
    assert stats.thinking_stopped_at is None and len(full.split()) > 8
    cut, cut_answer, stats = simulate(thinking_budget=5)
    assert stats.thinking_stopped_at == 5
    assert cut.split() == full.split()[:5]  # five words of reasoning, then the close
    assert cut_answer == answer  # and the whole answer
    assert simulate(thinking_budget=10_000)[:2] == (full, answer)


def test_the_simulator_switches_thinking_off():
    reasoning, answer, _ = simulate(think=False)
    assert not reasoning and answer == simulate()[1]

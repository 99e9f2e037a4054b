"""Which model the window loads at start (models.model_sources.initial_choice)."""

from __future__ import annotations

from pathlib import Path

from deepseek_desktop.core.model_choice import ModelChoice
from deepseek_desktop.models.model_sources import SIMULATOR, choice_to_state, initial_choice


def test_the_last_model_if_offered_else_the_default_engine_else_the_simulator(gemma_path: Path):
    local = ModelChoice("llamacpp", str(gemma_path), "Gemma")
    remote = ModelChoice("remote", "deepseek-chat", "API", base_url="https://api.deepseek.com", endpoint="api")
    choices = [local, remote, SIMULATOR]
    assert initial_choice(choices, choice_to_state(remote), "auto") == remote
    assert initial_choice(choices, None, "auto") == local  # the first one that is not the simulator
    assert initial_choice(choices, None, "remote") == remote
    gone = ModelChoice("llamacpp", str(gemma_path.with_name("moved.gguf")), "Moved")
    assert initial_choice(choices, choice_to_state(gone), "remote") == remote  # a deleted file is not offered
    assert initial_choice([SIMULATOR], None, "auto") == SIMULATOR
    assert initial_choice([local, SIMULATOR], None, "mlx") == SIMULATOR

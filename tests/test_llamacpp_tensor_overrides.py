"""Tensor overrides in the app's llama.cpp engine, on the real Gemma GGUF: the load parameter behind the
"experts in system RAM" setting and the launch planner's ``--override-tensor`` route.

No small mixture-of-experts GGUF can be had from the package registries, so the override is proven on the dense
Gemma: llama.cpp's loader logs "tensor NAME (... ) buffer type overridden to CPU" for each tensor it placed by an
override, and the names it logs are exactly the header's tensors that match the pattern. The experts pattern
itself matches no tensor of a dense model, which loads and answers as before.
"""

from __future__ import annotations

import asyncio
import re
import threading

import pytest
from conftest import THREADS

from deepseek_desktop.core.errors import EngineError
from deepseek_desktop.core.requests import EXPERTS_IN_RAM, ChatMessage, ChatRequest, GenerationParams, LoadParams
from deepseek_desktop.engine_host.client import EngineHostClient
from deepseek_desktop.engines import llamacpp as engine_module
from deepseek_desktop.models.gguf.header import read_gguf_header

OVERRIDDEN = re.compile(r"tensor (\S+) \(.*\) buffer type overridden to (\S+)")


def overridden(lines: list[str]) -> dict[str, str]:
    return {m.group(1): m.group(2) for m in map(OVERRIDDEN.search, lines) if m}


def load(gemma_path, overrides):
    engine = engine_module.LlamaCppEngine()
    log = engine_module._llama_log()
    kept = log.lines
    log.lines = engine_module._RecentLines(maxlen=10_000)  # the engine keeps 200 lines; a load logs about 1,400
    try:
        info = engine.load(LoadParams(model=str(gemma_path), n_ctx=512, n_threads=THREADS,
                                      tensor_overrides=overrides))
        return engine, info, list(log.lines)
    finally:
        log.lines = kept


def answer(engine) -> str:
    request = ChatRequest([ChatMessage("user", "The capital of France is")], GenerationParams(max_tokens=4,
                                                                                            temperature=0.0))
    return "".join(getattr(e, "text", "") for e in engine.chat(request, threading.Event()))


def test_an_override_puts_exactly_the_matching_tensors_in_that_buffer(gemma_path):
    pattern = r"blk\.[0-3]\.ffn_(gate|up|down)\."
    expected = {t.name for t in read_gguf_header(gemma_path).tensors if re.search(pattern, t.name)}
    assert len(expected) == 12  # 4 layers x gate, up, down
    engine, info, lines = load(gemma_path, (f"{pattern}=CPU",))
    try:
        placed = overridden(lines)
        # The CPU device's buffer: plain, or its repacking variant for the quantisations it repacks (Q4_K here).
        assert set(placed) == expected and set(placed.values()) <= {"CPU", "CPU_REPACK"}
        assert info["tensor_overrides"] == [f"{pattern}=CPU"]
        assert answer(engine).strip()
    finally:
        engine.unload()
    # Without it, the loader places nothing by override.
    engine, info, lines = load(gemma_path, ())
    try:
        assert overridden(lines) == {} and info["tensor_overrides"] == []
    finally:
        engine.unload()


def test_the_experts_pattern_on_a_dense_model_changes_nothing(gemma_path):
    assert not any(re.search(EXPERTS_IN_RAM.split("=")[0], t.name) for t in read_gguf_header(gemma_path).tensors)
    engine, info, lines = load(gemma_path, (EXPERTS_IN_RAM,))
    try:
        assert overridden(lines) == {} and info["tensor_overrides"] == [EXPERTS_IN_RAM]
        assert answer(engine).strip()
    finally:
        engine.unload()


@pytest.mark.parametrize("entry, text", [
    ("no-equals-sign", "is not PATTERN=BUFFER"),
    ("blk.(=CPU", "tensor override pattern"),
    ("blk=NOSUCHDEVICE0", "unknown buffer type 'NOSUCHDEVICE0' (known: CPU"),
])
def test_bad_overrides_are_refused_before_llama_cpp_sees_them(gemma_path, entry, text):
    engine = engine_module.LlamaCppEngine()
    with pytest.raises(EngineError) as info:
        engine.load(LoadParams(model=str(gemma_path), n_ctx=256, n_threads=THREADS, tensor_overrides=(entry,)))
    assert info.value.message_id == "input.invalid" and text in info.value.detail
    assert engine.llm is None


def test_the_setting_reaches_the_engine_host(gemma_path, app_home):
    from deepseek_desktop.core.settings.store import SettingsStore, load_params

    settings = SettingsStore(app_home / "settings.json")
    assert load_params(settings, str(gemma_path)).tensor_overrides == ()
    settings.set("llamacpp.experts_in_ram", True)
    params = load_params(settings, str(gemma_path))
    assert params.tensor_overrides == (EXPERTS_IN_RAM,)

    async def main():
        client = EngineHostClient()
        await client.start()
        try:
            info = await client.load("llamacpp", LoadParams(model=str(gemma_path), n_ctx=512, n_threads=THREADS,
                                                            tensor_overrides=params.tensor_overrides))
            assert info["tensor_overrides"] == [EXPERTS_IN_RAM]
        finally:
            await client.stop()

    asyncio.run(asyncio.wait_for(main(), 180))

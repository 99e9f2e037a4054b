"""The draft model paired at load (speculative decoding), with the real Gemma 3 270M GGUF: a second copy of
it registered as the catalogue's drafter of a copied main model."""

from __future__ import annotations

import asyncio
import glob
import logging
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import THREADS

from deepseek_desktop.core.events import Stats, TextDelta
from deepseek_desktop.core.paths import AppPaths
from deepseek_desktop.core.requests import ChatMessage, ChatRequest, GenerationParams, LoadParams
from deepseek_desktop.core.settings.store import SettingsStore, load_params
from deepseek_desktop.engine_host.client import EngineHostClient
from deepseek_desktop.engines import llamacpp as llamacpp_module
from deepseek_desktop.engines.llamacpp import LlamaCppEngine
from deepseek_desktop.models.catalogue.catalogue import load_catalogue
from deepseek_desktop.models.catalogue.drafts import parse_drafts
from deepseek_desktop.models.local.inspection import estimate_local_model
from deepseek_desktop.models.local.registry import InstalledModel, ModelRegistry

GREEDY = GenerationParams(temperature=0.0, max_tokens=40)
QUESTION = [ChatMessage("user", "Write a short poem about the sea.")]
# Greedy output is the same token for token only where the model is not nearly undecided: llama.cpp computes
# a batch of positions (the check of a draft) with other kernels than one position, and the last bits of the
# logits differ. Gemma 270M through the fallback chat template is undecided within a few tokens; on code it
# repeats, it is not (as in tests/test_llamacpp_loop.py).
CODE = (
    "Repeat this Python code exactly, but rename the function to total_price:\n\n"
    "def price(items, tax):\n    total = 0\n    for item in items:\n        total += item.price * item.count\n"
    "    total = total * (1 + tax)\n    return round(total, 2)\n\n"
)
# Vocabulary-only GGUFs of other tokenizers, shipped in llama-cpp-python's source (they cannot run).
VOCAB_NAMES = ("qwen2", "qwen35", "llama-bpe", "deepseek-llm")


@pytest.fixture(scope="session")
def vocab_dir() -> Path:
    """The folder with llama.cpp's ``ggml-vocab-*.gguf`` test files: from an unpacked llama-cpp-python source if
    one is here, else taken out of the locked sdist (downloaded hash-checked from the package registry, as the
    llama.cpp build does) and kept in the cache for the next run."""
    import llama_cpp

    wanted = [f"ggml-vocab-{name}.gguf" for name in VOCAB_NAMES]
    unpacked = sorted(glob.glob(os.path.expanduser(
        f"~/.cache/uv/sdists-v11/pypi/llama-cpp-python/{llama_cpp.__version__}/*/src/vendor/llama.cpp/models")))
    cached = Path.home() / ".cache/deepseek-desktop/test-data" / f"llama-cpp-python-{llama_cpp.__version__}-vocab"
    for folder in [*map(Path, unpacked), cached]:
        if all((folder / name).is_file() for name in wanted):
            return folder
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "packaging"))
    import build_llama

    with tempfile.TemporaryDirectory() as work:
        try:
            archive = build_llama.fetch_sdist(llama_cpp.__version__, Path(work))
        except (subprocess.CalledProcessError, StopIteration) as exc:
            pytest.skip(f"llama-cpp-python's source could not be fetched: {exc}")
        cached.mkdir(parents=True, exist_ok=True)
        with tarfile.open(archive) as tar:
            for member in tar.getmembers():
                if member.isfile() and member.name.endswith(tuple(f"/vendor/llama.cpp/models/{n}" for n in wanted)):
                    (cached / Path(member.name).name).write_bytes(tar.extractfile(member).read())
    assert all((cached / name).is_file() for name in wanted), sorted(p.name for p in cached.iterdir())
    return cached


def _copy(src: Path, dest: Path) -> Path:
    try:
        os.link(src, dest)  # another path to the same bytes: the registry and the engine see two files
    except OSError:
        shutil.copyfile(src, dest)
    return dest


@pytest.fixture
def pair(tmp_path, gemma_path) -> tuple[Path, Path, Path]:
    """A main model registered as R1-Distill-Qwen-7B and its drafter as R1-Distill-Qwen-1.5B (both Gemma)."""
    paths = AppPaths.default()
    models = tmp_path / "models"
    models.mkdir()
    main, draft = _copy(gemma_path, models / "main.gguf"), _copy(gemma_path, models / "drafter.gguf")
    registry = ModelRegistry(paths.registry_file, models)
    for name, path, cid in (("main", main, "deepseek-r1-distill-qwen-7b"),
                            ("small", draft, "deepseek-r1-distill-qwen-1.5b")):
        registry.add(InstalledModel(name, str(path), "gguf", path.stat().st_size, catalog_id=cid))
    return main, draft, paths.registry_file


def _params(main: Path, registry: Path, **kw) -> LoadParams:
    return LoadParams(model=str(main), n_ctx=1024, n_threads=THREADS, prompt_lookup=False,
                      registry_file=str(registry), **kw)


def test_the_catalogue_pairs_the_qwen_distills_with_the_1_5b():
    cat = load_catalogue()
    for size in ("7b", "14b", "32b"):
        assert cat.drafters_for(f"deepseek-r1-distill-qwen-{size}") == ["deepseek-r1-distill-qwen-1.5b"]
    assert cat.drafters_for("", "qwen2", "qwen2") == ["deepseek-r1-distill-qwen-1.5b"], "an imported Qwen2.5"
    assert cat.drafters_for("deepseek-r1-distill-llama-8b") == []
    assert cat.drafters_for("", "llama", "llama-bpe") == []
    with pytest.raises(ValueError, match="not a catalogue model"):
        parse_drafts({"pairs": [{"drafter": "nope", "for": []}]}, {"a"})


def test_the_vocabulary_check_on_real_tokenizers(gemma_path, vocab_dir):
    """The same vocabulary passes (Qwen2's and the Qwen3.5 test file's: the same 151,936 tokens); Qwen2 against
    Llama 3, DeepSeek-LLM or Gemma does not."""
    import llama_cpp

    from deepseek_desktop.engines.draft_pairing import read_vocab_difference
    from deepseek_desktop.engines.ggml_backends import process_backends

    # as the engine loads them (not load_ggml_backends: the first load decides for the whole process, and the
    # GPU tests later in this process need the software Vulkan device the engine lists)
    process_backends().load()
    params = llama_cpp.llama_model_default_params()
    params.vocab_only = True
    qwen2 = llama_cpp.llama_model_load_from_file(str(vocab_dir / "ggml-vocab-qwen2.gguf").encode(), params)
    try:
        vocab = llama_cpp.llama_model_get_vocab(qwen2)
        assert read_vocab_difference(vocab, vocab_dir / "ggml-vocab-qwen2.gguf") == ""
        assert read_vocab_difference(vocab, vocab_dir / "ggml-vocab-qwen35.gguf") == ""
        for other in ("llama-bpe", "deepseek-llm"):
            why = read_vocab_difference(vocab, vocab_dir / f"ggml-vocab-{other}.gguf")
            assert why, other
        assert read_vocab_difference(vocab, gemma_path)
        with pytest.raises(ValueError, match="could not read"):
            read_vocab_difference(vocab, vocab_dir / "missing.gguf")
    finally:
        llama_cpp.llama_model_free(qwen2)


def test_settings_carry_the_draft_model_and_the_registry_to_the_load(app_home):
    store = SettingsStore(AppPaths.default().settings_file)
    params = load_params(store, "/m.gguf")
    assert params.draft_model == "auto" and params.registry_file == str(AppPaths.default().registry_file)
    store.set("llamacpp.draft_model", "off")
    assert load_params(store, "/m.gguf").draft_model == "off"


def _reply(client_or_engine, request):
    import threading

    if isinstance(client_or_engine, LlamaCppEngine):
        return list(client_or_engine.chat(request, threading.Event()))

    async def run():
        return [e async for e in client_or_engine.chat(request)]
    return asyncio.run(asyncio.wait_for(run(), 300))


def _through_host(params: LoadParams) -> tuple[dict, list]:
    async def main():
        client = EngineHostClient()
        await client.start()
        try:
            info = await client.load("llamacpp", params)
            events = [e async for e in client.chat(ChatRequest([], GREEDY, prompt=CODE))]
        finally:
            await client.stop()
        return info, events
    return asyncio.run(asyncio.wait_for(main(), 300))


def _text(events) -> str:
    return "".join(e.text for e in events if isinstance(e, TextDelta))


def _stats(events) -> Stats:
    return next(e for e in events if isinstance(e, Stats))


@pytest.mark.slow
def test_the_installed_drafter_is_paired_and_the_greedy_reply_is_the_same(pair):
    main, _draft, registry = pair
    info, events = _through_host(_params(main, registry))
    assert info["draft_model"]["name"] == "small" and info["draft_model"]["device"] == "CPU"
    assert not info["draft_model"]["chosen"]
    stats = _stats(events)
    assert stats.drafter == "small" and stats.draft_acceptance is not None and stats.draft_acceptance > 0.5

    plain_info, plain = _through_host(_params(main, registry, draft_model="off"))
    assert plain_info["draft_model"] is None
    assert _stats(plain).draft_acceptance is None and _stats(plain).drafter == ""
    assert _text(events) == _text(plain) and _text(plain)


@pytest.mark.slow
def test_a_chosen_drafter_is_used_by_name(pair):
    main, _draft, registry = pair
    engine = LlamaCppEngine()
    try:
        info = engine.load(_params(main, registry, draft_model="small"))
        assert info["draft_model"]["chosen"] and info["draft_model"]["name"] == "small"
    finally:
        engine.unload()


@pytest.mark.slow
def test_a_drafter_with_another_vocabulary_is_refused_and_the_model_answers(pair, caplog, vocab_dir):
    main, _draft, registry = pair
    engine = LlamaCppEngine()
    try:
        with caplog.at_level(logging.WARNING, logger="deepseek_desktop.engines.draft_pairing"):
            info = engine.load(_params(main, registry, draft_model=str(vocab_dir / "ggml-vocab-qwen2.gguf")))
        assert info["draft_model"] is None and "vocabulary differs" in info["draft_model_note"]
        assert any("refused" in r.getMessage() and "ggml-vocab-qwen2" in r.getMessage() for r in caplog.records)
        events = _reply(engine, ChatRequest(QUESTION, GREEDY))
        assert _text(events) and _stats(events).drafter == ""
    finally:
        engine.unload()


@pytest.mark.slow
def test_a_drafter_that_does_not_fit_beside_the_main_model_is_not_loaded(pair, monkeypatch, caplog):
    main, _draft, registry = pair
    need = estimate_local_model(main, 1024).total_bytes
    real = llamacpp_module.probe_hardware

    def small_machine(*args, **kwargs):  # free RAM: the main model and 1 MB more, no GPU
        return replace(real(*args, **kwargs), ram_available_bytes=need + 2**20, gpus=())

    monkeypatch.setattr(llamacpp_module, "probe_hardware", small_machine)
    engine = LlamaCppEngine()
    try:
        with caplog.at_level(logging.INFO, logger="deepseek_desktop.engines.draft_pairing"):
            info = engine.load(_params(main, registry))
        assert info["draft_model"] is None and "does not fit" in info["draft_model_note"]
        assert engine._draft is None
        assert any("not loaded" in r.getMessage() for r in caplog.records)
    finally:
        engine.unload()


@pytest.mark.slow
def test_a_chosen_file_that_is_no_gguf_is_refused_and_the_model_answers(pair, tmp_path):
    main, _draft, registry = pair
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"GGUF" + b"\xff" * 60)
    engine = LlamaCppEngine()
    try:
        info = engine.load(_params(main, registry, draft_model=str(bad)))
        assert info["draft_model"] is None and info["draft_model_refused"] == {"name": "bad.gguf", "reason": "load"}
        cut = tmp_path / "cut.gguf"  # the same vocabulary, its tensors cut off
        with open(main, "rb") as src:
            cut.write_bytes(src.read(20 * 2**20))
        info = engine.load(_params(main, registry, draft_model=str(cut)))
        assert info["draft_model_refused"] == {"name": "cut.gguf", "reason": "load"}
        info = engine.load(_params(main, registry, draft_model=str(tmp_path / "nowhere.gguf")))
        assert info["draft_model_refused"]["reason"] == "missing"
        assert _text(_reply(engine, ChatRequest(QUESTION, GREEDY)))
    finally:
        engine.unload()


@pytest.mark.slow
def test_off_loads_no_drafter_and_a_model_without_a_pair_gets_none(pair, gemma_path):
    main, _draft, registry = pair
    engine = LlamaCppEngine()
    try:
        info = engine.load(_params(main, registry, draft_model="off"))
        assert info["draft_model"] is None and engine._draft is None
        info = engine.load(_params(gemma_path, registry))  # not registered, and no pair for gemma3
        assert info["draft_model"] is None and "knows no draft model" in info["draft_model_note"]
    finally:
        engine.unload()


@pytest.mark.slow
def test_the_window_says_in_one_line_that_a_chosen_drafter_is_not_used(make_gui, gemma_path, vocab_dir):
    from deepseek_desktop.core.model_choice import ModelChoice

    gui = make_gui(settings_values={"llamacpp.draft_model": str(vocab_dir / "ggml-vocab-qwen2.gguf"),
                                    "llamacpp.threads": THREADS, "generation.context_length": 1024})
    window = gui.window
    choice = ModelChoice("llamacpp", str(gemma_path), "Gemma")
    window.engine.load(choice, load_params(gui.settings, str(gemma_path)))
    gui.wait(lambda: window.engine.current == choice and window.engine.state == "ready")
    assert window.engine.model_info["draft_model_refused"] == {"name": "ggml-vocab-qwen2.gguf", "reason": "vocabulary"}
    gui.wait(lambda: window.notices.isVisible())
    assert window.notices.label.text() == ("The draft model ggml-vocab-qwen2.gguf is not used: its vocabulary is not "
                                           "the model's. The model answers without it.")

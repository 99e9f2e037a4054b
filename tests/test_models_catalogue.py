"""The DeepSeek catalogue: its data, lookups, and sizes refreshed from a (local) Hub."""

from __future__ import annotations

import json
import re
import socket

import pytest
from hub_server import HubServer

from deepseek_desktop.models.catalogue.catalogue import QUANT_ORDER, load_catalogue
from deepseek_desktop.models.downloads.sizes import refresh_sizes
from deepseek_desktop.models.errors import CatalogueError

# Bits per weight a llama.cpp quantisation mix can have (small models and MoE tensors push it up).
BPW = {"UD-IQ1_S": (1.4, 2.0), "UD-IQ2_XXS": (2.2, 2.7), "Q2_K_XS": (2.5, 2.8), "UD-Q2_K_XL": (2.6, 3.2),
       "Q2_K_L": (2.8, 3.1), "UD-Q4_K_XL": (4.5, 5.6), "Q2_K": (2.6, 3.6), "Q3_K_M": (3.4, 4.4), "Q4_K_M": (4.5, 5.6),
       "Q5_K_M": (5.3, 6.4), "Q6_K": (6.4, 7.4), "Q8_0": (8.3, 8.9)}


def test_the_family_is_there():
    ids = {m.id for m in load_catalogue().models}
    assert {"deepseek-r1", "deepseek-v3", "deepseek-r1-distill-qwen-1.5b", "deepseek-r1-distill-qwen-7b",
            "deepseek-r1-distill-qwen-14b", "deepseek-r1-distill-qwen-32b", "deepseek-r1-distill-llama-8b",
            "deepseek-r1-distill-llama-70b", "deepseek-coder-v2-lite-instruct", "deepseek-coder-6.7b-instruct",
            "deepseek-coder-33b-instruct", "deepseek-v2-lite-chat"} <= ids


def test_facts_are_consistent_and_sizes_plausible():
    for m in load_catalogue().models:
        assert m.params_active <= m.params_total and m.context_length >= 16384 and m.license
        assert m.arch.layers > 0 and m.arch.heads > 0 and m.arch.vocab > 30000
        if m.arch.attention == "mla":
            assert m.arch.kv_lora_rank == 512 and m.arch.rope_dim == 64 and m.moe
        assert m.gguf_repo.count("/") == 1 and m.gguf, m.id
        for q in m.gguf.values():
            assert q.quant in QUANT_ORDER
            bpw = q.size * 8 / m.params_total
            lo, hi = BPW[q.quant]
            assert lo <= bpw <= hi, f"{m.id} {q.quant}: {bpw:.2f} bits per weight"
            assert all(f.endswith(".gguf") for f in q.files)
        for r in m.mlx:
            assert r.repo.startswith("mlx-community/") and r.repo.endswith(f"-{r.bits}bit")
            assert 0.8 < r.size * 8 / m.params_total / (r.bits + 0.5) < 1.2


def test_671b_models_are_split_gguf_with_every_part_named():
    catalogue = load_catalogue()
    for model_id in ("deepseek-r1", "deepseek-v3"):
        m = catalogue.get(model_id)
        assert m.params_total == 671_000_000_000 and m.params_active == 37_000_000_000
        for q in m.gguf.values():
            assert q.split and q.size / len(q.files) < 50e9, "the Hub keeps parts under 50 GB"
            n = len(q.files)
            assert [re.search(r"-(\d{5})-of-(\d{5})\.gguf$", f).groups() for f in q.files] == [
                (f"{i:05d}", f"{n:05d}") for i in range(1, n + 1)]
    r1 = catalogue.get("deepseek-r1").quant("UD-IQ1_S")
    assert r1.files[0] == "DeepSeek-R1-UD-IQ1_S/DeepSeek-R1-UD-IQ1_S-00001-of-00003.gguf"
    assert not catalogue.get("deepseek-r1-distill-qwen-7b").quant("Q4_K_M").split
    assert catalogue.get("deepseek-r1-distill-llama-70b").quant("Q8_0").split


def test_resolve_specs_and_bad_input():
    catalogue = load_catalogue()
    model, q = catalogue.resolve("DeepSeek-R1-Distill-Qwen-7B:q4_k_m")
    assert model.id == "deepseek-r1-distill-qwen-7b" and q.quant == "Q4_K_M"
    assert q.files == ("DeepSeek-R1-Distill-Qwen-7B-Q4_K_M.gguf",)
    _, mlx = catalogue.resolve("deepseek-r1-distill-qwen-7b:mlx-8bit")
    assert mlx.repo == "mlx-community/DeepSeek-R1-Distill-Qwen-7B-8bit"
    assert catalogue.resolve("deepseek-v3")[1] is None
    with pytest.raises(CatalogueError) as info:
        catalogue.resolve("deepseek-r9")
    assert info.value.message_id == "catalogue.unknown_model" and "deepseek-r9" in info.value.user_text()
    with pytest.raises(CatalogueError) as info:
        catalogue.resolve("deepseek-r1:Q9_K")
    assert info.value.message_id == "catalogue.unknown_quant" and "Q4_K_M" in info.value.user_text()


def test_unreadable_catalogue_file(tmp_path):
    bad = tmp_path / "catalogue.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(CatalogueError) as info:
        load_catalogue(bad)
    assert info.value.message_id == "catalogue.unreadable"


def test_refresh_from_the_hub_updates_sizes_and_split_parts_and_caches_them(tmp_path):
    hub = HubServer()
    hub.add_repo("bartowski/DeepSeek-R1-Distill-Qwen-7B-GGUF", {
        "DeepSeek-R1-Distill-Qwen-7B-Q4_K_M.gguf": b"G" * 4_000, "README.md": b"readme"})
    # Upstream re-split Q4_K_M of R1 into two parts: the refresh finds them by their name.
    hub.add_repo("unsloth/DeepSeek-R1-GGUF", {
        "DeepSeek-R1-Q4_K_M/DeepSeek-R1-Q4_K_M-00001-of-00002.gguf": b"a" * 3_000,
        "DeepSeek-R1-Q4_K_M/DeepSeek-R1-Q4_K_M-00002-of-00002.gguf": b"b" * 2_000})
    hub.start()
    cache = tmp_path / "hub_sizes.json"
    try:
        catalogue, refreshed = refresh_sizes(load_catalogue(), endpoint=hub.url, cache_file=cache)
    finally:
        hub.stop()
    assert refreshed
    q = catalogue.get("deepseek-r1-distill-qwen-7b").quant("Q4_K_M")
    assert q.size == 4_000 and q.exact
    r1 = catalogue.get("deepseek-r1").quant("Q4_K_M")
    assert r1.size == 5_000 and len(r1.files) == 2 and r1.exact
    untouched = catalogue.get("deepseek-r1-distill-qwen-7b").quant("Q8_0")
    original = load_catalogue().get("deepseek-r1-distill-qwen-7b").quant("Q8_0")
    assert not untouched.exact and untouched.size == original.size
    assert "bartowski/DeepSeek-R1-Distill-Qwen-7B-GGUF" in json.loads(cache.read_text())

    offline = load_catalogue(hub_cache=cache)  # a later run without network
    assert offline.get("deepseek-r1").quant("Q4_K_M").size == 5_000


def test_refresh_offline_keeps_the_catalogue():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    catalogue = load_catalogue()
    refreshed_catalogue, refreshed = refresh_sizes(catalogue, endpoint=f"http://127.0.0.1:{port}")
    assert not refreshed and refreshed_catalogue is catalogue

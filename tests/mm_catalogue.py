"""A small model catalogue for the model manager's GUI tests, in the format of
``deepseek_desktop/models/catalogue/catalogue.json``: one small model whose Q4_K_M download is the real Gemma
GGUF served by ``hub_server``, a 70B model and a 671B DeepSeek model that no test machine can hold."""

from __future__ import annotations

import json
from pathlib import Path

from deepseek_desktop.models.catalogue.catalogue import CATALOGUE_FILE

SMALL_ID = "test-gemma-270m"
SMALL_REPO = "test-org/gemma-GGUF"
SMALL_FILE = "gemma-3-270m-Q4_K_M.gguf"
SMALL_SPEC = f"{SMALL_ID}:Q4_K_M"
LARGE_ID = "test-llama-70b"
GIANT_ID = "test-deepseek-r1"

_SMALL_ARCH = {"type": "gemma3", "layers": 18, "embedding": 640, "feed_forward": 2048, "heads": 4,
               "kv_heads": 1, "head_dim": 256, "vocab": 262144}
_LARGE_ARCH = {"type": "llama", "layers": 80, "embedding": 8192, "feed_forward": 28672, "heads": 64,
               "kv_heads": 8, "head_dim": 128, "vocab": 128256}
_GIANT_ARCH = {"type": "deepseek2", "layers": 61, "embedding": 7168, "feed_forward": 18432, "heads": 128,
               "kv_heads": 128, "head_dim": 192, "value_head_dim": 128, "vocab": 129280, "attention": "mla",
               "kv_lora_rank": 512, "rope_dim": 64, "experts": 256, "experts_active": 8, "experts_shared": 1}


def _model(id_: str, name: str, purpose: str, params: int, active: int, arch: dict, repo: str,
           quants: dict, api_model: str = "") -> dict:
    return {"id": id_, "name": name, "family": "test", "purpose": purpose, "original_repo": f"test-org/{name}",
            "released": "2025-01-20", "params_total": params, "params_active": active, "context_length": 32768,
            "license": "MIT", "arch": arch, "api_model": api_model, "gguf": {"repo": repo, "quants": quants},
            "mlx": []}


def write_catalogue(path: Path, small_size: int) -> Path:
    giant_quants = {q: {"file": f"R1-{q}/R1-{q}-00001-of-00003.gguf", "size": size, "parts": 3}
                    for q, size in (("UD-IQ1_S", 131_000_000_000), ("Q4_K_M", 404_000_000_000))}
    data = {
        "schema": 1,
        "api": {"base_url": "https://api.deepseek.com"},
        "advice": json.loads(CATALOGUE_FILE.read_text(encoding="utf-8"))["advice"],  # the app's own rule
        "models": [
            _model(SMALL_ID, "Test Gemma 270M", "chat", 268_000_000, 268_000_000, _SMALL_ARCH, SMALL_REPO,
                   {"Q4_K_M": {"file": SMALL_FILE, "size": small_size}}),
            _model(LARGE_ID, "Test Llama 70B", "reasoning", 70_553_706_496, 70_553_706_496, _LARGE_ARCH,
                   "test-org/llama-70b-GGUF", {"Q4_K_M": {"file": "llama-70b-Q4_K_M.gguf", "size": 42_500_000_000},
                                               "Q8_0": {"file": "llama-70b-Q8_0.gguf", "size": 75_000_000_000}}),
            _model(GIANT_ID, "Test DeepSeek-R1", "reasoning", 671_000_000_000, 37_000_000_000, _GIANT_ARCH,
                   "test-org/R1-GGUF", giant_quants, api_model="deepseek-reasoner"),
        ],
    }
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    return path

"""The catalogue's GGUF file names against the repositories' stored listings, and the script that refreshes them.

The stored listing (``models/catalogue/hub_listing.json``) says where each repository's names come from: the Hub
API (the refresh script), the Hub's file pages (sizes rounded to 0.1 GB), or "unchecked" for the small-model
repositories whose names have not been compared with the Hub yet. Every 671B repository is checked.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hub_server import HubServer

from deepseek_desktop.models.catalogue.catalogue import load_catalogue, load_stored_listing

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "packaging" / "refresh_hub_listing.py"
# Not yet compared with the Hub from here; the refresh script checks them where the Hub can be reached.
UNCHECKED = {
    "unsloth/DeepSeek-R1-0528-GGUF", "bartowski/DeepSeek-R1-Distill-Qwen-1.5B-GGUF",
    "bartowski/DeepSeek-R1-Distill-Qwen-7B-GGUF",  # partly: three of its names were seen on the Hub
    "bartowski/DeepSeek-R1-Distill-Qwen-14B-GGUF", "bartowski/DeepSeek-R1-Distill-Qwen-32B-GGUF",
    "bartowski/DeepSeek-R1-Distill-Llama-8B-GGUF", "bartowski/DeepSeek-R1-Distill-Llama-70B-GGUF",
    "unsloth/DeepSeek-R1-0528-Qwen3-8B-GGUF", "bartowski/DeepSeek-Coder-V2-Lite-Instruct-GGUF",
    "mradermacher/DeepSeek-V2-Lite-Chat-GGUF", "TheBloke/deepseek-coder-6.7B-instruct-GGUF",
    "TheBloke/deepseek-coder-33B-instruct-GGUF",
}


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


@pytest.fixture(scope="module")
def listing():
    return load_stored_listing()


def test_every_catalogue_gguf_is_in_its_repositorys_listing(catalogue, listing):
    for model in catalogue.models:
        if not model.gguf:
            continue
        repo = listing.get(model.gguf_repo)
        assert repo is not None, f"{model.gguf_repo} has no stored listing"
        sizes = {f["name"]: f["size"] for f in repo["files"]}
        for key in model.quants():
            q = model.gguf[key]
            missing = [n for n in q.files if n not in sizes]
            assert not missing, f"{model.id}:{key}: {missing} not in {model.gguf_repo}"
            known = [sizes[n] for n in q.files]
            if all(s is not None for s in known):
                # The file pages round each part to 0.1 GB: the sum may be off by 0.05 GB per part.
                assert abs(sum(known) - q.size) <= 0.05e9 * len(known) + 1, (model.id, key, sum(known), q.size)


def test_which_listings_are_checked_is_said(listing):
    unchecked = {repo for repo, r in listing.items() if not r["checked"]}
    assert unchecked == UNCHECKED
    for repo, r in listing.items():
        assert r["source"], repo
        if repo.startswith("unsloth/DeepSeek-") and repo.endswith("-GGUF") and repo not in UNCHECKED:
            assert r["checked"] and "Hub" in r["source"]


def test_the_facts_checked_against_the_hub(catalogue):
    v3, r1 = catalogue.get("deepseek-v3"), catalogue.get("deepseek-r1")
    # unsloth/DeepSeek-V3-GGUF has Q2_K_XS and Q2_K_L folders, no Q2_K.
    assert "Q2_K" not in v3.gguf and {"Q2_K_XS", "Q2_K_L"} <= set(v3.gguf)
    assert v3.quant("Q2_K_XS").files[0] == "DeepSeek-V3-Q2_K_XS/DeepSeek-V3-Q2_K_XS-00001-of-00005.gguf"
    assert r1.quant("Q8_0").files[0] == "DeepSeek-R1-Q8_0/DeepSeek-R1.Q8_0-00001-of-00015.gguf"
    assert len(r1.quant("Q8_0").files) == 15
    # 140.2 GB on disk (unsloth's "131GB" is GiB); UD-Q2_K_XL about 227 GB.
    assert r1.quant("UD-IQ1_S").size == 140_200_000_000
    assert 226e9 <= r1.quant("UD-Q2_K_XL").size <= 228e9
    # The January and March 2025 conversions predate llama.cpp's MLA cache; R1-0528 and V3.1 have it.
    assert not r1.gguf_mla_cache and not v3.gguf_mla_cache
    assert not catalogue.get("deepseek-v3-0324").gguf_mla_cache
    assert catalogue.get("deepseek-r1-0528").gguf_mla_cache and catalogue.get("deepseek-v3.1").gguf_mla_cache


def _small_catalogue(tmp_path: Path) -> Path:
    data = json.loads((REPO / "deepseek_desktop/models/catalogue/catalogue.json").read_text(encoding="utf-8"))
    model = next(m for m in data["models"] if m["id"] == "deepseek-r1-distill-qwen-1.5b")
    model["gguf"] = {"repo": "test/Tiny-GGUF", "quants": {
        "Q4_K_M": {"file": "Tiny-Q4_K_M.gguf", "size": 10},
        "Q8_0": {"file": "Q8_0/Tiny-Q8_0-00001-of-00002.gguf", "size": 20, "parts": 2}}}
    model["mlx"] = []
    data["models"] = [model]
    data.pop("drafts", None)  # its pairs name models this one-model catalogue does not have
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_refresh_script_writes_the_hubs_exact_listing_and_names_what_moved(tmp_path):
    server = HubServer().start()
    try:
        # Upstream renamed the Q8_0 parts (a dot instead of a dash, as unsloth's R1 Q8_0 has).
        server.add_repo("test/Tiny-GGUF", {"Tiny-Q4_K_M.gguf": b"G" * 1500, "README.md": b"# tiny",
                                           "Q8_0/Tiny.Q8_0-00001-of-00002.gguf": b"A" * 2000,
                                           "Q8_0/Tiny.Q8_0-00002-of-00002.gguf": b"B" * 1200})
        out = tmp_path / "hub_listing.json"
        out.write_text(json.dumps({"schema": 1, "about": "kept", "repos": {"other/Repo": {"source": "x"}}}))
        r = subprocess.run([sys.executable, str(SCRIPT), "--endpoint", server.url, "--output", str(out),
                            "--catalogue", str(_small_catalogue(tmp_path))], capture_output=True, text=True,
                           timeout=120)
    finally:
        server.stop()
    assert r.returncode == 1, r.stderr
    assert "missing on the Hub: test/Tiny-GGUF: Q8_0/Tiny-Q8_0-00001-of-00002.gguf" in r.stdout
    written = json.loads(out.read_text())
    assert written["about"] == "kept" and written["repos"]["other/Repo"] == {"source": "x"}
    repo = written["repos"]["test/Tiny-GGUF"]
    assert repo["source"].startswith("the Hub API (") and repo["checked"]
    assert {f["name"]: f["size"] for f in repo["files"]} == {
        "Tiny-Q4_K_M.gguf": 1500, "Q8_0/Tiny.Q8_0-00001-of-00002.gguf": 2000,
        "Q8_0/Tiny.Q8_0-00002-of-00002.gguf": 1200}


def test_refresh_script_without_a_network_writes_nothing(tmp_path):
    out = tmp_path / "hub_listing.json"
    r = subprocess.run([sys.executable, str(SCRIPT), "--endpoint", "http://127.0.0.1:9", "--output", str(out),
                        "--catalogue", str(_small_catalogue(tmp_path))], capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "cannot be reached" in r.stderr and not out.exists()

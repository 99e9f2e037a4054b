"""Where llama.cpp runs: ggml's loadable backends, the CPU variant ggml picks, and a real Vulkan device.

No GPU here. Mesa's lavapipe (``mesa-vulkan-drivers``) is a real Vulkan driver that runs on the CPU
(device "llvmpipe"): with it the Vulkan backend, the device list, the fit, the offload and a GPU load that
fails all run for real. ``make sysdeps`` installs it; the Vulkan tests skip (saying why) where the llama.cpp
build has no Vulkan backend.
"""

from __future__ import annotations

import ctypes
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import THREADS

CLI = [sys.executable, "-m", "deepseek_desktop"]
ONE_TOKEN_TEXT = 32
# A hang guard, not a speed bound: lavapipe compiles its shader pipelines on a model's first load (minutes on
# two cores other work keeps busy; later loads take them from ~/.cache/mesa_shader_cache).
LAVAPIPE_LOAD = pytest.mark.timeout(1200)


def cli(*args: str, env: dict[str, str] | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=timeout,
                          env=dict(os.environ, **(env or {})))


def devices(env: dict[str, str] | None = None) -> dict:
    r = subprocess.run([sys.executable, "-m", "deepseek_desktop.engine_host", "--devices"], capture_output=True,
                       text=True, timeout=600, env=dict(os.environ, **(env or {})))
    assert r.returncode == 0, r.stderr[-2000:]
    return json.loads(r.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def report() -> dict:
    return devices()


@pytest.fixture(scope="module")
def lavapipe(report) -> dict:
    soft = [d for d in report["devices"] if d["software"]]
    if "Vulkan" not in report["backends"]:
        pytest.skip(f"this llama.cpp build has no Vulkan backend (backends: {report['backends']})")
    if not soft:
        pytest.skip("no software Vulkan device (make sysdeps installs mesa-vulkan-drivers)")
    return soft[0]


def lib_dir() -> Path:
    import llama_cpp.llama_cpp as lowlevel

    return Path(lowlevel._base_path)


def chat(model: Path, *flags: str, env: dict[str, str] | None = None, tokens: int = 16) -> tuple[dict, str, str]:
    r = cli("chat", "--model", str(model), "--prompt", "The capital of France is", "--json", "--max-tokens",
            str(tokens), "--temperature", "0", "--ctx", "1024", *flags, env=env)
    assert r.returncode == 0, r.stderr[-3000:]
    events = [json.loads(line) for line in r.stdout.splitlines()]
    loaded = next(e for e in events if e["type"] == "loaded")
    text = "".join(e["delta"] for e in events if e["type"] in ("text", "reasoning"))
    return loaded, text, r.stderr


# -- the CPU variants ----------------------------------------------------------------------------------
def test_the_loader_picks_the_best_cpu_variant_for_this_cpu(report):
    """Every variant's own score for this CPU, read here independently: the one the engine runs is the best."""
    scores = {}
    for path in sorted(lib_dir().glob("libggml-cpu-*.so")):
        lib = ctypes.CDLL(str(path))
        lib.ggml_backend_score.restype = ctypes.c_int
        scores[path.stem.removeprefix("libggml-cpu-")] = lib.ggml_backend_score()
    if len(scores) < 2:
        pytest.skip(f"this build has one CPU backend, not variants: {sorted(scores)}")
    best = max(scores, key=scores.get)
    assert report["cpu_variant"] == best, scores
    assert "CPU" in report["backends"]
    # The baseline runs anywhere; a release has all fourteen x86 variants, make's build the baseline and this
    # CPU's best (packaging/build_llama.py --cpu-variants here), which is the one ggml picks among all of them.
    assert scores["x64"] > 0


def test_which_variants_a_build_for_this_cpu_carries():
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "packaging"))
    import build_llama

    avx2 = {"sse4_2", "avx", "f16c", "fma", "avx2", "bmi2"}
    avx512 = avx2 | {"avx512f", "avx512cd", "avx512vl", "avx512dq", "avx512bw", "avx512vbmi", "avx512_vnni"}
    assert build_llama.variants_for(avx2) == ["x64", "haswell"]
    assert build_llama.variants_for({"sse4_2"}) == ["x64", "sse42"]
    assert build_llama.variants_for(avx512) == ["x64", "icelake"]
    assert build_llama.variants_for(avx2 | {"avx_vnni"}) == ["x64", "alderlake"]
    # AVX-512 and AVX-VNNI without BF16: two variants go beyond each other; both are built, ggml scores them.
    assert build_llama.variants_for(avx512 | {"avx_vnni"}) == ["x64", "icelake", "alderlake"]
    assert build_llama.variants_for(set()) == ["x64"]


def test_a_lower_cpu_variant_still_answers(gemma_path):
    loaded, text, _ = chat(gemma_path, "--threads", str(THREADS), "--device", "cpu",
                           env={"DEEPSEEK_DESKTOP_CPU_VARIANT": "x64"})
    assert loaded["cpu_variant"] == "x64"
    assert loaded["placement"]["devices"] == [] and loaded["placement"]["cpu_label"] == "x64"
    assert len(text.strip()) > 0


def test_an_unknown_cpu_variant_is_one_clear_line(gemma_path):
    r = cli("chat", "--model", str(gemma_path), "--prompt", "hi", "--max-tokens", "4",
            env={"DEEPSEEK_DESKTOP_CPU_VARIANT": "nonesuch"})
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "nonesuch" in r.stderr


# -- threads by measurement ------------------------------------------------------------------------------
def test_automatic_threads_are_measured_and_shown(gemma_path):
    loaded, text, _ = chat(gemma_path, "--device", "cpu")
    threads = loaded["threads"]
    assert threads["reason"] == "measured" and text.strip()
    measured = {int(k): v for k, v in threads["ms_per_token"].items()}
    import psutil

    cores = psutil.cpu_count(logical=False) or 1
    assert set(measured) == ({1, 2} if cores == 2 else set(measured)) and all(v > 0 for v in measured.values())
    assert threads["threads"] in measured and loaded["placement"]["threads"] == threads["threads"]
    assert f"{threads['threads']} thread" in loaded["summary"]


# -- a Vulkan device: Mesa's lavapipe --------------------------------------------------------------------
def test_the_software_device_is_listed_but_never_automatic(report, lavapipe):
    assert lavapipe["backend"] == "Vulkan" and "llvmpipe" in lavapipe["description"]
    assert lavapipe["total_bytes"] > 0 and 0 < lavapipe["free_bytes"] <= lavapipe["total_bytes"]
    r = cli("doctor")
    assert r.returncode == 0, r.stderr
    assert f"GPU {lavapipe['name']}: llvmpipe" in r.stdout and "emulated on the CPU" in r.stdout
    assert "Models run on: CPU" in r.stdout
    auto = json.loads(cli("models", "fit", "deepseek-r1-distill-qwen-1.5b:Q4_K_M", "--json").stdout)
    assert {f["verdict"] for f in auto["fits"]} <= {"cpu", "no_fit"}


def test_fit_gives_a_gpu_verdict_for_the_chosen_device(lavapipe):
    r = cli("models", "fit", "deepseek-r1-distill-qwen-1.5b:Q4_K_M", "--device", lavapipe["name"], "--ctx", "1024",
            "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["fits"][0]["verdict"] == "gpu"
    assert [g["device"] for g in data["hardware"]["gpus"]] == [lavapipe["name"]]
    text = cli("models", "fit", "deepseek-r1-distill-qwen-1.5b:Q4_K_M", "--device", lavapipe["name"], "--ctx",
               "1024").stdout
    assert "runs fully on the GPU" in text and "emulated on the CPU" in text


@LAVAPIPE_LOAD
def test_the_model_loads_with_every_layer_on_the_device_and_answers_as_the_cpu_does(gemma_path, lavapipe):
    """Greedy text on lavapipe against the CPU backend, the first 32 tokens."""
    gpu, gpu_text, _ = chat(gemma_path, "--device", lavapipe["name"], "--threads", str(THREADS),
                            tokens=ONE_TOKEN_TEXT)
    where = gpu["placement"]
    assert gpu["devices"] == [lavapipe["name"]] and where["backend"] == "Vulkan"
    assert where["gpu_layers"] == where["layers"] and where["layers"] > 1, where
    assert gpu["summary"].startswith("GPU · Vulkan · llvmpipe") and not where["fallback"]
    cpu, cpu_text, _ = chat(gemma_path, "--device", "cpu", "--threads", str(THREADS), tokens=ONE_TOKEN_TEXT)
    assert cpu["placement"]["devices"] == [] and cpu["summary"].startswith("CPU")
    assert gpu_text == cpu_text


@LAVAPIPE_LOAD
def test_a_gpu_load_that_fails_retries_with_fewer_layers_then_the_cpu(gemma_path, lavapipe, monkeypatch):
    """The ladder on the real engine and the real device. Mesa's lavapipe does not enforce the memory size it
    reports, so a GPU that runs out of memory cannot be produced here: the GPU attempts are refused the way
    llama-cpp-python reports llama.cpp's failed allocation (a ValueError), every load that happens is real."""
    from deepseek_desktop.core.requests import LoadParams
    from deepseek_desktop.engines import llamacpp

    real_open = llamacpp.LlamaCppEngine._open
    tried = []

    def refuse_full_offload(self, path, params, plan, flash_attn, progress):
        tried.append((plan.devices, plan.gpu_layers))
        if plan.devices and (plan.gpu_layers < 0 or plan.gpu_layers > 10):
            llamacpp._llama_log().lines.append("ggml_vulkan: Device memory allocation of size 150994944 failed.")
            raise ValueError(f"Failed to load model from file: {path}")
        return real_open(self, path, params, plan, flash_attn, progress)

    monkeypatch.setattr(llamacpp.LlamaCppEngine, "_open", refuse_full_offload)
    engine = llamacpp.LlamaCppEngine()
    try:
        info = engine.load(LoadParams(model=str(gemma_path), n_ctx=1024, device=lavapipe["name"], n_threads=THREADS))
    finally:
        engine.unload()
    where = info["placement"]
    assert tried[0] == ((lavapipe["name"],), -1) and tried[1] == ((lavapipe["name"],), 9), tried
    assert where["fallback"] == "gpu.fewer_layers" and where["gpu_layers"] == 9 and where["layers"] == 19
    assert "Device memory allocation" in where["fallback_detail"]

    tried.clear()

    def refuse_the_gpu(self, path, params, plan, flash_attn, progress):
        tried.append((plan.devices, plan.gpu_layers))
        if plan.devices:
            raise ValueError("Failed to create llama_context")  # a driver error: no number of layers helps
        return real_open(self, path, params, plan, flash_attn, progress)

    monkeypatch.setattr(llamacpp.LlamaCppEngine, "_open", refuse_the_gpu)
    engine = llamacpp.LlamaCppEngine()
    try:
        info = engine.load(LoadParams(model=str(gemma_path), n_ctx=1024, device=lavapipe["name"], n_threads=THREADS))
    finally:
        engine.unload()
    assert [t[1] for t in tried] == [-1, 9, 0] and info["placement"]["fallback"] == "gpu.cpu_instead"
    assert info["placement"]["devices"] == [] and info["devices"] == []


@LAVAPIPE_LOAD
def test_choosing_the_cpu_again_works(gemma_path, lavapipe, app_home):
    assert cli("chat", "--model", str(gemma_path), "--device", lavapipe["name"], "--prompt", "x", "--max-tokens",
               "1").returncode == 0
    loaded, _, _ = chat(gemma_path, "--device", "cpu", "--threads", str(THREADS))
    assert loaded["placement"]["devices"] == []


# -- a GPU no engine can use: a stand-in nvidia-smi, no CUDA pack -------------------------------------------
@pytest.fixture
def rtx4090_without_pack(tmp_path) -> dict[str, str]:
    """nvidia-smi on the PATH that reports an RTX 4090 with 24 GB (the real tool's CSV format)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    tool = bin_dir / "nvidia-smi"
    tool.write_text("#!/bin/sh\necho 'NVIDIA GeForce RTX 4090, 24564, 24000'\n")
    tool.chmod(0o755)
    return {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}


def test_no_advice_promises_a_gpu_the_engine_cannot_use(rtx4090_without_pack):
    env = rtx4090_without_pack
    rec = json.loads(cli("models", "recommend", "--json", env=env).stdout)
    assert rec["hardware"]["gpus"] == [] and rec["best"]["fit"]["verdict"] == "cpu"
    (hint,) = rec["hardware"]["hints"]
    assert hint["name"] == "NVIDIA GeForce RTX 4090" and hint["remedy"] == "pack"
    fit = json.loads(cli("models", "fit", "deepseek-r1-distill-qwen-14b:Q4_K_M", "--json", env=env).stdout)
    assert {f["verdict"] for f in fit["fits"]} <= {"cpu", "no_fit"}
    assert all(f["speed"]["tokens_per_s"] < 20 for f in fit["fits"])  # CPU speeds, not a 4090's
    for args in (("models", "recommend"), ("models", "fit", "deepseek-r1-distill-qwen-14b:Q4_K_M"), ("doctor",)):
        r = cli(*args, env=env)
        assert r.returncode == 0, r.stderr
        assert "An NVIDIA GPU is here (NVIDIA GeForce RTX 4090), but no engine for it is installed: get the GPU " \
               "pack" in r.stdout, r.stdout
        assert "fully on the GPU" not in r.stdout and "partial GPU offload" not in r.stdout
    assert "Models run on: CPU" in cli("doctor", env=env).stdout

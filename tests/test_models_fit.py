"""The fit estimate against real llama.cpp, the verdicts, and the recommendation."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from deepseek_desktop.core.vocabulary import FitVerdict
from deepseek_desktop.models.catalogue.catalogue import load_catalogue
from deepseek_desktop.models.catalogue.recommend import fit_catalogue_model, recommend
from deepseek_desktop.models.fit import ModelShape, assess_fit, estimate_gguf, estimate_memory
from deepseek_desktop.models.gguf.header import check_gguf
from deepseek_desktop.models.hardware import GpuInfo, HardwareInfo

GIB = 1024**3
MIB = 1024**2

# Loads the model the way the app's engine does (llama-cpp-python, n_threads=2, verbose=False) in a
# fresh process, catches llama.cpp's own log through its log callback and measures the RSS growth.
MEASURE = r"""
import ctypes, json, sys
import psutil, llama_cpp
from deepseek_desktop.engines.ggml_backends import load_ggml_backends
load_ggml_backends()  # what llama.cpp's own programs do at start (the app's engine does it too)
lines = []
@llama_cpp.llama_log_callback
def on_log(level, text, user):
    lines.append(text.decode("utf-8", "replace"))
llama_cpp.llama_log_set(on_log, ctypes.c_void_p(0))
proc = psutil.Process()
before = proc.memory_info().rss
llm = llama_cpp.Llama(model_path=sys.argv[1], n_ctx=int(sys.argv[2]), n_threads=2, verbose=False)
llm("The sea is", max_tokens=4)
print(json.dumps({"rss_growth": proc.memory_info().rss - before, "log": "".join(lines)}))
"""


def llama_cpp_reported(log: str) -> dict[str, float]:
    """Sum the buffers llama.cpp says it allocated, in bytes, by kind."""
    out = {"model": 0.0, "kv": 0.0, "output": 0.0, "compute": 0.0}
    for kind, mib in re.findall(r"(model|KV|output|compute) buffer size =\s+([\d.]+) MiB", log):
        out[kind.lower()] += float(mib) * MIB
    return out


@pytest.mark.slow
@pytest.mark.parametrize("n_ctx", [4096, 32768])
def test_estimate_within_15_percent_of_real_llama_cpp(gemma_path, n_ctx):
    done = subprocess.run([sys.executable, "-c", MEASURE, str(gemma_path), str(n_ctx)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    measured = json.loads(done.stdout.strip().splitlines()[-1])
    real = llama_cpp_reported(measured["log"])
    assert real["model"] > 0 and real["kv"] > 0 and real["compute"] > 0, measured["log"][-2000:]
    real_total = sum(real.values())

    estimate = estimate_gguf(check_gguf(gemma_path), n_ctx)
    ratio = estimate.total_bytes / real_total
    print(f"n_ctx={n_ctx}: estimate {estimate.total_bytes / MIB:.1f} MiB, llama.cpp {real_total / MIB:.1f} MiB "
          f"(ratio {ratio:.3f}), RSS growth {measured['rss_growth'] / MIB:.1f} MiB")
    assert 0.85 <= ratio <= 1.15
    assert abs(estimate.kv_cache_bytes - real["kv"]) <= 0.02 * real["kv"], "KV cache by the formula"
    assert abs(estimate.compute_bytes - real["compute"]) <= 0.05 * real["compute"]
    # On a CPU the compute buffer is reserved but only partly touched: what the process really holds
    # stays below the estimate, which is therefore a safe bound for the fit verdict.
    assert measured["rss_growth"] <= estimate.total_bytes * 1.15


def test_kv_cache_formula_known_figures():
    catalogue = load_catalogue()
    llama70 = ModelShape.from_arch(catalogue.get("deepseek-r1-distill-llama-70b").arch)
    e = estimate_memory(llama70, 40 * GIB, 8192)
    assert e.kv_cache_bytes == 80 * 8 * (128 + 128) * 2 * 8192  # 2.5 GiB, the usual Llama-70B figure
    assert estimate_memory(llama70, 40 * GIB, 8192, cache_type="q8_0").kv_cache_bytes == e.kv_cache_bytes * 17 // 32
    v3 = ModelShape.from_arch(catalogue.get("deepseek-v3").arch)
    mla = estimate_memory(v3, 400 * GIB, 16384, flash_attn=True)
    assert mla.kv_cache_bytes == 61 * (512 + 64) * 2 * 16384  # the compressed latent, ~1.1 GiB
    assert estimate_memory(v3, 400 * GIB, 16384).kv_cache_bytes == 61 * (576 + 512) * 2 * 16384
    full_heads = 61 * 128 * (192 + 128) * 2 * 16384
    assert mla.kv_cache_bytes * 30 < full_heads, "MLA's point: far smaller than full K/V heads"


def hw(ram_gib: float, avail_gib: float, *gpus: GpuInfo, cores: int = 8, apple: bool = False) -> HardwareInfo:
    return HardwareInfo("Linux" if not apple else "Darwin", "x86_64" if not apple else "arm64", cores, cores,
                        int(ram_gib * GIB), int(avail_gib * GIB), apple, tuple(gpus))


def test_verdicts_gpu_partial_cpu_no_fit():
    catalogue = load_catalogue()
    model = catalogue.get("deepseek-r1-distill-qwen-32b")
    q4 = model.quant("Q4_K_M")
    rtx4090 = GpuInfo("RTX 4090", "nvidia", 24 * GIB, 23 * GIB)
    a100 = GpuInfo("A100", "nvidia", 80 * GIB, 79 * GIB)

    assert fit_catalogue_model(model, q4, hw(64, 50, a100)).verdict == "gpu"
    partial = fit_catalogue_model(model, q4, hw(64, 50, rtx4090))
    assert partial.verdict == "partial" and 0 < partial.gpu_layers < 64
    on_gpu = partial.gpu_layers * partial.estimate.per_layer_bytes + partial.estimate.compute_bytes
    assert on_gpu <= partial.gpu_budget_bytes, "the suggested layers fit in the GPU budget"
    assert fit_catalogue_model(model, q4, hw(64, 50)).verdict == "cpu"
    tight = fit_catalogue_model(model, q4, hw(32, 12))
    assert tight.verdict == "no_fit" and tight.fits_if_freed
    assert fit_catalogue_model(model, q4, hw(8, 6)).fits_if_freed is False

    mac = GpuInfo("Apple M3 Max", "apple", 96 * GIB, 90 * GIB, unified=True)
    assert fit_catalogue_model(model, q4, hw(128, 110, mac, apple=True)).verdict == "gpu"


def test_longer_context_needs_more():
    model = load_catalogue().get("deepseek-r1-distill-llama-8b")
    small = fit_catalogue_model(model, model.quant("Q8_0"), hw(16, 14), 4096)
    large = fit_catalogue_model(model, model.quant("Q8_0"), hw(16, 14), 131072)
    assert small.verdict == "cpu" and large.verdict == "no_fit"
    assert large.estimate.kv_cache_bytes == 32 * small.estimate.kv_cache_bytes


def test_recommendations_follow_the_machine():
    catalogue = load_catalogue()
    laptop = recommend(catalogue, hw(16, 12, cores=8))
    assert laptop.best is not None and laptop.best.fit.runs
    assert laptop.best.model.params_total < 20e9 and laptop.best.model.purpose != "code"
    assert {r.model.id for r in laptop.remote} >= {"deepseek-r1", "deepseek-v3"}, "671B: the remote route"
    assert all(r.api_model in ("deepseek-reasoner", "deepseek-chat") for r in laptop.remote)

    workstation = recommend(catalogue, hw(128, 120, GpuInfo("A100", "nvidia", 80 * GIB, 79 * GIB), cores=32))
    assert workstation.best.fit.verdict in ("gpu", "partial")
    assert workstation.best.model.params_total > laptop.best.model.params_total
    assert workstation.per_purpose["code"].fit.verdict == "gpu"
    assert workstation.per_purpose["code"].model.id == "deepseek-coder-33b-instruct"

    studio = recommend(catalogue, hw(512, 480, GpuInfo("Apple M3 Ultra", "apple", 400 * GIB, 400 * GIB, True),
                                   cores=24, apple=True))
    assert "deepseek-r1" not in {r.model.id for r in studio.remote}, "a 512 GB Mac can hold R1 quantised"
    assert studio.best.model.params_total >= 600e9

    tiny = recommend(catalogue, hw(2, 1))
    assert tiny.best is None and tiny.remote


def test_mlx_only_on_apple_silicon():
    catalogue = load_catalogue()
    mac = hw(64, 50, GpuInfo("Apple M2 Pro", "apple", 42 * GIB, 42 * GIB, True), apple=True)
    from deepseek_desktop.models.catalogue.recommend import candidates

    assert any(c.format == "mlx" for c in candidates(catalogue, mac))
    assert not any(c.format == "mlx" for c in candidates(catalogue, hw(64, 50)))


def test_fit_reads_a_split_gguf_from_all_parts(tmp_path):
    from conftest import make_gguf

    from deepseek_desktop.models.local.inspection import inspect_gguf

    make_gguf(tmp_path / "m-00001-of-00002.gguf", n_tensors=2)
    make_gguf(tmp_path / "m-00002-of-00002.gguf", n_tensors=3)
    info, headers = inspect_gguf(tmp_path / "m-00002-of-00002.gguf")
    assert len(headers) == 2 and info.parameters == 5 * 8 * 16
    e = estimate_gguf(headers, 128)
    assert e.weights_bytes >= 5 * 8 * 16 * 4
    assert assess_fit(e, hw(8, 6)).verdict == "cpu"


def test_a_mixture_of_experts_gguf_runs_with_its_experts_in_ram():
    """R1's UD-Q2_K_XL (about 227 GB, about 212 GB of it routed experts) on one RTX 4090 and 256 GB of RAM:
    layers cannot be split that way (every layer is 3.7 GB), but attention, the shared parts and the cache fit
    the card once the experts stay in RAM: what the "Experts in system RAM" setting loads."""
    from dataclasses import replace

    from deepseek_desktop.models.catalogue.catalogue import load_catalogue
    from deepseek_desktop.models.launch.layout import catalogue_source
    from deepseek_desktop.models.launch.plan import load_engines

    src = catalogue_source(load_catalogue().get("deepseek-r1"), "UD-Q2_K_XL", load_engines())
    estimate = replace(estimate_memory(src.shape, src.weights_bytes, 4096, cache_type="q8_0", flash_attn=True),
                       expert_bytes=src.expert_bytes)
    hw = HardwareInfo("Linux", "x86_64", 16, 32, 256 * GIB, 250 * GIB,
                      gpus=(GpuInfo("RTX 4090", "nvidia", 24 * GIB, 23 * GIB),))
    fit = assess_fit(estimate, hw)
    assert fit.verdict is FitVerdict.PARTIAL and fit.experts_in_ram and fit.gpu_layers == -1
    # Without the expert split the same file only runs a few layers on the card.
    plain = assess_fit(replace(estimate, expert_bytes=0), hw)
    assert not plain.experts_in_ram and plain.gpu_layers < 10

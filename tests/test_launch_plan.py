"""The launch planner on the quantisation guide's hardware setups, and ``deepseek-desktop models plan``.

Each setup of the guide gets the verdict and layout a reader of the guide would expect, except where the
guide's sizes are wrong: it puts DeepSeek-V3 Q4_K_M at 252 GB, the real GGUF is about 404 GB (the
catalogue's size), so four A100 80 GB do not hold Q4_K_M; Q2_K (245 GB) is what fits there.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys

import pytest

from deepseek_desktop.models.catalogue.catalogue import load_catalogue
from deepseek_desktop.models.launch.cluster import GIB, ClusterHardware, PlanInputError, parse_gpus, preset_hardware
from deepseek_desktop.models.launch.layout import catalogue_source
from deepseek_desktop.models.launch.plan import load_engines, plan_engine, plan_launch

CLI = [sys.executable, "-m", "deepseek_desktop"]


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


def by_engine(plans):
    return {p.engine: p for p in plans}


def test_two_rtx_3080ti_and_two_rtx_4090_cannot_run_v3_and_say_what_would(catalogue):
    for preset in ("2x-rtx-3080ti", "2x-rtx-4090"):
        plans = by_engine(plan_launch(catalogue, "deepseek-v3", preset_hardware(preset), ctx=8192))
        assert {p.verdict for p in plans.values()} == {"no_fit"}, preset
        for p in plans.values():
            kinds = [s.kind for s in p.suggestions]
            assert kinds[-1] == "api" and p.suggestions[-1].api_model == "deepseek-chat"
            assert "gpus" in kinds, (preset, p.engine, kinds)
    # Even the smallest 1.58-bit R1 (131 GB) needs more than 48 GB: more GPUs, not a smaller quant.
    r1 = by_engine(plan_launch(catalogue, "deepseek-r1:UD-IQ1_S", preset_hardware("2x-rtx-4090"), ctx=8192))
    more = next(s for s in r1["llamacpp"].suggestions if s.kind == "gpus")
    assert more.nodes * more.gpus_per_node * 24 * GIB > 131e9
    assert not any(s.kind == "quant" for s in r1["llamacpp"].suggestions)
    # Without a quantisation, no GGUF fits two 4090: the smallest (1.58-bit) one needs the fewest more GPUs.
    auto = by_engine(plan_launch(catalogue, "deepseek-r1", preset_hardware("2x-rtx-4090"), ctx=8192))["llamacpp"]
    fewest = [s for s in auto.suggestions if s.kind == "gpus"]
    # 131 GB over 7 cards is 17.4 GiB each plus cache and buffers, within a 4090's usable 22 GiB; 6 would not do
    assert fewest[-1].quant == "UD-IQ1_S" and (fewest[-1].nodes, fewest[-1].gpus_per_node) == (1, 7)
    assert fewest[0].nodes * fewest[0].gpus_per_node > 7


def test_four_a100_q4_k_m_does_not_fit_at_its_real_size_and_q2_k_does(catalogue):
    hw = preset_hardware("4x-a100-80gb")
    q4 = by_engine(plan_launch(catalogue, "deepseek-v3:Q4_K_M", hw, ctx=8192, engine_ids=("llamacpp",)))["llamacpp"]
    assert q4.verdict == "no_fit" and q4.weights_bytes == catalogue.get("deepseek-v3").quant("Q4_K_M").size
    assert [s.kind for s in q4.suggestions][:2] == ["quant", "gpus"]
    assert q4.suggestions[0].quant == "Q2_K"
    assert q4.suggestions[1].nodes == 1 and q4.suggestions[1].gpus_per_node == 6

    best = by_engine(plan_launch(catalogue, "deepseek-v3", hw, ctx=8192))
    plan = best["llamacpp"]
    assert plan.fits and plan.precision == "Q2_K"
    assert plan.tensor_split == (80, 80, 80, 80) and plan.gpu_layers == 62
    head = plan.nodes[0]["commands"][-1]
    assert "--tensor-split 80,80,80,80" in head and "--ctx-size 8192" in head and "--rpc" not in head
    assert "--flash-attn on" in head and "--cache-type-k q8_0 --cache-type-v q8_0" in head
    assert "DeepSeek-V3-Q2_K-00001-of-00005.gguf" in head
    # FP8 (671 GB) needs twice these GPUs: SGLang and vLLM do not fit and say so.
    assert best["sglang"].verdict == best["vllm"].verdict == "no_fit"


def test_eight_h100_run_q5_k_m_with_full_context_and_fp8_needs_a_second_node(catalogue):
    hw = preset_hardware("8x-h100-80gb")
    plans = by_engine(plan_launch(catalogue, "deepseek-v3:Q5_K_M", hw, ctx=32768))
    q5 = plans["llamacpp"]
    assert q5.fits and q5.tensor_split == (80,) * 8 and q5.need_per_gpu <= q5.usable_per_gpu
    assert plans["sglang"].precision == "FP8" and plans["sglang"].verdict == "no_fit"
    more = next(s for s in plans["sglang"].suggestions if s.kind == "gpus")
    assert (more.nodes, more.gpus_per_node) == (2, 8)

    two = by_engine(plan_launch(catalogue, "deepseek-v3", ClusterHardware(2, 8, 80 * GIB, "nvidia",
                                                                     ("10.1.0.1", "10.1.0.2")), ctx=32768))
    sg, vl, lc = two["sglang"], two["vllm"], two["llamacpp"]
    assert sg.fits and sg.tp == 16 and len(sg.nodes) == 2
    for rank, node in enumerate(sg.nodes):
        cmd = node["commands"][0]
        assert cmd.startswith("python3 -m sglang.launch_server --model-path /models/DeepSeek-V3 ")
        assert f"--tp 16 --nnodes 2 --node-rank {rank} --dist-init-addr 10.1.0.1:5000" in cmd
        assert "--trust-remote-code" in cmd
    assert sg.download_on == "every" and sg.download.startswith("huggingface-cli download deepseek-ai/DeepSeek-V3 ")
    assert vl.fits and (vl.tp, vl.pp) == (8, 2)
    assert vl.nodes[0]["commands"] == [
        "ray start --head --port=6379",
        "vllm serve /models/DeepSeek-V3 --served-model-name deepseek-v3 --tensor-parallel-size 8 "
        "--pipeline-parallel-size 2 --max-model-len 32768 --trust-remote-code --host 0.0.0.0 --port 8000"]
    assert vl.nodes[1]["commands"] == ["ray start --address=10.1.0.1:6379"]
    assert vl.base_url == "http://10.1.0.1:8000/v1"
    assert "--rpc 10.1.0.2:50052" in lc.nodes[0]["commands"][0] and lc.download_on == "head"
    assert lc.nodes[1]["commands"] == ["build/bin/ggml-rpc-server --host 0.0.0.0 --port 50052"]
    assert {"role": "worker", "port": 50052} in lc.ports


def test_bf16_is_converted_from_the_published_fp8_weights_and_needs_twice_the_memory(catalogue):
    hw = ClusterHardware(2, 8, 141 * GIB, "nvidia", ("10.2.0.1", "10.2.0.2"))
    fp8, bf16 = (by_engine(plan_launch(catalogue, f"deepseek-v3:{p}", hw, ctx=8192, engine_ids=("vllm",)))["vllm"]
                 for p in ("FP8", "BF16"))
    assert bf16.weights_bytes == 2 * fp8.weights_bytes == 2 * 671_000_000_000
    assert bf16.download == (
        "huggingface-cli download deepseek-ai/DeepSeek-V3 --local-dir /models/DeepSeek-V3 && git clone "
        "https://github.com/deepseek-ai/DeepSeek-V3 && python DeepSeek-V3/inference/fp8_cast_bf16.py "
        "--input-fp8-hf-path /models/DeepSeek-V3 --output-bf16-hf-path /models/DeepSeek-V3-bf16")
    assert "vllm serve /models/DeepSeek-V3-bf16 " in bf16.nodes[0]["commands"][-1]
    assert "vllm serve /models/DeepSeek-V3 " in fp8.nodes[0]["commands"][-1]


def test_tensor_parallel_size_divides_the_attention_heads(catalogue):
    six = by_engine(plan_launch(catalogue, "deepseek-v3", ClusterHardware(1, 6, 141 * GIB), ctx=8192))
    assert six["vllm"].tp == 4 and six["vllm"].idle_gpus == 2  # 128 heads: 6 does not divide them
    twelve = by_engine(plan_launch(catalogue, "deepseek-v3", ClusterHardware(2, 6, 141 * GIB), ctx=8192))
    assert twelve["sglang"].tp == 8 and twelve["sglang"].idle_gpus == 4  # a multiple of the 2 nodes
    assert twelve["vllm"].tp == 4 and twelve["vllm"].pp == 2


def test_apple_and_cpu_clusters_get_llama_cpp_only(catalogue):
    plans = by_engine(plan_launch(catalogue, "deepseek-r1", preset_hardware("2x-mac-studio-192gb"), ctx=8192))
    assert plans["sglang"].verdict == plans["vllm"].verdict == "unsupported"
    assert plans["llamacpp"].fits and plans["llamacpp"].usable_per_gpu == int(192 * GIB * 0.75)
    assert "-DGGML_CUDA" not in plans["llamacpp"].install


def test_the_kv_cache_is_mla_sized_and_shorter_context_is_a_suggestion(catalogue):
    model = catalogue.get("deepseek-v3")
    engines = load_engines()
    src = catalogue_source(model, "FP8", engines)
    hw = ClusterHardware(1, 8, 141 * GIB)
    plan = plan_engine("sglang", src, hw, 131072, engines=engines, model=model)
    # 61 layers x (512 + 64) latent x 2 bytes per token, whole on every tensor-parallel rank.
    assert plan.kv_per_gpu == 131072 * 61 * 576 * 2
    tight = ClusterHardware(1, 8, 96 * GIB)
    tight_plan = plan_engine("sglang", src, tight, 131072, engines=engines, model=model)
    assert tight_plan.verdict == "no_fit"
    ctx = next(s for s in tight_plan.suggestions if s.kind == "ctx")
    assert plan_engine("sglang", src, tight, ctx.ctx, engines=engines, model=model).fits


def test_a_new_engine_release_is_a_data_change(catalogue):
    engines = copy.deepcopy(load_engines())
    rule = engines["engines"]["sglang"]
    rule["commands"]["every"][0]["cmd"] += " --enable-dp-attention"
    rule["api_port"] = 31000
    plan = plan_engine("sglang", catalogue_source(catalogue.get("deepseek-v3"), "FP8", engines),
                       preset_hardware("8x-h200"), 8192, engines=engines)
    assert plan.nodes[0]["commands"][0].endswith("--port 31000 --enable-dp-attention")
    assert "--nnodes" not in plan.nodes[0]["commands"][0]  # one machine: the multi-node flags are left out


def test_hardware_input_is_checked():
    assert parse_gpus("8x80GB") == (8, 80 * GIB) and parse_gpus(" 4 × 24 gb") == (4, 24 * GIB)
    for bad in ("eight", "8x", "x80GB", "8x80TB", ""):
        with pytest.raises(PlanInputError):
            parse_gpus(bad)
    with pytest.raises(PlanInputError):
        ClusterHardware(0, 8, 80 * GIB)
    with pytest.raises(PlanInputError):
        ClusterHardware(1, 8, 80 * GIB, vendor="intel")


def run_cli(*args):
    return subprocess.run(CLI + list(args), capture_output=True, text=True, timeout=120, env=os.environ.copy())


def test_cli_plan_json_and_text():
    r = run_cli("models", "plan", "deepseek-v3", "--gpus", "8x80GB", "--nodes", "2", "--engine", "sglang",
                "--engine", "vllm", "--ctx", "16384", "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert [p["engine"] for p in data["plans"]] == ["sglang", "vllm"]
    assert data["plans"][0]["tp"] == 16 and data["plans"][0]["verdict"] == "fits"
    assert data["hardware"]["hosts"] == ["node0", "node1"]

    r = run_cli("models", "plan", "deepseek-v3:Q4_K_M", "--preset", "4x-a100-80gb", "--engine", "llamacpp",
                "--ctx", "8192")
    assert r.returncode == 0, r.stderr
    assert "does not fit" in r.stdout and "Q2_K" in r.stdout and "deepseek-chat" in r.stdout


@pytest.mark.parametrize("args, text", [
    (["deepseek-v3", "--gpus", "eight"], "is not COUNTxMEMORY"),
    (["deepseek-v3", "--gpus", "8x80GB", "--nodes", "0"], "nodes must be 1-64"),
    (["deepseek-v3", "--gpus", "8x80GB", "--ctx", "10"], "--ctx must be between"),
    (["deepseek-v3"], "give --gpus"),
    (["deepseek-v3:Q9_K", "--gpus", "8x80GB"], "Q9_K"),
    (["no-such-model", "--gpus", "8x80GB"], "no-such-model"),
])
def test_cli_plan_bad_input_is_one_line(args, text):
    r = run_cli("models", "plan", *args)
    assert r.returncode == 2, (r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and text in lines[0] and "Traceback" not in r.stderr

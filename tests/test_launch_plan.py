"""The launch planner on the quantisation guide's hardware setups, and ``deepseek-desktop models plan``.

Each setup of the guide gets the verdict and layout a reader of the guide would expect, except where the
guide's sizes are wrong: it puts DeepSeek-V3 Q4_K_M at 252 GB, the real GGUF is about 404 GB (the
catalogue's size), so four A100 80 GB do not hold Q4_K_M; Q2_K (245 GB) is what fits there.
"""

from __future__ import annotations

import copy
import dataclasses
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


CLUSTER_ENGINES = ("sglang", "vllm", "llamacpp")


def test_two_rtx_3080ti_and_two_rtx_4090_cannot_run_v3_and_say_what_would(catalogue):
    for preset in ("2x-rtx-3080ti", "2x-rtx-4090"):
        plans = by_engine(plan_launch(catalogue, "deepseek-v3", preset_hardware(preset), ctx=8192,
                                      engine_ids=CLUSTER_ENGINES))
        assert {p.verdict for p in plans.values()} == {"no_fit"}, preset
        for p in plans.values():
            kinds = [s.kind for s in p.suggestions]
            assert kinds[-1] == "api" and p.suggestions[-1].api_model == "deepseek-chat"
            assert "gpus" in kinds, (preset, p.engine, kinds)
    # An RTX 3080 Ti (Ampere) has no FP8: SGLang is planned with the weights it can compute in, not FP8.
    ampere = by_engine(plan_launch(catalogue, "deepseek-v3", preset_hardware("2x-rtx-3080ti"), ctx=8192,
                                   engine_ids=("sglang",)))["sglang"]
    assert ampere.precision != "FP8"
    # Even the smallest 1.58-bit R1 (140 GB) needs more than 48 GB: more GPUs, not a smaller quant.
    r1 = by_engine(plan_launch(catalogue, "deepseek-r1:UD-IQ1_S", preset_hardware("2x-rtx-4090"), ctx=8192))
    more = next(s for s in r1["llamacpp"].suggestions if s.kind == "gpus")
    assert more.nodes * more.gpus_per_node * 24 * GIB > 140e9
    assert not any(s.kind == "quant" for s in r1["llamacpp"].suggestions)
    # Without a quantisation, no GGUF fits two 4090: the smallest (1.58-bit) one needs the fewest more GPUs.
    auto = by_engine(plan_launch(catalogue, "deepseek-r1", preset_hardware("2x-rtx-4090"), ctx=8192))["llamacpp"]
    fewest = [s for s in auto.suggestions if s.kind == "gpus"]
    assert fewest[-1].quant == "UD-IQ1_S"
    assert fewest[-1].nodes * fewest[-1].gpus_per_node < fewest[0].nodes * fewest[0].gpus_per_node


def test_four_a100_no_fp8_and_what_sglang_offers_instead(catalogue):
    hw = preset_hardware("4x-a100-80gb")
    fp8 = by_engine(plan_launch(catalogue, "deepseek-r1:FP8", hw, ctx=8192, engine_ids=("sglang",)))["sglang"]
    assert fp8.verdict == "unsupported" and fp8.reason == "arch" and not fp8.nodes
    assert [s.quant for s in fp8.suggestions if s.kind == "precision"] == ["BF16", "INT8", "AWQ"]
    auto = by_engine(plan_launch(catalogue, "deepseek-r1", hw, ctx=8192, engine_ids=("sglang",)))["sglang"]
    # SGLang's table for A100: BF16 on 4 x 8, INT8 on 2 x 8, AWQ on one node of 8 with --quantization moe_wna16.
    assert auto.precision == "BF16" and auto.verdict == "no_fit"
    gpus = {s.quant: (s.nodes, s.gpus_per_node) for s in auto.suggestions if s.kind == "gpus"}
    assert gpus == {"": (4, 8), "INT8": (2, 8), "AWQ": (1, 8)}
    awq = by_engine(plan_launch(catalogue, "deepseek-r1:AWQ", ClusterHardware(1, 8, 80 * GIB, arch="ampere"),
                                ctx=8192, engine_ids=("sglang",)))["sglang"]
    assert awq.fits and "--quantization moe_wna16" in awq.nodes[0]["commands"][0]
    assert awq.download.startswith("hf download cognitivecomputations/DeepSeek-R1-AWQ ")
    int8 = by_engine(plan_launch(catalogue, "deepseek-r1:INT8", ClusterHardware(2, 8, 80 * GIB, arch="ampere"),
                                 ctx=8192, engine_ids=("sglang",)))["sglang"]
    assert int8.fits and "--quantization w8a8_int8" in int8.nodes[1]["commands"][0]


def test_four_a100_q4_k_m_does_not_fit_at_its_real_size(catalogue):
    hw = preset_hardware("4x-a100-80gb")
    q4 = by_engine(plan_launch(catalogue, "deepseek-r1:Q4_K_M", hw, ctx=8192, engine_ids=("llamacpp",)))["llamacpp"]
    assert q4.verdict == "no_fit" and q4.weights_bytes == catalogue.get("deepseek-r1").quant("Q4_K_M").size
    assert [s.kind for s in q4.suggestions][:2] == ["quant", "gpus"]
    assert q4.suggestions[0].quant == "UD-Q2_K_XL"
    best = by_engine(plan_launch(catalogue, "deepseek-v3", hw, ctx=8192, engine_ids=("llamacpp",)))["llamacpp"]
    assert best.fits and best.precision == "Q2_K_L"
    assert best.tensor_split == (80, 80, 80, 80) and best.gpu_layers == 62
    head = best.nodes[0]["commands"][-1]
    assert "--tensor-split 80,80,80,80" in head and "--ctx-size 8192" in head and "--rpc" not in head
    assert "--flash-attn on" in head and "--cache-type-k q8_0 --cache-type-v q8_0" in head
    assert "DeepSeek-V3-Q2_K_L/DeepSeek-V3-Q2_K_L-00001-of-00005.gguf" in head
    assert best.download == ('hf download unsloth/DeepSeek-V3-GGUF --include "DeepSeek-V3-Q2_K_L/*" '
                             "--local-dir /models/DeepSeek-V3-GGUF")


def test_old_ggufs_cache_every_head_and_that_flips_the_verdict(catalogue):
    """The January 2025 R1 GGUFs load in llama.cpp without the MLA latent: 128 x (192 + 128) values per token
    and layer, 71 times 576. At 128K on 8 x H100 the Q4_K_M fits with a latent cache and does not without."""
    hw = preset_hardware("8x-h100-80gb")
    r1 = catalogue.get("deepseek-r1")
    engines = load_engines()
    old = plan_engine("llamacpp", catalogue_source(r1, "Q4_K_M", engines), hw, 131072, engines=engines, model=r1)
    new_model = dataclasses.replace(r1, gguf_mla_cache=True)
    new = plan_engine("llamacpp", catalogue_source(new_model, "Q4_K_M", engines), hw, 131072, engines=engines,
                      model=new_model)
    assert old.kv_cache == "full" and new.kv_cache == "latent"
    assert 128 * (192 + 128) == 40960 and round(40960 / 576) == 71
    assert old.kv_per_gpu == pytest.approx(new.kv_per_gpu * 40960 / 576, rel=0.01)
    assert new.fits and not old.fits
    assert any(s.kind == "ctx" for s in old.suggestions)
    # A GGUF converted after the change (R1-0528) keeps the latent.
    assert catalogue_source(catalogue.get("deepseek-r1-0528"), "Q4_K_M", engines).shape.attention == "mla"


def test_two_nodes_of_eight_h100(catalogue):
    two = by_engine(plan_launch(catalogue, "deepseek-v3", ClusterHardware(2, 8, 80 * GIB, "nvidia",
                                                                     ("10.1.0.1", "10.1.0.2"), "hopper"), ctx=32768))
    sg, vl, lc = two["sglang"], two["vllm"], two["llamacpp"]
    assert sg.fits and sg.precision == "FP8" and sg.tp == 16 and len(sg.nodes) == 2
    for rank, node in enumerate(sg.nodes):
        cmd = node["commands"][0]
        assert cmd.startswith("python3 -m sglang.launch_server --model-path /models/DeepSeek-V3 ")
        assert f"--tp-size 16 --nnodes 2 --node-rank {rank} --dist-init-addr 10.1.0.1:5000" in cmd
        assert "--trust-remote-code" in cmd and cmd.endswith('--api-key "$LAUNCH_API_KEY"')
    assert {o["id"] for o in sg.options} == {"dp_attention", "mtp"}
    assert sg.download_on == "every" and sg.download.startswith("hf download deepseek-ai/DeepSeek-V3 ")
    assert vl.fits and (vl.tp, vl.pp) == (8, 2)
    assert vl.nodes[0]["commands"] == [
        "VLLM_HOST_IP=10.1.0.1 ray start --head --node-ip-address=10.1.0.1 --port=6379",
        "VLLM_HOST_IP=10.1.0.1 vllm serve /models/DeepSeek-V3 --served-model-name deepseek-v3 "
        "--tensor-parallel-size 8 --pipeline-parallel-size 2 --distributed-executor-backend ray "
        '--max-model-len 32768 --trust-remote-code --host 0.0.0.0 --port 8000 --api-key "$LAUNCH_API_KEY"']
    assert vl.nodes[1]["commands"] == ["VLLM_HOST_IP=10.1.0.2 ray start --address=10.1.0.1:6379 "
                                       "--node-ip-address=10.1.0.2"]
    assert "ray" in vl.install and any("does not bring Ray" in n for n in vl.notes)
    assert {"role": "head", "port": 6379, "access": "private"} in vl.ports
    assert "unencrypted" in vl.ports_note and "VLLM_HOST_IP" in vl.ports_note
    assert vl.base_url == "http://10.1.0.1:8000/v1" and vl.api_key_setup.startswith("export LAUNCH_API_KEY=")
    assert "--rpc 10.1.0.2:50052" in lc.nodes[0]["commands"][0] and lc.download_on == "head"
    # The RPC worker listens on its own private address, with its local tensor cache.
    assert lc.nodes[1]["commands"] == ["build/bin/ggml-rpc-server --host 10.1.0.2 --port 50052 -c"]
    assert {"role": "worker", "port": 50052, "access": "private"} in lc.ports
    assert any("rpc-server" in n and "older" in n for n in lc.notes)


def test_one_machine_listens_on_loopback_with_a_key(catalogue):
    plan = by_engine(plan_launch(catalogue, "deepseek-v3", preset_hardware("8x-h200"), ctx=8192,
                                 engine_ids=("sglang",)))["sglang"]
    cmd = plan.nodes[0]["commands"][0]
    assert "--host 127.0.0.1" in cmd and '--api-key "$LAUNCH_API_KEY"' in cmd and "--nnodes" not in cmd
    assert plan.ports == [{"role": "head", "port": 30000, "access": "local"}]
    assert plan.base_url == "http://127.0.0.1:30000/v1" and any("ssh -N -L 30000" in n for n in plan.notes)
    public = by_engine(plan_launch(catalogue, "deepseek-v3", preset_hardware("8x-h200"), ctx=8192,
                                   engine_ids=("sglang",), bind="0.0.0.0"))["sglang"]
    assert "--host 0.0.0.0" in public.nodes[0]["commands"][0] and public.ports[0]["access"] == "clients"
    assert '--api-key "$LAUNCH_API_KEY"' in public.nodes[0]["commands"][0]


def test_bf16_is_converted_from_the_published_fp8_weights_and_needs_twice_the_memory(catalogue):
    hw = ClusterHardware(2, 8, 141 * GIB, "nvidia", ("10.2.0.1", "10.2.0.2"), "hopper")
    fp8, bf16 = (by_engine(plan_launch(catalogue, f"deepseek-v3:{p}", hw, ctx=8192, engine_ids=("vllm",)))["vllm"]
                 for p in ("FP8", "BF16"))
    assert bf16.weights_bytes == 2 * fp8.weights_bytes == 2 * 671_000_000_000
    assert bf16.download == (
        "hf download deepseek-ai/DeepSeek-V3 --local-dir /models/DeepSeek-V3 && git clone "
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


def test_one_gpu_and_a_lot_of_ram_keeps_the_experts_in_ram(catalogue):
    hw = preset_hardware("rtx-4090-256gb-ram")
    plan = by_engine(plan_launch(catalogue, "deepseek-r1", hw, ctx=4096,
                                 engine_ids=("llamacpp_experts",)))["llamacpp_experts"]
    assert plan.fits and plan.precision == "UD-Q2_K_XL"
    cmd = plan.nodes[0]["commands"][0]
    assert '--n-gpu-layers 999 --override-tensor ".ffn_.*_exps.=CPU"' in cmd
    assert plan.ram_need <= plan.ram_usable == int(256 * GIB * 0.9)
    assert plan.need_per_gpu <= plan.usable_per_gpu
    # Without the RAM the plan cannot say it fits; with too little it says what would.
    no_ram = by_engine(plan_launch(catalogue, "deepseek-r1:UD-Q2_K_XL", dataclasses.replace(hw, ram_bytes=0),
                                   ctx=4096, engine_ids=("llamacpp_experts",)))["llamacpp_experts"]
    assert no_ram.verdict == "no_fit" and no_ram.reason == "ram"
    small = by_engine(plan_launch(catalogue, "deepseek-r1:UD-Q2_K_XL", dataclasses.replace(hw, ram_bytes=192 * GIB),
                                  ctx=4096, engine_ids=("llamacpp_experts",)))["llamacpp_experts"]
    assert small.verdict == "no_fit" and small.suggestions[0].quant in ("UD-IQ1_S", "UD-IQ2_XXS")
    # Two 80 GB GPUs have room for some layers' experts: --n-cpu-moe keeps only the first N in RAM.
    two = ClusterHardware(1, 2, 80 * GIB, arch="hopper", ram_bytes=256 * GIB)
    big = by_engine(plan_launch(catalogue, "deepseek-r1:UD-Q2_K_XL", two, ctx=4096,
                                engine_ids=("llamacpp_experts",)))["llamacpp_experts"]
    assert big.fits and 0 < big.cpu_moe_layers < 61
    assert f"--n-cpu-moe {big.cpu_moe_layers}" in big.nodes[0]["commands"][0]
    assert by_engine(plan_launch(catalogue, "deepseek-r1", preset_hardware("2x8-h100-80gb"), ctx=4096,
                                 engine_ids=("llamacpp_experts",)))["llamacpp_experts"].reason == "one_machine"


def test_macs_run_the_mlx_weights(catalogue):
    one = by_engine(plan_launch(catalogue, "deepseek-r1", preset_hardware("mac-studio-512gb"), ctx=8192))
    mlx = one["mlx"]
    assert mlx.fits and mlx.precision == "MLX 4-bit" and mlx.download.startswith("hf download mlx-community/")
    assert mlx.nodes[0]["commands"] == [f"sudo sysctl iogpu.wired_limit_mb={int(512 * 1024 * 0.9)}",
                                        "mlx_lm.server --model /models/DeepSeek-R1-4bit --host 127.0.0.1 --port 8080"]
    assert mlx.served_name == "/models/DeepSeek-R1-4bit" and not mlx.api_key_setup
    assert one["sglang"].verdict == one["vllm"].verdict == one["llamacpp_experts"].verdict == "unsupported"
    two = by_engine(plan_launch(catalogue, "deepseek-r1",
                                dataclasses.replace(preset_hardware("2x-mac-studio-256gb"), hosts=("m1", "m2")),
                                ctx=8192, engine_ids=("mlx",)))["mlx"]
    assert two.fits and two.pp == 2
    assert two.nodes[0]["commands"][1] == ("mlx.launch --backend ring --hosts m1,m2 --starting-port 32323 -- "
                                           "mlx_lm.server --model /models/DeepSeek-R1-4bit --pipeline --host "
                                           "127.0.0.1 --port 8080")
    assert {"role": "worker", "port": 32323, "access": "private"} in two.ports
    assert "ring" in two.ports_note and "jaccl" in two.ports_note
    small = by_engine(plan_launch(catalogue, "deepseek-r1", preset_hardware("2x-mac-studio-192gb"), ctx=8192,
                                  engine_ids=("mlx",)))["mlx"]
    assert small.verdict == "no_fit"


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
    rule["commands"]["every"][0]["cmd"] += " --enable-metrics"
    rule["api_port"] = 31000
    plan = plan_engine("sglang", catalogue_source(catalogue.get("deepseek-v3"), "FP8", engines),
                       preset_hardware("8x-h200"), 8192, engines=engines)
    assert plan.nodes[0]["commands"][0].endswith('--port 31000 --api-key "$LAUNCH_API_KEY" --enable-metrics')
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

    r = run_cli("models", "plan", "deepseek-r1:Q4_K_M", "--preset", "4x-a100-80gb", "--engine", "llamacpp",
                "--ctx", "8192")
    assert r.returncode == 0, r.stderr
    assert "does not fit" in r.stdout and "UD-Q2_K_XL" in r.stdout and "deepseek-reasoner" in r.stdout

    r = run_cli("models", "plan", "deepseek-r1", "--gpus", "1x24GB", "--ram", "256GB", "--gpu-arch", "ada",
                "--engine", "llamacpp_experts", "--ctx", "4096")
    assert r.returncode == 0, r.stderr
    assert "every routed expert in RAM" in r.stdout and '--override-tensor ".ffn_.*_exps.=CPU"' in r.stdout
    assert "export LAUNCH_API_KEY=" in r.stdout and "predate llama.cpp's MLA cache" in r.stdout


@pytest.mark.parametrize("args, text", [
    (["deepseek-v3", "--gpus", "eight"], "is not COUNTxMEMORY"),
    (["deepseek-v3", "--gpus", "8x80GB", "--nodes", "0"], "nodes must be 1-64"),
    (["deepseek-v3", "--gpus", "8x80GB", "--ctx", "10"], "--ctx must be between"),
    (["deepseek-v3", "--gpus", "8x80GB", "--ram", "lots"], "is not a memory size"),
    (["deepseek-v3"], "give --gpus"),
    (["deepseek-v3:Q9_K", "--gpus", "8x80GB"], "Q9_K"),
    (["no-such-model", "--gpus", "8x80GB"], "no-such-model"),
])
def test_cli_plan_bad_input_is_one_line(args, text):
    r = run_cli("models", "plan", *args)
    assert r.returncode == 2, (r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and text in lines[0] and "Traceback" not in r.stderr

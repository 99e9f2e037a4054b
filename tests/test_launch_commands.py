"""Every command the launch planner prints, parsed by its engine's own argument parser where that installs here.

- llama.cpp: the options ``llama-server --help`` and ``ggml-rpc-server --help`` list, from the programs
  packaging/build_llama.py builds (the llama.cpp that llama-cpp-python 0.3.36 vendors); without a toolchain,
  the option table of the vendored ``common/arg.cpp`` and ``tools/rpc/rpc-server.cpp`` in the sdist.
- MLX: ``mlx_lm.server`` and ``mlx.launch`` (in the lock) parse the printed arguments with their own argparse
  parsers; the programs are stopped right after parsing.
- vLLM and SGLang need CUDA and PyTorch: their option lists are stored in tests/data/engine_flags.json (the
  versions are named there), made from their wheels by packaging/update_engine_flags.py.

The setups are the seed's hardware presets and the issue's cases.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from deepseek_desktop.models.catalogue.catalogue import load_catalogue
from deepseek_desktop.models.launch.cluster import GIB, ClusterHardware, load_presets, preset_hardware
from deepseek_desktop.models.launch.plan import plan_launch

REPO = Path(__file__).resolve().parents[1]
FLAGS = json.loads((REPO / "tests" / "data" / "engine_flags.json").read_text(encoding="utf-8"))["engines"]
OPTION = re.compile(r"(?<![\w-])(--?[a-zA-Z][\w-]*)")

SETUPS = [(p["id"], "deepseek-r1") for p in load_presets()] + [(p["id"], "deepseek-v3") for p in load_presets()] + [
    ("a100-int8", "deepseek-r1:INT8"), ("a100-awq", "deepseek-r1:AWQ"), ("h100-bf16", "deepseek-v3:BF16"),
]
EXTRA = {"a100-int8": ClusterHardware(2, 8, 80 * GIB, arch="ampere", hosts=("10.0.0.1", "10.0.0.2")),
         "a100-awq": ClusterHardware(1, 8, 80 * GIB, arch="ampere"),
         "h100-bf16": ClusterHardware(4, 8, 80 * GIB, arch="hopper")}


def all_commands() -> dict[str, list[str]]:
    """Every printed command line of every plan that fits (and each optional flag set), by engine."""
    catalogue = load_catalogue()
    out: dict[str, list[str]] = {}
    for setup, spec in SETUPS:
        hw = EXTRA.get(setup) or preset_hardware(setup)
        for ctx in (4096, 32768):
            for plan in plan_launch(catalogue, spec, hw, ctx=ctx):
                if plan.verdict == "unsupported":
                    continue
                lines = [line for node in plan.nodes for line in node["commands"]]
                lines += [f"{lines[-1]} {o['flags']}" for o in plan.options if lines]
                out.setdefault(plan.engine, []).extend(lines)
    return out


COMMANDS = all_commands()


def options_of(line: str, program: str) -> list[str]:
    """The options of ``program``'s part of a shell line (after any VAR=value prefixes)."""
    words = shlex.split(line)
    start = next(i for i, w in enumerate(words) if w.endswith(program))
    return [w.split("=", 1)[0] for w in words[start + 1:] if w.startswith("-") and not re.match(r"^-?\d", w)]


def test_every_engine_has_commands_to_check():
    assert {"sglang", "vllm", "llamacpp", "llamacpp_experts", "mlx"} <= set(COMMANDS)


@pytest.mark.parametrize("engine, program", [("sglang", "sglang.launch_server"), ("vllm", "vllm")])
def test_vllm_and_sglang_options_are_their_parsers_options(engine, program):
    known = set(FLAGS[engine]["flags"])
    lines = [line for line in COMMANDS[engine] if program in line and "ray start" not in line]
    assert lines
    for line in lines:
        unknown = [o for o in options_of(line, program if engine == "sglang" else "vllm") if o not in known]
        assert not unknown, f"{engine} {FLAGS[engine]['version']} has no {unknown}: {line}"


def test_ray_start_options():
    # Ray's CLI (ray start) is not stored; its three options are the ones vLLM's docs use.
    for line in (c for c in COMMANDS["vllm"] if "ray start" in c):
        assert set(options_of(line, "ray")) - {"start"} <= {"--head", "--port", "--address", "--node-ip-address"}


# -- llama.cpp ---------------------------------------------------------------------------------------------------

def _help_options(text: str) -> set[str]:
    """The options of a llama.cpp --help: on each line that starts with an option, the column before the
    description (which follows a run of spaces and does not start with a dash)."""
    out: set[str] = set()
    for line in text.splitlines():
        if line.lstrip().startswith("-"):
            out |= set(OPTION.findall(re.split(r"\s{2,}(?=[^-\s])", line.strip(), maxsplit=1)[0]))
    return out


@pytest.fixture(scope="module")
def llama_options() -> dict[str, set[str]]:
    build = subprocess.run([sys.executable, str(REPO / "packaging" / "build_llama.py"), "--jobs", "2"],
                           capture_output=True, text=True, timeout=3600)
    if build.returncode == 0:
        bins = json.loads(build.stdout.strip().splitlines()[-1])
        server = subprocess.run([bins["llama_server"], "--help"], capture_output=True, text=True, timeout=120)
        rpc = subprocess.run([bins["rpc_server"], "--help"], capture_output=True, text=True, timeout=120)
        return {"llama-server": _help_options(server.stdout + server.stderr),
                "ggml-rpc-server": _help_options(rpc.stdout + rpc.stderr)}
    # No toolchain: the option tables of the same source.
    src = Path("/tmp/lcp/llama_cpp_python-0.3.36/vendor/llama.cpp")
    if not src.is_dir():
        pytest.skip("neither the llama.cpp programs nor their source are here")
    arg = (src / "common" / "arg.cpp").read_text(encoding="utf-8")
    rpc = (src / "tools" / "rpc" / "rpc-server.cpp").read_text(encoding="utf-8")
    return {"llama-server": set(re.findall(r'"(--?[a-zA-Z][\w-]*)"', arg)),
            "ggml-rpc-server": set(re.findall(r'"(--?[a-zA-Z][\w-]*)"', rpc))}


@pytest.mark.parametrize("engine", ["llamacpp", "llamacpp_experts"])
def test_llama_cpp_options_are_the_programs_options(engine, llama_options):
    for line in COMMANDS[engine]:
        program = "llama-server" if "llama-server" in line else "ggml-rpc-server"
        unknown = [o for o in options_of(line, program) if o not in llama_options[program]]
        assert not unknown, f"{program} has no {unknown}: {line}"
    assert any("--override-tensor" in line for line in COMMANDS["llamacpp_experts"])
    assert {"--override-tensor", "--n-cpu-moe", "--api-key"} <= llama_options["llama-server"]
    assert {"-c", "--host", "--port"} <= llama_options["ggml-rpc-server"]


# -- MLX ---------------------------------------------------------------------------------------------------------

PARSE_ONLY = """
import argparse, json, sys, runpy
def stop(self, args=None, namespace=None):
    ns, rest = _known(self, args, namespace)
    print(json.dumps({"parsed": sorted(vars(ns)), "rest": rest}))
    raise SystemExit(0)
_known = argparse.ArgumentParser.parse_known_args
argparse.ArgumentParser.parse_known_args = stop
sys.argv = json.loads(sys.argv[1])
runpy.run_module(sys.argv[0], run_name="__main__") if sys.argv[0] != "mlx.launch" else \\
    __import__("mlx._distributed_utils.launch", fromlist=["main"]).main()
"""


def parse_with(argv: list[str]) -> dict:
    r = subprocess.run([sys.executable, "-c", PARSE_ONLY, json.dumps(argv)], capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, (argv, r.stderr[-2000:])
    return json.loads(r.stdout.strip().splitlines()[-1])


def test_mlx_commands_parse_with_mlx_lm_and_mlx_launch():
    pytest.importorskip("mlx_lm")
    lines = [c for c in COMMANDS["mlx"] if "mlx" in c]
    assert any(c.startswith("mlx.launch") for c in lines) and any(c.startswith("mlx_lm.server") for c in lines)
    for line in lines:
        words = shlex.split(line)
        if words[0] == "mlx.launch":
            split = words.index("--")
            launch = parse_with(["mlx.launch", *words[1:split], "--", *words[split + 1:]])
            assert launch["rest"][:1] in (["--"], ["mlx_lm.server"])
            server = parse_with(["mlx_lm.server", *words[split + 2:]])
        else:
            server = parse_with(["mlx_lm.server", *words[1:]])
        assert server["rest"] == [], line
        assert {"model", "host", "port"} <= set(server["parsed"])

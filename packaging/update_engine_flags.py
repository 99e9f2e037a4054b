"""Update the stored command-line flag lists of vLLM and SGLang that the launch plans are checked against.

    python packaging/update_engine_flags.py [--vllm X.Y.Z] [--sglang X.Y.Z]

Both engines are too heavy to install here (CUDA, PyTorch), so their parsers cannot run in the tests. This script,
run by hand, downloads the two wheels without dependencies (``pip download --no-deps``), reads their argument
parser source and writes tests/data/engine_flags.json: every option string the parsers define. Both build much of
their parser from dataclass fields (vLLM's ``EngineArgs`` and frontend args, SGLang's ``ServerArgs`` field groups),
whose options are the field names in kebab case; the rest are literal ``"--option"`` strings in the parser code.
tests/test_launch_commands.py checks every flag of a printed vLLM or SGLang command against the list.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "engine_flags.json"
LITERAL = re.compile(r"""["'](--[a-z0-9][a-z0-9-]*)["']""")
FIELD = re.compile(r"^    ([a-z][a-z0-9_]*)\s*:\s*[^=\n]+", re.MULTILINE)
# Where each engine's parser lives in its wheel: files whose literal flags count, and dataclasses whose fields
# become flags (file, class name or "" for every class in the file).
SOURCES = {
    "vllm": {"literals": ("vllm/entrypoints/openai/cli_args.py", "vllm/entrypoints/common/cli_args.py",
                          "vllm/engine/arg_utils.py", "vllm/entrypoints/cli/serve.py", "vllm/entrypoints/utils.py"),
             "fields": (("vllm/engine/arg_utils.py", "EngineArgs"),
                        ("vllm/entrypoints/openai/cli_args.py", "FrontendArgs"),
                        ("vllm/entrypoints/openai/cli_args.py", "BaseFrontendArgs"),
                        ("vllm/entrypoints/common/cli_args.py", "FrontendArgs"),
                        ("vllm/entrypoints/common/cli_args.py", "BaseFrontendArgs"))},
    "sglang": {"literals": ("sglang/srt/server_args.py",),
               "literal_dirs": ("sglang/srt/arg_groups/",),
               "fields": (("sglang/srt/server_args.py", "ServerArgs"),),
               "field_dirs": ("sglang/srt/arg_groups/fields/",)},
}


def class_body(source: str, name: str) -> str:
    m = re.search(rf"^class {name}\b.*?:\n", source, re.MULTILINE)
    if not m:
        return ""
    end = re.search(r"^\S", source[m.end():], re.MULTILINE)
    return source[m.end(): m.end() + end.start()] if end else source[m.end():]


def flags_of(wheel: Path, engine: str) -> list[str]:
    spec = SOURCES[engine]
    found: set[str] = set()
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()

        def read(name: str) -> str:
            return z.read(name).decode("utf-8") if name in names else ""

        literal_files = list(spec.get("literals", ())) + [n for d in spec.get("literal_dirs", ()) for n in names
                                                           if n.startswith(d) and n.endswith(".py")]
        for name in literal_files:
            found |= set(LITERAL.findall(read(name)))
        field_sources = [read(f) if not c else class_body(read(f), c) for f, c in spec.get("fields", ())]
        field_sources += [read(n) for d in spec.get("field_dirs", ()) for n in names
                          if n.startswith(d) and n.endswith(".py")]
        for body in field_sources:
            found |= {"--" + f.replace("_", "-") for f in FIELD.findall(body)}
    return sorted(found)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--vllm", default="0.34.0")
    ap.add_argument("--sglang", default="0.5.23")
    ap.add_argument("--wheels", type=Path, help="a folder that already has the two wheels")
    args = ap.parse_args(argv)
    folder = args.wheels or Path(tempfile.mkdtemp(prefix="engine-wheels-"))
    data = {"about": "Option strings of each engine's server parser, read from its wheel by "
                     "packaging/update_engine_flags.py; the launch plans' commands are checked against them.",
            "engines": {}}
    for engine, version in (("vllm", args.vllm), ("sglang", args.sglang)):
        wheels = sorted(folder.glob(f"{engine}-{version}-*.whl"))
        if not wheels:
            subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:",
                            f"{engine}=={version}", "-d", str(folder)], check=True)
            wheels = sorted(folder.glob(f"{engine}-{version}-*.whl"))
        flags = flags_of(wheels[0], engine)
        data["engines"][engine] = {"version": version, "flags": flags}
        print(f"{engine} {version}: {len(flags)} options")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

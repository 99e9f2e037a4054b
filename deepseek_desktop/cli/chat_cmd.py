"""``deepseek-desktop chat``: one turn with ``--prompt``, else a multi-turn conversation on stdin."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
from dataclasses import asdict
from pathlib import Path
from urllib.parse import urlsplit

from ..core.errors import DeepSeekError, EngineCrashed, ModelFileError
from ..core.events import Finished, ReasoningDelta, Stats, TextDelta
from ..core.paths import APP_NAME, AppPaths
from ..core.requests import ChatMessage, ChatRequest, GenerationParams, LoadParams
from ..engine_host.client import EngineHostClient
from .common import fail, print_json, report

ENGINE_CHOICES = ("auto", "llamacpp", "mlx", "remote", "simulator")
DEEPSEEK_API = "https://api.deepseek.com"
# The API key of a remote server comes from here, or from the OS keyring; never from an argument,
# which would stay in the shell history and show in every process list.
API_KEY_VARIABLE = "DEEPSEEK_API_KEY"
log = logging.getLogger("deepseek_desktop.cli")


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("chat", help="chat in the terminal")
    p.add_argument("--engine", choices=ENGINE_CHOICES, default="auto",
                   help="auto: llama.cpp for a .gguf file, MLX for a model folder, remote with --base-url, "
                        "the simulator without a model")
    p.add_argument("--model", help="a GGUF file, an MLX model folder, or the model name on a remote server")
    p.add_argument("--base-url", help=f"remote: the server's OpenAI-compatible API (default {DEEPSEEK_API}); "
                                      f"the API key comes from ${API_KEY_VARIABLE} or the OS keyring")
    p.add_argument("--key-name", help="remote: the name the API key is stored under in the keyring "
                                      "(default: the base URL)")
    p.add_argument("--prompt", help="ask one question and exit (default: read questions from stdin)")
    p.add_argument("--system", help="system prompt")
    p.add_argument("--max-tokens", type=int, default=1024)
    p.add_argument("--temperature", type=float, default=0.6)
    p.add_argument("--top-p", type=float, default=0.95)
    p.add_argument("--top-k", type=int, default=40)
    p.add_argument("--repeat-penalty", type=float, default=1.0)
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--ctx", type=int, default=4096, help="context length in tokens")
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--gpu-layers", type=int, default=0)
    p.add_argument("--words-per-second", type=float, default=0.0, help=argparse.SUPPRESS)
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.set_defaults(handler=run)


def resolve_engine(engine: str, model: str | None, base_url: str | None = None) -> str:
    """Pick the engine and check the model before any process is started."""
    if engine == "simulator":
        return engine
    if engine == "remote" or (engine == "auto" and base_url):
        _check_base_url(base_url or DEEPSEEK_API)
        return "remote"
    if base_url:
        raise DeepSeekError("input.invalid", what=f"--base-url is for --engine remote, not {engine}")
    if not model:
        if engine == "auto":
            return "simulator"
        raise DeepSeekError("input.invalid", what=f"--engine {engine} needs --model")
    path = Path(model).expanduser()
    if not path.exists():
        raise ModelFileError("model.not_found", f"{path} does not exist", path=path)
    if engine == "auto":
        engine = "mlx" if path.is_dir() else "llamacpp"
    if engine == "llamacpp":
        from ..models.gguf_header import check_gguf

        check_gguf(path)  # not GGUF / truncated: refuse before llama.cpp can crash on it
    elif engine == "mlx":
        from ..models.local_models import check_mlx_folder

        check_mlx_folder(path)
    return engine


def _check_base_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DeepSeekError("input.invalid", f"--base-url {url!r}",
                            what="--base-url must start with http:// or https://")


def remote_api_key(base_url: str, key_name: str | None = None) -> str:
    """$DEEPSEEK_API_KEY, else the keyring's entry for the key name or base URL, else "" (local
    servers need none; a server that wants one answers with a clear error)."""
    key = os.environ.get(API_KEY_VARIABLE, "").strip()
    if key:
        return key
    name = key_name or base_url
    try:
        import keyring

        key = keyring.get_password(APP_NAME, name) or ""
    except Exception as exc:  # no keyring backend, a locked one, D-Bus errors: all mean "no key here"
        log.info("no API key from the keyring for %s: %s", name, type(exc).__name__)
        return ""
    if not key:
        log.info("no API key stored for %s; connecting without one", name)
    return key


def run(args: argparse.Namespace, paths: AppPaths) -> int:
    try:
        engine = resolve_engine(args.engine, args.model, args.base_url)
    except DeepSeekError as exc:
        return report(exc)
    if engine == "remote":
        base_url = args.base_url or DEEPSEEK_API
        load = LoadParams(model=args.model or "", n_ctx=args.ctx, base_url=base_url,
                          api_key=remote_api_key(base_url, args.key_name))
    else:
        load = LoadParams(
            model=str(Path(args.model).expanduser().resolve()) if args.model else "",
            n_ctx=args.ctx, n_threads=args.threads, n_gpu_layers=args.gpu_layers,
            words_per_second=args.words_per_second,
        )
    gen = GenerationParams(
        temperature=args.temperature, top_p=args.top_p, top_k=args.top_k,
        repeat_penalty=args.repeat_penalty, max_tokens=args.max_tokens, seed=args.seed,
    )
    try:
        return asyncio.run(_chat(args, engine, load, gen))
    except KeyboardInterrupt:
        return 130


async def _chat(args: argparse.Namespace, engine: str, load: LoadParams, gen: GenerationParams) -> int:
    client = EngineHostClient()
    session = _Session(client, args.json)
    loop = asyncio.get_running_loop()
    with contextlib.suppress(NotImplementedError, RuntimeError):  # not on Windows
        loop.add_signal_handler(signal.SIGINT, session.interrupt)
    try:
        await client.start()
        await client.load(engine, load)
        history: list[ChatMessage] = []
        if args.system:
            history.append(ChatMessage("system", args.system))
        if args.prompt is not None:
            await session.turn(history, args.prompt, gen)
            return 0
        while not session.quit:
            if sys.stdin.isatty():
                print("> ", end="", file=sys.stderr, flush=True)
            line = await asyncio.to_thread(sys.stdin.readline)
            if not line:
                break
            question = line.strip()
            if not question:
                continue
            if question in ("/exit", "/quit"):
                break
            await session.turn(history, question, gen)
        return 0
    except EngineCrashed as exc:
        return report(exc)
    except DeepSeekError as exc:
        return report(exc)
    finally:
        await client.stop()


class _Session:
    def __init__(self, client: EngineHostClient, as_json: bool) -> None:
        self.client = client
        self.as_json = as_json
        self.quit = False
        self.color = sys.stdout.isatty() and not as_json

    def interrupt(self) -> None:
        """Ctrl+C stops the reply in progress; at the prompt it ends the session."""
        if self.client.busy:
            self.client.cancel()
        else:
            self.quit = True
            with contextlib.suppress(OSError, ValueError):
                sys.stdin.close()

    async def turn(self, history: list[ChatMessage], question: str, gen: GenerationParams) -> None:
        history.append(ChatMessage("user", question))
        answer: list[str] = []
        stats: Stats | None = None
        reason = ""
        in_reasoning = False
        async for event in self.client.chat(ChatRequest(list(history), gen)):
            if isinstance(event, (TextDelta, ReasoningDelta)):
                if isinstance(event, TextDelta):
                    answer.append(event.text)
                if self.as_json:
                    print_json({"type": event.type, "delta": event.text})
                    continue
                if isinstance(event, ReasoningDelta) and not in_reasoning:
                    in_reasoning = True
                    sys.stdout.write("\x1b[2m" if self.color else "[thinking]\n")
                elif isinstance(event, TextDelta) and in_reasoning:
                    in_reasoning = False
                    sys.stdout.write("\x1b[0m\n" if self.color else "\n[/thinking]\n")
                sys.stdout.write(event.text)
                sys.stdout.flush()
            elif isinstance(event, Stats):
                stats = event
            elif isinstance(event, Finished):
                reason = event.reason
        if in_reasoning and self.color:
            sys.stdout.write("\x1b[0m")
        history.append(ChatMessage("assistant", "".join(answer)))
        stats = stats or Stats()
        if self.as_json:
            data = {k: v for k, v in asdict(stats).items() if k != "type"}
            print_json({"type": "stats", **data, "finish_reason": reason})
        else:
            sys.stdout.write("\n")
            sys.stdout.flush()
            print(f"[{stats.completion_tokens} tokens, {stats.tokens_per_s:.1f} tokens/s, "
                  f"first token after {stats.ttft_ms:.0f} ms, {reason}]", file=sys.stderr)


__all__ = ["add_parser", "run", "resolve_engine", "fail"]

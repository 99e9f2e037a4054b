"""``deepseek-desktop chat``: one turn with ``--prompt``, else a multi-turn conversation on stdin."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
import threading
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from ..core import thinking
from ..core.errors import DeepSeekError, ModelFileError
from ..core.events import Finished, ReasoningDelta, Stats, TextDelta
from ..core.requests import ChatMessage, ChatRequest, GenerationParams, LoadParams
from ..core.server_url import check_base_url
from ..core.settings.store import generation_params, load_params
from ..core.vocabulary import Engine
from ..engine_host.client import EngineHostClient
from .common import TerminalWriter, fail, interrupted, print_json, report, terminal_text, user_text
from .context import Command
from .setting_flags import SettingsWithFlags, add_setting_flags, given_settings

ENGINE_CHOICES = ("auto", *(e.value for e in Engine))  # "auto": by the model given, as the settings' default engine
# Flags made from the settings schema: without one, the value is the user's setting, as in the window.
CHAT_FLAGS = (
    ("--system", "generation.system_prompt"),
    ("--max-tokens", "generation.max_tokens"),
    ("--temperature", "generation.temperature"),
    ("--top-p", "generation.top_p"),
    ("--top-k", "generation.top_k"),
    ("--repeat-penalty", "generation.repeat_penalty"),
    ("--ctx", "generation.context_length"),
    ("--threads", "llamacpp.threads"),
    ("--device", "llamacpp.device"),
    ("--gpu-layers", "llamacpp.gpu_layers"),
    ("--experts-in-ram", "llamacpp.experts_in_ram"),
    ("--batch-size", "llamacpp.batch_size"),
    ("--flash-attn", "llamacpp.flash_attention"),
    ("--cache-type", "llamacpp.kv_cache_type"),
    ("--prompt-lookup", "llamacpp.prompt_lookup"),
    ("--draft-model", "llamacpp.draft_model"),
    ("--thinking", "thinking.mode"),
    ("--thinking-budget", "thinking.budget_tokens"),
)
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
                                      "(default: the name of the server with this base URL in the settings, "
                                      "else the base URL)")
    p.add_argument("--prompt", help="ask one question and exit (default: read questions from stdin)")
    add_setting_flags(p, CHAT_FLAGS)
    p.add_argument("--seed", type=int, default=None)
    # The simulator's pace for tests and demos; beyond the settings pane's range on purpose.
    p.add_argument("--words-per-second", type=float, default=None, help=argparse.SUPPRESS)
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.set_defaults(handler=run)


def resolve_engine(engine: str, model: str | None, base_url: str | None = None) -> Engine:
    """Pick the engine (``engine`` is one, or "auto") and check the model before any process is started."""
    if engine == Engine.SIMULATOR:
        return Engine.SIMULATOR
    if engine == Engine.REMOTE or (engine == "auto" and base_url):
        check_base_url(base_url or DEEPSEEK_API)
        return Engine.REMOTE
    if base_url:
        raise DeepSeekError("input.invalid", what=f"--base-url is for --engine remote, not {engine}")
    if not model:
        if engine == "auto":
            return Engine.SIMULATOR
        raise DeepSeekError("input.invalid", what=f"--engine {engine} needs --model")
    path = Path(model).expanduser()
    try:
        path.stat()
    except PermissionError as exc:  # the file's, or a folder's on the way the user cannot search
        raise ModelFileError("model.no_permission", str(exc), path=path) from exc
    except (OSError, ValueError) as exc:
        raise ModelFileError("model.not_found", f"{path}: {exc}", path=path) from exc
    engine = Engine.for_path(path) if engine == "auto" else Engine(engine)
    if engine is Engine.LLAMACPP:
        from ..models.gguf.header import check_gguf

        check_gguf(path)  # not GGUF / truncated: refuse before llama.cpp can crash on it
    elif engine is Engine.MLX:
        from ..models.local.inspection import check_mlx_folder

        check_mlx_folder(path)
    return engine


def key_name_for(base_url: str, settings: Any, key_name: str | None = None) -> str:
    """The keyring entry of a server: ``--key-name``, else the name of the server with this base URL in
    the window's settings (the window keeps each key under its server's name), else the base URL."""
    if key_name:
        return key_name
    wanted = base_url.rstrip("/")
    for ep in settings.get("remote.endpoints") or []:
        if ep["base_url"].rstrip("/") == wanted:
            return ep["name"]
    return base_url


def remote_api_key(base_url: str, settings: Any, key_name: str | None = None, secrets: Any = None) -> str:
    """$DEEPSEEK_API_KEY, else the key the window's ``SecretStore`` has for this server (only from a
    real OS keyring, never a plaintext file), else "" (local servers need none; a server that wants one
    answers with a clear error)."""
    key = os.environ.get(API_KEY_VARIABLE, "").strip()
    if key:
        return key
    name = key_name_for(base_url, settings, key_name)
    if secrets is None:
        from ..core.secrets import SecretStore

        secrets = SecretStore()
    key = secrets.get(name) or ""
    if not key:
        log.info("no API key stored for %s; connecting without one", name)
    return key


def run(cmd: Command) -> int:
    args = cmd.args
    try:
        engine = resolve_engine(args.engine, args.model, args.base_url)
    except DeepSeekError as exc:
        return report(exc)
    settings = cmd.settings
    given = given_settings(args, CHAT_FLAGS)
    if args.words_per_second is not None:
        given["simulator.words_per_second"] = args.words_per_second
    if "thinking.budget_tokens" in given:  # a budget given is a budget meant
        given.setdefault("thinking.mode", "budget")
    chosen = SettingsWithFlags(settings, given)
    if engine is Engine.REMOTE:
        base_url = check_base_url(args.base_url or DEEPSEEK_API)
        load = replace(load_params(chosen, user_text(args.model or "")), base_url=base_url,
                       api_key=remote_api_key(base_url, settings, args.key_name))
    else:
        load = load_params(chosen, str(Path(args.model).expanduser().resolve()) if args.model else "")
    gen = replace(generation_params(chosen), seed=args.seed)
    system = user_text(chosen.get("generation.system_prompt"))
    for stream in (sys.stdout, sys.stderr):  # a character the terminal cannot show must not end the chat
        with contextlib.suppress(AttributeError, ValueError):
            stream.reconfigure(errors="replace")  # type: ignore[union-attr]
    try:
        return asyncio.run(_chat(args, engine, load, gen, system, thinking.setting_value(chosen)))
    except KeyboardInterrupt:  # where the loop has no signal handler (Windows)
        return interrupted()


async def _chat(args: argparse.Namespace, engine: Engine, load: LoadParams, gen: GenerationParams,
                system: str, budget: int = thinking.UNLIMITED) -> int:
    client = EngineHostClient()
    stdin = _StdinLines()
    session = _Session(client, args.json, stdin, asyncio.current_task())
    session.thinking = thinking.request_fields(budget)
    loop = asyncio.get_running_loop()
    with contextlib.suppress(NotImplementedError, RuntimeError):  # not on Windows
        loop.add_signal_handler(signal.SIGINT, session.interrupt)
    try:
        await client.start()
        loaded = await client.load(engine, load)
        session.loaded(loaded)
        history: list[ChatMessage] = []
        if system:
            history.append(ChatMessage("system", system))
        if args.prompt is not None:
            await session.turn(history, user_text(args.prompt), gen)
            # Ctrl+C cut the one reply: the command did not do what it was asked
            return interrupted() if session.stopped else 0
        while not session.quit:
            if sys.stdin.isatty():
                print("> ", end="", file=sys.stderr, flush=True)
            session.at_prompt = True
            line = await stdin.readline()
            session.at_prompt = False
            if not line:
                break
            question = line.strip()
            if not question:
                continue
            if question in ("/exit", "/quit"):
                break
            await session.turn(history, question, gen)
        return 0
    except DeepSeekError as exc:
        session.end_reply()
        hint = "Choose one with --model." if exc.message_id == "remote.which_model" else ""
        return report(exc, hint)
    except asyncio.CancelledError:  # Ctrl+C while the engine starts, or twice: it did not stop
        session.end_reply()
        return interrupted()
    finally:
        await client.stop()


class _StdinLines:
    """Lines of stdin, read by a daemon thread: a read blocked in an executor thread would keep
    ``asyncio.run`` from ending after Ctrl+C. What the user typed is taken as it is: bytes that are not
    valid in the terminal's encoding become U+FFFD."""

    def __init__(self) -> None:
        self._lines: asyncio.Queue[str] | None = None

    async def readline(self) -> str:
        """The next line, or "" at the end of input."""
        if self._lines is None:
            self._lines = asyncio.Queue()
            loop = asyncio.get_running_loop()
            threading.Thread(target=self._read, args=(loop, self._lines), name="stdin", daemon=True).start()
        return await self._lines.get()

    def close(self) -> None:
        """End the input now (Ctrl+C at the prompt); the reading thread ends with the process."""
        if self._lines is not None:
            self._lines.put_nowait("")

    @staticmethod
    def _read(loop: asyncio.AbstractEventLoop, lines: asyncio.Queue[str]) -> None:
        raw = getattr(sys.stdin, "buffer", None)
        encoding = sys.stdin.encoding or "utf-8"
        while True:
            try:
                line = raw.readline().decode(encoding, errors="replace") if raw else sys.stdin.readline()
            except (OSError, ValueError):
                line = ""
            with contextlib.suppress(RuntimeError):  # the loop is already closed
                loop.call_soon_threadsafe(lines.put_nowait, line)
            if not line:
                return


class _Session:
    def __init__(self, client: EngineHostClient, as_json: bool, stdin: _StdinLines,
                 task: asyncio.Task | None = None) -> None:
        self.client = client
        self.as_json = as_json
        self.quit = False
        self.color = sys.stdout.isatty() and not as_json
        self.out = TerminalWriter(sys.stdout)
        self._stdin = stdin
        self._task = task
        self._cancelled = False
        self._dim = False  # inside the reasoning, shown dimmed
        self.at_prompt = False
        self.thinking: dict[str, Any] = {}  # the request's thinking fields (``core.thinking.request_fields``)

    def interrupt(self) -> None:
        """Ctrl+C stops the reply in progress and the session goes on; at the prompt it ends the
        session. While the host starts or a model loads, and when a reply did not stop after the first
        Ctrl+C, it ends the session at once."""
        if self.client.busy and not self._cancelled:
            self._cancelled = True
            self.client.cancel()
        elif self.at_prompt:
            self.quit = True
            self._stdin.close()
        elif self._task is not None:
            self.quit = True
            self._task.cancel()

    @property
    def stopped(self) -> bool:
        """Whether Ctrl+C stopped the last reply."""
        return self._cancelled

    def end_reply(self) -> None:
        """Before an error line: the colour back to normal and the reply's last line ended."""
        if self._dim:
            self._dim = False
            self.out.raw("\x1b[0m")
        self.out.end_line()

    def loaded(self, info: dict) -> None:
        """Where the model runs: a "loaded" line with --json; a GPU that could not take it, on stderr always."""
        from ..core.devices import Placement
        from ..core.errors import error_text

        if refused := info.get("draft_model_refused"):
            print(terminal_text(f"draft model not used: {info.get('draft_model_note', refused['name'])}"),
                  file=sys.stderr, flush=True)
        if "placement" not in info:
            return
        where = Placement.from_dict(info["placement"])
        if self.as_json:
            print_json({"type": "loaded", "placement": where.to_dict(), "summary": where.summary(),
                        "devices": info.get("devices", []), "threads": info.get("threads", {}),
                        "cpu_variant": info.get("cpu_variant", ""), "draft_model": info.get("draft_model"),
                        "draft_model_note": info.get("draft_model_note", "")})
        if where.fallback:
            params = {"reason": where.fallback_detail, "layers": where.gpu_layers, "total": where.layers}
            print(terminal_text(error_text(where.fallback, params)), file=sys.stderr, flush=True)

    async def turn(self, history: list[ChatMessage], question: str, gen: GenerationParams) -> None:
        history.append(ChatMessage("user", question))
        self._cancelled = False
        answer: list[str] = []
        stats: Stats | None = None
        reason = ""
        in_reasoning = False
        async for event in self.client.chat(ChatRequest(list(history), gen, **self.thinking)):
            if isinstance(event, (TextDelta, ReasoningDelta)):
                if isinstance(event, TextDelta):
                    answer.append(event.text)
                if self.as_json:
                    print_json({"type": event.type, "delta": event.text})
                    continue
                if isinstance(event, ReasoningDelta) and not in_reasoning:
                    in_reasoning = True
                    self._dim = self.color
                    self.out.raw("\x1b[2m" if self.color else "[thinking]\n")
                elif isinstance(event, TextDelta) and in_reasoning:
                    in_reasoning = self._dim = False
                    self.out.raw("\x1b[0m\n" if self.color else "\n[/thinking]\n")
                self.out.write(event.text)
            elif isinstance(event, Stats):
                stats = event
            elif isinstance(event, Finished):
                reason = event.reason
        history.append(ChatMessage("assistant", "".join(answer)))
        stats = stats or Stats()
        if self.as_json:
            data = {k: v for k, v in asdict(stats).items() if k != "type"}
            print_json({"type": "stats", **data, "finish_reason": reason})
        else:
            self.end_reply()
            drafts = "" if stats.draft_acceptance is None else \
                f", {100 * stats.draft_acceptance:.0f}% of drafted tokens accepted" \
                + (f" (draft model {stats.drafter})" if stats.drafter else "")
            note = thinking.english_note(stats.thinking_stopped_at, stats.thinking_note)
            print(terminal_text(f"[{stats.completion_tokens} tokens, {stats.tokens_per_s:.1f} tokens/s, "
                                f"first token after {stats.ttft_ms:.0f} ms{drafts}, {reason}"
                                + (f"; {note}" if note else "") + "]"), file=sys.stderr)


__all__ = ["add_parser", "run", "resolve_engine", "fail"]

"""``deepseek-desktop serve``: the local API server (OpenAI and Ollama dialects) in the terminal.

The engine host is started as ``chat`` starts it; the server runs on this command's asyncio loop until
Ctrl+C, which stops it cleanly (open streams end, the host is shut down).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from dataclasses import replace
from pathlib import Path

from ..core.errors import DeepSeekError
from ..core.secrets import LOCAL_SERVER_KEY
from ..core.settings.schema import SettingsSchema
from ..core.settings.store import generation_params, load_params
from ..core.vocabulary import Engine
from .common import report, terminal_text, user_text
from .context import Command
from .setting_flags import SettingsWithFlags, add_setting_flags, given_settings

log = logging.getLogger("deepseek_desktop.cli")
# Flags made from the settings schema, as ``chat`` has them: without one, the user's setting.
SERVE_FLAGS = (
    ("--ctx", "generation.context_length"),
    ("--max-tokens", "generation.max_tokens"),
    ("--threads", "llamacpp.threads"),
    ("--device", "llamacpp.device"),
    ("--gpu-layers", "llamacpp.gpu_layers"),
    ("--experts-in-ram", "llamacpp.experts_in_ram"),
    ("--batch-size", "llamacpp.batch_size"),
    ("--flash-attn", "llamacpp.flash_attention"),
    ("--cache-type", "llamacpp.kv_cache_type"),
    ("--prompt-lookup", "llamacpp.prompt_lookup"),
    ("--draft-model", "llamacpp.draft_model"),
)


def add_parser(sub: argparse._SubParsersAction) -> None:
    schema = SettingsSchema()
    host, port, ollama_port = (schema.spec(k) for k in ("server.host", "server.openai_port", "server.ollama_port"))
    p = sub.add_parser("serve", help="serve a model to other programs (OpenAI and Ollama compatible API)")
    p.add_argument(
        "--model",
        help="a GGUF file, an MLX model folder, the name of an installed model, or "
        "'simulator' (default: none; requests are refused unless the simulator "
        "fallback is on in the settings)",
    )
    p.add_argument(
        "--host",
        help=f"the address to listen on (default: the setting, {host.default}); any other "
        "than this computer's loopback needs an API key",
    )
    # Not the settings' ranges: 0 is a port here too (any free one; for Ollama: none).
    p.add_argument("--port", type=int, help=f"the OpenAI dialect's port (default: the setting, {port.default})")
    p.add_argument("--ollama-port", type=int,
                   help=f"the Ollama dialect's port, 0 for none (default: {ollama_port.default})")
    p.add_argument(
        "--api-key-name",
        help="the keyring entry that holds the API key clients must send "
        f"(default: {LOCAL_SERVER_KEY}, used when the host is not loopback)",
    )
    add_setting_flags(p, SERVE_FLAGS)
    p.add_argument("--words-per-second", type=float, default=None, help=argparse.SUPPRESS)
    p.set_defaults(handler=run)


def resolve_model(model: str | None, cmd: Command) -> tuple[Engine | str | None, str, str]:
    """(engine, path, label) for ``--model``: a file or folder, an installed model's name, the simulator."""
    from .chat_cmd import resolve_engine

    if not model:
        return None, "", ""
    if model == Engine.SIMULATOR:
        return Engine.SIMULATOR, "", ""
    if not Path(model).expanduser().exists():
        found = cmd.registry.find(model)
        return found.engine, found.path, found.name
    engine = resolve_engine("auto", model)
    return engine, str(Path(model).expanduser().resolve()), ""


def run(cmd: Command) -> int:
    from ..api_server.app import ServerConfig, check_config, config_from_settings
    from ..api_server.safety import is_loopback

    args = cmd.args
    settings = SettingsWithFlags(cmd.settings, given_settings(args, SERVE_FLAGS))
    try:
        engine, model_path, label = resolve_model(args.model and user_text(args.model), cmd)
        config: ServerConfig = config_from_settings(settings.get)
        overrides = {k: v for k, v in (("host", args.host), ("openai_port", args.port)) if v is not None}
        if args.ollama_port is not None:
            overrides["ollama_port"] = args.ollama_port or None
        config = replace(config, **overrides)
        if args.api_key_name or not is_loopback(config.host):
            from ..core.secrets import SecretStore

            name = args.api_key_name or LOCAL_SERVER_KEY
            config = replace(config, api_key=SecretStore().get(name) or "")
            if not config.api_key:
                raise DeepSeekError("remote.no_api_key", f"no key under {name!r} in the keyring", name=name)
        check_config(config)
    except DeepSeekError as exc:
        return report(exc)
    load = load_params(settings, model_path)
    if args.words_per_second is not None:
        load = replace(load, words_per_second=args.words_per_second)
    try:
        return asyncio.run(_serve(cmd, settings, config, engine, load, label))
    except KeyboardInterrupt:
        return 130


async def _serve(cmd: Command, settings, config, engine: Engine | str | None, load, label: str) -> int:
    from ..api_server.app import LocalServer
    from ..api_server.backend import HostBackend
    from ..engine_host.client import EngineHostClient

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # not on Windows
            loop.add_signal_handler(sig, stop.set)
    client = EngineHostClient()
    backend = HostBackend(
        client,
        cmd.registry,
        generation_params(settings),
        config.queue_limit,
        settings.get("server.simulator_fallback"),
        replace(load, model=""),
        settings,
    )
    server = LocalServer(backend, config)
    try:
        await client.start()
        if engine:
            model = await backend.load(engine, load, label)
            served = f"Serving {model.id}"
        else:
            served = "No model loaded (start with --model to serve one)"
        await server.start()
        where = f"{server.url('openai')} (OpenAI)"
        if "ollama" in server.ports:
            where += f" and {server.url('ollama')} (Ollama)"
        print(terminal_text(f"{served} at {where}. Ctrl+C stops."), file=sys.stderr, flush=True)
        await stop.wait()
        print("Stopping.", file=sys.stderr, flush=True)
        return 0
    except DeepSeekError as exc:
        return report(exc)
    except OSError as exc:  # the port is taken, the address is not this computer's
        log.error("cannot serve: %s", exc)
        print(
            terminal_text(f"deepseek-desktop: error: cannot listen on {config.host}: {exc.strerror or exc}"),
            file=sys.stderr,
        )
        return 1
    finally:
        await server.stop()
        await client.stop()

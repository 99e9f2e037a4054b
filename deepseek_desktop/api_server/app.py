"""The local API server: two aiohttp sites (OpenAI dialect, Ollama dialect) on the running asyncio loop.

Runs on whatever loop is running: the window's qasync loop and the CLI's ``asyncio.run`` alike. Nothing
here blocks the loop; generation happens in the engine host process.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from aiohttp import web

from ..core.errors import DeepSeekError
from ..core.settings.schema import SettingsSchema
from .backend import Backend
from .ollama_dialect import OllamaRoutes
from .openai_dialect import OpenAIRoutes
from .request_log import RequestLog
from .safety import Guard, is_loopback, middlewares

log = logging.getLogger("deepseek_desktop.api_server")
MB = 1024 * 1024
# The server's defaults are those of the "Local server" settings.
_SETTINGS = SettingsSchema().defaults()


@dataclass(frozen=True)
class ServerConfig:
    host: str = _SETTINGS["server.host"]
    openai_port: int = _SETTINGS["server.openai_port"]  # 0: any free port (tests)
    ollama_port: int | None = _SETTINGS["server.ollama_port"] or None  # None: no Ollama dialect
    api_key: str = ""
    allowed_origins: tuple[str, ...] = tuple(_SETTINGS["server.allowed_origins"].split())
    queue_limit: int = _SETTINGS["server.queue_limit"]
    max_body: int = _SETTINGS["server.max_body_mb"] * MB


class ServerRefused(DeepSeekError):
    """The server will not start as configured (a non-loopback address without an API key)."""


def check_config(config: ServerConfig) -> None:
    if not is_loopback(config.host) and not config.api_key:
        raise ServerRefused(
            "input.invalid",
            f"host {config.host} without an API key",
            what=f"the server listens on {config.host}, which other computers can reach; an API key is "
            "required for that (store one in the keyring and name it)",
        )


def build_app(kind: str, backend: Backend, config: ServerConfig, requests: RequestLog) -> web.Application:
    guard = Guard(config.host, config.api_key, config.allowed_origins, config.max_body)
    app = web.Application(client_max_size=config.max_body, middlewares=middlewares(guard, requests, kind))
    routes = OpenAIRoutes(backend, config.max_body) if kind == "openai" else OllamaRoutes(backend, config.max_body)
    app.add_routes(routes.routes())
    return app


class LocalServer:
    """Start and stop both dialects. ``addresses`` are the bound (host, port) pairs, by dialect."""

    def __init__(self, backend: Backend, config: ServerConfig, requests: RequestLog | None = None) -> None:
        self.backend = backend
        self.config = config
        self.requests = requests or RequestLog()
        self._runners: dict[str, web.AppRunner] = {}
        self.ports: dict[str, int] = {}

    @property
    def running(self) -> bool:
        return bool(self._runners)

    async def start(self) -> None:
        check_config(self.config)
        self.backend.turns.limit = self.config.queue_limit
        wanted = {"openai": self.config.openai_port}
        if self.config.ollama_port is not None:
            wanted["ollama"] = self.config.ollama_port
        try:
            for kind, port in wanted.items():
                app = build_app(kind, self.backend, self.config, self.requests)
                # a client that hangs up cancels its handler, and with it the generation, at once
                runner = web.AppRunner(app, handler_cancellation=True, access_log=None)
                await runner.setup()
                self._runners[kind] = runner
                site = web.TCPSite(runner, self.config.host, port)
                await site.start()
                self.ports[kind] = runner.addresses[0][1]
        except BaseException:
            await self.stop()
            raise
        log.info(
            "local API server on %s: OpenAI port %s, Ollama port %s",
            self.config.host,
            self.ports.get("openai"),
            self.ports.get("ollama", "-"),
        )

    async def stop(self) -> None:
        runners, self._runners = self._runners, {}
        for runner in runners.values():
            await runner.cleanup()
        self.ports = {}

    def url(self, kind: str = "openai") -> str:
        host = self.config.host
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.ports[kind]}" + ("/v1" if kind == "openai" else "")


def config_from_settings(get, api_key: str = "") -> ServerConfig:
    """The server's configuration from the "Local server" settings (``get`` reads one setting)."""
    ollama_port = get("server.ollama_port")
    return ServerConfig(
        host=(get("server.host") or ServerConfig.host).strip(),
        openai_port=get("server.openai_port"),
        ollama_port=ollama_port or None,
        api_key=api_key,
        allowed_origins=tuple(get("server.allowed_origins").split()),
        queue_limit=get("server.queue_limit"),
        max_body=get("server.max_body_mb") * MB,
    )

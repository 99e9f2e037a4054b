"""The local API server with a real engine host, on its own asyncio loop in a thread, so tests can use the
real (blocking) ``openai`` and ``ollama`` clients against it."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

from deepseek_desktop.api_server.app import LocalServer, ServerConfig
from deepseek_desktop.api_server.backend import HostBackend
from deepseek_desktop.core.requests import GenerationParams, LoadParams
from deepseek_desktop.engine_host.client import EngineHostClient
from deepseek_desktop.models.local.registry import ModelRegistry


class ServedApp:
    def __init__(
        self, engine: str | None, load: LoadParams, config: ServerConfig, home: Path, simulator_fallback: bool = False,
        settings: Any = None,
    ) -> None:
        self.settings = settings  # the user's settings the backend reads (the thinking budget's); None: defaults
        self.engine, self.load_params, self.config = engine, load, config
        self.home = home
        self.fallback = simulator_fallback
        self.loop = asyncio.new_event_loop()
        self.server: LocalServer | None = None
        self.backend: HostBackend | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="api-server-loop", daemon=True)

    def start(self) -> ServedApp:
        self._thread.start()
        self._ready.wait()
        if self._error is not None:
            raise self._error
        return self

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_until_complete(self._start())
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        self.loop.run_forever()

    async def _start(self) -> None:
        client = EngineHostClient()
        self.backend = HostBackend(
            client,
            ModelRegistry(self.home / "registry.json", self.home / "models"),
            GenerationParams(max_tokens=256),
            self.config.queue_limit,
            self.fallback,
            replace(LoadParams(), words_per_second=self.load_params.words_per_second),
            settings=self.settings,
        )
        await client.start()
        if self.engine:
            await self.backend.load(self.engine, self.load_params)
        self.server = LocalServer(self.backend, self.config)
        try:
            await self.server.start()
        except BaseException:
            await client.stop()
            raise

    def call(self, coro, timeout: float = 120.0):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def url(self, kind: str = "openai") -> str:
        assert self.server is not None
        return self.server.url(kind)

    def close(self) -> None:
        async def down() -> None:
            if self.server:
                await self.server.stop()
            if self.backend:
                await self.backend.client.stop()

        if self._thread.is_alive():
            self.call(down())
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join()
        self.loop.close()

"""Replies take turns on the one engine host, first come first served; a Turn stops only its own reply."""

from __future__ import annotations

import asyncio

import pytest

from deepseek_desktop.core.events import Finished, TextDelta
from deepseek_desktop.core.requests import ChatMessage, ChatRequest, GenerationParams, LoadParams
from deepseek_desktop.engine_host.client import EngineHostClient
from deepseek_desktop.engine_host.turns import QueueFull, Turn, Turns


def ask(n: int, max_tokens: int = 12) -> ChatRequest:
    return ChatRequest([ChatMessage("user", f"What is DeepSeek-V3? ({n})")], GenerationParams(max_tokens=max_tokens))


async def started(pace: float) -> EngineHostClient:
    client = EngineHostClient()
    await client.start()
    await client.load("simulator", LoadParams(words_per_second=pace))
    return client


def test_replies_run_one_at_a_time_in_the_order_they_came():
    async def main():
        client = await started(pace=2000.0)
        turns = Turns(client)
        log: list[tuple[str, int]] = []

        async def reply(n: int) -> Finished:
            last = None
            async for event in turns.chat(ask(n)):
                if not log or log[-1] != ("run", n):
                    log.append(("run", n))
                last = event
            log.append(("end", n))
            return last

        try:
            tasks = []
            for n in range(6):
                tasks.append(asyncio.create_task(reply(n)))
                await asyncio.sleep(0)  # each enters the line before the next is made
            ends = await asyncio.gather(*tasks)
        finally:
            await client.stop()
        return log, ends

    log, ends = asyncio.run(asyncio.wait_for(main(), 120))
    assert [n for kind, n in log if kind == "end"] == list(range(6)), "first come, first served"
    # never two at once: every reply ends before the next one's first event
    assert log == [entry for n in range(6) for entry in (("run", n), ("end", n))]
    assert all(isinstance(e, Finished) and e.reason in ("length", "stop") for e in ends)


def test_a_turn_stops_only_its_own_reply_and_a_full_line_is_refused():
    async def main():
        client = await started(pace=40.0)
        turns = Turns(client, limit=1)
        window, api = Turn("window"), Turn("api")
        window_events: list = []
        first_text = asyncio.Event()

        async def window_reply() -> None:
            async for event in turns.chat(ask(0, 400), window):
                window_events.append(event)
                if isinstance(event, TextDelta):
                    first_text.set()

        async def api_reply() -> list:
            return [e async for e in turns.chat(ask(1), api, limited=True)]

        try:
            running = asyncio.create_task(window_reply())
            await first_text.wait()
            waiting = asyncio.create_task(api_reply())
            while turns.waiting == 0:
                await asyncio.sleep(0.01)
            with pytest.raises(QueueFull):  # the line (limit 1) is full
                async for _ in turns.chat(ask(2), Turn("api"), limited=True):
                    pass
            window.cancel()  # the window's Stop
            await running
            api_events = await waiting
        finally:
            await client.stop()
        return window_events, api_events

    window_events, api_events = asyncio.run(asyncio.wait_for(main(), 120))
    assert window_events[-1] == Finished("cancelled")
    assert api_events[-1] == Finished("length"), "the API's reply ran to its end after the window's stopped"
    assert any(e.type in ("text", "reasoning") for e in api_events), "and it answered"

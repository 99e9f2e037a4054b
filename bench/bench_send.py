"""One message sent, in the real window with the simulator: what happens between Enter and the reply.

Per message, medians over ``--runs`` messages:
  1. store calls made by the window (round trips to the store thread), and those before the engine
     gets the question
  2. sidebar reloads
  3. time from send to the question and the (empty) reply in the view, and to the first text of the reply
     (the loop polls between asyncio steps, so a step that runs on after the question was added counts too)
  4. largest gap of a 10 ms timer while the reply streams at 200 words/s

It uses only what both the tree before "one message sent" and after it have, so it can be run on
either for a side-by-side comparison:

    QT_QPA_PLATFORM=offscreen PYTHONPATH=<tree> .venv/bin/python bench/bench_send.py [--runs 9]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def shown_text(widget) -> str:
    text = getattr(widget, "text", None)  # after: the widget shows the recorder's text
    return text if isinstance(text, str) else widget.item.content


async def _in_app(runs: int) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from deepseek_desktop.app import _shutdown, build_window
    from deepseek_desktop.core.paths import AppPaths
    from deepseek_desktop.core.settings.store import SettingsStore

    app = QApplication.instance()
    paths = AppPaths.default().ensure()
    settings = SettingsStore(paths.settings_file)
    settings.set("simulator.words_per_second", 200.0)
    window, services = build_window(app, paths, settings)
    window.show()
    await window.start()
    while window.engine.state != "ready":
        await asyncio.sleep(0.05)

    runner, sidebar, session, view = services.runner, window.sidebar, window.session, window.chat_view
    calls: list[str] = []  # "call" or "submit", in order; "engine" when the engine got the question
    real_call, real_submit, real_fill = runner.call, runner.submit, sidebar.set_conversations
    real_chat = window.engine.chat

    def counted_call(fn, *args):
        calls.append("call")
        return real_call(fn, *args)

    def counted_submit(fn, *args):
        calls.append("submit")
        return real_submit(fn, *args)

    def counted_chat(*args, **kwargs):
        calls.append("engine")
        return real_chat(*args, **kwargs)

    fills = [0]

    def counted_fill(*args, **kwargs):
        fills[0] += 1
        return real_fill(*args, **kwargs)

    runner.call, runner.submit, sidebar.set_conversations = counted_call, counted_submit, counted_fill
    window.engine.chat = counted_chat
    gaps: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(tick)
    timer.start()
    before_engine, total, submits, reloads, to_question, to_text, worst_gap = [], [], [], [], [], [], []
    for i in range(runs):
        if i % 3 == 0:
            window.new_chat()  # a new conversation every third message: it is created with its first one
        await asyncio.sleep(0.3)  # the previous turn's last writes and reloads settle
        calls.clear()
        fills[0] = 0
        n = len(view.widgets)
        t0 = time.perf_counter()
        session.send(f"Question {i}: explain quantization levels and what they cost.")
        while len(view.widgets) < n + 2:
            await asyncio.sleep(0)
        to_question.append(time.perf_counter() - t0)
        while not shown_text(view.widgets[n + 1]):
            await asyncio.sleep(0)
        to_text.append(time.perf_counter() - t0)
        gaps.clear()
        last[0] = time.perf_counter()
        while session.busy:
            await asyncio.sleep(0.01)
        worst_gap.append(max(gaps[1:] or [0.0]))
        await asyncio.sleep(0.5)  # reloads asked for at the end of the turn
        before_engine.append(calls.index("engine") if "engine" in calls else -1)
        total.append(calls.count("call"))
        submits.append(calls.count("submit"))
        reloads.append(fills[0])
    timer.stop()
    med = statistics.median
    print(f"1. store calls per message: {med(total):.0f} awaited ({med(before_engine):.0f} before the engine got "
          f"the question), {med(submits):.0f} hand-offs to the store thread while streaming")
    print(f"2. sidebar reloads per message: {med(reloads):.0f}")
    print(f"3. send -> question and empty reply in the view {med(to_question) * 1000:.1f} ms, -> first reply text "
          f"{med(to_text) * 1000:.1f} ms")
    print(f"4. largest event-loop gap while the reply streams: {med(worst_gap) * 1000:.1f} ms")
    window.close()
    await _shutdown(window, services, asyncio.Event())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=9)
    args = ap.parse_args()
    os.environ["DEEPSEEK_DESKTOP_HOME"] = tempfile.mkdtemp(prefix="dd-bench-send-")
    import qasync
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)
    qasync.run(_in_app(args.runs))


if __name__ == "__main__":
    main()

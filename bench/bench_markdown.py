"""Issue 5's benchmark: Markdown rendering time per KB on adversarial replies of growing size.

  1. our renderer (MarkdownRenderer.render) beside plain Python-Markdown (same extensions) on each
     shape at 1, 2, 4, 8, 16, 32, 64 and 100 KB: ms per KB, and the median of ms per KB per shape.
     A run predicted to take longer than --cap seconds (from the size before, as if quadratic) is
     skipped and shown as "-".
  1b. the list pass alone (``core/markdown/lists.py``: models' list nesting re-indented for Python-Markdown)
     beside the whole render it is part of, on the shapes with lists: its share of the time.
  2. streaming such a reply into the chat view (offscreen, the real widgets, chunks every 5 ms):
     the largest single GUI-thread update (a message's flush, or a rendered block coming back) and
     the largest gap of a 5 ms timer, beside the same for an ordinary Markdown reply.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_markdown.py [--cap 5] [--sizes 1,2,4]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

NORMAL = (
    "## A heading\n\nSome **bold** text, *emphasis*, `code` and a [link](https://example.org).\n\n"
    "- one item\n- two items with `x = 1`\n\n1. first\n2. second\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
    "```python\ndef f(x):\n    return x * 2\n```\n\n> a quote\n\n"
)


def _model_lists() -> str:
    """The replies with nested lists the tests check (written the way DeepSeek-R1, Qwen2.5-Coder, Gemma 3
    and Llama 3 format them)."""
    from pathlib import Path

    folder = Path(__file__).resolve().parent.parent / "tests" / "data" / "replies"
    return "\n\n".join(p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.md"))) + "\n\n"


def _repeat(unit: str):
    return lambda n: (unit * (n // len(unit) + 1))[:n]


def _nested_quotes(n: int) -> str:
    out, i, size = [], 1, 0
    while size < n:
        line = ">" * (i % 200 + 1) + " x"
        out.append(line)
        size += len(line) + 1
        i += 1
    return "\n".join(out)[:n]


SHAPES = {
    "[": _repeat("["),
    "[[[ words": _repeat("[[[a "),
    "[a](": _repeat("[a]("),
    "![a](": _repeat("![a]("),
    "[a]('x)": _repeat("[a]('x) "),
    "[x][": _repeat("[x]["),
    "`a": _repeat("`a "),
    "``a`": _repeat("``a`"),
    "***a*": _repeat("***a* "),
    "_a": _repeat("_a "),
    "<a": _repeat("<a "),
    ">": _repeat(">"),
    "> nested": _nested_quotes,
    "1. markers": _repeat("1. "),
    "list lines": lambda n: "\n".join("  " * (i % 40) + "- x" for i in range(n // 3))[:n],
    "|table": lambda n: ("|a|b|\n|-|-|\n" + "|x|y|\n" * n)[:n],
    "normal": _repeat(NORMAL),
    "model lists": lambda n: _repeat(_model_lists())(n),
    # paragraphs under the size guard, so the Markdown path itself is measured at every size
    "[ paras": _repeat("[" * 1000 + "\n\n"),
    "[a](' paras": _repeat("[a]('x) " * 125 + "\n\n"),
    "``a` paras": _repeat("``a`" * 250 + "\n\n"),
    "***a* paras": _repeat("***a* " * 160 + "\n\n"),
}
SIZES_KB = [1, 2, 4, 8, 16, 32, 64, 100]


def baseline_renderer():
    import markdown

    md = markdown.Markdown(extensions=["tables", "sane_lists"], output_format="html")
    return md


def time_one(fn, text: str) -> float:
    t0 = time.perf_counter()
    try:
        fn(text)
    except RecursionError:
        return float("nan")
    return time.perf_counter() - t0


def render_side_by_side(sizes: list[int], cap: float, shapes: list[str]) -> None:
    from deepseek_desktop.core.markdown.render import MarkdownRenderer

    made = {"ours": MarkdownRenderer(), "base": baseline_renderer()}

    # After a RecursionError a Markdown instance keeps half its parser state and renders later texts
    # wrongly (and quickly): each failure gets a fresh one.
    def ours_fn(text):
        try:
            return made["ours"].render(text)
        except RecursionError:
            made["ours"] = MarkdownRenderer()
            raise

    def base_fn(text):
        try:
            made["base"].reset()
            return made["base"].convert(text)
        except RecursionError:
            made["base"] = baseline_renderer()
            raise

    ours_fn("warm up"), base_fn("warm up")
    print("1. render time, ms per KB (ours | plain Python-Markdown); '-' = skipped, predicted > cap; "
          "'rec' = RecursionError")
    print(f"{'shape':14s} " + " ".join(f"{str(kb) + ' KB':>15s}" for kb in sizes) + f" {'median':>15s}")
    for name in shapes:
        make = SHAPES[name]
        cells, per_kb = [], {"ours": [], "base": []}
        last = {"ours": (0.0, 0), "base": (0.0, 0)}
        for kb in sizes:
            text = make(kb * 1024)
            row = []
            for who, fn in (("ours", ours_fn), ("base", base_fn)):
                prev_t, prev_kb = last[who]
                if prev_t != prev_t or (prev_kb and prev_t * (kb / prev_kb) ** 2 > cap):  # nan or too slow
                    row.append("-")
                    last[who] = (float("nan") if prev_t != prev_t else prev_t * (kb / prev_kb) ** 2, kb)
                    continue
                runs = 3 if kb <= 8 else 1
                t = statistics.median(time_one(fn, text) for _ in range(runs))
                last[who] = (t, kb)
                if t != t:
                    row.append("rec")
                else:
                    per_kb[who].append(t * 1000 / kb)
                    row.append(f"{t * 1000 / kb:.2f}")
            cells.append(f"{row[0]:>6s} | {row[1]:<6s}")
        med = [f"{statistics.median(per_kb[w]):.2f}" if per_kb[w] else "-" for w in ("ours", "base")]
        print(f"{name:14s} " + " ".join(f"{c:>15s}" for c in cells) + f" {med[0]:>6s} | {med[1]:<6s}", flush=True)


def list_pass_cost(sizes: list[int], shapes: list[str]) -> None:
    from deepseek_desktop.core.markdown.lists import normalize_lists
    from deepseek_desktop.core.markdown.render import MarkdownRenderer

    renderer = MarkdownRenderer()
    print("1b. the list pass alone | the whole render, ms per KB (medians of 5 runs)")
    print(f"{'shape':14s} " + " ".join(f"{str(kb) + ' KB':>15s}" for kb in sizes))
    for name in shapes:
        cells = []
        for kb in sizes:
            text = SHAPES[name](kb * 1024)
            alone = statistics.median(time_one(normalize_lists, text) for _ in range(5))
            whole = statistics.median(time_one(renderer.render, text) for _ in range(5))
            cells.append(f"{alone * 1000 / kb:>6.3f} | {whole * 1000 / kb:<6.2f}")
        print(f"{name:14s} " + " ".join(f"{c:>15s}" for c in cells), flush=True)


def stream_into_view(text: str, chunk: int = 256, limit_s: float = 120.0) -> tuple[float, float, int]:
    """Stream ``text`` into a real ChatView; returns (largest GUI-thread update, largest 5 ms timer gap,
    characters streamed before ``limit_s`` ran out)."""
    from PySide6.QtCore import QCoreApplication, QTimer
    from PySide6.QtWidgets import QApplication

    from deepseek_desktop.core.conversations.reply_recorder import ReplyText
    from deepseek_desktop.core.conversations.types import MessageState
    from deepseek_desktop.core.events import TextDelta
    from deepseek_desktop.ui.chat.message import ChatItem
    from deepseek_desktop.ui.chat.view import ChatView

    app = QApplication.instance() or QApplication([])
    view = ChatView()
    view.resize(900, 700)
    view.show()
    view.append_item(ChatItem(id=None, role="user", content="Go"))
    live = ReplyText()
    w = view.append_item(ChatItem(id=None, role="assistant", state=MessageState.STREAMING, live=live))
    updates: list[float] = []

    def timed(fn):
        def wrapper(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                updates.append(time.perf_counter() - t0)
        return wrapper

    w.flush = timed(w.flush)
    stack = getattr(w, "_blocks_box", None)
    if stack is not None and hasattr(stack, "apply_rendered"):
        stack.apply_rendered = timed(stack.apply_rendered)
    gaps: list[float] = []
    last = [time.perf_counter()]

    def tick():
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(tick)
    timer.start()
    pos = 0
    started = time.perf_counter()
    next_chunk = started
    while pos < len(text) and time.perf_counter() - started < limit_s:
        now = time.perf_counter()
        if now >= next_chunk:
            live.add(TextDelta(text[pos:pos + chunk]))
            view.mark_dirty()
            pos += chunk
            next_chunk = now + 0.005
        app.processEvents()
        time.sleep(0.001)
    w.finish(MessageState.COMPLETE)
    deadline = time.perf_counter() + 30
    while time.perf_counter() < deadline:  # the last blocks coming back from the Markdown thread
        app.processEvents()
        pending = getattr(stack, "pending", None)
        if not (pending and pending()):
            break
        time.sleep(0.002)
    app.processEvents()
    timer.stop()
    view.close()
    view.deleteLater()
    QCoreApplication.sendPostedEvents(None, 0)
    return max(updates, default=0.0), max(gaps[1:], default=0.0), min(pos, len(text))


def streaming(size_kb: int, shapes: list[str], limit_s: float) -> None:
    print(f"\n2. streaming a {size_kb} KB reply into the chat view, 256 characters every 5 ms (offscreen)")
    stream_into_view(NORMAL * 4)  # first use: Pygments' lexer, fonts
    for name in shapes:
        update, gap, done = stream_into_view(SHAPES[name](size_kb * 1024), limit_s=limit_s)
        note = "" if done >= size_kb * 1024 else f" (stopped after {done // 1024} KB: time limit)"
        print(f"   {name:12s} largest GUI-thread update {update * 1000:8.1f} ms, "
              f"largest 5 ms timer gap {gap * 1000:8.1f} ms{note}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cap", type=float, default=5.0, help="skip runs predicted to take longer (s)")
    ap.add_argument("--sizes", default=",".join(map(str, SIZES_KB)))
    ap.add_argument("--shapes", default=",".join(SHAPES))
    ap.add_argument("--stream-kb", type=int, default=100)
    ap.add_argument("--stream-shapes", default="[,[ paras,|table,``a` paras,normal")
    ap.add_argument("--stream-limit", type=float, default=120.0, help="stop streaming one reply after (s)")
    ap.add_argument("--skip-render", action="store_true")
    ap.add_argument("--list-shapes", default="model lists,list lines,1. markers,normal")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if not args.skip_render:
        render_side_by_side(sizes, args.cap, args.shapes.split(","))
        list_pass_cost(sizes, args.list_shapes.split(","))
    if args.stream_kb:
        streaming(args.stream_kb, args.stream_shapes.split(","), args.stream_limit)


if __name__ == "__main__":
    main()

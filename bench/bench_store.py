"""How fast the conversation store answers the GUI: prints medians, each beside a baseline.

    .venv/bin/python bench/bench_store.py [--conversations 1000] [--long 1000] [--repeat 30]

Builds a real database in a temporary folder: ``--conversations`` conversations of 10 messages, one of
them with ``--long`` messages (German and English text, answers with reasoning), then times:

- opening a conversation: conversation row + newest 50 messages + message count (what the chat view
  loads for its first screen), against reading all messages of it;
- the same for a copy of it in which one early reply has a second version (the path of versions shown
  is then walked from parent to child), against the conversation without versions;
- a streaming flush (one row update), against the same update on an indexed, finished message
  (what each flush would cost if streaming text were indexed for search);
- a search over all conversations with FTS5, against the LIKE fallback;
- opening the store (integrity check included), for scale.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from deepseek_desktop.core.conversations.store import ConversationStore  # noqa: E402
from deepseek_desktop.core.conversations.types import MessageState, MessageStats  # noqa: E402

_WORD_TEXT = (
    "der die das und Speicher Größe Modell Quantisierung läuft schnell Übersetzung Gewichte Kontext "
    "Schlüssel Rechner Grafikkarte ungefähr benötigt the model memory reasoning answer token layer "
    "context weights quantisation laptop expert router attention latent cache batch thread faster"
)
_SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "ta", "sch", "ber", "gen", "ung", "ter", "lich", "ion", "er", "an"]
RARE = "Zwiebelkuchen"  # in three messages only: the search for something specific


def vocabulary(rnd: random.Random, size: int = 4000) -> tuple[list[str], list[float]]:
    """Real words first, made-up ones after, weighted like natural text (Zipf: the n-th word 1/n)."""
    words = _WORD_TEXT.split(" ")
    while len(words) < size:
        words.append("".join(rnd.choice(_SYLLABLES) for _ in range(rnd.randint(2, 4))))
    return words, [1.0 / (rank + 1) for rank in range(len(words))]


def text(rnd: random.Random, words: int, vocab: tuple[list[str], list[float]]) -> str:
    return " ".join(rnd.choices(vocab[0], vocab[1], k=words)) + "."


def build(path: Path, conversations: int, long: int, rnd: random.Random) -> int:
    vocab = vocabulary(rnd)
    rare_at = set(rnd.sample(range(conversations), 3))
    store = ConversationStore(path)
    long_id = 0
    for i in range(conversations):
        conv = store.create_conversation()
        count = long if i == conversations // 2 else 10
        if count == long:
            long_id = conv.id
        for j in range(count):
            if j % 2 == 0:
                question = text(rnd, 25, vocab) + (f" {RARE}?" if j == 0 and i in rare_at else "")
                store.add_message(conv.id, "user", question)
            else:
                store.add_message(conv.id, "assistant", text(rnd, 220, vocab), reasoning=text(rnd, 120, vocab),
                                  reasoning_seconds=3.2, model="DeepSeek-R1-Distill-Qwen-7B-Q4_K_M",
                                  engine="llamacpp", stats=MessageStats(400, 300, 35.0, 210.0, "stop"))
    store.close()
    return long_id


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    fn()  # warm the page cache the way a second open in the GUI would find it
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=1000)
    parser.add_argument("--long", type=int, default=1000, help="messages in the long conversation")
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    rnd = random.Random(20250101)

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "conversations.sqlite3"
        start = time.perf_counter()
        long_id = build(path, args.conversations, args.long, rnd)
        size_mb = sum(p.stat().st_size for p in Path(tmp).iterdir()) / 1e6
        print(f"database: {args.conversations} conversations, one of {args.long} messages, "
              f"{size_mb:.1f} MB, built in {time.perf_counter() - start:.1f} s")

        rows: list[tuple[str, float, str, float]] = []
        store = ConversationStore(path)

        def open_first_screen() -> None:
            store.get_conversation(long_id)
            store.latest_messages(long_id, 50)
            store.message_count(long_id)

        rows.append((f"open conversation: newest 50 of {args.long}", median_ms(open_first_screen, args.repeat),
                     f"all {args.long} messages", median_ms(lambda: store.all_messages(long_id), args.repeat)))
        copy = store.import_conversation(store.get_conversation(long_id), store.all_messages(long_id))
        second = store.all_messages(copy.id)[1]
        store.add_message(copy.id, "assistant", "another version", version_of=second.id)
        store.select_version(second.id, 1)

        def open_with_versions() -> None:
            store.get_conversation(copy.id)
            store.latest_messages(copy.id, 50)
            store.message_count(copy.id)

        rows.append((f"open conversation with versions: newest 50 of {args.long}",
                     median_ms(open_with_versions, args.repeat), "without versions",
                     median_ms(open_first_screen, args.repeat)))
        middle = args.long // 2
        rows.append((f"scroll up: 50 before position {middle}",
                     median_ms(lambda: store.messages_before(long_id, middle, 50), args.repeat), "", 0.0))

        reply = store.begin_reply(long_id, model="m", engine="simulator")
        finished = store.add_message(long_id, "assistant", "x")
        vocab = vocabulary(rnd)
        grow = [text(rnd, 8, vocab)]

        def flush() -> None:
            grow.append(text(rnd, 8, vocab))
            store.update_streaming(reply.id, " ".join(grow[-60:]), "", 1.0)

        def indexed_update() -> None:
            grow.append(text(rnd, 8, vocab))
            store.replace_content(finished.id, " ".join(grow[-60:]))

        rows.append(("streaming flush (one row)", median_ms(flush, args.repeat),
                     "update of an indexed message", median_ms(indexed_update, args.repeat)))
        store.finish_message(reply.id, MessageState.COMPLETE)

        store.close()
        # the LIKE store turns the index triggers off; the FTS store opened after it turns them on again
        like = ConversationStore(path, use_fts=False)
        store = ConversationStore(path)
        for query in (RARE, "Quantisierung", "grafikkarte läuft", "expert rout", "the"):
            rows.append((f"search {query!r} over {args.conversations} conversations (FTS5)",
                         median_ms(lambda q=query: store.search(q), args.repeat),
                         "LIKE fallback", median_ms(lambda q=query: like.search(q), max(3, args.repeat // 5))))
        like.close()
        store.close()

        def reopen() -> None:
            ConversationStore(path).close()

        rows.append(("open the store (quick_check included)", median_ms(reopen, max(3, args.repeat // 5)), "", 0.0))

    width = max(len(r[0]) for r in rows)
    print(f"\n{'operation':<{width}}  {'median':>10}   baseline")
    for name, ms, base_name, base_ms in rows:
        line = f"{name:<{width}}  {ms:>8.3f} ms"
        if base_name:
            line += f"   {base_name}: {base_ms:.3f} ms ({base_ms / ms:.1f}x)"
        print(line)


if __name__ == "__main__":
    main()

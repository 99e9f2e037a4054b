"""The baseline: plain llama-cpp-python, no DeepSeek Desktop code but the call that loads llama.cpp's backends
(the build has loadable backends; llama.cpp's own programs load them at start, llama-cpp-python does not).
Prints one JSON line per streamed chunk and a final stats line in the same shape as
``deepseek-desktop chat --json``.

The chat template is the same Gemma layout our engine falls back to (the Gemma GGUF carries none),
written out here so both sides evaluate exactly the same prompt tokens. Flash attention on, as in our
engine's default and in llama-server (its "auto" turns it on for the CPU).
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import llama_cpp
from llama_cpp.llama_chat_format import Jinja2ChatFormatter

from deepseek_desktop.engines.ggml_backends import load_ggml_backends

load_ggml_backends()

GEMMA = (
    "{{ bos_token }}{% for m in messages %}<start_of_turn>{{ 'model' if m['role'] == 'assistant' else 'user' }}\n"
    "{{ m['content'] | trim }}<end_of_turn>\n{% endfor %}"
    "{% if add_generation_prompt %}<start_of_turn>model\n{% endif %}"
)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--ctx", type=int, default=2048)
    ap.add_argument("--max-tokens", type=int, default=256)
    ap.add_argument("--prompt", action="append", required=True, help="one per turn")
    args = ap.parse_args()
    llm = llama_cpp.Llama(model_path=args.model, n_ctx=args.ctx, n_threads=args.threads,
                          n_threads_batch=args.threads, verbose=False, flash_attn=True,
                          chat_handler=Jinja2ChatFormatter(GEMMA, "<eos>", "<bos>").to_chat_handler())
    messages = []
    for prompt in args.prompt:
        messages.append({"role": "user", "content": prompt})
        t0 = time.perf_counter()
        first = last = None
        n = 0
        answer = []
        for chunk in llm.create_chat_completion(messages, stream=True, max_tokens=args.max_tokens,
                                                temperature=0.0):
            delta = chunk["choices"][0]["delta"].get("content")
            if not delta:
                continue
            now = time.perf_counter()
            first = first or now
            last = now
            n += 1
            answer.append(delta)
            sys.stdout.write(json.dumps({"type": "text", "delta": delta}) + "\n")
            sys.stdout.flush()
        messages.append({"role": "assistant", "content": "".join(answer)})
        tps = (n - 1) / (last - first) if n > 1 and last > first else 0.0
        print(json.dumps({"type": "stats", "completion_tokens": n, "ttft_ms": (first - t0) * 1000.0,
                          "tokens_per_s": tps}), flush=True)


if __name__ == "__main__":
    main()

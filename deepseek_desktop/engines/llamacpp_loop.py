"""Our own generation loop over llama.cpp's C API (through llama-cpp-python's ctypes binding).

``Llama.generate`` does per-token work we do not need: it copies the whole logit row (the vocabulary's size,
262k floats for Gemma 3) into a numpy array after every decode and rebuilds its batch through Python. This
loop decodes one token per ``llama_decode`` with logits for that position only, samples with the request's
own sampler chain straight from llama.cpp's logits, and keeps llama-cpp-python's bookkeeping true after every
step: ``llm.input_ids[:llm.n_tokens]`` are exactly the tokens in the K/V cache (so ``Llama.save_state`` /
``load_state`` and the next turn's prefix reuse keep working).

The token just sampled is decoded only when the next one is asked for, so after ``next()`` returns, the
logits it was chosen from are still llama.cpp's last row (``Logprobs`` reads them there).

``force(tokens)`` appends tokens to the context as if the model had written them (the thinking budget closes
the thinking this way); the next ``next()`` samples after them.

Speculative decoding: a drafter guesses the next tokens. ``PromptLookup``: when the last few tokens
occurred earlier in the context, the tokens that followed them then are a cheap guess of what follows now.
``DraftModel``: a small model of the same vocabulary guesses them greedily. The guess is checked in one batch
with logits for every position; the sampler picks a token at each position, and the guess is kept up to the
first position where the sampler chose otherwise (that choice is the next token). With greedy sampling the
output is the same token for token as without the guess; only the number of decodes changes.
"""

from __future__ import annotations

import collections
from collections.abc import Iterator, Sequence

import llama_cpp
import numpy as np


class PromptLookup:
    """Drafts up to ``n_draft`` tokens by finding the context's last n-gram (longest first, from ``n_max``
    down to ``n_min`` tokens) earlier in the context, the most recent occurrence first (as llama.cpp's
    ``--lookup`` and llama-cpp-python's ``LlamaPromptLookupDecoding`` do)."""

    def __init__(self, n_draft: int = 10, n_max: int = 3, n_min: int = 2) -> None:
        self.n_draft, self.n_max, self.n_min = n_draft, n_max, n_min

    def draft(self, ids: np.ndarray) -> list[int]:
        size = len(ids)
        for n in range(min(self.n_max, size - 1), self.n_min - 1, -1):
            windows = np.lib.stride_tricks.sliding_window_view(ids[:-1], n)
            hits = np.nonzero((windows == ids[-n:]).all(axis=1))[0]
            if len(hits):
                start = int(hits[-1]) + n
                return ids[start:start + self.n_draft].tolist()
        return []


class DraftModel:
    """Drafts ``n_draft`` tokens with a second, smaller model of the same vocabulary (greedy), on its own
    context; what it evaluated last time and is still a prefix of the context is not evaluated again."""

    def __init__(self, llm: llama_cpp.Llama, n_draft: int = 8) -> None:
        self.llm, self.n_draft = llm, n_draft

    def draft(self, ids: np.ndarray) -> list[int]:
        from llama_cpp._internals import LlamaSampler

        sampler = LlamaSampler()
        sampler.add_greedy()
        loop = TokenLoop(self.llm, sampler)
        try:
            loop.prefill(ids.tolist())
            return [loop.next() for _ in range(self.n_draft)]
        finally:
            loop.close()
            sampler.close()


class TokenLoop:
    """Generates one reply on ``llm``'s context with ``sampler`` (a llama-cpp-python ``LlamaSampler``)."""

    def __init__(self, llm: llama_cpp.Llama, sampler, lookup: PromptLookup | DraftModel | None = None) -> None:
        self._llm = llm
        self._ctx = llm.ctx
        self._sampler = sampler.sampler
        self._mem = llama_cpp.llama_get_memory(self._ctx)
        self._n_batch = max(1, llm.n_batch)
        self._lookup = lookup
        self._batch = llama_cpp.llama_batch_init(self._n_batch, 0, 1)
        self._pending: int | None = None  # sampled and returned, not yet in the K/V cache
        # Tokens already verified from a draft, each with the K/V length that ends with it (the last one,
        # the sampler's own choice, is not in the cache: its length is None).
        self._queue: collections.deque[tuple[int, int | None]] = collections.deque()
        self._kept: int | None = None  # K/V length ending with the token returned last, if it is in there
        self.drafted = 0
        self.accepted = 0
        self.evaluated = 0

    def close(self) -> None:
        """Ends the reply: verified draft tokens nobody asked for leave the cache."""
        if self._queue and self._kept is not None:
            self._truncate(self._kept)
            self._queue.clear()
        if self._batch is not None:
            llama_cpp.llama_batch_free(self._batch)
            self._batch = None

    def __enter__(self) -> TokenLoop:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def generate(self, tokens: Sequence[int]) -> Iterator[int]:
        """Evaluates the prompt (what is not in the cache already), then yields one sampled token at a time."""
        self.prefill(tokens)
        while True:
            yield self.next()

    def prefill(self, tokens: Sequence[int]) -> int:
        """Brings the context to ``tokens``: keeps the longest common prefix with what the cache holds (all but
        the last token, whose logits the first sample needs), evaluates the rest in ``n_batch`` chunks.
        Returns how many tokens were evaluated."""
        llm = self._llm
        prompt = np.asarray(tokens, dtype=np.intc)
        cached = llm.input_ids[:llm.n_tokens]
        n = min(len(cached), len(prompt))
        differ = np.nonzero(cached[:n] != prompt[:n])[0]
        prefix = int(differ[0]) if len(differ) else n
        prefix = min(prefix, len(prompt) - 1)
        self._truncate(prefix)
        self._decode(prompt[prefix:].tolist())
        self.evaluated = len(prompt) - prefix
        return self.evaluated

    def next(self) -> int:
        """The next token: a verified draft token, or the sampler's choice after the last one."""
        if self._queue:
            token, self._kept = self._queue.popleft()
            if self._kept is None:
                self._pending = token
            return token
        if self._pending is not None:
            if self._lookup is not None and self._speculate():
                return self.next()
            self._decode([self._pending])
            self._pending = None
        self._kept = None
        token = llama_cpp.llama_sampler_sample(self._sampler, self._ctx, -1)
        self._pending = token
        return token

    def force(self, tokens: Sequence[int], accept: bool = True) -> None:
        """Appends ``tokens`` after the last token returned, as if the model had written them. The sampler
        chain sees them too (its penalties count them), unless ``accept`` is false: pass that when the chain
        has a grammar that may refuse them (llama.cpp's grammar sampler fails hard on a token it refuses)."""
        if self._kept is not None:  # the last token came from a draft: drop the rest of that draft
            self._truncate(self._kept)
            self._pending = None
        self._queue.clear()
        self._kept = None
        head = [self._pending] if self._pending is not None else []
        self._pending = None
        for token in tokens if accept else ():
            llama_cpp.llama_sampler_accept(self._sampler, token)
        self._decode(head + list(tokens))

    def _speculate(self) -> bool:
        """Verifies a prompt-lookup draft after the pending token; queues what the sampler agrees with."""
        llm = self._llm
        assert self._lookup is not None and self._pending is not None
        base = llm.n_tokens
        context = np.append(llm.input_ids[:base], np.intc(self._pending))
        room = min(self._n_batch, llm.n_ctx()) - 1
        draft = self._lookup.draft(context)[:max(0, min(room, llm.n_ctx() - base - 2))]
        if not draft:
            return False
        self._decode([self._pending, *draft], all_logits=True)
        self._pending = None
        self.drafted += len(draft)
        for i in range(len(draft) + 1):
            token = llama_cpp.llama_sampler_sample(self._sampler, self._ctx, i)
            if i < len(draft) and token == draft[i]:
                self._queue.append((token, base + 2 + i))
                continue
            self._queue.append((token, None))
            self.accepted += i
            self._truncate(base + 1 + i)  # the pending token and the drafts the sampler agreed with
            return True
        raise AssertionError("unreachable")

    def _truncate(self, n: int) -> None:
        if n < self._llm.n_tokens or n == 0:
            llama_cpp.llama_memory_seq_rm(self._mem, -1, n, -1)
        self._llm.n_tokens = min(n, self._llm.n_tokens)

    def _decode(self, tokens: list[int], all_logits: bool = False) -> None:
        llm, batch = self._llm, self._batch
        for start in range(0, len(tokens), self._n_batch):
            chunk = tokens[start:start + self._n_batch]
            past = llm.n_tokens
            batch.n_tokens = len(chunk)
            for i, token in enumerate(chunk):
                batch.token[i] = token
                batch.pos[i] = past + i
                batch.n_seq_id[i] = 1
                batch.seq_id[i][0] = 0
                batch.logits[i] = all_logits
            batch.logits[len(chunk) - 1] = True
            rc = llama_cpp.llama_decode(self._ctx, batch)
            if rc != 0:
                # An abort leaves the chunk's finished micro-batches in the cache: take them out again.
                llama_cpp.llama_memory_seq_rm(self._mem, -1, past, -1)
                raise RuntimeError(f"llama_decode returned {rc}")
            llm.input_ids[past:past + len(chunk)] = chunk
            llm.n_tokens = past + len(chunk)

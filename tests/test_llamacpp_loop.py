"""Our generation loop over llama.cpp's C API, on the real Gemma 3 270M GGUF: the same greedy tokens as
llama-cpp-python's own generator, llama-cpp-python's bookkeeping kept true (so save/load state and the next
turn's prefix reuse work), forced tokens, and prompt-lookup drafts that change nothing in the output."""

from __future__ import annotations

import llama_cpp
import numpy as np
import pytest

from deepseek_desktop.core.requests import GenerationParams
from deepseek_desktop.engines.ggml_backends import load_ggml_backends
from deepseek_desktop.engines.llamacpp_loop import DraftModel, PromptLookup, TokenLoop
from deepseek_desktop.engines.llamacpp_sampling import sampler_for

GREEDY = GenerationParams(temperature=0)
CODE = (
    "Repeat this Python code exactly, but rename the function to total_price:\n\n"
    "def price(items, tax):\n    total = 0\n    for item in items:\n        total += item.price * item.count\n"
    "    total = total * (1 + tax)\n    return round(total, 2)\n\n"
)


@pytest.fixture(scope="module")
def llm(gemma_path):
    load_ggml_backends()
    model = llama_cpp.Llama(str(gemma_path), n_ctx=1024, n_batch=64, n_ubatch=64, n_threads=2,
                            n_threads_batch=2, verbose=False)
    yield model
    model.close()


def tokens(llm, text: str) -> list[int]:
    return llm.tokenize(text.encode("utf-8"), add_bos=True, special=True)


def run(llm, prompt: list[int], n: int, lookup: PromptLookup | None = None) -> tuple[list[int], TokenLoop]:
    sampler = sampler_for(llm, GREEDY)
    loop = TokenLoop(llm, sampler, lookup)
    out = []
    try:
        for token in loop.generate(prompt):
            out.append(token)
            if len(out) == n:
                break
    finally:
        loop.close()
        sampler.close()
    return out, loop


def assert_bookkeeping(llm, expected: list[int]) -> None:
    """Contract: ``input_ids[:n_tokens]`` are exactly the tokens in the K/V cache."""
    assert llm.input_ids[: llm.n_tokens].tolist() == expected
    memory = llama_cpp.llama_get_memory(llm.ctx)
    assert llama_cpp.llama_memory_seq_pos_max(memory, 0) == len(expected) - 1


def test_greedy_tokens_are_llama_cpp_pythons_and_the_bookkeeping_holds(llm):
    prompt = tokens(llm, "Write a short poem about the sea.")
    llm.reset()
    theirs = []
    for token in llm.generate(prompt, temp=0, repeat_penalty=GREEDY.repeat_penalty, reset=True):
        theirs.append(token)
        if len(theirs) == 40:
            break
    llm.reset()
    ours, loop = run(llm, prompt, 40)
    assert ours == theirs
    assert loop.evaluated == len(prompt)
    # the last token was returned, not yet decoded: the cache holds the prompt and the tokens before it
    assert_bookkeeping(llm, prompt + ours[:-1])


def test_the_next_turn_evaluates_only_what_differs_and_save_load_state_work(llm):
    llm.reset()
    prompt = tokens(llm, "Name three colours.")
    first, _ = run(llm, prompt, 8)
    turn2 = prompt + first + tokens(llm, " And three animals?")[1:]
    state = llm.save_state()
    second, loop = run(llm, turn2, 16)
    assert loop.evaluated == len(turn2) - (len(prompt) + len(first) - 1)
    llm.reset()
    llm.load_state(state)
    assert_bookkeeping(llm, prompt + first[:-1])
    again, loop = run(llm, turn2, 16)
    assert again == second
    assert loop.evaluated == len(turn2) - (len(prompt) + len(first) - 1)
    # the same prompt once more: only its last token is evaluated again (its logits start the reply)
    _, loop = run(llm, turn2, 1)
    assert loop.evaluated == 1


def test_forced_tokens_continue_as_if_the_model_had_written_them(llm):
    prompt = tokens(llm, "Tell me about lighthouses.")
    forced = llm.tokenize(b"\n\nIn short:", add_bos=False, special=False)
    llm.reset()
    sampler = sampler_for(llm, GREEDY)
    loop = TokenLoop(llm, sampler)
    gen = loop.generate(prompt)
    head = [next(gen) for _ in range(6)]
    loop.force(forced)
    assert_bookkeeping(llm, prompt + head + forced)
    tail = [next(gen) for _ in range(12)]
    gen.close()
    loop.close()
    sampler.close()
    llm.reset()
    fresh, _ = run(llm, prompt + head + forced, 12)
    assert tail == fresh


def test_prompt_lookup_changes_no_token_and_saves_decodes(llm):
    prompt = tokens(llm, CODE)
    llm.reset()
    plain, _ = run(llm, prompt, 80)
    llm.reset()
    drafted, loop = run(llm, prompt, 80, PromptLookup())
    assert drafted == plain
    assert loop.drafted > 0 and loop.accepted > 0
    # the cache holds the accepted drafts: still exactly what input_ids say, a prefix of prompt + reply
    kept = llm.input_ids[: llm.n_tokens].tolist()
    assert kept in (prompt + plain, prompt + plain[:-1])
    assert_bookkeeping(llm, kept)


def test_forcing_in_the_middle_of_a_verified_draft_drops_the_rest_of_it(llm):
    prompt = tokens(llm, CODE)
    forced = llm.tokenize(b"\n# done\n", add_bos=False, special=False)
    llm.reset()
    sampler = sampler_for(llm, GREEDY)
    loop = TokenLoop(llm, sampler, PromptLookup())
    gen = loop.generate(prompt)
    head = []
    while not (loop._queue and loop._kept is not None) and len(head) < 200:  # stop inside a verified draft
        head.append(next(gen))
    assert loop._kept is not None, "no draft was accepted"
    loop.force(forced)
    assert_bookkeeping(llm, prompt + head + forced)
    tail = [next(gen) for _ in range(8)]
    gen.close()
    loop.close()
    sampler.close()
    llm.reset()
    fresh, _ = run(llm, prompt + head + forced, 8)
    assert tail == fresh


def test_a_draft_model_changes_no_token_and_gemma_drafting_for_itself_is_nearly_always_right(llm, gemma_path):
    """The Gemma GGUF drafts for itself (a second context of the same model: same vocabulary)."""
    drafter = llama_cpp.Llama(str(gemma_path), n_ctx=1024, n_batch=64, n_ubatch=64, n_threads=2,
                              n_threads_batch=2, verbose=False)
    try:
        prompt = tokens(llm, "Write a short poem about the sea.")
        llm.reset()
        plain, _ = run(llm, prompt, 48)
        llm.reset()
        drafted, loop = run(llm, prompt, 48, DraftModel(drafter, n_draft=6))
    finally:
        drafter.close()
    assert drafted == plain
    assert loop.drafted > 0
    assert loop.accepted / loop.drafted > 0.9
    # the cache ends with the last token returned (decoded already when it came from a draft), or before it
    kept = llm.input_ids[: llm.n_tokens].tolist()
    assert kept in (prompt + plain, prompt + plain[:-1])
    assert_bookkeeping(llm, kept)


def test_lookup_drafts_from_the_most_recent_earlier_occurrence():
    ids = np.array([1, 2, 3, 9, 1, 2, 3, 7, 8, 5, 1, 2, 3], dtype=np.intc)
    assert PromptLookup(n_draft=2).draft(ids) == [7, 8]
    assert PromptLookup().draft(np.array([4, 5, 6], dtype=np.intc)) == []


def test_the_engine_gives_the_same_reply_with_prompt_lookup_and_reports_the_acceptance(gemma_path):
    """Through the engine host, as the window, the CLI and the API server use it: the setting off and on."""
    import asyncio

    from conftest import THREADS

    from deepseek_desktop.core.events import Stats, TextDelta
    from deepseek_desktop.core.requests import ChatMessage, ChatRequest, LoadParams
    from deepseek_desktop.engine_host.client import EngineHostClient

    async def reply(lookup: bool) -> tuple[str, Stats]:
        client = EngineHostClient()
        await client.start()
        try:
            await client.load("llamacpp", LoadParams(model=str(gemma_path), n_ctx=2048, n_threads=THREADS,
                                                     prompt_lookup=lookup))
            request = ChatRequest([ChatMessage("user", CODE)], GenerationParams(temperature=0, max_tokens=64))
            events = [e async for e in client.chat(request)]
        finally:
            await client.stop()
        return "".join(e.text for e in events if isinstance(e, TextDelta)), next(e for e in events
                                                                              if isinstance(e, Stats))

    off_text, off = asyncio.run(reply(False))
    on_text, on = asyncio.run(reply(True))
    assert on_text == off_text and off_text
    assert off.draft_acceptance is None
    assert on.draft_acceptance is not None and 0 < on.draft_acceptance <= 1

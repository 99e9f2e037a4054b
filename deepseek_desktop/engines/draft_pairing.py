"""The draft model of a load (speculative decoding): which one, whether it fits, whether its vocabulary is
the main model's.

Decided here, in the engine at load, for the window, the CLI and the API server alike: the load parameters
carry the setting ("auto", "off", or an installed model's name or a GGUF path) and the installed-models
registry's file; the hardware and the main model's placement are only known here. With "auto", the drafter
is the catalogue's pair for the main model (``models/catalogue/drafts.py``) when it is installed; a chosen
drafter is taken as it is. Either way it is loaded only when it fits in the memory the main model leaves,
and used only when the two vocabularies agree (checked on the files, before the drafter's weights are
loaded).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import llama_cpp
import numpy as np

from ..core.errors import ModelFileError
from ..core.requests import LoadParams
from ..models.catalogue.catalogue import load_catalogue
from ..models.errors import ModelManagerError
from ..models.fit import MemoryEstimate, OffloadPlan, assess_fit
from ..models.gguf.header import check_gguf, read_gguf_header
from ..models.hardware import HardwareInfo
from ..models.local.inspection import estimate_local_model
from ..models.local.registry import ModelRegistry
from ..models.storage import resolve_path
from .llamacpp_loop import DraftModel

log = logging.getLogger(__name__)

AUTO, OFF = "auto", "off"
# As llama.cpp's speculative example: vocabularies may differ by padding at the end, no more.
MAX_SIZE_DIFFERENCE = 128
# Tokens whose texts are compared: the first ones, then this many spread over the whole vocabulary.
_SPREAD = 2048
_SPECIAL = llama_cpp.LLAMA_TOKEN_ATTR_CONTROL | llama_cpp.LLAMA_TOKEN_ATTR_USER_DEFINED \
    | llama_cpp.LLAMA_TOKEN_ATTR_UNKNOWN | llama_cpp.LLAMA_TOKEN_ATTR_UNUSED


@dataclass(frozen=True)
class DraftCandidate:
    path: Path
    name: str
    chosen: bool  # named by the setting (else: the catalogue's pair)


def find_drafter(params: LoadParams, main: Path, metadata: dict[str, str]) -> tuple[DraftCandidate | None, str]:
    """The drafter to try for ``main`` (whose GGUF metadata is ``metadata``), or None and why not."""
    setting = params.draft_model.strip()
    if setting in ("", OFF):
        return None, "off"
    registry = ModelRegistry(params.registry_file, main.parent) if params.registry_file else None
    if setting != AUTO:
        if registry is not None:
            try:
                entry = registry.find(setting)
                return DraftCandidate(Path(entry.path), entry.name, True), ""
            except ModelManagerError:
                pass
        path = Path(setting).expanduser()
        if not path.is_file():
            return None, f"the chosen draft model {setting!r} is neither an installed model nor a file"
        return DraftCandidate(path, path.name, True), ""
    if registry is None:
        return None, "no registry of installed models"
    installed = registry.list()
    here = resolve_path(main)
    entry = next((m for m in installed if resolve_path(m.path) == here), None)
    catalog_id = entry.catalog_id if entry else ""
    wanted = load_catalogue().drafters_for(catalog_id, metadata.get("general.architecture", ""),
                                          metadata.get("tokenizer.ggml.pre", ""))
    if not wanted:
        return None, "the catalogue knows no draft model for this model"
    for drafter in wanted:
        for m in installed:
            if m.catalog_id == drafter and m.format == "gguf" and m.present and resolve_path(m.path) != here:
                return DraftCandidate(Path(m.path), m.name, False), ""
    return None, f"its draft model ({', '.join(wanted)}) is not installed as a GGUF"


def vocab_difference(main_vocab: Any, draft_vocab: Any) -> str:
    """Why a drafter's vocabulary is not the main model's ("" when it is): the same kind, sizes that differ
    by padding at most, and the same text for the ordinary tokens compared (the first 256 and some spread
    over the whole vocabulary; special tokens may differ, as they do between Qwen2.5 and R1's distills)."""
    kinds = llama_cpp.llama_vocab_type(main_vocab), llama_cpp.llama_vocab_type(draft_vocab)
    if kinds[0] != kinds[1]:
        return f"the tokenizers are of different kinds ({kinds[0]} and {kinds[1]})"
    sizes = llama_cpp.llama_vocab_n_tokens(main_vocab), llama_cpp.llama_vocab_n_tokens(draft_vocab)
    if abs(sizes[0] - sizes[1]) > MAX_SIZE_DIFFERENCE:
        return f"the vocabularies have {sizes[0]} and {sizes[1]} tokens"
    n = min(sizes)
    ids = sorted(set(range(min(n, 256))) | set(np.linspace(0, n - 1, _SPREAD, dtype=int).tolist()))
    for i in ids:
        if (llama_cpp.llama_vocab_get_attr(main_vocab, i) | llama_cpp.llama_vocab_get_attr(draft_vocab, i)) & _SPECIAL:
            continue
        a, b = llama_cpp.llama_vocab_get_text(main_vocab, i), llama_cpp.llama_vocab_get_text(draft_vocab, i)
        if a != b:
            return f"token {i} is {a!r} in one vocabulary and {b!r} in the other"
    return ""


def read_vocab_difference(main_vocab: Any, path: Path) -> str:
    """``vocab_difference`` with the drafter's vocabulary read from its file (its weights are not loaded);
    ``ValueError`` when llama.cpp cannot read it."""
    mparams = llama_cpp.llama_model_default_params()
    mparams.vocab_only = True
    model = llama_cpp.llama_model_load_from_file(str(path).encode("utf-8"), mparams)
    if not model:
        raise ValueError(f"llama.cpp could not read the vocabulary of {path.name}")
    try:
        return vocab_difference(main_vocab, llama_cpp.llama_model_get_vocab(model))
    finally:
        llama_cpp.llama_model_free(model)


def drafter_plan(draft: MemoryEstimate, main: MemoryEstimate, main_plan: OffloadPlan, hw: HardwareInfo
                 ) -> OffloadPlan | None:
    """Where the drafter goes, in what ``hw`` had free before the main model was loaded less what the main
    model takes: wholly on the main model's GPUs when it fits there beside it, else the CPU when it fits in
    RAM, else nowhere (None)."""
    if not main_plan.devices:
        on_gpu = 0
    elif main_plan.gpu_layers < 0:
        on_gpu = main.total_bytes
    else:
        on_gpu = min(main.total_bytes, main_plan.gpu_layers * main.per_layer_bytes + main.compute_bytes)
    gpus = tuple(g for g in hw.gpus if g.device in main_plan.devices)
    free = sum(g.free_bytes for g in gpus) or 1
    left = replace(hw, ram_available_bytes=max(0, hw.ram_available_bytes - (main.total_bytes - on_gpu)),
                   gpus=tuple(replace(g, free_bytes=max(0, g.free_bytes - on_gpu * g.free_bytes // free))
                              for g in gpus))
    fit = assess_fit(draft, left)
    if fit.verdict == "gpu" and main_plan.devices:
        return OffloadPlan(main_plan.devices, -1, main_plan.tensor_split, main_plan.main_gpu, "gpu")
    if draft.total_bytes <= fit.ram_budget_bytes:
        return OffloadPlan((), 0)
    return None


class PairedDraft(DraftModel):
    """``DraftModel`` that never offers a token the main model's vocabulary lacks (padding differs)."""

    def __init__(self, llm: llama_cpp.Llama, name: str, n_vocab: int, n_draft: int = 8) -> None:
        super().__init__(llm, n_draft)
        self.name, self.n_vocab = name, n_vocab

    def draft(self, ids: np.ndarray) -> list[int]:
        out = []
        for token in super().draft(ids):
            if token >= self.n_vocab:
                break
            out.append(token)
        return out

    def close(self) -> None:
        self.llm.close()


Opener = Callable[[Path, OffloadPlan], llama_cpp.Llama]


def pair_drafter(params: LoadParams, main: Path, llm: llama_cpp.Llama, main_plan: OffloadPlan, hw: HardwareInfo,
                 flash_attn: bool, open_drafter: Opener) -> tuple[PairedDraft | None, dict[str, Any]]:
    """The drafter of this load, loaded with ``open_drafter``, and what the load's info says about it."""
    candidate, why = find_drafter(params, main, llm.metadata)
    if candidate is None:
        if params.draft_model.strip() not in ("", OFF, AUTO):  # a chosen drafter that is not there
            log.warning("no draft model: %s", why)
            return None, _refused(params.draft_model.strip(), "missing", why)
        return None, {"draft_model": None, "draft_model_note": why}
    name = candidate.name
    try:
        read_gguf_header(candidate.path)  # not a GGUF: refused here, never handed to llama.cpp
    except (ModelFileError, OSError, ValueError) as exc:
        log.warning("draft model %s refused: %s", name, exc)
        return None, _refused(name, "load", f"{name}: {exc}")
    try:
        difference = read_vocab_difference(llm._model.vocab, candidate.path)  # reads no tensor data
    except ValueError as exc:
        log.warning("draft model %s refused: %s", name, exc)
        return None, _refused(name, "load", f"{name}: {exc}")
    if difference:
        log.warning("draft model %s refused: %s", name, difference)
        return None, _refused(name, "vocabulary", f"{name}: vocabulary differs: {difference}")
    try:
        check_gguf(candidate.path)  # all of its tensor data is there
    except (ModelFileError, OSError, ValueError) as exc:
        log.warning("draft model %s refused: %s", name, exc)
        return None, _refused(name, "load", f"{name}: {exc}")
    kwargs = {"cache_type": params.kv_cache_type, "flash_attn": flash_attn, "n_ubatch": params.n_batch}
    try:
        draft_estimate = estimate_local_model(candidate.path, params.n_ctx, **kwargs)
        main_estimate = estimate_local_model(main, params.n_ctx, **kwargs)
    except (OSError, ValueError) as exc:
        log.warning("draft model %s refused: %s", name, exc)
        return None, _refused(name, "load", f"{name}: {exc}")
    plan = drafter_plan(draft_estimate, main_estimate, main_plan, hw)
    if plan is None:
        log.info("draft model %s not loaded: %.0f MB do not fit beside the main model", name,
                 draft_estimate.total_bytes / 1e6)
        return None, _refused(name, "fit", f"{name}: does not fit beside the main model")
    try:
        draft_llm = open_drafter(candidate.path, plan)
    except (ValueError, RuntimeError) as exc:
        log.warning("draft model %s could not be loaded: %s", name, exc)
        return None, _refused(name, "load", f"{name}: could not be loaded")
    where = ",".join(plan.devices) or "CPU"
    log.info("draft model %s on %s (%s)", name, where, "chosen" if candidate.chosen else "catalogue pair")
    info = {"name": name, "path": str(candidate.path), "device": where, "chosen": candidate.chosen}
    return PairedDraft(draft_llm, name, llama_cpp.llama_vocab_n_tokens(llm._model.vocab)), {"draft_model": info}


# Why a drafter that was there (or chosen) is not used; the window and the CLI tell the user in their words.
REFUSALS = ("missing", "vocabulary", "fit", "load")


def _refused(name: str, reason: str, note: str) -> dict[str, Any]:
    return {"draft_model": None, "draft_model_note": note, "draft_model_refused": {"name": name, "reason": reason}}

"""Which small model drafts for which (speculative decoding): the catalogue's "drafts" block, checked.

A pair names a drafter (a catalogue model) and the models it drafts for: catalogue models by id, and other
GGUFs (imported ones, with no catalogue id) by their metadata, ``general.architecture`` and
``tokenizer.ggml.pre``. The engine checks the vocabularies themselves when it loads a pair; this is only
which pairs are worth trying.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class DraftPair:
    drafter: str  # a catalogue model id
    targets: tuple[str, ...]  # catalogue model ids it drafts for
    architectures: tuple[str, ...] = ()  # other GGUFs: general.architecture is one of these ...
    tokenizers: tuple[str, ...] = ()  # ... and tokenizer.ggml.pre one of these

    def drafts_for(self, catalog_id: str, architecture: str, tokenizer_pre: str) -> bool:
        if catalog_id:
            return catalog_id in self.targets
        return architecture in self.architectures and tokenizer_pre in self.tokenizers


def parse_drafts(block: Any, known: set[str]) -> tuple[DraftPair, ...]:
    """The "drafts" block (absent: no pairs); ``ValueError`` when a pair is malformed or names a model the
    catalogue does not have."""
    if block is None:
        return ()
    if not isinstance(block, dict) or not isinstance(block.get("pairs"), list):
        raise ValueError("drafts.pairs must be a list")
    pairs = []
    for i, pair in enumerate(block["pairs"]):
        if not isinstance(pair, dict):
            raise ValueError(f"drafts.pairs[{i}] is not an object")
        drafter, targets, gguf = pair.get("drafter"), pair.get("for", []), pair.get("for_gguf", {})
        if drafter not in known:
            raise ValueError(f"drafts.pairs[{i}].drafter {drafter!r} is not a catalogue model")
        if not isinstance(targets, list) or not all(t in known and t != drafter for t in targets):
            raise ValueError(f"drafts.pairs[{i}].for must list other catalogue models")
        if not isinstance(gguf, dict):
            raise ValueError(f"drafts.pairs[{i}].for_gguf must be an object")
        arch, pre = gguf.get("architecture", []), gguf.get("tokenizer_pre", [])
        if not all(isinstance(v, list) and all(isinstance(s, str) and s for s in v) for v in (arch, pre)):
            raise ValueError(f"drafts.pairs[{i}].for_gguf: architecture and tokenizer_pre must list names")
        pairs.append(DraftPair(drafter, tuple(targets), tuple(arch), tuple(pre)))
    return tuple(pairs)

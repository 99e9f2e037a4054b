"""A copy of a real GGUF with another chat template in its metadata (gguf-py's own copy-with-new-metadata)."""

from __future__ import annotations

import logging
from pathlib import Path

import gguf
from gguf.scripts.gguf_new_metadata import MetadataDetails, copy_with_new_metadata

TEMPLATES = Path(__file__).parent / "chat_templates"


def with_chat_template(source: Path, target: Path, template: str) -> Path:
    """``source`` written to ``target`` with ``template`` as its ``tokenizer.chat_template``."""
    logging.getLogger("gguf-new-metadata").setLevel(logging.WARNING)
    reader = gguf.GGUFReader(source, "r")
    arch = reader.get_field(gguf.Keys.General.ARCHITECTURE).contents()
    writer = gguf.GGUFWriter(target, arch=arch, endianess=reader.endianess)
    meta = {gguf.Keys.Tokenizer.CHAT_TEMPLATE: MetadataDetails(gguf.GGUFValueType.STRING, template)}
    copy_with_new_metadata(reader, writer, meta, [])
    return target


def template(name: str) -> str:
    return (TEMPLATES / f"{name}.jinja").read_text(encoding="utf-8")

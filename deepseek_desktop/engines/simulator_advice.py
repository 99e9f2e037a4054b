"""The simulator's answer to "which model fits this computer": the model manager's own recommendation
(``models.catalogue.recommend``, the catalogue's "advice" rule) for the memory and processor detected here, in
place of a fixed table. The words are in the data file beside the topics (``simulator_topics.json``,
"machine_advice"), in English and German, like every other simulator answer."""

from __future__ import annotations

import logging
from typing import Any

from ..models.catalogue.catalogue import Catalogue
from ..models.catalogue.speed import duration_words
from ..models.hardware import HardwareInfo

log = logging.getLogger(__name__)
PLACEHOLDER = "{this_computer}"
GB = 1e9


def _number(value: float, lang: str, digits: int = 0) -> str:
    text = f"{value:,.{digits}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".") if lang == "de" else text


def machine_advice(lang: str, words: dict[str, Any], hw: HardwareInfo | None = None,
                   catalogue: Catalogue | None = None) -> str:
    """A paragraph naming the recommended download for ``hw`` (this computer when None)."""
    from ..models.catalogue.catalogue import load_catalogue
    from ..models.catalogue.recommend import recommend
    from ..models.hardware import probe_hardware

    w = {k: v[lang] for k, v in words.items()}
    if hw is None:
        from .ggml_backends import engine_devices  # the simulator's advice is about the llama.cpp beside it

        hw = probe_hardware(engine_devices())
    rec = recommend(catalogue or load_catalogue(), hw)
    gpu = (w["gpu"].format(gpu=", ".join(g.name for g in hw.gpus), vram=_number(hw.gpu_total_bytes / GB, lang))
           if hw.gpus else w["no_gpu"])
    lines = [w["machine"].format(ram=_number(hw.ram_total_bytes / GB, lang),
                                 free=_number(hw.ram_available_bytes / GB, lang),
                                 cores=hw.cpu_physical_cores, gpu=gpu)]
    if rec.best is None:
        lines.append(w["none"])
        return "\n\n".join(lines)
    picks = [("best", rec.best)] + ([("quick", rec.quick)] if rec.quick is not None else [])
    shown = {c.spec for _key, c in picks}
    for key, c in picks + [(p, c) for p, c in rec.per_purpose.items() if c.spec not in shown]:
        speed = c.speed
        lines.append(w["pick"].format(
            role=w[key], name=c.model.name, quant=c.quant, size=_number(c.size_bytes / GB, lang, 1),
            level=w[speed.level.value], speed=_number(speed.tokens_per_s, lang, 1),
            wait=duration_words(speed.wait_s), tokens=_number(speed.answer_tokens, lang)))
    if not rec.best.level.usable:
        lines.append(w["nothing_usable"])
    return "\n".join(lines[:1] + [""] + [f"- {line}" for line in lines[1:]])


def fill(answer: str, lang: str, words: dict[str, Any]) -> str:
    """The answer with its placeholder replaced; without the figures if the catalogue cannot be read."""
    if PLACEHOLDER not in answer:
        return answer
    try:
        text = machine_advice(lang, words)
    except Exception as exc:  # a hint in a canned answer: better without it than no answer
        log.warning("no recommendation for the simulator's answer: %s", exc)
        text = words["unavailable"][lang]
    return answer.replace(PLACEHOLDER, text)

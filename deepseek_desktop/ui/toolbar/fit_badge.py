"""The toolbar's fit badge: will the loaded model run well here, with the numbers on hover.

The model manager does the arithmetic on a worker thread; here it becomes one translated line.
"""

from __future__ import annotations

import asyncio
import logging

from PySide6.QtCore import QCoreApplication, QLocale

from ...core.model_choice import ModelChoice
from ...core.settings.store import SettingsStore
from ...core.vocabulary import Engine, FitVerdict
from ..device_text import hint_lines
from ..fit_text import experts_in_ram_text, size_text

log = logging.getLogger(__name__)


def _assess(choice: ModelChoice, n_ctx: int, cache_type: str, flash_attn: bool, device: str):
    from ...engine_host.device_query import probe_here
    from ...models.fit import assess_fit
    from ...models.local.inspection import estimate_local_model

    hw = probe_here(device)
    estimate = estimate_local_model(choice.model, n_ctx, cache_type=cache_type, flash_attn=flash_attn)
    return assess_fit(estimate, hw), hw


async def fit_for_choice(choice: ModelChoice, settings: SettingsStore) -> tuple[FitVerdict | Engine | None, str]:
    """(verdict, tooltip) for the badge; the remote server and the simulator are their engine, not a fit."""
    translate = QCoreApplication.translate  # a name lupdate recognises
    if choice.engine is Engine.SIMULATOR:
        return Engine.SIMULATOR, translate("FitBadge",
                                           "No model runs: the simulator answers from a few built-in topics.")
    if choice.engine is Engine.REMOTE:
        text = translate("FitBadge", "Runs on {url}. Your messages are sent there.")
        return Engine.REMOTE, text.format(url=choice.base_url)
    if not choice.engine.runs_files:
        return None, ""
    try:
        fit, hw = await asyncio.to_thread(_assess, choice, settings.get("generation.context_length"),
                                          settings.get("llamacpp.kv_cache_type"),
                                          settings.get("llamacpp.flash_attention"), settings.get("llamacpp.device"))
    except Exception as exc:  # the badge is a hint: no badge is better than a wrong one
        log.warning("fit estimate for %s failed: %s", choice.model, exc)
        return None, ""
    e = fit.estimate
    lines = [translate("FitBadge", "Needs about {total}: weights {weights}, context cache {kv} for {ctx} tokens, "
                           "working memory {compute}.").format(
        total=size_text(e.total_bytes), weights=size_text(e.weights_bytes), kv=size_text(e.kv_cache_bytes),
        ctx=QLocale().toString(e.n_ctx), compute=size_text(e.compute_bytes + e.output_bytes))]
    lines.append(translate("FitBadge", "This computer: {ram} of memory free.").format(
        ram=size_text(hw.ram_available_bytes)))
    if fit.gpu_budget_bytes:
        lines.append(translate("FitBadge", "GPU memory usable on {gpu}: {size}.").format(
            gpu=", ".join(g.name for g in hw.gpus), size=size_text(fit.gpu_budget_bytes)))
    if fit.experts_in_ram:
        lines.append(experts_in_ram_text(e.expert_bytes))
    elif fit.verdict is FitVerdict.PARTIAL:
        lines.append(translate("FitBadge", "Suggested GPU layers: {n}.").format(n=fit.gpu_layers))
    return fit.verdict, "\n".join(lines + hint_lines(hw))

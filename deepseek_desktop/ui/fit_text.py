"""Words and numbers for models: sizes, speed levels (fast, usable, slow, does not fit) and fit verdicts with
their colours and the figures behind them, expected waits, parameter counts, rates and remaining times.
Locale-aware (``QLocale``) and translated. The model manager, the toolbar, the drop import and the launch
planner share them; the words and colours themselves are the vocabulary's (``core/vocabulary.py``)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLocale

from ..core.vocabulary import NEUTRAL_COLOUR, FitVerdict, SpeedLevel
from ..models.catalogue.speed import Speed, duration_parts
from ..models.fit import FitResult
from ..models.hardware import HardwareInfo


def size_text(n: int) -> str:
    """"750 MB", "1,1 GB" (German): one decimal, none when it is a zero ("750,0 MB" read as a typo)."""
    loc = QLocale()
    text = loc.formattedDataSize(int(n), 1, QLocale.DataSizeFormat.DataSizeSIFormat)
    return text.replace(f"{loc.decimalPoint()}0 ", " ", 1) if f"{loc.decimalPoint()}0 " in text else text


def elapsed_text(ms: float) -> str:
    """How long something took: "850 ms" under a second, "22,3 s" (the locale's decimal sign) under a minute,
    then as a wait is said ("4 min")."""
    loc = QLocale()
    if ms < 1000:
        return QCoreApplication.translate("Downloads", "{n} ms").format(n=loc.toString(round(ms)))
    if ms < 60_000:
        return QCoreApplication.translate("Downloads", "{n} s").format(n=loc.toString(ms / 1000, "f", 1))
    return duration_text(ms / 1000)


def verdict_text(verdict: FitVerdict | str) -> str:
    """Where a model runs here, as the badge says it ("" without a verdict)."""
    return QCoreApplication.translate("FitBadge", FitVerdict(verdict).face.label) if verdict else ""


def level_text(level: SpeedLevel | str) -> str:
    """A speed level as the badge says it ("" without one)."""
    return QCoreApplication.translate("FitBadge", SpeedLevel(level).face.label) if level else ""


def wait_text(speed: Speed) -> str:
    """The expected wait for a typical answer: "about 40 s for 1,000 tokens"."""
    if speed.tokens_per_s <= 0:
        return ""
    text = QCoreApplication.translate("FitBadge", "about {wait} for {n} tokens")
    return text.format(wait=duration_text(speed.wait_s), n=QLocale().toString(speed.answer_tokens))


def speed_line(speed: Speed) -> str:
    """"~3.1 tokens/s · about 5 min for 1,000 tokens", or nothing when it does not run here."""
    if speed.tokens_per_s <= 0:
        return ""
    return f"{speed_text(speed.tokens_per_s)} · {wait_text(speed)}"


def badge_sheet(word: FitVerdict | SpeedLevel | None) -> str:
    """The badge of a fit verdict or a speed level, in its colour (grey without one)."""
    # White on the saturated badge colours reads in the light and the dark theme alike.
    colour = word.face.colour if word else NEUTRAL_COLOUR
    return f"background-color: {colour}; color: white; border-radius: 8px; padding: 2px 8px;"


def fit_tooltip(fit: FitResult, hw: HardwareInfo, tokens_per_s: float = 0.0) -> str:
    """The numbers behind a badge: where it runs, what the model needs at the context length, what is here."""
    e, loc = fit.estimate, QLocale()
    need = QCoreApplication.translate(
        "FitBadge", "Needs about {total}: weights {weights}, context cache {kv} for {ctx} tokens, "
                    "working memory {compute}.")
    lines = [verdict_text(fit.verdict) + ".",
             need.format(total=size_text(e.total_bytes), weights=size_text(e.weights_bytes),
                         kv=size_text(e.kv_cache_bytes), ctx=loc.toString(e.n_ctx),
                         compute=size_text(e.compute_bytes + e.output_bytes))]
    here = QCoreApplication.translate("FitBadge", "This computer: {free} of {total} memory free.")
    lines.append(here.format(free=size_text(hw.ram_available_bytes), total=size_text(hw.ram_total_bytes)))
    if hw.gpus:
        gpu = QCoreApplication.translate("FitBadge", "GPU memory: {free} free of {total}; usable for the model: "
                                                     "{budget}.")
        lines.append(gpu.format(free=size_text(hw.gpu_free_bytes), total=size_text(hw.gpu_total_bytes),
                                budget=size_text(fit.gpu_budget_bytes)))
    else:
        lines.append(QCoreApplication.translate("FitBadge", "No GPU found: the model runs on the processor."))
    if fit.experts_in_ram:
        lines.append(experts_in_ram_text(e.expert_bytes))
    elif fit.verdict is FitVerdict.PARTIAL:
        layers = QCoreApplication.translate("FitBadge", "Suggested GPU layers: {n} of {layers}.")
        lines.append(layers.format(n=loc.toString(fit.gpu_layers), layers=loc.toString(e.layers)))
    if fit.verdict is FitVerdict.NO_FIT and fit.fits_if_freed:
        lines.append(QCoreApplication.translate("FitBadge", "It would fit if other programs released memory."))
    if tokens_per_s > 0:
        speed = QCoreApplication.translate("FitBadge", "Roughly {speed} tokens per second (estimated from "
                                                       "memory bandwidth).")
        lines.append(speed.format(speed=speed_number(tokens_per_s)))
    return "\n".join(lines)


def experts_in_ram_text(expert_bytes: int) -> str:
    """The offer of llama.cpp's expert offload for a mixture-of-experts model that fits this way."""
    return QCoreApplication.translate(
        "FitBadge", "Runs with every layer on the GPU and its experts ({size}) in system RAM: turn on "
                    "\u201cExperts in system RAM\u201d and set GPU layers to All in the settings.").format(
        size=size_text(expert_bytes))


def speed_number(tokens_per_s: float) -> str:
    return QLocale().toString(tokens_per_s, "f", 1 if tokens_per_s < 10 else 0)


def speed_text(tokens_per_s: float) -> str:
    if tokens_per_s <= 0:
        return ""
    return QCoreApplication.translate("FitBadge", "~{speed} tokens/s").format(speed=speed_number(tokens_per_s))


def params_text(n: int) -> str:
    """7.6 B, 671 B, 270 M, with the locale's decimal sign."""
    loc = QLocale()
    if n >= 1_000_000_000:
        v = n / 1e9
        return QCoreApplication.translate("ModelFacts", "{n} B").format(
            n=loc.toString(v, "f", 1 if v < 100 and round(v, 1) != round(v) else 0))
    return QCoreApplication.translate("ModelFacts", "{n} M").format(n=loc.toString(round(n / 1e6)))


def rate_text(bytes_per_s: float) -> str:
    return QCoreApplication.translate("Downloads", "{size}/s").format(size=size_text(int(bytes_per_s)))


def duration_text(seconds: float) -> str:
    hours, minutes, s = duration_parts(seconds)
    loc = QLocale()
    if not hours and not minutes:
        return QCoreApplication.translate("Downloads", "{n} s").format(n=loc.toString(s))
    if not hours:
        return QCoreApplication.translate("Downloads", "{n} min").format(n=loc.toString(minutes))
    text = QCoreApplication.translate("Downloads", "{h} h {m} min")
    return text.format(h=loc.toString(hours), m=loc.toString(minutes))

"""Every user setting, declared once as data (like qutebrowser's ``configdata.yml``).

The settings pane is generated from ``SCHEMA`` and the settings store validates with it, so a new
setting is one entry here. Labels, help texts and choice labels are English source texts wrapped in
literal ``QT_TRANSLATE_NOOP("Settings", ...)`` calls so that pyside6-lupdate extracts them; the UI shows
``QCoreApplication.translate("Settings", label)``.

API keys are deliberately not settings: they live in the OS keyring (see ``secrets.py``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from ..i18n_marks import QT_TRANSLATE_NOOP
from ..requests import GenerationParams, LoadParams
from ..vocabulary import Engine
from .values import SettingValueError, validate_endpoints


class SettingType(str, Enum):
    BOOL = "bool"
    INT = "int"
    FLOAT = "float"
    STRING = "string"  # one line
    TEXT = "text"  # several lines (system prompt)
    PATH = "path"  # a folder; "" means the app's default
    CHOICE = "choice"
    ENDPOINTS = "endpoints"  # list of {"name", "base_url", "model"}
    DEVICE = "device"  # "auto", "cpu" or a device the engine lists ("Vulkan0"); the choices come from the engine


class Applies(str, Enum):
    """When a change takes effect, so the pane can say so next to the field."""

    LIVE = "live"
    NEXT_REPLY = "next_reply"
    NEXT_LOAD = "next_load"  # the model has to be loaded again


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class Group:
    name: str
    label: str


@dataclass(frozen=True)
class SettingSpec:
    key: str
    type: SettingType
    default: Any
    label: str
    group: str
    help: str = ""
    minimum: float | None = None
    maximum: float | None = None
    step: float | None = None  # spin box step; floats also take their decimals from it
    minimum_label: str = ""  # shown instead of the minimum value (Qt's specialValueText)
    choices: tuple[Choice, ...] = ()
    applies: Applies = Applies.LIVE

    def validate(self, value: Any) -> Any:
        """Return the value in its canonical form, or raise ``SettingValueError``."""
        kind = self.type
        if kind is SettingType.BOOL:
            if not isinstance(value, bool):
                raise SettingValueError(self.key, f"expected true or false, got {type(value).__name__}")
            return value
        if kind in (SettingType.INT, SettingType.FLOAT):
            return self._number(value)
        if kind in (SettingType.STRING, SettingType.TEXT, SettingType.PATH):
            if not isinstance(value, str):
                raise SettingValueError(self.key, f"expected text, got {type(value).__name__}")
            if "\x00" in value or (kind is not SettingType.TEXT and "\n" in value):
                raise SettingValueError(self.key, "contains a line break or a NUL character")
            if not _is_unicode(value):  # a lone surrogate: no file, pipe or database takes it as UTF-8
                raise SettingValueError(self.key, "not valid Unicode text (a lone surrogate)")
            return _folder(self.key, value) if kind is SettingType.PATH else value
        if kind is SettingType.CHOICE:
            # any JSON value may be in the file: a list or an object is no choice (and not hashable)
            if not isinstance(value, str) or value not in {c.value for c in self.choices}:
                raise SettingValueError(self.key, f"{_shown(value)} is not one of the choices")
            return value
        if kind is SettingType.ENDPOINTS:
            return validate_endpoints(self.key, value)
        if kind is SettingType.DEVICE:
            if not isinstance(value, str) or not _DEVICE_NAME.fullmatch(value):
                raise SettingValueError(self.key, f"{value!r} is not 'auto', 'cpu' or a device name such as Vulkan0")
            return value
        raise SettingValueError(self.key, f"unknown setting type {kind}")

    def _number(self, value: Any) -> int | float:
        # bool is an int in Python, but true/false in a number field is a damaged file, not a number
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise SettingValueError(self.key, f"expected a number, got {type(value).__name__}")
        if self.type is SettingType.INT:
            if isinstance(value, float):
                if not value.is_integer():
                    raise SettingValueError(self.key, f"expected a whole number, got {value}")
                value = int(value)
        else:
            value = float(value)
            if not math.isfinite(value):
                raise SettingValueError(self.key, "not a finite number")
        if self.minimum is not None and value < self.minimum:
            raise SettingValueError(self.key, f"{value} is below the minimum {self.minimum}")
        if self.maximum is not None and value > self.maximum:
            raise SettingValueError(self.key, f"{value} is above the maximum {self.maximum}")
        return value


def _is_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _folder(key: str, value: str) -> str:
    """A folder setting: empty (the app's default) or an absolute path, ``~`` allowed. A relative path
    would mean a different folder for every working directory the app or the CLI is started from."""
    value = value.strip()
    try:
        absolute = not value or Path(value).expanduser().is_absolute()
    except RuntimeError:  # "~someone" whose home folder is unknown
        absolute = False
    if not absolute:
        raise SettingValueError(key, f"{value!r} is not an absolute path")
    return value


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:59] + "…"


# ggml's device names: a backend's name and a number ("Vulkan0", "CUDA1", "MTL0"), or "auto" / "cpu".
_DEVICE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,31}")


GROUPS: tuple[Group, ...] = (
    Group("general", QT_TRANSLATE_NOOP("Settings", "General")),
    Group("generation", QT_TRANSLATE_NOOP("Settings", "Answers")),
    Group("llamacpp", QT_TRANSLATE_NOOP("Settings", "llama.cpp")),
    Group("remote", QT_TRANSLATE_NOOP("Settings", "Remote servers")),
    Group("simulator", QT_TRANSLATE_NOOP("Settings", "Simulator")),
    Group("server", QT_TRANSLATE_NOOP("Settings", "Local server")),
)

_GEN = GenerationParams()
_LOAD = LoadParams()

SPECS: tuple[SettingSpec, ...] = (
    # -- general --
    SettingSpec(
        "general.language", SettingType.CHOICE, "system",
        QT_TRANSLATE_NOOP("Settings", "Language"), "general",
        choices=(
            Choice("system", QT_TRANSLATE_NOOP("Settings", "System")),
            # a language's own name, so that someone who cannot read the current one finds theirs
            Choice("de", QT_TRANSLATE_NOOP("Settings", "Deutsch")),
            Choice("en", QT_TRANSLATE_NOOP("Settings", "English")),
        ),
    ),
    SettingSpec(
        "general.theme", SettingType.CHOICE, "system",
        QT_TRANSLATE_NOOP("Settings", "Appearance"), "general",
        choices=(
            Choice("system", QT_TRANSLATE_NOOP("Settings", "System")),
            Choice("light", QT_TRANSLATE_NOOP("Settings", "Light")),
            Choice("dark", QT_TRANSLATE_NOOP("Settings", "Dark")),
        ),
    ),
    SettingSpec(
        "general.default_engine", SettingType.CHOICE, "auto",
        QT_TRANSLATE_NOOP("Settings", "Engine"), "general",
        help=QT_TRANSLATE_NOOP(
            "Settings",
            "Automatic uses llama.cpp for GGUF files, MLX for MLX model folders and the simulator "
            "when no model is chosen.",
        ),
        choices=(
            Choice("auto", QT_TRANSLATE_NOOP("Settings", "Automatic")),
            Choice(Engine.LLAMACPP, QT_TRANSLATE_NOOP("Settings", "llama.cpp")),
            Choice(Engine.MLX, QT_TRANSLATE_NOOP("Settings", "MLX (Apple Silicon)")),
            Choice(Engine.REMOTE, QT_TRANSLATE_NOOP("Settings", "Remote server")),
            Choice(Engine.SIMULATOR, QT_TRANSLATE_NOOP("Settings", "Simulator (no model)")),
        ),
        applies=Applies.NEXT_LOAD,
    ),
    SettingSpec(
        "general.models_folder", SettingType.PATH, "",
        QT_TRANSLATE_NOOP("Settings", "Models folder"), "general",
        help=QT_TRANSLATE_NOOP("Settings", "Where downloaded models are kept. Empty: the app's own folder."),
    ),
    SettingSpec(
        "general.ram_disk", SettingType.BOOL, False,
        QT_TRANSLATE_NOOP("Settings", "Load models from a RAM disk"), "general",
        help=QT_TRANSLATE_NOOP(
            "Settings",
            "Copies the model into memory before loading it: for a slow or nearly full drive. "
            "A RAM disk needs free memory as large as the model file, on top of what the model "
            "itself needs. It is emptied when the app quits.",
        ),
        applies=Applies.NEXT_LOAD,
    ),
    # -- generation defaults --
    SettingSpec(
        "generation.temperature", SettingType.FLOAT, _GEN.temperature,
        QT_TRANSLATE_NOOP("Settings", "Temperature"), "generation",
        help=QT_TRANSLATE_NOOP(
            "Settings", "Higher values give more varied answers, lower values more predictable ones."
        ),
        minimum=0.0, maximum=2.0, step=0.05, applies=Applies.NEXT_REPLY,
    ),
    SettingSpec(
        "generation.top_p", SettingType.FLOAT, _GEN.top_p,
        QT_TRANSLATE_NOOP("Settings", "Top-p"), "generation",
        help=QT_TRANSLATE_NOOP(
            "Settings", "Only the most likely words whose probabilities add up to this value are considered."
        ),
        minimum=0.0, maximum=1.0, step=0.01, applies=Applies.NEXT_REPLY,
    ),
    SettingSpec(
        "generation.top_k", SettingType.INT, _GEN.top_k,
        QT_TRANSLATE_NOOP("Settings", "Top-k"), "generation",
        help=QT_TRANSLATE_NOOP("Settings", "Only this many of the most likely words are considered."),
        minimum=0, maximum=200, step=1, minimum_label=QT_TRANSLATE_NOOP("Settings", "Off"),
        applies=Applies.NEXT_REPLY,
    ),
    SettingSpec(
        "generation.repeat_penalty", SettingType.FLOAT, _GEN.repeat_penalty,
        QT_TRANSLATE_NOOP("Settings", "Repeat penalty"), "generation",
        help=QT_TRANSLATE_NOOP("Settings", "Values above 1 make the model repeat itself less."),
        minimum=0.5, maximum=2.0, step=0.05, applies=Applies.NEXT_REPLY,
    ),
    SettingSpec(
        "generation.max_tokens", SettingType.INT, _GEN.max_tokens,
        QT_TRANSLATE_NOOP("Settings", "Maximum answer length (tokens)"), "generation",
        minimum=1, maximum=131072, step=256, applies=Applies.NEXT_REPLY,
    ),
    SettingSpec(
        "thinking.mode", SettingType.CHOICE, "unlimited",
        QT_TRANSLATE_NOOP("Settings", "Thinking"), "generation",
        help=QT_TRANSLATE_NOOP(
            "Settings", "How long reasoning models (DeepSeek-R1) may think before they answer. With a budget, "
            "the thinking is closed after that many tokens and the model answers. Off only works with models "
            "whose chat template can switch thinking off (DeepSeek-V3.1 and later)."
        ),
        choices=(
            Choice("unlimited", QT_TRANSLATE_NOOP("Settings", "Unlimited")),
            Choice("budget", QT_TRANSLATE_NOOP("Settings", "A budget of tokens")),
            Choice("off", QT_TRANSLATE_NOOP("Settings", "Off")),
        ),
        applies=Applies.NEXT_REPLY,
    ),
    SettingSpec(
        "thinking.budget_tokens", SettingType.INT, 1024,
        QT_TRANSLATE_NOOP("Settings", "Thinking budget (tokens)"), "generation",
        help=QT_TRANSLATE_NOOP("Settings", "The most tokens a model may think when the thinking has a budget."),
        minimum=1, maximum=131072, step=256, applies=Applies.NEXT_REPLY,
    ),
    SettingSpec(
        "thinking.effort_low", SettingType.INT, 1024,
        QT_TRANSLATE_NOOP("Settings", "Thinking budget for low effort (tokens)"), "generation",
        help=QT_TRANSLATE_NOOP(
            "Settings", "The thinking budget of the local server's reasoning_effort \"low\" (and \"minimal\", "
            "and Ollama's think \"low\")."
        ),
        minimum=0, maximum=131072, step=256, minimum_label=QT_TRANSLATE_NOOP("Settings", "Unlimited"),
        applies=Applies.NEXT_REPLY,
    ),
    SettingSpec(
        "thinking.effort_medium", SettingType.INT, 4096,
        QT_TRANSLATE_NOOP("Settings", "Thinking budget for medium effort (tokens)"), "generation",
        help=QT_TRANSLATE_NOOP(
            "Settings", "The thinking budget of the local server's reasoning_effort \"medium\" (and Ollama's "
            "think \"medium\")."
        ),
        minimum=0, maximum=131072, step=256, minimum_label=QT_TRANSLATE_NOOP("Settings", "Unlimited"),
        applies=Applies.NEXT_REPLY,
    ),
    SettingSpec(
        "thinking.effort_high", SettingType.INT, 0,
        QT_TRANSLATE_NOOP("Settings", "Thinking budget for high effort (tokens)"), "generation",
        help=QT_TRANSLATE_NOOP(
            "Settings", "The thinking budget of the local server's reasoning_effort \"high\" (and Ollama's "
            "think \"high\")."
        ),
        minimum=0, maximum=131072, step=256, minimum_label=QT_TRANSLATE_NOOP("Settings", "Unlimited"),
        applies=Applies.NEXT_REPLY,
    ),
    SettingSpec(
        "generation.context_length", SettingType.INT, _LOAD.n_ctx,
        QT_TRANSLATE_NOOP("Settings", "Context length (tokens)"), "generation",
        help=QT_TRANSLATE_NOOP(
            "Settings", "How much of the conversation the model sees. More needs more memory."
        ),
        minimum=512, maximum=131072, step=512, applies=Applies.NEXT_LOAD,
    ),
    SettingSpec(
        "generation.system_prompt", SettingType.TEXT, "",
        QT_TRANSLATE_NOOP("Settings", "System prompt for new conversations"), "generation",
        help=QT_TRANSLATE_NOOP("Settings", "Instructions the model gets before the first question."),
    ),
    # -- llama.cpp --
    SettingSpec(
        "llamacpp.device", SettingType.DEVICE, _LOAD.device,
        QT_TRANSLATE_NOOP("Settings", "Device"), "llamacpp",
        help=QT_TRANSLATE_NOOP(
            "Settings", "Where models run. Automatic: the graphics card the engine can use, else the processor "
            "(never a graphics card emulated on the processor)."
        ),
        applies=Applies.NEXT_LOAD,
    ),
    SettingSpec(
        "llamacpp.gpu_layers", SettingType.INT, _LOAD.n_gpu_layers,
        QT_TRANSLATE_NOOP("Settings", "GPU layers"), "llamacpp",
        help=QT_TRANSLATE_NOOP(
            "Settings", "How many layers run on the graphics card. Automatic: as many as fit in its free "
            "memory. 0 runs everything on the processor."
        ),
        minimum=-1, maximum=999, step=1, minimum_label=QT_TRANSLATE_NOOP("Settings", "Automatic"),
        applies=Applies.NEXT_LOAD,
    ),
    SettingSpec(
        "llamacpp.experts_in_ram", SettingType.BOOL, False,
        QT_TRANSLATE_NOOP("Settings", "Experts in system RAM"), "llamacpp",
        help=QT_TRANSLATE_NOOP(
            "Settings", "For mixture-of-experts models (DeepSeek V3, R1, V2-Lite): the routed experts stay in "
                        "system RAM while every other layer runs on the graphics card."
        ),
        applies=Applies.NEXT_LOAD,
    ),
    SettingSpec(
        "llamacpp.threads", SettingType.INT, 0,
        QT_TRANSLATE_NOOP("Settings", "Threads"), "llamacpp",
        help=QT_TRANSLATE_NOOP(
            "Settings", "Automatic: the fastest count, measured on the model after each load."
        ),
        minimum=0, maximum=256, step=1, minimum_label=QT_TRANSLATE_NOOP("Settings", "Automatic"),
        applies=Applies.NEXT_LOAD,
    ),
    SettingSpec(
        "llamacpp.batch_size", SettingType.INT, _LOAD.n_batch,
        QT_TRANSLATE_NOOP("Settings", "Batch size"), "llamacpp",
        help=QT_TRANSLATE_NOOP("Settings", "Tokens of the prompt processed at once."),
        minimum=32, maximum=8192, step=32, applies=Applies.NEXT_LOAD,
    ),
    SettingSpec(
        "llamacpp.flash_attention", SettingType.BOOL, _LOAD.flash_attn,
        QT_TRANSLATE_NOOP("Settings", "Flash attention"), "llamacpp",
        help=QT_TRANSLATE_NOOP(
            "Settings", "Faster replies and less memory for the context; needed for a smaller K/V cache precision."
        ),
        applies=Applies.NEXT_LOAD,
    ),
    SettingSpec(
        "llamacpp.kv_cache_type", SettingType.CHOICE, _LOAD.kv_cache_type,
        QT_TRANSLATE_NOOP("Settings", "K/V cache precision"), "llamacpp",
        help=QT_TRANSLATE_NOOP(
            "Settings", "Smaller types save memory for long conversations at a small cost in quality."
        ),
        choices=(
            Choice("f16", QT_TRANSLATE_NOOP("Settings", "f16 (full)")),
            Choice("q8_0", QT_TRANSLATE_NOOP("Settings", "q8_0 (half the memory)")),
            Choice("q4_0", QT_TRANSLATE_NOOP("Settings", "q4_0 (a quarter of the memory)")),
        ),
        applies=Applies.NEXT_LOAD,
    ),
    SettingSpec(
        "llamacpp.prompt_lookup", SettingType.BOOL, _LOAD.prompt_lookup,
        QT_TRANSLATE_NOOP("Settings", "Prompt lookup (speculative decoding)"), "llamacpp",
        help=QT_TRANSLATE_NOOP(
            "Settings", "Guesses the next tokens from text earlier in the conversation and lets the model check "
            "several at once: faster when a reply repeats the prompt, as when editing code. The model checks "
            "every guess; only where it is undecided between two words can the reply differ. Replies that "
            "repeat little get slower (the checks cost more than they save), so it is off at first."
        ),
        applies=Applies.NEXT_LOAD,
    ),
    SettingSpec(
        "llamacpp.draft_model", SettingType.STRING, _LOAD.draft_model,
        QT_TRANSLATE_NOOP("Settings", "Draft model (speculative decoding)"), "llamacpp",
        help=QT_TRANSLATE_NOOP(
            "Settings", "A small model of the same vocabulary guesses the next tokens and the main model checks "
            "several at once. \"auto\": the catalogue's pair, when it is installed and fits in memory beside "
            "the main model (DeepSeek-R1-Distill-Qwen-1.5B for the 7B, 14B and 32B distills); \"off\": none; "
            "or the name of an installed model or the path of a GGUF file. Used instead of prompt lookup."
        ),
        applies=Applies.NEXT_LOAD,
    ),
    SettingSpec(
        "llamacpp.state_cache", SettingType.BOOL, _LOAD.state_cache,
        QT_TRANSLATE_NOOP("Settings", "Resume conversations without re-reading them"), "llamacpp",
        help=QT_TRANSLATE_NOOP(
            "Settings", "Keeps what the model has read of recent conversations, in memory and in the data "
            "folder, so that switching back or continuing after a restart starts answering at once."
        ),
        applies=Applies.NEXT_LOAD,
    ),
    SettingSpec(
        "llamacpp.state_cache_disk_mb", SettingType.INT, _LOAD.state_cache_disk_mb,
        QT_TRANSLATE_NOOP("Settings", "Space on disk for resuming (MB)"), "llamacpp",
        help=QT_TRANSLATE_NOOP(
            "Settings", "When it is full, the conversation used least recently is read again next time instead."
        ),
        minimum=64, maximum=1048576, step=256, applies=Applies.NEXT_LOAD,
    ),
    SettingSpec(
        "llamacpp.state_cache_memory_mb", SettingType.INT, _LOAD.state_cache_memory_mb,
        QT_TRANSLATE_NOOP("Settings", "Space in memory for resuming (MB)"), "llamacpp",
        help=QT_TRANSLATE_NOOP("Settings", "0: on disk only."),
        minimum=0, maximum=65536, step=128, applies=Applies.NEXT_LOAD,
    ),
    # -- remote servers --
    SettingSpec(
        "remote.endpoints", SettingType.ENDPOINTS, [],
        QT_TRANSLATE_NOOP("Settings", "Servers"), "remote",
        help=QT_TRANSLATE_NOOP(
            "Settings",
            "OpenAI-compatible servers, each with a name, a base URL and a model. "
            "API keys are kept in the system keyring, not in the settings file.",
        ),
    ),
    # -- simulator --
    SettingSpec(
        "simulator.words_per_second", SettingType.FLOAT, 25.0,
        QT_TRANSLATE_NOOP("Settings", "Pace (words per second)"), "simulator",
        minimum=1.0, maximum=1000.0, step=5.0, applies=Applies.NEXT_REPLY,
    ),
    # -- local API server (api_server/) --
    SettingSpec(
        "server.enabled", SettingType.BOOL, False,
        QT_TRANSLATE_NOOP("Settings", "Serve the loaded model to other programs"), "server",
        help=QT_TRANSLATE_NOOP(
            "Settings",
            "An OpenAI- and Ollama-compatible API on this computer, for editors, scripts and other apps. "
            "Their requests and yours take turns.",
        ),
    ),
    SettingSpec(
        "server.host", SettingType.STRING, "127.0.0.1",
        QT_TRANSLATE_NOOP("Settings", "Address"), "server",
        help=QT_TRANSLATE_NOOP(
            "Settings",
            "127.0.0.1: only programs on this computer. Any other address needs an API key "
            "(Set API key… below).",
        ),
    ),
    SettingSpec(
        "server.openai_port", SettingType.INT, 1338,
        QT_TRANSLATE_NOOP("Settings", "OpenAI port"), "server", minimum=1, maximum=65535, step=1,
    ),
    SettingSpec(
        "server.ollama_port", SettingType.INT, 11435,
        QT_TRANSLATE_NOOP("Settings", "Ollama port"), "server", minimum=0, maximum=65535, step=1,
        minimum_label=QT_TRANSLATE_NOOP("Settings", "Off"),
    ),
    SettingSpec(
        "server.allowed_origins", SettingType.STRING, "",
        QT_TRANSLATE_NOOP("Settings", "Allowed web origins"), "server",
        help=QT_TRANSLATE_NOOP(
            "Settings",
            "Web pages that may use the server, separated by spaces (for example http://localhost:3000). "
            "Empty: none.",
        ),
    ),
    SettingSpec(
        "server.queue_limit", SettingType.INT, 16,
        QT_TRANSLATE_NOOP("Settings", "Waiting requests at most"), "server", minimum=0, maximum=1024, step=1,
    ),
    SettingSpec(
        "server.max_body_mb", SettingType.INT, 4,
        QT_TRANSLATE_NOOP("Settings", "Largest request (MB)"), "server", minimum=1, maximum=256, step=1,
    ),
    SettingSpec(
        "server.simulator_fallback", SettingType.BOOL, False,
        QT_TRANSLATE_NOOP("Settings", "Answer with the simulator when no model is loaded"), "server",
    ),
)


class SettingsSchema:
    """The specs by key and by group. Immutable; one is built at start-up and passed around."""

    def __init__(self, specs: tuple[SettingSpec, ...] = SPECS, groups: tuple[Group, ...] = GROUPS) -> None:
        self.groups = groups
        self._specs = {s.key: s for s in specs}
        if len(self._specs) != len(specs):
            raise ValueError("two settings share a key")
        group_names = {g.name for g in groups}
        for spec in specs:
            if spec.group not in group_names:
                raise ValueError(f"{spec.key}: unknown group {spec.group!r}")
            spec.validate(spec.default)  # a default that fails its own checks is a bug here

    def __contains__(self, key: object) -> bool:
        return key in self._specs

    def __iter__(self) -> Iterator[SettingSpec]:
        return iter(self._specs.values())

    def spec(self, key: str) -> SettingSpec:
        try:
            return self._specs[key]
        except KeyError:
            raise KeyError(f"no setting called {key!r}") from None

    def in_group(self, group: str) -> list[SettingSpec]:
        return [s for s in self._specs.values() if s.group == group]

    def defaults(self) -> dict[str, Any]:
        return {key: _copy(spec.default) for key, spec in self._specs.items()}


def _copy(value: Any) -> Any:
    # list defaults (endpoints) must not be shared between stores
    return [dict(v) for v in value] if isinstance(value, list) else value


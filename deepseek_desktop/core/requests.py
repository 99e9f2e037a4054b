"""What an engine is asked to do: load a model with these parameters, answer this conversation."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any


@dataclass
class ChatMessage:
    role: str  # "system" | "user" | "assistant" | "tool"
    content: str
    # An assistant's tool calls, in OpenAI's shape: {"id", "type": "function", "function": {"name", "arguments"}}
    # with the arguments as a JSON text.
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    tool_call_id: str = ""  # a tool message: the call it answers
    name: str = ""  # a tool message: the tool's name


# llama.cpp's tensor override that keeps the routed experts (gate, up, down of every layer) of a
# mixture-of-experts model in system RAM: the engine's load parameter and llama-server's --override-tensor.
EXPERTS_IN_RAM = ".ffn_.*_exps.=CPU"


@dataclass
class LoadParams:
    """How to load a model. Engines ignore the fields that do not apply to them."""

    model: str = ""  # a GGUF path, an MLX folder, or a remote model name
    n_ctx: int = 4096
    device: str = "auto"  # "auto" (the hardware GPUs, else the CPU), "cpu", or a ggml device name ("Vulkan0")
    n_gpu_layers: int = -1  # -1: as many as the fit says fit on the device; 0: none; N: N
    n_threads: int | None = None  # None: the fastest count in a short probe after the load
    n_batch: int = 512
    # on, as llama.cpp's own "auto" resolves on the CPU and its GPU backends: faster decoding, smaller buffers
    flash_attn: bool = True
    kv_cache_type: str = "f16"
    rope_freq_scale: float = 0.0  # 0 = take it from the model
    seed: int = -1
    # llama.cpp: "PATTERN=BUFFER" entries (``--override-tensor``), e.g. the routed experts kept in system RAM
    tensor_overrides: tuple[str, ...] = ()
    # llama.cpp: prompt-lookup decoding (drafts tokens from earlier in the context; greedy output unchanged)
    prompt_lookup: bool = False
    # llama.cpp: the draft model, "auto" (the catalogue's pair when installed and it fits), "off", or an installed
    # model's name or a GGUF path; the registry of installed models it is looked up in ("" = none)
    draft_model: str = "auto"
    registry_file: str = ""
    # llama.cpp: conversations' K/V states kept in memory and in this folder ("" = memory only), within budgets
    state_cache: bool = True
    state_cache_dir: str = ""
    state_cache_disk_mb: int = 4096
    state_cache_memory_mb: int = 1024
    # remote engine
    base_url: str = ""
    api_key: str = ""  # never logged, never persisted; see ``redacted``
    # simulator
    words_per_second: float = 0.0  # 0 = the simulator's default pace

    def redacted(self) -> dict[str, Any]:
        data = asdict(self)
        if data.get("api_key"):
            data["api_key"] = "***"
        return data


@dataclass
class GenerationParams:
    temperature: float = 0.6
    top_p: float = 0.95
    top_k: int = 40
    repeat_penalty: float = 1.0
    max_tokens: int = 2048
    seed: int | None = None
    stop: list[str] = field(default_factory=list)
    # llama.cpp's other samplers; the defaults change nothing (min_p 0.05 is llama-cpp-python's own default)
    min_p: float = 0.05
    typical_p: float = 1.0
    frequency_penalty: float = 0.0
    presence_penalty: float = 0.0
    mirostat: int = 0  # 0 off, 1 or 2: mirostat's version
    mirostat_tau: float = 5.0
    mirostat_eta: float = 0.1
    logit_bias: dict[str, float] = field(default_factory=dict)  # token id (a JSON key, so text) -> bias

    def changed_samplers(self) -> list[str]:
        """The samplers beyond temperature, top-p, top-k and repeat penalty that this request sets."""
        base = GenerationParams()
        names = ("min_p", "typical_p", "frequency_penalty", "presence_penalty", "mirostat", "logit_bias")
        return [n for n in names if getattr(self, n) != getattr(base, n)]


# What a request can ask beyond a plain chat reply, by the neutral name an engine refuses it by.
FEATURES = ("tools", "response_format", "logprobs", "prompt", "suffix")


@dataclass
class ChatRequest:
    messages: list[ChatMessage]
    params: GenerationParams = field(default_factory=GenerationParams)
    # Tools the model may call (OpenAI's shape: {"type": "function", "function": {"name", "description",
    # "parameters"}}), and whether it must: "auto", "none", "required" or {"function": {"name": ...}}.
    tools: list[dict[str, Any]] = field(default_factory=list)
    tool_choice: str | dict[str, Any] = "auto"
    parallel_tool_calls: bool = True
    # {"type": "json_object"} or {"type": "json_schema", "schema": {...}}: the reply is JSON (a grammar)
    response_format: dict[str, Any] | None = None
    logprobs: int | None = None  # how many alternatives per token (0: only the chosen one); None: none
    # True: the oldest turns are left out when the conversation does not fit (the window says so);
    # False: a conversation that does not fit is refused (the API's context_length_exceeded).
    truncate: bool = True
    think: bool | None = None  # False: no reasoning, where the chat template can switch it off
    prompt: str | None = None  # a raw completion: continue this text, no chat template
    suffix: str | None = None  # with ``prompt``: fill in the middle (models with FIM tokens)
    # Whose conversation this is (the window: ``core.kv_state_files.conversation_key``): its K/V state is kept
    # under this key, on disk too. "" (the API server): kept in memory only.
    cache_key: str = ""
    # The most reasoning tokens before the engine closes the thinking itself (the model then answers);
    # None: unlimited. See ``core.thinking``.
    thinking_budget: int | None = None

    def features(self) -> list[str]:
        """What this request asks beyond a plain chat reply (names from ``FEATURES``)."""
        asked = {
            "tools": bool(self.tools) and self.tool_choice != "none",
            "response_format": self.response_format is not None,
            "logprobs": self.logprobs is not None,
            "prompt": self.prompt is not None,
            "suffix": self.suffix is not None,
        }
        return [name for name in FEATURES if asked[name]]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["messages"] = [asdict(m) for m in self.messages]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ChatRequest:
        request = _from_known(cls, {k: v for k, v in data.items() if k not in ("messages", "params")})
        request.messages = [_from_known(ChatMessage, m) for m in data.get("messages", [])]
        request.params = _from_known(GenerationParams, data.get("params", {}))
        return request


def load_params_from_dict(data: dict[str, Any]) -> LoadParams:
    params = _from_known(LoadParams, data)
    params.tensor_overrides = tuple(params.tensor_overrides or ())  # a list once it has crossed the pipe
    return params


def _from_known(cls: type, data: dict[str, Any]) -> Any:
    """Build a dataclass from a dict, ignoring keys it does not have (newer/older peers)."""
    names = {f.name for f in fields(cls)}
    known = {k: v for k, v in data.items() if k in names}
    if cls is ChatRequest:
        known.setdefault("messages", [])
    return cls(**known)

"""What an engine is asked to do: load a model with these parameters, answer this conversation."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any


@dataclass
class ChatMessage:
    role: str  # "system" | "user" | "assistant"
    content: str


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
    flash_attn: bool = False
    kv_cache_type: str = "f16"
    rope_freq_scale: float = 0.0  # 0 = take it from the model
    seed: int = -1
    # llama.cpp: "PATTERN=BUFFER" entries (``--override-tensor``), e.g. the routed experts kept in system RAM
    tensor_overrides: tuple[str, ...] = ()
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


@dataclass
class ChatRequest:
    messages: list[ChatMessage]
    params: GenerationParams = field(default_factory=GenerationParams)

    def to_dict(self) -> dict[str, Any]:
        return {"messages": [asdict(m) for m in self.messages], "params": asdict(self.params)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ChatRequest:
        return cls(
            messages=[ChatMessage(**m) for m in data.get("messages", [])],
            params=_from_known(GenerationParams, data.get("params", {})),
        )


def load_params_from_dict(data: dict[str, Any]) -> LoadParams:
    params = _from_known(LoadParams, data)
    params.tensor_overrides = tuple(params.tensor_overrides or ())  # a list once it has crossed the pipe
    return params


def _from_known(cls: type, data: dict[str, Any]) -> Any:
    """Build a dataclass from a dict, ignoring keys it does not have (newer/older peers)."""
    names = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in data.items() if k in names})

"""Will it fit: the memory a model needs at a context length, and where it can run on this computer.

The estimate follows what llama.cpp allocates when it loads a model (its own log lists the buffers):

- weights: the tensor data (the GGUF's tensor table, or the file size for a catalogue entry);
- KV cache: layers x KV heads x (key + value head size) x bytes per element of the cache type x
  context. llama-cpp-python keeps a full-size cache for sliding-window layers too. MLA models (DeepSeek
  V2/V3) cache the compressed latent instead: kv_lora_rank + the RoPE part for K, and kv_lora_rank for
  V unless flash attention reads V out of K;
- compute buffer: llama.cpp reserves the worst case of one micro-batch (n_ubatch tokens): the larger of
  the logits (vocabulary x n_ubatch floats) and the attention scores (context x n_ubatch x (heads +
  one mask per attention kind) floats, not materialised with flash attention);
- output buffer: one row of logits.

``tests/test_models_fit.py`` checks the sum against llama.cpp's own figures on a real GGUF.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, replace
from typing import Any

from ..core.vocabulary import Engine, FitVerdict
from .gguf.header import GGUFHeader
from .hardware import HardwareInfo

GIB = 1024**3
# The routed experts' tensors, what llama.cpp's expert offload (``core.requests.EXPERTS_IN_RAM``) keeps in RAM.
EXPERT_TENSOR = re.compile(r"\.ffn_(gate|up|down)_exps\.")
CACHE_TYPE_BYTES = {"f32": 4.0, "f16": 2.0, "bf16": 2.0, "q8_0": 34 / 32, "q5_1": 24 / 32, "q5_0": 22 / 32,
                    "q4_1": 20 / 32, "q4_0": 18 / 32, "iq4_nl": 18 / 32}
GPU_CONTEXT_BYTES = 400 * 1024**2  # a CUDA/ROCm/Metal context and its scratch, beside the buffers
GPU_HEADROOM = 0.90  # of free VRAM: the desktop and the driver need some
RAM_HEADROOM = 0.95  # of available RAM


@dataclass(frozen=True)
class Arch:
    """A catalogue model's architecture: what the memory estimate needs. ``attention`` is "gqa" (incl. MHA)
    or "mla" (DeepSeek V2/V3)."""

    type: str
    layers: int
    embedding: int
    feed_forward: int
    heads: int
    kv_heads: int
    head_dim: int
    vocab: int
    attention: str = "gqa"
    value_head_dim: int | None = None
    kv_lora_rank: int = 0
    rope_dim: int = 0
    experts: int = 0
    experts_active: int = 0
    experts_shared: int = 0
    expert_feed_forward: int = 0  # one routed expert's hidden size
    dense_layers: int = 0  # leading layers with a dense feed-forward instead of experts

    @property
    def routed_expert_params(self) -> int:
        """Parameters of the routed experts (gate, up and down of each), what llama.cpp's expert offload moves
        to system RAM."""
        return (self.layers - self.dense_layers) * self.experts * 3 * self.embedding * self.expert_feed_forward


@dataclass(frozen=True)
class ModelShape:
    layers: int
    embedding: int
    feed_forward: int
    heads: int
    kv_heads: int
    key_dim: int
    value_dim: int
    vocab: int
    attention: str = "gqa"  # "gqa" | "mla"
    kv_lora_rank: int = 0
    rope_dim: int = 0
    sliding_window: int = 0

    @classmethod
    def from_arch(cls, a: Arch) -> ModelShape:
        return cls(a.layers, a.embedding, a.feed_forward, a.heads, a.kv_heads, a.head_dim,
                   a.value_head_dim or a.head_dim, a.vocab, a.attention, a.kv_lora_rank, a.rope_dim)

    @classmethod
    def from_gguf(cls, h: GGUFHeader) -> ModelShape:
        heads = _max_int(h.arch_value("attention.head_count", 0))
        embedding = int(h.arch_value("embedding_length", 0) or 0)
        head_dim = embedding // heads if heads else 0
        kv_lora = int(h.arch_value("attention.kv_lora_rank", 0) or 0)
        if kv_lora and h.arch_value("attention.key_length_mla") is None:
            # Converted before llama.cpp's MLA change (April 2025): no latent cache, every head's K and V.
            kv_lora = 0
        vocab = int(h.arch_value("vocab_size", 0) or 0)
        if not vocab:
            tokens = h.metadata.get("tokenizer.ggml.tokens")
            vocab = len(tokens) if tokens is not None else 0
        return cls(
            layers=int(h.arch_value("block_count", 0) or 0),
            embedding=embedding,
            feed_forward=_max_int(h.arch_value("feed_forward_length", 0)),
            heads=heads,
            kv_heads=_max_int(h.arch_value("attention.head_count_kv", heads)),
            key_dim=int(h.arch_value("attention.key_length", head_dim) or head_dim),
            value_dim=int(h.arch_value("attention.value_length", head_dim) or head_dim),
            vocab=vocab,
            attention="mla" if kv_lora else "gqa",
            kv_lora_rank=kv_lora,
            rope_dim=int(h.arch_value("rope.dimension_count", 0) or 0),
            sliding_window=int(h.arch_value("attention.sliding_window", 0) or 0),
        )


    @classmethod
    def from_hf_config(cls, config: dict[str, Any]) -> ModelShape:
        """From a Hugging Face ``config.json`` (an MLX model folder)."""
        c = config.get("text_config") if isinstance(config.get("text_config"), dict) else config
        heads = int(c.get("num_attention_heads", 0) or 0)
        embedding = int(c.get("hidden_size", 0) or 0)
        head_dim = int(c.get("head_dim") or (embedding // heads if heads else 0))
        kv_lora = int(c.get("kv_lora_rank", 0) or 0)
        return cls(
            layers=int(c.get("num_hidden_layers", 0) or 0), embedding=embedding,
            feed_forward=int(c.get("intermediate_size", 0) or 0), heads=heads,
            kv_heads=int(c.get("num_key_value_heads", heads) or heads), key_dim=head_dim,
            value_dim=int(c.get("v_head_dim") or head_dim), vocab=int(c.get("vocab_size", 0) or 0),
            attention="mla" if kv_lora else "gqa", kv_lora_rank=kv_lora,
            rope_dim=int(c.get("qk_rope_head_dim", 0) or 0), sliding_window=int(c.get("sliding_window") or 0),
        )


@dataclass(frozen=True)
class MemoryEstimate:
    weights_bytes: int
    kv_cache_bytes: int
    compute_bytes: int
    output_bytes: int
    n_ctx: int
    cache_type: str
    layers: int
    engine: Engine = Engine.LLAMACPP
    expert_bytes: int = 0  # the routed experts' share of the weights (a mixture-of-experts GGUF)

    @property
    def total_bytes(self) -> int:
        return self.weights_bytes + self.kv_cache_bytes + self.compute_bytes + self.output_bytes

    @property
    def per_layer_bytes(self) -> int:
        """Weights and cache of one repeating layer: what each offloaded layer moves to the GPU."""
        return (self.weights_bytes + self.kv_cache_bytes) // max(1, self.layers)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "total_bytes": self.total_bytes}


def estimate_memory(shape: ModelShape, weights_bytes: int, n_ctx: int, *, cache_type: str = "f16",
                    n_ubatch: int = 512, flash_attn: bool = False, engine: Engine = Engine.LLAMACPP) -> MemoryEstimate:
    if cache_type not in CACHE_TYPE_BYTES:
        raise ValueError(f"unknown KV cache type {cache_type!r}")
    per_elem = CACHE_TYPE_BYTES[cache_type]
    if shape.attention == "mla":
        k = shape.kv_lora_rank + shape.rope_dim
        # mlx-lm caches only the latent; llama.cpp also keeps V (the latent) unless flash attention is on.
        v = 0 if (flash_attn or engine == Engine.MLX) else shape.kv_lora_rank
        per_token_layer = (k + v) * per_elem
    else:
        per_token_layer = shape.kv_heads * (shape.key_dim + shape.value_dim) * per_elem
    kv = int(shape.layers * n_ctx * per_token_layer)

    if engine == Engine.MLX:
        # mlx-lm evaluates the prompt in steps of 2048 tokens and keeps only the last row of logits.
        step = min(n_ctx, 2048)
        compute = step * 4 * (2 * shape.embedding + 2 * shape.feed_forward) + shape.vocab * 4 * 2
        compute += step * min(n_ctx, step) * 4 * shape.heads if not flash_attn else 0
        return MemoryEstimate(weights_bytes, kv, int(compute), 0, n_ctx, cache_type, shape.layers, engine)

    ub = min(n_ubatch, n_ctx)
    masks = 2 if shape.sliding_window else 1
    logits = shape.vocab * ub * 4 + shape.embedding * ub * 8
    activations = ub * 4 * 2 * (shape.embedding + shape.feed_forward)
    if flash_attn:
        attention = n_ctx * ub * 2 * masks + activations
    else:
        attention = n_ctx * ub * 4 * (shape.heads + masks) + activations
    compute = max(logits, attention)
    output = shape.vocab * 4
    return MemoryEstimate(weights_bytes, kv, int(compute), int(output), n_ctx, cache_type, shape.layers, engine)


def estimate_gguf(header: GGUFHeader | list[GGUFHeader], n_ctx: int, **kwargs: Any) -> MemoryEstimate:
    """From a GGUF's real metadata (all parts of a split model: pass every part's header)."""
    headers = header if isinstance(header, list) else [header]
    weights = sum(h.expected_size - h.data_offset for h in headers)
    experts = sum(t.n_bytes for h in headers for t in h.tensors if EXPERT_TENSOR.search(t.name))
    return replace(estimate_memory(ModelShape.from_gguf(headers[0]), weights, n_ctx, **kwargs), expert_bytes=experts)


@dataclass(frozen=True)
class FitResult:
    """Where the model runs here (``verdict``); with ``FitVerdict.PARTIAL``, ``gpu_layers`` of it on the GPU."""

    verdict: FitVerdict
    gpu_layers: int  # layers to offload (n_gpu_layers); -1 = all of them
    estimate: MemoryEstimate
    ram_budget_bytes: int
    gpu_budget_bytes: int
    unified_memory: bool
    fits_if_freed: bool = False  # no_fit now, but would fit if other programs released memory
    # PARTIAL by llama.cpp's expert offload: every layer on the GPU but the routed experts, which stay in RAM
    # (the "Experts in system RAM" setting), instead of whole layers on the CPU.
    experts_in_ram: bool = False

    @property
    def runs(self) -> bool:
        return self.verdict.runs

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["estimate"] = self.estimate.to_dict()
        return data


def assess_fit(estimate: MemoryEstimate, hw: HardwareInfo) -> FitResult:
    need = estimate.total_bytes
    ram = int(hw.ram_available_bytes * RAM_HEADROOM)
    freed = int(hw.ram_total_bytes * 0.9)
    if not hw.gpus:
        if need <= ram:
            return FitResult(FitVerdict.CPU, 0, estimate, ram, 0, False)
        return FitResult(FitVerdict.NO_FIT, 0, estimate, ram, 0, False, fits_if_freed=need <= freed)

    if hw.unified_memory:
        # One pool: the GPU may wire up to the Metal limit, and everything must fit in RAM.
        gpu = min(hw.gpu_total_bytes, ram)
        if need + GPU_CONTEXT_BYTES <= gpu:
            return FitResult(FitVerdict.GPU, -1, estimate, ram, gpu, True)
        if need > ram:
            return FitResult(FitVerdict.NO_FIT, 0, estimate, ram, gpu, True, fits_if_freed=need <= freed)
        layers = _layers_that_fit(estimate, gpu)
        return FitResult(FitVerdict.PARTIAL if layers else FitVerdict.CPU, layers, estimate, ram, gpu, True)

    gpu = int(hw.gpu_free_bytes * GPU_HEADROOM)
    if need + GPU_CONTEXT_BYTES <= gpu:
        return FitResult(FitVerdict.GPU, -1, estimate, ram, gpu, False)
    if estimate.expert_bytes:
        # A mixture-of-experts model: attention, the shared parts and the cache on the GPU, the experts in RAM.
        on_gpu = need - estimate.expert_bytes
        if on_gpu + GPU_CONTEXT_BYTES <= gpu and estimate.expert_bytes <= ram:
            return FitResult(FitVerdict.PARTIAL, -1, estimate, ram, gpu, False, experts_in_ram=True)
    layers = _layers_that_fit(estimate, gpu)
    on_cpu = need - layers * estimate.per_layer_bytes
    if on_cpu <= ram:
        return FitResult(FitVerdict.PARTIAL if layers else FitVerdict.CPU, layers, estimate, ram, gpu, False)
    return FitResult(FitVerdict.NO_FIT, 0, estimate, ram, gpu, False,
                     fits_if_freed=need <= freed + int(hw.gpu_total_bytes * GPU_HEADROOM))


def _layers_that_fit(estimate: MemoryEstimate, gpu_budget: int) -> int:
    # The compute buffer and the driver context sit on the GPU whatever the number of layers.
    room = gpu_budget - GPU_CONTEXT_BYTES - estimate.compute_bytes - estimate.output_bytes
    if room <= 0 or estimate.per_layer_bytes <= 0:
        return 0
    return max(0, min(estimate.layers, math.floor(room / estimate.per_layer_bytes)))


def _max_int(value: Any) -> int:
    # Some architectures store per-layer arrays (head counts, feed-forward sizes).
    if isinstance(value, list):
        return int(max(value)) if value else 0
    return int(value or 0)


@dataclass(frozen=True)
class OffloadPlan:
    """How the engine loads a model: onto which devices, how many layers there, split how."""

    devices: tuple[str, ...]  # ggml device names; empty: the CPU backend only
    gpu_layers: int  # llama.cpp's n_gpu_layers: -1 all (and the output layer), 0 none
    tensor_split: tuple[float, ...] = ()  # each device's share of the layers (several devices)
    main_gpu: int = 0  # index into ``devices``: the one with the most free memory
    verdict: str = "cpu"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def plan_offload(estimate: MemoryEstimate, hw: HardwareInfo, gpu_layers: int = -1,
                 experts_in_ram: bool = False) -> OffloadPlan:
    """The offload for ``hw.gpus``: ``gpu_layers`` -1 (automatic) takes what ``assess_fit`` says fits, N >= 0
    takes N. Several GPUs share the layers in proportion to their free memory (what the fit added up).
    ``experts_in_ram``: the load keeps the routed experts in RAM (the tensor override); without it, a fit that
    counted on that gets the whole layers the GPU holds instead."""
    if not hw.gpus or gpu_layers == 0:
        return OffloadPlan((), 0)
    devices = tuple(g.device for g in hw.gpus)
    free = [max(1, g.free_bytes) for g in hw.gpus]
    split = tuple(round(f / sum(free), 4) for f in free) if len(free) > 1 else ()
    main = free.index(max(free))
    if gpu_layers > 0:
        verdict = "gpu" if gpu_layers > estimate.layers else "partial"
        return OffloadPlan(devices, gpu_layers, split, main, verdict)
    fit = assess_fit(estimate, hw)
    layers = fit.gpu_layers
    if fit.experts_in_ram and not experts_in_ram:
        layers = _layers_that_fit(estimate, fit.gpu_budget_bytes)
    if fit.verdict == "no_fit" and fit.gpu_budget_bytes:
        layers = _layers_that_fit(estimate, fit.gpu_budget_bytes)  # as much as the GPU holds; the rest is paged
    if layers == 0:
        return OffloadPlan((), 0, verdict=fit.verdict)
    return OffloadPlan(devices, layers, split, main, fit.verdict)

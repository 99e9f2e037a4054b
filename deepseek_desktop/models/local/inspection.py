"""Models already on disk: inspect a GGUF file or an MLX folder, and estimate the memory it needs.

A GGUF is judged by its header alone (``gguf.header``): magic and version, metadata, the tensor table,
and whether the file is as long as that table says. A split GGUF (``name-00001-of-00003.gguf``) needs
every part. An MLX folder needs ``config.json``, its safetensors weights (all shards the index names,
each as long as its own header says) and a tokenizer.
"""

from __future__ import annotations

import logging
import os
import stat
import struct
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ...core.errors import ModelFileError
from ...core.files.json_file import parse_json
from ...core.files.regular import NotRegularFile, open_regular, read_regular_bytes
from ...core.vocabulary import Engine, ModelFormat
from ..fit import MemoryEstimate, ModelShape, estimate_gguf, estimate_memory
from ..gguf.header import GGUFHeader, check_gguf
from ..gguf.split import gguf_parts

log = logging.getLogger(__name__)

_TOKENIZER_FILES = ("tokenizer.json", "tokenizer.model", "tiktoken.model")
_JSON_MAX = 256 << 20  # the largest JSON file of a model folder read (a tokenizer.json is a few MB)


@dataclass(frozen=True)
class LocalModelInfo:
    path: str
    format: ModelFormat
    name: str
    architecture: str
    parameters: int
    size_label: str
    quantization: str
    context_length: int
    block_count: int
    head_count: int
    head_count_kv: int
    embedding_length: int
    has_chat_template: bool
    size: int  # bytes on disk, all parts / files
    parts: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["parts"] = list(self.parts)
        return data


def inspect_gguf(path: str | os.PathLike[str]) -> tuple[LocalModelInfo, list[GGUFHeader]]:
    """Check every part (magic, version, complete) and summarise; raises ``ModelFileError``."""
    parts = gguf_parts(Path(path).expanduser())
    headers = [check_gguf(p) for p in parts]
    s = headers[0].summary()
    params = sum(h.n_params for h in headers)
    if len(headers) > 1 and not headers[0].metadata.get("general.size_label"):
        from ..gguf.header import format_param_count

        s["size_label"] = format_param_count(params)
    info = LocalModelInfo(
        path=str(parts[0].resolve()), format=ModelFormat.GGUF, name=s["name"], architecture=s["architecture"],
        parameters=params, size_label=str(s["size_label"]), quantization=s["quantization"],
        context_length=s["context_length"], block_count=s["block_count"], head_count=s["head_count"],
        head_count_kv=s["head_count_kv"], embedding_length=s["embedding_length"],
        has_chat_template=s["has_chat_template"], size=sum(h.file_size for h in headers),
        parts=tuple(str(p.resolve()) for p in parts) if len(parts) > 1 else (),
    )
    return info, headers


def check_mlx_folder(path: str | os.PathLike[str]) -> LocalModelInfo:
    """Raise ``ModelFileError("model.not_mlx")`` unless ``path`` is a complete MLX model folder."""
    p = Path(path).expanduser()
    if not p.exists():
        raise ModelFileError("model.not_found", f"{p} does not exist", path=p)
    if not p.is_dir():
        raise ModelFileError("model.not_mlx", "not a folder", path=p)
    _only_files_and_folders(p)
    try:
        config = _read_json(p / "config.json")
    except FileNotFoundError as exc:
        raise ModelFileError("model.not_mlx", "config.json is missing", path=p) from exc
    except PermissionError as exc:
        raise ModelFileError("model.no_permission", str(exc), path=p / "config.json") from exc
    except (OSError, ValueError) as exc:
        raise ModelFileError("model.not_mlx", f"config.json unreadable: {exc}", path=p) from exc
    if not isinstance(config, dict) or "model_type" not in config:
        raise ModelFileError("model.not_mlx", "config.json has no model_type", path=p)
    weights = sorted(p.glob("*.safetensors"))
    if not weights:
        raise ModelFileError("model.not_mlx", "no *.safetensors weights", path=p)
    index = p / "model.safetensors.index.json"
    if index.exists():
        try:
            shards = set(_read_json(index)["weight_map"].values())
        except (OSError, ValueError, KeyError, AttributeError) as exc:
            raise ModelFileError("model.not_mlx", f"{index.name} unreadable: {exc}", path=p) from exc
        for shard in sorted(shards):
            if not (p / shard).is_file():
                raise ModelFileError("model.missing_part", f"{shard} named in {index.name}", path=p / shard)
    for w in weights:
        expected = _safetensors_size(w)
        if w.stat().st_size < expected:
            raise ModelFileError("model.truncated", f"{w.name}: {w.stat().st_size} of {expected} bytes", path=w)
    if not any((p / name).is_file() for name in _TOKENIZER_FILES):
        raise ModelFileError("model.not_mlx", "no tokenizer (tokenizer.json or tokenizer.model)", path=p)
    template = (p / "chat_template.jinja").is_file() or _has_template(p / "tokenizer_config.json")
    text = config.get("text_config") if isinstance(config.get("text_config"), dict) else config
    quant = config.get("quantization") or config.get("quantization_config") or {}
    bits = quant.get("bits") if isinstance(quant, dict) else None
    return LocalModelInfo(
        path=str(p.resolve()), format=ModelFormat.MLX, name=p.name, architecture=str(config["model_type"]),
        parameters=0, size_label="", quantization=f"{bits}-bit" if bits else str(config.get("torch_dtype", "")),
        context_length=int(text.get("max_position_embeddings", 0) or 0),
        block_count=int(text.get("num_hidden_layers", 0) or 0),
        head_count=int(text.get("num_attention_heads", 0) or 0),
        head_count_kv=int(text.get("num_key_value_heads", text.get("num_attention_heads", 0)) or 0),
        embedding_length=int(text.get("hidden_size", 0) or 0),
        has_chat_template=template, size=sum(f.stat().st_size for f in p.rglob("*") if f.is_file()),
    )


def inspect_model(path: str | os.PathLike[str]) -> LocalModelInfo:
    """A GGUF file or an MLX folder, whichever ``path`` is."""
    p = Path(path).expanduser()
    if p.is_dir():
        return check_mlx_folder(p)
    return inspect_gguf(p)[0]


def estimate_local_model(path: str | os.PathLike[str], n_ctx: int, **kwargs: Any) -> MemoryEstimate:
    """The memory estimate of a model on disk from its real metadata: a GGUF's header (every part) or
    an MLX folder's config.json and weights. ``kwargs``: ``cache_type``, ``flash_attn``, ``n_ubatch``."""
    p = Path(path).expanduser()
    if p.is_dir():
        info = check_mlx_folder(p)
        config = _read_json(p / "config.json")
        weights = sum(f.stat().st_size for f in p.glob("*.safetensors"))
        ctx = min(n_ctx, info.context_length or n_ctx)
        return estimate_memory(ModelShape.from_hf_config(config), weights, ctx, engine=Engine.MLX, **kwargs)
    info, headers = inspect_gguf(p)
    return estimate_gguf(headers, min(n_ctx, info.context_length or n_ctx), **kwargs)


def files_of(info: LocalModelInfo) -> list[Path]:
    if info.format == ModelFormat.MLX:
        return sorted(f for f in Path(info.path).rglob("*") if f.is_file())
    return [Path(p) for p in (info.parts or (info.path,))]


def _safetensors_size(path: Path) -> int:
    """The size a safetensors file must have: 8 + header length + the end of the last tensor."""
    try:
        with open_regular(path) as fh:
            (n,) = struct.unpack("<Q", fh.read(8))
            if n > 100_000_000:
                raise ValueError("header length implausible")
            header = parse_json(fh.read(n))
    except PermissionError as exc:
        raise ModelFileError("model.no_permission", str(exc), path=path) from exc
    except (OSError, ValueError, struct.error) as exc:
        raise ModelFileError("model.not_mlx", f"{path.name} is not a safetensors file: {exc}", path=path) from exc
    try:
        end = max((int(v["data_offsets"][1]) for k, v in header.items() if k != "__metadata__"), default=0)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
        raise ModelFileError("model.not_mlx", f"{path.name}: bad safetensors header: {exc}", path=path) from exc
    return 8 + n + end


def _has_template(tokenizer_config: Path) -> bool:
    try:
        return bool(_read_json(tokenizer_config).get("chat_template"))
    except (OSError, ValueError, AttributeError):
        return False


def _only_files_and_folders(folder: Path) -> None:
    """MLX reads whichever of a folder's files it wants (config, weights, tokenizer and its settings, a
    template): a FIFO among them would block it for good, a device never end. So a folder with anything
    but files and folders in it is refused, naming the entry."""
    try:
        entries = list(os.scandir(folder))
    except OSError as exc:
        raise ModelFileError("model.no_permission" if isinstance(exc, PermissionError) else "model.unreadable",
                             str(exc), path=folder) from exc
    for entry in entries:
        try:
            mode = entry.stat().st_mode  # through a link: what would be opened
        except OSError:
            continue  # a dangling link: the checks below say what is missing
        if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
            raise ModelFileError("model.not_regular", f"{entry.name} in the MLX folder is not a file (mode {mode:o})",
                                 path=Path(entry.path))


def _read_json(path: Path) -> Any:
    """A JSON file of a model folder: only a regular file is opened (a FIFO there would block the open
    for good), and the error says which file."""
    try:
        return parse_json(read_regular_bytes(path, limit=_JSON_MAX))
    except NotRegularFile as exc:
        raise NotRegularFile(exc.errno, f"{path.name} is {exc.strerror.removeprefix('not a regular file but ')}, "
                             "not a file", str(path)) from exc

"""Is this folder an MLX model? A quick look at the files, without importing MLX.

mlx-lm's own loader treats a path that does not exist as a Hugging Face repository name and tries to
download it, and fails on a missing file with a bare ``FileNotFoundError``; so a folder is checked
here first, and the user gets "not an MLX model folder" with the reason in the detail.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..core.errors import ModelFileError

# The file names mlx-lm's loader looks for (``mlx_lm.utils.load_model`` and ``tokenizer_utils.load``).
WEIGHTS_GLOB = "model*.safetensors"
TOKENIZER_FILES = ("tokenizer.json", "tokenizer.model", "tokenizer_config.json", "tiktoken.model")


def check_mlx_folder(path: Path) -> dict[str, Any]:
    """Raise ``ModelFileError`` unless ``path`` holds config.json, weights and a tokenizer.

    Returns the facts the folder tells about itself (architecture, quantisation, weights size).
    """
    path = Path(path).expanduser()
    if not path.exists():
        raise ModelFileError("model.not_found", f"{path} does not exist", path=path)
    if not path.is_dir():
        raise ModelFileError("model.not_mlx", f"{path} is a file; an MLX model is a folder", path=path)
    config_file = path / "config.json"
    if not config_file.is_file():
        raise ModelFileError("model.not_mlx", "config.json is missing", path=path)
    try:
        config = json.loads(config_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelFileError("model.not_mlx", f"config.json cannot be read: {exc}", path=path) from exc
    if not isinstance(config, dict) or not isinstance(config.get("model_type"), str):
        raise ModelFileError("model.not_mlx", "config.json names no model_type", path=path)
    weights = sorted(path.glob(WEIGHTS_GLOB))
    if not weights:
        raise ModelFileError("model.not_mlx", f"no weights ({WEIGHTS_GLOB}) in the folder", path=path)
    if not any((path / name).is_file() for name in TOKENIZER_FILES):
        raise ModelFileError("model.not_mlx", "no tokenizer (tokenizer.json or tokenizer.model)", path=path)
    quantization = config.get("quantization") or config.get("quantization_config") or {}
    return {
        "architecture": config["model_type"],
        "quantization_bits": quantization.get("bits") if isinstance(quantization, dict) else None,
        "context_length": config.get("max_position_embeddings", 0),
        "weights_bytes": sum(w.stat().st_size for w in weights),
    }

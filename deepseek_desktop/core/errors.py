"""Typed errors. Each carries a message id that a front end turns into one translated line,
plus technical detail for the log. ``error_text`` gives the English line for the CLI."""

from __future__ import annotations

from typing import Any

# English text for every message id. The GUI has its own translated table (ui/error_text.py)
# keyed by the same ids; a test checks that both know every id.
MESSAGES: dict[str, str] = {
    "model.not_found": "Model file not found: {path}",
    "model.not_gguf": "Not a GGUF model file: {path}",
    "model.truncated": "The model file is incomplete (truncated): {path}",
    "model.unsupported_arch": "llama.cpp cannot run this model architecture ({arch}): {path}",
    "model.load_failed": "The model could not be loaded: {path}",
    "model.not_mlx": "Not an MLX model folder (config.json, weights and tokenizer are needed): {path}",
    "model.none_loaded": "No model is loaded.",
    "engine.crashed": "The engine stopped unexpectedly.",
    "engine.unavailable": "The {engine} engine is not available on this computer.",
    "engine.unknown": "Unknown engine: {engine}",
    "engine.busy": "The engine is busy with another reply.",
    "engine.generation_failed": "The model failed while answering.",
    "remote.connection": "Cannot reach the server at {url}.",
    "remote.auth": "The server refused the API key.",
    "remote.not_found": "The server does not know the model {model}.",
    "remote.rate_limited": "The server is busy (rate limited). Try again shortly.",
    "remote.bad_response": "The server sent an answer that could not be read.",
    "remote.no_api_key": "No API key is stored for {name}.",
    "input.invalid": "Invalid input: {what}",
    # -- model manager (models/): catalogue, fit, storage, RAM disk, downloads, local models --
    # -- conversations, settings and secrets (core/) --
    # -- MLX and remote engines (engines/) --
}


class DeepSeekError(Exception):
    """Base class: ``message_id`` names the user-facing line, ``params`` fill it, ``detail`` is for logs."""

    message_id = "input.invalid"

    def __init__(self, message_id: str | None = None, detail: str = "", **params: Any) -> None:
        self.message_id = message_id or type(self).message_id
        self.detail = detail
        self.params = {k: str(v) for k, v in params.items()}
        super().__init__(self.user_text() + (f" ({detail})" if detail else ""))

    def user_text(self) -> str:
        return error_text(self.message_id, self.params)

    def to_dict(self) -> dict[str, Any]:
        return {"message_id": self.message_id, "detail": self.detail, "params": self.params,
                "kind": type(self).__name__}


class ModelFileError(DeepSeekError):
    """A model file is missing, not GGUF, truncated or of an unknown architecture."""

    message_id = "model.load_failed"


class EngineError(DeepSeekError):
    """An engine could not do what it was asked."""

    message_id = "engine.generation_failed"


class EngineCrashed(EngineError):
    """The engine host process died. ``detail`` holds the last lines it wrote to stderr."""

    message_id = "engine.crashed"

    def __init__(self, detail: str = "", returncode: int | None = None) -> None:
        self.returncode = returncode
        super().__init__(None, detail)


class RemoteError(EngineError):
    """A remote OpenAI-compatible server failed (connection, key, model, response)."""

    message_id = "remote.connection"


_KINDS: dict[str, type[DeepSeekError]] = {
    cls.__name__: cls for cls in (DeepSeekError, ModelFileError, EngineError, RemoteError)
}


def error_text(message_id: str, params: dict[str, str] | None = None) -> str:
    template = MESSAGES.get(message_id, message_id)
    try:
        return template.format(**(params or {}))
    except (KeyError, IndexError):
        return template


def error_from_dict(data: dict[str, Any]) -> DeepSeekError:
    """Rebuild an error that crossed the engine host's pipe."""
    cls = _KINDS.get(data.get("kind", ""), EngineError)
    return cls(data.get("message_id"), data.get("detail", ""), **data.get("params", {}))

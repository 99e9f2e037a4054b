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
    "model.bad_header": "The header of the model file is damaged or malformed: {path}",
    "model.incomplete": (
        "{name}: the model file is incomplete (truncated), {present} of {expected} present; download it again: {path}"
    ),
    "model.is_folder": "This is a folder, not a GGUF model file: {path}",
    "model.no_permission": "You have no permission to read the model file: {path}",
    "model.unreadable": "The model file could not be read: {path}",
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
    "remote.bad_url": "Invalid server address {url}: it must start with http:// or https:// and name a host.",
    "remote.stream_cut": "The connection to {url} was cut during the reply; the part received so far was kept.",
    "remote.which_model": "Which model? The server offers {count}: {models}.",
    "input.invalid": "Invalid input: {what}",
    # -- model manager (models/): catalogue, fit, storage, RAM disk, downloads, local models --
    "model.missing_part": "A part of the split model is missing: {path}",
    "model.not_registered": "No installed model is called {name}.",
    "model.already_installed": "A model called {name} is already installed.",
    "catalog.unknown_model": "Unknown model: {model}",
    "catalog.unknown_quant": "{model} has no {quant} download (available: {available}).",
    "catalog.unreadable": "The model catalogue could not be read: {path}",
    "storage.no_space": "Not enough free space in {folder}: {needed} needed, {free} free.",
    "storage.no_inodes": "Not enough free file entries (inodes) in {folder}: {needed} needed, {free} free.",
    "storage.not_writable": "The folder {folder} cannot be written to.",
    "storage.exists": "There is already a file at {path}.",
    "storage.outside_models_dir": "Not removed: {path} is not inside the models folder {folder}.",
    "storage.copy_failed": "Copying {path} failed.",
    "operation.cancelled": "Cancelled.",
    "download.no_network": "Cannot reach the model server at {url}. Check the network connection.",
    "download.refused": "The model server refused access to {repo}; it may need a login or accepting its licence.",
    "download.repo_not_found": "The model server has no repository {repo}.",
    "download.file_not_found": "The repository {repo} has no file {file}.",
    "download.interrupted": "The download of {file} was interrupted; start it again to resume.",
    "download.checksum_mismatch": "The downloaded file {file} is damaged (checksum mismatch) and was removed.",
    "download.cancelled": "The download was cancelled; start it again to resume.",
    "download.failed": "The download of {file} failed.",
    "download.busy": "{file} is already being downloaded by another window or process.",
    "download.unsafe_name": (
        "The model server listed a file with an unsafe name in {repo} ({file}); nothing was downloaded."
    ),
    "operation.interrupted": "Interrupted.",
    "ramdisk.unavailable": "A RAM disk is not available on {platform}.",
    "ramdisk.no_memory": "Not enough memory for the model and a RAM disk: {needed} needed, {available} available.",
    "ramdisk.failed": "The RAM disk could not be created.",
    # -- conversations, settings and secrets (core/) --
    "store.corrupt": "The conversation database was damaged. It was moved to {path} and a new one was started.",
    "store.corrupt_recovered": (
        "The conversation database was damaged and was moved to {path}. {conversations} conversations with"
        " {messages} messages were recovered from it; some messages may be missing."
    ),
    "store.open_failed": "The conversation database could not be opened: {path}",
    "store.too_new": "The conversation database was written by a newer version of DeepSeek Desktop: {path}",
    "store.open_failed_session": (
        "The conversation database {path} could not be opened; conversations of this session will not be saved."
    ),
    "store.too_new_session": (
        "The conversation database {path} is from a newer version of DeepSeek Desktop and was left as it is;"
        " conversations of this session will not be saved."
    ),
    "store.write_failed": "The conversation could not be saved.",
    "store.read_failed": "The conversations could not be read.",
    "store.not_found": "This conversation or message no longer exists.",
    "store.export_failed": "The conversation could not be exported to {path}.",
    "store.import_invalid": "This file is not a conversation exported by DeepSeek Desktop.",
    "settings.corrupt": "The settings file was damaged and was moved to {path}. Default settings are used.",
    "settings.unreadable": (
        "The settings file {path} cannot be read. Default settings are used, and changes are not saved until it"
        " can be read again."
    ),
    "settings.values_reset": "Some settings had invalid values and were reset to their defaults: {keys}",
    "settings.invalid_value": "Invalid value for the setting {key}.",
    "settings.save_failed": "The settings could not be saved to {path}.",
    "secrets.no_keyring": "No system keyring is available: the API key for {name} is kept only until the app closes.",
    "secrets.keyring_failed": (
        "The system keyring did not accept the API key for {name}: it is kept only until the app closes."
    ),
    # -- MLX and remote engines (engines/) --
    "model.mlx_unsupported_arch": "MLX cannot run this model architecture ({arch}): {path}",
    "remote.timeout": "The server at {url} stopped answering.",
    "remote.tls": "The server's certificate could not be verified: {url}",
    "remote.server_error": "The server at {url} failed (HTTP {status}).",
    "remote.bad_request": "The server refused the request as invalid.",
    "remote.insufficient_balance": "The account at the server has no credit left.",
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

"""Typed errors. Each carries a message id that a front end turns into one translated line,
plus technical detail for the log. ``error_text`` gives the English line for the CLI."""

from __future__ import annotations

import os
from pathlib import PurePath
from typing import Any

from .i18n_marks import QT_TRANSLATE_NOOP

# English text for every message id: the CLI prints it as it is, the GUI (ui/error_text.py) passes it
# through ``QCoreApplication.translate("Errors", text)``. The marks let pyside6-lupdate collect the texts.
MESSAGES: dict[str, str] = {
    "model.not_found": QT_TRANSLATE_NOOP("Errors", "Model file not found: {path}"),
    "model.not_gguf": QT_TRANSLATE_NOOP(
        "Errors", "Not a GGUF model file: {file} does not begin with the GGUF signature (in {folder})."),
    "model.gguf_version": QT_TRANSLATE_NOOP(
        "Errors", "{file} is a GGUF file of version {version}; this app reads versions 1 to 3 (in {folder})."),
    "model.truncated": QT_TRANSLATE_NOOP(
        "Errors", "{file} is incomplete: the file ends before its data does (in {folder})."),
    "model.unsupported_arch": QT_TRANSLATE_NOOP(
        "Errors",
        "llama.cpp cannot run this model architecture ({arch}): {path}",
    ),
    "model.load_failed": QT_TRANSLATE_NOOP("Errors", "The model could not be loaded: {path}"),
    "model.not_mlx": QT_TRANSLATE_NOOP(
        "Errors",
        "Not an MLX model folder (config.json, weights and tokenizer are needed): {path}",
    ),
    "model.none_loaded": QT_TRANSLATE_NOOP("Errors", "No model is loaded."),
    "model.bad_header": QT_TRANSLATE_NOOP(
        "Errors", "The header of {file} is damaged: it cannot be read as a GGUF model file (in {folder})."),
    "model.incomplete": QT_TRANSLATE_NOOP(
        "Errors", "{file} is incomplete: {present} of {expected} are there (in {folder})."),
    # the same, said of a file this app downloaded (the model manager can fetch it again)
    "model.incomplete_download": QT_TRANSLATE_NOOP(
        "Errors", "{file} is incomplete: {present} of {expected} are there. Download it again in the model manager."),
    "model.is_folder": QT_TRANSLATE_NOOP("Errors", "This is a folder, not a GGUF model file: {path}"),
    "model.not_regular": QT_TRANSLATE_NOOP(
        "Errors",
        "This is not a file but a pipe, a device or a socket: {path}",
    ),
    "model.no_permission": QT_TRANSLATE_NOOP("Errors", "You have no permission to read the model file: {path}"),
    "model.unreadable": QT_TRANSLATE_NOOP("Errors", "The model file could not be read: {path}"),
    "engine.crashed": QT_TRANSLATE_NOOP("Errors", "The engine stopped unexpectedly."),
    "engine.unavailable": QT_TRANSLATE_NOOP("Errors", "The {engine} engine is not available on this computer."),
    "engine.unknown": QT_TRANSLATE_NOOP("Errors", "Unknown engine: {engine}"),
    "engine.wrong_version": QT_TRANSLATE_NOOP(
        "Errors",
        "The {engine} engine needs {package} {needed}, but {installed} is installed.",
    ),
    "engine.busy": QT_TRANSLATE_NOOP("Errors", "The engine is busy with another reply."),
    "engine.no_backend": QT_TRANSLATE_NOOP("Errors", "llama.cpp could not load its backends: {reason}"),
    "engine.generation_failed": QT_TRANSLATE_NOOP("Errors", "The model failed while answering."),
    "context.too_long": QT_TRANSLATE_NOOP(
        "Errors",
        "The conversation is {prompt_tokens} tokens long and does not fit the model's context of {n_ctx} tokens.",
    ),
    "request.unsupported": QT_TRANSLATE_NOOP("Errors", "The loaded model cannot do this: {what}"),
    "remote.connection": QT_TRANSLATE_NOOP("Errors", "Cannot reach the server at {url}."),
    "remote.auth": QT_TRANSLATE_NOOP("Errors", "The server refused the API key."),
    "remote.not_found": QT_TRANSLATE_NOOP("Errors", "The server does not know the model {model}."),
    "remote.rate_limited": QT_TRANSLATE_NOOP("Errors", "The server is busy (rate limited). Try again shortly."),
    "remote.bad_response": QT_TRANSLATE_NOOP("Errors", "The server sent an answer that could not be read."),
    "remote.no_api_key": QT_TRANSLATE_NOOP("Errors", "No API key is stored for {name}."),
    "remote.bad_url": QT_TRANSLATE_NOOP(
        "Errors",
        "Invalid server address {url}: it must start with http:// or https:// and name a host.",
    ),
    "remote.stream_cut": QT_TRANSLATE_NOOP(
        "Errors",
        "The connection to {url} was cut during the reply; the part received so far was kept.",
    ),
    "remote.which_model": QT_TRANSLATE_NOOP("Errors", "Which model? The server offers {count}: {models}."),
    "input.invalid": QT_TRANSLATE_NOOP("Errors", "Invalid input: {what}"),
    # -- devices: where llama.cpp runs (core/devices.py) --
    "gpu.pack_hint": QT_TRANSLATE_NOOP(
        "Errors", "An NVIDIA GPU is here ({gpu}), but no engine for it is installed: get the GPU pack ({size})."),
    "gpu.pack_hint_unsized": QT_TRANSLATE_NOOP(
        "Errors", "An NVIDIA GPU is here ({gpu}), but no engine for it is installed: get the GPU pack."),
    "gpu.driver_hint": QT_TRANSLATE_NOOP(
        "Errors", "Vulkan found no GPU, but {gpu} is here: update the graphics driver."),
    "gpu.pack_driver_hint": QT_TRANSLATE_NOOP(
        "Errors", "The GPU pack is installed but found no GPU, while {gpu} is here: update the NVIDIA driver."),
    "gpu.fewer_layers": QT_TRANSLATE_NOOP(
        "Errors", "The GPU could not take every layer ({reason}): {layers} of {total} run on it, the rest on the "
        "CPU."),
    "gpu.cpu_instead": QT_TRANSLATE_NOOP("Errors", "The GPU could not take the model ({reason}): it runs on the CPU."),
    "gpu.device_missing": QT_TRANSLATE_NOOP(
        "Errors", "The device {device} chosen in the settings is not there: the automatic choice is used."),
    # -- model manager (models/): catalogue, fit, storage, RAM disk, downloads, local models --
    "model.missing_part": QT_TRANSLATE_NOOP("Errors", "A part of the split model is missing: {path}"),
    "model.not_registered": QT_TRANSLATE_NOOP("Errors", "No installed model is called {name}."),
    "model.already_installed": QT_TRANSLATE_NOOP("Errors", "A model called {name} is already installed."),
    "model.identical_installed": QT_TRANSLATE_NOOP("Errors", "Already installed as {name}."),
    "catalogue.unknown_model": QT_TRANSLATE_NOOP("Errors", "Unknown model: {model}"),
    "catalogue.unknown_quant": QT_TRANSLATE_NOOP("Errors", "{model} has no {quant} download (available: {available})."),
    "catalogue.unreadable": QT_TRANSLATE_NOOP("Errors", "The model catalogue could not be read: {path}"),
    "storage.no_space": QT_TRANSLATE_NOOP("Errors", "Not enough free space in {folder}: {needed} needed, {free} free."),
    "storage.no_inodes": QT_TRANSLATE_NOOP(
        "Errors",
        "Not enough free file entries (inodes) in {folder}: {needed} needed, {free} free.",
    ),
    "storage.not_writable": QT_TRANSLATE_NOOP("Errors", "The folder {folder} cannot be written to."),
    "storage.exists": QT_TRANSLATE_NOOP("Errors", "There is already a file at {path}."),
    "storage.outside_models_dir": QT_TRANSLATE_NOOP(
        "Errors",
        "Not removed: {path} is not inside the models folder {folder}.",
    ),
    "storage.copy_failed": QT_TRANSLATE_NOOP("Errors", "Copying {path} failed."),
    "operation.cancelled": QT_TRANSLATE_NOOP("Errors", "Cancelled."),
    "download.no_network": QT_TRANSLATE_NOOP(
        "Errors",
        "Cannot reach the model server at {url}. Check the network connection.",
    ),
    "download.refused": QT_TRANSLATE_NOOP(
        "Errors",
        "The model server refused access to {repo}; it may need a login or accepting its licence.",
    ),
    "download.repo_not_found": QT_TRANSLATE_NOOP("Errors", "The model server has no repository {repo}."),
    "download.file_not_found": QT_TRANSLATE_NOOP("Errors", "The repository {repo} has no file {file}."),
    "download.interrupted": QT_TRANSLATE_NOOP(
        "Errors",
        "The download of {file} was interrupted; start it again to resume.",
    ),
    "download.checksum_mismatch": QT_TRANSLATE_NOOP(
        "Errors",
        "The downloaded file {file} is damaged (checksum mismatch) and was removed.",
    ),
    "download.cancelled": QT_TRANSLATE_NOOP("Errors", "The download was cancelled; start it again to resume."),
    "download.failed": QT_TRANSLATE_NOOP("Errors", "The download of {file} failed."),
    "download.busy": QT_TRANSLATE_NOOP("Errors", "{file} is already being downloaded by another window or process."),
    "download.unsafe_name": QT_TRANSLATE_NOOP(
        "Errors",
        "The model server listed a file with an unsafe name in {repo} ({file}); nothing was downloaded.",
    ),
    "download.stalled": QT_TRANSLATE_NOOP(
        "Errors",
        "The download of {file} stalled: less than {rate} a second for {seconds} seconds, several times. Start it "
        "again to resume.",
    ),
    "download.too_large": QT_TRANSLATE_NOOP(
        "Errors",
        "The model server sent more than the {size} it listed for {file}; the download was stopped there.",
    ),
    "download.not_the_file": QT_TRANSLATE_NOOP(
        "Errors",
        "The model server answered with something other than {file} (a web page?); nothing of it was kept.",
    ),
    "storage.link_outside": QT_TRANSLATE_NOOP(
        "Errors",
        "Nothing was downloaded: {path} is a symbolic link that leads outside the models folder {folder}.",
    ),
    "storage.link_in_place": QT_TRANSLATE_NOOP(
        "Errors",
        "Nothing was downloaded: there is a symbolic link at {path}, where the model would be placed.",
    ),
    "gpu_pack.none": QT_TRANSLATE_NOOP(
        "Errors", "There is no GPU pack for this computer ({platform}) and this version of the app."),
    "gpu_pack.damaged": QT_TRANSLATE_NOOP("Errors", "The GPU pack {file} is damaged or not for this app; nothing "
                                                    "was installed."),
    "operation.interrupted": QT_TRANSLATE_NOOP("Errors", "Interrupted."),
    "ramdisk.unavailable": QT_TRANSLATE_NOOP("Errors", "A RAM disk is not available on {platform}."),
    "ramdisk.no_memory": QT_TRANSLATE_NOOP(
        "Errors",
        "Not enough memory for the model and a RAM disk: {needed} needed, {available} available.",
    ),
    "ramdisk.failed": QT_TRANSLATE_NOOP("Errors", "The RAM disk could not be created."),
    # -- conversations, settings and secrets (core/) --
    "store.corrupt": QT_TRANSLATE_NOOP(
        "Errors",
        "The conversation database was damaged. It was moved to {path} and a new one was started.",
    ),
    "store.corrupt_recovered": QT_TRANSLATE_NOOP(
        "Errors",
        "The conversation database was damaged and was moved to {path}. {conversations} conversations with {messages} "
        "messages were recovered from it; some messages may be missing.",
    ),
    "store.open_failed": QT_TRANSLATE_NOOP("Errors", "The conversation database could not be opened: {path}"),
    "store.too_new": QT_TRANSLATE_NOOP(
        "Errors",
        "The conversation database was written by a newer version of DeepSeek Desktop: {path}",
    ),
    "store.open_failed_session": QT_TRANSLATE_NOOP(
        "Errors",
        "The conversation database {path} could not be opened; conversations of this session will not be saved.",
    ),
    "store.too_new_session": QT_TRANSLATE_NOOP(
        "Errors",
        "The conversation database {path} is from a newer version of DeepSeek Desktop and was left as it is; "
        "conversations of this session will not be saved.",
    ),
    "store.write_failed": QT_TRANSLATE_NOOP("Errors", "The conversation could not be saved."),
    "store.read_failed": QT_TRANSLATE_NOOP("Errors", "The conversations could not be read."),
    "store.not_found": QT_TRANSLATE_NOOP("Errors", "This conversation or message no longer exists."),
    "store.export_failed": QT_TRANSLATE_NOOP("Errors", "The conversation could not be exported to {path}."),
    "store.import_invalid": QT_TRANSLATE_NOOP(
        "Errors",
        "This file is not a conversation exported by DeepSeek Desktop.",
    ),
    "settings.corrupt": QT_TRANSLATE_NOOP(
        "Errors",
        "The settings file was damaged and was moved to {path}. Default settings are used.",
    ),
    "settings.unreadable": QT_TRANSLATE_NOOP(
        "Errors",
        "The settings file {path} cannot be read. Default settings are used, and changes are not saved until it can "
        "be read again.",
    ),
    "settings.values_reset": QT_TRANSLATE_NOOP(
        "Errors",
        "Some settings had invalid values and were reset to their defaults: {keys}",
    ),
    "settings.invalid_value": QT_TRANSLATE_NOOP("Errors", "Invalid value for the setting {key}."),
    "settings.save_failed": QT_TRANSLATE_NOOP("Errors", "The settings could not be saved to {path}."),
    "secrets.no_keyring": QT_TRANSLATE_NOOP(
        "Errors",
        "No system keyring is available: the API key for {name} is kept only until the app closes.",
    ),
    "secrets.keyring_failed": QT_TRANSLATE_NOOP(
        "Errors",
        "The system keyring did not accept the API key for {name}: it is kept only until the app closes.",
    ),
    # -- MLX and remote engines (engines/) --
    "model.mlx_unsupported_arch": QT_TRANSLATE_NOOP(
        "Errors",
        "MLX cannot run this model architecture ({arch}): {path}",
    ),
    "remote.timeout": QT_TRANSLATE_NOOP("Errors", "The server at {url} stopped answering."),
    "remote.tls": QT_TRANSLATE_NOOP("Errors", "The server's certificate could not be verified: {url}"),
    "remote.server_error": QT_TRANSLATE_NOOP("Errors", "The server at {url} failed (HTTP {status})."),
    "remote.bad_request": QT_TRANSLATE_NOOP("Errors", "The server refused the request as invalid."),
    "remote.insufficient_balance": QT_TRANSLATE_NOOP("Errors", "The account at the server has no credit left."),
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
    """A model file is missing, not GGUF, truncated or of an unknown architecture. Its ``path`` also gives
    ``file`` (the file's own name, what the user knows it by) and ``folder`` for the message."""

    message_id = "model.load_failed"

    def __init__(self, message_id: str | None = None, detail: str = "", **params: Any) -> None:
        if "path" in params:
            path = PurePath(str(params["path"]))
            params.setdefault("file", _printable(path.name or str(path)))
            # a relative path (the command line's "x.gguf") names its folder from the working directory, not "."
            folder = str(path.parent) if path.is_absolute() else os.path.abspath(str(path.parent))
            params.setdefault("folder", _printable(folder, 200))
        super().__init__(message_id, detail, **params)


def _printable(text: str, limit: int = 120) -> str:
    """A name fit for one line of a message: no control characters (a file name may hold any), not endless."""
    clean = "".join(c if c.isprintable() else "?" for c in text)
    return clean if len(clean) <= limit else clean[: limit - 1] + "…"


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

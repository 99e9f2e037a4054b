"""One translated line for every error message id (see core/errors.py for the English originals)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from ..core.errors import DeepSeekError


def _texts() -> dict[str, str]:
    # Built on each call so the text follows a live language switch. Literal calls so lupdate finds them.
    translate = QCoreApplication.translate  # a name lupdate recognises
    return {
        "model.not_found": translate("Errors", "Model file not found: {path}"),
        "model.not_gguf": translate("Errors", "Not a GGUF model file: {path}"),
        "model.truncated": translate("Errors", "The model file is incomplete (truncated): {path}"),
        "model.unsupported_arch": translate(
            "Errors",
            "llama.cpp cannot run this model architecture ({arch}): {path}",
        ),
        "model.load_failed": translate("Errors", "The model could not be loaded: {path}"),
        "model.not_mlx": translate(
            "Errors",
            "Not an MLX model folder (config.json, weights and tokenizer are needed): {path}",
        ),
        "model.none_loaded": translate("Errors", "No model is loaded."),
        "model.bad_header": translate("Errors", "The header of the model file is damaged or malformed: {path}"),
        "model.incomplete": translate(
            "Errors",
            "{name}: the model file is incomplete (truncated), {present} of {expected} present; download it "
            "again: {path}",
        ),
        "model.is_folder": translate("Errors", "This is a folder, not a GGUF model file: {path}"),
        "model.no_permission": translate("Errors", "You have no permission to read the model file: {path}"),
        "model.unreadable": translate("Errors", "The model file could not be read: {path}"),
        "engine.crashed": translate("Errors", "The engine stopped unexpectedly."),
        "engine.unavailable": translate("Errors", "The {engine} engine is not available on this computer."),
        "engine.unknown": translate("Errors", "Unknown engine: {engine}"),
        "engine.busy": translate("Errors", "The engine is busy with another reply."),
        "engine.generation_failed": translate("Errors", "The model failed while answering."),
        "remote.connection": translate("Errors", "Cannot reach the server at {url}."),
        "remote.auth": translate("Errors", "The server refused the API key."),
        "remote.not_found": translate("Errors", "The server does not know the model {model}."),
        "remote.rate_limited": translate("Errors", "The server is busy (rate limited). Try again shortly."),
        "remote.bad_response": translate("Errors", "The server sent an answer that could not be read."),
        "remote.no_api_key": translate("Errors", "No API key is stored for {name}."),
        "remote.bad_url": translate(
            "Errors",
            "Invalid server address {url}: it must start with http:// or https:// and name a host.",
        ),
        "remote.stream_cut": translate(
            "Errors",
            "The connection to {url} was cut during the reply; the part received so far was kept.",
        ),
        "remote.which_model": translate("Errors", "Which model? The server offers {count}: {models}."),
        "input.invalid": translate("Errors", "Invalid input: {what}"),
        "store.corrupt": translate(
            "Errors",
            "The conversation database was damaged. It was moved to {path} and a new one was started.",
        ),
        "store.corrupt_recovered": translate(
            "Errors",
            "The conversation database was damaged and was moved to {path}. {conversations} conversations with "
            "{messages} messages were recovered from it; some messages may be missing.",
        ),
        "store.open_failed": translate("Errors", "The conversation database could not be opened: {path}"),
        "store.too_new": translate(
            "Errors",
            "The conversation database was written by a newer version of DeepSeek Desktop: {path}",
        ),
        "store.open_failed_session": translate(
            "Errors",
            "The conversation database {path} could not be opened; conversations of this session will not be "
            "saved.",
        ),
        "store.too_new_session": translate(
            "Errors",
            "The conversation database {path} is from a newer version of DeepSeek Desktop and was left as it "
            "is; conversations of this session will not be saved.",
        ),
        "store.write_failed": translate("Errors", "The conversation could not be saved."),
        "store.read_failed": translate("Errors", "The conversations could not be read."),
        "store.not_found": translate("Errors", "This conversation or message no longer exists."),
        "store.export_failed": translate("Errors", "The conversation could not be exported to {path}."),
        "store.import_invalid": translate(
            "Errors",
            "This file is not a conversation exported by DeepSeek Desktop.",
        ),
        "settings.corrupt": translate(
            "Errors",
            "The settings file was damaged and was moved to {path}. Default settings are used.",
        ),
        "settings.unreadable": translate(
            "Errors",
            "The settings file {path} cannot be read. Default settings are used, and changes are not saved "
            "until it can be read again.",
        ),
        "settings.values_reset": translate(
            "Errors",
            "Some settings had invalid values and were reset to their defaults: {keys}",
        ),
        "settings.invalid_value": translate("Errors", "Invalid value for the setting {key}."),
        "settings.save_failed": translate("Errors", "The settings could not be saved to {path}."),
        "secrets.no_keyring": translate(
            "Errors",
            "No system keyring is available: the API key for {name} is kept only until the app closes.",
        ),
        "secrets.keyring_failed": translate(
            "Errors",
            "The system keyring did not accept the API key for {name}: it is kept only until the app "
            "closes.",
        ),
        "model.missing_part": translate("Errors", "A part of the split model is missing: {path}"),
        "model.not_registered": translate("Errors", "No installed model is called {name}."),
        "model.already_installed": translate("Errors", "A model called {name} is already installed."),
        "catalog.unknown_model": translate("Errors", "Unknown model: {model}"),
        "catalog.unknown_quant": translate(
            "Errors",
            "{model} has no {quant} download (available: {available}).",
        ),
        "catalog.unreadable": translate("Errors", "The model catalogue could not be read: {path}"),
        "storage.no_space": translate(
            "Errors",
            "Not enough free space in {folder}: {needed} needed, {free} free.",
        ),
        "storage.no_inodes": translate(
            "Errors",
            "Not enough free file entries (inodes) in {folder}: {needed} needed, {free} free.",
        ),
        "storage.not_writable": translate("Errors", "The folder {folder} cannot be written to."),
        "storage.exists": translate("Errors", "There is already a file at {path}."),
        "storage.outside_models_dir": translate(
            "Errors",
            "Not removed: {path} is not inside the models folder {folder}.",
        ),
        "storage.copy_failed": translate("Errors", "Copying {path} failed."),
        "operation.cancelled": translate("Errors", "Cancelled."),
        "download.no_network": translate(
            "Errors",
            "Cannot reach the model server at {url}. Check the network connection.",
        ),
        "download.refused": translate(
            "Errors",
            "The model server refused access to {repo}; it may need a login or accepting its licence.",
        ),
        "download.repo_not_found": translate("Errors", "The model server has no repository {repo}."),
        "download.file_not_found": translate("Errors", "The repository {repo} has no file {file}."),
        "download.interrupted": translate(
            "Errors",
            "The download of {file} was interrupted; start it again to resume.",
        ),
        "download.checksum_mismatch": translate(
            "Errors",
            "The downloaded file {file} is damaged (checksum mismatch) and was removed.",
        ),
        "download.cancelled": translate("Errors", "The download was cancelled; start it again to resume."),
        "download.failed": translate("Errors", "The download of {file} failed."),
        "download.busy": translate(
            "Errors",
            "{file} is already being downloaded by another window or process.",
        ),
        "download.unsafe_name": translate(
            "Errors",
            "The model server listed a file with an unsafe name in {repo} ({file}); nothing was downloaded.",
        ),
        "operation.interrupted": translate("Errors", "Interrupted."),
        "ramdisk.unavailable": translate("Errors", "A RAM disk is not available on {platform}."),
        "ramdisk.no_memory": translate(
            "Errors",
            "Not enough memory for the model and a RAM disk: {needed} needed, {available} available.",
        ),
        "ramdisk.failed": translate("Errors", "The RAM disk could not be created."),
        "model.mlx_unsupported_arch": translate(
            "Errors",
            "MLX cannot run this model architecture ({arch}): {path}",
        ),
        "remote.timeout": translate("Errors", "The server at {url} stopped answering."),
        "remote.tls": translate("Errors", "The server's certificate could not be verified: {url}"),
        "remote.server_error": translate("Errors", "The server at {url} failed (HTTP {status})."),
        "remote.bad_request": translate("Errors", "The server refused the request as invalid."),
        "remote.insufficient_balance": translate("Errors", "The account at the server has no credit left."),
    }


def error_message(message_id: str, params: dict[str, str] | None = None) -> str:
    text = _texts().get(message_id)
    if text is None:  # an id this table does not know yet: the English line is better than nothing
        from ..core.errors import error_text

        return error_text(message_id, params)
    try:
        return text.format(**(params or {}))
    except (KeyError, IndexError):
        return text


def describe(exc: BaseException) -> str:
    if isinstance(exc, DeepSeekError):
        return error_message(exc.message_id, exc.params)
    return QCoreApplication.translate("Errors", "Something went wrong: {error}").format(error=exc)


def known_ids() -> set[str]:
    return set(_texts())

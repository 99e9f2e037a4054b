"""One translated line for every error message id (see core/errors.py for the English originals)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from ..core.errors import DeepSeekError


def _texts() -> dict[str, str]:
    # Built on each call so the text follows a live language switch. Literal calls so lupdate finds them.
    t = QCoreApplication.translate
    return {
        "model.not_found": t("Errors", "Model file not found: {path}"),
        "model.not_gguf": t("Errors", "Not a GGUF model file: {path}"),
        "model.truncated": t("Errors", "The model file is incomplete (truncated): {path}"),
        "model.unsupported_arch": t("Errors", "llama.cpp cannot run this model architecture ({arch}): {path}"),
        "model.load_failed": t("Errors", "The model could not be loaded: {path}"),
        "model.not_mlx": t("Errors", "Not an MLX model folder (config.json, weights and tokenizer are needed): {path}"),
        "model.none_loaded": t("Errors", "No model is loaded."),
        "engine.crashed": t("Errors", "The engine stopped unexpectedly."),
        "engine.unavailable": t("Errors", "The {engine} engine is not available on this computer."),
        "engine.unknown": t("Errors", "Unknown engine: {engine}"),
        "engine.busy": t("Errors", "The engine is busy with another reply."),
        "engine.generation_failed": t("Errors", "The model failed while answering."),
        "remote.connection": t("Errors", "Cannot reach the server at {url}."),
        "remote.auth": t("Errors", "The server refused the API key."),
        "remote.not_found": t("Errors", "The server does not know the model {model}."),
        "remote.rate_limited": t("Errors", "The server is busy (rate limited). Try again shortly."),
        "remote.bad_response": t("Errors", "The server sent an answer that could not be read."),
        "remote.no_api_key": t("Errors", "No API key is stored for {name}."),
        "input.invalid": t("Errors", "Invalid input: {what}"),
        "store.corrupt": t("Errors", "The conversation database was damaged. It was moved to {path} and a new one was started."),
        "store.corrupt_recovered": t("Errors", "The conversation database was damaged and was moved to {path}. {count} conversations were recovered from it; the last messages of some may be missing."),
        "store.open_failed": t("Errors", "The conversation database could not be opened: {path}"),
        "store.too_new": t("Errors", "The conversation database was written by a newer version of DeepSeek Desktop: {path}"),
        "store.write_failed": t("Errors", "The conversation could not be saved."),
        "store.read_failed": t("Errors", "The conversations could not be read."),
        "store.not_found": t("Errors", "This conversation or message no longer exists."),
        "store.export_failed": t("Errors", "The conversation could not be exported to {path}."),
        "store.import_invalid": t("Errors", "This file is not a conversation exported by DeepSeek Desktop."),
        "settings.corrupt": t("Errors", "The settings file could not be read and was moved to {path}. Default settings are used."),
        "settings.values_reset": t("Errors", "Some settings had invalid values and were reset to their defaults: {keys}"),
        "settings.invalid_value": t("Errors", "Invalid value for the setting {key}."),
        "settings.save_failed": t("Errors", "The settings could not be saved to {path}."),
        "secrets.no_keyring": t("Errors", "No system keyring is available: the API key for {name} is kept only until the app closes."),
        "secrets.keyring_failed": t("Errors", "The system keyring did not accept the API key for {name}: it is kept only until the app closes."),
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

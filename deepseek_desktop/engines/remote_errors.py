"""What went wrong with a remote server, as a typed ``RemoteError``; and keeping the API key out of
every message, error detail and log line.

Servers quote keys back ("Incorrect API key provided: sk-...") and HTTP libraries log headers at debug
level, so the key is removed from whatever text leaves the engine, not only from what we write.
"""

from __future__ import annotations

import logging
import ssl

import openai

from ..core.errors import RemoteError
from ..core.server_url import shown_url

# Fragments of a key this long or longer are removed too: a server may quote a key cut or masked.
_FRAGMENT = 8


def redact(text: str, secret: str) -> str:
    if not secret or not text:
        return text
    text = text.replace(secret, "***")
    if len(secret) > _FRAGMENT:
        for i in range(len(secret) - _FRAGMENT + 1):
            piece = secret[i: i + _FRAGMENT]
            if piece in text:
                text = text.replace(piece, "***")
    return text


def display_url(url: str) -> str:
    """The URL as shown to the user: without user name, password or query (a key may hide there)."""
    return shown_url(url)


class SecretFilter(logging.Filter):
    """Put on the root logger's handlers while a key is in use: every record that passes, from any
    library, leaves with the key replaced."""

    def __init__(self, secret: str) -> None:
        super().__init__("")
        self.secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message, self.secret)
        if clean != message:
            record.msg, record.args = clean, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info), self.secret)
        elif record.exc_text:
            record.exc_text = redact(record.exc_text, self.secret)
        return True

    def install(self) -> None:
        for handler in logging.getLogger().handlers:
            handler.addFilter(self)

    def remove(self) -> None:
        for handler in logging.getLogger().handlers:
            handler.removeFilter(self)


def describe(exc: BaseException) -> str:
    """The exception and its causes on one line, for the log detail."""
    parts: list[str] = []
    current: BaseException | None = exc
    while current is not None and len(parts) < 4:
        text = f"{type(current).__name__}: {current}"
        if not parts or parts[-1] != text:  # httpx wraps its errors in copies of themselves
            parts.append(text)
        current = current.__cause__ or current.__context__
    return " <- ".join(parts)


def _is_tls(exc: BaseException) -> bool:
    current: BaseException | None = exc
    while current is not None:
        if isinstance(current, ssl.SSLError) or "CERTIFICATE_VERIFY_FAILED" in str(current):
            return True
        current = current.__cause__ or current.__context__
    return False


def _server_message(exc: openai.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and isinstance(inner.get("message"), str):
            return inner["message"]
        if isinstance(body.get("detail"), str):  # FastAPI servers (llama-cpp-python, vLLM)
            return body["detail"]
    return exc.message


def remote_error(exc: BaseException, *, url: str, model: str, secret: str, partial: bool = False) -> RemoteError:
    """Map an exception from the openai client (or our own stream checks) to a ``RemoteError``.

    ``partial``: part of the reply had come. A connection lost then was not "cannot reach the server":
    it was cut, and the user keeps what came.
    """
    if isinstance(exc, RemoteError):
        return exc
    shown = display_url(url)
    detail = redact(describe(exc), secret)
    if isinstance(exc, openai.APITimeoutError):
        return RemoteError("remote.timeout", detail, url=shown)
    if isinstance(exc, openai.APIConnectionError):
        if _is_tls(exc):
            return RemoteError("remote.tls", detail, url=shown)
        return RemoteError("remote.stream_cut" if partial else "remote.connection", detail, url=shown)
    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        message = redact(_server_message(exc), secret).lower()
        if status == 401 and not secret:
            return RemoteError("remote.no_api_key", detail, name=shown)
        if status in (401, 403):
            return RemoteError("remote.auth", detail)
        if status == 402:
            return RemoteError("remote.insufficient_balance", detail)
        if status == 404:
            return RemoteError("remote.not_found", detail, model=model)
        if status == 429:
            return RemoteError("remote.rate_limited", detail)
        if status >= 500:
            return RemoteError("remote.server_error", detail, url=shown, status=status)
        if "model" in message and ("not exist" in message or "not found" in message):
            return RemoteError("remote.not_found", detail, model=model)
        return RemoteError("remote.bad_request", detail)
    if isinstance(exc, openai.APIError) and not isinstance(exc, openai.APIResponseValidationError):
        # an error object inside the stream: the server failed while it answered
        code = exc.body.get("code") if isinstance(exc.body, dict) else None
        return RemoteError("remote.server_error", detail, url=shown, status=code or "error")
    # Unreadable JSON, a body that is not what the API promises, or a page from some other server.
    return RemoteError("remote.bad_response", detail)

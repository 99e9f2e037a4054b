"""The base URL of a remote server, checked once where it comes in (the CLI flag, the settings'
endpoints, the remote engine's load) and shown without anything secret in it."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

from .errors import DeepSeekError

_SHOWN_MAX = 200
_USERINFO = re.compile(r"//[^/@]*@")


def check_base_url(url: str) -> str:
    """The URL without surrounding space, or ``DeepSeekError("remote.bad_url")``.

    ``urlsplit`` raises ValueError on some malformed URLs (``http://[::1``) and ``.port`` on others
    (``http://host:99999``); both are a wrong address the user typed, not a bug.
    """
    url = url.strip()
    problem = _problem(url)
    if problem:
        raise DeepSeekError("remote.bad_url", f"{problem}: {shown_url(url)!r}", url=shown_url(url))
    return url


def is_base_url(url: str) -> bool:
    return not _problem(url.strip())


def _problem(url: str) -> str:
    if any(c.isspace() or ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in url):
        return "space or control character"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number in range
    except ValueError as exc:
        return f"malformed ({exc})"
    if parts.scheme not in ("http", "https"):
        return "not http:// or https://"
    if not parts.hostname:
        return "no host"
    return ""


def shown_url(url: str) -> str:
    """The URL as shown to the user: without user name, password, query or fragment (a key may hide
    there). Never raises, also not for a malformed URL."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        if ":" in host:
            host = f"[{host}]"
        if parts.port:
            host = f"{host}:{parts.port}"
        shown = urlunsplit((parts.scheme, host, parts.path, "", ""))
    except ValueError:
        shown = _USERINFO.sub("//", re.split(r"[?#]", url, maxsplit=1)[0])
    return shown if len(shown) <= _SHOWN_MAX else shown[:_SHOWN_MAX] + "…"

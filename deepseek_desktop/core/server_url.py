"""The base URL of a remote server, checked once where it comes in (the CLI flag, the settings'
endpoints, the remote engine's load) and shown without anything secret in it."""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit, urlunsplit

import idna

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
    return _host_problem(parts.hostname)


_IPV4_STYLE = re.compile(r"[0-9]+(\.[0-9]+){3}")
_ASCII_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?")


def _host_problem(host: str) -> str:
    """What is wrong with a host name or address that the HTTP client would refuse, or DNS could never
    answer: then the user hears "wrong address" now, not "the model failed" later."""
    if ":" in host:  # urlsplit took it from brackets
        try:
            ipaddress.IPv6Address(host.split("%", 1)[0])
        except ValueError:
            return "not an IPv6 address"
        return ""
    if _IPV4_STYLE.fullmatch(host):
        try:
            ipaddress.IPv4Address(host)
        except ValueError:
            return "not an IPv4 address"
        return ""
    name = host[:-1] if host.endswith(".") else host
    if not name.isascii():
        try:
            name = idna.encode(name.lower()).decode("ascii")  # as httpx does (IDNA 2008)
        except (idna.IDNAError, UnicodeError, ValueError):
            return "not a valid international host name"
    if len(name) > 253:
        return "host name too long"
    for label in name.split("."):
        if not _ASCII_LABEL.fullmatch(label):
            return "not a valid host name"
        if label.startswith("xn--"):
            try:
                idna.decode(label)
            except (idna.IDNAError, UnicodeError, ValueError):
                return "not a valid international host name"
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

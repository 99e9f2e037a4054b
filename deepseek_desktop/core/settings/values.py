"""Values of settings that need more than a type and a range: the error a bad value raises, and the
list of remote servers (names unique, http(s) base URLs, no API keys in the file)."""

from __future__ import annotations

from typing import Any

from ..server_url import is_base_url


class SettingValueError(ValueError):
    """A value does not fit its setting. ``reason`` is English, for the log."""

    def __init__(self, key: str, reason: str) -> None:
        self.key = key
        self.reason = reason
        super().__init__(f"{key}: {reason}")


def validate_endpoints(key: str, value: Any) -> list[dict[str, str]]:
    """A list of remote servers. Names are unique because the keyring stores each key by name."""
    if not isinstance(value, list):
        raise SettingValueError(key, f"expected a list, got {type(value).__name__}")
    out: list[dict[str, str]] = []
    seen: set[str] = set()
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            raise SettingValueError(key, f"entry {i} is not an object")
        name, base_url, model = (item.get(k) for k in ("name", "base_url", "model"))
        if not isinstance(name, str) or not name.strip() or len(name) > 100:
            raise SettingValueError(key, f"entry {i} needs a name (1 to 100 characters)")
        name = name.strip()
        if name in seen:
            raise SettingValueError(key, f"the name {name!r} is used twice")
        seen.add(name)
        if not isinstance(base_url, str) or not is_base_url(base_url):
            raise SettingValueError(key, f"entry {name!r} needs an http:// or https:// base URL")
        if not isinstance(model, str):
            raise SettingValueError(key, f"entry {name!r}: the model must be text")
        # anything else (an "api_key" someone typed into the file) is dropped: keys belong in the keyring
        out.append({"name": name, "base_url": base_url.strip(), "model": model.strip()})
    return out

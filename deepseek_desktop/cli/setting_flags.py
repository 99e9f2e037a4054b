"""Command-line flags made from the settings schema (as llama-cpp-python's server builds its flags from
its settings model): type, range, choices and help come from the one ``SettingSpec``. A flag's default
is "not given", so a command without it uses the user's setting, the same value the window uses."""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from typing import Any

from ..core.settings.schema import SettingSpec, SettingsSchema, SettingType, SettingValueError


def add_setting_flags(parser: argparse.ArgumentParser, flags: Sequence[tuple[str, str]],
                      schema: SettingsSchema | None = None, hidden: Sequence[str] = ()) -> None:
    """One flag per ``(flag, setting key)``; ``hidden`` flags work but are not in ``--help``."""
    schema = schema or SettingsSchema()
    for flag, key in flags:
        spec = schema.spec(key)
        kwargs: dict[str, Any] = {"dest": _dest(flag), "default": None,
                                  "help": argparse.SUPPRESS if flag in hidden else _help(spec)}
        if spec.type is SettingType.BOOL:
            kwargs["action"] = argparse.BooleanOptionalAction
        elif spec.type is SettingType.CHOICE:
            kwargs["choices"] = [c.value for c in spec.choices]
        else:
            kwargs["type"] = value_parser(spec)
            kwargs["metavar"] = {SettingType.INT: "N", SettingType.FLOAT: "X",
                                 SettingType.DEVICE: "DEVICE"}.get(spec.type, "TEXT")
        parser.add_argument(flag, **kwargs)


def given_settings(args: argparse.Namespace, flags: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """The settings the command line sets, by key (flags not given are left out)."""
    out = {}
    for flag, key in flags:
        value = getattr(args, _dest(flag), None)
        if value is not None:
            out[key] = value
    return out


class SettingsWithFlags:
    """The user's settings with the flags given on the command line in their place. It has the
    store's ``get``, so ``generation_params`` and ``load_params`` build from it what they build for
    the window."""

    def __init__(self, settings: Any, given: Mapping[str, Any]) -> None:
        self._settings = settings
        self._given = dict(given)

    def get(self, key: str) -> Any:
        return self._given[key] if key in self._given else self._settings.get(key)


def _dest(flag: str) -> str:
    return flag.lstrip("-").replace("-", "_")


def value_parser(spec: SettingSpec):
    """An argparse ``type`` that takes a value of the setting ``spec``: its type and range, its error text."""
    def parse(text: str) -> Any:
        value: Any = text
        try:
            if spec.type is SettingType.INT:
                value = int(text)
            elif spec.type is SettingType.FLOAT:
                value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        try:
            return spec.validate(value)
        except SettingValueError as exc:
            raise argparse.ArgumentTypeError(exc.reason) from None
    parse.__name__ = spec.type.value  # argparse names it in "invalid <name> value"
    return parse


def _help(spec: SettingSpec) -> str:
    parts = [(spec.help or spec.label).rstrip(".")]
    if spec.type in (SettingType.INT, SettingType.FLOAT) and spec.minimum is not None and spec.maximum is not None:
        lo = f"{spec.minimum:g}" + (f" ({spec.minimum_label.lower()})" if spec.minimum_label else "")
        parts.append(f"{lo} to {spec.maximum:g}")
    default = spec.default
    if isinstance(default, bool):
        default = "on" if default else "off"
    parts.append(f"Default: the setting '{spec.label}' (initially {default if default != '' else 'empty'})")
    return (". ".join(parts) + ".").replace("%", "%%")

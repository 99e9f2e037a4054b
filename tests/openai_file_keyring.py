"""A keyring backend for tests that start the CLI as a subprocess: the OS keyring cannot run here (no
Secret Service on a headless Linux), so this small, honest stand-in keeps passwords in the JSON file
named by ``$DEEPSEEK_TEST_KEYRING_FILE``. Select it with
``PYTHON_KEYRING_BACKEND=openai_file_keyring.JsonFileKeyring`` and ``tests/`` on ``PYTHONPATH``."""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError


class JsonFileKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    @property
    def _file(self) -> Path:
        return Path(os.environ["DEEPSEEK_TEST_KEYRING_FILE"])

    def _load(self) -> dict[str, str]:
        try:
            return json.loads(self._file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}\n{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._load()
        data[f"{service}\n{username}"] = password
        self._file.write_text(json.dumps(data), encoding="utf-8")

    def delete_password(self, service: str, username: str) -> None:
        data = self._load()
        if data.pop(f"{service}\n{username}", None) is None:
            raise PasswordDeleteError(username)
        self._file.write_text(json.dumps(data), encoding="utf-8")

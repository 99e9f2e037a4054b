"""API keys of remote servers, kept in the OS keyring (macOS Keychain, Windows Credential Locker,
Secret Service / KWallet on Linux). Never in a file, never in a log.

Without a usable keyring (a headless Linux without Secret Service, or a keyring that refuses) a key is
kept in memory for this session only and a notice tells the user it will not be remembered. There is
deliberately no fallback to a file: keyring's own plaintext backend (keyrings.alt) is refused too.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from .notices import Notice, NoticeBox
from .paths import APP_NAME

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

log = logging.getLogger(__name__)

SERVICE_NAME = APP_NAME
# The key that clients of the local API server must send, when it listens beyond this computer.
LOCAL_SERVER_KEY = "local-server"

# Recommended backends (macOS 5, Windows 5, SecretService 5, KWallet 4.9, libsecret 4.8) rank at
# least 1; keyring's "fail" and "null" and keyrings.alt's file backends rank below 1.
_MIN_PRIORITY = 1.0


def backend_is_usable(backend: KeyringBackend) -> bool:
    from keyring.backends import chainer, fail

    if isinstance(backend, fail.Keyring):
        return False
    if isinstance(backend, chainer.ChainerBackend):
        return any(backend_is_usable(b) for b in backend.backends)
    try:
        priority = float(backend.priority)
    except Exception:  # a backend may raise here when it cannot run on this system
        return False
    return priority >= _MIN_PRIORITY


class SecretStore:
    """API keys by endpoint name (the keyring's user name), under one service name.

    Keyring calls can block (Secret Service may show an unlock dialog), so call this from the
    worker thread, not the GUI thread. ``persistent`` says whether keys outlive the session.

    Making one costs nothing: the keyring is imported and asked for its backend (which may touch D-Bus)
    on first use, under the store's lock. So the composition root makes the one store before any thread
    can ask for it; stores made lazily by two threads at once would each keep their own session keys.
    """

    def __init__(self, backend: KeyringBackend | None = None, service: str = SERVICE_NAME) -> None:
        self._backend = backend
        self._service = service
        self._session: dict[str, str] = {}
        self._lock = threading.Lock()
        self._notices = NoticeBox()
        self._usable: bool | None = None  # known on first use

    def _ready(self) -> bool:
        """Whether the backend is usable; finds the backend on first use. Call with the lock held."""
        if self._usable is None:
            if self._backend is None:
                import keyring

                self._backend = keyring.get_keyring()
            self._usable = backend_is_usable(self._backend)
            if not self._usable:
                log.info("no usable keyring (%s); API keys are kept for this session only",
                         type(self._backend).__module__ + "." + type(self._backend).__name__)
        return self._usable

    @property
    def persistent(self) -> bool:
        """False when keys stored now will be forgotten when the app closes."""
        with self._lock:
            return self._ready()

    def take_notices(self) -> list[Notice]:
        return self._notices.take()

    def get(self, name: str) -> str | None:
        with self._lock:
            if name in self._session:
                return self._session[name]
            if not self._ready():
                return None
            try:
                return self._backend.get_password(self._service, name)
            except Exception as exc:  # backends also raise D-Bus or OS errors of their own
                log.warning("keyring could not read the key for %r: %s", name, type(exc).__name__)
                return None

    def set(self, name: str, key: str) -> None:
        """Store a key (surrounding whitespace, e.g. a pasted line break, is removed; "" deletes)."""
        key = key.strip()
        if not key:
            self.delete(name)
            return
        with self._lock:
            if self._ready():
                try:
                    self._backend.set_password(self._service, name, key)
                    self._session.pop(name, None)
                    return
                except Exception as exc:
                    log.warning("keyring refused the key for %r (%s); kept for this session only",
                                name, type(exc).__name__)
                    self._session[name] = key
                    self._notices.add("secrets.keyring_failed", name=name)
                    return
            self._session[name] = key
            self._notices.add("secrets.no_keyring", name=name)

    def delete(self, name: str) -> None:
        with self._lock:
            self._session.pop(name, None)
            if not self._ready():
                return
            import keyring.errors

            try:
                self._backend.delete_password(self._service, name)
            except keyring.errors.PasswordDeleteError:
                pass  # there was none
            except Exception as exc:
                log.warning("keyring could not delete the key for %r: %s", name, type(exc).__name__)

    def rename(self, old: str, new: str) -> None:
        """Follow an endpoint that was renamed in the settings."""
        if old == new:
            return
        key = self.get(old)
        if key is not None:
            self.set(new, key)
            self.delete(old)
